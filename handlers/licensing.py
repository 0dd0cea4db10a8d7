"""/license: license models and the costs around a CRM, explained in plain words; and
questions typed as plain text ("is SaaS cheaper?") answered with the matching topic.

Callback data: `lic` shows the list of topics, `lic:<key>` one topic.

Plain text that looks like a question comes here before the search (handler group
FALLBACK_GROUP). A question that matches a topic gets its answer. One that does not is
searched (without its question mark) as any plain text is, so "Petrov?" still finds Petrov and
"+7 912 345-67-89?" the card with that phone; only when that search finds nothing does the
list of topics come instead of "Nothing found" with buttons to create a card named after the
question ("who is Petrov?" searches for that whole text, finds nothing and gets the topics,
with a hint to send just the name or use /find). Text that is no question (a name, a phone,
an e-mail) is a search, as before.

/license and its buttons work for everyone, members or not (the access gate lets them pass):
they show fixed text and touch no data. Typed questions are for members, like the search."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from crm.i18n import Translator
from crm.licensing import TOPICS, looks_like_question, match_question, topic
from crm.search import MIN_QUERY
from handlers import search
from handlers.callbacks import invalid_button, pack, parts
from handlers.command_text import is_command
from handlers.context import CrmContext

COMMAND = "license"
PREFIX = "lic"


def is_public(update: Update) -> bool:
    """What strangers may use too (asked by the access gate)."""
    message = update.message
    if update.callback_query is not None:
        return parts(update)[0] == PREFIX
    return message is not None and is_command(message.text, COMMAND)


def _intro(_: Translator) -> str:
    return _(
        "<b>Buying a CRM: licenses and costs in plain words.</b>\n"
        "Tap a topic, or just ask me, for example: “Is SaaS cheaper?”"
    )


def _topics(_: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_(t.title), callback_data=pack(PREFIX, t.key))] for t in TOPICS]
    )


def _back(_: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(_("◀ Topics"), callback_data=PREFIX)]])


async def license_command(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    ctx.reply(_intro(_), reply_markup=_topics(_))


async def on_button(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    values = parts(update)
    if values == [PREFIX]:
        ctx.answer()
        ctx.edit(_intro(_), reply_markup=_topics(_))
        return
    chosen = topic(values[1]) if len(values) == 2 else None
    if chosen is None:
        invalid_button(ctx)
        return
    ctx.answer()
    ctx.edit(_(chosen.answer), reply_markup=_back(_))


async def on_question(update: Update, ctx: CrmContext) -> None:
    if ctx.unit.member is None:
        return
    _ = ctx.t
    text = update.message.text
    found = match_question(text)
    if found is not None:
        await search.leave(update, ctx)
        ctx.reply(_(found.topic.answer), reply_markup=_back(_))
        return
    # "+7 912 345-67-89?" or "info@acme.com?" is still a phone or an e-mail to find
    query = text.strip().rstrip("?？").strip()
    if len(query) >= MIN_QUERY:
        await search.run_search(update, ctx, query, when_nothing=_not_understood)
    else:
        await search.leave(update, ctx)
        await _not_understood(update, ctx, query)


async def _not_understood(update: Update, ctx: CrmContext, query: str) -> None:
    _ = ctx.t
    ctx.reply(
        _(
            "I'm not sure what you mean. These are the topics I can explain: tap one.\n"
            "Looking for a card? Send just its name, phone or e-mail, or use /find. "
            "Everything else I can do: /help."
        ),
        reply_markup=_topics(_),
    )


class _Question(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return bool(message.text) and looks_like_question(message.text)


def handlers() -> list:
    return [
        CommandHandler(COMMAND, license_command),
        CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}(:|$)"),
    ]


def fallback_handlers() -> list:
    """Questions among the plain text that no flow took (before the search's handler)."""
    text = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
    return [MessageHandler(text & _Question(name="question"), on_question)]
