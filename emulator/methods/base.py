"""Plumbing shared by all Bot API method implementations: registry, context, chat lookup."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from emulator.files import FileStore
from emulator.keyboards import validate_reply_markup
from emulator.state import ApiError, BotState, ChatState, Signal, StoredMessage, bad_request


@dataclass
class Options:
    """Emulator-wide behaviour switches (see ``BotApiEmulator.__init__``)."""

    max_download_size: int = 20 * 1024 * 1024
    require_start: bool = True


@dataclass
class Context:
    """What a method implementation may touch for one request."""

    bot: BotState
    params: dict[str, Any]
    files: FileStore
    options: Options
    signal: Signal
    known_users: dict[int, dict[str, Any]]
    closing: Callable[[], bool]


Handler = Callable[[Context], Awaitable[Any]]


@dataclass(frozen=True)
class Method:
    name: str
    handler: Handler


#: Lower-cased method name -> implementation (Bot API method names are case-insensitive).
METHODS: dict[str, Method] = {}


def api_method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = Method(name, handler)
        return handler

    return register


def find_chat(ctx: Context) -> ChatState:
    chat_id = ctx.params.get("chat_id")
    if chat_id is None or chat_id == "":
        raise bad_request("chat_id is empty")
    chat = ctx.bot.find_chat(chat_id)
    if chat is None and isinstance(chat_id, int) and chat_id in ctx.known_users:
        chat = ctx.bot.private_chat(ctx.known_users[chat_id])
    if chat is None:
        raise bad_request("chat not found")
    if chat.is_private and chat.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    return chat


def chat_for_sending(ctx: Context) -> ChatState:
    """The target chat, failing like Telegram for unknown, blocked or never-started chats."""
    chat = find_chat(ctx)
    if chat.is_private and ctx.options.require_start and not chat.started:
        raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
    return chat


def _replied_message(ctx: Context, chat: ChatState) -> dict[str, Any] | None:
    reply = ctx.params.get("reply_parameters") or {}
    message_id = reply.get("message_id") or ctx.params.get("reply_to_message_id")
    if not message_id:
        return None
    allow = reply.get("allow_sending_without_reply", ctx.params.get("allow_sending_without_reply"))
    target = chat.messages.get(int(message_id))
    if target is None or target.deleted:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    data = copy.deepcopy(target.data)
    data.pop("reply_to_message", None)
    return data


def deliver(
    ctx: Context,
    chat: ChatState,
    content: dict[str, Any],
    *,
    source_text: str | None = None,
) -> dict[str, Any]:
    """Store a bot message with reply markup / reply-to applied; returns the API Message."""
    markup = validate_reply_markup(ctx.params.get("reply_markup"))
    replied = _replied_message(ctx, chat)
    if replied is not None:
        content = {"reply_to_message": replied, **content}
    if markup and "inline_keyboard" in markup:
        content["reply_markup"] = markup  # the API echoes inline keyboards only
    if ctx.params.get("protect_content"):
        content["has_protected_content"] = True
    stored = ctx.bot.add_message(
        chat,
        content,
        source_text=source_text,
        parse_mode=ctx.params.get("parse_mode"),
        reply_markup=markup,
    )
    if markup and "keyboard" in markup:
        chat.reply_keyboard = markup
    elif markup and "remove_keyboard" in markup:
        chat.reply_keyboard = None
    return copy.deepcopy(stored.data)


def message_for_edit(ctx: Context) -> tuple[ChatState, StoredMessage]:
    if ctx.params.get("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = find_chat(ctx)
    message_id = ctx.params.get("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message
