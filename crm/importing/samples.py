"""Generated spreadsheets for tests and benchmarks: a 1C-style counterparty list.

`write_1c_workbook(path, rows)` writes what an accountant's "Контрагенты" report exported from
1C looks like: a title and a date in merged cells above the header, an empty row, Russian
column names, phones written every way people write them (with an extension, two in a cell,
as an Excel number), organizations with several contact rows, and a share of rows that repeat
an earlier row by INN or by phone. openpyxl's write-only mode keeps it fast and its memory
flat (100,000 rows take about ten seconds).

The returned `SampleStats` says what an importer should find, so tests can check the grouping
without hard-coding numbers.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl

__all__ = ["HEADER_1C", "SampleStats", "build_xlsx", "inn10", "write_1c_workbook"]

HEADER_1C = [
    "Наименование",
    "ИНН",
    "КПП",
    "Контактное лицо",
    "Должность",
    "Телефон",
    "Мобильный телефон",
    "Эл. почта",
    "Юридический адрес",
    "Комментарий",
    "Ответственный",
]
TITLE_ROWS = 3  # title, date, empty row; the header is row 4, data starts at row 5

_FORMS = ["ООО «{}»", 'ООО "{}"', "АО «{}»", "ИП {}", "{}, ООО", "ЗАО {}"]
_WORDS_A = [
    "Северный",
    "Южный",
    "Восточный",
    "Западный",
    "Новый",
    "Первый",
    "Красный",
    "Зелёный",
    "Быстрый",
    "Точный",
    "Сибирский",
    "Уральский",
]
_WORDS_B = [
    "Альянс",
    "Вектор",
    "Стандарт",
    "Ресурс",
    "Логистик",
    "Снаб",
    "Строй",
    "Торг",
    "Сервис",
    "Монтаж",
    "Продукт",
    "Маркет",
]
_SURNAMES = [
    ("Иванов", "Иванова"),
    ("Петров", "Петрова"),
    ("Смирнов", "Смирнова"),
    ("Кузнецов", "Кузнецова"),
    ("Попов", "Попова"),
    ("Соколов", "Соколова"),
    ("Лебедев", "Лебедева"),
    ("Козлов", "Козлова"),
    ("Новиков", "Новикова"),
    ("Морозов", "Морозова"),
]
_MEN = ["Иван", "Пётр", "Сергей", "Алексей", "Дмитрий", "Андрей", "Михаил", "Олег"]
_WOMEN = ["Анна", "Мария", "Елена", "Ольга", "Наталья", "Ирина", "Татьяна", "Юлия"]
_PATRONYMICS = [("Иванович", "Ивановна"), ("Петрович", "Петровна"), ("Сергеевич", "Сергеевна")]
_POSITIONS = ["Директор", "Главный бухгалтер", "Менеджер по закупкам", "Снабженец", None]
_OWNERS = ["Сидоров А.", "Орлова Е.", "Белов К."]
_STREETS = ["ул. Ленина", "пр. Мира", "ул. Гагарина", "ул. Садовая"]
_CITIES = ["г. Москва", "г. Екатеринбург", "г. Новосибирск", "г. Казань"]
_MOBILE_CODES = [903, 905, 912, 915, 916, 921, 926, 977]
_CITY_CODES = [495, 343, 383, 843]


@dataclass(frozen=True)
class SampleStats:
    """What the generated sheet holds, as an importer should see it.

    `rows` data rows (after the header); `organizations` distinct organizations; `contacts`
    distinct persons; `duplicate_rows` rows that repeat an earlier row's organization and
    person (by INN or by phone). `header_row` is the 1-based row of the header.
    """

    rows: int
    organizations: int
    contacts: int
    duplicate_rows: int
    header_row: int = TITLE_ROWS + 1


def inn10(number: int) -> str:
    """A 10-digit INN of a legal entity with a valid check digit, from any number."""
    body = f"{770000000 + number % 10000000:09d}"
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 % 10
    return body + str(check)


def _mobile(index: int) -> tuple[int, int]:
    """A distinct valid Russian mobile number per index: (operator code, 7 digits)."""
    code = _MOBILE_CODES[index % len(_MOBILE_CODES)]
    return code, 2000000 + (index // len(_MOBILE_CODES)) % 7000000


def _messy_phone(code: int, number: int, style: int) -> object:
    text = f"{number:07d}"
    a, b, c = text[:3], text[3:5], text[5:]
    if style == 0:
        return f"8 ({code}) {a}-{b}-{c}"
    if style == 1:
        return f"+7 {code} {text}, доб. {10 + number % 90}"
    if style == 2:
        return float(f"8{code}{text}")  # Excel keeps it as the number 89123456789.0
    if style == 3:
        return f"+7({code}){a}{b}{c}"
    return f"8-{code}-{a}-{b}-{c}"


def write_1c_workbook(
    path: str | Path, rows: int, duplicate_share: float = 0.1, seed: int = 0
) -> SampleStats:
    """Write an .xlsx like 1C's counterparty list with `rows` data rows; return what it holds.

    Rows come in organizations of 1-3 contact rows (same name and INN, different persons);
    `duplicate_share` of the rows repeat an earlier row, either with the same INN (and the
    organization's name in another legal-form spelling) or with the same phone written
    differently. A few organizations have a second, office phone in the same cell as the
    mobile; some INNs are stored as numbers.
    """
    rng = random.Random(seed)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Контрагенты")
    width = len(HEADER_1C)
    last_column = chr(ord("A") + width - 1)
    sheet.append(["Контрагенты"])
    sheet.append([f"Дата: {date(2024, 11, 25):%d.%m.%Y}"])
    sheet.append([])
    sheet.merged_cells.add(f"A1:{last_column}1")
    sheet.merged_cells.add(f"A2:{last_column}2")
    sheet.append(HEADER_1C)

    originals: list[list[object]] = []  # earlier rows a duplicate may repeat (a bounded sample)
    data_rows = organizations = contacts = duplicates = 0
    person_index = org_index = 0
    target = round(rows * duplicate_share)

    def duplicate_now() -> bool:
        left = rows - data_rows
        return bool(originals) and left > 0 and rng.random() < (target - duplicates) / left

    def write_duplicate() -> None:
        nonlocal data_rows, duplicates
        copy = list(rng.choice(originals))
        if rng.random() < 0.5:
            # Same INN; the name in another legal-form spelling; the phone written otherwise.
            copy[0] = _respell(copy[0])
        else:
            copy[1] = None  # no INN this time: the phone (and the name) tell
        column = 5 if copy[5] is not None else 6
        copy[column] = _respell_phone(copy[column])
        sheet.append(copy)
        data_rows += 1
        duplicates += 1

    while data_rows < rows:
        if duplicate_now():
            write_duplicate()
            continue

        org_index += 1
        organizations += 1  # its first contact row is written below: data_rows < rows
        name = f"{rng.choice(_WORDS_A)} {rng.choice(_WORDS_B)}-{org_index}"
        org_name = rng.choice(_FORMS).format(name)
        inn: object = inn10(org_index)
        if org_index % 7 == 0:
            inn = int(inn)  # 1C sometimes exports the INN as a number
        kpp = f"{inn10(org_index)[:4]}01001"
        address = f"{rng.choice(_CITIES)}, {rng.choice(_STREETS)}, д. {org_index % 200 + 1}"
        owner = rng.choice(_OWNERS)
        office_number = f"{2000000 + org_index % 7000000:07d}"
        office = (
            f"8 ({_CITY_CODES[org_index % len(_CITY_CODES)]}) "
            f"{office_number[:3]}-{office_number[3:5]}-{office_number[5:]}"
        )
        for position in range(rng.choice((1, 1, 2, 3))):
            while position and duplicate_now():
                write_duplicate()  # a repeat between two contacts of one organization
            if data_rows >= rows:
                break
            person_index += 1
            contacts += 1
            surname_pair = _SURNAMES[person_index % len(_SURNAMES)]
            female = person_index % 2 == 0
            first = (_WOMEN if female else _MEN)[(person_index // 20) % 8]
            patronymic = _PATRONYMICS[(person_index // 160) % 3][1 if female else 0]
            full = f"{surname_pair[1 if female else 0]} {first} {patronymic}"
            code, number = _mobile(person_index)
            phone: object = _messy_phone(code, number, person_index % 5)
            mobile: object = None
            if person_index % 11 == 0 and isinstance(phone, str):
                phone = f"{phone}; {office}"  # two numbers in one cell
            elif person_index % 3 == 0:
                mobile, phone = phone, None
            email = f"client{person_index}@example.ru" if person_index % 4 else None
            note = "Постоянный клиент" if person_index % 13 == 0 else None
            row = [
                org_name,
                inn,
                kpp,
                full,
                _POSITIONS[person_index % len(_POSITIONS)],
                phone,
                mobile,
                email,
                address,
                note,
                owner,
            ]
            sheet.append(row)
            data_rows += 1
            if len(originals) < 20_000:
                originals.append(row)
            elif rng.random() < 0.2:
                originals[rng.randrange(len(originals))] = row
    workbook.save(path)
    return SampleStats(
        rows=rows, organizations=organizations, contacts=contacts, duplicate_rows=duplicates
    )


def _respell(org_name: object) -> object:
    text = str(org_name)
    for form in ("ООО «", 'ООО "', "АО «", "ИП ", "ЗАО "):
        if text.startswith(form):
            core = text[len(form) :].rstrip('»"')
            return f"{core}, {form.split()[0]}"
    if text.endswith(", ООО"):
        return f"ООО «{text[: -len(', ООО')]}»"
    return text


def _respell_phone(phone: object) -> object:
    """The same number(s) written another way."""
    if isinstance(phone, float):
        return "+7 " + str(int(phone))[1:]  # 89123456789.0 -> "+7 9123456789"
    return str(phone).replace(" ", "")


# --- hand-made packages ---------------------------------------------------------------------------

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    b'+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def build_xlsx(
    sheet_xml: bytes,
    *,
    parts: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A minimal .xlsx with one worksheet whose XML is `sheet_xml`, assembled by hand.

    `parts` adds or replaces package parts by name ("xl/sharedStrings.xml", "xl/workbook.xml").
    For tests that need exactly the bytes a reader sees: bombs, DTDs, formulas, addresses.
    """
    files = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    files.update(parts or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- measuring -----------------------------------------------------------------------------------


def measure_import(path: str | Path, region: str = "RU", *, memory: bool = True) -> dict:
    """Where the time of a whole import goes, for a workbook on disk (e.g. `write_1c_workbook`).

    Stages, each timed on its own pass over the file: `open` (format and safety checks),
    `header` (the first rows and `detect_header`: python-calamine loads the sheet here), `read`
    (every row, a fresh pass), `read_normalize` (rows through `normalize_rows`), `pipeline`
    (open, header, rows normalized and grouped: a whole import) and `group_only` (`build_plan`
    over rows normalized beforehand). `peak_rss_mb` is the process's
    peak resident memory (python-calamine's grid included); with `memory`, one more pipeline
    pass under tracemalloc gives `python_peak_mb` (Python objects only).
    """
    import gc
    import resource
    import time
    import tracemalloc

    from crm.importing.grouping import build_plan
    from crm.importing.headers import detect_header
    from crm.importing.reading import open_table
    from crm.importing.records import normalize_rows

    path = Path(path)
    result: dict = {"file_mb": round(path.stat().st_size / 2**20, 2)}

    def timed(name: str, call):
        gc.collect()
        start = time.perf_counter()
        value = call()
        result[name] = round(time.perf_counter() - start, 3)
        return value

    def fresh_rows():
        with open_table(path, path.name) as table:
            yield from table.rows()

    with timed("open", lambda: open_table(path, path.name)) as table:
        result["reader"] = table.reader
        match = timed("header", lambda: detect_header(table.head()))
    rows = timed("read", lambda: sum(1 for _ in fresh_rows()))
    timed("read_normalize", lambda: sum(1 for _ in normalize_rows(fresh_rows(), match, region)))

    def pipeline():
        with open_table(path, path.name) as table:
            found = detect_header(table.head())
            return build_plan(normalize_rows(table.rows(), found, region))

    plan = timed("pipeline", pipeline)
    normalized = list(normalize_rows(fresh_rows(), match, region))
    timed("group_only", lambda: build_plan(normalized))
    normalized.clear()
    result["rows"] = rows
    result["organizations"] = len(plan.organizations)
    result["contacts"] = plan.contact_count
    result["duplicate_rows"] = len(plan.duplicate_rows)
    result["rows_with_errors"] = len(plan.rows_with_errors)
    result["rows_per_second"] = round(rows / result["pipeline"])
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if memory:
        del plan
        gc.collect()
        tracemalloc.start()
        try:
            with open_table(path, path.name) as table:
                match = detect_header(table.head())
                plan = build_plan(normalize_rows(table.rows(), match, region))
            result["python_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        finally:
            tracemalloc.stop()
    return result


if __name__ == "__main__":  # python -m crm.importing.samples [ROWS]
    import json
    import sys
    import tempfile
    import time

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "1c.xlsx"
        began = time.perf_counter()
        stats = write_1c_workbook(target, count)
        written = round(time.perf_counter() - began, 1)
        report = {"generate": written, **measure_import(target), "expected": stats.__dict__}
    print(json.dumps(report, ensure_ascii=False, indent=2))
