"""The arithmetic of the cost calculator: what each offer costs year by year, all included.

`compare(offers, users=..., years=..., rollout=...)` prices every offer over the same horizon
and returns them cheapest first (ties keep the input order), with the years in which a
perpetual or self-hosted offer overtakes a subscription. `cost_of` prices one offer.

Rules
-----
License, by `Offer.kind`:

- subscription: `tiers` give the price per seat per month from `min_seats` seats up; the tier
  that applies to a seat count is the one with the largest minimum not above it. Seats bought
  = users; a year's license = seats x price x 12. Monthly and annual billing cost the same per
  year here (annual is only paid ahead; a tier quotes the monthly price either way).
- perpetual: per seat (`tiers`, a one-time price per seat) or one `flat_price`, paid in year 1;
  from year 2, `renewal_percent` of that license price every year (updates and support).
- self_hosted: the copy's one-time price (per seat or flat, as perpetual) in year 1, the
  renewal (if any) from year 2, and `running` = (server_per_month + admin_per_month) x 12
  every year. An open-source copy is `flat_price = 0`.

Fields that do not belong to an offer's kind are ignored: a renewal on a subscription, server
and administration costs on anything but a self-hosted copy.

Seat tricks (per-seat tiers of any kind): when a tier above the users needed has a lower unit
price than the tier that applies, the offer carries a `SeatTrick` with both ways priced over
the whole horizon: exactly the seats needed at the applicable price, and the minimum of the
tier above that costs least in total (every tier above is considered, not only the next).
The recommended way (the cheaper; exact when equal) is the purchase used for the years; the
trick stays on the result so the chat can say why, including when exact seats win. When the
users are fewer than the lowest tier's minimum, some minimum must be bought: the purchase is
the tier minimum that costs least (`SeatChoice.minimum`) and there is no trick (no exact way).
A flat price buys all the users' seats (`Purchase(users, None)`).

Roll-out (`Rollout`, the same for every offer and shown on each, so every total is the TCO):

- one-time, all in year 1: migration (`migration_amount` when entered, otherwise
  records x per_record + cleaning_hours x hourly_rate), customization, integration, training
  (training_hours_per_user x users x hourly_rate), the manager's time (manager_hours x
  hourly_rate);
- recurring: (support_per_month + hosting_per_month) x 12 every year;
- losses: monthly_revenue x loss_share for each of the first `loss_months` months, each month
  counted in its own year; months beyond the horizon are not counted.

Money stays `Decimal` from input to result, never float, and nothing is rounded here: every
figure is exact (the sums of products of the inputs). Rounding is for display only; the one
derived per-month figure, `Comparison.per_user_per_month`, is quantized to cents by the model.

Crossovers: for every pair of a perpetual-or-self-hosted offer and a subscription, the first
year from which the former's cumulative cost is below the subscription's and stays so to the
end of the horizon (year 1 when it is cheaper from the start); no crossover when it is not
cheaper at the end (costing the same is not overtaking).

Bad input raises `CostInputError` whose `problem` (a `CostProblem`) the chat translates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from enum import StrEnum

from crm.costs.model import (
    ZERO,
    Comparison,
    Crossover,
    LicenseKind,
    Offer,
    OfferCost,
    PriceTier,
    Purchase,
    Rollout,
    SeatChoice,
    SeatTrick,
    YearCost,
)

__all__ = [
    "MAX_USERS",
    "MAX_YEARS",
    "NO_ROLLOUT",
    "CostInputError",
    "CostProblem",
    "check_offer",
    "compare",
    "cost_of",
    "rollout_years",
]

MAX_USERS = 10_000
MAX_YEARS = 10
NO_ROLLOUT = Rollout()  # every roll-out cost skipped
MONTHS = 12
_HUNDRED = Decimal(100)


class CostProblem(StrEnum):
    """Why a calculation cannot be made; each value names one message for the user."""

    no_offers = "no_offers"  # nothing to compare
    users_out_of_range = "users_out_of_range"  # users not in 1..MAX_USERS
    years_out_of_range = "years_out_of_range"  # years not in 1..MAX_YEARS
    mixed_currencies = "mixed_currencies"  # offers in different currencies
    # a subscription without tiers; a perpetual or self-hosted offer with neither tiers nor
    # a flat price
    offer_has_no_price = "offer_has_no_price"
    offer_has_two_prices = "offer_has_two_prices"  # both tiers and a flat price
    bad_tiers = "bad_tiers"  # a tier from fewer than 1 seat, or two tiers from the same seats
    # a price, percentage, monthly cost, amount, hour, record or month count below zero (or
    # not a finite number)
    negative_amount = "negative_amount"
    loss_share_out_of_range = "loss_share_out_of_range"  # the lost share is not in 0..1


class CostInputError(ValueError):
    """Input the calculator refuses. `problem` is for the user (translated by the chat);
    `offer` names the offer at fault, if one is; `detail` is English, for the logs only."""

    def __init__(self, problem: CostProblem, detail: str | None = None, *, offer: str = ""):
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail
        self.offer = offer


def compare(
    offers: Sequence[Offer], *, users: int, years: int, rollout: Rollout = NO_ROLLOUT
) -> Comparison:
    """Price every offer for `users` over `years`, cheapest first (ties keep input order)."""
    if not offers:
        raise CostInputError(CostProblem.no_offers)
    currencies = {offer.currency.upper() for offer in offers}
    if len(currencies) > 1:
        raise CostInputError(CostProblem.mixed_currencies, ", ".join(sorted(currencies)))
    _check_horizon(users, years)
    _check_rollout(rollout)
    rolled = rollout_years(rollout, users=users, years=years)  # the same for every offer
    costs = [_priced(offer, users, years, rolled) for offer in offers]
    ranked = tuple(sorted(costs, key=lambda cost: cost.total))  # sorted() is stable
    return Comparison(
        users=users,
        years=years,
        rollout=rollout,
        offers=ranked,
        crossovers=tuple(_crossovers(ranked)),
    )


def cost_of(offer: Offer, *, users: int, years: int, rollout: Rollout = NO_ROLLOUT) -> OfferCost:
    """One offer's cost for `users` over `years`, license and roll-out, year by year."""
    _check_horizon(users, years)
    _check_rollout(rollout)
    return _priced(offer, users, years, rollout_years(rollout, users=users, years=years))


def _priced(offer: Offer, users: int, years: int, rolled: Sequence[RolloutYear]) -> OfferCost:
    """`cost_of` once the horizon and the roll-out are checked and the roll-out is spread."""
    check_offer(offer)
    purchase, trick = _purchase(offer, users=users, years=years)
    licenses = _license_years(offer, purchase, years)
    running = (offer.server_per_month + offer.admin_per_month) * MONTHS
    if offer.kind != LicenseKind.self_hosted:
        running = ZERO
    return OfferCost(
        offer=offer,
        purchase=purchase,
        years=tuple(
            YearCost(
                year=number,
                license=license_,
                running=running,
                one_time=part.one_time,
                recurring=part.recurring,
                losses=part.losses,
            )
            for number, (license_, part) in enumerate(zip(licenses, rolled, strict=True), 1)
        ),
        trick=trick,
    )


@dataclass(frozen=True)
class RolloutYear:
    """The roll-out's share of one year (the license parts are zero)."""

    one_time: Decimal
    recurring: Decimal
    losses: Decimal


def rollout_years(rollout: Rollout, *, users: int, years: int) -> tuple[RolloutYear, ...]:
    """The roll-out's costs for each year of the horizon (see the module's rules)."""
    rate = rollout.hourly_rate
    migration = rollout.migration_amount
    if migration is None:
        migration = (
            rollout.migration_records * rollout.migration_per_record + rollout.cleaning_hours * rate
        )
    one_time = (
        migration
        + rollout.customization
        + rollout.integration
        + rollout.training_hours_per_user * users * rate
        + rollout.manager_hours * rate
    )
    recurring = (rollout.support_per_month + rollout.hosting_per_month) * MONTHS
    monthly_loss = rollout.monthly_revenue * rollout.loss_share
    out = []
    for year in range(1, years + 1):
        first_month = (year - 1) * MONTHS + 1  # months are numbered from 1
        lost_months = max(0, min(rollout.loss_months, year * MONTHS) - first_month + 1)
        out.append(
            RolloutYear(
                one_time=one_time if year == 1 else ZERO,
                recurring=recurring,
                losses=monthly_loss * lost_months,
            )
        )
    return tuple(out)


# --- the license -------------------------------------------------------------------------


def _purchase(offer: Offer, *, users: int, years: int) -> tuple[Purchase, SeatTrick | None]:
    if not offer.tiers:
        return Purchase(seats=users, unit_price=None), None
    tiers = sorted(offer.tiers, key=lambda tier: tier.min_seats)

    def total(purchase: Purchase) -> Decimal:
        return sum(_license_years(offer, purchase, years), ZERO)

    def minimum_of(tier: PriceTier) -> Purchase:
        return Purchase(tier.min_seats, tier.price, SeatChoice.minimum)

    if users < tiers[0].min_seats:
        # no exact way: the cheapest tier minimum (the first of equals, i.e. fewer seats)
        return min((minimum_of(tier) for tier in tiers), key=total), None
    applicable = [tier for tier in tiers if tier.min_seats <= users][-1]
    exact = Purchase(users, applicable.price, SeatChoice.exact)
    lures = [t for t in tiers if t.min_seats > users and t.price < applicable.price]
    if not lures:
        return exact, None
    minimum = min((minimum_of(tier) for tier in lures), key=total)
    trick = SeatTrick(
        exact=exact, exact_total=total(exact), minimum=minimum, minimum_total=total(minimum)
    )
    return trick.recommended, trick


def _license_years(offer: Offer, purchase: Purchase, years: int) -> list[Decimal]:
    """The license part of each year for a purchase (running costs are apart)."""
    if purchase.unit_price is None:
        price = offer.flat_price if offer.flat_price is not None else ZERO
    else:
        price = purchase.seats * purchase.unit_price
    if offer.kind == LicenseKind.subscription:
        return [price * MONTHS] * years
    renewal = price * offer.renewal_percent / _HUNDRED
    return [price] + [renewal] * (years - 1)


# --- crossovers --------------------------------------------------------------------------


def _crossovers(costs: Sequence[OfferCost]) -> Iterable[Crossover]:
    owned = [c for c in costs if c.offer.kind != LicenseKind.subscription]
    rented = [c for c in costs if c.offer.kind == LicenseKind.subscription]
    for perpetual in owned:
        for subscription in rented:
            year = _overtakes_from(perpetual.cumulative, subscription.cumulative)
            if year is not None:
                yield Crossover(perpetual=perpetual, subscription=subscription, year=year)


def _overtakes_from(owned: Sequence[Decimal], rented: Sequence[Decimal]) -> int | None:
    """The first year (1-based) from which `owned` < `rented` to the end, if any."""
    year = None
    for number in range(len(owned), 0, -1):
        if owned[number - 1] >= rented[number - 1]:
            break
        year = number
    return year


# --- validation --------------------------------------------------------------------------


def _check_horizon(users: int, years: int) -> None:
    if not 1 <= users <= MAX_USERS:
        raise CostInputError(CostProblem.users_out_of_range, f"users={users}")
    if not 1 <= years <= MAX_YEARS:
        raise CostInputError(CostProblem.years_out_of_range, f"years={years}")


def _bad_amount(value: Decimal | int) -> bool:
    if isinstance(value, Decimal) and not value.is_finite():
        return True
    return value < 0


def _check_rollout(rollout: Rollout) -> None:
    for spec in fields(rollout):
        value = getattr(rollout, spec.name)
        if value is not None and _bad_amount(value):
            raise CostInputError(CostProblem.negative_amount, f"rollout.{spec.name}={value}")
    if rollout.loss_share > 1:
        raise CostInputError(CostProblem.loss_share_out_of_range, f"{rollout.loss_share}")


def check_offer(offer: Offer) -> None:
    """Refuse an offer that cannot be priced (see `CostProblem`); the catalogue and the chat
    can check an offer when it is entered, before any comparison."""

    def fail(problem: CostProblem, detail: str) -> CostInputError:
        return CostInputError(problem, f"{offer.name!r}: {detail}", offer=offer.name)

    if offer.kind == LicenseKind.subscription:
        if not offer.tiers:
            raise fail(CostProblem.offer_has_no_price, "a subscription needs tiers")
        if offer.flat_price is not None:
            raise fail(CostProblem.offer_has_two_prices, "a subscription has no flat price")
    elif not offer.tiers and offer.flat_price is None:
        raise fail(CostProblem.offer_has_no_price, "neither tiers nor a flat price")
    elif offer.tiers and offer.flat_price is not None:
        raise fail(CostProblem.offer_has_two_prices, "both tiers and a flat price")
    seats = [tier.min_seats for tier in offer.tiers]
    if any(count < 1 for count in seats) or len(set(seats)) != len(seats):
        raise fail(CostProblem.bad_tiers, f"tier minimums {seats}")
    amounts = {
        "flat_price": offer.flat_price,
        "renewal_percent": offer.renewal_percent,
        "server_per_month": offer.server_per_month,
        "admin_per_month": offer.admin_per_month,
    }
    amounts.update({f"tier from {t.min_seats}": t.price for t in offer.tiers})
    for name, value in amounts.items():
        if value is not None and _bad_amount(value):
            raise fail(CostProblem.negative_amount, f"{name}={value}")
