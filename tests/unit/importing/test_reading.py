from __future__ import annotations

import io
import os
import random
import struct
import tracemalloc
import zipfile
from datetime import datetime

import defusedxml
import openpyxl
import pytest

from crm.importing import _xlsx
from crm.importing.errors import ImportFileError, ImportProblem
from crm.importing.reading import ReadLimits, SheetRow, TableFormat, open_table
from crm.importing.samples import build_xlsx
from tests.unit.importing.factories import (
    csv_bytes,
    inline,
    number,
    ole2,
    row,
    sheet_xml,
    simple_sheet,
    xlsx,
    zip_with,
)


def problem_of(data, **kwargs) -> ImportProblem:
    with pytest.raises(ImportFileError) as caught:
        with open_table(data, "file", **kwargs) as table:
            list(table.rows())
    return caught.value.problem


def values(table) -> list[tuple[int, list]]:
    return [(r.number, list(r.values)) for r in table.rows()]


# --- .xlsx ------------------------------------------------------------------------------------


def test_xlsx_rows_keep_numbers_strip_text_and_skip_empty_rows():
    data = xlsx(
        [
            ["Контрагенты"],
            [],
            ["  Наименование ", "Телефон", "Сумма"],
            ["ООО «Ромашка»", 89123456789, 1.5],
            [None, "   ", None],
            ["ИП Петров", "8 (912) 345-67-89", datetime(2024, 11, 25, 10, 30)],
        ],
        merged=["A1:C1"],
    )
    with open_table(data, "clients.xlsx") as table:
        assert table.format is TableFormat.xlsx
        assert table.filename == "clients.xlsx"
        assert table.reader == "calamine"
        assert table.sheet_name == "Sheet"
        rows = values(table)
    assert rows == [
        (1, ["Контрагенты", None, None]),
        (3, ["Наименование", "Телефон", "Сумма"]),
        (4, ["ООО «Ромашка»", 89123456789, 1.5]),
        (6, ["ИП Петров", "8 (912) 345-67-89", datetime(2024, 11, 25, 10, 30)]),
    ]


def _open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
@pytest.mark.parametrize("limits", [ReadLimits(), ReadLimits(max_grid_cells=1)])
def test_a_path_is_read_and_no_file_stays_open(tmp_path, limits):
    path = tmp_path / "book.xlsx"
    path.write_bytes(xlsx([["Компания", "Телефон"], ["Ромашка", "89123456789"]]))
    before = _open_files()
    with open_table(path, "book.xlsx", limits=limits) as table:
        table.head(1)
        assert values(table) == [(1, ["Компания", "Телефон"]), (2, ["Ромашка", "89123456789"])]
    assert _open_files() == before


@pytest.mark.parametrize(
    ("data", "limits"),
    [
        (xlsx([["Компания"]] + [[f"Организация {i}"] for i in range(300)]), ReadLimits()),
        (
            xlsx([["Компания"]] + [[f"Организация {i}"] for i in range(300)]),
            ReadLimits(max_grid_cells=1),
        ),
        ("Компания\n".encode() + "".join(f"Организация {i}\n" for i in range(300)).encode(), None),
        (
            (
                "<table><tr><td>Компания</td></tr>"
                + "".join(f"<tr><td>Организация {i}</td></tr>" for i in range(300))
            ).encode(),
            None,
        ),
    ],
    ids=["calamine", "openpyxl", "csv", "html"],
)
def test_passes_over_one_table_do_not_disturb_each_other(tmp_path, data, limits):
    path = tmp_path / "file"
    path.write_bytes(data)
    for source in (data, path):
        with open_table(source, limits=limits or ReadLimits()) as table:
            first, second = table.rows(), table.rows()
            pairs = list(zip(first, second, strict=True))
        assert len(pairs) == 301
        assert all(a == b for a, b in pairs)


def test_data_that_does_not_start_in_a1_keeps_excel_row_and_column_numbers():
    body = row(5, inline("C5", "Компания"), inline("E5", "Телефон")) + row(
        6, inline("D6", "x"), number("E6", 89123456789)
    )
    data = build_xlsx(sheet_xml(body))
    with open_table(data) as table:
        assert table.reader == "calamine"
        rows = values(table)
    assert rows == [
        (5, [None, None, "Компания", None, "Телефон"]),
        (6, [None, None, None, "x", 89123456789]),
    ]


def test_openpyxl_fallback_reads_the_same_rows():
    body = row(2, inline("B2", "Компания"), inline("C2", "Телефон")) + row(
        4, inline("B4", "Ромашка"), number("C4", 89123456789)
    )
    data = build_xlsx(sheet_xml(body))
    with open_table(data) as fast:
        expected = values(fast)
    with open_table(data, limits=ReadLimits(max_grid_cells=1)) as slow:
        assert slow.reader == "openpyxl"
        assert values(slow) == expected


def test_head_then_rows_continue_one_pass_and_rows_can_be_read_again():
    data = xlsx([["Компания"]] + [[f"Организация {i}"] for i in range(50)])
    with open_table(data) as table:
        head = table.head(5)
        assert [r.number for r in head] == [1, 2, 3, 4, 5]
        assert table._resume is not None  # the pass that read the head stays open
        first = [r.number for r in table.rows()]
        second = [r.number for r in table.rows()]
        assert table.head(5) == head
    assert first == second == list(range(1, 52))


def test_the_first_visible_sheet_with_data_is_read_and_the_others_are_named():
    data = xlsx(
        [],
        title="Пустой",
        extra_sheets=[("Клиенты", [["Компания"], ["Ромашка"]]), ("Ещё", [["x"]])],
    )
    with open_table(data) as table:
        assert table.sheet_name == "Клиенты"
        assert table.sheet_names == ["Пустой", "Клиенты", "Ещё"]
    with open_table(data, sheet="Ещё") as table:
        assert values(table) == [(1, ["x"])]


def test_a_sheet_is_found_by_name_ignoring_case_or_named_in_the_error():
    data = xlsx([["Компания"], ["Ромашка"]], title="Клиенты", extra_sheets=[("Ещё", [["x"]])])
    with open_table(data, sheet=" ещё ") as table:
        assert table.sheet_name == "Ещё"
    with pytest.raises(ImportFileError) as caught:
        open_table(data, sheet="Contacts")
    assert caught.value.problem is ImportProblem.no_such_sheet
    assert caught.value.sheet_names == ["Клиенты", "Ещё"]
    with pytest.raises(ImportFileError) as caught:
        open_table(b"Company,Phone\r\nAcme,1\r\n", sheet="Clients")
    assert caught.value.problem is ImportProblem.no_such_sheet
    assert caught.value.sheet_names == []


def test_a_hidden_sheet_is_skipped():
    data = xlsx([["secret"]], hidden_first=True, extra_sheets=[("Клиенты", [["Компания"]])])
    with open_table(data) as table:
        assert table.sheet_name == "Клиенты"


def test_stored_entries_and_a_namespace_prefix_are_read():
    prefixed = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Компания</x:t></x:is>'
        '</x:c></x:row><x:row r="3"><x:c r="B3"><x:v>7</x:v></x:c></x:row></x:sheetData>'
        "</x:worksheet>"
    ).encode()
    data = build_xlsx(prefixed, compression=zipfile.ZIP_STORED)
    with open_table(data) as table:
        scan = table._package.scan
        assert (scan.max_row, scan.max_column, scan.has_values) == (3, 2, True)
        assert values(table) == [(1, ["Компания", None]), (3, [None, 7])]


# --- formulas without cached values -----------------------------------------------------------


def test_formulas_that_were_never_calculated_are_reported_by_cell():
    data = xlsx([["Компания", "Телефон", "Итого"], ["Ромашка", "=B3", "=1+1"], ["Лютик", 1, 2]])
    with open_table(data) as table:
        assert table.uncalculated_formulas == 2
        rows = list(table.rows())
    assert rows[1] == SheetRow(2, ["Ромашка", None, None], (1, 2))
    assert rows[2].uncalculated == ()


def test_cached_formula_values_are_not_reported():
    body = row(1, inline("A1", "Компания"), inline("B1", "Число")) + row(
        2,
        inline("A2", "Ромашка"),
        b'<c r="B2"><f>1+1</f><v>2</v></c>',
        b'<c r="C2" t="str"><f>IF(A2="","",A2)</f><v></v></c>',
        b'<c r="D2"><f t="shared" si="0"/><v/></c>',
    )
    with open_table(build_xlsx(sheet_xml(body))) as table:
        assert table.uncalculated_formulas == 1
        rows = list(table.rows())
    assert rows[1].values[1] == 2
    assert rows[1].uncalculated == (3,)


def test_a_row_whose_only_cell_is_an_uncalculated_formula_is_still_reported():
    body = row(1, inline("A1", "Компания")) + row(2, b'<c r="B2"><f>A1</f></c>')
    with open_table(build_xlsx(sheet_xml(body))) as table:
        rows = list(table.rows())
    assert rows[-1] == SheetRow(2, [None, None], (1,))


# --- CSV ---------------------------------------------------------------------------------------

LINES = [
    ["Наименование", "ИНН", "Телефон", "Адрес"],
    ['ООО "Ромашка"', "7701234567", "8 (912) 345-67-89", "г. Москва, ул. Ленина, д. 1"],
    ["ИП Пётр Ёлкин", "", "+7 912 3456789, доб. 12", ""],
]


@pytest.mark.parametrize(
    ("delimiter", "encoding", "detected"),
    [
        (";", "cp1251", "cp1251"),  # 1C
        (",", "utf-8-sig", "utf-8-sig"),  # Excel's "CSV UTF-8"
        ("\t", "utf-8", "utf-8"),
        ("\t", "utf-16", "utf-16"),  # Excel's "Unicode text"
        (";", "utf-8", "utf-8"),
    ],
)
def test_csv_encodings_and_delimiters_are_detected(delimiter, encoding, detected):
    data = csv_bytes(LINES, delimiter=delimiter, encoding=encoding)
    with open_table(data, "export.csv") as table:
        assert table.format is TableFormat.csv
        assert table.reader == "csv"
        assert (table.encoding, table.delimiter) == (detected, delimiter)
        rows = values(table)
    assert rows == [
        (1, LINES[0]),
        (2, LINES[1]),
        (3, ["ИП Пётр Ёлкин", None, "+7 912 3456789, доб. 12", None]),
    ]


def test_csv_from_a_path(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes(LINES, delimiter=";", encoding="cp1251"))
    with open_table(path) as table:
        assert table.encoding == "cp1251"
        assert len(list(table.rows())) == 3


def test_a_quoted_field_over_several_lines_is_one_row_numbered_as_excel_shows_it():
    data = 'Компания;Примечание\n"Ромашка";"строка 1\nстрока 2"\n\nЛютик;x\n'.encode()
    with open_table(data) as table:
        assert values(table) == [
            (1, ["Компания", "Примечание"]),
            (2, ["Ромашка", "строка 1\nстрока 2"]),
            (4, ["Лютик", "x"]),
        ]


def test_cp1251_bytes_that_are_not_valid_utf8_late_in_the_file_decide_the_encoding():
    text = "Компания;Телефон\n" + "Romashka;89123456789\n" * 5000 + "Ромашка;1\n"
    data = text.encode("cp1251")
    with open_table(data) as table:
        assert table.encoding == "cp1251"
        assert list(table.rows())[-1].values == ["Ромашка", "1"]


def test_a_single_column_csv_is_read_with_a_comma():
    with open_table("Телефон\n89123456789\n".encode()) as table:
        assert table.delimiter == ","
        assert values(table) == [(1, ["Телефон"]), (2, ["89123456789"])]


def test_counting_beats_the_sniffer_on_semicolons_with_commas_inside():
    lines = [["Компания", "Адрес", "Телефон"]] + [
        [f"Ромашка {i}", f"г. Москва, ул. Ленина, д. {i}, кв. {i}", "89123456789"]
        for i in range(10)
    ]
    data = csv_bytes(lines, delimiter=";", encoding="utf-8")
    with open_table(data) as table:
        assert table.delimiter == ";"


def test_excels_sep_line_sets_the_delimiter_and_is_no_row():
    data = "sep=,\r\nКомпания,Адрес\r\nРомашка;Лютик,Москва\r\n".encode("utf-8-sig")
    with open_table(data) as table:
        assert table.delimiter == ","
        assert values(table) == [(1, ["Компания", "Адрес"]), (2, ["Ромашка;Лютик", "Москва"])]


def test_excels_text_formula_in_a_csv_is_unwrapped():
    data = 'Компания;ИНН\nРомашка;="0012345678"\nЛютик;=""\n'.encode()
    with open_table(data) as table:
        assert values(table) == [
            (1, ["Компания", "ИНН"]),
            (2, ["Ромашка", "0012345678"]),
            (3, ["Лютик", None]),
        ]


def test_a_broken_csv_is_damaged():
    data = b"a,b\n" + b'"' + b"x" * 200_000 + b"\n"
    assert problem_of(data) is ImportProblem.damaged


# --- HTML tables saved as .xls -------------------------------------------------------------------

BITRIX_EXPORT = """<html>
<head><meta http-equiv="Content-type" content="text/html;charset={charset}" />
<style>td {{ mso-number-format:"\\@"; }}</style></head>
<body>
<table border="1">
<tr><th>ID</th><th>Имя</th><th>Фамилия</th><th>Компания</th><th>Рабочий телефон</th></tr>
<tr><td>1</td><td>Иван</td><td>Петров</td><td>ООО &laquo;Ромашка&raquo;</td>
<td>+7 912 345-67-89<br>8 (495) 123-45-67</td></tr>
<tr><td colspan="2">Итого</td><td></td><td>&nbsp;</td><td></td></tr>
<tr><td>2</td><td>Анна</td><td>Смирнова</td><td>AT&amp;T</td><td>89123456780</td></tr>
</table>
</body></html>
"""


@pytest.mark.parametrize(("charset", "encoding"), [("utf-8", "utf-8"), ("windows-1251", "cp1251")])
def test_an_html_table_saved_as_xls_is_read(charset, encoding):
    data = BITRIX_EXPORT.format(charset=charset).encode(encoding)
    with open_table(data, "contacts.xls") as table:
        assert (table.format, table.reader, table.encoding) == (
            TableFormat.html,
            "html",
            encoding,
        )
        rows = values(table)
    assert rows == [
        (1, ["ID", "Имя", "Фамилия", "Компания", "Рабочий телефон"]),
        (2, ["1", "Иван", "Петров", "ООО «Ромашка»", "+7 912 345-67-89\n8 (495) 123-45-67"]),
        (3, ["Итого", None, None, None, None]),
        (4, ["2", "Анна", "Смирнова", "AT&T", "89123456780"]),
    ]


def test_html_limits_apply_while_reading():
    rows = "".join(f"<tr><td>{i}</td></tr>" for i in range(20))
    data = f"<table><tr><td>Телефон</td></tr>{rows}</table>".encode()
    assert problem_of(data, limits=ReadLimits(max_rows=10)) is ImportProblem.too_many_rows
    wide = "<table><tr>" + "<td>x</td>" * 20 + "</tr></table>"
    assert problem_of(wide.encode(), limits=ReadLimits(max_columns=10)) is (
        ImportProblem.too_many_columns
    )


def test_an_html_file_is_read_in_chunks():
    row_html = "<tr><td>Ромашка</td><td>89123456789</td></tr>\n"
    data = ("<table><tr><th>Компания</th><th>Телефон</th></tr>" + row_html * 5000).encode()
    with open_table(data) as table:
        assert sum(1 for _ in table.rows()) == 5001


# --- refused files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (ole2(["Root Entry", "Workbook", "SummaryInformation"]), ImportProblem.old_excel),
        (ole2(["Root Entry", "EncryptionInfo", "EncryptedPackage"]), ImportProblem.encrypted),
        (ole2(["Root Entry", "WordDocument"]), ImportProblem.not_a_spreadsheet),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", ImportProblem.not_a_spreadsheet),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, ImportProblem.not_a_spreadsheet),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, ImportProblem.not_a_spreadsheet),
        (random.Random(0).randbytes(10_000), ImportProblem.not_a_spreadsheet),
        (b"", ImportProblem.empty),
        (b" \r\n\t ", ImportProblem.empty),
        (zip_with({"word/document.xml": b"<w/>"}), ImportProblem.not_a_spreadsheet),
        (
            zip_with({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
            ImportProblem.unsupported_format,
        ),
        (zip_with({"xl/workbook.bin": b"\x00"}), ImportProblem.unsupported_format),
        (zip_with({"xl/workbook.xml": b"<workbook/>"}), ImportProblem.damaged),
        (b"PK\x03\x04 not really a zip", ImportProblem.damaged),
        (b"<html><body><p>Hello</p></body></html>", ImportProblem.not_a_spreadsheet),
        (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            ImportProblem.unsupported_format,
        ),
        (b"<?xml version='1.0'?><rss></rss>", ImportProblem.not_a_spreadsheet),
    ],
    ids=[
        "xls",
        "encrypted-xlsx",
        "doc",
        "pdf",
        "png",
        "jpeg",
        "random",
        "nothing",
        "blanks",
        "docx",
        "ods",
        "xlsb",
        "no-content-types",
        "broken-zip",
        "html-without-table",
        "xml-spreadsheet-2003",
        "other-xml",
    ],
)
def test_files_that_are_not_readable_spreadsheets_are_refused(data, problem):
    assert problem_of(data) is problem


def test_the_extension_does_not_matter():
    data = xlsx([["Компания"], ["Ромашка"]])
    with open_table(data, "clients.csv") as table:
        assert table.format is TableFormat.xlsx
    assert problem_of(b"%PDF-1.4 ...") is ImportProblem.not_a_spreadsheet


def test_a_workbook_without_data_is_empty():
    assert problem_of(xlsx([])) is ImportProblem.empty
    assert problem_of(build_xlsx(sheet_xml(b'<row r="1"><c r="A1" s="1"/></row>'))) is (
        ImportProblem.empty
    )


def test_a_truncated_workbook_is_damaged():
    data = xlsx([["Компания"], ["Ромашка"]])
    assert problem_of(data[: len(data) - 200]) is ImportProblem.damaged


# --- zip bombs ---------------------------------------------------------------------------------


def _bounded(call, limit_bytes: int = 20 * 1024 * 1024) -> ImportProblem:
    tracemalloc.start()
    try:
        try:
            call()
        except ImportFileError as error:
            problem = error.problem
        else:
            pytest.fail("not refused")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < limit_bytes, f"peak {peak} bytes"
    return problem


def test_a_highly_compressed_sheet_is_refused_before_it_is_inflated():
    padding = b" " * 50_000_000  # 50 MB of blanks deflate to ~50 KB: a ratio near 1000
    data = build_xlsx(simple_sheet(head=b"", extra_rows=padding))
    del padding

    def read():
        with open_table(data) as table:
            list(table.rows())

    assert _bounded(read) is ImportProblem.too_large


def test_the_declared_total_size_is_capped():
    data = xlsx([["Компания"], ["Ромашка"]])
    assert problem_of(data, limits=ReadLimits(max_uncompressed=2000)) is ImportProblem.too_large


def _lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with `name`'s declared uncompressed size replaced (local and central headers)."""
    buffer = bytearray(data)
    encoded = name.encode()
    local = buffer.find(b"PK\x03\x04")
    while local >= 0:
        name_length = struct.unpack_from("<H", buffer, local + 26)[0]
        if buffer[local + 30 : local + 30 + name_length] == encoded:
            struct.pack_into("<L", buffer, local + 22, size)
        local = buffer.find(b"PK\x03\x04", local + 4)
    central = buffer.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", buffer, central + 28)[0]
        if buffer[central + 46 : central + 46 + name_length] == encoded:
            struct.pack_into("<L", buffer, central + 24, size)
        central = buffer.find(b"PK\x01\x02", central + 4)
    return bytes(buffer)


def test_a_part_that_inflates_past_its_declared_size_is_refused():
    data = build_xlsx(simple_sheet(extra_rows=b" " * 5_000_000))
    lying = _lie_about_size(data, "xl/worksheets/sheet1.xml", 1000)
    with zipfile.ZipFile(io.BytesIO(lying)) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 1000
    assert _bounded(lambda: open_table(lying)) is ImportProblem.too_large


def test_a_bad_crc_is_damaged():
    data = bytearray(build_xlsx(simple_sheet()))
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<L", data, central + 16, 12345)
        central = data.find(b"PK\x01\x02", central + 4)
    assert problem_of(bytes(data)) is ImportProblem.damaged


def test_encrypted_zip_entries_are_refused():
    data = bytearray(build_xlsx(simple_sheet()))
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 8, 1)
    assert problem_of(bytes(data)) is ImportProblem.encrypted


# --- XML entity bombs and external entities ---------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
"""


def _bomb_sheet() -> bytes:
    body = row(1, inline("A1", "Компания")) + row(2, inline("A2", "&lol9;"))
    return sheet_xml(body, prolog=BILLION_LAUGHS)


def _bomb_strings() -> bytes:
    return (
        BILLION_LAUGHS
        + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1"'
        + b' uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )


def _bomb_workbook() -> bytes:
    return (
        BILLION_LAUGHS
        + b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        + b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        + b'<sheets><sheet name="&lol9;" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


@pytest.mark.parametrize(
    "data",
    [
        build_xlsx(_bomb_sheet()),
        build_xlsx(simple_sheet(), parts={"xl/sharedStrings.xml": _bomb_strings()}),
        build_xlsx(simple_sheet(), parts={"xl/workbook.xml": _bomb_workbook()}),
        build_xlsx(simple_sheet(), parts={"docProps/core.xml": BILLION_LAUGHS + b"<core/>"}),
        build_xlsx(sheet_xml(row(1, inline("A1", "&xxe;")), prolog=EXTERNAL)),
        build_xlsx(simple_sheet(), parts={"[Content_Types].xml": EXTERNAL + b"<Types/>"}),
    ],
    ids=["sheet", "shared-strings", "workbook", "other-part", "external-entity", "types"],
)
def test_xml_with_a_dtd_is_refused_with_bounded_memory(data):
    assert _bounded(lambda: open_table(data), 5 * 1024 * 1024) is ImportProblem.unsafe_xml


def test_a_dtd_hidden_behind_a_long_prolog_is_still_refused():
    prolog = b'<?xml version="1.0"?>' + b"<!-- padding -->" * 10_000 + b"\n"
    data = build_xlsx(simple_sheet(), parts={"xl/styles.xml": prolog + BILLION_LAUGHS[21:]})
    assert problem_of(data) is ImportProblem.unsafe_xml


def test_openpyxl_itself_parses_with_defusedxml():
    # openpyxl switches to defusedxml when it is installed; our fallback reader relies on it.
    assert openpyxl.DEFUSEDXML is True
    data = build_xlsx(simple_sheet(), parts={"xl/workbook.xml": _bomb_workbook()})
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as caught:  # openpyxl wraps the parser's error
            openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        assert isinstance(caught.value.__cause__, defusedxml.DefusedXmlException)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024


# --- rows, columns and the in-memory grid --------------------------------------------------------


def test_the_dimension_tag_refuses_too_many_rows_before_reading():
    sheet = simple_sheet(head=b'<dimension ref="A1:B1048577"/>')
    assert problem_of(build_xlsx(sheet)) is ImportProblem.too_many_rows
    sheet = simple_sheet(head=b'<dimension ref="A1:B20"/>')
    assert problem_of(build_xlsx(sheet), limits=ReadLimits(max_rows=10)) is (
        ImportProblem.too_many_rows
    )


def test_cells_below_the_row_limit_are_refused_even_without_a_dimension():
    sheet = simple_sheet(extra_rows=row(15, inline("A15", "x")))
    with pytest.raises(ImportFileError) as caught:
        open_table(build_xlsx(sheet), limits=ReadLimits(max_rows=10))
    assert caught.value.problem is ImportProblem.too_many_rows
    with open_table(build_xlsx(sheet), limits=ReadLimits(max_rows=15)) as table:
        assert [r.number for r in table.rows()] == [1, 2, 15]


def test_a_cell_address_beyond_its_row_counts():
    sheet = simple_sheet(extra_rows=b'<row r="3">' + inline("A2000000", "x") + b"</row>")
    assert problem_of(build_xlsx(sheet)) is ImportProblem.too_many_rows


def test_csv_rows_over_the_limit_are_refused_while_reading():
    data = ("Телефон\n" + "89123456789\n" * 20).encode()
    with open_table(data, limits=ReadLimits(max_rows=10)) as table:
        rows = table.rows()
        numbers = []
        with pytest.raises(ImportFileError) as caught:
            for sheet_row in rows:
                numbers.append(sheet_row.number)
    assert caught.value.problem is ImportProblem.too_many_rows
    assert numbers == list(range(1, 11))


@pytest.mark.parametrize(
    ("number", "width", "problem"),
    [
        (11, 1, ImportProblem.too_many_rows),
        (11, 99, ImportProblem.too_many_rows),  # rows are checked first
        (10, 6, ImportProblem.too_many_columns),
    ],
)
def test_one_row_check_for_every_format_names_the_row(number, width, problem):
    limits = ReadLimits(max_rows=10, max_columns=5)
    limits.check_row(10, 5, "record")  # at the limits: fine
    with pytest.raises(ImportFileError) as caught:
        limits.check_row(number, width, "table row")
    assert caught.value.problem is problem
    assert caught.value.detail == f"table row {number}"


def test_each_reader_names_rows_as_its_format_counts_them():
    limits = ReadLimits(max_rows=2)
    # (an .xlsx is refused earlier, by the scan of its sheet's XML, before any row is read)
    html = "<table>" + "<tr><td>Телефон</td></tr>" * 3 + "</table>"
    for data, detail in [(b"a\nb\nc\n", "record 3"), (html.encode(), "table row 3")]:
        with pytest.raises(ImportFileError) as caught:
            with open_table(data, "file", limits=limits) as table:
                list(table.rows())
        assert (caught.value.problem, caught.value.detail) == (ImportProblem.too_many_rows, detail)


def test_too_many_columns():
    sheet = simple_sheet(extra_rows=row(3, inline("ZZ3", "far away")))
    assert problem_of(build_xlsx(sheet), limits=ReadLimits(max_columns=100)) is (
        ImportProblem.too_many_columns
    )
    data = ("a," * 50 + "a\n").encode()
    assert problem_of(data, limits=ReadLimits(max_columns=10)) is ImportProblem.too_many_columns


def test_empty_styled_cells_far_right_do_not_count():
    sheet = simple_sheet(extra_rows=b'<row r="3"><c r="XFD3" s="1"/></row>')
    with open_table(build_xlsx(sheet), limits=ReadLimits(max_columns=100)) as table:
        assert table._package.scan.max_column == 2
        assert len(list(table.rows())) == 2


def test_a_sparse_sheet_that_would_make_a_huge_grid_is_streamed_by_openpyxl():
    # Two cells, A1 and Z200000: python-calamine would allocate 5.2 million cells.
    body = row(1, inline("A1", "Телефон")) + row(200_000, number("Z200000", 89123456789))
    data = build_xlsx(sheet_xml(body))
    tracemalloc.start()
    try:
        with open_table(data, limits=ReadLimits(max_grid_cells=1_000_000)) as table:
            assert table.reader == "openpyxl"
            rows = [(r.number, r.values[0], r.values[25:26]) for r in table.rows()]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == [(1, "Телефон", []), (200_000, None, [89123456789])]
    assert peak < 20 * 1024 * 1024


def test_cells_without_an_address_are_read_by_openpyxl():
    body = '<row r="1"><c t="inlineStr"><is><t>Компания</t></is></c><c><v>5</v></c></row>'.encode()
    with open_table(build_xlsx(sheet_xml(body))) as table:
        assert table.reader == "openpyxl"
        assert values(table) == [(1, ["Компания", 5])]


def test_without_python_calamine_openpyxl_reads(monkeypatch):
    monkeypatch.setattr(_xlsx, "python_calamine", None)
    with open_table(xlsx([["Компания"], ["Ромашка"]])) as table:
        assert table.reader == "openpyxl"
        assert values(table) == [(1, ["Компания"]), (2, ["Ромашка"])]


def test_the_grid_is_given_back_once_the_last_row_is_read(monkeypatch):
    """python-calamine's grid is freed in the C heap: it is trimmed after the last row, not
    before (the rows still come from it)."""
    calls: list[int] = []
    monkeypatch.setattr(_xlsx, "return_freed_memory", lambda: calls.append(1))
    rows = [["Имя", "Телефон"], *([f"Клиент {n}", f"+7912000{n:04d}"] for n in range(50))]
    with open_table(xlsx(rows), "clients.xlsx") as table:
        assert table.reader == "calamine"
        read = table.rows()
        for _ in range(50):
            next(read)
        assert calls == []
        assert len(list(read)) == 1
    assert calls == [1]
    _xlsx.return_freed_memory()  # the real one: harmless wherever it runs
