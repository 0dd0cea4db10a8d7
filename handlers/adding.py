"""The state machine behind every way of adding a card (/new, ➕ Contact, shared contacts).

The flow's data holds what is known; `proceed` asks the first question not answered yet and
creates the card once none is left; text steps and buttons (handlers.directory) only fill in
data and call `answer`. Questions and the "similar cards" screen are asked here.

Flow data: `n` the run's nonce (its buttons carry it), `done` the answered steps, `ok` similar
cards were seen and the user wants a new one anyway, then name, phones, emails, position, org
(organization id), org_name, org_hint (a vCard's ORG, to suggest organizations)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from crm import directory, search
from crm.directory import ContactInput, DirectoryError, Kind, OrganizationInput, kind_of
from crm.i18n import N_
from handlers import flows
from handlers.callbacks import pack
from handlers.cancel_hints import with_cancel_hint
from handlers.cards import show_card
from handlers.context import CrmContext
from handlers.records import code, explain, label, nonce, region

PREFIX = "new"
NEW_ORG = "dir.new_org"
NEW_PERSON = "dir.new_person"
ADD_CONTACT = "dir.add_contact"
IMPORT = "dir.import"
NOTHING = "dir.nothing"  # a search that found nothing: keeps the text for the create buttons

STEPS = {
    NEW_ORG: ("name", "dups", "create"),
    NEW_PERSON: ("name", "phone", "position", "dups", "create"),
    ADD_CONTACT: ("name", "position", "phone", "dups", "create"),
    IMPORT: ("name", "dups", "org", "create"),
}
POSITIONS = {
    "dir": N_("Director"),
    "acc": N_("Accountant"),
    "buy": N_("Buyer"),
    "wh": N_("Warehouse keeper"),
}
REASONS = {
    "tax_id": N_("same tax id"),
    "phone": N_("same phone"),
    "email": N_("same e-mail"),
    "name": N_("same name"),
}
MAX_ORG_CHOICES = 8


def button(text: str, *data: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(*data))


async def begin(update: Update, ctx: CrmContext, flow: str, **values) -> str | None:
    """Start a run of `flow` with what is already known (the questions it answers are skipped)."""
    data = {"n": nonce(), "done": [], "ok": False, "phones": [], "emails": [], **values}
    data["done"] = [step for step, key in (("name", "name"), ("phone", "phones")) if data.get(key)]
    return await proceed(update, ctx, flow, data)


# --- the state machine ----------------------------------------------------------------------


async def proceed(update: Update, ctx: CrmContext, flow: str, data: dict) -> str | None:
    """Ask the first open question (and return its step), or create the card (END)."""
    for step in STEPS[flow]:
        if step in data["done"]:
            continue
        if step == "dups":
            try:
                similar = not data["ok"] and await _show_duplicates(update, ctx, flow, data)
            except DirectoryError as error:
                return await _give_up(update, ctx, error)
            if similar:
                return await _save(update, ctx, flow, step, data)
            data = {**data, "done": [*data["done"], step]}
        elif step == "create":
            return await _create(update, ctx, flow, data)
        else:
            await ASK[step](ctx, flow, data)
            return await _save(update, ctx, flow, step, data)
    return flows.END  # pragma: no cover - every flow ends with "create"


async def _save(update: Update, ctx: CrmContext, flow: str, step: str, data: dict) -> str:
    await flows.begin(update, ctx, flow, step, data)
    return step


async def _give_up(update: Update, ctx: CrmContext, error: DirectoryError) -> None:
    explain(update, ctx, error)
    await flows.finish(update, ctx)
    return flows.END


async def answer(update: Update, ctx: CrmContext, step: str | None, **values) -> str | None:
    """Record an answer (to `step`, None for a corrected name) and go on."""
    state = ctx.unit.state
    data = {**state.data, **values}
    if step is not None:
        data["done"] = [*data["done"], step]
    if "name" in values:
        data["ok"] = False  # a new name needs a new look for similar cards
    return await proceed(update, ctx, state.flow, data)


def _contact_input(data: dict) -> ContactInput:
    return ContactInput(
        full_name=data["name"],
        organization_id=data.get("org"),
        position=data.get("position"),
        phones=data["phones"],
        emails=data["emails"],
    )


async def _create(update: Update, ctx: CrmContext, flow: str, data: dict) -> None:
    _ = ctx.t
    try:
        if flow == NEW_ORG:
            record = await directory.create_organization(
                ctx.session,
                actor=ctx.member,
                data=OrganizationInput(name=data["name"]),
                region=region(ctx),
                now=ctx.now(),
            )
        else:
            record = await directory.create_contact(
                ctx.session,
                actor=ctx.member,
                data=_contact_input(data),
                region=region(ctx),
                now=ctx.now(),
            )
    except DirectoryError as error:
        return await _give_up(update, ctx, error)
    await flows.finish(update, ctx)
    if update.callback_query:
        ctx.answer(_("Saved."))
    if flow == ADD_CONTACT:
        await show_card(ctx, Kind.organization, data["org"])
    else:
        await show_card(ctx, kind_of(record), record.id)
    return flows.END


async def _show_duplicates(update: Update, ctx: CrmContext, flow: str, data: dict) -> bool:
    _ = ctx.t
    workspace_id = ctx.member.workspace_id
    if flow == NEW_ORG:
        similar = await directory.organization_duplicates(
            ctx.session,
            workspace_id=workspace_id,
            data=OrganizationInput(name=data["name"]),
            region=region(ctx),
        )
    else:
        similar = await directory.contact_duplicates(
            ctx.session, workspace_id=workspace_id, data=_contact_input(data), region=region(ctx)
        )
    if not similar:
        return False
    if flow == IMPORT:  # the rep probably wants this very card: show it whole
        await show_card(ctx, similar[0].kind, similar[0].record.id)
    lines = [_("I already have similar cards:")]
    lines += [
        f"• {html.escape(label(d.record))} — {_(REASONS.get(d.reason, REASONS['name']))}"
        for d in similar
    ]
    lines += ["", _("Open one of them, tap “Create anyway”, or send a different name.")]
    n = data["n"]
    rows = [
        [button(label(d.record), PREFIX, "open", n, code(d.kind), d.record.id)]
        for d in similar[:MAX_ORG_CHOICES]
    ]
    rows.append([button(_("✅ Create anyway"), PREFIX, "go", n)])
    ctx.reply("\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))
    return True


# --- questions ------------------------------------------------------------------------------


async def _ask_name(ctx: CrmContext, flow: str, data: dict) -> None:
    _ = ctx.t
    if flow == NEW_ORG:
        text = _("Send the organization's name.")
    elif flow == ADD_CONTACT:
        text = _("Send the full name of the new contact at {organization}.")
        text = text.format(organization=f"<b>{html.escape(data['org_name'])}</b>")
    else:
        text = _("Send the person's full name.")
    ctx.reply(with_cancel_hint(_, text, " "))


def _who(data: dict) -> str:
    return f"<b>{html.escape(data['name'])}</b>"


async def _ask_phone(ctx: CrmContext, flow: str, data: dict) -> None:
    _ = ctx.t
    ctx.reply(
        _("Send the phone number of {name}, or tap Skip.").format(name=_who(data)),
        reply_markup=InlineKeyboardMarkup(
            [[button(_("Skip"), PREFIX, "skip", data["n"], "phone")]]
        ),
    )


async def _ask_position(ctx: CrmContext, flow: str, data: dict) -> None:
    _ = ctx.t
    n = data["n"]
    buttons = [button(_(text), PREFIX, "pos", n, key) for key, text in POSITIONS.items()]
    buttons += [
        button(_("Other…"), PREFIX, "pos", n, "oth"),
        button(_("Skip"), PREFIX, "skip", n, "position"),
    ]
    ctx.reply(
        _("What is the position of {name}? Tap one or type it.").format(name=_who(data)),
        reply_markup=InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)]),
    )


async def _ask_org(ctx: CrmContext, flow: str, data: dict) -> None:
    _ = ctx.t
    suggestions = []
    if data.get("org_hint"):
        found = await search.search(
            ctx.session,
            workspace_id=ctx.member.workspace_id,
            query=data["org_hint"],
            region=region(ctx),
            limit=3,
        )
        suggestions = found.organizations
    rows = [[button(label(org), PREFIX, "org", data["n"], org.id)] for org in suggestions]
    rows.append(
        [
            button(_("🔎 Find organization"), PREFIX, "find", data["n"]),
            button(_("👤 Private person"), PREFIX, "priv", data["n"]),
        ]
    )
    ctx.reply(
        _("Attach {name} to an organization? Tap it, or send part of its name.").format(
            name=_who(data)
        ),
        reply_markup=InlineKeyboardMarkup(rows),
    )


ASK = {"name": _ask_name, "phone": _ask_phone, "position": _ask_position, "org": _ask_org}
