"""Which offers /cost compares: the workspace's own quotes and the plan catalogue's examples,
in the workspace's currency."""

from __future__ import annotations

from functools import cache

from crm.costs.catalogue import load_catalogue
from crm.costs.model import Offer
from crm.costs.offers import list_offers
from handlers.context import CrmContext


@cache
def catalogue():
    """The example plans, read once per process."""
    return load_catalogue()


def currency_of(ctx: CrmContext) -> str:
    return ctx.unit.workspace.currency


async def available_offers(ctx: CrmContext) -> list[Offer]:
    """The workspace's own quotes first, then the catalogue's examples, in its currency."""
    currency = currency_of(ctx)
    own = await list_offers(ctx.session, ctx.member.workspace_id)
    return [offer for offer in own if offer.currency == currency] + list(
        catalogue().offers(currency)
    )


def no_offers(ctx: CrmContext) -> None:
    _ = ctx.t
    others = catalogue().currencies
    text = _(
        "There are no offers in {currency} to compare yet. An admin can add the quotes you "
        "received with /offers."
    ).format(currency=currency_of(ctx))
    if others:
        text += "\n" + _("The plan catalogue has example plans in: {currencies}.").format(
            currencies=", ".join(others)
        )
    ctx.reply(text)
