"""The questions of the /call, /meeting and /note walk-through (handlers.log_flow) and their
buttons: `lw:<walk>:<step>:<value>`, tied to one walk by its random id."""

from __future__ import annotations

import html
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from crm.directory import kind_of
from crm.followups import Preset
from crm.search import SearchResult
from handlers.activity_views import (
    headline,
    minutes,
    outcome_name,
    preset_name,
    when_examples,
)
from handlers.callbacks import pack
from handlers.cancel_hints import with_cancel_hint
from handlers.context import CrmContext
from handlers.records import code, label
from storage.models import ActivityKind, Contact, Direction, Outcome

PREFIX = "lw"
WHO, OUTCOME, DIRECTION, DURATION, NOTE, FOLLOW_UP = (
    "who",
    "outcome",
    "direction",
    "duration",
    "note",
    "follow_up",
)
DURATIONS = {ActivityKind.call: (1, 5, 15, 30), ActivityKind.meeting: (15, 30, 60, 90)}


def button(data: dict[str, Any], step: str, *values: object) -> dict[str, str]:
    return {"callback_data": pack(PREFIX, data["n"], step, *values)}


def ask(ctx: CrmContext, data: dict[str, Any], step: str) -> None:
    _ = ctx.t
    kind = ActivityKind(data["k"])
    rows: list[list[InlineKeyboardButton]] = []
    if step == WHO:
        text = {
            ActivityKind.call: _("📞 New call. Whom did you call?"),
            ActivityKind.meeting: _("🤝 New meeting. Whom did you meet?"),
            ActivityKind.note: _("📝 New note. Whom is it about?"),
        }[kind]
        text += "\n" + with_cancel_hint(_, _("Send a name or a phone number."))
        ctx.reply(text)
        return
    title = headline(kind, data["label"], _)
    if step == OUTCOME:
        question = _("How did it go?")
        buttons = [
            InlineKeyboardButton(outcome_name(o, _), **button(data, step, o.value)) for o in Outcome
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    elif step == DIRECTION:
        question = _("Who called whom?")
        rows = [
            [
                InlineKeyboardButton(_("📤 I called"), **button(data, step, Direction.outgoing)),
                InlineKeyboardButton(
                    _("📥 They called me"), **button(data, step, Direction.incoming)
                ),
            ]
        ]
    elif step == DURATION:
        question = _("How long did it take? Tap, or send the minutes.")
        rows = [
            [
                InlineKeyboardButton(minutes(m * 60, _), **button(data, step, m))
                for m in DURATIONS[kind]
            ],
            [InlineKeyboardButton(_("Skip"), **button(data, step, "skip"))],
        ]
    elif step == NOTE:
        if kind == ActivityKind.note:
            question = _("Send the note.")
        else:
            question = _("Anything to note? Send it, or tap Skip.")
            rows = [[InlineKeyboardButton(_("Skip"), **button(data, step, "skip"))]]
    else:
        question = _("When to follow up? Tap, or send it in words.") + "\n" + when_examples(_)
        presets = [InlineKeyboardButton(preset_name(p, _), **button(data, step, p)) for p in Preset]
        rows = [
            [InlineKeyboardButton(_("No follow-up"), **button(data, step, "none"))],
            presets[:2],
            presets[2:],
        ]
    ctx.reply(f"{title}\n{question}", reply_markup=InlineKeyboardMarkup(rows) if rows else None)


def show_matches(ctx: CrmContext, data: dict[str, Any], matches: SearchResult) -> None:
    _ = ctx.t
    query = html.escape(data.get("who", ""))
    again = [InlineKeyboardButton(_("🔎 Search again"), **button(data, WHO, "again"))]
    if not matches.count:
        text = _("No one found for “{who}”.").format(who=query)
        text += "\n" + _("Send another name or phone, or add a new person.")
        create = _("➕ New person “{who}”").format(who=data.get("who", ""))
        rows = [[InlineKeyboardButton(create, **button(data, WHO, "new"))], again]
    else:
        text = _("Several found for “{who}”. Whom do you mean?").format(who=query)
        rows = [
            [InlineKeyboardButton(_record_label(matches, record), **_pick(data, record))]
            for record in matches.records
        ]
        rows.append(again)
    ctx.reply(text, reply_markup=InlineKeyboardMarkup(rows))


def _record_label(matches: SearchResult, record) -> str:
    organization = isinstance(record, Contact) and matches.organization_names.get(
        record.organization_id
    )
    return label(record) + (f" · {organization}" if organization else "")


def _pick(data: dict[str, Any], record) -> dict[str, str]:
    return button(data, WHO, code(kind_of(record)), record.id)
