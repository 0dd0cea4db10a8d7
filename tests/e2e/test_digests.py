"""Digests through the real bot: the daily digest arrives at 18:00 the manager's time with the
team's numbers and a chart, exactly once (again ticks, restarts, downtime, a second instance,
network failures); /digest on demand; /digest settings; /me; reps kept out."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

from sqlmodel import select

from crm.digests import delivery
from crm.digests.chart import calls_chart
from emulator.driver import BotMessage
from handlers import digests_job
from storage.models import DigestDelivery, DigestSubscription, Member, Role
from tests.e2e.activity_helpers import add_contact, add_organization, data_of, member_of
from tests.e2e.crashes import Killed
from tests.e2e.directory_helpers import alert
from tests.e2e.test_rights_audit import refusals
from tests.e2e.waiting import eventually

FAST = {"digest_interval_seconds": 0.2}
PNG = b"\x89PNG\r\n\x1a\n"
# the clock starts on Wednesday 25 Nov 2026, 09:00 UTC: 12:00 in Moscow, the workspace's zone
TO_18_MOSCOW = {"hours": 6}


def is_digest(message: BotMessage) -> bool:
    return message.text.startswith("📊")


def plain(text: str) -> str:
    return text.replace("\u2009", " ").replace("\u202f", " ")


async def _rows(bot, model) -> list:
    async with bot.database.transaction() as session:
        return list((await session.exec(select(model))).all())


async def _met_by_the_job(bot) -> None:
    """The job writes a manager's default schedule the first time it meets them."""
    await eventually(lambda: _rows(bot, DigestSubscription), "the digest job to meet the admin")


async def _recorded(bot, done=lambda row: row.sent_at is not None) -> DigestDelivery:
    """The one delivery row, once `done` holds for it (by default: its send has begun)."""

    async def row() -> DigestDelivery | None:
        rows = await _rows(bot, DigestDelivery)
        return rows[0] if rows and done(rows[0]) else None

    found = await eventually(row, "the digest's delivery to be recorded")
    assert len(await _rows(bot, DigestDelivery)) == 1
    return found


async def _team_with_calls(bot):
    """Olga (admin) and two reps, Rimas with two calls and Petras with one, all today."""
    olga = await bot.onboard(bot.user(1, "Olga"))
    rimas = await bot.join(olga, bot.user(2, "Rimas"))
    petras = await bot.join(olga, bot.user(3, "Petras"))
    org = await add_organization(bot, olga, "Romashka")
    await add_contact(bot, olga, "Ivan Petrov", organization_id=org.id)
    for user, text in (
        (rimas, "/call Petrov talked about prices"),
        (rimas, "/call Petrov no answer"),
        (petras, "/call Petrov busy"),
    ):
        await user.send(text)
        assert "Call with Ivan Petrov" in (await user.next_message()).text
    await _met_by_the_job(bot)
    return olga, rimas, petras


async def test_the_daily_digest_arrives_at_18_with_the_numbers_and_a_chart_once(start_bot):
    async with start_bot(**FAST) as bot:
        olga, rimas, petras = await _team_with_calls(bot)
        await bot.join(olga, bot.user(4, "Dina"))
        await olga.expect_no_message(within=0.6)  # 12:00 in Moscow: not yet
        bot.clock.advance(**TO_18_MOSCOW)
        digest = await olga.wait_for(is_digest)
        text = plain(digest.text)
        assert text.startswith("📊 Daily digest\nWed, Nov 25, 2026"), text
        assert "Calls: 3 (new)" in text
        assert "👤 Rimas\nCalls: 2 (talked 1, no answer 1)" in text
        assert "👤 Petras\nCalls: 1 (busy 1)" in text
        assert "🏢 Romashka — 3" in text
        assert "👤 Olga\nNew organizations: 1 · New contacts: 1" in text
        assert "No activity: Dina" in text
        chart = await olga.next_message()
        assert chart.photo and chart.photo.startswith(PNG)
        assert "Daily digest" in chart.text  # the caption
        bot.clock.advance(minutes=30)
        await olga.expect_no_message(within=0.8)  # ticking on: already sent
        await rimas.expect_no_message(within=0.1)  # reps get no team digest
        row = await _recorded(bot)
        assert row.attempts == 1
    async with start_bot(**FAST) as bot:  # a restart sends it no second time
        await olga.expect_no_message(within=0.8)


async def test_after_two_days_down_one_catch_up_digest_is_sent_not_several(start_bot):
    async with start_bot(**FAST) as bot:
        olga, _rimas, _petras = await _team_with_calls(bot)
    bot.clock.advance(days=2, hours=8)  # Friday 20:00 in Moscow: Wed, Thu and Fri missed
    async with start_bot(**FAST) as bot:
        digest = await olga.wait_for(is_digest)
        text = plain(digest.text)
        assert text.startswith("📊 Daily digest\nFri, Nov 27, 2026"), text
        assert "Nothing was logged in this period." in text
        await olga.expect_no_message(within=1.0)
        row = await _recorded(bot)
        assert str(row.first_day) == "2026-11-27"


async def test_a_network_failure_is_retried_after_a_pause(start_bot, emulator):
    # No quick retries of the 502 by the Bot API client: the digest job's own retry is tested.
    async with start_bot(**FAST, telegram_retries=0) as bot:
        olga, _rimas, _petras = await _team_with_calls(bot)
        emulator.fail_next("sendMessage", status=502)
        since = len(emulator.calls)
        bot.clock.advance(**TO_18_MOSCOW)
        [failed] = await emulator.wait_for_calls("sendMessage", since=since)
        assert failed.status == 502
        await _recorded(bot, lambda row: row.error is not None)
        await olga.expect_no_message(within=0.8)  # failed; the next rounds wait
        bot.clock.advance(minutes=5)
        digest = await olga.wait_for(is_digest)
        assert "Calls: 3" in digest.text
        assert (await olga.next_message()).photo
        await olga.expect_no_message(within=0.8)
        row = await _recorded(bot)
        assert row.attempts == 2


async def test_a_digest_whose_send_timed_out_is_not_sent_again(start_bot, emulator):
    async with start_bot(**FAST, telegram_timeout_seconds=1) as bot:
        olga, _rimas, _petras = await _team_with_calls(bot)
        # Telegram delivers it, but answers after the bot stopped waiting: maybe delivered.
        emulator.delay_next("sendMessage", 2.5, after=True)
        bot.clock.advance(**TO_18_MOSCOW)
        await olga.wait_for(is_digest)
        bot.clock.advance(minutes=30)  # past the pause before a retry
        await olga.expect_no_message(within=3.5)
        row = await _recorded(bot, lambda row: row.error is not None)
        assert row.sent_at is None and "TimedOut" in row.error  # recorded, not retried


async def test_a_digest_claimed_by_a_killed_job_is_sent_once_after_the_restart(
    start_bot, monkeypatch, emulator
):
    beginning = digests_job._begin
    claimed = asyncio.Event()

    async def killed_after_the_claim(*args):
        claimed.set()
        raise Killed  # the claim is committed; the send never begins

    monkeypatch.setattr(digests_job, "_begin", killed_after_the_claim)
    async with start_bot(**FAST) as bot:
        olga, _rimas, _petras = await _team_with_calls(bot)
        bot.clock.advance(**TO_18_MOSCOW)
        await asyncio.wait_for(claimed.wait(), timeout=30)
    monkeypatch.setattr(digests_job, "_begin", beginning)
    async with start_bot(**FAST) as bot:
        await olga.expect_no_message(within=0.8)  # the dead claimer's claim holds a while
        bot.clock.advance(minutes=delivery.STALE_CLAIM.total_seconds() / 60 + 1)
        digest = await olga.wait_for(is_digest)
        assert "Calls: 3" in plain(digest.text)
        assert (await olga.next_message()).photo
        bot.clock.advance(hours=1)
        await olga.expect_no_message(within=0.8)
        assert (await _recorded(bot)).attempts == 2


async def test_a_digest_whose_send_began_before_the_kill_is_not_sent_again(
    start_bot, monkeypatch, emulator
):
    beginning = digests_job._begin
    begun = asyncio.Event()

    async def killed_after_the_mark(*args):
        assert await beginning(*args)
        begun.set()
        raise Killed  # had its first message reached Telegram, a resend would show it twice

    monkeypatch.setattr(digests_job, "_begin", killed_after_the_mark)
    async with start_bot(**FAST) as bot:
        olga, _rimas, _petras = await _team_with_calls(bot)
        bot.clock.advance(**TO_18_MOSCOW)
        await asyncio.wait_for(begun.wait(), timeout=30)
    monkeypatch.setattr(digests_job, "_begin", beginning)
    sent_before = len(emulator.calls_to("sendMessage"))
    async with start_bot(**FAST) as bot:
        bot.clock.advance(minutes=delivery.STALE_CLAIM.total_seconds() / 60 * 2)
        await olga.expect_no_message(within=1.5)  # past the stale-claim time: still nothing
        assert len(emulator.calls_to("sendMessage")) == sent_before
        row = await _recorded(bot)
        assert row.attempts == 1 and row.error is None


async def test_two_bot_instances_send_the_digest_once(start_bot):
    async with start_bot(**FAST) as bot:
        olga, _rimas, _petras = await _team_with_calls(bot)
        async with start_bot(**FAST):
            bot.clock.advance(**TO_18_MOSCOW)
            await olga.wait_for(is_digest)
            assert (await olga.next_message()).photo
            await olga.expect_no_message(within=1.0)
            row = await _recorded(bot)
        assert row.attempts == 1


async def test_digest_on_demand_for_today_and_last_week(start_bot):
    async with start_bot(**FAST) as bot:
        olga, _rimas, _petras = await _team_with_calls(bot)
        await olga.send("/digest")
        menu = await olga.next_message()
        assert [b for row in menu.buttons for b in row] == [
            "Today",
            "This week",
            "Last week",
            "Choose period",
            "⚙️ Settings",
        ]
        await olga.tap(menu, "Today")
        today = await olga.next_message()
        assert plain(today.text).startswith("📊 Digest\nWed, Nov 25, 2026")
        assert "Calls: 3 (new)" in today.text and "👤 Rimas" in today.text
        assert (await olga.next_message()).photo.startswith(PNG)
        await olga.tap(menu, "Last week")
        last_week = await olga.next_message()
        assert plain(last_week.text).startswith("📊 Digest\nNov 16 – 22, 2026")
        assert "Nothing was logged in this period." in last_week.text
        await olga.expect_no_message(within=0.3)  # no calls, no chart
        await olga.tap(menu, "Choose period")
        assert "Send the period" in (await olga.next_message()).text
        await olga.send("someday")
        assert "could not read that period" in (await olga.next_message()).text
        await olga.send("11/20-11/25")
        chosen = await olga.next_message()
        assert plain(chosen.text).startswith("📊 Digest\nNov 20 – 25, 2026")
        assert "Calls: 3" in chosen.text


async def test_settings_change_the_time_and_the_next_digest_follows(start_bot):
    async with start_bot(**FAST) as bot:
        olga, _rimas, _petras = await _team_with_calls(bot)
        await olga.send("/digest settings")
        view = await olga.next_message()
        assert "Daily digest: on, 18:00 · Mon, Tue, Wed, Thu, Fri" in view.text
        assert "Weekly digest: on, 09:00 · Mon" in view.text
        assert "Covers: the whole team" in view.text
        assert "Europe/Moscow" in view.text
        await olga.tap(view, "🕒 18:00")
        prompt = await olga.next_message()
        assert "time of the daily digest" in prompt.text
        await olga.send("25:00")
        assert "e.g. 18:00" in (await olga.next_message()).text
        await olga.send("12:30")
        saved = await olga.next_message()
        assert saved.text.startswith("Saved.") and "Daily digest: on, 12:30" in saved.text
        await olga.tap(saved, "🕒 09:00")  # the weekly's time, by a quick button this time
        prompt = await olga.next_message()
        assert "time of the weekly digest" in prompt.text
        await olga.tap(prompt, "08:00")
        saved = await olga.next_message()
        assert saved.text.startswith("Saved.") and "Weekly digest: on, 08:00" in saved.text
        bot.clock.advance(minutes=29)  # 12:29 in Moscow
        await olga.expect_no_message(within=0.6)
        bot.clock.advance(minutes=1)
        digest = await olga.wait_for(is_digest)
        assert "Calls: 3" in digest.text
        await olga.next_message()  # the chart
        bot.clock.advance(**TO_18_MOSCOW)  # the old time passes: nothing more today
        await olga.expect_no_message(within=0.8)


async def test_settings_buttons_turn_days_and_people_on_and_off(start_bot):
    async with start_bot(**FAST) as bot:
        olga, _rimas, _petras = await _team_with_calls(bot)
        await olga.send("/digest settings")
        view = await olga.next_message()
        await olga.tap_data(view.message_id, data_of(view, "dg:s:on:w"))
        view = await olga.next_edit()
        assert "Weekly digest: off, 09:00 · Mon (covers the week before)" in view.text
        await olga.tap_data(view.message_id, "dg:s:wd:w:5")  # Friday: the week is over
        view = await olga.next_edit()
        assert "Weekly digest: off, 09:00 · Fri (covers the week it is sent in)" in view.text
        await olga.tap_data(view.message_id, "dg:s:wd:d:6")
        view = await olga.next_edit()
        assert "Daily digest: on, 18:00 · Mon, Tue, Wed, Thu, Fri, Sat" in view.text
        await olga.tap(view, "👥 Whose work")
        scope = await olga.next_edit()
        assert [row[0] for row in scope.buttons][:4] == [
            "✅ Whole team",
            "✅ Olga",
            "✅ Petras",
            "✅ Rimas",
        ]
        await olga.tap(scope, "✅ Olga")
        scope = await olga.next_edit()
        await olga.tap(scope, "✅ Petras")
        scope = await olga.next_edit()
        assert "✅ Rimas" in str(scope.buttons) and "▫️ Petras" in str(scope.buttons)
        await olga.tap(scope, "⬅️ Back")
        view = await olga.next_edit()
        assert "Covers: Rimas" in view.text
        bot.clock.advance(**TO_18_MOSCOW)
        digest = plain((await olga.wait_for(is_digest)).text)
        assert "Calls: 2" in digest and "Petras" not in digest


async def test_a_rep_has_me_but_no_team_digest_or_its_settings(start_bot):
    async with start_bot(**FAST) as bot:
        olga, rimas, _petras = await _team_with_calls(bot)
        await rimas.send("/me")
        mine = plain((await rimas.next_message()).text)
        assert mine.startswith("Your day — Wed, Nov 25, 2026\nCalls: 2 (talked 1, no answer 1)")
        assert "Your week — Nov 23 – 29, 2026\nCalls: 2" in mine
        await rimas.send("/digest settings")
        refusal = await rimas.next_message()
        assert "for managers and admins" in refusal.text and "/me" in refusal.text
        query = await rimas.tap_data(refusal.message_id, "dg:s:on:d")
        assert "for managers and admins" in (await rimas.callback_answer(query))["text"]
        query = await rimas.tap_data(refusal.message_id, "dg:p:today")
        assert "for managers and admins" in (await rimas.callback_answer(query))["text"]
        [daily, weekly] = sorted(await _rows(bot, DigestSubscription), key=lambda r: r.kind)
        assert daily.enabled and weekly.enabled and daily.member_id != 2


async def test_the_weekly_digest_comes_on_monday_for_the_week_before(start_bot):
    async with start_bot(**FAST) as bot:
        olga, _rimas, _petras = await _team_with_calls(bot)
        bot.clock.advance(**TO_18_MOSCOW)
        await olga.wait_for(is_digest)  # Wednesday's daily
        await olga.next_message()
        await olga.send("/digest settings")
        view = await olga.next_message()
        await olga.tap_data(view.message_id, "dg:s:on:d")  # daily off: only the weekly now
        assert "Daily digest: off" in (await olga.next_edit()).text
        bot.clock.advance(days=4, hours=14, minutes=59)  # Monday 30 Nov, 08:59 in Moscow
        await olga.expect_no_message(within=0.6)
        bot.clock.advance(minutes=1)
        weekly = plain((await olga.wait_for(is_digest)).text)
        assert weekly.startswith("📊 Weekly digest\nNov 23 – 29, 2026"), weekly
        assert "Calls: 3 (new)" in weekly and "👤 Rimas\nCalls: 2" in weekly
        assert (await olga.next_message()).photo.startswith(PNG)
        bot.clock.advance(days=1)
        await olga.expect_no_message(within=0.6)


async def test_a_manager_who_blocked_the_bot_is_not_retried(start_bot, emulator):
    async with start_bot(**FAST) as bot:
        olga, _rimas, _petras = await _team_with_calls(bot)
        await olga.block()
        bot.clock.advance(**TO_18_MOSCOW)
        row = await _recorded(bot, lambda row: row.failed_at is not None)
        assert row.sent_at is None and row.failed_at is not None and "Forbidden" in row.error
        tries = len([c for c in emulator.calls if c.method == "sendMessage"])
        await asyncio.sleep(0.8)  # more rounds
        assert len([c for c in emulator.calls if c.method == "sendMessage"]) == tries


async def _set_own_time_zone(user, zone: str) -> None:
    await user.send("/settings")
    await user.tap(await user.next_message(), "My time zone")
    await user.next_message()
    await user.send(zone)
    assert f"My time zone: {zone}" in (await user.next_message()).text


async def test_a_manager_in_another_zone_gets_it_at_18_their_time_and_a_move_sends_no_second(
    start_bot,
):
    async with start_bot(**FAST) as bot:
        olga, _rimas, _petras = await _team_with_calls(bot)
        await _set_own_time_zone(olga, "Europe/Vilnius")  # the workspace is in Moscow
        bot.clock.advance(**TO_18_MOSCOW)  # 17:00 in Vilnius
        await olga.expect_no_message(within=0.6)
        bot.clock.advance(hours=1)
        digest = plain((await olga.wait_for(is_digest)).text)
        assert digest.startswith("📊 Daily digest\nWed, Nov 25, 2026") and "Calls: 3" in digest
        assert (await olga.next_message()).photo
        # she flies to New York (11:00 there) and 18:00 of the same Wednesday comes again
        await _set_own_time_zone(olga, "America/New_York")
        bot.clock.advance(hours=7)
        await olga.expect_no_message(within=0.8)
        bot.clock.advance(days=1)  # Thursday 18:00 in New York: Thursday's
        assert plain((await olga.wait_for(is_digest)).text).startswith(
            "📊 Daily digest\nThu, Nov 26, 2026"
        )
        assert sorted(str(row.first_day) for row in await _rows(bot, DigestDelivery)) == [
            "2026-11-25",
            "2026-11-26",
        ]


async def test_a_reps_me_on_a_day_with_nothing_and_a_weekly_digest_over_a_clock_change(
    start_bot,
):
    async with start_bot(**FAST) as bot:
        olga, rimas, _petras = await _team_with_calls(bot)
        dina = await bot.join(olga, bot.user(4, "Dina"))
        await dina.send("/me")
        assert plain((await dina.next_message()).text) == (
            "Your day — Wed, Nov 25, 2026\nNothing was logged in this period.\n\n"
            "Your week — Nov 23 – 29, 2026\nNothing was logged in this period."
        )
        await _set_own_time_zone(olga, "Europe/Vilnius")
        # Sunday 28 March 2027 in Vilnius: clocks go forward at 03:00, the week has 167 hours
        bot.clock.now = datetime(2027, 3, 28, 9, 0, tzinfo=UTC)  # 12:00 EEST
        await rimas.send("/call Petrov talked on the short Sunday")
        assert "Call with Ivan Petrov" in (await rimas.next_message()).text
        bot.clock.now = datetime(2027, 3, 29, 6, 0, tzinfo=UTC)  # Monday 09:00 EEST

        def weekly_for_the_short_week(message: BotMessage) -> bool:
            return plain(message.text).startswith("📊 Weekly digest\nMar 22 – 28, 2027")

        weekly = plain((await olga.wait_for(weekly_for_the_short_week)).text)
        assert "Calls: 1 (new)" in weekly and "👤 Rimas\nCalls: 1 (talked 1)" in weekly
        assert (await olga.next_message()).photo.startswith(PNG)
        await olga.expect_no_message(within=0.8)


async def _add_reps(bot, admin, count: int) -> dict[str, int]:
    """`count` reps "Rep 001"... written straight into the workspace (a team of a hundred
    joining through invites would only slow the test): their member ids by name."""
    workspace_id = (await member_of(bot, admin)).workspace_id
    async with bot.database.transaction() as session:
        reps = [
            Member(
                workspace_id=workspace_id,
                telegram_user_id=10_000 + n,
                display_name=f"Rep {n:03d}",
                role=Role.rep,
                created_at=bot.clock(),
            )
            for n in range(1, count + 1)
        ]
        session.add_all(reps)
        await session.flush()
        return {rep.display_name: rep.id for rep in reps}


def _people(scope: BotMessage) -> list[str]:
    """The names on a page of "Whose work", without their ✅ / ▫️."""
    return [
        text.split(" ", 1)[1]
        for row, data in zip(scope.buttons, scope.callback_data, strict=True)
        for text, one in zip(row, data, strict=True)
        if one and re.fullmatch(r"dg:s:sc:\d+:\d+", one)
    ]


async def test_whose_work_for_a_team_of_120_comes_in_pages_that_keep_their_place(start_bot):
    async with start_bot() as bot:
        olga = await bot.onboard(bot.user(1, "Olga"))
        ids = await _add_reps(bot, olga, 119)  # with Olga: 120 people, 6 pages of 20
        await olga.send("/digest settings")
        await olga.tap(await olga.next_message(), "👥 Whose work")
        scope = await olga.next_edit()
        seen: list[str] = []
        for page in range(1, 7):
            assert f"Page {page} of 6" in scope.text
            assert sum(len(row) for row in scope.buttons) <= 100
            assert scope.buttons[0] == ["✅ Whole team"] and scope.buttons[-1] == ["⬅️ Back"]
            seen += _people(scope)
            if page < 6:
                await olga.tap(scope, f"{page + 1} »")
                scope = await olga.next_edit()
        assert seen == ["Olga", *sorted(ids)]  # everyone, once, by name
        assert "7 »" not in str(scope.buttons) and "« 5" in str(scope.buttons)
        for page in (5, 4, 3):  # back to page 3: Rep 040 to Rep 059
            await olga.tap(scope, f"« {page}")
            scope = await olga.next_edit()
        assert _people(scope) == [f"Rep {n:03d}" for n in range(40, 60)]

        await olga.tap(scope, "✅ Rep 045")
        scope = await olga.next_edit()
        assert "Page 3 of 6" in scope.text
        assert "▫️ Rep 045" in str(scope.buttons) and "▫️ Whole team" in str(scope.buttons)
        assert _people(scope) == [f"Rep {n:03d}" for n in range(40, 60)]
        rows = await _rows(bot, DigestSubscription)
        assert len(rows) == 2  # daily and weekly, both the same people
        for row in rows:
            assert not row.whole_team and ids["Rep 045"] not in row.member_ids
            assert len(row.member_ids) == 119
        await olga.tap(scope, "▫️ Rep 045")  # back in: everyone again
        scope = await olga.next_edit()
        assert "Page 3 of 6" in scope.text and "✅ Whole team" in str(scope.buttons)

        # a page made up (on no button of the message) is refused like other made-up data
        assert "no longer valid" in await alert(
            olga, await olga.tap_data(scope.message_id, "dg:s:sc:pg:99")
        )
        [refusal] = await refusals(bot)
        assert refusal.after["data"] == "dg:s:sc:pg:99" and refusal.after["forged"] is True
        await olga.tap(scope, "4 »")
        page_4 = await olga.next_edit()
        # then 40 people leave: the honest "5 »" button now points past the last page
        async with bot.database.transaction() as session:
            for rep in (await session.exec(select(Member).where(Member.role == Role.rep))).all()[
                :40
            ]:
                rep.removed_at = bot.clock()
                session.add(rep)
        await olga.tap(page_4, "5 »")
        scope = await olga.next_edit()
        assert "Page 4 of 4" in scope.text and len(_people(scope)) == 20
        assert len(await refusals(bot)) == 1  # a stale button is no forgery


async def _remove(admin, name: str) -> None:
    await admin.send("/team")
    team = await admin.next_message()
    await admin.tap(team, f"{name} — sales rep")
    await admin.tap(await admin.next_edit(), "Remove from the team")
    await admin.tap(await admin.next_edit(), "Yes, remove")
    assert name not in (await admin.next_edit()).text


async def test_a_rep_removed_today_keeps_their_calls_in_the_digest_marked_as_gone(start_bot):
    async with start_bot(**FAST) as bot:
        olga, _rimas, _petras = await _team_with_calls(bot)
        await bot.join(olga, bot.user(4, "Dina"))
        await olga.send("/digest settings")  # whose work: everyone but Olga herself
        await olga.tap(await olga.next_message(), "👥 Whose work")
        await olga.tap(await olga.next_edit(), "✅ Olga")
        assert "▫️ Olga" in str((await olga.next_edit()).buttons)
        await _remove(olga, "Petras")  # after his call this morning

        bot.clock.advance(**TO_18_MOSCOW)
        digest = plain((await olga.wait_for(is_digest)).text)
        assert "Calls: 3 (new)" in digest  # Petras's call is still the team's
        assert "👤 Petras (left the team)\nCalls: 1 (busy 1)" in digest
        assert "👤 Rimas\nCalls: 2" in digest
        assert "No activity: Dina" in digest  # not Petras, nor Olga (out of scope)
        assert "Olga" not in digest
        assert (await olga.next_message()).photo.startswith(PNG)


async def test_managers_getting_the_same_digest_share_one_drawing_of_the_chart(
    start_bot, monkeypatch
):
    drawings: list[int] = []

    def counting(digest, **kwargs):
        drawings.append(len(digest.reps))
        return calls_chart(digest, **kwargs)

    monkeypatch.setattr("handlers.digest_chart.calls_chart", counting)
    async with start_bot(**FAST) as bot:
        olga, _rimas, _petras = await _team_with_calls(bot)
        mila = await bot.join(olga, bot.user(5, "Mila"), "Invite a manager")
        bot.clock.advance(**TO_18_MOSCOW)
        charts = []
        for manager in (olga, mila):  # same team, day, language and zone
            assert "Calls: 3" in (await manager.wait_for(is_digest)).text
            charts.append((await manager.next_message()).photo)
        assert charts[0].startswith(PNG) and charts[0] == charts[1]
        assert drawings == [4]  # once, for both


async def test_settings_name_a_long_choice_of_people_by_its_size(start_bot):
    # 150 people with long names: listed one by one, all but Olga would take some 7,000
    # characters, and Telegram refuses a message over 4,096
    async with start_bot() as bot:
        olga = await bot.onboard(bot.user(1, "Olga"))
        await _add_reps(bot, olga, 149)
        async with bot.database.transaction() as session:
            for rep in (await session.exec(select(Member).where(Member.role == Role.rep))).all():
                rep.display_name += " Konstantinopolskaya-Vasilevskaya"
                session.add(rep)
        await olga.send("/digest settings")
        await olga.tap(await olga.next_message(), "👥 Whose work")
        scope = await olga.next_edit()
        await olga.tap(scope, "✅ Olga")  # everyone else stays chosen
        await olga.tap(await olga.next_edit(), "⬅️ Back")
        settings = await olga.next_edit()
        assert "Covers: 149 people" in settings.text
        assert "Konstantinopolskaya" not in settings.text
        await olga.send("/digest settings")
        assert "Covers: 149 people" in (await olga.next_message()).text
