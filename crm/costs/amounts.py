"""Money, counts and percentages as people type them in English, Russian or Lithuanian.

"1 200,50", "1.200,50", "1,200.50", "1200", "15 €", "€15", "12,5%", "990 руб." all read as exact
`Decimal`s; "50k", "1,5 тыс. руб.", "2 млн" are multiplied. A single "," or "." followed by
exactly three digits ("1,200", "1.200") groups thousands: a price quoted to a tenth of a cent
is far rarer than a thousand typed that way.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

MAX_LENGTH = 40  # longer input is not an amount anyone typed
GROUPING = frozenset(" '’")  # spaces (all kinds are normalized to " ") and apostrophes
MINUS = "-−–"  # hyphen, minus sign, en dash

_CORE = re.compile(r"[+\-]?[\d., '’]*\d[\d., '’]*")


def _strip_marks(text: str) -> str:
    """Drops currency signs, codes or words ("€", "EUR", "руб.", "Lt") and "%" at either end."""

    def is_mark(char: str) -> bool:
        return char.isalpha() or char in "%." or unicodedata.category(char) == "Sc"

    start, end = 0, len(text)
    while start < end and (is_mark(text[start]) or text[start] == " "):
        start += 1
    while end > start and (is_mark(text[end - 1]) or text[end - 1] == " "):
        end -= 1
    # a leading "." belongs to the number (".5"), and so does a trailing one after digits
    if start > 0 and text[start - 1] == "." and text[start : start + 1].isdigit():
        start -= 1
    return text[start:end]


def _decimal_separator(body: str) -> str | None:
    """Which of "," and "." separates the fraction in `body` (digits and separators only)."""
    marks = [char for char in body if char in ",."]
    if not marks:
        return None
    if len(set(marks)) == 2:
        return marks[-1]  # "1,200.50" and "1.200,50": the last one is the decimal point
    mark = marks[0]
    if len(marks) > 1:
        return None  # "1.200.000": only grouping
    whole, fraction = body.split(mark)
    grouped_elsewhere = any(char in GROUPING for char in whole)
    looks_like_thousands = (
        len(fraction) == 3 and whole.isdigit() and 1 <= len(whole) <= 3 and whole != "0"
    )
    return None if looks_like_thousands and not grouped_elsewhere else mark


def _join_groups(whole: str, grouping: str) -> str:
    """ "1 200" -> "1200", checking that every group after the first has three digits."""
    groups = re.split(f"[{re.escape(grouping)}]", whole) if grouping else [whole]
    if len(groups) > 1:
        if not (1 <= len(groups[0]) <= 3) or any(len(group) != 3 for group in groups[1:]):
            raise ValueError("bad digit grouping")
    if not all(group.isdigit() for group in groups if group) or "" in groups[1:]:
        raise ValueError("bad digit grouping")
    return "".join(groups)


# "50k", "1,5 тыс. руб.", "2 mln": a multiplier right after the number. Without it the word
# would be dropped as a currency mark and "50k" read as 50.
_MULTIPLIED = re.compile(
    r"(?P<number>.*?\d)\s*(?P<word>k|к|тыс|тысяч[а-я]*|thousands?|tūkst|tukst|млн|mln|million[s]?)"
    r"\.?(?P<rest>(?:\s.*)?|[^\w\s].*)",
    re.IGNORECASE,
)
_FACTORS = {"k": 1000, "к": 1000, "тыс": 1000, "thousand": 1000, "tūkst": 1000, "tukst": 1000}


def _factor(word: str) -> int:
    word = word.casefold()
    if word.startswith(("тысяч", "thousand")):
        return 1000
    return _FACTORS.get(word, 1_000_000)


def parse_amount(text: str) -> Decimal:
    """The number in `text`, exactly; ValueError when there is none or it is ambiguous."""
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        raise ValueError("not an amount")
    multiplied = _MULTIPLIED.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if multiplied:
        value = parse_amount(multiplied["number"] + multiplied["rest"]) * _factor(
            multiplied["word"]
        )
        # "1.234k" is 1234, not 1234.000 (which would read as three decimal places)
        return (
            value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
        )
    text = unicodedata.normalize("NFKC", text)  # no-break and thin spaces become " "
    text = " ".join(text.split())
    for dash in MINUS:
        text = text.replace(dash, "-")
    core = _strip_marks(text).strip()
    if not _CORE.fullmatch(core):
        raise ValueError("not an amount")
    sign = ""
    if core[0] in "+-":
        sign, core = ("-" if core[0] == "-" else ""), core[1:].lstrip()
    decimal_mark = _decimal_separator(core)
    if decimal_mark is None:
        whole, fraction = core, ""
    else:
        whole, fraction = core.rsplit(decimal_mark, 1)
        if not fraction.isdigit() and fraction != "":
            raise ValueError("bad fraction")
    grouping = "".join(sorted((GROUPING | set(",.")) - {decimal_mark or ""}))
    digits = _join_groups(whole, grouping) if whole else ""
    if not digits and not fraction:
        raise ValueError("not an amount")
    return Decimal(f"{sign}{digits or '0'}" + (f".{fraction}" if fraction else ""))


def parse_seats(text: str) -> int:
    """A number of seats: "15", "from 15 seats", "от 15 мест", "15+"."""
    value = parse_amount(text.strip().rstrip("+").strip())
    if value != value.to_integral_value() or value < 0:
        raise ValueError("not a whole number of seats")
    return int(value)


def parse_tier(text: str) -> tuple[int, Decimal | None]:
    """ "from 15 seats: 12" -> (15, 12); a bare "10" -> (10, None), the seats a price holds from.
    The seats and the price are separated by ":" or "="."""
    seats, separator, price = text.replace("=", ":").partition(":")
    if not separator:
        return parse_seats(seats), None
    return parse_seats(seats), parse_amount(price)


def parse_tiers(text: str) -> list[tuple[int, Decimal]]:
    """One "seats: price" per line or separated by ";"."""
    tiers = []
    for line in text.replace(";", "\n").splitlines():
        if not line.strip():
            continue
        seats, price = parse_tier(line)
        if price is None:
            raise ValueError("a price is needed for every tier")
        tiers.append((seats, price))
    if not tiers:
        raise ValueError("no tiers")
    return tiers
