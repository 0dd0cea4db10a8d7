"""Worked examples of the cost calculator; every expected number is worked out in a comment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm.costs.calculator import CostInputError, CostProblem, compare, cost_of, rollout_years
from crm.costs.model import (
    Billing,
    LicenseKind,
    Offer,
    PriceTier,
    Purchase,
    Rollout,
    SeatChoice,
)

D = Decimal


def subscription(*tiers: tuple[int, str], name: str = "Cloud", currency: str = "EUR") -> Offer:
    return Offer(
        name=name,
        kind=LicenseKind.subscription,
        currency=currency,
        tiers=tuple(PriceTier(seats, D(price)) for seats, price in tiers),
    )


def perpetual(*tiers: tuple[int, str], renewal: str = "0", flat: str | None = None) -> Offer:
    return Offer(
        name="Boxed",
        kind=LicenseKind.perpetual,
        currency="EUR",
        tiers=tuple(PriceTier(seats, D(price)) for seats, price in tiers),
        flat_price=None if flat is None else D(flat),
        renewal_percent=D(renewal),
    )


SUBSCRIPTION_25 = subscription((1, "25"))
PERPETUAL_600 = perpetual((1, "600"), renewal="50")
SELF_HOSTED = Offer(
    name="Own server",
    kind=LicenseKind.self_hosted,
    currency="EUR",
    flat_price=D("3000"),
    renewal_percent=D("20"),
    server_per_month=D("50"),
    admin_per_month=D("150"),
)
ROLLOUT = Rollout(
    migration_records=5000,
    migration_per_record=D("0.10"),
    cleaning_hours=D(20),
    hourly_rate=D(40),
    customization=D(2000),
    integration=D(1500),
    training_hours_per_user=D(4),
    manager_hours=D(30),
    support_per_month=D(100),
    monthly_revenue=D(50000),
    loss_share=D("0.05"),
    loss_months=3,
)


def years_of(cost, part: str) -> list[Decimal]:
    return [getattr(year, part) for year in cost.years]


# --- the worked example: 12 users, 3 years, three ways to buy ------------------------------


def test_three_offers_license_only() -> None:
    result = compare([PERPETUAL_600, SELF_HOSTED, SUBSCRIPTION_25], users=12, years=3)
    by_name = {cost.offer.name: cost for cost in result.offers}

    # subscription: 12 seats x 25 x 12 months = 3600 a year
    assert years_of(by_name["Cloud"], "license") == [3600, 3600, 3600]
    assert by_name["Cloud"].cumulative == (3600, 7200, 10800)
    # perpetual: 12 x 600 = 7200 in year 1, then 50% of 7200 = 3600 a year
    assert years_of(by_name["Boxed"], "license") == [7200, 3600, 3600]
    assert by_name["Boxed"].total == 14400
    # self-hosted: 3000 once, 20% of 3000 = 600 a year from year 2;
    # server and admin (50 + 150) x 12 = 2400 every year
    assert years_of(by_name["Own server"], "license") == [3000, 600, 600]
    assert years_of(by_name["Own server"], "running") == [2400, 2400, 2400]
    assert by_name["Own server"].cumulative == (5400, 8400, 11400)

    # 10800 < 11400 < 14400
    assert [cost.offer.name for cost in result.offers] == ["Cloud", "Own server", "Boxed"]
    assert result.cheapest.offer.name == "Cloud"
    assert result.margin == 600  # 11400 - 10800
    # 10800 / (12 users x 36 months = 432) = 25.00
    assert result.per_user_per_month(result.cheapest) == D("25.00")
    # the perpetual's renewal (3600) equals the subscription's year: it never catches up;
    # the self-hosted copy gains 600 a year: equal in year 4, cheaper in year 5, beyond 3 years
    assert result.crossovers == ()


def test_three_offers_with_the_rollout() -> None:
    result = compare(
        [SUBSCRIPTION_25, PERPETUAL_600, SELF_HOSTED], users=12, years=3, rollout=ROLLOUT
    )
    cloud = result.cheapest
    # migration 5000 x 0.10 + 20 h x 40 = 500 + 800 = 1300
    # one-time: 1300 + 2000 customization + 1500 integration
    #           + training 4 h x 12 users x 40 = 1920 + manager 30 h x 40 = 1200 = 7920
    assert years_of(cloud, "one_time") == [7920, 0, 0]
    # support 100 x 12 = 1200 a year
    assert years_of(cloud, "recurring") == [1200, 1200, 1200]
    # losses 50000 x 0.05 = 2500 a month x 3 months, all in year 1
    assert years_of(cloud, "losses") == [7500, 0, 0]
    # roll-out: 7920 + 3 x 1200 + 7500 = 19020, the same on every offer
    # cloud 10800 + 19020 = 29820; own server 11400 + 19020 = 30420; boxed 14400 + 19020 = 33420
    assert [cost.total for cost in result.offers] == [29820, 30420, 33420]
    assert cloud.cumulative == (3600 + 16620, 7200 + 17820, 29820)
    assert result.margin == 600
    # 29820 / 432 = 69.0277... -> 69.03
    assert result.per_user_per_month(cloud) == D("69.03")


def test_the_self_hosted_copy_overtakes_the_subscription_in_year_5() -> None:
    result = compare([SUBSCRIPTION_25, PERPETUAL_600, SELF_HOSTED], users=12, years=5)
    # cloud: 3600, 7200, 10800, 14400, 18000
    # own server: 5400, 8400, 11400, 14400, 17400 -> equal in year 4, cheaper from year 5
    # boxed: 7200, 10800, 14400, 18000, 21600 -> always 3600 dearer: no crossover
    [crossover] = result.crossovers
    assert (crossover.perpetual.offer.name, crossover.subscription.offer.name) == (
        "Own server",
        "Cloud",
    )
    assert crossover.year == 5
    assert result.cheapest.offer.name == "Own server"  # 17400 < 18000 < 21600


# --- seat tricks ---------------------------------------------------------------------------


def test_buying_the_tier_minimum_is_cheaper() -> None:
    offer = subscription((1, "20"), (15, "12"))
    cost = cost_of(offer, users=12, years=2)
    trick = cost.trick
    assert trick is not None
    # exact: 12 seats x 20 x 12 months x 2 years = 5760
    assert trick.exact == Purchase(12, D(20), SeatChoice.exact)
    assert trick.exact_total == 5760
    # minimum: 15 seats x 12 x 12 x 2 = 4320
    assert trick.minimum == Purchase(15, D(12), SeatChoice.minimum)
    assert trick.minimum_total == 4320
    assert trick.recommended == trick.minimum == cost.purchase
    assert trick.saving == 1440  # 5760 - 4320
    assert years_of(cost, "license") == [2160, 2160]  # 15 x 12 x 12


def test_exact_seats_are_cheaper_than_the_lure() -> None:
    offer = subscription((1, "20"), (15, "12"))
    cost = cost_of(offer, users=5, years=1)
    trick = cost.trick
    assert trick is not None
    # exact 5 x 20 x 12 = 1200; minimum 15 x 12 x 12 = 2160
    assert (trick.exact_total, trick.minimum_total) == (1200, 2160)
    assert cost.purchase == trick.exact == Purchase(5, D(20), SeatChoice.exact)
    assert trick.saving == 960
    assert cost.total == 1200


def test_equal_ways_recommend_the_exact_seats() -> None:
    # 10 x 30 = 300 a month either way as 15 x 20
    cost = cost_of(subscription((1, "30"), (15, "20")), users=10, years=1)
    assert cost.trick is not None and cost.trick.saving == 0
    assert cost.purchase.choice == SeatChoice.exact


def test_every_tier_above_is_considered() -> None:
    offer = subscription((1, "30"), (10, "25"), (20, "10"))
    cost = cost_of(offer, users=8, years=1)
    # a month: exact 8 x 30 = 240; 10 x 25 = 250; 20 x 10 = 200 -> 20 seats, not the next tier
    assert cost.purchase == Purchase(20, D(10), SeatChoice.minimum)
    assert cost.total == 2400  # 200 x 12
    assert cost.trick is not None and cost.trick.exact_total == 2880  # 240 x 12


def test_no_trick_without_a_lower_price_above() -> None:
    cost = cost_of(subscription((1, "10"), (20, "15")), users=12, years=1)
    assert cost.trick is None
    assert cost.purchase == Purchase(12, D(10), SeatChoice.exact)
    # a tier that applies already: 25 users at 8
    cost = cost_of(subscription((1, "10"), (20, "8")), users=25, years=1)
    assert cost.trick is None
    assert cost.total == 2400  # 25 x 8 x 12


def test_fewer_users_than_the_lowest_minimum_buy_a_minimum() -> None:
    cost = cost_of(subscription((5, "20")), users=3, years=1)
    assert cost.purchase == Purchase(5, D(20), SeatChoice.minimum)
    assert cost.trick is None
    assert cost.total == 1200  # 5 x 20 x 12
    # a further tier can be cheaper still: 5 x 20 = 100 vs 15 x 5 = 75 a month
    cost = cost_of(subscription((5, "20"), (15, "5")), users=3, years=1)
    assert cost.purchase == Purchase(15, D(5), SeatChoice.minimum)
    assert cost.total == 900


def test_a_perpetual_seat_trick_counts_the_renewals() -> None:
    offer = perpetual((1, "600"), (10, "400"), renewal="50")
    cost = cost_of(offer, users=8, years=3)
    trick = cost.trick
    assert trick is not None
    # exact: 8 x 600 = 4800, renewals 2 x 2400 -> 9600
    # minimum: 10 x 400 = 4000, renewals 2 x 2000 -> 8000
    assert (trick.exact_total, trick.minimum_total) == (9600, 8000)
    assert cost.purchase.seats == 10
    assert years_of(cost, "license") == [4000, 2000, 2000]


def test_tiers_may_come_in_any_order() -> None:
    cost = cost_of(subscription((15, "12"), (1, "20")), users=12, years=1)
    assert cost.purchase == Purchase(15, D(12), SeatChoice.minimum)


def test_a_flat_price_buys_every_seat() -> None:
    cost = cost_of(perpetual(flat="5000", renewal="22.5"), users=40, years=3)
    assert cost.purchase == Purchase(40, None)
    # 5000, then 22.5% of 5000 = 1125 a year
    assert years_of(cost, "license") == [5000, 1125, 1125]
    assert cost.trick is None


def test_annual_billing_costs_the_same_per_year() -> None:
    monthly = subscription((1, "25"))
    annual = Offer(**{**monthly.__dict__, "billing": Billing.annual})
    assert cost_of(annual, users=7, years=2).total == cost_of(monthly, users=7, years=2).total


# --- the roll-out --------------------------------------------------------------------------


def test_losses_spread_month_by_month_over_years() -> None:
    rollout = Rollout(monthly_revenue=D(10000), loss_share=D("0.1"), loss_months=14)
    # 10000 x 0.1 = 1000 a month: 12 months in year 1, the other 2 in year 2
    assert [y.losses for y in rollout_years(rollout, users=3, years=3)] == [12000, 2000, 0]


def test_losses_beyond_the_horizon_are_not_counted() -> None:
    rollout = Rollout(monthly_revenue=D(10000), loss_share=D("0.1"), loss_months=30)
    cost = cost_of(SUBSCRIPTION_25, users=1, years=2, rollout=rollout)
    # 24 of the 30 months fall in 2 years: 24 x 1000
    assert years_of(cost, "losses") == [12000, 12000]


def test_an_entered_migration_amount_replaces_the_estimate() -> None:
    estimate = Rollout(migration_records=1000, migration_per_record=D(1), hourly_rate=D(50))
    assert rollout_years(estimate, users=1, years=1)[0].one_time == 1000
    entered = Rollout(migration_amount=D(0), migration_records=1000, migration_per_record=D(1))
    assert rollout_years(entered, users=1, years=1)[0].one_time == 0
    entered = Rollout(migration_amount=D("750.50"), cleaning_hours=D(10), hourly_rate=D(50))
    assert rollout_years(entered, users=1, years=1)[0].one_time == D("750.50")


def test_a_skipped_rollout_costs_nothing() -> None:
    for year in rollout_years(Rollout(), users=50, years=4):
        assert (year.one_time, year.recurring, year.losses) == (0, 0, 0)


def test_hosting_and_support_recur_every_year() -> None:
    rollout = Rollout(support_per_month=D("19.99"), hosting_per_month=D("5.01"))
    # (19.99 + 5.01) x 12 = 300.00
    assert [y.recurring for y in rollout_years(rollout, users=2, years=3)] == [300] * 3


def test_money_stays_exact() -> None:
    # 7 seats x 0.10 x 12 = 8.40 exactly (a float would say 8.400000000000002)
    cost = cost_of(subscription((1, "0.10")), users=7, years=1)
    assert cost.total == D("8.40")
    assert all(isinstance(value, Decimal) for value in cost.cumulative)


# --- crossovers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "renewal", "expected"),
    [
        # sub 5 seats x 10 x 12 = 600 a year: 600, 1200, 1800; boxed 1000, 1000, 1000 -> year 2
        ("1000", "0", 2),
        # boxed 500, then 100% = 500 a year: 500, 1000, 1500 -> cheaper from year 1
        ("500", "100", 1),
        # boxed 500, then 200% = 1000 a year: 500, 1500, 2500 vs 600, 1200, 1800:
        # cheaper in year 1 only, dearer from year 2 -> no crossover
        ("500", "200", None),
        # boxed 1800, nothing after: equal in year 3 is not yet cheaper -> no crossover
        ("1800", "0", None),
        ("1799", "0", 3),
        ("1801", "0", None),
    ],
)
def test_crossover_year(price: str, renewal: str, expected: int | None) -> None:
    result = compare(
        [subscription((1, "10")), perpetual(flat=price, renewal=renewal)], users=5, years=3
    )
    years = [crossover.year for crossover in result.crossovers]
    assert years == ([] if expected is None else [expected])


def test_crossovers_pair_every_owned_offer_with_every_subscription() -> None:
    offers = [
        subscription((1, "10"), name="A"),
        subscription((1, "12"), name="B"),
        perpetual(flat="1000"),
        SELF_HOSTED,
    ]
    result = compare(offers, users=5, years=10)
    pairs = {(c.perpetual.offer.name, c.subscription.offer.name) for c in result.crossovers}
    # boxed 1000 once: vs A (600/yr) from year 2, vs B (720/yr) from year 2;
    # own server 5400, then +3000/yr vs A +600/yr: never; vs B: never
    assert pairs == {("Boxed", "A"), ("Boxed", "B")}
    assert {c.year for c in result.crossovers} == {2}


def test_ties_keep_the_input_order() -> None:
    first, second = subscription((1, "10"), name="first"), subscription((1, "10"), name="second")
    assert [c.offer.name for c in compare([first, second], users=3, years=1).offers] == [
        "first",
        "second",
    ]
    assert [c.offer.name for c in compare([second, first], users=3, years=1).offers] == [
        "second",
        "first",
    ]


def test_one_offer_has_no_margin() -> None:
    result = compare([SUBSCRIPTION_25], users=1, years=1)
    assert result.margin is None
    assert result.per_user_per_month(result.cheapest) == D("25.00")


# --- refused input -------------------------------------------------------------------------


def problem_of(call) -> CostProblem:
    with pytest.raises(CostInputError) as caught:
        call()
    assert isinstance(caught.value, ValueError)
    return caught.value.problem


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"users": 0, "years": 1}, CostProblem.users_out_of_range),
        ({"users": 10_001, "years": 1}, CostProblem.users_out_of_range),
        ({"users": 1, "years": 0}, CostProblem.years_out_of_range),
        ({"users": 1, "years": 11}, CostProblem.years_out_of_range),
        (
            {"users": 1, "years": 1, "rollout": Rollout(customization=D(-1))},
            CostProblem.negative_amount,
        ),
        (
            {"users": 1, "years": 1, "rollout": Rollout(migration_amount=D("-0.01"))},
            CostProblem.negative_amount,
        ),
        (
            {"users": 1, "years": 1, "rollout": Rollout(loss_months=-1)},
            CostProblem.negative_amount,
        ),
        (
            {"users": 1, "years": 1, "rollout": Rollout(hourly_rate=D("NaN"))},
            CostProblem.negative_amount,
        ),
        (
            {"users": 1, "years": 1, "rollout": Rollout(loss_share=D("1.01"))},
            CostProblem.loss_share_out_of_range,
        ),
    ],
)
def test_refused_horizon_and_rollout(kwargs: dict, problem: CostProblem) -> None:
    assert problem_of(lambda: compare([SUBSCRIPTION_25], **kwargs)) == problem
    assert problem_of(lambda: cost_of(SUBSCRIPTION_25, **kwargs)) == problem


def test_the_limits_themselves_are_accepted() -> None:
    assert compare([SUBSCRIPTION_25], users=10_000, years=10).cheapest.total == 30_000_000
    assert compare([SUBSCRIPTION_25], users=1, years=1, rollout=Rollout(loss_share=D(1)))


def test_refused_offer_lists() -> None:
    assert problem_of(lambda: compare([], users=1, years=1)) == CostProblem.no_offers
    rouble = subscription((1, "2000"), currency="RUB")
    assert (
        problem_of(lambda: compare([SUBSCRIPTION_25, rouble], users=1, years=1))
        == CostProblem.mixed_currencies
    )
    # the case of a currency code does not matter
    lower = subscription((1, "20"), currency="eur")
    assert len(compare([SUBSCRIPTION_25, lower], users=1, years=1).offers) == 2


@pytest.mark.parametrize(
    ("offer", "problem"),
    [
        (subscription(), CostProblem.offer_has_no_price),
        (perpetual(), CostProblem.offer_has_no_price),
        (
            Offer("Own", LicenseKind.self_hosted, "EUR", server_per_month=D(10)),
            CostProblem.offer_has_no_price,
        ),
        (perpetual((1, "100"), flat="100"), CostProblem.offer_has_two_prices),
        (
            Offer("Odd", LicenseKind.subscription, "EUR", (PriceTier(1, D(1)),), flat_price=D(1)),
            CostProblem.offer_has_two_prices,
        ),
        (subscription((0, "10")), CostProblem.bad_tiers),
        (subscription((1, "10"), (1, "8")), CostProblem.bad_tiers),
        (subscription((1, "-10")), CostProblem.negative_amount),
        (perpetual(flat="-1"), CostProblem.negative_amount),
        (perpetual(flat="100", renewal="-5"), CostProblem.negative_amount),
        (
            Offer("Own", LicenseKind.self_hosted, "EUR", flat_price=D(0), admin_per_month=D(-1)),
            CostProblem.negative_amount,
        ),
        (perpetual(flat="Infinity"), CostProblem.negative_amount),
    ],
)
def test_refused_offers(offer: Offer, problem: CostProblem) -> None:
    with pytest.raises(CostInputError) as caught:
        compare([SUBSCRIPTION_25, offer], users=3, years=2)
    assert caught.value.problem == problem
    assert caught.value.offer == offer.name


def test_an_open_source_copy_is_free_to_buy() -> None:
    free = Offer("Open", LicenseKind.self_hosted, "EUR", flat_price=D(0), server_per_month=D(25))
    cost = cost_of(free, users=20, years=2)
    assert years_of(cost, "license") == [0, 0]
    assert cost.total == 600  # 25 x 12 x 2
