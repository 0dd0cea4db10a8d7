"""A manager's digest settings: daily and weekly schedules and whose work they cover.

Admins and managers get both digests by default (daily 18:00 Monday to Friday, weekly Monday
09:00, the whole team). The rows are written the first time the digest job meets a manager or
the manager changes something; digests fall due only after the rows exist, so a new manager
is not sent a catch-up for the days before they joined; likewise a change applies from
then on (a digest turned back on sends none that fell due while it was off)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm.digests.schedule import DEFAULTS, Schedule, parse_weekdays, weekdays_text
from crm.permissions import sees_whole_team
from storage.models import DigestKind, DigestSubscription, Member
from storage.repositories import digest_schedules as repo


class DigestSettingsError(Exception):
    """Only managers and admins have team digests."""


@dataclass(frozen=True)
class Scope:
    whole_team: bool = True
    member_ids: tuple[int, ...] = ()

    def ids(self) -> list[int] | None:
        """What build_digest takes: None for the whole team."""
        return None if self.whole_team else list(self.member_ids)


@dataclass(frozen=True)
class DigestSettings:
    schedules: dict[DigestKind, Schedule]
    scope: Scope


def from_rows(member: Member, rows: list[DigestSubscription]) -> DigestSettings:
    """The member's settings: their rows where they have them, the defaults elsewhere."""
    schedules = dict(DEFAULTS)
    scope = Scope()
    for row in rows:
        schedules[row.kind] = Schedule(
            row.kind,
            row.enabled,
            row.hour,
            row.minute,
            parse_weekdays(row.weekdays),
            since=row.updated_at,  # see schedule.CHANGE_GRACE
        )
        scope = Scope(row.whole_team, tuple(row.member_ids or ()))
    return DigestSettings(schedules, scope)


def _require_manager(actor: Member) -> None:
    if not sees_whole_team(actor):
        raise DigestSettingsError


async def settings_of(session: AsyncSession, *, actor: Member) -> DigestSettings:
    _require_manager(actor)
    return from_rows(actor, await repo.subscriptions_of(session, member_id=actor.id))


async def write_defaults(
    session: AsyncSession, *, member: Member, now: datetime
) -> list[DigestSubscription]:
    """The member's rows, the defaults written first where missing."""
    defaults = [
        DigestSubscription(
            workspace_id=member.workspace_id,
            member_id=member.id,
            kind=kind,
            enabled=schedule.enabled,
            hour=schedule.hour,
            minute=schedule.minute,
            weekdays=weekdays_text(schedule.weekdays),
            whole_team=True,
            member_ids=[],
            created_at=now,
            updated_at=now,
        )
        for kind, schedule in DEFAULTS.items()
    ]
    return await repo.add_missing(session, rows=defaults)


async def _rows(
    session: AsyncSession, actor: Member, now: datetime
) -> dict[DigestKind, DigestSubscription]:
    return {row.kind: row for row in await write_defaults(session, member=actor, now=now)}


async def _change(
    session: AsyncSession, actor: Member, now: datetime, kind: DigestKind, **values
) -> DigestSettings:
    _require_manager(actor)
    rows = await _rows(session, actor, now)
    row = rows[kind]
    for name, value in values.items():
        setattr(row, name, value)
    await repo.save_subscription(session, row, now=now)
    return from_rows(actor, list(rows.values()))


async def toggle(
    session: AsyncSession, *, actor: Member, kind: DigestKind, now: datetime
) -> DigestSettings:
    current = await settings_of(session, actor=actor)
    return await _change(session, actor, now, kind, enabled=not current.schedules[kind].enabled)


async def set_time(
    session: AsyncSession, *, actor: Member, kind: DigestKind, hour: int, minute: int, now: datetime
) -> DigestSettings:
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError("not a time of day")
    return await _change(session, actor, now, kind, hour=hour, minute=minute, enabled=True)


async def toggle_weekday(
    session: AsyncSession, *, actor: Member, kind: DigestKind, weekday: int, now: datetime
) -> DigestSettings:
    """Daily digests: a day on or off. Weekly ones go out on one day: that day."""
    if not 1 <= weekday <= 7:
        raise ValueError("not an ISO weekday")
    days = (await settings_of(session, actor=actor)).schedules[kind].weekdays
    if kind == DigestKind.weekly:
        days = frozenset({weekday})
    else:
        days = days ^ {weekday}
    return await _change(session, actor, now, kind, weekdays=weekdays_text(days))


async def set_scope(
    session: AsyncSession, *, actor: Member, scope: Scope, now: datetime
) -> DigestSettings:
    """Both digests cover the same people."""
    _require_manager(actor)
    rows = await _rows(session, actor, now)
    for row in rows.values():
        row.whole_team = scope.whole_team
        row.member_ids = list(scope.member_ids)
        await repo.save_subscription(session, row, now=now)
    return from_rows(actor, list(rows.values()))


def toggled(scope: Scope, member_id: int, everyone: list[int]) -> Scope:
    """Scope with one person switched; from the whole team, everyone else stays in."""
    chosen = set(everyone if scope.whole_team else scope.member_ids)
    chosen ^= {member_id}
    if chosen >= set(everyone):
        return Scope()
    return Scope(False, tuple(sorted(chosen)))
