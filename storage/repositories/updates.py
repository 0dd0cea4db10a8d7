"""Update de-duplication: a unique key per (bot, update id)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedUpdate
from storage.repositories import dialect_insert


async def claim_update(session: AsyncSession, *, bot_id: int, update_id: int) -> bool:
    """Record the update as processed in this transaction. False if it was processed before.

    The row commits with the update's own changes, so a crash mid-update leaves it unclaimed."""
    statement = (
        dialect_insert(session)(ProcessedUpdate)
        .values(bot_id=bot_id, update_id=update_id)
        .on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
    )
    result = await session.exec(statement)
    return result.rowcount == 1


async def forget_updates_before(session: AsyncSession, *, moment: datetime) -> int:
    result = await session.exec(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < moment)
    )
    return result.rowcount


async def last_update_id(session: AsyncSession, *, bot_id: int) -> int | None:
    statement = select(func.max(ProcessedUpdate.update_id)).where(ProcessedUpdate.bot_id == bot_id)
    return (await session.exec(statement)).one()
