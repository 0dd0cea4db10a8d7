"""Issue 7 load benchmark: simulated sales reps drive one running bot through the emulator.

A fresh database (a SQLite file in a temporary folder; on PostgreSQL a scratch schema, dropped
afterwards) gets one workspace whose members are seeded directly through the storage layer
(`bench.field_sales.fill`: an admin and one rep per simulated user, no invite round trips),
with a few thousand organizations, contacts and activities. The real bot (`bot.app`) then
polls the Bot API emulator in this process, and every user sends its updates concurrently
with the others, each one waiting for the bot's reply before the next: searches (name
fragments, phones in any format, runs of digits, tax ids, e-mails), taps on a search result's
button (the card), and calls logged in one message (`/call +7... note tomorrow at 10`).

Latency of an update: from the moment the emulator queues it to the moment it records the
bot's reply (a message or an edit in that chat; `BotState.listeners`). Also counted: updates
left unanswered, warnings and errors in the bot's log ("database is locked" on its own).
Baselines in the same run, to read the numbers against the machine: the same users sending
as many messages to a bot that only echoes them (the emulator, HTTP and python-telegram-bot,
no database), and one user alone sending the same kind of updates to the real bot.

    .venv/bin/python -m bench.load [--db sqlite|postgresql|both] [--users 200] [--updates 20]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import tempfile
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, MessageHandler, filters

from bench.common import machine, postgres_problem, scratch_url, summary, write_results
from bench.field_sales import NOTES, NOUNS, fill, phone_e164, search_queries
from bot.app import build_application, polling
from bot.config import load_settings
from bot.processing import PerChatUpdateProcessor
from emulator import BotApiEmulator, FakeUser
from emulator.state import ChatEvent, ChatState
from storage.db import Database
from storage.schema import upgrade_async

os.environ.setdefault("PTB_TIMEDELTA", "1")  # as in the tests: RetryAfter without a warning

TOKEN = "123456:LOAD-BENCH-TOKEN"
USERS, UPDATES = 200, 20
REPLY_TIMEOUT = 60.0  # seconds an update may wait for its reply before it counts as unanswered
LOCKED = "database is locked"


@dataclass(frozen=True)
class Dataset:
    organizations: int = 3_000
    contacts: int = 5_000
    activities: int = 20_000


@dataclass(frozen=True)
class Step:
    kind: str  # "search", "card" (tap the first result of the previous reply), "call", "echo"
    text: str  # what to send; for "card", the search sent instead when there is nothing to tap


def script(rng: random.Random, count: int, data: Dataset) -> list[Step]:
    """One user's updates, in rounds of four: a name fragment that finds many records, a tap
    on the first of them, another kind of search, a call logged in one message. Calls name
    their contact by phone: a name could match several people and open a question flow."""
    queries = search_queries(rng, data.organizations, data.contacts, count)
    steps = []
    for n in range(count):
        fragment = NOUNS[rng.randrange(len(NOUNS))][:4].lower()
        contact = rng.randint(1, data.contacts)
        steps.append(
            [
                Step("search", fragment),
                Step("card", fragment),
                Step("search", queries[n]),
                Step("call", f"/call {phone_e164(contact)} {NOTES[n % len(NOTES)]} завтра в 10"),
            ][n % 4]
        )
    return steps


def echo_script(count: int) -> list[Step]:
    return [Step("echo", f"echo {n}") for n in range(count)]


class Inbox:
    """The bot's replies in one chat with the moment the emulator recorded each."""

    def __init__(self) -> None:
        self.replies: deque[tuple[float, ChatEvent]] = deque()
        self._waiter: asyncio.Future | None = None

    def put(self, moment: float, event: ChatEvent) -> None:
        self.replies.append((moment, event))
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next(self, timeout: float) -> tuple[float, ChatEvent] | None:
        if not self.replies:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(self._waiter, timeout)
            except TimeoutError:
                return None
            finally:
                self._waiter = None
        return self.replies.popleft()


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    unanswered: int = 0
    not_sent: int = 0  # the rest of a user's updates after one went unanswered
    extra_replies: int = 0  # more than one message for an update (counted, not timed)

    @property
    def answered(self) -> int:
        return sum(len(values) for values in self.latencies.values())


def first_card_button(event: ChatEvent | None) -> str | None:
    markup = (event.message.data.get("reply_markup") or {}) if event and event.message else {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if str(button.get("callback_data", "")).startswith("card:"):
                return button["callback_data"]
    return None


async def play(user: FakeUser, inbox: Inbox, steps: list[Step], tally: Tally) -> None:
    """Send each update, wait for its reply; stop at the first one left unanswered."""
    last: ChatEvent | None = None
    for done, step in enumerate(steps):
        tally.extra_replies += len(inbox.replies)
        inbox.replies.clear()
        kind = step.kind
        button = first_card_button(last) if kind == "card" else None
        if kind == "card" and button is None:
            kind = "search"
        started = time.perf_counter()
        if button is not None:
            await user.tap_data(last.message.message_id, button)
        else:
            await user.send(step.text)
        reply = await inbox.next(REPLY_TIMEOUT)
        if reply is None:
            tally.unanswered += 1
            tally.not_sent += len(steps) - done - 1
            return
        moment, last = reply
        tally.latencies.setdefault(kind, []).append((moment - started) * 1000)


class LogTally(logging.Handler):
    """Warnings and errors logged anywhere in the process while the users play."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.texts: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append((record.levelno, self.format(record)))

    def summary(self) -> dict:
        errors = [text for level, text in self.texts if level >= logging.ERROR]
        return {
            "errors": len(errors),
            "warnings": len(self.texts) - len(errors),
            "database_is_locked": sum(LOCKED in text for _, text in self.texts),
            "samples": sorted({text.splitlines()[0][:200] for _, text in self.texts})[:10],
        }


@asynccontextmanager
async def watching_logs() -> AsyncIterator[LogTally]:
    tally = LogTally()
    root = logging.getLogger()
    root.addHandler(tally)
    try:
        yield tally
    finally:
        root.removeHandler(tally)


async def drive(emu: BotApiEmulator, scripts: dict[int, list[Step]]) -> dict:
    """All users (Telegram id -> steps) at once against the bot polling `emu`."""
    inboxes = {user_id: Inbox() for user_id in scripts}

    def on_event(chat: ChatState, event: ChatEvent) -> None:
        inbox = inboxes.get(chat.id)
        if inbox is not None and event.kind in ("message", "edit"):
            inbox.put(time.perf_counter(), event)

    listeners = emu.bot(TOKEN).listeners
    listeners.append(on_event)
    tally = Tally()
    users = {user_id: emu.user(user_id, f"Rep {user_id}", token=TOKEN) for user_id in scripts}
    load_before = os.getloadavg()
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        async with watching_logs() as logs:
            await asyncio.gather(
                *(play(users[u], inboxes[u], steps, tally) for u, steps in scripts.items())
            )
            await asyncio.sleep(0.2)  # late extra replies still count
    finally:
        listeners.remove(on_event)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    tally.extra_replies += sum(len(inbox.replies) for inbox in inboxes.values())
    everything = [ms for values in tally.latencies.values() for ms in values]
    return {
        "users": len(scripts),
        "updates": sum(len(steps) for steps in scripts.values()),
        "answered": tally.answered,
        "unanswered": tally.unanswered,
        "not_sent_after_unanswered": tally.not_sent,
        "extra_replies": tally.extra_replies,
        "log": logs.summary(),
        "latency": with_max(everything),
        "latency_by_kind": {kind: with_max(v) for kind, v in sorted(tally.latencies.items())},
        "updates_per_second": round(tally.answered / wall, 1),
        "wall_seconds": round(wall, 2),
        # bot, emulator and users share this process: CPU per update is the harness's cost
        # plus the bot's; aiosqlite's threads can run a little beside the event loop
        "process_cpu_seconds": round(cpu, 2),
        "cpu_ms_per_update": round(cpu * 1000 / max(tally.answered, 1), 2),
        "load_average": {"before": rounded(load_before), "after": rounded(os.getloadavg())},
    }


def with_max(durations: list[float]) -> dict:
    if not durations:
        return {"n": 0}
    return {**summary(durations), "max_ms": round(max(durations), 3)}


def rounded(values) -> list[float]:
    return [round(v, 2) for v in values]


@asynccontextmanager
async def running(application: Application) -> AsyncIterator[Application]:
    """A bare python-telegram-bot application polling the emulator like the bot does."""
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def baseline_echo(users: list[int], updates: int) -> dict:
    """The same users and message count against a bot that only echoes: what the emulator,
    HTTP and python-telegram-bot cost on this machine, without the CRM and its database."""

    async def echo(update: Update, _context) -> None:
        await update.message.reply_text(update.message.text)

    async with BotApiEmulator(token=TOKEN) as emu:
        application = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(emu.base_url)
            .base_file_url(emu.base_file_url)
            .concurrent_updates(PerChatUpdateProcessor())
            .build()
        )
        application.add_handler(MessageHandler(filters.TEXT, echo))
        async with running(application):
            return await drive(emu, {user: echo_script(updates) for user in users})


@asynccontextmanager
async def crm_bot(url: str, schema: str | None) -> AsyncIterator[BotApiEmulator]:
    """The real bot on this database, polling a fresh emulator. Reminder rounds are pushed
    out of the run (the seeded follow-ups are due: they would send unasked messages)."""
    async with BotApiEmulator(token=TOKEN) as emu:
        settings = load_settings(
            _env_file=None,
            telegram_bot_token=TOKEN,
            bot_api_url=emu.url,
            database_url=url,
            reminder_interval_seconds=3600,
            telegram_rate_limit=False,  # the emulator has no flood limits: measure the bot
        )
        application = build_application(settings, database=Database(url, schema=schema))
        async with polling(application, poll_timeout=1):
            yield emu


async def seed(url: str, schema: str | None, users: int, data: Dataset) -> float:
    started = time.perf_counter()
    await upgrade_async(url, schema=schema)
    database = Database(url, schema=schema)
    try:
        await fill(
            database,
            data.organizations,
            data.contacts,
            data.activities,
            random.Random(7),
            members=users + 1,
        )
    finally:
        await database.dispose()
    return round(time.perf_counter() - started, 1)


def user_ids(users: int) -> list[int]:
    """Telegram ids of the reps (member m is user 1000 + m; member 1 is the admin)."""
    return [1002 + n for n in range(users)]


async def run_database(
    kind: str,
    folder: Path,
    *,
    users: int = USERS,
    updates: int = UPDATES,
    data: Dataset = Dataset(),
    baseline: bool = True,
) -> dict:
    """The whole benchmark on one database kind: seed, baselines, the load itself."""
    rng = random.Random(42)
    reps = user_ids(users)
    result: dict = {}
    if baseline:
        result["baseline_echo"] = await baseline_echo(reps, updates)
    async with scratch_url(kind, folder) as (url, schema):
        result["seed_seconds"] = await seed(url, schema, users, data)
        async with crm_bot(url, schema) as emu:
            if baseline:  # also warms the bot up: caches, first queries
                result["single_user"] = await drive(emu, {1001: script(rng, updates, data)})
            result["load"] = await drive(emu, {u: script(rng, updates, data) for u in reps})
    if baseline:
        load, echo = result["load"], result["baseline_echo"]
        result["p95_vs_baseline_echo"] = round(
            load["latency"]["p95_ms"] / echo["latency"]["p95_ms"], 2
        )
        result["throughput_vs_baseline_echo"] = round(
            load["updates_per_second"] / echo["updates_per_second"], 3
        )
    return result


async def run(kinds: list[str], users: int, updates: int) -> dict:
    data = Dataset()
    results: dict = {
        "users": users,
        "updates_per_user": updates,
        "dataset": {
            "organizations": data.organizations,
            "contacts": data.contacts,
            "activities": data.activities,
            "members": users + 1,
        },
        "machine": {**machine(), "load_average_start": rounded(os.getloadavg())},
        "runs": {},
    }
    for kind in kinds:
        if kind == "postgresql" and (problem := await postgres_problem()):
            print(f"postgresql skipped: {problem}", flush=True)
            results["runs"][kind] = {"skipped": problem}
            continue
        with tempfile.TemporaryDirectory() as folder:
            outcome = await run_database(kind, Path(folder), users=users, updates=updates)
        results["runs"][kind] = outcome
        print(kind, outcome, flush=True)
    results["machine"]["load_average_end"] = rounded(os.getloadavg())
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--updates", type=int, default=UPDATES)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = asyncio.run(run(kinds, args.users, args.updates))
    if (args.users, args.updates) == (USERS, UPDATES):
        print("written", write_results("load", results))


if __name__ == "__main__":
    main()
