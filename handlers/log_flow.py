"""The walk-through behind /call, /meeting and /note: whom, then (for a call) outcome,
direction and duration, then note and follow-up; the activity is logged at the last answer.

The answers so far live in the flow's data in the database. Every button carries the walk's
random id and its step (`lw:<walk>:<step>:<value>`), so a tap on a question of an earlier walk
or a second tap on the last question is refused instead of logging twice."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler

from crm import activities, directory, followups, phones, search
from crm.activities import ActivityError, ActivityInput
from crm.dates import parse_when
from crm.directory import ContactInput, DirectoryError, DirectoryProblem, Kind, kind_of
from crm.followups import Preset, Target
from crm.search import SearchResult
from handlers import flows
from handlers.activity_views import (
    append_to_tapped,
    direction_name,
    logged_keyboard,
    logged_text,
    minutes,
    outcome_name,
    when_examples,
    who,
)
from handlers.callbacks import invalid_button, parts
from handlers.cancel_hints import tap_a_button
from handlers.context import CrmContext
from handlers.log_questions import (
    DIRECTION,
    DURATION,
    DURATIONS,
    FOLLOW_UP,
    NOTE,
    OUTCOME,
    PREFIX,
    WHO,
    ask,
    show_matches,
)
from handlers.records import explain, nonce, record_ref
from storage.models import ActivityKind, Direction, Outcome

FLOW = "log"
STEPS = {
    ActivityKind.call: (WHO, OUTCOME, DIRECTION, DURATION, NOTE, FOLLOW_UP),
    ActivityKind.meeting: (WHO, DURATION, NOTE, FOLLOW_UP),
    ActivityKind.note: (WHO, NOTE, FOLLOW_UP),
}
NOBODY_TALKED = (Outcome.no_answer.value, Outcome.busy.value)  # no direction, no duration
MAX_MINUTES = 24 * 60
TYPED_MINUTES = re.compile(r"^\s*(\d{1,4})(?:\s*\D{0,12})?$")


def _kind(data: dict[str, Any]) -> ActivityKind:
    return ActivityKind(data["k"])


def _target_data(target: Target) -> dict[str, Any]:
    return {"t": target.kind.value, "id": target.id, "label": who(target)}


# --- entry points ---------------------------------------------------------------------------


async def start(
    update: Update,
    ctx: CrmContext,
    kind: ActivityKind,
    *,
    target: Target | None = None,
    values: dict[str, Any] | None = None,
    matches: SearchResult | None = None,
) -> None:
    """Begin a walk: with its target known (a card's or a reminder's button), with the search
    results of a one-message command, or from the first question."""
    data = {"n": nonce(), "k": kind.value, **(values or {})}
    if target is not None:
        data |= _target_data(target)
    elif matches is not None and matches.count == 1:
        [record] = matches.records
        data |= _target_data(await _target_of(ctx, record))
    elif matches is not None:
        await flows.begin(update, ctx, FLOW, WHO, data)
        show_matches(ctx, data, matches)
        return
    await _advance(update, ctx, data, after=WHO if "id" in data else None)


def _next_step(data: dict[str, Any], after: str | None) -> str | None:
    steps = STEPS[_kind(data)]
    for step in steps[steps.index(after) + 1 if after else 0 :]:
        if step == WHO:
            if "id" not in data:
                return WHO
        elif data.get("q"):
            continue  # a one-message entry: everything else was in the message
        elif step in (DIRECTION, DURATION) and data.get("out") in NOBODY_TALKED:
            continue
        else:
            return step
    return None


async def _advance(update: Update, ctx: CrmContext, data: dict[str, Any], after: str | None):
    step = _next_step(data, after)
    if step is None:
        await save(update, ctx, data)
        return
    await flows.begin(update, ctx, FLOW, step, data)
    ask(ctx, data, step)


async def save(update: Update, ctx: CrmContext, data: dict[str, Any]) -> None:
    """Log the activity, tick off the follow-up it answers, and show what was understood."""
    _ = ctx.t
    await flows.finish(update, ctx)
    fu = data.get("fu")
    entry = ActivityInput(
        kind=_kind(data),
        target=Kind(data["t"]),
        target_id=data["id"],
        outcome=Outcome(data["out"]) if data.get("out") else None,
        direction=Direction(data["dir"]) if data.get("dir") else None,
        duration_seconds=data.get("dur"),
        note=data.get("note"),
        follow_up_at=datetime.fromisoformat(fu) if fu else None,
    )
    try:
        activity = await activities.log(ctx.session, actor=ctx.member, data=entry, now=ctx.now())
    except ActivityError:
        ctx.reply(_("This card no longer exists, so nothing was logged."))
        return
    if data.get("done"):
        with suppress(ActivityError):  # someone else ticked it off meanwhile: nothing to do
            await activities.complete(
                ctx.session, actor=ctx.member, activity_id=data["done"], now=ctx.now()
            )
    [item] = await followups.describe(
        ctx.session, workspace_id=ctx.member.workspace_id, items=[activity]
    )
    ctx.reply(logged_text(item, _), reply_markup=logged_keyboard(item, _))


async def _target_of(ctx: CrmContext, record) -> Target:
    return await followups.target(
        ctx.session, actor=ctx.member, kind=kind_of(record), record_id=record.id
    )


def _close_question(update: Update, ctx: CrmContext, answer: str) -> None:
    ctx.answer()
    append_to_tapped(update, ctx, f"\n» {answer}")


# --- answers by button ----------------------------------------------------------------------


async def on_button(update: Update, ctx: CrmContext) -> None:
    values = parts(update)
    data = dict(flows.data(ctx))
    if len(values) < 4 or not flows.asks_now(ctx, FLOW, values[1], values[2]):
        invalid_button(ctx)  # an earlier walk's question, a second tap, or made-up data
        return
    step, value = values[2], values[3:]
    if not await _BUTTONS[step](update, ctx, data, value):
        invalid_button(ctx)


async def _who_button(update: Update, ctx: CrmContext, data: dict, value: list[str]) -> bool:
    _ = ctx.t
    if value == ["again"]:
        ctx.answer()
        ctx.reply(_("Send a name or a phone number."))
        return True
    if value == ["new"] and data.get("who"):
        target = await _create_person(ctx, data["who"])
    elif len(value) == 2 and (ref := record_ref(value, 0)):
        try:
            target = await followups.target(
                ctx.session, actor=ctx.member, kind=ref[0], record_id=ref[1]
            )
        except DirectoryError as error:
            explain(update, ctx, error)
            return True
    else:
        return False
    data |= _target_data(target)
    _close_question(update, ctx, who(target))
    await _advance(update, ctx, data, after=WHO)
    return True


async def _create_person(ctx: CrmContext, name: str) -> Target:
    """A private person named as typed; a typed phone number is also saved as their phone."""
    region = ctx.unit.workspace.default_region
    numbers = [name] if phones.looks_like_phone(name) else []
    try:
        contact = await directory.create_contact(
            ctx.session,
            actor=ctx.member,
            data=ContactInput(full_name=name, phones=numbers),
            region=region,
            now=ctx.now(),
        )
    except DirectoryError as error:
        if error.problem != DirectoryProblem.invalid_phone:
            raise
        contact = await directory.create_contact(
            ctx.session,
            actor=ctx.member,
            data=ContactInput(full_name=name),
            region=region,
            now=ctx.now(),
        )
    return Target(contact, None)


async def _choice(
    update: Update, ctx: CrmContext, data: dict, step: str, key: str, value: Any, answer: str
) -> bool:
    data[key] = value
    _close_question(update, ctx, answer)
    await _advance(update, ctx, data, after=step)
    return True


async def _outcome_button(update: Update, ctx: CrmContext, data: dict, value: list[str]) -> bool:
    if len(value) != 1 or value[0] not in Outcome.__members__.values():
        return False
    if value[0] in NOBODY_TALKED:
        data["dir"] = Direction.outgoing.value
    answer = outcome_name(Outcome(value[0]), ctx.t)
    return await _choice(update, ctx, data, OUTCOME, "out", value[0], answer)


async def _direction_button(update: Update, ctx: CrmContext, data: dict, value: list[str]) -> bool:
    if len(value) != 1 or value[0] not in Direction.__members__.values():
        return False
    answer = direction_name(Direction(value[0]), ctx.t)
    return await _choice(update, ctx, data, DIRECTION, "dir", value[0], answer)


async def _duration_button(update: Update, ctx: CrmContext, data: dict, value: list[str]) -> bool:
    _ = ctx.t
    if value == ["skip"]:
        return await _choice(update, ctx, data, DURATION, "dur", None, _("skipped"))
    choices = [str(m) for m in DURATIONS.get(_kind(data), ())]
    if len(value) != 1 or value[0] not in choices:
        return False
    seconds = int(value[0]) * 60
    return await _choice(update, ctx, data, DURATION, "dur", seconds, minutes(seconds, _))


async def _note_button(update: Update, ctx: CrmContext, data: dict, value: list[str]) -> bool:
    _ = ctx.t
    if value != ["skip"] or _kind(data) == ActivityKind.note:
        return False
    return await _choice(update, ctx, data, NOTE, "note", None, _("skipped"))


async def _follow_up_button(update: Update, ctx: CrmContext, data: dict, value: list[str]) -> bool:
    _ = ctx.t
    if value == ["none"]:
        return await _choice(update, ctx, data, FOLLOW_UP, "fu", None, _("No follow-up"))
    if len(value) != 1 or value[0] not in Preset.__members__.values():
        return False
    moment = followups.preset_moment(Preset(value[0]), now=ctx.now(), tz=ctx.t.timezone)
    answer = ctx.t.moment(moment)
    return await _choice(update, ctx, data, FOLLOW_UP, "fu", moment.isoformat(), answer)


_BUTTONS = {
    WHO: _who_button,
    OUTCOME: _outcome_button,
    DIRECTION: _direction_button,
    DURATION: _duration_button,
    NOTE: _note_button,
    FOLLOW_UP: _follow_up_button,
}


# --- answers by message ---------------------------------------------------------------------


async def _who_text(update: Update, ctx: CrmContext) -> str | None:
    data = dict(flows.data(ctx))
    data["who"] = " ".join(update.message.text.split())[:300]
    matches = await search.search(
        ctx.session,
        workspace_id=ctx.member.workspace_id,
        query=data["who"],
        region=ctx.unit.workspace.default_region,
    )
    if matches.count == 1:
        data |= _target_data(await _target_of(ctx, matches.records[0]))
        await _advance(update, ctx, data, after=WHO)
    else:
        await flows.begin(update, ctx, FLOW, WHO, data)
        show_matches(ctx, data, matches)
    return flows.step_now(ctx)


def _buttons_only(step: str):
    async def by_text(update: Update, ctx: CrmContext) -> str | None:
        _ = ctx.t
        ctx.reply(tap_a_button(_))
        ask(ctx, flows.data(ctx), step)
        return step

    return by_text


async def _duration_text(update: Update, ctx: CrmContext) -> str | None:
    _ = ctx.t
    match = TYPED_MINUTES.match(update.message.text)
    if not match or int(match[1]) > MAX_MINUTES:
        ctx.reply(_("Send the number of minutes, e.g. 20, or tap Skip."))
        return DURATION
    data = dict(flows.data(ctx), dur=int(match[1]) * 60 or None)
    await _advance(update, ctx, data, after=DURATION)
    return flows.step_now(ctx)


async def _note_text(update: Update, ctx: CrmContext) -> str | None:
    data = dict(flows.data(ctx), note=update.message.text)
    await _advance(update, ctx, data, after=NOTE)
    return flows.step_now(ctx)


async def _follow_up_text(update: Update, ctx: CrmContext) -> str | None:
    _ = ctx.t
    data = dict(flows.data(ctx))
    moment = parse_when(update.message.text, now=ctx.now(), tz=ctx.t.timezone)
    if moment is None or moment <= ctx.now():
        problem = (
            _("I could not understand when that is.")
            if moment is None
            else _("That time has already passed. Please choose a later one.")
        )
        ctx.reply(problem + "\n" + when_examples(_))
        ask(ctx, data, FOLLOW_UP)
        return FOLLOW_UP
    data["fu"] = moment.isoformat()
    await _advance(update, ctx, data, after=FOLLOW_UP)
    return flows.step_now(ctx)


flows.flow(
    FLOW,
    {
        WHO: _who_text,
        OUTCOME: _buttons_only(OUTCOME),
        DIRECTION: _buttons_only(DIRECTION),
        DURATION: _duration_text,
        NOTE: _note_text,
        FOLLOW_UP: _follow_up_text,
    },
)


def handlers() -> list:
    return [CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:")]
