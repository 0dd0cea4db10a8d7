"""Contacts shared from a phone's address book, as a Telegram contact or a .vcf file: the name,
phones, e-mails and position come filled in; handlers.directory asks the rest (similar cards,
which organization) and creates the card."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import MessageHandler, filters

from crm import names, phones, vcard
from handlers import directory
from handlers.context import CrmContext
from handlers.records import region

MAX_VCARD_BYTES = 256 * 1024  # a contact is a few hundred bytes; photos make it a few dozen KB
VCARD_FILES = (
    filters.Document.FileExtension("vcf")
    | filters.Document.MimeType("text/vcard")
    | filters.Document.MimeType("text/x-vcard")
)


async def on_contact(update: Update, ctx: CrmContext) -> None:
    contact = update.message.contact
    parsed = vcard.parse(contact.vcard) if contact.vcard else []
    card = parsed[0] if parsed else vcard.VCard()
    name = " ".join(filter(None, (contact.first_name, contact.last_name))) or card.name
    await _start(update, ctx, name, [contact.phone_number, *card.phones], card)


async def on_vcard_file(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    document = update.message.document
    if document.file_size and document.file_size > MAX_VCARD_BYTES:
        ctx.reply(_("This file is too big for a contact card."))
        return
    file = await document.get_file()  # reading the file cannot wait for the commit
    cards = vcard.parse(vcard.decode(bytes(await file.download_as_bytearray())))
    if not cards:
        ctx.reply(_("I found no contact in this file."))
        return
    if len(cards) > 1:
        ctx.reply(
            _("The file has {count} contacts; I will add the first one, {name}.").format(
                count=len(cards), name=html.escape(cards[0].name or cards[0].phones[0])
            )
        )
    await _start(update, ctx, cards[0].name, cards[0].phones, cards[0])


async def _start(
    update: Update, ctx: CrmContext, name: str, phone_texts: list[str], card: vcard.VCard
) -> None:
    """Keep what can be stored, tell what had to be left out, then start adding the contact."""
    _ = ctx.t
    kept_phones, left_out = [], []
    for text in dict.fromkeys(t.strip() for t in phone_texts if t and t.strip()):
        found = phones.parse_phone_cell(text, region(ctx))
        (kept_phones if found and all(p.ok for p in found) else left_out).append(text)
    emails = [e for e in card.emails if names.normalize_email(e)]
    left_out += [e for e in card.emails if not names.normalize_email(e)]
    if left_out:
        ctx.reply(
            _("I could not read these and left them out: {items}").format(
                items=html.escape(", ".join(left_out))
            )
        )
    await directory.start_import(
        update,
        ctx,
        name=" ".join(name.split())[:300],
        phones=kept_phones,
        emails=emails,
        position=(card.title or "")[:200] or None,
        org_hint=card.organization,
    )


def handlers() -> list:
    message = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        MessageHandler(message & filters.CONTACT, on_contact),
        MessageHandler(message & VCARD_FILES, on_vcard_file),
    ]
