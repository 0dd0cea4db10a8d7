"""Backups: a consistent copy of a live SQLite database; advice for PostgreSQL.

Copying the file of a running SQLite database can catch a half-written page or miss what still
sits in the WAL file; the backup API copies one consistent snapshot through SQLite itself."""

from __future__ import annotations

import contextlib
import os
import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from storage.db import SQLITE_BUSY_TIMEOUT_MS


class BackupError(Exception):
    """A backup that could not be made; the message says why."""


@dataclass(frozen=True)
class BackupReport:
    size: int  # bytes
    rows: dict[str, int]  # per table


def backup_sqlite(source: Path, target: Path, *, replace: bool = False) -> BackupReport:
    """Copy `source` to `target` (through a temporary file, so `target` is never half written).

    An existing `target` is kept unless `replace`. Safe while the bot writes: in WAL mode the
    copy reads one snapshot and the bot's writers do not wait for it."""
    if not source.is_file():
        raise BackupError(f"{source}: no such database file")
    if target.exists() and not replace:
        raise BackupError(f"{target} exists; pass --force to replace it")
    if target.resolve() == source.resolve():
        raise BackupError(f"{target} is the database itself")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such directory")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        # mode=rw: never create an empty database where the real one was expected
        with (
            contextlib.closing(
                sqlite3.connect(
                    f"{source.resolve().as_uri()}?mode=rw",
                    uri=True,
                    timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,  # the busy timeout, as the bot's own
                )
            ) as live,
            contextlib.closing(sqlite3.connect(temporary)) as copy,
        ):
            live.backup(copy)  # all pages in one step: one snapshot
            integrity = copy.execute("PRAGMA integrity_check").fetchone()[0]
            rows = _row_counts(copy)
        if integrity != "ok":
            raise BackupError(f"the copy fails SQLite's integrity check: {integrity}")
        if target.exists() and not replace:  # appeared meanwhile
            raise BackupError(f"{target} exists; pass --force to replace it")
        os.replace(temporary, target)
    except sqlite3.Error as error:
        raise BackupError(f"{source}: {error}") from None
    except OSError as error:  # the target: a directory, no permission, disk full...
        raise BackupError(f"{target}: {error.strerror or error}") from None
    finally:
        temporary.unlink(missing_ok=True)
    return BackupReport(size=target.stat().st_size, rows=rows)


def _row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    # table_list's type "table" leaves out virtual tables (search) and their shadow tables
    names = [
        name
        for _schema, name, kind, *_ in connection.execute("PRAGMA main.table_list")
        if kind == "table" and not name.startswith("sqlite_")
    ]
    return {
        name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        for name in sorted(names)
    }


def postgres_advice(database_url: str, file: str) -> str:
    """How to back up and restore PostgreSQL: pg_dump, which reads one consistent snapshot."""
    given = make_url(database_url)
    url = URL.create(  # the same URL without its password, for a command line anyone may see
        "postgresql", given.username, None, given.host, given.port, given.database, given.query
    )
    plain = shlex.quote(url.render_as_string(hide_password=False))
    file = shlex.quote(file)
    return (
        "DATABASE_URL is PostgreSQL: back it up with pg_dump, which takes a consistent "
        "snapshot while the bot runs:\n"
        f"  pg_dump --format=custom --file {file} {plain}\n"
        "(the password comes from PGPASSWORD or ~/.pgpass, never the command line). "
        "Restore into an empty database:\n"
        f"  pg_restore --no-owner --dbname {plain} {file}"
    )
