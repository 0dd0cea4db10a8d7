"""Spreadsheet import in the chat: a member sends an .xlsx or CSV file, sees a preview of what
would be written, adjusts it and confirms; `/imports` lists past imports with Undo.

Nothing is written before the member taps Import. The preview's state (Telegram's file id,
the file name, column overrides, the duplicate policy) lives in the database as a flow
(`handlers.flows`), so a restart or a second bot instance can continue; the file itself is not
stored: Import downloads it again by file id and prepares it again.

Reading a file and importing it are slow, so they run as background tasks
(`application.create_task`) started after the update's commit, each in transactions of its
own, and other users keep getting answers meanwhile. On SQLite every transaction takes the
write lock up front (BEGIN IMMEDIATE), so `prepare()` (which matches the file against the
database) holds it while it runs: fine for the files people send from a phone, and the
download itself happens outside any transaction. Files over the Bot API's 20 MB download limit
are imported from the command line instead.

Import claims the preview (the flow's step becomes `running`) in the tap's own transaction; one
chat's updates are handled in order, so a second tap sees the claim and is told the import is
running. `run_import` writes all or nothing in transactions of its own; its progress callback
only records the numbers and a ticker edits the one status message every PROGRESS_EVERY
seconds, so no Telegram call happens inside the service's write transaction. A bot stopped
while it reads or imports leaves the flow at `reading`/`running` (the service marks such a
batch failed when `fail_interrupted` runs): the member sends the file again or uses /cancel.

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

import asyncio
import html
import io
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import openpyxl
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from crm.i18n import N_, Translator
from crm.importing import Field, ImportFileError, ImportProblem, IssueCode, RowIssue, service
from crm.importing.service import DuplicatePolicy, ImportServiceError
from crm.phones import format_international
from handlers import flows
from handlers.callbacks import int_part, invalid_button, pack, parts
from handlers.contact_import import VCARD_FILES
from handlers.context import CrmContext, Services
from handlers.records import nonce, region
from storage.models import ImportBatch, ImportStatus, Role
from storage.repositories import chat_state
from storage.repositories import workspaces as members_repo

log = logging.getLogger(__name__)

PREFIX = "imp"
IMPORT = flows.flow("import", {})  # no typed steps: everything is a button
READING, PREVIEW, RUNNING = "reading", "preview", "running"

MAX_DOWNLOAD = 20 * 1024 * 1024  # the Bot API's getFile limit
PROGRESS_EVERY = 2.0  # seconds between progress edits
MAX_PREVIEW_COLUMNS = 25
MAX_COLUMN_BUTTONS = 30
MAX_EXAMPLES = 3
MAX_RELABELLED_ROWS = 20_000
LOW_CONFIDENCE = 0.5  # HeaderMatch.confidence below which the preview asks to check
BUTTON_TEXT = 40
CLI_HINT = "python -m bot import FILE --workspace {workspace}"  # the workspace id: unambiguous

FIELD_NAMES = {
    Field.organization: N_("Organization"),
    Field.tax_id: N_("Tax id"),
    Field.contact_name: N_("Contact person"),
    Field.first_name: N_("First name"),
    Field.last_name: N_("Last name"),
    Field.middle_name: N_("Middle name"),
    Field.position: N_("Position"),
    Field.phone: N_("Phone"),
    Field.email: N_("E-mail"),
    Field.address: N_("Address"),
    Field.website: N_("Website"),
    Field.note: N_("Note"),
    Field.owner: N_("Responsible"),
}
POLICIES = {
    DuplicatePolicy.skip: N_("skip"),
    DuplicatePolicy.merge: N_("fill empty fields"),
    DuplicatePolicy.create: N_("create anyway"),
}
POLICY_LINES = {
    DuplicatePolicy.skip: N_("Records that already exist: <b>skipped</b>."),
    DuplicatePolicy.merge: N_(
        "Records that already exist: <b>their empty fields are filled</b> from the file."
    ),
    DuplicatePolicy.create: N_("Records that already exist: <b>created again</b> as new cards."),
}
STATUSES = {
    ImportStatus.pending: N_("waiting"),
    ImportStatus.running: N_("running"),
    ImportStatus.done: N_("done"),
    ImportStatus.failed: N_("failed"),
    ImportStatus.undone: N_("undone"),
}
PROBLEMS = {
    ImportProblem.old_excel: N_(
        "This is an old Excel file (.xls, Excel 97–2003), which I cannot read. Open it in "
        "Excel, choose File → Save As → Excel Workbook (.xlsx), and send me the .xlsx file."
    ),
    ImportProblem.encrypted: N_(
        "The file is protected with a password. Save a copy without the password and send "
        "me that copy."
    ),
    ImportProblem.unsupported_format: N_(
        "I cannot read this kind of spreadsheet. Save it as an Excel Workbook (.xlsx) or as "
        "CSV and send it again."
    ),
    ImportProblem.not_a_spreadsheet: N_(
        "This does not look like a spreadsheet. Send me an .xlsx or CSV file with your "
        "organizations and contacts."
    ),
    ImportProblem.damaged: N_(
        "The file seems damaged: I could not read it. Open it in Excel or another spreadsheet "
        "program, save it again as .xlsx, and send it again."
    ),
    ImportProblem.too_large: N_(
        "The file is too large to import in the chat. Split it into smaller files, or import "
        "it on the server with the command line."
    ),
    ImportProblem.unsafe_xml: N_(
        "The file contains XML features that I refuse to read for safety. Open it in Excel, "
        "save it again as .xlsx, and send it again."
    ),
    ImportProblem.empty: N_("The file is empty: I found no rows with data in it."),
    ImportProblem.too_many_rows: N_(
        "The file has more rows than I can import at once. Split it into smaller files and "
        "send them one by one."
    ),
    ImportProblem.too_many_columns: N_(
        "The file has more columns than a contact list has. Delete the columns you do not "
        "need (or copy the contacts to a new sheet), save, and send it again."
    ),
    ImportProblem.no_header: N_(
        "I could not find the column names. Make the first row of the table name the "
        "columns, e.g. “Organization”, “Contact person”, “Phone”, “E-mail”, and send the "
        "file again."
    ),
}
ISSUES = {
    IssueCode.no_name: N_("No organization name, person's name, phone or e-mail."),
    IssueCode.formula_without_value: N_(
        "A formula without a saved value: open the file in Excel and save it again."
    ),
    IssueCode.invalid_phone: N_("Not a phone number I can read."),
    IssueCode.invalid_email: N_("Not an e-mail address."),
    IssueCode.invalid_tax_id: N_("Not a tax id: it has no digits."),
    IssueCode.no_organization_name: N_("Organization details without the organization's name."),
    IssueCode.truncated: N_("Too long: the text was cut."),
}


# --- what a background task needs to know about the member -----------------------------------


@dataclass(frozen=True)
class Job:
    application: Application
    chat_id: int
    user_id: int
    member_id: int
    workspace_id: int
    region: str
    translator: Translator
    run: str

    @classmethod
    def of(cls, update: Update, ctx: CrmContext, run: str) -> Job:
        return cls(
            application=ctx.application,
            chat_id=update.effective_chat.id,
            user_id=update.effective_user.id,
            member_id=ctx.member.id,
            workspace_id=ctx.member.workspace_id,
            region=region(ctx),
            translator=ctx.t,
            run=run,
        )

    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]

    async def edit(self, message_id: int, text: str, markup=None) -> None:
        try:
            await self.application.bot.edit_message_text(
                text, chat_id=self.chat_id, message_id=message_id, reply_markup=markup
            )
        except TelegramError as error:  # "not modified", a deleted message, a blocked bot
            log.warning("could not edit import message %s: %s", message_id, error)

    def spawn(self, coroutine: Awaitable[Any], what: str) -> None:
        self.application.create_task(coroutine, name=f"import-{what}-{self.chat_id}")

    async def save(self, step: str, **changes: Any) -> bool:
        """Update the flow (only while it is still this preview's)."""
        async with self.services.database.transaction() as session:
            state = await chat_state.get(session, chat_id=self.chat_id, user_id=self.user_id)
            if state is None or state.flow != IMPORT or state.data.get("n") != self.run:
                return False
            await chat_state.put(
                session,
                chat_id=self.chat_id,
                user_id=self.user_id,
                flow=IMPORT,
                step=step,
                data={**state.data, **changes},
            )
            return True

    async def finish(self) -> None:
        async with self.services.database.transaction() as session:
            state = await chat_state.get(session, chat_id=self.chat_id, user_id=self.user_id)
            if state is not None and state.flow == IMPORT and state.data.get("n") == self.run:
                await chat_state.clear(session, chat_id=self.chat_id, user_id=self.user_id)


# --- texts ------------------------------------------------------------------------------------


def problem_text(_: Translator, problem: ImportProblem | str) -> str:
    try:
        return _(PROBLEMS[ImportProblem(problem)])
    except (KeyError, ValueError):
        return _(PROBLEMS[ImportProblem.not_a_spreadsheet])


def issue_text(_: Translator, issue: RowIssue | IssueCode | str) -> str:
    """Why a row was not imported, in plain text (it goes into the rejected-rows workbook)."""
    code = issue.code if isinstance(issue, RowIssue) else issue
    try:
        text = _(ISSUES[IssueCode(code)])
    except (KeyError, ValueError):
        text = str(code)
    if isinstance(issue, RowIssue) and issue.header:
        value = f" “{issue.value}”" if issue.value else ""
        text = _("Column “{column}”{value}: {problem}").format(
            column=issue.header, value=value, problem=text
        )
    return text


def explainer(_: Translator) -> Callable[[RowIssue], str]:
    return lambda issue: issue_text(_, issue)


def field_name(_: Translator, value: Field | str | None) -> str:
    if not value:
        return _("not imported")
    try:
        return _(FIELD_NAMES[Field(value)])
    except (KeyError, ValueError):
        return str(value)


def _short(text: str, limit: int = BUTTON_TEXT) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _column_letter(column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _example_parts(example: Any) -> Iterator[str]:
    """The readable parts of a `service.Example`: organization, tax id, person, phones..."""
    for attribute in ("organization", "tax_id", "contact", "position"):
        value = getattr(example, attribute, None)
        if value:
            yield str(value)
    for phone in getattr(example, "phones", None) or []:
        yield format_international(phone) if str(phone).startswith("+") else str(phone)
    yield from (str(value) for value in getattr(example, "emails", None) or [])


def _example_line(_: Translator, example: Any) -> str:
    text = html.escape(_short(" · ".join(dict.fromkeys(_example_parts(example))), 200))
    row = getattr(example, "row_number", None)
    if isinstance(row, int):
        return _("Row {number}: {text}").format(number=row, text=text)
    return f"• {text}"


def preview_body(_: Translator, prepared: service.Prepared) -> str:
    match = prepared.match
    lines = [f"📄 <b>{html.escape(prepared.file_name)}</b>", "", _("<b>Columns:</b>")]
    named = [(column, text) for column, text in enumerate(match.headers) if text]
    for column, text in named[:MAX_PREVIEW_COLUMNS]:
        target = match.mapping.get(column)
        mark = "" if target else "▫️ "
        lines.append(
            f"{mark}{_column_letter(column)}. {html.escape(_short(text))} → "
            f"{html.escape(field_name(_, target))}"
        )
    if len(named) > MAX_PREVIEW_COLUMNS:
        lines.append(_("…and {count} more").format(count=len(named) - MAX_PREVIEW_COLUMNS))
    if match.confidence < LOW_CONFIDENCE:
        lines.append(
            _("⚠️ I am not sure about some columns: check them and change any that is wrong.")
        )
    lines += [
        "",
        _("New organizations: {count}").format(count=_.number(prepared.new_organizations)),
        _("New contacts: {count}").format(count=_.number(prepared.new_contacts)),
        _("Already in the CRM: organizations {orgs}, contacts {contacts}").format(
            orgs=_.number(prepared.matched_organizations),
            contacts=_.number(prepared.matched_contacts),
        ),
        _("Repeated rows in the file: {count}").format(count=_.number(prepared.duplicate_rows)),
        _("Rows with problems (not imported): {count}").format(
            count=_.number(len(prepared.problem_rows))
        ),
        _("Rows with warnings (imported): {count}").format(
            count=_.number(len(prepared.warning_rows))
        ),
    ]
    examples = list(prepared.examples or [])[:MAX_EXAMPLES]
    if examples:
        lines += ["", _("<b>Examples:</b>")]
        lines += [_example_line(_, example) for example in examples]
    previous: ImportBatch | None = prepared.previous_batch
    if previous is not None:
        lines += [
            "",
            _(
                "⚠️ This file was already imported on {date} ({status}). Importing it again "
                "may create the same records twice: check how duplicates are handled below."
            ).format(
                date=_.datetime(previous.created_at, "short"), status=status_name(_, previous)
            ),
        ]
    if prepared.uncalculated_formulas:
        lines += [
            "",
            _(
                "⚠️ {count} cells hold formulas without a saved value, so I cannot see their "
                "values. Open the file in Excel, save it, and send it again."
            ).format(count=_.number(prepared.uncalculated_formulas)),
        ]
    return "\n".join(lines)


def preview_text(_: Translator, body: str, policy: str) -> str:
    return f"{body}\n\n{_(POLICY_LINES[DuplicatePolicy(policy)])}"


def preview_keyboard(_: Translator, data: dict) -> InlineKeyboardMarkup:
    """Import, Import only valid rows (when some rows have warnings: rows with errors are
    never imported), Change a column, the three duplicate policies, Cancel."""
    run, current = data["n"], DuplicatePolicy(data["policy"])
    buttons = [(_("✅ Import"), "go")]
    if data.get("warned"):
        buttons.append((_("Import only valid rows"), "ok"))
    buttons.append((_("Change a column's mapping"), "map"))
    rows = [
        [InlineKeyboardButton(text, callback_data=pack(PREFIX, action, run))]
        for text, action in buttons
    ]
    rows += [
        [
            InlineKeyboardButton(
                ("• " if value == current else "")
                + _("Duplicates: {policy}").format(policy=_(label)),
                callback_data=pack(PREFIX, "pol", run, value.value),
            )
        ]
        for value, label in POLICIES.items()
    ]
    rows.append([InlineKeyboardButton(_("Cancel"), callback_data=pack(PREFIX, "no", run))])
    return InlineKeyboardMarkup(rows)


def status_name(_: Translator, batch: ImportBatch) -> str:
    try:
        return _(STATUSES[ImportStatus(batch.status)])
    except (KeyError, ValueError):
        return str(batch.status)


def result_text(_: Translator, file_name: str, result: service.ImportResult) -> str:
    lines = [
        _("Import of <b>{file}</b> finished.").format(file=html.escape(file_name)),
        _("Organizations created: {count}").format(count=_.number(result.created_organizations)),
        _("Contacts created: {count}").format(count=_.number(result.created_contacts)),
        _("Updated: {count}").format(count=_.number(result.updated)),
        _("Skipped (already in the CRM): {count}").format(count=_.number(result.skipped)),
    ]
    if result.rejected:
        lines.append(
            _("Rows not imported: {count}. The file below lists them with the reason.").format(
                count=_.number(len(result.rejected))
            )
        )
    lines += ["", _("Changed your mind? /imports can undo it.")]
    return "\n".join(lines)


# --- a file arrives ---------------------------------------------------------------------------


async def on_document(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    document = update.message.document
    name = (document.file_name or "file")[:200]
    if document.file_size and document.file_size > MAX_DOWNLOAD:
        ctx.reply(too_big_text(_, name, ctx.member.workspace_id))
        return
    run = nonce()
    values = {
        "n": run,
        "file_id": document.file_id,
        "name": name,
        "overrides": {},
        "policy": DuplicatePolicy.skip.value,
    }
    await flows.begin(update, ctx, IMPORT, READING, values)
    job = Job.of(update, ctx, run)
    text = _("Reading <b>{file}</b>…").format(file=html.escape(name))
    ctx.unit.outbox.append(lambda: _start_preview(job, text, values))


def too_big_text(_: Translator, file_name: str, workspace_id: int) -> str:
    command = CLI_HINT.format(workspace=workspace_id)
    return _(
        "<b>{file}</b> is larger than 20 MB, the most a bot can download from "
        "Telegram, so I cannot import it here. Ask whoever runs the bot to import it "
        "on the server:\n<code>{command}</code>\nor split it into smaller files."
    ).format(file=html.escape(file_name), command=html.escape(command))


def _download_failed_text(_: Translator, error: TelegramError, file_name: str, job: Job) -> str:
    if "too big" in str(error).lower():  # the size was not in the message; getFile refused
        return too_big_text(_, file_name, job.workspace_id)
    return _("I could not download the file from Telegram. Please send it again.")


async def _start_preview(job: Job, text: str, values: dict) -> None:
    message = await job.application.bot.send_message(job.chat_id, text)
    job.spawn(_show_preview(job, message.message_id, values), "preview")


async def _download_and_prepare(job: Job, values: dict) -> service.Prepared:
    bot = job.application.bot
    file = await bot.get_file(values["file_id"])
    data = bytes(await file.download_as_bytearray())  # outside any transaction
    overrides = {int(column): target for column, target in values["overrides"].items()}
    async with job.services.database.transaction() as session:
        return await service.prepare(
            session,
            workspace_id=job.workspace_id,
            data=data,
            file_name=values["name"],
            region=job.region,
            mapping_overrides=overrides or None,
        )


async def _show_preview(job: Job, message_id: int, values: dict) -> None:
    _ = job.translator
    try:
        prepared = await _download_and_prepare(job, values)
    except ImportFileError as error:
        log.info("import file refused: %s", error)
        await job.finish()
        await job.edit(message_id, problem_text(_, error.problem))
        return
    except TelegramError as error:
        log.warning("could not download an import file: %s", error)
        await job.finish()
        await job.edit(message_id, _download_failed_text(_, error, values["name"], job))
        return
    except Exception:
        log.exception("preparing an import failed")
        await job.finish()
        await job.edit(message_id, _apology(_))
        return
    body = preview_body(_, prepared)
    match = prepared.match
    saved = await job.save(
        PREVIEW,
        preview=body,
        headers=[_short(text, 60) for text in match.headers],
        mapping={str(column): str(target) for column, target in match.mapping.items()},
        warned=len(prepared.warning_rows),
    )
    if saved:  # else the member went on to something else meanwhile
        shown = {**values, "warned": len(prepared.warning_rows)}
        await job.edit(
            message_id, preview_text(_, body, values["policy"]), preview_keyboard(_, shown)
        )


def _apology(_: Translator) -> str:
    return _("Sorry, something went wrong on our side. Please try again in a minute.")


# --- the preview's buttons --------------------------------------------------------------------


def _state(ctx: CrmContext, run: str, *steps: str) -> dict | None:
    state = ctx.unit.state
    if state is None or state.flow != IMPORT or state.data.get("n") != run:
        return None
    if steps and state.step not in steps:
        return None
    return dict(state.data)


async def on_button(update: Update, ctx: CrmContext) -> None:
    values = parts(update)
    action = values[1] if len(values) > 1 else ""
    run = values[2] if len(values) > 2 else ""
    if action == "undo" and (batch_id := int_part(values, 2)) is not None and len(values) == 3:
        await _ask_undo(update, ctx, batch_id)
    elif action == "undo!" and (batch_id := int_part(values, 2)) is not None and len(values) == 3:
        await _undo(update, ctx, batch_id)
    elif action == "list" and len(values) == 2:
        text, markup = await _list_view(ctx)
        ctx.edit(text, reply_markup=markup)
    elif action in ("go", "ok") and len(values) == 3:
        await _import(update, ctx, run, only_valid=action == "ok")
    elif action == "no" and len(values) == 3:
        await _cancel(update, ctx, run)
    elif (data := _state(ctx, run, PREVIEW)) is None:
        invalid_button(ctx)
    elif action == "pol" and len(values) == 4 and values[3] in DuplicatePolicy.__members__:
        if values[3] != data["policy"]:  # the same one again: nothing to change
            await flows.begin(update, ctx, IMPORT, PREVIEW, {**data, "policy": values[3]})
            _show_stored_preview(ctx, {**data, "policy": values[3]})
    elif action == "back" and len(values) == 3:
        _show_stored_preview(ctx, data)
    elif action == "map" and len(values) == 3:
        _show_columns(ctx, data)
    elif action == "col" and len(values) == 4 and (column := _column(data, values, 3)) is not None:
        _show_fields(ctx, data, column)
    elif action == "set" and len(values) == 5 and (column := _column(data, values, 3)) is not None:
        await _set_field(update, ctx, data, column, values[4])
    else:
        invalid_button(ctx)


def _column(data: dict, values: list[str], index: int) -> int | None:
    column = int_part(values, index)
    headers = data.get("headers") or []
    return column if column is not None and column < len(headers) else None


def _show_stored_preview(ctx: CrmContext, data: dict) -> None:
    _ = ctx.t
    ctx.edit(
        preview_text(_, data["preview"], data["policy"]),
        reply_markup=preview_keyboard(_, data),
    )


def _show_columns(ctx: CrmContext, data: dict) -> None:
    _ = ctx.t
    mapping = data.get("mapping") or {}
    rows = [
        [
            InlineKeyboardButton(
                _short(
                    f"{_column_letter(column)}. {text} → {field_name(_, mapping.get(str(column)))}"
                ),
                callback_data=pack(PREFIX, "col", data["n"], column),
            )
        ]
        for column, text in enumerate(data.get("headers") or [])
        if text
    ][:MAX_COLUMN_BUTTONS]
    rows.append([InlineKeyboardButton(_("« Back"), callback_data=pack(PREFIX, "back", data["n"]))])
    ctx.edit(_("Which column do you want to change?"), reply_markup=InlineKeyboardMarkup(rows))


def _show_fields(ctx: CrmContext, data: dict, column: int) -> None:
    _ = ctx.t
    run = data["n"]
    current = (data.get("mapping") or {}).get(str(column))
    buttons = [
        InlineKeyboardButton(
            ("• " if value == current else "") + _(label),
            callback_data=pack(PREFIX, "set", run, column, value.value),
        )
        for value, label in FIELD_NAMES.items()
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(
                ("• " if current is None else "") + _("Don't import this column"),
                callback_data=pack(PREFIX, "set", run, column, "-"),
            )
        ]
    )
    rows.append([InlineKeyboardButton(_("« Back"), callback_data=pack(PREFIX, "map", run))])
    header = data["headers"][column]
    ctx.edit(
        _("What is in column {letter}, “{header}”?").format(
            letter=_column_letter(column), header=html.escape(header)
        ),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def _set_field(update: Update, ctx: CrmContext, data: dict, column: int, value: str) -> None:
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
    _after_commit(ctx, job, lambda: _show_preview(job, message_id, data), "preview")


def _after_commit(
    ctx: CrmContext, job: Job, make: Callable[[], Awaitable[None]], what: str
) -> None:
    """Start a background task once the update's transaction is committed (the task reads
    the flow state the update wrote); nothing starts when the update fails."""

    async def start() -> None:
        job.spawn(make(), what)

    ctx.unit.outbox.append(start)


async def _cancel(update: Update, ctx: CrmContext, run: str) -> None:
    _ = ctx.t
    if _state(ctx, run, PREVIEW, READING) is None:
        invalid_button(ctx)
        return
    await flows.finish(update, ctx)
    ctx.edit(_("Import cancelled. Nothing was written."))


# --- importing --------------------------------------------------------------------------------


async def _import(update: Update, ctx: CrmContext, run: str, *, only_valid: bool) -> None:
    _ = ctx.t
    state = ctx.unit.state
    if _state(ctx, run, RUNNING) is not None:  # a double tap: the first one claimed it
        ctx.answer(_("This import is already running."), alert=True)
        return
    data = _state(ctx, run, PREVIEW)
    if data is None:
        if state is None or state.flow != IMPORT:
            ctx.answer(
                _("This import is finished or was cancelled. Send the file again to import it."),
                alert=True,
            )
        else:
            invalid_button(ctx)
        return
    data["only_valid"] = only_valid
    await flows.begin(update, ctx, IMPORT, RUNNING, data)  # the claim: later taps see it
    ctx.edit(_("Importing <b>{file}</b>…").format(file=html.escape(data["name"])))
    job = Job.of(update, ctx, run)
    message_id = update.callback_query.message.message_id
    _after_commit(ctx, job, lambda: _run_import(job, message_id, data), "run")


class _Progress:
    """The service's progress callback. The call only records the numbers (the service calls
    it inside its write transaction: no network there); `show` edits the message with the
    latest numbers every PROGRESS_EVERY seconds until `stop`."""

    def __init__(self) -> None:
        self.done = 0
        self.total = 0
        self._stopped = asyncio.Event()

    def __call__(self, done: int, total: int) -> Awaitable[None]:
        self.done, self.total = done, total
        return _Ready()

    async def show(self, job: Job, message_id: int) -> None:
        _ = job.translator
        shown = None
        while not self._stopped.is_set():
            try:
                await asyncio.wait_for(self._stopped.wait(), PROGRESS_EVERY)
                return
            except TimeoutError:
                pass
            if (self.done, self.total) == shown or not self.done:
                continue
            shown = (self.done, self.total)
            text = _("Imported {done} of {total} rows…").format(
                done=_.number(self.done), total=_.number(self.total)
            )
            await job.edit(message_id, text)

    async def stop(self, ticker: asyncio.Task) -> None:
        """Let an edit under way finish first, so that it never lands after the result."""
        self._stopped.set()
        await asyncio.gather(ticker, return_exceptions=True)


class _Ready:
    def __await__(self):
        return iter(())


async def _run_import(job: Job, message_id: int, data: dict) -> None:
    _ = job.translator
    services = job.services
    ticker = None
    try:
        prepared = await _download_and_prepare(job, data)
        async with services.database.sessionmaker() as session:
            actor = await members_repo.get_member(
                session, workspace_id=job.workspace_id, member_id=job.member_id
            )
        if actor is None:
            await job.finish()
            await job.edit(message_id, _("You are no longer a member of this team."))
            return
        progress = _Progress()
        ticker = asyncio.create_task(progress.show(job, message_id))
        result = await service.run_import(
            services.database,
            actor=actor,
            prepared=prepared,
            policy=DuplicatePolicy(data["policy"]),
            only_valid=bool(data.get("only_valid")),
            now=services.clock(),
            progress=progress,
        )
    except ImportFileError as error:
        await job.finish()
        await job.edit(message_id, problem_text(_, error.problem))
        return
    except TelegramError as error:
        log.warning("could not download an import file: %s", error)
        await job.finish()
        await job.edit(message_id, _download_failed_text(_, error, data["name"], job))
        return
    except ImportServiceError:  # all or nothing: the service rolled it back
        log.exception("import failed")
        await job.finish()
        await job.edit(
            message_id,
            _(
                "Sorry, the import failed on our side and nothing was written. Please try "
                "again in a minute."
            ),
        )
        return
    except Exception:
        log.exception("import failed")
        await job.finish()
        await job.edit(
            message_id,
            _(
                "Sorry, the import failed on our side. /imports shows whether anything was "
                "written; please try again in a minute."
            ),
        )
        return
    finally:
        if ticker is not None:
            await progress.stop(ticker)
    try:
        async with services.database.transaction() as session:
            await service.remember_mapping(
                session, workspace_id=job.workspace_id, match=prepared.match
            )
    except Exception:  # the import is written; a mapping not remembered is no reason to fail
        log.exception("could not remember the column mapping")
    await job.finish()
    await job.edit(message_id, result_text(_, data["name"], result))
    if result.rejected:
        workbook = await asyncio.to_thread(
            rejected_rows_file, result.rejected, list(prepared.match.headers), _
        )
        try:
            await job.application.bot.send_document(
                job.chat_id,
                document=workbook,
                filename=f"rejected-{PurePath(data['name']).stem[:80] or 'rows'}.xlsx",
                caption=_("Rows that were not imported; the last column says why."),
            )
        except TelegramError as error:
            log.warning("could not send the rejected rows: %s", error)


def rejected_rows_file(rejected: list, headers: list[str], _: Translator) -> bytes:
    """The service's rejected-rows workbook with its own labels (row, why) in the member's
    language; the reasons come from `issue_text`. (The service writes English labels; a
    `labels` argument there would save loading the workbook again here.)"""
    data = service.rejected_rows_workbook(rejected, headers, explainer(_))
    if len(rejected) > MAX_RELABELLED_ROWS:  # rewriting it would cost too much memory
        return data
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    sheet.title = _("Not imported")[:31]
    for column, english, label in ((1, "Row", _("Row")), (len(headers) + 2, "Why", _("Why"))):
        cell = sheet.cell(row=1, column=column)
        if cell.value == english:
            cell.value = label
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- /imports and undo ------------------------------------------------------------------------

STAT_LABELS = (
    ("created_organizations", N_("organizations created: {count}")),
    ("created_contacts", N_("contacts created: {count}")),
    ("updated", N_("updated: {count}")),
    ("skipped", N_("skipped: {count}")),
    ("rejected", N_("rows not imported: {count}")),
)


def _stats_text(_: Translator, stats: dict | None) -> str:
    found = []
    for key, label in STAT_LABELS:
        count = (stats or {}).get(key)
        if isinstance(count, int) and count:
            found.append(_(label).format(count=_.number(count)))
    return ", ".join(found)


async def imports_command(update: Update, ctx: CrmContext) -> None:
    text, markup = await _list_view(ctx)
    ctx.reply(text, reply_markup=markup)


async def _list_view(ctx: CrmContext) -> tuple[str, InlineKeyboardMarkup | None]:
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
                        _short(
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


async def _ask_undo(update: Update, ctx: CrmContext, batch_id: int) -> None:
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
                    InlineKeyboardButton(_("« Back"), callback_data=pack(PREFIX, "list")),
                ]
            ]
        ),
    )


BLOCKING_REASONS = {
    "changed": N_("changed after the import"),
    "activity": N_("has calls, meetings or notes"),
    "new_contact": N_("has contacts added after the import"),
}


def _details_text(_: Translator, details: Any) -> list[str]:
    lines = []
    for record in details or []:
        icon = "🏢" if getattr(record, "kind", "") == "organization" else "👤"
        reason = getattr(record, "reason", "")
        reason_text = _(BLOCKING_REASONS[reason]) if reason in BLOCKING_REASONS else reason
        name = html.escape(_short(getattr(record, "name", "") or str(record), 60))
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


async def _undo(update: Update, ctx: CrmContext, batch_id: int) -> None:
    _ = ctx.t
    try:
        done = await service.undo(ctx.session, actor=ctx.member, batch_id=batch_id, now=ctx.now())
    except ImportServiceError as error:
        problem = str(getattr(error.problem, "value", error.problem))
        text = _undo_problem_text(_, problem, getattr(error, "details", None))
        if problem == "blocked":
            ctx.edit(
                text,
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton(_("« Back"), callback_data=pack(PREFIX, "list"))]]
                ),
            )
        else:
            ctx.answer(text, alert=True)
        return
    text, markup = await _list_view(ctx)
    summary = _(
        "Import undone. Deleted organizations: {orgs}, contacts: {contacts}. Cards that "
        "got their old values back: {restored}."
    ).format(
        orgs=_.number(done.deleted_organizations),
        contacts=_.number(done.deleted_contacts),
        restored=_.number(done.restored),
    )
    ctx.edit(summary + "\n\n" + text, reply_markup=markup)


def handlers() -> list:
    spreadsheet = (
        filters.ChatType.PRIVATE
        & filters.UpdateType.MESSAGE
        & filters.Document.ALL
        & ~VCARD_FILES  # contact cards are handlers.contact_import's
    )
    return [
        CommandHandler("imports", imports_command),
        MessageHandler(spreadsheet, on_document),
        CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"),
    ]
