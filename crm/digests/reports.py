"""Digests to show: a scheduled one for its period, or one asked for on demand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm.digests import periods
from crm.digests.delivery import Claimed
from crm.digests.model import Digest, Period
from storage.models import DigestKind
from storage.repositories.digests import build_digest


async def digest_of(
    session: AsyncSession,
    *,
    workspace_id: int,
    period: Period,
    member_ids: Sequence[int] | None,
    now: datetime,
    top: int = 5,
) -> Digest:
    """The figures of `period` against the period of the same length just before it (its
    same part, while `period` is not over: `periods.comparison`), with the `top` busiest
    organizations (0: none, for a summary that does not show them)."""
    return await build_digest(
        session,
        workspace_id=workspace_id,
        period=period,
        previous=periods.comparison(period, now),
        member_ids=member_ids,
        now=now,
        top=top,
    )


def scheduled_period(claimed: Claimed) -> Period:
    first_day, tz = claimed.due.first_day, claimed.timezone
    if claimed.due.kind == DigestKind.weekly:
        return periods.week_of(first_day, tz)
    return periods.day_of(first_day, tz)


async def scheduled_digest(session: AsyncSession, *, claimed: Claimed, now: datetime) -> Digest:
    return await digest_of(
        session,
        workspace_id=claimed.workspace.id,
        period=scheduled_period(claimed),
        member_ids=claimed.scope.ids(),
        now=now,
    )
