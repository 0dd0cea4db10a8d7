"""Refused requests in the audit log.

Telegram hands back whatever callback data a client sends, so a refusal may be an honest stale
button or somebody probing. A refusal is audited (`access.refused`) when the member's rights
were the reason, or when the tapped data was on no button of the message it came with: a real
client only sends the data of a button it shows, so such data was made up (a forged or another
workspace's id). A stale button, still on its message, is refused without an audit row."""

from __future__ import annotations

from enum import Enum

from telegram import Message, Update

from handlers.context import CrmContext
from storage.repositories import audit

ACTION = "access.refused"


def forged(update: Update | None) -> bool:
    """Callback data that no button of its message carries."""
    query = update.callback_query if update else None
    if query is None:
        return False
    message = query.message
    if not isinstance(message, Message):  # too old: Telegram no longer sends its content
        return False
    markup = message.reply_markup
    offered = {
        button.callback_data for row in (markup.inline_keyboard if markup else ()) for button in row
    }
    return query.data not in offered


def audit_refusal(ctx: CrmContext, reason: str, *, rights: bool = False) -> None:
    """Record the refusal of this update if it was about rights or its data was made up."""
    update = ctx.update
    made_up = forged(update)
    if not (rights or made_up) or update is None:
        return
    member = ctx.unit.member
    user = update.effective_user
    details: dict[str, object] = {
        "reason": reason,
        "forged": made_up,
        "telegram_user_id": user.id if user else None,
    }
    if update.callback_query:
        details["data"] = (update.callback_query.data or "")[:64]  # ids and verbs only
    elif update.message and update.message.text and update.message.text.startswith("/"):
        details["command"] = update.message.text.split()[0][:32]  # never the free text
    audit.note(
        ctx.session,
        workspace_id=member.workspace_id if member else None,
        actor_id=member.id if member else None,
        action=ACTION,
        after=details,
    )


def audit_problem(ctx: CrmContext, area: str, problem: Enum) -> None:
    """A domain refusal: `not_allowed` is about rights; `not_found` for made-up data is an id
    that does not exist or belongs to another workspace."""
    audit_refusal(ctx, f"{area} {problem.value}", rights=problem.value == "not_allowed")
