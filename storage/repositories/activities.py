"""Calls, meetings, notes and the follow-ups they carry."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import and_, false, or_, update
from sqlalchemy.orm.attributes import flag_modified
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


def _claimable(now: datetime, lease: timedelta):
    """Never claimed, or claimed at least `lease` ago by a claimer that never began the send
    (it died between its claim and the send: the reminder is not lost)."""
    return or_(
        col(Activity.reminded_at).is_(None),
        and_(
            col(Activity.reminder_attempted_at).is_(None),
            col(Activity.reminded_at) <= now - lease,
        ),
    )


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    lease: timedelta,
    max_attempts: int,
    limit: int = 100,
) -> list[Activity]:
    """Claim due follow-ups for a reminder (`reminded_at` = `now`) and return them.

    The conditional UPDATE is the claim: when two bot instances run it at once, a row that one
    of them updated no longer matches `_claimable` for the other. A claim is a lease until
    `mark_attempt`; one whose send was attempted `max_attempts` times is not claimed again."""
    # Repeated in the UPDATE: on PostgreSQL it sees what others committed after the SELECT
    # (a follow-up moved to tomorrow meanwhile must not be claimed and reminded today).
    claimable = [
        col(Activity.follow_up_at).is_not(None),
        col(Activity.follow_up_at) <= now,
        # "= false", not "IS false": SQLite uses the partial index of open follow-ups only
        # when the query states its terms as the index does
        Activity.done == false(),
        col(Activity.deleted_at).is_(None),
        col(Activity.reminder_attempts) < max_attempts,
        _claimable(now, lease),
    ]
    due = select(Activity.id).where(*claimable).order_by(col(Activity.follow_up_at)).limit(limit)
    ids = list((await session.exec(due)).all())
    if not ids:
        return []
    claimed = await session.exec(
        update(Activity)
        .where(col(Activity.id).in_(ids), *claimable)
        .values(reminded_at=now, reminder_attempted_at=None)
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


async def reset_reminder(session: AsyncSession, activity: Activity) -> None:
    """Save `activity` as not reminded yet. The reminder columns are written even where the
    loaded copy already read them as reset: a reminder job may have claimed and begun the row
    since it was read (PostgreSQL lets it in between), and a flush writes changed columns only,
    which would leave that claim on the new time and it would never be reminded."""
    activity.reminded_at, activity.reminder_attempted_at, activity.reminder_attempts = None, None, 0
    for column in ("reminded_at", "reminder_attempted_at", "reminder_attempts"):
        flag_modified(activity, column)
    session.add(activity)
    await session.flush()


async def mark_attempt(
    session: AsyncSession, *, activity_id: int, claimed_at: datetime, now: datetime
) -> bool:
    """Record that the send of the claim made at `claimed_at` begins; False when that claim is
    no longer ours (taken over after its lease, or the follow-up was moved, done or deleted
    meanwhile): then it must not be sent. Once marked, the claim is never taken over."""
    marked = await session.exec(
        update(Activity)
        .where(
            col(Activity.id) == activity_id,
            col(Activity.reminded_at) == claimed_at,
            col(Activity.reminder_attempted_at).is_(None),
            col(Activity.done).is_(False),
            col(Activity.deleted_at).is_(None),
        )
        .values(reminder_attempted_at=now, reminder_attempts=Activity.reminder_attempts + 1)
    )
    return marked.rowcount == 1


async def release(
    session: AsyncSession, *, activity_id: int, claimed_at: datetime, max_attempts: int
) -> bool:
    """Give back a claim whose send failed without reaching Telegram, so a later round tries
    again; False (the claim stays, final) once its attempts are used up."""
    released = await session.exec(
        update(Activity)
        .where(
            col(Activity.id) == activity_id,
            col(Activity.reminded_at) == claimed_at,
            col(Activity.reminder_attempts) < max_attempts,
        )
        .values(reminded_at=None, reminder_attempted_at=None)
    )
    return released.rowcount == 1
