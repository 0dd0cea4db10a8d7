"""A card's history: who changed what and when, from the audit log.

Callback data: `hist:<k>:<id>`; `/history` in reply to a card finds that button on it."""

from __future__ import annotations

import html
import re

from telegram import Update

from crm import cards, directory
from crm.directory import DirectoryError, Kind
from crm.i18n import N_, Translator
from handlers.callbacks import invalid_button, parts
from handlers.context import CrmContext
from handlers.records import bold_name, explain, record_ref, short, to_kind
from storage.models import AuditEvent

HISTORY = "hist"
HISTORY_FIELDS = {
    "name": N_("name"),
    "full_name": N_("name"),
    "tax_id": N_("tax id"),
    "address": N_("address"),
    "website": N_("website"),
    "note": N_("note"),
    "position": N_("position"),
    "phone": N_("phone"),
    "email": N_("e-mail"),
}


async def show_history(update: Update, ctx: CrmContext, kind: Kind, record_id: int) -> None:
    _ = ctx.t
    try:
        record = await directory.get_record(
            ctx.session, actor=ctx.member, kind=kind, record_id=record_id
        )
        events = await cards.history(ctx.session, actor=ctx.member, kind=kind, record_id=record_id)
    except DirectoryError as error:
        explain(update, ctx, error)
        return
    lines = [_("🕓 Changes of {name}:").format(name=bold_name(record))]
    lines += [
        f"• {_.datetime(e.event.created_at, 'short')} — {html.escape(e.actor_name)}: "
        f"{_event_text(e.event, _)}"
        for e in events
    ]
    if not events:
        lines.append(_("No changes recorded yet."))
    ctx.reply("\n".join(lines))


def _event_text(event: AuditEvent, _: Translator) -> str:
    action = event.action.rsplit(".", 1)[-1]
    if action == "create":
        return _("created")
    if action == "delete":
        return _("deleted")
    if action == "restore":
        return _("restored")
    changes = [_change_text(key, event.before, event.after, _) for key in _keys(event)]
    return "; ".join(changes) or _("changed")


def _keys(event: AuditEvent) -> list[str]:
    return list(dict.fromkeys([*event.before, *event.after]))


def _change_text(key: str, before: dict, after: dict, _: Translator) -> str:
    if key == "organization_id":
        return _("changed the organization")
    field = _(HISTORY_FIELDS[key]) if key in HISTORY_FIELDS else html.escape(key)

    def value(values: dict) -> str:
        shown = values.get(key)
        return html.escape(short(str(shown), 80)) if shown not in (None, "") else "—"

    if key in ("phone", "email"):
        if key in after:
            return _("added {field} {value}").format(field=field, value=value(after))
        return _("removed {field} {value}").format(field=field, value=value(before))
    return _("{field}: {old} → {new}").format(field=field, old=value(before), new=value(after))


async def on_history_button(update: Update, ctx: CrmContext) -> None:
    values = parts(update)
    ref = record_ref(values, 1)
    if ref is None or len(values) != 3:
        invalid_button(ctx)
        return
    await show_history(update, ctx, *ref)


_HISTORY_DATA = re.compile(rf"^{HISTORY}:([oc]):(\d{{1,11}})$")


async def history_command(update: Update, ctx: CrmContext) -> None:
    """`/history` in reply to a card: the card's buttons say which record it is."""
    _ = ctx.t
    replied = update.message.reply_to_message if update.message else None
    markup = replied.reply_markup if replied else None
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            match = _HISTORY_DATA.match(button.callback_data or "")
            if match:
                await show_history(update, ctx, to_kind(match.group(1)), int(match.group(2)))
                return
    ctx.reply(_("Reply to a card with /history to see who changed it and when."))
