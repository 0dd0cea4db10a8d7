"""When digests fall due, with fixed clocks: local time, weekdays, catch-up after downtime,
daylight-saving changes in Vilnius and New York."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from crm.digests.periods import local_moment
from crm.digests.schedule import (
    DEFAULTS,
    Due,
    Schedule,
    covered_first_day,
    due,
    next_moment,
    parse_weekdays,
    weekdays_text,
)
from storage.models import DigestKind

DAILY = DEFAULTS[DigestKind.daily]  # 18:00, Monday to Friday
WEEKLY = DEFAULTS[DigestKind.weekly]  # Monday 09:00
VILNIUS = "Europe/Vilnius"
NEW_YORK = "America/New_York"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_daily_digest_is_due_from_its_local_time_on_and_covers_that_day():
    # Wednesday 25 Nov 2026; 18:00 in Vilnius (UTC+2) is 16:00 UTC
    assert due(DAILY, tz=VILNIUS, now=utc(2026, 11, 25, 15, 59)) == Due(
        DigestKind.daily, date(2026, 11, 24), utc(2026, 11, 24, 16, 0)
    )  # still yesterday's
    assert due(DAILY, tz=VILNIUS, now=utc(2026, 11, 25, 16, 0)) == Due(
        DigestKind.daily, date(2026, 11, 25), utc(2026, 11, 25, 16, 0)
    )


def test_days_off_are_skipped():
    # Sunday evening: the latest working day's digest is Friday's
    found = due(DAILY, tz=VILNIUS, now=utc(2026, 11, 29, 20, 0))
    assert found.first_day == date(2026, 11, 27)
    weekend = Schedule(DigestKind.daily, True, 18, 0, frozenset({6, 7}))
    assert due(weekend, tz=VILNIUS, now=utc(2026, 11, 29, 20, 0)).first_day == date(2026, 11, 29)


def test_three_days_of_downtime_give_one_catch_up_digest_not_three():
    # down from Monday 12:00 to Thursday 12:00: Mon, Tue and Wed 18:00 were missed
    found = due(DAILY, tz=VILNIUS, now=utc(2026, 11, 26, 10, 0))
    assert found.first_day == date(2026, 11, 25)  # only the latest one
    # and what is due does not change until the next send time: the ledger sends it once
    assert due(DAILY, tz=VILNIUS, now=utc(2026, 11, 26, 15, 59)) == found


def test_nothing_older_than_the_catch_up_window_is_sent():
    every_day = Schedule(DigestKind.daily, True, 18, 0, frozenset({3}))  # Wednesdays
    now = utc(2026, 11, 25, 16, 0) + timedelta(days=6, hours=23)
    assert due(every_day, tz=VILNIUS, now=now, window=timedelta(days=7)) is not None
    assert due(every_day, tz=VILNIUS, now=now, window=timedelta(days=6)) is None


def test_nothing_falls_due_before_the_schedule_began_or_when_it_is_off():
    since = utc(2026, 11, 25, 17, 0)  # a manager who joined after today's 18:00 Vilnius
    joined = Schedule(DigestKind.daily, True, 18, 0, DAILY.weekdays, since=since)
    assert due(joined, tz=VILNIUS, now=utc(2026, 11, 25, 20, 0)) is None
    assert due(joined, tz=VILNIUS, now=utc(2026, 11, 26, 16, 0)).first_day == date(2026, 11, 26)
    off = Schedule(DigestKind.daily, False, 18, 0, DAILY.weekdays)
    assert due(off, tz=VILNIUS, now=utc(2026, 11, 26, 16, 0)) is None
    no_days = Schedule(DigestKind.daily, True, 18, 0, frozenset())
    assert due(no_days, tz=VILNIUS, now=utc(2026, 11, 26, 16, 0)) is None


def test_the_weekly_digest_on_monday_covers_the_week_before():
    # Monday 30 Nov 2026, 09:00 in New York (UTC-5) is 14:00 UTC
    assert due(WEEKLY, tz=NEW_YORK, now=utc(2026, 11, 30, 13, 59)).first_day == date(2026, 11, 16)
    found = due(WEEKLY, tz=NEW_YORK, now=utc(2026, 11, 30, 14, 0))
    assert found == Due(DigestKind.weekly, date(2026, 11, 23), utc(2026, 11, 30, 14, 0))
    assert covered_first_day(DigestKind.weekly, date(2026, 11, 27)) == date(2026, 11, 23)  # Fri


def test_a_send_time_in_the_spring_forward_gap_fires_once_an_hour_late():
    # Vilnius, 29 March 2026: 03:00 jumps to 04:00; 03:30 does not exist that night
    night = Schedule(DigestKind.daily, True, 3, 30, frozenset(range(1, 8)))
    moment = local_moment(date(2026, 3, 29), night.at, VILNIUS)
    assert moment == utc(2026, 3, 29, 1, 30)  # 04:30 summer time
    assert due(night, tz=VILNIUS, now=utc(2026, 3, 29, 1, 29)).first_day == date(2026, 3, 28)
    assert due(night, tz=VILNIUS, now=utc(2026, 3, 29, 1, 30)).first_day == date(2026, 3, 29)
    # New York, 8 March 2026: 02:00 jumps to 03:00
    ny = Schedule(DigestKind.daily, True, 2, 30, frozenset(range(1, 8)))
    assert local_moment(date(2026, 3, 8), ny.at, NEW_YORK) == utc(2026, 3, 8, 7, 30)  # 03:30


def test_a_send_time_repeated_when_the_clocks_go_back_fires_once():
    # Vilnius, 25 October 2026: 04:00 goes back to 03:00, so 03:30 happens twice
    night = Schedule(DigestKind.daily, True, 3, 30, frozenset(range(1, 8)))
    first = utc(2026, 10, 25, 0, 30)  # 03:30 summer time (UTC+3)
    second = utc(2026, 10, 25, 1, 30)  # 03:30 winter time (UTC+2)
    assert due(night, tz=VILNIUS, now=first).moment == first
    # at the second 03:30 the same period is due: the ledger has it already
    assert due(night, tz=VILNIUS, now=second) == due(night, tz=VILNIUS, now=first)
    # New York, 1 November 2026: 01:30 happens twice
    ny = Schedule(DigestKind.daily, True, 1, 30, frozenset(range(1, 8)))
    assert due(ny, tz=NEW_YORK, now=utc(2026, 11, 1, 5, 30)).moment == utc(2026, 11, 1, 5, 30)
    assert due(ny, tz=NEW_YORK, now=utc(2026, 11, 1, 6, 30)).first_day == date(2026, 11, 1)


def test_local_time_follows_the_offset_change():
    # 18:00 in New York is 22:00 UTC in summer and 23:00 UTC in winter
    assert local_moment(date(2026, 10, 30), DAILY.at, NEW_YORK) == utc(2026, 10, 30, 22, 0)
    assert local_moment(date(2026, 11, 2), DAILY.at, NEW_YORK) == utc(2026, 11, 2, 23, 0)


def test_the_next_send_time_for_the_settings_screen():
    assert next_moment(DAILY, tz=VILNIUS, now=utc(2026, 11, 27, 17, 0)) == utc(2026, 11, 30, 16, 0)
    assert next_moment(WEEKLY, tz=VILNIUS, now=utc(2026, 11, 30, 7, 0)) == utc(2026, 12, 7, 7, 0)
    off = Schedule(DigestKind.daily, False, 18, 0, DAILY.weekdays)
    assert next_moment(off, tz=VILNIUS, now=utc(2026, 11, 27, 17, 0)) is None


def test_weekdays_are_stored_as_iso_digits():
    assert weekdays_text(frozenset({5, 1, 3})) == "135"
    assert parse_weekdays("135") == frozenset({1, 3, 5})
    assert parse_weekdays("0x8") == frozenset()


def test_a_weekly_digest_early_in_the_week_covers_the_week_before_not_a_day_old_one():
    # Tuesday 1 Dec 2026: only Monday of this week has passed; the week before is the one
    for early in (date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)):  # Tue, Wed, Thu
        assert covered_first_day(DigestKind.weekly, early) == date(2026, 11, 23), early
    # from Friday the working week is over: it covers the week it is sent in
    for late in (date(2026, 12, 4), date(2026, 12, 5), date(2026, 12, 6)):  # Fri, Sat, Sun
        assert covered_first_day(DigestKind.weekly, late) == date(2026, 11, 30), late
    assert covered_first_day(DigestKind.weekly, date(2026, 11, 30)) == date(2026, 11, 23)  # Mon
