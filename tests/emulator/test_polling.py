"""getUpdates long polling: offsets, limits, conflicts, several bots, raw updates."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot
from telegram.error import Conflict

from emulator import BotApiEmulator


async def test_update_pushed_during_long_poll_is_returned_promptly(
    emu: BotApiEmulator, bot: Bot
) -> None:
    user = emu.user(1001, "Anna")
    poll = asyncio.create_task(bot.get_updates(timeout=60))
    await emu.wait_for_calls("getUpdates", answered=False)  # the poll is open
    assert not poll.done()
    await user.send("hello")
    # long before the poll's own 60 s: the update ended it, not the timeout
    updates = await asyncio.wait_for(poll, 15)
    assert [u.message.text for u in updates] == ["hello"]


async def test_long_poll_times_out_with_no_updates(bot: Bot) -> None:
    started = time.monotonic()
    assert await asyncio.wait_for(bot.get_updates(timeout=1), 15) == ()
    assert time.monotonic() - started >= 0.9  # it held the poll open, not answered at once


async def test_offset_confirms_updates(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.user(1001, "Anna")
    for text in ("one", "two", "three"):
        await user.send(text)
    first = await bot.get_updates()
    assert [u.update_id for u in first] == [1, 2, 3]
    assert len(await bot.get_updates()) == 3  # nothing confirmed yet

    assert [u.message.text for u in await bot.get_updates(offset=3)] == ["three"]
    assert await bot.get_updates(offset=4) == ()
    await user.send("four")
    assert [u.message.text for u in await bot.get_updates()] == ["four"]


async def test_limit_and_negative_offset(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.user(1001, "Anna")
    for number in range(5):
        await user.send(str(number))
    assert [u.message.text for u in await bot.get_updates(limit=2)] == ["0", "1"]
    assert [u.message.text for u in await bot.get_updates(offset=-2)] == ["3", "4"]
    assert [u.message.text for u in await bot.get_updates()] == ["3", "4"]


async def test_allowed_updates_filters_new_updates(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.user(1001, "Anna")
    await bot.get_updates(allowed_updates=["callback_query"])
    await user.send("ignored")
    assert await bot.get_updates() == ()
    await bot.get_updates(allowed_updates=[])
    await user.send("delivered")
    assert [u.message.text for u in await bot.get_updates()] == ["delivered"]


async def test_second_poller_terminates_the_first(emu: BotApiEmulator, bot: Bot) -> None:
    # PTB allows one getUpdates per Bot at a time, so a second instance plays the intruder
    async with Bot(bot.token, base_url=emu.base_url) as intruder:
        first = asyncio.create_task(bot.get_updates(timeout=60))
        await emu.wait_for_calls("getUpdates", answered=False)  # the first poll is open
        second = asyncio.create_task(intruder.get_updates(timeout=0))
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await asyncio.wait_for(first, 30)  # long before the poll's own 60 s
        assert await second == ()


async def test_drop_pending_updates(emu: BotApiEmulator, bot: Bot) -> None:
    await emu.user(1001, "Anna").send("stale")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


async def test_push_update_can_deliver_an_update_twice(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.user(1001, "Anna")
    message = await user.send("pay 100")
    original = (await bot.get_updates())[0]
    await bot.get_updates(offset=original.update_id + 1)

    emu.push_update(None, {"update_id": original.update_id, "message": message})
    again = await bot.get_updates(offset=original.update_id + 1)
    assert [u.update_id for u in again] == [original.update_id]
    assert again[0].message.text == "pay 100"
    assert await bot.get_updates(offset=original.update_id + 1) == ()

    fresh = emu.push_update(None, {"message": message})
    assert fresh["update_id"] == original.update_id + 1


async def test_many_bots_poll_concurrently_with_separate_queues(emu: BotApiEmulator) -> None:
    tokens = [f"{7000 + n}:token{n}" for n in range(8)]
    bots = [Bot(token, base_url=emu.base_url) for token in tokens]
    for tg_bot in bots:
        await tg_bot.initialize()
    try:
        polls = [asyncio.create_task(b.get_updates(timeout=60)) for b in bots]
        await emu.wait_for_calls("getUpdates", len(bots), answered=False)  # all are open
        for number, token in enumerate(tokens):
            await emu.user(100 + number, f"User{number}", token=token).send(f"to bot {number}")
        # long before the polls' own 60 s: each update ended its own bot's poll
        results = await asyncio.wait_for(asyncio.gather(*polls), 30)
        for number, updates in enumerate(results):
            assert [u.message.text for u in updates] == [f"to bot {number}"]
            assert updates[0].message.chat.id == 100 + number
    finally:
        for tg_bot in bots:
            await tg_bot.shutdown()


async def test_stop_ends_pending_long_polls_quickly() -> None:
    emu = await BotApiEmulator().start()
    async with Bot("5:x", base_url=emu.base_url) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=60))
        await emu.wait_for_calls("getUpdates", answered=False)  # the poll is open
        await asyncio.wait_for(emu.stop(), 15)  # long before the poll's own 60 s
        assert await asyncio.wait_for(poll, 15) == ()


async def test_first_update_id_is_configurable() -> None:
    async with BotApiEmulator(token="5:x", first_update_id=9000) as emu:
        async with Bot("5:x", base_url=emu.base_url) as bot:
            await emu.user(1001, "Anna").send("hi")
            emu.bot().next_update_id = 9500
            await emu.user(1001, "Anna").send("again")
            assert [u.update_id for u in await bot.get_updates()] == [9000, 9500]
