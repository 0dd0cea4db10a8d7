"""Spreadsheet import, the service half: preview against the database, write, undo, export.

The chat (handlers/imports*.py) and the command line (`python -m bot import|export`) call::

    prepared = await prepare(database, workspace_id=..., data=..., file_name=..., region=...)
    result = await run_import(database, actor=..., prepared=prepared,
                              policy=DuplicatePolicy.merge, only_valid=False, now=...)
    await undo(session, actor=..., batch_id=result.batch_id, now=...)

Decisions:

- Reading and planning are CPU-bound and run in a worker thread (`asyncio.to_thread`); the
  rows of a large file are normalized by a pool of worker processes (`PLAN_WORKERS`,
  `crm.importing.parallel`), spawned once per bot process.
  Matching against the database is one query per key kind, all the file's values bound as one
  parameter, in a short read-only snapshot of its own after planning.
- Rows with errors (`problem_rows`) are never imported. Rows with warnings (`warning_rows`:
  an invalid phone kept as text, a dropped tax id...) are imported unless `only_valid`, which
  leaves them out too (the file is planned again without them). Both end up in
  `ImportResult.rejected` when left out; `rejected_rows_workbook` gives them back as .xlsx.
- Matching a planned record with the database mirrors `crm.importing.grouping`: an
  organization by tax id, then its phones, e-mails, normalized name (refused when both have
  different tax ids); a person of a matched organization by phone, e-mail or name within it;
  a person without an organization by phone or e-mail anywhere, by name only among people
  without an organization and only when the file gives no phone or e-mail for them.
- Policies: `skip` leaves matched records alone (new people of a matched organization are
  still added to it); `merge` fills their empty fields and adds new phones and e-mails (one
  `ImportUpdate` per changed record keeps the fields before); `create` creates every planned
  record anew.
- All or nothing: the batch is committed as `running` first; one transaction then writes
  everything (ids allocated up front, Core multi-row inserts of `WRITE_CHUNK` rows) and marks
  it `done`; on failure the batch is marked `failed` with the error in a transaction of its
  own. A killed process leaves it `running`: `fail_interrupted` at start marks it `failed`.
- Search index: from BULK_INDEX_MIN new records, SQLite's per-row FTS5 insert triggers are
  dropped inside that transaction and the batch's records indexed in one statement per table
  before the triggers are created again (a rollback restores them too). PostgreSQL's trigram
  index needs nothing.
- Undo deletes (hard) what the batch created and restores the merged fields, unless a record
  was changed after the import or has activities: then `blocked`, with up to 10 of them.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

from sqlmodel.ext.asyncio.session import AsyncSession

from crm import names, phones
from crm.exporting import export_workbook
from crm.importing import (
    HeaderMatch,
    ImportPlan,
    PlannedContact,
    PlannedOrg,
    RowIssue,
    apply_override,
    build_plan,
    detect_header,
    dump_mapping,
    load_mapping,
    normalize_rows,
    open_table,
)
from crm.importing.grouping import collector_paused
from crm.importing.parallel import CHUNK as PARALLEL_CHUNK
from crm.importing.parallel import start_workers
from crm.importing.records import PARALLEL_MIN_ROWS
from crm.importing.workbooks import rejected_rows_workbook
from crm.permissions import sees_whole_team
from storage.db import Database
from storage.models import (
    Contact,
    Email,
    ImportBatch,
    ImportStatus,
    ImportUpdate,
    Member,
    Organization,
    Phone,
    Role,
)
from storage.repositories import audit
from storage.repositories import imports as repo
from storage.types import utcnow

__all__ = [
    "DuplicatePolicy",
    "Example",
    "ImportResult",
    "ImportServiceError",
    "ImportServiceProblem",
    "Prepared",
    "RejectedRow",
    "UndoResult",
    "export_workbook",
    "fail_interrupted",
    "list_batches",
    "prepare",
    "rejected_rows_workbook",
    "remember_mapping",
    "run_import",
    "undo",
]

WRITE_CHUNK = 5_000  # rows per INSERT statement, and records between progress reports
PROGRESS_MIN_SECONDS = 0.5  # the UI edits one message: not more often than this
EXAMPLES = 5
ANALYZE_AFTER = 10_000  # created records: refresh PostgreSQL's planner statistics
BLOCKED_LIMIT = 10
MAX_ERROR = 1000


class DuplicatePolicy(StrEnum):
    skip = "skip"
    merge = "merge"  # fill empty fields, add new phones and e-mails
    create = "create"


class ImportServiceProblem(StrEnum):
    not_found = "not_found"
    not_allowed = "not_allowed"
    already_undone = "already_undone"
    not_done = "not_done"  # the batch failed or is still running: nothing to undo
    blocked = "blocked"
    failed = "failed"  # the import failed and wrote nothing; the batch is marked failed


@dataclass(frozen=True)
class BlockingRecord:
    kind: str  # "organization" or "contact"
    record_id: int
    name: str
    reason: str  # "changed", "activity", "new_contact"


class ImportServiceError(Exception):
    def __init__(
        self,
        problem: ImportServiceProblem,
        *,
        details: list[BlockingRecord] | None = None,
        batch_id: int | None = None,
        error: str | None = None,
    ):
        super().__init__(problem.value if error is None else f"{problem.value}: {error}")
        self.problem = problem
        self.details = details or []
        self.batch_id = batch_id
        self.error = error


@dataclass(frozen=True)
class RejectedRow:
    row_number: int
    issues: list[RowIssue]
    values: tuple[Any, ...] = ()  # the row's cells as read, for the rejected-rows workbook


@dataclass(frozen=True)
class Example:
    """A planned record for the preview."""

    row_number: int
    organization: str | None
    tax_id: str | None
    contact: str | None
    position: str | None
    phones: list[str]
    emails: list[str]


@dataclass
class Prepared:
    match: HeaderMatch
    plan: ImportPlan
    file_sha256: str
    file_name: str
    workspace_id: int
    region: str
    new_organizations: int
    new_contacts: int
    matched_organizations: int
    matched_contacts: int
    duplicate_rows: int  # rows repeating an earlier row of the file
    problem_rows: list[RejectedRow]  # errors: never imported
    warning_rows: list[RejectedRow]  # imported unless only_valid
    examples: list[Example]
    previous_batch: ImportBatch | None
    uncalculated_formulas: int
    sheet: str | None = None
    data: bytes | Path | None = field(default=None, repr=False)  # to plan again (only_valid)


@dataclass
class ImportResult:
    batch_id: int
    created_organizations: int
    created_contacts: int
    updated: int
    skipped: int
    rejected: list[RejectedRow]


@dataclass
class UndoResult:
    batch_id: int
    deleted_organizations: int
    deleted_contacts: int
    restored: int


Progress = Callable[[int, int], Awaitable[None]]


# --- prepare ------------------------------------------------------------------------------


def _usable_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# normalize_rows(..., workers=PLAN_WORKERS): files of more than PARALLEL_MIN_ROWS rows are
# normalized by a pool of that many worker processes, started ("spawn") on the first large
# file and kept for the next ones (crm.importing.parallel); smaller files here. 1 turns it off.
# More workers than cores only compete with this process, which reads and groups meanwhile.
PLAN_WORKERS = min(2, _usable_cores())
PLAN_WARM_BYTES = 256 * 1024  # may have PARALLEL_MIN_ROWS rows (1C .xlsx: ~4,400)


def _read_ahead(match: HeaderMatch, workers: int) -> int:
    """How many sheet rows `normalize_rows` may read before it yields the ImportRow of the
    oldest of them (its docstring), with the rows above the header and a chunk to spare."""
    if workers <= 1:
        return 8
    ahead = max(PARALLEL_MIN_ROWS + 1, (2 * workers + 1) * PARALLEL_CHUNK)
    return match.row_number + ahead + PARALLEL_CHUNK


class _RowTracker:
    """Keeps the cells of the rows that turn out rejected (errors) or warned, and nothing
    else: `normalize_rows` yields the ImportRow of a SheetRow at most `keep` rows after it
    consumed it (1 serially, thousands with workers), so the last `keep` rows are kept."""

    def __init__(self, rows, skip_warned: bool, keep: int = 8):
        self._rows = rows
        self._recent: dict[int, tuple[Any, ...]] = {}
        self._keep = keep
        self.skip_warned = skip_warned
        self.errors: list[RejectedRow] = []
        self.warnings: list[RejectedRow] = []

    def sheet_rows(self):
        recent, keep = self._recent, self._keep
        # Oldest first in a deque: next(iter(recent)) would walk past every deleted entry at
        # the front of the dict (thousands with workers: ~15 us a row).
        order: deque[int] = deque()
        for row in self._rows:
            recent[row.number] = tuple(row.values)
            order.append(row.number)
            if len(order) > keep:
                recent.pop(order.popleft(), None)
            yield row

    def filter(self, rows):
        for row in rows:
            if row.errors:
                values = self._recent.get(row.row_number, ())
                self.errors.append(RejectedRow(row.row_number, list(row.errors), values))
            elif row.warnings:
                values = self._recent.get(row.row_number, ())
                self.warnings.append(RejectedRow(row.row_number, list(row.warnings), values))
                if self.skip_warned:
                    continue
            yield row


def _plan_workers() -> int:
    """PLAN_WORKERS, or 1 in a daemonic process (a multiprocessing pool's worker), which may
    not start processes of its own."""
    return 1 if multiprocessing.current_process().daemon else PLAN_WORKERS


def _warm_plan_workers(data: bytes | Path) -> None:
    """A file that may be large: start the workers while it is opened and checked (seconds
    for 100,000 rows) rather than when its rows come. Only the first large file waits for
    them: the pool stays."""
    size = data.stat().st_size if isinstance(data, Path) else len(data)
    workers = _plan_workers()
    if workers > 1 and size >= PLAN_WARM_BYTES:
        start_workers(workers)


def _plan_rows(table, match: HeaderMatch, region: str, skip_warned: bool):
    workers = _plan_workers()
    tracker = _RowTracker(table.rows(), skip_warned, keep=_read_ahead(match, workers))
    rows = normalize_rows(tracker.sheet_rows(), match, region, workers=workers)
    plan = build_plan(tracker.filter(rows))
    tracker._recent.clear()
    return plan, tracker


def _sha256(data: bytes | Path) -> str:
    digest = hashlib.sha256()
    if isinstance(data, Path):
        with open(data, "rb") as source:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                digest.update(chunk)
    else:
        digest.update(data)
    return digest.hexdigest()


def _open_and_detect(data: bytes | Path, file_name: str, sheet: str | None):
    _warm_plan_workers(data)
    table = open_table(data, file_name, sheet=sheet)
    try:
        return table, detect_header(table.head())
    except BaseException:
        table.close()
        raise


async def prepare(
    database: Database,
    *,
    workspace_id: int,
    data: bytes | Path,
    file_name: str,
    region: str,
    mapping_overrides: dict[int, str | None] | None = None,
    sheet: str | None = None,
) -> Prepared:
    """Read and plan the file, and count what it would create or match in the database.
    Raises `ImportFileError` (crm.importing) for a file that cannot be imported.

    Reads in short read-only transactions of its own (the remembered mapping; matching) and
    plans outside any: on SQLite other writers never wait for a preview."""
    file_sha256 = await asyncio.to_thread(_sha256, data)
    table, match = await asyncio.to_thread(_open_and_detect, data, file_name, sheet)
    try:
        async with database.snapshot() as session:
            remembered = await repo.get_mapping(session, workspace_id=workspace_id, key=match.key)
        if remembered is not None:
            loaded = load_mapping(remembered.mapping)
            if loaded:
                match = match.remap(loaded)
        for column, value in (mapping_overrides or {}).items():
            match = apply_override(match, column, value)
        plan, tracker = await asyncio.to_thread(_plan_rows, table, match, region, False)
        uncalculated = table.uncalculated_formulas
    finally:
        table.close()
    async with database.snapshot() as session:
        matches = await _match_plan(session, workspace_id, plan)
        previous = await repo.previous_batch(
            session, workspace_id=workspace_id, file_sha256=file_sha256
        )
    orgs_matched = sum(1 for org in plan.organizations if id(org) in matches.orgs)
    people = list(_people(plan))
    people_matched = sum(1 for person, _ in people if id(person) in matches.contacts)
    return Prepared(
        match=match,
        plan=plan,
        file_sha256=file_sha256,
        file_name=file_name,
        workspace_id=workspace_id,
        region=region,
        new_organizations=len(plan.organizations) - orgs_matched,
        new_contacts=len(people) - people_matched,
        matched_organizations=orgs_matched,
        matched_contacts=people_matched,
        duplicate_rows=len(plan.duplicate_rows),
        problem_rows=tracker.errors,
        warning_rows=tracker.warnings,
        examples=_examples(plan),
        previous_batch=previous,
        uncalculated_formulas=uncalculated,
        sheet=sheet,
        data=data,
    )


def _people(plan: ImportPlan):
    """(person, its planned organization or None) for every planned person."""
    for org in plan.organizations:
        for person in org.contacts:
            yield person, org
    for person in plan.private_contacts:
        yield person, None


def _examples(plan: ImportPlan) -> list[Example]:
    found: list[Example] = []
    for person, org in _people(plan):
        if len(found) >= EXAMPLES:
            break
        found.append(_example(org, person))
    for org in plan.organizations:
        if len(found) >= EXAMPLES:
            break
        if not org.contacts:
            found.append(_example(org, None))
    return sorted(found, key=lambda e: e.row_number)


def _example(org: PlannedOrg | None, person: PlannedContact | None) -> Example:
    source = person or org
    return Example(
        row_number=source.source_rows[0],
        organization=org.name if org else None,
        tax_id=org.tax_id if org else None,
        contact=_person_name(person) if person else None,
        position=person.position if person else None,
        phones=[p.e164 or p.raw for p in source.phones],
        emails=list(source.emails),
    )


async def remember_mapping(session: AsyncSession, *, workspace_id: int, match: HeaderMatch) -> None:
    """Remember the confirmed mapping for files with the same header."""
    await repo.save_mapping(
        session,
        workspace_id=workspace_id,
        key=match.key,
        mapping=dump_mapping(match.mapping),
        now=utcnow(),
    )


# --- matching against the database -------------------------------------------------------


@dataclass
class _Matches:
    orgs: dict[int, int]  # id(PlannedOrg) -> organization id
    contacts: dict[int, int]  # id(PlannedContact) -> contact id


def _e164s(planned) -> list[str]:
    return [p.e164 for p in planned.phones if p.e164]


async def _match_plan(session: AsyncSession, workspace_id: int, plan: ImportPlan) -> _Matches:
    with collector_paused():
        return await _match(session, workspace_id, plan)


async def _match(session: AsyncSession, workspace_id: int, plan: ImportPlan) -> _Matches:
    """Lookups return rows of (key value, record id, its tax id or organization id)."""
    ws = {"workspace_id": workspace_id}
    has_orgs = await repo.has_records(session, Organization, **ws)
    has_contacts = await repo.has_records(session, Contact, **ws)
    if not has_orgs and not has_contacts:
        return _Matches({}, {})  # an empty workspace: no keys to collect from the plan
    keys = plan.lookup_keys()
    orgs: dict[int, int] = {}
    if has_orgs:
        by_tax: dict[str, int] = {}
        for value, org_id, _tax in await repo.organizations_by(
            session, **ws, column="tax_id", values=keys.tax_ids
        ):
            by_tax[value] = min(by_tax.get(value, org_id), org_id)
        # Each lookup grouped as it comes: one query's raw rows in memory at a time.
        points = repo.organizations_by_point
        by_phone = _grouped(await points(session, **ws, model=Phone, values=keys.org_e164s))
        by_email = _grouped(await points(session, **ws, model=Email, values=keys.org_emails))
        by_name = _grouped(
            await repo.organizations_by(
                session, **ws, column="name_normalized", values=keys.org_name_keys
            )
        )
        _match_orgs(plan, orgs, by_tax, by_phone, by_email, by_name)
        del by_tax, by_phone, by_email, by_name  # before the people's lookups: peak memory

    contacts: dict[int, int] = {}
    if has_contacts:
        person_points = repo.contacts_by_point
        by_phone = _grouped(
            await person_points(session, **ws, model=Phone, values=keys.person_e164s)
        )
        by_email = _grouped(
            await person_points(session, **ws, model=Email, values=keys.person_emails)
        )
        by_name = _grouped(await repo.contacts_by_name(session, **ws, values=keys.person_name_keys))
        _match_people(plan, orgs, contacts, by_phone, by_email, by_name)
    return _Matches(orgs, contacts)


def _grouped(rows: Sequence[tuple]) -> dict[Any, list[tuple]]:
    """Lookup rows by their key value (the first column)."""
    found: dict[Any, list[tuple]] = {}
    for row in rows:
        found.setdefault(row[0], []).append(row)
    return found


def _lowest(candidates: list[tuple], tax_id: str | None) -> int:
    """The lowest id among organization rows whose tax id does not contradict `tax_id`."""
    best = 0
    for _value, org_id, tax in candidates:
        if (not best or org_id < best) and not (tax_id and tax and tax != tax_id):
            best = org_id
    return best


def _lowest_in(candidates: list[tuple], scope: int | None, anywhere: bool) -> int:
    """The lowest id among contact rows of organization `scope` (or anywhere)."""
    best = 0
    for _value, contact_id, org_id in candidates:
        if (not best or contact_id < best) and (anywhere or org_id == scope):
            best = contact_id
    return best


def _match_orgs(plan: ImportPlan, orgs, by_tax, by_phone, by_email, by_name) -> None:
    """An organization by tax id, then phone, e-mail, name."""
    for org in plan.organizations:
        tax_id = org.tax_id
        found = by_tax.get(tax_id, 0) if tax_id else 0
        if not found:
            for e164 in _e164s(org):
                if e164 in by_phone and (found := _lowest(by_phone[e164], tax_id)):
                    break
        if not found:
            for email in org.emails:
                if email in by_email and (found := _lowest(by_email[email], tax_id)):
                    break
        if not found and org.name_key in by_name:
            found = _lowest(by_name[org.name_key], tax_id)
        if found:
            orgs[id(org)] = found


def _match_people(plan: ImportPlan, orgs, contacts, by_phone, by_email, by_name) -> None:
    """A person of a matched organization within it, a person without one anywhere (by name
    only among people without an organization, and only without phones and e-mails)."""
    for person, org in _people(plan):
        if org is None:
            scope, anywhere = None, True
        elif id(org) in orgs:
            scope, anywhere = orgs[id(org)], False
        else:
            continue  # a new organization's people are new
        found = 0
        for phone in person.phones:
            e164 = phone.e164
            if e164 in by_phone and (found := _lowest_in(by_phone[e164], scope, anywhere)):
                break
        if not found:
            for email in person.emails:
                if email in by_email and (found := _lowest_in(by_email[email], scope, anywhere)):
                    break
        if not found and person.name_key and person.name_key in by_name:
            if org is not None:
                found = _lowest_in(by_name[person.name_key], scope, False)
            elif not person.phones and not person.emails:
                found = _lowest_in(by_name[person.name_key], None, False)
        if found:
            contacts[id(person)] = found


# --- run ----------------------------------------------------------------------------------


def _person_name(person: PlannedContact) -> str:
    if person.name:
        return person.name
    if person.emails:
        return person.emails[0]
    for phone in person.phones:
        return phones.format_international(phone.e164) if phone.e164 else phone.raw
    return "?"


def _org_search_text(
    row: dict[str, Any], emails: list[str], e164s: list[str], name_key: str | None = None
) -> str:
    """What crm.directory.refresh_search_text builds for an organization. `name_key`: the
    name's normal form (normalize_org_name) when the caller has it already."""
    if name_key is None:
        name_key = names.normalize_org_name(row["name"])
    parts = [row["name"], row["tax_id"], row["website"], *emails, *map(phones.digits, e164s)]
    return _search_text(name_key, parts)


def _contact_search_text(
    row: dict[str, Any], emails: list[str], e164s: list[str], name_key: str | None = None
) -> str:
    if name_key is None:
        name_key = names.normalize_person_name(row["full_name"])
    parts = [row["position"], *emails, *map(phones.digits, e164s)]
    return _search_text(name_key, parts)


def _search_text(name_key: str, parts: Iterable[str | None]) -> str:
    """names.search_text(name_key, *parts), the same text without normalizing the name key
    again: it is in normal form already (words of normalize_text, joined by spaces)."""
    normal = (names.normalize_text(part) for part in parts)
    found = dict.fromkeys(part for part in (name_key, *normal) if part)
    return names.SEARCH_SEPARATOR.join(found)


class _Writer:
    """Collects rows and writes them in chunks; reports progress."""

    def __init__(self, session: AsyncSession, total: int, progress: Progress | None):
        self.session = session
        self.total = total
        self.done = 0
        self.progress = progress
        self.reported = 0
        self.last_report = 0.0

    async def advance(self, count: int, *, final: bool = False) -> None:
        self.done += count
        if self.progress is None:
            return
        due = self.done - self.reported >= WRITE_CHUNK
        now = time.monotonic()
        if final or (due and now - self.last_report >= PROGRESS_MIN_SECONDS):
            self.reported, self.last_report = self.done, now
            await self.progress(min(self.done, self.total), self.total)


class PhoneRow(NamedTuple):
    """A new phone, in the column order of its INSERT."""

    workspace_id: int
    organization_id: int | None
    contact_id: int | None
    import_batch_id: int
    raw: str
    e164: str | None
    extension: str | None


class EmailRow(NamedTuple):
    workspace_id: int
    organization_id: int | None
    contact_id: int | None
    import_batch_id: int
    address: str


class UpdateRow(NamedTuple):
    batch_id: int
    entity_type: str
    entity_id: int
    before: dict
    after: dict


class OrgRow(NamedTuple):
    id: int
    workspace_id: int
    name: str
    name_normalized: str
    tax_id: str | None
    address: str | None
    website: str | None
    note: str | None
    search_text: str
    owner_id: int
    extra: dict
    import_batch_id: int
    created_at: datetime
    updated_at: datetime
    deleted_at: None


class ContactRow(NamedTuple):
    id: int
    workspace_id: int
    organization_id: int | None
    full_name: str
    name_normalized: str
    position: str | None
    note: str | None
    search_text: str
    owner_id: int
    extra: dict
    import_batch_id: int
    created_at: datetime
    updated_at: datetime
    deleted_at: None


ROW_TYPES: dict[Any, type[tuple]] = {
    Organization: OrgRow,
    Contact: ContactRow,
    Phone: PhoneRow,
    Email: EmailRow,
    ImportUpdate: UpdateRow,
}


async def _write(session: AsyncSession, model, rows: list) -> None:
    """Insert rows of `model` (tuples of its ROW_TYPES), WRITE_CHUNK per statement."""
    columns = ROW_TYPES[model]._fields
    for start in range(0, len(rows), WRITE_CHUNK):
        await repo.insert_tuples(session, model, columns, rows[start : start + WRITE_CHUNK])


def _point_rows(
    workspace_id: int, batch_id: int, owner: str, owner_id: int, planned, skip=None
) -> tuple[list[PhoneRow], list[EmailRow]]:
    """Phone and e-mail rows for a record; `skip` = (phone keys, addresses) it already has."""
    org_id, contact_id = (owner_id, None) if owner == "organization_id" else (None, owner_id)
    if skip is None and len(planned.phones) <= 1 and len(planned.emails) <= 1:
        return _few_point_rows(workspace_id, batch_id, org_id, contact_id, planned)
    have_phones, have_emails = skip or (set(), set())
    phone_rows, email_rows = [], []
    for p in planned.phones:
        key = (p.e164, p.extension) if p.e164 else (None, p.raw)
        if key in have_phones:
            continue
        have_phones.add(key)
        phone_rows.append(
            PhoneRow(workspace_id, org_id, contact_id, batch_id, p.raw[:100], p.e164, p.extension)
        )
    for address in planned.emails:
        if address in have_emails:
            continue
        have_emails.add(address)
        email_rows.append(EmailRow(workspace_id, org_id, contact_id, batch_id, address))
    return phone_rows, email_rows


def _few_point_rows(workspace_id, batch_id, org_id, contact_id, planned):
    """`_point_rows` of a new record with at most one phone and one e-mail (most of them):
    nothing to leave out as repeated. Plain tuples in the rows' field order (a NamedTuple
    costs a Python call per row; these only go to the INSERT)."""
    phone_rows = [
        (workspace_id, org_id, contact_id, batch_id, p.raw[:100], p.e164, p.extension)
        for p in planned.phones
    ]
    email_rows = [
        (workspace_id, org_id, contact_id, batch_id, address) for address in planned.emails
    ]
    return phone_rows, email_rows


def _owner_finder(members: list[Member], default: int):
    by_text: dict[str, int] = {}
    for member in members:
        usernames = (member.username, f"@{member.username}") if member.username else ()
        for text_ in (member.display_name, *usernames):
            if text_:
                by_text.setdefault(" ".join(text_.split()).casefold(), member.id)

    seen: dict[str, int] = {}  # the same few owner texts on most rows

    def owner_of(text_: str | None) -> int:
        if not text_:
            return default
        found = seen.get(text_)
        if found is None:
            found = by_text.get(" ".join(text_.split()).casefold(), default)
            if len(seen) < OWNER_TEXTS_KEPT:
                seen[text_] = found
        return found

    return owner_of


OWNER_TEXTS_KEPT = 10_000
ORG_MERGE_FIELDS = ("tax_id", "address", "website", "note")
CONTACT_MERGE_FIELDS = ("position", "note")


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _from_json(name: str, value: Any) -> Any:
    if name == "updated_at" and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


async def _merge(
    session: AsyncSession,
    *,
    model,
    pairs: list[tuple[Any, int]],
    fields: tuple[str, ...],
    batch_id: int,
    workspace_id: int,
    now: datetime,
    writer: _Writer,
) -> int:
    """Fill empty fields and add new phones/e-mails of matched records; returns how many
    changed. One ImportUpdate per changed record with the fields before and after."""
    owner = "organization_id" if model is Organization else "contact_id"
    entity = "organization" if model is Organization else "contact"
    name_field = "name" if model is Organization else "full_name"
    changed = 0
    for start in range(0, len(pairs), WRITE_CHUNK):
        part = pairs[start : start + WRITE_CHUNK]
        ids = [record_id for _, record_id in part]
        records = await repo.rows_by_ids(
            session, model, ids, (name_field, *fields, "search_text", "updated_at")
        )
        phone_map = await repo.point_rows_of(session, Phone, owner, ids)
        email_map = await repo.point_rows_of(session, Email, owner, ids)
        updates, update_rows, phone_rows, email_rows = [], [], [], []
        for planned, record_id in part:
            record = records[record_id]
            old_phones = phone_map.get(record_id, [])
            old_emails = email_map.get(record_id, [])
            have_phones = {(p.e164, p.extension) if p.e164 else (None, p.raw) for p in old_phones}
            have_emails = {e.address for e in old_emails}
            new_phones, new_emails = _point_rows(
                workspace_id,
                batch_id,
                owner,
                record_id,
                planned,
                (have_phones, have_emails),
            )
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            values = {name: getattr(record, name) for name in fields}
            for name in fields:
                value = getattr(planned, name)
                if value and not values[name]:
                    before[name], after[name] = values[name], value
                    values[name] = value
            if not before and not new_phones and not new_emails:
                continue
            e164s = [p.e164 for p in old_phones if p.e164] + [r.e164 for r in new_phones if r.e164]
            addresses = [e.address for e in old_emails] + [r.address for r in new_emails]
            if model is Organization:
                doc = _org_search_text({"name": record.name, **values}, addresses, e164s)
            else:
                doc = _contact_search_text(
                    {"full_name": record.full_name, **values}, addresses, e164s
                )
            if new_phones:
                after["phones"] = [r.e164 or r.raw for r in new_phones]
            if new_emails:
                after["emails"] = [r.address for r in new_emails]
            before["search_text"], after["search_text"] = record.search_text, doc
            before["updated_at"] = _json_value(record.updated_at)
            after["updated_at"] = _json_value(now)
            updates.append(UpdateRow(batch_id, entity, record_id, before, after))
            update_rows.append({"_id": record_id, **values, "search_text": doc, "updated_at": now})
            phone_rows += new_phones
            email_rows += new_emails
            changed += 1
        await repo.update_rows(session, model, (*fields, "search_text", "updated_at"), update_rows)
        await _write(session, Phone, phone_rows)
        await _write(session, Email, email_rows)
        await _write(session, ImportUpdate, updates)
        await writer.advance(len(part))
    return changed


async def run_import(
    database: Database,
    *,
    actor: Member,
    prepared: Prepared,
    policy: DuplicatePolicy,
    only_valid: bool,
    now: datetime,
    progress: Progress | None = None,
) -> ImportResult:
    """Write the prepared plan: all of it or nothing. Raises ImportServiceError(failed) when
    writing failed (the batch is marked failed, nothing else is kept)."""
    policy = DuplicatePolicy(policy)
    plan = prepared.plan
    rejected = list(prepared.problem_rows)
    if only_valid and prepared.warning_rows:
        if prepared.data is None:
            raise ValueError("prepared without its data: cannot leave out warned rows")
        plan = await asyncio.to_thread(_replan, prepared)
        rejected += prepared.warning_rows
    rejected.sort(key=lambda r: r.row_number)

    async with database.transaction() as session:
        batch = await repo.add_batch(
            session,
            workspace_id=actor.workspace_id,
            member_id=actor.id,
            file_name=prepared.file_name[:300],
            file_sha256=prepared.file_sha256,
            status=ImportStatus.running,
            created_at=now,
        )
        batch_id = batch.id
    try:
        async with database.transaction() as session:
            await repo.hold_batch(session, batch_id=batch_id)  # "alive" for other instances
            with collector_paused():
                stats = await _write_plan(
                    session,
                    actor=actor,
                    plan=plan,
                    policy=policy,
                    batch_id=batch_id,
                    now=now,
                    progress=progress,
                )
            stats["rejected"] = len(rejected)
            stats["rows"] = plan.rows_read
            stats["policy"] = policy.value
            await repo.finish_batch(
                session, batch_id=batch_id, status=ImportStatus.done, stats=stats, finished_at=now
            )
            await audit.record(
                session,
                workspace_id=actor.workspace_id,
                actor_id=actor.id,
                action="import.run",
                entity_type="import",
                entity_id=batch_id,
                after={"file_name": prepared.file_name, **stats},
            )
    except Exception as error:
        message = f"{type(error).__name__}: {error}"[:MAX_ERROR]
        async with database.transaction() as session:
            await repo.finish_batch(
                session,
                batch_id=batch_id,
                status=ImportStatus.failed,
                error=message,
                finished_at=utcnow(),
            )
        raise ImportServiceError(
            ImportServiceProblem.failed, batch_id=batch_id, error=message
        ) from error
    return ImportResult(
        batch_id=batch_id,
        created_organizations=stats["created_organizations"],
        created_contacts=stats["created_contacts"],
        updated=stats["updated"],
        skipped=stats["skipped"],
        rejected=rejected,
    )


def _replan(prepared: Prepared) -> ImportPlan:
    with open_table(prepared.data, prepared.file_name, sheet=prepared.sheet) as table:
        table.head()
        plan, _ = _plan_rows(table, prepared.match, prepared.region, True)
    return plan


async def _write_plan(
    session: AsyncSession,
    *,
    actor: Member,
    plan: ImportPlan,
    policy: DuplicatePolicy,
    batch_id: int,
    now: datetime,
    progress: Progress | None,
) -> dict[str, Any]:
    workspace_id = actor.workspace_id
    matches = (
        _Matches({}, {})
        if policy == DuplicatePolicy.create
        else await _match_plan(session, workspace_id, plan)
    )
    owner_of = _owner_finder(await repo.members(session, workspace_id=workspace_id), actor.id)

    new_orgs = [org for org in plan.organizations if id(org) not in matches.orgs]
    people = list(_people(plan))
    new_people = [(p, o) for p, o in people if id(p) not in matches.contacts]
    matched_orgs = [
        (org, matches.orgs[id(org)]) for org in plan.organizations if id(org) in matches.orgs
    ]
    matched_people = [(p, matches.contacts[id(p)]) for p, _ in people if id(p) in matches.contacts]
    writer = _Writer(session, len(plan.organizations) + len(people), progress)

    org_ids = await repo.allocate_ids(session, "organization", len(new_orgs))
    contact_ids = await repo.allocate_ids(session, "contact", len(new_people))
    id_of_org = {id(org): matches.orgs[id(org)] for org, _ in matched_orgs}
    stamp = _Stamp(workspace_id, batch_id, now)

    bulk = len(new_orgs) + len(new_people) >= BULK_INDEX_MIN
    triggers = await repo.suspend_search_indexing(session) if bulk else {}
    chunks = _ChunkWriter(session, writer)
    await _write_new(chunks, new_orgs, org_ids, new_people, contact_ids, id_of_org, stamp, owner_of)
    new_ids = {"organization": org_ids, "contact": contact_ids}
    first_ids = {table: ids[0] for table, ids in new_ids.items() if ids}
    await repo.index_created(session, batch_id=batch_id, first_ids=first_ids, triggers=triggers)

    updated = skipped = 0
    if policy == DuplicatePolicy.merge:
        merge = {"batch_id": batch_id, "workspace_id": workspace_id, "now": now, "writer": writer}
        updated += await _merge(
            session, model=Organization, pairs=matched_orgs, fields=ORG_MERGE_FIELDS, **merge
        )
        updated += await _merge(
            session, model=Contact, pairs=matched_people, fields=CONTACT_MERGE_FIELDS, **merge
        )
        skipped = len(matched_orgs) + len(matched_people) - updated
    else:
        skipped = len(matched_orgs) + len(matched_people)
        await writer.advance(skipped)
    if len(new_orgs) + len(new_people) >= ANALYZE_AFTER:
        await repo.refresh_statistics(session)
    await writer.advance(0, final=True)
    return {
        "created_organizations": len(new_orgs),
        "created_contacts": len(new_people),
        "updated": updated,
        "skipped": skipped,
    }


class _ChunkWriter:
    """Writes a chunk: its records, then their phones, then their e-mails; progress is
    reported once a chunk is written. One chunk after another, not overlapping the building
    of the next: the driver's thread binds each row's parameters holding the GIL, and
    contending for it with the building made the inserts about twice as slow, the whole
    slower than building and writing in turn (measured on 100k rows, 2 cores)."""

    def __init__(self, session: AsyncSession, writer: _Writer):
        self.session = session
        self.writer = writer

    async def write(self, model, rows: list, phone_rows: list, email_rows: list) -> None:
        await _write(self.session, model, rows)
        await _write(self.session, Phone, phone_rows)
        await _write(self.session, Email, email_rows)
        await self.writer.advance(len(rows))


# New records from which an import (on SQLite) indexes them for search in one statement per
# table after writing them, instead of a trigger per row: several times faster in bulk.
BULK_INDEX_MIN = 2_000


@dataclass(frozen=True)
class _Stamp:
    """What every new row of the batch carries."""

    workspace_id: int
    batch_id: int
    now: datetime


async def _write_new(
    chunks: _ChunkWriter,
    new_orgs: list[PlannedOrg],
    org_ids: list[int],
    new_people: list[tuple[PlannedContact, PlannedOrg | None]],
    contact_ids: list[int],
    id_of_org: dict[int, int],
    stamp: _Stamp,
    owner_of: Callable[[str | None], int],
) -> None:
    """Rows of the new organizations and people, with their phones and e-mails."""
    workspace_id, batch_id, now = stamp.workspace_id, stamp.batch_id, stamp.now

    def organizations() -> Iterator[tuple[OrgRow, list[PhoneRow], list[EmailRow]]]:
        for org, org_id in zip(new_orgs, org_ids, strict=True):
            id_of_org[id(org)] = org_id
            p_rows, e_rows = _point_rows(workspace_id, batch_id, "organization_id", org_id, org)
            # its phones and e-mails as planned: repeats, which the rows leave out, are
            # dropped from the text as well
            search_text = _org_search_text(
                {"name": org.name, "tax_id": org.tax_id, "website": org.website},
                org.emails,
                _e164s(org),
                org.name_key,  # normalize_org_name(org.name), from planning
            )
            row = OrgRow(
                org_id,
                workspace_id,
                org.name,
                org.name_key,
                org.tax_id,
                org.address,
                org.website,
                org.note,
                search_text,
                owner_of(org.owner),
                org.extra or {},
                batch_id,
                now,
                now,
                None,
            )
            yield row, p_rows, e_rows

    def people() -> Iterator[tuple[ContactRow, list[PhoneRow], list[EmailRow]]]:
        for (person, org), contact_id in zip(new_people, contact_ids, strict=True):
            full_name = _person_name(person)
            # the planned key is normalize_person_name(name); without a name, of the stand-in
            name_key = person.name_key or names.normalize_person_name(full_name)
            p_rows, e_rows = _point_rows(workspace_id, batch_id, "contact_id", contact_id, person)
            search_text = _contact_search_text(
                {"full_name": full_name, "position": person.position},
                person.emails,
                _e164s(person),
                name_key,
            )
            row = ContactRow(
                contact_id,
                workspace_id,
                id_of_org[id(org)] if org is not None else None,
                full_name,
                name_key,
                person.position,
                person.note,
                search_text,
                owner_of(person.owner),
                person.extra or {},
                batch_id,
                now,
                now,
                None,
            )
            yield row, p_rows, e_rows

    await _write_in_chunks(chunks, Organization, organizations())  # ids first: people use them
    await _write_in_chunks(chunks, Contact, people())


async def _write_in_chunks(chunks: _ChunkWriter, model, built: Iterable[tuple]) -> None:
    """Hand rows to the writer WRITE_CHUNK at a time (the event loop runs while each is
    written; building one takes some tens of milliseconds)."""
    rows: list[tuple] = []
    phone_rows: list[tuple] = []
    email_rows: list[tuple] = []
    for row, p_rows, e_rows in built:
        rows.append(row)
        phone_rows += p_rows
        email_rows += e_rows
        if len(rows) >= WRITE_CHUNK:
            await chunks.write(model, rows, phone_rows, email_rows)
            rows, phone_rows, email_rows = [], [], []
    await chunks.write(model, rows, phone_rows, email_rows)


# --- batches, interrupted imports ---------------------------------------------------------


async def list_batches(
    session: AsyncSession, *, actor: Member, limit: int = 10
) -> list[ImportBatch]:
    """The latest batches: a rep's own, everybody's for managers and admins."""
    return await repo.list_batches(
        session,
        workspace_id=actor.workspace_id,
        member_id=None if sees_whole_team(actor) else actor.id,
        limit=limit,
    )


async def fail_interrupted(database: Database, *, now: datetime) -> list[ImportBatch]:
    """At start: batches a killed process left `running` become `failed` (their writes were
    rolled back with the process's transaction). Returned so the bot can tell their members.
    A batch another instance is still writing is locked by its transaction and passed by."""
    async with database.transaction() as session:
        found = await repo.running_batches(session)
        for batch in found:
            batch.status = ImportStatus.failed
            batch.error = "interrupted"
            batch.finished_at = now
            session.add(batch)
        await session.flush()
    return found


# --- undo ---------------------------------------------------------------------------------


def _blocking(record, reason: str) -> BlockingRecord:
    if isinstance(record, Organization):
        return BlockingRecord("organization", record.id, record.name, reason)
    return BlockingRecord("contact", record.id, record.full_name, reason)


async def undo(session: AsyncSession, *, actor: Member, batch_id: int, now: datetime) -> UndoResult:
    batch = await repo.get_batch(session, workspace_id=actor.workspace_id, batch_id=batch_id)
    if batch is None:
        raise ImportServiceError(ImportServiceProblem.not_found)
    if actor.role != Role.admin and batch.member_id != actor.id:
        raise ImportServiceError(ImportServiceProblem.not_allowed)
    if batch.status == ImportStatus.undone:
        raise ImportServiceError(ImportServiceProblem.already_undone)
    if batch.status != ImportStatus.done:
        raise ImportServiceError(ImportServiceProblem.not_done)
    finished = batch.finished_at or batch.created_at

    blocked: list[BlockingRecord] = []
    for model in (Organization, Contact):
        for record in await repo.created_records_changed_after(
            session, model, batch_id=batch_id, moment=finished, limit=BLOCKED_LIMIT
        ):
            blocked.append(_blocking(record, "changed"))
    updates = await repo.updates_of(session, batch_id)
    for model, entity in ((Organization, "organization"), (Contact, "contact")):
        ids = [u.entity_id for u in updates if u.entity_type == entity]
        for record in (await repo.records_by_ids(session, model, ids)).values():
            if record.updated_at > finished:
                blocked.append(_blocking(record, "changed"))
    for activity in await repo.activities_on_batch(session, batch_id=batch_id, limit=BLOCKED_LIMIT):
        if activity.contact_id:
            record = await session.get(Contact, activity.contact_id)
        else:
            record = await session.get(Organization, activity.organization_id)
        blocked.append(_blocking(record, "activity"))
    for contact in await repo.later_contacts_of_batch_orgs(
        session, batch_id=batch_id, limit=BLOCKED_LIMIT
    ):
        blocked.append(_blocking(contact, "new_contact"))
    if blocked:
        unique = list(dict.fromkeys(blocked))[:BLOCKED_LIMIT]
        raise ImportServiceError(ImportServiceProblem.blocked, details=unique, batch_id=batch_id)

    counts = await repo.delete_created(session, batch_id=batch_id)
    for model, entity in ((Organization, "organization"), (Contact, "contact")):
        restore = [u for u in updates if u.entity_type == entity]
        by_columns: dict[tuple[str, ...], list[dict]] = {}
        for u in restore:
            columns = tuple(sorted(k for k in u.before if k in model.__table__.c))
            values = {k: _from_json(k, u.before[k]) for k in columns}
            by_columns.setdefault(columns, []).append({"_id": u.entity_id, **values})
        for columns, rows in by_columns.items():
            await repo.update_rows(session, model, columns, rows)
    batch.status = ImportStatus.undone
    batch.undone_at = now
    session.add(batch)
    await audit.record(
        session,
        workspace_id=actor.workspace_id,
        actor_id=actor.id,
        action="import.undo",
        entity_type="import",
        entity_id=batch_id,
        after={**counts, "restored": len(updates)},
    )
    await session.flush()
    return UndoResult(
        batch_id=batch_id,
        deleted_organizations=counts["organizations"],
        deleted_contacts=counts["contacts"],
        restored=len(updates),
    )
