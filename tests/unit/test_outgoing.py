"""ServerErrorRetries: which failed Bot API calls may be repeated. A time-out while connecting,
or waiting for a pooled connection, sent nothing: it is repeated like a 5xx, and when it goes on
it is a network error (the jobs retry those later), not a `TimedOut` (maybe delivered)."""

from __future__ import annotations

import httpx
import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

from bot.outgoing import ServerErrorRetries

URL = "https://api.telegram.org/bot1:SECRET/sendMessage"


def _answers(monkeypatch, *outcomes) -> list[str]:
    """HTTPXRequest.do_request gives `outcomes` in turn: an exception is raised, else returned."""
    calls: list[str] = []
    queue = list(outcomes)

    async def do_request(self, url, method, *args, **kwargs):
        calls.append(url)
        outcome = queue.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    monkeypatch.setattr(HTTPXRequest, "do_request", do_request)
    return calls


def _timed_out(cause: Exception) -> TimedOut:
    error = TimedOut()
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    "cause", [httpx.ConnectTimeout("connect"), httpx.PoolTimeout("pool")], ids=["connect", "pool"]
)
async def test_a_time_out_before_anything_was_sent_is_repeated(monkeypatch, cause):
    calls = _answers(monkeypatch, _timed_out(cause), (200, b"{}"))
    request = ServerErrorRetries(retries=2, first_pause=0)
    assert await request.do_request(URL, "POST") == (200, b"{}")
    assert len(calls) == 2


async def test_one_that_goes_on_is_a_network_error_not_a_maybe_delivered(monkeypatch):
    cause = httpx.ConnectTimeout("connect")
    calls = _answers(monkeypatch, *[_timed_out(cause) for _ in range(3)])
    request = ServerErrorRetries(retries=2, first_pause=0)
    with pytest.raises(NetworkError) as raised:
        await request.do_request(URL, "POST")
    assert not isinstance(raised.value, TimedOut)
    assert len(calls) == 3


async def test_a_read_time_out_is_not_repeated(monkeypatch):
    calls = _answers(monkeypatch, _timed_out(httpx.ReadTimeout("read")), (200, b"{}"))
    request = ServerErrorRetries(retries=2, first_pause=0)
    with pytest.raises(TimedOut):
        await request.do_request(URL, "POST")
    assert len(calls) == 1
