"""/export: the workspace as an .xlsx file with organizations, contacts and activities."""

from __future__ import annotations

import io

import openpyxl

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
