"""Digest subscriptions of managers, and the delivery ledger that sends each digest once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import DigestDelivery, DigestKind, DigestSubscription, Member, Role, Workspace
from storage.repositories import dialect_insert

RECIPIENT_ROLES = (Role.admin, Role.manager)
GAVE_UP = 1_000_000  # the attempts of a delivery that must not be retried


async def subscriptions_of(session: AsyncSession, *, member_id: int) -> list[DigestSubscription]:
    statement = select(DigestSubscription).where(DigestSubscription.member_id == member_id)
    return list((await session.exec(statement)).all())


async def add_missing(
    session: AsyncSession, *, rows: list[DigestSubscription]
) -> list[DigestSubscription]:
    """Write the given default rows unless the member has them already (two taps racing on
    two instances write one), then return the member's rows."""
    for row in rows:
        values = row.model_dump(exclude={"id"})
        await session.exec(
            dialect_insert(session)(DigestSubscription)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["member_id", "kind"])
        )
    member_ids = {row.member_id for row in rows}
    statement = (
        select(DigestSubscription)
        .where(col(DigestSubscription.member_id).in_(member_ids))
        .execution_options(populate_existing=True)
    )
    return list((await session.exec(statement)).all())


async def recipients(
    session: AsyncSession,
) -> list[tuple[Member, Workspace, list[DigestSubscription]]]:
    """Every active manager and admin with their workspace and subscription rows (none for
    one who kept the defaults)."""
    statement = (
        select(Member, Workspace)
        .join(Workspace, col(Workspace.id) == col(Member.workspace_id))
        .where(col(Member.removed_at).is_(None), col(Member.role).in_(RECIPIENT_ROLES))
        .order_by(col(Member.id))
    )
    people = list((await session.exec(statement)).all())
    if not people:
        return []
    rows = (
        await session.exec(
            select(DigestSubscription).where(
                col(DigestSubscription.member_id).in_([m.id for m, _ in people])
            )
        )
    ).all()
    by_member: dict[int, list[DigestSubscription]] = {}
    for row in rows:
        by_member.setdefault(row.member_id, []).append(row)
    return [(member, workspace, by_member.get(member.id, [])) for member, workspace in people]


def _row(member_id: int, kind: DigestKind, first_day: date):
    return (
        col(DigestDelivery.member_id) == member_id,
        col(DigestDelivery.kind) == kind,
        col(DigestDelivery.first_day) == first_day,
    )


def _our_claim(member_id: int, kind: DigestKind, first_day: date, claimed_at: datetime):
    """The row, as long as the claim made at `claimed_at` holds (no instance took it over)."""
    return (*_row(member_id, kind, first_day), col(DigestDelivery.claimed_at) == claimed_at)


async def claim_delivery(
    session: AsyncSession,
    *,
    workspace_id: int,
    member_id: int,
    kind: DigestKind,
    first_day: date,
    now: datetime,
    max_attempts: int,
    retry_after: timedelta,
    stale_after: timedelta,
) -> bool:
    """Claim the send of one digest. The first claim inserts the ledger row (the UNIQUE key
    decides between two instances); a row that failed at least `retry_after` ago, or whose
    claimer vanished without a word for `stale_after`, is claimed again by a conditional
    UPDATE while attempts remain. A row marked sent is never claimed again."""
    inserted = await session.exec(
        dialect_insert(session)(DigestDelivery)
        .values(
            workspace_id=workspace_id,
            member_id=member_id,
            kind=kind,
            first_day=first_day,
            claimed_at=now,
            attempts=1,
        )
        .on_conflict_do_nothing(index_elements=["member_id", "kind", "first_day"])
    )
    if inserted.rowcount == 1:
        return True
    retried = await session.exec(
        update(DigestDelivery)
        .where(
            *_row(member_id, kind, first_day),
            col(DigestDelivery.sent_at).is_(None),
            col(DigestDelivery.attempts) < max_attempts,
            or_(
                col(DigestDelivery.failed_at) <= now - retry_after,
                col(DigestDelivery.claimed_at) < now - stale_after,
            ),
        )
        .values(claimed_at=now, failed_at=None, attempts=DigestDelivery.attempts + 1)
    )
    return retried.rowcount == 1


async def mark_begun(
    session: AsyncSession,
    *,
    member_id: int,
    kind: DigestKind,
    first_day: date,
    claimed_at: datetime,
    now: datetime,
) -> bool:
    """Mark the send as begun, right before its first message: from then on the row counts as
    sent and no stale-claim takeover sends it again (a claimer that died mid-send may have
    shown part of it: better missed than twice). False when the claim is no longer ours, so
    a claimer that was merely slow does not send beside the one that took it over."""
    begun = await session.exec(
        update(DigestDelivery)
        .where(
            *_our_claim(member_id, kind, first_day, claimed_at),
            col(DigestDelivery.sent_at).is_(None),
        )
        .values(sent_at=now)
    )
    return begun.rowcount == 1


async def mark_sent(
    session: AsyncSession, *, member_id: int, kind: DigestKind, first_day: date, now: datetime
) -> None:
    await session.exec(
        update(DigestDelivery)
        .where(*_row(member_id, kind, first_day))
        .values(sent_at=now, failed_at=None, error=None)
    )


async def mark_failed(
    session: AsyncSession,
    *,
    member_id: int,
    kind: DigestKind,
    first_day: date,
    claimed_at: datetime,
    now: datetime,
    error: str,
    final: bool,
) -> None:
    """A failed send of which nothing went out; `final` (the user blocked the bot) uses up the
    attempts. The begun mark is taken back so a retry may claim it. Only the claim made at
    `claimed_at` is marked: once another instance took a stale claim over, a late report from
    the first must not open the digest to a third sender."""
    values: dict = {"failed_at": now, "error": error[:300], "sent_at": None}
    if final:
        values["attempts"] = GAVE_UP
    await session.exec(
        update(DigestDelivery)
        .where(*_our_claim(member_id, kind, first_day, claimed_at))
        .values(**values)
    )


async def deliveries(session: AsyncSession, *, member_id: int) -> list[DigestDelivery]:
    statement = (
        select(DigestDelivery)
        .where(DigestDelivery.member_id == member_id)
        .order_by(col(DigestDelivery.first_day), col(DigestDelivery.kind))
        .execution_options(populate_existing=True)
    )
    return list((await session.exec(statement)).all())


async def save_subscription(
    session: AsyncSession, row: DigestSubscription, *, now: datetime
) -> None:
    row.updated_at = now
    session.add(row)
    await session.flush()
