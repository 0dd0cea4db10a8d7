"""Spreadsheet imports: batches, bulk lookups by key, id allocation, bulk writes, undo queries.

A lookup is one statement whatever the number of keys: they are bound as one parameter (a JSON
array for SQLite's json_each, an array for PostgreSQL's ANY), so there are no `IN (...)` lists
to chunk under the drivers' parameter limits nor to compile per chunk. Writes are executemany
INSERTs of many rows at once; ids are allocated up front so children can reference their
parents without a round trip per row."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Text,
    any_,
    bindparam,
    delete,
    func,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlmodel import col
from sqlmodel import select as sm_select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import search_index
from storage.models import (
    Activity,
    ColumnMapping,
    Contact,
    Email,
    ImportBatch,
    ImportStatus,
    ImportUpdate,
    Member,
    Organization,
    Phone,
)


async def _execute(session: AsyncSession, statement, params=None):
    """Core statements (and executemany with a list of params) on the session's connection."""
    connection = await session.connection()
    if params is None:
        return await connection.execute(statement)
    return await connection.execute(statement, params)


# --- batches ------------------------------------------------------------------------------


async def add_batch(session: AsyncSession, **fields) -> ImportBatch:
    batch = ImportBatch(**fields)
    session.add(batch)
    await session.flush()
    return batch


async def get_batch(
    session: AsyncSession, *, workspace_id: int, batch_id: int
) -> ImportBatch | None:
    statement = sm_select(ImportBatch).where(
        ImportBatch.id == batch_id, ImportBatch.workspace_id == workspace_id
    )
    return (await session.exec(statement)).first()


async def finish_batch(session: AsyncSession, *, batch_id: int, **values) -> None:
    await session.exec(update(ImportBatch).where(col(ImportBatch.id) == batch_id).values(**values))


async def previous_batch(
    session: AsyncSession, *, workspace_id: int, file_sha256: str
) -> ImportBatch | None:
    """The latest batch of the same file that imported and was not undone."""
    statement = (
        sm_select(ImportBatch)
        .where(
            ImportBatch.workspace_id == workspace_id,
            ImportBatch.file_sha256 == file_sha256,
            ImportBatch.status == ImportStatus.done,
        )
        .order_by(col(ImportBatch.id).desc())
    )
    return (await session.exec(statement)).first()


async def list_batches(
    session: AsyncSession, *, workspace_id: int, member_id: int | None, limit: int
) -> list[ImportBatch]:
    statement = sm_select(ImportBatch).where(ImportBatch.workspace_id == workspace_id)
    if member_id is not None:
        statement = statement.where(ImportBatch.member_id == member_id)
    statement = statement.order_by(col(ImportBatch.id).desc()).limit(limit)
    return list((await session.exec(statement)).all())


async def hold_batch(session: AsyncSession, *, batch_id: int) -> None:
    """Lock the batch row until this transaction ends (PostgreSQL; SQLite ignores it): while
    the importing transaction lives, `running_batches` on another instance passes it by."""
    statement = sm_select(ImportBatch.id).where(ImportBatch.id == batch_id).with_for_update()
    await session.exec(statement)


async def running_batches(session: AsyncSession) -> list[ImportBatch]:
    """Batches marked running whose importing transaction is gone (locked ones are skipped)."""
    statement = (
        sm_select(ImportBatch)
        .where(ImportBatch.status == ImportStatus.running)
        .order_by(col(ImportBatch.id))
        .with_for_update(skip_locked=True)
    )
    return list((await session.exec(statement)).all())


# --- remembered column mappings -----------------------------------------------------------


async def get_mapping(
    session: AsyncSession, *, workspace_id: int, key: str
) -> ColumnMapping | None:
    statement = sm_select(ColumnMapping).where(
        ColumnMapping.workspace_id == workspace_id, ColumnMapping.key == key
    )
    return (await session.exec(statement)).first()


async def save_mapping(
    session: AsyncSession, *, workspace_id: int, key: str, mapping: dict[str, str], now: datetime
) -> None:
    found = await get_mapping(session, workspace_id=workspace_id, key=key)
    if found is None:
        found = ColumnMapping(workspace_id=workspace_id, key=key)
    found.mapping = mapping
    found.updated_at = now
    session.add(found)
    await session.flush()


# --- lookups by key -----------------------------------------------------------------------


def _among(column, values: Iterable[Any], dialect: str):
    """`column` is one of `values`, the whole set bound as ONE parameter: a JSON array read by
    json_each on SQLite, an array compared with ANY on PostgreSQL. One statement whatever the
    number of values, compiled once (chunked `IN (...)` lists were compiled per chunk)."""
    items = list(values)
    if dialect == "postgresql":
        return column == any_(bindparam("values", items, type_=ARRAY(column.type)))
    array = bindparam("values", json.dumps(items, ensure_ascii=False), type_=Text)
    return column.in_(select(literal_column("value")).select_from(func.json_each(array)))


async def _rows(session: AsyncSession, statement) -> Sequence[Any]:
    return (await _execute(session, statement)).all()


async def has_records(session: AsyncSession, model, *, workspace_id: int) -> bool:
    """Whether the workspace has any row of `model`, deleted or not: without any, lookups by
    key can only come back empty."""
    table = model.__table__
    statement = select(table.c.id).where(table.c.workspace_id == workspace_id).limit(1)
    return (await _execute(session, statement)).first() is not None


async def organizations_by(
    session: AsyncSession, *, workspace_id: int, column: str, values: Iterable[str]
) -> Sequence[tuple[str, int, str | None]]:
    """(key value, id, tax_id) of live organizations whose `column` (tax_id or
    name_normalized) is among the values."""
    if not values:
        return []
    table = Organization.__table__
    statement = select(table.c[column], table.c.id, table.c.tax_id).where(
        table.c.workspace_id == workspace_id,
        table.c.deleted_at.is_(None),
        _among(table.c[column], values, session.bind.dialect.name),
    )
    return await _rows(session, statement)


async def organizations_by_point(
    session: AsyncSession, *, workspace_id: int, model: type[Phone] | type[Email], values
) -> Sequence[tuple[str, int, str | None]]:
    """(value, organization id, its tax_id) for live organizations with these phones
    (E.164) or e-mails."""
    organizations = Organization.__table__
    return await _owners_by_point(
        session, workspace_id, model, values, organizations, organizations.c.tax_id
    )


async def contacts_by_point(
    session: AsyncSession, *, workspace_id: int, model: type[Phone] | type[Email], values
) -> Sequence[tuple[str, int, int | None]]:
    """(value, contact id, its organization id) for live contacts with these phones/e-mails."""
    contacts = Contact.__table__
    return await _owners_by_point(
        session, workspace_id, model, values, contacts, contacts.c.organization_id
    )


async def _owners_by_point(session, workspace_id, model, values, owners, extra_column) -> list:
    if not values:
        return []
    point = model.__table__
    value_column = point.c.e164 if model is Phone else point.c.address
    owner_column = (
        point.c.organization_id if owners is Organization.__table__ else point.c.contact_id
    )
    statement = (
        select(value_column, owners.c.id, extra_column)
        .join(owners, owners.c.id == owner_column)
        .where(
            point.c.workspace_id == workspace_id,
            _among(value_column, values, session.bind.dialect.name),
            owners.c.deleted_at.is_(None),
        )
    )
    return await _rows(session, statement)


async def contacts_by_name(
    session: AsyncSession, *, workspace_id: int, values: Iterable[str]
) -> Sequence[tuple[str, int, int | None]]:
    """(name_normalized, contact id, organization id) of live contacts with these names."""
    if not values:
        return []
    contacts = Contact.__table__
    statement = select(contacts.c.name_normalized, contacts.c.id, contacts.c.organization_id).where(
        contacts.c.workspace_id == workspace_id,
        contacts.c.deleted_at.is_(None),
        _among(contacts.c.name_normalized, values, session.bind.dialect.name),
    )
    return await _rows(session, statement)


async def records_by_ids(session: AsyncSession, model, ids: Iterable[int]) -> dict[int, Any]:
    ids = list(ids)
    if not ids:
        return {}
    statement = sm_select(model).where(_among(col(model.id), ids, session.bind.dialect.name))
    return {record.id: record for record in (await session.exec(statement)).all()}


async def rows_by_ids(
    session: AsyncSession, model, ids: Iterable[int], columns: Sequence[str]
) -> dict[int, Any]:
    """Like `records_by_ids` but plain rows of `columns` (and id): no ORM objects, several
    times faster for tens of thousands."""
    ids = list(ids)
    if not ids:
        return {}
    table = model.__table__
    selected = [table.c.id, *(table.c[name] for name in columns if name != "id")]
    statement = select(*selected).where(_among(table.c.id, ids, session.bind.dialect.name))
    return {row.id: row for row in (await _execute(session, statement)).all()}


async def point_rows_of(
    session: AsyncSession, model: type[Phone] | type[Email], owner: str, ids: Iterable[int]
) -> dict[int, list[Any]]:
    """Phones or e-mails of these organizations (owner="organization_id") or contacts
    (owner="contact_id"), as plain rows by owner id, in id order."""
    ids = list(ids)
    if not ids:
        return {}
    table = model.__table__
    statement = (
        select(table)
        .where(_among(table.c[owner], ids, session.bind.dialect.name))
        .order_by(table.c.id)
    )
    found: dict[int, list[Any]] = {}
    for row in (await _execute(session, statement)).all():
        found.setdefault(row._mapping[owner], []).append(row)
    return found


async def members(session: AsyncSession, *, workspace_id: int) -> list[Member]:
    statement = sm_select(Member).where(
        Member.workspace_id == workspace_id, col(Member.removed_at).is_(None)
    )
    return list((await session.exec(statement)).all())


# --- bulk writes --------------------------------------------------------------------------


async def allocate_ids(session: AsyncSession, table_name: str, count: int) -> list[int]:
    """`count` new primary keys for `table_name`. SQLite: the caller holds the write lock
    (BEGIN IMMEDIATE), so max(id)+1.. are free. PostgreSQL: taken from the table's sequence."""
    if count <= 0:
        return []
    if session.bind.dialect.name == "postgresql":
        statement = text(
            f"SELECT nextval(pg_get_serial_sequence('{table_name}', 'id')) "
            "FROM generate_series(1, :n)"
        )
        return [row[0] for row in (await _execute(session, statement, {"n": count})).all()]
    start = (await _execute(session, text(f"SELECT coalesce(max(id), 0) FROM {table_name}"))).one()[
        0
    ]
    return list(range(start + 1, start + 1 + count))


def _processed(values: Sequence[Any], processor) -> list[Any]:
    out = []
    last: Any = object()
    last_out: Any = None
    for value in values:
        if value is not last and (type(value) is not type(last) or value != last):
            last, last_out = value, processor(value)
        out.append(last_out)
    return out


async def insert_tuples(
    session: AsyncSession, model, columns: Sequence[str], rows: Sequence[tuple]
) -> None:
    """One executemany INSERT of rows given as tuples in `columns` order.

    The rows go to the driver as they are, only the columns whose type converts values
    (datetimes, JSON) converted, a value equal to the previous row's once; no per-row dicts
    or SQLAlchemy parameter handling. SQLite: executemany. PostgreSQL: COPY through asyncpg
    (`copy_records_to_table`, in the session's transaction): on 141k imported records the
    inserts took 15.6 s against 21.9 s with Core's executemany; the rest is the server's own
    index work (the trigram GIN index above all)."""
    if not rows:
        return
    connection = await session.connection()
    table = model.__table__
    processors = _bind_processors(table, columns, connection.dialect)
    params: Sequence[tuple] = rows
    if processors:
        values = list(zip(*rows, strict=True))
        for index, processor in processors.items():
            values[index] = _processed(values[index], processor)
        params = list(zip(*values, strict=True))
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(
            table.name, records=params, columns=list(columns)
        )
        return
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    await connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", params)


def _bind_processors(table, columns: Sequence[str], dialect) -> dict[int, Any]:
    """Column index -> the type's own bind processor, for the columns that have one."""
    found = {}
    for index, name in enumerate(columns):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            found[index] = processor
    return found


async def update_rows(
    session: AsyncSession, model, columns: Sequence[str], rows: Sequence[dict[str, Any]]
) -> None:
    """UPDATE ... WHERE id = :_id for many rows; each row gives `_id` and every column."""
    if not rows:
        return
    table = model.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({name: bindparam(f"_v_{name}") for name in columns})
    )
    params = [{"_id": row["_id"], **{f"_v_{name}": row[name] for name in columns}} for row in rows]
    await _execute(session, statement, params)


async def suspend_search_indexing(session: AsyncSession) -> dict[str, str]:
    """SQLite: drop the triggers that index each new organization and contact in FTS5 as it
    is inserted (most of a large import's write time); returns table -> its trigger's SQL
    for `index_created`. Within the caller's transaction: a rollback brings them back.
    PostgreSQL (GIN index, no triggers): nothing to do."""
    if session.bind.dialect.name != "sqlite":
        return {}
    connection = await session.connection()
    saved = {}
    for table, name in search_index.insert_triggers().items():
        found = await connection.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
            {"name": name},
        )
        sql = found.scalar_one_or_none()
        if sql is not None:
            await connection.exec_driver_sql(f"DROP TRIGGER {name}")
            saved[table] = sql
    return saved


async def index_created(
    session: AsyncSession, *, batch_id: int, first_ids: dict[str, int], triggers: dict[str, str]
) -> None:
    """After `suspend_search_indexing`: index the batch's new records of each table whose
    trigger was suspended, one statement per table, and put the triggers back as they were.
    `first_ids`: table -> lowest new id."""
    connection = await session.connection()
    for table, sql in triggers.items():
        if table in first_ids:
            await connection.execute(
                text(search_index.sqlite_index_batch_statement(table)),
                {"batch_id": batch_id, "first_id": first_ids[table]},
            )
        await connection.exec_driver_sql(sql)  # verbatim, as the schema had it


async def refresh_statistics(session: AsyncSession) -> None:
    """After a large import, PostgreSQL's planner statistics are stale until autovacuum comes
    round; ANALYZE (allowed inside a transaction) keeps the next lookups on their indexes."""
    if session.bind.dialect.name == "postgresql":
        for table in ("organization", "contact", "phone", "email"):
            await _execute(session, text(f"ANALYZE {table}"))


# --- undo ---------------------------------------------------------------------------------


async def created_records_changed_after(
    session: AsyncSession, model, *, batch_id: int, moment: datetime, limit: int
) -> list[Any]:
    statement = (
        sm_select(model)
        .where(model.import_batch_id == batch_id, col(model.updated_at) > moment)
        .order_by(col(model.id))
        .limit(limit)
    )
    return list((await session.exec(statement)).all())


async def updates_of(session: AsyncSession, batch_id: int) -> list[ImportUpdate]:
    statement = (
        sm_select(ImportUpdate)
        .where(ImportUpdate.batch_id == batch_id)
        .order_by(col(ImportUpdate.id))
    )
    return list((await session.exec(statement)).all())


async def activities_on_batch(
    session: AsyncSession, *, batch_id: int, limit: int
) -> list[Activity]:
    orgs = select(Organization.__table__.c.id).where(
        Organization.__table__.c.import_batch_id == batch_id
    )
    contacts = select(Contact.__table__.c.id).where(Contact.__table__.c.import_batch_id == batch_id)
    statement = (
        sm_select(Activity)
        .where(
            col(Activity.deleted_at).is_(None),
            or_(col(Activity.organization_id).in_(orgs), col(Activity.contact_id).in_(contacts)),
        )
        .order_by(col(Activity.id))
        .limit(limit)
    )
    return list((await session.exec(statement)).all())


async def later_contacts_of_batch_orgs(
    session: AsyncSession, *, batch_id: int, limit: int
) -> list[Contact]:
    """Contacts the import did not create that were added to organizations it created."""
    orgs = select(Organization.__table__.c.id).where(
        Organization.__table__.c.import_batch_id == batch_id
    )
    statement = (
        sm_select(Contact)
        .where(
            col(Contact.organization_id).in_(orgs),
            or_(col(Contact.import_batch_id).is_(None), Contact.import_batch_id != batch_id),
        )
        .order_by(col(Contact.id))
        .limit(limit)
    )
    return list((await session.exec(statement)).all())


async def delete_created(session: AsyncSession, *, batch_id: int) -> dict[str, int]:
    """Hard delete what the batch created: phones and e-mails (also those it added to
    existing records), then contacts, then organizations."""
    counts = {}
    for name, model in (
        ("phones", Phone),
        ("emails", Email),
        ("contacts", Contact),
        ("organizations", Organization),
    ):
        result = await _execute(
            session, delete(model.__table__).where(model.__table__.c.import_batch_id == batch_id)
        )
        counts[name] = result.rowcount
    return counts


async def count_of(session: AsyncSession, model, *, workspace_id: int) -> int:
    statement = (
        select(func.count())
        .select_from(model.__table__)
        .where(model.__table__.c.workspace_id == workspace_id)
    )
    return (await _execute(session, statement)).scalar_one()
