"""Calls, meetings, notes and the follow-ups they carry."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Activity, Contact, Organization
from storage.repositories.directory import held


async def add(session: AsyncSession, activity: Activity) -> Activity:
    session.add(activity)
    await session.flush()
    return activity


async def get(session: AsyncSession, *, workspace_id: int, activity_id: int) -> Activity | None:
    statement = select(Activity).where(
        Activity.id == activity_id,
        Activity.workspace_id == workspace_id,
        col(Activity.deleted_at).is_(None),
    )
    return (await session.exec(statement)).first()


def _live_of(workspace_id: int, organization_id: int | None, contact_id: int | None):
    """Live activities of one contact, or of one organization (its people's included)."""
    owner = (
        col(Activity.contact_id) == contact_id
        if contact_id is not None
        else col(Activity.organization_id) == organization_id
    )
    return select(Activity).where(
        Activity.workspace_id == workspace_id, owner, col(Activity.deleted_at).is_(None)
    )


async def recent(
    session: AsyncSession,
    *,
    workspace_id: int,
    organization_id: int | None = None,
    contact_id: int | None = None,
    limit: int = 5,
) -> list[Activity]:
    statement = (
        _live_of(workspace_id, organization_id, contact_id)
        .order_by(col(Activity.occurred_at).desc(), col(Activity.id).desc())
        .limit(limit)
    )
    return list((await session.exec(statement)).all())


async def open_follow_ups(
    session: AsyncSession,
    *,
    workspace_id: int,
    organization_id: int | None = None,
    contact_id: int | None = None,
    limit: int = 5,
) -> list[Activity]:
    statement = (
        _live_of(workspace_id, organization_id, contact_id)
        .where(col(Activity.follow_up_at).is_not(None), col(Activity.done).is_(False))
        .order_by(col(Activity.follow_up_at))
        .limit(limit)
    )
    return list((await session.exec(statement)).all())


async def agenda(
    session: AsyncSession, *, member_id: int, until: datetime, limit: int = 50
) -> list[Activity]:
    """The member's open follow-ups due before `until`, overdue ones first."""
    statement = (
        select(Activity)
        .where(
            Activity.member_id == member_id,
            col(Activity.follow_up_at).is_not(None),
            col(Activity.follow_up_at) < until,
            col(Activity.done).is_(False),
            col(Activity.deleted_at).is_(None),
        )
        .order_by(col(Activity.follow_up_at))
        .limit(limit)
    )
    return list((await session.exec(statement)).all())


async def targets(
    session: AsyncSession,
    *,
    workspace_id: int,
    contact_ids: Collection[int],
    organization_ids: Collection[int],
) -> tuple[dict[int, Contact], dict[int, Organization]]:
    """The people and organizations activities are about, by id, deleted ones included: a
    follow-up still says whom it concerns after its card went to the trash."""
    found: list[dict] = []
    for model, ids in ((Contact, contact_ids), (Organization, organization_ids)):
        rows, missing = [], []
        for record_id in sorted(set(ids)):  # often read already in this update: no round trip
            record = held(session, model, record_id)
            if record is None:
                missing.append(record_id)
            elif record.workspace_id == workspace_id:
                rows.append(record)
        if missing:
            statement = select(model).where(
                model.workspace_id == workspace_id, col(model.id).in_(missing)
            )
            rows += (await session.exec(statement)).all()
        found.append({row.id: row for row in rows})
    return found[0], found[1]


async def claim_due(session: AsyncSession, *, now: datetime, limit: int = 100) -> list[Activity]:
    """Mark due, unreminded follow-ups as reminded and return them.

    The conditional UPDATE is the claim: when two bot instances run it at once, a row that one
    of them updated no longer matches `reminded_at IS NULL` for the other."""
    due = (
        select(Activity.id)
        .where(
            col(Activity.follow_up_at).is_not(None),
            col(Activity.follow_up_at) <= now,
            col(Activity.done).is_(False),
            col(Activity.reminded_at).is_(None),
            col(Activity.deleted_at).is_(None),
        )
        .order_by(col(Activity.follow_up_at))
        .limit(limit)
    )
    ids = list((await session.exec(due)).all())
    if not ids:
        return []
    claimed = await session.exec(
        update(Activity)
        .where(col(Activity.id).in_(ids), col(Activity.reminded_at).is_(None))
        .values(reminded_at=now)
        .returning(Activity.id)
    )
    claimed_ids = [row[0] for row in claimed.all()]
    if not claimed_ids:
        return []
    statement = (
        select(Activity)
        .where(col(Activity.id).in_(claimed_ids))
        .execution_options(populate_existing=True)
    )
    return sorted((await session.exec(statement)).all(), key=lambda a: a.follow_up_at)


async def release(session: AsyncSession, *, activity_id: int) -> None:
    """Undo a claim whose reminder could not be delivered, so the next round tries again."""
    await session.exec(
        update(Activity).where(col(Activity.id) == activity_id).values(reminded_at=None)
    )
