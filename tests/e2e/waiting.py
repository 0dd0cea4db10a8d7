"""Waiting for what the emulator cannot see (a database row, a log line): the condition is
checked again and again until it holds, with a generous timeout only as a failure guard."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

from emulator.driver import WAIT_TIMEOUT

T = TypeVar("T")
EVERY = 0.05  # between checks; small, as a passing wait should end as soon as it can


async def eventually(
    check: Callable[[], T | Awaitable[T]], what: str, timeout: float = WAIT_TIMEOUT
) -> T:
    """The first truthy result of ``check()`` (sync or async); AssertionError after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if loop.time() >= deadline:
            raise AssertionError(f"Timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(EVERY)
