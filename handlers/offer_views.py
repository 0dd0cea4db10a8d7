"""How a price quote reads in the chat, its buttons, and what is said when input is refused.
Shared by /offers (handlers.offers) and its adding flow (handlers.offer_adding)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from crm.costs import offers as service
from crm.costs.model import ZERO, Billing, LicenseKind, Offer, PriceTier
from crm.costs.offers import OfferProblem
from crm.i18n import N_, Translator
from handlers.callbacks import pack
from handlers.context import CrmContext
from handlers.cost_answer import KINDS

PREFIX = "off"
BUTTON_TEXT = 30  # characters of a quote's name on a button
SEAT, FLAT = "seat", "flat"  # how a perpetual or self-hosted license is priced

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


def button(text: str, *data: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(PREFIX, *data))


# --- an offer in words ------------------------------------------------------------------------


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
        annual = offer.billing == Billing.annual
        parts.append(_("billed annually") if annual else _("billed monthly"))
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


def fields_of(offer: Offer) -> list[str]:
    """What an admin can change of this offer (its kind decides)."""
    fields = ["name", "price"]
    if offer.flat_price is None:
        fields.append("tiers")
    fields.append("billing" if offer.kind == LicenseKind.subscription else "renewal")
    if offer.kind == LicenseKind.self_hosted:
        fields += ["server", "admin"]
    return fields


def offer_view(_: Translator, offer: Offer) -> tuple[str, InlineKeyboardMarkup]:
    """The offer with a button per field to change."""
    offer_id = service.offer_id(offer)
    buttons = [button(_(FIELDS[f]), "f", offer_id, f) for f in fields_of(offer)]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([button(_("« All quotes"), "list")])
    text = offer_text(_, offer) + "\n\n" + _("What do you want to change?")
    return text, InlineKeyboardMarkup(rows)


def show_saved(update: Update, ctx: CrmContext, offer: Offer) -> None:
    """Says "Saved." (also on the tapped button) and shows the offer to change further."""
    _ = ctx.t
    if update.callback_query:
        ctx.answer(_("Saved."))
    text, markup = offer_view(_, offer)
    ctx.reply(_("Saved.") + "\n\n" + text, reply_markup=markup)


def price_prompt(_: Translator, kind: str, mode: str, currency: str) -> str:
    if kind == LicenseKind.subscription:
        text = _("Send the price per seat per month in {currency}, e.g. 12,50:")
    elif mode == FLAT:
        text = _("Send the price of the whole license in {currency} (paid once):")
    else:
        text = _("Send the price per seat in {currency} (paid once):")
    return text.format(currency=currency)


# --- refusals ---------------------------------------------------------------------------------


def unreadable_amount(_: Translator) -> str:
    return _("I could not read that amount. Send a number, e.g. 1 200,50 or 15.")


def unreadable_tier(_: Translator) -> str:
    return _(
        "I could not read that. Send “10” if the price holds from 10 seats, or “15: 11” if from "
        "15 seats a seat costs 11."
    )


def problem_text(_: Translator, problem: OfferProblem) -> str:
    if problem == OfferProblem.name_too_long:
        return _(
            "The name is too long: at most {count} characters. Please send a shorter one."
        ).format(count=service.MAX_NAME)
    if problem == OfferProblem.too_many_tiers:
        return _("At most {count} prices per quote. Please send it again.").format(
            count=service.MAX_TIERS
        )
    if problem == OfferProblem.seats_out_of_range:
        return _("The number of seats must be from 1 to {count}. Please send it again.").format(
            count=service.MAX_SEATS
        )
    if problem == OfferProblem.too_many_offers:
        return _(
            "There can be at most {count} quotes. Remove one you no longer need first."
        ).format(count=service.MAX_OFFERS)
    if problem == OfferProblem.bad_amount:
        return unreadable_amount(_)
    texts = {
        OfferProblem.not_allowed: _("Only an admin can change the price quotes."),
        OfferProblem.offer_gone: _("This quote no longer exists."),
        OfferProblem.name_empty: _("The name cannot be empty. Please send a name."),
        OfferProblem.negative_amount: _("The amount cannot be negative. Please send it again."),
        OfferProblem.too_many_decimals: _(
            "Use at most two decimal places, e.g. 12.50. Please send it again."
        ),
        OfferProblem.amount_too_large: _(
            "That amount is too large. Please check it and send it again."
        ),
        OfferProblem.renewal_out_of_range: _(
            "The renewal is a percentage from 0 to 100. Please send it again."
        ),
        OfferProblem.tiers_not_ascending: _(
            "Each next price must start from more seats than the one before. Please send it again."
        ),
    }
    # the rest (a missing price, an unknown kind...) the chat's buttons never produce
    return texts.get(
        problem, _("Something in this quote is not right. Please check it and try again.")
    )
