"""Fault injection: flood control, server errors and slow answers."""

from __future__ import annotations

import asyncio
import datetime as dtm

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from emulator import BotApiEmulator, FakeUser

from .conftest import TOKEN


@pytest.fixture(autouse=True)
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without PTB_TIMEDELTA, building RetryAfter emits a PTBDeprecationWarning, which
    filterwarnings=error turns into an exception instead of RetryAfter."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


async def test_flood_control_raises_retry_after(
    emu: BotApiEmulator, bot: Bot, anna: FakeUser
) -> None:
    emu.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(anna.user_id, "hi")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    assert emu.calls[-1].status == 429
    await anna.expect_no_message(within=0)  # the failed call had no effect

    await bot.send_message(anna.user_id, "hi")  # only the next call failed
    assert (await anna.next_message()).text == "hi"


async def test_failures_count_and_status(emu: BotApiEmulator, bot: Bot, anna: FakeUser) -> None:
    emu.fail_next("sendmessage", 2, status=500)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(anna.user_id, "hi")
    emu.fail_next("*", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_me()
    emu.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(anna.user_id, "hi")
    emu.fail_next("sendMessage", status=400, description="Bad Request: chat not found")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(anna.user_id, "hi")
    await bot.send_message(anna.user_id, "finally")
    assert [m.text for m in anna.drain()] == ["finally"]


async def test_fault_can_target_one_token(emu: BotApiEmulator, bot: Bot) -> None:
    async with Bot("999:other", base_url=emu.base_url) as other:
        emu.fail_next("getMe", status=500, token="999:other")
        assert (await bot.get_me()).id == 123456
        with pytest.raises(NetworkError):
            await other.get_me()


async def test_delay_provokes_time_out_without_effect(emu: BotApiEmulator, anna: FakeUser) -> None:
    request = HTTPXRequest(read_timeout=0.3)
    async with Bot(TOKEN, base_url=emu.base_url, request=request) as bot:
        emu.delay_next("sendMessage", 1.0)
        with pytest.raises(TimedOut):
            await bot.send_message(anna.user_id, "lost")
        await anna.expect_no_message(within=1.0)


async def test_delay_after_sends_but_times_out(emu: BotApiEmulator, anna: FakeUser) -> None:
    request = HTTPXRequest(read_timeout=0.3)
    async with Bot(TOKEN, base_url=emu.base_url, request=request) as bot:
        emu.delay_next("sendMessage", 1.0, after=True)
        with pytest.raises(TimedOut):
            await bot.send_message(anna.user_id, "delivered anyway")
        assert (await anna.next_message()).text == "delivered anyway"


async def test_delay_slows_but_answers(emu: BotApiEmulator, bot: Bot) -> None:
    emu.delay_next("getMe", 0.3)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await bot.get_me()
    assert loop.time() - started >= 0.3
