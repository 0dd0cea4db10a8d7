"""`python -m bot` as a real process (to kill it, or start it before its database), and a
PostgreSQL database of its own for it (the process cannot be pointed at a test schema)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL, _run_sql, require_postgres

ROOT = Path(__file__).resolve().parents[2]


def environment(**values: str) -> dict[str, str]:
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "TELEGRAM_", "DB_", "BOT_API_"))
    }
    return {**keep, "LOG_LEVEL": "INFO", **values}


class BotProcess:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._changed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.lines.append(line.decode(errors="replace").rstrip("\n"))
            self._changed.set()
        self._changed.set()

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    async def wait_for_line(self, text: str, timeout: float = 60) -> str:
        async def seen() -> str:
            while True:
                for line in self.lines:
                    if text in line:
                        return line
                if self._reader.done():
                    raise AssertionError(f"the bot ended without saying {text!r}:\n{self.log}")
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(seen(), timeout)

    async def wait(self, timeout: float = 60) -> int:
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await self._reader
        return code

    def kill(self) -> None:
        """SIGKILL to the bot and any worker processes it started, as a supervisor does."""
        os.killpg(self.process.pid, signal.SIGKILL)

    def interrupt(self) -> None:
        self.process.send_signal(signal.SIGINT)

    def terminate(self) -> None:
        """SIGTERM, as a platform stops a dyno or a container."""
        self.process.send_signal(signal.SIGTERM)


@asynccontextmanager
async def bot_process(*args: str, env: dict[str, str]) -> AsyncIterator[BotProcess]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # its own process group, so `kill()` reaches its workers
    )
    running = BotProcess(process)
    try:
        yield running
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the bot, if still running, and workers
        await process.wait()
        with suppress(Exception):
            await running._reader


async def run_bot_command(*args: str, env: dict[str, str], timeout: float = 120) -> int:
    async with bot_process(*args, env=env) as process:
        code = await process.wait(timeout)
        assert code == 0, process.log
        return code


@asynccontextmanager
async def scratch_postgres_database() -> AsyncIterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    await require_postgres()
    name = f"faults_{uuid.uuid4().hex[:12]}"
    await _run_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await _run_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
