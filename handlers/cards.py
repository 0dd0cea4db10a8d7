"""Cards: an organization or a person with everything a rep needs before calling them, and the
buttons to act on it. The card's history (who changed what and when) is handlers.card_history.

Callback data: `card:<k>:<id>` opens a card as a new message (search results, other modules'
messages), `card:<k>:<id>:e` shows it again in place ("« Back"), `hist:<k>:<id>` its history.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from crm import cards
from crm.cards import Card
from crm.directory import DirectoryError, Kind
from crm.i18n import N_, Translator
from crm.phones import format_international
from handlers.callbacks import invalid_button, pack, parts
from handlers.card_history import HISTORY, history_command, on_history_button
from handlers.context import CrmContext
from handlers.records import ICONS, bold_name, code, explain, label, record_ref, short, to_kind
from storage.models import Activity, ActivityKind, Contact, Outcome, Phone

PREFIX = "card"
MAX_PEOPLE_LINES = 20
MAX_PEOPLE_BUTTONS = 6
MAX_CARD_TEXT = 4000  # Telegram's limit is 4096 characters after the markup is parsed

ACTIVITY_KINDS = {
    ActivityKind.call: N_("Call"),
    ActivityKind.meeting: N_("Meeting"),
    ActivityKind.note: N_("Note"),
}
OUTCOMES = {
    Outcome.talked: N_("talked"),
    Outcome.no_answer: N_("no answer"),
    Outcome.busy: N_("busy"),
    Outcome.call_back: N_("call back"),
    Outcome.wrong_number: N_("wrong number"),
}


def phone_text(phone: Phone, _: Translator) -> str:
    """ "+7 912 345-67-89" (Telegram makes it tappable), with the extension; as given when the
    number could not be read."""
    text = format_international(phone.e164) if phone.e164 else phone.raw
    if phone.extension:
        text += " " + _("ext. {number}").format(number=phone.extension)
    return html.escape(text)


# --- the card ---------------------------------------------------------------------------------


async def show_card(
    ctx: CrmContext, kind: Kind | str, record_id: int, *, edit: bool = False
) -> bool:
    """Send the card (or, with `edit`, replace the tapped message by it). A record that is gone
    or of another workspace gets the usual refusal instead; returns whether a card was shown."""
    try:
        card = await cards.load(
            ctx.session, actor=ctx.member, kind=to_kind(kind), record_id=record_id
        )
    except DirectoryError as error:
        explain(ctx.update, ctx, error)
        return False
    text, markup = render(ctx, card)
    if edit:
        ctx.edit(text, reply_markup=markup)
    else:
        ctx.reply(text, reply_markup=markup)
    return True


def render(ctx: CrmContext, card: Card) -> tuple[str, InlineKeyboardMarkup]:
    _ = ctx.t
    record = card.record
    lines = [f"{ICONS[card.kind]} {bold_name(record)}"]
    if card.kind == Kind.organization:
        for template, value in (
            (_("Tax id: {value}"), record.tax_id),
            (_("Address: {value}"), record.address),
            (_("Website: {value}"), record.website),
        ):
            if value:
                lines.append(template.format(value=html.escape(value)))
    else:
        if record.position:
            lines.append(html.escape(record.position))
        if card.organization:
            lines.append(f"🏢 {html.escape(card.organization.name)}")
    lines += [f"📞 {phone_text(p, _)}" for p in card.phones]
    lines += [f"✉️ {html.escape(e.address)}" for e in card.emails]
    if record.note:
        lines.append(f"📝 {html.escape(short(record.note, 500))}")
    if card.people:
        lines += ["", _("<b>People:</b>")]
        shown = card.people[:MAX_PEOPLE_LINES]
        lines += [_person_line(person, phones, _) for person, phones in shown]
        if len(card.people) > MAX_PEOPLE_LINES:
            lines.append(_("…and {count} more").format(count=len(card.people) - MAX_PEOPLE_LINES))
    if card.activities:
        lines += ["", _("<b>Last activities:</b>")]
        lines += [_activity_line(a, card, _) for a in card.activities]
    if card.follow_ups:
        lines += ["", _("<b>Follow-ups:</b>")]
        lines += [_follow_up_line(a, _) for a in card.follow_ups]
    return _fit(lines), _buttons(card, _)


def _fit(lines: list[str]) -> str:
    """The card's text within Telegram's limit: whole lines are dropped from the end (each
    line closes its own tags), so the markup stays valid."""
    text = "\n".join(lines)
    while len(text) > MAX_CARD_TEXT and len(lines) > 1:
        lines = lines[:-1]
        text = "\n".join([*lines, "…"])
    return text


def _person_line(person: Contact, phones: list[Phone], _: Translator) -> str:
    line = f"• <b>{html.escape(short(person.full_name, 60))}</b>"
    if person.position:
        line += f" — {html.escape(short(person.position, 60))}"
    if phones:
        line += ", " + ", ".join(phone_text(p, _) for p in phones)
    return line


def _activity_line(activity: Activity, card: Card, _: Translator) -> str:
    what = _(ACTIVITY_KINDS[activity.kind])
    if activity.outcome:
        what += ", " + _(OUTCOMES[activity.outcome])
    who = card.contact_names.get(activity.contact_id) if activity.contact_id else None
    if who:
        what += f" ({html.escape(who)})"
    line = f"• {_.datetime(activity.occurred_at, 'short')} — {what}"
    if activity.note:
        line += f": {html.escape(short(activity.note, 80))}"
    return line


def _follow_up_line(activity: Activity, _: Translator) -> str:
    what = (
        html.escape(short(activity.note, 80)) if activity.note else _(ACTIVITY_KINDS[activity.kind])
    )
    return f"• ⏰ {_.datetime(activity.follow_up_at, 'short')} — {what}"


def _buttons(card: Card, _: Translator) -> InlineKeyboardMarkup:
    k, record_id = code(card.kind), card.record.id
    rows = []
    if card.organization is not None:
        rows.append([_button(label(card.organization), PREFIX, "o", card.organization.id)])
    rows.append(
        [
            _button(_("📞 Call"), "log", "call", k, record_id),
            _button(_("🤝 Meeting"), "log", "meeting", k, record_id),
            _button(_("📝 Note"), "log", "note", k, record_id),
        ]
    )
    people = [
        _button(label(person), PREFIX, "c", person.id)
        for person, _phones in card.people[:MAX_PEOPLE_BUTTONS]
    ]
    rows += [people[i : i + 2] for i in range(0, len(people), 2)]
    edit = _button(_("✏️ Edit"), "edit", k, record_id)
    if card.kind == Kind.organization:
        rows.append([_button(_("➕ Contact"), "new", "add", record_id), edit])
    else:
        rows.append([edit])
    rows.append(
        [
            _button(_("🗑 Delete"), "del", k, record_id),
            _button(_("🕓 History"), HISTORY, k, record_id),
        ]
    )
    return InlineKeyboardMarkup(rows)


def _button(text: str, *data: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(*data))


async def on_card_button(update: Update, ctx: CrmContext) -> None:
    values = parts(update)
    ref = record_ref(values, 1)
    mode = values[3:]
    if ref is None or mode not in ([], ["e"]):
        invalid_button(ctx)
        return
    await show_card(ctx, ref[0], ref[1], edit=mode == ["e"])


def handlers() -> list:
    return [
        CommandHandler("history", history_command),
        CallbackQueryHandler(on_card_button, pattern=rf"^{PREFIX}:"),
        CallbackQueryHandler(on_history_button, pattern=rf"^{HISTORY}:"),
    ]
