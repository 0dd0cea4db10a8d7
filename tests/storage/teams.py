"""Set-up shared by the storage tests: a workspace with an admin and a sales rep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm import team
from crm.team import Person, WorkspaceDefaults
from storage.models import Member, Role

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DEFAULTS = WorkspaceDefaults(locale="ru", region="RU", timezone="Europe/Moscow", currency="RUB")


async def admin_and_rep(
    session, *, name: str = "Acme", now: datetime = NOW
) -> tuple[Member, Member]:
    """Olga (admin) and Rimas (rep, joined through an invite) of a new workspace."""
    _, admin = await team.create_workspace(
        session, name=name, owner=Person(1, "Olga"), defaults=DEFAULTS, hosted=True
    )
    _, code = await team.create_invite(
        session, actor=admin, role=Role.rep, now=now, ttl=timedelta(days=1)
    )
    _, rep, _ = await team.join(session, code=code, person=Person(2, "Rimas"), now=now)
    return admin, rep
