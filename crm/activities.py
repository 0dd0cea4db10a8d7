"""Logging calls, meetings and notes; follow-ups, the agenda and reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from crm.directory import DirectoryError, Kind, get_record
from crm.permissions import can_edit
from storage.models import Activity, ActivityKind, Contact, Direction, Member, Outcome
from storage.repositories import activities as repo
from storage.repositories import audit

MAX_NOTE = 4000
MAX_DURATION = 24 * 3600
# A claimed reminder whose send never began (its claimer died) is claimed again after this.
REMINDER_LEASE = timedelta(minutes=10)
# Sends that failed on the network are retried in later rounds, this many times in all.
REMINDER_MAX_ATTEMPTS = 5


class ActivityProblem(StrEnum):
    not_found = "not_found"
    not_allowed = "not_allowed"
    no_follow_up = "no_follow_up"
    bad_duration = "bad_duration"
    already_done = "already_done"
    not_a_call = "not_a_call"
    in_the_past = "in_the_past"


class ActivityError(Exception):
    def __init__(self, problem: ActivityProblem):
        super().__init__(problem.value)
        self.problem = problem


@dataclass
class ActivityInput:
    kind: ActivityKind
    target: Kind
    target_id: int
    outcome: Outcome | None = None
    direction: Direction | None = None
    duration_seconds: int | None = None
    note: str | None = None
    follow_up_at: datetime | None = None


async def log(
    session: AsyncSession, *, actor: Member, data: ActivityInput, now: datetime
) -> Activity:
    """Log an activity against a contact (and its organization) or an organization."""
    try:
        record = await get_record(session, actor=actor, kind=data.target, record_id=data.target_id)
    except DirectoryError as error:
        raise ActivityError(ActivityProblem.not_found) from error
    if data.duration_seconds is not None and not 0 <= data.duration_seconds <= MAX_DURATION:
        raise ActivityError(ActivityProblem.bad_duration)
    is_contact = isinstance(record, Contact)
    note = " ".join((data.note or "").split()) or None
    return await repo.add(
        session,
        Activity(
            workspace_id=actor.workspace_id,
            member_id=actor.id,
            contact_id=record.id if is_contact else None,
            organization_id=record.organization_id if is_contact else record.id,
            kind=data.kind,
            direction=data.direction,
            outcome=data.outcome,
            duration_seconds=data.duration_seconds,
            note=note[:MAX_NOTE] if note else None,
            occurred_at=now,
            follow_up_at=data.follow_up_at,
            created_at=now,
        ),
    )


async def editable(session: AsyncSession, *, actor: Member, activity_id: int) -> Activity:
    """A live activity of the actor's workspace that the actor may change: their own, or any
    for a manager or admin. Deleted, foreign and made-up ids all read as not_found."""
    activity = await repo.get(session, workspace_id=actor.workspace_id, activity_id=activity_id)
    if activity is None:
        raise ActivityError(ActivityProblem.not_found)
    if not can_edit(actor, activity.member_id):
        raise ActivityError(ActivityProblem.not_allowed)
    return activity


async def _own_follow_up(session: AsyncSession, actor: Member, activity_id: int) -> Activity:
    activity = await editable(session, actor=actor, activity_id=activity_id)
    if activity.follow_up_at is None:
        raise ActivityError(ActivityProblem.no_follow_up)
    return activity


async def complete(
    session: AsyncSession, *, actor: Member, activity_id: int, now: datetime
) -> tuple[Activity, bool]:
    """Mark a follow-up done. Returns (activity, changed); a second tap changes nothing."""
    activity = await _own_follow_up(session, actor, activity_id)
    if activity.done:
        return activity, False
    activity.done, activity.done_at = True, now
    session.add(activity)
    await session.flush()
    return activity, True


async def reschedule(
    session: AsyncSession, *, actor: Member, activity_id: int, until: datetime
) -> Activity:
    """Move a follow-up (snooze); it will be reminded again at the new time."""
    activity = await _own_follow_up(session, actor, activity_id)
    return await _follow_up_at(session, activity, until)


async def snooze(
    session: AsyncSession, *, actor: Member, activity_id: int, until: datetime
) -> Activity:
    """Like `reschedule`, from a reminder's button: a follow-up done meanwhile stays done
    instead of coming back to life from an old message."""
    activity = await _own_follow_up(session, actor, activity_id)
    if activity.done:
        raise ActivityError(ActivityProblem.already_done)
    return await _follow_up_at(session, activity, until)


async def set_follow_up(
    session: AsyncSession,
    *,
    actor: Member,
    activity_id: int,
    until: datetime | None,
    now: datetime,
) -> Activity:
    """Set, move or remove (None) the follow-up of a logged activity. A new time is reminded
    afresh; a time already past is refused, since its reminder would be a surprise."""
    activity = await editable(session, actor=actor, activity_id=activity_id)
    if until is not None and until <= now:
        raise ActivityError(ActivityProblem.in_the_past)
    return await _follow_up_at(session, activity, until)


async def _follow_up_at(session: AsyncSession, activity: Activity, until: datetime | None):
    """An open follow-up at `until`, not reminded yet (or none at all)."""
    activity.follow_up_at, activity.done, activity.done_at = until, False, None
    await repo.reset_reminder(session, activity)
    return activity


async def change_outcome(
    session: AsyncSession, *, actor: Member, activity_id: int, outcome: Outcome
) -> Activity:
    activity = await editable(session, actor=actor, activity_id=activity_id)
    if activity.kind != ActivityKind.call:
        raise ActivityError(ActivityProblem.not_a_call)
    activity.outcome = outcome
    session.add(activity)
    await session.flush()
    return activity


async def undo(
    session: AsyncSession, *, actor: Member, activity_id: int, now: datetime
) -> Activity:
    """Delete a logged activity, e.g. one logged against the wrong person. The row stays
    (soft delete) and the audit log says who deleted it; its follow-up is no longer reminded."""
    activity = await editable(session, actor=actor, activity_id=activity_id)
    activity.deleted_at = now
    session.add(activity)
    await audit.record(
        session,
        workspace_id=actor.workspace_id,
        actor_id=actor.id,
        action="activity.delete",
        entity_type="activity",
        entity_id=activity.id,
        before={"kind": activity.kind.value, "note": activity.note},
    )
    await session.flush()
    return activity


def end_of_local_day(now: datetime, tz: str) -> datetime:
    local = now.astimezone(ZoneInfo(tz))
    tomorrow = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    return tomorrow.astimezone(now.tzinfo)


def tomorrow_morning(now: datetime, tz: str, hour: int = 9) -> datetime:
    return morning_after(now, tz, days=1, hour=hour)


def morning_after(now: datetime, tz: str, *, days: int, hour: int = 9) -> datetime:
    """`hour` o'clock in zone `tz`, `days` local calendar days after `now` (DST-safe)."""
    local = now.astimezone(ZoneInfo(tz))
    moment = datetime.combine(local.date() + timedelta(days=days), time(hour), tzinfo=local.tzinfo)
    return moment.astimezone(now.tzinfo)


async def agenda(session: AsyncSession, *, actor: Member, now: datetime, tz: str) -> list[Activity]:
    """Today's and overdue open follow-ups of the member, in the member's time zone."""
    return await repo.agenda(session, member_id=actor.id, until=end_of_local_day(now, tz))


async def claim_due_reminders(
    session: AsyncSession, *, now: datetime, lease: timedelta = REMINDER_LEASE
) -> list[Activity]:
    return await repo.claim_due(session, now=now, lease=lease, max_attempts=REMINDER_MAX_ATTEMPTS)


async def start_reminder(
    session: AsyncSession, *, activity_id: int, claimed_at: datetime, now: datetime
) -> bool:
    """Mark the send as begun, right before it (commit first): True if it may be sent."""
    return await repo.mark_attempt(session, activity_id=activity_id, claimed_at=claimed_at, now=now)


async def release_reminder(
    session: AsyncSession, *, activity_id: int, claimed_at: datetime
) -> bool:
    """Retry a send that failed on the network in a later round; False when given up."""
    return await repo.release(
        session,
        activity_id=activity_id,
        claimed_at=claimed_at,
        max_attempts=REMINDER_MAX_ATTEMPTS,
    )
