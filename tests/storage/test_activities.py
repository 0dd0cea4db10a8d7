"""Activities and follow-ups against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import col, select

from crm import activities, directory, team
from crm.activities import ActivityError, ActivityInput, ActivityProblem
from crm.directory import ContactInput, Kind, OrganizationInput
from crm.team import Person, WorkspaceDefaults
from storage.models import Activity, ActivityKind, Outcome, Role

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # 15:00 in Moscow
DEFAULTS = WorkspaceDefaults(locale="en", region="RU", timezone="Europe/Moscow", currency="RUB")


async def _setup(database):
    async with database.transaction() as session:
        _, admin = await team.create_workspace(
            session, name="Acme", owner=Person(1, "Olga"), defaults=DEFAULTS, hosted=False
        )
        _, code = await team.create_invite(
            session, actor=admin, role=Role.rep, now=NOW, ttl=timedelta(days=1)
        )
        _, rep, _ = await team.join(session, code=code, person=Person(2, "Rimas"), now=NOW)
        org = await directory.create_organization(
            session, actor=rep, data=OrganizationInput(name="Romashka"), region="RU", now=NOW
        )
        ivan = await directory.create_contact(
            session,
            actor=rep,
            region="RU",
            now=NOW,
            data=ContactInput(full_name="Ivan", organization_id=org.id, phones=["+79123456789"]),
        )
    return admin, rep, org, ivan


async def _log(database, actor, target_id, *, follow_up_at=None, kind=Kind.contact):
    async with database.transaction() as session:
        return await activities.log(
            session,
            actor=actor,
            now=NOW,
            data=ActivityInput(
                kind=ActivityKind.call,
                target=kind,
                target_id=target_id,
                outcome=Outcome.call_back,
                note="  prices   next week ",
                follow_up_at=follow_up_at,
            ),
        )


async def test_a_call_to_a_contact_is_filed_under_its_organization_too(database):
    _, rep, org, ivan = await _setup(database)
    call = await _log(database, rep, ivan.id)
    assert (call.contact_id, call.organization_id, call.member_id) == (ivan.id, org.id, rep.id)
    assert call.note == "prices next week"


async def test_logging_against_a_deleted_or_foreign_record_is_refused(database):
    admin, rep, org, ivan = await _setup(database)
    async with database.transaction() as session:
        await directory.delete(session, actor=admin, kind=Kind.contact, record_id=ivan.id, now=NOW)
    with pytest.raises(ActivityError) as error:
        await _log(database, rep, ivan.id)
    assert error.value.problem == ActivityProblem.not_found
    with pytest.raises(ActivityError):
        await _log(database, rep, 999_999, kind=Kind.organization)


async def test_agenda_has_overdue_and_todays_follow_ups_in_the_members_time_zone(database):
    _, rep, _, ivan = await _setup(database)
    overdue = await _log(database, rep, ivan.id, follow_up_at=NOW - timedelta(days=2))
    tonight = await _log(database, rep, ivan.id, follow_up_at=NOW + timedelta(hours=8))  # 23:00
    await _log(database, rep, ivan.id, follow_up_at=NOW + timedelta(hours=9, minutes=1))  # 00:01
    async with database.transaction() as session:
        items = await activities.agenda(session, actor=rep, now=NOW, tz="Europe/Moscow")
        assert [a.id for a in items] == [overdue.id, tonight.id]
        await activities.complete(session, actor=rep, activity_id=overdue.id, now=NOW)
        items = await activities.agenda(session, actor=rep, now=NOW, tz="Europe/Moscow")
    assert [a.id for a in items] == [tonight.id]


async def test_completing_twice_changes_nothing_the_second_time(database):
    admin, rep, _, ivan = await _setup(database)
    call = await _log(database, rep, ivan.id, follow_up_at=NOW)
    async with database.transaction() as session:
        assert (await activities.complete(session, actor=rep, activity_id=call.id, now=NOW))[1]
        assert not (await activities.complete(session, actor=admin, activity_id=call.id, now=NOW))[
            1
        ]


async def test_only_the_owner_or_a_manager_moves_a_follow_up(database):
    admin, rep, _, ivan = await _setup(database)
    mine = await _log(database, admin, ivan.id, follow_up_at=NOW)
    async with database.transaction() as session:
        with pytest.raises(ActivityError) as error:
            await activities.reschedule(session, actor=rep, activity_id=mine.id, until=NOW)
    assert error.value.problem == ActivityProblem.not_allowed


async def test_due_reminders_are_claimed_exactly_once_even_by_racing_instances(database):
    _, rep, _, ivan = await _setup(database)
    due = [
        await _log(database, rep, ivan.id, follow_up_at=NOW - timedelta(minutes=m))
        for m in range(5)
    ]
    await _log(database, rep, ivan.id, follow_up_at=NOW + timedelta(minutes=1))  # not yet

    async def claim():
        async with database.transaction() as session:
            return [a.id for a in await activities.claim_due_reminders(session, now=NOW)]

    results = await asyncio.gather(*(claim() for _ in range(4)))
    claimed = [activity_id for result in results for activity_id in result]
    assert sorted(claimed) == sorted(a.id for a in due)
    assert await claim() == []
    async with database.transaction() as session:  # a failed delivery gives it back
        await activities.release_reminder(session, activity_id=due[0].id, claimed_at=NOW)
    assert await claim() == [due[0].id]


async def test_snoozing_makes_it_due_again_later(database):
    _, rep, _, ivan = await _setup(database)
    call = await _log(database, rep, ivan.id, follow_up_at=NOW)
    async with database.transaction() as session:
        assert len(await activities.claim_due_reminders(session, now=NOW)) == 1
        await activities.reschedule(
            session, actor=rep, activity_id=call.id, until=NOW + timedelta(hours=1)
        )
        assert await activities.claim_due_reminders(session, now=NOW) == []
        later = await activities.claim_due_reminders(session, now=NOW + timedelta(hours=1))
    assert [a.id for a in later] == [call.id]


async def all_calls(database) -> list[Activity]:
    async with database.snapshot() as session:
        return list((await session.exec(select(Activity).order_by(col(Activity.id)))).all())


async def _claim(database, now, lease=activities.REMINDER_LEASE) -> list[int]:
    async with database.transaction() as session:
        return [a.id for a in await activities.claim_due_reminders(session, now=now, lease=lease)]


async def _start(database, activity_id, claimed_at) -> bool:
    async with database.transaction() as session:
        return await activities.start_reminder(
            session, activity_id=activity_id, claimed_at=claimed_at, now=claimed_at
        )


async def _release(database, activity_id, claimed_at) -> bool:
    async with database.transaction() as session:
        return await activities.release_reminder(
            session, activity_id=activity_id, claimed_at=claimed_at
        )


async def test_a_claim_whose_send_never_began_is_claimed_again_after_its_lease(database):
    _, rep, _, ivan = await _setup(database)
    call = await _log(database, rep, ivan.id, follow_up_at=NOW)
    lease = timedelta(minutes=10)
    assert await _claim(database, NOW, lease) == [call.id]  # then the claimer dies
    assert await _claim(database, NOW + lease - timedelta(seconds=1), lease) == []  # leased
    later = NOW + lease
    assert await _claim(database, later, lease) == [call.id]  # taken over
    assert await _start(database, call.id, NOW) is False  # the first claimer lost it
    assert await _start(database, call.id, later) is True
    assert await _start(database, call.id, later) is False  # one attempt per claim
    assert await _claim(database, later + timedelta(days=1), lease) == []  # attempted: final


async def test_an_attempted_send_is_never_claimed_again(database):
    _, rep, _, ivan = await _setup(database)
    call = await _log(database, rep, ivan.id, follow_up_at=NOW)
    assert await _claim(database, NOW) == [call.id]
    assert await _start(database, call.id, NOW) is True  # and the process dies mid-send
    for hours in (1, 24, 24 * 30):
        assert await _claim(database, NOW + timedelta(hours=hours)) == []
    [stored] = await all_calls(database)
    assert stored.reminder_attempts == 1 and stored.reminder_attempted_at == NOW


async def test_racing_instances_take_a_stale_claim_over_once(database):
    _, rep, _, ivan = await _setup(database)
    calls = [await _log(database, rep, ivan.id, follow_up_at=NOW) for _ in range(3)]
    assert sorted(await _claim(database, NOW)) == sorted(c.id for c in calls)
    later = NOW + activities.REMINDER_LEASE
    results = await asyncio.gather(*(_claim(database, later) for _ in range(4)))
    assert sorted(i for result in results for i in result) == sorted(c.id for c in calls)
    starts = await asyncio.gather(*(_start(database, c.id, later) for c in calls for _ in "ab"))
    assert starts.count(True) == len(calls)  # each sent by one of them, once


async def test_network_failures_are_retried_up_to_the_cap(database):
    _, rep, _, ivan = await _setup(database)
    call = await _log(database, rep, ivan.id, follow_up_at=NOW)
    now = NOW
    for attempt in range(1, activities.REMINDER_MAX_ATTEMPTS + 1):
        assert await _claim(database, now) == [call.id], attempt
        assert await _start(database, call.id, now) is True
        given_back = await _release(database, call.id, now)
        assert given_back is (attempt < activities.REMINDER_MAX_ATTEMPTS)
        now += timedelta(minutes=1)
    assert await _claim(database, now + timedelta(days=1)) == []  # given up
    [stored] = await all_calls(database)
    assert stored.reminder_attempts == activities.REMINDER_MAX_ATTEMPTS
    assert stored.reminded_at is not None  # it stays claimed

    async with database.transaction() as session:  # a new follow-up time is a new reminder
        await activities.reschedule(
            session, actor=rep, activity_id=call.id, until=now + timedelta(days=2)
        )
    assert await _claim(database, now + timedelta(days=2)) == [call.id]


async def test_a_follow_up_done_after_its_claim_is_not_sent(database):
    _, rep, _, ivan = await _setup(database)
    call = await _log(database, rep, ivan.id, follow_up_at=NOW)
    assert await _claim(database, NOW) == [call.id]
    async with database.transaction() as session:
        await activities.complete(session, actor=rep, activity_id=call.id, now=NOW)
    assert await _start(database, call.id, NOW) is False
    assert await _claim(database, NOW + timedelta(days=1)) == []


def _after_first_statement(session, meanwhile) -> None:
    """Run `meanwhile` (another transaction) right after the session's first statement:
    PostgreSQL lets another writer in there (SQLite's BEGIN IMMEDIATE does not)."""
    run, statements = session.exec, 0

    async def exec_then_meanwhile(statement, *args, **kwargs):
        nonlocal statements
        result = await run(statement, *args, **kwargs)
        statements += 1
        if statements == 1:
            await meanwhile()
        return result

    session.exec = exec_then_meanwhile


ONLY_POSTGRESQL = pytest.mark.parametrize(
    "database", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


@ONLY_POSTGRESQL
async def test_a_follow_up_moved_while_it_is_being_claimed_is_not_claimed(database):
    # the claim's UPDATE sees what another instance committed after its SELECT of the due rows
    _, rep, _, ivan = await _setup(database)
    call = await _log(database, rep, ivan.id, follow_up_at=NOW)
    tomorrow = NOW + timedelta(days=1)

    async def snoozed():  # the due rows were read: the user snoozes this one meanwhile
        async with database.transaction() as other:
            await activities.snooze(other, actor=rep, activity_id=call.id, until=tomorrow)

    async with database.transaction() as session:
        _after_first_statement(session, snoozed)
        claimed = await activities.claim_due_reminders(session, now=NOW)
    assert claimed == []  # not due any more: claimed now it would be sent a day early
    assert await _claim(database, tomorrow) == [call.id]  # and reminded at its new time


@ONLY_POSTGRESQL
async def test_a_follow_up_snoozed_from_a_copy_read_before_a_claim_is_reminded_afresh(database):
    # the snooze read the row unclaimed, a reminder job claimed it meanwhile; writing only the
    # columns that changed in the copy would leave that claim on the new time, never reminded
    _, rep, _, ivan = await _setup(database)
    call = await _log(database, rep, ivan.id, follow_up_at=NOW)
    tomorrow = NOW + timedelta(days=1)
    claimed_meanwhile = []

    async def claimed_and_begun():  # the follow-up was read: a reminder job claims it meanwhile
        claimed_meanwhile.extend(await _claim(database, NOW))
        assert await _start(database, call.id, NOW) is True  # and begins to send it

    async with database.transaction() as session:
        _after_first_statement(session, claimed_and_begun)
        await activities.snooze(session, actor=rep, activity_id=call.id, until=tomorrow)
    assert claimed_meanwhile == [call.id]
    assert await _claim(database, tomorrow) == [call.id]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_the_reminder_job_finds_due_follow_ups_on_the_open_follow_up_index(database):
    # every round of every instance runs this query: a scan of all activities would grow
    # with the table. SQLite uses a partial index only if the query states its terms.
    _, rep, _, ivan = await _setup(database)
    await _log(database, rep, ivan.id, follow_up_at=NOW)
    statements = []

    def seen(connection, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(database.engine.sync_engine, "before_cursor_execute", seen)
    try:
        assert len(await _claim(database, NOW)) == 1
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", seen)
    [(select_due, parameters)] = [
        (s, p) for s, p in statements if s.split()[:3] == ["SELECT", "activity.id", "FROM"]
    ]
    async with database.engine.connect() as connection:
        plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {select_due}", parameters)
        steps = [row[-1] for row in plan.all()]
    assert steps == [
        "SEARCH activity USING INDEX ix_activity_open_follow_up (follow_up_at>? AND follow_up_at<?)"
    ]
