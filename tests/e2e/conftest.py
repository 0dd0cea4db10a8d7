"""The real bot, run against the Bot API emulator; tests play Telegram users."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_application, polling
from bot.config import Settings, load_settings
from emulator import BotApiEmulator, FakeUser
from storage.db import Database
from storage.schema import upgrade_async
from tests.conftest import DATABASE_KINDS, empty_database

TOKEN = "123456:TEST-TOKEN"
INVITE_LINK = re.compile(r"https://t\.me/(\w+)\?start=([\w-]+)")


@dataclass
class Clock:
    """The bot's clock, moved by tests (invite expiry, reminders...)."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 25, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class RunningBot:
    emulator: BotApiEmulator
    database: Database
    settings: Settings
    clock: Clock

    def user(self, user_id: int, first_name: str = "Anna", **kwargs) -> FakeUser:
        return self.emulator.user(user_id, first_name, token=TOKEN, **kwargs)

    async def onboard(self, user: FakeUser, company: str = "Acme Trading") -> FakeUser:
        await user.send("/start")
        await user.next_message()
        await user.send(company)
        reply = await user.next_message()
        assert company in reply.text, reply.text
        return user

    async def invite_code(self, admin: FakeUser, button: str = "Invite a sales rep") -> str:
        await admin.send("/team")
        team = await admin.next_message()
        await admin.tap(team, button)
        link = await admin.next_message()
        match = INVITE_LINK.search(link.text)
        assert match, link.text
        return match.group(2)

    async def join(self, admin: FakeUser, user: FakeUser, button: str = "Invite a sales rep"):
        code = await self.invite_code(admin, button)
        await user.send(f"/start {code}")
        welcome = await user.next_message()
        assert "joined" in welcome.text or "Welcome" in welcome.text, welcome.text
        await admin.next_message()  # "X joined the team"
        return user


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN) as emu:
        yield emu


StartBot = Callable[..., AbstractAsyncContextManager[RunningBot]]


@pytest.fixture(params=DATABASE_KINDS)
async def database_url(request, tmp_path) -> AsyncIterator[tuple[str, str | None]]:
    """A migrated database, SQLite and PostgreSQL: built the way production builds it."""
    async with empty_database(request.param, tmp_path) as (url, schema):
        await upgrade_async(url, schema=schema)
        yield url, schema


@pytest.fixture
def start_bot(emulator, database_url) -> StartBot:
    """`async with start_bot(**settings) as bot:` runs the bot until the block ends.
    Several starts in one test share the database, as a restarted bot would."""
    clock = Clock()

    @asynccontextmanager
    async def run(**overrides) -> AsyncIterator[RunningBot]:
        url, schema = database_url
        settings = load_settings(
            _env_file=None,
            telegram_bot_token=TOKEN,
            bot_api_url=emulator.url,
            database_url=url,
            **overrides,
        )
        database = Database(url, schema=schema)
        application = build_application(settings, database=database, clock=clock)
        async with polling(application, poll_timeout=1):
            yield RunningBot(emulator, database, settings, clock)

    return run


@pytest.fixture
async def bot(start_bot) -> AsyncIterator[RunningBot]:
    async with start_bot() as running:
        yield running
