"""Fixtures: a running emulator and a python-telegram-bot ``Bot`` pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from emulator import BotApiEmulator, FakeUser

TOKEN = "123456:TEST-token_abc"


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN) as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as tg_bot:
        yield tg_bot


@pytest.fixture
async def anna(emu: BotApiEmulator) -> FakeUser:
    """A user who has started the bot, so the bot may write to her."""
    user = emu.user(1001, "Anna", username="anna")
    await user.send("/start")
    return user
