"""/new and ➕ Contact: adding organizations and people in a few taps, asking about similar
cards before anything is written. Shared phone contacts and vCards end here too
(handlers.contact_import reads them and calls `start_import`). The questions and the
creating are handlers.adding's; this module reads the answers, typed or tapped.

Callback data, prefix `new` (<n> is the nonce of one run of a flow: buttons of an earlier run,
or of a finished one, are stale and get an alert):
  new:o, new:c                   start an organization / a person (the /new menu)
  new:o:<n>, new:c:<n>           the same with the text a search found nothing for
  new:add:<org id>               ➕ Contact on an organization's card
  new:skip:<n>:<step>            skip the phone or the position
  new:pos:<n>:<code>             a position button (dir, acc, buy, wh; oth asks to type it)
  new:go:<n>                     create anyway, despite similar cards
  new:open:<n>:<k>:<id>          open a similar card instead (and leave the flow)
  new:org:<n>:<id>, new:priv:<n>, new:find:<n>   where a shared contact works
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from crm import directory, phones, search
from crm.directory import DirectoryError, Kind
from handlers import flows
from handlers.adding import (
    ADD_CONTACT,
    IMPORT,
    MAX_ORG_CHOICES,
    NEW_ORG,
    NEW_PERSON,
    NOTHING,
    POSITIONS,
    PREFIX,
    STEPS,
    answer,
    begin,
    button,
)
from handlers.callbacks import int_part, invalid_button, parts
from handlers.cards import show_card
from handlers.context import CrmContext
from handlers.records import explain, label, name_of, record_ref, region


async def new_command(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    ctx.reply(
        _("What would you like to add?"),
        reply_markup=InlineKeyboardMarkup(
            [[button(_("🏢 Organization"), PREFIX, "o"), button(_("👤 Person"), PREFIX, "c")]]
        ),
    )


async def start_import(update: Update, ctx: CrmContext, **values) -> None:
    """A contact from the phone's address book: name, phones, e-mails, position, org_hint."""
    await begin(update, ctx, IMPORT, **values)


# --- text steps -----------------------------------------------------------------------------


async def name_step(update: Update, ctx: CrmContext) -> str | None:
    return await answer(update, ctx, "name", name=update.message.text)


async def corrected_name_step(update: Update, ctx: CrmContext) -> str | None:
    return await answer(update, ctx, None, name=update.message.text)


async def phone_step(update: Update, ctx: CrmContext) -> str | None:
    text = update.message.text
    found = phones.parse_phone_cell(text, region(ctx))
    if not found or not all(p.ok for p in found):
        _ = ctx.t
        ctx.reply(
            _(
                "I could not read that phone number. Please send it with the area code, "
                "e.g. +7 912 345-67-89."
            )
        )
        return "phone"
    return await answer(update, ctx, "phone", phones=[text])


async def position_step(update: Update, ctx: CrmContext) -> str | None:
    return await answer(update, ctx, "position", position=update.message.text[:200])


async def org_step(update: Update, ctx: CrmContext) -> str | None:
    _ = ctx.t
    query = update.message.text
    data = ctx.unit.state.data
    found = await search.search(
        ctx.session, workspace_id=ctx.member.workspace_id, query=query, region=region(ctx)
    )
    rows = [
        [button(label(org), PREFIX, "org", data["n"], org.id)]
        for org in found.organizations[:MAX_ORG_CHOICES]
    ]
    rows.append([button(_("👤 Private person"), PREFIX, "priv", data["n"])])
    if found.organizations:
        text = _("Which organization?")
    else:
        text = _(
            "No organization matches “{query}”. Send another part of its name, "
            "or tap Private person."
        ).format(query=html.escape(query))
    ctx.reply(text, reply_markup=InlineKeyboardMarkup(rows))
    return "org"


TEXT_STEPS = {
    "name": name_step,
    "dups": corrected_name_step,
    "phone": phone_step,
    "position": position_step,
    "org": org_step,
}
for _flow in STEPS:
    flows.flow(_flow, {step: TEXT_STEPS[step] for step in STEPS[_flow] if step in TEXT_STEPS})


# --- buttons --------------------------------------------------------------------------------


def _run(ctx: CrmContext, run: str, *steps: str) -> bool:
    """Whether the tapped button belongs to the flow run the user is in, at one of `steps`."""
    state = ctx.unit.state
    return (
        state is not None
        and state.flow in STEPS
        and state.data.get("n") == run
        and (not steps or state.step in steps)
    )


async def on_button(update: Update, ctx: CrmContext) -> None:
    values = parts(update)
    action = values[1] if len(values) > 1 else ""
    run = values[2] if len(values) > 2 else ""
    if action in ("o", "c") and len(values) == 2:
        await begin(update, ctx, NEW_ORG if action == "o" else NEW_PERSON)
    elif action in ("o", "c") and len(values) == 3:
        await _create_from_search(update, ctx, action, run)
    elif action == "add" and (org_id := int_part(values, 2)) is not None and len(values) == 3:
        await _add_contact(update, ctx, org_id)
    elif action == "open" and len(values) == 5 and (ref := record_ref(values, 3)):
        if _run(ctx, run):
            await flows.finish(update, ctx)
        await show_card(ctx, *ref)
    elif action == "skip" and values[3:] in (["phone"], ["position"]) and _run(ctx, run, values[3]):
        await answer(update, ctx, values[3])
    elif action == "pos" and len(values) == 4 and _run(ctx, run, "position"):
        await _position(update, ctx, values[3])
    elif action == "go" and len(values) == 3 and _run(ctx, run, "dups"):
        await answer(update, ctx, "dups", ok=True)
    elif action == "priv" and len(values) == 3 and _run(ctx, run, "org"):
        await answer(update, ctx, "org", org=None)
    elif action == "find" and len(values) == 3 and _run(ctx, run, "org"):
        _ = ctx.t
        ctx.reply(_("Send part of the organization's name."))
    elif (
        action == "org"
        and len(values) == 4
        and (org_id := int_part(values, 3)) is not None
        and _run(ctx, run, "org")
    ):
        await _attach(update, ctx, org_id)
    else:
        invalid_button(ctx)


async def _create_from_search(update: Update, ctx: CrmContext, action: str, run: str) -> None:
    state = ctx.unit.state
    if state is None or state.flow != NOTHING or state.data.get("n") != run:
        invalid_button(ctx)
        return
    query = state.data.get("q", "")
    if action == "o":
        await begin(update, ctx, NEW_ORG, name=query)
    elif phones.looks_like_phone(query):
        await begin(update, ctx, NEW_PERSON, phones=[query])
    else:
        await begin(update, ctx, NEW_PERSON, name=query)


async def _add_contact(update: Update, ctx: CrmContext, org_id: int) -> None:
    try:
        org = await directory.get_record(
            ctx.session, actor=ctx.member, kind=Kind.organization, record_id=org_id
        )
    except DirectoryError as error:
        explain(update, ctx, error)
        return
    await begin(update, ctx, ADD_CONTACT, org=org.id, org_name=name_of(org))


async def _position(update: Update, ctx: CrmContext, key: str) -> None:
    _ = ctx.t
    if key == "oth":
        ctx.reply(_("Type the position."))
    elif key in POSITIONS:
        await answer(update, ctx, "position", position=_(POSITIONS[key]))
    else:
        invalid_button(ctx)


async def _attach(update: Update, ctx: CrmContext, org_id: int) -> None:
    try:
        await directory.get_record(
            ctx.session, actor=ctx.member, kind=Kind.organization, record_id=org_id
        )
    except DirectoryError as error:
        explain(update, ctx, error)
        return
    await answer(update, ctx, "org", org=org_id)


def handlers() -> list:
    return [
        CommandHandler("new", new_command),
        CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"),
    ]
