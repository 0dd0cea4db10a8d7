"""Decoding Bot API request parameters from any of the encodings the real API accepts.

python-telegram-bot 22 POSTs ``application/x-www-form-urlencoded`` (or ``multipart/form-data``
when uploading) where *every* value is a string: ``str`` values verbatim, everything else
JSON-encoded (``123``, ``true``, ``{"inline_keyboard": ...}``). So ``text="[1]"`` and
``reply_markup=[1]`` look alike on the wire; only the field name tells them apart. We therefore
decode by field name (``JSON_FIELDS``, ``INT_FIELDS``, ``BOOL_FIELDS``) and never guess for
free-text fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.hdrs import CONTENT_TYPE

from emulator.state import ApiError, bad_request

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # the Bot API limit for files uploaded by bots

JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "media",
        "results",
        "options",
        "explanation_entities",
        "menu_button",
        "permissions",
        "rights",
        "prices",
        "message_ids",
        "reaction",
        "input_message_content",
        "button",
        "text_entities",
        "question_entities",
    }
)
INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "from_chat_id",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "max_connections",
        "duration",
        "width",
        "height",
        "until_date",
        "file_size",
    }
)
BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "is_big",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
        "for_channels",
        "is_personal",
    }
)


@dataclass(frozen=True, repr=False)
class UploadedFile:
    """A file part of a multipart request (kept as bytes: tests upload small files)."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes

    def __repr__(self) -> str:
        return f"UploadedFile({self.field!r}, {self.filename!r}, {len(self.data)} bytes)"


async def read_params(request: web.Request) -> dict[str, Any]:
    """Merge query string and body into one decoded ``dict``; raises ``ApiError``."""
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        content_type = request.content_type
        if content_type == "application/json":
            raw.update(await _read_json(request))
        elif content_type == "multipart/form-data":
            raw.update(await _read_multipart(request))
        elif content_type == "application/x-www-form-urlencoded":
            raw.update((await request.post()).items())
    return normalize(raw)


async def _read_json(request: web.Request) -> dict[str, Any]:
    body = await request.read()
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        raise bad_request("can't parse JSON encoded request parameters") from None
    if not isinstance(data, dict):
        raise bad_request("JSON request parameters must be an object")
    return data


async def _read_multipart(request: web.Request) -> dict[str, Any]:
    reader = await request.multipart()
    values: dict[str, Any] = {}
    total = 0
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        chunks = []
        while chunk := await part.read_chunk():
            total += len(chunk)
            if total > MAX_UPLOAD_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            chunks.append(chunk)
        data = b"".join(chunks)
        if part.filename is not None:
            values[part.name] = UploadedFile(
                part.name, part.filename, part.headers.get(CONTENT_TYPE), data
            )
        else:
            values[part.name] = data.decode(part.get_charset("utf-8"))
    return values


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    """Decode the string forms PTB (and form-posting clients) use into real JSON values."""
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, str):
            value = _decode(name, value)
        params[name] = value
    return params


def _decode(name: str, value: str) -> Any:
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    if name in INT_FIELDS:
        stripped = value.strip()
        if stripped.lstrip("-").isdigit():
            return int(stripped)
        if name == "chat_id":
            return value  # "@channelusername"
        try:
            return int(float(stripped)) if name == "timeout" else int(stripped)
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None
    if name in BOOL_FIELDS:
        return value.strip().lower() in ("true", "1")
    return value
