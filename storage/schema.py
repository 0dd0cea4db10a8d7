"""Schema version checks and upgrades through Alembic."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import ensure_sqlite_dir

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class SchemaBehind(Exception):
    """The database is older than the code; `python -m bot db upgrade` brings it up to date."""

    def __init__(self, current: str | None, head: str):
        self.current = current
        self.head = head
        super().__init__(
            f"The database schema is at {current or 'nothing (empty database)'}, the code needs "
            f"{head}. Run: python -m bot db upgrade"
        )


def alembic_config(url: str, *, schema: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if schema:
        config.attributes["schema"] = schema
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None, "no migrations found"
    return head


def upgrade(url: str, *, schema: str | None = None, revision: str = "head") -> None:
    """Blocking: Alembic runs its own event loop for the async engine."""
    ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url, schema=schema), revision)


async def upgrade_async(url: str, *, schema: str | None = None) -> None:
    await asyncio.to_thread(upgrade, url, schema=schema)


async def current_revision(engine: AsyncEngine) -> str | None:
    def read(connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def ensure_current(engine: AsyncEngine) -> None:
    current = await current_revision(engine)
    head = head_revision()
    if current != head:
        raise SchemaBehind(current, head)
