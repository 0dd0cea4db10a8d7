"""The one place unexpected errors end up: log with the update id, apologize, roll back."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from crm.i18n import negotiate
from handlers.context import CURRENT_UNIT, CrmContext

log = logging.getLogger("crm.errors")


async def on_error(update: object, ctx: CrmContext) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=ctx.error)
    if not isinstance(update, Update):
        return
    unit = CURRENT_UNIT.get()
    if unit is not None:
        unit.failed = True  # the unit of work rolls back and drops its outbox
        _ = unit.translator
    else:  # the failure came from around the handlers, e.g. the database is down
        services = ctx.application.bot_data["services"]
        user = update.effective_user
        language = negotiate(user.language_code if user else None, services.options.default_locale)
        _ = services.catalogs.translator(language)
    text = _("Sorry, something went wrong on our side. Please try again in a minute.")
    try:
        if update.callback_query:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_chat:
            await ctx.bot.send_message(update.effective_chat.id, text)
    except TelegramError as error:
        log.warning("could not send the apology for update %s: %s", update_id, error)
    raise ApplicationHandlerStop
