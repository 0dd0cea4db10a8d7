"""A spreadsheet arrives: check its size, then in the background download it, prepare it
(nothing is written) and show the preview; a file that cannot be read gets a message that
says how to fix it."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.error import TelegramError

from crm.i18n import N_, Translator
from crm.importing import ImportFileError, ImportProblem, service
from crm.importing.service import DuplicatePolicy
from handlers import flows
from handlers.context import CrmContext
from handlers.imports.flow import IMPORT, PREVIEW, READING, Job
from handlers.imports.labels import short
from handlers.imports.preview import preview_body, preview_keyboard, preview_text
from handlers.records import nonce

log = logging.getLogger(__name__)

MAX_DOWNLOAD = 20 * 1024 * 1024  # the Bot API's getFile limit
CLI_HINT = "python -m bot import FILE --workspace {workspace}"  # the workspace id: unambiguous

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
    # only the command line names a sheet; kept so that every problem has its sentence
    ImportProblem.no_such_sheet: N_(
        "The file has no sheet of that name. Check the sheet's name, or move the contacts to "
        "the first sheet, and send the file again."
    ),
}


def problem_text(_: Translator, problem: ImportProblem | str) -> str:
    try:
        return _(PROBLEMS[ImportProblem(problem)])
    except (KeyError, ValueError):
        return _(PROBLEMS[ImportProblem.not_a_spreadsheet])


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


async def download_failed(job: Job, message_id: int, error: TelegramError, file_name: str) -> None:
    """Telegram did not give the file: end the flow and say so."""
    log.warning("could not download an import file: %s", error)
    await job.fail(message_id, _download_failed_text(job.translator, error, file_name, job))


def apology(_: Translator) -> str:
    return _("Sorry, something went wrong on our side. Please try again in a minute.")


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


async def _start_preview(job: Job, text: str, values: dict) -> None:
    message = await job.application.bot.send_message(job.chat_id, text)
    job.spawn(show_preview(job, message.message_id, values), "preview")


async def download_and_prepare(job: Job, values: dict) -> service.Prepared:
    bot = job.application.bot
    file = await bot.get_file(values["file_id"])
    data = bytes(await file.download_as_bytearray())  # outside any transaction
    overrides = {int(column): target for column, target in values["overrides"].items()}
    return await service.prepare(
        job.services.database,
        workspace_id=job.workspace_id,
        data=data,
        file_name=values["name"],
        region=job.region,
        mapping_overrides=overrides or None,
    )


async def show_preview(job: Job, message_id: int, values: dict) -> None:
    """Read the file (again, with the flow's column overrides) and show its preview in the
    status message; the flow moves to the preview step."""
    _ = job.translator
    try:
        prepared = await download_and_prepare(job, values)
    except ImportFileError as error:
        log.info("import file refused: %s", error)
        await job.fail(message_id, problem_text(_, error.problem))
        return
    except TelegramError as error:
        await download_failed(job, message_id, error, values["name"])
        return
    except Exception:
        log.exception("preparing an import failed")
        await job.fail(message_id, apology(_))
        return
    body = preview_body(_, prepared)
    match = prepared.match
    saved = await job.save(
        PREVIEW,
        preview=body,
        headers=[short(text, 60) for text in match.headers],
        mapping={str(column): str(target) for column, target in match.mapping.items()},
        warned=len(prepared.warning_rows),
    )
    if saved:  # else the member went on to something else meanwhile
        shown = {**values, "warned": len(prepared.warning_rows)}
        await job.edit(
            message_id, preview_text(_, body, values["policy"]), preview_keyboard(_, shown)
        )
