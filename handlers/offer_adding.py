"""➕ Add on /offers: a guided flow that asks only what the quote's kind needs.

name -> kind -> (perpetual, self-hosted: per seat or flat) -> price -> (per seat: the seats it
holds from, or a second price; Skip) -> subscription: billing | others: renewal % (Skip) ->
self-hosted: server and administration per month (Skip) -> saved and shown.

Like handlers.adding, the flow's data holds what is known and `proceed` asks the first open
question. Data: `n` the run's nonce (its buttons carry it, so a button of an earlier run is
stale), `done` the answered steps, then name, kind, mode, price, min (the seats the price holds
from), tier2 ([seats, price]), billing, renewal, server, admin; amounts as text, exact.
Buttons: `off:a:<nonce>:<step>:<value>`."""

from __future__ import annotations

import html
from decimal import Decimal

from telegram import InlineKeyboardMarkup, Update

from crm.costs import offers as service
from crm.costs.amounts import parse_amount, parse_tier
from crm.costs.model import ZERO, Billing, LicenseKind, PriceTier
from crm.costs.offers import OfferError, OfferInput, OfferProblem
from handlers import flows
from handlers.callbacks import invalid_button
from handlers.cancel_hints import with_cancel_hint
from handlers.context import CrmContext
from handlers.offer_views import (
    BILLINGS,
    FLAT,
    KINDS,
    SEAT,
    button,
    price_prompt,
    problem_text,
    show_saved,
    unreadable_amount,
    unreadable_tier,
)
from handlers.records import nonce
from handlers.refusals import audit_problem

FLOW = "offers.add"
OPTIONAL = frozenset({"tier", "renewal", "server", "admin"})  # steps with a Skip button
BUTTON_STEPS = frozenset({"kind", "mode", "billing"})


def questions(data: dict) -> list[str]:
    """The steps of this run, as far as the answers so far decide them."""
    steps = ["name", "kind"]
    kind = data.get("kind")
    if kind is None:
        return steps
    if kind != LicenseKind.subscription:
        steps.append("mode")
    steps.append("price")
    if data.get("mode", SEAT) == SEAT:
        steps.append("tier")
    steps.append("billing" if kind == LicenseKind.subscription else "renewal")
    if kind == LicenseKind.self_hosted:
        steps += ["server", "admin"]
    return steps


def _question(ctx: CrmContext, step: str, data: dict) -> tuple[str, list[tuple[str, str]]]:
    """The question's text and its choices (value, label)."""
    _ = ctx.t
    currency = ctx.unit.workspace.currency
    if step == "name":
        return _("Send the name of the quote, e.g. “Bitrix24, offer of 3 March”."), []
    if step == "kind":
        name = f"<b>{html.escape(data['name'])}</b>"
        choices = [(kind.value, _(label)) for kind, label in KINDS.items()]
        return _("What kind of license is {name}?").format(name=name), choices
    if step == "mode":
        choices = [(SEAT, _("Per seat")), (FLAT, _("One flat price"))]
        return _("Is it priced per seat, or one price for the whole license?"), choices
    if step == "price":
        return price_prompt(_, data["kind"], data.get("mode", SEAT), currency), []
    if step == "tier":
        return _(
            "Does this price hold only from some number of seats, or is there another price for "
            "more seats? Send “10” if the price holds from 10 seats, or “15: 11” if from 15 seats "
            "a seat costs 11. Otherwise tap Skip."
        ), []
    if step == "billing":
        return _("How is it billed?"), [(b.value, _(label)) for b, label in BILLINGS.items()]
    if step == "renewal":
        return _(
            "Is there a yearly renewal of updates and support? Send it as a percentage of the "
            "license price, e.g. 20, or tap Skip."
        ), []
    if step == "server":
        text = _("What does the server cost per month, in {currency}? Tap Skip if nothing.")
        return text.format(currency=currency), []
    text = _(
        "What does administration (updates, backups) cost per month, in {currency}? "
        "Tap Skip if nothing."
    )
    return text.format(currency=currency), []


def _ask(ctx: CrmContext, step: str, data: dict) -> None:
    _ = ctx.t
    text, choices = _question(ctx, step, data)
    buttons = [button(label, "a", data["n"], step, value) for value, label in choices]
    if step in OPTIONAL:
        buttons.append(button(_("Skip"), "a", data["n"], step, "skip"))
    markup = InlineKeyboardMarkup([[b] for b in buttons]) if buttons else None
    ctx.reply(with_cancel_hint(_, text), reply_markup=markup)


async def proceed(update: Update, ctx: CrmContext, data: dict) -> str | None:
    """Ask the first open question (returning its step), or save the offer (END)."""
    for step in questions(data):
        if step not in data["done"]:
            _ask(ctx, step, data)
            await flows.begin(update, ctx, FLOW, step, data)
            return step
    return await _create(update, ctx, data)


def _amount(data: dict, key: str) -> Decimal:
    return Decimal(data[key]) if data.get(key) is not None else ZERO


def _offer_input(ctx: CrmContext, data: dict) -> OfferInput:
    price = Decimal(data["price"])
    tiers: tuple[PriceTier, ...] = ()
    if data.get("mode", SEAT) == SEAT:
        tiers = (PriceTier(data.get("min", 1), price),)
        if data.get("tier2"):
            tiers += (PriceTier(data["tier2"][0], Decimal(data["tier2"][1])),)
    return OfferInput(
        name=data["name"],
        kind=data["kind"],
        currency=ctx.unit.workspace.currency,
        tiers=tiers,
        billing=data.get("billing", Billing.monthly),
        flat_price=price if data.get("mode") == FLAT else None,
        renewal_percent=_amount(data, "renewal"),
        server_per_month=_amount(data, "server"),
        admin_per_month=_amount(data, "admin"),
    )


async def _create(update: Update, ctx: CrmContext, data: dict) -> str | None:
    _ = ctx.t
    await flows.finish(update, ctx)
    try:
        offer = await service.add_offer(ctx.session, actor=ctx.member, data=_offer_input(ctx, data))
    except OfferError as error:  # e.g. no longer an admin: every answer was checked on the way
        audit_problem(ctx, "offers", error.problem)
        ctx.reply(problem_text(_, error.problem))
        return flows.END
    show_saved(update, ctx, offer)
    return flows.END


async def _answer(update: Update, ctx: CrmContext, step: str, **values) -> str | None:
    data = {**flows.data(ctx), **values}
    data["done"] = [*data["done"], step]
    return await proceed(update, ctx, data)


def _read(step: str, text: str, data: dict) -> dict:
    """A typed answer as flow data; OfferError or ValueError when it is not usable."""
    if step == "name":
        return {"name": service.clean_name(text)}
    if step == "tier":
        seats, price = parse_tier(text)
        if price is None:
            return {"min": service.clean_seats(seats)}
        service.clean_tiers((PriceTier(1, Decimal(data["price"])), PriceTier(seats, price)))
        return {"tier2": [seats, str(service.clean_amount(price))]}
    amount = parse_amount(text)
    if step == "renewal":
        return {step: str(service.clean_percent(amount))}
    return {step: str(service.clean_amount(amount))}


def _text_step(step: str) -> flows.Step:
    async def on_text(update: Update, ctx: CrmContext) -> str | None:
        _ = ctx.t
        if step in BUTTON_STEPS:
            ctx.reply(_("Please tap one of the buttons above, or send /cancel."))
            return step
        try:
            values = _read(step, update.message.text, flows.data(ctx))
        except OfferError as error:
            ctx.reply(problem_text(_, error.problem))
            return step
        except ValueError:
            ctx.reply(unreadable_tier(_) if step == "tier" else unreadable_amount(_))
            return step
        return await _answer(update, ctx, step, **values)

    return on_text


async def start(update: Update, ctx: CrmContext) -> None:
    if not await service.room_for_another(ctx.session, ctx.member.workspace_id):
        ctx.answer(problem_text(ctx.t, OfferProblem.too_many_offers), alert=True)
        return
    ctx.answer()
    await proceed(update, ctx, {"n": nonce(), "done": []})


async def on_choice(update: Update, ctx: CrmContext, values: list[str]) -> None:
    """`off:a:<nonce>:<step>:<value>`: only for the current question of the current run."""
    state = ctx.unit.state
    if (
        len(values) != 5
        or state is None
        or state.flow != FLOW
        or state.data.get("n") != values[2]
        or state.step != values[3]
    ):
        invalid_button(ctx)
        return
    step, value = values[3], values[4]
    if step == "kind" and value in set(LicenseKind):
        answer = {"kind": value}
    elif step == "mode" and value in (SEAT, FLAT):
        answer = {"mode": value}
    elif step == "billing" and value in set(Billing):
        answer = {"billing": value}
    elif step in OPTIONAL and value == "skip":
        answer = {}
    else:
        invalid_button(ctx)
        return
    await _answer(update, ctx, step, **answer)
    if not ctx.unit.answered_query:
        ctx.answer()


_ALL_STEPS = {
    *questions({"kind": LicenseKind.subscription}),
    *questions({"kind": LicenseKind.self_hosted}),
}
flows.flow(FLOW, {step: _text_step(step) for step in _ALL_STEPS})
