"""Open a spreadsheet file of any kind a user sends and stream its rows.

`open_table(data, filename)` looks at the content, not the name: .xlsx (a zip with
[Content_Types].xml and xl/workbook.xml), CSV (UTF-8 with or without BOM, UTF-16 with BOM as
Excel's "Unicode text", otherwise cp1251 as 1C writes it; comma, semicolon or tab; Excel's
"sep=;" first line) and HTML tables saved as ".xls" (Bitrix24's Excel export) are read;
everything else is refused with an `ImportFileError` whose `ImportProblem` says why: old
binary .xls, a password-protected workbook, .xlsb/.ods/XML Spreadsheet 2003, a PDF or a
picture, a zip bomb, XML with a DTD, an empty workbook, too many rows or columns.

`Table.rows()` is a generator: one `SheetRow` at a time, fully empty rows skipped, row numbers
as the user sees them in Excel (for CSV: the record's number, a quoted field over several lines
being one record). Cells come out as str (stripped; "" becomes None), int, float, bool,
datetime/date/time/timedelta or None. Numbers stay numbers: Excel's 89123456789.0 is for
`crm.phones.cell_text` to turn back into digits, not for the reader to guess.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, NamedTuple

from crm.importing import _html, _xlsx
from crm.importing.errors import ImportFileError, ImportProblem

__all__ = [
    "HEAD_ROWS",
    "Cell",
    "ReadLimits",
    "SheetRow",
    "Table",
    "TableFormat",
    "open_table",
]

Cell = str | int | float | bool | datetime | date | time | timedelta | None

HEAD_ROWS = 30  # rows that header detection looks at
EXCEL_MAX_ROWS = 1_048_576


@dataclass(frozen=True)
class ReadLimits:
    """What a file may hold. The defaults suit a chat bot; tests pass small ones.

    max_grid_cells: python-calamine keeps the sheet's used rectangle in memory at ~32 bytes a
    cell; a sheet larger than this many cells (rows x columns) is read with openpyxl's
    streaming reader instead (constant memory, ~10x slower).
    """

    max_rows: int = EXCEL_MAX_ROWS
    max_columns: int = 1024
    max_uncompressed: int = 256 * 1024 * 1024  # all parts of an .xlsx together, declared sizes
    max_ratio: float = 100.0  # declared uncompressed / compressed size of an XML part over 1 MB
    max_grid_cells: int = 8_000_000

    def check_row(self, number: int, width: int, where: str) -> None:
        """Refuse row `number` (from 1) of `width` cells once it is past a limit, while
        reading, so a huge file stops at its first row too many. `where` names the row in the
        error's detail as its format counts rows: "row", "record" (CSV), "table row" (HTML)."""
        if number > self.max_rows:
            raise ImportFileError(ImportProblem.too_many_rows, f"{where} {number}")
        if width > self.max_columns:
            raise ImportFileError(ImportProblem.too_many_columns, f"{where} {number}")


DEFAULT_LIMITS = ReadLimits()


class TableFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    html = "html"  # an HTML table saved as ".xls" (Bitrix24 and other web CRMs)


class SheetRow(NamedTuple):
    """One non-empty row. `values[i]` is column i (0 = "A"); rows may be shorter than others.

    `uncalculated` lists the columns whose cell holds a formula with no cached value (their
    value is None): the file was written by a program and never opened in Excel.
    """

    number: int
    values: Sequence[Cell]
    uncalculated: tuple[int, ...] = ()


# --- content sniffing ----------------------------------------------------------------------------

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_NOT_SPREADSHEETS = (
    b"%PDF-",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",  # TIFF
    b"MM\x00*",
    b"\x1f\x8b",  # gzip
    b"Rar!",
    b"7z\xbc\xaf\x27\x1c",
    b"\x7fELF",
    b"MZ",
    b"{\\rtf",
    b"OggS",
    b"ID3",
    b"fLaC",
)
_SAMPLE = 64 * 1024
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MARKUP = re.compile(r"\s*<(?:\?xml|!doctype|html|table|head|body|!--)", re.IGNORECASE)
_DELIMITERS = (";", ",", "\t")
_SEP_LINE = re.compile(r"sep=(.)\r?\n", re.IGNORECASE)  # Excel's delimiter hint


def _ole_problem(read_all: Iterator[bytes]) -> ImportProblem:
    """Old .xls, an encrypted .xlsx (an OLE2 file with an EncryptedPackage stream), or other."""
    markers = {
        "EncryptedPackage".encode("utf-16-le"): ImportProblem.encrypted,
        "Workbook".encode("utf-16-le"): ImportProblem.old_excel,
        "Book".encode("utf-16-le") + b"\x00\x00": ImportProblem.old_excel,
    }
    found: set[ImportProblem] = set()
    tail = b""
    for chunk in read_all:
        window = tail + chunk
        found.update(problem for marker, problem in markers.items() if marker in window)
        if ImportProblem.encrypted in found:
            return ImportProblem.encrypted
        tail = window[-64:]
    if ImportProblem.old_excel in found:
        return ImportProblem.old_excel
    return ImportProblem.not_a_spreadsheet  # a Word .doc, an .msg...


def _chunks(source: IO[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    source.seek(0)
    while chunk := source.read(size):
        yield chunk


def _zip_kind(source: IO[bytes]) -> ImportProblem | None:
    """None for an .xlsx; otherwise why this zip is not one."""
    import zipfile

    source.seek(0)
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                if "[Content_Types].xml" not in names:
                    return ImportProblem.damaged
                return None
            if "xl/workbook.bin" in names:
                return ImportProblem.unsupported_format  # .xlsb
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size < 200 and b"spreadsheet" in archive.read("mimetype"):
                    return ImportProblem.unsupported_format  # .ods
            return ImportProblem.not_a_spreadsheet  # .docx, photos.zip...
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return ImportProblem.damaged


# --- CSV ------------------------------------------------------------------------------------------


def _encoding(head: bytes, chunks: Iterator[bytes]) -> str:
    """utf-8-sig / utf-16 by BOM; utf-8 when every byte decodes strictly; else cp1251."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        for chunk in chunks:
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def _delimiter(sample: str) -> str:
    """csv.Sniffer's choice among ; , tab when it parses consistently, else the best by counting."""
    lines = sample.splitlines()
    if len(sample) >= _SAMPLE - 16 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    sample = "\n".join(lines[:200])
    scores = {delimiter: _consistency(sample, delimiter) for delimiter in _DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    best = max(_DELIMITERS, key=lambda d: scores[d])
    if sniffed in scores and scores[sniffed] >= scores[best]:
        return sniffed
    return best if scores[best] > (0, 0) else ","


def _consistency(sample: str, delimiter: str) -> tuple[float, int]:
    """(share of records with the most common field count, that count) for records with > 1."""
    counts: dict[int, int] = {}
    records = 0
    try:
        for record in csv.reader(io.StringIO(sample), delimiter=delimiter):
            if not any(field.strip() for field in record):
                continue
            records += 1
            if len(record) > 1:
                counts[len(record)] = counts.get(len(record), 0) + 1
    except csv.Error:
        return (0.0, 0)
    if not counts:
        return (0.0, 0)
    width, frequency = max(counts.items(), key=lambda item: (item[1], item[0]))
    return (frequency / records, width)


# --- the table -----------------------------------------------------------------------------------


def _clean(values: Sequence[Any]) -> list[Cell] | None:
    """Strings stripped, "" as None; None when nothing is left in the row."""
    cleaned = [(v.strip() or None) if v.__class__ is str else v for v in values]
    for value in cleaned:
        if value is not None:
            return cleaned
    return None


def _unwrap(value: Cell) -> Cell:
    """Excel's ="0123" (text that keeps its leading zeros in a CSV) is 0123."""
    if isinstance(value, str) and value.startswith('="') and value.endswith('"'):
        return value[2:-1].strip() or None
    return value


class Table:
    """An opened spreadsheet: what was detected, and its rows on demand.

    Each `rows()` call is a new pass over the file, with a file handle of its own (so a preview
    and the import can both read it, even at the same time); `head()` keeps the first rows for
    header detection. Close the table (or use `with`) to end the pass `head()` left open.
    """

    format: TableFormat
    filename: str
    sheet_name: str | None  # the sheet read (.xlsx): the first visible one with data
    sheet_names: list[str]
    encoding: str | None  # CSV and HTML only
    delimiter: str | None  # CSV only
    reader: str  # "calamine", "openpyxl", "csv" or "html": where the time goes
    uncalculated_formulas: int  # cells whose formula has no cached value, in the whole sheet

    def __init__(
        self,
        *,
        format: TableFormat,
        filename: str,
        opener: Callable[[], IO[bytes]],
        limits: ReadLimits,
        package: _xlsx.Package | None = None,
        encoding: str | None = None,
        delimiter: str | None = None,
        skip_first_line: bool = False,
    ):
        self.format = format
        self.filename = filename
        self.limits = limits
        self._opener = opener  # every pass reads through a handle of its own
        self._package = package
        self._head: list[SheetRow] | None = None
        self._head_complete = False
        self._resume: tuple[list[SheetRow], Iterator[SheetRow]] | None = None
        self.encoding = encoding
        self.delimiter = delimiter
        self._skip_first_line = skip_first_line
        if package is not None:
            self.sheet_name = package.sheet.name
            self.sheet_names = [s.name for s in package.sheets if s.worksheet]
            self.reader = "calamine" if package.use_calamine else "openpyxl"
            self.uncalculated_formulas = package.scan.uncalculated_count
        else:
            self.sheet_name = None
            self.sheet_names = []
            self.reader = "html" if format is TableFormat.html else "csv"
            self.uncalculated_formulas = 0

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Ends a pass left open by `head()`; passes being iterated close with their generator."""
        self._drop_resume()

    def head(self, count: int = HEAD_ROWS) -> list[SheetRow]:
        """The first `count` non-empty rows (read once and kept).

        The pass that read them stays open: the next `rows()` continues it instead of opening
        the workbook again (python-calamine loads a sheet in one go).
        """
        if self._head is None or (len(self._head) < count and self._head_complete is False):
            self._drop_resume()
            head: list[SheetRow] = []
            rows = self._new_pass()
            complete = True
            for row in rows:
                head.append(row)
                if len(head) >= count:
                    complete = False
                    break
            if complete:
                rows.close()
            else:
                self._resume = (list(head), rows)
            self._head = head
            self._head_complete = complete
        return self._head[:count]

    def rows(self) -> Iterator[SheetRow]:
        """Every non-empty row, in order, as a generator. May raise `ImportFileError`."""
        resume, self._resume = self._resume, None
        if resume is not None:
            buffered, rest = resume
            yield from buffered
            yield from rest
        else:
            yield from self._new_pass()

    def _drop_resume(self) -> None:
        if self._resume is not None:
            self._resume[1].close()
            self._resume = None

    def _new_pass(self) -> Iterator[SheetRow]:
        if self._package is not None:
            return self._xlsx_rows(self._package)
        if self.format is TableFormat.html:
            return self._html_rows()
        return self._csv_rows()

    def _html_rows(self) -> Iterator[SheetRow]:
        with self._opener() as source:
            yield from self._html_rows_from(source)

    def _html_rows_from(self, source: IO[bytes]) -> Iterator[SheetRow]:
        check_row = self.limits.check_row
        for number, cells in _html.html_rows(source, self.encoding or "utf-8"):
            check_row(number, len(cells), "table row")
            cleaned = _clean(cells)
            if cleaned is not None:
                yield SheetRow(number, cleaned)

    def _xlsx_rows(self, package: _xlsx.Package) -> Iterator[SheetRow]:
        uncalculated = package.scan.uncalculated
        reader = _xlsx.calamine_rows if package.use_calamine else _xlsx.openpyxl_rows
        check_row = self.limits.check_row
        trim = not package.use_calamine  # openpyxl pads rows to the widest one
        last = 0
        for number, values in reader(package, self._opener):
            last = number
            check_row(number, len(values), "row")
            cleaned = _clean(values)
            columns = uncalculated.get(number)
            if cleaned is not None:
                if trim:
                    while cleaned[-1] is None:
                        cleaned.pop()
                yield SheetRow(number, cleaned, tuple(columns) if columns else ())
            elif columns:
                yield SheetRow(number, [None] * (max(columns) + 1), tuple(columns))
        # Rows whose only cells are uncalculated formulas lie beyond what the reader saw.
        for number in sorted(n for n in uncalculated if n > last):
            columns = uncalculated[number]
            yield SheetRow(number, [None] * (max(columns) + 1), tuple(columns))

    def _csv_rows(self) -> Iterator[SheetRow]:
        with self._opener() as source:
            yield from self._csv_rows_from(source)

    def _csv_rows_from(self, source: IO[bytes]) -> Iterator[SheetRow]:
        stream = io.TextIOWrapper(
            source,  # type: ignore[arg-type]
            encoding=self.encoding or "utf-8",
            errors="replace",
            newline="",
        )
        check_row = self.limits.check_row
        try:
            if self._skip_first_line:
                stream.readline()  # Excel's "sep=;" line: not a row for Excel either
            reader = csv.reader(stream, delimiter=self.delimiter or ",")
            for number, record in enumerate(reader, 1):
                check_row(number, len(record), "record")
                cleaned = _clean(record)
                if cleaned is not None:
                    yield SheetRow(number, [_unwrap(v) for v in cleaned])
        except csv.Error as error:
            raise ImportFileError(ImportProblem.damaged, f"CSV: {error}") from None
        finally:
            stream.detach()  # the pass's handle is closed by its owner


# --- opening -------------------------------------------------------------------------------------


def open_table(
    data: bytes | Path,
    filename: str = "",
    *,
    sheet: str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Table:
    """Detect the format of `data` (the file's bytes, or its path) and check it; rows not read.

    For .xlsx every check that protects memory runs here (see `_xlsx`); for CSV the encoding
    and the delimiter are found here, the row and column limits while reading. `sheet` picks a
    worksheet by name (`ImportFileError(no_such_sheet)`, with the file's `sheet_names`, when it
    has none of that name or is no .xlsx); by default the first visible one with data.
    `filename` is informative (it ends up in `Table.filename`); the format is never taken
    from it.
    """
    if isinstance(data, Path):
        path: Path | None = data

        def opener() -> IO[bytes]:
            return open(data, "rb")

    else:
        path = None

        def opener() -> IO[bytes]:
            return io.BytesIO(data)  # shares the bytes: no copy

    with opener() as source:
        return _open(source, opener, path, filename, sheet, limits)


def _open(
    source: IO[bytes],
    opener: Callable[[], IO[bytes]],
    path: Path | None,
    filename: str,
    sheet: str | None,
    limits: ReadLimits,
) -> Table:
    head = source.read(_SAMPLE)
    if not head.strip(b" \t\r\n\x00"):
        raise ImportFileError(ImportProblem.empty, "no bytes")
    if head.startswith(_OLE2):
        raise ImportFileError(_ole_problem(_chunks(source)), "OLE2 container")
    if head.startswith(_ZIP):
        problem = _zip_kind(source)
        if problem is not None:
            raise ImportFileError(problem, "zip")
        source.seek(0)
        package = _xlsx.inspect_package(source, path, limits, sheet)
        return Table(
            format=TableFormat.xlsx,
            filename=filename,
            opener=opener,
            limits=limits,
            package=package,
        )
    if head.startswith(_NOT_SPREADSHEETS):
        raise ImportFileError(ImportProblem.not_a_spreadsheet, "known binary signature")
    if sheet is not None:
        raise ImportFileError(ImportProblem.no_such_sheet, "a text file has no worksheets")
    encoding = _encoding(head, _chunks(source))
    text = head.decode(encoding, errors="replace")
    if encoding == "utf-8" and len(head) == _SAMPLE:
        text = head.decode("utf-8", errors="ignore")  # a character may be cut at the end
    if _MARKUP.match(text):
        lowered = text.lower()
        if "urn:schemas-microsoft-com:office:spreadsheet" in lowered and "<workbook" in lowered:
            raise ImportFileError(ImportProblem.unsupported_format, "XML Spreadsheet 2003")
        if "<table" not in lowered:
            raise ImportFileError(ImportProblem.not_a_spreadsheet, "markup without a table")
        return Table(
            format=TableFormat.html,
            filename=filename,
            opener=opener,
            limits=limits,
            encoding=encoding,
        )
    if len(_CONTROL.findall(text[:8192])) > max(2, len(text[:8192]) // 100):
        raise ImportFileError(ImportProblem.not_a_spreadsheet, "binary data")
    separator = _SEP_LINE.match(text.lstrip("\ufeff"))
    return Table(
        format=TableFormat.csv,
        filename=filename,
        opener=opener,
        limits=limits,
        encoding=encoding,
        delimiter=separator.group(1) if separator else _delimiter(text),
        skip_first_line=separator is not None,
    )
