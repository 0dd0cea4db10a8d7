"""/cost: what a CRM will really cost, licenses and hidden costs, for every offer available.

`/cost 12 users 3 years` answers at once with the catalogue's typical roll-out costs (listed
as assumptions). `/cost` alone walks through users, years, which offers, and hidden costs
(typical, the user's own, or licenses only). The answer is a table per offer, the cheapest and
by how much, the crossover years, and a chart of the cumulative cost sent as a photo.

The walk's answers live in the flow's data; every button carries the walk's random id and its
step (`cost:<walk>:<step>:<value>`), so a tap on an earlier walk's question, or a second tap on
"Compare", is refused instead of acted on twice. The answer's own buttons
(`cost:adj:<users>:<years>:<what>:<chosen>:<list>`) start a new walk from the offers or the
hidden costs with the offers that were compared still ticked: `<chosen>` is a hex bit mask over
the offers available then, `<list>` a short hash of their keys (when the offers have changed
since, or the mask would not fit a button, every offer is ticked again)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from decimal import Decimal
from functools import cache
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.ext import CallbackQueryHandler, CommandHandler

from crm.costs import request as cost_request
from crm.costs.calculator import NO_ROLLOUT, CostInputError, compare
from crm.costs.catalogue import load_catalogue
from crm.costs.chart import cumulative_chart
from crm.costs.model import Offer, Rollout
from crm.costs.offers import list_offers
from crm.costs.request import (
    CostRequestError,
    RequestProblem,
    check_range,
    parse_cost_request,
    parse_count,
)
from crm.i18n import N_
from handlers import flows
from handlers.activity_views import append_to_tapped
from handlers.callbacks import invalid_button, pack, parts
from handlers.cancel_hints import tap_a_button, with_cancel_hint
from handlers.context import CrmContext
from handlers.cost_answer import Money, answer_messages, escape, offer_label, problem_text
from handlers.cost_questions import (
    BY_STEP,
    RECORD_PRICE,
    AnswerError,
    AnswerProblem,
    Question,
    next_question,
    read_answer,
    rollout_of,
)
from handlers.records import nonce

log = logging.getLogger(__name__)

PREFIX = "cost"
FLOW = "cost"
USERS, YEARS, OFFERS, HIDDEN = "users", "years", "offers", "hidden"
USER_CHOICES = (3, 5, 10, 20, 50)
YEAR_CHOICES = (1, 3, 5)
TYPICAL, OWN, LICENSES_ONLY = "typ", "own", "none"
HIDDEN_MODES = {  # the buttons of the hidden-costs question
    TYPICAL: N_("Typical estimates"),
    OWN: N_("Enter my own"),
    LICENSES_ONLY: N_("Licenses only"),
}
COMPARE, SKIP = "go", "skip"
ADJUST = "adj"


@cache
def catalogue():
    """The example plans, read once per process."""
    return load_catalogue()


def _currency(ctx: CrmContext) -> str:
    return ctx.unit.workspace.currency


async def available_offers(ctx: CrmContext) -> list[Offer]:
    """The workspace's own quotes first, then the catalogue's examples, in its currency."""
    currency = _currency(ctx)
    own = await list_offers(ctx.session, ctx.member.workspace_id)
    return [offer for offer in own if offer.currency == currency] + list(
        catalogue().offers(currency)
    )


def _no_offers(ctx: CrmContext) -> None:
    _ = ctx.t
    others = catalogue().currencies
    text = _(
        "There are no offers in {currency} to compare yet. An admin can add the quotes you "
        "received with /offers."
    ).format(currency=_currency(ctx))
    if others:
        text += "\n" + _("The plan catalogue has example plans in: {currencies}.").format(
            currencies=", ".join(others)
        )
    ctx.reply(text)


def _request_problem(error: CostRequestError, ctx: CrmContext) -> str:
    _ = ctx.t
    word = escape(error.word)
    texts = {
        RequestProblem.empty: _("How many users, over how many years?"),
        RequestProblem.unknown_word: _("I did not understand “{word}”."),
        RequestProblem.fraction: _("Users and years are whole numbers, not “{word}”."),
        RequestProblem.too_many: _("Too many numbers: I need only users and years."),
        RequestProblem.no_users: _("How many users?"),
        RequestProblem.users_range: _("The number of users must be from 1 to 10,000."),
        RequestProblem.years_range: _("The number of years must be from 1 to 10."),
    }
    return texts[error.problem].format(word=word)


def _examples(ctx: CrmContext) -> str:
    _ = ctx.t
    return _(
        "For example: <code>/cost 12 users 3 years</code>, or just /cost to answer step by step."
    )


# --- /cost ----------------------------------------------------------------------------------


async def cost_command(update: Update, ctx: CrmContext) -> None:
    text = " ".join(ctx.args or [])
    if not text.strip():
        await _start_walk(update, ctx, {}, USERS)
        return
    try:
        request = parse_cost_request(text)
    except CostRequestError as error:
        ctx.reply(_request_problem(error, ctx) + "\n" + _examples(ctx))
        return
    offers = await available_offers(ctx)
    if not offers:
        _no_offers(ctx)
        return
    if (flows.current(ctx) or ("",))[0] == FLOW:
        await flows.finish(update, ctx)  # a one-message answer ends a walk left half-way
    rollout = catalogue().typical_rollout(_currency(ctx), request.users)
    _answer(
        update,
        ctx,
        offers,
        available=offers,
        users=request.users,
        years=request.years,
        rollout=rollout,
        typical=True,
    )


def _answer(
    update: Update,
    ctx: CrmContext,
    offers: list[Offer],
    *,
    available: list[Offer],
    users: int,
    years: int,
    rollout: Rollout | None,
    typical: bool,
) -> None:
    """Compare `offers` (chosen from `available`), reply with the tables and the adjust
    buttons, then send the chart."""
    _ = ctx.t
    currency = _currency(ctx)
    try:
        comparison = compare(offers, users=users, years=years, rollout=rollout or NO_ROLLOUT)
    except CostInputError as error:
        ctx.reply(problem_text(error.problem, ctx.t, error.offer))
        return
    note = ""
    if typical and rollout is None:
        note = _("(There are no typical estimates for {currency}.)").format(currency=currency)
    messages = answer_messages(
        comparison, ctx.t, currency, typical=typical and bool(rollout), note=note
    )
    for text in messages[:-1]:
        ctx.reply(text)
    chosen = _chosen_mask(available, {offer.key for offer in offers})
    ctx.reply(messages[-1], reply_markup=_adjust_keyboard(ctx, users, years, chosen))
    chat_id = update.effective_chat.id
    money = Money(ctx.t, currency)
    title = ctx.t.ngettext(
        "Cumulative cost: {users} user, {currency}",
        "Cumulative cost: {users} users, {currency}",
        users,
    ).format(users=ctx.t.number(users), currency=currency)
    labels = {
        "year_label": _("Year"),
        "money_label": _("Cost, {currency}").format(currency=currency),
    }

    async def send_chart() -> None:
        await ctx.bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
        try:
            # matplotlib takes tens of milliseconds: not on the event loop other chats share
            png = await asyncio.to_thread(
                cumulative_chart, comparison, title=title, format_money=money.whole, **labels
            )
        except Exception:  # the answer is already sent: a missing picture must not undo it
            log.exception("could not draw the cost chart")
            return
        await ctx.bot.send_photo(chat_id, photo=png, caption=escape(title))

    ctx.unit.outbox.append(send_chart)


MAX_MASKED_OFFERS = 120  # 30 hex digits: the adjust buttons' data stays under 64 bytes


def _offers_hash(offers: list[Offer]) -> str:
    return hashlib.sha256("|".join(offer.key for offer in offers).encode()).hexdigest()[:6]


def _chosen_mask(available: list[Offer], chosen: set[str]) -> tuple[str, str]:
    """Which of the available offers were compared, as (hex mask, hash of the list)."""
    if len(available) > MAX_MASKED_OFFERS:
        return "", ""
    mask = sum(1 << index for index, offer in enumerate(available) if offer.key in chosen)
    return f"{mask:x}", _offers_hash(available)


def _chosen_indexes(available: list[Offer], mask: str, digest: str) -> list[int]:
    """The ticked offers for an adjust button: those compared, unless the list has changed."""
    everything = list(range(len(available)))
    if not mask or digest != _offers_hash(available):
        return everything
    try:
        bits = int(mask, 16)
    except ValueError:
        return everything
    return [index for index in everything if bits >> index & 1] or everything


def _adjust_keyboard(
    ctx: CrmContext, users: int, years: int, chosen: tuple[str, str]
) -> InlineKeyboardMarkup:
    _ = ctx.t

    def button(text: str, what: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text, callback_data=pack(PREFIX, ADJUST, users, years, what, *chosen)
        )

    return InlineKeyboardMarkup([[button(_("Hidden costs"), HIDDEN), button(_("Offers"), OFFERS)]])


# --- the walk -------------------------------------------------------------------------------


async def _start_walk(
    update: Update,
    ctx: CrmContext,
    values: dict[str, Any],
    step: str,
    chosen: tuple[str, str] = ("", ""),
):
    offers = await available_offers(ctx)
    if not offers:
        _no_offers(ctx)
        return
    keys = [offer.key for offer in offers]
    data = {"n": nonce(), "keys": keys, "sel": _chosen_indexes(offers, *chosen), **values}
    await flows.begin(update, ctx, FLOW, step, data)
    _ask(ctx, data, step, offers)


def _button(data: dict[str, Any], step: str, value: object, text: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(PREFIX, data["n"], step, value))


def _ask(ctx: CrmContext, data: dict[str, Any], step: str, offers: list[Offer] | None = None):
    _ = ctx.t
    if step == USERS:
        row = [_button(data, USERS, n, ctx.t.number(n)) for n in USER_CHOICES]
        ctx.reply(
            with_cancel_hint(
                _, _("<b>What will a CRM cost?</b> How many users? Tap or type a number.")
            ),
            reply_markup=InlineKeyboardMarkup([row]),
        )
    elif step == YEARS:
        row = [_button(data, YEARS, n, ctx.t.number(n)) for n in YEAR_CHOICES]
        ctx.reply(
            _("Over how many years? Tap or type a number (up to 10)."),
            reply_markup=InlineKeyboardMarkup([row]),
        )
    elif step == OFFERS:
        ctx.reply(_offers_text(ctx), reply_markup=_offers_keyboard(ctx, data, offers or []))
    elif step == HIDDEN:
        ctx.reply(
            _(
                "<b>Hidden costs</b>: data migration, customization, integration, training, "
                "the manager's time, support, hosting, losses while switching over."
            ),
            reply_markup=InlineKeyboardMarkup(
                [[_button(data, HIDDEN, mode, _(label))] for mode, label in HIDDEN_MODES.items()]
            ),
        )
    else:
        _ask_own(ctx, data, BY_STEP[step])


def _offers_text(ctx: CrmContext) -> str:
    _ = ctx.t
    return _("Which offers to compare? Tap to include or leave out; 🏷 marks your own quotes.")


def _offers_keyboard(ctx: CrmContext, data: dict[str, Any], offers: list[Offer]):
    _ = ctx.t
    selected = set(data["sel"])
    by_key = {offer.key: offer for offer in offers}
    rows = [
        [_button(data, OFFERS, index, f"{'☑' if index in selected else '☐'} {offer_label(offer)}")]
        for index, key in enumerate(data["keys"])
        if (offer := by_key.get(key)) is not None
    ]
    rows.append([_button(data, OFFERS, COMPARE, _("✅ Compare"))])
    return InlineKeyboardMarkup(rows)


def _ask_own(ctx: CrmContext, data: dict[str, Any], question: Question) -> None:
    _ = ctx.t
    currency = _currency(ctx)
    row = [_button(data, question.step, SKIP, _("Skip"))]
    typical = _typical(ctx, data)
    if question.field == "hourly_rate" and typical is not None and typical.hourly_rate:
        label = _("Typical: {amount}").format(amount=Money(ctx.t, currency)(typical.hourly_rate))
        row.insert(0, _button(data, question.step, TYPICAL, label))
    ctx.reply(
        _(question.prompt).format(currency=currency), reply_markup=InlineKeyboardMarkup([row])
    )


def _typical(ctx: CrmContext, data: dict[str, Any]) -> Rollout | None:
    return catalogue().typical_rollout(_currency(ctx), data["u"])


async def _go_on(update: Update, ctx: CrmContext, data: dict[str, Any], step: str) -> None:
    """Save the walk at `step` and ask its question."""
    await flows.begin(update, ctx, FLOW, step, data)
    offers = await available_offers(ctx) if step == OFFERS else None
    _ask(ctx, data, step, offers)


async def _after_own(update: Update, ctx: CrmContext, data: dict[str, Any], step: str | None):
    question = next_question(data["r"], step)
    if question is None:
        await _finish_walk(update, ctx, data)
    else:
        await _go_on(update, ctx, data, question.step)


async def _finish_walk(update: Update, ctx: CrmContext, data: dict[str, Any]) -> None:
    _ = ctx.t
    await flows.finish(update, ctx)
    chosen = {data["keys"][index] for index in data["sel"]}
    available = await available_offers(ctx)
    offers = [offer for offer in available if offer.key in chosen]
    if not offers:
        ctx.reply(_("The offers you chose are no longer available. Start again with /cost."))
        return
    mode = data.get("mode")
    typical = _typical(ctx, data)
    if mode == TYPICAL:
        rollout = typical
    elif mode == OWN:
        per_record = typical.migration_per_record if typical is not None else Decimal(0)
        rollout = rollout_of(data.get("r", {}), per_record=per_record)
    else:
        rollout = None
    _answer(
        update,
        ctx,
        offers,
        available=available,
        users=data["u"],
        years=data["y"],
        rollout=rollout,
        typical=mode == TYPICAL,
    )


# --- answers by button ----------------------------------------------------------------------


async def on_button(update: Update, ctx: CrmContext) -> None:
    values = parts(update)
    if len(values) in (5, 7) and values[1] == ADJUST:
        await _adjust(update, ctx, values)
        return
    data = dict(flows.data(ctx))
    if len(values) != 4 or values[1] != data.get("n") or flows.current(ctx) != (FLOW, values[2]):
        invalid_button(ctx)  # an earlier walk's question, a second tap, or made-up data
        return
    step, value = values[2], values[3]
    handled = await _BUTTONS.get(step, _own_button)(update, ctx, data, step, value)
    if not handled:
        invalid_button(ctx)


async def _adjust(update: Update, ctx: CrmContext, values: list[str]) -> None:
    users, years, what = values[2], values[3], values[4]
    chosen = (values[5], values[6]) if len(values) == 7 else ("", "")
    if not (users.isdigit() and years.isdigit()) or what not in (HIDDEN, OFFERS):
        invalid_button(ctx)
        return
    try:
        check_range(int(users), int(years))
    except CostRequestError:
        invalid_button(ctx)
        return
    ctx.answer()
    await _start_walk(update, ctx, {"u": int(users), "y": int(years)}, what, chosen)


async def _number_button(update, ctx, data, step: str, value: str) -> bool:
    choices = USER_CHOICES if step == USERS else YEAR_CHOICES
    if not value.isdigit() or int(value) not in choices:
        return False
    ctx.answer()
    append_to_tapped(update, ctx, f"\n» {ctx.t.number(int(value))}")
    await _set_number(update, ctx, data, step, int(value))
    return True


async def _set_number(update, ctx, data: dict[str, Any], step: str, value: int) -> None:
    data["u" if step == USERS else "y"] = value
    await _go_on(update, ctx, data, YEARS if step == USERS else OFFERS)


async def _offers_button(update, ctx, data, step: str, value: str) -> bool:
    _ = ctx.t
    offers = await available_offers(ctx)
    if value == COMPARE:
        if not data["sel"]:
            ctx.answer(_("Choose at least one offer."), alert=True)
            return True
        ctx.answer()
        by_key = {offer.key: offer for offer in offers}
        names = [
            offer_label(by_key[data["keys"][i]]) for i in data["sel"] if data["keys"][i] in by_key
        ]
        ctx.edit(
            escape(_offers_text(ctx)) + "\n» " + escape(", ".join(names)),
        )
        await _go_on(update, ctx, data, HIDDEN)
        return True
    if not value.isdigit() or int(value) >= len(data["keys"]):
        return False
    index = int(value)
    data["sel"] = sorted(set(data["sel"]) ^ {index})
    await flows.begin(update, ctx, FLOW, OFFERS, data)
    ctx.answer()
    ctx.edit(_offers_text(ctx), reply_markup=_offers_keyboard(ctx, data, offers))
    return True


async def _hidden_button(update, ctx, data, step: str, value: str) -> bool:
    if value not in HIDDEN_MODES:
        return False
    ctx.answer()
    append_to_tapped(update, ctx, f"\n» {escape(ctx.t(HIDDEN_MODES[value]))}")
    data["mode"] = value
    if value == OWN:
        typical = _typical(ctx, data)
        data["r"] = {RECORD_PRICE: str(typical.migration_per_record if typical else 0)}
        await _after_own(update, ctx, data, None)
    else:
        await _finish_walk(update, ctx, data)
    return True


async def _own_button(update, ctx, data, step: str, value: str) -> bool:
    _ = ctx.t
    question = BY_STEP.get(step)
    if question is None:
        return False
    if value == SKIP:
        shown = _("skipped")
    elif value == TYPICAL and question.field == "hourly_rate":
        typical = _typical(ctx, data)
        if typical is None or not typical.hourly_rate:
            return False
        data["r"] = dict(data["r"], **{question.field: str(typical.hourly_rate)})
        shown = Money(ctx.t, _currency(ctx))(typical.hourly_rate)
    else:
        return False
    ctx.answer()
    append_to_tapped(update, ctx, f"\n» {escape(shown)}")
    await _after_own(update, ctx, data, step)
    return True


_BUTTONS = {
    USERS: _number_button,
    YEARS: _number_button,
    OFFERS: _offers_button,
    HIDDEN: _hidden_button,
}


# --- answers by message ---------------------------------------------------------------------


def _step_now(ctx: CrmContext) -> str | None:
    state = flows.current(ctx)
    return state[1] if state else flows.END


def _number_text(step: str):
    async def by_text(update: Update, ctx: CrmContext) -> str | None:
        _ = ctx.t
        data = dict(flows.data(ctx))
        try:  # "12", "12 users", "на 3 года"; the same words as the one-message form
            unit = cost_request.USERS if step == USERS else cost_request.YEARS
            number = parse_count(update.message.text, unit)
            users, years = (number, 1) if step == USERS else (data["u"], number)
            check_range(users, years)
        except CostRequestError as error:
            if error.problem in (RequestProblem.users_range, RequestProblem.years_range):
                ctx.reply(_request_problem(error, ctx))
            else:
                ctx.reply(_("Please send a whole number, e.g. 12."))
            return step
        await _set_number(update, ctx, data, step, number)
        return _step_now(ctx)

    return by_text


def _buttons_only(step: str):
    async def by_text(update: Update, ctx: CrmContext) -> str | None:
        _ = ctx.t
        ctx.reply(tap_a_button(_))
        data = flows.data(ctx)
        _ask(ctx, data, step, await available_offers(ctx) if step == OFFERS else None)
        return step

    return by_text


def _answer_problem(problem: AnswerProblem, ctx: CrmContext) -> str:
    _ = ctx.t
    texts = {
        AnswerProblem.not_a_number: _("Please send a number, e.g. 1500, or tap Skip."),
        AnswerProblem.negative: _(
            "The number cannot be negative. Please send it again, or tap Skip."
        ),
        AnswerProblem.not_whole: _("Please send a whole number, e.g. 3, or tap Skip."),
        AnswerProblem.over_100: _("Please send a share from 0 to 100%, e.g. 5, or tap Skip."),
        AnswerProblem.too_large: _("That number is too large. Please check it, or tap Skip."),
    }
    return texts[problem]


def _own_text(question: Question):
    async def by_text(update: Update, ctx: CrmContext) -> str | None:
        _ = ctx.t
        data = dict(flows.data(ctx))
        try:
            value = read_answer(question, update.message.text)
        except AnswerError as error:
            ctx.reply(_answer_problem(error.problem, ctx))
            _ask_own(ctx, data, question)
            return question.step
        data["r"] = dict(data.get("r", {}), **{question.field: value})
        await _after_own(update, ctx, data, question.step)
        return _step_now(ctx)

    return by_text


flows.flow(
    FLOW,
    {
        USERS: _number_text(USERS),
        YEARS: _number_text(YEARS),
        OFFERS: _buttons_only(OFFERS),
        HIDDEN: _buttons_only(HIDDEN),
        **{step: _own_text(question) for step, question in BY_STEP.items()},
    },
)


def handlers() -> list:
    return [
        CommandHandler("cost", cost_command),
        CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"),
    ]
