"""How calls, meetings, notes and follow-ups read in a chat: one place, so the confirmation,
the reminder and /today name things the same way."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from crm.activities import ActivityError, ActivityProblem
from crm.followups import Described, Preset, Target
from crm.i18n import Translator
from handlers.callbacks import pack
from handlers.context import CrmContext
from handlers.records import code
from storage.models import Activity, ActivityKind, Direction, Outcome

LATE = timedelta(minutes=10)  # a reminder later than this says when it was due
NOTE_SHOWN = 500  # characters of a note quoted back; a message holds 4096

ACT = "act"  # buttons under a logged activity: act:<action>:<activity id>[:<value>]
FOLLOW_UP = "fu"  # buttons under a reminder or /today: fu:<action>:<activity id>[:<value>]


def outcome_name(outcome: Outcome, _: Translator) -> str:
    return {
        Outcome.talked: _("talked"),
        Outcome.no_answer: _("no answer"),
        Outcome.busy: _("busy"),
        Outcome.call_back: _("call back"),
        Outcome.wrong_number: _("wrong number"),
    }[outcome]


def direction_name(direction: Direction, _: Translator) -> str:
    return {Direction.outgoing: _("outgoing"), Direction.incoming: _("incoming")}[direction]


def preset_name(preset: Preset, _: Translator) -> str:
    return {
        Preset.hour: _("In 1 hour"),
        Preset.tomorrow: _("Tomorrow"),
        Preset.three_days: _("In 3 days"),
        Preset.week: _("Next week"),
    }[preset]


def minutes(seconds: int, _: Translator) -> str:
    return _("{minutes} min").format(minutes=max(1, round(seconds / 60)))


def clip(note: str | None, limit: int = NOTE_SHOWN) -> str:
    note = note or ""
    return html.escape(note if len(note) <= limit else note[:limit] + "…")


def who(target: Target) -> str:
    """<b>Ivan Petrov</b> (Romashka), or <b>Romashka</b>: HTML-escaped."""
    if target.contact is not None:
        text = f"<b>{html.escape(target.contact.full_name)}</b>"
        if target.organization is not None:
            text += f" ({html.escape(target.organization.name)})"
        return text
    if target.organization is not None:
        return f"<b>{html.escape(target.organization.name)}</b>"
    return "—"


def card_button(target: Target, text: str) -> InlineKeyboardButton | None:
    """Opens the card (handled by handlers.cards); none for a card that is gone."""
    if target.deleted:
        return None
    return InlineKeyboardButton(text, callback_data=pack("card", code(target.kind), target.id))


def headline(kind: ActivityKind, label: str, _: Translator) -> str:
    """`label` is HTML, as `who` makes it."""
    return {
        ActivityKind.call: _("📞 Call with {who}"),
        ActivityKind.meeting: _("🤝 Meeting with {who}"),
        ActivityKind.note: _("📝 Note about {who}"),
    }[kind].format(who=label)


def follow_up_text(moment: datetime | None, _: Translator) -> str:
    return _.moment(moment) if moment else _("none")


def details(activity: Activity, _: Translator) -> list[str]:
    """The lines under the headline: outcome, duration, note, follow-up."""
    lines = []
    how = []
    if activity.outcome:
        how.append(outcome_name(activity.outcome, _))
    if activity.direction:
        how.append(direction_name(activity.direction, _))
    if activity.duration_seconds:
        how.append(minutes(activity.duration_seconds, _))
    if how:
        lines.append(_("Outcome: {outcome}").format(outcome=" · ".join(how)))
    if activity.note:
        lines.append(_("Note: {note}").format(note=clip(activity.note)))
    lines.append(_("Follow-up: {when}").format(when=follow_up_text(activity.follow_up_at, _)))
    return lines


def logged_text(item: Described, _: Translator) -> str:
    activity = item.activity
    text = headline(activity.kind, who(item.target), _) + " — " + _("saved.")
    return "\n".join([text, *details(activity, _)])


def logged_keyboard(item: Described, _: Translator) -> InlineKeyboardMarkup:
    """Fix what was understood wrongly: outcome, follow-up; open the card; undo."""
    activity = item.activity
    first = []
    if activity.kind == ActivityKind.call:
        first.append(_button(_("✏️ Outcome"), "out", activity.id))
    if activity.follow_up_at:
        first.append(_button(_("⏰ Change follow-up"), "fu", activity.id))
        first.append(_button(_("🚫 No follow-up"), "fr", activity.id))
    else:
        first.append(_button(_("⏰ Set follow-up"), "fu", activity.id))
    second = [_button(_("↩️ Undo"), "undo", activity.id)]
    card = card_button(item.target, _("📇 Open card"))
    if card:
        second.insert(0, card)
    return InlineKeyboardMarkup([first, second])


def outcome_keyboard(activity_id: int, _: Translator) -> InlineKeyboardMarkup:
    rows = [
        [_button(outcome_name(outcome, _), "os", activity_id, outcome.value)] for outcome in Outcome
    ]
    rows.append([_button(_("« Back"), "view", activity_id)])
    return InlineKeyboardMarkup(rows)


def follow_up_keyboard(activity_id: int, _: Translator) -> InlineKeyboardMarkup:
    presets = [_button(preset_name(p, _), "fs", activity_id, p.value) for p in Preset]
    return InlineKeyboardMarkup(
        [
            presets[:2],
            presets[2:],
            [_button(_("✍️ Type a date"), "ft", activity_id)],
            [_button(_("« Back"), "view", activity_id)],
        ]
    )


def _button(text: str, action: str, activity_id: int, *values: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(ACT, action, activity_id, *values))


# --- follow-ups ---------------------------------------------------------------------------


def reminder_line(item: Described, _: Translator, note_limit: int = NOTE_SHOWN) -> str:
    """Call back <b>Ivan</b> (Romashka): the note"""
    activity, target = item.activity, item.target
    if activity.kind == ActivityKind.call:
        text = _("Call back {who}").format(who=who(target))
    else:
        text = _("Follow up with {who}").format(who=who(target))
    return text + (f": {clip(activity.note, note_limit)}" if activity.note else "")


def reminder_text(item: Described, _: Translator, now: datetime) -> str:
    """The reminder as the job sends it, and when it was due if it comes late (the bot was
    down)."""
    text = "⏰ " + reminder_line(item, _)
    due = item.activity.follow_up_at
    if due and now - due > LATE:
        text += "\n" + _("It was due {when}.").format(when=_.moment(due))
    return text


def reminder_keyboard(item: Described, _: Translator) -> InlineKeyboardMarkup:
    activity_id = item.activity.id
    rows = [
        [
            InlineKeyboardButton(_("✅ Done"), callback_data=pack(FOLLOW_UP, "done", activity_id)),
            InlineKeyboardButton(
                _("⏰ +1 hour"), callback_data=pack(FOLLOW_UP, "snz", activity_id, Preset.hour)
            ),
            InlineKeyboardButton(
                _("⏰ Tomorrow"),
                callback_data=pack(FOLLOW_UP, "snz", activity_id, Preset.tomorrow),
            ),
        ]
    ]
    if not item.target.deleted:
        rows.append(
            [
                InlineKeyboardButton(
                    _("📞 Log call"), callback_data=pack(FOLLOW_UP, "log", activity_id)
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


def problem_text(error: ActivityError, _: Translator) -> str:
    return {
        ActivityProblem.not_found: _("This entry no longer exists: it was deleted."),
        ActivityProblem.not_allowed: _(
            "This is a colleague's entry: only they or a manager can change it."
        ),
        ActivityProblem.no_follow_up: _("This entry has no follow-up any more."),
        ActivityProblem.already_done: _("This follow-up is already done."),
        ActivityProblem.not_a_call: _("Only a call has an outcome."),
        ActivityProblem.in_the_past: _("That time has already passed. Please choose a later one."),
        ActivityProblem.bad_duration: _("The duration must be between 0 and 1440 minutes."),
    }[error.problem]


def append_to_tapped(update: Update, ctx: CrmContext, addition: str) -> None:
    """Keep the tapped message as it was, plus `addition`, without its buttons: the chat keeps
    a record of what was answered, and the buttons cannot be tapped again."""
    message = update.callback_query.message
    if getattr(message, "text", None):  # not an old, inaccessible message
        ctx.edit(message.text_html + addition)


def when_examples(_: Translator) -> str:
    return _("For example: tomorrow 10:00, in 3 days, next Friday, 25.12 14:00.")
