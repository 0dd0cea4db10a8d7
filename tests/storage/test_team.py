"""Workspaces, invites and roles against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from crm import team
from crm.team import Person, TeamError, TeamProblem, WorkspaceDefaults
from storage.models import AuditEvent, Invite, Member, Role
from storage.repositories import workspaces as repo

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DEFAULTS = WorkspaceDefaults(locale="en", region="LT", timezone="Europe/Vilnius", currency="EUR")
OWNER = Person(telegram_user_id=101, display_name="Olga Owner", username="olga", locale="ru")
COLLEAGUE = Person(telegram_user_id=202, display_name="Rimas Rep", locale="lt")


async def _workspace(database, *, hosted=False):
    async with database.transaction() as session:
        return await team.create_workspace(
            session, name="  Acme   Trading ", owner=OWNER, defaults=DEFAULTS, hosted=hosted
        )


async def _invite(database, admin, role=Role.rep, *, now=NOW, ttl=timedelta(days=7)):
    async with database.transaction() as session:
        return await team.create_invite(session, actor=admin, role=role, now=now, ttl=ttl)


async def _join(database, code, person=COLLEAGUE, now=NOW):
    async with database.transaction() as session:
        return await team.join(session, code=code, person=person, now=now)


async def test_first_workspace_makes_the_owner_admin(database):
    workspace, admin = await _workspace(database)
    assert workspace.name == "Acme Trading"
    assert (workspace.locale, workspace.default_region) == ("ru", "LT")
    assert admin.role == Role.admin and admin.telegram_user_id == 101
    async with database.transaction() as session:
        events = (await session.exec(AuditEvent.__table__.select())).all()
    assert [e.action for e in events] == ["workspace.create"]


async def test_self_hosted_bot_allows_one_workspace_hosted_allows_many(database):
    await _workspace(database)
    stranger = Person(telegram_user_id=303, display_name="Other")
    async with database.transaction() as session:
        with pytest.raises(TeamError) as refused:
            await team.create_workspace(
                session, name="Other", owner=stranger, defaults=DEFAULTS, hosted=False
            )
        assert refused.value.problem == TeamProblem.workspace_exists
        other, _ = await team.create_workspace(
            session, name="Other", owner=stranger, defaults=DEFAULTS, hosted=True
        )
    assert other.id is not None


async def test_blank_name_is_refused(database):
    async with database.transaction() as session:
        with pytest.raises(TeamError) as error:
            await team.create_workspace(
                session, name=" \n ", owner=OWNER, defaults=DEFAULTS, hosted=False
            )
    assert error.value.problem == TeamProblem.name_empty


async def test_invite_code_is_random_and_only_its_hash_is_stored(database):
    _, admin = await _workspace(database)
    invite, code = await _invite(database, admin)
    _, code2 = await _invite(database, admin)
    assert code != code2 and len(code) >= 22  # 16 random bytes, url-safe base64
    assert invite.code_hash == team.hash_code(code) and code not in invite.code_hash
    assert invite.expires_at == NOW + timedelta(days=7)


async def test_invite_joins_once_with_its_role(database):
    workspace, admin = await _workspace(database)
    _, code = await _invite(database, admin, Role.manager)
    joined_workspace, member, invite = await _join(database, code)
    assert joined_workspace.id == workspace.id
    assert member.role == Role.manager and member.locale == "lt"
    assert invite.used_by_id == member.id
    third = Person(telegram_user_id=303, display_name="Late")
    with pytest.raises(TeamError) as reused:
        await _join(database, code, third)
    assert reused.value.problem == TeamProblem.invite_used


async def test_expired_and_unknown_invites_are_refused(database):
    _, admin = await _workspace(database)
    _, code = await _invite(database, admin, ttl=timedelta(days=1))
    with pytest.raises(TeamError) as expired:
        await _join(database, code, now=NOW + timedelta(days=1, seconds=1))
    assert expired.value.problem == TeamProblem.invite_expired
    with pytest.raises(TeamError) as unknown:
        await _join(database, "not-a-code")
    assert unknown.value.problem == TeamProblem.invite_unknown


async def test_member_of_one_workspace_cannot_join_another(database):
    _, admin = await _workspace(database)
    _, code = await _invite(database, admin)
    with pytest.raises(TeamError) as error:
        await _join(database, code, OWNER)
    assert error.value.problem == TeamProblem.already_member
    assert error.value.workspace_name == "Acme Trading"


async def test_only_admins_invite_and_manage(database):
    _, admin = await _workspace(database)
    _, code = await _invite(database, admin)
    _, rep, _ = await _join(database, code)
    with pytest.raises(TeamError) as error:
        await _invite(database, rep)
    assert error.value.problem == TeamProblem.not_allowed
    async with database.transaction() as session:
        with pytest.raises(TeamError):
            await team.change_role(session, actor=rep, member_id=admin.id, role=Role.rep)


async def test_active_membership_is_the_member_with_its_workspace_until_removed(database):
    workspace, admin = await _workspace(database)
    other, _ = await _workspace_of(database, Person(telegram_user_id=303, display_name="Other"))
    _, code = await _invite(database, admin)
    _, rep, _ = await _join(database, code)
    async with database.transaction() as session:
        member, its_workspace = await repo.active_membership(session, COLLEAGUE.telegram_user_id)
        assert (member.id, its_workspace.id) == (rep.id, workspace.id)
        assert its_workspace.name == "Acme Trading" and other.id != workspace.id
        assert await repo.active_membership(session, 999) is None
        await team.remove_member(session, actor=admin, member_id=rep.id, now=NOW)
    async with database.transaction() as session:
        assert await repo.active_membership(session, COLLEAGUE.telegram_user_id) is None


async def _workspace_of(database, owner):
    async with database.transaction() as session:
        return await team.create_workspace(
            session, name="Other", owner=owner, defaults=DEFAULTS, hosted=True
        )


async def test_role_change_and_removal_keep_one_admin(database):
    _, admin = await _workspace(database)
    _, code = await _invite(database, admin)
    _, rep, _ = await _join(database, code)
    async with database.transaction() as session:
        with pytest.raises(TeamError) as last:
            await team.change_role(session, actor=admin, member_id=admin.id, role=Role.rep)
        assert last.value.problem == TeamProblem.last_admin
        promoted = await team.change_role(session, actor=admin, member_id=rep.id, role=Role.manager)
        assert promoted.role == Role.manager
        await team.remove_member(session, actor=admin, member_id=rep.id, now=NOW)
    async with database.transaction() as session:
        assert await repo.active_member_by_user(session, COLLEAGUE.telegram_user_id) is None
        with pytest.raises(TeamError) as gone:
            await team.remove_member(session, actor=admin, member_id=rep.id, now=NOW)
        assert gone.value.problem == TeamProblem.member_gone
        actions = [e.action for e in (await session.exec(AuditEvent.__table__.select())).all()]
    assert actions.count("member.role") == 1 and actions.count("member.remove") == 1


async def test_removed_member_can_be_invited_again(database):
    _, admin = await _workspace(database)
    _, code = await _invite(database, admin)
    _, rep, _ = await _join(database, code)
    async with database.transaction() as session:
        await team.remove_member(session, actor=admin, member_id=rep.id, now=NOW)
    _, code2 = await _invite(database, admin)
    _, again, _ = await _join(database, code2)
    assert again.id != rep.id and again.removed_at is None


async def test_admin_cannot_manage_another_workspaces_member(database):
    _, admin = await _workspace(database, hosted=True)
    other_owner = Person(telegram_user_id=909, display_name="Elsewhere")
    async with database.transaction() as session:
        _, other_admin = await team.create_workspace(
            session, name="Elsewhere Ltd", owner=other_owner, defaults=DEFAULTS, hosted=True
        )
        with pytest.raises(TeamError) as error:
            await team.remove_member(session, actor=admin, member_id=other_admin.id, now=NOW)
    assert error.value.problem == TeamProblem.member_gone


async def test_two_people_racing_for_one_invite_one_wins(database):
    _, admin = await _workspace(database)
    _, code = await _invite(database, admin)
    people = [Person(telegram_user_id=500 + i, display_name=f"P{i}") for i in range(5)]

    async def join_as_the_bot_does(person):
        """The handler catches the refusal inside the transaction, which then commits."""
        async with database.transaction() as session:
            try:
                return await team.join(session, code=code, person=person, now=NOW)
            except TeamError as error:
                return error

    results = await asyncio.gather(*(join_as_the_bot_does(person) for person in people))
    winners = [r for r in results if not isinstance(r, TeamError)]
    losers = [r for r in results if isinstance(r, TeamError)]
    assert len(winners) == 1 and len(losers) == 4, results
    assert {loser.problem for loser in losers} == {TeamProblem.invite_used}
    async with database.transaction() as session:
        invite = (await session.exec(select(Invite))).one()
        joined = (await session.exec(select(Member).where(Member.id != 1))).all()
    assert [m.id for m in joined] == [winners[0][1].id] == [invite.used_by_id]
