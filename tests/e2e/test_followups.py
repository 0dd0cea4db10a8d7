"""Follow-up reminders (sent by the job, exactly once, across restarts and a job killed
mid-round), their buttons, /today."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from emulator.driver import BotMessage
from handlers import reminders
from tests.e2e.activity_helpers import (
    add_contact,
    add_organization,
    all_activities,
    answer,
    data_of,
    press,
)
from tests.e2e.crashes import Killed

FAST = {"reminder_interval_seconds": 0.2}
LEASE = {"reminder_lease_seconds": 300}  # 5 minutes of the test clock (the default is 10)


def is_reminder(message: BotMessage) -> bool:
    return message.text.startswith("⏰")


async def _anna_with_ivan(bot):
    anna = await bot.onboard(bot.user(1, "Anna"))
    org = await add_organization(bot, anna, "Romashka")
    await add_contact(bot, anna, "Ivan Petrov", organization_id=org.id)
    return anna


async def _log(user, text: str) -> BotMessage:
    await user.send(text)
    return await user.next_message()


async def test_the_reminder_arrives_at_its_time_and_is_done_once(start_bot):
    async with start_bot(**FAST) as bot:
        anna = await _anna_with_ivan(bot)
        await _log(anna, "/call Petrov discussed prices, call back in 1 hour")
        await anna.expect_no_message(within=0.6)  # not due yet
        bot.clock.advance(hours=1)
        reminder = await anna.next_message()
        assert reminder.text == "⏰ Call back Ivan Petrov (Romashka): discussed prices"
        assert [b for row in reminder.buttons for b in row] == [
            "✅ Done",
            "⏰ +1 hour",
            "⏰ Tomorrow",
            "📞 Log call",
        ]
        query = await anna.tap(reminder, "✅ Done")
        assert (await anna.callback_answer(query))["text"] == "Done."
        done = await anna.next_edit()
        assert done.text.endswith("✅ Done.") and not done.buttons
        [call] = await all_activities(bot)
        assert call.done

        again = await anna.tap_data(reminder.message_id, data_of(reminder, "fu:done:"))
        assert (await anna.callback_answer(again))["text"] == "This follow-up is already done."
        snooze = await anna.tap_data(reminder.message_id, f"fu:snz:{call.id}:1h")
        assert "already done" in (await anna.callback_answer(snooze))["text"]
        bot.clock.advance(days=2)
        await anna.expect_no_message(within=0.6)  # sent once, and done


async def test_snoozed_reminders_come_again_later(start_bot):
    async with start_bot(**FAST) as bot:
        anna = await _anna_with_ivan(bot)
        await _log(anna, "/call Petrov no answer, call back in 30 minutes")
        bot.clock.advance(minutes=30)
        reminder = await anna.wait_for(is_reminder)
        query = await anna.tap(reminder, "⏰ +1 hour")
        assert "I will remind you again" in (await anna.callback_answer(query))["text"]
        assert "remind you again" in (await anna.next_edit()).text
        bot.clock.advance(minutes=59)
        await anna.expect_no_message(within=0.6)
        bot.clock.advance(minutes=1)
        reminder = await anna.wait_for(is_reminder)
        await anna.tap(reminder, "⏰ Tomorrow")
        await anna.next_edit()
        [call] = await all_activities(bot)
        assert call.follow_up_at == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)  # 09:00 Moscow
        assert call.reminded_at is None and not call.done


async def test_logging_the_call_from_a_reminder_ticks_it_off(start_bot):
    async with start_bot(**FAST) as bot:
        anna = await _anna_with_ivan(bot)
        await _log(anna, "/call Petrov busy, call back in 1 hour")
        bot.clock.advance(hours=1)
        reminder = await anna.wait_for(is_reminder)
        assert "It was due" not in reminder.text  # on time
        await anna.tap(reminder, "📞 Log call")
        outcome = await anna.next_message()
        assert "Call with Ivan Petrov" in outcome.text
        await answer(anna, outcome, "outcome", "talked")
        await anna.next_edit()
        await answer(anna, await anna.next_message(), "direction", "out")
        await anna.next_edit()
        await answer(anna, await anna.next_message(), "duration", "skip")
        await anna.next_edit()
        await answer(anna, await anna.next_message(), "note", "skip")
        await anna.next_edit()
        await answer(anna, await anna.next_message(), "follow_up", "none")
        await anna.next_edit()
        assert "Call with Ivan Petrov" in (await anna.next_message()).text
        first, second = await all_activities(bot)
        assert first.done and second.follow_up_at is None


async def test_snoozing_an_undone_call_is_refused_clearly(start_bot):
    async with start_bot(**FAST) as bot:
        anna = await _anna_with_ivan(bot)
        logged = await _log(anna, "/call Petrov talked, call back in 1 hour")
        bot.clock.advance(hours=1)
        reminder = await anna.wait_for(is_reminder)
        await press(anna, logged, "act:undo:")
        await anna.next_edit()
        query = await anna.tap(reminder, "⏰ +1 hour")
        assert "no longer exists" in (await anna.callback_answer(query))["text"]
        query = await anna.tap(reminder, "✅ Done")
        assert "no longer exists" in (await anna.callback_answer(query))["text"]


async def test_a_follow_up_due_while_the_bot_was_down_is_sent_once_after_restart(start_bot):
    async with start_bot(**FAST) as bot:
        anna = await _anna_with_ivan(bot)
        await _log(anna, "/call Petrov talked, call back in 1 hour")
    bot.clock.advance(hours=3)  # the bot is down when it falls due
    async with start_bot(**FAST) as bot:
        reminder = await anna.wait_for(is_reminder)
        assert "Call back Ivan Petrov" in reminder.text
        assert "It was due Wed, Nov 25, 1:00" in reminder.text.replace("\u202f", " ")
        await anna.expect_no_message(within=0.6)
    async with start_bot(**FAST) as bot:
        bot.clock.advance(hours=1)
        await anna.expect_no_message(within=0.8)
    [call] = await all_activities(bot)
    assert call.reminded_at is not None and not call.done


async def test_a_network_failure_is_retried_and_a_blocked_user_is_not(start_bot, emulator):
    async with start_bot(**FAST) as bot:
        anna = await _anna_with_ivan(bot)
        await _log(anna, "/call Petrov talked, call back in 1 hour")
        emulator.fail_next("sendMessage", status=502)
        bot.clock.advance(hours=1)
        reminder = await anna.wait_for(is_reminder)  # the second round delivers it
        assert "Call back Ivan Petrov" in reminder.text
        assert [c.status for c in emulator.calls if c.method == "sendMessage"][-2:] == [502, 200]

        await _log(anna, "/call Petrov talked, call back in 1 hour")
        await anna.block()
        sent_before = len(emulator.calls_to("sendMessage"))
        since = len(emulator.calls)
        bot.clock.advance(hours=1)
        [refused] = await emulator.wait_for_calls("sendMessage", since=since)
        assert refused.status == 403
        await anna.expect_no_message(within=1.0)
        assert len(emulator.calls_to("sendMessage")) == sent_before + 1  # tried once, no more
        first, second = await all_activities(bot)
        assert second.reminded_at is not None


async def test_today_lists_overdue_and_todays_follow_ups(bot):
    anna = await _anna_with_ivan(bot)
    await add_contact(bot, anna, "Maria Sidorova")
    await _log(anna, "/call Petrov talked, call back in 2 hours")
    await _log(anna, "/call Sidorova no answer, call back tomorrow 10:00")
    await _log(anna, "/note Sidorova wants a discount, remind me today 18:00")
    bot.clock.advance(days=1)  # now 26.11 12:00 in Moscow
    await anna.send("/today")
    today = await anna.wait_for(lambda m: not is_reminder(m))  # the job may remind meanwhile
    lines = today.text.replace("\u202f", " ").split("\n")
    assert lines[0] == "Follow-ups for today"
    assert lines[2] == "1. ⚠️ overdue, Wed, Nov 25, 2:00 PM — Call back Ivan Petrov (Romashka)"
    assert lines[3] == (
        "2. ⚠️ overdue, Wed, Nov 25, 6:00 PM — Follow up with Maria Sidorova: wants a discount"
    )
    assert lines[4] == "3. ⚠️ overdue, 10:00 AM — Call back Maria Sidorova"
    assert today.buttons[0] == ["📇 1. Ivan Petrov", "✅ 1"]
    await _log(anna, "/call Petrov talked, call back at 20:00")
    await anna.send("/today")
    today = await anna.wait_for(lambda m: not is_reminder(m))
    assert "4. 🕒 8:00 PM — Call back Ivan Petrov" in today.text.replace("\u202f", " ")

    query = await anna.tap(today, "✅ 1")
    assert (await anna.callback_answer(query))["text"] == "Done."
    today = await anna.next_edit()
    assert "Wed, Nov 25, 2:00" not in today.text.replace("\u202f", " ")
    assert len(today.buttons) == 3
    for _ in range(3):
        await anna.tap(today, "✅ 1")
        today = await anna.next_edit()
    assert today.text == "No follow-ups for today. 🎉"


async def test_someone_elses_follow_up_cannot_be_touched(bot):
    olga = await bot.onboard(bot.user(1, "Olga"))
    rimas = await bot.join(olga, bot.user(2, "Rimas"))
    petras = await bot.join(olga, bot.user(3, "Petras"))
    await add_contact(bot, olga, "Ivan Petrov")
    await _log(rimas, "/call Petrov talked, call back tomorrow")
    [call] = await all_activities(bot)
    await petras.send("/today")
    today = await petras.next_message()
    assert today.text == "No follow-ups for today. 🎉"
    for data in (f"fu:done:{call.id}", f"fu:snz:{call.id}:1h", f"fu:log:{call.id}"):
        query = await petras.tap_data(today.message_id, data)
        assert "colleague's entry" in (await petras.callback_answer(query))["text"], data
    [unchanged] = await all_activities(bot)
    assert not unchanged.done and unchanged.follow_up_at == call.follow_up_at

    await olga.send("/today")  # an admin may, e.g. when a rep is ill
    today = await olga.next_message()
    query = await olga.tap_data(today.message_id, f"fu:done:{call.id}")
    assert (await olga.callback_answer(query))["text"] == "Done."
    assert (await all_activities(bot))[0].done


async def test_a_reminder_whose_send_timed_out_is_not_sent_again(start_bot, emulator):
    async with start_bot(**FAST, telegram_timeout_seconds=1) as bot:
        anna = await _anna_with_ivan(bot)
        await _log(anna, "/call Petrov talked, call back in 1 hour")
        # Telegram delivers it, but answers after the bot stopped waiting: maybe delivered.
        emulator.delay_next("sendMessage", 2.5, after=True)
        bot.clock.advance(hours=1)
        assert is_reminder(await anna.next_message())
        await anna.expect_no_message(within=3.5)  # many rounds: not sent a second time
        [call] = await all_activities(bot)
        assert call.reminded_at is not None


async def _anna_with_ivan_and_maria(bot):
    anna = await _anna_with_ivan(bot)
    await add_contact(bot, anna, "Maria Sidorova")
    return anna


async def test_a_reminder_claimed_by_a_killed_job_arrives_once_after_its_lease(
    start_bot, monkeypatch
):
    sending = reminders._deliver
    claimed = asyncio.Event()

    async def killed_after_the_claim(*args, **kwargs):
        claimed.set()
        raise Killed  # the claim is committed; the send never begins

    monkeypatch.setattr(reminders, "_deliver", killed_after_the_claim)
    async with start_bot(**FAST, **LEASE) as bot:
        anna = await _anna_with_ivan_and_maria(bot)
        await _log(anna, "/call Petrov talked, call back in 1 hour")  # due 10:00
        await _log(anna, "/call Sidorova talked, call back in 64 minutes")  # 10:04
        await _log(anna, "/note Sidorova wants a discount, remind me in 90 minutes")  # 10:30
        bot.clock.advance(hours=1)
        await asyncio.wait_for(claimed.wait(), timeout=30)
        [call, _, _] = await all_activities(bot)
        assert (call.reminded_at, call.reminder_attempted_at) == (bot.clock.now, None)
    monkeypatch.setattr(reminders, "_deliver", sending)

    async with start_bot(**FAST, **LEASE) as bot:  # restarted; Ivan's claim is 4 min old
        bot.clock.advance(minutes=4)
        # Maria's reminder is sent in a round that still left Ivan's (due earlier, so it
        # would come first) to the dead claimer's lease.
        assert (await anna.next_message()).text.startswith("⏰ Call back Maria Sidorova")
        bot.clock.advance(minutes=1)  # the lease ran out
        reminder = await anna.next_message()
        assert reminder.text.startswith("⏰ Call back Ivan Petrov")
        bot.clock.advance(minutes=25)  # later rounds: the next message is the note, not Ivan
        assert (await anna.next_message()).text.startswith("⏰ Follow up with Maria Sidorova")
        [call, _, _] = await all_activities(bot)
        assert call.reminder_attempts == 1 and call.reminder_attempted_at is not None


async def test_a_reminder_whose_send_began_before_the_kill_is_not_sent_again(
    start_bot, monkeypatch, emulator
):
    marking = reminders._mark_attempt
    marked = asyncio.Event()

    async def killed_after_the_mark(*args):
        assert await marking(*args)
        marked.set()
        # Killed before the request (had it reached Telegram, a resend would show it twice):
        # the rule is the same, the attempt is never repeated.
        raise Killed

    monkeypatch.setattr(reminders, "_mark_attempt", killed_after_the_mark)
    async with start_bot(**FAST, **LEASE) as bot:
        anna = await _anna_with_ivan_and_maria(bot)
        await _log(anna, "/call Petrov talked, call back in 1 hour")  # due 10:00
        await _log(anna, "/call Sidorova talked, call back in 75 minutes")  # 10:15
        bot.clock.advance(hours=1)
        await asyncio.wait_for(marked.wait(), timeout=30)
    monkeypatch.setattr(reminders, "_mark_attempt", marking)
    sent_before = len(emulator.calls_to("sendMessage"))

    async with start_bot(**FAST, **LEASE) as bot:
        bot.clock.advance(minutes=15)  # Ivan's claim is past its lease, but was attempted
        assert (await anna.next_message()).text.startswith("⏰ Call back Maria Sidorova")
        assert len(emulator.calls_to("sendMessage")) == sent_before + 1
        [call, _] = await all_activities(bot)
        assert call.reminder_attempts == 1 and call.reminder_attempted_at is not None


async def _until(condition, what: str) -> None:
    for _ in range(600):  # a failure guard only: it ends as soon as the condition holds
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def test_a_reminder_that_keeps_failing_is_given_up_after_five_attempts(start_bot, emulator):
    async with start_bot(**FAST, telegram_retries=0) as bot:
        anna = await _anna_with_ivan_and_maria(bot)
        await _log(anna, "/call Petrov talked, call back in 1 hour")  # due 10:00
        await _log(anna, "/call Sidorova talked, call back in 2 hours")  # 11:00
        emulator.fail_next("sendMessage", count=5, status=502)  # the 6th would go through
        bot.clock.advance(hours=1)

        async def attempts_used_up() -> bool:
            return (await all_activities(bot))[0].reminder_attempts == 5

        await _until(attempts_used_up, "five attempts at Ivan's reminder")
        bot.clock.advance(hours=1)
        # Maria's reminder is next: Ivan's (due earlier) would have come first, had it been
        # tried a sixth time.
        assert (await anna.next_message()).text.startswith("⏰ Call back Maria Sidorova")
        statuses = [c.status for c in emulator.calls if c.method == "sendMessage"]
        assert statuses[-6:] == [502] * 5 + [200]
        ivan, _ = await all_activities(bot)
        assert ivan.reminded_at is not None and not ivan.done
