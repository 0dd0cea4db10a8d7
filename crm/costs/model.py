"""Inputs and results of the cost calculator. All money is `Decimal` in one currency."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal(0)


class LicenseKind(StrEnum):
    subscription = "subscription"  # per seat per month, paid while used
    perpetual = "perpetual"  # bought once (per seat or flat), optional yearly renewal
    self_hosted = "self_hosted"  # a copy run on our own server: one-time price + running costs


class Billing(StrEnum):
    monthly = "monthly"
    annual = "annual"  # paid a year ahead; the tier price is still quoted per seat per month


@dataclass(frozen=True)
class PriceTier:
    """A price that holds from `min_seats` seats up: per seat per month for a subscription,
    per seat once for a perpetual or self-hosted license."""

    min_seats: int
    price: Decimal


@dataclass(frozen=True)
class Offer:
    """One way to buy a CRM: an example plan from the catalogue or a quote a workspace got.

    A perpetual or self-hosted offer is priced per seat (`tiers`) or as one `flat_price`.
    `renewal_percent` is the yearly fee for updates and support, as a percentage of the license
    price, charged from the second year (e.g. 50 for 50%)."""

    name: str
    kind: LicenseKind
    currency: str
    tiers: tuple[PriceTier, ...] = ()
    billing: Billing = Billing.monthly
    flat_price: Decimal | None = None
    renewal_percent: Decimal = ZERO
    server_per_month: Decimal = ZERO  # self-hosted: the server or VPS
    admin_per_month: Decimal = ZERO  # self-hosted: administration, updates, backups
    key: str = ""  # "catalogue:<id>" or "workspace:<id>", stable across runs
    example: bool = False  # from the catalogue: an example, not a quote
    source: str = ""  # where an example's price was seen
    as_of: date | None = None  # when it was seen


@dataclass(frozen=True)
class Rollout:
    """Costs of the roll-out that do not depend on the license. Zero means "skipped"."""

    # data migration: entered as an amount, or estimated from records and cleaning hours
    migration_amount: Decimal | None = None
    migration_records: int = 0
    migration_per_record: Decimal = ZERO
    cleaning_hours: Decimal = ZERO
    hourly_rate: Decimal = ZERO  # one rate for cleaning, training and the manager's time
    # one-time work
    customization: Decimal = ZERO  # access rights, reports, tasks
    integration: Decimal = ZERO  # web site, 1C, telephony
    training_hours_per_user: Decimal = ZERO
    manager_hours: Decimal = ZERO  # the manager's time spent on the roll-out
    # recurring, per month
    support_per_month: Decimal = ZERO
    hosting_per_month: Decimal = ZERO
    # losses while the team switches over: a share (0..1) of monthly revenue for some months
    monthly_revenue: Decimal = ZERO
    loss_share: Decimal = ZERO
    loss_months: int = 0


class SeatChoice(StrEnum):
    exact = "exact"  # bought exactly the seats needed
    minimum = "minimum"  # bought a tier's minimum (more seats than needed) because it is cheaper


@dataclass(frozen=True)
class Purchase:
    """How many seats are paid for and at which unit price (None for a flat price)."""

    seats: int
    unit_price: Decimal | None
    choice: SeatChoice = SeatChoice.exact


@dataclass(frozen=True)
class YearCost:
    year: int  # 1-based
    license: Decimal  # subscription fees, perpetual price and renewals, self-hosted copy
    running: Decimal  # self-hosted server and administration
    one_time: Decimal  # migration, customization, integration, training, manager's time
    recurring: Decimal  # support, hosting
    losses: Decimal  # transition losses

    @property
    def total(self) -> Decimal:
        return self.license + self.running + self.one_time + self.recurring + self.losses


@dataclass(frozen=True)
class SeatTrick:
    """A tier's low price holds only from more seats than needed: both ways, priced over the
    whole horizon. `recommended` is the cheaper (exact seats when they cost the same)."""

    exact: Purchase
    exact_total: Decimal
    minimum: Purchase
    minimum_total: Decimal

    @property
    def recommended(self) -> Purchase:
        return self.minimum if self.minimum_total < self.exact_total else self.exact

    @property
    def saving(self) -> Decimal:
        return abs(self.exact_total - self.minimum_total)


@dataclass(frozen=True)
class OfferCost:
    offer: Offer
    purchase: Purchase  # the recommended purchase (see `trick`)
    years: tuple[YearCost, ...]
    trick: SeatTrick | None = None

    @property
    def total(self) -> Decimal:
        return sum((year.total for year in self.years), ZERO)

    @property
    def cumulative(self) -> tuple[Decimal, ...]:
        running, out = ZERO, []
        for year in self.years:
            running += year.total
            out.append(running)
        return tuple(out)


@dataclass(frozen=True)
class Crossover:
    """The year from which a perpetual (or self-hosted) offer has cost less in total than a
    subscription, and stays cheaper to the end of the horizon."""

    perpetual: OfferCost
    subscription: OfferCost
    year: int


@dataclass(frozen=True)
class Comparison:
    users: int
    years: int
    rollout: Rollout
    offers: tuple[OfferCost, ...]  # cheapest first
    crossovers: tuple[Crossover, ...] = field(default_factory=tuple)

    @property
    def cheapest(self) -> OfferCost:
        return self.offers[0]

    @property
    def margin(self) -> Decimal | None:
        """How much the cheapest saves against the next one (None with one offer)."""
        return self.offers[1].total - self.offers[0].total if len(self.offers) > 1 else None

    def per_user_per_month(self, cost: OfferCost) -> Decimal:
        """The effective cost per user per month, all costs included, rounded to cents."""
        months = self.users * self.years * 12
        return (cost.total / months).quantize(Decimal("0.01"))
