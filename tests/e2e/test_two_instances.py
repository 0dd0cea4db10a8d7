"""Two bot instances on one PostgreSQL database and one Bot API: a conversation goes on from
one to the other, an update both receive has its effect and its reply once, and a due reminder
goes out once when both run their reminder job at the same moment (also one a dead instance
claimed, once its lease ran out), and so does a due digest.

Telegram gives each update to one getUpdates caller only, so two instances scale out behind a
webhook. Here a router plays the load balancer: it takes the updates the emulator queues and
hands them to the instance (or, to prove the ledger, both instances) the test chooses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select
from telegram import Update
from telegram.ext import Application

from bot.app import build_application, started
from bot.config import load_settings
from crm import followups
from emulator import BotApiEmulator
from handlers import digests_job, reminders
from storage.db import Database
from storage.models import DigestDelivery, Invite, ProcessedUpdate
from storage.schema import upgrade_async
from tests.conftest import POSTGRES_URL, fresh_schema
from tests.e2e.activity_helpers import add_contact, add_organization
from tests.e2e.conftest import TOKEN, Clock, RunningBot

pytestmark = pytest.mark.postgres  # SQLite is one file for one instance


class Router:
    """Hands every update the emulator queues to the instances in `to` (a load balancer)."""

    def __init__(self, emulator: BotApiEmulator) -> None:
        self.state = emulator.bot(TOKEN)
        self.to: list[Application] = []
        self._task: asyncio.Task | None = None

    async def _forward(self) -> None:
        while True:
            await self.state.signal.wait_until(lambda: bool(self.state.updates), 1.0)
            for data in self.state.take_updates(100):
                self.state.confirm(data["update_id"] + 1)
                for application in self.to:
                    await application.update_queue.put(Update.de_json(data, application.bot))

    def __enter__(self) -> Router:
        self._task = asyncio.create_task(self._forward())
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._task is not None
        self._task.cancel()


@pytest.fixture
async def instances(emulator) -> AsyncIterator[tuple[RunningBot, Application, Application]]:
    clock = Clock()
    async with fresh_schema() as schema:
        await upgrade_async(POSTGRES_URL, schema=schema)
        settings = load_settings(
            _env_file=None,
            telegram_bot_token=TOKEN,
            bot_api_url=emulator.url,
            database_url=POSTGRES_URL,
            reminder_interval_seconds=3600,  # the tests run the reminder and digest jobs
            digest_interval_seconds=3600,
        )

        def instance() -> Application:
            database = Database(POSTGRES_URL, schema=schema)
            return build_application(settings, database=database, clock=clock)

        async with started(instance()) as first, started(instance()) as second:
            services = first.bot_data["services"]
            yield RunningBot(emulator, services.database, settings, clock), first, second


async def test_a_conversation_goes_on_at_the_other_instance(instances, emulator):
    bot, first, second = instances
    owner = bot.user(1, "Olga")
    with Router(emulator) as router:
        router.to = [first]
        await owner.send("/start")
        assert "company's name" in (await owner.next_message()).text
        router.to = [second]  # step 2 reaches the other instance: the step is in the database
        await owner.send("Acme Trading")
        assert "Acme Trading" in (await owner.next_message()).text
        router.to = [first]
        await owner.send("/team")  # and the workspace B created is A's too
        team = await owner.next_message()
        assert "Team of Acme Trading" in team.text, team.text


async def test_an_update_both_instances_receive_counts_once(instances, emulator):
    bot, first, second = instances
    admin = bot.user(1, "Olga")
    with Router(emulator) as router:
        router.to = [first]
        await bot.onboard(admin)
        await admin.send("/team")
        team = await admin.next_message()
        router.to = [first, second]  # the same tap, delivered to both at once
        await admin.tap(team, "Invite a sales rep")
        link = await admin.next_message()
        assert "Invite link" in link.text
        await admin.expect_no_message(within=1.0)  # one reply, not two
        router.to = [second, first]
        await admin.send("/help")
        await admin.next_message()
        await admin.expect_no_message(within=1.0)
    async with bot.database.transaction() as session:
        assert len((await session.exec(select(Invite))).all()) == 1
        claimed = (await session.exec(select(ProcessedUpdate.update_id))).all()
    assert len(claimed) == len(set(claimed))
    answers = emulator.calls_to("answerCallbackQuery")
    assert len(answers) == 1  # the spinner stopped once, by the instance that did the work


async def _run_at_once(job_name: str, *applications: Application) -> None:
    """One round of the job in every instance at the same moment."""
    jobs = [(a.job_queue.get_jobs_by_name(job_name), a) for a in applications]
    await asyncio.gather(*(job.run(a) for [job], a in jobs))


async def test_a_due_reminder_is_sent_once_by_two_instances_at_the_same_moment(instances, emulator):
    bot, first, second = instances
    anna = bot.user(1, "Anna")
    with Router(emulator) as router:
        router.to = [first]
        await bot.onboard(anna)
        org = await add_organization(bot, anna, "Romashka")
        await add_contact(bot, anna, "Ivan Petrov", organization_id=org.id)
        await anna.send("/call Petrov discussed prices, call back in 1 hour")
        await anna.next_message()
    bot.clock.advance(hours=1)
    for _ in range(5):  # several rounds, each with both instances at once
        await _run_at_once(reminders.JOB_NAME, first, second)
    reminder = await anna.next_message()
    assert reminder.text.startswith("⏰ Call back Ivan Petrov")
    await anna.expect_no_message(within=0.5)


async def test_a_dead_instances_claim_is_taken_over_by_one_instance_once(instances, emulator):
    bot, first, second = instances
    anna = bot.user(1, "Anna")
    with Router(emulator) as router:
        router.to = [first]
        await bot.onboard(anna)
        await add_contact(bot, anna, "Ivan Petrov")
        await anna.send("/call Petrov discussed prices, call back in 1 hour")
        await anna.next_message()
    bot.clock.advance(hours=1)
    async with bot.database.transaction() as session:  # a third instance claims, then dies
        assert len(await followups.claim_reminders(session, now=bot.clock.now)) == 1
    sent_before = len(emulator.calls_to("sendMessage"))
    bot.clock.advance(minutes=9)
    await _run_at_once(reminders.JOB_NAME, first, second)
    assert len(emulator.calls_to("sendMessage")) == sent_before  # still its lease
    bot.clock.advance(minutes=1)
    for _ in range(5):  # the lease ran out: both take it over at once, rounds after rounds
        await _run_at_once(reminders.JOB_NAME, first, second)
    assert len(emulator.calls_to("sendMessage")) == sent_before + 1
    assert (await anna.next_message()).text.startswith("⏰ Call back Ivan Petrov")


async def test_a_due_digest_is_sent_once_by_two_instances_at_the_same_moment(instances, emulator):
    bot, first, second = instances
    olga = bot.user(1, "Olga")
    with Router(emulator) as router:
        router.to = [first]
        await bot.onboard(olga)
    await _run_at_once(digests_job.JOB_NAME, first, second)  # they meet the admin: no digest
    await olga.expect_no_message(within=0.3)
    bot.clock.advance(hours=6)  # 18:00 in Moscow, the workspace's zone
    for _ in range(5):
        await _run_at_once(digests_job.JOB_NAME, first, second)
    assert (await olga.next_message()).text.startswith("📊 Daily digest")
    await olga.expect_no_message(within=0.5)
    async with bot.database.transaction() as session:
        [row] = (await session.exec(select(DigestDelivery))).all()
    assert row.sent_at is not None and row.attempts == 1
