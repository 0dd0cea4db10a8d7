"""Command line: `python -m bot [run]`, `python -m bot db upgrade`, `python -m bot sandbox`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot import logs
from bot.config import ConfigError, Settings, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="CRM assistant bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot with long polling (the default)")
    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply the Alembic migrations")
    db_commands.add_parser("current", help="show the schema version")
    sandbox = commands.add_parser(
        "sandbox", help="chat with the bot in this terminal, without Telegram or a token"
    )
    sandbox.add_argument("--database-url", help="default: sqlite:///data/sandbox.db")
    sandbox.add_argument("--files", default="sandbox-files", help="where files from the bot go")
    return parser


def _fail(lines: list[str], code: int = 2) -> int:
    for line in lines:
        print(f"error: {line}", file=sys.stderr)
    return code


def run(settings: Settings) -> int:
    from bot.app import build_application
    from storage.schema import SchemaBehind

    token = settings.require_token()
    logs.configure(settings.log_level, [token])
    application = build_application(settings)
    try:
        application.run_polling(allowed_updates=["message", "callback_query", "my_chat_member"])
    except SchemaBehind as error:
        return _fail([str(error)])
    return 0


def db_command(settings: Settings, which: str) -> int:
    from storage import schema
    from storage.db import Database

    logs.configure(settings.log_level, [settings.telegram_bot_token or ""])
    if which == "upgrade":
        schema.upgrade(settings.database_url)
        print(f"database is at {schema.head_revision()}")
        return 0

    async def show() -> str | None:
        database = Database(settings.database_url)
        try:
            return await schema.current_revision(database.engine)
        finally:
            await database.dispose()

    print(f"database: {asyncio.run(show()) or 'empty'}; code: {schema.head_revision()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "sandbox":
            from bot.sandbox import run_sandbox

            return run_sandbox(database_url=args.database_url, files_dir=args.files)
        settings = load_settings()
        if args.command == "db":
            return db_command(settings, args.db_command)
        return run(settings)
    except ConfigError as error:
        return _fail(error.problems)


if __name__ == "__main__":
    sys.exit(main())
