"""Scheduled digests: which are due now, claimed once each, and their outcome recorded.

The schedule is read from the database on every round, so a restart needs nothing kept in
memory, and the ledger (one row per manager, kind and period) makes every digest go out
once, whichever instance or round gets there first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from crm.digests import schedule as schedules
from crm.digests.subscriptions import DEFAULTS, Scope, from_rows, write_defaults
from storage.models import Member, Workspace
from storage.repositories import digest_schedules as repo

# A send that failed on the network is tried again a few times, each after a pause, so that
# a Telegram outage of some minutes delays the digest instead of dropping it.
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=5)
# a claim whose send never began: its instance died between the claim and the first message
STALE_CLAIM = timedelta(minutes=30)


@dataclass(frozen=True)
class Claimed:
    member: Member
    workspace: Workspace
    due: schedules.Due
    scope: Scope
    claimed_at: datetime  # identifies this claim against a later takeover

    @property
    def timezone(self) -> str:
        return member_timezone(self.member, self.workspace)


def member_timezone(member: Member, workspace: Workspace) -> str:
    return member.timezone or workspace.timezone


async def claim_due(session: AsyncSession, *, now: datetime) -> list[Claimed]:
    """Every digest due now that this caller won the claim for."""
    claimed = []
    for member, workspace, rows in await repo.recipients(session):
        if len(rows) < len(DEFAULTS):  # first met: the defaults, due from now on
            rows = await write_defaults(session, member=member, now=now)
        settings = from_rows(member, rows)
        tz = member_timezone(member, workspace)
        for schedule in settings.schedules.values():
            due = schedules.due(schedule, tz=tz, now=now)
            if due and await repo.claim_delivery(
                session,
                workspace_id=workspace.id,
                member_id=member.id,
                kind=due.kind,
                first_day=due.first_day,
                now=now,
                max_attempts=MAX_ATTEMPTS,
                retry_after=RETRY_AFTER,
                stale_after=STALE_CLAIM,
            ):
                claimed.append(Claimed(member, workspace, due, settings.scope, now))
    return claimed


async def begin(session: AsyncSession, *, claimed: Claimed, now: datetime) -> bool:
    """Mark the send as begun; False when another instance took the claim over meanwhile."""
    return await repo.mark_begun(
        session, **_ledger_key(claimed), claimed_at=claimed.claimed_at, now=now
    )


async def delivered(session: AsyncSession, *, claimed: Claimed, now: datetime) -> None:
    await repo.mark_sent(session, **_ledger_key(claimed), now=now)


async def failed(
    session: AsyncSession, *, claimed: Claimed, now: datetime, error: str, retry: bool
) -> None:
    await repo.mark_failed(
        session,
        **_ledger_key(claimed),
        claimed_at=claimed.claimed_at,
        now=now,
        error=error,
        final=not retry,
    )


def _ledger_key(claimed: Claimed) -> dict:
    """The ledger row of a claimed digest: one per manager, kind and period."""
    return {
        "member_id": claimed.member.id,
        "kind": claimed.due.kind,
        "first_day": claimed.due.first_day,
    }
