"""Names and short texts that several import screens share: the fields a column can be, the
statuses of an import, button-sized text, column letters."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from crm.i18n import N_, Translator
from crm.importing import Field
from handlers import records
from handlers.callbacks import pack
from handlers.imports.flow import PREFIX
from storage.models import ImportBatch, ImportStatus

BUTTON_TEXT = 40

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
    Field.contact_note: N_("Contact note"),
    Field.owner: N_("Responsible"),
}
STATUSES = {
    ImportStatus.pending: N_("waiting"),
    ImportStatus.running: N_("running"),
    ImportStatus.done: N_("done"),
    ImportStatus.failed: N_("failed"),
    ImportStatus.undone: N_("undone"),
}


def field_name(_: Translator, value: Field | str | None) -> str:
    if not value:
        return _("not imported")
    try:
        return _(FIELD_NAMES[Field(value)])
    except (KeyError, ValueError):
        return str(value)


def status_name(_: Translator, batch: ImportBatch) -> str:
    try:
        return _(STATUSES[ImportStatus(batch.status)])
    except (KeyError, ValueError):
        return str(batch.status)


def short(text: str, limit: int = BUTTON_TEXT) -> str:
    return records.short(str(text), limit)


def column_letter(column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def back_button(_: Translator, *to: object) -> InlineKeyboardButton:
    """« Back, to the screen that the callback data `imp:<to...>` shows."""
    return InlineKeyboardButton(_("« Back"), callback_data=pack(PREFIX, *to))
