"""The quick way for plain digits must give exactly what the full path gives.

`crm.phones` reads most numbers without `phonenumbers.parse` (`_parse_digits_quickly`). These
tests run a large generated corpus of cells through both `parse_phone_cell` and the full path
that has neither the quick way nor the cache (`_parse_phone_cell_full`), and compare every
`Phone`: raw, e164, extension and problem.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from crm import phones
from crm.phones import _parse_phone_cell_full, _parse_phone_full, parse_phone, parse_phone_cell

REGIONS = ["RU", "LT", "US", "GB", "DE", "KZ", "BY", "UA"]
TYPES = [
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.PAGER,
    PhoneNumberType.UAN,
    PhoneNumberType.VOICEMAIL,
]
EXTENSIONS = [
    " доб. 123",
    " доб 7",
    ", доб. 45",
    " ext 5",
    " ext. 12",
    " x12",
    "x12",
    " #3",
    " (вн. 12)",
    " ( доб 1 )",
    "\nдоб. 5",
    ";\nx 8",
    ",; доб 1",
    " добавочный 77",
    " EXT: 9",
    " доб. 12345678901",
    " доб. 1/2",
    " доб. 12 (бухгалтерия)",
    ") доб 3",
]
SEPARATORS = [
    ", ",
    "; ",
    " / ",
    "\n",
    " или ",
    " or ",
    " | ",
    ",",
    ",\n",
    " ;\n",
    "\n\n",
    ";;",
    " , ",
]
LABELS = ["тел. ", "моб: ", "Ivan: ", "Офис 2: ", "", "", "", ""]
NOTES = [" (бухгалтерия)", " - после 18:00", " Ivan", "", "", "", ""]
JUNK = [
    "",
    "   ",
    "нет",
    "—",
    "-",
    "0",
    "12",
    "123",
    "8 800 CALL NOW",
    "+7",
    "+",
    "тел.",
    "n/a",
    "1-2",
    "8 (912)",
    "00",
    "+0 123 456 789",
    "+999 1234567",
    "+8 8005553535",
    "tel:+7-912-345-67-89;ext=12",
    "８ ９１２ ３４５ ６７ ８９",
    "8 912\u2009345 67 89",
    "1" * 40,
    "+" + "9" * 30,
]


def example_numbers(region: str) -> list[phonenumbers.PhoneNumber]:
    numbers = []
    for number_type in TYPES:
        number = phonenumbers.example_number_for_type(region, number_type)
        if number is not None:
            numbers.append(number)
    return numbers


def varied(number: phonenumbers.PhoneNumber, rng: random.Random) -> phonenumbers.PhoneNumber:
    """The same number range with other last digits, sometimes shorter or longer."""
    national = phonenumbers.national_significant_number(number)
    keep = min(len(national), rng.choice([2, 3, 4, 5]))
    length = len(national) + rng.choice([0, 0, 0, 0, 0, -1, 1, -2, 2])
    tail = "".join(rng.choice("0123456789") for _ in range(max(0, length - keep)))
    digits = (national[:keep] + tail)[: max(length, 1)]
    result = phonenumbers.PhoneNumber(country_code=number.country_code)
    result.national_number = int(digits)
    if digits[0] == "0" and len(digits) > 1:
        result.italian_leading_zero = True
    return result


def written(number: phonenumbers.PhoneNumber, rng: random.Random) -> object:
    """One way people and spreadsheets write a number."""
    national = phonenumbers.national_significant_number(number)
    code = str(number.country_code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(
        phonenumbers.region_code_for_country_code(number.country_code), None
    )
    prefix = (metadata.national_prefix if metadata else None) or ""
    style = rng.randrange(16)
    if style == 0:
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if style == 1:
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    if style == 2:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    if style == 3:
        return prefix + national
    if style == 4:
        return national
    if style == 5:
        return code + national  # Excel dropped the "+"
    if style == 6:
        return rng.choice(["00", "810", "8 10 ", "011", "8"]) + code + national
    if style == 7:
        return float(prefix + national) if (prefix + national)[0] != "0" else national
    if style == 8:
        return f"{prefix}{national}.0"
    if style == 9:
        text = prefix + national
        return f"{text[0]},{text[1:]}E+{len(text) - 1}"  # CSV's scientific form
    if style == 10:
        return int(code + national)
    if style == 11:
        return f"+{code} ({national[:3]}) {national[3:6]}-{national[6:8]}-{national[8:]}"
    if style == 12:
        return f"{prefix} ({national[:3]}) {national[3:6]}-{national[6:8]}-{national[8:]}"
    if style == 13:
        return f"{prefix}-{national[:3]}-{national[3:]}"
    if style == 14:
        return f"+ {code} {national}"
    return f"{prefix}.{national[:3]}.{national[3:]}"


def corpus(rng: random.Random, size: int) -> Iterator[object]:
    numbers = [number for region in REGIONS for number in example_numbers(region)]
    for _ in range(size):
        shape = rng.randrange(10)
        if shape == 9:
            yield rng.choice(JUNK)
            continue
        number = varied(rng.choice(numbers), rng)
        cell = written(number, rng)
        if shape <= 4 or not isinstance(cell, str):
            yield cell  # one number alone: the common cell
        elif shape == 5:
            yield cell + rng.choice(EXTENSIONS)
        elif shape == 6:
            yield rng.choice(LABELS) + cell + rng.choice(NOTES)
        else:
            others = [written(varied(rng.choice(numbers), rng), rng) for _ in range(shape - 6)]
            pieces = [cell, *(str(other) for other in others)]
            if rng.random() < 0.3:
                pieces.append(cell)  # the same number twice
            if rng.random() < 0.3:
                pieces = [piece + rng.choice(EXTENSIONS) for piece in pieces]
            text = rng.choice(SEPARATORS).join(pieces)
            if rng.random() < 0.1:
                text = rng.choice(SEPARATORS) + text + rng.choice(SEPARATORS)
            yield text


@pytest.fixture
def quick_answers(monkeypatch) -> list[object]:
    """Counts the cells the quick way answered, so a test cannot pass without it."""
    answers: list[object] = []
    quick = phones._parse_digits_quickly

    def counted(number_text: str, region: str | None):
        answer = quick(number_text, region)
        if answer is not None:
            answers.append(answer)
        return answer

    monkeypatch.setattr(phones, "_parse_digits_quickly", counted)
    phones._parse_plain.cache_clear()
    yield answers
    phones._parse_plain.cache_clear()


@pytest.mark.parametrize("seed", range(3))
def test_cells_are_read_the_same_as_by_the_full_path(seed, quick_answers):
    rng = random.Random(seed)
    cells = list(corpus(rng, 1000))
    for cell in cells:
        for region in (rng.choice(REGIONS), rng.choice(REGIONS), ""):
            assert parse_phone_cell(cell, region) == _parse_phone_cell_full(cell, region), (
                cell,
                region,
            )
    assert len(quick_answers) > len(cells) // 2  # the quick way answered for many cells


@pytest.mark.parametrize("region", REGIONS)
def test_one_number_is_read_the_same_as_by_the_full_path(region, quick_answers):
    rng = random.Random(region)
    for cell in corpus(rng, 500):
        text = None if cell is None else str(cell)
        assert parse_phone(text, region) == _parse_phone_full(text, region), (text, region)
    assert quick_answers


def test_digits_of_every_region_are_read_the_same_as_by_the_full_path(quick_answers):
    """Every region's metadata (transform rules, leading zeros, shared country codes) in every
    workspace region we use: the quick way answers or steps aside, never differs."""
    rng = random.Random(7)
    for number_region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for number in example_numbers(number_region):
            for _ in range(3):
                cell = written(varied(number, rng), rng)
                for region in (number_region, rng.choice(REGIONS)):
                    assert parse_phone_cell(cell, region) == _parse_phone_cell_full(cell, region), (
                        cell,
                        region,
                    )
    assert len(quick_answers) > 1000


@pytest.mark.parametrize("region", REGIONS)
def test_every_length_of_digits_is_read_the_same(region, quick_answers):
    """Plain digit strings of every length, with the region's prefixes and its country code."""
    rng = random.Random(region + "digits")
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    starts = ["", "0", "00", "1", "7", "8", "9", "80", "810", str(metadata.country_code)]
    for start in starts:
        for length in range(1, 20):
            tail = "".join(rng.choice("0123456789") for _ in range(length))
            for text in (start + tail, "+" + start + tail):
                assert parse_phone_cell(text, region) == _parse_phone_cell_full(text, region), (
                    text,
                    region,
                )
    assert quick_answers


def test_the_comparison_notices_a_wrong_quick_answer(monkeypatch):
    """The differential tests above would fail if the quick way returned something else."""
    monkeypatch.setattr(
        phones, "_parse_digits_quickly", lambda text, region: ("+70000000000", None)
    )
    phones._parse_plain.cache_clear()
    try:
        cell = "8 (912) 345-67-89"
        assert parse_phone_cell(cell, "RU") != _parse_phone_cell_full(cell, "RU")
    finally:
        phones._parse_plain.cache_clear()


def test_the_benchmark_workbooks_cells_are_read_the_same(quick_answers):
    """The shapes of crm.importing.samples' 1C workbook, which the import benchmark reads."""
    from crm.importing.samples import _messy_phone, _mobile

    for index in range(1, 600):
        code, number = _mobile(index * 7919)
        cell = _messy_phone(code, number, index % 5)
        if index % 3 == 0 and isinstance(cell, str):
            cell = f"{cell}; 8 (495) {index:03d}-45-67"
        for region in ("RU", "KZ", "LT"):
            assert parse_phone_cell(cell, region) == _parse_phone_cell_full(cell, region), cell
    assert len(quick_answers) > 1000


def _numbers_near_examples(region: str, rng: random.Random) -> Iterator[phonenumbers.PhoneNumber]:
    """Each type's example number of `region`, and variants: a digit changed, one more, one
    less, in its own country code and in another."""
    if region == "001":
        codes = sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS)
        examples = [phonenumbers.example_number_for_non_geo_entity(code) for code in codes]
    else:
        examples = [phonenumbers.example_number_for_type(region, type_) for type_ in TYPES]
    for example in examples:
        if example is None:
            continue
        national = str(example.national_number)
        variants = [national, national + "5", national[:-1] or "1"]
        for _ in range(4):
            position = rng.randrange(len(national))
            variants.append(national[:position] + str(rng.randrange(10)) + national[position + 1 :])
        for digits_ in variants:
            for country_code in (example.country_code, 7, 1, 44):
                yield phonenumbers.PhoneNumber(
                    country_code=country_code,
                    national_number=int(digits_),
                    italian_leading_zero=example.italian_leading_zero,
                )


def test_validity_in_a_region_is_phonenumbers_own():
    """`_is_valid_for_region` tries the number types in another order: same answers."""
    rng = random.Random(7)
    regions = sorted(phonenumbers.SUPPORTED_REGIONS) + ["001"]
    checked = 0
    for region in regions:
        for number in _numbers_near_examples(region, rng):
            expected = phonenumbers.is_valid_number_for_region(number, region)
            assert phones._is_valid_for_region(number, region) == expected, (number, region)
            checked += 1
    assert checked > 10_000
