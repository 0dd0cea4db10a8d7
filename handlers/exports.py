"""/export: the whole workspace as an .xlsx file (organizations, contacts, activities)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from crm.importing import service
from handlers.context import CrmContext


def file_name(ctx: CrmContext) -> str:
    """crm-export-2026-11-25.xlsx, the date in the member's time zone."""
    return f"crm-export-{ctx.now().astimezone(ctx.t.tz).date().isoformat()}.xlsx"


async def export_command(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    data = await service.export_workbook(ctx.session, workspace_id=ctx.member.workspace_id)
    chat_id = update.effective_chat.id
    name = file_name(ctx)
    caption = _("Your organizations, contacts and activities as of {date}.").format(
        date=_.date(ctx.now())
    )
    ctx.unit.outbox.append(
        lambda: ctx.bot.send_document(chat_id, document=data, filename=name, caption=caption)
    )


def handlers() -> list:
    return [CommandHandler("export", export_command)]
