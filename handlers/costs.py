"""/cost: what a CRM will really cost, licenses and hidden costs, for every offer available.

`/cost 12 users 3 years` answers at once with the catalogue's typical roll-out costs (listed
as assumptions). `/cost` alone walks through users, years, which offers, and hidden costs
(typical, the user's own, or licenses only). The answer is a table per offer, the cheapest and
by how much, the crossover years, and a chart of the cumulative cost sent as a photo.

The parts, in the order a request meets them:
- handlers.cost_sources: which offers there are (own quotes, then the catalogue's examples);
- handlers.cost_walk: the walk's questions and its end, the comparison;
- handlers.cost_walk_buttons / cost_walk_messages: its answers, tapped or typed;
- handlers.cost_buttons: the steps and what the buttons carry (the walk's id, the adjust
  buttons' ticked offers);
- handlers.cost_reply: the answer, its adjust buttons and the chart;
- handlers.cost_problems: what is said when input is refused."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from crm.costs.request import CostRequestError, parse_cost_request
from handlers import flows
from handlers.context import CrmContext
from handlers.cost_buttons import FLOW, PREFIX, USERS
from handlers.cost_problems import examples, request_problem
from handlers.cost_reply import reply_comparison
from handlers.cost_sources import available_offers, catalogue, currency_of, no_offers
from handlers.cost_walk import start_walk
from handlers.cost_walk_buttons import on_button
from handlers.cost_walk_messages import STEPS_BY_TEXT


async def cost_command(update: Update, ctx: CrmContext) -> None:
    text = " ".join(ctx.args or [])
    if not text.strip():
        await start_walk(update, ctx, {}, USERS)
        return
    try:
        request = parse_cost_request(text)
    except CostRequestError as error:
        ctx.reply(request_problem(error, ctx) + "\n" + examples(ctx))
        return
    offers = await available_offers(ctx)
    if not offers:
        no_offers(ctx)
        return
    if (flows.current(ctx) or ("",))[0] == FLOW:
        await flows.finish(update, ctx)  # a one-message answer ends a walk left half-way
    rollout = catalogue().typical_rollout(currency_of(ctx), request.users)
    reply_comparison(
        update,
        ctx,
        offers,
        available=offers,
        users=request.users,
        years=request.years,
        rollout=rollout,
        typical=True,
    )


flows.flow(FLOW, STEPS_BY_TEXT)


def handlers() -> list:
    return [
        CommandHandler("cost", cost_command),
        CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"),
    ]
