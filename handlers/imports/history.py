"""/imports: the recent imports of the workspace, and Undo for the ones the member may undo."""

from __future__ import annotations

import html
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from crm.i18n import N_, Translator
from crm.importing import service
from crm.importing.service import ImportServiceError
from handlers.callbacks import pack
from handlers.context import CrmContext
from handlers.imports.flow import PREFIX
from handlers.imports.labels import back_button, short, status_name
from handlers.refusals import audit_problem, audit_refusal
from storage.models import ImportBatch, ImportStatus, Role

STAT_LABELS = (
    ("created_organizations", N_("organizations created: {count}")),
    ("created_contacts", N_("contacts created: {count}")),
    ("updated", N_("updated: {count}")),
    ("skipped", N_("skipped: {count}")),
    ("rejected", N_("rows not imported: {count}")),
)
BLOCKING_REASONS = {
    "changed": N_("changed after the import"),
    "activity": N_("has calls, meetings or notes"),
    "new_contact": N_("has contacts added after the import"),
}


def _stats_text(_: Translator, stats: dict | None) -> str:
    found = []
    for key, label in STAT_LABELS:
        count = (stats or {}).get(key)
        if isinstance(count, int) and count:
            found.append(_(label).format(count=_.number(count)))
    return ", ".join(found)


async def imports_command(update: Update, ctx: CrmContext) -> None:
    text, markup = await list_view(ctx)
    ctx.reply(text, reply_markup=markup)


async def show_list(update: Update, ctx: CrmContext) -> None:
    """imp:list, back from the Undo question."""
    text, markup = await list_view(ctx)
    ctx.edit(text, reply_markup=markup)


async def list_view(ctx: CrmContext) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = ctx.t
    batches = await service.list_batches(ctx.session, actor=ctx.member, limit=10)
    if not batches:
        return _("No imports yet. Send me an .xlsx or CSV file to import one."), None
    lines = [_("<b>Recent imports:</b>"), ""]
    rows = []
    for number, batch in enumerate(batches, 1):
        line = (
            f"{number}. {_.datetime(batch.created_at, 'short')} · "
            f"{html.escape(batch.file_name)} · {status_name(_, batch)}"
        )
        if stats := _stats_text(_, batch.stats):
            line += f" · {stats}"
        lines.append(line)
        if batch.status == ImportStatus.done and _may_undo(ctx, batch):
            rows.append(
                [
                    InlineKeyboardButton(
                        short(
                            _("↩️ Undo {number}. {file}").format(number=number, file=batch.file_name)
                        ),
                        callback_data=pack(PREFIX, "undo", batch.id),
                    )
                ]
            )
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def _may_undo(ctx: CrmContext, batch: ImportBatch) -> bool:
    """As the service decides: the member who ran the import, or an admin."""
    return ctx.member.role == Role.admin or batch.member_id == ctx.member.id


async def ask_undo(update: Update, ctx: CrmContext, batch_id: int) -> None:
    _ = ctx.t
    batches = await service.list_batches(ctx.session, actor=ctx.member, limit=50)
    batch = next((b for b in batches if b.id == batch_id), None)
    if batch is None or batch.status != ImportStatus.done:
        if batch is None:
            problem = "not_found"
        elif batch.status == ImportStatus.undone:
            problem = "already_undone"
        else:
            problem = "not_done"
        audit_refusal(ctx, f"imports {problem}")  # audited when the id was made up
        ctx.answer(_undo_problem_text(_, problem), alert=True)
        return
    ctx.edit(
        _(
            "Undo the import of <b>{file}</b> from {date}? The organizations and contacts it "
            "created are deleted and the fields it filled get their old values back."
        ).format(file=html.escape(batch.file_name), date=_.datetime(batch.created_at, "short")),
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("↩️ Yes, undo it"), callback_data=pack(PREFIX, "undo!", batch.id)
                    ),
                    back_button(_, "list"),
                ]
            ]
        ),
    )


def _details_text(_: Translator, details: Any) -> list[str]:
    lines = []
    for record in details or []:
        icon = "🏢" if getattr(record, "kind", "") == "organization" else "👤"
        reason = getattr(record, "reason", "")
        reason_text = _(BLOCKING_REASONS[reason]) if reason in BLOCKING_REASONS else reason
        name = html.escape(short(getattr(record, "name", "") or str(record), 60))
        lines.append(f"{icon} {name} — {reason_text}")
    return lines


def _undo_problem_text(_: Translator, problem: str, details: Any = None) -> str:
    if problem == "already_undone":
        return _("This import was already undone.")
    if problem == "not_allowed":
        return _("Only the member who ran this import or an admin can undo it.")
    if problem == "not_done":
        return _("This import did not finish, so there is nothing to undo.")
    if problem == "blocked":
        text = _(
            "I cannot undo this import: some of its records were changed or used after it. "
            "Undoing would lose that work, so the import stays. You can delete those cards "
            "by hand, or fix the imported data on the cards instead."
        )
        if found := _details_text(_, details):
            text += "\n\n" + _("What stands in the way:") + "\n" + "\n".join(found)
        return text
    return _("This import no longer exists.")


async def undo(update: Update, ctx: CrmContext, batch_id: int) -> None:
    _ = ctx.t
    try:
        done = await service.undo(ctx.session, actor=ctx.member, batch_id=batch_id, now=ctx.now())
    except ImportServiceError as error:
        problem = str(getattr(error.problem, "value", error.problem))
        audit_problem(ctx, "imports", error.problem)
        text = _undo_problem_text(_, problem, getattr(error, "details", None))
        if problem == "blocked":
            ctx.edit(text, reply_markup=InlineKeyboardMarkup([[back_button(_, "list")]]))
        else:
            ctx.answer(text, alert=True)
        return
    text, markup = await list_view(ctx)
    summary = _(
        "Import undone. Deleted organizations: {orgs}, contacts: {contacts}. Cards that "
        "got their old values back: {restored}."
    ).format(
        orgs=_.number(done.deleted_organizations),
        contacts=_.number(done.deleted_contacts),
        restored=_.number(done.restored),
    )
    ctx.edit(summary + "\n\n" + text, reply_markup=markup)
