"""Digest figures aggregated in SQL, on SQLite and PostgreSQL, checked against a small
hand-made week: 19-25 October 2026 in Vilnius, whose Sunday is 25 hours long (clocks go back
from 04:00 EEST to 03:00 EET). Ausra, removed from the team on its Tuesday, made a call first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from crm import activities
from crm.digests import periods, reports
from crm.digests.model import BusyOrganization, Counts, DayCalls
from storage.models import (
    Activity,
    ActivityKind,
    Contact,
    ImportBatch,
    ImportStatus,
    Member,
    Organization,
    Outcome,
    Role,
    Workspace,
)
from storage.repositories.digests import build_digest

VILNIUS = "Europe/Vilnius"
WEEK = periods.week_of(date(2026, 10, 21), VILNIUS)
BEFORE = periods.previous(WEEK)
AFTER_WEEK = datetime(2026, 10, 27, 12, tzinfo=UTC)
CALL, MEETING, NOTE = ActivityKind.call, ActivityKind.meeting, ActivityKind.note
TALKED, NO_ANSWER, BUSY = Outcome.talked, Outcome.no_answer, Outcome.busy


def at(day: int, hour: int, minute: int = 0, *, month: int = 10) -> datetime:
    """A local Vilnius wall-clock time in October 2026, as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(VILNIUS)).astimezone(UTC)


class Team:
    """Olga (admin), Petras and Rimas (reps), Ausra (removed on Tuesday 20 October at 09:00);
    a stranger in another workspace. Romashka and Vasilek are organizations; Trash is deleted."""

    async def build(self, database) -> Team:
        async with database.transaction() as session:
            self.workspace = await self._add(session, Workspace(name="Acme", timezone=VILNIUS))
            other = await self._add(session, Workspace(name="Other"))
            ws = self.workspace.id
            self.olga = await self._member(session, ws, 1, "Olga", Role.admin)
            self.rimas = await self._member(session, ws, 2, "rimas", Role.rep)  # sorts as "R"
            self.petras = await self._member(session, ws, 3, "Petras", Role.rep)
            self.ausra = await self._member(session, ws, 4, "Ausra", Role.rep)
            self.ausra.removed_at = at(20, 9)
            self.stranger = await self._member(session, other.id, 9, "Eve", Role.admin)
            self.other_ws = other.id
            self.romashka = await self._org(session, "Romashka", self.olga, at(1, 9))
            self.vasilek = await self._org(session, "Vasilek", self.olga, at(1, 9))
            self.trash = await self._org(session, "Trash", self.olga, at(1, 9), deleted=at(2, 9))
        return self

    @staticmethod
    async def _add(session, row):
        session.add(row)
        await session.flush()
        return row

    async def _member(self, session, workspace_id, user_id, name, role) -> Member:
        member = Member(
            workspace_id=workspace_id, telegram_user_id=user_id, display_name=name, role=role
        )
        return await self._add(session, member)

    async def _org(self, session, name, owner, created, *, deleted=None, batch=None):
        org = Organization(
            workspace_id=owner.workspace_id,
            name=name,
            name_normalized=name.lower(),
            owner_id=owner.id,
            created_at=created,
            deleted_at=deleted,
            import_batch_id=batch,
        )
        return await self._add(session, org)


def activity(member, kind, when, outcome=None, *, org=None, **more) -> Activity:
    return Activity(
        workspace_id=member.workspace_id,
        member_id=member.id,
        organization_id=org.id if org else None,
        kind=kind,
        outcome=outcome,
        occurred_at=when,
        created_at=when,
        **more,
    )


async def _hand_made_week(database) -> Team:
    team = await Team().build(database)
    rimas, petras, olga = team.rimas, team.petras, team.olga
    async with database.transaction() as session:
        batch = ImportBatch(
            workspace_id=team.workspace.id,
            member_id=olga.id,
            file_name="clients.xlsx",
            file_sha256="a" * 64,
            status=ImportStatus.done,
            stats={"created_organizations": 12, "created_contacts": 30, "updated": 1},
            finished_at=at(22, 15),
        )
        undone = ImportBatch(
            workspace_id=team.workspace.id,
            member_id=olga.id,
            file_name="oops.xlsx",
            file_sha256="b" * 64,
            status=ImportStatus.undone,
            stats={"created_organizations": 5, "created_contacts": 0},
            finished_at=at(22, 16),
        )
        session.add_all([batch, undone])
        await session.flush()
        session.add_all(
            [
                # Rimas this week: 3 talked + 1 no answer, a meeting, a note; a deleted call
                activity(rimas, CALL, at(19, 10), TALKED, org=team.romashka),
                activity(rimas, CALL, at(19, 11), NO_ANSWER, org=team.romashka),
                activity(rimas, CALL, at(20, 9), TALKED, org=team.vasilek),
                activity(rimas, MEETING, at(21, 14), org=team.romashka),
                activity(rimas, NOTE, at(21, 15), org=team.vasilek),
                activity(rimas, CALL, at(21, 16), TALKED, org=team.romashka, deleted_at=at(22, 8)),
                # the first minutes of the 25-hour Sunday (21:00 UTC on Saturday) ...
                activity(rimas, CALL, at(25, 0, 5), TALKED, org=team.trash),
                # ... and its last ones (21:55 UTC on Sunday: Monday's date in UTC+02 - 1 h)
                activity(rimas, CALL, at(25, 23, 55), BUSY),
                # just outside the week on both sides
                activity(rimas, CALL, WEEK.start - timedelta(seconds=1), TALKED),
                activity(rimas, CALL, WEEK.end, TALKED),
                # Petras: one meeting this week; a call without outcome; last week two calls
                activity(petras, MEETING, at(23, 10), org=team.romashka),
                activity(petras, CALL, at(23, 11), None, org=team.vasilek),
                activity(petras, CALL, at(13, 10), BUSY),
                activity(petras, CALL, at(14, 10), TALKED),
                # Ausra's call an hour before she was removed counts; a stranger's never does
                activity(team.ausra, CALL, at(20, 8), TALKED, org=team.romashka),
                activity(team.stranger, CALL, at(20, 10), TALKED),
                # her follow-up due last week: overdue at its end, when she was in the team;
                # at this week's end she had left and it is nobody's overdue work
                activity(team.ausra, NOTE, at(12, 10), follow_up_at=at(16, 9)),
                # follow-ups: Rimas did one this week (due last week, so it was overdue then)
                activity(
                    rimas,
                    NOTE,
                    at(12, 10),
                    follow_up_at=at(16, 9),
                    done=True,
                    done_at=at(21, 10),
                ),
                # Petras: one open and due this week (overdue at its end), one due next week,
                # one done next week (overdue at this week's end), one deleted
                activity(petras, NOTE, at(19, 10), follow_up_at=at(22, 9)),
                activity(petras, NOTE, at(19, 10), follow_up_at=at(28, 9)),
                activity(
                    petras, NOTE, at(19, 10), follow_up_at=at(23, 9), done=True, done_at=at(26, 9)
                ),
                activity(petras, NOTE, at(19, 10), follow_up_at=at(22, 9), deleted_at=at(19, 11)),
                # new cards: Rimas made an organization and two people (one deleted)
                Organization(
                    workspace_id=team.workspace.id,
                    name="Linas",
                    name_normalized="linas",
                    owner_id=rimas.id,
                    created_at=at(20, 12),
                ),
                Organization(  # imported: listed as an import, not as Olga's work
                    workspace_id=team.workspace.id,
                    name="Imported",
                    name_normalized="imported",
                    owner_id=olga.id,
                    created_at=at(22, 15),
                    import_batch_id=batch.id,
                ),
                Contact(
                    workspace_id=team.workspace.id,
                    full_name="Ona",
                    name_normalized="ona",
                    owner_id=rimas.id,
                    created_at=at(24, 12),
                ),
                Contact(
                    workspace_id=team.workspace.id,
                    full_name="Jonas",
                    name_normalized="jonas",
                    owner_id=rimas.id,
                    created_at=at(24, 13),
                    deleted_at=at(24, 14),
                ),
                Contact(  # last week
                    workspace_id=team.workspace.id,
                    full_name="Old",
                    name_normalized="old",
                    owner_id=petras.id,
                    created_at=at(18, 13),
                ),
            ]
        )
    team.batch_id = batch.id
    return team


async def _digest(database, team, member_ids=None, *, period=WEEK, now=AFTER_WEEK, top=5):
    async with database.snapshot() as session:
        return await build_digest(
            session,
            workspace_id=team.workspace.id,
            period=period,
            previous=periods.previous(period),
            member_ids=member_ids,
            now=now,
            top=top,
        )


async def test_a_week_in_numbers(database):
    team = await _hand_made_week(database)
    digest = await _digest(database, team)

    assert digest.period == WEEK and digest.previous == BEFORE
    assert [rep.name for rep in digest.reps] == ["Ausra", "Olga", "Petras", "rimas"]
    ausra, olga, petras, rimas = digest.reps
    assert [rep.left_team for rep in digest.reps] == [True, False, False, False]
    assert ausra.counts == Counts(calls=1) and ausra.calls_by_outcome == {TALKED: 1}
    assert rimas.counts == Counts(
        calls=5, meetings=1, new_organizations=1, new_contacts=1, followups_done=1
    )
    assert rimas.calls_by_outcome == {TALKED: 3, NO_ANSWER: 1, BUSY: 1}
    assert petras.counts == Counts(calls=1, meetings=1, followups_overdue=2)
    assert petras.calls_by_outcome == {None: 1}
    assert olga.counts == Counts() and olga.calls_by_outcome == {}
    assert [rep.name for rep in digest.inactive_reps] == ["Olga"]  # Ausra left: not listed

    assert digest.totals == Counts(
        calls=7,
        meetings=2,
        new_organizations=1,
        new_contacts=1,
        followups_done=1,
        followups_overdue=2,
    )
    # last week: Petras's two calls, Rimas's a second before Monday, Petras's contact; and
    # Rimas's follow-up, done only this week, and Ausra's were overdue at its end
    assert digest.previous_totals == Counts(calls=3, new_contacts=1, followups_overdue=2)
    assert digest.change("calls").percent == 133
    assert digest.change("meetings").percent is None

    assert digest.busiest_organizations == (
        BusyOrganization(team.romashka.id, "Romashka", 5),
        BusyOrganization(team.vasilek.id, "Vasilek", 3),
    )
    [made] = digest.imports
    assert (made.batch_id, made.member_name, made.file_name) == (
        team.batch_id,
        "Olga",
        "clients.xlsx",
    )
    assert (made.created_organizations, made.created_contacts) == (12, 30)
    assert made.finished_at == at(22, 15)


async def test_calls_fall_on_their_local_day_across_the_dst_switch(database):
    team = await _hand_made_week(database)
    digest = await _digest(database, team)
    rimas, petras, ausra = team.rimas.id, team.petras.id, team.ausra.id
    assert digest.calls_per_day == (
        DayCalls(date(2026, 10, 19), rimas, TALKED, 1),
        DayCalls(date(2026, 10, 19), rimas, NO_ANSWER, 1),
        DayCalls(date(2026, 10, 20), rimas, TALKED, 1),
        DayCalls(date(2026, 10, 20), ausra, TALKED, 1),
        DayCalls(date(2026, 10, 23), petras, None, 1),
        DayCalls(date(2026, 10, 25), rimas, TALKED, 1),
        DayCalls(date(2026, 10, 25), rimas, BUSY, 1),
    )


async def test_scope_keeps_the_chosen_members_only(database):
    team = await _hand_made_week(database)
    digest = await _digest(database, team, [team.petras.id, team.stranger.id])
    assert [rep.name for rep in digest.reps] == ["Petras"]  # a foreign id is ignored
    assert digest.totals == Counts(calls=1, meetings=1, followups_overdue=2)
    assert digest.previous_totals == Counts(calls=2, new_contacts=1)
    assert [org.name for org in digest.busiest_organizations] == ["Romashka", "Vasilek"]
    assert [org.activities for org in digest.busiest_organizations] == [1, 1]
    assert digest.imports == ()
    assert {row.member_id for row in digest.calls_per_day} == {team.petras.id}


async def test_a_chosen_member_who_left_this_week_keeps_their_work_in_the_scope(database):
    team = await _hand_made_week(database)
    digest = await _digest(database, team, [team.petras.id, team.ausra.id])
    assert [(rep.name, rep.left_team) for rep in digest.reps] == [
        ("Ausra", True),
        ("Petras", False),
    ]
    assert digest.totals == Counts(calls=2, meetings=1, followups_overdue=2)
    assert digest.previous_totals == Counts(calls=2, new_contacts=1, followups_overdue=1)
    assert [(o.name, o.activities) for o in digest.busiest_organizations] == [
        ("Romashka", 2),
        ("Vasilek", 1),
    ]
    assert {row.member_id for row in digest.calls_per_day} == {team.petras.id, team.ausra.id}


async def test_who_left_before_the_periods_began_is_not_in_the_digest(database):
    team = await _hand_made_week(database)
    async with database.transaction() as session:
        # a meeting Ausra had put down for Thursday before she left on Tuesday
        session.add(activity(team.ausra, MEETING, at(22, 10), org=team.vasilek))
    thursday = periods.day_of(date(2026, 10, 22), VILNIUS)  # against Wednesday: both after
    digest = await _digest(database, team, period=thursday)
    assert "Ausra" not in [rep.name for rep in digest.reps]
    assert digest.totals == Counts(followups_overdue=1)  # Petras's, due that morning
    # the week holds her Tuesday: her call and that meeting are both in it
    digest = await _digest(database, team)
    [ausra] = [rep for rep in digest.reps if rep.left_team]
    assert ausra.counts == Counts(calls=1, meetings=1)
    assert ausra not in digest.inactive_reps


async def test_an_empty_scope_and_top(database):
    team = await _hand_made_week(database)
    digest = await _digest(database, team, [], top=1)
    assert digest.reps == () and digest.totals == Counts() and digest.calls_per_day == ()
    digest = await _digest(database, team, top=1)
    assert [org.name for org in digest.busiest_organizations] == ["Romashka"]


async def test_overdue_stops_at_now_in_a_running_period(database):
    team = await _hand_made_week(database)
    # Wednesday noon: Petras's follow-ups are due on Thursday and Friday, not overdue yet;
    # on Friday noon both are (the one done next week was still open then)
    digest = await _digest(database, team, [team.petras.id], now=at(21, 12))
    assert digest.totals.followups_overdue == 0
    digest = await _digest(database, team, [team.petras.id], now=at(23, 12))
    assert digest.totals.followups_overdue == 2


async def test_a_single_dst_day_and_a_custom_range(database):
    team = await _hand_made_week(database)
    sunday = periods.day_of(date(2026, 10, 25), VILNIUS)
    digest = await _digest(database, team, [team.rimas.id], period=sunday)
    assert digest.totals.calls == 2
    assert digest.previous_totals.calls == 0  # Saturday
    assert {row.day for row in digest.calls_per_day} == {date(2026, 10, 25)}

    fortnight = periods.custom(date(2026, 10, 12), date(2026, 10, 25), VILNIUS)
    digest = await _digest(database, team, period=fortnight)
    assert digest.totals.calls == 10
    assert sorted({row.day for row in digest.calls_per_day}) == [
        date(2026, 10, 13),
        date(2026, 10, 14),
        date(2026, 10, 18),  # Rimas's call a second before Monday
        date(2026, 10, 19),
        date(2026, 10, 20),
        date(2026, 10, 23),
        date(2026, 10, 25),
    ]

    year = periods.custom(date(2026, 1, 1), date(2026, 12, 31), VILNIUS)  # 365 days, 364 bounds
    digest = await _digest(database, team, period=year)
    assert digest.totals.calls == 11  # and the call at next Monday's first instant
    assert sum(row.calls for row in digest.calls_per_day) == 11
    assert max(row.day for row in digest.calls_per_day) == date(2026, 10, 26)


async def test_completing_a_follow_up_records_when(database):
    team = await _hand_made_week(database)
    async with database.transaction() as session:
        open_one = activity(team.rimas, NOTE, at(19, 10), follow_up_at=at(20, 9))
        session.add(open_one)
        await session.flush()
        done, changed = await activities.complete(
            session, actor=team.rimas, activity_id=open_one.id, now=at(24, 9)
        )
        assert changed and done.done_at == at(24, 9)
    digest = await _digest(database, team, [team.rimas.id])
    assert digest.totals.followups_done == 2
    async with database.transaction() as session:
        reopened = await activities.reschedule(
            session, actor=team.rimas, activity_id=open_one.id, until=at(30, 9)
        )
        assert (reopened.done, reopened.done_at) == (False, None)


async def test_today_so_far_is_compared_with_yesterday_until_the_same_time(database):
    team = await Team().build(database)
    rimas = team.rimas
    async with database.transaction() as session:
        for when in (at(20, 10), at(20, 11), at(20, 17), at(20, 19), at(20, 20)):  # Tuesday
            session.add(activity(rimas, CALL, when, TALKED))
        for when in (at(21, 9), at(21, 12), at(21, 15)):  # Wednesday until 18:00
            session.add(activity(rimas, CALL, when, TALKED))
    six_pm = at(21, 18)
    async with database.snapshot() as session:
        digest = await reports.digest_of(
            session,
            workspace_id=team.workspace.id,
            period=periods.today(six_pm, VILNIUS),
            member_ids=None,
            now=six_pm,
        )
    # three calls by 18:00 both days: level, not "down 40%" against the whole of Tuesday
    assert (digest.change("calls").current, digest.change("calls").previous) == (3, 3)
    assert digest.change("calls").percent == 0
