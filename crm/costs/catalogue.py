"""The plan catalogue: example vendor plans and typical roll-out figures, from a data file.

Prices are data, not code: `plans.toml` beside this module (package data) holds the example
plans, each marked `example = true` with the date it was seen (`as_of`) and its `source`, and
per currency the typical roll-out assumptions that prefill the chat's questions. The file is
validated strictly on load: an unknown key, a missing or mistyped value, a negative amount,
tiers not in ascending order of seats, a duplicate id or an offer the calculator would refuse
raise `CatalogueError` naming the plan and the key.

Money is read as exact `Decimal` (TOML numbers are parsed with `parse_float=Decimal`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from crm.costs.calculator import CostInputError, check_offer
from crm.costs.model import ZERO, Billing, LicenseKind, Offer, PriceTier, Rollout

__all__ = ["DEFAULT_PATH", "Catalogue", "CatalogueError", "RolloutAssumptions", "load_catalogue"]

DEFAULT_PATH = Path(__file__).with_name("plans.toml")
KEY_PREFIX = "catalogue:"

_PLAN_KEYS = {
    "id",
    "name",
    "kind",
    "currency",
    "billing",
    "tiers",
    "flat_price",
    "renewal_percent",
    "server_per_month",
    "admin_per_month",
    "example",
    "as_of",
    "source",
}
_PLAN_REQUIRED = {"id", "name", "kind", "currency", "example", "as_of", "source"}
_MONEY_KEYS = ("renewal_percent", "server_per_month", "admin_per_month")
_ROLLOUT_KEYS = (
    "hourly_rate",
    "migration_per_record",
    "cleaning_hours_per_1000_records",
    "training_hours_per_user",
    "manager_hours",
    "manager_hours_per_user",
    "support_per_month",
    "customization",
    "integration",
)


class CatalogueError(ValueError):
    """The catalogue file is malformed; the message names the file, the plan and the key."""


@dataclass(frozen=True)
class RolloutAssumptions:
    """Typical roll-out figures for one currency; zero where the file says nothing."""

    hourly_rate: Decimal = ZERO
    migration_per_record: Decimal = ZERO
    cleaning_hours_per_1000_records: Decimal = ZERO
    training_hours_per_user: Decimal = ZERO
    manager_hours: Decimal = ZERO
    manager_hours_per_user: Decimal = ZERO
    support_per_month: Decimal = ZERO
    customization: Decimal = ZERO
    integration: Decimal = ZERO

    def rollout(self, *, users: int, records: int = 0) -> Rollout:
        """A `Rollout` for a team of `users` moving `records` records (no losses: those are
        the business's own figures, asked for or skipped)."""
        return Rollout(
            migration_records=records,
            migration_per_record=self.migration_per_record,
            cleaning_hours=self.cleaning_hours_per_1000_records * records / 1000,
            hourly_rate=self.hourly_rate,
            customization=self.customization,
            integration=self.integration,
            training_hours_per_user=self.training_hours_per_user,
            manager_hours=self.manager_hours + self.manager_hours_per_user * users,
            support_per_month=self.support_per_month,
        )


@dataclass(frozen=True)
class Catalogue:
    plans: tuple[Offer, ...]  # in file order
    rollouts: Mapping[str, RolloutAssumptions]  # by currency code

    @property
    def currencies(self) -> tuple[str, ...]:
        """The currencies that have plans, in the order they first appear."""
        return tuple(dict.fromkeys(plan.currency for plan in self.plans))

    def offers(self, currency: str) -> list[Offer]:
        """The example plans priced in `currency` (any case), in file order."""
        code = currency.upper()
        return [plan for plan in self.plans if plan.currency == code]

    def typical_rollout(self, currency: str, users: int, records: int = 0) -> Rollout | None:
        """Typical roll-out costs for `users` and `records` in `currency`; None without
        assumptions for that currency."""
        assumptions = self.rollouts.get(currency.upper())
        return assumptions.rollout(users=users, records=records) if assumptions else None


def load_catalogue(path: Path | str = DEFAULT_PATH) -> Catalogue:
    """Read and validate a catalogue file (by default the one shipped with the package)."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = tomllib.load(file, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{path.name}: not valid TOML: {error}") from error
    return parse_catalogue(data, origin=path.name)


def parse_catalogue(data: Mapping[str, Any], *, origin: str = "catalogue") -> Catalogue:
    """Validate an already parsed catalogue (floats must have been read as Decimal)."""
    _unknown(data, {"plan", "rollout"}, origin)
    plans_data = data.get("plan", [])
    if not isinstance(plans_data, list) or not plans_data:
        raise CatalogueError(f"{origin}: no [[plan]] tables")
    plans: list[Offer] = []
    for index, raw in enumerate(plans_data, 1):
        plans.append(_plan(raw, f"{origin}: plan {index}"))
    ids = [plan.key for plan in plans]
    duplicates = sorted({key for key in ids if ids.count(key) > 1})
    if duplicates:
        raise CatalogueError(f"{origin}: duplicate plan ids {duplicates}")
    rollouts_data = data.get("rollout", {})
    if not isinstance(rollouts_data, dict):
        raise CatalogueError(f"{origin}: [rollout] must be tables by currency")
    rollouts = {
        _currency(code, f"{origin}: [rollout.{code}]"): _rollout(raw, f"{origin}: rollout.{code}")
        for code, raw in rollouts_data.items()
    }
    return Catalogue(plans=tuple(plans), rollouts=rollouts)


# --- one plan ----------------------------------------------------------------------------


def _plan(raw: Any, where: str) -> Offer:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: not a table")
    if isinstance(raw.get("id"), str):
        where = f"{where} ({raw['id']!r})"
    _unknown(raw, _PLAN_KEYS, where)
    missing = sorted(_PLAN_REQUIRED - raw.keys())
    if missing:
        raise CatalogueError(f"{where}: missing {', '.join(missing)}")
    plan_id = _text(raw, "id", where)
    if plan_id != plan_id.strip().lower() or not plan_id.replace("-", "").isalnum():
        raise CatalogueError(f"{where}: id must be lowercase letters, digits and '-'")
    kind = _choice(raw, "kind", LicenseKind, where)
    billing = _choice(raw, "billing", Billing, where) if "billing" in raw else Billing.monthly
    if "billing" in raw and kind != LicenseKind.subscription:
        raise CatalogueError(f"{where}: billing is for subscriptions only")
    example = raw["example"]
    if not isinstance(example, bool):
        raise CatalogueError(f"{where}: example must be true or false")
    as_of = raw["as_of"]
    if type(as_of) is not date:  # a TOML datetime is a date subclass: refuse it too
        raise CatalogueError(f"{where}: as_of must be a date like 2026-11-01")
    running = {key: _money(raw, key, where) for key in _MONEY_KEYS if key in raw}
    # what the calculator would silently ignore is a mistake in the file
    if kind != LicenseKind.self_hosted:
        extra = sorted({"server_per_month", "admin_per_month"} & running.keys())
        if extra:
            raise CatalogueError(f"{where}: {', '.join(extra)} is for self-hosted plans only")
    if kind == LicenseKind.subscription and "renewal_percent" in running:
        raise CatalogueError(f"{where}: renewal_percent is for perpetual and self-hosted plans")
    offer = Offer(
        name=_text(raw, "name", where),
        kind=kind,
        currency=_currency(raw["currency"], where),
        tiers=_tiers(raw.get("tiers", []), where),
        billing=billing,
        flat_price=_money(raw, "flat_price", where) if "flat_price" in raw else None,
        key=KEY_PREFIX + plan_id,
        example=example,
        source=_url(raw, "source", where),
        as_of=as_of,
        **running,
    )
    try:
        check_offer(offer)
    except CostInputError as error:
        raise CatalogueError(f"{where}: {error.detail or error.problem}") from error
    return offer


def _tiers(raw: Any, where: str) -> tuple[PriceTier, ...]:
    if not isinstance(raw, list):
        raise CatalogueError(f"{where}: tiers must be a list of {{ min_seats, price }}")
    tiers = []
    for number, tier in enumerate(raw, 1):
        here = f"{where}: tier {number}"
        if not isinstance(tier, dict):
            raise CatalogueError(f"{here}: not a {{ min_seats, price }} table")
        _unknown(tier, {"min_seats", "price"}, here)
        seats = tier.get("min_seats")
        if type(seats) is not int or seats < 1:
            raise CatalogueError(f"{here}: min_seats must be a whole number from 1")
        if "price" not in tier:
            raise CatalogueError(f"{here}: missing price")
        tiers.append(PriceTier(min_seats=seats, price=_money(tier, "price", here)))
    seats = [tier.min_seats for tier in tiers]
    if any(later <= earlier for earlier, later in zip(seats, seats[1:], strict=False)):
        raise CatalogueError(f"{where}: tiers must be in ascending order of min_seats: {seats}")
    return tuple(tiers)


# --- roll-out assumptions ----------------------------------------------------------------


def _rollout(raw: Any, where: str) -> RolloutAssumptions:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: not a table")
    _unknown(raw, set(_ROLLOUT_KEYS), where)
    return RolloutAssumptions(**{key: _money(raw, key, where) for key in raw})


# --- values ------------------------------------------------------------------------------


def _unknown(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(raw.keys() - allowed)
    if unknown:
        raise CatalogueError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw[key]
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: {key} must be a non-empty string")
    return value


def _url(raw: Mapping[str, Any], key: str, where: str) -> str:
    """A plain https address: the chat adds the translated "example, check current prices"."""
    value = _text(raw, key, where)
    if not value.startswith("https://") or any(char.isspace() for char in value):
        raise CatalogueError(f"{where}: {key} must be a plain https:// address")
    return value


def _choice(raw: Mapping[str, Any], key: str, enum: type, where: str) -> Any:
    value = raw[key]
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise CatalogueError(f"{where}: {key} must be one of {allowed}, not {value!r}") from None


def _currency(value: Any, where: str) -> str:
    if not isinstance(value, str) or len(value) != 3 or not value.isalpha():
        raise CatalogueError(f"{where}: currency must be a 3-letter code like EUR")
    return value.upper()


def _money(raw: Mapping[str, Any], key: str, where: str) -> Decimal:
    value = raw[key]
    if type(value) is int:
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise CatalogueError(f"{where}: {key} must be a number, not {value!r}")
    if value < 0:
        raise CatalogueError(f"{where}: {key} must not be negative ({value})")
    return value
