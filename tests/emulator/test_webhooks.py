"""Webhook delivery: the emulator POSTs updates to a local server the test runs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest

from emulator import BotApiEmulator
from emulator.webhooks import SECRET_HEADER

from .conftest import TOKEN


class Receiver:
    """A stand-in for a bot's webhook server: records requests, answers `status`."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, str | None]] = []
        self.status = 200
        self.received = asyncio.Event()
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((json.loads(await request.read()), request.headers.get(SECRET_HEADER)))
        self.received.set()
        return web.Response(status=self.status)

    async def wait(self, count: int) -> None:
        async with asyncio.timeout(30):  # a failure guard only
            while len(self.requests) < count:
                self.received.clear()
                await self.received.wait()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = web.Application()
    app.router.add_post("/hook", found.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    found.port = runner.addresses[0][1]
    yield found
    await runner.cleanup()


async def test_updates_are_posted_in_order_with_the_secret(
    emu: BotApiEmulator, bot: Bot, receiver: Receiver
) -> None:
    assert await bot.set_webhook(receiver.url, secret_token="s3cret_-X")
    anna = emu.user(1001, "Anna")
    await anna.send("one")
    await anna.send("two")
    await receiver.wait(2)
    # the receiver has answered; the emulator takes the update off the queue on reading that
    await emu.wait_until(lambda: not emu.bot(TOKEN).updates, what="both updates delivered")
    assert [(u["message"]["text"], secret) for u, secret in receiver.requests] == [
        ("one", "s3cret_-X"),
        ("two", "s3cret_-X"),
    ]
    assert [u["update_id"] for u, _ in receiver.requests] == [1, 2]
    assert (await bot.get_webhook_info()).pending_update_count == 0


async def test_a_refused_update_is_retried_and_the_error_shown(
    emu: BotApiEmulator, bot: Bot, receiver: Receiver
) -> None:
    emu.webhooks.retry_delay = 0.05
    receiver.status = 403
    assert await bot.set_webhook(receiver.url)
    await emu.user(1001, "Anna").send("hello")
    await receiver.wait(2)
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 403 Forbidden"
    assert info.pending_update_count == 1

    receiver.status = 200
    count = len(receiver.requests)
    await receiver.wait(count + 1)
    await emu.wait_until(lambda: not emu.bot(TOKEN).updates, what="the update delivered")
    assert (await bot.get_webhook_info()).pending_update_count == 0
    assert [d.status for d in emu.bot(TOKEN).webhook_deliveries][-1] == 200


async def test_a_webhook_elsewhere_keeps_updates_pending(emu: BotApiEmulator, bot: Bot) -> None:
    assert await bot.set_webhook("https://example.com/hook")
    await emu.user(1001, "Anna").send("hello")
    await asyncio.sleep(0.2)
    assert (await bot.get_webhook_info()).pending_update_count == 1
    assert emu.bot(TOKEN).webhook_deliveries == []


async def test_plain_http_and_bad_secrets_are_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)https url must be provided"):
        await bot.set_webhook("http://example.com/hook")
    with pytest.raises(BadRequest, match="(?i)secret token contains unallowed characters"):
        await bot.set_webhook("https://example.com/hook", secret_token="no spaces")
