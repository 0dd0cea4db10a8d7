"""Workspaces, members, roles and invites: who is in which company, with which rights."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Invite, Member, Role, Workspace
from storage.repositories import audit
from storage.repositories import workspaces as repo

INVITE_CODE_BYTES = 16  # 128 bits of randomness
MAX_WORKSPACE_NAME = 200


@dataclass(frozen=True)
class Person:
    """The Telegram user acting, as far as the domain cares."""

    telegram_user_id: int
    display_name: str
    username: str | None = None
    locale: str | None = None


@dataclass(frozen=True)
class WorkspaceDefaults:
    locale: str
    region: str
    timezone: str
    currency: str


class TeamProblem(StrEnum):
    workspace_exists = "workspace_exists"
    already_member = "already_member"
    name_empty = "name_empty"
    name_too_long = "name_too_long"
    invite_unknown = "invite_unknown"
    invite_used = "invite_used"
    invite_expired = "invite_expired"
    not_allowed = "not_allowed"
    member_gone = "member_gone"
    last_admin = "last_admin"


class TeamError(Exception):
    def __init__(self, problem: TeamProblem, workspace_name: str | None = None):
        super().__init__(problem.value)
        self.problem = problem
        self.workspace_name = workspace_name


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def clean_workspace_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise TeamError(TeamProblem.name_empty)
    if len(name) > MAX_WORKSPACE_NAME:
        raise TeamError(TeamProblem.name_too_long)
    return name


async def may_create_workspace(session: AsyncSession, *, hosted: bool) -> bool:
    """Self-hosted bots serve one company: only the first workspace may be created."""
    return hosted or await repo.count_workspaces(session) == 0


async def create_workspace(
    session: AsyncSession,
    *,
    name: str,
    owner: Person,
    defaults: WorkspaceDefaults,
    hosted: bool,
) -> tuple[Workspace, Member]:
    name = clean_workspace_name(name)
    await repo.lock_workspace_creation(session)
    await _refuse_second_membership(session, owner)
    if not await may_create_workspace(session, hosted=hosted):
        raise TeamError(TeamProblem.workspace_exists)
    workspace = await repo.add_workspace(
        session,
        name=name,
        locale=owner.locale or defaults.locale,
        default_region=defaults.region,
        timezone=defaults.timezone,
        currency=defaults.currency,
    )
    admin = await repo.add_member(
        session,
        workspace_id=workspace.id,
        telegram_user_id=owner.telegram_user_id,
        display_name=owner.display_name,
        username=owner.username,
        role=Role.admin,
        locale=owner.locale,
    )
    await audit.record(
        session,
        workspace_id=workspace.id,
        actor_id=admin.id,
        action="workspace.create",
        entity_type="workspace",
        entity_id=workspace.id,
        after={"name": name},
    )
    return workspace, admin


async def _refuse_second_membership(session: AsyncSession, person: Person) -> None:
    existing = await repo.active_member_by_user(session, person.telegram_user_id)
    if existing:
        workspace = await session.get(Workspace, existing.workspace_id)
        raise TeamError(TeamProblem.already_member, workspace.name if workspace else None)


def can_manage_team(member: Member) -> bool:
    return member.role == Role.admin


def _require_admin(actor: Member) -> None:
    if not can_manage_team(actor):
        raise TeamError(TeamProblem.not_allowed)


async def create_invite(
    session: AsyncSession, *, actor: Member, role: Role, now: datetime, ttl: timedelta
) -> tuple[Invite, str]:
    """Returns the invite and its code; the code is shown once and only its hash is kept."""
    _require_admin(actor)
    code = secrets.token_urlsafe(INVITE_CODE_BYTES)
    invite = await repo.add_invite(
        session,
        workspace_id=actor.workspace_id,
        code_hash=hash_code(code),
        role=role,
        created_by_id=actor.id,
        created_at=now,
        expires_at=now + ttl,
    )
    await audit.record(
        session,
        workspace_id=actor.workspace_id,
        actor_id=actor.id,
        action="invite.create",
        entity_type="invite",
        entity_id=invite.id,
        after={"role": role.value, "expires_at": invite.expires_at.isoformat()},
    )
    return invite, code


async def join(
    session: AsyncSession, *, code: str, person: Person, now: datetime
) -> tuple[Workspace, Member, Invite]:
    invite = await repo.invite_by_hash(session, hash_code(code))
    if invite is None or invite.revoked_at is not None:
        raise TeamError(TeamProblem.invite_unknown)
    workspace = await session.get(Workspace, invite.workspace_id)
    await _refuse_second_membership(session, person)
    if invite.used_at is not None:
        raise TeamError(TeamProblem.invite_used)
    if invite.expires_at <= now:
        raise TeamError(TeamProblem.invite_expired)
    # Claim before writing anything: of two people racing for one code, the loser has
    # written nothing when we tell them, so there is nothing to undo.
    if not await repo.claim_invite(session, invite_id=invite.id, now=now):
        raise TeamError(TeamProblem.invite_used)
    member = await repo.add_member(
        session,
        workspace_id=invite.workspace_id,
        telegram_user_id=person.telegram_user_id,
        display_name=person.display_name,
        username=person.username,
        role=invite.role,
        locale=person.locale,
        created_at=now,
    )
    invite.used_at, invite.used_by_id = now, member.id
    session.add(invite)
    await audit.record(
        session,
        workspace_id=invite.workspace_id,
        actor_id=member.id,
        action="member.join",
        entity_type="member",
        entity_id=member.id,
        after={"role": invite.role.value, "invite_id": invite.id},
    )
    return workspace, member, invite


async def member_of_team(session: AsyncSession, *, actor: Member, member_id: int) -> Member:
    """A member of the actor's own workspace, for an admin to manage."""
    _require_admin(actor)
    target = await repo.get_member(session, workspace_id=actor.workspace_id, member_id=member_id)
    if target is None:
        raise TeamError(TeamProblem.member_gone)
    return target


async def _keep_an_admin(session: AsyncSession, target: Member) -> None:
    if (
        target.role == Role.admin
        and await repo.count_admins(session, workspace_id=target.workspace_id) <= 1
    ):
        raise TeamError(TeamProblem.last_admin)


async def change_role(
    session: AsyncSession, *, actor: Member, member_id: int, role: Role
) -> Member:
    target = await member_of_team(session, actor=actor, member_id=member_id)
    if target.role == role:
        return target
    if role != Role.admin:
        await _keep_an_admin(session, target)
    before = target.role
    target.role = role
    session.add(target)
    await audit.record(
        session,
        workspace_id=actor.workspace_id,
        actor_id=actor.id,
        action="member.role",
        entity_type="member",
        entity_id=target.id,
        before={"role": before.value},
        after={"role": role.value},
    )
    await session.flush()
    return target


async def remove_member(
    session: AsyncSession, *, actor: Member, member_id: int, now: datetime
) -> Member:
    target = await member_of_team(session, actor=actor, member_id=member_id)
    await _keep_an_admin(session, target)
    target.removed_at = now
    session.add(target)
    await audit.record(
        session,
        workspace_id=actor.workspace_id,
        actor_id=actor.id,
        action="member.remove",
        entity_type="member",
        entity_id=target.id,
        before={"role": target.role.value},
    )
    await session.flush()
    return target


async def set_locale(session: AsyncSession, *, member: Member, locale: str) -> None:
    member.locale = locale
    session.add(member)
    await session.flush()


async def members(session: AsyncSession, *, actor: Member) -> list[Member]:
    return await repo.list_members(session, workspace_id=actor.workspace_id)
