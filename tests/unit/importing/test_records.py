from __future__ import annotations

from datetime import date

import pytest

from crm.importing import open_table
from crm.importing.headers import Field, apply_override, detect_header
from crm.importing.reading import SheetRow
from crm.importing.records import (
    MAX_NAME,
    ExtraTarget,
    ImportRow,
    IssueCode,
    RowIssue,
    RowNormalizer,
    normalize_rows,
)
from crm.importing.samples import write_1c_workbook
from tests.unit.importing.factories import xlsx

HEADER_1C = ["Наименование", "ИНН", "КПП", "Контактное лицо", "Должность", "Телефон", "E-mail"]


def one(headers, values, region="RU", number=2) -> ImportRow:
    match = detect_header([headers])
    rows = list(normalize_rows([SheetRow(1, headers), SheetRow(number, values)], match, region))
    assert len(rows) == 1
    return rows[0]


def test_a_1c_row_with_organization_and_contact():
    row = one(
        HEADER_1C,
        [
            "  ООО  «Ромашка» ",
            7701234567.0,
            "770101001",
            "Иванов Иван Иванович",
            "Директор",
            "8 (912) 345-67-89, +7 495 123-45-67 доб. 12",
            "Ivan@Romashka.RU",
        ],
    )
    assert row.row_number == 2 and row.ok and row.warnings == []
    org, person = row.organization, row.contact
    assert (org.name, org.name_key, org.tax_id) == ("ООО «Ромашка»", "ромашка", "7701234567")
    assert org.phones == [] and org.emails == []  # the person's
    assert (person.name, person.name_key, person.position) == (
        "Иванов Иван Иванович",
        "иванов иван иванович",
        "Директор",
    )
    assert [(p.e164, p.extension) for p in person.phones] == [
        ("+79123456789", None),
        ("+74951234567", "12"),
    ]
    assert person.emails == ["ivan@romashka.ru"]
    assert row.extra == {"КПП": "770101001"}
    assert org.extra == {"КПП": "770101001"}  # a tax id column: extra data is the company's


def test_phones_from_several_columns_and_excel_numbers():
    headers = ["Компания", "Телефон", "Мобильный", "Рабочий телефон"]
    row = one(headers, ["Ромашка", 89123456789.0, 9.123456789e9, "8 912 345-67-89"])
    # The same number three times is one phone; an org-only row keeps phones on the org.
    assert [p.e164 for p in row.organization.phones] == ["+79123456789"]
    assert row.contact is None


def test_an_invalid_phone_is_a_warning_that_keeps_the_raw_text():
    row = one(["Компания", "Телефон"], ["Ромашка", "8 (912) 345-67, 8 800 CALL NOW; 89123456789"])
    assert row.ok
    phones = row.organization.phones
    assert [(p.raw, p.e164) for p in phones] == [
        ("8 (912) 345-67", None),
        ("8 800 CALL NOW", None),
        ("89123456789", "+79123456789"),
    ]
    assert row.warnings == [
        RowIssue(IssueCode.invalid_phone, 1, "Телефон", "8 (912) 345-67", "too_short"),
        RowIssue(IssueCode.invalid_phone, 1, "Телефон", "8 800 CALL NOW", "too_short"),
    ]


def test_lithuanian_numbers_in_an_lt_workspace():
    row = one(["Įmonė", "Telefonas"], ["UAB „Žalia giria“", "8 612 34567"], region="LT")
    assert [p.e164 for p in row.organization.phones] == ["+37061234567"]
    assert row.organization.name_key == "žalia giria"


def test_emails_several_and_invalid():
    headers = ["Контактное лицо", "E-mail", "Почта 2"]
    row = one(headers, ["Иван", "ivan@romashka.ru; petr@", "не указан"])
    assert row.contact.emails == ["ivan@romashka.ru"]
    assert row.warnings == [
        RowIssue(IssueCode.invalid_email, 1, "E-mail", "petr@"),
        RowIssue(IssueCode.invalid_email, 2, "Почта 2", "не указан"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7701 234-567", "7701234567"),
        (7701234567, "7701234567"),
        ("7,701234567E+09", "7701234567"),
        ("7701234567/770101001", "7701234567"),  # 1C's ИНН/КПП
        ("lt 100001234567", "LT100001234567"),
        ("0123456789", "0123456789"),
        (None, None),
    ],
)
def test_tax_ids(value, expected):
    assert one(["Компания", "ИНН"], ["Ромашка", value]).organization.tax_id == expected


def test_a_tax_id_without_digits_is_dropped_with_a_warning():
    row = one(["Компания", "ИНН"], ["Ромашка", "нет данных"])
    assert row.organization.tax_id is None
    assert row.warnings == [RowIssue(IssueCode.invalid_tax_id, 1, "ИНН", "нет данных")]


def test_the_name_from_its_parts_in_each_language_order():
    ru = one(["Фамилия", "Имя", "Отчество", "Телефон"], ["Петров", "Пётр", "Петрович", None])
    assert (ru.contact.name, ru.contact.name_key) == (
        "Петров Пётр Петрович",
        "петров петр петрович",
    )
    assert (ru.contact.first_name, ru.contact.last_name, ru.contact.middle_name) == (
        "Пётр",
        "Петров",
        "Петрович",
    )
    en = one(["First name", "Last name", "Phone"], ["John", "Smith", None])
    assert en.contact.name == "John Smith"
    lt = one(["Vardas", "Pavardė", "Telefonas"], ["Jonas", "Jonaitis", None])
    assert lt.contact.name == "Jonas Jonaitis"
    full = one(["ФИО", "Имя", "Телефон"], ["Петров Пётр", "Пётр", None])
    assert full.contact.name == "Петров Пётр"  # the full-name column wins over the parts


def test_a_row_with_only_a_phone_is_a_contact():
    row = one(["Компания", "Контактное лицо", "Телефон"], [None, None, "89123456789"])
    assert row.ok and row.organization is None
    assert row.contact.name == "" and [p.e164 for p in row.contact.phones] == ["+79123456789"]


def test_a_row_without_name_phone_or_email_is_an_error():
    row = one(HEADER_1C, [None, None, "770101001", None, "Директор", None, None])
    assert row.errors == [RowIssue(IssueCode.no_name)]
    assert row.extra == {"КПП": "770101001"}  # nothing is lost
    dashes = one(HEADER_1C, ["—", None, None, "-", None, None, None])
    assert dashes.errors == [RowIssue(IssueCode.no_name)]


def test_tax_id_address_and_website_without_an_organization_stay_as_extra():
    headers = ["Компания", "ИНН", "Сайт", "Контактное лицо"]
    row = one(headers, [None, "7701234567", "romashka.ru", "Иван"])
    assert row.ok and row.organization is None and row.contact.name == "Иван"
    assert row.extra == {"ИНН": "7701234567", "Сайт": "romashka.ru"}
    assert [w.code for w in row.warnings] == [IssueCode.no_organization_name] * 2


def test_note_owner_address_website_and_position():
    headers = ["Компания", "Адрес", "Сайт", "Примечание", "Ответственный", "Телефон"]
    values = [
        "Ромашка",
        "г. Москва,\nул. Ленина, 1",
        "romashka.ru",
        "VIP",
        "Сидоров",
        "89123456789",
    ]
    row = one(headers, values)
    org = row.organization
    assert (org.address, org.website, org.note) == (
        "г. Москва, ул. Ленина, 1",
        "romashka.ru",
        "VIP",
    )
    assert row.owner == "Сидоров"


def test_long_texts_are_cut_with_a_warning():
    row = one(["Компания", "Телефон"], ["Р" * (MAX_NAME + 5), None])
    assert len(row.organization.name) == MAX_NAME
    assert row.warnings[0].code is IssueCode.truncated and row.warnings[0].detail == str(MAX_NAME)


def test_formulas_without_values_in_mapped_columns_are_errors_else_warnings():
    match = detect_header([["Компания", "Телефон", "Итого"]])
    rows = [
        SheetRow(2, ["Ромашка", None, None], (1,)),
        SheetRow(3, ["Лютик", "89123456789", None], (2,)),
    ]
    first, second = normalize_rows(rows, match, "RU")
    assert first.errors == [RowIssue(IssueCode.formula_without_value, 1, "Телефон")]
    assert second.ok
    assert second.warnings == [RowIssue(IssueCode.formula_without_value, 2, "Итого")]


def test_formulas_from_an_openpyxl_file_end_to_end():
    data = xlsx([["Компания", "Телефон"], ["Ромашка", '="8912"&"3456789"'], ["Лютик", 1]])
    with open_table(data) as table:
        match = detect_header(table.head())
        rows = list(normalize_rows(table.rows(), match, "RU"))
    assert [r.row_number for r in rows] == [2, 3]
    assert [i.code for i in rows[0].errors] == [IssueCode.formula_without_value]


def test_extra_columns_dates_duplicates_and_values_without_a_header():
    headers = ["Компания", "Дата договора", "Тег", "Тег", None]
    row = one(headers, ["Ромашка", date(2024, 11, 25), "опт", "юг", "без заголовка", "ещё"])
    assert row.extra == {
        "Дата договора": "2024-11-25",
        "Тег": "опт",
        "Тег (2)": "юг",
        "#5": "без заголовка",
        "#6": "ещё",
    }


def test_extra_data_belongs_to_people_in_a_contact_export():
    match = detect_header([["Name", "Company", "Phone", "Lifecycle stage"]])
    normalizer = RowNormalizer(match, "RU")
    assert normalizer.extra_target is ExtraTarget.contact
    row = normalizer(SheetRow(2, ["Ivan Petrov", "Acme", "89123456789", "lead"]))
    assert row.contact.extra == {"Lifecycle stage": "lead"} and row.organization.extra == {}


def test_rows_above_the_header_and_header_repeats_are_skipped():
    headers = ["Наименование", "Телефон"]
    rows = [
        SheetRow(1, ["Контрагенты"]),
        SheetRow(3, headers),
        SheetRow(4, ["Ромашка", "89123456789"]),
        SheetRow(40, ["наименование", "ТЕЛЕФОН"]),  # the next printed page
        SheetRow(41, ["Лютик", "89123456780"]),
    ]
    match = detect_header(rows)
    assert [r.row_number for r in normalize_rows(rows, match, "RU")] == [4, 41]


def test_1c_column_numbers_under_the_header_are_skipped():
    headers = ["Наименование", "ИНН", "Телефон"]
    rows = [SheetRow(1, headers), SheetRow(2, [1, "2", 3.0]), SheetRow(3, ["Ромашка", "1", None])]
    match = detect_header(rows)
    assert [r.row_number for r in normalize_rows(rows, match, "RU")] == [3]


def test_an_override_changes_what_a_column_feeds():
    headers = ["Компания", "Доп. телефон"]
    match = apply_override(detect_header([headers]), 1, Field.note)
    row = next(normalize_rows([SheetRow(2, ["Ромашка", "звонить после 18"])], match, "RU"))
    assert row.organization.note == "звонить после 18" and row.warnings == []


def test_the_phone_cache_gives_the_same_answers():
    match = detect_header([["Компания", "Телефон"]])
    normalizer = RowNormalizer(match, "RU")
    a = normalizer(SheetRow(2, ["Ромашка", "89123456789"]))
    b = normalizer(SheetRow(3, ["Лютик", "89123456789"]))
    assert a.organization.phones == b.organization.phones
    assert a.organization.phones is not b.organization.phones  # never shared between rows


# --- several processes ----------------------------------------------------------------------------


def _sample_rows(path, count: int) -> tuple[list[SheetRow], object]:
    """Rows of the generated 1C workbook plus rows with warnings, errors and odd cells."""
    write_1c_workbook(path, count)
    with open_table(path, path.name) as table:
        match = detect_header(table.head())
        rows = list(table.rows())
    last = rows[-1].number
    width = len(match.headers)
    odd = [
        ["Ромашка", "нет", None, None, None, "12", "a@b", None, None, None, None, "без заголовка"],
        [None] * width,
        [None, None, None, None, None, "8 912 345 67 89", None],
        match.headers,  # the header again: skipped
    ]
    rows += [SheetRow(last + 1 + i, values, (2,) if i == 1 else ()) for i, values in enumerate(odd)]
    return rows, match


def test_parallel_normalization_gives_the_same_rows_in_the_same_order(tmp_path):
    rows, match = _sample_rows(tmp_path / "1c.xlsx", 1500)
    serial = list(normalize_rows(rows, match, "RU"))
    parallel = list(normalize_rows(rows, match, "RU", workers=2, min_parallel_rows=200))
    assert len(serial) > 1500
    assert parallel == serial
    shared = [r for r in parallel if r.extra]
    assert shared and all(
        r.extra is (r.organization.extra if r.organization else r.contact.extra) for r in shared
    )
    assert any(r.errors for r in parallel) and any(r.warnings for r in parallel)


def test_parallel_normalization_of_a_small_file_stays_in_this_process(monkeypatch):
    import crm.importing.records as records

    def refuse(*args, **kwargs):
        raise AssertionError("no processes for a small file")

    monkeypatch.setattr(records, "_normalize_parallel", refuse)
    rows = [SheetRow(1, HEADER_1C)] + [
        SheetRow(n, ["Ромашка", None, None, f"Иван {n}", None, "89123456789"]) for n in range(2, 50)
    ]
    match = detect_header([HEADER_1C])
    assert list(normalize_rows(rows, match, "RU", workers=2, min_parallel_rows=48)) == list(
        normalize_rows(rows, match, "RU")
    )


def test_parallel_normalization_passes_on_reading_errors():
    from crm.importing.errors import ImportFileError, ImportProblem

    match = detect_header([HEADER_1C])

    def rows():
        yield SheetRow(1, HEADER_1C)
        for n in range(2, 40):
            yield SheetRow(n, ["Ромашка", None, None, f"Иван {n}"])
        raise ImportFileError(ImportProblem.too_many_rows)

    with pytest.raises(ImportFileError):
        list(normalize_rows(rows(), match, "RU", workers=2, min_parallel_rows=10))


def test_a_contact_note_column_is_the_persons_and_a_plain_note_the_organizations():
    headers = ["Компания", "Контактное лицо", "Комментарий", "Комментарий к контакту"]
    row = one(headers, ["Ромашка", "Иван Петров", "оптовик", "звонить после 15:00"])
    assert row.organization.note == "оптовик"
    assert row.contact.note == "звонить после 15:00"


def test_without_a_contact_note_column_the_note_stays_the_organizations():
    row = one(["Компания", "Контактное лицо", "Комментарий"], ["Ромашка", "Иван", "оптовик"])
    assert row.organization.note == "оптовик" and row.contact.note is None
    private = one(["Компания", "Контактное лицо", "Комментарий"], [None, "Иван", "друг"])
    assert private.organization is None and private.contact.note == "друг"


def test_a_private_person_keeps_both_notes_and_an_organization_alone_keeps_the_contact_note():
    headers = ["Компания", "Контактное лицо", "Note", "Contact note"]
    private = one(headers, [None, "Ivan", "met at the fair", "prefers e-mail"])
    assert private.contact.note == "met at the fair\nprefers e-mail"
    alone = one(headers, ["Acme", None, "wholesale", "prefers e-mail"])
    assert alone.contact is None and alone.organization.note == "wholesale"
    assert alone.organization.extra == {"Contact note": "prefers e-mail"}  # nothing is lost


def test_extra_data_belongs_to_people_in_a_sheet_with_a_contact_note_column():
    headers = ["Organization", "Tax ID", "Contact name", "Contact note", "Birthday"]
    match = detect_header([headers])
    normalizer = RowNormalizer(match, "RU")
    assert normalizer.extra_target is ExtraTarget.contact
    row = normalizer(SheetRow(2, ["Acme", "123456789", "Ivan", None, "05-01"]))
    assert row.contact.extra == {"Birthday": "05-01"} and row.organization.extra == {}
