"""The audit log."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEvent


async def record(
    session: AsyncSession,
    *,
    workspace_id: int | None,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        workspace_id=workspace_id,
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before or {},
        after=after or {},
    )
    session.add(event)
    await session.flush()
    return event


def note(
    session: AsyncSession,
    *,
    workspace_id: int | None,
    actor_id: int | None,
    action: str,
    after: dict[str, Any],
) -> AuditEvent:
    """An event with no record behind it (a refused request): written with the transaction."""
    event = AuditEvent(
        workspace_id=workspace_id,
        actor_id=actor_id,
        action=action,
        entity_type="access",
        entity_id=None,
        before={},
        after=after,
    )
    session.add(event)
    return event


async def for_entity(
    session: AsyncSession, *, workspace_id: int, entity_type: str, entity_id: int, limit: int = 20
) -> list[AuditEvent]:
    statement = (
        select(AuditEvent)
        .where(
            AuditEvent.workspace_id == workspace_id,
            AuditEvent.entity_type == entity_type,
            AuditEvent.entity_id == entity_id,
        )
        .order_by(col(AuditEvent.created_at).desc(), col(AuditEvent.id).desc())
        .limit(limit)
    )
    return list((await session.exec(statement)).all())
