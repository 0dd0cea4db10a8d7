"""The workbook of an import's rejected rows (the export is `crm.exporting`).

Text that starts with = + - @, a tab or a carriage return is written as a string cell with
Excel's quote prefix, so that a spreadsheet program never evaluates it as a formula."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import openpyxl
from openpyxl.cell import WriteOnlyCell

from crm.phones import cell_text

if TYPE_CHECKING:
    from crm.importing.records import RowIssue
    from crm.importing.service import RejectedRow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(sheet, value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; the header says UTC
    return value


def _append(sheet, values: Iterable[Any]) -> None:
    sheet.append([_cell(sheet, v) for v in values])


def _bold_header(sheet, header: Sequence[str]) -> None:
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = openpyxl.styles.Font(bold=True)
        cells.append(cell)
    sheet.append(cells)


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rejected_rows_workbook(
    rejected: Sequence[RejectedRow],
    headers: Sequence[str],
    explain: Callable[[RowIssue], str],
) -> bytes:
    """The rejected rows as read, under the file's header, with the row number first and the
    reasons (text from `explain`, one line per issue) last."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Rejected")
    _bold_header(sheet, ["Row", *headers, "Why"])
    width = len(headers)
    for row in rejected:
        values = [cell_text(v) if v is not None else None for v in row.values]
        values = (values + [None] * width)[: max(width, len(values))]
        why = "\n".join(explain(issue) for issue in row.issues)
        _append(sheet, [row.row_number, *values, why])
    return _save(workbook)
