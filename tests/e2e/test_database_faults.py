"""PostgreSQL going away: at start (wait, then give up or go on) and while the bot runs
(recover without a restart; what was in flight is rolled back, the user gets the apology).

The shared PostgreSQL server is never stopped: a TCP proxy between the bot and the server is
cut instead (tests/e2e/tcp_proxy.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import select

import crm.team
from bot.app import build_application, polling
from bot.config import load_settings
from storage.db import Database
from storage.models import Invite
from storage.schema import upgrade_async
from tests.conftest import POSTGRES_URL, fresh_schema
from tests.e2e.bot_process import (
    bot_process,
    environment,
    run_bot_command,
    scratch_postgres_database,
)
from tests.e2e.conftest import TOKEN, Clock
from tests.e2e.tcp_proxy import TcpProxy


async def test_an_unreachable_database_at_start_is_retried_then_named(emulator):
    proxy = TcpProxy.to_database(POSTGRES_URL)  # never opened: connections are refused
    with_password = make_url(POSTGRES_URL).set(password="pa55-word")
    url = proxy.url_through(with_password.render_as_string(hide_password=False))
    env = environment(
        TELEGRAM_BOT_TOKEN=TOKEN,
        BOT_API_URL=emulator.url,
        DATABASE_URL=url,
        DB_CONNECT_RETRIES="2",
        DB_CONNECT_INTERVAL_SECONDS="0.1",
    )
    async with bot_process(env=env) as bot:
        code = await bot.wait()
    assert code == 3, bot.log
    waits = [line for line in bot.log.splitlines() if "is not reachable" in line]
    assert [w.split("attempt ")[1] for w in waits] == [
        "1 of 3, next in 0.1 s",
        "2 of 3, next in 0.2 s",
    ]
    shown = make_url(url).render_as_string(hide_password=True)  # postgresql://user:***@...
    assert bot.lines[-1].startswith(
        f"error: cannot reach the database at {shown} after 3 attempts: "
    ), bot.log
    assert "Traceback" not in bot.log and TOKEN not in bot.log and "pa55-word" not in bot.log


@pytest.mark.postgres
async def test_the_bot_starts_once_the_database_answers(emulator):
    async with scratch_postgres_database() as url:
        await run_bot_command("db", "upgrade", env=environment(DATABASE_URL=url))
        proxy = TcpProxy.to_database(url)
        env = environment(
            TELEGRAM_BOT_TOKEN=TOKEN,
            BOT_API_URL=emulator.url,
            DATABASE_URL=proxy.url_through(url),
            DB_CONNECT_RETRIES="100",
            DB_CONNECT_INTERVAL_SECONDS="0.2",
        )
        async with bot_process(env=env) as bot:
            await bot.wait_for_line("is not reachable")
            async with proxy:
                await bot.wait_for_line("answers now")
                owner = emulator.user(1, "Olga", token=TOKEN)
                await owner.send("/start")
                reply = await owner.next_message(timeout=30)
                assert "company's name" in reply.text
                bot.interrupt()
                assert await bot.wait() == 0, bot.log
        assert "Traceback" not in bot.log


@pytest.mark.postgres
async def test_the_bot_recovers_when_the_database_comes_back(emulator, monkeypatch):
    async with fresh_schema() as schema:
        await upgrade_async(POSTGRES_URL, schema=schema)
        async with TcpProxy.to_database(POSTGRES_URL) as proxy:
            url = proxy.url_through(POSTGRES_URL)
            settings = load_settings(
                _env_file=None, telegram_bot_token=TOKEN, bot_api_url=emulator.url, database_url=url
            )
            database = Database(url, schema=schema)
            application = build_application(settings, database=database, clock=Clock())
            async with polling(application, poll_timeout=1):
                admin = emulator.user(1, "Olga", token=TOKEN)
                await admin.send("/start")
                await admin.next_message()
                await admin.send("Acme")
                await admin.next_message()
                await admin.send("/team")
                team = await admin.next_message()

                # The server goes away between the invite's INSERT and the commit.
                create_invite = crm.team.create_invite

                async def create_then_lose_the_server(*args, **kwargs):
                    created = await create_invite(*args, **kwargs)
                    await proxy.cut()
                    return created

                monkeypatch.setattr(crm.team, "create_invite", create_then_lose_the_server)
                answer = await admin.callback_answer(await admin.tap(team, "Invite a sales rep"))
                assert answer["show_alert"] and "Sorry" in answer["text"]
                monkeypatch.setattr(crm.team, "create_invite", create_invite)

                await admin.send("/help")  # while it is away: an apology, not silence
                apology = await admin.next_message()
                assert "Sorry, something went wrong" in apology.text

                await proxy.restore()  # the same bot process, no restart
                await admin.send("/team")
                team = await admin.next_message()
                await admin.tap(team, "Invite a sales rep")
                link = await admin.next_message()
                assert "Invite link" in link.text
                await admin.expect_no_message(within=0.5)

                # A restart while the bot is idle: every pooled connection is dead, and the
                # next update is answered as usual, with no apology.
                pooled = proxy.connections
                await proxy.cut()
                await proxy.restore()
                await admin.send("/help")
                assert "/team" in (await admin.next_message()).text
                assert proxy.connections > pooled  # it connected anew
            check = Database(POSTGRES_URL, schema=schema)
            async with check.transaction() as session:
                invites = (await session.exec(select(Invite))).all()
            await check.dispose()
            assert len(invites) == 1  # the one cut off before its commit left nothing
