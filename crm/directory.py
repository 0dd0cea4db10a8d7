"""Organizations and their contact persons: create, find duplicates, edit, delete, restore.

Services check everything before they write: a refused request leaves the unit of work clean.
Every change is written to the audit log with the fields it changed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from crm import names, phones
from crm.permissions import can_edit, can_restore
from storage.models import Contact, Email, Member, Organization, Phone
from storage.repositories import audit
from storage.repositories import directory as repo

Record = Organization | Contact
MAX_NAME = 300


class Kind(StrEnum):
    organization = "organization"
    contact = "contact"


def kind_of(record: Record) -> Kind:
    return Kind.organization if isinstance(record, Organization) else Kind.contact


class DirectoryProblem(StrEnum):
    not_found = "not_found"
    not_allowed = "not_allowed"
    name_empty = "name_empty"
    invalid_email = "invalid_email"
    invalid_phone = "invalid_phone"
    unknown_field = "unknown_field"


class DirectoryError(Exception):
    def __init__(self, problem: DirectoryProblem):
        super().__init__(problem.value)
        self.problem = problem


@dataclass
class OrganizationInput:
    name: str
    tax_id: str | None = None
    address: str | None = None
    website: str | None = None
    note: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)


@dataclass
class ContactInput:
    full_name: str
    organization_id: int | None = None
    position: str | None = None
    note: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Duplicate:
    record: Record
    reason: str  # "tax_id", "phone", "email" or "name"

    @property
    def kind(self) -> Kind:
        return kind_of(self.record)


def _clean_name(value: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise DirectoryError(DirectoryProblem.name_empty)
    return value[:MAX_NAME]


def _optional(value: str | None, limit: int) -> str | None:
    value = " ".join((value or "").split())
    return value[:limit] or None


def _emails(values: Iterable[str]) -> list[str]:
    found = []
    for value in values:
        address = names.normalize_email(value)
        if address is None:
            raise DirectoryError(DirectoryProblem.invalid_email)
        found.append(address)
    return list(dict.fromkeys(found))


def _phones(values: Iterable[str], region: str) -> list[phones.Phone]:
    parsed = [p for value in values for p in phones.parse_phone_cell(value, region)]
    if any(p.e164 is None for p in parsed):
        raise DirectoryError(DirectoryProblem.invalid_phone)
    unique: dict[tuple, phones.Phone] = {}
    for p in parsed:
        unique.setdefault((p.e164, p.extension), p)
    return list(unique.values())


# --- search text --------------------------------------------------------------------------


async def refresh_search_text(session: AsyncSession, record: Record) -> None:
    """Rebuild the record's search document from itself, its phones and its e-mails."""
    phone_rows = await repo.phones_of(session, record)
    email_rows = await repo.emails_of(session, record)
    keys = [phones.digits(p.e164) for p in phone_rows if p.e164]
    if isinstance(record, Organization):
        parts = [names.normalize_org_name(record.name), record.name, record.tax_id, record.website]
    else:
        parts = [names.normalize_person_name(record.full_name), record.position]
    record.search_text = names.search_text(*parts, *(e.address for e in email_rows), *keys)
    session.add(record)


# --- duplicates ---------------------------------------------------------------------------


async def organization_duplicates(
    session: AsyncSession, *, workspace_id: int, data: OrganizationInput, region: str
) -> list[Duplicate]:
    found: dict[int, Duplicate] = {}
    tax_id = names.normalize_tax_id(data.tax_id)
    if tax_id:
        for org in await repo.organizations_by_tax_id(
            session, workspace_id=workspace_id, tax_id=tax_id
        ):
            found.setdefault(org.id, Duplicate(org, "tax_id"))
    for record in await repo.records_by_phone(
        session, workspace_id=workspace_id, e164s=[p.e164 for p in _phones(data.phones, region)]
    ):
        if isinstance(record, Organization):
            found.setdefault(record.id, Duplicate(record, "phone"))
    for record in await repo.records_by_email(
        session, workspace_id=workspace_id, addresses=_emails(data.emails)
    ):
        if isinstance(record, Organization):
            found.setdefault(record.id, Duplicate(record, "email"))
    normalized = names.normalize_org_name(_clean_name(data.name))
    for org in await repo.organizations_by_name(
        session, workspace_id=workspace_id, name_normalized=normalized
    ):
        found.setdefault(org.id, Duplicate(org, "name"))
    return list(found.values())


async def contact_duplicates(
    session: AsyncSession, *, workspace_id: int, data: ContactInput, region: str
) -> list[Duplicate]:
    """The same person: same phone or e-mail anywhere, or same name in the same organization."""
    found: dict[tuple, Duplicate] = {}
    by_phone = await repo.records_by_phone(
        session, workspace_id=workspace_id, e164s=[p.e164 for p in _phones(data.phones, region)]
    )
    by_email = await repo.records_by_email(
        session, workspace_id=workspace_id, addresses=_emails(data.emails)
    )
    for reason, records in (("phone", by_phone), ("email", by_email)):
        for record in records:
            if isinstance(record, Contact):
                found.setdefault((Kind.contact, record.id), Duplicate(record, reason))
    for contact in await repo.contacts_by_name(
        session,
        workspace_id=workspace_id,
        name_normalized=names.normalize_person_name(_clean_name(data.full_name)),
        organization_id=data.organization_id,
    ):
        found.setdefault((Kind.contact, contact.id), Duplicate(contact, "name"))
    return list(found.values())


# --- create -------------------------------------------------------------------------------


async def _attach(
    session: AsyncSession, record: Record, emails: list[str], parsed: list[phones.Phone]
) -> None:
    owner = (
        {"organization_id": record.id}
        if isinstance(record, Organization)
        else {"contact_id": record.id}
    )
    for p in parsed:
        session.add(
            Phone(
                workspace_id=record.workspace_id,
                raw=p.raw[:100],
                e164=p.e164,
                extension=p.extension,
                **owner,
            )
        )
    for address in emails:
        session.add(Email(workspace_id=record.workspace_id, address=address, **owner))
    await session.flush()
    await refresh_search_text(session, record)


async def create_organization(
    session: AsyncSession, *, actor: Member, data: OrganizationInput, region: str, now: datetime
) -> Organization:
    name = _clean_name(data.name)
    emails, parsed = _emails(data.emails), _phones(data.phones, region)
    org = await repo.add(
        session,
        Organization(
            workspace_id=actor.workspace_id,
            name=name,
            name_normalized=names.normalize_org_name(name),
            tax_id=names.normalize_tax_id(data.tax_id),
            address=_optional(data.address, 500),
            website=_optional(data.website, 300),
            note=_optional(data.note, 4000),
            owner_id=actor.id,
            created_at=now,
            updated_at=now,
        ),
    )
    await _attach(session, org, emails, parsed)
    await _audit(session, actor, "create", org, after={"name": name})
    return org


async def create_contact(
    session: AsyncSession, *, actor: Member, data: ContactInput, region: str, now: datetime
) -> Contact:
    name = _clean_name(data.full_name)
    emails, parsed = _emails(data.emails), _phones(data.phones, region)
    if data.organization_id is not None:
        await get_record(
            session, actor=actor, kind=Kind.organization, record_id=data.organization_id
        )
    contact = await repo.add(
        session,
        Contact(
            workspace_id=actor.workspace_id,
            organization_id=data.organization_id,
            full_name=name,
            name_normalized=names.normalize_person_name(name),
            position=_optional(data.position, 200),
            note=_optional(data.note, 4000),
            owner_id=actor.id,
            created_at=now,
            updated_at=now,
        ),
    )
    await _attach(session, contact, emails, parsed)
    await _audit(
        session,
        actor,
        "create",
        contact,
        after={"full_name": name, "organization_id": data.organization_id},
    )
    return contact


# --- read ---------------------------------------------------------------------------------


async def get_record(
    session: AsyncSession, *, actor: Member, kind: Kind, record_id: int, deleted: bool = False
) -> Record:
    """A live record of the actor's workspace, or DirectoryError(not_found): a stale button,
    a record deleted meanwhile, or an id from another workspace all look the same."""
    getter = repo.get_organization if kind == Kind.organization else repo.get_contact
    key = "organization_id" if kind == Kind.organization else "contact_id"
    record = await getter(
        session, workspace_id=actor.workspace_id, deleted=deleted, **{key: record_id}
    )
    if record is None:
        raise DirectoryError(DirectoryProblem.not_found)
    return record


def _require_edit(actor: Member, record: Record) -> None:
    if not can_edit(actor, record.owner_id):
        raise DirectoryError(DirectoryProblem.not_allowed)


async def editable_record(
    session: AsyncSession, *, actor: Member, kind: Kind, record_id: int
) -> Record:
    """The record when the actor may change it, else not_found / not_allowed: the bot refuses
    at the first tap (Edit, Delete) instead of after the user has typed a value."""
    record = await get_record(session, actor=actor, kind=kind, record_id=record_id)
    _require_edit(actor, record)
    return record


# --- edit ---------------------------------------------------------------------------------

ORGANIZATION_FIELDS = ("name", "tax_id", "address", "website", "note", "email", "phone")
CONTACT_FIELDS = ("full_name", "position", "note", "email", "phone", "organization_id")


async def update_field(
    session: AsyncSession,
    *,
    actor: Member,
    kind: Kind,
    record_id: int,
    field_name: str,
    value: Any,
    region: str,
    now: datetime,
) -> Record:
    """Set one field. `email` and `phone` add to the record's list (a phone cell may hold
    several numbers); an empty value clears an optional field."""
    allowed = ORGANIZATION_FIELDS if kind == Kind.organization else CONTACT_FIELDS
    if field_name not in allowed:
        raise DirectoryError(DirectoryProblem.unknown_field)
    record = await get_record(session, actor=actor, kind=kind, record_id=record_id)
    _require_edit(actor, record)
    if field_name in ("email", "phone"):
        emails = _emails([value]) if field_name == "email" else []
        parsed = _phones([value], region) if field_name == "phone" else []
        if field_name == "phone" and not parsed:
            raise DirectoryError(DirectoryProblem.invalid_phone)
        await _attach(session, record, emails, parsed)
        added = emails or [p.e164 for p in parsed]
        await _audit(session, actor, "update", record, after={field_name: ", ".join(added)})
    else:
        before = getattr(record, field_name)
        new_value = _field_value(field_name, value)
        if field_name == "organization_id" and new_value is not None:
            await get_record(session, actor=actor, kind=Kind.organization, record_id=new_value)
        setattr(record, field_name, new_value)
        if field_name == "name":
            record.name_normalized = names.normalize_org_name(new_value)
        elif field_name == "full_name":
            record.name_normalized = names.normalize_person_name(new_value)
        await refresh_search_text(session, record)
        await _audit(
            session,
            actor,
            "update",
            record,
            before={field_name: before},
            after={field_name: new_value},
        )
    record.updated_at = now
    session.add(record)
    await session.flush()
    return record


def _field_value(field_name: str, value: Any) -> Any:
    if field_name in ("name", "full_name"):
        return _clean_name(value)
    if field_name == "tax_id":
        return names.normalize_tax_id(value)
    if field_name == "organization_id":
        return value
    limits = {"address": 500, "website": 300, "note": 4000, "position": 200}
    return _optional(value, limits[field_name])


async def remove_phone(
    session: AsyncSession, *, actor: Member, kind: Kind, record_id: int, phone_id: int, now
) -> Record:
    return await _remove_contact_point(
        session,
        actor,
        kind,
        record_id,
        now,
        "phone",
        list_of=repo.phones_of,
        remove=repo.remove_phone,
        point_id=phone_id,
        shown=lambda phone: phone.e164 or phone.raw,
    )


async def remove_email(
    session: AsyncSession, *, actor: Member, kind: Kind, record_id: int, email_id: int, now
) -> Record:
    return await _remove_contact_point(
        session,
        actor,
        kind,
        record_id,
        now,
        "email",
        list_of=repo.emails_of,
        remove=repo.remove_email,
        point_id=email_id,
        shown=lambda email: email.address,
    )


async def _remove_contact_point(
    session, actor, kind, record_id, now, field_name, *, list_of, remove, point_id, shown
) -> Record:
    record = await get_record(session, actor=actor, kind=kind, record_id=record_id)
    _require_edit(actor, record)
    point = next((p for p in await list_of(session, record) if p.id == point_id), None)
    removed = point is not None and await remove(
        session, record=record, **{f"{field_name}_id": point_id}
    )
    if not removed:
        raise DirectoryError(DirectoryProblem.not_found)
    await refresh_search_text(session, record)
    await _audit(session, actor, "update", record, before={field_name: shown(point)})
    record.updated_at = now
    await session.flush()
    return record


# --- delete and restore -------------------------------------------------------------------


async def delete(
    session: AsyncSession, *, actor: Member, kind: Kind, record_id: int, now: datetime
) -> Record:
    record = await get_record(session, actor=actor, kind=kind, record_id=record_id)
    _require_edit(actor, record)
    record.deleted_at = now
    session.add(record)
    await _audit(session, actor, "delete", record)
    await session.flush()
    return record


async def restore(
    session: AsyncSession, *, actor: Member, kind: Kind, record_id: int, now: datetime
) -> Record:
    if not can_restore(actor):
        raise DirectoryError(DirectoryProblem.not_allowed)
    record = await get_record(session, actor=actor, kind=kind, record_id=record_id, deleted=True)
    record.deleted_at = None
    record.updated_at = now
    session.add(record)
    await _audit(session, actor, "restore", record)
    await session.flush()
    return record


async def trash(session: AsyncSession, *, actor: Member) -> list[Record]:
    if not can_restore(actor):
        raise DirectoryError(DirectoryProblem.not_allowed)
    return await repo.deleted_records(session, workspace_id=actor.workspace_id)


async def _audit(
    session: AsyncSession,
    actor: Member,
    action: str,
    record: Record,
    *,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    await audit.record(
        session,
        workspace_id=actor.workspace_id,
        actor_id=actor.id,
        action=f"{kind_of(record).value}.{action}",
        entity_type=kind_of(record).value,
        entity_id=record.id,
        before=before,
        after=after,
    )
