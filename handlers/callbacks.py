"""Callback data: short `prefix:part:part` strings, parsed defensively.

Telegram returns whatever a client sends, so every tap is treated as untrusted input: a part
that does not parse, or an id that is not the user's to touch, gets a clear answer."""

from __future__ import annotations

from telegram import Update

from handlers.context import CrmContext
from handlers.refusals import audit_refusal

MAX_CALLBACK_DATA = 64  # bytes, the Bot API limit


def pack(*parts: object) -> str:
    data = ":".join(str(part) for part in parts)
    if len(data.encode()) > MAX_CALLBACK_DATA:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def parts(update: Update) -> list[str]:
    query = update.callback_query
    return (query.data or "").split(":") if query else []


def int_part(values: list[str], index: int) -> int | None:
    try:
        value = values[index]
    except IndexError:
        return None
    return int(value) if value.isdigit() and len(value) < 12 else None


def invalid_button(ctx: CrmContext) -> None:
    _ = ctx.t
    audit_refusal(ctx, "invalid button")
    ctx.answer(_("This button is no longer valid. Please start again."), alert=True)
