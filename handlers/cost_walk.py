"""The /cost walk's questions, one at a time: users, years, which offers, and hidden costs
(typical, the user's own, or licenses only). Its answers live in the flow's data; when the last
is in, the walk ends with the comparison."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from crm.costs.model import Offer, Rollout
from handlers import flows
from handlers.cancel_hints import with_cancel_hint
from handlers.context import CrmContext
from handlers.cost_answer import Money, offer_label
from handlers.cost_buttons import (
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
    chosen_indexes,
    walk_button,
)
from handlers.cost_questions import BY_STEP, Question, next_question, rollout_of
from handlers.cost_reply import reply_comparison
from handlers.cost_sources import available_offers, catalogue, currency_of, no_offers
from handlers.records import nonce


async def start_walk(
    update: Update,
    ctx: CrmContext,
    values: dict[str, Any],
    step: str,
    chosen: tuple[str, str] = ("", ""),
):
    offers = await available_offers(ctx)
    if not offers:
        no_offers(ctx)
        return
    keys = [offer.key for offer in offers]
    data = {"n": nonce(), "keys": keys, "sel": chosen_indexes(offers, *chosen), **values}
    await flows.begin(update, ctx, FLOW, step, data)
    ask(ctx, data, step, offers)


def ask(ctx: CrmContext, data: dict[str, Any], step: str, offers: list[Offer] | None = None):
    _ = ctx.t
    if step == USERS:
        row = [walk_button(data, USERS, n, ctx.t.number(n)) for n in USER_CHOICES]
        ctx.reply(
            with_cancel_hint(
                _, _("<b>What will a CRM cost?</b> How many users? Tap or type a number.")
            ),
            reply_markup=InlineKeyboardMarkup([row]),
        )
    elif step == YEARS:
        row = [walk_button(data, YEARS, n, ctx.t.number(n)) for n in YEAR_CHOICES]
        ctx.reply(
            _("Over how many years? Tap or type a number (up to 10)."),
            reply_markup=InlineKeyboardMarkup([row]),
        )
    elif step == OFFERS:
        ctx.reply(offers_text(ctx), reply_markup=offers_keyboard(ctx, data, offers or []))
    elif step == HIDDEN:
        ctx.reply(
            _(
                "<b>Hidden costs</b>: data migration, customization, integration, training, "
                "the manager's time, support, hosting, losses while switching over."
            ),
            reply_markup=InlineKeyboardMarkup(
                [
                    [walk_button(data, HIDDEN, mode, _(label))]
                    for mode, label in HIDDEN_MODES.items()
                ]
            ),
        )
    else:
        ask_own(ctx, data, BY_STEP[step])


def offers_text(ctx: CrmContext) -> str:
    _ = ctx.t
    return _("Which offers to compare? Tap to include or leave out; 🏷 marks your own quotes.")


def offers_keyboard(ctx: CrmContext, data: dict[str, Any], offers: list[Offer]):
    _ = ctx.t
    selected = set(data["sel"])
    by_key = {offer.key: offer for offer in offers}
    rows = [
        [
            walk_button(
                data, OFFERS, index, f"{'☑' if index in selected else '☐'} {offer_label(offer)}"
            )
        ]
        for index, key in enumerate(data["keys"])
        if (offer := by_key.get(key)) is not None
    ]
    rows.append([walk_button(data, OFFERS, COMPARE, _("✅ Compare"))])
    return InlineKeyboardMarkup(rows)


def ask_own(ctx: CrmContext, data: dict[str, Any], question: Question) -> None:
    _ = ctx.t
    currency = currency_of(ctx)
    row = [walk_button(data, question.step, SKIP, _("Skip"))]
    typical = typical_rollout(ctx, data)
    if question.field == "hourly_rate" and typical is not None and typical.hourly_rate:
        label = _("Typical: {amount}").format(amount=Money(ctx.t, currency)(typical.hourly_rate))
        row.insert(0, walk_button(data, question.step, TYPICAL, label))
    ctx.reply(
        _(question.prompt).format(currency=currency), reply_markup=InlineKeyboardMarkup([row])
    )


def typical_rollout(ctx: CrmContext, data: dict[str, Any]) -> Rollout | None:
    return catalogue().typical_rollout(currency_of(ctx), data["u"])


async def go_on(update: Update, ctx: CrmContext, data: dict[str, Any], step: str) -> None:
    """Save the walk at `step` and ask its question."""
    await flows.begin(update, ctx, FLOW, step, data)
    offers = await available_offers(ctx) if step == OFFERS else None
    ask(ctx, data, step, offers)


async def set_number(update, ctx, data: dict[str, Any], step: str, value: int) -> None:
    data["u" if step == USERS else "y"] = value
    await go_on(update, ctx, data, YEARS if step == USERS else OFFERS)


async def after_own(update: Update, ctx: CrmContext, data: dict[str, Any], step: str | None):
    question = next_question(data["r"], step)
    if question is None:
        await finish_walk(update, ctx, data)
    else:
        await go_on(update, ctx, data, question.step)


async def finish_walk(update: Update, ctx: CrmContext, data: dict[str, Any]) -> None:
    _ = ctx.t
    await flows.finish(update, ctx)
    chosen = {data["keys"][index] for index in data["sel"]}
    available = await available_offers(ctx)
    offers = [offer for offer in available if offer.key in chosen]
    if not offers:
        ctx.reply(_("The offers you chose are no longer available. Start again with /cost."))
        return
    mode = data.get("mode")
    typical = typical_rollout(ctx, data)
    if mode == TYPICAL:
        rollout = typical
    elif mode == OWN:
        per_record = typical.migration_per_record if typical is not None else Decimal(0)
        rollout = rollout_of(data.get("r", {}), per_record=per_record)
    else:
        rollout = None
    reply_comparison(
        update,
        ctx,
        offers,
        available=available,
        users=data["u"],
        years=data["y"],
        rollout=rollout,
        typical=mode == TYPICAL,
    )
