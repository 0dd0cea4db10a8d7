"""/today, and the buttons under a reminder: done, snooze, log the call.

`fu:done:<id>`, `fu:snz:<id>:<preset>`, `fu:log:<id>` under a reminder; `fu:done:<id>:t`
under /today, which then shows the list again. Every tap is checked on the server: the
follow-up must still exist in the tapper's workspace and be theirs (or they a manager)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from crm import activities, followups
from crm.activities import ActivityError
from crm.directory import DirectoryError, DirectoryProblem
from crm.followups import Preset
from handlers import log_flow
from handlers.activity_views import (
    FOLLOW_UP,
    append_to_tapped,
    card_button,
    problem_text,
    reminder_line,
)
from handlers.callbacks import int_part, invalid_button, pack, parts
from handlers.context import CrmContext
from handlers.records import explain, name_of
from handlers.refusals import audit_problem
from storage.models import ActivityKind

TODAY_SHOWN = 20  # two buttons each; a keyboard holds 100, a message 4096 characters
TODAY_NOTE = 100  # characters of each note in the list


async def show_today(update: Update, ctx: CrmContext) -> None:
    text, markup = await _today_view(ctx)
    ctx.reply(text, reply_markup=markup)


async def _today_view(ctx: CrmContext) -> tuple[str, InlineKeyboardMarkup | None]:
    _, now = ctx.t, ctx.now()
    items = await followups.today(ctx.session, actor=ctx.member, now=now, tz=_.timezone)
    if not items:
        return _("No follow-ups for today. 🎉"), None
    today = now.astimezone(_.tz).date()
    lines, rows = [_("<b>Follow-ups for today</b>"), ""], []
    for number, item in enumerate(items[:TODAY_SHOWN], 1):
        due = item.activity.follow_up_at
        when = _.time(due) if due.astimezone(_.tz).date() == today else _.moment(due)
        mark = "⚠️ " + _("overdue") + ", " if due <= now else "🕒 "
        lines.append(f"{number}. {mark}{when} — {reminder_line(item, _, TODAY_NOTE)}")
        done = InlineKeyboardButton(
            f"✅ {number}", callback_data=pack(FOLLOW_UP, "done", item.activity.id, "t")
        )
        record = item.target.contact or item.target.organization
        card = record and card_button(item.target, f"📇 {number}. {name_of(record)}")
        rows.append([card, done] if card else [done])
    if len(items) > TODAY_SHOWN:
        more = len(items) - TODAY_SHOWN
        lines += ["", _("…and {count} more: mark these done to see them.").format(count=more)]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def on_button(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    values = parts(update)
    action = values[1] if len(values) > 1 else ""
    activity_id = int_part(values, 2)
    extra = values[3:]
    if activity_id is None or len(extra) > 1:
        invalid_button(ctx)
        return
    try:
        if action == "done" and extra in ([], ["t"]):
            await _done(update, ctx, activity_id, from_today=bool(extra))
        elif action == "snz" and len(extra) == 1 and extra[0] in Preset.__members__.values():
            await _snooze(update, ctx, activity_id, Preset(extra[0]))
        elif action == "log" and not extra:
            await _log_call(update, ctx, activity_id)
        else:
            invalid_button(ctx)
    except ActivityError as error:
        audit_problem(ctx, "activity", error.problem)
        ctx.answer(problem_text(error, _), alert=True)


async def _done(update: Update, ctx: CrmContext, activity_id: int, *, from_today: bool) -> None:
    _ = ctx.t
    _activity, changed = await activities.complete(
        ctx.session, actor=ctx.member, activity_id=activity_id, now=ctx.now()
    )
    if not changed:
        ctx.answer(_("This follow-up is already done."), alert=True)
        return
    ctx.answer(_("Done."))
    if from_today:
        text, markup = await _today_view(ctx)
        ctx.edit(text, reply_markup=markup)
    else:
        append_to_tapped(update, ctx, "\n\n" + _("✅ Done."))


async def _snooze(update: Update, ctx: CrmContext, activity_id: int, preset: Preset) -> None:
    _ = ctx.t
    until = followups.preset_moment(preset, now=ctx.now(), tz=_.timezone)
    await activities.snooze(ctx.session, actor=ctx.member, activity_id=activity_id, until=until)
    text = _("I will remind you again {when}.").format(when=_.moment(until))
    ctx.answer(text)
    append_to_tapped(update, ctx, "\n\n⏰ " + text)


async def _log_call(update: Update, ctx: CrmContext, activity_id: int) -> None:
    """A call about this follow-up; saving it ticks the follow-up off."""
    item = await followups.describe_editable(ctx.session, actor=ctx.member, activity_id=activity_id)
    if item.target.deleted:
        explain(update, ctx, DirectoryError(DirectoryProblem.not_found))
        return
    ctx.answer()
    await log_flow.start(
        update, ctx, ActivityKind.call, target=item.target, values={"done": activity_id}
    )


def handlers() -> list:
    return [
        CommandHandler("today", show_today),
        CallbackQueryHandler(on_button, pattern=rf"^{FOLLOW_UP}:"),
    ]
