"""The preview's buttons: the duplicate policy, changing what a column is (the file is read
again with the new mapping), back to the preview, and Cancel."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from crm.importing import Field
from handlers import flows
from handlers.callbacks import int_part, invalid_button, pack
from handlers.context import CrmContext
from handlers.imports.flow import IMPORT, PREFIX, PREVIEW, READING, Job, after_commit, current
from handlers.imports.labels import FIELD_NAMES, back_button, column_letter, field_name, short
from handlers.imports.preview import preview_keyboard, preview_text
from handlers.imports.receiving import show_preview

MAX_COLUMN_BUTTONS = 30


def column(data: dict, values: list[str], index: int) -> int | None:
    """The column number in the callback data, if the previewed file has that column."""
    number = int_part(values, index)
    headers = data.get("headers") or []
    return number if number is not None and number < len(headers) else None


async def set_policy(update: Update, ctx: CrmContext, data: dict, policy: str) -> None:
    if policy != data["policy"]:  # the same one again: nothing to change
        await flows.begin(update, ctx, IMPORT, PREVIEW, {**data, "policy": policy})
        show_stored_preview(ctx, {**data, "policy": policy})


def show_stored_preview(ctx: CrmContext, data: dict) -> None:
    _ = ctx.t
    ctx.edit(
        preview_text(_, data["preview"], data["policy"]),
        reply_markup=preview_keyboard(_, data),
    )


def show_columns(ctx: CrmContext, data: dict) -> None:
    _ = ctx.t
    mapping = data.get("mapping") or {}
    rows = [
        [
            InlineKeyboardButton(
                short(
                    f"{column_letter(column)}. {text} → {field_name(_, mapping.get(str(column)))}"
                ),
                callback_data=pack(PREFIX, "col", data["n"], column),
            )
        ]
        for column, text in enumerate(data.get("headers") or [])
        if text
    ][:MAX_COLUMN_BUTTONS]
    rows.append([back_button(_, "back", data["n"])])
    ctx.edit(_("Which column do you want to change?"), reply_markup=InlineKeyboardMarkup(rows))


def show_fields(ctx: CrmContext, data: dict, column: int) -> None:
    _ = ctx.t
    run = data["n"]
    current_field = (data.get("mapping") or {}).get(str(column))
    buttons = [
        InlineKeyboardButton(
            ("• " if value == current_field else "") + _(label),
            callback_data=pack(PREFIX, "set", run, column, value.value),
        )
        for value, label in FIELD_NAMES.items()
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(
                ("• " if current_field is None else "") + _("Don't import this column"),
                callback_data=pack(PREFIX, "set", run, column, "-"),
            )
        ]
    )
    rows.append([back_button(_, "map", run)])
    header = data["headers"][column]
    ctx.edit(
        _("What is in column {letter}, “{header}”?").format(
            letter=column_letter(column), header=html.escape(header)
        ),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def set_field(update: Update, ctx: CrmContext, data: dict, column: int, value: str) -> None:
    _ = ctx.t
    if value != "-" and value not in Field.__members__:
        invalid_button(ctx)
        return
    overrides = dict(data.get("overrides") or {})
    overrides[str(column)] = None if value == "-" else value
    data = {**data, "overrides": overrides}
    await flows.begin(update, ctx, IMPORT, READING, data)
    ctx.edit(_("Checking the file again with the new mapping…"))
    job = Job.of(update, ctx, data["n"])
    message_id = update.callback_query.message.message_id
    after_commit(ctx, job, lambda: show_preview(job, message_id, data), "preview")


async def cancel(update: Update, ctx: CrmContext, run: str) -> None:
    _ = ctx.t
    if current(ctx, run, PREVIEW, READING) is None:
        invalid_button(ctx)
        return
    await flows.finish(update, ctx)
    ctx.edit(_("Import cancelled. Nothing was written."))
