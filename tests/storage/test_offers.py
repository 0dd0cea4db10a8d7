"""A workspace's own license quotes (crm.costs.offers) on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlmodel import select

from crm import team
from crm.costs import offers
from crm.costs.model import Billing, LicenseKind, Offer, PriceTier
from crm.costs.offers import OfferError, OfferInput, OfferProblem
from crm.team import Person
from storage.models import AuditEvent, CostOffer
from tests.storage.teams import DEFAULTS, admin_and_rep

D = Decimal
SUBSCRIPTION = OfferInput(
    name="  Bitrix   Team ",
    kind=LicenseKind.subscription,
    currency="rub",
    tiers=(PriceTier(1, D("990")), PriceTier(15, D("12.5"))),
    billing=Billing.annual,
)
PERPETUAL = OfferInput(
    name="amoCRM box",
    kind=LicenseKind.perpetual,
    currency="RUB",
    flat_price=D("150000.50"),
    renewal_percent=D("22.5"),
)


async def test_admin_adds_offers_that_read_back_exactly_sorted_by_name(database):
    async with database.transaction() as session:
        admin, rep = await admin_and_rep(session)
        added = await offers.add_offer(session, actor=admin, data=SUBSCRIPTION)
        await offers.add_offer(session, actor=admin, data=PERPETUAL)
    async with database.transaction() as session:
        listed = await offers.list_offers(session, admin.workspace_id)
    assert [o.name for o in listed] == ["amoCRM box", "Bitrix Team"]
    perpetual, subscription = listed
    assert subscription == added
    assert subscription == Offer(
        name="Bitrix Team",
        kind=LicenseKind.subscription,
        currency="RUB",
        tiers=(PriceTier(1, D("990.00")), PriceTier(15, D("12.50"))),
        billing=Billing.annual,
        key=subscription.key,
    )
    assert subscription.key == f"workspace:{offers.offer_id(subscription)}"
    assert subscription.example is False
    assert perpetual.flat_price == D("150000.50") and perpetual.tiers == ()
    assert perpetual.renewal_percent == D("22.50")
    assert str(subscription.tiers[1].price) == "12.50"  # exact text, not a float


async def test_offers_sort_by_name_in_any_alphabet_the_same_on_both_databases(database):
    # SQLite's lower() folds ASCII only: sorting in SQL put "Битрикс" before "амо"
    names = ["битрикс b", "Žalias", "Амо", "Same", "Битрикс a", "žalias 2", "same", "amo"]
    async with database.transaction() as session:
        admin, _ = await admin_and_rep(session)
        ids = {}
        for name in names:
            added = await offers.add_offer(session, actor=admin, data=replace(PERPETUAL, name=name))
            ids.setdefault(name.casefold(), []).append(offers.offer_id(added))
    async with database.transaction() as session:
        listed = await offers.list_offers(session, admin.workspace_id)
    assert [o.name for o in listed] == [
        "amo",
        "Same",
        "same",
        "Žalias",
        "žalias 2",
        "Амо",
        "Битрикс a",
        "битрикс b",
    ]
    same = [offers.offer_id(o) for o in listed if o.name.casefold() == "same"]
    assert same == sorted(ids["same"])  # equal names: the older first


async def test_only_admins_change_offers(database):
    async with database.transaction() as session:
        admin, rep = await admin_and_rep(session)
        offer = await offers.add_offer(session, actor=admin, data=SUBSCRIPTION)
        offer_id = offers.offer_id(offer)
        with pytest.raises(OfferError) as caught:
            await offers.add_offer(session, actor=rep, data=PERPETUAL)
        assert caught.value.problem == OfferProblem.not_allowed
        with pytest.raises(OfferError):
            await offers.update_offer(
                session, actor=rep, offer_id=offer_id, changes={"name": "Mine"}
            )
        with pytest.raises(OfferError):
            await offers.remove_offer(session, actor=rep, offer_id=offer_id)
        # a rep still reads them
        assert [o.name for o in await offers.list_offers(session, rep.workspace_id)] == [
            "Bitrix Team"
        ]


async def test_update_changes_fields_keeps_the_offer_valid_and_audits(database):
    async with database.transaction() as session:
        admin, _ = await admin_and_rep(session)
        offer_id = offers.offer_id(await offers.add_offer(session, actor=admin, data=PERPETUAL))
        changed = await offers.update_offer(
            session,
            actor=admin,
            offer_id=offer_id,
            changes={"flat_price": None, "tiers": (PriceTier(1, D("5000")),)},
        )
        assert changed.flat_price is None and changed.tiers == (PriceTier(1, D("5000.00")),)
        with pytest.raises(OfferError) as caught:
            await offers.update_offer(
                session, actor=admin, offer_id=offer_id, changes={"tiers": ()}
            )
        assert caught.value.problem == OfferProblem.price_needed
        with pytest.raises(ValueError):
            await offers.update_offer(
                session, actor=admin, offer_id=offer_id, changes={"kind": "subscription"}
            )
    async with database.transaction() as session:
        got = await offers.get_offer(session, workspace_id=admin.workspace_id, offer_id=offer_id)
        assert got == changed  # the refused changes left nothing behind
        events = (
            await session.exec(
                select(AuditEvent)
                .where(AuditEvent.entity_type == "cost_offer")
                .order_by(AuditEvent.id)
            )
        ).all()
    assert [e.action for e in events] == ["cost_offer.add", "cost_offer.update"]
    assert events[0].after["flat_price"] == "150000.50"
    assert events[1].before == {
        "flat_price": "150000.50",
        "tiers": [],
    }
    assert events[1].after == {"flat_price": None, "tiers": [{"min_seats": 1, "price": "5000.00"}]}
    assert all(e.actor_id == admin.id for e in events)


async def test_removed_and_foreign_offers_are_gone(database):
    async with database.transaction() as session:
        admin, _ = await admin_and_rep(session)
        _, stranger = await team.create_workspace(
            session, name="Other", owner=Person(3, "Ivan"), defaults=DEFAULTS, hosted=True
        )
        offer_id = offers.offer_id(await offers.add_offer(session, actor=admin, data=PERPETUAL))
        # another workspace's admin neither sees nor touches it
        assert await offers.list_offers(session, stranger.workspace_id) == []
        assert (
            await offers.get_offer(session, workspace_id=stranger.workspace_id, offer_id=offer_id)
            is None
        )
        for attempt in (
            offers.update_offer(session, actor=stranger, offer_id=offer_id, changes={"name": "X"}),
            offers.remove_offer(session, actor=stranger, offer_id=offer_id),
        ):
            with pytest.raises(OfferError) as caught:
                await attempt
            assert caught.value.problem == OfferProblem.offer_gone
        await offers.remove_offer(session, actor=admin, offer_id=offer_id)
        assert await offers.list_offers(session, admin.workspace_id) == []
        with pytest.raises(OfferError) as caught:
            await offers.remove_offer(session, actor=admin, offer_id=offer_id)
        assert caught.value.problem == OfferProblem.offer_gone
        row = await session.get(CostOffer, offer_id)
        assert row.deleted_at is not None and row.name == "amoCRM box"  # soft delete


def _with(**changes) -> OfferInput:
    return replace(SUBSCRIPTION, **changes)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (_with(name="   "), OfferProblem.name_empty),
        (_with(name="x" * 61), OfferProblem.name_too_long),
        (_with(kind="lease"), OfferProblem.unknown_kind),
        (_with(billing="weekly"), OfferProblem.unknown_billing),
        (_with(currency="euro"), OfferProblem.bad_currency),
        (_with(tiers=(PriceTier(1, D("-1")),)), OfferProblem.negative_amount),
        (_with(tiers=(PriceTier(1, D("9.999")),)), OfferProblem.too_many_decimals),
        (_with(tiers=(PriceTier(1, D("1e12")),)), OfferProblem.amount_too_large),
        (_with(tiers=(PriceTier(1, D("NaN")),)), OfferProblem.bad_amount),
        (_with(tiers=(PriceTier(0, D("9")),)), OfferProblem.seats_out_of_range),
        (
            _with(tiers=(PriceTier(10, D("9")), PriceTier(5, D("8")))),
            OfferProblem.tiers_not_ascending,
        ),
        (
            _with(tiers=(PriceTier(5, D("9")), PriceTier(5, D("8")))),
            OfferProblem.tiers_not_ascending,
        ),
        (_with(tiers=tuple(PriceTier(n, D(1)) for n in range(1, 12))), OfferProblem.too_many_tiers),
        (_with(tiers=()), OfferProblem.tiers_needed),
        (_with(flat_price=D(100)), OfferProblem.flat_for_subscription),
        (replace(PERPETUAL, flat_price=None), OfferProblem.price_needed),
        (replace(PERPETUAL, tiers=(PriceTier(1, D(5)),)), OfferProblem.flat_with_tiers),
        (replace(PERPETUAL, renewal_percent=D("100.01")), OfferProblem.renewal_out_of_range),
        (replace(PERPETUAL, renewal_percent=D("-1")), OfferProblem.renewal_out_of_range),
        (replace(PERPETUAL, server_per_month=D("-0.01")), OfferProblem.negative_amount),
    ],
)
def test_clean_names_what_is_wrong(data, problem):
    with pytest.raises(OfferError) as caught:
        offers.clean(data)
    assert caught.value.problem == problem


def test_clean_accepts_the_edges():
    cleaned = offers.clean(
        replace(PERPETUAL, name="x" * 60, renewal_percent=D(100), flat_price=D("0"))
    )
    assert cleaned.name == "x" * 60 and cleaned.renewal_percent == D("100.00")
    assert offers.clean(_with(tiers=(PriceTier(1, D("1.500")),))).tiers[0].price == D("1.50")
