"""/lang: the member picks English, Russian or Lithuanian."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from crm import team
from crm.i18n import LANGUAGE_NAMES, SUPPORTED_LOCALES
from handlers.callbacks import invalid_button, pack, parts
from handlers.commands import publish_chat_menu
from handlers.context import CrmContext

PREFIX = "lang"


async def choose(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    rows = [
        [InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=pack(PREFIX, code))]
        for code in SUPPORTED_LOCALES
    ]
    ctx.reply(_("Choose your language:"), reply_markup=InlineKeyboardMarkup(rows))


async def on_choice(update: Update, ctx: CrmContext) -> None:
    values = parts(update)
    if len(values) != 2 or values[1] not in SUPPORTED_LOCALES:
        invalid_button(ctx)
        return
    member = ctx.member
    await team.set_locale(ctx.session, member=member, locale=values[1])
    translator = ctx.services.catalogs.translator(values[1], ctx.t.timezone)
    ctx.unit.translator = translator
    _ = translator
    ctx.answer()
    ctx.edit(_("Done: I will speak English with you now."))
    chat_id = update.effective_chat.id
    ctx.unit.outbox.append(lambda: publish_chat_menu(ctx.bot, chat_id, translator, member.role))


def handlers() -> list:
    return [
        CommandHandler("lang", choose),
        CallbackQueryHandler(on_choice, pattern=rf"^{PREFIX}:"),
    ]
