"""Properties of the cost calculator that hold for any offers and roll-out."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from crm.costs.calculator import MAX_YEARS, compare, cost_of
from crm.costs.model import ZERO, LicenseKind, Offer, PriceTier, Rollout, SeatChoice

SETTINGS = settings(max_examples=150, deadline=None)

money = st.decimals(min_value=0, max_value=100_000, places=2)
small_money = st.decimals(min_value=0, max_value=2_000, places=2)
hours = st.decimals(min_value=0, max_value=500, places=1)
users = st.integers(min_value=1, max_value=300)
years = st.integers(min_value=1, max_value=MAX_YEARS)


@st.composite
def tiers(draw) -> tuple[PriceTier, ...]:
    seats = draw(st.lists(st.integers(1, 400), min_size=1, max_size=5, unique=True))
    return tuple(PriceTier(count, draw(small_money)) for count in seats)


@st.composite
def offers(draw, kind: LicenseKind | None = None) -> Offer:
    kind = kind or draw(st.sampled_from(LicenseKind))
    flat = kind != LicenseKind.subscription and draw(st.booleans())
    return Offer(
        name=draw(st.text(min_size=1, max_size=8)),
        kind=kind,
        currency="EUR",
        tiers=() if flat else draw(tiers()),
        flat_price=draw(money) if flat else None,
        renewal_percent=draw(st.decimals(min_value=0, max_value=100, places=1))
        if kind != LicenseKind.subscription
        else ZERO,
        server_per_month=draw(small_money) if kind == LicenseKind.self_hosted else ZERO,
        admin_per_month=draw(small_money) if kind == LicenseKind.self_hosted else ZERO,
    )


rollouts = st.builds(
    Rollout,
    migration_amount=st.none() | money,
    migration_records=st.integers(0, 200_000),
    migration_per_record=st.decimals(min_value=0, max_value=2, places=3),
    cleaning_hours=hours,
    hourly_rate=small_money,
    customization=money,
    integration=money,
    training_hours_per_user=hours,
    manager_hours=hours,
    support_per_month=small_money,
    hosting_per_month=small_money,
    monthly_revenue=money,
    loss_share=st.decimals(min_value=0, max_value=1, places=2),
    loss_months=st.integers(0, 150),
)


def exact_license_total(offer: Offer, seats: int, years: int) -> Decimal:
    """Buying exactly `seats` at the tier that applies, priced independently of the code."""
    price = max((t for t in offer.tiers if t.min_seats <= seats), key=lambda t: t.min_seats).price
    if offer.kind == LicenseKind.subscription:
        return seats * price * 12 * years
    return seats * price * (1 + offer.renewal_percent / 100 * (years - 1))


@SETTINGS
@given(st.lists(offers(), min_size=1, max_size=5), users, years, rollouts)
def test_total_is_the_sum_of_years_and_of_parts(offer_list, users, years, rollout) -> None:
    result = compare(offer_list, users=users, years=years, rollout=rollout)
    assert len(result.offers) == len(offer_list)
    for cost in result.offers:
        assert [year.year for year in cost.years] == list(range(1, years + 1))
        parts = sum(
            (y.license + y.running + y.one_time + y.recurring + y.losses for y in cost.years), ZERO
        )
        assert cost.total == sum((year.total for year in cost.years), ZERO) == parts
        assert cost.cumulative[-1] == cost.total
        assert all(isinstance(y.total, Decimal) for y in cost.years)
        assert all(y.total >= 0 for y in cost.years)
    totals = [cost.total for cost in result.offers]
    assert totals == sorted(totals)


@SETTINGS
@given(st.lists(offers(), min_size=2, max_size=4), users, years, rollouts)
def test_the_rollout_is_the_same_on_every_offer(offer_list, users, years, rollout) -> None:
    result = compare(offer_list, users=users, years=years, rollout=rollout)
    shares = {
        tuple((y.one_time, y.recurring, y.losses) for y in cost.years) for cost in result.offers
    }
    assert len(shares) == 1


@SETTINGS
@given(offers(), users, years)
def test_the_recommended_purchase_never_costs_more_than_exact_seats(offer, users, years) -> None:
    cost = cost_of(offer, users=users, years=years)
    license_total = sum((year.license for year in cost.years), ZERO)
    assert cost.purchase.seats >= users
    if not offer.tiers:
        assert cost.purchase.unit_price is None and cost.trick is None
        return
    if users < min(tier.min_seats for tier in offer.tiers):
        assert cost.purchase.choice == SeatChoice.minimum and cost.trick is None
        return
    assert license_total <= exact_license_total(offer, users, years)
    if cost.trick is not None:
        assert cost.trick.exact_total == exact_license_total(offer, users, years)
        assert license_total == min(cost.trick.exact_total, cost.trick.minimum_total)
        assert cost.trick.minimum.seats > users
    else:
        assert license_total == exact_license_total(offer, users, years)


@SETTINGS
@given(offers(), users, years, years, rollouts)
def test_a_longer_horizon_never_lowers_a_total(offer, users, short, long, rollout) -> None:
    short, long = sorted((short, long))
    shorter = cost_of(offer, users=users, years=short, rollout=rollout)
    longer = cost_of(offer, users=users, years=long, rollout=rollout)
    assert shorter.total <= longer.total
    # the same purchase, so the first years are the same years
    assert longer.years[:short] == shorter.years
    assert longer.purchase == shorter.purchase


@SETTINGS
@given(offers(LicenseKind.subscription), users, users, years)
def test_more_users_never_lower_a_subscription(offer, some, more, years) -> None:
    some, more = sorted((some, more))
    fewer = cost_of(offer, users=some, years=years)
    larger = cost_of(offer, users=more, years=years)
    assert sum((y.license for y in fewer.years), ZERO) <= sum(
        (y.license for y in larger.years), ZERO
    )


@SETTINGS
@given(st.lists(offers(), min_size=2, max_size=5), users, years)
def test_crossovers_follow_their_definition(offer_list, users, years) -> None:
    result = compare(offer_list, users=users, years=years)
    found = {(id(c.perpetual), id(c.subscription)): c.year for c in result.crossovers}
    for owned in result.offers:
        for rented in result.offers:
            if owned.offer.kind == LicenseKind.subscription or (
                rented.offer.kind != LicenseKind.subscription
            ):
                continue
            cheaper = [a < b for a, b in zip(owned.cumulative, rented.cumulative, strict=True)]
            year = found.get((id(owned), id(rented)))
            if not cheaper[-1]:
                assert year is None
            else:
                assert year is not None
                assert all(cheaper[year - 1 :])
                assert year == 1 or not cheaper[year - 2]
