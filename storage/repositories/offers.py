"""The license quotes a workspace keeps for the cost calculator."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CostOffer
from storage.types import utcnow


async def list_for_workspace(session: AsyncSession, *, workspace_id: int) -> list[CostOffer]:
    """Live offers, in no particular order: crm.costs.offers sorts them by name, because
    SQL's lower() folds only ASCII letters on SQLite ("Битрикс" would stay before "амо")."""
    statement = select(CostOffer).where(
        CostOffer.workspace_id == workspace_id, col(CostOffer.deleted_at).is_(None)
    )
    return list((await session.exec(statement)).all())


async def get(session: AsyncSession, *, workspace_id: int, offer_id: int) -> CostOffer | None:
    """A live offer of this workspace; None for another workspace's or a removed one."""
    statement = select(CostOffer).where(
        CostOffer.id == offer_id,
        CostOffer.workspace_id == workspace_id,
        col(CostOffer.deleted_at).is_(None),
    )
    return (await session.exec(statement)).first()


async def add(session: AsyncSession, offer: CostOffer) -> CostOffer:
    session.add(offer)
    await session.flush()
    return offer


async def update(session: AsyncSession, offer: CostOffer, *, now: datetime | None = None) -> None:
    offer.updated_at = now or utcnow()
    session.add(offer)
    await session.flush()


async def remove(session: AsyncSession, offer: CostOffer, *, now: datetime | None = None) -> None:
    """Soft delete: the audit log still points at a row."""
    offer.deleted_at = now or utcnow()
    session.add(offer)
    await session.flush()
