"""/offers: the license quotes the workspace received, for /cost to compare with the catalogue.

Everyone sees the list; admins add (a guided flow), edit one field at a time, and remove after a
confirmation. Callback data (prefix `off`):
  off:list                 the list again          off:add              start adding
  off:e:<id>               one offer, its fields   off:f:<id>:<field>   change that field
  off:b:<id>:<billing>     set the billing         off:rm:<id>[:ok]     ask, then remove
  off:a:<nonce>:<step>:<v> an answer to the adding flow's question (a kind, "skip"...)
The adding flow's data: `n` its nonce, `done` answered steps, then name, kind, mode ("seat" or
"flat"), price, min (seats the first price holds from), tier2 ([seats, price]), billing,
renewal, server, admin; amounts as text so they stay exact."""

from __future__ import annotations

import html
from collections.abc import Callable
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from crm.costs import offers as service
from crm.costs.amounts import parse_amount, parse_tier, parse_tiers
from crm.costs.model import ZERO, Billing, LicenseKind, Offer, PriceTier
from crm.costs.offers import OfferError, OfferInput, OfferProblem
from crm.i18n import N_, Translator
from crm.team import can_manage_team
from handlers import flows
from handlers.callbacks import int_part, invalid_button, pack, parts
from handlers.context import CrmContext
from handlers.records import nonce

PREFIX = "off"
ADDING = "offers.add"
EDITING = "offers.edit"
BUTTON_TEXT = 30  # characters of an offer's name on a button
SEAT, FLAT = "seat", "flat"

KINDS = {
    LicenseKind.subscription: N_("Subscription"),
    LicenseKind.perpetual: N_("Perpetual license"),
    LicenseKind.self_hosted: N_("Self-hosted copy"),
}
BILLINGS = {Billing.monthly: N_("Monthly"), Billing.annual: N_("Annually (a year ahead)")}
FIELDS = {
    "name": N_("Name"),
    "price": N_("Price"),
    "tiers": N_("Seat prices"),
    "billing": N_("Billing"),
    "renewal": N_("Renewal %"),
    "server": N_("Server per month"),
    "admin": N_("Administration per month"),
}
OPTIONAL = {"tier", "renewal", "server", "admin"}  # steps with a Skip button
BUTTON_STEPS = {"kind", "mode", "billing"}


def _button(text: str, *data: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(*data))


def _short(name: str) -> str:
    return name if len(name) <= BUTTON_TEXT else name[: BUTTON_TEXT - 1] + "…"


def _cancel_hint(_: Translator) -> str:
    return _("(Send /cancel to stop.)")


# --- how an offer reads ------------------------------------------------------------------------


def _tier_text(_: Translator, offer: Offer, tier: PriceTier) -> str:
    money = _.money(tier.price, offer.currency)
    if offer.kind == LicenseKind.subscription:
        price = _("{price} per seat per month").format(price=money)
    else:
        price = _("{price} per seat").format(price=money)
    if tier.min_seats == 1:
        return price
    return _.ngettext("from {n} seat: {price}", "from {n} seats: {price}", tier.min_seats).format(
        n=tier.min_seats, price=price
    )


def price_summary(_: Translator, offer: Offer) -> str:
    """ "€12.00 per seat per month; from 15 seats: €10.00 per seat per month; billed annually"."""
    parts = [_tier_text(_, offer, tier) for tier in offer.tiers]
    if offer.flat_price is not None:
        money = _.money(offer.flat_price, offer.currency)
        parts.append(_("{price} for the whole license").format(price=money))
    if offer.kind == LicenseKind.subscription:
        parts.append(
            _("billed annually") if offer.billing == Billing.annual else _("billed monthly")
        )
    if offer.renewal_percent > ZERO:
        percent = _.number(offer.renewal_percent)
        parts.append(_("renewal {percent}% a year").format(percent=percent))
    if offer.server_per_month > ZERO:
        money = _.money(offer.server_per_month, offer.currency)
        parts.append(_("server {amount} a month").format(amount=money))
    if offer.admin_per_month > ZERO:
        money = _.money(offer.admin_per_month, offer.currency)
        parts.append(_("administration {amount} a month").format(amount=money))
    return "; ".join(parts)


def offer_text(_: Translator, offer: Offer) -> str:
    name, kind = html.escape(offer.name), _(KINDS[offer.kind])
    return f"<b>{name}</b> ({kind})\n{price_summary(_, offer)}"


async def _list_view(ctx: CrmContext) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = ctx.t
    found = await service.list_offers(ctx.session, ctx.member.workspace_id)
    admin = can_manage_team(ctx.member)
    lines = [_("<b>Price quotes</b> your company received")]
    if found:
        lines += ["", *(f"• {offer_text(_, offer)}" for offer in found)]
        lines += ["", _("Compare them with example plans in /cost.")]
    else:
        lines += [_("No price quotes yet.")]
        if admin:
            lines += [_("Tap ➕ Add to enter a quote you received.")]
    if not admin:
        return "\n".join(lines), None
    rows = [
        [
            _button("✏️ " + _short(offer.name), PREFIX, "e", service.offer_id(offer)),
            _button("🗑 " + _short(offer.name), PREFIX, "rm", service.offer_id(offer)),
        ]
        for offer in found
    ]
    rows.append([_button(_("➕ Add"), PREFIX, "add")])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _fields_of(offer: Offer) -> list[str]:
    fields = ["name", "price"]
    if offer.flat_price is None:
        fields.append("tiers")
    fields.append("billing" if offer.kind == LicenseKind.subscription else "renewal")
    if offer.kind == LicenseKind.self_hosted:
        fields += ["server", "admin"]
    return fields


def _offer_view(ctx: CrmContext, offer: Offer) -> tuple[str, InlineKeyboardMarkup]:
    _ = ctx.t
    offer_id = service.offer_id(offer)
    buttons = [_button(_(FIELDS[f]), PREFIX, "f", offer_id, f) for f in _fields_of(offer)]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_button(_("« All quotes"), PREFIX, "list")])
    text = offer_text(_, offer) + "\n\n" + _("What do you want to change?")
    return text, InlineKeyboardMarkup(rows)


# --- refusals ---------------------------------------------------------------------------------


def _problem_text(_: Translator, problem: OfferProblem | None) -> str:
    texts: dict[OfferProblem | None, Callable[[], str]] = {
        None: lambda: _("I could not read that amount. Send a number, e.g. 1 200,50 or 15."),
        OfferProblem.not_allowed: lambda: _("Only an admin can change the price quotes."),
        OfferProblem.offer_gone: lambda: _("This quote no longer exists."),
        OfferProblem.name_empty: lambda: _("The name cannot be empty. Please send a name."),
        OfferProblem.name_too_long: lambda: _(
            "The name is too long: at most {count} characters. Please send a shorter one."
        ).format(count=service.MAX_NAME),
        OfferProblem.bad_amount: lambda: texts[None](),
        OfferProblem.negative_amount: lambda: _(
            "The amount cannot be negative. Please send it again."
        ),
        OfferProblem.too_many_decimals: lambda: _(
            "Use at most two decimal places, e.g. 12.50. Please send it again."
        ),
        OfferProblem.amount_too_large: lambda: _(
            "That amount is too large. Please check it and send it again."
        ),
        OfferProblem.renewal_out_of_range: lambda: _(
            "The renewal is a percentage from 0 to 100. Please send it again."
        ),
        OfferProblem.seats_out_of_range: lambda: _(
            "The number of seats must be at least 1. Please send it again."
        ),
        OfferProblem.tiers_not_ascending: lambda: _(
            "Each next price must start from more seats than the one before. Please send it again."
        ),
        OfferProblem.too_many_tiers: lambda: _(
            "At most {count} prices per quote. Please send it again."
        ).format(count=service.MAX_TIERS),
    }
    return texts.get(
        problem, lambda: _("Something in this quote is not right. Please check it and try again.")
    )()


def _tier_help(_: Translator) -> str:
    return _(
        "I could not read that. Send “10” if the price holds from 10 seats, or “15: 11” if from "
        "15 seats a seat costs 11."
    )


def _refuse_button(ctx: CrmContext) -> None:
    ctx.answer(_problem_text(ctx.t, OfferProblem.not_allowed), alert=True)


# --- the list, removing -----------------------------------------------------------------------


async def show(update: Update, ctx: CrmContext) -> None:
    text, markup = await _list_view(ctx)
    ctx.reply(text, reply_markup=markup)


async def _offer(ctx: CrmContext, offer_id: int | None) -> Offer | None:
    if offer_id is None:
        return None
    return await service.get_offer(
        ctx.session, workspace_id=ctx.member.workspace_id, offer_id=offer_id
    )


async def on_button(update: Update, ctx: CrmContext) -> None:
    values = parts(update)
    action = values[1] if len(values) > 1 else ""
    if action == "list" and len(values) == 2:
        text, markup = await _list_view(ctx)
        ctx.answer()
        ctx.edit(text, reply_markup=markup)
        return
    handler = ACTIONS.get(action)
    if handler is None:
        invalid_button(ctx)
        return
    if not can_manage_team(ctx.member):
        _refuse_button(ctx)
        return
    await handler(update, ctx, values)


async def _on_remove(update: Update, ctx: CrmContext, values: list[str]) -> None:
    _ = ctx.t
    offer = await _offer(ctx, int_part(values, 2))
    if offer is None or values[3:] not in ([], ["ok"]):
        invalid_button(ctx)
        return
    offer_id = service.offer_id(offer)
    if values[3:] == ["ok"]:
        await service.remove_offer(ctx.session, actor=ctx.member, offer_id=offer_id)
        ctx.answer(_("Removed."))
        text, markup = await _list_view(ctx)
        ctx.edit(
            _("🗑 {name} was removed.").format(name=f"<b>{html.escape(offer.name)}</b>")
            + "\n\n"
            + text,
            reply_markup=markup,
        )
        return
    rows = [
        [
            _button(_("🗑 Yes, remove"), PREFIX, "rm", offer_id, "ok"),
            _button(_("No"), PREFIX, "list"),
        ]
    ]
    ctx.answer()
    ctx.edit(
        _("Remove this quote?") + "\n\n" + offer_text(_, offer),
        reply_markup=InlineKeyboardMarkup(rows),
    )


# --- editing one field ------------------------------------------------------------------------


async def _on_edit(update: Update, ctx: CrmContext, values: list[str]) -> None:
    offer = await _offer(ctx, int_part(values, 2))
    if offer is None or len(values) != 3:
        invalid_button(ctx)
        return
    text, markup = _offer_view(ctx, offer)
    ctx.answer()
    ctx.edit(text, reply_markup=markup)


def _edit_prompt(_: Translator, offer: Offer, field: str) -> str:
    currency = offer.currency
    if field == "name":
        return _("Send the new name:")
    if field == "price":
        return _price_prompt(
            _, offer.kind, FLAT if offer.flat_price is not None else SEAT, currency
        )
    if field == "tiers":
        return _(
            "Send the seat prices, one per line as “from seats: price”, e.g.\n1: 15\n10: 12,50"
        )
    if field == "renewal":
        return _("Send the yearly renewal in % of the license price (0 if there is none):")
    if field == "server":
        return _("Send the server cost per month in {currency} (0 if there is none):").format(
            currency=currency
        )
    return _("Send the administration cost per month in {currency} (0 if there is none):").format(
        currency=currency
    )


async def _on_field(update: Update, ctx: CrmContext, values: list[str]) -> None:
    _ = ctx.t
    offer = await _offer(ctx, int_part(values, 2))
    field = values[3] if len(values) == 4 else ""
    if offer is None or field not in _fields_of(offer):
        invalid_button(ctx)
        return
    offer_id = service.offer_id(offer)
    ctx.answer()
    if field == "billing":
        rows = [
            [_button(_(label), PREFIX, "b", offer_id, b.value)] for b, label in BILLINGS.items()
        ]
        ctx.reply(_("How is it billed?"), reply_markup=InlineKeyboardMarkup(rows))
        return
    await flows.begin(update, ctx, EDITING, "value", {"id": offer_id, "field": field})
    ctx.reply(_edit_prompt(_, offer, field) + "\n" + _cancel_hint(_))


async def _on_billing(update: Update, ctx: CrmContext, values: list[str]) -> None:
    offer = await _offer(ctx, int_part(values, 2))
    billing = values[3] if len(values) == 4 else ""
    if offer is None or billing not in set(Billing) or offer.kind != LicenseKind.subscription:
        invalid_button(ctx)
        return
    await _save_changes(update, ctx, service.offer_id(offer), {"billing": Billing(billing)})


def _changes(offer: Offer, field: str, text: str) -> dict:
    """The offer's fields after `text` is read as the new `field`; ValueError when unreadable."""
    if field == "name":
        return {"name": text}
    if field == "tiers":
        return {"tiers": tuple(PriceTier(seats, price) for seats, price in parse_tiers(text))}
    amount = parse_amount(text)
    if field == "price" and offer.flat_price is not None:
        return {"flat_price": amount}
    if field == "price":
        first, *rest = offer.tiers
        return {"tiers": (PriceTier(first.min_seats, amount), *rest)}
    return {
        {"renewal": "renewal_percent", "server": "server_per_month", "admin": "admin_per_month"}[
            field
        ]: amount
    }


async def _save_changes(update: Update, ctx: CrmContext, offer_id: int, changes: dict) -> bool:
    """Saves and shows the offer; False (after saying why) when the value is not acceptable."""
    _ = ctx.t
    try:
        offer = await service.update_offer(
            ctx.session, actor=ctx.member, offer_id=offer_id, changes=changes
        )
    except OfferError as error:
        if update.callback_query:
            ctx.answer(_problem_text(_, error.problem), alert=True)
            return True
        ctx.reply(_problem_text(_, error.problem))
        return error.problem in (OfferProblem.not_allowed, OfferProblem.offer_gone)
    await flows.finish(update, ctx)
    if update.callback_query:
        ctx.answer(_("Saved."))
    text, markup = _offer_view(ctx, offer)
    ctx.reply(_("Saved.") + "\n\n" + text, reply_markup=markup)
    return True


async def _edit_step(update: Update, ctx: CrmContext) -> str | None:
    data = flows.data(ctx)
    offer = await _offer(ctx, data.get("id"))
    if offer is None:
        ctx.reply(_problem_text(ctx.t, OfferProblem.offer_gone))
        return flows.END
    field = data["field"]
    try:
        changes = _changes(offer, field, update.message.text)
    except ValueError:
        ctx.reply(_tier_help(ctx.t) if field == "tiers" else _problem_text(ctx.t, None))
        return "value"
    saved = await _save_changes(update, ctx, service.offer_id(offer), changes)
    return flows.END if saved else "value"


# --- adding: a state machine over the flow's data ---------------------------------------------


def _questions(data: dict) -> list[str]:
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
    if kind == LicenseKind.subscription:
        steps.append("billing")
    else:
        steps.append("renewal")
    if kind == LicenseKind.self_hosted:
        steps += ["server", "admin"]
    return steps


def _price_prompt(_: Translator, kind: str, mode: str, currency: str) -> str:
    if kind == LicenseKind.subscription:
        text = _("Send the price per seat per month in {currency}, e.g. 12,50:")
    elif mode == FLAT:
        text = _("Send the price of the whole license in {currency} (paid once):")
    else:
        text = _("Send the price per seat in {currency} (paid once):")
    return text.format(currency=currency)


def _ask(ctx: CrmContext, step: str, data: dict) -> None:
    _ = ctx.t
    n, currency = data["n"], ctx.unit.workspace.currency
    name = f"<b>{html.escape(data.get('name', ''))}</b>"
    choices: list[tuple[str, str]] = []
    if step == "name":
        text = _("Send the name of the quote, e.g. “Bitrix24, offer of 3 March”.")
    elif step == "kind":
        text = _("What kind of license is {name}?").format(name=name)
        choices = [(kind.value, _(label)) for kind, label in KINDS.items()]
    elif step == "mode":
        text = _("Is it priced per seat, or one price for the whole license?")
        choices = [(SEAT, _("Per seat")), (FLAT, _("One flat price"))]
    elif step == "price":
        text = _price_prompt(_, data["kind"], data.get("mode", SEAT), currency)
    elif step == "tier":
        text = _(
            "Does this price hold only from some number of seats, or is there another price for "
            "more seats? Send “10” if the price holds from 10 seats, or “15: 11” if from 15 seats "
            "a seat costs 11. Otherwise tap Skip."
        )
    elif step == "billing":
        text = _("How is it billed?")
        choices = [(billing.value, _(label)) for billing, label in BILLINGS.items()]
    elif step == "renewal":
        text = _(
            "Is there a yearly renewal of updates and support? Send it in % of the license "
            "price, e.g. 20, or tap Skip."
        )
    elif step == "server":
        text = _("What does the server cost per month, in {currency}? Tap Skip if nothing.")
        text = text.format(currency=currency)
    else:
        text = _(
            "What does administration (updates, backups) cost per month, in {currency}? "
            "Tap Skip if nothing."
        ).format(currency=currency)
    buttons = [_button(label, PREFIX, "a", n, step, value) for value, label in choices]
    if step in OPTIONAL:
        buttons.append(_button(_("Skip"), PREFIX, "a", n, step, "skip"))
    rows = [[b] for b in buttons]
    ctx.reply(
        text + "\n" + _cancel_hint(_), reply_markup=InlineKeyboardMarkup(rows) if rows else None
    )


async def _proceed(update: Update, ctx: CrmContext, data: dict) -> str | None:
    """Ask the first open question (returning its step), or save the offer (END)."""
    for step in _questions(data):
        if step not in data["done"]:
            _ask(ctx, step, data)
            await flows.begin(update, ctx, ADDING, step, data)
            return step
    return await _create(update, ctx, data)


def _amount(data: dict, key: str) -> Decimal:
    return Decimal(data[key]) if data.get(key) is not None else ZERO


def _input(ctx: CrmContext, data: dict) -> OfferInput:
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


async def _create(update: Update, ctx: CrmContext, data: dict) -> None:
    _ = ctx.t
    await flows.finish(update, ctx)
    try:
        offer = await service.add_offer(ctx.session, actor=ctx.member, data=_input(ctx, data))
    except OfferError as error:
        ctx.reply(_problem_text(_, error.problem))
        return flows.END
    if update.callback_query:
        ctx.answer(_("Saved."))
    text, markup = _offer_view(ctx, offer)
    ctx.reply(_("Saved.") + "\n\n" + text, reply_markup=markup)
    return flows.END


async def _answer(update: Update, ctx: CrmContext, step: str, **values) -> str | None:
    data = {**flows.data(ctx), **values}
    data["done"] = [*data["done"], step]
    return await _proceed(update, ctx, data)


def _read(ctx: CrmContext, step: str, text: str, data: dict) -> dict:
    """The answer to a text step as flow data; OfferError or ValueError when it is not usable."""
    if step == "name":
        return {"name": service.clean_name(text)}
    if step == "tier":
        seats, price = parse_tier(text)
        if price is None:
            return {"min": service.clean_seats(seats)}
        first = PriceTier(1, Decimal(data["price"]))
        service.clean_tiers((first, PriceTier(seats, price)))
        return {"tier2": [seats, str(service.clean_amount(price))]}
    amount = parse_amount(text)
    if step == "renewal":
        return {step: str(service.clean_percent(amount))}
    return {step: str(service.clean_amount(amount))}


def _add_step(step: str):
    async def on_text(update: Update, ctx: CrmContext) -> str | None:
        _ = ctx.t
        if step in BUTTON_STEPS:
            ctx.reply(_("Please tap one of the buttons above, or send /cancel."))
            return step
        try:
            values = _read(ctx, step, update.message.text, flows.data(ctx))
        except OfferError as error:
            ctx.reply(_problem_text(_, error.problem))
            return step
        except ValueError:
            ctx.reply(_tier_help(_) if step == "tier" else _problem_text(_, None))
            return step
        return await _answer(update, ctx, step, **values)

    return on_text


async def _on_add(update: Update, ctx: CrmContext, values: list[str]) -> None:
    if len(values) != 2:
        invalid_button(ctx)
        return
    ctx.answer()
    await _proceed(update, ctx, {"n": nonce(), "done": []})


async def _on_answer(update: Update, ctx: CrmContext, values: list[str]) -> None:
    """A tapped choice of the adding flow: only the current question of the current run."""
    state = ctx.unit.state
    if (
        len(values) != 5
        or state is None
        or state.flow != ADDING
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


ACTIONS = {
    "add": _on_add,
    "a": _on_answer,
    "e": _on_edit,
    "f": _on_field,
    "b": _on_billing,
    "rm": _on_remove,
}

flows.flow(
    ADDING,
    {
        step: _add_step(step)
        for step in {
            *_questions({"kind": LicenseKind.self_hosted}),
            *_questions({"kind": LicenseKind.subscription}),
        }
    },
)
flows.flow(EDITING, {"value": _edit_step})


def handlers() -> list:
    return [
        CommandHandler("offers", show),
        CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"),
    ]
