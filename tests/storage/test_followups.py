"""Fixing and undoing logged activities, and follow-ups with whom they concern, against a real
database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from crm import activities, directory, followups, team
from crm.activities import ActivityError, ActivityInput, ActivityProblem
from crm.directory import ContactInput, DirectoryError, Kind, OrganizationInput
from crm.team import Person, WorkspaceDefaults
from storage.models import Activity, ActivityKind, AuditEvent, Outcome, Role

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # 15:00 in Moscow
DEFAULTS = WorkspaceDefaults(locale="en", region="RU", timezone="Europe/Moscow", currency="RUB")


async def _setup(database):
    """An admin and two reps of one workspace, an organization with a person; a stranger."""
    async with database.transaction() as session:
        _, admin = await team.create_workspace(
            session, name="Acme", owner=Person(1, "Olga"), defaults=DEFAULTS, hosted=True
        )
        reps = []
        for user_id, name in ((2, "Rimas"), (3, "Petras")):
            _, code = await team.create_invite(
                session, actor=admin, role=Role.rep, now=NOW, ttl=timedelta(days=1)
            )
            reps.append(
                (await team.join(session, code=code, person=Person(user_id, name), now=NOW))[1]
            )
        _, stranger = await team.create_workspace(
            session, name="Other", owner=Person(9, "Eve"), defaults=DEFAULTS, hosted=True
        )
        org = await directory.create_organization(
            session, actor=admin, data=OrganizationInput(name="Romashka"), region="RU", now=NOW
        )
        ivan = await directory.create_contact(
            session,
            actor=admin,
            data=ContactInput(full_name="Ivan", organization_id=org.id),
            region="RU",
            now=NOW,
        )
    return admin, reps[0], reps[1], stranger, org, ivan


async def _log(database, actor, target_id, *, kind=ActivityKind.call, follow_up_at=None):
    async with database.transaction() as session:
        return await activities.log(
            session,
            actor=actor,
            now=NOW,
            data=ActivityInput(
                kind=kind,
                target=Kind.contact,
                target_id=target_id,
                outcome=Outcome.talked if kind == ActivityKind.call else None,
                note="prices",
                follow_up_at=follow_up_at,
            ),
        )


async def _refused(database, problem, call):
    with pytest.raises(ActivityError) as error:
        async with database.transaction() as session:
            await call(session)
    assert error.value.problem == problem


async def test_undo_deletes_softly_and_is_audited(database):
    admin, rimas, petras, stranger, _, ivan = await _setup(database)
    call = await _log(database, rimas, ivan.id, follow_up_at=NOW)
    for actor in (petras, stranger):
        problem = ActivityProblem.not_allowed if actor is petras else ActivityProblem.not_found
        await _refused(
            database,
            problem,
            lambda s, a=actor: activities.undo(s, actor=a, activity_id=call.id, now=NOW),
        )
    async with database.transaction() as session:
        await activities.undo(session, actor=rimas, activity_id=call.id, now=NOW)
        assert await activities.claim_due_reminders(session, now=NOW) == []  # not reminded
        [row] = (await session.exec(select(Activity))).all()
        [event] = (
            await session.exec(select(AuditEvent).where(AuditEvent.entity_type == "activity"))
        ).all()
    assert row.deleted_at == NOW
    assert (event.action, event.actor_id, event.entity_id) == ("activity.delete", rimas.id, call.id)
    await _refused(
        database,
        ActivityProblem.not_found,
        lambda s: activities.undo(s, actor=admin, activity_id=call.id, now=NOW),
    )


async def test_outcome_of_calls_only_by_the_author_or_a_manager(database):
    admin, rimas, petras, _, _, ivan = await _setup(database)
    call = await _log(database, rimas, ivan.id)
    note = await _log(database, rimas, ivan.id, kind=ActivityKind.note)
    await _refused(
        database,
        ActivityProblem.not_allowed,
        lambda s: activities.change_outcome(
            s, actor=petras, activity_id=call.id, outcome=Outcome.busy
        ),
    )
    await _refused(
        database,
        ActivityProblem.not_a_call,
        lambda s: activities.change_outcome(
            s, actor=rimas, activity_id=note.id, outcome=Outcome.busy
        ),
    )
    async with database.transaction() as session:
        changed = await activities.change_outcome(
            session, actor=admin, activity_id=call.id, outcome=Outcome.wrong_number
        )
    assert changed.outcome == Outcome.wrong_number


async def test_setting_a_follow_up_reminds_afresh_and_refuses_the_past(database):
    _, rimas, _, _, _, ivan = await _setup(database)
    call = await _log(database, rimas, ivan.id, follow_up_at=NOW)
    async with database.transaction() as session:
        assert len(await activities.claim_due_reminders(session, now=NOW)) == 1
        await activities.complete(session, actor=rimas, activity_id=call.id, now=NOW)
    later = NOW + timedelta(hours=2)
    await _refused(
        database,
        ActivityProblem.in_the_past,
        lambda s: activities.set_follow_up(s, actor=rimas, activity_id=call.id, until=NOW, now=NOW),
    )
    async with database.transaction() as session:
        moved = await activities.set_follow_up(
            session, actor=rimas, activity_id=call.id, until=later, now=NOW
        )
        assert (moved.follow_up_at, moved.reminded_at, moved.done) == (later, None, False)
        assert [a.id for a in await activities.claim_due_reminders(session, now=later)] == [call.id]
        removed = await activities.set_follow_up(
            session, actor=rimas, activity_id=call.id, until=None, now=NOW
        )
    assert removed.follow_up_at is None


async def test_a_done_follow_up_is_not_snoozed_back_to_life(database):
    _, rimas, _, _, _, ivan = await _setup(database)
    call = await _log(database, rimas, ivan.id, follow_up_at=NOW)
    async with database.transaction() as session:
        snoozed = await activities.snooze(
            session, actor=rimas, activity_id=call.id, until=NOW + timedelta(hours=1)
        )
        assert snoozed.follow_up_at == NOW + timedelta(hours=1)
        await activities.complete(session, actor=rimas, activity_id=call.id, now=NOW)
    await _refused(
        database,
        ActivityProblem.already_done,
        lambda s: activities.snooze(s, actor=rimas, activity_id=call.id, until=NOW),
    )


async def test_activities_are_described_with_person_and_organization_even_once_deleted(database):
    admin, rimas, _, stranger, org, ivan = await _setup(database)
    call = await _log(database, rimas, ivan.id)
    async with database.transaction() as session:
        await directory.delete(session, actor=admin, kind=Kind.contact, record_id=ivan.id, now=NOW)
    async with database.transaction() as session:
        item = await followups.describe_editable(session, actor=rimas, activity_id=call.id)
        with pytest.raises(DirectoryError):  # a new walk cannot start on a deleted card
            await followups.target(session, actor=rimas, kind=Kind.contact, record_id=ivan.id)
        with pytest.raises(DirectoryError):  # nor on another workspace's
            await followups.target(
                session, actor=stranger, kind=Kind.organization, record_id=org.id
            )
        target = await followups.target(
            session, actor=rimas, kind=Kind.organization, record_id=org.id
        )
    assert (item.target.contact.full_name, item.target.organization.name) == ("Ivan", "Romashka")
    assert item.target.deleted
    assert (target.kind, target.id, target.contact, target.deleted) == (
        Kind.organization,
        org.id,
        None,
        False,
    )


async def test_reminders_name_their_member_and_skip_one_who_left(database):
    admin, rimas, petras, _, _, ivan = await _setup(database)
    await _log(database, rimas, ivan.id, follow_up_at=NOW - timedelta(minutes=5))
    await _log(database, petras, ivan.id, follow_up_at=NOW - timedelta(minutes=1))
    async with database.transaction() as session:
        await team.remove_member(session, actor=admin, member_id=petras.id, now=NOW)
    async with database.transaction() as session:
        reminders = await followups.claim_reminders(session, now=NOW)
        assert await followups.claim_reminders(session, now=NOW) == []  # petras's stays claimed
    [reminder] = reminders
    assert reminder.member.id == rimas.id and reminder.workspace.name == "Acme"
    assert reminder.item.target.contact.full_name == "Ivan"


async def test_today_is_the_members_own_agenda_with_targets(database):
    _, rimas, petras, _, _, ivan = await _setup(database)
    mine = await _log(database, rimas, ivan.id, follow_up_at=NOW + timedelta(hours=1))
    await _log(database, petras, ivan.id, follow_up_at=NOW + timedelta(hours=1))
    async with database.transaction() as session:
        items = await followups.today(session, actor=rimas, now=NOW, tz="Europe/Moscow")
    assert [(i.activity.id, i.target.contact.full_name) for i in items] == [(mine.id, "Ivan")]
