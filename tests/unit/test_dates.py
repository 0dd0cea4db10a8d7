"""Follow-up dates in plain words (crm.dates), in English, Russian and Lithuanian.

Expected moments are written in fixed offsets (Moscow is UTC+3 all year, Vilnius is UTC+2 in
winter and UTC+3 in summer), not computed with zoneinfo, so the tests do not repeat the code.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfoNotFoundError

import pytest

from crm.dates import extract_when, parse_when

MOSCOW, VILNIUS = "Europe/Moscow", "Europe/Vilnius"
# Wednesday 2026-11-25: 13:00 in Moscow, 12:00 in Vilnius.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def msk(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=timezone(timedelta(hours=3)))


def vno_winter(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=timezone(timedelta(hours=2)))


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def when(text: str, *, now: datetime = NOW, tz: str = MOSCOW, **kwargs) -> datetime | None:
    return parse_when(text, now=now, tz=tz, **kwargs)


def check(text: str, expected: datetime, **kwargs) -> None:
    moment = when(text, **kwargs)
    assert moment == expected, f"{text!r} -> {moment}"
    assert moment.tzinfo is UTC


def cases(expected: datetime, *texts: str) -> list:
    return [pytest.param(text, expected, id=text) for text in texts]


# --- day words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    cases(msk(2026, 11, 25), "today", "Today", "сегодня", "Сегодня", "šiandien", "siandien")
    + cases(
        msk(2026, 11, 26),
        "tomorrow",
        "TOMORROW",
        "  tomorrow!! ",
        "tmrw",
        "завтра",
        "Завтра.",
        "на завтра",
        "rytoj",
        "Rytoj",
    )
    + cases(
        msk(2026, 11, 27),
        "day after tomorrow",
        "the day after tomorrow",
        "послезавтра",
        "poryt",
    ),
)
def test_day_words_land_at_the_default_hour_in_the_members_zone(text, expected):
    check(text, expected)


def test_default_hour_is_used_only_when_no_time_is_given():
    assert when("tomorrow", default_hour=11) == msk(2026, 11, 26, 11)
    assert when("через 3 дня", default_hour=0) == msk(2026, 11, 28, 0)
    assert when("tomorrow 15:00", default_hour=11) == msk(2026, 11, 26, 15)


def test_the_same_words_mean_the_local_day_of_the_zone():
    assert when("tomorrow", tz=VILNIUS) == vno_winter(2026, 11, 26)
    late = utc(2026, 11, 25, 21, 30)  # 00:30 on the 26th in Moscow, 23:30 on the 25th in Vilnius
    assert when("today", now=late) == msk(2026, 11, 26)
    assert when("tomorrow", now=late) == msk(2026, 11, 27)
    assert when("tomorrow", now=late, tz=VILNIUS) == vno_winter(2026, 11, 26)
    assert when("10:00", now=late) == msk(2026, 11, 26, 10)  # still ahead on the new day


# --- relative: minutes and hours are exact, days/weeks/months land at the default hour -----


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("in 2 hours", timedelta(hours=2)),
        ("in an hour", timedelta(hours=1)),
        ("in one hour", timedelta(hours=1)),
        ("in 1 hour", timedelta(hours=1)),
        ("in 2h", timedelta(hours=2)),
        ("in 30 minutes", timedelta(minutes=30)),
        ("in a minute", timedelta(minutes=1)),
        ("in 45 min", timedelta(minutes=45)),
        ("in half an hour", timedelta(minutes=30)),
        ("через час", timedelta(hours=1)),
        ("через 1 час", timedelta(hours=1)),
        ("через 2 часа", timedelta(hours=2)),
        ("через два часа", timedelta(hours=2)),
        ("через 5 часов", timedelta(hours=5)),
        ("через 3ч", timedelta(hours=3)),
        ("через минуту", timedelta(minutes=1)),
        ("через 1 минуту", timedelta(minutes=1)),
        ("через 3 минуты", timedelta(minutes=3)),
        ("через 30 минут", timedelta(minutes=30)),
        ("через 15 мин", timedelta(minutes=15)),
        ("через полчаса", timedelta(minutes=30)),
        ("через пол часа", timedelta(minutes=30)),
        ("Через  2   часа!", timedelta(hours=2)),
        ("po valandos", timedelta(hours=1)),
        ("po 1 valandos", timedelta(hours=1)),
        ("po 2 valandų", timedelta(hours=2)),
        ("po 2 valandu", timedelta(hours=2)),
        ("po 1 valanda", timedelta(hours=1)),
        ("po dviejų valandų", timedelta(hours=2)),
        ("po 3 val.", timedelta(hours=3)),
        ("po minutės", timedelta(minutes=1)),
        ("po 1 minutė", timedelta(minutes=1)),
        ("po 30 minučių", timedelta(minutes=30)),
        ("po 30 minuciu", timedelta(minutes=30)),
        ("po pusvalandžio", timedelta(minutes=30)),
        ("už valandos", timedelta(hours=1)),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_minutes_and_hours_keep_the_exact_time_from_now(text, delta):
    check(text, NOW + delta)
    with_seconds = NOW + timedelta(seconds=42)
    assert when(text, now=with_seconds) == with_seconds + delta


@pytest.mark.parametrize(
    ("text", "expected"),
    cases(
        msk(2026, 11, 26),
        "in a day",
        "in 1 day",
        "через день",
        "через 1 день",
        "через сутки",
        "po dienos",
        "po 1 dienos",
        "po 1 diena",
    )
    + cases(
        msk(2026, 11, 27),
        "in 2 days",
        "in two days",
        "in a couple of days",
        "через 2 дня",
        "через два дня",
        "через пару дней",
        "po 2 dienų",
        "po dviejų dienų",
        "po poros dienų",
    )
    + cases(msk(2026, 11, 28), "in 3 days", "через 3 дня", "po 3 dienų", "po 3 dienu")
    + cases(msk(2026, 11, 30), "in 5 days", "через 5 дней", "po 5 dienų")
    + cases(
        msk(2026, 12, 2),
        "in a week",
        "in 1 week",
        "через неделю",
        "через 1 неделю",
        "po savaitės",
        "po 1 savaitė",
        "po savaites",
    )
    + cases(msk(2026, 12, 9), "in 2 weeks", "через 2 недели", "po 2 savaičių")
    + cases(msk(2026, 12, 30), "in 5 weeks", "через 5 недель", "po 5 savaiciu")
    + cases(
        msk(2026, 12, 25),
        "in a month",
        "in 1 month",
        "через месяц",
        "через 1 месяц",
        "po mėnesio",
        "po 1 mėnuo",
        "po menesio",
    )
    + cases(msk(2027, 1, 25), "in 2 months", "через 2 месяца", "po 2 mėnesių")
    + cases(msk(2027, 5, 25), "in 6 months", "через 6 месяцев", "po 6 menesiu")
    + cases(msk(2026, 11, 28, 10), "in 3 days at 10", "через 3 дня в 10", "po 3 dienų 10 val.")
    + cases(msk(2026, 12, 9, 15), "in 2 weeks at 3pm", "через 2 недели в 15:00"),
)
def test_days_weeks_and_months_move_the_calendar_date(text, expected):
    check(text, expected)


def test_months_are_clamped_to_the_end_of_a_shorter_month_and_roll_over_the_year():
    assert when("in a month", now=utc(2027, 1, 31, 12)) == msk(2027, 2, 28)
    assert when("через месяц", now=utc(2027, 12, 31, 12)) == msk(2028, 1, 31)
    assert when("po 2 mėnesių", now=utc(2027, 12, 31, 12)) == msk(2028, 2, 29)
    assert when("in 3 days", now=utc(2026, 12, 30, 12)) == msk(2027, 1, 2)


# --- weekdays: the first one strictly after today (today is Wednesday 2026-11-25) -----------


@pytest.mark.parametrize(
    ("text", "expected"),
    cases(
        msk(2026, 11, 26),
        "thursday",
        "thu",
        "thur",
        "thurs",
        "четверг",
        "в четверг",
        "чт",
        "ketvirtadienis",
        "ketvirtadienį",
        "kt",
    )
    + cases(
        msk(2026, 11, 27),
        "friday",
        "Friday",
        "on friday",
        "next friday",
        "Next Friday.",
        "fri",
        "FRI",
        "пятница",
        "пятницу",
        "в пятницу",
        "В пятницу!",
        "пт",
        "в пт",
        "в следующую пятницу",
        "следующая пятница",
        "в след. пятницу",
        "на пятницу",
        "penktadienis",
        "penktadienį",
        "Penktadienį",
        "penktadieni",
        "kitą penktadienį",
        "kita penktadieni",
        "pn",
    )
    + cases(
        msk(2026, 11, 28),
        "saturday",
        "sat",
        "суббота",
        "субботу",
        "в субботу",
        "сб",
        "šeštadienis",
        "šeštadienį",
        "sestadieni",
        "št",
    )
    + cases(
        msk(2026, 11, 29),
        "sunday",
        "sun",
        "on sunday",
        "воскресенье",
        "в воскресенье",
        "в следующее воскресенье",
        "вс",
        "sekmadienis",
        "sekmadienį",
        "sk",
    )
    + cases(
        msk(2026, 11, 30),
        "monday",
        "mon",
        "next monday",
        "понедельник",
        "в понедельник",
        "в следующий понедельник",
        "пн",
        "в пн",
        "pirmadienis",
        "pirmadienį",
        "pr",
        "ateinantį pirmadienį",
    )
    + cases(
        msk(2026, 12, 1),
        "tuesday",
        "tue",
        "tues",
        "вторник",
        "во вторник",
        "вт",
        "antradienis",
        "antradienį",
        "an",
    )
    + cases(
        msk(2026, 12, 2),  # today is Wednesday: a week from today
        "wednesday",
        "wed",
        "next wednesday",
        "среда",
        "среду",
        "в среду",
        "ср",
        "trečiadienis",
        "trečiadienį",
        "treciadieni",
        "tr",
    ),
)
def test_weekdays_in_three_languages(text, expected):
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    cases(msk(2026, 11, 27, 15), "friday at 3pm", "on Friday at 3 pm", "fri 15:00")
    + cases(msk(2026, 11, 27, 10), "next Friday 10:00", "в пятницу в 10", "пт 10:00")
    + cases(msk(2026, 11, 27, 15), "penktadienį 15 val.", "kitą penktadienį 15:00")
    + cases(msk(2026, 11, 30, 9, 30), "в пн в 9:30", "monday 9.30", "pirmadienį apie 9.30")
    + cases(msk(2026, 11, 27, 15), "at 3pm on friday", "в 15:00 в пятницу"),
)
def test_weekday_with_a_time(text, expected):
    check(text, expected)


def test_next_weekday_is_the_first_one_strictly_after_today():
    monday = utc(2026, 11, 23, 10)
    friday = utc(2026, 11, 27, 10)
    assert when("next friday", now=monday) == when("friday", now=monday) == msk(2026, 11, 27)
    assert when("в следующую пятницу", now=monday) == msk(2026, 11, 27)
    assert when("friday", now=friday) == when("next friday", now=friday) == msk(2026, 12, 4)
    assert when("kitą penktadienį", now=friday) == msk(2026, 12, 4)
    new_years_eve = utc(2026, 12, 31, 10)  # Thursday
    assert when("friday", now=new_years_eve) == msk(2027, 1, 1)
    assert when("в понедельник", now=new_years_eve) == msk(2027, 1, 4)


# --- calendar dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    cases(
        msk(2026, 12, 25),
        "25.12",
        "25.12.",
        "25/12",
        "25.12.2026",
        "25.12.26",
        "25/12/2026",
        "25-12-2026",
        "2026-12-25",
        "2026.12.25",
        "on 25.12",
        "на 25.12",
        "25.12.2026 г.",
        "25.12.2026г",
        "25 Dec",
        "25 dec.",
        "Dec 25",
        "December 25",
        "December 25th",
        "Dec 25, 2026",
        "25 December 2026",
        "the 25th of December",
        "on the 25th of December",
        "25 декабря",
        "25 дек",
        "25-го декабря",
        "25 декабря 2026",
        "25 декабря 2026 года",
        "на 25 декабря",
        "gruodžio 25",
        "gruodzio 25",
        "gruodžio 25 d.",
        "gruodžio 25-ą",
        "gruod. 25 d.",
        "2026 m. gruodžio 25 d.",
        "2026 gruodžio 25",
    ),
)
def test_calendar_dates(text, expected):
    check(text, expected)


MONTHS = [
    # (month, English, Russian genitive, Lithuanian genitive)
    (1, "January", "января", "sausio"),
    (2, "February", "февраля", "vasario"),
    (3, "March", "марта", "kovo"),
    (4, "April", "апреля", "balandžio"),
    (5, "May", "мая", "gegužės"),
    (6, "June", "июня", "birželio"),
    (7, "July", "июля", "liepos"),
    (8, "August", "августа", "rugpjūčio"),
    (9, "September", "сентября", "rugsėjo"),
    (10, "October", "октября", "spalio"),
    (11, "November", "ноября", "lapkričio"),
    (12, "December", "декабря", "gruodžio"),
]


@pytest.mark.parametrize(("month", "en", "ru", "lt"), MONTHS, ids=[m[1] for m in MONTHS])
def test_every_month_name_and_passed_dates_mean_next_year(month, en, ru, lt):
    # The 20th: November 20 already passed on November 25, December 20 is still ahead.
    year = 2026 if month == 12 else 2027
    for text in (f"20 {en}", f"{en} 20", f"{en[:3]} 20th", f"20 {ru}", f"{lt} 20", f"{lt} 20 d."):
        check(text, msk(year, month, 20))
    check(f"20 {ru} 2028", msk(2028, month, 20))


@pytest.mark.parametrize(
    ("text", "expected"),
    cases(msk(2026, 11, 25), "25.11", "25 ноября")  # today stays today
    + cases(msk(2027, 11, 24), "24.11", "lapkričio 24")  # yesterday: next year
    + cases(msk(2027, 11, 10), "10.11", "10 Nov")
    + cases(msk(2027, 1, 1), "01.01", "1.01", "1 января", "sausio 1 d.")
    + cases(msk(2028, 2, 29), "29.02", "29 февраля")  # the next leap day
    + cases(msk(2020, 12, 25), "25.12.2020", "2020-12-25")  # an explicit year is kept
    + cases(msk(2028, 2, 29), "29.02.2028", "29.02.28"),
)
def test_year_rollover(text, expected):
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    cases(
        msk(2026, 12, 25, 14),
        "25.12 14:00",
        "25.12 14.00",
        "25.12 в 14",
        "25.12.2026 14:00",
        "2026-12-25 14:00",
        "25 декабря в 14:00",
        "25 декабря в 2 часа дня",
        "Dec 25 at 2pm",
        "on Dec 25th at 2 p.m.",
        "gruodžio 25 d. 14 val.",
        "14:00 25.12",
    )
    + cases(msk(2026, 12, 25, 9, 30), "25.12 9:30", "25.12 в 9.30", "gruodžio 25 9:30"),
)
def test_date_with_a_time(text, expected):
    check(text, expected)


# --- times of day ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    # now is 13:00 in Moscow: later today ...
    cases(
        msk(2026, 11, 25, 15),
        "15:00",
        "at 15",
        "at 15:00",
        "в 15",
        "в 15:00",
        "к 15",
        "3pm",
        "3 pm",
        "3 p.m.",
        "3:00pm",
        "15h",
        "15 h",
        "15 val.",
        "15 val",
        "apie 15",
        "в 3 дня",
        "в 3 часа дня",
        "3 часа дня",
        "3 val. po pietų",
    )
    + cases(msk(2026, 11, 25, 14, 30), "14:30", "at 14.30", "в 14:30", "2:30 pm")
    + cases(msk(2026, 11, 25, 19), "в 7 вечера", "7 вечера", "7pm", "7 val. vakaro")
    + cases(msk(2026, 11, 25, 23), "в 11 ночи", "в 11 вечера", "11 pm")
    + cases(msk(2026, 11, 25, 18), "evening", "вечером", "vakare")
    + cases(msk(2026, 11, 25, 14), "afternoon", "днём", "днем", "po pietų")
    # ... or tomorrow once that time has passed (also exactly now)
    + cases(
        msk(2026, 11, 26, 10),
        "10:00",
        "at 10",
        "в 10",
        "10am",
        "10 am",
        "10 a.m.",
        "в 10 утра",
        "10 утра",
        "10 val. ryto",
        "10 o'clock",
        "10h",
    )
    + cases(msk(2026, 11, 26, 13), "13:00", "1pm")
    + cases(msk(2026, 11, 26, 12), "noon", "at noon", "12pm", "в полдень", "vidurdienį")
    + cases(msk(2026, 11, 26, 0), "00:00", "12am", "в 12 ночи")
    + cases(msk(2026, 11, 26, 2), "в 2 ночи", "2:00")
    + cases(msk(2026, 11, 26, 9), "morning", "утром", "ryte"),
)
def test_a_time_alone_is_today_if_still_ahead_else_tomorrow(text, expected):
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    cases(
        msk(2026, 11, 26, 10),
        "tomorrow 10:00",
        "tomorrow at 10",
        "tomorrow 10am",
        "tomorrow, 10:00",
        "10:00 tomorrow",
        "at 10 tomorrow",
        "tomorrow 10.00",
        "завтра в 10",
        "Завтра в 10:00",
        "завтра в 10 утра",
        "завтра в 10 часов",
        "завтра 10 часов",
        "завтра к 10",
        "rytoj 10 val.",
        "rytoj 10:00",
        "rytoj apie 10",
        "rytoj 10 val. ryto",
    )
    + cases(msk(2026, 11, 26, 15), "tomorrow at 3pm", "завтра в 3 дня", "завтра в 15")
    + cases(msk(2026, 11, 26, 15, 30), "tomorrow 15:30", "завтра в 15.30", "rytoj 15.30")
    + cases(msk(2026, 11, 26, 9), "tomorrow morning", "завтра утром", "rytoj ryte")
    + cases(msk(2026, 11, 26, 18), "tomorrow evening", "завтра вечером", "rytoj vakare")
    + cases(msk(2026, 11, 26, 12), "tomorrow at noon", "завтра в полдень")
    + cases(msk(2026, 11, 25, 18), "today 18:00", "сегодня в 18", "šiandien 18 val.")
    + cases(msk(2026, 11, 27, 11), "day after tomorrow at 11", "послезавтра в 11", "poryt 11:00"),
)
def test_a_day_word_with_a_time(text, expected):
    check(text, expected)


def test_a_date_alone_keeps_the_default_hour_even_when_it_has_passed_today():
    assert when("today") == msk(2026, 11, 25, 9)  # 09:00 < now (13:00): the caller decides


# --- what is not a date ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "!!!",
        "garbage",
        "hello world",
        "call back tomorrow",  # parse_when wants the expression alone; see extract_when
        "31.02",
        "31.04",
        "29.02.2027",
        "00.12",
        "32.01",
        "25.13",
        "31 февраля",
        "February 30",
        "25:99",
        "24:00",
        "9:5",
        "13pm",
        "0am",
        "15:00pm",
        "в 25",
        "tomorrow 31.02",
        "tomorrow 25:99",
        "14.00",  # a dotted time only after a date or at/в
        "10.30",
        "1.5",
        "2026",
        "25",
        "tomorrow 5",  # a bare number is not a time
        "3 часа",  # a duration
        "3 дня",
        "2 weeks",
        "tomorrow tomorrow",
        "friday tomorrow",
        "25.12 26.12",
        "in 2 hours at 10",
        "in days",
        "in 0 days",
        "next",
        "в",
        "at",
        "may",
        "in 99999 days",
        "tomorrow please",
    ],
)
def test_rejects(text):
    assert when(text) is None
    assert when(text, tz=VILNIUS) is None


def test_never_raises_on_user_input():
    rng = random.Random(20261125)
    alphabet = "0123456789 :./-,ap mhdзавтрчесяцвпнrytojpodienųval" + "\n\t'’"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        moment = when(text)
        assert moment is None or moment.tzinfo is UTC
        extracted, rest = extract_when(text, now=NOW, tz=VILNIUS)
        assert isinstance(rest, str)
    for text in ["in 9999 months", "через 9999 недель", "31.12.9999 23:59", "1" * 10_000]:
        when(text)
        extract_when(text, now=NOW, tz=MOSCOW)


def test_wrong_arguments_from_our_own_code_raise():
    with pytest.raises(ValueError):
        parse_when("tomorrow", now=datetime(2026, 11, 25, 10), tz=MOSCOW)  # naive
    with pytest.raises(ZoneInfoNotFoundError):
        parse_when("tomorrow", now=NOW, tz="Mars/Olympus_Mons")
    with pytest.raises(ValueError):
        parse_when("tomorrow", now=NOW, tz=MOSCOW, default_hour=24)


def test_now_may_be_in_any_offset():
    in_moscow = NOW.astimezone(timezone(timedelta(hours=3)))
    assert when("tomorrow", now=in_moscow) == msk(2026, 11, 26)
    assert when("in 2 hours", now=in_moscow) == NOW + timedelta(hours=2)
    assert when("in 2 hours", now=in_moscow).tzinfo is UTC


# --- daylight saving time (Vilnius: EEST UTC+3 in summer, EET UTC+2 in winter) ---------------
# 2026-10-25 04:00 EEST -> 03:00 EET; 2026-03-29 03:00 EET -> 04:00 EEST.


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        # the day before the autumn switch; 09:00 local is 06:00 UTC that day
        (utc(2026, 10, 24, 10), "tomorrow", utc(2026, 10, 25, 7)),
        (utc(2026, 10, 24, 10), "rytoj", utc(2026, 10, 25, 7)),
        (utc(2026, 10, 24, 10), "25.10", utc(2026, 10, 25, 7)),
        (utc(2026, 10, 24, 10), "sekmadienį", utc(2026, 10, 25, 7)),
        (utc(2026, 10, 24, 10), "in 1 day", utc(2026, 10, 25, 7)),
        (utc(2026, 10, 24, 10), "rytoj 18:00", utc(2026, 10, 25, 16)),
        (utc(2026, 10, 24, 10), "in 24 hours", utc(2026, 10, 25, 10)),  # elapsed, not wall
        (utc(2026, 10, 24, 10), "today", utc(2026, 10, 24, 6)),
        # 03:30 on the 25th happens twice: the first (summer-time) one
        (utc(2026, 10, 24, 10), "rytoj 3:30", utc(2026, 10, 25, 0, 30)),
        # the day before the spring switch; 09:00 local is 07:00 UTC that day
        (utc(2026, 3, 28, 10), "tomorrow", utc(2026, 3, 29, 6)),
        (utc(2026, 3, 28, 10), "29.03 10:00", utc(2026, 3, 29, 7)),
        (utc(2026, 3, 28, 10), "po savaitės", utc(2026, 4, 4, 6)),
        (utc(2026, 3, 28, 10), "today", utc(2026, 3, 28, 7)),
        # 03:30 on the 29th does not exist: read with the winter offset (= 04:30 summer time)
        (utc(2026, 3, 28, 10), "rytoj 3:30", utc(2026, 3, 29, 1, 30)),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_dst_transitions_keep_the_local_wall_clock(now, text, expected):
    assert parse_when(text, now=now, tz=VILNIUS) == expected


def test_moscow_has_no_dst():
    assert when("tomorrow", now=utc(2026, 10, 24, 10)) == utc(2026, 10, 25, 6)
    assert when("tomorrow", now=utc(2026, 3, 28, 10)) == utc(2026, 3, 29, 6)


# --- extract_when: an expression at the end (preferred) or the start of a note ---------------


@pytest.mark.parametrize(
    ("note", "expected", "rest"),
    [
        (
            "discussed prices, call back next Friday 10:00",
            msk(2026, 11, 27, 10),
            "discussed prices",
        ),
        ("обсудили цены, перезвонить завтра в 15", msk(2026, 11, 26, 15), "обсудили цены"),
        ("aptarėme kainas rytoj 10:00", msk(2026, 11, 26, 10), "aptarėme kainas"),
        ("Discussed prices. Call back tomorrow!", msk(2026, 11, 26), "Discussed prices"),
        ("sent the offer; follow up in 2 weeks", msk(2026, 12, 9), "sent the offer"),
        ("wants a demo, call him back on Monday at 11", msk(2026, 11, 30, 11), "wants a demo"),
        ("Meeting at the office 25.12 14:00", msk(2026, 12, 25, 14), "Meeting at the office"),
        ("asked for a discount - Dec 25", msk(2026, 12, 25), "asked for a discount"),
        ("КП отправлено, напомнить через 3 дня", msk(2026, 11, 28), "КП отправлено"),
        ("обсудили условия и перезвонит в пятницу", msk(2026, 11, 27), "обсудили условия"),
        ("Директор в отпуске, перезвонить 25 декабря", msk(2026, 12, 25), "Директор в отпуске"),
        ("ждёт счёт, набрать через час", NOW + timedelta(hours=1), "ждёт счёт"),
        ("pasiūlymas išsiųstas, paskambinti po savaitės", msk(2026, 12, 2), "pasiūlymas išsiųstas"),
        (
            "norės nuolaidos, perskambinti penktadienį 15 val.",
            msk(2026, 11, 27, 15),
            "norės nuolaidos",
        ),
        (
            "direktorius atostogose ir perskambinti gruodžio 25",
            msk(2026, 12, 25),
            "direktorius atostogose",
        ),
        # at the start
        ("завтра в 10 — отправить КП", msk(2026, 11, 26, 10), "отправить КП"),
        ("tomorrow 10am: send the contract", msk(2026, 11, 26, 10), "send the contract"),
        ("rytoj 10:00 perskambinti dėl kainų", msk(2026, 11, 26, 10), "dėl kainų"),
        ("В пятницу перезвонить, уточнить объём", msk(2026, 11, 27), "уточнить объём"),
        # the end wins over the start
        (
            "завтра обсудили бюджет, перезвонить в пятницу",
            msk(2026, 11, 27),
            "завтра обсудили бюджет",
        ),
        # the whole note
        ("call back tomorrow", msk(2026, 11, 26), ""),
        ("Перезвонить завтра", msk(2026, 11, 26), ""),
        ("через 3 дня", msk(2026, 11, 28), ""),
        # a time alone
        ("busy now, call back at 3pm", msk(2026, 11, 25, 15), "busy now"),
        # weekday abbreviations that are also words count only with a preposition or a time
        ("the deal is done, met on sat", msk(2026, 11, 28), "the deal is done, met"),
        ("Sat 10:00", msk(2026, 11, 28, 10), ""),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_extract_when(note, expected, rest):
    assert extract_when(note, now=NOW, tz=MOSCOW) == (expected, rest)


@pytest.mark.parametrize(
    "note",
    [
        "",
        "no date here",
        "interested in a 3 days trial",
        "we sat",
        "see you on the sun",  # "sun" alone is a word
        "sent him an",
        "price 10.50",
        "meeting lasted 3 часа",
        "встреча длилась 3 дня, клиент доволен",
        "discussed 31.02 invoice",
    ],
)
def test_extract_when_without_an_expression_returns_the_note_unchanged(note):
    assert extract_when(note, now=NOW, tz=MOSCOW) == (None, note)


def test_extract_when_uses_the_zone_and_default_hour():
    moment, rest = extract_when("call back tomorrow", now=NOW, tz=VILNIUS, default_hour=10)
    assert (moment, rest) == (vno_winter(2026, 11, 26, 10), "")


def test_extract_when_does_not_split_a_word():
    # "10am" is one word: the expression cannot end between "10" and "am"
    moment, rest = extract_when("at 10amx call", now=NOW, tz=MOSCOW)
    assert (moment, rest) == (None, "at 10amx call")
