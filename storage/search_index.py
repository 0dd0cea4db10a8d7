"""Substring search over `search_text` of organizations and contacts.

PostgreSQL: a GIN trigram index (pg_trgm) on the column makes `LIKE '%term%'` an index scan.
SQLite: an FTS5 table with the trigram tokenizer mirrors the column through triggers; its
`LIKE '%term%'` is answered from the index for terms of three characters or more.

The same statements are in the initial migration; `create_all` (tests) gets them from here."""

from __future__ import annotations

from sqlalchemy import DDL, event
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (the tables; it imports this module back, at its end)

SEARCHABLE_TABLES = ("organization", "contact")
PG_EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"


def sqlite_fts_statements(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', "
        f"content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {_insert_trigger(table)} AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
        " END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF search_text ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
        f" INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
    ]


def _insert_trigger(table: str) -> str:
    return f"{table}_fts_ai"


def insert_triggers() -> dict[str, str]:
    """Table -> the trigger that indexes its rows as they are inserted (a bulk import
    suspends them)."""
    return {table: _insert_trigger(table) for table in SEARCHABLE_TABLES}


def sqlite_index_batch_statement(table: str) -> str:
    """Index in one statement what the insert trigger would have, row by row, for the rows
    of an import batch (:batch_id) with ids from :first_id."""
    return (
        f"INSERT INTO {table}_fts(rowid, search_text) SELECT id, search_text FROM {table} "
        "WHERE id >= :first_id AND import_batch_id = :batch_id"
    )


def is_search_object(name: str | None) -> bool:
    """Objects this module manages outside the metadata, for Alembic's comparisons to skip."""
    return bool(name) and ("_fts" in name or name.endswith("_search_trgm"))


event.listen(SQLModel.metadata, "before_create", DDL(PG_EXTENSION).execute_if(dialect="postgresql"))
for _table in SEARCHABLE_TABLES:
    for _statement in sqlite_fts_statements(_table):
        event.listen(
            SQLModel.metadata.tables[_table],
            "after_create",
            DDL(_statement).execute_if(dialect="sqlite"),
        )
