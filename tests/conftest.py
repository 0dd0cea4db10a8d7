"""Shared fixtures: a database per test, on SQLite and on the PostgreSQL server.

PostgreSQL tests run in a schema of their own that is dropped afterwards. Where no server
answers they skip and say why; with REQUIRE_POSTGRES=1 (CI) they fail instead."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from hypothesis import settings
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage.db import Database

# python-telegram-bot 22 warns (an error here) when building RetryAfter unless the new
# timedelta behaviour is chosen; 429 answers from the emulator must raise RetryAfter.
os.environ.setdefault("PTB_TIMEDELTA", "1")

# Property tests assert results, not speed. Hypothesis' default 200 ms deadline per example
# turns one example stalled by a loaded CI machine into a failure ("Unreliable test timings").
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
_postgres_problem: list[str] = []


def _plain_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _postgres_unavailable() -> str | None:
    if not _postgres_problem:
        try:
            # The answer is kept for the whole run: a slow first connect on a loaded machine
            # must not fail every PostgreSQL test. No server at all is refused at once.
            connection = await asyncpg.connect(_plain_dsn(POSTGRES_URL), timeout=30)
            await connection.close()
            _postgres_problem.append("")
        except (TimeoutError, OSError, asyncpg.PostgresError) as error:
            _postgres_problem.append(f"no PostgreSQL at {POSTGRES_URL}: {error!r}")
    return _postgres_problem[0] or None


async def require_postgres() -> None:
    problem = await _postgres_unavailable()
    if problem:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(problem)
        pytest.skip(problem)


async def _run_sql(sql: str) -> None:
    connection = await asyncpg.connect(_plain_dsn(POSTGRES_URL))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _ensure_trigram_extension() -> None:
    """pg_trgm lives in `public` for every test schema. Without this the first migration run
    would install it into its own scratch schema, and drop it again with that schema."""
    try:
        await _run_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    except (asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
        pass  # another test run created it at the same moment


@asynccontextmanager
async def fresh_schema() -> AsyncIterator[str]:
    """A new, empty PostgreSQL schema, dropped afterwards."""
    await require_postgres()
    await _ensure_trigram_extension()
    schema = f"test_{uuid.uuid4().hex[:16]}"
    await _run_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        await _run_sql(f'DROP SCHEMA "{schema}" CASCADE')


@asynccontextmanager
async def empty_database(kind: str, tmp_path) -> AsyncIterator[tuple[str, str | None]]:
    """(url, schema) of an empty database of the given kind, without tables."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/test-{uuid.uuid4().hex[:8]}.db", None
        return
    async with fresh_schema() as schema:
        yield POSTGRES_URL, schema


DATABASE_KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASE_KINDS)
async def database(request, tmp_path) -> AsyncIterator[Database]:
    """A database with every table, once on SQLite and once on PostgreSQL."""
    async with empty_database(request.param, tmp_path) as (url, schema):
        db = Database(url, schema=schema)
        async with db.engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)
        try:
            yield db
        finally:
            await db.dispose()
