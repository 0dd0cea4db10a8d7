"""/help and /cancel."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CommandHandler

from handlers import flows
from handlers.commands import commands_for
from handlers.context import CrmContext
from handlers.people import role_name


async def show_help(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    member = ctx.member
    lines = [
        _("You are in <b>{workspace}</b> as {role}.").format(
            workspace=html.escape(ctx.unit.workspace.name), role=role_name(member.role, _)
        ),
        "",
        _("Commands:"),
    ]
    lines += [f"/{c.name} — {_(c.description)}" for c in commands_for(member.role)]
    ctx.reply("\n".join(lines))


async def cancel(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    if await flows.finish(update, ctx):
        ctx.reply(_("Cancelled."))
    else:
        ctx.reply(_("There is nothing to cancel."))


def handlers() -> list:
    return [CommandHandler("help", show_help), CommandHandler("cancel", cancel)]
