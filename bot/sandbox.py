"""`python -m bot sandbox`: chat with the real bot in a terminal, no token, no internet.

It starts the Bot API emulator the tests use, runs the bot against it, and plays one Telegram
user whose messages you type. `/upload PATH` sends a file, a number taps that inline button of
the bot's last message with buttons, `/as ID [NAME]` switches to another user and pasting an
invite link opens it (to try invites), `/quit` leaves. Files the bot sends are saved to a
folder and named in the chat."""

from __future__ import annotations

import asyncio
import getpass
import os
import re
import sys
from pathlib import Path
from typing import TextIO

from bot import logs
from bot.app import build_application, polling
from bot.config import load_settings, normalize_database_url
from emulator import BotApiEmulator, BotMessage, FakeUser
from storage.db import Database
from storage.repositories import updates
from storage.schema import upgrade_async

SANDBOX_TOKEN = "1000001:SANDBOX"
SANDBOX_DATABASE = "sqlite+aiosqlite:///data/sandbox.db"
INVITE_LINK = re.compile(r"https://t\.me/\w+\?start=([\w-]+)")
REPLY_WAIT = 3.0  # seconds to wait for the bot's answer before reading the next line


class Terminal:
    """Prints what the bot says and remembers the buttons to tap by number."""

    def __init__(self, out: TextIO, files_dir: Path):
        self.out = out
        self.files_dir = files_dir
        self.buttons: list[tuple[int, int]] = []  # (message id, flat index) per number shown
        self.activity = asyncio.Event()

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def show(self, message: BotMessage, *, edited: bool = False) -> None:
        self.say(("✎ " if edited else "🤖 ") + (message.text or ""))
        if message.document:
            self.say(
                f"   📎 saved to {self._save(message.document.filename, message.document.data)}"
            )
        if message.photo:
            self.say(
                f"   🖼 saved to {self._save(f'photo-{message.message_id}.png', message.photo)}"
            )
        flat = [text for row in message.buttons for text in row]
        if flat:
            self.buttons = [(message.message_id, index) for index in range(len(flat))]
            for number, text in enumerate(flat, 1):
                self.say(f"   [{number}] {text}")
        self.activity.set()

    def _save(self, name: str | None, data: bytes) -> Path:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / Path(name or "file.bin").name
        path.write_bytes(data)
        return path


async def _follow(user: FakeUser, terminal: Terminal, kind: str) -> None:
    while True:
        try:
            if kind == "message":
                terminal.show(await user.next_message(timeout=3600))
            else:
                terminal.show(await user.next_edit(timeout=3600), edited=True)
        except AssertionError:  # nothing for an hour: keep waiting
            continue


async def _tap(user: FakeUser, terminal: Terminal, number: int) -> None:
    if not 1 <= number <= len(terminal.buttons):
        terminal.say("(no such button)")
        return
    message_id, index = terminal.buttons[number - 1]
    query = await user.tap(message_id, index)
    try:
        answer = await user.callback_answer(query, timeout=REPLY_WAIT)
    except AssertionError:
        return
    if answer.get("text"):
        terminal.say(("⚠ " if answer.get("show_alert") else "ℹ ") + answer["text"])
        terminal.activity.set()


async def chat(emulator: BotApiEmulator, lines: TextIO, terminal: Terminal) -> None:
    language = os.environ.get("LANG", "en")[:2]
    name = getpass.getuser().capitalize() or "You"
    user = emulator.user(1, name, language_code=language, token=SANDBOX_TOKEN)
    followers: list[asyncio.Task] = []

    def follow(current: FakeUser) -> None:
        for task in followers:
            task.cancel()
        followers[:] = [
            asyncio.create_task(_follow(current, terminal, kind)) for kind in ("message", "edit")
        ]

    follow(user)
    terminal.say(f"You are {name} (id 1). Type a message; /quit to leave.")
    try:
        while True:
            line = await asyncio.to_thread(lines.readline)
            if not line or line.strip() == "/quit":
                break
            text = line.strip()
            if not text:
                continue
            terminal.activity.clear()
            if text.isdigit():
                await _tap(user, terminal, int(text))
            elif text.startswith("/upload "):
                path = Path(text.removeprefix("/upload ").strip()).expanduser()  # noqa: ASYNC240
                if not await asyncio.to_thread(path.is_file):
                    terminal.say(f"(no file at {path})")
                    continue
                await user.upload(path)
            elif text.startswith("/as "):
                user_id, _, new_name = text.removeprefix("/as ").strip().partition(" ")
                if not user_id.isdigit():
                    terminal.say("(usage: /as ID [NAME])")
                    continue
                user = emulator.user(
                    int(user_id),
                    new_name or f"User {user_id}",
                    language_code=language,
                    token=SANDBOX_TOKEN,
                )
                follow(user)
                terminal.say(f"(you are now {user.first_name}, id {user_id})")
                continue
            else:
                # Opening an invite link in Telegram sends "/start CODE" to the bot.
                link = INVITE_LINK.fullmatch(text)
                await user.send(f"/start {link.group(1)}" if link else text)
            try:
                await asyncio.wait_for(terminal.activity.wait(), REPLY_WAIT)
                await asyncio.sleep(0.2)  # let a burst of messages arrive before the next line
            except TimeoutError:
                pass
    finally:
        for task in followers:
            task.cancel()


async def _continue_update_ids(emulator: BotApiEmulator, database_url: str) -> None:
    """Telegram never reuses an update id; a fresh emulator would start again at 1 and the bot
    would skip those as already processed. Continue after the last one this database saw."""
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            bot_id = int(SANDBOX_TOKEN.split(":")[0])
            last = await updates.last_update_id(session, bot_id=bot_id)
    finally:
        await database.dispose()
    emulator.bot(SANDBOX_TOKEN).next_update_id = (last or 0) + 1


async def sandbox(database_url: str, files_dir: Path, lines: TextIO, out: TextIO) -> None:
    await upgrade_async(database_url)
    async with BotApiEmulator(token=SANDBOX_TOKEN, bot_username="crm_sandbox_bot") as emulator:
        await _continue_update_ids(emulator, database_url)
        settings = load_settings(
            telegram_bot_token=SANDBOX_TOKEN, bot_api_url=emulator.url, database_url=database_url
        )
        application = build_application(settings)
        async with polling(application, poll_timeout=1):
            await chat(emulator, lines, Terminal(out, files_dir))


def run_sandbox(database_url: str | None = None, files_dir: str = "sandbox-files") -> int:
    logs.configure("WARNING", [SANDBOX_TOKEN])
    url = normalize_database_url(database_url or SANDBOX_DATABASE)
    asyncio.run(sandbox(url, Path(files_dir), sys.stdin, sys.stdout))
    return 0
