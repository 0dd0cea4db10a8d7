"""A period typed by a person: "1.11–15.11", "2026-11-01 2026-11-15", "11/1-11/15", "25.11".

Dots mean day.month (Russian, Lithuanian, most of Europe); slashes mean month/day in English
and day/month otherwise; ISO dates are year-month-day everywhere. A date without a year is the
latest such date not after today (or after the end of the period, when only that has a
year), so in January "20.12-10.01" spans the new year."""

from __future__ import annotations

import re
from datetime import date, timedelta

MAX_DAYS = 366
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?\.?")
_FILLER = {"from", "to", "till", "until", "с", "со", "по", "до", "nuo", "iki", "ik"}
_PUNCTUATION = re.compile(r"^[\s\-–—.,:]*$")


def parse_period(text: str, *, today: date, locale: str) -> tuple[date, date] | None:
    """First and last day (both included), or None when the text is not one or two dates or
    spans more than a year."""
    tokens = _DATE.findall(text)
    words = re.findall(r"[^\W\d_]+", _DATE.sub(" ", text).lower())
    rest = re.sub(r"[^\W\d_]+", " ", _DATE.sub(" ", text))
    if not 1 <= len(tokens) <= 2 or set(words) - _FILLER or not _PUNCTUATION.match(rest):
        return None
    try:
        parsed = [_parse(token.rstrip("."), locale) for token in tokens]
    except ValueError:
        return None
    first, last = parsed[0], parsed[-1]
    first_day, last_day = _dated(first, today), _dated(last, today)
    if first[0] is None and last[0] is not None:  # "1.11 - 15.11.2025": the year of the end
        first_day = _dated(first, last_day)
    if first_day > last_day:
        first_day, last_day = last_day, first_day
    if last_day - first_day >= timedelta(days=MAX_DAYS):
        return None
    return first_day, last_day


def _parse(token: str, locale: str) -> tuple[int | None, int, int]:
    """(year or None, month, day); ValueError when it is no date."""
    if "-" in token:
        year, month, day = (int(part) for part in token.split("-"))
    else:
        separator = "/" if "/" in token else "."
        parts = token.split(separator)
        a, b = int(parts[0]), int(parts[1])
        month, day = (a, b) if separator == "/" and locale == "en" else (b, a)
        year = int(parts[2]) if len(parts) == 3 else None
        if year is not None and year < 100:
            year += 2000
    date(year or 2000, month, day)  # raises ValueError when there is no such day
    return year, month, day


def _with_year(parts: tuple[int | None, int, int], year: int) -> date:
    _, month, day = parts
    if (month, day) == (2, 29):
        while True:
            try:
                return date(year, month, day)
            except ValueError:
                year -= 1
    return date(year, month, day)


def _dated(parts: tuple[int | None, int, int], today: date) -> date:
    year, month, day = parts
    if year is not None:
        return date(year, month, day)
    candidate = _with_year(parts, today.year)
    return candidate if candidate <= today else _with_year(parts, today.year - 1)
