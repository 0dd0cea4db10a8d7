"""Taps on the /cost walk's buttons and on the answer's adjust buttons. A tap on an earlier
walk's question, or a second tap on "Compare", is refused instead of acted on twice."""

from __future__ import annotations

from telegram import Update

from crm.costs.request import CostRequestError, check_range
from handlers import flows
from handlers.activity_views import append_to_tapped
from handlers.callbacks import invalid_button, parts
from handlers.context import CrmContext
from handlers.cost_answer import Money, escape, offer_label
from handlers.cost_buttons import (
    ADJUST,
    COMPARE,
    FLOW,
    HIDDEN,
    HIDDEN_MODES,
    OFFERS,
    OWN,
    SKIP,
    TYPICAL,
    USER_CHOICES,
    USERS,
    YEAR_CHOICES,
    YEARS,
)
from handlers.cost_questions import BY_STEP, RECORD_PRICE
from handlers.cost_sources import available_offers, currency_of
from handlers.cost_walk import (
    after_own,
    finish_walk,
    go_on,
    offers_keyboard,
    offers_text,
    set_number,
    start_walk,
    typical_rollout,
)


async def on_button(update: Update, ctx: CrmContext) -> None:
    values = parts(update)
    if len(values) in (5, 7) and values[1] == ADJUST:
        await _adjust(update, ctx, values)
        return
    data = dict(flows.data(ctx))
    if len(values) != 4 or not flows.asks_now(ctx, FLOW, values[1], values[2]):
        invalid_button(ctx)  # an earlier walk's question, a second tap, or made-up data
        return
    step, value = values[2], values[3]
    handled = await _BUTTONS.get(step, _own_button)(update, ctx, data, step, value)
    if not handled:
        invalid_button(ctx)


async def _adjust(update: Update, ctx: CrmContext, values: list[str]) -> None:
    users, years, what = values[2], values[3], values[4]
    chosen = (values[5], values[6]) if len(values) == 7 else ("", "")
    if not (users.isdigit() and years.isdigit()) or what not in (HIDDEN, OFFERS):
        invalid_button(ctx)
        return
    try:
        check_range(int(users), int(years))
    except CostRequestError:
        invalid_button(ctx)
        return
    ctx.answer()
    await start_walk(update, ctx, {"u": int(users), "y": int(years)}, what, chosen)


async def _number_button(update, ctx, data, step: str, value: str) -> bool:
    choices = USER_CHOICES if step == USERS else YEAR_CHOICES
    if not value.isdigit() or int(value) not in choices:
        return False
    ctx.answer()
    append_to_tapped(update, ctx, f"\n» {ctx.t.number(int(value))}")
    await set_number(update, ctx, data, step, int(value))
    return True


async def _offers_button(update, ctx, data, step: str, value: str) -> bool:
    _ = ctx.t
    offers = await available_offers(ctx)
    if value == COMPARE:
        if not data["sel"]:
            ctx.answer(_("Choose at least one offer."), alert=True)
            return True
        ctx.answer()
        by_key = {offer.key: offer for offer in offers}
        names = [
            offer_label(by_key[data["keys"][i]]) for i in data["sel"] if data["keys"][i] in by_key
        ]
        ctx.edit(
            escape(offers_text(ctx)) + "\n» " + escape(", ".join(names)),
        )
        await go_on(update, ctx, data, HIDDEN)
        return True
    if not value.isdigit() or int(value) >= len(data["keys"]):
        return False
    index = int(value)
    data["sel"] = sorted(set(data["sel"]) ^ {index})
    await flows.begin(update, ctx, FLOW, OFFERS, data)
    ctx.answer()
    ctx.edit(offers_text(ctx), reply_markup=offers_keyboard(ctx, data, offers))
    return True


async def _hidden_button(update, ctx, data, step: str, value: str) -> bool:
    if value not in HIDDEN_MODES:
        return False
    ctx.answer()
    append_to_tapped(update, ctx, f"\n» {escape(ctx.t(HIDDEN_MODES[value]))}")
    data["mode"] = value
    if value == OWN:
        typical = typical_rollout(ctx, data)
        data["r"] = {RECORD_PRICE: str(typical.migration_per_record if typical else 0)}
        await after_own(update, ctx, data, None)
    else:
        await finish_walk(update, ctx, data)
    return True


async def _own_button(update, ctx, data, step: str, value: str) -> bool:
    _ = ctx.t
    question = BY_STEP.get(step)
    if question is None:
        return False
    if value == SKIP:
        shown = _("skipped")
    elif value == TYPICAL and question.field == "hourly_rate":
        typical = typical_rollout(ctx, data)
        if typical is None or not typical.hourly_rate:
            return False
        data["r"] = dict(data["r"], **{question.field: str(typical.hourly_rate)})
        shown = Money(ctx.t, currency_of(ctx))(typical.hourly_rate)
    else:
        return False
    ctx.answer()
    append_to_tapped(update, ctx, f"\n» {escape(shown)}")
    await after_own(update, ctx, data, step)
    return True


_BUTTONS = {
    USERS: _number_button,
    YEARS: _number_button,
    OFFERS: _offers_button,
    HIDDEN: _hidden_button,
}
