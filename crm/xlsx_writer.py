"""A small streaming .xlsx writer for large exports.

openpyxl (without lxml, as here) serializes each cell through a pure-Python XML writer at
~50 us a cell: minutes for an export of a few hundred thousand rows. This writes the sheet XML
as text straight into the zip's deflate stream, ~1-2 us a cell, and holds nothing but the
compressed file: one sheet at a time, rows appended in order, then `finish()`.

What a cell can be: text (inline strings; text that starts with = + - @, a tab or a carriage
return gets Excel's quote prefix so that it is never evaluated as a formula; characters XML
cannot carry are dropped; cut at Excel's 32,767), int, float, bool, datetime (written in UTC
without the zone: Excel has none) and date. Everything else is written as its text.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

__all__ = ["XlsxWriter"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_TEXT = 32_767
FLUSH_ROWS = 500

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = datetime(1899, 12, 30)
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# cellXfs: 0 plain, 1 text with the quote prefix, 2 date and time, 3 date, 4 bold (headers)
_QUOTED, _DATETIME, _DATE, _BOLD = 1, 2, 3, 4
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _text(value: str) -> str:
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT]
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    return escape(value)


def _cell(ref: str, value: Any, style: int = 0) -> str:
    kind = value.__class__
    if kind is str:
        if value.startswith(FORMULA_STARTS):
            style = _QUOTED
        s = f' s="{style}"' if style else ""
        return (
            f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
        )
    if kind is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if kind is int or (kind is float and math.isfinite(value)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        serial = (value - _EPOCH).total_seconds() / 86_400
        return f'<c r="{ref}" s="{_DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        serial = (value - _EPOCH.date()).days
        return f'<c r="{ref}" s="{_DATE}"><v>{serial}</v></c>'
    return _cell(ref, str(value), style)


class XlsxWriter:
    """`writer.add_sheet(name, header)`, `writer.append(values)` per row, `writer.finish()`."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(self._buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
        self._sheets: list[str] = []
        self._stream: Any = None
        self._pending: list[str] = []
        self._row = 0
        self._letters: list[str] = []

    def add_sheet(self, name: str, header: Sequence[str]) -> None:
        """Start a sheet (the previous one is done) with a bold header row."""
        self._end_sheet()
        self._sheets.append(name[:31])
        path = f"xl/worksheets/sheet{len(self._sheets)}.xml"
        self._stream = self._zip.open(path, "w", force_zip64=True)
        self._stream.write(f'{_HEAD}<worksheet xmlns="{_NS}"><sheetData>'.encode())
        self._row = 0
        self._append(header, _BOLD)

    def append(self, values: Iterable[Any]) -> None:
        self._append(values, 0)

    def _append(self, values: Iterable[Any], style: int) -> None:
        self._row += 1
        row = self._row
        letters = self._letters
        cells = []
        for column, value in enumerate(values):
            if value is None:
                continue
            while column >= len(letters):
                letters.append(_column_letters(len(letters)))
            cells.append(_cell(f"{letters[column]}{row}", value, style))
        self._pending.append(f'<row r="{row}">{"".join(cells)}</row>')
        if len(self._pending) >= FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._stream.write("".join(self._pending).encode())
            self._pending.clear()

    def _end_sheet(self) -> None:
        if self._stream is not None:
            self._flush()
            self._stream.write(b"</sheetData></worksheet>")
            self._stream.close()
            self._stream = None

    def finish(self) -> bytes:
        """The workbook's bytes; the writer is done."""
        self._end_sheet()
        count = len(self._sheets)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in range(1, count + 1)
        )
        self._zip.writestr(
            "[Content_Types].xml",
            f"{_HEAD}<Types "
            'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        self._zip.writestr(
            "_rels/.rels",
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        sheets = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
            for n, name in enumerate(self._sheets, start=1)
        )
        self._zip.writestr(
            "xl/workbook.xml",
            f'{_HEAD}<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>',
        )
        relations = "".join(
            f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, count + 1)
        )
        relations += f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{relations}</Relationships>',
        )
        self._zip.writestr("xl/styles.xml", _STYLES)
        self._zip.close()
        return self._buffer.getvalue()
