"""Digest periods: whole local days as UTC bounds, weeks from Monday, DST days of 23 and 25
hours, and the period just before."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.digests import periods
from crm.digests.model import PeriodKind

VILNIUS = "Europe/Vilnius"  # EET +02:00, EEST +03:00 from the last Sunday of March to October


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_today_is_the_local_day_not_the_utc_one():
    now = _utc(2026, 11, 25, 22, 30)  # 00:30 on the 26th in Vilnius
    period = periods.today(now, VILNIUS)
    assert period.kind == PeriodKind.day
    assert (period.first_day, period.last_day) == (date(2026, 11, 26), date(2026, 11, 26))
    assert period.timezone == VILNIUS
    assert (period.start, period.end) == (_utc(2026, 11, 25, 22), _utc(2026, 11, 26, 22))
    assert periods.today(now, "UTC").first_day == date(2026, 11, 25)


def test_bounds_are_aware_utc():
    period = periods.today(_utc(2026, 6, 1, 12), VILNIUS)
    assert period.start.tzinfo is UTC and period.end.tzinfo is UTC


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError):
        periods.today(datetime(2026, 6, 1, 12), VILNIUS)


@pytest.mark.parametrize(
    ("day", "hours", "start"),
    [
        (date(2026, 3, 29), 23, _utc(2026, 3, 28, 22)),  # spring forward: 03:00 -> 04:00
        (date(2026, 10, 25), 25, _utc(2026, 10, 24, 21)),  # fall back: 04:00 -> 03:00
        (date(2026, 3, 28), 24, _utc(2026, 3, 27, 22)),
        (date(2026, 10, 26), 24, _utc(2026, 10, 25, 22)),
    ],
)
def test_a_dst_day_is_23_or_25_hours(day, hours, start):
    period = periods.day_of(day, VILNIUS)
    assert period.start == start
    assert period.end - period.start == timedelta(hours=hours)


def test_a_week_holding_a_dst_switch_is_one_hour_short():
    period = periods.week_of(date(2026, 3, 26), VILNIUS)  # a Thursday
    assert (period.first_day, period.last_day) == (date(2026, 3, 23), date(2026, 3, 29))
    assert period.start == _utc(2026, 3, 22, 22)  # Monday 00:00 EET
    assert period.end == _utc(2026, 3, 29, 21)  # next Monday 00:00 EEST
    assert period.end - period.start == timedelta(days=7, hours=-1)


@pytest.mark.parametrize(
    ("now", "monday"),
    [
        (_utc(2026, 11, 29, 21, 59), date(2026, 11, 23)),  # Sunday 23:59 local
        (_utc(2026, 11, 29, 22, 0), date(2026, 11, 30)),  # Monday 00:00 local
        (_utc(2026, 12, 2, 12), date(2026, 11, 30)),  # Wednesday
    ],
)
def test_weeks_start_on_monday_in_local_time(now, monday):
    period = periods.this_week(now, VILNIUS)
    assert period.kind == PeriodKind.week
    assert period.first_day == monday and period.first_day.weekday() == 0
    assert period.last_day == monday + timedelta(days=6)
    assert period.start <= now < period.end


def test_last_week_is_the_whole_week_before_this_one():
    now = _utc(2026, 11, 30, 9)  # a Monday morning
    last, this = periods.last_week(now, VILNIUS), periods.this_week(now, VILNIUS)
    assert last.first_day == date(2026, 11, 23) and last.last_day == date(2026, 11, 29)
    assert last.end == this.start


def test_last_week_across_a_year_boundary():
    last = periods.last_week(_utc(2027, 1, 5, 12), VILNIUS)
    assert (last.first_day, last.last_day) == (date(2026, 12, 28), date(2027, 1, 3))


def test_custom_range_includes_both_ends():
    period = periods.custom(date(2026, 10, 24), date(2026, 10, 26), VILNIUS)
    assert period.kind == PeriodKind.custom
    assert period.start == _utc(2026, 10, 23, 21)
    assert period.end == _utc(2026, 10, 26, 22)
    assert period.end - period.start == timedelta(days=3, hours=1)
    single = periods.custom(date(2026, 10, 24), date(2026, 10, 24), VILNIUS)
    assert single.end - single.start == timedelta(days=1)


def test_custom_range_backwards_is_refused():
    with pytest.raises(ValueError):
        periods.custom(date(2026, 10, 26), date(2026, 10, 24), VILNIUS)


def test_previous_day_and_week():
    day = periods.day_of(date(2026, 3, 30), VILNIUS)
    before = periods.previous(day)
    assert before.kind == PeriodKind.day
    assert before.first_day == before.last_day == date(2026, 3, 29)
    assert before.end == day.start
    assert before.end - before.start == timedelta(hours=23)

    week = periods.week_of(date(2026, 11, 4), VILNIUS)
    before = periods.previous(week)
    assert (before.first_day, before.last_day) == (date(2026, 10, 26), date(2026, 11, 1))
    assert before.end == week.start and before.timezone == VILNIUS


def test_previous_custom_has_the_same_number_of_days_just_before():
    period = periods.custom(date(2026, 2, 27), date(2026, 3, 3), "UTC")  # 5 days
    before = periods.previous(period)
    assert before.kind == PeriodKind.custom
    assert (before.first_day, before.last_day) == (date(2026, 2, 22), date(2026, 2, 26))
    assert before.end == period.start


def test_days_cover_the_period_without_gaps():
    period = periods.week_of(date(2026, 10, 21), VILNIUS)  # holds the October switch
    days = list(periods.days(period))
    assert [d for d, _, _ in days] == [date(2026, 10, 19) + timedelta(days=i) for i in range(7)]
    assert days[0][1] == period.start and days[-1][2] == period.end
    assert all(a[2] == b[1] for a, b in zip(days, days[1:], strict=False))
    assert [int((end - start).total_seconds() // 3600) for _, start, end in days] == [
        24,
        24,
        24,
        24,
        24,
        24,
        25,
    ]


def test_a_zone_whose_switch_skips_midnight():
    # Santiago springs forward at 00:00 (to 01:00) on 2026-09-06: the day starts at 01:00 local
    period = periods.day_of(date(2026, 9, 6), "America/Santiago")
    assert period.start == _utc(2026, 9, 6, 4)
    assert period.end - period.start == timedelta(hours=23)


ZONES = ["Europe/Vilnius", "Europe/Moscow", "America/Santiago", "Australia/Lord_Howe", "UTC"]


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2037, 12, 31)),
    tz=st.sampled_from(ZONES),
)
def test_any_day_is_whole_and_meets_the_next(day, tz):
    period = periods.day_of(day, tz)
    following = periods.day_of(day + timedelta(days=1), tz)
    assert period.end == following.start
    assert timedelta(hours=22) <= period.end - period.start <= timedelta(hours=26)
    local = period.start.astimezone(ZoneInfo(tz))
    assert local.date() == day and period.end.astimezone(ZoneInfo(tz)).date() == day + timedelta(1)
    assert periods.previous(following) == period


@given(
    now=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31)),
    tz=st.sampled_from(ZONES),
)
def test_now_lies_in_today_and_this_week(now, tz):
    now = now.replace(tzinfo=UTC)
    for period in (periods.today(now, tz), periods.this_week(now, tz)):
        assert period.start <= now < period.end
    week = periods.this_week(now, tz)
    assert periods.last_week(now, tz) == periods.previous(week)
    assert [d for d, _, _ in periods.days(week)] == [
        week.first_day + timedelta(days=i) for i in range(7)
    ]


def test_a_period_not_over_yet_is_compared_with_the_same_part_of_the_one_before():
    # Wednesday 25 Nov 2026, 18:00 in Vilnius (16:00 UTC): today so far against yesterday
    # until 18:00, this week so far against last week until Wednesday 18:00
    now = _utc(2026, 11, 25, 16, 0)
    day = periods.today(now, VILNIUS)
    before = periods.comparison(day, now)
    assert (before.first_day, before.start, before.end) == (
        date(2026, 11, 24),
        _utc(2026, 11, 23, 22, 0),
        _utc(2026, 11, 24, 16, 0),
    )
    week = periods.this_week(now, VILNIUS)
    assert periods.comparison(week, now).end == _utc(2026, 11, 18, 16, 0)
    # a period that is over is compared whole
    last = periods.last_week(now, VILNIUS)
    assert periods.comparison(last, now) == periods.previous(last)


def test_the_same_point_the_day_before_a_clock_change_is_by_the_local_clock():
    # Monday 30 Mar 2026, 12:00 in Vilnius (EEST, 09:00 UTC); Sunday 29 Mar had 23 hours
    now = _utc(2026, 3, 30, 9, 0)
    before = periods.comparison(periods.today(now, VILNIUS), now)
    assert before.end == _utc(2026, 3, 29, 9, 0)  # 12:00 EEST on Sunday
    assert before.end - before.start == timedelta(hours=11)  # 00:00 EET to 12:00 EEST
