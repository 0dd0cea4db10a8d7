"""Spreadsheet import in the chat: a member sends an .xlsx or CSV file, sees a preview of what
would be written, adjusts it and confirms; `/imports` lists past imports with Undo.

Nothing is written before the member taps Import. The preview's state (Telegram's file id,
the file name, column overrides, the duplicate policy) lives in the database as a flow
(`handlers.flows`), so a restart or a second bot instance can continue; the file itself is not
stored: Import downloads it again by file id and prepares it again.

Reading a file and importing it are slow, so they run as background tasks
(`application.create_task`) started after the update's commit, each in transactions of its
own, and other users keep getting answers meanwhile. On SQLite every transaction takes the
write lock up front (BEGIN IMMEDIATE); `prepare()` takes none: it reads the remembered mapping
and matches the planned file in read-only snapshots, plans outside any transaction, and the
download itself happens outside any transaction. Files over the Bot API's 20 MB download limit
are imported from the command line instead.

Import claims the preview (the flow's step becomes `running`) in the tap's own transaction; one
chat's updates are handled in order, so a second tap sees the claim and is told the import is
running. `run_import` writes all or nothing in transactions of its own; its progress callback
only records the numbers and a ticker edits the one status message every PROGRESS_EVERY
seconds, so no Telegram call happens inside the service's write transaction. A bot stopped
while it reads or imports leaves the flow at `reading`/`running` (the service marks such a
batch failed when `fail_interrupted` runs): the member sends the file again or uses /cancel.

The modules:
  flow             the flow (IMPORT, its steps) and `Job`, what a background task knows
  labels           names shared by the screens: fields, statuses, column letters
  receiving        a file arrives: size check, download, prepare, preview; unreadable files
  preview          the preview's text and keyboard
  preview_buttons  the duplicate policy, a column's mapping, back, Cancel
  running          Import: the claim, the background import, its progress
  results          the results message and the workbook of rows not imported
  history          /imports and Undo
This module routes the buttons and lists the handlers.

Callback data, prefix `imp` (<n> is the nonce of one preview: buttons of an earlier file, or
of a finished import, are stale and get an alert):
  imp:go:<n>                 import everything that can be read
  imp:ok:<n>                 import only the rows without problems
  imp:map:<n>                choose the column to change
  imp:col:<n>:<column>       choose what that column is
  imp:set:<n>:<column>:<f>   set it (a `Field` value, or "-": don't import the column)
  imp:back:<n>               back to the preview
  imp:pol:<n>:<policy>       what to do with records that already exist (skip, merge, create)
  imp:no:<n>                 cancel
  imp:undo:<batch id>        /imports: ask before undoing an import
  imp:undo!:<batch id>       undo it
  imp:list                   back to the list of imports
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from crm.importing.service import DuplicatePolicy
from handlers.callbacks import int_part, invalid_button, parts
from handlers.contact_import import VCARD_FILES
from handlers.context import CrmContext
from handlers.imports import history, preview_buttons
from handlers.imports.flow import IMPORT, PREFIX, PREVIEW, current
from handlers.imports.receiving import PROBLEMS, on_document
from handlers.imports.results import ISSUES
from handlers.imports.running import start_import

__all__ = ["IMPORT", "ISSUES", "PROBLEMS", "PROGRESS_EVERY", "handlers", "on_button"]

PROGRESS_EVERY = 2.0  # seconds between progress edits (read at each use: tests shorten it)


async def on_button(update: Update, ctx: CrmContext) -> None:
    values = parts(update)
    action = values[1] if len(values) > 1 else ""
    run = values[2] if len(values) > 2 else ""
    if action == "undo" and (batch_id := int_part(values, 2)) is not None and len(values) == 3:
        await history.ask_undo(update, ctx, batch_id)
    elif action == "undo!" and (batch_id := int_part(values, 2)) is not None and len(values) == 3:
        await history.undo(update, ctx, batch_id)
    elif action == "list" and len(values) == 2:
        await history.show_list(update, ctx)
    elif action in ("go", "ok") and len(values) == 3:
        await start_import(update, ctx, run, only_valid=action == "ok")
    elif action == "no" and len(values) == 3:
        await preview_buttons.cancel(update, ctx, run)
    elif (data := current(ctx, run, PREVIEW)) is None:
        invalid_button(ctx)
    elif action == "pol" and len(values) == 4 and values[3] in DuplicatePolicy.__members__:
        await preview_buttons.set_policy(update, ctx, data, values[3])
    elif action == "back" and len(values) == 3:
        preview_buttons.show_stored_preview(ctx, data)
    elif action == "map" and len(values) == 3:
        preview_buttons.show_columns(ctx, data)
    elif (
        action == "col"
        and len(values) == 4
        and (column := preview_buttons.column(data, values, 3)) is not None
    ):
        preview_buttons.show_fields(ctx, data, column)
    elif (
        action == "set"
        and len(values) == 5
        and (column := preview_buttons.column(data, values, 3)) is not None
    ):
        await preview_buttons.set_field(update, ctx, data, column, values[4])
    else:
        invalid_button(ctx)


def handlers() -> list:
    spreadsheet = (
        filters.ChatType.PRIVATE
        & filters.UpdateType.MESSAGE
        & filters.Document.ALL
        & ~VCARD_FILES  # contact cards are handlers.contact_import's
    )
    return [
        CommandHandler("imports", history.imports_command),
        MessageHandler(spreadsheet, on_document),
        CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"),
    ]
