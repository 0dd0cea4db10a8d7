"""/settings: the member's time zone; for admins also the company name, the workspace's time
zone, the region phone numbers are read in, and the currency."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from crm import settings as service
from crm.i18n import Translator
from crm.settings import SettingError, SettingProblem
from crm.team import TeamError, TeamProblem, can_manage_team
from handlers import flows
from handlers.callbacks import invalid_button, pack, parts
from handlers.cancel_hints import with_cancel_hint
from handlers.context import CrmContext
from handlers.refusals import audit_problem

PREFIX = "set"
FLOW = "settings"
MY_TIMEZONE = "my_timezone"
COMMON_TIMEZONES = (
    "Europe/Vilnius",
    "Europe/Riga",
    "Europe/Tallinn",
    "Europe/Minsk",
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Novosibirsk",
    "UTC",
)
COMMON = {
    MY_TIMEZONE: COMMON_TIMEZONES,
    "timezone": COMMON_TIMEZONES,
    "default_region": ("LT", "LV", "EE", "RU", "BY", "PL", "GB", "US"),
    "currency": ("EUR", "RUB", "USD", "BYN", "PLN", "GBP"),
}


def _labels(_: Translator) -> dict[str, str]:
    return {
        MY_TIMEZONE: _("My time zone"),
        "name": _("Company name"),
        "timezone": _("Company time zone"),
        "default_region": _("Phone region"),
        "currency": _("Currency"),
    }


def _prompts(_: Translator) -> dict[str, str]:
    return {
        MY_TIMEZONE: _("Send your time zone, e.g. Europe/Vilnius, or tap one:"),
        "name": _("Send the new company name:"),
        "timezone": _("Send the company's time zone, e.g. Europe/Vilnius, or tap one:"),
        "default_region": _(
            "Send the two-letter country code phone numbers are usually written for "
            "(without +country code), e.g. LT or RU:"
        ),
        "currency": _("Send the currency code, e.g. EUR, or tap one:"),
    }


def _view(ctx: CrmContext) -> tuple[str, InlineKeyboardMarkup]:
    _ = ctx.t
    member, workspace = ctx.member, ctx.unit.workspace
    labels = _labels(_)
    mine = member.timezone or _("{timezone} (the company's)").format(timezone=workspace.timezone)
    lines = [_("<b>Settings</b>"), "", f"{labels[MY_TIMEZONE]}: {html.escape(mine)}"]
    rows = [[InlineKeyboardButton(labels[MY_TIMEZONE], callback_data=pack(PREFIX, MY_TIMEZONE))]]
    if can_manage_team(member):
        lines += [
            f"{labels['name']}: {html.escape(workspace.name)}",
            f"{labels['timezone']}: {workspace.timezone}",
            f"{labels['default_region']}: {workspace.default_region}",
            f"{labels['currency']}: {workspace.currency}",
        ]
        rows += [
            [InlineKeyboardButton(labels[name], callback_data=pack(PREFIX, name))]
            for name in service.WORKSPACE_FIELDS
        ]
    lines += ["", _("Language: /lang")]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def show(update: Update, ctx: CrmContext) -> None:
    text, markup = _view(ctx)
    ctx.reply(text, reply_markup=markup)


async def on_button(update: Update, ctx: CrmContext) -> None:
    values = parts(update)
    field_name = values[1] if len(values) > 1 else ""
    if field_name not in _labels(ctx.t) or (
        field_name != MY_TIMEZONE and not can_manage_team(ctx.member)
    ):
        invalid_button(ctx)
        return
    if len(values) == 3:  # a quick choice
        if values[2] not in COMMON.get(field_name, ()):
            invalid_button(ctx)
            return
        await _apply(update, ctx, field_name, values[2])
        return
    await flows.begin(update, ctx, FLOW, field_name)
    quick = [
        InlineKeyboardButton(value, callback_data=pack(PREFIX, field_name, value))
        for value in COMMON.get(field_name, ())
    ]
    rows = [quick[i : i + 2] for i in range(0, len(quick), 2)]
    ctx.answer()
    ctx.reply(
        with_cancel_hint(ctx.t, _prompts(ctx.t)[field_name]),
        reply_markup=InlineKeyboardMarkup(rows) if rows else None,
    )


async def _apply(update: Update, ctx: CrmContext, field_name: str, value: str) -> bool:
    _ = ctx.t
    try:
        if field_name == MY_TIMEZONE:
            await service.set_member_timezone(ctx.session, member=ctx.member, value=value)
        else:
            ctx.unit.workspace = await service.update_workspace(
                ctx.session, actor=ctx.member, field_name=field_name, value=value
            )
    except SettingError as error:
        ctx.reply(
            {
                SettingProblem.unknown_timezone: _(
                    "I don't know this time zone. Use a name like Europe/Vilnius."
                ),
                SettingProblem.unknown_region: _(
                    "I don't know this country code. Use two letters like LT or RU."
                ),
                SettingProblem.unknown_currency: _(
                    "I don't know this currency. Use a code like EUR."
                ),
            }[error.problem]
        )
        return False
    except TeamError as error:
        if error.problem in (TeamProblem.name_empty, TeamProblem.name_too_long):
            ctx.reply(_("Please send a name of 1 to 200 characters."))
            return False
        audit_problem(ctx, "settings", error.problem)  # e.g. demoted while typing the value
        ctx.reply(_("Only an admin can change the company's settings."))
        return True
    await flows.finish(update, ctx)
    if update.callback_query:
        ctx.answer(_("Saved."))
    text, markup = _view(ctx)
    ctx.reply(_("Saved.") + "\n\n" + text, reply_markup=markup)
    return True


def _step(field_name: str):
    async def step(update: Update, ctx: CrmContext) -> str | None:
        saved = await _apply(update, ctx, field_name, update.message.text)
        return flows.END if saved else field_name

    return step


flows.flow(FLOW, {name: _step(name) for name in (MY_TIMEZONE, *service.WORKSPACE_FIELDS)})


def handlers() -> list:
    return [
        CommandHandler("settings", show),
        CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"),
    ]
