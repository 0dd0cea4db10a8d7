"""The export's streaming .xlsx writer: files that Excel's readers (openpyxl here) and our own
importer read back as written."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl

from crm.importing import open_table
from crm.xlsx_writer import XlsxWriter


def _written() -> bytes:
    writer = XlsxWriter()
    writer.add_sheet("Organizations", ["Organization", "Phone", "Count", "Done", "When"])
    writer.append(["ООО «Ромашка» & Co <b>", "+7 912 345-67-89", 3, True, date(2026, 11, 25)])
    writer.append(['=HYPERLINK("x")', None, 2.5, False, datetime(2026, 11, 25, 9, 30, tzinfo=UTC)])
    writer.append(["bell\x07 and  two spaces ", "-1", None, None, None])
    writer.add_sheet("Empty", ["Only", "a header"])
    return writer.finish()


def test_openpyxl_reads_values_types_and_the_quote_prefix():
    workbook = openpyxl.load_workbook(io.BytesIO(_written()))
    assert workbook.sheetnames == ["Organizations", "Empty"]
    sheet = workbook["Organizations"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Organization", "Phone", "Count", "Done", "When")
    assert rows[1] == (
        "ООО «Ромашка» & Co <b>",
        "+7 912 345-67-89",
        3,
        True,
        datetime(2026, 11, 25),
    )
    assert rows[2] == ('=HYPERLINK("x")', None, 2.5, False, datetime(2026, 11, 25, 9, 30))
    assert rows[3] == ("bell and  two spaces ", "-1", None, None, None)
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    formula = sheet["A3"]
    assert formula.data_type == "s" and formula.quotePrefix
    assert sheet["B2"].quotePrefix and not sheet["A2"].quotePrefix
    assert workbook["Empty"].max_row == 1


def test_the_importer_reads_it_sheet_by_sheet():
    with open_table(_written(), "export.xlsx", sheet="Organizations") as table:
        rows = [row.values for row in table.rows()]
    assert rows[0] == ["Organization", "Phone", "Count", "Done", "When"]
    assert rows[1][:4] == ["ООО «Ромашка» & Co <b>", "+7 912 345-67-89", 3, True]
    assert table.sheet_names == ["Organizations", "Empty"]
