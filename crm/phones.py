"""Phone numbers as people type them and as spreadsheets store them.

Every phone is kept three ways: the text as it was given (`raw`), the E.164 form (`e164`, for
matching, duplicates and links) and the extension. Parsing itself is `phonenumbers`' (a plain
digit string that is a valid number is read from phonenumbers' metadata the way its `parse`
reads it, and checked by its validity check: imports are mostly such numbers); this module
only finds the number inside the surrounding text:

- a number is a run of digits and phone punctuation (spaces, dashes, parentheses, dots, "/"),
  optionally led by "+"; labels before it ("тел.", "моб:", "Ivan:") and notes after it
  ("(бухгалтерия)", "- после 18:00") are not part of it;
- an extension is a marker right after that run: "доб. 123", "доп. 123", "вн. 12",
  "ext. 12", "x12", "#12", "papild. 12";
- letters are never turned into digits (phonenumbers would read "+7 912 345 67 89 Ivan" as a
  vanity number ending in 4826), so "8 800 CALL NOW" is reported as too short;
- a number that is not valid in the workspace's region but becomes valid with a "+" in front
  is taken as international: Excel drops the "+" of "+37061234567" and the "00" of
  "0037061234567" is not the exit code in Russia.

Nothing here raises on bad input: a piece of text that is not a valid number comes back as a
`Phone` with `e164=None` and a `problem` code (see `PhoneProblem`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import (
    NumberParseException,
    PhoneNumber,
    PhoneNumberFormat,
    ValidationResult,
    phonenumberutil,
)

__all__ = [
    "Phone",
    "PhoneProblem",
    "cell_text",
    "digits",
    "format_international",
    "index_keys",
    "looks_like_phone",
    "parse_phone",
    "parse_phone_cell",
    "phone_search_keys",
    "tel_uri",
]


class PhoneProblem(StrEnum):
    """Why a piece of text gave no E.164 number (stored as plain strings in `Phone.problem`)."""

    empty = "empty"
    not_a_number = "not_a_number"  # no digits where a number should be
    too_short = "too_short"  # includes local numbers written without their area code
    too_long = "too_long"
    invalid_country_code = "invalid_country_code"  # also: no "+" and no usable default region
    invalid = "invalid"  # the right shape, but no such number range exists


@dataclass(frozen=True, slots=True)
class Phone:
    raw: str
    e164: str | None
    extension: str | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.e164 is not None


# Longer than any number with an extension and a note; beyond it we do not even look.
MAX_PHONE_TEXT = 1000
# A cell's pieces with fewer digits than this are labels ("Офис 2:") when a longer run exists.
MIN_NUMBER_DIGITS = 7

_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"
_SPACES = " \t\u00a0\u2007\u2009\u202f"  # not new lines: they separate numbers
# A number: optional "+", optional "(", a digit, then digits and phone punctuation, ending
# on a digit. No letters, so phonenumbers never converts letters to digits.
_RUN = re.compile(rf"(?:\+[{_SPACES}]*)?\(?\d(?:[\d{_SPACES}(){_DASHES}./]*\d)?")
# (No two "\s*" next to each other anywhere: that backtracks quadratically on long blanks.)
_EXTENSION = re.compile(
    r"\s*(?:[,;]\s*)?(?:\(\s*)?"
    r"(?:доб(?:авочный)?|доп(?:олнительный)?|внутр(?:енний)?|вн|ext(?:ension)?|x|х|#"
    r"|papild(?:omas)?)"
    r"\s*(?:\.\s*)?(?:[:=]\s*)?(?:№\s*)?(\d{1,10})(?!\d)\s*\)?",
    re.IGNORECASE,
)
# Cell separators. Not " " or "-": those are inside numbers. "/" is also used inside numbers
# ("8 5/212 3456"); two invalid halves that are valid together are joined again.
_SEPARATOR = re.compile(
    r"[,;\n\r\v\f\u2028\u2029|]|/|(?<=\s)(?:or|или|arba|and|и|ir)(?=\s)",
    re.IGNORECASE,
)
# Excel's number forms inside text: "9,12345678E+09" (scientific, from CSV) and "89123456789.0".
_SCIENTIFIC = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?[eE]\+?\d{1,2}(?![\w.,])")
_TRAILING_ZERO_FRACTION = re.compile(r"(?<![\w.,])(\d{5,})[.,]0+(?![\w.,])")
_PHONE_QUERY_CHARS = re.compile(rf"[\d{_SPACES}+(){_DASHES}./]+")
# A run phonenumbers reads exactly like its digits (with the "+", if any): ASCII digits and
# punctuation that phonenumbers accepts. Such runs are parsed once per digit string.
_PLAIN_RUN = re.compile(r"\+?[0-9 ()./-]+")
_WITHOUT_PLAIN_PUNCTUATION = str.maketrans("", "", "+ ()./-")  # leaves a plain run's digits
# A cell that is one number and nothing else ("8 (912) 345-67-89", "+79123456789", Excel's
# 89123456789.0): one run, no separator, no extension, no note. Most cells are like this.
_SIMPLE_CELL = re.compile(r"\+? *\(?[0-9](?:[0-9 ().-]*[0-9])?")
# Such a number, maybe with an extension after it ("+7 912 345 67 89, доб. 123"), and what may
# separate two of them in a cell: see `_simple_numbers`.
_SIMPLE_NUMBER = re.compile(rf"\s*({_SIMPLE_CELL.pattern})")
_SIMPLE_SEPARATOR = re.compile(r"\s*[,;\n]")
_PARSE_CACHE_SIZE = 4096

# phonenumbers compiles its metadata's patterns on every check unless told to keep them
# (recent versions have the switch); validating a number runs about a dozen of them.
if hasattr(phonenumbers, "enable_pattern_cache"):
    phonenumbers.enable_pattern_cache()


# --- spreadsheet cells -------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """The text of a spreadsheet cell, with Excel's number forms turned back into digits.

    int 89123456789, float 89123456789.0, "89123456789.0" and "8,9123456789E+10" all give
    "89123456789". Floats go through their shortest repr and Decimal, never through float
    arithmetic. None, NaN and infinities give "". Other objects give `str(value)`, stripped.
    """
    if value.__class__ is str:  # the usual cell first
        return _undo_excel(value.strip())  # type: ignore[attr-defined]
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))  # the usual phone float; exact, as its repr is its digits
        return _decimal_text(Decimal(repr(value)))
    if isinstance(value, Decimal):
        if not value.is_finite():
            return ""
        return _decimal_text(value)
    return _undo_excel(str(value).strip())


def _decimal_text(number: Decimal) -> str:
    # Bounded so that "9E+99" cannot turn into a hundred-digit string.
    if number == number.to_integral_value() and number.adjusted() <= 30:
        return str(int(number))
    if -30 <= number.adjusted() <= 30:
        return format(number.normalize(), "f")
    return str(number)


def _undo_excel(text: str) -> str:
    # Cheap checks first: most cells have neither an exponent nor a fraction (".0", ",0"), and
    # a sub() that finds nothing still costs microseconds.
    if "e" in text or "E" in text:
        text = _SCIENTIFIC.sub(_scientific, text)
    if ".0" in text or ",0" in text:
        text = _TRAILING_ZERO_FRACTION.sub(_integer_part, text)
    return text


def _integer_part(match: re.Match[str]) -> str:
    return match.group(1)


def _scientific(match: re.Match[str]) -> str:
    try:
        number = Decimal(match.group().replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern only matches valid numbers
        return match.group()
    if number == number.to_integral_value():
        return str(int(number))
    return match.group()


# --- one number ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    """A candidate number found in text: [start, end) including its extension."""

    start: int
    end: int
    number: str
    extension: str | None

    @property
    def digit_count(self) -> int:
        return sum(map(str.isdigit, self.number))


def _find_runs(text: str) -> list[_Run]:
    runs: list[_Run] = []
    position = 0
    while match := _RUN.search(text, position):
        end = match.end()
        extension = None
        if ext := _EXTENSION.match(text, end):
            extension, end = ext.group(1), ext.end()
        runs.append(_Run(match.start(), end, match.group(), extension))
        position = end
    return runs


@lru_cache(maxsize=256)
def _region(region: str | None) -> str | None:
    region = (region or "").strip().upper()
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


def _problem_for_error(error: NumberParseException) -> PhoneProblem:
    return {
        NumberParseException.INVALID_COUNTRY_CODE: PhoneProblem.invalid_country_code,
        NumberParseException.NOT_A_NUMBER: PhoneProblem.not_a_number,
        NumberParseException.TOO_SHORT_AFTER_IDD: PhoneProblem.too_short,
        NumberParseException.TOO_SHORT_NSN: PhoneProblem.too_short,
        NumberParseException.TOO_LONG: PhoneProblem.too_long,
    }.get(error.error_type, PhoneProblem.invalid)


def _problem_for_number(number: PhoneNumber) -> PhoneProblem:
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.INVALID_LENGTH:
        return _problem_for_length(number)
    return {
        ValidationResult.TOO_SHORT: PhoneProblem.too_short,
        ValidationResult.IS_POSSIBLE_LOCAL_ONLY: PhoneProblem.too_short,
        ValidationResult.TOO_LONG: PhoneProblem.too_long,
        ValidationResult.INVALID_COUNTRY_CODE: PhoneProblem.invalid_country_code,
    }.get(reason, PhoneProblem.invalid)


def _problem_for_length(number: PhoneNumber) -> PhoneProblem:
    """Between two possible lengths (RU: 10 or 14 digits): shorter or longer than the usual."""
    region = phonenumbers.region_code_for_country_code(number.country_code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        number.country_code, region
    )
    lengths = metadata.general_desc.possible_length if metadata else None
    if not lengths:
        return PhoneProblem.invalid
    length = len(phonenumbers.national_significant_number(number))
    return PhoneProblem.too_short if length < min(lengths) else PhoneProblem.too_long


def _parse_valid(text: str, region: str | None) -> tuple[PhoneNumber | None, PhoneProblem | None]:
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as error:
        return None, _problem_for_error(error)
    if _is_valid(number):
        return number, None
    return None, _problem_for_number(number)


def _is_valid(number: PhoneNumber) -> bool:
    """`phonenumbers.is_valid_number` without its second look at the number's usual region.

    is_valid_number(n) is is_valid_number_for_region(n, region_code_for_number(n)), and
    region_code_for_number gives a country code's only region, or its first region when that
    region's leading digits start the number ("+7 9..": RU, not KZ), or its first region
    without leading digits when the number is valid there: so the number is valid as it is in
    that region.
    """
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(number.country_code)
    if regions:
        first = regions[0]
        if len(regions) == 1:
            return _is_valid_for_region(number, first)
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(first.upper(), None)
        if metadata is not None:
            if metadata.leading_digits is None:
                if _is_valid_for_region(number, first):
                    return True
            elif _leading_digits(metadata.leading_digits).match(
                phonenumbers.national_significant_number(number)
            ):
                return _is_valid_for_region(number, first)
    return phonenumbers.is_valid_number(number)


def _is_valid_for_region(number: PhoneNumber, region: str) -> bool:
    """`phonenumbers.is_valid_number_for_region`, the same answer sooner: that asks for the
    number's type, trying eight rare types before fixed-line and mobile (~10 pattern matches
    for a mobile number); valid is "any type matches", so the common ones go first."""
    descs = _type_descs(number.country_code, region)
    if descs is None:
        return False
    general, types = descs
    national = phonenumbers.national_significant_number(number)
    if not _matches_desc(national, general):
        return False
    return any(_matches_desc(national, desc) for desc in types)


# phonenumbers' own test of a number against a description (length, then pattern).
_matches_desc = phonenumberutil._is_number_matching_desc


@lru_cache(maxsize=512)
def _type_descs(country_code: int, region: str) -> tuple[Any, tuple[Any, ...]] | None:
    """(general description, the type descriptions commonest first) of `region` for numbers
    of `country_code`, or None where is_valid_number_for_region says no at once."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        country_code, region.upper()
    )
    if metadata is None or (
        region != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY
        and country_code != phonenumbers.country_code_for_valid_region(region)
    ):
        return None
    names = ("fixed_line",) + _RARE_TYPES
    if not metadata.same_mobile_and_fixed_line_pattern:
        names = ("mobile",) + names  # otherwise a mobile number matches fixed_line already
    types = tuple(desc for name in names if (desc := getattr(metadata, name)) is not None)
    return metadata.general_desc, types


_RARE_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


@lru_cache(maxsize=64)
def _leading_digits(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _parse_number(number_text: str, region: str | None) -> tuple[str | None, PhoneProblem | None]:
    """E.164 of a run of digits and punctuation (no letters, no extension), or the problem.

    Runs that phonenumbers reads as their bare digits (ASCII, its own punctuation, at least
    3 digits, not too long for it) are parsed once per digit string and region: files repeat
    numbers, written in different ways. Most of those are valid numbers in one of the usual
    shapes, which `_parse_digits_quickly` reads without `phonenumbers.parse`.
    """
    if len(number_text) <= 250 and _PLAIN_RUN.fullmatch(number_text):
        plain = number_text.translate(_WITHOUT_PLAIN_PUNCTUATION)
        if len(plain) >= 3:
            return _parse_plain(("+" if number_text[0] == "+" else "") + plain, region)
    return _parse_number_uncached(number_text, region)


@lru_cache(maxsize=_PARSE_CACHE_SIZE)
def _parse_plain(number_text: str, region: str | None) -> tuple[str | None, PhoneProblem | None]:
    return _parse_digits_quickly(number_text, region) or _parse_number_uncached(number_text, region)


def _parse_number_uncached(
    number_text: str, region: str | None
) -> tuple[str | None, PhoneProblem | None]:
    number, problem = _parse_valid(number_text, region)
    if number is None and not number_text.lstrip().startswith("+"):
        # Excel drops the "+" of international numbers; "00" is not everyone's exit code.
        plain = digits(number_text)
        if len(plain) >= 8:
            international, _ = _parse_valid("+" + plain.removeprefix("00"), None)
            if international is not None:
                number, problem = international, None
    if number is None:
        return None, problem
    return phonenumbers.format_number(number, PhoneNumberFormat.E164), None


# --- the quick way for plain digits ------------------------------------------------------------
#
# Most cells are one valid number written the region's usual way. For a plain digit string
# ("89123456789", "+79123456789") `phonenumbers.parse` does little that matters: take the
# country code, or strip the national prefix, then check the lengths. `_parse_digits_quickly`
# takes those steps the way parse does, on metadata compiled once per region, and keeps the
# answer only when the number is valid by `_is_valid`. Anything off the common road (an
# international prefix, a national prefix that rewrites digits, a leading zero, an invalid
# number and its problem) is left to the full path. tests/unit/test_phones_fast_path.py checks
# the two agree.


@dataclass(frozen=True, slots=True)
class _Plan:
    """The parts of one region's metadata that parse reads for a plain digit string."""

    country_code: int
    country_code_text: str
    international_prefix: re.Pattern[str] | None
    national_prefix: re.Pattern[str] | None  # national_prefix_for_parsing
    rewrites_national_prefix: bool  # a transform rule: parse rewrites, we leave it to parse
    general: re.Pattern[str] | None  # the national number pattern of the general description
    lengths: frozenset[int]
    local_lengths: frozenset[int]
    longest: int

    def is_general(self, national: str) -> bool:
        return self.general is not None and self.general.fullmatch(national) is not None

    def keeps_stripped(self, national: str) -> bool:
        """parse's length check after it strips a national prefix: possible, or too long."""
        length = len(national)
        return length not in self.local_lengths and (
            length in self.lengths or length > self.longest
        )

    def is_too_long(self, national: str) -> bool:
        length = len(national)
        return length > self.longest and length not in self.local_lengths


def _plan(metadata: phonenumbers.PhoneMetadata | None) -> _Plan | None:
    if metadata is None or metadata.country_code is None:
        return None
    general = metadata.general_desc
    lengths = tuple(general.possible_length or ()) if general else ()
    if not lengths:
        return None
    return _Plan(
        country_code=metadata.country_code,
        country_code_text=str(metadata.country_code),
        international_prefix=_compiled(metadata.international_prefix),
        national_prefix=_compiled(metadata.national_prefix_for_parsing),
        rewrites_national_prefix=bool(metadata.national_prefix_transform_rule),
        general=_compiled(general.national_number_pattern),
        lengths=frozenset(lengths),
        local_lengths=frozenset(general.possible_length_local_only or ()),
        longest=max(lengths),
    )


def _compiled(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


@lru_cache(maxsize=256)
def _region_plan(region: str) -> _Plan | None:
    return _plan(phonenumbers.PhoneMetadata.metadata_for_region(region, None))


@lru_cache(maxsize=512)
def _country_plan(country_code: int) -> _Plan | None:
    """The metadata parse uses for a number once it has its country code: its main region's."""
    main_region = phonenumbers.region_code_for_country_code(country_code)
    return _plan(
        phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, main_region)
    )


def _parse_digits_quickly(number_text: str, region: str | None) -> tuple[str, None] | None:
    """E.164 of "digits" or "+digits" when it is a valid number; None: ask the full path."""
    if number_text[0] == "+":
        found = _international_digits(number_text[1:])
    elif region is not None:
        found = _national_digits(number_text, region)
    else:
        return None  # parse has no country to read it in
    if found is None:
        return None
    country_code, national = found
    # A leading zero is kept by parse in fields of its own ("italian leading zero").
    if national[0] == "0" or not 2 <= len(national) <= 17:
        return None
    number = PhoneNumber(country_code=country_code, national_number=int(national))
    if not _is_valid(number):
        return None  # invalid: the full path says why, and tries it as international
    return f"+{country_code}{national}", None


def _international_digits(number: str) -> tuple[int, str] | None:
    """(country code, national number) of the digits after a "+", as parse reads them."""
    if len(number) <= 2 or number[0] == "0":
        return None
    for size in (1, 2, 3):
        country_code = int(number[:size])
        if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return _without_national_prefix(_country_plan(country_code), number[size:])
    return None


def _national_digits(number: str, region: str) -> tuple[int, str] | None:
    """(country code, national number) of digits written in `region`, as parse reads them."""
    plan = _region_plan(region)
    if plan is None or (plan.international_prefix and plan.international_prefix.match(number)):
        return None
    if number.startswith(plan.country_code_text):
        # "79123456789" in RU: the country code without its "+", when the rest reads better.
        rest = number[len(plan.country_code_text) :]
        if plan.national_prefix and plan.national_prefix.match(rest):
            return None
        if (not plan.is_general(number) and plan.is_general(rest)) or plan.is_too_long(number):
            return _without_national_prefix(_country_plan(plan.country_code), rest)
    if plan.national_prefix is None:
        return plan.country_code, number
    prefix = plan.national_prefix.match(number)
    if prefix is None:
        return plan.country_code, number
    if plan.rewrites_national_prefix:
        return None
    stripped = number[prefix.end() :]
    if plan.is_general(number) and not plan.is_general(stripped):
        return plan.country_code, number  # the "prefix" was part of a valid number
    if plan.keeps_stripped(stripped):
        return plan.country_code, stripped
    return plan.country_code, number


def _without_national_prefix(plan: _Plan | None, national: str) -> tuple[int, str] | None:
    """After a country code: parse would still strip a national prefix; we leave that to it."""
    if plan is None or len(national) < 2:
        return None
    if plan.national_prefix and plan.national_prefix.match(national):
        return None
    return plan.country_code, national


# How one run of digits and punctuation becomes (e164, problem): `_parse_number` normally,
# `_parse_number_uncached` for the full path that the quick one is checked against.
_NumberParser = Callable[[str, str | None], tuple[str | None, PhoneProblem | None]]


def _phone_from_run(raw: str, run: _Run, region: str | None, parse_number: _NumberParser) -> Phone:
    e164, problem = parse_number(run.number, region)
    if e164 is None:
        return Phone(raw=raw, e164=None, extension=run.extension, problem=problem)
    return Phone(raw=raw, e164=e164, extension=run.extension)


def parse_phone(text: str | None, region: str) -> Phone:
    """One phone number as a person typed it, in the workspace's default `region` ("RU", "LT").

    "8 (912) 345-67-89" and "+7 912 345 67 89 доб. 123" in RU, "8 612 34567" in LT. A label
    before the number and a note after it are allowed; when the text holds several numbers the
    longest is taken (use `parse_phone_cell` for lists). `raw` is the text, stripped.
    """
    return _parse_phone(text, region, _parse_number)


def _parse_phone_full(text: str | None, region: str) -> Phone:
    """`parse_phone` without the parse cache and the quick path: what they must agree with."""
    return _parse_phone(text, region, _parse_number_uncached)


def _parse_phone(text: str | None, region: str, parse_number: _NumberParser) -> Phone:
    raw = (text or "").strip()
    if not raw:
        return Phone(raw="", e164=None, problem=PhoneProblem.empty)
    if len(raw) > MAX_PHONE_TEXT:
        return Phone(raw=raw, e164=None, problem=PhoneProblem.too_long)
    runs = _find_runs(_undo_excel(raw))
    if not runs:
        return Phone(raw=raw, e164=None, problem=PhoneProblem.not_a_number)
    best = max(runs, key=lambda run: run.digit_count)  # first of the longest
    return _phone_from_run(raw, best, _region(region), parse_number)


# --- a cell or a message with several numbers ---------------------------------------------------


def parse_phone_cell(value: object, region: str) -> list[Phone]:
    """All phone numbers in a spreadsheet cell or a message, in order, without repeats.

    Numbers are separated by "," ";" "/" "|" new lines, " or ", " или ", " arba " (and " and ",
    " и ", " ir "); spaces, dashes, dots and parentheses inside a number never split it. An
    extension after a separator ("8 912 345 67 89, доб. 123") belongs to the number before it.
    Excel's number forms (int, float, "89123456789.0", "9,12345678E+09") are turned into digits
    first, and `raw` of each phone is its piece of that text. Pieces without digits are notes
    and are skipped, unless the whole cell has no digits: then it is one `not_a_number` phone.
    A valid number that occurs twice (same E.164 and extension) is returned once.
    """
    text = cell_text(value)
    if len(text) <= MAX_PHONE_TEXT and (phones := _simple_numbers(text, region)) is not None:
        return phones
    return _parse_cell(text, region, _parse_number)


def _parse_phone_cell_full(value: object, region: str) -> list[Phone]:
    """`parse_phone_cell` without the parse cache and the quick paths: what they must agree with."""
    return _parse_cell(cell_text(value), region, _parse_number_uncached)


def _simple_numbers(text: str, region: str) -> list[Phone] | None:
    """What `_parse_cell` makes of a cell of simple numbers, each maybe with an extension,
    separated by "," ";" or new lines; None for any other cell.

    Such a cell's pieces are its numbers: a "," or ";" before an extension splits the cell too,
    but the extension-only piece is joined back. In each piece the number's run ends where the
    simple number does, as what follows (spaces, "," ";" "(" and an extension's word) does not
    continue a run to another digit. So no splitting and no looking for runs is needed.
    """
    region_code = _region(region)
    phones: list[Phone] = []
    position = 0
    while match := _SIMPLE_NUMBER.match(text, position):
        start, position, extension = match.start(), match.end(), None
        if position < len(text) and (ext := _EXTENSION.match(text, position)):
            position, extension = ext.end(), ext.group(1)
        e164, problem = _parse_number(match.group(1), region_code)
        raw = text[start:position].strip()
        phones.append(Phone(raw=raw, e164=e164, extension=extension, problem=problem))
        if position == len(text):
            return _unique(phones) if len(phones) > 1 else phones
        separator = _SIMPLE_SEPARATOR.match(text, position)
        if separator is None:
            return None
        position = separator.end()
    return None


def _parse_cell(text: str, region: str, parse_number: _NumberParser) -> list[Phone]:
    if not text:
        return []
    if len(text) <= MAX_PHONE_TEXT and _SIMPLE_CELL.fullmatch(text):
        e164, problem = parse_number(text, _region(region))
        return [Phone(raw=text, e164=e164, problem=problem)]
    if not any(ch.isdigit() for ch in text):
        return [Phone(raw=text, e164=None, problem=PhoneProblem.not_a_number)]

    spans = _pieces(text)
    phones: list[Phone] = []
    index = 0
    while index < len(spans):
        start, end = spans[index]
        piece = text[start:end].strip()
        if index + 1 < len(spans) and text[end] == "/":
            # "8 5/212 3456": two halves that are no number on their own but are one together.
            joined = _join_if_one_number(text, spans[index], spans[index + 1], region, parse_number)
            if joined is not None:
                phones.append(joined)
                index += 2
                continue
        phones.extend(_phones_in_piece(piece, region, parse_number))
        index += 1
    return _unique(phones)


def _pieces(text: str) -> list[tuple[int, int]]:
    """Spans of the text between separators, with extension-only pieces joined to the previous."""
    spans: list[tuple[int, int]] = []
    start = 0
    for separator in _SEPARATOR.finditer(text):
        spans.append((start, separator.start()))
        start = separator.end()
    spans.append((start, len(text)))

    joined: list[tuple[int, int]] = []
    for start, end in spans:
        piece = text[start:end]
        if not piece.strip():
            continue
        if joined and _is_only_extension(piece):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _is_only_extension(piece: str) -> bool:
    match = _EXTENSION.match(piece)
    return match is not None and not piece[match.end() :].strip()


def _phones_in_piece(piece: str, region: str, parse_number: _NumberParser) -> list[Phone]:
    if len(piece) > MAX_PHONE_TEXT:
        return [Phone(raw=piece, e164=None, problem=PhoneProblem.too_long)]
    runs = _find_runs(piece)
    if not runs:
        return []  # a note such as "бухгалтерия" next to the numbers
    numbers = [run for run in runs if run.digit_count >= MIN_NUMBER_DIGITS]
    if not numbers:
        numbers = [max(runs, key=lambda run: run.digit_count)]
    region_code = _region(region)
    if len(numbers) == 1:
        return [_phone_from_run(piece, numbers[0], region_code, parse_number)]
    return [
        _phone_from_run(piece[run.start : run.end].strip(), run, region_code, parse_number)
        for run in numbers
    ]


def _join_if_one_number(
    text: str,
    first: tuple[int, int],
    second: tuple[int, int],
    region: str,
    parse_number: _NumberParser,
) -> Phone | None:
    halves = [
        _phones_in_piece(text[start:end].strip(), region, parse_number)
        for start, end in (first, second)
    ]
    if any(phone.ok for half in halves for phone in half):
        return None
    whole = text[first[0] : second[1]].strip()
    phones = _phones_in_piece(whole, region, parse_number)
    if len(phones) == 1 and phones[0].ok:
        return phones[0]
    return None


def _unique(phones: list[Phone]) -> list[Phone]:
    seen: set[tuple[str, str | None]] = set()
    unique: list[Phone] = []
    for phone in phones:
        if phone.e164 is not None:
            key = (phone.e164, phone.extension)
            if key in seen:
                continue
            seen.add(key)
        unique.append(phone)
    return unique


# --- showing and linking ------------------------------------------------------------------------


def format_international(e164: str) -> str:
    """ "+79123456789" -> "+7 912 345-67-89". Text that is not a number comes back unchanged."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def tel_uri(e164: str, extension: str | None = None) -> str:
    """RFC 3966 link: "tel:+79123456789", with an extension "tel:+79123456789;ext=123"."""
    uri = "tel:+" + digits(e164)
    extension_digits = digits(extension)
    if extension_digits:
        uri += ";ext=" + extension_digits
    return uri


# --- searching ----------------------------------------------------------------------------------


def digits(text: str | None) -> str:
    """Only the digits of the text, as ASCII ("+7 (912) ３４５" -> "7912345")."""
    if not text:
        return ""
    if text.isascii():  # the usual case: ASCII digits are the only decimal characters
        return "".join(filter(str.isdigit, text))
    return "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


def _without_extension(query: str) -> str:
    runs = _find_runs(query)
    if runs and runs[-1].extension is not None:
        last = runs[-1]
        return query[: last.start] + last.number
    return query


def looks_like_phone(query: str | None) -> bool:
    """Whether a search query is a phone (or a piece of one) rather than a name.

    Only digits and phone punctuation (spaces, "+", "-", "(", ")", ".", "/"), an extension
    allowed at the end, and at least 5 digits — or at least 4 after a leading "+" ("+7 912").
    "912-34" and "861234567" are phones, "ООО Ромашка 2" and "2024" are not.
    """
    text = _without_extension((query or "").strip())
    if not text or not _PHONE_QUERY_CHARS.fullmatch(text):
        return False
    count = len(digits(text))
    return count >= 5 or (text.startswith("+") and count >= 4)


def index_keys(e164: str) -> list[str]:
    """What to store in a record's search document for one of its phones.

    The E.164 digits ("79123456789"), and the digits of the number in its own country's
    national format ("89123456789"; LT "061234567": Lithuania's trunk prefix is "0" since 2025),
    so that a Russian number is found in a Lithuanian workspace when it is typed the Russian way.
    A query matches the phone when one of `phone_search_keys(query, region)` is a substring of
    one of these.
    """
    e164_digits = digits(e164)
    if not e164_digits:
        return []
    keys = [e164_digits]
    try:
        number = phonenumbers.parse("+" + e164_digits, None)
    except NumberParseException:
        return keys
    keys.append(digits(phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)))
    return list(dict.fromkeys(key for key in keys if key))


def phone_search_keys(query: str, region: str) -> list[str]:
    """Digit strings to look for, as substrings, in stored phones' digits (`index_keys`).

    A phone may be searched for in any format or by any run of its digits, so a record matches
    when its E.164 digits contain ANY of the keys:

    1. the query's own digits (without an extension): "912-34" -> "91234", "+7 912" -> "7912";
    2. when the query is a whole valid number, its E.164 digits: "8 912 345 67 89" ->
       "79123456789" (the raw "89123456789" is not a substring of "79123456789");
    3. otherwise, when the query starts with the region's national prefix, the prefix replaced
       by the country code, so the beginning of a number typed the local way is found too:
       "8 912 34" in RU -> "791234", "8 612" in LT -> "370612".

    The first key is always first; an empty list means the query has no digits. Whether a query
    is a phone at all is `looks_like_phone`'s call.
    """
    query = _without_extension((query or "").strip())
    raw_digits = digits(query)
    if not raw_digits:
        return []
    keys = [raw_digits]
    region_code = _region(region)
    runs = _find_runs(query)
    e164 = None
    if len(runs) == 1 and len(raw_digits) >= 5:
        e164, _ = _parse_number(runs[0].number, region_code)
    if e164 is not None:
        keys.append(digits(e164))
    elif region_code and not query.startswith("+"):
        national = _national_part(raw_digits, region_code)
        if national:
            keys.append(str(phonenumbers.country_code_for_region(region_code)) + national)
    return list(dict.fromkeys(keys))


def _national_part(raw_digits: str, region_code: str) -> str | None:
    """The digits after the region's national prefix ("8" in RU, "8" or "0" in LT), if any."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region_code)
    if metadata is None or metadata.national_prefix_transform_rule:
        return None  # regions that rewrite digits while parsing: not worth guessing
    pattern = metadata.national_prefix_for_parsing or metadata.national_prefix
    if not pattern:
        return None
    match = re.match(pattern, raw_digits)
    if match is None or not 0 < match.end() < len(raw_digits):
        return None
    return raw_digits[match.end() :]
