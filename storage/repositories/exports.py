"""What an export reads: live organizations, contacts, their phones, e-mails and activities of a
workspace, all of them or one owner's, as plain rows (tuples, no ORM objects: a fraction of
the time and memory for tens of thousands).

Rows are fetched through a streamed result in partitions of `PARTITION`, so that reading a
large workspace gives the event loop a turn between partitions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Activity, Contact, Email, Member, Organization, Phone

PARTITION = 2_000
CHUNK = 500  # ids in one IN (...) list

_ORGANIZATIONS = Organization.__table__
_CONTACTS = Contact.__table__
_ACTIVITIES = Activity.__table__


async def _rows(session: AsyncSession, statement) -> list[tuple[Any, ...]]:
    connection = await session.connection()
    result = await connection.stream(statement)
    found: list[tuple[Any, ...]] = []
    async for partition in result.partitions(PARTITION):
        found += map(tuple, partition)
    return found


def _live(table, workspace_id: int, owner_id: int | None):
    conditions = [table.c.workspace_id == workspace_id, table.c.deleted_at.is_(None)]
    if owner_id is not None:
        conditions.append(table.c.owner_id == owner_id)
    return conditions


def _ids(table, workspace_id: int, owner_id: int | None):
    return select(table.c.id).where(*_live(table, workspace_id, owner_id))


async def member_names(session: AsyncSession, *, workspace_id: int) -> dict[int, str]:
    """Every member ever in the workspace (removed ones still own records), by id."""
    table = Member.__table__
    statement = select(table.c.id, table.c.display_name).where(table.c.workspace_id == workspace_id)
    return dict(await _rows(session, statement))


async def organizations(
    session: AsyncSession, *, workspace_id: int, owner_id: int | None = None
) -> list[tuple[Any, ...]]:
    """(id, name, tax_id, address, website, note, owner_id, extra), by name."""
    t = _ORGANIZATIONS
    statement = (
        select(t.c.id, t.c.name, t.c.tax_id, t.c.address, t.c.website, t.c.note)
        .add_columns(t.c.owner_id, t.c.extra)
        .where(*_live(t, workspace_id, owner_id))
        .order_by(t.c.name, t.c.id)
    )
    return await _rows(session, statement)


async def contacts(
    session: AsyncSession, *, workspace_id: int, owner_id: int | None = None
) -> list[tuple[Any, ...]]:
    """(id, organization_id, full_name, position, note, owner_id, extra)."""
    t = _CONTACTS
    statement = (
        select(t.c.id, t.c.organization_id, t.c.full_name, t.c.position, t.c.note)
        .add_columns(t.c.owner_id, t.c.extra)
        .where(*_live(t, workspace_id, owner_id))
        .order_by(t.c.id)
    )
    return await _rows(session, statement)


async def points(
    session: AsyncSession, model: type[Phone] | type[Email], *, workspace_id: int, owner_id=None
) -> list[tuple[Any, ...]]:
    """Phones (organization_id, contact_id, raw, e164, extension) or e-mails (organization_id,
    contact_id, address) of the live organizations and contacts (of `owner_id`), in id order."""
    t = model.__table__
    values = (t.c.raw, t.c.e164, t.c.extension) if model is Phone else (t.c.address,)
    statement = (
        select(t.c.organization_id, t.c.contact_id, *values)
        .where(
            t.c.workspace_id == workspace_id,
            or_(
                t.c.organization_id.in_(_ids(_ORGANIZATIONS, workspace_id, owner_id)),
                t.c.contact_id.in_(_ids(_CONTACTS, workspace_id, owner_id)),
            ),
        )
        .order_by(t.c.id)
    )
    return await _rows(session, statement)


async def activities(
    session: AsyncSession, *, workspace_id: int, owner_id: int | None = None
) -> list[tuple[Any, ...]]:
    """(occurred_at, kind, organization_id, contact_id, member_id, direction, outcome,
    duration_seconds, note, follow_up_at, done) of live activities, oldest first; with
    `owner_id`, those on that owner's live organizations and contacts."""
    t = _ACTIVITIES
    statement = (
        select(t.c.occurred_at, t.c.kind, t.c.organization_id, t.c.contact_id, t.c.member_id)
        .add_columns(t.c.direction, t.c.outcome, t.c.duration_seconds, t.c.note)
        .add_columns(t.c.follow_up_at, t.c.done)
        .where(t.c.workspace_id == workspace_id, t.c.deleted_at.is_(None))
        .order_by(t.c.occurred_at, t.c.id)
    )
    if owner_id is not None:
        statement = statement.where(
            or_(
                t.c.organization_id.in_(_ids(_ORGANIZATIONS, workspace_id, owner_id)),
                t.c.contact_id.in_(_ids(_CONTACTS, workspace_id, owner_id)),
            )
        )
    return await _rows(session, statement)


async def organization_labels(
    session: AsyncSession, *, workspace_id: int, ids: Iterable[int]
) -> dict[int, tuple[str, str | None]]:
    """id -> (name, tax_id) of these live organizations (those a rep's contacts and
    activities name without the rep owning them)."""
    t = _ORGANIZATIONS
    found: dict[int, tuple[str, str | None]] = {}
    for chunk in _chunks(ids):
        statement = select(t.c.id, t.c.name, t.c.tax_id).where(
            *_live(t, workspace_id, None), t.c.id.in_(chunk)
        )
        for org_id, name, tax_id in await _rows(session, statement):
            found[org_id] = (name, tax_id)
    return found


async def contact_names(
    session: AsyncSession, *, workspace_id: int, ids: Iterable[int]
) -> dict[int, str]:
    """id -> full name of these live contacts."""
    t = _CONTACTS
    found: dict[int, str] = {}
    for chunk in _chunks(ids):
        statement = select(t.c.id, t.c.full_name).where(
            *_live(t, workspace_id, None), t.c.id.in_(chunk)
        )
        found.update(await _rows(session, statement))
    return found


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    items = sorted(set(ids))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
