"""`python -m bot` killed with SIGKILL in the middle of writing an import, then started again:
no partial rows, the batch marked failed, the member told (once)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import func
from sqlmodel import select

from crm.importing.samples import write_1c_workbook
from storage.db import Database
from storage.models import Contact, ImportBatch, ImportStatus, Organization
from tests.e2e.bot_process import (
    bot_process,
    environment,
    run_bot_command,
    scratch_postgres_database,
)
from tests.e2e.conftest import TOKEN


@asynccontextmanager
async def _database_url(kind: str, tmp_path) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/crm.db"
        return
    async with scratch_postgres_database() as url:
        yield url


async def _counts(url: str) -> tuple[list[ImportBatch], int, int]:
    database = Database(url)
    try:
        async with database.snapshot() as session:
            batches = list((await session.exec(select(ImportBatch))).all())
            organizations = (await session.exec(select(func.count(Organization.id)))).one()
            contacts = (await session.exec(select(func.count(Contact.id)))).one()
        return batches, organizations, contacts
    finally:
        await database.dispose()


async def _writing_started(url: str) -> None:
    """Wait until the batch is committed as running: the rows' transaction begins next."""
    for _ in range(600):
        batches, _organizations, _contacts = await _counts(url)
        if batches:
            assert batches[0].status == ImportStatus.running, "finished before the kill"
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the import did not start")


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def test_a_killed_import_leaves_nothing_and_is_reported_after_the_restart(
    kind, emulator, tmp_path
):
    path = tmp_path / "clients.xlsx"
    write_1c_workbook(path, 40_000)
    async with _database_url(kind, tmp_path) as url:
        env = environment(TELEGRAM_BOT_TOKEN=TOKEN, BOT_API_URL=emulator.url, DATABASE_URL=url)
        await run_bot_command("db", "upgrade", env=env)
        owner = emulator.user(1, "Olga", token=TOKEN)
        async with bot_process(env=env) as bot:
            await owner.send("/start")
            await owner.next_message(timeout=30)
            await owner.send("Acme")
            await owner.next_message()
            await owner.upload(path, filename="clients.xlsx")
            assert "Reading" in (await owner.next_message()).text
            preview = await owner.next_edit(timeout=120)
            await owner.tap(preview, "✅ Import")
            assert "Importing" in (await owner.next_edit(timeout=30)).text
            await _writing_started(url)
            await asyncio.sleep(0.3)  # into the write: its rows go in 5,000 at a time
            bot.kill()
            assert await bot.wait() == -9

        [batch], organizations, contacts = await _counts(url)
        assert batch.status == ImportStatus.running  # as the killed process left it
        assert (organizations, contacts) == (0, 0)  # its uncommitted rows went with it

        async with bot_process(env=env) as bot:
            told = await owner.next_message(timeout=60)
            assert "clients.xlsx" in told.text and "interrupted" in told.text
            await owner.send("/help")  # the restarted bot works as usual
            await owner.next_message(timeout=30)
            await owner.expect_no_message(within=0.5)  # told once
            bot.interrupt()
            assert await bot.wait() == 0, bot.log

        [batch], organizations, contacts = await _counts(url)
        assert (batch.status, batch.error) == (ImportStatus.failed, "interrupted")
        assert (organizations, contacts) == (0, 0)
