"""The answer to /cost: a table per offer, the cheapest and by how much, the buttons to adjust
the comparison, and a chart of the cumulative cost sent as a photo after it."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.constants import ChatAction

from crm.costs.calculator import NO_ROLLOUT, CostInputError, compare
from crm.costs.chart import cumulative_chart
from crm.costs.model import Offer, Rollout
from handlers.context import CrmContext
from handlers.cost_answer import Money, answer_messages, escape, problem_text
from handlers.cost_buttons import adjust_keyboard, chosen_mask
from handlers.cost_sources import currency_of

log = logging.getLogger(__name__)


def reply_comparison(
    update: Update,
    ctx: CrmContext,
    offers: list[Offer],
    *,
    available: list[Offer],
    users: int,
    years: int,
    rollout: Rollout | None,
    typical: bool,
) -> None:
    """Compare `offers` (chosen from `available`), reply with the tables and the adjust
    buttons, then send the chart."""
    _ = ctx.t
    currency = currency_of(ctx)
    try:
        comparison = compare(offers, users=users, years=years, rollout=rollout or NO_ROLLOUT)
    except CostInputError as error:
        ctx.reply(problem_text(error.problem, ctx.t, error.offer))
        return
    note = ""
    if typical and rollout is None:
        note = _("(There are no typical estimates for {currency}.)").format(currency=currency)
    messages = answer_messages(
        comparison, ctx.t, currency, typical=typical and bool(rollout), note=note
    )
    for text in messages[:-1]:
        ctx.reply(text)
    chosen = chosen_mask(available, {offer.key for offer in offers})
    ctx.reply(messages[-1], reply_markup=adjust_keyboard(ctx, users, years, chosen))
    chat_id = update.effective_chat.id
    money = Money(ctx.t, currency)
    title = ctx.t.ngettext(
        "Cumulative cost: {users} user, {currency}",
        "Cumulative cost: {users} users, {currency}",
        users,
    ).format(users=ctx.t.number(users), currency=currency)
    labels = {
        "year_label": _("Year"),
        "money_label": _("Cost, {currency}").format(currency=currency),
    }

    async def send_chart() -> None:
        await ctx.bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
        try:
            # matplotlib takes tens of milliseconds: not on the event loop other chats share
            png = await asyncio.to_thread(
                cumulative_chart, comparison, title=title, format_money=money.whole, **labels
            )
        except Exception:  # the answer is already sent: a missing picture must not undo it
            log.exception("could not draw the cost chart")
            return
        await ctx.bot.send_photo(chat_id, photo=png, caption=escape(title))

    ctx.unit.outbox.append(send_chart)
