"""Shared pieces of the benchmarks: databases, timing, results files."""

from __future__ import annotations

import json
import platform
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.db import Database

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def plain_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def postgres_problem(postgres_url: str = POSTGRES_URL) -> str | None:
    """Why the PostgreSQL server cannot be used, or None when it answers."""
    try:
        connection = await asyncpg.connect(plain_dsn(postgres_url), timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        return f"no PostgreSQL at {postgres_url}: {error!r}"
    await connection.close()
    return None


@asynccontextmanager
async def scratch_url(kind: str, folder: Path, postgres_url: str = POSTGRES_URL):
    """(url, schema) of an empty database: a new SQLite file, or a scratch schema on
    PostgreSQL; the file or the schema is removed afterwards."""
    if kind == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (set-up, not timed)
        path = folder / f"bench-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite+aiosqlite:///{path}", None
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(plain_dsn(postgres_url))
    await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    await connection.execute(f'CREATE SCHEMA "{schema}"')
    await connection.close()
    try:
        yield postgres_url, schema
    finally:
        connection = await asyncpg.connect(plain_dsn(postgres_url))
        await connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await connection.close()


@asynccontextmanager
async def fresh_database(kind: str, folder: Path, postgres_url: str = POSTGRES_URL):
    """An empty database with every table; a scratch schema on PostgreSQL, dropped after."""
    async with scratch_url(kind, folder, postgres_url) as (url, schema):
        database = Database(url, schema=schema)
        async with database.engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)
        try:
            yield database, schema
        finally:
            await database.dispose()


async def timed(samples: list[Callable[[], Awaitable[object]]]) -> list[float]:
    """Milliseconds per call, each awaited alone."""
    durations = []
    for call in samples:
        start = time.perf_counter()
        await call()
        durations.append((time.perf_counter() - start) * 1000)
    return durations


def summary(durations: list[float]) -> dict[str, float]:
    ordered = sorted(durations)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))], 3)

    return {
        "n": len(ordered),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(ordered), 3),
    }


def machine() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor_count": str(__import__("os").cpu_count()),
    }


def write_results(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
