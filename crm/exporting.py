"""The directory as an .xlsx file: Organizations, Contacts and Activities sheets.

Two halves, so that a large workspace does not hold up other chats:

- `read_export(session, workspace_id=..., owner_id=...)` reads plain rows (no ORM objects) in
  the caller's transaction: a few streamed queries;
- `build_workbook(rows)` is plain CPU work with no database: call it in a worker thread
  (`asyncio.to_thread`). `crm.xlsx_writer` streams each row into the compressed file as it is
  appended (openpyxl's write-only mode did the same ~20 times slower), so the workbook costs
  little beyond the rows already read.

`owner_id` (`scope_of(member)`): a sales rep exports only the records they own, with the
activities on them; managers, admins and the command line export everything.

The sheets use the header names the importer recognizes: importing the Organizations sheet
and then the Contacts sheet (merge) into an empty workspace gives the same organizations,
people, phones, e-mails, tax ids, positions, notes (the contact's own note has a column of its
own) and extra data. Extra data (`extra`: columns an import kept without a field) comes after
the standard columns, one column per key, in the order the keys first appear; an extra key
whose name the importer knows as a field (say "Phone") would come back as that field.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from crm.permissions import sees_whole_team
from crm.xlsx_writer import XlsxWriter
from storage.models import Email, Member, Phone
from storage.repositories import exports as repo

__all__ = [
    "ACTIVITY_HEADER",
    "CONTACT_HEADER",
    "ORGANIZATION_HEADER",
    "ExportRows",
    "build_workbook",
    "export_workbook",
    "read_export",
    "scope_of",
]

ORGANIZATION_HEADER = ["Organization", "Tax ID", "Address", "Website", "Phone", "E-mail", "Note"]
ORGANIZATION_HEADER += ["Owner"]
CONTACT_HEADER = ["Organization", "Tax ID", "Contact name", "Position", "Phone", "E-mail"]
CONTACT_HEADER += ["Contact note", "Owner"]
ACTIVITY_HEADER = ["Date (UTC)", "Kind", "Organization", "Contact", "Member", "Direction"]
ACTIVITY_HEADER += ["Outcome", "Duration (s)", "Note", "Follow-up (UTC)", "Done"]


@dataclass
class ExportRows:
    """What `read_export` read; the tuples are the repository's (storage.repositories.exports)."""

    organizations: list[tuple[Any, ...]]
    contacts: list[tuple[Any, ...]]
    activities: list[tuple[Any, ...]]
    members: dict[int, str]
    phones: list[tuple[Any, ...]]  # grouped by owner in `build_workbook`, off the event loop
    emails: list[tuple[Any, ...]]
    # (name, tax id) and names of records that rows refer to: every exported one, and for a
    # rep the organizations and people of others that their contacts and activities name
    organization_labels: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    contact_names: dict[int, str] = field(default_factory=dict)


def scope_of(member: Member) -> int | None:
    """The owner whose records `member` may export: None for everything."""
    return None if sees_whole_team(member) else member.id


def _phone_text(raw: str, e164: str | None, extension: str | None) -> str:
    if e164 is None:
        return raw
    return f"{e164} ext. {extension}" if extension else e164


def _by_owner(rows: Iterable[tuple[Any, ...]], text) -> dict[tuple[str, int], list[str]]:
    found: dict[tuple[str, int], list[str]] = {}
    for organization_id, contact_id, *values in rows:
        key = ("organization", organization_id) if organization_id else ("contact", contact_id)
        found.setdefault(key, []).append(text(*values))
    return found


async def read_export(
    session: AsyncSession, *, workspace_id: int, owner_id: int | None = None
) -> ExportRows:
    """The live records of the workspace (only `owner_id`'s when given) as plain rows."""
    scope = {"workspace_id": workspace_id, "owner_id": owner_id}
    organizations = await repo.organizations(session, **scope)
    contacts = await repo.contacts(session, **scope)
    activities = await repo.activities(session, **scope)
    phones = await repo.points(session, Phone, **scope)
    emails = await repo.points(session, Email, **scope)
    labels = {row[0]: (row[1], row[2]) for row in organizations}
    names = {row[0]: row[2] for row in contacts}
    missing_orgs = {row[1] for row in contacts} | {row[2] for row in activities}
    missing_orgs -= {None, *labels}
    if missing_orgs:
        labels |= await repo.organization_labels(
            session, workspace_id=workspace_id, ids=missing_orgs
        )
    missing_people = {row[3] for row in activities} - {None, *names}
    if missing_people:
        names |= await repo.contact_names(session, workspace_id=workspace_id, ids=missing_people)
    return ExportRows(
        organizations=organizations,
        contacts=contacts,
        activities=activities,
        members=await repo.member_names(session, workspace_id=workspace_id),
        phones=phones,
        emails=emails,
        organization_labels=labels,
        contact_names=names,
    )


def _extra_keys(extras: Iterable[dict[str, Any] | None]) -> list[str]:
    keys: dict[str, None] = {}
    for extra in extras:
        if extra:
            keys.update(dict.fromkeys(extra))
    return list(keys)


def _extra_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _extra_cells(extra: dict[str, Any] | None, keys: Sequence[str]) -> list[Any]:
    if not extra:
        return [None] * len(keys)
    return [_extra_value(extra.get(key)) for key in keys]


def _joined(values: list[str] | None) -> str | None:
    return ", ".join(values) if values else None


def _value(enum_or_text: Any) -> Any:
    return getattr(enum_or_text, "value", enum_or_text)


def build_workbook(rows: ExportRows) -> bytes:
    """The .xlsx bytes: CPU only, no database; run it in a worker thread."""
    members = rows.members
    labels = rows.organization_labels
    phones = _by_owner(rows.phones, _phone_text)
    emails = _by_owner(rows.emails, lambda address: address)
    workbook = XlsxWriter()

    org_extra = _extra_keys(row[7] for row in rows.organizations)
    workbook.add_sheet("Organizations", [*ORGANIZATION_HEADER, *org_extra])
    for org_id, name, tax_id, address, website, note, owner_id, extra in rows.organizations:
        key = ("organization", org_id)
        workbook.append(
            [
                name,
                tax_id,
                address,
                website,
                _joined(phones.get(key)),
                _joined(emails.get(key)),
                note,
                members.get(owner_id),
                *_extra_cells(extra, org_extra),
            ],
        )

    def contact_order(row: tuple[Any, ...]) -> tuple[Any, ...]:
        contact_id, org_id, full_name = row[0], row[1], row[2]
        label = labels.get(org_id)
        org_name = label[0].casefold() if label else ""
        return (label is None, org_name, full_name.casefold(), contact_id)

    contacts = sorted(rows.contacts, key=contact_order)
    contact_extra = _extra_keys(row[6] for row in contacts)
    workbook.add_sheet("Contacts", [*CONTACT_HEADER, *contact_extra])
    for contact_id, org_id, full_name, position, note, owner_id, extra in contacts:
        key = ("contact", contact_id)
        org_name, tax_id = labels.get(org_id, (None, None))
        workbook.append(
            [
                org_name,
                tax_id,
                full_name,
                position,
                _joined(phones.get(key)),
                _joined(emails.get(key)),
                note,
                members.get(owner_id),
                *_extra_cells(extra, contact_extra),
            ],
        )

    workbook.add_sheet("Activities", ACTIVITY_HEADER)
    for (
        occurred_at,
        kind,
        org_id,
        contact_id,
        member_id,
        direction,
        outcome,
        duration,
        note,
        follow_up_at,
        done,
    ) in rows.activities:
        label = labels.get(org_id)
        workbook.append(
            [
                occurred_at,
                _value(kind),
                label[0] if label else None,
                rows.contact_names.get(contact_id),
                members.get(member_id),
                _value(direction),
                _value(outcome),
                duration,
                note,
                follow_up_at,
                "yes" if done else None,
            ],
        )
    return workbook.finish()


async def export_workbook(
    session: AsyncSession, *, workspace_id: int, owner_id: int | None = None
) -> bytes:
    """`read_export` here, `build_workbook` in a worker thread."""
    rows = await read_export(session, workspace_id=workspace_id, owner_id=owner_id)
    return await asyncio.to_thread(build_workbook, rows)
