"""/export: the workspace as an .xlsx file with organizations, contacts and activities."""

from __future__ import annotations

import io

import openpyxl

from tests.e2e.activity_helpers import add_contact, add_organization
from tests.e2e.test_imports import csv_bytes, import_it, upload


async def test_export_sends_a_workbook_with_three_sheets(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await import_it(admin, await upload(admin, csv_bytes(), "clients.csv"), "✅ Import")
    await admin.next_message()  # the rejected rows
    await admin.send("/export")
    message = await admin.next_message()
    assert message.document is not None
    assert message.document.filename == "crm-export-2026-11-25.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(message.document.data), read_only=True)
    assert workbook.sheetnames == ["Organizations", "Contacts", "Activities"]
    names = [row[0] for row in workbook["Organizations"].iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["АО «Вектор»", "ИП Лютик", "ООО «Ромашка»"]
    people = {row[2] for row in workbook["Contacts"].iter_rows(min_row=2, values_only=True)}
    assert {"Иван Петров", "Анна Смирнова", "Олег Орлов"} <= people
    # the file's unmapped "Город" column, kept with each person, comes after the standard ones
    contacts = list(workbook["Contacts"].iter_rows(values_only=True))
    assert contacts[0][6:] == ("Contact note", "Owner", "Город")
    assert {(row[2], row[8]) for row in contacts[1:]} >= {("Иван Петров", "Москва")}
    workbook.close()


async def test_export_of_an_empty_workspace_has_the_headers(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await admin.send("/export")
    message = await admin.next_message()
    workbook = openpyxl.load_workbook(io.BytesIO(message.document.data))
    assert [sheet.max_row for sheet in workbook.worksheets] == [1, 1, 1]
    assert workbook["Organizations"]["A1"].value == "Organization"


async def test_an_exported_file_imports_back(bot):
    """The export's Organizations sheet uses headers the importer recognizes."""
    admin = await bot.onboard(bot.user(1, "Olga"))
    await import_it(admin, await upload(admin, csv_bytes(), "clients.csv"), "✅ Import")
    await admin.next_message()
    await admin.send("/export")
    exported = (await admin.next_message()).document.data
    preview = await upload(admin, exported, "crm-export-2026-11-25.xlsx")
    assert "Organization → Organization" in preview.text, preview.text
    assert "Already in the CRM: organizations 3," in preview.text


def _sheet(data: bytes, name: str, column: int) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    values = [row[column] for row in workbook[name].iter_rows(min_row=2, values_only=True)]
    workbook.close()
    return sorted(values)


async def _logged_call(user, text: str) -> None:
    await user.send(f"/call {text}")
    logged = await user.next_message()
    assert "Call with" in logged.text, logged.text


async def test_a_rep_exports_their_own_records_and_a_manager_everything(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    rep = await bot.join(admin, bot.user(2, "Rimas"))
    manager = await bot.join(admin, bot.user(3, "Mila"), "Invite a manager")
    olgas = await add_organization(bot, admin, "Olga Trade")
    await add_contact(bot, admin, "Pavel Adminov", organization_id=olgas.id)
    rimas = await add_organization(bot, rep, "Rimas Supply")
    await add_contact(bot, rep, "Ivan Repin", organization_id=rimas.id)
    await add_contact(bot, rep, "Rita Sidorova", organization_id=olgas.id)  # in Olga's company
    await _logged_call(rep, "Repin agreed on a demo")
    await _logged_call(admin, "Adminov no answer")

    await rep.send("/export")
    own = await rep.next_message()
    assert "you own" in own.text, own.text
    data = own.document.data
    assert _sheet(data, "Organizations", 0) == ["Rimas Supply"]
    assert _sheet(data, "Contacts", 2) == ["Ivan Repin", "Rita Sidorova"]
    assert _sheet(data, "Contacts", 0) == ["Olga Trade", "Rimas Supply"]
    assert _sheet(data, "Activities", 3) == ["Ivan Repin"]

    await manager.send("/export")
    everything = (await manager.next_message()).document.data
    assert _sheet(everything, "Organizations", 0) == ["Olga Trade", "Rimas Supply"]
    assert _sheet(everything, "Contacts", 2) == ["Ivan Repin", "Pavel Adminov", "Rita Sidorova"]
    assert _sheet(everything, "Activities", 3) == ["Ivan Repin", "Pavel Adminov"]
