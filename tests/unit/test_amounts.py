"""Amounts typed in chat (crm.costs.amounts): grouping, decimal marks, signs and units."""

from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from crm.costs.amounts import parse_amount, parse_tier, parse_tiers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200", "1200"),
        ("1 200,50", "1200.50"),
        ("1\u00a0200,50", "1200.50"),  # a no-break space, as copied from a quote
        ("1\u202f200,50", "1200.50"),  # a narrow no-break space, as babel formats ru/lt
        ("1,200.50", "1200.50"),
        ("1.200,50", "1200.50"),
        ("1'200.50", "1200.50"),
        ("1,200", "1200"),
        ("1.200.000", "1200000"),
        ("12,5", "12.5"),
        ("0,125", "0.125"),
        ("12.5", "12.5"),
        (",5", "0.5"),
        (".5", "0.5"),
        ("15 €", "15"),
        ("€15", "15"),
        ("$1,200.50", "1200.50"),
        ("15 EUR", "15"),
        ("990 руб.", "990"),
        ("990 ₽", "990"),
        ("12,5%", "12.5"),
        ("50 %", "50"),
        ("  7  ", "7"),
        ("-5", "-5"),
        ("−5", "-5"),
        ("+5", "5"),
        ("0", "0"),
    ],
)
def test_reads_amounts_as_people_type_them(text, expected):
    value = parse_amount(text)
    assert value == Decimal(expected)
    assert str(value) == expected  # exact: no float rounding, no exponent


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "€",
        "%",
        "1e5",
        "NaN",
        "Infinity",
        "12 5",
        "1,2,3",
        "1..2",
        "1.2.3,4,5",
        "5-",
        "12 from 15",
        "1,20,000",
        "1 2000",
        "1" * 50,
    ],
)
def test_refuses_what_is_not_an_amount(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_reads_back_what_babel_writes_in_every_locale(value):
    for locale in ("en", "ru", "lt"):
        assert parse_amount(format_decimal(value, format="#,##0.00", locale=locale)) == value
        assert parse_amount(format_currency(value, "EUR", locale=locale)) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10", (10, None)),
        ("from 10 seats", (10, None)),
        ("от 10 мест", (10, None)),
        ("15+", (15, None)),
        ("15: 12", (15, Decimal(12))),
        ("from 15 seats: 12,50 €", (15, Decimal("12.50"))),
        ("nuo 15 vietų = 9.90", (15, Decimal("9.90"))),
    ],
)
def test_reads_a_seat_tier(text, expected):
    assert parse_tier(text) == expected


@pytest.mark.parametrize("text", ["", "ten", "1,5", "15: ", "15: cheap", ": 12", "-3"])
def test_refuses_a_bad_seat_tier(text):
    with pytest.raises(ValueError):
        parse_tier(text)


def test_reads_several_tiers_per_line_or_semicolon():
    assert parse_tiers("1: 15\n\n10: 12,50; 50: 10") == [
        (1, Decimal(15)),
        (10, Decimal("12.50")),
        (50, Decimal(10)),
    ]
    with pytest.raises(ValueError):
        parse_tiers("1: 15\n10")
    with pytest.raises(ValueError):
        parse_tiers(" ; ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50k", "50000"),
        ("50 K €", "50000"),
        ("€1.5k", "1500"),
        ("1,5 тыс. руб.", "1500"),
        ("50 тысяч рублей", "50000"),
        ("2 млн", "2000000"),
        ("10 tūkst. Eur", "10000"),
        ("3 thousand", "3000"),
        ("1.2345k", "1234.5"),
    ],
)
def test_a_multiplier_after_the_number_multiplies_it(text, expected):
    """ "50k" was read as 50: the "k" was dropped like a currency sign."""
    assert parse_amount(text) == Decimal(expected)
    assert str(parse_amount(text)) == expected  # no trailing zeros that look like decimals
