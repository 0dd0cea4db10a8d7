from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from crm.phones import (
    Phone,
    PhoneProblem,
    cell_text,
    digits,
    format_international,
    index_keys,
    looks_like_phone,
    parse_phone,
    parse_phone_cell,
    phone_search_keys,
    tel_uri,
)

RU_MOBILE = "+79123456789"
RU_MOSCOW = "+74951234567"
LT_MOBILE = "+37061234567"
LT_VILNIUS = "+37052123456"


def e164s(phones: list[Phone]) -> list[str | None]:
    return [phone.e164 for phone in phones]


# --- parse_phone: one number ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("8 (912) 345-67-89", "RU", RU_MOBILE),
        ("+7 912 345 67 89", "RU", RU_MOBILE),
        ("+7 (912) 345-67-89", "RU", RU_MOBILE),
        ("9123456789", "RU", RU_MOBILE),
        ("89123456789", "RU", RU_MOBILE),
        ("79123456789", "RU", RU_MOBILE),
        ("8-912-345-67-89", "RU", RU_MOBILE),
        ("8.912.345.67.89", "RU", RU_MOBILE),
        ("(912) 345-67-89", "RU", RU_MOBILE),
        ("+ 7 912 345 67 89", "RU", RU_MOBILE),
        ("8\u00a0912\u00a0345\u201167\u201189", "RU", RU_MOBILE),  # no-break space and hyphen
        ("８９１２３４５６７８９", "RU", RU_MOBILE),  # full-width digits
        ("8 (495) 123-45-67", "RU", RU_MOSCOW),
        ("495/123-45-67", "RU", RU_MOSCOW),
        ("8 612 34567", "LT", LT_MOBILE),
        ("+370 612 34567", "LT", LT_MOBILE),
        ("861234567", "LT", LT_MOBILE),
        ("0 612 34567", "LT", LT_MOBILE),  # the trunk prefix since 2025
        ("(0-612) 34567", "LT", LT_MOBILE),
        ("612 34567", "LT", LT_MOBILE),
        ("(8 5) 212 3456", "LT", LT_VILNIUS),
        ("8 5/212 3456", "LT", LT_VILNIUS),
        ("+370 5 212 3456", "LT", LT_VILNIUS),
        ("0037061234567", "LT", LT_MOBILE),
        # a number from another country, written internationally, in either workspace
        ("+370 612 34567", "RU", LT_MOBILE),
        ("+7 912 345 67 89", "LT", RU_MOBILE),
        ("+44 20 7946 0958", "RU", "+442079460958"),
        # lower-case region codes are fine
        ("8 912 345 67 89", "ru", RU_MOBILE),
    ],
)
def test_numbers_as_people_write_them(text, region, expected):
    phone = parse_phone(text, region)
    assert phone == Phone(raw=text, e164=expected, extension=None, problem=None)
    assert phone.ok


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        # Excel drops the "+": digits that are invalid locally but valid internationally
        ("37061234567", "RU", LT_MOBILE),
        ("442079460958", "LT", "+442079460958"),
        # "00" is the exit code in Lithuania but not in Russia (there it is "8 10")
        ("0037061234567", "RU", LT_MOBILE),
        ("8 10 370 612 34567", "RU", LT_MOBILE),
    ],
)
def test_international_numbers_without_a_plus(text, region, expected):
    assert parse_phone(text, region).e164 == expected


@pytest.mark.parametrize(
    ("text", "extension"),
    [
        ("8 (912) 345-67-89 доб. 123", "123"),
        ("8 (912) 345-67-89 доб 123", "123"),
        ("8 (912) 345-67-89 доб.123", "123"),
        ("8 (912) 345-67-89, доб. 123", "123"),
        ("8 (912) 345-67-89 (доб. 123)", "123"),
        ("8 (912) 345-67-89 ДОБ. 123", "123"),
        ("8 (912) 345-67-89 добавочный 123", "123"),
        ("8 (912) 345-67-89 доп. 123", "123"),
        ("8 (912) 345-67-89 вн. 12", "12"),
        ("8 (912) 345-67-89 внутр. 12", "12"),
        ("+7 912 345 67 89 ext. 12", "12"),
        ("+7 912 345 67 89 ext 12", "12"),
        ("+7 912 345 67 89 Ext.: 12", "12"),
        ("+7 912 345 67 89 x12", "12"),
        ("+7 912 345 67 89 x 12", "12"),
        ("+7 912 345 67 89 X12", "12"),
        ("+7 912 345 67 89 #12", "12"),
        ("+7 912 345 67 89 х12", "12"),  # Cyrillic "х"
        ("tel:+7-912-345-67-89;ext=12", "12"),
        ("+7 912 345 67 89 доб. 123 (бухгалтерия)", "123"),
    ],
)
def test_extensions_ru_and_en(text, extension):
    phone = parse_phone(text, "RU")
    assert (phone.e164, phone.extension, phone.raw) == (RU_MOBILE, extension, text)


@pytest.mark.parametrize(
    "text", ["+370 612 34567 papild. 12", "8 612 34567 papild 12", "8 612 34567 ext. 12"]
)
def test_extensions_lt(text):
    phone = parse_phone(text, "LT")
    assert (phone.e164, phone.extension) == (LT_MOBILE, "12")


@pytest.mark.parametrize(
    "text",
    [
        "тел. 8 912 345 67 89",
        "моб.: +7 912 345 67 89",
        "Иван: 8 912 345 67 89",
        "tel:+79123456789",
        "Офис 2: 8 912 345 67 89",  # a short digit run in the label is not the number
        "8 912 345 67 89 (Иван)",
        "8 912 345 67 89 - бухгалтерия",
        "8 912 345 67 89 (звонить после 18:00)",
        "8 912 345 67 89.",
        "+7 912 345 67 89 Ivan",  # letters are a note, never digits of a "vanity" number
    ],
)
def test_labels_and_notes_around_the_number(text):
    phone = parse_phone(text, "RU")
    assert (phone.e164, phone.extension, phone.raw) == (RU_MOBILE, None, text)


def test_raw_is_kept_as_given_but_stripped():
    assert parse_phone("  8 (912) 345-67-89\n", "RU").raw == "8 (912) 345-67-89"
    assert parse_phone("8 912 345 67 89 доб. 5", "RU").raw == "8 912 345 67 89 доб. 5"


def test_excel_forms_in_a_single_number():
    assert parse_phone("89123456789.0", "RU").e164 == RU_MOBILE
    assert parse_phone("8,9123456789E+10", "RU").e164 == RU_MOBILE
    assert parse_phone("89123456789.0", "RU").raw == "89123456789.0"


@pytest.mark.parametrize(
    ("text", "region", "problem"),
    [
        ("", "RU", PhoneProblem.empty),
        ("   ", "RU", PhoneProblem.empty),
        (None, "RU", PhoneProblem.empty),
        ("abc", "RU", PhoneProblem.not_a_number),
        ("нет телефона", "RU", PhoneProblem.not_a_number),
        ("—", "RU", PhoneProblem.not_a_number),
        ("123", "RU", PhoneProblem.too_short),
        ("+7 912", "RU", PhoneProblem.too_short),
        ("8 912 345 67", "RU", PhoneProblem.too_short),
        ("8 912 345 67 8", "RU", PhoneProblem.invalid),  # read as 891 234 56 78: no such range
        ("+7 912 345 67 8", "RU", PhoneProblem.too_short),
        ("345-67-89", "RU", PhoneProblem.too_short),  # a local number without its area code
        ("8 800 CALL NOW", "RU", PhoneProblem.too_short),  # letters are not digits
        ("1" * 40, "RU", PhoneProblem.too_long),
        ("8 912 345 67 89 8 495 123 45 67", "RU", PhoneProblem.too_long),  # two, no separator
        ("+7 123 456 78 90", "RU", PhoneProblem.invalid),  # no 1xx area codes in Russia
        ("8 612 34567", "RU", PhoneProblem.too_short),  # a Lithuanian number, national form
        ("+7 912 345 67 899", "RU", PhoneProblem.too_long),
        ("+999 123 456", "RU", PhoneProblem.invalid_country_code),
        ("9123456789", "XX", PhoneProblem.invalid_country_code),  # no usable default region
        ("9123456789", "", PhoneProblem.invalid_country_code),
    ],
)
def test_problems(text, region, problem):
    phone = parse_phone(text, region)
    assert phone.e164 is None
    assert not phone.ok
    assert phone.problem == problem
    assert isinstance(phone.problem, str)


def test_an_unknown_region_still_reads_international_numbers():
    assert parse_phone("+7 912 345 67 89", "XX").e164 == RU_MOBILE


def test_very_long_input_is_too_long_not_slow():
    text = "8 912 345 67 89 " * 10_000
    phone = parse_phone(text, "RU")
    assert (phone.e164, phone.problem) == (None, PhoneProblem.too_long)
    assert phone.raw == text.strip()


def test_the_longest_number_is_taken_when_there_are_several():
    assert parse_phone("код 12, 8 495 123 45 67", "RU").e164 == RU_MOSCOW


def test_a_problem_keeps_the_extension_it_found():
    phone = parse_phone("8 912 345 доб. 12", "RU")
    assert (phone.e164, phone.extension, phone.problem) == (None, "12", PhoneProblem.too_short)


# --- parse_phone_cell: spreadsheet cells and messages --------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        89123456789,
        89123456789.0,
        "89123456789",
        "89123456789.0",
        "89123456789,0",
        " 89123456789.00 ",
        "8,9123456789E+10",
        "8.9123456789E10",
        "8.9123456789e+10",
        Decimal("89123456789"),
        Decimal("89123456789.0"),
        Decimal("8.9123456789E+10"),
    ],
)
def test_excel_number_forms_become_the_digits(value):
    assert parse_phone_cell(value, "RU") == [Phone(raw="89123456789", e164=RU_MOBILE)]


@pytest.mark.parametrize("value", ["9.12345678E9", "9,12345678E+09"])
def test_scientific_notation_from_csv(value):
    # Nine significant digits of a ten-digit number: what the CSV says, not what was typed.
    assert parse_phone_cell(value, "RU") == [Phone(raw="9123456780", e164="+79123456780")]


def test_large_floats_do_not_lose_precision():
    # 0.1 + 0.2 style arithmetic would be off by a few units here; repr/Decimal is exact.
    assert parse_phone_cell(442079460958.0, "RU")[0].e164 == "+442079460958"
    assert parse_phone_cell(37061234567.0, "LT")[0].e164 == LT_MOBILE
    assert parse_phone_cell(861234567, "LT")[0].e164 == LT_MOBILE


def test_international_numbers_that_excel_stored_as_numbers():
    # "+37061234567" typed into Excel becomes the number 37061234567.
    assert parse_phone_cell(37061234567, "RU") == [Phone(raw="37061234567", e164=LT_MOBILE)]
    assert parse_phone_cell(79123456789, "RU") == [Phone(raw="79123456789", e164=RU_MOBILE)]


@pytest.mark.parametrize("value", [None, "", "   ", "\n\t", float("nan"), float("inf")])
def test_empty_cells_hold_no_phones(value):
    assert parse_phone_cell(value, "RU") == []


@pytest.mark.parametrize(
    "value",
    [
        "8 (912) 345-67-89, 8 (495) 123-45-67",
        "8 (912) 345-67-89; 8 (495) 123-45-67",
        "8 (912) 345-67-89 / 8 (495) 123-45-67",
        "8 (912) 345-67-89/8 (495) 123-45-67",
        "8 (912) 345-67-89\n8 (495) 123-45-67",
        "8 (912) 345-67-89\r\n8 (495) 123-45-67",
        "8 (912) 345-67-89 | 8 (495) 123-45-67",
        "8 (912) 345-67-89 или 8 (495) 123-45-67",
        "8 (912) 345-67-89 ИЛИ 8 (495) 123-45-67",
        "8 (912) 345-67-89 or 8 (495) 123-45-67",
        "8 (912) 345-67-89 и 8 (495) 123-45-67",
        "+7 912 345 67 89,+7 495 123 45 67",
        "89123456789,84951234567",
        "8 912 345 67 89 Иван 8 495 123 45 67",  # no separator but a note between them
        "8 912 345 67 89 (Иван), 8 495 123 45 67 (бухгалтерия)",
    ],
)
def test_several_numbers_in_one_ru_cell(value):
    assert e164s(parse_phone_cell(value, "RU")) == [RU_MOBILE, RU_MOSCOW]


@pytest.mark.parametrize(
    "value",
    [
        "8 612 34567 arba 8 5 212 3456",
        "+370 612 34567; +370 5 212 3456",
        "861234567\n852123456",
        "+370 612 34567 ARBA (8 5) 212 3456",
        "8 612 34567, 8 5/212 3456",
    ],
)
def test_several_numbers_in_one_lt_cell(value):
    assert e164s(parse_phone_cell(value, "LT")) == [LT_MOBILE, LT_VILNIUS]


def test_each_phone_keeps_its_own_piece_as_raw():
    phones = parse_phone_cell("  8 (912) 345-67-89 доб. 1 ;  +7 495 123-45-67 (офис) ", "RU")
    assert [phone.raw for phone in phones] == [
        "8 (912) 345-67-89 доб. 1",
        "+7 495 123-45-67 (офис)",
    ]
    assert [phone.extension for phone in phones] == ["1", None]


@pytest.mark.parametrize(
    "value",
    [
        "8 (912) 345-67-89",
        "+7 (912) 345 67 89",
        "8-912-345-67-89",
        "8 912 345 67 89",
        "(912)34567-89",
    ],
)
def test_a_single_number_with_spaces_dashes_and_parentheses_is_not_split(value):
    assert parse_phone_cell(value, "RU") == [Phone(raw=value, e164=RU_MOBILE)]


def test_a_slash_inside_a_number_is_not_a_separator():
    assert parse_phone_cell("8 5/212 3456", "LT") == [Phone(raw="8 5/212 3456", e164=LT_VILNIUS)]
    assert parse_phone_cell("495/123-45-67", "RU") == [Phone(raw="495/123-45-67", e164=RU_MOSCOW)]


def test_an_extension_after_a_separator_belongs_to_the_number_before_it():
    phones = parse_phone_cell("8 912 345 67 89, доб. 123; 8 495 123 45 67, ext 7", "RU")
    assert [(phone.e164, phone.extension) for phone in phones] == [
        (RU_MOBILE, "123"),
        (RU_MOSCOW, "7"),
    ]


def test_the_same_number_twice_is_returned_once():
    value = "8 912 345 67 89, +7 912 345 67 89; 89123456789"
    assert parse_phone_cell(value, "RU") == [Phone(raw="8 912 345 67 89", e164=RU_MOBILE)]
    # another extension is another phone
    assert len(parse_phone_cell("8 912 345 67 89 доб. 1, 8 912 345 67 89 доб. 2", "RU")) == 2


def test_unparseable_pieces_become_phones_with_problems():
    phones = parse_phone_cell("123, 8 912 345 67 89, +7 123 456 78 90", "RU")
    assert [(phone.raw, phone.e164, phone.problem) for phone in phones] == [
        ("123", None, PhoneProblem.too_short),
        ("8 912 345 67 89", RU_MOBILE, None),
        ("+7 123 456 78 90", None, PhoneProblem.invalid),
    ]


@pytest.mark.parametrize("value", ["нет", "n/a", "-", "—", "см. сайт", "Ivan", True])
def test_a_cell_without_digits_is_one_not_a_number(value):
    phones = parse_phone_cell(value, "RU")
    assert [(phone.e164, phone.problem) for phone in phones] == [(None, PhoneProblem.not_a_number)]


def test_notes_without_digits_next_to_numbers_are_skipped():
    assert e164s(parse_phone_cell("8 912 345 67 89 / Иван Петрович", "RU")) == [RU_MOBILE]


def test_many_numbers_in_a_very_long_cell():
    numbers = [f"+7 912 345 {n // 100:02d} {n % 100:02d}" for n in range(500)]
    phones = parse_phone_cell(", ".join(numbers), "RU")
    assert len(phones) == 500
    assert phones[0].e164 == "+79123450000"
    assert phones[-1].e164 == "+79123450499"


def test_a_huge_piece_is_too_long():
    (phone,) = parse_phone_cell("8" * 5000, "RU")
    assert phone.problem == PhoneProblem.too_long


@pytest.mark.parametrize(
    "value",
    [
        "((((",
        "++++7",
        "8 (912",
        "x" * 10_000,
        " " * 10_000 + "a",
        "1" + " " * 10_000 + "x",
        "доб. 123",
        "ext",
        "#",
        "+",
        "1e99999",
        "9.9E+99",
        "1,2,3,4,5,6",
        "\x00\x01\u200b",
        "٠١٢٣٤٥٦٧٨٩",
        object(),
        ["8 912 345 67 89"],
        -89123456789,
        1e300,
    ],
)
def test_garbage_never_raises(value):
    for phone in parse_phone_cell(value, "RU"):
        assert isinstance(phone, Phone)
        assert (phone.e164 is None) == (phone.problem is not None)
    phone = parse_phone(value if isinstance(value, str) else str(value), "LT")
    assert (phone.e164 is None) == (phone.problem is not None)


def test_cell_text():
    assert cell_text(None) == ""
    assert cell_text(89123456789) == "89123456789"
    assert cell_text(89123456789.0) == "89123456789"
    assert cell_text(12.5) == "12.5"
    assert cell_text(Decimal("7701234567.000")) == "7701234567"
    assert cell_text(" 9,12345678E+09 ") == "9123456780"
    assert cell_text("0012345.0") == "0012345"  # leading zeros of text stay
    assert cell_text("Версия 2.0") == "Версия 2.0"  # short numbers are not Excel's doing
    assert cell_text("1.5E-3") == "1.5E-3"  # not an integer: left alone
    assert cell_text(1e300) == "1E+300"  # bounded: no 300-digit string


# --- formatting and links ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        (RU_MOBILE, "+7 912 345-67-89"),
        (RU_MOSCOW, "+7 495 123-45-67"),
        (LT_MOBILE, "+370 612 34567"),
        (LT_VILNIUS, "+370 5 212 3456"),
        ("+442079460958", "+44 20 7946 0958"),
        ("not a number", "not a number"),
        ("", ""),
    ],
)
def test_format_international(e164, expected):
    assert format_international(e164) == expected


def test_tel_uri():
    assert tel_uri(RU_MOBILE) == "tel:+79123456789"
    assert tel_uri(RU_MOBILE, "123") == "tel:+79123456789;ext=123"
    assert tel_uri(LT_MOBILE, None) == "tel:+37061234567"
    assert tel_uri(LT_MOBILE, "") == "tel:+37061234567"


def test_round_trip_through_the_stored_form():
    phone = parse_phone("8 (912) 345-67-89 доб. 123", "RU")
    assert format_international(phone.e164) == "+7 912 345-67-89"
    assert tel_uri(phone.e164, phone.extension) == "tel:+79123456789;ext=123"
    assert parse_phone(format_international(phone.e164), "LT").e164 == phone.e164


# --- searching -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+7 (912) 345-67-89", "79123456789"),
        ("8 612 34567 доб. 1", "8612345671"),
        ("８９１２", "8912"),
        ("abc", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_digits(text, expected):
    assert digits(text) == expected


@pytest.mark.parametrize(
    "query",
    [
        "+7 912",
        "912-34",
        "861234567",
        "8 (912) 345-67-89",
        "+370 612 34567",
        "12345",
        "8 912 345 67 89 доб. 123",
        "  912 34  ",
    ],
)
def test_looks_like_phone(query):
    assert looks_like_phone(query)


@pytest.mark.parametrize(
    "query",
    [
        "ООО Ромашка 2",
        "Ромашка",
        "2024",
        "1234",
        "+7",
        "+7 9",
        "ivan@romashka.ru",
        "UAB Žalia giria",
        "9123 Ivan",
        "",
        "   ",
        None,
    ],
)
def test_does_not_look_like_phone(query):
    assert not looks_like_phone(query)


@pytest.mark.parametrize(
    ("query", "region", "keys"),
    [
        # a run of digits: itself
        ("912-34", "RU", ["91234"]),
        ("345 67", "LT", ["34567"]),
        ("+7 912", "RU", ["7912"]),
        # a whole number: also its E.164 digits
        ("8 912 345 67 89", "RU", ["89123456789", "79123456789"]),
        ("8 (912) 345-67-89 доб. 123", "RU", ["89123456789", "79123456789"]),
        ("+7 912 345 67 89", "RU", ["79123456789"]),
        ("861234567", "LT", ["861234567", "37061234567"]),
        ("+370 612 34567", "RU", ["37061234567"]),
        # the beginning of a number written the local way
        ("8 912 34", "RU", ["891234", "791234"]),
        ("8 612", "LT", ["8612", "370612"]),
        ("0 612", "LT", ["0612", "370612"]),
        ("0 612 34567", "LT", ["061234567", "37061234567"]),
        # nothing to search for
        ("Ромашка", "RU", []),
        ("", "RU", []),
    ],
)
def test_phone_search_keys(query, region, keys):
    assert phone_search_keys(query, region) == keys


@pytest.mark.parametrize(
    ("query", "region"),
    [
        ("8 912 345 67 89", "RU"),
        ("+7 912 345 67 89", "RU"),
        ("8 (912) 345-67-89", "RU"),
        ("89123456789", "RU"),
        ("9123456789", "RU"),
        ("912 345", "RU"),
        ("345-67-89", "RU"),
        ("67 89", "RU"),
        ("8 912", "RU"),
        ("+7 912", "RU"),
        ("7912345", "RU"),
        ("+7 912 345 67 89", "LT"),
        ("79123456789", "LT"),
    ],
)
def test_any_format_or_run_of_digits_finds_the_stored_number(query, region):
    stored = digits(RU_MOBILE)
    assert any(key in stored for key in phone_search_keys(query, region))
    assert found(query, region, RU_MOBILE)


@pytest.mark.parametrize(
    ("query", "region"),
    [("8 612 34567", "LT"), ("612 34", "LT"), ("8 612", "LT"), ("+370 6", "LT"), ("370612", "RU")],
)
def test_lithuanian_numbers_are_found_the_same_way(query, region):
    stored = digits(LT_MOBILE)
    assert any(key in stored for key in phone_search_keys(query, region))
    assert found(query, region, LT_MOBILE)


def test_other_numbers_are_not_found():
    stored = digits(RU_MOSCOW)
    for query in ("8 912 345 67 89", "912 345", "8 912"):
        assert not any(key in stored for key in phone_search_keys(query, "RU"))
        assert not found(query, "RU", RU_MOSCOW)


def found(query: str, region: str, e164: str) -> bool:
    """How a search document built from `index_keys` is searched with `phone_search_keys`."""
    return any(
        key in stored for key in phone_search_keys(query, region) for stored in index_keys(e164)
    )


@pytest.mark.parametrize(
    ("e164", "keys"),
    [
        (RU_MOBILE, ["79123456789", "89123456789"]),
        (RU_MOSCOW, ["74951234567", "84951234567"]),
        # Lithuania's trunk prefix is "0" since 2025; "8 612 ..." is still read, see above
        (LT_MOBILE, ["37061234567", "061234567"]),
        (LT_VILNIUS, ["37052123456", "052123456"]),
        ("+442079460958", ["442079460958", "02079460958"]),
        ("", []),
        ("garbage", []),
    ],
)
def test_index_keys(e164, keys):
    assert index_keys(e164) == keys


def test_a_number_from_abroad_typed_the_way_its_country_writes_it():
    # A Lithuanian team with a Russian client: "8 912 ..." means nothing in Lithuania.
    assert not any(key in digits(RU_MOBILE) for key in phone_search_keys("8 912 345", "LT"))
    assert found("8 912 345", "LT", RU_MOBILE)
    assert found("0 612 345", "RU", LT_MOBILE)


# --- the parse cache ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "8 (912) 345-67-89",
        "89123456789",
        "+7 912 345 67 89",
        "+ 7 (912) 345-67-89",
        "(912) 345-67-89",
        "7 912 345 67 89",
        "0037061234567",
        "37061234567",
        "8 612 34567",
        "8.912.345.67.89",
        "8 5/212 3456",
        "123",
        "12",
        "1-2",
        "8 912\u2009345 67 89",  # a thin space: not phonenumbers' punctuation
        "８ ９１２ ３４５ ６７ ８９",  # fullwidth digits
        "+" + "1" * 300,
    ],
)
@pytest.mark.parametrize("region", ["RU", "LT", "US", None])
def test_cached_parsing_is_the_same_as_phonenumbers_on_the_text(text, region):
    from crm.phones import _find_runs, _parse_number, _parse_number_uncached

    for run in _find_runs(text) or []:
        assert _parse_number(run.number, region) == _parse_number_uncached(run.number, region)


def test_a_cell_that_is_one_number_and_a_cell_with_more_give_the_same_phone():
    assert parse_phone_cell("8 (912) 345-67-89", "RU") == [
        Phone(raw="8 (912) 345-67-89", e164="+79123456789")
    ]
    assert parse_phone_cell(89123456789.0, "RU") == [Phone("89123456789", "+79123456789")]
    assert parse_phone_cell("12", "RU") == [Phone("12", None, problem=PhoneProblem.too_short)]
    assert parse_phone_cell("8 (912) 345-67-89, 8 912 345 67 89", "RU") == [
        Phone(raw="8 (912) 345-67-89", e164="+79123456789")
    ]


def test_the_shorter_validity_check_agrees_with_phonenumbers():
    import phonenumbers

    from crm.phones import _is_valid

    numbers = [
        "+79123456789",  # RU: +7 shared with KZ
        "+77012345678",  # KZ
        "+74951234567",
        "+7912345678",
        "+12025550123",  # US: +1 shared by NANP
        "+14165550123",  # CA
        "+12642920000",  # AI: a region with leading digits
        "+37061234567",  # LT: one region
        "+3706123456",
        "+447911123456",  # GB, shared with GG, IM, JE
        "+441481256789",  # GG
        "+80012345678",  # non-geographic
        "+73012345678",  # RU by its leading digits
        "+76012345678",  # not RU by its leading digits: KZ
        "+77172123456",  # KZ fixed line
    ]
    for text in numbers:
        number = phonenumbers.parse(text, None)
        assert _is_valid(number) == phonenumbers.is_valid_number(number), text


def test_the_shorter_validity_check_agrees_with_phonenumbers_for_shared_country_codes():
    """Every region that shares its country code, with example numbers and neighbours of them."""
    import random

    import phonenumbers

    from crm.phones import _is_valid

    rng = random.Random(3)
    checked = 0
    for country_code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items():
        if len(regions) < 2:
            continue
        for region in regions:
            example = phonenumbers.example_number(region)
            if example is None:
                continue
            national = str(example.national_number)
            for _ in range(20):
                digits = national[: rng.randrange(1, len(national))]
                digits += "".join(rng.choice("0123456789") for _ in range(len(national)))
                number = phonenumbers.PhoneNumber(
                    country_code=country_code, national_number=int(digits[: len(national)])
                )
                assert _is_valid(number) == phonenumbers.is_valid_number(number), number
                checked += 1
    assert checked > 500


def test_whole_floats_give_the_digits_of_their_decimal_repr():
    """cell_text's shortcut for floats such as 89123456789.0 agrees with the Decimal way."""
    import random

    from crm.phones import _decimal_text

    rng = random.Random(5)
    edges = [0.0, -0.0, 1.0, -1.0, 2.0**53 - 1, -(2.0**53 - 1), 2.0**53, 1e15, 1e16, 1e22]
    randoms = [float(rng.randrange(10 ** rng.randrange(1, 17))) for _ in range(5000)]
    for value in edges + randoms + [value / 7 for value in randoms[:500]]:
        assert cell_text(value) == _decimal_text(Decimal(repr(value))), value


@pytest.mark.parametrize("text", ["+7 (912) 345-67-89", "tel:8912", "abc", "+79123456789"])
def test_digits_of_ascii_text_as_of_any_text(text):
    full = "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())
    assert digits(text) == full
