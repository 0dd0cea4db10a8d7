"""Webhook delivery: while a bot has a webhook set, its updates are POSTed there, not polled.

Like Telegram: one update per request as JSON, the secret in ``X-Telegram-Bot-Api-Secret-Token``,
an update leaves the queue only when the bot answers 2xx, otherwise it is retried and the
failure shows in getWebhookInfo (``last_error_date``, ``last_error_message``). Updates go out
one at a time, oldest first. Only webhooks on this machine (127.0.0.1, localhost, ::1) are
called: for any other host the updates stay pending, as if that server were down."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from emulator.state import BotState, QueuedUpdate, Signal

_LOGGER = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def is_local_url(url: str) -> bool:
    return urlsplit(url).hostname in LOCAL_HOSTS


@dataclass
class Delivery:
    """One POST to a webhook, for tests to inspect (``BotState.webhook_deliveries``)."""

    update_id: int
    url: str
    status: int | None  # None: no HTTP answer (connection refused, time-out)
    error: str | None = None


class WebhookDelivery:
    """Runs beside the HTTP server; woken by the emulator's signal whenever state changes."""

    def __init__(
        self,
        bots: Callable[[], Iterable[BotState]],
        signal: Signal,
        *,
        retry_delay: float = 0.2,
        timeout: float = 10.0,
    ) -> None:
        self._bots = bots
        self._signal = signal
        self.retry_delay = retry_delay
        self._timeout = timeout
        self._task: asyncio.Task | None = None
        self._session: aiohttp.ClientSession | None = None
        self._stopping = False

    def start(self) -> None:
        self._stopping = False
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout))
        self._task = asyncio.create_task(self._run(), name="emulator-webhook-delivery")

    async def stop(self) -> None:
        # Asked to end rather than cancelled: Python 3.11's wait_for can swallow a cancellation
        # that races with the signal firing, which would leave this task waiting forever.
        self._stopping = True
        self._signal.fire()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), self._timeout + 1)
            except TimeoutError:
                self._task.cancel()
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _next(self) -> tuple[BotState, QueuedUpdate] | bool | None:
        if self._stopping:
            return True
        for bot in self._bots():
            url = bot.webhook.get("url")
            if url and bot.updates and is_local_url(url):
                return bot, bot.updates[0]
        return None

    async def _run(self) -> None:
        while True:
            job = await self._signal.wait_until(self._next, timeout=3600)
            if self._stopping:
                return
            if not isinstance(job, tuple):
                continue
            bot, queued = job
            if not await self._post(bot, queued) and not self._stopping:
                await asyncio.sleep(self.retry_delay)

    async def _post(self, bot: BotState, queued: QueuedUpdate) -> bool:
        url = bot.webhook["url"]
        headers = {"Content-Type": "application/json"}
        if bot.webhook.get("secret_token"):
            headers[SECRET_HEADER] = str(bot.webhook["secret_token"])
        body = json.dumps(queued.update, ensure_ascii=False).encode()
        assert self._session is not None
        try:
            async with self._session.post(url, data=body, headers=headers) as response:
                status, reason = response.status, response.reason
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            return self._failed(bot, queued, url, None, f"Connection failed: {error!r}")
        if not 200 <= status < 300:
            message = f"Wrong response from the webhook: {status} {reason}"
            return self._failed(bot, queued, url, status, message)
        bot.webhook_deliveries.append(Delivery(queued.update_id, url, status))
        if queued in bot.updates:
            bot.updates.remove(queued)
        self._signal.fire()
        return True

    def _failed(
        self, bot: BotState, queued: QueuedUpdate, url: str, status: int | None, message: str
    ) -> bool:
        _LOGGER.info("webhook delivery of update %s failed: %s", queued.update_id, message)
        bot.webhook_deliveries.append(Delivery(queued.update_id, url, status, message))
        bot.webhook["last_error_date"] = int(time.time())
        bot.webhook["last_error_message"] = message
        self._signal.fire()
        return False
