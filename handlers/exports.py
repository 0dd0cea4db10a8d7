"""/export: the directory as an .xlsx file (organizations, contacts, activities): everything
for managers and admins, a sales rep's own records for a rep."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import CommandHandler

from crm import exporting
from handlers.context import CrmContext


def file_name(ctx: CrmContext) -> str:
    """crm-export-2026-11-25.xlsx, the date in the member's time zone."""
    return f"crm-export-{ctx.now().astimezone(ctx.t.tz).date().isoformat()}.xlsx"


async def export_command(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    owner_id = exporting.scope_of(ctx.member)
    # Read in the update's transaction; the workbook is built after the commit, in a worker
    # thread: neither the event loop (other chats) nor SQLite's write lock waits for it.
    rows = await exporting.read_export(
        ctx.session, workspace_id=ctx.member.workspace_id, owner_id=owner_id
    )
    chat_id = update.effective_chat.id
    name = file_name(ctx)
    if owner_id is None:
        caption = _("Your organizations, contacts and activities as of {date}.")
    else:
        caption = _("The organizations and contacts you own, with their activities, as of {date}.")
    caption = caption.format(date=_.date(ctx.now()))

    async def send() -> None:
        await ctx.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
        data = await asyncio.to_thread(exporting.build_workbook, rows)
        await ctx.bot.send_document(chat_id, document=data, filename=name, caption=caption)

    ctx.unit.outbox.append(send)


def handlers() -> list:
    return [CommandHandler("export", export_command)]
