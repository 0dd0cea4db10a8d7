"""/find, and any plain text a member sends outside a flow: a name fragment, a phone in any
format or a run of its digits, a tax id, an e-mail. One result opens its card; several come
as buttons (organizations first); none offers to create an organization or a person with it.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from crm import phones, search
from crm.directory import kind_of
from handlers import flows
from handlers.adding import NOTHING
from handlers.callbacks import pack
from handlers.cancel_hints import with_cancel_hint
from handlers.cards import show_card
from handlers.context import CrmContext
from handlers.records import BUTTON_TEXT, code, label, nonce, region

FIND = "dir.find"
LIMIT = 10


async def find_command(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    query = " ".join(ctx.args or [])
    if query:
        await run_search(update, ctx, query)
        return
    await flows.begin(update, ctx, FIND, "query")
    ctx.reply(
        with_cancel_hint(
            _,
            _("What should I find? Send part of a name, a phone number, a tax id or an e-mail."),
            " ",
        )
    )


async def query_step(update: Update, ctx: CrmContext) -> str | None:
    return await run_search(update, ctx, update.message.text)


async def on_plain_text(update: Update, ctx: CrmContext) -> None:
    if ctx.unit.member is not None:
        await run_search(update, ctx, update.message.text)


NothingFound = Callable[[Update, CrmContext, str], Awaitable[None]]


async def run_search(
    update: Update, ctx: CrmContext, query: str, when_nothing: NothingFound | None = None
) -> str | None:
    """Answer a search. Returns the step to stay at (for the /find flow): a search that found
    nothing keeps its text, so that the create buttons can use it; unless the caller answers
    that case itself (`when_nothing`: a question that was no search after all)."""
    _ = ctx.t
    query = " ".join(query.split())
    if len(query) < search.MIN_QUERY:
        ctx.reply(_("Send at least two characters to search."))
        return await leave(update, ctx)
    found = await search.search(
        ctx.session,
        workspace_id=ctx.member.workspace_id,
        query=query,
        region=region(ctx),
        limit=LIMIT,
    )
    if found.count == 0 and when_nothing is not None:
        await when_nothing(update, ctx, query)
        return await leave(update, ctx)
    if found.count == 0:
        return await _nothing_found(update, ctx, query)
    if found.count == 1:
        record = found.records[0]
        await show_card(ctx, kind_of(record), record.id)
        return await leave(update, ctx)
    rows = [[_open(label(org), org)] for org in found.organizations]
    for person in found.contacts:
        text = label(person)
        organization = found.organization_names.get(person.organization_id)
        if organization:
            text += " · " + organization[:BUTTON_TEXT]
        rows.append([_open(text, person)])
    text = _("Found {count}:").format(count=found.count)
    if len(found.organizations) == LIMIT or len(found.contacts) == LIMIT:
        text += "\n" + _("Only the first ones are shown: type more to narrow the search.")
    ctx.reply(text, reply_markup=InlineKeyboardMarkup(rows))
    return await leave(update, ctx)


def _open(text: str, record) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack("card", code(kind_of(record)), record.id))


async def leave(update: Update, ctx: CrmContext) -> None:
    """Forget the text of an earlier search that found nothing, or the /find question."""
    if flows.current(ctx) and flows.current(ctx)[0] in (NOTHING, FIND):
        await flows.finish(update, ctx)
    return flows.END


async def _nothing_found(update: Update, ctx: CrmContext, query: str) -> str:
    _ = ctx.t
    run = nonce()
    await flows.begin(update, ctx, NOTHING, "idle", {"q": query, "n": run})
    shown = query if len(query) <= 30 else query[:29] + "…"
    if phones.looks_like_phone(query):
        rows = [[_create(_("👤 New person with this phone"), "c", run)]]
    else:
        rows = [
            [_create(_("🏢 New organization “{name}”").format(name=shown), "o", run)],
            [_create(_("👤 New person “{name}”").format(name=shown), "c", run)],
        ]
    ctx.reply(
        _("Nothing found for “{query}”.").format(query=html.escape(query)),
        reply_markup=InlineKeyboardMarkup(rows),
    )
    return "idle"


def _create(text: str, kind: str, run: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack("new", kind, run))


flows.flow(FIND, {"query": query_step})


def handlers() -> list:
    return [CommandHandler("find", find_command)]


def fallback_handlers() -> list:
    """Plain text that no flow took (handler group FALLBACK_GROUP)."""
    text = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
    return [MessageHandler(text, on_plain_text)]
