from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

import pytest

from crm.names import (
    LEGAL_FORMS,
    SEARCH_SEPARATOR,
    find_emails,
    normalize_email,
    normalize_org_name,
    normalize_person_name,
    normalize_tax_id,
    normalize_text,
    search_text,
)

# --- organizations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "ООО «Ромашка»",
        'ООО "Ромашка"',
        "ООО “Ромашка”",
        "ООО „Ромашка“",
        "ООО 'Ромашка'",
        'ООО"Ромашка"',  # 1C without a space
        "ООО«Ромашка»",
        "Ромашка ООО",
        "ромашка, ООО",
        "Ромашка (ООО)",
        "«Ромашка», ооо",
        "Общество с ограниченной ответственностью «Ромашка»",
        'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "РОМАШКА"',
        "ЗАО «Ромашка»",
        "Закрытое акционерное общество «Ромашка»",
        "ОАО Ромашка",
        "Открытое акционерное общество Ромашка",
        "ПАО «Ромашка»",
        "Публичное акционерное общество «Ромашка»",
        "АО «Ромашка»",
        "Акционерное общество «Ромашка»",
        "ТОО «Ромашка»",
        "ФГУП «Ромашка»",
        "  ромашка  ",
        "РОМАШКА",
        "OOO «Ромашка»",  # Latin "OOO"
    ],
)
def test_russian_company_names_are_one_name(name):
    assert normalize_org_name(name) == "ромашка"


@pytest.mark.parametrize(
    "name",
    [
        'UAB "Žalia giria"',
        "UAB „Žalia giria“",
        "Žalia Giria, UAB",
        "ŽALIA GIRIA UAB",
        "Uždaroji akcinė bendrovė „Žalia giria“",
        "UZDAROJI AKCINE BENDROVE ZALIA GIRIA".replace("ZALIA", "ŽALIA"),
        "AB „Žalia giria“",
        "Akcinė bendrovė Žalia giria",
        "MB Žalia giria",
        "Mažoji bendrija „Žalia giria“",
        "IĮ „Žalia giria“",
        "Individuali įmonė „Žalia giria“",
        "VšĮ „Žalia giria“",
        "VŠĮ Žalia giria",
        "Viešoji įstaiga „Žalia giria“",
        "TŪB Žalia giria",
        "KŪB Žalia giria",
        "Z\u030calia giria, UAB",  # decomposed Ž as it comes from some keyboards
    ],
)
def test_lithuanian_company_names_are_one_name(name):
    assert normalize_org_name(name) == "žalia giria"


def test_lithuanian_letters_keep_their_marks():
    assert normalize_org_name("UAB Žalia giria") != normalize_org_name("UAB Zalia giria")
    assert normalize_org_name("ĄČĘĖĮŠŲŪŽ") == "ąčęėįšųūž"


@pytest.mark.parametrize(
    "name",
    [
        "Romashka",
        "ROMASHKA LLC",
        "Romashka, LLC",
        "Romashka L.L.C.",
        "Romashka Ltd",
        "Romashka Ltd.",
        "Romashka Limited",
        "Romashka Inc",
        "Romashka, Inc.",
        "Romashka Incorporated",
        "Romashka Corp.",
        "Romashka Corporation",
        "Romashka Co.",
        "Romashka & Co.",
        "Romashka Company",
        "Romashka Co., Ltd.",
        "Romashka Limited Liability Company",
        "Romashka GmbH",
        "Romashka LLP",
        "Romashka PLC",
        "SIA Romashka",
        "Romashka OÜ",
        "AS Romashka",
        "Romashka Oy",
        "Romashka Sp. z o.o.",
        "Romashka sp. z o. o.",
        '"Romashka"',
    ],
)
def test_english_and_other_legal_forms(name):
    assert normalize_org_name(name) == "romashka"


def test_case_and_yo():
    assert normalize_org_name("ООО «Ёлка»") == normalize_org_name("елка") == "елка"
    assert normalize_org_name("ЁЛКА-ПАЛКА") == "елка палка"


def test_punctuation_becomes_spaces_and_spaces_collapse():
    assert normalize_org_name("ООО «Рога и Копыта-2000»!") == "рога и копыта 2000"
    assert normalize_org_name("Ромашка\t\n  Плюс") == "ромашка плюс"
    assert normalize_org_name("Ромашка№1") == "ромашка 1"
    assert normalize_org_name("Ромашка\u00a0Плюс") == "ромашка плюс"


def test_apostrophes_inside_words_do_not_split_them():
    assert normalize_org_name("O'Reilly Media, Inc.") == "oreilly media"
    assert normalize_org_name("O’Reilly Media") == "oreilly media"
    assert normalize_org_name("McDonald’s Corporation") == "mcdonalds"


def test_invisible_characters_are_dropped():
    assert normalize_org_name("Ром\u00adашка") == "ромашка"  # soft hyphen
    assert normalize_org_name("\ufeffРомашка\u200b") == "ромашка"  # BOM, zero-width space


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("AS", "as"),
        ("ООО", "ооо"),
        ("«ООО»", "ооо"),
        ("Company", "company"),
        ("Company Ltd", "company"),
        ("AS OY", "as"),
        ("Limited", "limited"),
    ],
)
def test_a_name_made_only_of_legal_forms_keeps_the_first(name, expected):
    assert normalize_org_name(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Co-op Bank", "co op bank"),  # part of a hyphenated word, not a legal form
        ("AS-Grupp", "as grupp"),
        ("Ромашка-АО", "ромашка ао"),
        ("Coop Bank", "coop bank"),
        ("Asko", "asko"),
        ("Abba", "abba"),
        ("Ромашкаооо", "ромашкаооо"),
        ("Bank II", "bank ii"),
    ],
)
def test_legal_forms_only_as_separate_words(name, expected):
    assert normalize_org_name(name) == expected


def test_legal_forms_anywhere_in_the_name():
    assert normalize_org_name("Группа ООО Ромашка АО") == "группа ромашка"
    assert normalize_org_name("ИП Иванов Иван Иванович") == "иванов иван иванович"
    assert normalize_org_name("Индивидуальный предприниматель Иванов И. И.") == "иванов и и"


def test_different_companies_stay_different():
    assert normalize_org_name("ООО Ромашка") != normalize_org_name("ООО Ромашка Плюс")
    assert normalize_org_name("UAB Giria") != normalize_org_name("UAB Girija")


@pytest.mark.parametrize("name", ["", "   ", None, '""', "«»", "!!!", "\u200b"])
def test_empty_org_names(name):
    assert normalize_org_name(name) == ""


def test_every_legal_form_alone_is_kept_and_with_a_name_is_removed():
    for form in LEGAL_FORMS:
        alone = normalize_org_name(form)
        assert alone, form
        assert normalize_org_name(f"{form} Ромашка") == "ромашка", form
        assert normalize_org_name(f"Ромашка, {form}") == "ромашка", form


def test_very_long_names():
    name = "ООО «Ромашка» " * 20_000
    assert normalize_org_name(name) == " ".join(["ромашка"] * 20_000)


@pytest.mark.parametrize(
    "name",
    ["ООО «Ромашка»", 'UAB "Žalia giria"', "O'Reilly Media, Inc.", "AS", "İstanbul", "Ёлки-Палки"],
)
def test_normalizing_twice_changes_nothing(name):
    once = normalize_org_name(name)
    assert normalize_org_name(once) == once
    assert normalize_text(once) == once
    assert unicodedata.is_normalized("NFC", once)


def test_a_hyphenated_legal_form_word_is_kept_only_while_the_hyphen_is_there():
    # Normalize raw names, not normal forms: without its hyphen "co" is a word of its own.
    once = normalize_org_name("Co-op Bank")
    assert once == "co op bank"
    assert normalize_text(once) == once
    assert normalize_org_name(once) == "op bank"


# --- people --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Пётр  Иванов", "петр иванов"),
        ("ИВАНОВ Пётр Сергеевич", "иванов петр сергеевич"),
        ("Иванов П.С.", "иванов п с"),
        ("Римский-Корсаков", "римский корсаков"),
        ("Jonas Žukauskas", "jonas žukauskas"),
        ("ŽUKAUSKAS, Jonas", "žukauskas jonas"),
        ("Seán O'Brien", "seán obrien"),
        ("«Иван»", "иван"),
        ("  ", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_person_name(name, expected):
    assert normalize_person_name(name) == expected


def test_person_names_keep_legal_form_words():
    assert normalize_person_name("Ип Ман") == "ип ман"


# --- e-mails -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ivan@romashka.ru", "ivan@romashka.ru"),
        (" Ivan.Petrov@Romashka.RU ", "ivan.petrov@romashka.ru"),
        ("jonas+crm@zalia-giria.lt", "jonas+crm@zalia-giria.lt"),
        ("info@mail.co.uk", "info@mail.co.uk"),
        ("mailto:info@giria.lt", "info@giria.lt"),
        ("<info@giria.lt>", "info@giria.lt"),
        ("Иван@Почта.РФ", "иван@почта.рф"),
        ("o'brien@example.com", "o'brien@example.com"),
    ],
)
def test_valid_emails(text, expected):
    assert normalize_email(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "ivan",
        "ivan@",
        "@romashka.ru",
        "ivan@romashka",
        "ivan@@romashka.ru",
        "ivan@petr@romashka.ru",
        "ivan petrov@romashka.ru",
        "ivan@roma shka.ru",
        "ivan@romashka.r",
        "ivan@romashka.123",
        "ivan@.romashka.ru",
        "ivan@romashka..ru",
        "ivan@romashka.ru.",
        "ivan@-romashka.ru",
        "ivan@romashka-.ru",
        "ivan@roma_shka.ru",
        ".ivan@romashka.ru",
        "ivan.@romashka.ru",
        "iv..an@romashka.ru",
        "ivan,petr@romashka.ru",
        "x" * 300 + "@romashka.ru",
        "ivan@" + "x" * 64 + ".ru",
        "8 912 345 67 89",
    ],
)
def test_invalid_emails(text):
    assert normalize_email(text) is None


def test_find_emails_in_a_message():
    text = (
        "Пишите: Ivan@Romashka.ru, petr@romashka.ru; бухгалтерия <buh@romashka.ru>. "
        "Rašykite info@giria.lt! (sales@giria.lt) mailto:boss@giria.lt "
        "повтор: ivan@romashka.ru, мусор: a@b, @@, x@y@z.lt"
    )
    assert find_emails(text) == [
        "ivan@romashka.ru",
        "petr@romashka.ru",
        "buh@romashka.ru",
        "info@giria.lt",
        "sales@giria.lt",
        "boss@giria.lt",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a@romashka.ru/b@romashka.ru", ["a@romashka.ru", "b@romashka.ru"]),
        ("a@romashka.ru\nb@romashka.ru", ["a@romashka.ru", "b@romashka.ru"]),
        ("email:a@romashka.ru", ["a@romashka.ru"]),
        ("«a@romashka.ru»", ["a@romashka.ru"]),
        ("нет почты", []),
        ("", []),
        (None, []),
    ],
)
def test_find_emails_edge_cases(text, expected):
    assert find_emails(text) == expected


def test_find_emails_in_very_long_text():
    text = "слово " * 50_000 + "ivan@romashka.ru " + "@" * 50_000
    assert find_emails(text) == ["ivan@romashka.ru"]


# --- tax ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7701234567", "7701234567"),
        ("7701 234 567", "7701234567"),
        ("7701-234-567", "7701234567"),
        (" 7701\u00a0234\u2013567 ", "7701234567"),
        (7701234567, "7701234567"),
        (7701234567.0, "7701234567"),
        ("7701234567.0", "7701234567"),
        ("7,701234567E+09", "7701234567"),
        (Decimal("7701234567"), "7701234567"),
        ("0123456789", "0123456789"),  # leading zeros of text stay
        ("000123456", "000123456"),
        ("770101001", "770101001"),  # KPP
        ("1027700132195", "1027700132195"),  # OGRN
        (302345678, "302345678"),  # Lithuanian company code
        ("LT100001234567", "LT100001234567"),  # Lithuanian VAT number
        ("lt 1000 0123 4567", "LT100001234567"),
        ("7701234567/770101001", "7701234567/770101001"),  # INN/KPP as 1C writes them
    ],
)
def test_normalize_tax_id(value, expected):
    assert normalize_tax_id(value) == expected


@pytest.mark.parametrize("value", [None, "", "   ", " - ", True, False, float("nan")])
def test_empty_tax_ids(value):
    assert normalize_tax_id(value) is None


# --- search documents ----------------------------------------------------------------------------


def test_search_text_joins_normalized_parts():
    document = search_text("ООО «Ромашка»", "Пётр Иванов", None, "", "79123456789", "Ромашка")
    assert document == SEARCH_SEPARATOR.join(
        ["ооо ромашка", "петр иванов", "79123456789", "ромашка"]
    )
    assert document == document.lower()


def test_search_text_drops_empty_and_repeated_parts():
    assert search_text() == ""
    assert search_text(None, "", "  ", "!!") == ""
    assert search_text("Иван", "ИВАН", "иван") == "иван"


def test_a_normalized_query_finds_the_record_but_not_across_parts():
    document = search_text(normalize_org_name('UAB "Žalia giria"'), "Jonas Žukauskas")
    assert normalize_text("Žalia Giria") in document
    assert normalize_text("giria") in document
    assert normalize_text("žukausk") in document
    assert normalize_text("giria jonas") not in document


def test_search_text_with_an_email_and_a_phone():
    document = search_text("Ivan.Petrov@Romashka.RU", "79123456789")
    assert normalize_text("ivan.petrov@romashka.ru") in document
    assert "912345" in document


def test_search_text_of_very_long_parts():
    part = "Ромашка " * 10_000
    assert search_text(part, part) == " ".join(["ромашка"] * 10_000)


# --- the fast paths ------------------------------------------------------------------------------


def _reference_prepare(text: str) -> str:
    """What `_prepare` did character by character before its translation table."""
    from crm.names import _APOSTROPHE_IN_WORD, _QUOTE

    text = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Mn"))
    return _QUOTE.sub(" ", _APOSTROPHE_IN_WORD.sub("", text.replace("ё", "е")))


@pytest.mark.parametrize(
    "text",
    [
        "Ёлкин Пётр",
        "Ром\u00adашка\u200b\ufeff",
        "Cafe\u0301 e\u0308\u0301",  # accents that compose and one that does not
        "O'Neil «Ромашка» ʼ ‘quoted’",
        "İstanbul ǅemal ß",
        "\u0483\u0489 кириллица с титлом",
        "ŽALIA GIRIA, UAB",
        "",
    ],
)
def test_prepare_matches_the_character_by_character_version(text):
    from crm.names import _prepare

    assert _prepare(text) == _reference_prepare(text)
    words = re.findall(r"[^\W_]+", _reference_prepare(text))
    assert normalize_text(text) == " ".join(words)


def test_repeated_names_give_the_same_answers():
    for _ in range(3):
        assert normalize_org_name("ООО «Ромашка»") == "ромашка"
        assert normalize_person_name("Пётр О'Нил-Сёмин") == "петр онил семин"
        assert normalize_text("Ёж") == "еж"
