"""Rows of one file grouped into organizations with their people, repeats found.

`build_plan(rows)` reads `ImportRow`s once, with dict indexes (no pairwise comparison):

- organizations are the same when the tax id matches, or one of the organization's own E.164
  phones or e-mails, or the normalized name (`normalize_org_name`); keys are tried in that
  order, and a match is refused when both sides have a tax id and they differ ("Ромашка" in
  two cities with two INNs are two companies);
- a person is the same when a phone (E.164) or an e-mail matches, or the normalized name —
  within one organization (a row's person is looked for among the contacts of the row's
  organization); a person in a row without an organization is looked for by phone and e-mail
  among everybody, then by name among the people without an organization, where a name match
  is refused when both have phones or e-mails and none is shared (two different "Анна");
- the first match wins, and planned records are never merged with each other afterwards;
- a row whose records all existed already is a duplicate row: `(row_number, duplicate_of,
  reason)`, where duplicate_of is the first row of the matched record and reason the key that
  matched ("tax_id", "phone", "email", "name"). What it adds (another phone, a missing address)
  is merged all the same; a different value for a field already set is kept out and listed in
  the record's `conflicts`.

Rows with errors are left out and listed in `rows_with_errors`. Matching against the database
is the storage layer's job: `PlannedOrg.keys()`, `PlannedContact.keys()` and
`ImportPlan.lookup_keys()` give what its queries need.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from crm.importing.records import ImportRow, OrgData, PersonData
from crm.phones import Phone

__all__ = [
    "Conflict",
    "DuplicateRow",
    "ImportPlan",
    "LookupKeys",
    "MatchKeys",
    "PlannedContact",
    "PlannedOrg",
    "build_plan",
]


class DuplicateRow(NamedTuple):
    row_number: int
    duplicate_of: int  # the first row of the record it repeats
    reason: str  # "tax_id", "phone", "email" or "name"


class Conflict(NamedTuple):
    row_number: int
    field: str
    value: str  # the value that row had and that was not taken


@dataclass(frozen=True)
class MatchKeys:
    """What a storage query needs to find a planned record in the database."""

    tax_id: str | None
    e164s: tuple[str, ...]
    emails: tuple[str, ...]
    name_key: str


@dataclass(slots=True)
class PlannedContact:
    name: str
    name_key: str
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    position: str | None = None
    phones: list[Phone] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    note: str | None = None
    owner: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    source_rows: list[int] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    def keys(self) -> MatchKeys:
        return MatchKeys(None, _e164s(self.phones), tuple(self.emails), self.name_key)


@dataclass(slots=True)
class PlannedOrg:
    name: str
    name_key: str
    tax_id: str | None = None
    phones: list[Phone] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    address: str | None = None
    website: str | None = None
    note: str | None = None
    owner: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    source_rows: list[int] = field(default_factory=list)
    contacts: list[PlannedContact] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    def keys(self) -> MatchKeys:
        return MatchKeys(self.tax_id, _e164s(self.phones), tuple(self.emails), self.name_key)


@dataclass(frozen=True)
class LookupKeys:
    """Every key of a plan, deduplicated: one batch of `IN (...)` queries finds them all."""

    tax_ids: frozenset[str]
    org_e164s: frozenset[str]
    org_emails: frozenset[str]
    org_name_keys: frozenset[str]
    person_e164s: frozenset[str]
    person_emails: frozenset[str]
    person_name_keys: frozenset[str]


@dataclass
class ImportPlan:
    organizations: list[PlannedOrg]
    private_contacts: list[PlannedContact]  # people without an organization
    duplicate_rows: list[DuplicateRow]
    rows_with_errors: list[ImportRow]
    rows_read: int = 0  # data rows seen (with errors and duplicates)
    rows_with_warnings: int = 0

    @property
    def contact_count(self) -> int:
        return len(self.private_contacts) + sum(len(o.contacts) for o in self.organizations)

    def lookup_keys(self) -> LookupKeys:
        tax_ids: set[str] = set()
        org_e164s: set[str] = set()
        org_emails: set[str] = set()
        org_names: set[str] = set()
        person_e164s: set[str] = set()
        person_emails: set[str] = set()
        person_names: set[str] = set()
        # Plain loops over the attributes: this runs over every planned record, more than once
        # per import, and per-record helper calls and tuples were most of its time.
        for org in self.organizations:
            if org.tax_id:
                tax_ids.add(org.tax_id)
            for phone in org.phones:
                if phone.e164:
                    org_e164s.add(phone.e164)
            org_emails.update(org.emails)
            org_names.add(org.name_key)
        for people in (self.private_contacts, *(org.contacts for org in self.organizations)):
            for person in people:
                for phone in person.phones:
                    if phone.e164:
                        person_e164s.add(phone.e164)
                person_emails.update(person.emails)
                if person.name_key:
                    person_names.add(person.name_key)
        return LookupKeys(
            frozenset(tax_ids),
            frozenset(org_e164s),
            frozenset(org_emails),
            frozenset(org_names),
            frozenset(person_e164s),
            frozenset(person_emails),
            frozenset(person_names),
        )


def _e164s(phones: list[Phone]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.e164 for p in phones if p.e164))


def _add_phones(target: list[Phone], phones: list[Phone]) -> None:
    for phone in phones:
        if phone.e164 is None:
            if all(p.raw != phone.raw for p in target):
                target.append(phone)
        elif all((p.e164, p.extension) != (phone.e164, phone.extension) for p in target):
            target.append(phone)


def _add_emails(target: list[str], emails: list[str]) -> None:
    for email in emails:
        if email not in target:
            target.append(email)


def _fill(record: Any, name: str, value: str | None, row: int) -> None:
    """Set a field that is empty; a different value for a set field becomes a conflict."""
    if value is None:
        return
    current = getattr(record, name)
    if current is None:
        setattr(record, name, value)
    elif current != value:
        record.conflicts.append(Conflict(row, name, value))


class _Planner:
    def __init__(self) -> None:
        self.organizations: list[PlannedOrg] = []
        self.private: list[PlannedContact] = []
        self.duplicates: list[DuplicateRow] = []
        self.errors: list[ImportRow] = []
        self.rows = 0
        self.warned = 0
        self.org_by_tax: dict[str, PlannedOrg] = {}
        self.org_by_phone: dict[str, PlannedOrg] = {}
        self.org_by_email: dict[str, PlannedOrg] = {}
        self.org_by_name: dict[str, PlannedOrg] = {}
        # People by (scope, key): scope is id() of the organization, 0 for no organization.
        self.person_by_phone: dict[tuple[int, str], PlannedContact] = {}
        self.person_by_email: dict[tuple[int, str], PlannedContact] = {}
        self.person_by_name: dict[tuple[int, str], PlannedContact] = {}
        self.anyone_by_phone: dict[str, PlannedContact] = {}
        self.anyone_by_email: dict[str, PlannedContact] = {}
        self.scope_of: dict[int, int] = {}  # id(person) -> its scope

    # --- organizations -------------------------------------------------------------------------

    def _find_org(self, data: OrgData) -> tuple[PlannedOrg | None, str]:
        tax_id = data.tax_id
        if tax_id and (org := self.org_by_tax.get(tax_id)) is not None:
            return org, "tax_id"
        for phone in data.phones:
            if phone.e164 and (org := self.org_by_phone.get(phone.e164)):
                if _compatible(org, tax_id):
                    return org, "phone"
        for email in data.emails:
            if (org := self.org_by_email.get(email)) is not None and _compatible(org, tax_id):
                return org, "email"
        if (org := self.org_by_name.get(data.name_key)) is not None and _compatible(org, tax_id):
            return org, "name"
        return None, ""

    def _index_org(self, org: PlannedOrg) -> None:
        if org.tax_id:
            self.org_by_tax.setdefault(org.tax_id, org)
        for phone in org.phones:
            if phone.e164:
                self.org_by_phone.setdefault(phone.e164, org)
        for email in org.emails:
            self.org_by_email.setdefault(email, org)
        self.org_by_name.setdefault(org.name_key, org)

    def _new_org(self, data: OrgData, row: ImportRow) -> PlannedOrg:
        org = PlannedOrg(
            name=data.name,
            name_key=data.name_key,
            tax_id=data.tax_id,
            phones=list(data.phones),
            emails=list(data.emails),
            address=data.address,
            website=data.website,
            note=data.note,
            owner=row.owner,
            extra=dict(data.extra),
            source_rows=[row.row_number],
        )
        self.organizations.append(org)
        self._index_org(org)
        return org

    def _merge_org(self, org: PlannedOrg, data: OrgData, row: ImportRow) -> None:
        number = row.row_number
        org.source_rows.append(number)
        if data.tax_id is not None and data.tax_id != org.tax_id:
            _fill(org, "tax_id", data.tax_id, number)
            if org.tax_id == data.tax_id:
                self.org_by_tax.setdefault(data.tax_id, org)
        if data.address is not None and data.address != org.address:
            _fill(org, "address", data.address, number)
        if data.website is not None and data.website != org.website:
            _fill(org, "website", data.website, number)
        if data.note is not None and data.note != org.note:
            _fill(org, "note", data.note, number)
        if row.owner is not None and row.owner != org.owner:
            _fill(org, "owner", row.owner, number)
        if data.phones:
            _add_phones(org.phones, data.phones)
            for phone in data.phones:
                if phone.e164:
                    self.org_by_phone.setdefault(phone.e164, org)
        if data.emails:
            _add_emails(org.emails, data.emails)
            for email in data.emails:
                self.org_by_email.setdefault(email, org)
        if data.extra:
            for key, value in data.extra.items():
                org.extra.setdefault(key, value)

    # --- people ----------------------------------------------------------------------------------

    def _find_person(self, data: PersonData, scope: int) -> tuple[PlannedContact | None, str]:
        by_phone = self.anyone_by_phone if scope == 0 else None
        by_email = self.anyone_by_email if scope == 0 else None
        for phone in data.phones:
            if phone.e164:
                found = (
                    by_phone.get(phone.e164)
                    if by_phone is not None
                    else self.person_by_phone.get((scope, phone.e164))
                )
                if found is not None:
                    return found, "phone"
        for email in data.emails:
            found = (
                by_email.get(email)
                if by_email is not None
                else self.person_by_email.get((scope, email))
            )
            if found is not None:
                return found, "email"
        if data.name_key and (found := self.person_by_name.get((scope, data.name_key))):
            if scope != 0 or _may_be_same(found, data):
                return found, "name"
        return None, ""

    def _index_person(self, person: PlannedContact, scope: int) -> None:
        for phone in person.phones:
            if phone.e164:
                self.person_by_phone.setdefault((scope, phone.e164), person)
                self.anyone_by_phone.setdefault(phone.e164, person)
        for email in person.emails:
            self.person_by_email.setdefault((scope, email), person)
            self.anyone_by_email.setdefault(email, person)
        if person.name_key:
            self.person_by_name.setdefault((scope, person.name_key), person)

    def _new_person(self, data: PersonData, row: ImportRow) -> PlannedContact:
        return PlannedContact(
            name=data.name,
            name_key=data.name_key,
            first_name=data.first_name,
            last_name=data.last_name,
            middle_name=data.middle_name,
            position=data.position,
            phones=list(data.phones),
            emails=list(data.emails),
            note=data.note,
            owner=row.owner,
            extra=dict(data.extra),
            source_rows=[row.row_number],
        )

    def _merge_person(self, person: PlannedContact, data: PersonData, row: ImportRow) -> None:
        number = row.row_number
        person.source_rows.append(number)
        if not person.name and data.name:
            person.name, person.name_key = data.name, data.name_key
        for name in ("first_name", "last_name", "middle_name", "position", "note"):
            _fill(person, name, getattr(data, name), number)
        _fill(person, "owner", row.owner, number)
        _add_phones(person.phones, data.phones)
        _add_emails(person.emails, data.emails)
        for key, value in data.extra.items():
            person.extra.setdefault(key, value)

    # --- rows ------------------------------------------------------------------------------------

    def add(self, row: ImportRow) -> None:
        self.rows += 1
        if row.errors:
            self.errors.append(row)
            return
        if row.warnings:
            self.warned += 1
        org: PlannedOrg | None = None
        org_reason = ""
        org_is_new = True
        if row.organization is not None:
            org, org_reason = self._find_org(row.organization)
            if org is None:
                org = self._new_org(row.organization, row)
            else:
                org_is_new = False
                self._merge_org(org, row.organization, row)

        if row.contact is None:
            if org is not None and not org_is_new:
                self.duplicates.append(DuplicateRow(row.row_number, org.source_rows[0], org_reason))
            return

        scope = id(org) if org is not None else 0
        person, reason = self._find_person(row.contact, scope)
        if person is None:
            person = self._new_person(row.contact, row)
            self.scope_of[id(person)] = scope
            if org is not None:
                org.contacts.append(person)
            else:
                self.private.append(person)
        else:
            self._merge_person(person, row.contact, row)
            if org is None or not org_is_new:
                self.duplicates.append(DuplicateRow(row.row_number, person.source_rows[0], reason))
        self._index_person(person, self.scope_of[id(person)])

    def plan(self) -> ImportPlan:
        return ImportPlan(
            organizations=self.organizations,
            private_contacts=self.private,
            duplicate_rows=self.duplicates,
            rows_with_errors=self.errors,
            rows_read=self.rows,
            rows_with_warnings=self.warned,
        )


def _compatible(org: PlannedOrg, tax_id: str | None) -> bool:
    """Two tax ids, both set and different: two companies, whatever else they share."""
    return not (tax_id and org.tax_id and org.tax_id != tax_id)


def _may_be_same(person: PlannedContact, data: PersonData) -> bool:
    """Two namesakes without an organization: not the same when their contacts differ."""
    theirs = set(_e164s(person.phones)) | set(person.emails)
    ours = set(_e164s(data.phones)) | set(data.emails)
    return not theirs or not ours or bool(theirs & ours)


def build_plan(rows: Iterable[ImportRow]) -> ImportPlan:
    """Group the rows of one file (see the module docstring). Reads `rows` once.

    The cyclic garbage collector is paused meanwhile: the plan is hundreds of thousands of
    small objects without cycles, and collecting while they pile up takes longer than the
    grouping itself (100,000 rows: 3.7 s instead of 1 s on the 2-core machine).
    """
    planner = _Planner()
    with collector_paused():
        for row in rows:
            planner.add(row)
    return planner.plan()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while hundreds of thousands of small objects are built
    next to a plan of millions (grouping, matching, writing): full passes over the plan took
    about half the time. Reference counting still frees objects meanwhile, and any cycle left
    is collected once collection is back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
