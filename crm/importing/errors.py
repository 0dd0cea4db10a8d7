"""Why a whole file cannot be imported: one typed error that the chat translates."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ImportFileError", "ImportProblem"]


class ImportProblem(StrEnum):
    """What is wrong with a file as a whole (row problems are `records.IssueCode`).

    Each value names one message in the user's language and, where there is one, the fix.
    """

    old_excel = "old_excel"  # binary .xls (Excel 97-2003): save it as .xlsx or CSV
    encrypted = "encrypted"  # a password-protected workbook: save it without the password
    unsupported_format = "unsupported_format"  # .xlsb, .ods, XML Spreadsheet 2003, HTML "xls"
    not_a_spreadsheet = "not_a_spreadsheet"  # a PDF, a picture, a document, random bytes
    damaged = "damaged"  # a spreadsheet that cannot be read: broken zip, XML or CSV
    too_large = "too_large"  # beyond the size limits, including zip bombs
    unsafe_xml = "unsafe_xml"  # XML with a DTD (entity bombs, external entities)
    empty = "empty"  # no sheet with data, or a file with no rows
    too_many_rows = "too_many_rows"  # more rows than Excel has (1,048,576) or the set limit
    too_many_columns = "too_many_columns"  # data further right than any contact list goes
    no_header = "no_header"  # no row in the first rows looks like column names
    # a worksheet asked for by name (the command line's --sheet; the chat reads the first one)
    # that the file does not have, or a CSV/HTML file, which has no worksheets
    no_such_sheet = "no_such_sheet"


class ImportFileError(Exception):
    """A file is refused. `problem` is for the user; `detail` is English, for the logs only.

    Raised by `open_table` before any row is read, and — for limits that only reading can
    find (a CSV's row count, a broken line) — while rows are being read. `sheet_names`: for
    `no_such_sheet`, the worksheets the file has (none for a CSV).
    """

    def __init__(
        self,
        problem: ImportProblem,
        detail: str | None = None,
        *,
        sheet_names: list[str] | None = None,
    ):
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail
        self.sheet_names = sheet_names or []
