"""The license quotes a workspace actually received, kept beside the catalogue's example plans.

Everyone in a workspace reads them (`list_offers`, as calculator `Offer`s); only admins add,
change or remove them. Every change is checked as a whole offer (`clean`) and audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from crm.costs.model import ZERO, Billing, LicenseKind, Offer, PriceTier
from crm.team import can_manage_team
from storage.models import CostOffer, Member
from storage.repositories import audit
from storage.repositories import offers as repo

KEY_PREFIX = "workspace:"
MAX_NAME = 60
MAX_TIERS = 10
# a workspace's own quotes: each is a button in /offers and in the /cost walk (Telegram takes
# at most 100 buttons a message) and a line of the listing (4096 characters)
MAX_OFFERS = 20
MAX_SEATS = 100_000
MAX_AMOUNT = Decimal(10) ** 10  # no CRM quote is ten billion; a typo is more likely
CENT = Decimal("0.01")
ENTITY = "cost_offer"


class OfferProblem(StrEnum):
    not_allowed = "not_allowed"
    offer_gone = "offer_gone"  # another workspace's, removed, or never existed
    name_empty = "name_empty"
    name_too_long = "name_too_long"
    unknown_kind = "unknown_kind"
    unknown_billing = "unknown_billing"
    bad_currency = "bad_currency"
    bad_amount = "bad_amount"  # not a finite number
    negative_amount = "negative_amount"
    too_many_decimals = "too_many_decimals"
    amount_too_large = "amount_too_large"
    renewal_out_of_range = "renewal_out_of_range"
    seats_out_of_range = "seats_out_of_range"  # a tier's min_seats below 1 (or absurdly high)
    tiers_not_ascending = "tiers_not_ascending"
    too_many_tiers = "too_many_tiers"
    tiers_needed = "tiers_needed"  # a subscription is priced per seat
    price_needed = "price_needed"  # a perpetual or self-hosted offer needs tiers or a flat price
    flat_with_tiers = "flat_with_tiers"  # one or the other, not both
    flat_for_subscription = "flat_for_subscription"
    too_many_offers = "too_many_offers"  # MAX_OFFERS live quotes already


class OfferError(Exception):
    def __init__(self, problem: OfferProblem):
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class OfferInput:
    """What an admin enters; `clean` checks it as a whole."""

    name: str
    kind: LicenseKind | str
    currency: str
    tiers: tuple[PriceTier, ...] = ()
    billing: Billing | str = Billing.monthly
    flat_price: Decimal | None = None
    renewal_percent: Decimal = ZERO
    server_per_month: Decimal = ZERO
    admin_per_month: Decimal = ZERO


EDITABLE = frozenset(f.name for f in fields(OfferInput)) - {"kind", "currency"}


# --- validation -------------------------------------------------------------------------------


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise OfferError(OfferProblem.name_empty)
    if len(name) > MAX_NAME:
        raise OfferError(OfferProblem.name_too_long)
    return name


def clean_amount(value: Decimal | int) -> Decimal:
    """A price or running cost: not negative, whole cents, below MAX_AMOUNT."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise OfferError(OfferProblem.bad_amount)
    if value < 0:
        raise OfferError(OfferProblem.negative_amount)
    if value >= MAX_AMOUNT:
        raise OfferError(OfferProblem.amount_too_large)
    if value != value.quantize(CENT):
        raise OfferError(OfferProblem.too_many_decimals)
    return value.quantize(CENT)


def clean_percent(value: Decimal | int) -> Decimal:
    """A yearly renewal, 0..100 % of the license price."""
    finite = isinstance(value, int) or (isinstance(value, Decimal) and value.is_finite())
    if finite and not ZERO <= value <= 100:
        raise OfferError(OfferProblem.renewal_out_of_range)
    return clean_amount(value)


def clean_seats(value: int) -> int:
    if not isinstance(value, int) or not 1 <= value <= MAX_SEATS:
        raise OfferError(OfferProblem.seats_out_of_range)
    return value


def clean_tiers(tiers: Iterable[PriceTier]) -> tuple[PriceTier, ...]:
    tiers = tuple(PriceTier(clean_seats(t.min_seats), clean_amount(t.price)) for t in tiers)
    if len(tiers) > MAX_TIERS:
        raise OfferError(OfferProblem.too_many_tiers)
    if any(a.min_seats >= b.min_seats for a, b in zip(tiers, tiers[1:], strict=False)):
        raise OfferError(OfferProblem.tiers_not_ascending)
    return tiers


def _enum_value(enum: type[StrEnum], value: Any, problem: OfferProblem) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise OfferError(problem) from None


def clean(data: OfferInput) -> OfferInput:
    """The offer as stored, or OfferError for the first thing wrong with it."""
    kind = _enum_value(LicenseKind, data.kind, OfferProblem.unknown_kind)
    billing = _enum_value(Billing, data.billing, OfferProblem.unknown_billing)
    currency = data.currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        raise OfferError(OfferProblem.bad_currency)
    tiers = clean_tiers(data.tiers)
    flat = None if data.flat_price is None else clean_amount(data.flat_price)
    if kind == LicenseKind.subscription:
        if flat is not None:
            raise OfferError(OfferProblem.flat_for_subscription)
        if not tiers:
            raise OfferError(OfferProblem.tiers_needed)
    elif flat is not None and tiers:
        raise OfferError(OfferProblem.flat_with_tiers)
    elif flat is None and not tiers:
        raise OfferError(OfferProblem.price_needed)
    return OfferInput(
        name=clean_name(data.name),
        kind=kind,
        currency=currency,
        tiers=tiers,
        billing=billing,
        flat_price=flat,
        renewal_percent=clean_percent(data.renewal_percent),
        server_per_month=clean_amount(data.server_per_month),
        admin_per_month=clean_amount(data.admin_per_month),
    )


# --- rows and calculator offers ---------------------------------------------------------------


def offer_key(offer_id: int) -> str:
    return f"{KEY_PREFIX}{offer_id}"


def offer_id(offer: Offer) -> int | None:
    """The row id behind a workspace offer's key; None for a catalogue example."""
    prefix, _, rest = offer.key.partition(":")
    return int(rest) if f"{prefix}:" == KEY_PREFIX and rest.isdigit() else None


def _tiers_of(row: CostOffer) -> tuple[PriceTier, ...]:
    return tuple(PriceTier(int(t["min_seats"]), Decimal(t["price"])) for t in row.tiers)


def to_offer(row: CostOffer) -> Offer:
    return Offer(
        name=row.name,
        kind=LicenseKind(row.kind),
        currency=row.currency,
        tiers=_tiers_of(row),
        billing=Billing(row.billing),
        flat_price=row.flat_price,
        renewal_percent=row.renewal_percent,
        server_per_month=row.server_per_month,
        admin_per_month=row.admin_per_month,
        key=offer_key(row.id),
        example=False,
    )


def _input_of(row: CostOffer) -> OfferInput:
    return OfferInput(
        name=row.name,
        kind=row.kind,
        currency=row.currency,
        tiers=_tiers_of(row),
        billing=row.billing,
        flat_price=row.flat_price,
        renewal_percent=row.renewal_percent,
        server_per_month=row.server_per_month,
        admin_per_month=row.admin_per_month,
    )


def _columns(data: OfferInput) -> dict[str, Any]:
    return {
        "name": data.name,
        "kind": LicenseKind(data.kind).value,
        "currency": data.currency,
        "tiers": [{"min_seats": t.min_seats, "price": str(t.price)} for t in data.tiers],
        "billing": Billing(data.billing).value,
        "flat_price": data.flat_price,
        "renewal_percent": data.renewal_percent,
        "server_per_month": data.server_per_month,
        "admin_per_month": data.admin_per_month,
    }


def _for_audit(columns: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-safe: Decimals as text."""
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in columns.items()}


async def _audit(
    session: AsyncSession,
    actor: Member,
    action: str,
    row: CostOffer,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    await audit.record(
        session,
        workspace_id=actor.workspace_id,
        actor_id=actor.id,
        action=f"{ENTITY}.{action}",
        entity_type=ENTITY,
        entity_id=row.id,
        before=_for_audit(before or {}),
        after=_for_audit(after or {}),
    )


# --- reading and changing ---------------------------------------------------------------------


async def list_offers(session: AsyncSession, workspace_id: int) -> list[Offer]:
    """The workspace's own offers by name, then by age, ready for the calculator."""
    rows = await repo.list_for_workspace(session, workspace_id=workspace_id)
    # Sorted here and only here: str.casefold() folds Cyrillic and Lithuanian letters, which
    # SQLite's lower() leaves as they are (it folds ASCII only), so SQL cannot sort the same
    # way on both databases.
    rows.sort(key=lambda row: (row.name.casefold(), row.id))
    return [to_offer(row) for row in rows]


async def get_offer(session: AsyncSession, *, workspace_id: int, offer_id: int) -> Offer | None:
    row = await repo.get(session, workspace_id=workspace_id, offer_id=offer_id)
    return to_offer(row) if row else None


def _require_admin(actor: Member) -> None:
    if not can_manage_team(actor):
        raise OfferError(OfferProblem.not_allowed)


async def _row(session: AsyncSession, actor: Member, offer_id: int) -> CostOffer:
    row = await repo.get(session, workspace_id=actor.workspace_id, offer_id=offer_id)
    if row is None:
        raise OfferError(OfferProblem.offer_gone)
    return row


async def room_for_another(session: AsyncSession, workspace_id: int) -> bool:
    return len(await repo.list_for_workspace(session, workspace_id=workspace_id)) < MAX_OFFERS


async def add_offer(session: AsyncSession, *, actor: Member, data: OfferInput) -> Offer:
    _require_admin(actor)
    if not await room_for_another(session, actor.workspace_id):
        raise OfferError(OfferProblem.too_many_offers)
    columns = _columns(clean(data))
    row = await repo.add(
        session, CostOffer(workspace_id=actor.workspace_id, created_by_id=actor.id, **columns)
    )
    await _audit(session, actor, "add", row, after=columns)
    return to_offer(row)


async def update_offer(
    session: AsyncSession, *, actor: Member, offer_id: int, changes: Mapping[str, Any]
) -> Offer:
    """Change some fields (names from EDITABLE); the whole offer must stay valid."""
    _require_admin(actor)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    row = await _row(session, actor, offer_id)
    before = _columns(_input_of(row))
    after = _columns(clean(replace(_input_of(row), **changes)))
    changed = {name for name in after if after[name] != before[name]}
    if changed:
        for name in changed:
            setattr(row, name, after[name])
        await repo.update(session, row)
        await _audit(
            session,
            actor,
            "update",
            row,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return to_offer(row)


async def remove_offer(session: AsyncSession, *, actor: Member, offer_id: int) -> Offer:
    _require_admin(actor)
    row = await _row(session, actor, offer_id)
    await repo.remove(session, row)
    await _audit(session, actor, "remove", row, before=_columns(_input_of(row)))
    return to_offer(row)
