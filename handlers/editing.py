"""✏️ Edit on a card: one field at a time, and removing a phone or an e-mail.

Who may edit is checked at every tap (the first one included, so nobody types a value only to
be refused) and again by the service when it writes.

Callback data, prefix `edit`:
  edit:<k>:<id>                    the fields (in place of the card)
  edit:<k>:<id>:f:<field>          ask for a field's value; the next text message is the value
  edit:<k>:<id>:clr:<field>        clear an optional field
  edit:<k>:<id>:org:<org id>       put a contact into an organization
  edit:<k>:<id>:ph, edit:<k>:<id>:em                   the phones / e-mails, to remove one
  edit:<k>:<id>:rp:<phone id>, edit:<k>:<id>:re:<email id>   remove it
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from crm import cards, directory, search
from crm.directory import DirectoryError, DirectoryProblem, Kind
from crm.i18n import N_
from handlers import flows
from handlers.callbacks import int_part, invalid_button, pack, parts
from handlers.cancel_hints import cancel_hint
from handlers.cards import phone_text, show_card
from handlers.context import CrmContext
from handlers.records import bold_name, code, explain, label, record_ref, region, to_kind
from handlers.refusals import audit_problem

PREFIX = "edit"
EDIT = "dir.edit"

FIELDS = {
    Kind.organization: {
        "name": N_("Name"),
        "tax_id": N_("Tax id"),
        "address": N_("Address"),
        "website": N_("Website"),
        "phone": N_("➕ Phone"),
        "email": N_("➕ E-mail"),
        "note": N_("Note"),
    },
    Kind.contact: {
        "full_name": N_("Name"),
        "position": N_("Position"),
        "phone": N_("➕ Phone"),
        "email": N_("➕ E-mail"),
        "note": N_("Note"),
        "organization_id": N_("Organization"),
    },
}
CLEARABLE = frozenset({"tax_id", "address", "website", "note", "position", "organization_id"})
PROMPTS = {
    "name": N_("Send the new name of {name}."),
    "full_name": N_("Send the new name of {name}."),
    "tax_id": N_("Send the tax id of {name} (INN, company code or VAT number)."),
    "address": N_("Send the address of {name}."),
    "website": N_("Send the website of {name}."),
    "phone": N_("Send a phone number to add to {name}. Separate several numbers with commas."),
    "email": N_("Send an e-mail address to add to {name}."),
    "note": N_("Send the note for {name}."),
    "position": N_("Send the position of {name}."),
    "organization_id": N_("Send part of the name of the organization {name} works at."),
}
TRY_AGAIN = frozenset(
    {DirectoryProblem.name_empty, DirectoryProblem.invalid_email, DirectoryProblem.invalid_phone}
)


def _button(text: str, *data: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(*data))


async def on_button(update: Update, ctx: CrmContext) -> None:
    values = parts(update)
    ref = record_ref(values, 1)
    action, arg = (values[3:] + ["", ""])[:2] if len(values) <= 5 else ("?", "")
    if ref is None:
        invalid_button(ctx)
        return
    kind, record_id = ref
    try:
        if not action:
            await _menu(ctx, kind, record_id)
        elif action == "f" and arg in FIELDS[kind]:
            await _ask(update, ctx, kind, record_id, arg)
        elif action == "clr" and arg in CLEARABLE and arg in FIELDS[kind]:
            await _set(update, ctx, kind, record_id, arg, None)
        elif action == "org" and kind == Kind.contact and (org_id := int_part(values, 4)):
            await _set(update, ctx, kind, record_id, "organization_id", org_id)
        elif action in ("ph", "em") and not arg:
            await _removal_menu(ctx, kind, record_id, action)
        elif action in ("rp", "re") and (item_id := int_part(values, 4)) is not None:
            await _remove(ctx, kind, record_id, action, item_id)
        else:
            invalid_button(ctx)
    except DirectoryError as error:
        explain(update, ctx, error)


async def _menu(ctx: CrmContext, kind: Kind, record_id: int) -> None:
    _ = ctx.t
    record = await directory.editable_record(
        ctx.session, actor=ctx.member, kind=kind, record_id=record_id
    )
    card = await cards.load(ctx.session, actor=ctx.member, kind=kind, record_id=record_id)
    k = code(kind)
    buttons = [_button(_(text), PREFIX, k, record_id, "f", f) for f, text in FIELDS[kind].items()]
    if card.phones:
        buttons.append(_button(_("➖ Phone"), PREFIX, k, record_id, "ph"))
    if card.emails:
        buttons.append(_button(_("➖ E-mail"), PREFIX, k, record_id, "em"))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_button(_("« Back"), "card", k, record_id, "e")])
    ctx.edit(
        _("✏️ What should I change in {name}?").format(name=bold_name(record)),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def _ask(update: Update, ctx: CrmContext, kind: Kind, record_id: int, field: str) -> None:
    _ = ctx.t
    record = await directory.editable_record(
        ctx.session, actor=ctx.member, kind=kind, record_id=record_id
    )
    await flows.begin(update, ctx, EDIT, "value", {"k": code(kind), "id": record_id, "f": field})
    lines = [_(PROMPTS[field]).format(name=bold_name(record))]
    current = getattr(record, field, None) if field not in ("phone", "email") else None
    if current and field != "organization_id":
        lines.append(_("Now: {value}").format(value=html.escape(str(current))))
    lines.append(cancel_hint(_))
    rows = []
    if field in CLEARABLE and current:
        text = _("👤 Private person") if field == "organization_id" else _("Clear")
        rows.append([_button(text, PREFIX, code(kind), record_id, "clr", field)])
    ctx.edit("\n".join(lines), reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def value_step(update: Update, ctx: CrmContext) -> str | None:
    data = flows.data(ctx)
    kind, record_id, field = to_kind(data["k"]), data["id"], data["f"]
    text = update.message.text
    if field == "organization_id":
        return await _offer_organizations(ctx, record_id, text)
    try:
        await directory.update_field(
            ctx.session,
            actor=ctx.member,
            kind=kind,
            record_id=record_id,
            field_name=field,
            value=text,
            region=region(ctx),
            now=ctx.now(),
        )
    except DirectoryError as error:
        explain(update, ctx, error)
        return "value" if error.problem in TRY_AGAIN else flows.END
    await show_card(ctx, kind, record_id)
    return flows.END


async def _offer_organizations(ctx: CrmContext, record_id: int, query: str) -> str:
    _ = ctx.t
    found = await search.search(
        ctx.session, workspace_id=ctx.member.workspace_id, query=query, region=region(ctx)
    )
    rows = [
        [_button(label(org), PREFIX, "c", record_id, "org", org.id)]
        for org in found.organizations[:8]
    ]
    if rows:
        ctx.reply(_("Which organization?"), reply_markup=InlineKeyboardMarkup(rows))
    else:
        ctx.reply(
            _("No organization matches “{query}”. Send another part of its name.").format(
                query=html.escape(query)
            )
        )
    return "value"


async def _set(
    update: Update, ctx: CrmContext, kind: Kind, record_id: int, field: str, value
) -> None:
    _ = ctx.t
    await directory.update_field(
        ctx.session,
        actor=ctx.member,
        kind=kind,
        record_id=record_id,
        field_name=field,
        value=value,
        region=region(ctx),
        now=ctx.now(),
    )
    state = flows.current(ctx)
    if state and state[0] == EDIT and flows.data(ctx).get("id") == record_id:
        await flows.finish(update, ctx)
    ctx.answer(_("Saved."))
    await show_card(ctx, kind, record_id, edit=True)


async def _removal_menu(ctx: CrmContext, kind: Kind, record_id: int, action: str) -> None:
    _ = ctx.t
    await directory.editable_record(ctx.session, actor=ctx.member, kind=kind, record_id=record_id)
    card = await cards.load(ctx.session, actor=ctx.member, kind=kind, record_id=record_id)
    k = code(kind)
    if action == "ph":
        text = _("Which phone should I remove from {name}?")
        items = [(phone_text(p, _), "rp", p.id) for p in card.phones]
    else:
        text = _("Which e-mail should I remove from {name}?")
        items = [(html.escape(e.address), "re", e.id) for e in card.emails]
    rows = [
        [_button("➖ " + html.unescape(shown), PREFIX, k, record_id, remove, item_id)]
        for shown, remove, item_id in items
    ]
    rows.append([_button(_("« Back"), PREFIX, k, record_id)])
    ctx.edit(text.format(name=bold_name(card.record)), reply_markup=InlineKeyboardMarkup(rows))


async def _remove(ctx: CrmContext, kind: Kind, record_id: int, action: str, item_id: int) -> None:
    _ = ctx.t
    remove = directory.remove_phone if action == "rp" else directory.remove_email
    key = "phone_id" if action == "rp" else "email_id"
    try:
        await remove(
            ctx.session,
            actor=ctx.member,
            kind=kind,
            record_id=record_id,
            now=ctx.now(),
            **{key: item_id},
        )
    except DirectoryError as error:
        if error.problem != DirectoryProblem.not_found:
            raise
        audit_problem(ctx, "directory", error.problem)  # audited when the id was made up
        ctx.answer(_("This phone or e-mail is no longer on the card."), alert=True)
        return
    ctx.answer(_("Removed."))
    await show_card(ctx, kind, record_id, edit=True)


flows.flow(EDIT, {"value": value_step})


def handlers() -> list:
    return [CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:")]
