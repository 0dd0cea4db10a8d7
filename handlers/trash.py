"""🗑 Delete on a card (soft: the card goes to the trash, after a confirmation tap) and /trash,
where admins restore deleted cards.

Callback data: `del:<k>:<id>` asks, `del:<k>:<id>:ok` deletes, `trash:<k>:<id>` restores.
A second tap on "Yes, delete" or on a restore button finds nothing left to do and says so."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from crm import directory
from crm.directory import DirectoryError, DirectoryProblem, kind_of
from handlers.callbacks import invalid_button, pack, parts
from handlers.cards import show_card
from handlers.context import CrmContext
from handlers.records import bold_name, code, explain, label, record_ref
from handlers.refusals import audit_problem

DELETE = "del"
RESTORE = "trash"


def _button(text: str, *data: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(*data))


async def on_delete_button(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    values = parts(update)
    ref = record_ref(values, 1)
    if ref is None or values[3:] not in ([], ["ok"]):
        invalid_button(ctx)
        return
    kind, record_id = ref
    k = code(kind)
    try:
        if values[3:] == ["ok"]:
            record = await directory.delete(
                ctx.session, actor=ctx.member, kind=kind, record_id=record_id, now=ctx.now()
            )
            ctx.answer(_("Deleted."))
            ctx.edit(
                _("🗑 {name} was deleted. An admin can restore it from /trash.").format(
                    name=bold_name(record)
                )
            )
            return
        record = await directory.editable_record(
            ctx.session, actor=ctx.member, kind=kind, record_id=record_id
        )
    except DirectoryError as error:
        explain(update, ctx, error)
        return
    rows = [
        [
            _button(_("🗑 Yes, delete"), DELETE, k, record_id, "ok"),
            _button(_("No"), "card", k, record_id, "e"),
        ]
    ]
    ctx.edit(
        _("Delete {name}? An admin can restore it from /trash.").format(name=bold_name(record)),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def trash_command(update: Update, ctx: CrmContext) -> None:
    text, markup = await _trash_view(ctx)
    ctx.reply(text, reply_markup=markup)


async def _trash_view(ctx: CrmContext) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = ctx.t
    try:
        records = await directory.trash(ctx.session, actor=ctx.member)
    except DirectoryError:
        return _("Only an admin can restore deleted cards."), None
    if not records:
        return _("The trash is empty."), None
    lines = [_("Deleted cards, newest first. Tap one to restore it:"), ""]
    lines += [
        _("{name} — deleted {date}").format(
            name=bold_name(r), date=ctx.t.datetime(r.deleted_at, "short")
        )
        for r in records
    ]
    rows = [[_button("♻️ " + label(r), RESTORE, code(kind_of(r)), r.id)] for r in records]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def on_restore_button(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    values = parts(update)
    ref = record_ref(values, 1)
    if ref is None or len(values) != 3:
        invalid_button(ctx)
        return
    try:
        record = await directory.restore(
            ctx.session, actor=ctx.member, kind=ref[0], record_id=ref[1], now=ctx.now()
        )
    except DirectoryError as error:
        audit_problem(ctx, "trash", error.problem)
        if error.problem == DirectoryProblem.not_allowed:
            ctx.answer(_("Only an admin can restore deleted cards."), alert=True)
        elif error.problem == DirectoryProblem.not_found:
            ctx.answer(_("This card is not in the trash any more."), alert=True)
        else:
            explain(update, ctx, error)
        return
    ctx.answer(_("Restored."))
    text, markup = await _trash_view(ctx)
    ctx.edit(text, reply_markup=markup)
    await show_card(ctx, ref[0], record.id)


def handlers() -> list:
    return [
        CommandHandler("trash", trash_command),
        CallbackQueryHandler(on_delete_button, pattern=rf"^{DELETE}:"),
        CallbackQueryHandler(on_restore_button, pattern=rf"^{RESTORE}:"),
    ]
