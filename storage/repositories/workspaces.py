"""Workspaces, members and invites."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Invite, Member, Role, Workspace


async def count_workspaces(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(Workspace))).one()


async def lock_workspace_creation(session: AsyncSession) -> None:
    """Serialize "is there a workspace yet?" checks. SQLite transactions already hold the write
    lock (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock."""
    if session.bind.dialect.name == "postgresql":
        await session.exec(text("SELECT pg_advisory_xact_lock(7301001)"))


async def add_workspace(session: AsyncSession, **fields) -> Workspace:
    workspace = Workspace(**fields)
    session.add(workspace)
    await session.flush()
    return workspace


async def get_workspace(session: AsyncSession, workspace_id: int) -> Workspace | None:
    return await session.get(Workspace, workspace_id)


async def find_workspace(session: AsyncSession, id_or_name: str) -> Workspace | None:
    if id_or_name.isdigit():
        found = await session.get(Workspace, int(id_or_name))
        if found:
            return found
    statement = select(Workspace).where(func.lower(Workspace.name) == id_or_name.lower())
    return (await session.exec(statement)).first()


def _active_as(telegram_user_id: int):
    """The user's member that is still in its team."""
    return Member.telegram_user_id == telegram_user_id, col(Member.removed_at).is_(None)


async def active_member_by_user(session: AsyncSession, telegram_user_id: int) -> Member | None:
    statement = select(Member).where(*_active_as(telegram_user_id))
    return (await session.exec(statement)).first()


async def active_membership(
    session: AsyncSession, telegram_user_id: int
) -> tuple[Member, Workspace] | None:
    """The user's active member with its workspace, in one query: every update needs both."""
    statement = (
        select(Member, Workspace)
        .join(Workspace, col(Workspace.id) == col(Member.workspace_id))
        .where(*_active_as(telegram_user_id))
    )
    row = (await session.exec(statement)).first()
    return (row[0], row[1]) if row else None


async def get_member(session: AsyncSession, *, workspace_id: int, member_id: int) -> Member | None:
    statement = select(Member).where(
        Member.id == member_id,
        Member.workspace_id == workspace_id,
        col(Member.removed_at).is_(None),
    )
    return (await session.exec(statement)).first()


async def list_members(session: AsyncSession, *, workspace_id: int) -> list[Member]:
    statement = (
        select(Member)
        .where(Member.workspace_id == workspace_id, col(Member.removed_at).is_(None))
        .order_by(col(Member.created_at), col(Member.id))
    )
    return list((await session.exec(statement)).all())


async def count_admins(session: AsyncSession, *, workspace_id: int) -> int:
    statement = (
        select(func.count())
        .select_from(Member)
        .where(
            Member.workspace_id == workspace_id,
            Member.role == Role.admin,
            col(Member.removed_at).is_(None),
        )
    )
    return (await session.exec(statement)).one()


async def add_member(session: AsyncSession, **fields) -> Member:
    member = Member(**fields)
    session.add(member)
    await session.flush()
    return member


async def add_invite(session: AsyncSession, **fields) -> Invite:
    invite = Invite(**fields)
    session.add(invite)
    await session.flush()
    return invite


async def invite_by_hash(session: AsyncSession, code_hash: str) -> Invite | None:
    return (await session.exec(select(Invite).where(Invite.code_hash == code_hash))).first()


async def claim_invite(session: AsyncSession, *, invite_id: int, now: datetime) -> bool:
    """Mark an invite used, atomically: of two people racing for one code, one wins."""
    result = await session.exec(
        update(Invite)
        .where(
            col(Invite.id) == invite_id,
            col(Invite.used_at).is_(None),
            col(Invite.revoked_at).is_(None),
            col(Invite.expires_at) > now,
        )
        .values(used_at=now)
    )
    return result.rowcount == 1


async def open_invites(session: AsyncSession, *, workspace_id: int, now: datetime) -> list[Invite]:
    statement = (
        select(Invite)
        .where(
            Invite.workspace_id == workspace_id,
            col(Invite.used_at).is_(None),
            col(Invite.revoked_at).is_(None),
            col(Invite.expires_at) > now,
        )
        .order_by(col(Invite.created_at))
    )
    return list((await session.exec(statement)).all())
