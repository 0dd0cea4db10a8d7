"""Periods of a digest: whole local days in a member's time zone, as UTC bounds [start, end).

A local day is not always 24 hours: on the day a daylight-saving switch happens it is 23 or 25,
so bounds are built from local midnights with zoneinfo, never by adding hours. Weeks start on
Monday. `now` must be aware and `tz` a valid IANA name (they come from our data, so a bad value
raises instead of being hidden)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm.digests.model import Period, PeriodKind

__all__ = [
    "comparison",
    "custom",
    "day_of",
    "days",
    "last_week",
    "local_moment",
    "previous",
    "this_week",
    "today",
    "week_of",
]

_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)


def local_moment(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of the wall-clock time `at` on `day` in `tz`: where a day begins
    (`at` midnight), when a digest is sent. Daylight saving, by zoneinfo's fold=0 (`at`'s own
    fold, if set, picks the other): a time that happens twice is the first of the two; a time
    that a switch skips is read with the offset before it, so it lands as far past the switch
    as it was asked past the gap's start (02:30 in a 02:00-03:00 gap is 03:30, and a day whose
    midnight is skipped begins at the first moment that exists)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def _midnight(day: date, tz: str) -> datetime:
    return local_moment(day, time(0), tz)


def _period(kind: PeriodKind, first_day: date, last_day: date, tz: str) -> Period:
    return Period(
        kind=kind,
        first_day=first_day,
        last_day=last_day,
        timezone=tz,
        start=_midnight(first_day, tz),
        end=_midnight(last_day + _DAY, tz),
    )


def _local_date(now: datetime, tz: str) -> date:
    if now.tzinfo is None:
        raise ValueError("naive datetime given; use an aware datetime")
    return now.astimezone(ZoneInfo(tz)).date()


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def day_of(day: date, tz: str) -> Period:
    return _period(PeriodKind.day, day, day, tz)


def week_of(day: date, tz: str) -> Period:
    """The Monday-to-Sunday week holding `day`."""
    monday = _monday(day)
    return _period(PeriodKind.week, monday, monday + _WEEK - _DAY, tz)


def custom(first_day: date, last_day: date, tz: str) -> Period:
    """A chosen range of whole days, both ends included."""
    if last_day < first_day:
        raise ValueError(f"the period ends ({last_day}) before it begins ({first_day})")
    return _period(PeriodKind.custom, first_day, last_day, tz)


def today(now: datetime, tz: str) -> Period:
    return day_of(_local_date(now, tz), tz)


def this_week(now: datetime, tz: str) -> Period:
    return week_of(_local_date(now, tz), tz)


def last_week(now: datetime, tz: str) -> Period:
    return week_of(_local_date(now, tz) - _WEEK, tz)


def previous(period: Period) -> Period:
    """The period of the same kind and number of days just before, for the comparison."""
    length = period.last_day - period.first_day + _DAY
    last_day = period.first_day - _DAY
    return _period(period.kind, last_day - length + _DAY, last_day, period.timezone)


def comparison(period: Period, now: datetime) -> Period:
    """What `period` is compared with: the period before it, and while `period` has not ended,
    only that period's part up to the same local day and time as `now`, so that today or this
    week so far is not set against a whole day or week."""
    before = previous(period)
    if not period.start <= now < period.end:
        return before
    local = now.astimezone(ZoneInfo(period.timezone))
    same_day = before.first_day + (local.date() - period.first_day)
    same_time = local_moment(same_day, local.time(), period.timezone)
    return replace(before, end=min(same_time, before.end))


def days(period: Period) -> Iterator[tuple[date, datetime, datetime]]:
    """Each local day of the period with its UTC bounds [start, end)."""
    day = period.first_day
    start = period.start
    while day <= period.last_day:
        end = _midnight(day + _DAY, period.timezone)
        yield day, start, end
        day, start = day + _DAY, end
