"""Periods typed by people, in each language's habits."""

from __future__ import annotations

from datetime import date

import pytest

from crm.digests.period_input import parse_period

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1.11–15.11", "ru", (date(2026, 11, 1), date(2026, 11, 15))),
        ("1.11 - 15.11", "lt", (date(2026, 11, 1), date(2026, 11, 15))),
        ("2026-11-01 2026-11-15", "lt", (date(2026, 11, 1), date(2026, 11, 15))),
        ("2026-11-01..2026-11-15", "en", (date(2026, 11, 1), date(2026, 11, 15))),
        ("01.11.2026-15.11.2026", "ru", (date(2026, 11, 1), date(2026, 11, 15))),
        ("01.11.26 – 15.11.26", "ru", (date(2026, 11, 1), date(2026, 11, 15))),
        ("11/1-11/15", "en", (date(2026, 11, 1), date(2026, 11, 15))),
        ("1/11-15/11", "ru", (date(2026, 11, 1), date(2026, 11, 15))),
        ("from 11/1 to 11/15", "en", (date(2026, 11, 1), date(2026, 11, 15))),
        ("с 1.11 по 15.11", "ru", (date(2026, 11, 1), date(2026, 11, 15))),
        ("nuo 1.11 iki 15.11", "lt", (date(2026, 11, 1), date(2026, 11, 15))),
        ("25.11", "ru", (date(2026, 11, 25), date(2026, 11, 25))),
        ("15.11–1.11", "ru", (date(2026, 11, 1), date(2026, 11, 15))),  # either order
        ("1.12-5.12", "ru", (date(2025, 12, 1), date(2025, 12, 5))),  # not in the future
        ("20.12-10.01", "ru", (date(2025, 12, 20), date(2026, 1, 10))),  # over new year
        ("1.11 - 15.11.2025", "ru", (date(2025, 11, 1), date(2025, 11, 15))),
    ],
)
def test_periods_people_type(text, locale, expected):
    assert parse_period(text, today=TODAY, locale=locale) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "31.02-5.03",
        "1.11 2.11 3.11",
        "2024-01-01 2026-01-01",
        "1.13-5.13",
        "call 1.11 Petrov",
    ],
)
def test_what_is_not_a_period(text):
    assert parse_period(text, today=TODAY, locale="ru") is None
