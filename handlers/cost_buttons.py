"""The /cost walk's steps and the data its buttons carry.

A walk's button is `cost:<walk>:<step>:<value>` (the walk's random id, so a tap on an earlier
walk's question is refused). The answer's own buttons are
`cost:adj:<users>:<years>:<what>:<chosen>:<list>`: `<chosen>` is a hex bit mask over the offers
available then, `<list>` a short hash of their keys (when the offers have changed since, or the
mask would not fit a button, every offer is ticked again)."""

from __future__ import annotations

import hashlib
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from crm.costs.model import Offer
from crm.i18n import N_
from handlers.callbacks import pack
from handlers.context import CrmContext

PREFIX = "cost"
FLOW = "cost"
USERS, YEARS, OFFERS, HIDDEN = "users", "years", "offers", "hidden"
USER_CHOICES = (3, 5, 10, 20, 50)
YEAR_CHOICES = (1, 3, 5)
TYPICAL, OWN, LICENSES_ONLY = "typ", "own", "none"
HIDDEN_MODES = {  # the buttons of the hidden-costs question
    TYPICAL: N_("Typical estimates"),
    OWN: N_("Enter my own"),
    LICENSES_ONLY: N_("Licenses only"),
}
COMPARE, SKIP = "go", "skip"
ADJUST = "adj"


def walk_button(data: dict[str, Any], step: str, value: object, text: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(PREFIX, data["n"], step, value))


MAX_MASKED_OFFERS = 120  # 30 hex digits: the adjust buttons' data stays under 64 bytes


def _offers_hash(offers: list[Offer]) -> str:
    return hashlib.sha256("|".join(offer.key for offer in offers).encode()).hexdigest()[:6]


def chosen_mask(available: list[Offer], chosen: set[str]) -> tuple[str, str]:
    """Which of the available offers were compared, as (hex mask, hash of the list)."""
    if len(available) > MAX_MASKED_OFFERS:
        return "", ""
    mask = sum(1 << index for index, offer in enumerate(available) if offer.key in chosen)
    return f"{mask:x}", _offers_hash(available)


def chosen_indexes(available: list[Offer], mask: str, digest: str) -> list[int]:
    """The ticked offers for an adjust button: those compared, unless the list has changed."""
    everything = list(range(len(available)))
    if not mask or digest != _offers_hash(available):
        return everything
    try:
        bits = int(mask, 16)
    except ValueError:
        return everything
    return [index for index in everything if bits >> index & 1] or everything


def adjust_keyboard(
    ctx: CrmContext, users: int, years: int, chosen: tuple[str, str]
) -> InlineKeyboardMarkup:
    _ = ctx.t

    def button(text: str, what: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text, callback_data=pack(PREFIX, ADJUST, users, years, what, *chosen)
        )

    return InlineKeyboardMarkup([[button(_("Hidden costs"), HIDDEN), button(_("Offers"), OFFERS)]])
