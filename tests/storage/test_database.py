"""The database layer itself: concurrency, idempotent updates, migrations."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, text
from sqlmodel import SQLModel, select

from crm import activities
from storage import schema
from storage.db import Database
from storage.models import Activity, ActivityKind, AuditEvent, Workspace
from storage.repositories import audit, updates
from storage.search_index import is_search_object
from tests.conftest import DATABASE_KINDS, POSTGRES_URL, empty_database, fresh_schema
from tests.storage.teams import NOW, admin_and_rep


async def test_sqlite_pragmas_are_on(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/p.db")
    async with db.engine.connect() as connection:
        journal = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
        foreign_keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
        busy = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar()
    await db.dispose()
    assert (journal, foreign_keys, busy) == ("wal", 1, 30000)


async def test_concurrent_writers_never_see_database_is_locked(database):
    """Forty units of work that read, pause, then write, all at once. With SQLite's default
    deferred transactions most of them fail with "database is locked"."""
    async with database.transaction() as session:
        session.add(Workspace(name="W"))

    async def read_then_write(n: int) -> None:
        async with database.transaction() as session:
            workspace = (await session.exec(select(Workspace))).one()
            await asyncio.sleep(0.001)
            await audit.record(
                session,
                workspace_id=workspace.id,
                actor_id=None,
                action="test.write",
                entity_type="workspace",
                entity_id=n,
            )

    await asyncio.gather(*(read_then_write(n) for n in range(40)))
    async with database.transaction() as session:
        count = (await session.exec(select(func.count()).select_from(AuditEvent))).one()
    assert count == 40


async def test_a_snapshot_lets_a_writer_commit_while_it_is_open(database):
    """A long read (an import's matching) must not queue the chat's writers behind it. Had
    the snapshot taken SQLite's write lock, the writer would wait out the 30 s busy timeout."""
    async with database.transaction() as session:
        session.add(Workspace(name="Before"))
    async with database.snapshot() as reader:
        seen = (await reader.exec(select(func.count()).select_from(Workspace))).one()
        async with asyncio.timeout(10), database.transaction() as writer:
            writer.add(Workspace(name="Written meanwhile"))
        again = (await reader.exec(select(func.count()).select_from(Workspace))).one()
    async with database.snapshot() as later:
        after = (await later.exec(select(func.count()).select_from(Workspace))).one()
    assert (seen, again, after) == (1, 1, 2)  # the snapshot kept its view; the write landed


async def test_an_update_id_is_claimed_once(database):
    async with database.transaction() as session:
        assert await updates.claim_update(session, bot_id=1, update_id=10) is True
        assert await updates.claim_update(session, bot_id=2, update_id=10) is True
    async with database.transaction() as session:
        assert await updates.claim_update(session, bot_id=1, update_id=10) is False
        assert await updates.claim_update(session, bot_id=1, update_id=11) is True


async def test_a_rolled_back_claim_can_be_claimed_again(database):
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            await updates.claim_update(session, bot_id=1, update_id=5)
            raise RuntimeError("handler crashed")
    async with database.transaction() as session:
        assert await updates.claim_update(session, bot_id=1, update_id=5) is True


@pytest.mark.parametrize("kind", DATABASE_KINDS)
async def test_migrations_build_exactly_the_models(kind, tmp_path):
    async with empty_database(kind, tmp_path) as (url, schema_name):
        await schema.upgrade_async(url, schema=schema_name)
        config = schema.alembic_config(url, schema=schema_name)
        await asyncio.to_thread(command.downgrade, config, "base")  # downgrades work too
        await schema.upgrade_async(url, schema=schema_name)
        db = Database(url, schema=schema_name)
        try:
            await schema.ensure_current(db.engine)

            def diff(connection):
                context = MigrationContext.configure(
                    connection,
                    opts={
                        "compare_type": True,
                        "include_object": lambda obj, name, *_: not is_search_object(name),
                    },
                )
                return compare_metadata(context, SQLModel.metadata)

            async with db.engine.connect() as connection:
                differences = await connection.run_sync(diff)
        finally:
            await db.dispose()
    assert differences == []


@pytest.mark.parametrize("kind", DATABASE_KINDS)
async def test_empty_database_is_reported_behind(kind, tmp_path):
    async with empty_database(kind, tmp_path) as (url, schema_name):
        db = Database(url, schema=schema_name)
        try:
            with pytest.raises(schema.SchemaBehind, match="python -m bot db upgrade"):
                await schema.ensure_current(db.engine)
        finally:
            await db.dispose()


@pytest.mark.postgres
async def test_postgres_tests_run_in_a_schema_of_their_own():
    async with fresh_schema() as schema_name:
        db = Database(POSTGRES_URL, schema=schema_name)
        try:
            async with db.transaction() as session:
                path = (await session.exec(text("SHOW search_path"))).one()[0]
        finally:
            await db.dispose()
    assert path == f"{schema_name},public"


@pytest.mark.parametrize("kind", DATABASE_KINDS)
async def test_reminders_sent_before_revision_0006_are_not_sent_again(kind, tmp_path):
    """0006 made an unattempted claim a lease; the claims made before it were all sent."""
    async with empty_database(kind, tmp_path) as (url, schema_name):
        await schema.upgrade_async(url, schema=schema_name)
        db = Database(url, schema=schema_name)
        try:
            async with db.transaction() as session:
                _, rep = await admin_and_rep(session)
                for reminded_at in (NOW, None):
                    session.add(
                        Activity(
                            workspace_id=rep.workspace_id,
                            member_id=rep.id,
                            kind=ActivityKind.note,
                            follow_up_at=NOW,
                            reminded_at=reminded_at,
                        )
                    )
        finally:
            await db.dispose()
        config = schema.alembic_config(url, schema=schema_name)
        await asyncio.to_thread(command.downgrade, config, "0005")
        await schema.upgrade_async(url, schema=schema_name)
        db = Database(url, schema=schema_name)
        try:
            async with db.transaction() as session:
                later = NOW + timedelta(days=1)
                claimed = await activities.claim_due_reminders(session, now=later)
        finally:
            await db.dispose()
    assert [(a.reminded_at, a.reminder_attempts) for a in claimed] == [(later, 0)]
