"""In-memory state of the emulated Bot API.

Everything a test may want to inspect lives here as plain data: one ``BotState`` per token
(its update queue, chats with full message history, commands, webhook, callback queries and
the API calls it made). The HTTP layer (``server.py``) and the test driver (``driver.py``) both
work on these objects, so what the bot did and what a fake user sees can never diverge.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")

#: Update types delivered when ``allowed_updates`` was never set or set to ``[]``.
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class ApiError(Exception):
    """An error answer of the Bot API: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """Shortcut for the ubiquitous ``400 Bad Request: <detail>``."""
    return ApiError(400, f"Bad Request: {detail}")


class Signal:
    """Wakes every waiter whenever the emulator state changes.

    One signal per emulator is enough: waiters re-check their own condition after each wake-up,
    which keeps long polls and test-side waits free of lost-wake-up races.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, check: Callable[[], T], timeout: float) -> T | None:
        """Return the first truthy ``check()`` result, or ``None`` after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0.0)
        while True:
            event = self._event  # capture before checking so no fire() can be missed
            result = check()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass


class _CallTuple(NamedTuple):
    method: str
    params: dict[str, Any]
    timestamp: float


class ApiCall(_CallTuple):
    """One recorded request: unpacks as ``(method, params, timestamp)``.

    Extra attributes: ``token`` (which bot called) and ``status`` (HTTP status answered,
    ``None`` while the call is still running).
    """

    token: str
    status: int | None


@dataclass
class StoredMessage:
    """A message in a chat, as the Bot API returns it (``data``) plus emulator-only facts."""

    data: dict[str, Any]
    from_bot: bool
    source_text: str | None = None  # text/caption exactly as the bot sent it
    parse_mode: str | None = None
    reply_markup: dict | None = None  # as sent, including reply keyboards the API hides
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return self.data["message_id"]

    @property
    def chat_id(self) -> int:
        return self.data["chat"]["id"]

    def snapshot(self) -> StoredMessage:
        return copy.deepcopy(self)


@dataclass
class ChatEvent:
    """Something the bot did in a chat: ``message``, ``edit``, ``delete`` or ``action``."""

    kind: str
    message: StoredMessage | None
    payload: dict[str, Any]
    timestamp: float


@dataclass
class ChatState:
    chat: dict[str, Any]
    next_message_id: int = 1
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    events: list[ChatEvent] = field(default_factory=list)
    started: bool = False  # the user wrote to the bot at least once
    blocked: bool = False
    reply_keyboard: dict | None = None

    @property
    def id(self) -> int:
        return self.chat["id"]

    @property
    def is_private(self) -> bool:
        return self.chat["type"] == "private"


@dataclass
class CallbackQueryRecord:
    id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None
    answer: dict[str, Any] | None = None


@dataclass
class QueuedUpdate:
    update: dict[str, Any]
    forced: bool = False  # pushed with an explicit (maybe stale) update_id: deliver at least once
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return self.update["update_id"]


def update_type(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


class BotState:
    """Everything one bot token owns on the emulator."""

    def __init__(self, token: str, *, username: str, first_name: str, signal: Signal) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.first_name = first_name
        self.signal = signal
        self.updates: list[QueuedUpdate] = []
        self.next_update_id = 1
        self.allowed_updates: list[str] | None = None
        self.chats: dict[int, ChatState] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        self.webhook_deliveries: list[Any] = []  # emulator.webhooks.Delivery, oldest first
        self.settings: dict[str, Any] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.calls: list[ApiCall] = []
        self.poll_generation = 0
        # Called with (chat, event) the moment the bot's message, edit, deletion or chat action
        # is recorded: load drivers time replies and wait per chat without waking every waiter.
        self.listeners: list[Callable[[ChatState, ChatEvent], None]] = []
        self._ids = itertools.count(1)

    # -- identity -----------------------------------------------------------------------------

    @property
    def user(self) -> dict[str, Any]:
        """The bot as a ``User`` object (``from`` of its messages)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def me(self) -> dict[str, Any]:
        return {
            **self.user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def next_id(self) -> int:
        """A per-bot counter for callback query ids and similar."""
        return next(self._ids)

    # -- updates ------------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any], *, raw: bool = False) -> dict[str, Any]:
        """Queue an update; assigns ``update_id`` unless one is given.

        Updates made by fake users obey ``allowed_updates`` like the real API (dropped when not
        allowed); ``raw`` updates from ``BotApiEmulator.push_update`` always go through.
        """
        update = dict(update)
        forced = "update_id" in update
        if forced:
            self.next_update_id = max(self.next_update_id, int(update["update_id"]) + 1)
        else:
            update = {"update_id": self.next_update_id, **update}
            self.next_update_id += 1
        if raw or self._allowed(update_type(update)):
            self.updates.append(QueuedUpdate(update, forced=forced))
            self.signal.fire()
        return update

    def _allowed(self, kind: str) -> bool:
        if not self.allowed_updates:
            return kind not in NOT_DELIVERED_BY_DEFAULT
        return kind in self.allowed_updates

    def confirm(self, offset: int | None) -> None:
        """Apply getUpdates' ``offset``: forget confirmed updates exactly like the real API."""
        if not offset:
            return
        if offset < 0:
            keep = -offset
            self.updates = self.updates[-keep:] if keep < len(self.updates) else self.updates
            return
        self.updates = [
            q for q in self.updates if q.update_id >= offset or (q.forced and not q.delivered)
        ]

    def take_updates(self, limit: int) -> list[dict[str, Any]]:
        batch = self.updates[:limit]
        for queued in batch:
            queued.delivered = True
        return [copy.deepcopy(q.update) for q in batch]

    def drop_pending_updates(self) -> None:
        self.updates.clear()

    # -- chats and messages -------------------------------------------------------------------

    def private_chat(self, user: dict[str, Any]) -> ChatState:
        """The private chat with ``user`` (created on first use); refreshes the profile."""
        self.users[user["id"]] = user
        chat = self.chats.get(user["id"])
        profile = {key: user[key] for key in ("first_name", "last_name", "username") if key in user}
        if chat is None:
            chat = ChatState(chat={"id": user["id"], "type": "private", **profile})
            self.chats[user["id"]] = chat
        else:
            chat.chat = {"id": user["id"], "type": "private", **profile}
        return chat

    def group_chat(self, chat_id: int, title: str) -> ChatState:
        chat = self.chats.get(chat_id)
        if chat is None:
            kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
            chat = ChatState(chat={"id": chat_id, "type": kind, "title": title}, started=True)
            self.chats[chat_id] = chat
        return chat

    def find_chat(self, chat_id: int | str) -> ChatState | None:
        if isinstance(chat_id, str):
            name = chat_id.removeprefix("@").lower()
            return next(
                (c for c in self.chats.values() if str(c.chat.get("username", "")).lower() == name),
                None,
            )
        return self.chats.get(chat_id)

    def add_message(
        self,
        chat: ChatState,
        content: dict[str, Any],
        *,
        sender: dict[str, Any] | None = None,
        source_text: str | None = None,
        parse_mode: str | None = None,
        reply_markup: dict | None = None,
    ) -> StoredMessage:
        """Store a new message; ``sender=None`` means the bot sent it (and fake users see it)."""
        from_bot = sender is None
        data = {
            "message_id": chat.next_message_id,
            "from": self.user if from_bot else sender,
            "chat": dict(chat.chat),
            "date": int(time.time()),
            **content,
        }
        chat.next_message_id += 1
        stored = StoredMessage(
            data=data,
            from_bot=from_bot,
            source_text=source_text,
            parse_mode=parse_mode,
            reply_markup=reply_markup,
        )
        chat.messages[stored.message_id] = stored
        if from_bot:
            self.add_event(chat, "message", stored)
        return stored

    def add_event(
        self,
        chat: ChatState,
        kind: str,
        message: StoredMessage | None = None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        snapshot = message.snapshot() if message is not None else None
        event = ChatEvent(kind, snapshot, payload or {}, time.time())
        chat.events.append(event)
        for listener in self.listeners:
            listener(chat, event)
        self.signal.fire()
