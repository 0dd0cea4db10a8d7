"""Whole files through the public API, as the chat will call it."""

from __future__ import annotations

import pytest

import crm.importing as importing
from crm.importing import (
    Field,
    ImportFileError,
    ImportProblem,
    IssueCode,
    apply_override,
    detect_header,
    open_table,
    plan_import,
)
from tests.unit.importing.factories import csv_bytes, xlsx


def test_an_amocrm_csv_export_end_to_end():
    lines = [
        ["ID", "Name", "First name", "Last name", "Company", "Work phone", "Work email", "Tags"],
        [
            "1",
            "Ivan Petrov",
            "Ivan",
            "Petrov",
            "Acme LLC",
            "+7 912 345 67 89",
            "ivan@acme.com",
            "vip",
        ],
        ["2", "Anna Smith", "Anna", "Smith", "ACME", "+370 612 34567", "anna@acme.com", ""],
        ["3", "Ivan Petrov", "Ivan", "Petrov", "Acme", "89123456789", "", "again"],
        ["4", "", "", "", "", "", "", "lost tag"],
    ]
    data = csv_bytes(lines, delimiter=",", encoding="utf-8-sig")
    with open_table(data, "amocrm_export.csv") as table:
        match, plan = plan_import(table, "RU")
    assert match.mapping[1] is Field.contact_name and match.unmapped == {0: "ID", 7: "Tags"}
    (acme,) = plan.organizations
    assert acme.name == "Acme LLC" and acme.source_rows == [2, 3, 4]
    assert [(c.name, [p.e164 for p in c.phones]) for c in acme.contacts] == [
        ("Ivan Petrov", ["+79123456789"]),
        ("Anna Smith", ["+37061234567"]),
    ]
    assert acme.contacts[0].extra == {"ID": "1", "Tags": "vip"}  # a contact export
    assert [(d.row_number, d.duplicate_of, d.reason) for d in plan.duplicate_rows] == [
        (4, 2, "phone")
    ]
    assert [(r.row_number, [e.code for e in r.errors]) for r in plan.rows_with_errors] == [
        (5, [IssueCode.no_name])
    ]


def test_a_lithuanian_workbook_end_to_end():
    data = xlsx(
        [
            ["Klientų sąrašas"],
            [],
            ["Įmonės pavadinimas", "Įmonės kodas", "Kontaktinis asmuo", "Telefonas", "El. paštas"],
            ['UAB "Žalia giria"', 302345678, "Jonas Jonaitis", "8 612 34567", "jonas@zalia.lt"],
            ["Žalia giria, UAB", "302345678", "Ona Onaitė", "+370 699 11111", None],
        ],
        merged=["A1:E1"],
    )
    with open_table(data, "klientai.xlsx") as table:
        match, plan = plan_import(table, "LT")
    assert match.row_number == 3
    (org,) = plan.organizations
    assert (org.tax_id, org.name_key) == ("302345678", "žalia giria")
    assert [c.name for c in org.contacts] == ["Jonas Jonaitis", "Ona Onaitė"]
    assert plan.rows_with_warnings == 0


def test_a_changed_mapping_is_used_for_the_rows():
    data = xlsx([["Компания", "Доп. поле"], ["Ромашка", "89123456789"]])
    with open_table(data) as table:
        match = apply_override(detect_header(table.head()), 1, Field.phone)
        _, plan = plan_import(table, "RU", match)
    assert [p.e164 for p in plan.organizations[0].phones] == ["+79123456789"]


def test_a_sheet_without_a_header_is_refused_at_detection():
    data = xlsx([["Ромашка", 89123456789], ["Лютик", 89123456780]])
    with open_table(data) as table, pytest.raises(ImportFileError) as caught:
        plan_import(table, "RU")
    assert caught.value.problem is ImportProblem.no_header


def test_the_public_api_is_exported():
    for name in importing.__all__:
        assert hasattr(importing, name), name
