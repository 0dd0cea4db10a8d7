"""The preview of a file before anything is written: what its columns are taken to be, what
it would create, examples, warnings, and its keyboard (Import, mapping, duplicate policy)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from crm.i18n import N_, Translator
from crm.importing import service
from crm.importing.service import DuplicatePolicy
from crm.phones import format_international
from handlers.callbacks import pack
from handlers.imports.flow import PREFIX
from handlers.imports.labels import column_letter, field_name, short, status_name
from storage.models import ImportBatch

MAX_PREVIEW_COLUMNS = 25
MAX_EXAMPLES = 3
LOW_CONFIDENCE = 0.5  # HeaderMatch.confidence below which the preview asks to check

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
    text = html.escape(short(" · ".join(dict.fromkeys(_example_parts(example))), 200))
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
            f"{mark}{column_letter(column)}. {html.escape(short(text))} → "
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
