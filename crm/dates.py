"""Follow-up moments typed in plain words, in English, Russian and Lithuanian.

Sales reps write "tomorrow", "завтра в 15", "rytoj 10 val.", "next Friday 10:00", "через 3 дня",
"po savaitės", "25.12 14:00" or "gruodžio 25". `parse_when` turns such an expression into an
aware UTC datetime, interpreted in the member's time zone; `extract_when` finds one at the end
(preferred) or the start of a longer note and returns it with the rest of the note.

Rules:
- Matching ignores case, punctuation between words, "ё" vs "е" and Lithuanian diacritics
  ("sestadieni" == "šeštadienį"). The whole text must be a date/time expression for
  `parse_when`; anything else gives None. Nothing raises on user text.
- today/сегодня/šiandien, tomorrow/завтра/rytoj, (the) day after tomorrow/послезавтра/poryt.
- Weekdays (full names in every case form used, abbreviations such as fri/пт/pn), optionally
  with "on", "в"/"во"/"на", "next", "следующий"/"следующую"/"след.", "kitą"/"ateinantį":
  always the first such weekday strictly after today. "friday" and "next friday" mean the same
  day: said on a Monday that is the Friday of the same week, said on a Friday it is a week later.
- in/через/po/už + N + minutes/hours/days/weeks/months. N is digits, a small number word
  (two/две/dviejų...), "a"/"an", "a couple of"/"пару"/"poros", or, in Russian and Lithuanian,
  nothing ("через час", "po savaitės" = 1). "in half an hour"/"через полчаса"/"po pusvalandžio"
  = 30 minutes. Minutes and hours are added to `now` exactly and take no time of day; days and
  weeks move the local calendar date; months too, clamped to the month's end (Jan 31 + 1 month
  = Feb 28). A week is 7 days.
- Dates: 25.12, 25/12, 25.12.2026, 25.12.26, 25/12/2026, 2026-12-25, 2026.12.25, "25 Dec",
  "Dec 25th", "25th of December 2026", "25 декабря", "gruodžio 25 d.", "2026 m. gruodžio 25 d."
  Numbers are day-first (European). A dotted date without a year needs a two-digit month
  ("25.12", "5.03"), so decimals such as "1.5" are not dates. A date without a year is the next
  one on or after today (a date that already passed this year means next year; today stays
  today; 29.02 is the next leap day). Impossible dates ("31.02", "29.02.2027") give None.
- Times: "14:00", "3:30pm", "10am", "3 pm", "14h", "14 val.", "3 o'clock"; after at/в/к/apie
  also a bare hour ("at 14", "в 15") and "в 10 утра", "в 3 дня", "в 7 вечера", "в 2 ночи",
  "10 val. vakaro". "14.00" counts as a time only right after a date or after at/в/к/apie.
  A bare number is never a time on its own ("tomorrow 5" is not understood). Hours are 24-hour
  unless am/pm or a part of the day says otherwise; "at 3" is 03:00.
  morning/утром/ryte = 09:00, afternoon/днём/po pietų = 14:00, evening/вечером/vakare = 18:00,
  noon/полдень/vidurdienį = 12:00.
- A time alone is today at that time if still ahead of `now`, otherwise tomorrow. A date alone
  is `default_hour`:00 local time (even "today" when that hour has passed: the caller decides).
- Wall-clock times are built in the member's zone with zoneinfo and then converted to UTC, so a
  date after a DST switch keeps its local hour. A time skipped by a spring-forward switch is
  read with the offset before the switch; a repeated hour in autumn means its first occurrence.
- `extract_when` tries the longest expression ending the note, then the longest one starting
  it (at most 12 words), and strips joining words next to it ("call back", "перезвонить",
  "perskambinti", "and"/"и"/"ir"...) and punctuation from the rest. A lone word that is also an
  ordinary word ("sat", "sun", "wed", "an", "pr", "st", "morning"...) is not taken from a note.

`tz` must be a valid IANA name and `now` must be aware: those come from our data, not from the
user, so a bad value raises (ZoneInfoNotFoundError, ValueError) instead of being hidden.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

__all__ = ["MAX_EXPRESSION_WORDS", "extract_when", "parse_when"]

MAX_EXPRESSION_WORDS = 12

_V = TypeVar("_V")

# ---------------------------------------------------------------------------------------------
# Normalisation and vocabulary

_FOLD = str.maketrans(
    {
        "ą": "a",
        "č": "c",
        "ę": "e",
        "ė": "e",
        "į": "i",
        "š": "s",
        "ų": "u",
        "ū": "u",
        "ž": "z",
        "ё": "е",
        "’": "'",
    }
)


def _fold(text: str) -> str:
    """Lower-cases and drops Lithuanian diacritics and "ё", keeping every character's position."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text).translate(_FOLD)


def _words(words: str) -> frozenset[str]:
    return frozenset(_fold(word) for word in words.split())


def _table(groups: dict[_V, str]) -> dict[str, _V]:
    table: dict[str, _V] = {}
    for value, words in groups.items():
        for word in words.split():
            if table.setdefault(_fold(word), value) != value:
                raise ValueError(f"{word!r} means two things")
    return table


_DAY_WORDS = _table(
    {
        0: "today сегодня šiandien",
        1: "tomorrow tmrw tmr завтра rytoj",
        2: "послезавтра poryt",
    }
)
_WEEKDAYS = _table(
    {
        0: "monday mon понедельник пн pirmadienis pirmadienį pr",
        1: "tuesday tue tues вторник вт antradienis antradienį an",
        2: "wednesday wed среда среду ср trečiadienis trečiadienį tr",
        3: "thursday thu thur thurs четверг чт ketvirtadienis ketvirtadienį kt",
        4: "friday fri пятница пятницу пт penktadienis penktadienį pn",
        5: "saturday sat суббота субботу сб šeštadienis šeštadienį št",
        6: "sunday sun воскресенье воскресение вс sekmadienis sekmadienį sk",
    }
)
_MONTHS = _table(
    {
        1: "january jan январь января янв sausis sausio saus",
        2: "february feb февраль февраля фев февр vasaris vasario vas",
        3: "march mar март марта мар kovas kovo kov",
        4: "april apr апрель апреля апр balandis balandžio bal",
        5: "may май мая gegužė gegužės geg",
        6: "june jun июнь июня июн birželis birželio birž",
        7: "july jul июль июля июл liepa liepos liep",
        8: "august aug август августа авг rugpjūtis rugpjūčio rugpj",
        9: "september sep sept сентябрь сентября сен сент rugsėjis rugsėjo rugs",
        10: "october oct октябрь октября окт spalis spalio spal",
        11: "november nov ноябрь ноября ноя нояб lapkritis lapkričio lapkr",
        12: "december dec декабрь декабря дек gruodis gruodžio gruod",
    }
)
_UNITS = _table(
    {
        "minute": "minute minutes min mins минута минуту минуты минут мин "
        "minutė minutės minučių minutę",
        "hour": "hour hours hr hrs h час часа часов ч valanda valandos valandų valandą val",
        "day": "day days d день дня дней дн сутки суток diena dienos dienų dieną",
        "week": "week weeks wk wks неделя неделю недели недель нед "
        "savaitė savaitės savaičių savaitę sav",
        "month": "month months mo мес месяц месяца месяцев mėnuo mėnesio mėnesių mėnesį mėn",
    }
)
_NUMBER_WORDS = _table(
    {
        1: "a an one один одна одну vienos vieno vieną",
        2: "two два две пару пара dviejų poros",
        3: "three три trijų",
        4: "four четыре keturių",
        5: "five пять penkių",
        6: "six шесть šešių",
        7: "seven семь septynių",
        8: "eight восемь aštuonių",
        9: "nine девять devynių",
        10: "ten десять dešimties",
    }
)
_PARTS_OF_DAY = _table(
    {
        9: "morning утром ryte rytą",
        14: "afternoon днём popiet",
        18: "evening вечером vakare",
    }
)
# A number followed by one of these is an hour of the day: "7 вечера", "10 ryto", "3 pm".
_HOUR_MARKERS = _table(
    {
        "am": "am",
        "pm": "pm",
        "morning": "утра ryto",
        "day": "дня",
        "afternoon": "popiet",
        "evening": "вечера vakaro",
        "night": "ночи nakties",
    }
)
_NOON = _words("noon midday полдень vidurdienį vidurdienis")
_STRONG_HOUR_WORDS = _words("h o'clock oclock val valanda valandą")  # "14h" alone is a time
_WEAK_HOUR_WORDS = _words("ч час часа часов")  # "3 часа" alone is a duration, not a time
_HOUR_WORDS = _STRONG_HOUR_WORDS | _WEAK_HOUR_WORDS
_TIME_PREPOSITIONS = _words("at в к apie")
_NOON_PREPOSITIONS = _words("at в")
_DATE_PREPOSITIONS = _words("on на")
_WEEKDAY_PREPOSITIONS = _words("on в во на")
_NEXT_WORDS = _words(
    "next следующий следующую следующее следующая след ближайший ближайшую ближайшее "
    "kitą kitas ateinantį ateinantis"
)
_RELATIVE_PREPOSITIONS = _words("in через po už")
_HALF_HOUR_WORDS = _words("полчаса pusvalandžio pusvalandį")
_ORDINAL_SUFFIXES = _words("st nd rd th го е ое d ą tą oji")
_YEAR_MARKERS = _words("г года год m")
# Whole-note words that are dates only by accident; they are not taken from a note on their own.
_WEAK_ALONE = _words("sat sun wed an pr tr kt pn št sk morning afternoon evening")

_JOINING = sorted(
    {
        _fold(phrase)
        for phrase in (
            "call back",
            "call me back",
            "call him back",
            "call her back",
            "call them back",
            "call us back",
            "call again",
            "callback",
            "to call",
            "will call",
            "follow up",
            "follow-up",
            "followup",
            "remind me",
            "and",
            "then",
            "перезвонить",
            "перезвонит",
            "перезвоню",
            "перезвоним",
            "перезвонят",
            "перезвони",
            "позвонить",
            "позвонит",
            "позвоню",
            "позвоним",
            "набрать",
            "наберу",
            "созвониться",
            "созвонимся",
            "напомнить",
            "напомни",
            "и",
            "потом",
            "затем",
            "perskambinti",
            "paskambinti",
            "perskambins",
            "paskambins",
            "perskambinsiu",
            "paskambinsiu",
            "perskambinsime",
            "paskambinsime",
            "skambinti",
            "priminti",
            "ir",
            "tada",
        )
    },
    key=len,
    reverse=True,
)
_JOINING_ALTERNATIVES = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in _JOINING)
_JOINING_AT_END = re.compile(rf"(?<!\w)(?:{_JOINING_ALTERNATIVES})$")
_JOINING_AT_START = re.compile(rf"^(?:{_JOINING_ALTERNATIVES})(?!\w)")
_TRIM = " \t\r\n,;:.!?…-–—/|()[]"

_RAW_TOKEN = re.compile(r"\w+(?:[:./'’-]\w+)*")
_NUMBER_AND_WORD = re.compile(r"(\d+(?:[:./-]\d+)*)-?([^\W\d_]+(?:\.[^\W\d_]+)*)")
_COLON_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_DOT_TIME = re.compile(r"(\d{1,2})\.(\d{2})")
_DAY_MONTH = re.compile(r"(\d{1,2})(?:\.(\d{2})|/(\d{1,2}))")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})")
_YEAR_MONTH_DAY = re.compile(r"(\d{4})([./-])(\d{1,2})\2(\d{1,2})")
_SMALL_NUMBER = re.compile(r"\d{1,2}")
_COUNT = re.compile(r"\d{1,4}")
_YEAR = re.compile(r"\d{4}")

# ---------------------------------------------------------------------------------------------
# Tokens


@dataclass(frozen=True, slots=True)
class _Token:
    word: str  # folded
    start: int  # position in the original text
    end: int
    glued: bool = False  # the second half of "10am", "14h", "25-го": no word boundary before it


def _normal_word(raw: str) -> str:
    word = _fold(raw)
    return word.replace(".", "") if word in ("a.m", "p.m") else word


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _RAW_TOKEN.finditer(text):
        raw, at = match.group(), match.start()
        split = _NUMBER_AND_WORD.fullmatch(raw)
        if split:
            number, word = split.group(1), split.group(2)
            tokens.append(_Token(number, at, at + split.end(1)))
            tokens.append(_Token(_normal_word(word), at + split.start(2), match.end(), glued=True))
        else:
            tokens.append(_Token(_normal_word(raw), at, match.end()))
    return tokens


# ---------------------------------------------------------------------------------------------
# Grammar: each component yields every way it can read the words at position i, with the
# position after it; `_search` combines at most one date, one time of day, or one exact offset.

Words = Sequence[str]
# ("days", (n,)) | ("months", (n,)) | ("weekday", (0..6,)) | ("dm", (day, month))
# | ("ymd", (year, month, day))
DateSpec = tuple[str, tuple[int, ...]]


def _at(words: Words, i: int) -> str:
    return words[i] if i < len(words) else ""


def _optional(words: Words, i: int, options: frozenset[str]) -> Iterator[int]:
    yield i
    if _at(words, i) in options:
        yield i + 1


def _day_month(day: int, month: int, year: int | None = None) -> DateSpec | None:
    if year is None:
        if 1 <= month <= 12 and 1 <= day <= monthrange(2000, month)[1]:  # 2000: a leap year
            return ("dm", (day, month))
        return None
    try:
        date(year, month, day)
    except ValueError:
        return None
    return ("ymd", (year, month, day))


def _numeric_date(word: str) -> DateSpec | None:
    if m := _DAY_MONTH.fullmatch(word):
        return _day_month(int(m[1]), int(m[2] or m[3]))
    if m := _DAY_MONTH_YEAR.fullmatch(word):
        year = int(m[4]) + (2000 if len(m[4]) == 2 else 0)
        return _day_month(int(m[1]), int(m[3]), year)
    if m := _YEAR_MONTH_DAY.fullmatch(word):
        return _day_month(int(m[4]), int(m[3]), int(m[1]))
    return None


def _day_number(words: Words, i: int) -> Iterator[tuple[int, int]]:
    if _SMALL_NUMBER.fullmatch(_at(words, i)):
        day = int(words[i])
        yield day, i + 1
        if _at(words, i + 1) in _ORDINAL_SUFFIXES:
            yield day, i + 2


def _year_number(words: Words, i: int) -> Iterator[tuple[int | None, int]]:
    yield None, i
    if _YEAR.fullmatch(_at(words, i)):
        year = int(words[i])
        yield year, i + 1
        if _at(words, i + 1) in _YEAR_MARKERS:
            yield year, i + 2


def _calendar_dates(words: Words, i: int) -> Iterator[tuple[DateSpec, int]]:
    """25.12 | 2026-12-25 | 25th of Dec 2026 | Dec 25 | 25 декабря | 2026 m. gruodžio 25 d."""
    spec = _numeric_date(_at(words, i))
    if spec:
        yield spec, i + 1
        if spec[0] == "ymd" and _at(words, i + 1) in _YEAR_MARKERS:
            yield spec, i + 2
    for k in _optional(words, i, _words("the")):
        for day, j in _day_number(words, k):
            for j2 in _optional(words, j, _words("of")):
                month = _MONTHS.get(_at(words, j2))
                if month:
                    for year, j3 in _year_number(words, j2 + 1):
                        if spec := _day_month(day, month, year):
                            yield spec, j3
    month = _MONTHS.get(_at(words, i))
    if month:
        for k in _optional(words, i + 1, _words("the")):
            for day, j in _day_number(words, k):
                for year, j2 in _year_number(words, j):
                    if spec := _day_month(day, month, year):
                        yield spec, j2
    if _YEAR.fullmatch(_at(words, i)):
        for k in _optional(words, i + 1, _YEAR_MARKERS):
            month = _MONTHS.get(_at(words, k))
            if month:
                for day, j in _day_number(words, k + 1):
                    if spec := _day_month(day, month, int(words[i])):
                        yield spec, j


def _counts(words: Words, i: int, *, implicit_one: bool) -> Iterator[tuple[int, int]]:
    word = _at(words, i)
    if _COUNT.fullmatch(word) and int(word) > 0:
        yield int(word), i + 1
    if word in _NUMBER_WORDS:
        yield _NUMBER_WORDS[word], i + 1
    for k in _optional(words, i, _words("a")):
        if _at(words, k) == "couple":
            yield from ((2, j) for j in _optional(words, k + 1, _words("of")))
    if implicit_one:
        yield 1, i


def _relatives(words: Words, i: int) -> Iterator[tuple[str, int, int]]:
    """in 3 days | через час | po 2 valandų | in half an hour -> (unit, count, end)."""
    preposition = _at(words, i)
    if preposition not in _RELATIVE_PREPOSITIONS:
        return
    k = i + 1
    if _at(words, k) in _HALF_HOUR_WORDS:
        yield "minute", 30, k + 1
    if _at(words, k) in ("half", "пол"):
        for j in _optional(words, k + 1, _words("an")):
            if _UNITS.get(_at(words, j)) == "hour":
                yield "minute", 30, j + 1
    for count, j in _counts(words, k, implicit_one=preposition != "in"):
        unit = _UNITS.get(_at(words, j))
        if unit:
            yield unit, count, j + 1


def _dates(words: Words, i: int) -> Iterator[tuple[DateSpec, int]]:
    for k in _optional(words, i, _DATE_PREPOSITIONS):
        if _at(words, k) in _DAY_WORDS:
            yield ("days", (_DAY_WORDS[words[k]],)), k + 1
        j = k + 1 if _at(words, k) == "the" else k
        if words[j : j + 3] == ["day", "after", "tomorrow"]:
            yield ("days", (2,)), j + 3
        yield from _calendar_dates(words, k)
    for k in _optional(words, i, _WEEKDAY_PREPOSITIONS):
        for j in _optional(words, k, _NEXT_WORDS):
            if _at(words, j) in _WEEKDAYS:
                yield ("weekday", (_WEEKDAYS[words[j]],)), j + 1
    for unit, count, j in _relatives(words, i):
        if unit == "day":
            yield ("days", (count,)), j
        elif unit == "week":
            yield ("days", (7 * count,)), j
        elif unit == "month":
            yield ("months", (count,)), j


def _exact_offsets(words: Words, i: int) -> Iterator[tuple[timedelta, int]]:
    for unit, count, j in _relatives(words, i):
        if unit == "minute":
            yield timedelta(minutes=count), j
        elif unit == "hour":
            yield timedelta(hours=count), j


def _with_marker(marker: str, hour: int) -> int | None:
    if marker == "am" and 1 <= hour <= 12:
        return hour % 12
    if marker == "pm" and 1 <= hour <= 12:
        return hour % 12 + 12
    if marker == "morning" and 0 <= hour <= 11:
        return hour
    if marker in ("day", "afternoon"):
        if hour in (11, 12) or 13 <= hour <= 19:
            return hour
        if 1 <= hour <= 7:
            return hour + 12
    if marker == "evening":
        if 4 <= hour <= 11:
            return hour + 12
        if 16 <= hour <= 23:
            return hour
    if marker == "night":
        if hour == 12:
            return 0
        if 0 <= hour <= 5:
            return hour
        if 9 <= hour <= 11:
            return hour + 12
    return None


def _markers(words: Words, i: int) -> Iterator[tuple[str, int]]:
    if _at(words, i) in _HOUR_MARKERS:
        yield _HOUR_MARKERS[words[i]], i + 1
    if _at(words, i) == "po" and _at(words, i + 1) == "pietu":
        yield "afternoon", i + 2


def _clock(
    words: Words, i: int, *, preposition: bool, after_date: bool
) -> Iterator[tuple[tuple[int, int], int]]:
    """14:00 | 10am | 3 pm | 14h | 14 val. | (at/в) 14 | в 10 утра | в 3 дня | 10.30 after a date"""
    word = _at(words, i)
    if m := _COLON_TIME.fullmatch(word):
        hour, minute, certain = int(m[1]), int(m[2]), True
    elif (m := _DOT_TIME.fullmatch(word)) and (preposition or after_date):
        hour, minute, certain = int(m[1]), int(m[2]), True
    elif _SMALL_NUMBER.fullmatch(word):
        hour, minute, certain = int(word), 0, preposition
    else:
        return
    candidates: list[tuple[int, int, str]] = []
    if certain:
        candidates.append((hour, i + 1, ""))
    ends = [(i + 1, "")]
    hour_word = _at(words, i + 1)
    if hour_word in _HOUR_WORDS:
        if certain or after_date or hour_word in _STRONG_HOUR_WORDS:
            candidates.append((hour, i + 2, hour_word))
        ends.append((i + 2, hour_word))
    for j, hour_word in ends:
        for marker, k in _markers(words, j):
            if marker == "day" and not (preposition or hour_word):
                continue  # "3 дня" is three days; "в 3 дня" and "3 часа дня" are 15:00
            marked = _with_marker(marker, hour)
            if marked is not None:
                candidates.append((marked, k, hour_word))
    for h, end, _ in candidates:
        if 0 <= h <= 23 and 0 <= minute <= 59:
            yield (h, minute), end


def _times(words: Words, i: int, after_date: bool) -> Iterator[tuple[tuple[int, int], int]]:
    word = _at(words, i)
    if word in _PARTS_OF_DAY:
        yield (_PARTS_OF_DAY[word], 0), i + 1
    if word == "in" and _at(words, i + 1) == "the" and _at(words, i + 2) in _PARTS_OF_DAY:
        yield (_PARTS_OF_DAY[words[i + 2]], 0), i + 3
    if word == "po" and _at(words, i + 1) == "pietu":
        yield (14, 0), i + 2
    for k in _optional(words, i, _NOON_PREPOSITIONS):
        if _at(words, k) in _NOON:
            yield (12, 0), k + 1
    if word in _TIME_PREPOSITIONS:
        yield from _clock(words, i + 1, preposition=True, after_date=after_date)
    yield from _clock(words, i, preposition=False, after_date=after_date)


@dataclass(frozen=True, slots=True)
class _Reading:
    day: DateSpec | None = None
    clock: tuple[int, int] | None = None
    exact: timedelta | None = None


def _search(words: Words, i: int, found: _Reading, after_date: bool) -> _Reading | None:
    if i == len(words):
        return found if found != _Reading() else None
    if found.exact is not None:
        return None
    if found.day is None:
        for spec, j in _dates(words, i):
            result = _search(words, j, _Reading(spec, found.clock), after_date=True)
            if result:
                return result
    if found.day is None and found.clock is None:
        for delta, j in _exact_offsets(words, i):
            result = _search(words, j, _Reading(exact=delta), after_date=False)
            if result:
                return result
    if found.clock is None:
        for clock, j in _times(words, i, after_date):
            result = _search(words, j, _Reading(found.day, clock), after_date=False)
            if result:
                return result
    return None


# ---------------------------------------------------------------------------------------------
# Meaning


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def _resolve_day(spec: DateSpec, today: date) -> date | None:
    kind, values = spec
    if kind == "days":
        return today + timedelta(days=values[0])
    if kind == "months":
        return _add_months(today, values[0])
    if kind == "weekday":
        return today + timedelta(days=(values[0] - today.weekday() - 1) % 7 + 1)
    if kind == "ymd":
        return date(*values)
    day, month = values
    for year in range(today.year, today.year + 9):  # 29.02 waits for the next leap year
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _wall_clock(day: date, clock: tuple[int, int], zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(*clock), tzinfo=zone).astimezone(UTC)


def _meaning(
    tokens: Sequence[_Token], now: datetime, zone: ZoneInfo, default_hour: int
) -> datetime | None:
    if not tokens or len(tokens) > MAX_EXPRESSION_WORDS:
        return None
    reading = _search([t.word for t in tokens], 0, _Reading(), after_date=False)
    if reading is None:
        return None
    try:
        if reading.exact is not None:
            return now.astimezone(UTC) + reading.exact
        today = now.astimezone(zone).date()
        if reading.day is None and reading.clock is not None:
            moment = _wall_clock(today, reading.clock, zone)
            if moment <= now:
                moment = _wall_clock(today + timedelta(days=1), reading.clock, zone)
            return moment
        day = _resolve_day(reading.day, today) if reading.day else None
        if day is None:
            return None
        return _wall_clock(day, reading.clock or (default_hour, 0), zone)
    except (ValueError, OverflowError):  # beyond year 9999
        return None


def _checked(now: datetime, tz: str, default_hour: int) -> ZoneInfo:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    if not 0 <= default_hour <= 23:
        raise ValueError("default_hour must be 0..23")
    return ZoneInfo(tz)


# ---------------------------------------------------------------------------------------------
# Public API


def parse_when(text: str, *, now: datetime, tz: str, default_hour: int = 9) -> datetime | None:
    """The moment (aware, UTC) that `text` names, read in time zone `tz`; None if it names none.

    `now` is the current moment (aware). See the module docstring for the forms and rules.
    """
    zone = _checked(now, tz, default_hour)
    if not isinstance(text, str) or not text.strip():
        return None
    return _meaning(_tokenize(text), now, zone, default_hour)


def extract_when(
    text: str, *, now: datetime, tz: str, default_hour: int = 9
) -> tuple[datetime | None, str]:
    """Finds a date/time expression at the end (preferred) or start of a note.

    Returns (moment in UTC, the note without the expression and the joining words next to it),
    e.g. "discussed prices, call back next Friday 10:00" -> (that Friday 10:00, "discussed
    prices"), or (None, text) when there is no expression.
    """
    zone = _checked(now, tz, default_hour)
    if not isinstance(text, str) or not text.strip():
        return None, text
    tokens = _tokenize(text)
    n = len(tokens)

    def usable(part: Sequence[_Token]) -> datetime | None:
        if len(part) == 1 and part[0].word in _WEAK_ALONE:
            return None
        return _meaning(part, now, zone, default_hour)

    for start in range(max(0, n - MAX_EXPRESSION_WORDS), n):
        if tokens[start].glued:
            continue
        moment = usable(tokens[start:])
        if moment is not None:
            return moment, _trim_end(text[: tokens[start].start])
    for end in range(min(n, MAX_EXPRESSION_WORDS), 0, -1):
        if end < n and tokens[end].glued:
            continue
        moment = usable(tokens[:end])
        if moment is not None:
            return moment, _trim_start(text[tokens[end - 1].end :])
    return None, text


def _trim_end(rest: str) -> str:
    while True:
        rest = rest.rstrip(_TRIM)
        joining = _JOINING_AT_END.search(_fold(rest))
        if not joining:
            return rest.strip()
        rest = rest[: joining.start()]


def _trim_start(rest: str) -> str:
    while True:
        rest = rest.lstrip(_TRIM)
        joining = _JOINING_AT_START.search(_fold(rest))
        if not joining:
            return rest.strip()
        rest = rest[joining.end() :]
