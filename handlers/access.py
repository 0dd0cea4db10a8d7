"""What a stranger is told."""

from __future__ import annotations

from telegram import Update

from handlers.context import CrmContext


def refuse(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    if ctx.services.options.allow_new_workspaces:
        text = _(
            "You are not in a workspace yet. Open an invite link from your admin, "
            "or send /start to create a workspace for your company."
        )
    else:
        text = _("This bot is private. Ask your company's admin for an invite link to join.")
    if update.callback_query:
        ctx.answer(text, alert=True)
    elif update.effective_chat:
        ctx.reply(text)
