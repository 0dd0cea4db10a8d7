from __future__ import annotations

from crm.importing import open_table
from crm.importing.grouping import Conflict, DuplicateRow, build_plan
from crm.importing.headers import detect_header
from crm.importing.reading import SheetRow
from crm.importing.records import ImportRow, OrgData, PersonData, normalize_rows
from crm.importing.samples import write_1c_workbook
from crm.phones import Phone

HEADERS = ["Наименование", "ИНН", "Контактное лицо", "Телефон", "E-mail", "Адрес"]


def plan_of(*rows, headers=HEADERS, region="RU"):
    match = detect_header([headers])
    sheet_rows = [SheetRow(number, list(values)) for number, values in enumerate(rows, 2)]
    return build_plan(normalize_rows(sheet_rows, match, region))


def test_rows_of_one_organization_become_one_with_several_contacts():
    plan = plan_of(
        ["ООО «Ромашка»", "7701234567", "Иванов Иван", "89123456789", None, "Москва"],
        ["Ромашка, ООО", "7701234567", "Петрова Анна", "89123456780", "anna@romashka.ru", None],
        ['ООО "Ромашка"', None, "Сидоров Олег", None, None, None],
    )
    assert len(plan.organizations) == 1
    org = plan.organizations[0]
    assert (org.name, org.tax_id, org.address, org.source_rows) == (
        "ООО «Ромашка»",
        "7701234567",
        "Москва",
        [2, 3, 4],
    )
    assert [c.name for c in org.contacts] == ["Иванов Иван", "Петрова Анна", "Сидоров Олег"]
    assert plan.duplicate_rows == [] and plan.private_contacts == []
    assert plan.contact_count == 3 and plan.rows_read == 3


def test_organizations_match_by_tax_id_phone_email_or_name():
    headers = ["Компания", "ИНН", "Телефон", "E-mail"]
    plan = plan_of(
        ["Ромашка", "7701234567", "89123456789", "info@romashka.ru"],
        ["Ромашка-Юг", "7701234567", None, None],  # another name, same INN
        ["Лепесток", None, "+7 912 345-67-89", None],  # same phone
        ["Цветок", None, None, "INFO@romashka.ru"],  # same e-mail
        ["ромашка", None, None, None],  # same name
        headers=headers,
    )
    assert len(plan.organizations) == 1
    assert plan.duplicate_rows == [
        DuplicateRow(3, 2, "tax_id"),
        DuplicateRow(4, 2, "phone"),
        DuplicateRow(5, 2, "email"),
        DuplicateRow(6, 2, "name"),
    ]


def test_same_name_with_different_tax_ids_are_two_organizations():
    headers = ["Компания", "ИНН", "Телефон"]
    plan = plan_of(
        ["Ромашка", "7701234567", "89123456789"],
        ["Ромашка", "1655000000", "89123456789"],
        ["Ромашка", None, None],  # no INN: the first Ромашка
        headers=headers,
    )
    assert [o.tax_id for o in plan.organizations] == ["7701234567", "1655000000"]
    assert plan.duplicate_rows == [DuplicateRow(4, 2, "name")]


def test_people_match_within_their_organization_by_phone_email_or_name():
    plan = plan_of(
        ["Ромашка", None, "Иванов Иван", "89123456789", None, None],
        ["Ромашка", None, "Иван Иванов", "8 (912) 345-67-89", "ivan@romashka.ru", None],
        ["Ромашка", None, "И. Иванов", None, "IVAN@romashka.ru", None],
        ["Ромашка", None, "иванов  иван", None, None, None],
        ["Лютик", None, "Иванов Иван", None, None, None],  # a namesake elsewhere
    )
    romashka, lyutik = plan.organizations
    assert len(romashka.contacts) == 1 and len(lyutik.contacts) == 1
    ivan = romashka.contacts[0]
    assert ivan.source_rows == [2, 3, 4, 5]
    assert ivan.emails == ["ivan@romashka.ru"]
    assert [r.reason for r in plan.duplicate_rows] == ["phone", "email", "name"]


def test_a_person_without_an_organization_is_found_among_everybody_by_phone():
    plan = plan_of(
        ["Ромашка", None, "Иванов Иван", "89123456789", None, None],
        [None, None, "Иван", "+79123456789", "ivan@mail.ru", None],
        [None, None, "Анна", "89123456780", None, None],
        [None, None, "Анна", "89123456781", None, None],  # another Анна
        [None, None, "Анна", None, None, None],  # could be either: the first
        [None, None, None, None, "ivan@mail.ru", None],  # only an e-mail
    )
    ivan = plan.organizations[0].contacts[0]
    assert ivan.source_rows == [2, 3, 7] and ivan.emails == ["ivan@mail.ru"]
    assert [(c.name, c.source_rows) for c in plan.private_contacts] == [
        ("Анна", [4, 6]),
        ("Анна", [5]),
    ]
    assert plan.duplicate_rows == [
        DuplicateRow(3, 2, "phone"),
        DuplicateRow(6, 4, "name"),
        DuplicateRow(7, 2, "email"),
    ]


def test_what_a_repeat_adds_is_merged_and_differences_are_conflicts():
    plan = plan_of(
        ["Ромашка", "7701234567", None, "89123456789", None, "Москва"],
        ["Ромашка", "7701234567", None, "89123456780", "info@romashka.ru", "Казань"],
    )
    org = plan.organizations[0]
    assert [p.e164 for p in org.phones] == ["+79123456789", "+79123456780"]
    assert org.emails == ["info@romashka.ru"] and org.address == "Москва"
    assert org.conflicts == [Conflict(3, "address", "Казань")]
    assert plan.duplicate_rows == [DuplicateRow(3, 2, "tax_id")]


def test_rows_with_errors_are_left_out():
    plan = plan_of(["Ромашка", None, None, None, None, None], [None, None, None, None, None, "x"])
    assert [r.row_number for r in plan.rows_with_errors] == [3]
    assert plan.rows_read == 2 and len(plan.organizations) == 1


def test_keys_for_the_database_lookup():
    plan = plan_of(
        ["ООО «Ромашка»", "7701234567", "Иванов Иван", "89123456789", "ivan@romashka.ru", None],
        ["Лютик", None, None, "8 (495) 123-45-67", None, None],
        [None, None, "Анна", None, "anna@mail.ru", None],
    )
    romashka, lyutik = plan.organizations
    keys = romashka.keys()
    assert (keys.tax_id, keys.e164s, keys.emails, keys.name_key) == (
        "7701234567",
        (),
        (),
        "ромашка",
    )
    ivan = romashka.contacts[0].keys()
    assert (ivan.e164s, ivan.emails, ivan.name_key) == (
        ("+79123456789",),
        ("ivan@romashka.ru",),
        "иванов иван",
    )
    lookup = plan.lookup_keys()
    assert lookup.tax_ids == {"7701234567"}
    assert lookup.org_e164s == {"+74951234567"}
    assert lookup.org_name_keys == {"ромашка", "лютик"}
    assert lookup.person_e164s == {"+79123456789"}
    assert lookup.person_emails == {"ivan@romashka.ru", "anna@mail.ru"}
    assert lookup.person_name_keys == {"иванов иван", "анна"}


def test_invalid_phones_are_kept_once_and_never_match():
    plan = plan_of(
        ["Ромашка", None, None, "12-34", None, None],
        ["Лютик", None, None, "12-34", None, None],
        ["Ромашка", None, None, "12-34", None, None],
    )
    assert len(plan.organizations) == 2
    assert [p.raw for p in plan.organizations[0].phones] == ["12-34"]
    assert plan.rows_with_warnings == 3


def test_a_generated_1c_workbook_is_grouped_as_it_was_generated(tmp_path):
    path = tmp_path / "1c.xlsx"
    stats = write_1c_workbook(path, rows=600, seed=3)
    with open_table(path, "1c.xlsx") as table:
        match = detect_header(table.head())
        assert match.row_number == stats.header_row
        plan = build_plan(normalize_rows(table.rows(), match, "RU"))
    assert plan.rows_read == stats.rows
    assert plan.rows_with_errors == []
    assert len(plan.organizations) == stats.organizations
    assert plan.contact_count == stats.contacts
    assert len(plan.duplicate_rows) == stats.duplicate_rows
    assert stats.duplicate_rows == 60  # 10 %
    assert {d.reason for d in plan.duplicate_rows} <= {"phone", "email", "name", "tax_id"}
    assert all("КПП" in org.extra for org in plan.organizations)
    several = [o for o in plan.organizations if len(o.contacts) > 1]
    assert several, "organizations with several contacts"


def test_grouping_takes_a_hundred_thousand_rows():
    """100,000 prepared rows group in one pass (dict indexes, no pairwise comparison: about
    1 s here; the import benchmark in bench/ measures its speed)."""

    def rows(count):
        for i in range(count):
            org_index = i // 2 if i % 10 else i // 20  # repeats and several contacts
            organization = OrgData(
                name=f"Организация {org_index}",
                name_key=f"организация {org_index}",
                tax_id=f"{7700000000 + org_index}",
            )
            phone = Phone(raw=str(i), e164=f"+7912{i:07d}")
            person = PersonData(name=f"Человек {i}", name_key=f"человек {i}", phones=[phone])
            yield ImportRow(i + 2, organization, person, {}, [], [])

    plan = build_plan(rows(100_000))  # its speed is measured in bench/, not asserted here
    assert plan.rows_read == 100_000 and plan.contact_count == 100_000
