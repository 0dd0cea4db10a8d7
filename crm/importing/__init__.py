"""Spreadsheet import, the domain half: read a file, find its header, plan what to create.

Plain Python: no Telegram, no SQL. The chat (preview, confirmation, undo) and storage (matching
against the database, writing) call this API::

    from crm.importing import open_table, detect_header, normalize_rows, build_plan

    with open_table(path_or_bytes, filename) as table:      # format + safety checks
        match = detect_header(table.head())                  # header row + column mapping
        # optional: match = match.remap(remembered)           # a mapping confirmed earlier
        #           match = apply_override(match, 3, Field.phone)
        rows = normalize_rows(table.rows(), match, region)   # generator of ImportRow
        plan = build_plan(rows)                              # organizations, people, repeats

or `plan_import(table, region)` for the three steps at once.

Modules:

- `reading`: `open_table(data: bytes | Path, filename) -> Table`. Detects by content .xlsx,
  CSV (UTF-8 with/without BOM, UTF-16 with BOM, cp1251; comma, semicolon or tab) and HTML
  tables saved as .xls (Bitrix24); refuses everything else with `ImportFileError(problem)`,
  `problem` an `ImportProblem` the UI translates (old_excel, encrypted, unsupported_format,
  not_a_spreadsheet, damaged, too_large, unsafe_xml, empty, too_many_rows, too_many_columns,
  no_header, no_such_sheet). `Table.rows()` streams
  `SheetRow(number, values, uncalculated)`; `Table.head()` keeps the first 30 rows and the
  following `rows()` continues the same pass. `ReadLimits` holds every limit (rows, columns,
  uncompressed size, compression ratio, calamine's in-memory grid).
- `headers`: `detect_header(rows) -> HeaderMatch(row_index, row_number, mapping, unmapped,
  confidence, headers)`; `Field` (organization, tax_id, contact_name, first_name, last_name,
  middle_name, position, phone, email, address, website, note, contact_note, owner);
  `mapping_key(headers)`
  (= `HeaderMatch.key`) to remember a confirmed mapping, `dump_mapping`/`load_mapping` to
  store it, `HeaderMatch.remap(mapping)` to use it, `apply_override(match, column, field|None)`
  to change one column.
- `records`: `normalize_rows(rows, match, region)` -> `ImportRow(row_number, organization:
  OrgData|None, contact: PersonData|None, extra, warnings, errors, owner)`; `RowIssue(code,
  column, header, value, detail)` with `IssueCode`.
- `grouping`: `build_plan(rows) -> ImportPlan(organizations: [PlannedOrg with contacts],
  private_contacts, duplicate_rows: [(row_number, duplicate_of, reason)], rows_with_errors)`;
  `.keys()` on planned records and `ImportPlan.lookup_keys()` for the storage's queries.
- `parallel`: the worker pool behind `normalize_rows(..., workers=N)`; `shutdown_workers()`.
- `samples`: `write_1c_workbook(path, rows)` (tests, benchmark), `build_xlsx(sheet_xml)`,
  `measure_import(path)` (time per stage, memory).

Decisions:

- Formulas without a cached value (files written by programs, never opened in Excel): the
  reader finds each such cell while checking the file (`Table.uncalculated_formulas` counts
  them) and gives its value as None with the column in `SheetRow.uncalculated`. A row is in
  error when such a cell is in a mapped column (its value is unknown), warned otherwise; the
  other rows import. The UI can say "open the file in Excel and save it again" from the count.
- Memory: rows are generated one at a time. python-calamine (fast, Rust) still parses a whole
  sheet into a dense grid of ~32 bytes per cell of the used rectangle, so the file is checked
  first (zip sizes, ratio, real inflated sizes, the sheet's extent) and a sheet larger than
  `ReadLimits.max_grid_cells` is read by openpyxl's streaming reader instead.
  The grid is freed in the C heap, which keeps freed memory resident: after the last row the
  reader gives it back (`_xlsx.return_freed_memory`, glibc's malloc_trim).
- Limits that only reading finds (a CSV's row count, a broken CSV line) raise
  `ImportFileError` from the row generator: callers must expect it there too.
- Phones and e-mails of a row are the person's when the row names a person, otherwise the
  organization's. See `records` and `grouping` for the rest of the rules.
- `build_plan` pauses the cyclic garbage collector while it consumes the rows (the plan is
  many small objects without cycles; collecting meanwhile tripled the grouping time). It is
  synchronous and CPU-bound: the chat should run it in a worker thread or process.
- Large files are normalized in worker processes: `service.PLAN_WORKERS` (default 2, or 1 on
  a 1-core machine; 1 turns it off) for files of more than `records.PARALLEL_MIN_ROWS` rows.
  The pool (`parallel`) is spawned on the first large file, never forked (the bot's threads
  may hold locks), and kept for the next ones; workers import this package and phonenumbers,
  not Telegram or database code (the bot starts as `python -m bot`; a main script must guard
  its start with `if __name__ == "__main__"`). The workers get the rows' cells, ~3 us a row
  to send and ~10 us to take back, against ~150 us to normalize; reading their own part of
  the file would cost each one python-calamine's whole grid. A worker that dies leaves the
  rest of the file to this process (slower, same result) and the next file starts a new pool.

Speed on the 2-core development machine, for `write_1c_workbook(path, 100_000)` (11 columns,
5.6 MB .xlsx, 65 MB of sheet XML; `python -m crm.importing.samples 100000` measures it, one
process): open_table 0.5 s (zip checks, inflating and scanning the sheet XML once),
python-calamine's load 0.8 s, rows 0.7 s, normalize_rows ~10 s on a quiet machine (~100 us a
row: crm.phones.parse_phone_cell is ~60 % of it, names ~10 %), build_plan ~1 s. Measured
per row with the collector paused (CPU time, 20,000 rows, November 2026, the machine shared):
normalizing 173 -> 148 us, grouping 18 -> 14 us, `ImportPlan.lookup_keys` 5 -> 2 us. With
two workers the other process sends ~3 us a row and takes back ~10 us (pickling, `_decode`),
and each worker normalizes its half ~10-20 % slower than one process would (its caches see
only its own rows, the start): ~1.25x the CPU of one process, spread over both cores.
`service._plan_rows` for 100,000 rows after open and header (November 2026, one core busy
with other work): 26.3 -> 22.2 s in one process; 15.7 s (forked workers, per import) -> 15.2 s
with two workers, ~1 s of it starting them (paid by the first large file only).
Peak memory (VmHWM) of the planning process: ~340 MB for 100,000 rows (~70 MB of it the
bot's imports, python-calamine's grid ~75 MB while rows are read, the plan ~830 B per planned
organization or person in Python objects, about half of it the lists and dicts each record
carries, plus the indexes while grouping); each worker ~45-50 MB for 20,000 rows, ~100 MB
after two imports of 100,000 (its caches of the last two files).
"""

from __future__ import annotations

from crm.importing.errors import ImportFileError, ImportProblem
from crm.importing.grouping import (
    DuplicateRow,
    ImportPlan,
    LookupKeys,
    MatchKeys,
    PlannedContact,
    PlannedOrg,
    build_plan,
)
from crm.importing.headers import (
    Field,
    HeaderMatch,
    apply_override,
    detect_header,
    dump_mapping,
    load_mapping,
    mapping_key,
)
from crm.importing.reading import ReadLimits, SheetRow, Table, TableFormat, open_table
from crm.importing.records import (
    ImportRow,
    IssueCode,
    OrgData,
    PersonData,
    RowIssue,
    normalize_rows,
)

__all__ = [
    "DuplicateRow",
    "Field",
    "HeaderMatch",
    "ImportFileError",
    "ImportPlan",
    "ImportProblem",
    "ImportRow",
    "IssueCode",
    "LookupKeys",
    "MatchKeys",
    "OrgData",
    "PersonData",
    "PlannedContact",
    "PlannedOrg",
    "ReadLimits",
    "RowIssue",
    "SheetRow",
    "Table",
    "TableFormat",
    "apply_override",
    "build_plan",
    "detect_header",
    "dump_mapping",
    "load_mapping",
    "mapping_key",
    "normalize_rows",
    "open_table",
    "plan_import",
]


def plan_import(
    table: Table, region: str, match: HeaderMatch | None = None
) -> tuple[HeaderMatch, ImportPlan]:
    """Header (detected unless given), rows normalized and grouped: the whole domain pass."""
    if match is None:
        match = detect_header(table.head())
    return match, build_plan(normalize_rows(table.rows(), match, region))
