"""At start, wait for the database instead of dying with a traceback: a platform often starts
the bot and its database together, and the database may take a while to accept connections."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable

from sqlalchemy.engine import make_url

from storage.db import Database

LONGEST_PAUSE_SECONDS = 30.0


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def shown(url: str) -> str:
    """The URL without its password, fit for a message."""
    return make_url(url).render_as_string(hide_password=True)


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


async def wait_for_database(
    url: str,
    *,
    retries: int,
    interval: float,
    say: Callable[[str], None] = _say,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> str | None:
    """Ping the database up to `retries` + 1 times, the pause doubling from `interval` up to
    30 s. None once it answers, else the last reason it did not."""
    pause = interval
    for attempt in range(retries + 1):
        database = Database(url)
        try:
            await database.ping()
            if attempt:
                say(f"database at {shown(url)} answers now")
            return None
        except Exception as error:  # whatever it is, the answer is to wait
            reason = _reason(error)
        finally:
            await database.dispose()
        if attempt == retries:
            return reason
        say(
            f"database at {shown(url)} is not reachable ({reason}); "
            f"attempt {attempt + 1} of {retries + 1}, next in {pause:g} s"
        )
        await sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
    return None
