"""Workbooks the bot sends: the whole directory (export) and an import's rejected rows.

Text that starts with = + - @, a tab or a carriage return is written as a string cell with
Excel's quote prefix, so that a spreadsheet program never evaluates it as a formula.

The export's sheets use the header names the importer recognizes: importing the Organizations
sheet and then the Contacts sheet (merge) into an empty workspace gives the same
organizations, people, phones, e-mails, tax ids, positions and notes (a note on a person who
belongs to an organization excepted: in a row naming an organization the importer gives the
note to the organization)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm.phones import cell_text
from storage.models import Activity, Contact, Email, Member, Organization, Phone

if TYPE_CHECKING:
    from crm.importing.records import RowIssue
    from crm.importing.service import RejectedRow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

ORGANIZATION_HEADER = ["Organization", "Tax ID", "Address", "Website", "Phone", "E-mail", "Note"]
ORGANIZATION_HEADER += ["Owner"]
CONTACT_HEADER = ["Organization", "Tax ID", "Contact name", "Position", "Phone", "E-mail", "Note"]
CONTACT_HEADER += ["Owner"]
ACTIVITY_HEADER = ["Date (UTC)", "Kind", "Organization", "Contact", "Member", "Direction"]
ACTIVITY_HEADER += ["Outcome", "Duration (s)", "Note", "Follow-up (UTC)", "Done"]
CHUNK = 1000


def _cell(sheet, value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; the header says UTC
    return value


def _append(sheet, values: Iterable[Any]) -> None:
    sheet.append([_cell(sheet, v) for v in values])


def _bold_header(sheet, header: Sequence[str]) -> None:
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = openpyxl.styles.Font(bold=True)
        cells.append(cell)
    sheet.append(cells)


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rejected_rows_workbook(
    rejected: Sequence[RejectedRow],
    headers: Sequence[str],
    explain: Callable[[RowIssue], str],
) -> bytes:
    """The rejected rows as read, under the file's header, with the row number first and the
    reasons (text from `explain`, one line per issue) last."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Rejected")
    _bold_header(sheet, ["Row", *headers, "Why"])
    width = len(headers)
    for row in rejected:
        values = [cell_text(v) if v is not None else None for v in row.values]
        values = (values + [None] * width)[: max(width, len(values))]
        why = "\n".join(explain(issue) for issue in row.issues)
        _append(sheet, [row.row_number, *values, why])
    return _save(workbook)


def _phone_text(phone: Phone) -> str:
    if phone.e164 is None:
        return phone.raw
    return f"{phone.e164} ext. {phone.extension}" if phone.extension else phone.e164


async def _points(session: AsyncSession, model, owner: str, ids: list[int]) -> dict[int, list]:
    found: dict[int, list] = {}
    owner_column = getattr(model, owner)
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        statement = select(model).where(col(owner_column).in_(part)).order_by(col(model.id))
        for point in (await session.exec(statement)).all():
            found.setdefault(getattr(point, owner), []).append(point)
    return found


async def _live(session: AsyncSession, model, workspace_id: int, order) -> list:
    statement = (
        select(model)
        .where(model.workspace_id == workspace_id, col(model.deleted_at).is_(None))
        .order_by(order, col(model.id))
    )
    return list((await session.exec(statement)).all())


async def export_workbook(session: AsyncSession, *, workspace_id: int) -> bytes:
    """Organizations, Contacts and Activities of the workspace (live records), header on top,
    phones in E.164 (several in a cell separated by commas)."""
    members = {
        m.id: m.display_name
        for m in (await session.exec(select(Member).where(Member.workspace_id == workspace_id)))
    }
    organizations = await _live(session, Organization, workspace_id, col(Organization.name))
    org_by_id = {org.id: org for org in organizations}
    org_ids = list(org_by_id)
    org_phones = await _points(session, Phone, "organization_id", org_ids)
    org_emails = await _points(session, Email, "organization_id", org_ids)

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Organizations")
    _bold_header(sheet, ORGANIZATION_HEADER)
    for org in organizations:
        _append(
            sheet,
            [
                org.name,
                org.tax_id,
                org.address,
                org.website,
                ", ".join(_phone_text(p) for p in org_phones.get(org.id, [])) or None,
                ", ".join(e.address for e in org_emails.get(org.id, [])) or None,
                org.note,
                members.get(org.owner_id),
            ],
        )

    contacts = await _live(session, Contact, workspace_id, col(Contact.full_name))
    contacts.sort(
        key=lambda c: (
            c.organization_id is None,
            org_by_id[c.organization_id].name.casefold() if c.organization_id in org_by_id else "",
            c.full_name.casefold(),
            c.id,
        )
    )
    contact_ids = [c.id for c in contacts]
    contact_phones = await _points(session, Phone, "contact_id", contact_ids)
    contact_emails = await _points(session, Email, "contact_id", contact_ids)
    sheet = workbook.create_sheet("Contacts")
    _bold_header(sheet, CONTACT_HEADER)
    for contact in contacts:
        org = org_by_id.get(contact.organization_id)
        _append(
            sheet,
            [
                org.name if org else None,
                org.tax_id if org else None,
                contact.full_name,
                contact.position,
                ", ".join(_phone_text(p) for p in contact_phones.get(contact.id, [])) or None,
                ", ".join(e.address for e in contact_emails.get(contact.id, [])) or None,
                contact.note,
                members.get(contact.owner_id),
            ],
        )

    contact_by_id = {c.id: c for c in contacts}
    statement = (
        select(Activity)
        .where(Activity.workspace_id == workspace_id, col(Activity.deleted_at).is_(None))
        .order_by(col(Activity.occurred_at), col(Activity.id))
    )
    sheet = workbook.create_sheet("Activities")
    _bold_header(sheet, ACTIVITY_HEADER)
    for activity in (await session.exec(statement)).all():
        org = org_by_id.get(activity.organization_id)
        contact = contact_by_id.get(activity.contact_id)
        _append(
            sheet,
            [
                activity.occurred_at,
                activity.kind.value,
                org.name if org else None,
                contact.full_name if contact else None,
                members.get(activity.member_id),
                activity.direction.value if activity.direction else None,
                activity.outcome.value if activity.outcome else None,
                activity.duration_seconds,
                activity.note,
                activity.follow_up_at,
                "yes" if activity.done else None,
            ],
        )
    return _save(workbook)
