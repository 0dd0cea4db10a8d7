"""Command line: `python -m bot [run]`, `python -m bot db upgrade`, `python -m bot sandbox`,
`python -m bot import FILE --workspace W`, `python -m bot export FILE --workspace W`,
`python -m bot backup FILE [--force]`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot import logs
from bot.config import ConfigError, Settings, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="CRM assistant bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser(
        "run", help="run the bot: webhook mode when WEBHOOK_URL is set, else long polling"
    )
    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply the Alembic migrations")
    db_commands.add_parser("current", help="show the schema version")
    sandbox = commands.add_parser(
        "sandbox", help="chat with the bot in this terminal, without Telegram or a token"
    )
    sandbox.add_argument("--database-url", help="default: sqlite:///data/sandbox.db")
    sandbox.add_argument("--files", default="sandbox-files", help="where files from the bot go")
    importing = commands.add_parser("import", help="import a spreadsheet into a workspace")
    importing.add_argument("file", help=".xlsx, .csv or an .xls saved as HTML")
    importing.add_argument("--workspace", required=True, help="workspace id or name")
    importing.add_argument(
        "--sheet", metavar="NAME", help="the worksheet of an .xlsx to read (default: the first)"
    )
    importing.add_argument("--dry-run", action="store_true", help="show the preview only")
    importing.add_argument(
        "--on-duplicate",
        choices=["skip", "merge", "create"],
        default="skip",
        help="records already in the database: leave, fill empty fields, or create anew",
    )
    importing.add_argument("--only-valid", action="store_true", help="leave out warned rows")
    exporting = commands.add_parser("export", help="export a workspace to an .xlsx file")
    exporting.add_argument("file")
    exporting.add_argument("--workspace", required=True, help="workspace id or name")
    backup = commands.add_parser(
        "backup", help="copy the SQLite database consistently, even while the bot runs"
    )
    backup.add_argument("file", help="where the copy goes")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    return parser


def _fail(lines: list[str], code: int = 2) -> int:
    for line in lines:
        print(f"error: {line}", file=sys.stderr)
    return code


def run(settings: Settings) -> int:
    from bot.app import ALLOWED_UPDATES, build_application
    from bot.waiting import shown, wait_for_database
    from storage.schema import SchemaBehind

    settings.require_token()
    logs.configure(settings.log_level, logs.secrets_of(settings))
    problem = asyncio.run(
        wait_for_database(
            settings.database_url,
            retries=settings.db_connect_retries,
            interval=settings.db_connect_interval_seconds,
        )
    )
    if problem:
        attempts = settings.db_connect_retries + 1
        return _fail(
            [
                f"cannot reach the database at {shown(settings.database_url)} "
                f"after {attempts} attempts: {problem}"
            ],
            3,
        )
    application = build_application(settings)
    log = logging.getLogger("bot")
    try:
        if settings.webhook_url:
            from bot.webhook import run_until_signalled

            log.info("starting in webhook mode (WEBHOOK_URL is set)")
            asyncio.run(run_until_signalled(application, settings, allowed_updates=ALLOWED_UPDATES))
        else:
            log.info("starting in polling mode (WEBHOOK_URL is not set)")
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except SchemaBehind as error:
        return _fail([str(error)])
    return 0


def db_command(settings: Settings, which: str) -> int:
    from storage import schema
    from storage.db import Database

    logs.configure(settings.log_level, logs.secrets_of(settings))
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


def _explain(issue) -> str:
    where = f" [{issue.header}]" if issue.header else ""
    value = f": {issue.value}" if issue.value else ""
    detail = f" ({issue.detail})" if issue.detail else ""
    return f"{issue.code.value}{where}{value}{detail}"


async def _workspace_admin(database, id_or_name: str):
    from storage.models import Role
    from storage.repositories import workspaces

    async with database.transaction() as session:
        workspace = await workspaces.find_workspace(session, id_or_name)
        if workspace is None:
            return None, None
        members = await workspaces.list_members(session, workspace_id=workspace.id)
        admin = next((m for m in members if m.role == Role.admin), None)
        return workspace, admin


def _file_problem(file_name: str, sheet: str | None, error) -> str:
    from crm.importing import ImportProblem

    if error.problem != ImportProblem.no_such_sheet:
        return f"{file_name}: {error.problem.value}"
    if not error.sheet_names:
        return f"{file_name}: --sheet needs an .xlsx file; this one has no worksheets"
    names = ", ".join(repr(name) for name in error.sheet_names)
    return f"{file_name}: no sheet {sheet!r}; its sheets: {names}"


def import_command(settings: Settings, args) -> int:
    from pathlib import Path

    from crm.importing import ImportFileError, service
    from storage.db import Database
    from storage.types import utcnow

    logs.configure(settings.log_level, logs.secrets_of(settings))
    path = Path(args.file)
    if not path.is_file():
        return _fail([f"{path}: no such file"])

    async def go() -> int:
        database = Database(settings.database_url)
        try:
            workspace, admin = await _workspace_admin(database, args.workspace)
            if workspace is None:
                return _fail([f"no workspace {args.workspace!r}"])
            if admin is None:
                return _fail([f"workspace {workspace.name!r} has no admin to import as"])
            try:
                prepared = await service.prepare(
                    database,
                    workspace_id=workspace.id,
                    data=path,
                    file_name=path.name,
                    region=workspace.default_region,
                    sheet=args.sheet,
                )
            except ImportFileError as error:
                return _fail([_file_problem(path.name, args.sheet, error)])
            plan = prepared.plan
            print(f"workspace: {workspace.id} {workspace.name}")
            print(f"rows read: {plan.rows_read}")
            print(f"new organizations: {prepared.new_organizations}")
            print(f"new contacts: {prepared.new_contacts}")
            print(
                f"already in the database: {prepared.matched_organizations} organizations, "
                f"{prepared.matched_contacts} contacts"
            )
            print(f"rows repeating earlier rows: {prepared.duplicate_rows}")
            print(f"rows with errors (not imported): {len(prepared.problem_rows)}")
            print(f"rows with warnings: {len(prepared.warning_rows)}")
            if prepared.uncalculated_formulas:
                print(f"formulas without a value: {prepared.uncalculated_formulas}")
            if prepared.previous_batch is not None:
                print(f"this file was imported before: batch {prepared.previous_batch.id}")
            if args.dry_run:
                print("dry run: nothing written")
                return 0
            try:
                result = await service.run_import(
                    database,
                    actor=admin,
                    prepared=prepared,
                    policy=service.DuplicatePolicy(args.on_duplicate),
                    only_valid=args.only_valid,
                    now=utcnow(),
                )
            except service.ImportServiceError as error:
                return _fail([f"import failed (batch {error.batch_id}): {error.error}"], 1)
            print(f"batch: {result.batch_id}")
            print(
                f"created: {result.created_organizations} organizations, "
                f"{result.created_contacts} contacts"
            )
            print(f"updated: {result.updated}; skipped: {result.skipped}")
            if result.rejected:
                target = path.with_name(path.name + ".rejected.xlsx")
                book = service.rejected_rows_workbook(
                    result.rejected, prepared.match.headers, _explain
                )
                await asyncio.to_thread(target.write_bytes, book)
                print(f"rejected rows: {len(result.rejected)}, listed in {target}")
            return 0
        finally:
            await database.dispose()

    return asyncio.run(go())


def export_command(settings: Settings, args) -> int:
    from pathlib import Path

    from crm.importing import service
    from storage.db import Database
    from storage.repositories import workspaces

    logs.configure(settings.log_level, logs.secrets_of(settings))

    async def go() -> int:
        database = Database(settings.database_url)
        try:
            async with database.transaction() as session:
                workspace = await workspaces.find_workspace(session, args.workspace)
                if workspace is None:
                    return _fail([f"no workspace {args.workspace!r}"])
                data = await service.export_workbook(session, workspace_id=workspace.id)
            await asyncio.to_thread(Path(args.file).write_bytes, data)
            print(f"exported workspace {workspace.id} {workspace.name} to {args.file}")
            return 0
        finally:
            await database.dispose()

    return asyncio.run(go())


def backup_command(settings: Settings, args) -> int:
    from pathlib import Path

    from bot.config import sqlite_path
    from storage import backup

    if not settings.is_sqlite:
        return _fail([backup.postgres_advice(settings.database_url, args.file)])
    source = sqlite_path(settings.database_url)
    if source is None:
        return _fail(["DATABASE_URL is an in-memory database: there is nothing to back up"])
    try:
        report = backup.backup_sqlite(source, Path(args.file), replace=args.force)
    except backup.BackupError as error:
        return _fail([str(error)], 1)
    print(f"backed up {source} to {args.file} with the SQLite backup API")
    print(f"size: {report.size} bytes; integrity check: ok")  # a failing copy raised
    for table, rows in report.rows.items():
        print(f"  {table}: {rows} rows")
    print(f"tables: {len(report.rows)}; rows: {sum(report.rows.values())}")
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
        if args.command == "import":
            return import_command(settings, args)
        if args.command == "export":
            return export_command(settings, args)
        if args.command == "backup":
            return backup_command(settings, args)
        return run(settings)
    except ConfigError as error:
        return _fail(error.problems)


if __name__ == "__main__":
    sys.exit(main())
