"""The answer to /cost as Telegram HTML: a table per offer, the seat tricks, the cheapest offer
and by how much, the years a perpetual license overtakes a subscription, and the assumptions
the hidden costs were computed with. Messages are split between offers to stay under 4096."""

from __future__ import annotations

from decimal import Decimal
from html import escape as _escape

from babel.numbers import format_currency

from crm.costs.calculator import CostProblem
from crm.costs.model import (
    Billing,
    Comparison,
    LicenseKind,
    Offer,
    OfferCost,
    Rollout,
    SeatChoice,
    SeatTrick,
)
from crm.costs.offers import offer_id
from crm.i18n import N_, Translator
from handlers.message_split import split_messages

KINDS = {
    LicenseKind.subscription: N_("Subscription"),
    LicenseKind.perpetual: N_("Perpetual license"),
    LicenseKind.self_hosted: N_("Self-hosted copy"),
}


def escape(text: str) -> str:
    """Only what Telegram's HTML needs escaped (quotes stay readable)."""
    return _escape(text, quote=False)


OWN_MARK = "🏷"  # the workspace's own quote, in the answer and on the offer buttons


def is_own(offer: Offer) -> bool:
    return offer_id(offer) is not None


def offer_label(offer: Offer) -> str:
    """The offer's name as a button shows it (plain text)."""
    return f"{OWN_MARK} {offer.name}" if is_own(offer) else offer.name


class Money:
    """Formats the comparison's currency in the reader's locale."""

    def __init__(self, t: Translator, currency: str):
        self.t, self.currency = t, currency

    def __call__(self, amount: Decimal) -> str:
        return self.t.money(amount, self.currency)

    def whole(self, amount: Decimal) -> str:
        """Without cents when there are none (the chart's axis: "1 000 000 ₽", not ",00")."""
        if amount != amount.to_integral_value():
            return self(amount)
        locale = self.t.babel_locale
        pattern = locale.currency_formats["standard"].pattern.replace(".00", "")
        return format_currency(amount, self.currency, pattern, locale=locale, currency_digits=False)


# --- the assumptions ------------------------------------------------------------------------


def rollout_lines(rollout: Rollout, t: Translator, money: Money) -> list[str]:
    """One line per hidden cost that is counted; nothing for what was skipped."""
    _ = t
    lines = []
    if rollout.migration_amount is not None and rollout.migration_amount:
        lines.append(_("Data migration: {amount}").format(amount=money(rollout.migration_amount)))
    elif rollout.migration_amount is None and rollout.migration_records:
        lines.append(
            t.ngettext(
                "Data migration: {records} record × {price}",
                "Data migration: {records} records × {price}",
                rollout.migration_records,
            ).format(
                records=t.number(rollout.migration_records),
                price=money(rollout.migration_per_record),
            )
        )
    if rollout.migration_amount is None and rollout.cleaning_hours:
        lines.append(
            _("Cleaning the data: {hours} h").format(hours=t.number(rollout.cleaning_hours))
        )
    if rollout.customization:
        lines.append(
            _("Customization (access rights, reports, tasks): {amount}").format(
                amount=money(rollout.customization)
            )
        )
    if rollout.integration:
        lines.append(
            _("Integration (web site, 1C, telephony): {amount}").format(
                amount=money(rollout.integration)
            )
        )
    if rollout.training_hours_per_user:
        lines.append(
            _("Training: {hours} h per user").format(
                hours=t.number(rollout.training_hours_per_user)
            )
        )
    if rollout.manager_hours:
        lines.append(_("Manager's time: {hours} h").format(hours=t.number(rollout.manager_hours)))
    if rollout.hourly_rate:
        lines.append(
            _("Hourly cost of staff time: {amount}").format(amount=money(rollout.hourly_rate))
        )
    if rollout.support_per_month:
        lines.append(_("Support: {amount} a month").format(amount=money(rollout.support_per_month)))
    if rollout.hosting_per_month:
        lines.append(_("Hosting: {amount} a month").format(amount=money(rollout.hosting_per_month)))
    if rollout.monthly_revenue and rollout.loss_share and rollout.loss_months:
        lines.append(
            t.ngettext(
                "Losses while switching over: {share} of the monthly revenue of {revenue}, "
                "for {months} month",
                "Losses while switching over: {share} of the monthly revenue of {revenue}, "
                "for {months} months",
                rollout.loss_months,
            ).format(
                share=percent(rollout.loss_share, t),
                revenue=money(rollout.monthly_revenue),
                months=t.number(rollout.loss_months),
            )
        )
    return lines


def percent(share: Decimal, t: Translator) -> str:
    return f"{t.number((share * 100).normalize())}%"


def assumptions_block(
    rollout: Rollout | None, t: Translator, money: Money, *, typical: bool
) -> str:
    """What the hidden costs were computed with: typical estimates, the user's own, or none."""
    _ = t
    lines = rollout_lines(rollout, t, money) if rollout is not None else []
    if not lines:
        return _("Licenses only: no hidden costs are counted.")
    if typical:
        head = _(
            "Hidden costs are <b>assumptions</b>, typical estimates for a team of this size "
            "(tap “Hidden costs” to enter your own):"
        )
    else:
        head = _("Hidden costs, as you entered them:")
    return "\n".join([head, *(f"• {escape(line)}" for line in lines)])


# --- one offer ------------------------------------------------------------------------------


def _source(offer: Offer, t: Translator) -> str:
    _ = t
    if is_own(offer):
        return _("{mark} your own quote").format(mark=OWN_MARK)
    if not offer.example:
        return ""
    when = t.date(offer.as_of) if offer.as_of else _("date unknown")
    source = escape(offer.source) if offer.source else _("source unknown")
    text = _("example as of {date}, check current prices; source: {source}").format(
        date=when, source=source
    )
    if offer.kind == LicenseKind.self_hosted:  # the catalogue's running costs are guesses
        text += _("; server and administration costs are estimates")
    return text


def _purchase_line(cost: OfferCost, t: Translator, money: Money) -> str:
    _ = t
    offer, purchase = cost.offer, cost.purchase
    seats = t.number(purchase.seats)
    if purchase.unit_price is None:
        price = money(offer.flat_price or Decimal(0))
        line = _("One price for the whole team: {price}").format(price=price)
    elif offer.kind == LicenseKind.subscription:
        line = t.ngettext(
            "{seats} seat × {price} a month", "{seats} seats × {price} a month", purchase.seats
        ).format(seats=seats, price=money(purchase.unit_price))
        if offer.billing == Billing.annual:
            line += _(", billed yearly")
    else:
        line = t.ngettext(
            "{seats} seat × {price} once", "{seats} seats × {price} once", purchase.seats
        ).format(seats=seats, price=money(purchase.unit_price))
    if offer.kind != LicenseKind.subscription and offer.renewal_percent:
        line += _("; renewal {percent} of the price a year from year 2").format(
            percent=percent(offer.renewal_percent / 100, t)
        )
    if offer.kind == LicenseKind.self_hosted and (offer.server_per_month or offer.admin_per_month):
        line += _("; server and administration {amount} a month").format(
            amount=money(offer.server_per_month + offer.admin_per_month)
        )
    if purchase.choice == SeatChoice.minimum and cost.trick is None:
        line += t.ngettext(
            " (sold from {seats} seat)", " (sold from {seats} seats)", purchase.seats
        ).format(seats=seats)
    return line


def trick_text(trick: SeatTrick, users: int, t: Translator, money: Money) -> str:
    """Both ways of buying, what each costs over the horizon, and which to take."""
    _ = t
    minimum, exact = trick.minimum, trick.exact
    facts = t.ngettext(
        "⚠️ The price {low} holds from {minimum} seat; you need {users}: buying {minimum} at "
        "{low} costs {minimum_total}, {users} at {high} costs {exact_total}",
        "⚠️ The price {low} holds from {minimum} seats; you need {users}: buying {minimum} at "
        "{low} costs {minimum_total}, {users} at {high} costs {exact_total}",
        minimum.seats,
    ).format(
        low=money(minimum.unit_price),
        high=money(exact.unit_price),
        minimum=t.number(minimum.seats),
        users=t.number(users),
        minimum_total=money(trick.minimum_total),
        exact_total=money(trick.exact_total),
    )
    if trick.recommended is minimum:
        advice = _("buy {minimum}, you save {saving}.").format(
            minimum=t.number(minimum.seats), saving=money(trick.saving)
        )
    elif trick.saving:
        advice = _("buy {users}: the bigger package would cost {saving} more.").format(
            users=t.number(users), saving=money(trick.saving)
        )
    else:
        advice = _("both cost the same, so buy only the {users} you need.").format(
            users=t.number(users)
        )
    return f"{facts} — {advice}"


def _table(cost: OfferCost, t: Translator, money: Money) -> str:
    _ = t
    rows = [(_("Year {number}").format(number=year.year), money(year.total)) for year in cost.years]
    rows.append((_("Total"), money(cost.total)))
    left = max(len(label) for label, _amount in rows)
    right = max(len(amount) for _label, amount in rows)
    body = "\n".join(f"{label.ljust(left)}  {amount.rjust(right)}" for label, amount in rows)
    return f"<pre>{escape(body)}</pre>"


def offer_block(rank: int, cost: OfferCost, comparison: Comparison, t: Translator, money: Money):
    _ = t
    kind = t(KINDS[cost.offer.kind])  # in the reader's language, not in the plan's name
    title = f"<b>{rank}. {escape(cost.offer.name)}</b> ({escape(kind)})"
    source = _source(cost.offer, t)
    lines = [
        f"{title} — {source}" if source else title,
        escape(_purchase_line(cost, t, money)),
    ]
    lines.append(_table(cost, t, money))
    licenses = sum((year.license for year in cost.years), Decimal(0))
    if cost.total != licenses:
        lines.append(
            _("Licenses {licenses}, everything else {other}").format(
                licenses=money(licenses), other=money(cost.total - licenses)
            )
        )
    lines.append(
        _("Per user per month, all included: <b>{amount}</b>").format(
            amount=money(comparison.per_user_per_month(cost))
        )
    )
    if cost.trick is not None:
        lines.append(escape(trick_text(cost.trick, comparison.users, t, money)))
    return "\n".join(lines)


# --- the whole answer -----------------------------------------------------------------------


def summary_block(comparison: Comparison, t: Translator, money: Money) -> str:
    _ = t
    cheapest = comparison.cheapest
    name = escape(cheapest.offer.name)
    if comparison.margin is None:
        lines = [
            _("🏆 The only offer: <b>{name}</b>, {total} in total.").format(
                name=name, total=money(cheapest.total)
            )
        ]
    elif comparison.margin == 0:
        lines = [
            _("🏆 <b>{name}</b> and <b>{other}</b> cost the same: {total} in total.").format(
                name=name,
                other=escape(comparison.offers[1].offer.name),
                total=money(cheapest.total),
            )
        ]
    else:
        lines = [
            _(
                "🏆 The cheapest: <b>{name}</b>, {total} in total — {margin} less than {other}."
            ).format(
                name=name,
                total=money(cheapest.total),
                margin=money(comparison.margin),
                other=escape(comparison.offers[1].offer.name),
            )
        ]
    lines += crossover_lines(comparison, t)
    return "\n".join(lines)


def crossover_lines(comparison: Comparison, t: Translator) -> list[str]:
    """One line per license bought once and year, naming the subscriptions it overtakes."""
    _ = t
    overtaken: dict[tuple[str, int], list[str]] = {}
    for crossover in comparison.crossovers:
        key = (crossover.perpetual.offer.name, crossover.year)
        overtaken.setdefault(key, []).append(crossover.subscription.offer.name)
    lines = []
    for (perpetual, year), subscriptions in overtaken.items():
        names = {"perpetual": escape(perpetual), "subscriptions": escape(", ".join(subscriptions))}
        if year == 1:
            text = _("📈 {perpetual}, bought once, costs less than {subscriptions} from the start.")
        else:
            text = _(
                "📈 {perpetual}, bought once, becomes cheaper in total than {subscriptions} "
                "from year {year}."
            )
        lines.append(text.format(year=year, **names))
    return lines


def answer_messages(
    comparison: Comparison,
    t: Translator,
    currency: str,
    *,
    typical: bool,
    note: str = "",
) -> list[str]:
    """The answer, split between blocks into messages Telegram accepts; `note` (HTML) follows
    the assumptions."""
    _ = t
    money = Money(t, currency)
    users = t.ngettext("{n} user", "{n} users", comparison.users)
    years = t.ngettext("{n} year", "{n} years", comparison.years)
    head = _("<b>What a CRM will cost</b>\n{users} · {years}").format(
        users=users.format(n=t.number(comparison.users)),
        years=years.format(n=t.number(comparison.years)),
    )
    assumptions = assumptions_block(comparison.rollout, t, money, typical=typical)
    blocks = ["\n".join(filter(None, [f"{head}\n\n{assumptions}", note]))]
    blocks += [
        offer_block(rank, cost, comparison, t, money)
        for rank, cost in enumerate(comparison.offers, 1)
    ]
    blocks.append(summary_block(comparison, t, money))
    return split_messages(blocks)


def problem_text(problem: CostProblem, t: Translator, offer: str = "") -> str:
    _ = t
    texts = {
        CostProblem.no_offers: _("There is nothing to compare: choose at least one offer."),
        CostProblem.users_out_of_range: _("The number of users must be from 1 to 10,000."),
        CostProblem.years_out_of_range: _("The number of years must be from 1 to 10."),
        CostProblem.mixed_currencies: _("The offers are in different currencies."),
        CostProblem.offer_has_no_price: _("The offer “{offer}” has no price."),
        CostProblem.offer_has_two_prices: _(
            "The offer “{offer}” has both a per-seat and a flat price; keep one."
        ),
        CostProblem.bad_tiers: _("The offer “{offer}” has price tiers that do not make sense."),
        CostProblem.negative_amount: _("Amounts cannot be negative."),
        CostProblem.loss_share_out_of_range: _("The share of revenue lost must be 0–100%."),
    }
    return texts[problem].format(offer=escape(offer))
