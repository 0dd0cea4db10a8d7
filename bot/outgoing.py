"""Talking to the Bot API when it pushes back: flood limits, 429, 5xx and time-outs.

- `AIORateLimiter` keeps outgoing calls under Telegram's flood limits and, on a 429, stops
  every call for `retry_after` seconds and repeats the refused one (up to `retries` times).
- A 5xx answer means Telegram (or a proxy before it) did not do the call: it is repeated after
  a growing pause (`ServerErrorRetries`). So is a call that timed out while connecting (or
  waiting for a pooled connection): it never left.
- A call that timed out is never repeated: Telegram may have received it, and a second
  sendMessage would show the user the same message twice. It is logged and the error raised.
  A 504 is such a time-out too (a gateway stopped waiting for Telegram), raised as `TimedOut`
  so that the jobs' own retries leave it alone as well.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.ext import AIORateLimiter
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

FIRST_PAUSE_SECONDS = 0.5
GATEWAY_TIMEOUT = 504


def _method(url: str) -> str:
    return url.rsplit("/", 1)[-1]  # the URL holds the token: only the method name is logged


class ServerErrorRetries(HTTPXRequest):
    """HTTPXRequest that repeats a call answered with a 5xx or that could not connect in time,
    and logs a timed-out call (which it does not repeat)."""

    def __init__(self, *, retries: int, first_pause: float = FIRST_PAUSE_SECONDS, **kwargs: Any):
        super().__init__(**kwargs)
        self.retries = retries
        self.first_pause = first_pause

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any):
        attempt = 0
        while True:
            try:
                code, payload = await super().do_request(url, method, *args, **kwargs)
            except TimedOut as error:
                if not _nothing_sent(error):
                    log.warning(
                        "Bot API %s timed out; not repeated, it may have been delivered",
                        _method(url),
                    )
                    raise
                if attempt >= self.retries:  # a network error: the jobs retry it later
                    raise NetworkError(f"Bot API {_method(url)}: no connection in time") from error
                failure = "found no connection in time"
            else:
                if code == GATEWAY_TIMEOUT:
                    log.warning(
                        "Bot API %s answered %s; not repeated, it may have been delivered",
                        _method(url),
                        code,
                    )
                    raise TimedOut(f"Bot API {_method(url)}: the gateway timed out ({code})")
                if code < 500 or attempt >= self.retries:
                    return code, payload
                failure = f"answered {code}"
            pause = self.first_pause * 2**attempt
            attempt += 1
            log.warning(
                "Bot API %s %s; retry %d of %d in %.1f s",
                _method(url),
                failure,
                attempt,
                self.retries,
                pause,
            )
            await asyncio.sleep(pause)


def _nothing_sent(error: TimedOut) -> bool:
    """A time-out while connecting or waiting for a pooled connection: the request never left."""
    return isinstance(error.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)


def rate_limiter(retries: int, *, throttle: bool = True) -> AIORateLimiter:
    """Telegram's flood limits (30 messages a second, 20 a minute per group); without
    `throttle` (a test Bot API that has none) only the 429 answers are waited out."""
    if throttle:
        return AIORateLimiter(max_retries=retries)
    return AIORateLimiter(max_retries=retries, overall_max_rate=0, group_max_rate=0)


def request(*, retries: int, timeout: float) -> ServerErrorRetries:
    """The request object of every call but getUpdates (which has its own long-poll timeout)."""
    return ServerErrorRetries(
        retries=retries,
        connection_pool_size=256,  # ApplicationBuilder's default for the main request object
        read_timeout=timeout,
        write_timeout=timeout,
        connect_timeout=timeout,
    )
