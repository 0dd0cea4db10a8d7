from __future__ import annotations

import pytest

from crm.importing import open_table
from crm.importing.errors import ImportFileError, ImportProblem
from crm.importing.headers import (
    COLUMN_NAMES,
    Field,
    HeaderMatch,
    apply_override,
    detect_header,
    dump_mapping,
    header_key,
    load_mapping,
    mapping_key,
)
from crm.importing.reading import SheetRow
from tests.unit.importing.factories import csv_bytes, xlsx

F = Field


def fields(match: HeaderMatch) -> dict[str, Field]:
    return {match.headers[column]: value for column, value in match.mapping.items()}


def test_a_1c_list_with_title_rows_and_merged_cells():
    data = xlsx(
        [
            ["Контрагенты"],
            ["Дата: 25.11.2024"],
            [],
            ["Наименование", "ИНН", "КПП", "Контактное лицо", "Телефон", "Эл. почта", "Адрес"],
            ["ООО «Ромашка»", "7701234567", "770101001", "Иванов И.И.", "89123456789", "a@b.ru"],
        ],
        merged=["A1:G1", "A2:G2"],
    )
    with open_table(data) as table:
        match = detect_header(table.head())
    assert (match.row_index, match.row_number) == (2, 4)
    assert fields(match) == {
        "Наименование": F.organization,
        "ИНН": F.tax_id,
        "Контактное лицо": F.contact_name,
        "Телефон": F.phone,
        "Эл. почта": F.email,
        "Адрес": F.address,
    }
    assert match.unmapped == {2: "КПП"}
    assert 0.8 < match.confidence < 1


def test_an_amocrm_kommo_contact_export():
    headers = [
        "ID",
        "Name",
        "First name",
        "Last name",
        "Company",
        "Responsible user",
        "Position",
        "Work phone",
        "Mobile phone",
        "Work email",
        "Private email",
        "Tags",
        "Telegram",
    ]
    match = detect_header([headers, ["1", "Ivan Petrov", "Ivan", "Petrov", "Acme"]])
    assert fields(match) == {
        "Name": F.contact_name,
        "First name": F.first_name,
        "Last name": F.last_name,
        "Company": F.organization,
        "Responsible user": F.owner,
        "Position": F.position,
        "Work phone": F.phone,
        "Mobile phone": F.phone,
        "Work email": F.email,
        "Private email": F.email,
    }
    assert set(match.unmapped.values()) == {"ID", "Tags", "Telegram"}


def test_a_bitrix24_contact_export():
    headers = [
        "ID",
        "Имя",
        "Фамилия",
        "Отчество",
        "Должность",
        "Компания",
        "Рабочий телефон",
        "Мобильный телефон",
        "Рабочий e-mail",
        "Частный e-mail",
        "Комментарий",
        "Ответственный",
        "Дата создания",
    ]
    match = detect_header([headers])
    assert fields(match) == {
        "Имя": F.first_name,
        "Фамилия": F.last_name,
        "Отчество": F.middle_name,
        "Должность": F.position,
        "Компания": F.organization,
        "Рабочий телефон": F.phone,
        "Мобильный телефон": F.phone,
        "Рабочий e-mail": F.email,
        "Частный e-mail": F.email,
        "Комментарий": F.note,
        "Ответственный": F.owner,
    }


def test_a_hubspot_export():
    headers = [
        "Record ID",
        "First Name",
        "Last Name",
        "Email",
        "Phone Number",
        "Mobile Phone Number",
        "Job Title",
        "Company Name",
        "Contact owner",
        "Website URL",
        "Street Address",
        "Lifecycle Stage",
    ]
    match = detect_header([headers])
    assert fields(match) == {
        "First Name": F.first_name,
        "Last Name": F.last_name,
        "Email": F.email,
        "Phone Number": F.phone,
        "Mobile Phone Number": F.phone,
        "Job Title": F.position,
        "Company Name": F.organization,
        "Contact owner": F.owner,
        "Website URL": F.website,
        "Street Address": F.address,
    }


def test_a_pipedrive_export_with_entity_prefixes():
    headers = [
        "Person - Name",
        "Person - Organization",
        "Person - Phone - Work",
        "Person - Phone - Mobile",
        "Person - Email - Work",
        "Person - Owner",
        "Organization - Name",
        "Organization - Address",
        "Deal - Title",
    ]
    match = detect_header([headers])
    assert fields(match) == {
        "Person - Name": F.contact_name,
        "Person - Organization": F.organization,
        "Person - Phone - Work": F.phone,
        "Person - Phone - Mobile": F.phone,
        "Person - Email - Work": F.email,
        "Person - Owner": F.owner,
        "Organization - Address": F.address,
    }
    # Two organization-name columns: the first keeps the field, the other stays as extra data.
    assert set(match.unmapped.values()) == {"Organization - Name", "Deal - Title"}


def test_a_lithuanian_sheet_with_and_without_diacritics():
    headers = [
        "Įmonės pavadinimas",
        "Įmonės kodas",
        "PVM kodas",
        "Kontaktinis asmuo",
        "Pareigos",
        "Telefonas",
        "Mob. tel.",
        "El. paštas",
        "Adresas",
        "Svetainė",
        "Pastabos",
        "Atsakingas",
    ]
    expected = {
        "Įmonės pavadinimas": F.organization,
        "Įmonės kodas": F.tax_id,
        "Kontaktinis asmuo": F.contact_name,
        "Pareigos": F.position,
        "Telefonas": F.phone,
        "Mob. tel.": F.phone,
        "El. paštas": F.email,
        "Adresas": F.address,
        "Svetainė": F.website,
        "Pastabos": F.note,
        "Atsakingas": F.owner,
    }
    match = detect_header([headers])
    assert fields(match) == expected
    assert match.unmapped == {2: "PVM kodas"}  # the company code ranks before the VAT code
    plain = ["IMONES PAVADINIMAS", "imones kodas", "Vardas Pavarde", "el.pastas"]
    assert list(detect_header([plain]).mapping.values()) == [
        F.organization,
        F.tax_id,
        F.contact_name,
        F.email,
    ]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("  наименование ", F.organization),
        ("Полное наименование", F.organization),
        ("Контрагент", F.organization),
        ("COMPANY NAME", F.organization),
        ("Account", F.organization),
        ("Įmonė", F.organization),
        ("Pavadinimas", F.organization),
        ("Tax ID", F.tax_id),
        ("VAT", F.tax_id),
        ("Registration number", F.tax_id),
        ("ИНН/КПП", F.tax_id),
        ("Ф.И.О.", F.contact_name),
        ("Contact person", F.contact_name),
        ("Full name", F.contact_name),
        ("Vardas", F.first_name),
        ("Pavardė", F.last_name),
        ("Title", F.position),
        ("Тел.", F.phone),
        ("Телефон 2", F.phone),
        ("Phone1", F.phone),
        ("Мобильный", F.phone),
        ("Телефон для связи", F.phone),  # by keyword
        ("Контактный телефон (моб.)", F.phone),
        ("E-mail", F.email),
        ("e mail", F.email),
        ("Электронная почта", F.email),
        ("Адрес электронной почты", F.email),  # an e-mail, not an address
        ("Юридический адрес", F.address),
        ("Адрес доставки товара", F.address),
        ("Web", F.website),
        ("Адрес сайта", F.website),
        ("Примечание", F.note),
        ("Komentaras", F.note),
        ("Responsible", F.owner),
    ],
)
def test_header_names_and_variants(header, field):
    match = detect_header([[header, "Телефон"]])
    assert match.mapping[0] is field


@pytest.mark.parametrize("header", ["Telegram", "Факс", "Почтовый индекс", "КПП", "Дата", "ID"])
def test_headers_that_are_not_contact_fields(header):
    match = detect_header([[header, "Телефон"]])
    assert 0 not in match.mapping


def test_every_dictionary_name_maps_to_its_own_field():
    for field, names in COLUMN_NAMES.items():
        for name in names:
            guess = detect_header([[name, "Телефон"]]).mapping.get(0)
            assert guess is field, (name, guess)


def test_a_plain_name_column_is_the_company_in_a_list_of_companies():
    assert detect_header([["Name", "VAT", "Phone"]]).mapping[0] is F.organization
    assert detect_header([["Name", "Phone", "Email"]]).mapping[0] is F.contact_name
    assert detect_header([["Name", "Company", "Phone"]]).mapping[0] is F.contact_name


def test_the_better_ranked_name_wins_and_the_other_column_stays():
    match = detect_header([["Полное наименование", "Наименование", "Телефон"]])
    assert match.mapping == {1: F.organization, 2: F.phone}
    assert match.unmapped == {0: "Полное наименование"}


def test_a_data_row_does_not_pass_for_a_header():
    rows = [
        ["Список клиентов"],
        ["Компания", "Телефон", "E-mail"],
        ["Телефон", "89123456789", "info@romashka.ru"],  # a company called "Телефон"
    ]
    assert detect_header(rows).row_number == 2


def test_sheet_rows_keep_their_numbers():
    rows = [SheetRow(7, ["Компания", "Телефон"]), SheetRow(8, ["Ромашка", "1"])]
    match = detect_header(rows)
    assert (match.row_index, match.row_number) == (0, 7)


def test_no_header_and_no_rows():
    with pytest.raises(ImportFileError) as caught:
        detect_header([["Ромашка", "89123456789", "a@b.ru"], ["Лютик", "89123456780", ""]])
    assert caught.value.problem is ImportProblem.no_header
    with pytest.raises(ImportFileError) as caught:
        detect_header([["Дата", "Сумма", "Комментарий"]])  # nothing to make a contact of
    assert caught.value.problem is ImportProblem.no_header
    with pytest.raises(ImportFileError) as caught:
        detect_header([])
    assert caught.value.problem is ImportProblem.empty


def test_a_csv_without_a_header_is_refused():
    data = csv_bytes(
        [["ООО Ромашка", "89123456789"], ["ООО Лютик", "89123456780"]],
        delimiter=";",
        encoding="cp1251",
    )
    with open_table(data) as table, pytest.raises(ImportFileError) as caught:
        detect_header(table.head())
    assert caught.value.problem is ImportProblem.no_header


def test_only_the_first_rows_are_searched():
    rows = [["x"]] * 30 + [["Компания", "Телефон"]]
    with pytest.raises(ImportFileError):
        detect_header(rows)


# --- remembering and changing a mapping -----------------------------------------------------------


def test_mapping_key_ignores_case_spacing_and_punctuation_but_not_order():
    key = mapping_key(["Наименование", "ИНН", "Телефон", None])
    assert key == mapping_key(["  наименование", "инн", "ТЕЛЕФОН"])
    assert key == mapping_key(["Наименование.", "И.Н.Н.", "Телефон"])
    assert key != mapping_key(["ИНН", "Наименование", "Телефон"])
    assert key != mapping_key(["Наименование", "ИНН", "Телефон", "Адрес"])
    assert len(key) == 16
    assert detect_header([["Наименование", "ИНН", "Телефон"]]).key == key


def test_apply_override_moves_a_single_valued_field_and_keeps_phones_several():
    match = detect_header([["Компания", "Имя", "Телефон", "Заметки клиента", "Сотовый"]])
    assert match.mapping == {0: F.organization, 1: F.first_name, 2: F.phone, 3: F.note, 4: F.phone}
    changed = apply_override(match, 1, F.contact_name)
    assert changed.mapping[1] is F.contact_name
    moved = apply_override(match, 3, F.organization)
    assert moved.mapping == {1: F.first_name, 2: F.phone, 3: F.organization, 4: F.phone}
    assert moved.unmapped == {0: "Компания"}
    dropped = apply_override(match, 4, None)
    assert 4 not in dropped.mapping and dropped.unmapped == {4: "Сотовый"}
    as_dict = apply_override(match.mapping, 0, "phone")
    assert as_dict == {0: F.phone, 1: F.first_name, 2: F.phone, 3: F.note, 4: F.phone}
    assert match.mapping[0] is F.organization  # the original is untouched


def test_a_remembered_mapping_round_trips_and_applies():
    match = detect_header([["Клиент", "Тел", "Доп. инфо"]])
    remembered = dump_mapping(apply_override(match, 2, F.note).mapping)
    assert remembered == {"0": "organization", "1": "phone", "2": "note"}
    again = detect_header([["клиент", "тел.", "доп инфо"]])
    assert again.key == match.key
    applied = again.remap(load_mapping(remembered | {"7": "phone", "1": "gone-field"}))
    assert applied.mapping == {0: F.organization, 2: F.note}
    assert applied.unmapped == {1: "тел."}


def test_header_key_folds_what_people_vary():
    assert header_key("E-mail") == header_key("email") == header_key("E mail")
    assert header_key("Įmonės kodas") == header_key("imones kodas")
    assert header_key("Телефон №2") == header_key("телефон")
    assert header_key("Ёлка") == header_key("елка")


@pytest.mark.parametrize(
    "header",
    [
        "Комментарий к контакту",
        "Примечание к контакту",
        "Contact note",
        "Kontakto pastaba",
        "Person - Note",
        "Комментарий по контактному лицу",
    ],
)
def test_a_note_that_names_the_contact_is_the_persons_own(header):
    match = detect_header([["Компания", "Контактное лицо", "Комментарий", header]])
    assert match.mapping == {
        0: Field.organization,
        1: Field.contact_name,
        2: Field.note,
        3: Field.contact_note,
    }
