"""Organizations, contacts and their phones and e-mails: lookups, duplicates, search."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import column, delete, func, inspect, literal_column, or_, table, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Contact, Email, Organization, Phone

Record = Organization | Contact


def _owner_filter(model: type[Phone] | type[Email], record: Record):
    if isinstance(record, Organization):
        return col(model.organization_id) == record.id
    return col(model.contact_id) == record.id


async def add(session: AsyncSession, record):
    session.add(record)
    await session.flush()
    return record


async def get_organization(
    session: AsyncSession, *, workspace_id: int, organization_id: int, deleted: bool = False
) -> Organization | None:
    return await _get(session, Organization, workspace_id, organization_id, deleted)


async def get_contact(
    session: AsyncSession, *, workspace_id: int, contact_id: int, deleted: bool = False
) -> Contact | None:
    return await _get(session, Contact, workspace_id, contact_id, deleted)


def held(session: AsyncSession, model, record_id: int):
    """The record if this session already holds it with every column loaded, else None.

    One update often reads a record again (a call's target, then the activity's, then its
    description). A SELECT would hand back this same object, its attributes untouched (the
    identity map), after flushing pending changes that the object already shows: the
    session's copy answers without the round trip."""
    sync = session.sync_session
    record = sync.identity_map.get(sync.identity_key(model, record_id))
    if record is None or record in sync.deleted:
        return None
    state = inspect(record)
    if state.deleted or state.was_deleted or state.expired:
        return None
    if state.unloaded & set(inspect(model).column_attrs.keys()):
        return None
    return record


async def _get(session, model, workspace_id: int, record_id: int, deleted: bool):
    """A record of this workspace: live ones, or with `deleted=True` only deleted ones."""
    record = held(session, model, record_id)
    if record is not None:
        matches = record.workspace_id == workspace_id and (record.deleted_at is not None) == deleted
        return record if matches else None
    deleted_filter = (
        col(model.deleted_at).is_not(None) if deleted else col(model.deleted_at).is_(None)
    )
    statement = select(model).where(
        model.id == record_id, model.workspace_id == workspace_id, deleted_filter
    )
    return (await session.exec(statement)).first()


async def phones_of(session: AsyncSession, record: Record) -> list[Phone]:
    statement = select(Phone).where(_owner_filter(Phone, record)).order_by(col(Phone.id))
    return list((await session.exec(statement)).all())


async def emails_of(session: AsyncSession, record: Record) -> list[Email]:
    statement = select(Email).where(_owner_filter(Email, record)).order_by(col(Email.id))
    return list((await session.exec(statement)).all())


async def phones_of_contacts(
    session: AsyncSession, contact_ids: Sequence[int]
) -> dict[int, list[Phone]]:
    if not contact_ids:
        return {}
    statement = select(Phone).where(col(Phone.contact_id).in_(contact_ids)).order_by(col(Phone.id))
    found: dict[int, list[Phone]] = {}
    for phone in (await session.exec(statement)).all():
        found.setdefault(phone.contact_id, []).append(phone)
    return found


async def remove_phone(session: AsyncSession, *, record: Record, phone_id: int) -> bool:
    result = await session.exec(
        delete(Phone).where(col(Phone.id) == phone_id, _owner_filter(Phone, record))
    )
    return result.rowcount == 1


async def remove_email(session: AsyncSession, *, record: Record, email_id: int) -> bool:
    result = await session.exec(
        delete(Email).where(col(Email.id) == email_id, _owner_filter(Email, record))
    )
    return result.rowcount == 1


async def organization_names(
    session: AsyncSession, *, workspace_id: int, organization_ids: Iterable[int]
) -> dict[int, str]:
    """Names of the live organizations among the ids (to label contacts in search results)."""
    ids = sorted(set(organization_ids))
    if not ids:
        return {}
    statement = select(Organization.id, Organization.name).where(
        Organization.workspace_id == workspace_id,
        col(Organization.id).in_(ids),
        col(Organization.deleted_at).is_(None),
    )
    return dict((await session.exec(statement)).all())


async def contacts_of(
    session: AsyncSession, *, workspace_id: int, organization_id: int
) -> list[Contact]:
    statement = (
        select(Contact)
        .where(
            Contact.workspace_id == workspace_id,
            Contact.organization_id == organization_id,
            col(Contact.deleted_at).is_(None),
        )
        .order_by(col(Contact.full_name))
    )
    return list((await session.exec(statement)).all())


# --- duplicates ---------------------------------------------------------------------------


async def organizations_by_tax_id(
    session: AsyncSession, *, workspace_id: int, tax_id: str
) -> list[Organization]:
    return await _live(session, Organization, workspace_id, Organization.tax_id == tax_id)


async def organizations_by_name(
    session: AsyncSession, *, workspace_id: int, name_normalized: str
) -> list[Organization]:
    return await _live(
        session, Organization, workspace_id, Organization.name_normalized == name_normalized
    )


async def contacts_by_name(
    session: AsyncSession, *, workspace_id: int, name_normalized: str, organization_id: int | None
) -> list[Contact]:
    return await _live(
        session,
        Contact,
        workspace_id,
        Contact.name_normalized == name_normalized,
        Contact.organization_id == organization_id,
    )


async def records_by_phone(
    session: AsyncSession, *, workspace_id: int, e164s: Iterable[str]
) -> list[Record]:
    return await _by_contact_point(session, Phone, col(Phone.e164), workspace_id, e164s)


async def records_by_email(
    session: AsyncSession, *, workspace_id: int, addresses: Iterable[str]
) -> list[Record]:
    return await _by_contact_point(session, Email, col(Email.address), workspace_id, addresses)


async def _by_contact_point(session, model, value_column, workspace_id, values) -> list[Record]:
    values = sorted(set(values))
    if not values:
        return []
    owners = select(model.contact_id, model.organization_id).where(
        model.workspace_id == workspace_id, value_column.in_(values)
    )
    rows = (await session.exec(owners)).all()
    contact_ids = {c for c, _ in rows if c}
    organization_ids = {o for _, o in rows if o}
    found: list[Record] = []
    if organization_ids:
        found += await _live(
            session, Organization, workspace_id, col(Organization.id).in_(organization_ids)
        )
    if contact_ids:
        found += await _live(session, Contact, workspace_id, col(Contact.id).in_(contact_ids))
    return found


async def _live(session, model, workspace_id: int, *conditions) -> list:
    statement = (
        select(model)
        .where(model.workspace_id == workspace_id, col(model.deleted_at).is_(None), *conditions)
        .order_by(col(model.id))
        .limit(20)
    )
    return list((await session.exec(statement)).all())


# --- search -------------------------------------------------------------------------------


MIN_TRIGRAM = 3  # FTS5's trigram index answers substrings of three characters or more


def _clean_term(term: str) -> str:
    # LIKE wildcards and quotes carry no meaning in normalized text; dropping them keeps the
    # patterns free of an ESCAPE clause, which SQLite's FTS5 index cannot use.
    return "".join(ch for ch in term if ch not in '%_\\"')


def _sqlite_search(model, terms: Sequence[str]):
    """Join the FTS5 table so the index drives the query: MATCH for terms it can index,
    LIKE (a scan of the index table) for two-character ones."""
    fts_name = f"{model.__tablename__}_fts"
    fts = table(fts_name, column("rowid"), column("search_text"))
    long_terms = [t for t in terms if len(t) >= MIN_TRIGRAM]
    conditions = []
    if long_terms:
        query = " OR ".join(f'"{t}"' for t in long_terms)
        conditions.append(literal_column(fts_name).op("MATCH")(query))
    conditions += [fts.c.search_text.like(f"%{t}%") for t in terms if len(t) < MIN_TRIGRAM]
    return fts, or_(*conditions)


CANDIDATES = 300  # matches ranked per search: enough to put the closest first, and bounded


async def search(
    session: AsyncSession, *, workspace_id: int, terms: Sequence[str], limit: int = 10
) -> tuple[list[Organization], list[Contact]]:
    """Records whose search document contains any term, shortest names first.

    A short fragment can match thousands of records: only the first CANDIDATES matches are
    ranked, which keeps the time bounded; a longer query narrows the set anyway."""
    terms = [t for t in dict.fromkeys(_clean_term(t) for t in terms) if t]
    if not terms:
        return [], []
    postgres = session.bind.dialect.name == "postgresql"
    if postgres:
        # The planner misjudges LIKE on long text and scans the table; the trigram index
        # is always the better path here.
        await session.exec(text("SET LOCAL enable_seqscan = off"))
    found = []
    for model, order in ((Organization, Organization.name), (Contact, Contact.full_name)):
        if postgres:
            # "+ 0" keeps the planner off the workspace index (a workspace is most rows), so
            # the trigram index is the one path left.
            candidates = select(model.id).where(
                (col(model.workspace_id) + 0) == workspace_id,
                col(model.deleted_at).is_(None),
                or_(*(col(model.search_text).like(f"%{t}%") for t in terms)),
            )
        else:
            fts, matching = _sqlite_search(model, terms)
            candidates = (
                select(model.id)
                .join(fts, fts.c.rowid == model.id)
                .where(
                    model.workspace_id == workspace_id, col(model.deleted_at).is_(None), matching
                )
            )
        statement = (
            select(model)
            .where(col(model.id).in_(candidates.limit(CANDIDATES)))
            .order_by(func.length(order), col(order))
            .limit(limit)
        )
        found.append(list((await session.exec(statement)).all()))
    if postgres:
        await session.exec(text("SET LOCAL enable_seqscan = on"))
    return found[0], found[1]


async def deleted_records(
    session: AsyncSession, *, workspace_id: int, limit: int = 20
) -> list[Record]:
    found: list[Record] = []
    for model in (Organization, Contact):
        statement = (
            select(model)
            .where(model.workspace_id == workspace_id, col(model.deleted_at).is_not(None))
            .order_by(col(model.deleted_at).desc())
            .limit(limit)
        )
        found += list((await session.exec(statement)).all())
    return sorted(found, key=lambda r: r.deleted_at, reverse=True)[:limit]
