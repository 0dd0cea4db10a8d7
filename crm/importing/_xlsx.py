"""The .xlsx side of `reading`: check the package before any reader touches it, then read rows.

Checks, in order, each before anything is decompressed that the previous one did not clear:

1. the zip's central directory: no encrypted entries, only stored/deflated entries, the sum of
   the declared uncompressed sizes within `max_uncompressed`, no XML part over 1 MB that
   claims to inflate more than `max_ratio` times its compressed size;
2. every XML part that a reader will parse is inflated here, by `zlib`, with the output
   counted: a part that inflates past its declared size (a lying header), fails its CRC or
   starts with a DTD (`<!DOCTYPE`: entity bombs, external entities — OOXML never has one) is
   refused; other XML parts get the DTD check on their first bytes;
3. the chosen worksheet is scanned in the same pass: its `<dimension>` (too many rows before
   reading a byte more), the largest row and column of any cell (python-calamine keeps a
   sheet as a dense grid of ~32 bytes per cell of the used rectangle, so a 1 KB file with
   cells in A1 and Z1000000 would take 800 MB), and the cells whose formula has no cached
   value (openpyxl and many generators write formulas that Excel never calculated).

Rows then come from python-calamine when the grid fits `max_grid_cells`, otherwise (or when
python-calamine is missing, or cells lack their addresses) from openpyxl in read-only mode,
which streams in constant memory but is about ten times slower. openpyxl parses with defusedxml
when it is installed (it is a dependency), so its XML is protected on its own as well.
"""

from __future__ import annotations

import codecs
import ctypes
import ctypes.util
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from defusedxml import ElementTree as SafeElementTree

from crm.importing.errors import ImportFileError, ImportProblem

if TYPE_CHECKING:
    from crm.importing.reading import ReadLimits as Limits

try:  # pragma: no branch - the fallback is tested by forcing it
    import python_calamine
except ImportError:  # pragma: no cover - python-calamine is a dependency
    python_calamine = None

_CHUNK = 1 << 20
_PROLOG_LIMIT = 64 * 1024
_BIG_PART = 1 << 20  # the ratio check applies to parts larger than this
_MAX_UNCALCULATED_KEPT = 100_000  # cells remembered by address; beyond, only counted
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")

_PROLOG_ITEM = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)
_ROOT = re.compile(rb"\s*<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)")


@dataclass(frozen=True)
class SheetInfo:
    name: str
    part: str  # "xl/worksheets/sheet1.xml"
    visible: bool
    worksheet: bool  # False for chart sheets and dialog sheets


@dataclass
class SheetScan:
    """What the byte-level pass found in one worksheet's XML."""

    max_row: int = 0  # 1-based; 0 when the sheet has no cells with an address
    max_column: int = 0  # 1-based
    has_values: bool = False
    addressed: bool = True  # every <c> has r="A1"; otherwise the grid size is unknown
    dimension_rows: int | None = None
    uncalculated: dict[int, list[int]] = field(default_factory=dict)  # row -> 0-based columns
    uncalculated_count: int = 0


# --- zip entries ---------------------------------------------------------------------------------


def _check_directory(archive: zipfile.ZipFile, limits: Limits) -> None:
    total = 0
    for info in archive.infolist():
        if info.flag_bits & 0x1:
            raise ImportFileError(ImportProblem.encrypted, f"encrypted zip entry {info.filename}")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ImportFileError(
                ImportProblem.unsupported_format,
                f"{info.filename}: compression method {info.compress_type}",
            )
        total += info.file_size
        if total > limits.max_uncompressed:
            raise ImportFileError(
                ImportProblem.too_large,
                f"declared uncompressed size over {limits.max_uncompressed} bytes",
            )
        if (
            info.file_size > _BIG_PART
            and info.file_size > limits.max_ratio * max(info.compress_size, 1)
            and _is_xml(info.filename)
        ):
            raise ImportFileError(
                ImportProblem.too_large,
                f"{info.filename}: {info.file_size} bytes from {info.compress_size}",
            )


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels")) or name == "[Content_Types].xml"


def _inflate(source: IO[bytes], info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The entry's bytes, inflated by zlib here and checked against the declared size and CRC."""
    source.seek(info.header_offset)
    header = source.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise ImportFileError(ImportProblem.damaged, f"{info.filename}: bad local header")
    name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
    source.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    left = info.compress_size
    produced = 0
    crc = 0
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise ImportFileError(ImportProblem.damaged, f"{info.filename}: stored size differs")
        while left > 0:
            data = source.read(min(_CHUNK, left))
            if not data:
                raise ImportFileError(ImportProblem.damaged, f"{info.filename}: truncated")
            left -= len(data)
            crc = zlib.crc32(data, crc)
            yield data
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        while not inflater.eof:
            if inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
            else:
                data = source.read(min(_CHUNK, left)) if left > 0 else b""
                if not data:
                    raise ImportFileError(ImportProblem.damaged, f"{info.filename}: truncated")
                left -= len(data)
            try:
                out = inflater.decompress(data, _CHUNK)
            except zlib.error as error:
                raise ImportFileError(ImportProblem.damaged, f"{info.filename}: {error}") from None
            produced += len(out)
            if produced > info.file_size:
                raise ImportFileError(
                    ImportProblem.too_large,
                    f"{info.filename} inflates past its declared {info.file_size} bytes",
                )
            if out:
                crc = zlib.crc32(out, crc)
                yield out
        if produced != info.file_size:
            raise ImportFileError(ImportProblem.damaged, f"{info.filename}: size mismatch")
    if crc != info.CRC:
        raise ImportFileError(ImportProblem.damaged, f"{info.filename}: bad CRC")


def _read_part(source: IO[bytes], info: zipfile.ZipInfo, limit: int = 16 << 20) -> bytes:
    """A small XML part (workbook, relationships), checked, whole."""
    if info.file_size > limit:
        raise ImportFileError(ImportProblem.too_large, f"{info.filename}: {info.file_size} bytes")
    data = b"".join(_inflate(source, info))
    _root_of(data, info.filename)
    return data


def _root_of(head: bytes, name: str) -> tuple[bytes, bytes] | None:
    """(namespace prefix, local name) of the root element; refuses a DTD; None: read more."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head[:_PROLOG_LIMIT].decode("utf-16", errors="replace").encode("utf-8")
    elif head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    position = 0
    while (item := _PROLOG_ITEM.match(head, position)) and item.end() > position:
        position = item.end()
    rest = head[position:].lstrip()
    if rest.startswith(b"<!"):
        raise ImportFileError(ImportProblem.unsafe_xml, f"{name}: document type declaration")
    if root := _ROOT.match(rest):
        if len(rest) > root.end():  # the whole name has arrived
            return root.group(1) or b"", root.group(2)
    if len(head) >= _PROLOG_LIMIT:
        raise ImportFileError(ImportProblem.unsafe_xml, f"{name}: no root element in the prolog")
    return None


def _check_prolog(source: IO[bytes], info: zipfile.ZipInfo) -> None:
    """The DTD check on the first bytes of a part nobody reads whole."""
    head = b""
    for chunk in _inflate_head(source, info):
        head += chunk
        if _root_of(head, info.filename) is not None:
            return
    if head.strip():
        raise ImportFileError(ImportProblem.damaged, f"{info.filename}: no root element")


def _inflate_head(source: IO[bytes], info: zipfile.ZipInfo) -> Iterator[bytes]:
    produced = 0
    for chunk in _inflate(source, info):
        yield chunk
        produced += len(chunk)
        if produced >= _PROLOG_LIMIT:
            return


# --- the workbook --------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attribute(element: Any, local_name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == local_name:
            return value
    return None


def _sheets(source: IO[bytes], archive: zipfile.ZipFile) -> list[SheetInfo]:
    names = set(archive.namelist())
    workbook_part = "xl/workbook.xml"
    rels_part = "xl/_rels/workbook.xml.rels"
    try:
        workbook = SafeElementTree.fromstring(_read_part(source, archive.getinfo(workbook_part)))
        rels = (
            SafeElementTree.fromstring(_read_part(source, archive.getinfo(rels_part)))
            if rels_part in names
            else None
        )
    except ImportFileError:
        raise
    except Exception as error:  # defusedxml's errors and ParseError
        problem = ImportProblem.unsafe_xml if "Forbidden" in type(error).__name__ else None
        raise ImportFileError(problem or ImportProblem.damaged, f"workbook: {error!r}") from None
    targets: dict[str, tuple[str, str]] = {}
    if rels is not None:
        for relationship in rels:
            rel_id = relationship.get("Id")
            target = relationship.get("Target") or ""
            kind = (relationship.get("Type") or "").rsplit("/", 1)[-1]
            if rel_id:
                if target.startswith("/"):
                    part = target.lstrip("/")
                else:
                    part = posixpath.normpath(posixpath.join("xl", target))
                targets[rel_id] = (part, kind)
    sheets = []
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        part, kind = targets.get(_attribute(element, "id") or "", ("", ""))
        sheets.append(
            SheetInfo(
                name=element.get("name") or "",
                part=part,
                visible=(element.get("state") or "visible") == "visible",
                worksheet=kind == "worksheet" and part in names,
            )
        )
    return sheets


# --- scanning a worksheet ------------------------------------------------------------------------


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


class _SheetScanner:
    """The byte-level pass over one worksheet's XML (see the module docstring)."""

    def __init__(self, name: str, limits: Limits):
        self.name = name
        self.limits = limits
        self.scan = SheetScan()
        self.prefix: bytes | None = None
        self.buffer = b""

    def _compile(self, prefix: bytes) -> None:
        p = re.escape(prefix + b":") if prefix else b""
        self.cell = re.compile(b"<" + p + rb'c(?=[\s>/])(?:\s[^>]*?\br="([A-Z]{1,3})(\d{1,7})")?')
        self.valued_cell = re.compile(
            b"<" + p + rb'c\s[^>]*?\br="([A-Z]{1,3})(\d{1,7})"[^>]*(?<!/)>'
        )
        self.formula = re.compile(b"<" + p + rb"f[\s>/]")
        self.cell_start = re.compile(b"<" + p + rb"c[\s>/]")
        self.cell_end = b"</" + prefix + (b":" if prefix else b"") + b"c>"
        self.row_end = b"</" + prefix + (b":" if prefix else b"") + b"row>"
        self.values = (b"<" + prefix + (b":" if prefix else b"") + b"v>", b"<" + p + b"is>")
        self.value = re.compile(b"<" + p + rb"v(?:\s[^>]*)?(?:/>|>(.*?)</" + p + rb"v>)", re.S)
        self.dimension = re.compile(
            b"<" + p + rb'dimension\s+ref="\$?[A-Z]{0,3}\$?(\d*)(?::\$?[A-Z]{1,3}\$?(\d+))?"'
        )
        self.type = re.compile(rb'\st="([^"]*)"')
        self.address = re.compile(rb'\sr="([A-Z]{1,3})(\d{1,7})"')

    def feed(self, chunk: bytes) -> None:
        if self.prefix is None:
            self.buffer += chunk
            root = _root_of(self.buffer, self.name)
            if root is None:
                return
            self.prefix = root[0]
            self._compile(self.prefix)
            if dimension := self.dimension.search(self.buffer, 0, _PROLOG_LIMIT * 4):
                rows = int(dimension.group(2) or dimension.group(1) or 0)
                self.scan.dimension_rows = rows
                self._check_rows(rows)
            chunk, self.buffer = self.buffer, b""
        self.buffer += chunk
        cut = self.buffer.rfind(self.row_end)
        if cut < 0:
            if len(self.buffer) < 16 * _CHUNK:
                return
            cut = self.buffer.rfind(self.cell_end)
            if cut < 0:
                cut = len(self.buffer) - _PROLOG_LIMIT
        cut = max(cut, 0)
        self._scan(self.buffer[:cut])
        self.buffer = self.buffer[cut:]

    def finish(self) -> SheetScan:
        if self.prefix is None:
            raise ImportFileError(ImportProblem.damaged, f"{self.name}: no root element")
        self._scan(self.buffer)
        self.buffer = b""
        return self.scan

    def _check_rows(self, rows: int) -> None:
        if rows > self.limits.max_rows:
            raise ImportFileError(ImportProblem.too_many_rows, f"{self.name}: {rows} rows")

    def _scan(self, data: bytes) -> None:
        if not data:
            return
        scan = self.scan
        if not scan.has_values:
            scan.has_values = any(marker in data for marker in self.values)
        cells = self.cell.findall(data)
        if cells:
            row, column = self._extent(cells)
            limits = self.limits
            if (
                column > limits.max_columns
                or row > limits.max_rows
                or max(row, scan.max_row) * max(column, scan.max_column) > limits.max_grid_cells
            ):
                # Empty styled cells (<c r="XFD1" s="1"/>) hold no data: only cells that do count.
                row, column = self._extent(self.valued_cell.findall(data))
            scan.max_row = max(scan.max_row, row)
            scan.max_column = max(scan.max_column, column)
            self._check_rows(scan.max_row)
            if scan.max_column > limits.max_columns:
                raise ImportFileError(
                    ImportProblem.too_many_columns, f"{self.name}: column {scan.max_column}"
                )
        if self.formula.search(data):
            self._uncalculated(data)

    def _extent(self, cells: list[tuple[bytes, bytes]]) -> tuple[int, int]:
        """(largest row, largest column) of the cells' addresses; notes cells without one."""
        if not cells:
            return 0, 0
        columns = set(map(itemgetter(0), cells))
        if b"" in columns:
            self.scan.addressed = False
            columns.discard(b"")
            rows = [row for _, row in cells if row]
        else:
            rows = list(map(itemgetter(1), cells))
        widest = max(columns, key=lambda letters: (len(letters), letters)) if columns else b""
        return (max(map(int, rows)) if rows else 0), _column_number(widest)

    def _uncalculated(self, data: bytes) -> None:
        """Record cells with a formula and no cached value (no <v>, or an empty one not t="str")."""
        scan = self.scan
        position = 0
        while formula := self.formula.search(data, position):
            start = -1
            for start_match in self.cell_start.finditer(data, max(0, formula.start() - 4096)):
                if start_match.start() > formula.start():
                    break
                start = start_match.start()
            end = data.find(self.cell_end, formula.end())
            if start < 0 or end < 0:
                position = formula.end()
                continue
            cell = data[start:end]
            position = end
            tag_end = cell.find(b">")
            tag = cell[: tag_end + 1]
            value = self.value.search(cell)
            cell_type = self.type.search(tag)
            if value is not None and (
                value.group(1) or (cell_type is not None and cell_type.group(1) == b"str")
            ):
                continue  # a cached value (an empty text result counts)
            scan.uncalculated_count += 1
            address = self.address.search(tag)
            if address is not None and len(scan.uncalculated) < _MAX_UNCALCULATED_KEPT:
                row = int(address.group(2))
                scan.uncalculated.setdefault(row, []).append(_column_number(address.group(1)) - 1)


# --- the package ---------------------------------------------------------------------------------


@dataclass
class Package:
    """A checked .xlsx: which sheet to read and what the scan found in it."""

    path: Path | None
    sheets: list[SheetInfo]
    sheet: SheetInfo
    scan: SheetScan
    limits: Limits

    @property
    def use_calamine(self) -> bool:
        scan = self.scan
        return (
            python_calamine is not None
            and scan.addressed
            and scan.max_row * scan.max_column <= self.limits.max_grid_cells
        )


def _named(sheets: list[SheetInfo], name: str) -> list[SheetInfo]:
    """The worksheet called `name`: exactly, else ignoring case and surrounding blanks."""
    found = [s for s in sheets if s.name == name]
    if not found:
        folded = name.strip().casefold()
        found = [s for s in sheets if s.name.strip().casefold() == folded][:1]
    if not found:
        raise ImportFileError(
            ImportProblem.no_such_sheet,
            f"no worksheet {name!r}",
            sheet_names=[s.name for s in sheets],
        )
    return found


def inspect_package(
    source: IO[bytes], path: Path | None, limits: Limits, sheet_name: str | None
) -> Package:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ImportFileError(ImportProblem.damaged, f"zip: {error}") from None
    with archive:
        _check_directory(archive, limits)
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise ImportFileError(ImportProblem.damaged, "no xl/workbook.xml")
        sheets = _sheets(source, archive)
        candidates = [s for s in sheets if s.worksheet]
        if sheet_name is not None:
            candidates = _named(candidates, sheet_name)
        else:
            candidates = [s for s in candidates if s.visible] or candidates
        if not candidates:
            raise ImportFileError(ImportProblem.empty, "no worksheet")
        chosen: tuple[SheetInfo, SheetScan] | None = None
        scanned: set[str] = set()
        for sheet in candidates:
            scan = _scan_sheet(source, archive.getinfo(sheet.part), sheet.part, limits)
            scanned.add(sheet.part)
            if scan.has_values:
                chosen = (sheet, scan)
                break
        if chosen is None:
            raise ImportFileError(ImportProblem.empty, "no worksheet with values")
        for info in archive.infolist():
            if not _is_xml(info.filename) or info.filename in scanned:
                continue
            if info.filename.startswith("xl/worksheets/") or info.filename.startswith("docProps/"):
                _check_prolog(source, info)  # not read by the row readers
            else:
                _read_whole(source, info)
    return Package(path, sheets, chosen[0], chosen[1], limits)


def _read_whole(source: IO[bytes], info: zipfile.ZipInfo) -> None:
    head = b""
    root_found = False
    for chunk in _inflate(source, info):
        if not root_found:
            head += chunk
            root_found = _root_of(head, info.filename) is not None
            if root_found:
                head = b""


def _scan_sheet(source: IO[bytes], info: zipfile.ZipInfo, name: str, limits: Limits) -> SheetScan:
    scanner = _SheetScanner(name, limits)
    for chunk in _inflate(source, info):
        scanner.feed(chunk)
    return scanner.finish()


# --- reading rows --------------------------------------------------------------------------------


def calamine_error(error: Exception) -> ImportFileError:
    if python_calamine is not None and isinstance(error, python_calamine.PasswordError):
        return ImportFileError(ImportProblem.encrypted, repr(error))
    return ImportFileError(ImportProblem.damaged, repr(error))


_PADDING: tuple[bool, bool] | None = None


def _calamine_padding() -> tuple[bool, bool]:
    """Whether python-calamine's iter_rows starts at row 1 / column A or at the data's corner.

    (0.9 pads rows but not columns; the answer is taken from a tiny workbook once.)
    """
    global _PADDING
    if _PADDING is None:
        from crm.importing.samples import build_xlsx

        sheet = (
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row r="5"><c r="C5"><v>1</v></c></row></sheetData></worksheet>'
        )
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(build_xlsx(sheet)))
        rows = list(workbook.get_sheet_by_index(0).iter_rows())
        _PADDING = (len(rows) == 5, len(rows[-1]) == 3)
        workbook.close()
    return _PADDING


def calamine_rows(
    package: Package, opener: Callable[[], IO[bytes]]
) -> Iterator[tuple[int, list[Any]]]:
    """(1-based row number, values from column A) for every row python-calamine gives."""
    pad_rows, pad_columns = _calamine_padding()
    try:
        if package.path is not None:
            workbook = python_calamine.CalamineWorkbook.from_path(str(package.path))
        else:
            with opener() as source:
                workbook = python_calamine.CalamineWorkbook.from_filelike(source)
        with workbook:
            sheet = workbook.get_sheet_by_name(package.sheet.name)
            start = sheet.start
            if start is None:
                return
            first_row = 1 if pad_rows else start[0] + 1
            lead = [] if pad_columns else [None] * start[1]
            for number, values in enumerate(sheet.iter_rows(), first_row):
                yield number, lead + values if lead else values
            del sheet  # with the workbook closed, the grid is freed
    except python_calamine.CalamineError as error:
        raise calamine_error(error) from None
    return_freed_memory()


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None (another C library, another system)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _malloc_trim()


def return_freed_memory() -> None:
    """Give the C heap's free memory back to the system. python-calamine's grid lives in the
    C heap, which keeps it once freed (100,000 rows: ~40 MB) for later C allocations, while
    Python's objects (the plan, the database's rows) come from arenas of their own: without
    this the freed grid would stay resident under everything built next."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def openpyxl_rows(
    package: Package, opener: Callable[[], IO[bytes]]
) -> Iterator[tuple[int, list[Any] | tuple[Any, ...]]]:
    """The same from openpyxl's read-only mode (constant memory, slower)."""
    import openpyxl

    with opener() as source:
        yield from _openpyxl_rows(package, source, openpyxl)


def _openpyxl_rows(
    package: Package, source: IO[bytes], openpyxl: Any
) -> Iterator[tuple[int, list[Any] | tuple[Any, ...]]]:
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for broken files
        raise ImportFileError(ImportProblem.damaged, repr(error)) from None
    try:
        worksheet = workbook[package.sheet.name]
        worksheet.reset_dimensions()  # the <dimension> tag may lie; read to the end
        # Without addresses the extent is unknown: rows come as long as they are.
        max_column = package.scan.max_column if package.scan.addressed else None
        rows = worksheet.iter_rows(min_row=1, max_col=max_column, values_only=True)
        try:
            yield from enumerate(rows, 1)
        except ImportFileError:
            raise
        except Exception as error:
            raise ImportFileError(ImportProblem.damaged, repr(error)) from None
    finally:
        workbook.close()
