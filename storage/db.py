"""Engine and sessions: one `Database` per process, one transaction per unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "crm_read_only"  # execution option of `Database.snapshot()` connections


class Database:
    """Owns the engine. `transaction()` is the unit of work: commit on success, else rollback."""

    def __init__(self, url: str, *, schema: str | None = None, echo: bool = False):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        connect_args: dict = {}
        if schema and not self.is_sqlite:
            # Tests isolate each run in a schema of its own.
            # (public stays on the path for extensions such as pg_trgm)
            connect_args["server_settings"] = {"search_path": f"{schema},public"}
        if self.is_sqlite:
            ensure_sqlite_dir(url)
            connect_args["timeout"] = SQLITE_BUSY_TIMEOUT_MS / 1000
        self.engine: AsyncEngine = create_async_engine(
            url, echo=echo, connect_args=connect_args, pool_pre_ping=not self.is_sqlite
        )
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self.sessionmaker = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )
        reading: dict = {READ_ONLY: True}
        if not self.is_sqlite:  # one consistent view for all its statements, as SQLite's
            reading |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        self._reader = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False, execution_options=reading
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session, session.begin():
            yield session

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncSession]:
        """A transaction that only reads: on SQLite a deferred one, which takes no write lock,
        so writers do not queue behind long reads (a big import's matching). Never write in it:
        SQLite could not wait for the lock and would fail at once."""
        async with self._reader() as session, session.begin():
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def ensure_sqlite_dir(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL so readers never wait for a writer; foreign keys on; and BEGIN IMMEDIATE so that a
    transaction takes the write lock up front. A deferred transaction that reads and then
    writes cannot wait for another writer: SQLite fails it at once with "database is locked"
    whatever the busy timeout. Taking the lock first turns that into an orderly queue."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
