"""Webhook mode: the emulator POSTs updates to the real bot's aiohttp server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from sqlmodel import select

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import load_settings
from bot.webhook import SECRET_HEADER, serve, webhook
from emulator.driver import command_entities
from storage.db import Database
from storage.models import ProcessedUpdate
from tests.conftest import POSTGRES_URL
from tests.e2e.bot_process import bot_process, environment, run_bot_command
from tests.e2e.conftest import TOKEN, Clock, RunningBot
from tests.e2e.tcp_proxy import free_port

POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
SECRET = "s3cret_webhook-Token"
PATH = "/telegram/hook"


@pytest.fixture
def start_webhook_bot(emulator, database_url):
    clock = Clock()

    @asynccontextmanager
    async def run() -> AsyncIterator[tuple[RunningBot, str]]:
        url, schema = database_url
        port = free_port()
        settings = load_settings(
            _env_file=None,
            telegram_bot_token=TOKEN,
            bot_api_url=emulator.url,
            database_url=url,
            webhook_url=f"http://127.0.0.1:{port}{PATH}",
            webhook_secret=SECRET,
            webhook_listen="127.0.0.1",
            webhook_port=port,
        )
        database = Database(url, schema=schema)
        application = build_application(settings, database=database, clock=clock)
        async with webhook(application, settings, allowed_updates=ALLOWED_UPDATES):
            yield RunningBot(emulator, database, settings, clock), f"http://127.0.0.1:{port}"

    return run


def forged_update(running: RunningBot, user, text: str, update_id: int) -> dict:
    """An update as Telegram would post it, without putting it in the emulator's queue."""
    state = running.emulator.bot(TOKEN)
    chat = state.private_chat(user.profile)
    content = {"text": text, "entities": command_entities(text)}
    stored = state.add_message(chat, content, sender=user.profile)
    return {"update_id": update_id, "message": stored.data}


async def post(base: str, body: bytes | dict, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{base}{PATH}", data=data, headers=headers) as response,
    ):
        return response.status


async def ledger_has(database: Database, update_id: int) -> bool:
    async with database.transaction() as session:
        rows = await session.exec(
            select(ProcessedUpdate).where(ProcessedUpdate.update_id == update_id)
        )
        return rows.first() is not None


async def test_a_conversation_runs_over_the_webhook(start_webhook_bot, emulator):
    async with start_webhook_bot() as (running, _base):
        hook = emulator.bot(TOKEN).webhook
        assert hook["url"] == running.settings.webhook_url
        assert hook["secret_token"] == SECRET
        assert hook["allowed_updates"] == ALLOWED_UPDATES

        owner = running.user(1, "Olga")
        await owner.send("/start")
        assert "company's name" in (await owner.next_message()).text
        await owner.send("Acme Trading")
        assert "Acme Trading" in (await owner.next_message()).text

    assert emulator.calls_to("getUpdates") == []
    deliveries = emulator.bot(TOKEN).webhook_deliveries
    # the emulator records a delivery on reading the bot's answer, which may come after the reply
    await emulator.wait_until(lambda: len(deliveries) >= 2, what="both deliveries recorded")
    assert len(deliveries) == 2 and {d.status for d in deliveries} == {200}
    # Stopping leaves the webhook registered: another instance may serve it.
    assert emulator.bot(TOKEN).webhook["url"] == running.settings.webhook_url
    assert emulator.calls_to("deleteWebhook") == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_registering_the_webhook_survives_a_bad_gateway(start_webhook_bot, emulator):
    emulator.fail_next("setWebhook", status=502)
    async with start_webhook_bot() as (running, _base):
        assert [call.status for call in emulator.calls if call.method == "setWebhook"] == [502, 200]
        owner = running.user(1, "Olga")
        await owner.send("/start")
        assert "company's name" in (await owner.next_message()).text


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_runs(start_webhook_bot):
    async with start_webhook_bot() as (running, base):
        owner = await running.onboard(running.user(1, "Olga"))

        for secret in ("wrong", "", None, SECRET[:-1], SECRET + "x"):
            update = forged_update(running, owner, "/help", update_id=9000)
            assert await post(base, update, secret) == 403, secret
        await owner.expect_no_message(within=0.5)
        assert not await ledger_has(running.database, 9000)

        assert await post(base, forged_update(running, owner, "/help", 9000), SECRET) == 200
        assert "/team" in (await owner.next_message()).text
        assert await ledger_has(running.database, 9000)


async def test_the_same_update_posted_twice_is_answered_once(start_webhook_bot):
    async with start_webhook_bot() as (running, base):
        owner = await running.onboard(running.user(1, "Olga"))
        update = forged_update(running, owner, "/help", update_id=9100)
        assert await post(base, update, SECRET) == 200
        assert await post(base, update, SECRET) == 200
        assert "/team" in (await owner.next_message()).text
        await owner.expect_no_message(within=0.7)


@POSTGRES_ONLY  # several instances run on PostgreSQL
async def test_the_same_update_posted_to_two_instances_at_once_is_answered_once(start_webhook_bot):
    async with start_webhook_bot() as (running, first), start_webhook_bot() as (_, second):
        owner = await running.onboard(running.user(1, "Olga"))
        update = forged_update(running, owner, "/help", update_id=9200)
        statuses = await asyncio.gather(post(first, update, SECRET), post(second, update, SECRET))
        assert statuses == [200, 200]
        assert "/team" in (await owner.next_message()).text
        await owner.expect_no_message(within=1.0)
        assert await ledger_has(running.database, 9200)


async def test_stopping_finishes_the_update_in_hand(start_webhook_bot, emulator):
    async with start_webhook_bot() as (running, base):
        owner = await running.onboard(running.user(1, "Olga"))
        emulator.delay_next("sendMessage", 1.0)  # the reply is still on its way when we stop
        since = len(emulator.calls)
        assert await post(base, forged_update(running, owner, "/help", 9300), SECRET) == 200
        await emulator.wait_for_calls("sendMessage", since=since, answered=False)
    assert "/team" in (await owner.next_message()).text  # finished before the bot stopped
    assert await ledger_has(running.database, 9300)


async def test_bad_bodies_get_client_errors(start_webhook_bot):
    async with start_webhook_bot() as (running, base):
        owner = await running.onboard(running.user(1, "Olga"))
        assert await post(base, b"{not json", SECRET) == 400
        assert await post(base, b"[1, 2]", SECRET) == 400
        assert await post(base, b'{"message": {"text": "no update id"}}', SECRET) == 400
        assert (
            await post(base, b'{"update_id": 1, "pad": "' + b"x" * 2_000_000 + b'"}', SECRET) == 413
        )
        async with aiohttp.ClientSession() as session, session.get(f"{base}{PATH}") as response:
            assert response.status == 405
        await owner.expect_no_message(within=0.3)


async def test_health_answers_ok_while_the_database_answers(start_webhook_bot):
    async with start_webhook_bot() as (_running, base), aiohttp.ClientSession() as session:
        for path in ("/healthz", "/health"):
            async with session.get(f"{base}{path}") as response:
                assert response.status == 200
                assert await response.json() == {"status": "ok"}


@pytest.mark.postgres
async def test_health_is_503_when_the_database_does_not_answer(emulator):
    closed_port = free_port()  # nothing listens there
    url = POSTGRES_URL.replace(":5432/", f":{closed_port}/")
    assert url != POSTGRES_URL
    settings = load_settings(
        _env_file=None, telegram_bot_token=TOKEN, bot_api_url=emulator.url, database_url=url
    )
    database = Database(url)
    application = build_application(settings, database=database)
    try:
        async with (
            serve(
                application,
                listen="127.0.0.1",
                port=0,
                path=PATH,
                secret=SECRET,
                database=database,
            ) as server,
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{server.port}/healthz") as response,
        ):
            assert response.status == 503
            assert await response.json() == {"status": "unavailable"}
    finally:
        await database.dispose()


async def test_python_m_bot_serves_the_webhook_and_stops_on_sigterm(emulator, tmp_path):
    port = free_port()
    env = environment(
        TELEGRAM_BOT_TOKEN=TOKEN,
        BOT_API_URL=emulator.url,
        DATABASE_URL=f"sqlite:///{tmp_path}/crm.db",
        WEBHOOK_URL=f"http://127.0.0.1:{port}{PATH}",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1",
        PORT=str(port),  # as Heroku gives it
    )
    await run_bot_command("db", "upgrade", env=env)
    async with bot_process(env=env) as bot:
        owner = emulator.user(1, "Olga", token=TOKEN)
        await owner.send("/start")
        assert "company's name" in (await owner.next_message(timeout=30)).text
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            assert response.status == 200
        bot.terminate()
        assert await bot.wait() == 0, bot.log
    log = bot.log
    assert "starting in webhook mode" in log and f"listening on 127.0.0.1:{port}{PATH}" in log
    assert "the webhook stays registered" in log
    assert SECRET not in log and TOKEN.split(":")[1] not in log
    assert emulator.calls_to("getUpdates") == []
