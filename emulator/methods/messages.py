"""Sending, editing and deleting messages; callback query answers and chat actions."""

from __future__ import annotations

import time
from typing import Any

from emulator.formatting import format_text
from emulator.keyboards import validate_reply_markup
from emulator.methods.base import (
    Context,
    api_method,
    chat_for_sending,
    deliver,
    find_chat,
    message_for_edit,
)
from emulator.state import ChatState, StoredMessage, bad_request

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
MAX_CALLBACK_ANSWER_LENGTH = 200


def _text_param(ctx: Context) -> str:
    text = ctx.params.get("text")
    if text is None or not str(text).strip():
        raise bad_request("message text is empty")
    return str(text)


def _link_preview(ctx: Context) -> dict[str, Any] | None:
    options = ctx.params.get("link_preview_options")
    if options:
        return options
    if ctx.params.get("disable_web_page_preview"):
        return {"is_disabled": True}
    return None


@api_method("sendMessage")
async def send_message(ctx: Context) -> dict[str, Any]:
    chat = chat_for_sending(ctx)
    text = _text_param(ctx)
    plain, entities = format_text(text, ctx.params.get("parse_mode"), ctx.params.get("entities"))
    if not plain:
        raise bad_request("message text is empty")
    content: dict[str, Any] = {"text": plain}
    if entities:
        content["entities"] = entities
    if preview := _link_preview(ctx):
        content["link_preview_options"] = preview
    return deliver(ctx, chat, content, source_text=text)


def _inline_markup(ctx: Context) -> dict[str, Any] | None:
    markup = validate_reply_markup(ctx.params.get("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("can't parse inline keyboard markup JSON object")
    return markup


def _apply_edit(
    ctx: Context,
    chat: ChatState,
    message: StoredMessage,
    changes: dict[str, Any],
    *,
    source_text: str | None = None,
) -> dict[str, Any]:
    """Apply ``changes`` (``None`` removes a field) or fail with "message is not modified"."""
    data = message.data
    if all(data.get(key) == (value or None) for key, value in changes.items()):
        raise bad_request(NOT_MODIFIED)
    for key, value in changes.items():
        if value:
            data[key] = value
        else:
            data.pop(key, None)
    data["edit_date"] = int(time.time())
    message.reply_markup = changes.get("reply_markup")
    if source_text is not None:
        message.source_text = source_text
        message.parse_mode = ctx.params.get("parse_mode")
    ctx.bot.add_event(chat, "edit", message)
    return dict(data)


@api_method("editMessageText")
async def edit_message_text(ctx: Context) -> dict[str, Any]:
    chat, message = message_for_edit(ctx)
    text = _text_param(ctx)
    if "text" not in message.data:
        raise bad_request("there is no text in the message to edit")
    plain, entities = format_text(text, ctx.params.get("parse_mode"), ctx.params.get("entities"))
    if not plain:
        raise bad_request("message text is empty")
    changes = {"text": plain, "entities": entities, "reply_markup": _inline_markup(ctx)}
    result = _apply_edit(ctx, chat, message, changes, source_text=text)
    if preview := _link_preview(ctx):
        message.data["link_preview_options"] = preview
    return result


@api_method("editMessageCaption")
async def edit_message_caption(ctx: Context) -> dict[str, Any]:
    chat, message = message_for_edit(ctx)
    if "text" in message.data:
        raise bad_request("there is no caption in the message to edit")
    caption = str(ctx.params.get("caption") or "")
    plain, entities = format_text(
        caption, ctx.params.get("parse_mode"), ctx.params.get("caption_entities"), caption=True
    )
    changes = {"caption": plain, "caption_entities": entities, "reply_markup": _inline_markup(ctx)}
    return _apply_edit(ctx, chat, message, changes, source_text=caption)


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(ctx: Context) -> dict[str, Any]:
    chat, message = message_for_edit(ctx)
    return _apply_edit(ctx, chat, message, {"reply_markup": _inline_markup(ctx)})


def _delete(ctx: Context, chat: ChatState, message_id: Any) -> bool:
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        return False
    message.deleted = True
    ctx.bot.add_event(chat, "delete", message)
    return True


@api_method("deleteMessage")
async def delete_message(ctx: Context) -> bool:
    chat = find_chat(ctx)
    if ctx.params.get("message_id") is None:
        raise bad_request("message identifier is not specified")
    if not _delete(ctx, chat, ctx.params["message_id"]):
        raise bad_request("message to delete not found")
    return True


@api_method("deleteMessages")
async def delete_messages(ctx: Context) -> bool:
    chat = find_chat(ctx)
    ids = ctx.params.get("message_ids")
    if not isinstance(ids, list) or not ids:
        raise bad_request("message_ids is empty")
    for message_id in ids:
        _delete(ctx, chat, message_id)  # missing ones are skipped, like the real API
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(ctx: Context) -> bool:
    query = ctx.bot.callback_queries.get(str(ctx.params.get("callback_query_id", "")))
    if query is None or query.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = ctx.params.get("text")
    if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")
    keys = ("text", "show_alert", "url", "cache_time")
    query.answer = {key: ctx.params[key] for key in keys if key in ctx.params}
    ctx.signal.fire()
    return True


@api_method("sendChatAction")
async def send_chat_action(ctx: Context) -> bool:
    chat = chat_for_sending(ctx)
    action = ctx.params.get("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    ctx.bot.add_event(chat, "action", payload={"action": action})
    return True


@api_method("getChat")
async def get_chat(ctx: Context) -> dict[str, Any]:
    chat = find_chat(ctx)
    return {
        **chat.chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
        },
    }
