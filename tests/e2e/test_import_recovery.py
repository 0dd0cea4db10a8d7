"""An import cut off by a killed process: failed at the next start, and its member is told."""

from __future__ import annotations

from sqlmodel import select

from storage.models import ImportBatch, ImportStatus, Member


async def test_an_interrupted_import_is_marked_failed_and_its_member_told(start_bot):
    async with start_bot() as bot:
        owner = await bot.onboard(bot.user(1, "Olga", language_code="ru"))
    async with bot.database.transaction() as session:  # what a killed import leaves behind
        member = (await session.exec(select(Member))).one()
        session.add(
            ImportBatch(
                workspace_id=member.workspace_id,
                member_id=member.id,
                file_name="clients.xlsx",
                file_sha256="0" * 64,
                status=ImportStatus.running,
            )
        )
    async with start_bot():
        told = await owner.next_message()
        assert "clients.xlsx" in told.text and "Импорт" in told.text
    async with start_bot():
        await owner.expect_no_message(within=0.5)  # told once
    async with bot.database.transaction() as session:
        batch = (await session.exec(select(ImportBatch))).one()
    assert (batch.status, batch.error) == (ImportStatus.failed, "interrupted")
