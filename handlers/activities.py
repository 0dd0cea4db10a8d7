"""/call, /meeting and /note; a card's "log" buttons; fixing or undoing what was just logged.

`/call Ivan talked, call back tomorrow 10` logs at once when "Ivan" is one person; otherwise,
and for a bare `/call`, the walk-through in handlers.log_flow asks what is missing."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from crm import activities, followups, quick_entry
from crm.activities import ActivityError
from crm.dates import parse_when
from crm.directory import DirectoryError
from crm.followups import Preset
from handlers import flows, log_flow
from handlers.activity_views import (
    ACT,
    follow_up_keyboard,
    logged_keyboard,
    logged_text,
    outcome_keyboard,
    problem_text,
    when_examples,
)
from handlers.callbacks import int_part, invalid_button, parts
from handlers.context import CrmContext
from handlers.records import explain, record_ref
from handlers.refusals import audit_problem
from storage.models import ActivityKind, Outcome

CARD_PREFIX = "log"  # log:<call|meeting|note>:<c|o>:<id>, on the cards of handlers.cards
FIX_FLOW = "log-fix"  # typing a new follow-up time for a logged activity
ARGUMENTS = re.compile(r"^/\S+\s*(.*)$", re.DOTALL)


def _arguments(update: Update) -> str:
    match = ARGUMENTS.match(update.message.text or "")
    return " ".join(match[1].split()) if match else ""


async def _command(update: Update, ctx: CrmContext, kind: ActivityKind) -> None:
    text = _arguments(update)
    if not text:
        await log_flow.start(update, ctx, kind)
        return
    entry = await quick_entry.parse(
        ctx.session,
        workspace_id=ctx.member.workspace_id,
        text=text,
        region=ctx.unit.workspace.default_region,
        now=ctx.now(),
        tz=ctx.t.timezone,
        outcomes=kind == ActivityKind.call,
    )
    if not entry.who:
        await log_flow.start(update, ctx, kind)
        return
    told = bool(entry.note or entry.follow_up_at or entry.outcome not in (None, Outcome.talked))
    values = {"who": entry.who[:300]}
    if told:  # log as soon as whom is clear; else ask for the rest
        values |= {
            "q": True,
            "note": entry.note or None,
            "out": entry.outcome.value if entry.outcome else None,
            "fu": entry.follow_up_at.isoformat() if entry.follow_up_at else None,
        }
    await log_flow.start(update, ctx, kind, values=values, matches=entry.matches)


async def call(update: Update, ctx: CrmContext) -> None:
    await _command(update, ctx, ActivityKind.call)


async def meeting(update: Update, ctx: CrmContext) -> None:
    await _command(update, ctx, ActivityKind.meeting)


async def note(update: Update, ctx: CrmContext) -> None:
    await _command(update, ctx, ActivityKind.note)


async def on_card_button(update: Update, ctx: CrmContext) -> None:
    """A card's "📞 Call" / "🤝 Meeting" / "📝 Note": the walk-through for that record."""
    values = parts(update)
    ref = record_ref(values, 2)
    if len(values) != 4 or values[1] not in ActivityKind.__members__.values() or ref is None:
        invalid_button(ctx)
        return
    try:
        target = await followups.target(
            ctx.session, actor=ctx.member, kind=ref[0], record_id=ref[1]
        )
    except DirectoryError as error:
        explain(update, ctx, error)
        return
    ctx.answer()
    await log_flow.start(update, ctx, ActivityKind(values[1]), target=target)


# --- fixing what was logged: act:<action>:<activity id>[:<value>] ---------------------------


async def on_fix_button(update: Update, ctx: CrmContext) -> None:
    """Every tap is checked again: the activity must still exist in the tapper's workspace and
    be theirs (or the tapper a manager)."""
    _ = ctx.t
    values = parts(update)
    action = values[1] if len(values) > 1 else ""
    activity_id = int_part(values, 2)
    value = values[3] if len(values) == 4 else None
    if activity_id is None or len(values) > 4:
        invalid_button(ctx)
        return
    session, actor, now = ctx.session, ctx.member, ctx.now()
    try:
        if action == "undo" and value is None:
            item = await followups.describe_editable(session, actor=actor, activity_id=activity_id)
            await activities.undo(session, actor=actor, activity_id=activity_id, now=now)
            first_line = logged_text(item, _).split("\n")[0]
            ctx.answer(_("Deleted."))
            ctx.edit(f"<s>{first_line}</s>\n" + _("↩️ Deleted: nothing is logged."))
            return
        if action == "os" and value in Outcome.__members__.values():
            await activities.change_outcome(
                session, actor=actor, activity_id=activity_id, outcome=Outcome(value)
            )
        elif action == "fr" and value is None:
            await activities.set_follow_up(
                session, actor=actor, activity_id=activity_id, until=None, now=now
            )
        elif action == "fs" and value in Preset.__members__.values():
            until = followups.preset_moment(Preset(value), now=now, tz=ctx.t.timezone)
            await activities.set_follow_up(
                session, actor=actor, activity_id=activity_id, until=until, now=now
            )
        elif action == "ft" and value is None:
            await activities.editable(session, actor=actor, activity_id=activity_id)
            await flows.begin(update, ctx, FIX_FLOW, "when", {"a": activity_id})
            ctx.answer()
            ctx.reply(_("When to follow up? Send it in words.") + "\n" + when_examples(_))
            return
        elif action not in ("view", "out", "fu") or value is not None:
            invalid_button(ctx)
            return
        item = await followups.describe_editable(session, actor=actor, activity_id=activity_id)
    except ActivityError as error:
        audit_problem(ctx, "activity", error.problem)
        ctx.answer(problem_text(error, _), alert=True)
        return
    keyboards = {
        "out": lambda: outcome_keyboard(activity_id, _),
        "fu": lambda: follow_up_keyboard(activity_id, _),
    }
    markup = keyboards.get(action, lambda: logged_keyboard(item, _))()
    ctx.answer()
    ctx.edit(logged_text(item, _), reply_markup=markup)


async def _typed_follow_up(update: Update, ctx: CrmContext) -> str | None:
    _ = ctx.t
    moment = parse_when(update.message.text, now=ctx.now(), tz=ctx.t.timezone)
    if moment is None:
        ctx.reply(_("I could not understand when that is.") + "\n" + when_examples(_))
        return "when"
    activity_id = flows.data(ctx).get("a")
    try:
        await activities.set_follow_up(
            ctx.session, actor=ctx.member, activity_id=activity_id, until=moment, now=ctx.now()
        )
        item = await followups.describe_editable(
            ctx.session, actor=ctx.member, activity_id=activity_id
        )
    except ActivityError as error:
        ctx.reply(problem_text(error, _))
        return "when" if error.problem == activities.ActivityProblem.in_the_past else flows.END
    ctx.reply(logged_text(item, _), reply_markup=logged_keyboard(item, _))
    return flows.END


flows.flow(FIX_FLOW, {"when": _typed_follow_up})


def handlers() -> list:
    return [
        CommandHandler("call", call),
        CommandHandler("meeting", meeting),
        CommandHandler("note", note),
        CallbackQueryHandler(on_card_button, pattern=rf"^{CARD_PREFIX}:"),
        CallbackQueryHandler(on_fix_button, pattern=rf"^{ACT}:"),
        *log_flow.handlers(),
    ]
