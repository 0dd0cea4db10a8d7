"""The Bot API emulator: an aiohttp server speaking the official HTTP layout on 127.0.0.1.

Point a bot at ``emu.url`` (python-telegram-bot: ``base_url=emu.base_url``,
``base_file_url=emu.base_file_url``) and it talks to this in-process fake Telegram, which
tests drive through ``emu.user(...)`` and inspect through ``emu.calls`` / ``emu.bot()``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self, TypeVar

from aiohttp import web

from emulator.driver import WAIT_TIMEOUT, FakeUser
from emulator.faults import ANY_METHOD, Fault, FaultPlan
from emulator.files import FileStore
from emulator.methods import METHODS, Context, Handler, Method, Options
from emulator.params import MAX_UPLOAD_BYTES, read_params
from emulator.state import ApiCall, ApiError, BotState, Signal
from emulator.webhooks import WebhookDelivery

_LOGGER = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"(\d+):(.+)")
API_PATH = re.compile(r"/bot([^/]*)/([^/]*)")
FILE_PATH = re.compile(r"/file/bot([^/]*)/(.+)")
DOWNLOAD_METHOD = "downloadFile"  # pseudo method name used for file downloads in ``calls``
T = TypeVar("T")
NOT_FOUND = ApiError(404, "Not Found")
UNAUTHORIZED = ApiError(401, "Unauthorized")


def _json_response(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json"
    )


class BotApiEmulator:
    """A fake Telegram Bot API server with per-token state, call log and fault injection."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        bot_username: str = "crm_test_bot",
        bot_name: str = "CRM Test Bot",
        max_download_size: int = 20 * 1024 * 1024,
        require_start: bool = True,
        first_update_id: int = 1,
    ) -> None:
        """``require_start``: sending to a private chat whose user never wrote to the bot
        fails with 403 like on Telegram; pass ``False`` to allow it.
        ``first_update_id``: where each bot's update ids start (a bot restarted on a persisted
        database may expect ids above the ones it already processed; on a live bot
        ``emu.bot().next_update_id`` can be set too)."""
        self.host = host
        self._port = port
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.options = Options(max_download_size=max_download_size, require_start=require_start)
        self.files = FileStore()
        self.calls: list[ApiCall] = []
        self.internal_errors: list[BaseException] = []  # emulator bugs, answered with HTTP 500
        self.known_users: dict[int, dict[str, Any]] = {}
        self._signal = Signal()
        self._bots: dict[str, BotState] = {}
        self._configured_token = token
        self.first_update_id = first_update_id
        self._faults = FaultPlan()
        self._extra_methods: dict[str, Method] = {}
        self._runner: web.AppRunner | None = None
        self._closing = False
        # Posts updates to bots that set a webhook; ``webhooks.retry_delay`` may be tuned.
        self.webhooks = WebhookDelivery(lambda: list(self._bots.values()), self._signal)
        if token is not None:
            self.add_bot(token)

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> Self:
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._port)
        await site.start()
        self._port = self._runner.addresses[0][1]
        self._closing = False
        self.webhooks.start()
        return self

    async def stop(self) -> None:
        if self._runner is None:
            return
        self._closing = True
        self._signal.fire()  # long polls answer [] right away instead of blocking shutdown
        await self.webhooks.stop()
        await asyncio.sleep(0)
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._port}"

    @property
    def base_url(self) -> str:
        """For ``telegram.Bot(base_url=...)``: ``{url}/bot``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``telegram.Bot(base_file_url=...)``: ``{url}/file/bot``."""
        return f"{self.url}/file/bot"

    # -- bots ---------------------------------------------------------------------------------

    def add_bot(
        self, token: str, *, username: str | None = None, first_name: str | None = None
    ) -> BotState:
        """Register a token up front (e.g. to give a second bot its own username)."""
        if not TOKEN_RE.fullmatch(token):
            raise ValueError(f"invalid bot token {token!r}: expected '<digits>:<secret>'")
        if token not in self._bots:
            self._bots[token] = BotState(
                token,
                username=username or self.bot_username,
                first_name=first_name or self.bot_name,
                signal=self._signal,
            )
            self._bots[token].next_update_id = self.first_update_id
        return self._bots[token]

    @property
    def default_token(self) -> str | None:
        """The token given to ``__init__``, else the first token that called the API."""
        if self._configured_token is not None:
            return self._configured_token
        return next(iter(self._bots), None)

    def bot(self, token: str | None = None) -> BotState:
        """State of one bot (default: ``default_token``) for assertions."""
        token = token or self.default_token
        if token is None:
            raise AssertionError(
                "No bot has talked to the emulator yet: start the bot first, or pass token= "
                "to BotApiEmulator(...) / emu.user(...)"
            )
        return self.add_bot(token)

    @property
    def tokens(self) -> list[str]:
        return list(self._bots)

    def calls_to(self, method: str, token: str | None = None) -> list[dict[str, Any]]:
        """Params of every recorded call of ``method`` (case-insensitive), oldest first."""
        return [
            call.params
            for call in self.calls
            if call.method.lower() == method.lower() and token in (None, call.token)
        ]

    async def wait_until(
        self, check: Callable[[], T], timeout: float = WAIT_TIMEOUT, what: str = "a condition"
    ) -> T:
        """The first truthy ``check()``, re-checked whenever the emulator's state changes (a call
        arrives or is answered, a message is stored, a webhook delivery ends...).
        ``AssertionError`` after ``timeout`` seconds."""
        result = await self._signal.wait_until(check, timeout)
        if not result:
            raise AssertionError(f"Timed out after {timeout}s waiting for {what}")
        return result

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        *,
        since: int = 0,
        answered: bool = True,
        timeout: float = WAIT_TIMEOUT,
    ) -> list[ApiCall]:
        """The calls of ``method`` (case-insensitive) among ``calls[since:]`` once ``count`` of
        them were answered; with ``answered=False``, once ``count`` are still being served (a
        long poll in progress, a delayed call). Lets a test wait for what the bot did instead
        of sleeping and hoping it was done."""

        def found() -> list[ApiCall] | None:
            calls = [
                call
                for call in self.calls[since:]
                if call.method.lower() == method.lower() and (call.status is not None) == answered
            ]
            return calls if len(calls) >= count else None

        state = "answered" if answered else "in progress"
        return await self.wait_until(found, timeout, f"{count} {method} call(s) {state}")

    # -- test driving -------------------------------------------------------------------------

    def user(
        self,
        user_id: int = 1001,
        first_name: str = "Anna",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        *,
        token: str | None = None,
        chat_id: int | None = None,
        chat_title: str = "Test group",
    ) -> FakeUser:
        """A fake Telegram user writing to a bot (``token`` defaults to ``default_token``,
        resolved on first use). ``chat_id`` (negative) puts the user in a group chat."""
        if token is not None:
            self.add_bot(token)
        user = FakeUser(
            self,
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            token=token,
            chat_id=chat_id,
            chat_title=chat_title,
        )
        self.known_users[user_id] = user.profile
        return user

    def push_update(self, token: str | None, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (``update_id`` kept if given, e.g. to deliver one twice)."""
        return self.bot(token).push_update(update, raw=True)

    def fail_next(
        self,
        method: str,
        count: int = 1,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        description: str | None = None,
        token: str | None = None,
    ) -> None:
        """Fail the next ``count`` calls of ``method`` ("*" = any) with an API error.

        429 answers ``Too Many Requests: retry after N`` with ``parameters.retry_after``
        (PTB raises ``RetryAfter``); other statuses use ``description`` or the HTTP phrase.
        """
        self._faults.add(
            Fault(
                method=method.lower() if method != ANY_METHOD else ANY_METHOD,
                remaining=count,
                token=token,
                status=status,
                description=description,
                retry_after=retry_after,
            )
        )

    def delay_next(
        self,
        method: str,
        seconds: float,
        count: int = 1,
        *,
        after: bool = False,
        token: str | None = None,
    ) -> None:
        """Hold the next ``count`` calls of ``method`` for ``seconds`` to provoke time-outs.

        ``after=False``: wait before executing (a client that times out leaves no effect).
        ``after=True``: execute, then wait (the message *is* sent but the client times out).
        """
        self._faults.add(
            Fault(
                method=method.lower() if method != ANY_METHOD else ANY_METHOD,
                remaining=count,
                token=token,
                delay=seconds,
                after=after,
            )
        )

    def clear_faults(self) -> None:
        self._faults.clear()

    def add_method(self, name: str, handler: Handler) -> None:
        """Serve an extra method: ``async def handler(ctx: Context) -> result``."""
        self._extra_methods[name.lower()] = Method(name, handler)

    # -- HTTP ---------------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        file_match = FILE_PATH.fullmatch(request.path)
        if file_match:
            return await self._download(*file_match.groups())
        api_match = API_PATH.fullmatch(request.path)
        if api_match is None:
            return _json_response(404, NOT_FOUND.payload())
        token, name = api_match.groups()
        if not TOKEN_RE.fullmatch(token):
            return _json_response(401, UNAUTHORIZED.payload())
        bot = self.add_bot(token)
        method = self._extra_methods.get(name.lower()) or METHODS.get(name.lower())
        name = method.name if method else name
        params: dict[str, Any] = {}
        error: ApiError | None = None
        try:
            params = await read_params(request)
        except ApiError as exc:
            error = exc
        except Exception as exc:
            error = self._internal_error(name, exc)
        call = self._record(bot, name, params)
        try:
            result = await self._execute(bot, call, method, error)
        except ApiError as exc:
            self._answered(call, exc.status)
            return _json_response(exc.status, exc.payload())
        except Exception as exc:
            error = self._internal_error(name, exc)
            self._answered(call, error.status)
            return _json_response(error.status, error.payload())
        self._answered(call, 200)
        return _json_response(200, {"ok": True, "result": result})

    def _internal_error(self, name: str, exc: Exception) -> ApiError:
        """An emulator bug: log it, keep it in ``internal_errors``, answer HTTP 500."""
        _LOGGER.error("emulator failed on %s", name, exc_info=exc)
        self.internal_errors.append(exc)
        return ApiError(500, f"Internal Server Error: {exc!r}")

    def _record(self, bot: BotState, method: str, params: dict[str, Any]) -> ApiCall:
        call = ApiCall(method, params, time.time())
        call.token = bot.token
        call.status = None
        self.calls.append(call)
        bot.calls.append(call)
        self._signal.fire()  # wakes wait_for_calls(answered=False)
        return call

    def _answered(self, call: ApiCall, status: int) -> None:
        call.status = status
        self._signal.fire()  # wakes wait_for_calls()

    async def _execute(
        self, bot: BotState, call: ApiCall, method: Method | None, error: ApiError | None
    ) -> Any:
        delay, failure = self._faults.take(call.method, bot.token)
        if delay is not None and not delay.after:
            await asyncio.sleep(delay.delay)
        if failure is not None:
            raise failure.error()
        if error is not None:
            raise error
        if method is None:
            raise NOT_FOUND
        result = await method.handler(self._context(bot, call.params))
        if delay is not None and delay.after:
            await asyncio.sleep(delay.delay)
        return result

    def _context(self, bot: BotState, params: dict[str, Any]) -> Context:
        return Context(
            bot=bot,
            params=params,
            files=self.files,
            options=self.options,
            signal=self._signal,
            known_users=self.known_users,
            closing=lambda: self._closing,
        )

    async def _download(self, token: str, file_path: str) -> web.StreamResponse:
        if not TOKEN_RE.fullmatch(token):
            return _json_response(401, UNAUTHORIZED.payload())
        bot = self.add_bot(token)
        call = self._record(bot, DOWNLOAD_METHOD, {"file_path": file_path})
        stored = self.files.by_path(file_path)
        try:
            await self._execute(bot, call, Method(DOWNLOAD_METHOD, _noop), None)
        except ApiError as exc:
            self._answered(call, exc.status)
            return _json_response(exc.status, exc.payload())
        if stored is None or stored.size > self.options.max_download_size:
            self._answered(call, 404)
            return _json_response(404, NOT_FOUND.payload())
        self._answered(call, 200)
        return web.Response(
            body=stored.data,
            content_type=stored.mime_type or "application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{Path(file_path).name}"'},
        )


async def _noop(ctx: Context) -> None:
    return None
