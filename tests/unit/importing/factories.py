"""Small spreadsheet files built in the tests: every kind a user may send."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any

import openpyxl

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def xlsx(
    rows: Sequence[Sequence[Any]],
    *,
    merged: Sequence[str] = (),
    title: str = "Sheet",
    extra_sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]] = (),
    hidden_first: bool = False,
) -> bytes:
    """An .xlsx written by openpyxl (formulas get no cached values, as openpyxl writes them)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for ref in merged:
        sheet.merge_cells(ref)
    if hidden_first:
        sheet.sheet_state = "hidden"
    for name, other_rows in extra_sheets:
        other = workbook.create_sheet(name)
        for row in other_rows:
            other.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_xml(body: bytes, *, head: bytes = b"", prolog: bytes = b"") -> bytes:
    return (
        prolog
        + b"<worksheet "
        + NS
        + b">"
        + head
        + b"<sheetData>"
        + body
        + b"</sheetData></worksheet>"
    )


def inline(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def number(ref: str, value: float | int) -> bytes:
    return f'<c r="{ref}"><v>{value}</v></c>'.encode()


def row(number_: int, *cells: bytes) -> bytes:
    return f'<row r="{number_}">'.encode() + b"".join(cells) + b"</row>"


def simple_sheet(extra_rows: bytes = b"", head: bytes = b"") -> bytes:
    """A header "Компания | Телефон" and one data row, plus whatever rows are given."""
    body = row(1, inline("A1", "Компания"), inline("B1", "Телефон")) + row(
        2, inline("A2", "Ромашка"), inline("B2", "+7 912 345-67-89")
    )
    return sheet_xml(body + extra_rows, head=head)


def csv_bytes(lines: Sequence[Sequence[str]], *, delimiter: str, encoding: str) -> bytes:
    text = "\r\n".join(delimiter.join(_quote(v, delimiter) for v in line) for line in lines)
    return (text + "\r\n").encode(encoding)


def _quote(value: str, delimiter: str) -> str:
    if delimiter in value or '"' in value or "\n" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def zip_with(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def ole2(streams: Sequence[str]) -> bytes:
    """Enough of an OLE2 compound file for format detection: the signature and the names of
    its directory entries (UTF-16LE), as Excel 97-2003 and encrypted OOXML files have them."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = b"".join(
        name.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64 for name in streams
    )
    return header + directory
