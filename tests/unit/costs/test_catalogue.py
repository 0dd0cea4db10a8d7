"""The plan catalogue: the shipped file, and what a malformed file is refused for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from crm.costs.calculator import compare
from crm.costs.catalogue import DEFAULT_PATH, CatalogueError, load_catalogue
from crm.costs.model import Billing, LicenseKind, PriceTier

D = Decimal

VALID_PLAN = """
[[plan]]
id = "cloud"
name = "Cloud"
kind = "subscription"
currency = "EUR"
billing = "annual"
tiers = [{ min_seats = 1, price = 20.50 }, { min_seats = 15, price = 12 }]
example = true
as_of = 2026-11-01
source = "https://example.com/pricing"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plans.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(write(tmp_path, text))
    return str(caught.value)


# --- the shipped file ----------------------------------------------------------------------


def test_the_shipped_catalogue_loads() -> None:
    catalogue = load_catalogue()
    assert DEFAULT_PATH.name == "plans.toml" and DEFAULT_PATH.parent.name == "costs"
    assert 6 <= len(catalogue.plans) <= 12
    assert set(catalogue.currencies) == {"EUR", "USD", "RUB"}
    assert len({plan.key for plan in catalogue.plans}) == len(catalogue.plans)


def test_every_shipped_plan_is_a_dated_example_with_a_source() -> None:
    for plan in load_catalogue().plans:
        assert plan.example is True, plan.key
        assert isinstance(plan.as_of, date) and date(2025, 1, 1) <= plan.as_of, plan.key
        assert plan.source.startswith("https://"), plan.key
        assert " " not in plan.source, plan.key  # a plain address; the chat adds the words
        assert plan.key.startswith("catalogue:"), plan.key


def test_each_currency_has_every_kind_of_license_and_a_typical_rollout() -> None:
    catalogue = load_catalogue()
    for currency in catalogue.currencies:
        offers = catalogue.offers(currency)
        assert LicenseKind.subscription in {o.kind for o in offers}, currency
        assert LicenseKind.self_hosted in {o.kind for o in offers}, currency
        rollout = catalogue.typical_rollout(currency, users=12, records=5000)
        assert rollout is not None and rollout.hourly_rate > 0, currency
        # the shipped plans can be compared with the typical roll-out as they are
        result = compare(offers, users=12, years=5, rollout=rollout)
        assert len(result.offers) == len(offers)
    kinds = {plan.kind for plan in catalogue.plans}
    assert kinds == set(LicenseKind)
    # the tricks the calculator catches are represented: a minimum above one seat, and a
    # lower price from more seats
    tiers = [plan.tiers for plan in catalogue.plans if plan.tiers]
    assert any(t[0].min_seats > 1 for t in tiers)
    assert any(later.price < t[0].price for t in tiers for later in t[1:])


def test_money_is_read_exactly() -> None:
    catalogue = load_catalogue()
    assert all(isinstance(t.price, Decimal) for p in catalogue.plans for t in p.tiers)


# --- reading a file ------------------------------------------------------------------------


def test_a_valid_plan_reads_into_an_offer(tmp_path: Path) -> None:
    catalogue = load_catalogue(write(tmp_path, VALID_PLAN))
    [offer] = catalogue.offers("eur")
    assert offer.key == "catalogue:cloud"
    assert offer.kind == LicenseKind.subscription and offer.billing == Billing.annual
    # 20.50 is a TOML float, read as an exact Decimal (not 20.5 as a binary float)
    assert offer.tiers == (PriceTier(1, D("20.50")), PriceTier(15, D(12)))
    assert offer.as_of == date(2026, 11, 1) and offer.example
    assert catalogue.offers("USD") == []
    assert catalogue.typical_rollout("EUR", users=3) is None


def test_typical_rollout_scales_with_users_and_records(tmp_path: Path) -> None:
    text = VALID_PLAN + (
        "[rollout.eur]\nhourly_rate = 40\nmigration_per_record = 0.02\n"
        "cleaning_hours_per_1000_records = 1.5\ntraining_hours_per_user = 4\n"
        "manager_hours = 16\nmanager_hours_per_user = 1\n"
    )
    rollout = load_catalogue(write(tmp_path, text)).typical_rollout("Eur", users=10, records=4000)
    assert rollout is not None
    assert rollout.migration_records == 4000 and rollout.migration_per_record == D("0.02")
    assert rollout.cleaning_hours == 6  # 4000 / 1000 x 1.5
    assert rollout.manager_hours == 26  # 16 + 10 x 1
    assert rollout.training_hours_per_user == 4 and rollout.hourly_rate == 40
    assert rollout.loss_share == 0 and rollout.migration_amount is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('kind = "subscription"', 'kind = "lease"'), "kind must be one of"),
        (('name = "Cloud"', 'name = "Cloud"\ncolour = "red"'), "unknown key(s) colour"),
        (("price = 12 }", "price = -12 }"), "price must not be negative"),
        (("price = 12 }", 'price = "12" }'), "price must be a number"),
        (("min_seats = 15", "min_seats = 1"), "ascending order of min_seats"),
        (
            ("tiers = [{ min_seats = 1, price = 20.50 }, { min_seats = 15, price = 12 }]", ""),
            "a subscription needs tiers",
        ),
        (("min_seats = 1,", "min_seats = 0,"), "min_seats must be a whole number from 1"),
        (("min_seats = 1,", "min_seats = 1, seats = 2,"), "unknown key(s) seats"),
        (("as_of = 2026-11-01", 'as_of = "2026-11-01"'), "as_of must be a date"),
        (("as_of = 2026-11-01", "as_of = 2026-11-01T10:00:00"), "as_of must be a date"),
        (('source = "https://example.com/pricing"', ""), "missing source"),
        (
            ('source = "https://example.com/pricing"', 'source = "https://x.com/p (example)"'),
            "source must be a plain https:// address",
        ),
        (("example = true", 'example = "yes"'), "example must be true or false"),
        (('currency = "EUR"', 'currency = "euro"'), "currency must be a 3-letter code"),
        (('id = "cloud"', 'id = "Cloud Plan"'), "id must be lowercase"),
        (('billing = "annual"', 'billing = "weekly"'), "billing must be one of"),
        (
            ('billing = "annual"', 'billing = "annual"\nserver_per_month = 10'),
            "server_per_month is for self-hosted plans only",
        ),
        (('name = "Cloud"', 'name = "Cloud"\nflat_price = 100'), "a subscription has no flat"),
        (
            ('name = "Cloud"', 'name = "Cloud"\nrenewal_percent = 20'),
            "renewal_percent is for perpetual and self-hosted plans",
        ),
    ],
)
def test_malformed_plans_are_refused(tmp_path: Path, change: tuple[str, str], message: str):
    old, new = change
    assert old in VALID_PLAN
    text = refused(tmp_path, VALID_PLAN.replace(old, new, 1))
    assert message in text
    assert "plans.toml: plan 1" in text


def test_a_perpetual_plan_with_two_prices_is_refused(tmp_path: Path) -> None:
    text = VALID_PLAN.replace('"subscription"', '"perpetual"').replace(
        'billing = "annual"', "flat_price = 100"
    )
    assert "both tiers and a flat price" in refused(tmp_path, text)


def test_file_level_problems(tmp_path: Path) -> None:
    assert "no [[plan]] tables" in refused(tmp_path, "")
    assert "duplicate plan ids" in refused(tmp_path, VALID_PLAN + VALID_PLAN)
    assert "unknown key(s) plans" in refused(tmp_path, VALID_PLAN + "[plans]\n")
    assert "not valid TOML" in refused(tmp_path, "[[plan]\n")
    assert "rollout.EUR: unknown key(s) losses" in refused(
        tmp_path, VALID_PLAN + "[rollout.EUR]\nlosses = 3\n"
    )
    assert "must not be negative" in refused(
        tmp_path, VALID_PLAN + "[rollout.EUR]\nhourly_rate = -3\n"
    )
