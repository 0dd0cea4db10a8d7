"""The end of an import: the results message, and a workbook of the rows that were not
imported, each with the reason in the member's language."""

from __future__ import annotations

import asyncio
import html
import io
import logging
from collections.abc import Callable
from pathlib import PurePath

import openpyxl
from telegram.error import TelegramError

from crm.i18n import N_, Translator
from crm.importing import IssueCode, RowIssue, service
from handlers.imports.flow import Job

log = logging.getLogger(__name__)

MAX_RELABELLED_ROWS = 20_000

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


async def send_rejected_rows(
    job: Job, file_name: str, rejected: list, prepared: service.Prepared
) -> None:
    _ = job.translator
    workbook = await asyncio.to_thread(
        rejected_rows_file, rejected, list(prepared.match.headers), _
    )
    try:
        await job.application.bot.send_document(
            job.chat_id,
            document=workbook,
            filename=f"rejected-{PurePath(file_name).stem[:80] or 'rows'}.xlsx",
            caption=_("Rows that were not imported; the last column says why."),
        )
    except TelegramError as error:
        log.warning("could not send the rejected rows: %s", error)
