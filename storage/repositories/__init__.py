"""Queries. Functions take the session first and never commit: the caller's unit of work does."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession


def dialect_insert(session: AsyncSession):
    """The session's database's own INSERT, which has ON CONFLICT DO NOTHING (both have it;
    SQLAlchemy's generic insert does not)."""
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
