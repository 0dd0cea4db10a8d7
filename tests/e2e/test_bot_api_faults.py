"""The Bot API pushing back: 429 with retry_after, 5xx answers, a send that times out."""

from __future__ import annotations

import logging
import time

from tests.e2e.waiting import eventually


def _send_statuses(emulator, since: int) -> list[int | None]:
    return [call.status for call in emulator.calls[since:] if call.method == "sendMessage"]


async def test_a_429_is_waited_out_as_asked_and_the_message_sent_once(bot, emulator):
    admin = await bot.onboard(bot.user(1, "Olga"))
    since = len(emulator.calls)
    emulator.fail_next("sendMessage", status=429, retry_after=1)
    started = time.monotonic()
    await admin.send("/help")
    reply = await admin.next_message()
    assert "/help" in reply.text or "/find" in reply.text, reply.text
    assert time.monotonic() - started >= 1.0  # it waited retry_after before the second try
    assert _send_statuses(emulator, since) == [429, 200]
    await admin.expect_no_message(within=1.0)


async def test_a_5xx_is_retried_with_backoff_and_the_message_sent_once(bot, emulator, caplog):
    admin = await bot.onboard(bot.user(1, "Olga"))
    since = len(emulator.calls)
    emulator.fail_next("sendMessage", 2, status=502)
    with caplog.at_level(logging.WARNING, logger="bot.outgoing"):
        await admin.send("/help")
        await admin.next_message()
    assert _send_statuses(emulator, since) == [502, 502, 200]
    await admin.expect_no_message(within=1.0)
    retries = [r.getMessage() for r in caplog.records if r.name == "bot.outgoing"]
    assert retries == [
        "Bot API sendMessage answered 502; retry 1 of 3 in 0.5 s",
        "Bot API sendMessage answered 502; retry 2 of 3 in 1.0 s",
    ]


async def test_a_5xx_that_does_not_stop_gives_up_after_the_retries(start_bot, emulator):
    async with start_bot(telegram_retries=1) as bot:
        admin = await bot.onboard(bot.user(1, "Olga"))
        since = len(emulator.calls)
        emulator.fail_next("sendMessage", 5, status=500)
        await admin.send("/help")
        await emulator.wait_for_calls("sendMessage", 2, since=since)  # the try and one retry
        await admin.expect_no_message(within=2.0)  # and no third
        assert _send_statuses(emulator, since) == [500, 500]
        emulator.clear_faults()
        await admin.send("/help")  # the bot itself is fine
        await admin.next_message()


async def test_a_send_that_timed_out_is_not_repeated_blindly(start_bot, emulator, caplog):
    async with start_bot(telegram_timeout_seconds=1) as bot:
        admin = await bot.onboard(bot.user(1, "Olga"))
        since = len(emulator.calls)
        # Telegram gets the message, but the answer comes after the bot stopped waiting.
        emulator.delay_next("sendMessage", 2.5, after=True)
        gave_up = "Bot API sendMessage timed out; not repeated, it may have been delivered"
        with caplog.at_level(logging.WARNING):
            await admin.send("/help")
            await admin.next_message()
            await eventually(
                lambda: gave_up in [r.getMessage() for r in caplog.records], "the bot to give up"
            )
            await admin.expect_no_message(within=3.0)
        assert len(_send_statuses(emulator, since)) == 1  # one call: the bot did not resend
        logged = [r.getMessage() for r in caplog.records]
        assert not any(bot.settings.telegram_bot_token in line for line in logged)


async def test_without_throttling_a_429_is_still_waited_out(start_bot, emulator):
    async with start_bot(telegram_rate_limit=False) as bot:
        admin = await bot.onboard(bot.user(1, "Olga"))
        since = len(emulator.calls)
        emulator.fail_next("sendMessage", status=429, retry_after=1)
        await admin.send("/help")
        await admin.next_message()
        assert _send_statuses(emulator, since) == [429, 200]


async def test_a_gateway_time_out_is_not_repeated_blindly(bot, emulator, caplog):
    # 504: a proxy before Telegram stopped waiting; Telegram itself may have sent the message.
    admin = await bot.onboard(bot.user(1, "Olga"))
    since = len(emulator.calls)
    emulator.fail_next("sendMessage", status=504)
    with caplog.at_level(logging.WARNING, logger="bot.outgoing"):
        await admin.send("/help")
        await emulator.wait_for_calls("sendMessage", since=since)

        def logged() -> list[str]:
            return [r.getMessage() for r in caplog.records if r.name == "bot.outgoing"]

        await eventually(logged, "the bot to log the 504")
        await admin.expect_no_message(within=2.0)
    assert _send_statuses(emulator, since) == [504]
    assert logged() == [
        "Bot API sendMessage answered 504; not repeated, it may have been delivered"
    ]
