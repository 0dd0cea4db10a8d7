"""When a digest falls due: plain date arithmetic in the manager's time zone (zoneinfo).

A digest is due once its local send time on an allowed weekday has passed. Only the latest
due one counts, and only within `CATCH_UP`: a bot that was down for three days sends one
catch-up digest, not three. Which period it covers keys the delivery ledger, so a send time
that repeats when the clocks go back, or two bot instances ticking together, still send it
once; a send time that does not exist when the clocks go forward fires at the same offset
as the evening before (02:30 becomes 03:30), once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm.digests.periods import local_moment
from storage.models import DigestKind

ALL_DAYS = frozenset(range(1, 8))  # ISO weekdays, Monday is 1
WORKING_DAYS = frozenset(range(1, 6))
CATCH_UP = timedelta(days=7)  # a digest missed longer ago than this is not sent at all
# Settings apply from their change on, so a digest turned back on does not send one that fell
# due while it was off. One that fell due just before the change (a manager busy in the
# settings at digest time, before the job's next round) still goes.
CHANGE_GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class Schedule:
    kind: DigestKind
    enabled: bool
    hour: int
    minute: int
    weekdays: frozenset[int]
    since: datetime | None = None  # nothing falls due before (joined, or last changed)

    @property
    def at(self) -> time:
        return time(self.hour, self.minute)


DEFAULTS = {
    DigestKind.daily: Schedule(DigestKind.daily, True, 18, 0, WORKING_DAYS),
    DigestKind.weekly: Schedule(DigestKind.weekly, True, 9, 0, frozenset({1})),
}


@dataclass(frozen=True)
class Due:
    kind: DigestKind
    first_day: date  # of the period: the day (daily) or its Monday (weekly)
    moment: datetime  # when it fell due, UTC


def weekdays_text(days: frozenset[int]) -> str:
    return "".join(str(day) for day in sorted(days))


def parse_weekdays(text: str) -> frozenset[int]:
    return frozenset(int(c) for c in text if c.isdigit() and 1 <= int(c) <= 7)


WEEK_OVER_FROM = 5  # ISO Friday: a weekly digest sent from then on covers its own week


def covers_own_week(send_weekday: int) -> bool:
    """Sent Friday to Sunday, a weekly digest covers the week it is sent in (the working week
    is over); sent Monday to Thursday, the week before, not a week only a few days old."""
    return send_weekday >= WEEK_OVER_FROM


def covered_first_day(kind: DigestKind, send_day: date) -> date:
    """A daily digest covers its own day; a weekly one a Monday-to-Sunday week (see
    `covers_own_week`)."""
    if kind == DigestKind.daily:
        return send_day
    monday = send_day - timedelta(days=send_day.weekday())
    return monday if covers_own_week(send_day.isoweekday()) else monday - timedelta(days=7)


def due(schedule: Schedule, *, tz: str, now: datetime, window: timedelta = CATCH_UP) -> Due | None:
    """The latest send moment that has passed, within `window` of `now`; None if none has."""
    if not schedule.enabled or not schedule.weekdays:
        return None
    today = now.astimezone(ZoneInfo(tz)).date()
    for back in range(window.days + 2):
        day = today - timedelta(days=back)
        if day.isoweekday() not in schedule.weekdays:
            continue
        moment = local_moment(day, schedule.at, tz)
        if moment > now:
            continue
        if now - moment > window or (schedule.since and moment < schedule.since - CHANGE_GRACE):
            return None
        return Due(schedule.kind, covered_first_day(schedule.kind, day), moment)
    return None


def next_moment(schedule: Schedule, *, tz: str, now: datetime) -> datetime | None:
    """When it will next fall due, for the settings screen."""
    if not schedule.enabled or not schedule.weekdays:
        return None
    today = now.astimezone(ZoneInfo(tz)).date()
    for ahead in range(9):
        day = today + timedelta(days=ahead)
        if day.isoweekday() in schedule.weekdays:
            moment = local_moment(day, schedule.at, tz)
            if moment > now:
                return moment
    return None
