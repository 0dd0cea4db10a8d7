"""Webhook mode: an aiohttp server that takes Telegram's POSTs and answers load balancers.

An accepted update goes into `application.update_queue`, the queue the polling Updater fills,
so it takes the same path from there: PerChatUpdateProcessor (one chat's updates in order) and
the processed-update ledger (an update posted twice has its effect once). The server answers
200 as soon as the update is queued, so Telegram never waits on the database."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import Application

from bot.app import started
from bot.config import HEALTH_PATHS, Settings
from storage.db import Database

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Updates are a few kilobytes; anything far larger is not from Telegram.
MAX_BODY_BYTES = 1024 * 1024
HEALTH_TIMEOUT_SECONDS = 2.0
SET_WEBHOOK_ATTEMPTS = 5


def web_app(
    application: Application, *, path: str, secret: str, database: Database
) -> web.Application:
    """POST `path`: one update from Telegram; GET /healthz and /health: is the database up."""
    if not secret:
        raise ValueError("a webhook without a secret token would take updates from anyone")

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        # Constant time, so the secret cannot be guessed byte by byte from response times.
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning(
                "webhook request from %s with a %s secret token refused",
                request.remote,
                "wrong" if given else "missing",
            )
            return web.Response(status=403, text="forbidden")
        try:  # aiohttp answers 413 itself for a body over client_max_size
            data = json.loads(await request.read())
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError, AttributeError):
            update = None
        if update is None:
            return web.Response(status=400, text="not a Telegram update")
        await application.update_queue.put(update)
        return web.Response(status=200)

    async def health(_request: web.Request) -> web.Response:
        try:
            await asyncio.wait_for(database.ping(), HEALTH_TIMEOUT_SECONDS)
        except Exception as error:  # any failure means: do not send traffic here
            log.warning("health check: the database does not answer: %r", error)
            return web.json_response({"status": "unavailable"}, status=503)
        return web.json_response({"status": "ok"})

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post(path, receive)
    for health_path in HEALTH_PATHS:
        app.router.add_get(health_path, health)
    return app


@dataclass
class WebhookServer:
    runner: web.AppRunner

    @property
    def port(self) -> int:
        return self.runner.addresses[0][1]


@asynccontextmanager
async def serve(
    application: Application, *, listen: str, port: int, path: str, secret: str, database: Database
) -> AsyncIterator[WebhookServer]:
    """Serve `web_app` on listen:port until the block ends."""
    runner = web.AppRunner(
        web_app(application, path=path, secret=secret, database=database),
        access_log=None,
        shutdown_timeout=5.0,
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, listen, port).start()
        yield WebhookServer(runner)
    finally:
        await runner.cleanup()


@asynccontextmanager
async def webhook(
    application: Application, settings: Settings, *, allowed_updates: list[str]
) -> AsyncIterator[WebhookServer]:
    """Run the bot in webhook mode inside a running event loop (the CLI, tests).

    The server starts before setWebhook, so Telegram's first POST finds it listening. On the way
    out the webhook is left registered: other instances may still serve it, and a restart
    continues where this one stopped (Telegram keeps the updates meanwhile)."""
    database: Database = application.bot_data["services"].database
    async with (
        started(application),
        serve(
            application,
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            path=settings.webhook_route,
            secret=settings.webhook_secret or "",
            database=database,
        ) as server,
    ):
        await _register(application, settings, allowed_updates)
        log.info(
            "webhook mode: listening on %s:%s%s for %s",
            settings.webhook_listen,
            server.port,
            settings.webhook_route,
            settings.webhook_url,
        )
        yield server
        # Leaving: the server stops taking updates first; then stop() finishes the queued ones.


async def _register(
    application: Application, settings: Settings, allowed_updates: list[str]
) -> None:
    """setWebhook, retried a few times: a deploy should not fail on one network hiccup."""
    for attempt in range(SET_WEBHOOK_ATTEMPTS):
        try:
            await application.bot.set_webhook(
                settings.webhook_url or "",
                secret_token=settings.webhook_secret,
                allowed_updates=allowed_updates,
                drop_pending_updates=False,
            )
            return
        except BadRequest:  # a URL Telegram refuses: trying again will not help
            raise
        except RetryAfter as error:
            wait = error.retry_after
            delay = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        except NetworkError as error:  # TimedOut included
            delay = 2.0**attempt
            log.warning("setWebhook failed (%s); trying again in %.0f s", error, delay)
        if attempt == SET_WEBHOOK_ATTEMPTS - 1:
            break
        await asyncio.sleep(delay)
    raise RuntimeError(f"could not register the webhook in {SET_WEBHOOK_ATTEMPTS} attempts")


async def run_until_signalled(
    application: Application, settings: Settings, *, allowed_updates: list[str]
) -> None:
    """`python -m bot` in webhook mode: serve until SIGINT or SIGTERM."""
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with webhook(application, settings, allowed_updates=allowed_updates):
        await stop.wait()
    log.info("webhook mode: stopped; the webhook stays registered with Telegram")
