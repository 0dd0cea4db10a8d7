"""The digest ledger against a real database (SQLite and PostgreSQL): each digest is claimed
once, also by two instances racing; a network failure is retried after a pause, a few times; a
late report of a claim taken over changes nothing; a send that succeeded or was refused for
good is never repeated; managers' settings default and change."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import SQLModel

from crm.digests import delivery, subscriptions
from crm.digests.subscriptions import DigestSettingsError, Scope
from storage.db import Database
from storage.models import DigestKind
from storage.repositories import digest_schedules as repo
from tests.conftest import DATABASE_KINDS, empty_database
from tests.storage.teams import admin_and_rep

JOINED = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # a Tuesday
WEDNESDAY_EVENING = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # 18:00 in Moscow


async def _team(database):
    """Olga (admin) and Rimas (rep), met by the digest job when they joined."""
    async with database.transaction() as session:
        team = await admin_and_rep(session, now=JOINED)
    assert await _claim(database, JOINED) == []  # writes Olga's defaults: due from now on
    return team


async def _claim(database, now):
    async with database.transaction() as session:
        return await delivery.claim_due(session, now=now)


async def test_a_manager_first_met_is_sent_nothing_for_the_days_before(database):
    async with database.transaction() as session:
        admin, _rep = await admin_and_rep(session, now=JOINED)
    # met at 19:00: neither today's 18:00 nor yesterday's is caught up
    assert await _claim(database, WEDNESDAY_EVENING + timedelta(hours=1)) == []
    async with database.transaction() as session:
        rows = await repo.subscriptions_of(session, member_id=admin.id)
    assert sorted(row.kind for row in rows) == [DigestKind.daily, DigestKind.weekly]
    [claimed] = await _claim(database, WEDNESDAY_EVENING + timedelta(days=1))
    assert claimed.due.first_day == date(2026, 11, 26)


async def test_the_daily_digest_is_claimed_once_and_sent_once(database):
    admin, _rep = await _team(database)
    [claimed] = await _claim(database, WEDNESDAY_EVENING)
    assert claimed.member.id == admin.id  # reps get no team digest
    assert (claimed.due.kind, claimed.due.first_day) == (DigestKind.daily, date(2026, 11, 25))
    assert claimed.scope == Scope()
    assert await _claim(database, WEDNESDAY_EVENING + timedelta(minutes=1)) == []
    async with database.transaction() as session:
        await delivery.delivered(session, claimed=claimed, now=WEDNESDAY_EVENING)
    # long after, even past the stale-claim time, a sent digest stays sent
    assert await _claim(database, WEDNESDAY_EVENING + timedelta(hours=20)) == []
    async with database.transaction() as session:
        [row] = await repo.deliveries(session, member_id=admin.id)
    assert row.sent_at == WEDNESDAY_EVENING and row.attempts == 1


async def test_a_network_failure_is_retried_after_a_pause_a_few_times_a_refusal_never(database):
    admin, _rep = await _team(database)
    now = WEDNESDAY_EVENING
    [claimed] = await _claim(database, now)
    for _attempt in range(2, delivery.MAX_ATTEMPTS + 1):
        async with database.transaction() as session:
            await delivery.failed(session, claimed=claimed, now=now, error="timed out", retry=True)
        # not on the very next round: a Telegram outage of a few minutes outlasts that
        assert await _claim(database, now + timedelta(minutes=1)) == []
        now += delivery.RETRY_AFTER
        [claimed] = await _claim(database, now)
        assert claimed.due.first_day == date(2026, 11, 25)
    async with database.transaction() as session:
        await delivery.failed(session, claimed=claimed, now=now, error="timed out", retry=True)
    assert await _claim(database, now + delivery.RETRY_AFTER * 2) == []  # attempts used up
    async with database.transaction() as session:
        [row] = await repo.deliveries(session, member_id=admin.id)
    assert row.attempts == delivery.MAX_ATTEMPTS and row.sent_at is None

    thursday = WEDNESDAY_EVENING + timedelta(days=1)
    [claimed] = await _claim(database, thursday)
    async with database.transaction() as session:
        await delivery.failed(session, claimed=claimed, now=thursday, error="blocked", retry=False)
    assert await _claim(database, thursday + delivery.RETRY_AFTER * 2) == []


async def test_a_late_failure_report_does_not_reopen_a_claim_taken_over(database):
    await _team(database)
    [slow] = await _claim(database, WEDNESDAY_EVENING)  # an instance that hangs
    later = WEDNESDAY_EVENING + delivery.STALE_CLAIM + timedelta(minutes=1)
    [taken_over] = await _claim(database, later)  # another instance sends it
    async with database.transaction() as session:  # the slow one finally reports its failure
        await delivery.failed(session, claimed=slow, now=later, error="timed out", retry=True)
    # the digest is still being sent by the other instance: no third sender
    assert await _claim(database, later + delivery.RETRY_AFTER * 2) == []
    async with database.transaction() as session:
        await delivery.delivered(session, claimed=taken_over, now=later)
    assert await _claim(database, later + delivery.STALE_CLAIM * 2) == []


async def test_a_claim_whose_instance_died_is_taken_over_later(database):
    await _team(database)
    [claimed] = await _claim(database, WEDNESDAY_EVENING)  # and nothing reported afterwards
    assert await _claim(database, WEDNESDAY_EVENING + timedelta(minutes=10)) == []
    [again] = await _claim(database, WEDNESDAY_EVENING + delivery.STALE_CLAIM * 2)
    assert again.due == claimed.due


async def _begin(database, claimed, now) -> bool:
    async with database.transaction() as session:
        return await delivery.begin(session, claimed=claimed, now=now)


async def test_a_claim_whose_instance_died_after_the_send_began_is_never_taken_over(database):
    # part of it may have been shown: better missed than twice
    await _team(database)
    [claimed] = await _claim(database, WEDNESDAY_EVENING)
    assert await _begin(database, claimed, WEDNESDAY_EVENING) is True
    assert await _begin(database, claimed, WEDNESDAY_EVENING) is False  # begun once
    assert await _claim(database, WEDNESDAY_EVENING + delivery.STALE_CLAIM * 2) == []
    [next_day] = await _claim(database, WEDNESDAY_EVENING + timedelta(days=1))
    assert next_day.due.first_day == date(2026, 11, 26)


async def test_a_slow_claimer_does_not_begin_a_send_taken_over_by_another(database):
    await _team(database)
    [slow] = await _claim(database, WEDNESDAY_EVENING)
    later = WEDNESDAY_EVENING + delivery.STALE_CLAIM + timedelta(minutes=1)
    [taken_over] = await _claim(database, later)
    assert await _begin(database, slow, later) is False
    assert await _begin(database, taken_over, later) is True


async def test_a_send_that_failed_before_anything_went_out_is_retried(database):
    await _team(database)
    [claimed] = await _claim(database, WEDNESDAY_EVENING)
    assert await _begin(database, claimed, WEDNESDAY_EVENING) is True
    async with database.transaction() as session:  # the first message failed on the network
        await delivery.failed(
            session, claimed=claimed, now=WEDNESDAY_EVENING, error="502", retry=True
        )
    [again] = await _claim(database, WEDNESDAY_EVENING + delivery.RETRY_AFTER)
    assert again.due == claimed.due
    assert await _begin(database, again, WEDNESDAY_EVENING + delivery.RETRY_AFTER) is True


async def test_the_weekly_digest_on_monday_covers_the_week_before(database):
    await _team(database)
    monday = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # 09:00 Moscow
    claimed = await _claim(database, monday)
    assert sorted((c.due.kind, c.due.first_day) for c in claimed) == [
        (DigestKind.daily, date(2026, 11, 27)),  # Friday's, never sent: one catch-up
        (DigestKind.weekly, date(2026, 11, 23)),
    ]


@pytest.mark.parametrize("kind", DATABASE_KINDS)
async def test_two_instances_racing_claim_each_digest_once(kind, tmp_path):
    async with empty_database(kind, tmp_path) as (url, schema):
        first, second = Database(url, schema=schema), Database(url, schema=schema)
        try:
            async with first.engine.begin() as connection:
                await connection.run_sync(SQLModel.metadata.create_all)
            await _team(first)
            for days in (0, 1, 2, 5):  # Wednesday to Friday, then Monday
                now = WEDNESDAY_EVENING + timedelta(days=days)
                results = await asyncio.gather(
                    *[_claim(db, now) for db in (first, second, first, second)]
                )
                claimed = [c for result in results for c in result]
                assert len(claimed) == (2 if days == 5 else 1), (days, claimed)  # + the weekly
                assert len({(c.due.kind, c.due.first_day) for c in claimed}) == len(claimed)
                async with second.transaction() as session:
                    for one in claimed:
                        await delivery.delivered(session, claimed=one, now=now)
        finally:
            await first.dispose()
            await second.dispose()


async def test_settings_default_then_change_and_reps_have_none(database):
    async with database.transaction() as session:
        admin, rep = await admin_and_rep(session, now=JOINED)
    now, daily_kind, weekly_kind = JOINED, DigestKind.daily, DigestKind.weekly
    async with database.transaction() as session:
        settings = await subscriptions.settings_of(session, actor=admin)
        daily = settings.schedules[daily_kind]
        assert (daily.enabled, daily.hour, daily.minute) == (True, 18, 0)
        assert daily.weekdays == frozenset({1, 2, 3, 4, 5})
        assert await repo.subscriptions_of(session, member_id=admin.id) == []  # not written yet
        await subscriptions.set_time(
            session, actor=admin, kind=daily_kind, hour=9, minute=30, now=now
        )
        await subscriptions.toggle_weekday(
            session, actor=admin, kind=daily_kind, weekday=6, now=now
        )
        await subscriptions.toggle_weekday(
            session, actor=admin, kind=weekly_kind, weekday=5, now=now
        )
        await subscriptions.toggle(session, actor=admin, kind=weekly_kind, now=now)
        await subscriptions.set_scope(session, actor=admin, scope=Scope(False, (rep.id,)), now=now)
    async with database.transaction() as session:
        settings = await subscriptions.settings_of(session, actor=admin)
        with pytest.raises(DigestSettingsError):
            await subscriptions.settings_of(session, actor=rep)
        with pytest.raises(DigestSettingsError):
            await subscriptions.toggle(session, actor=rep, kind=daily_kind, now=now)
    daily, weekly = settings.schedules[DigestKind.daily], settings.schedules[DigestKind.weekly]
    assert (daily.hour, daily.minute, daily.weekdays) == (9, 30, frozenset({1, 2, 3, 4, 5, 6}))
    assert (weekly.enabled, weekly.weekdays) == (False, frozenset({5}))
    assert settings.scope.ids() == [rep.id]


def test_toggling_someone_out_of_the_whole_team_keeps_everyone_else():
    everyone = [1, 2, 3]
    scope = subscriptions.toggled(Scope(), 2, everyone)
    assert scope == Scope(False, (1, 3))
    assert subscriptions.toggled(scope, 2, everyone) == Scope()


async def test_a_digest_turned_back_on_sends_nothing_missed_while_it_was_off(database):
    admin, _rep = await _team(database)
    tuesday = JOINED + timedelta(hours=1)
    async with database.transaction() as session:
        await subscriptions.toggle(session, actor=admin, kind=DigestKind.daily, now=tuesday)
    assert await _claim(database, WEDNESDAY_EVENING) == []  # off
    thursday_noon = WEDNESDAY_EVENING + timedelta(hours=18)  # 12:00 Moscow
    async with database.transaction() as session:
        await subscriptions.toggle(session, actor=admin, kind=DigestKind.daily, now=thursday_noon)
    # Wednesday's digest fell due while it was off: not sent now
    assert await _claim(database, thursday_noon + timedelta(minutes=1)) == []
    [claimed] = await _claim(database, WEDNESDAY_EVENING + timedelta(days=1))
    assert claimed.due.first_day == date(2026, 11, 26)


async def test_a_change_made_just_after_the_send_time_still_lets_that_digest_go(database):
    admin, rep = await _team(database)
    a_minute_late = WEDNESDAY_EVENING + timedelta(minutes=1)
    async with database.transaction() as session:
        await subscriptions.set_scope(
            session, actor=admin, scope=Scope(False, (rep.id,)), now=a_minute_late
        )
    [claimed] = await _claim(database, a_minute_late + timedelta(minutes=1))
    assert claimed.due.first_day == date(2026, 11, 25) and claimed.scope.ids() == [rep.id]


async def test_a_later_time_set_after_todays_digest_went_out_sends_no_second(database):
    admin, _rep = await _team(database)
    [claimed] = await _claim(database, WEDNESDAY_EVENING)
    async with database.transaction() as session:
        await delivery.delivered(session, claimed=claimed, now=WEDNESDAY_EVENING)
        await subscriptions.set_time(
            session,
            actor=admin,
            kind=DigestKind.daily,
            hour=21,
            minute=0,
            now=WEDNESDAY_EVENING + timedelta(minutes=10),
        )
    assert await _claim(database, WEDNESDAY_EVENING + timedelta(hours=3)) == []  # 21:00 Moscow
    [tomorrow] = await _claim(database, WEDNESDAY_EVENING + timedelta(days=1, hours=3))
    assert tomorrow.due.first_day == date(2026, 11, 26)
