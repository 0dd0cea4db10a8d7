"""/offers: the license quotes the company received, for /cost to compare with example plans.

Everyone sees the list; admins add (handlers.offer_adding), change one field at a time, and
remove a quote after a confirmation. Callback data:
  off:list              the list again            off:add               start adding
  off:e:<id>            a quote and its fields    off:f:<id>:<field>    change that field
  off:b:<id>:<billing>  set a subscription's billing
  off:rm:<id>           ask                       off:rm:<id>:ok        remove
  off:a:...             an answer in the adding flow
Ids are looked up in the member's own workspace: another company's or a removed quote's id is
an invalid button."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from crm.costs import offers as service
from crm.costs.amounts import parse_amount, parse_tiers
from crm.costs.model import Billing, LicenseKind, Offer, PriceTier
from crm.costs.offers import OfferError, OfferProblem
from crm.i18n import Translator
from crm.team import can_manage_team
from handlers import flows, offer_adding
from handlers.callbacks import int_part, invalid_button, parts
from handlers.cancel_hints import with_cancel_hint
from handlers.context import CrmContext
from handlers.offer_views import (
    BILLINGS,
    BUTTON_TEXT,
    FLAT,
    PREFIX,
    SEAT,
    button,
    fields_of,
    offer_text,
    offer_view,
    price_prompt,
    problem_text,
    show_saved,
    unreadable_amount,
    unreadable_tier,
)
from handlers.records import short
from handlers.refusals import audit_problem, audit_refusal

EDITING = "offers.edit"
AMOUNT_FIELDS = {
    "renewal": "renewal_percent",
    "server": "server_per_month",
    "admin": "admin_per_month",
}


LISTING_LIMIT = 3500  # Telegram takes 4096 characters; the rest of the listing is short


async def _list_view(ctx: CrmContext) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = ctx.t
    found = await service.list_offers(ctx.session, ctx.member.workspace_id)
    admin = can_manage_team(ctx.member)
    lines = [_("<b>Price quotes</b> your company received")]
    if found:
        listed = [f"• {offer_text(_, offer)}" for offer in found]
        if sum(len(line) + 1 for line in listed) > LISTING_LIMIT:  # many quotes with many tiers
            listed = [f"• <b>{html.escape(offer.name)}</b>" for offer in found]
        lines += ["", *listed]
        lines += ["", _("Compare them with example plans in /cost.")]
    else:
        lines += [_("No price quotes yet.")]
        if admin:
            lines += [_("Tap ➕ Add to enter a quote you received.")]
    if not admin:
        return "\n".join(lines), None
    rows = [
        [
            button("✏️ " + short(offer.name, BUTTON_TEXT), "e", service.offer_id(offer)),
            button("🗑 " + short(offer.name, BUTTON_TEXT), "rm", service.offer_id(offer)),
        ]
        for offer in found
    ]
    rows.append([button(_("➕ Add"), "add")])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def show(update: Update, ctx: CrmContext) -> None:
    text, markup = await _list_view(ctx)
    ctx.reply(text, reply_markup=markup)


async def _offer(ctx: CrmContext, offer_id: int | None) -> Offer | None:
    """A live quote of the member's own workspace."""
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
    handler = ADMIN_ACTIONS.get(action)
    if handler is None:
        invalid_button(ctx)
    elif not can_manage_team(ctx.member):
        audit_refusal(ctx, "offers not_allowed", rights=True)
        ctx.answer(problem_text(ctx.t, OfferProblem.not_allowed), alert=True)
    else:
        await handler(update, ctx, values)


async def _on_add(update: Update, ctx: CrmContext, values: list[str]) -> None:
    if len(values) != 2:
        invalid_button(ctx)
        return
    await offer_adding.start(update, ctx)


async def _on_remove(update: Update, ctx: CrmContext, values: list[str]) -> None:
    _ = ctx.t
    offer = await _offer(ctx, int_part(values, 2))
    if offer is None or values[3:] not in ([], ["ok"]):
        invalid_button(ctx)  # a second "Yes, remove" finds nothing left: also here
        return
    offer_id = service.offer_id(offer)
    if values[3:] == ["ok"]:
        await service.remove_offer(ctx.session, actor=ctx.member, offer_id=offer_id)
        ctx.answer(_("Removed."))
        text, markup = await _list_view(ctx)
        name = f"<b>{html.escape(offer.name)}</b>"
        ctx.edit(_("🗑 {name} was removed.").format(name=name) + "\n\n" + text, reply_markup=markup)
        return
    rows = [[button(_("🗑 Yes, remove"), "rm", offer_id, "ok"), button(_("No"), "list")]]
    ctx.answer()
    ctx.edit(
        _("Remove this quote?") + "\n\n" + offer_text(_, offer),
        reply_markup=InlineKeyboardMarkup(rows),
    )


# --- changing one field -----------------------------------------------------------------------


async def _on_edit(update: Update, ctx: CrmContext, values: list[str]) -> None:
    offer = await _offer(ctx, int_part(values, 2))
    if offer is None or len(values) != 3:
        invalid_button(ctx)
        return
    text, markup = offer_view(ctx.t, offer)
    ctx.answer()
    ctx.edit(text, reply_markup=markup)


def _edit_prompt(_: Translator, offer: Offer, field: str) -> str:
    currency = offer.currency
    if field == "name":
        return _("Send the new name:")
    if field == "price":
        mode = FLAT if offer.flat_price is not None else SEAT
        return price_prompt(_, offer.kind, mode, currency)
    if field == "tiers":
        return _(
            "Send the seat prices, one per line as “from seats: price”, e.g.\n1: 15\n10: 12,50"
        )
    if field == "renewal":
        return _(
            "Send the yearly renewal as a percentage of the license price (0 if there is none):"
        )
    if field == "server":
        text = _("Send the server cost per month in {currency} (0 if there is none):")
    else:
        text = _("Send the administration cost per month in {currency} (0 if there is none):")
    return text.format(currency=currency)


async def _on_field(update: Update, ctx: CrmContext, values: list[str]) -> None:
    _ = ctx.t
    offer = await _offer(ctx, int_part(values, 2))
    field = values[3] if len(values) == 4 else ""
    if offer is None or field not in fields_of(offer):
        invalid_button(ctx)
        return
    offer_id = service.offer_id(offer)
    ctx.answer()
    if field == "billing":
        rows = [
            [button(_(label), "b", offer_id, billing.value)] for billing, label in BILLINGS.items()
        ]
        ctx.reply(_("How is it billed?"), reply_markup=InlineKeyboardMarkup(rows))
        return
    await flows.begin(update, ctx, EDITING, "value", {"id": offer_id, "field": field})
    ctx.reply(with_cancel_hint(_, _edit_prompt(_, offer, field)))


async def _on_billing(update: Update, ctx: CrmContext, values: list[str]) -> None:
    offer = await _offer(ctx, int_part(values, 2))
    billing = values[3] if len(values) == 4 else ""
    if offer is None or billing not in set(Billing) or offer.kind != LicenseKind.subscription:
        invalid_button(ctx)
        return
    await _save(update, ctx, service.offer_id(offer), {"billing": Billing(billing)})


def _changes(offer: Offer, field: str, text: str) -> dict:
    """The offer's fields after `text` is read as the new `field`; ValueError when unreadable."""
    if field == "name":
        return {"name": text}
    if field == "tiers":
        return {"tiers": tuple(PriceTier(seats, price) for seats, price in parse_tiers(text))}
    amount = parse_amount(text)
    if field == "price" and offer.flat_price is not None:
        return {"flat_price": amount}
    if field == "price":  # the first tier's price; the seats it holds from stay
        first, *rest = offer.tiers
        return {"tiers": (PriceTier(first.min_seats, amount), *rest)}
    return {AMOUNT_FIELDS[field]: amount}


async def _save(update: Update, ctx: CrmContext, offer_id: int, changes: dict) -> bool:
    """Saves and shows the offer. False (after saying why) when the value should be sent again."""
    _ = ctx.t
    try:
        offer = await service.update_offer(
            ctx.session, actor=ctx.member, offer_id=offer_id, changes=changes
        )
    except OfferError as error:
        audit_problem(ctx, "offers", error.problem)  # e.g. demoted while typing the value
        if update.callback_query:
            ctx.answer(problem_text(_, error.problem), alert=True)
            return True
        ctx.reply(problem_text(_, error.problem))
        return error.problem in (OfferProblem.not_allowed, OfferProblem.offer_gone)
    await flows.finish(update, ctx)
    show_saved(update, ctx, offer)
    return True


async def _edit_step(update: Update, ctx: CrmContext) -> str | None:
    data = flows.data(ctx)
    offer = await _offer(ctx, data.get("id"))
    if offer is None:  # removed while the admin was typing
        ctx.reply(problem_text(ctx.t, OfferProblem.offer_gone))
        return flows.END
    field = data["field"]
    try:
        changes = _changes(offer, field, update.message.text)
    except ValueError:
        ctx.reply(unreadable_tier(ctx.t) if field == "tiers" else unreadable_amount(ctx.t))
        return "value"
    saved = await _save(update, ctx, service.offer_id(offer), changes)
    return flows.END if saved else "value"


flows.flow(EDITING, {"value": _edit_step})

ADMIN_ACTIONS = {
    "add": _on_add,
    "a": offer_adding.on_choice,
    "e": _on_edit,
    "f": _on_field,
    "b": _on_billing,
    "rm": _on_remove,
}


def handlers() -> list:
    return [
        CommandHandler("offers", show),
        CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"),
    ]
