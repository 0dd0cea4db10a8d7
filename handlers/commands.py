"""The command list: /help text and the per-language command menus."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import BotCommand, BotCommandScopeChat
from telegram.ext import Application

from crm.i18n import N_, SUPPORTED_LOCALES, Catalogs, Translator
from storage.models import Role

EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Command:
    name: str
    description: str  # marked with N_, translated when shown
    roles: frozenset[Role] = EVERYONE


COMMANDS: list[Command] = [
    Command("find", N_("Find an organization or a person")),
    Command("call", N_("Log a call")),
    Command("today", N_("Today's and overdue follow-ups")),
    Command("me", N_("My summary of the day and the week")),
    Command(
        "digest",
        N_("The team's digest; /digest settings: when it comes"),
        frozenset({Role.admin, Role.manager}),
    ),
    Command("new", N_("Add an organization or a person")),
    Command("meeting", N_("Log a meeting")),
    Command("note", N_("Write a note")),
    Command("imports", N_("Past imports from spreadsheets, to undo one")),
    Command("export", N_("Everything as an Excel file")),
    Command("cost", N_("What a CRM will really cost: licenses and hidden costs")),
    Command("offers", N_("Price quotes you received, to compare with /cost")),
    Command("license", N_("Licenses and hidden costs, in plain words")),
    Command("trash", N_("Deleted cards, to restore them"), frozenset({Role.admin})),
    Command("help", N_("What I can do")),
    Command("team", N_("Invite colleagues, change roles"), frozenset({Role.admin})),
    Command("lang", N_("Change the language")),
    Command("settings", N_("Time zone and company settings")),
    Command("cancel", N_("Stop what you are doing")),
]


def commands_for(role: Role | None) -> list[Command]:
    return [command for command in COMMANDS if role is None or role in command.roles]


def bot_commands(_: Translator, role: Role | None = None) -> list[BotCommand]:
    return [BotCommand(c.name, _(c.description)) for c in commands_for(role)]


async def publish_menus(application: Application, catalogs: Catalogs) -> None:
    """One menu per interface language, plus the default for other Telegram languages."""
    bot = application.bot
    for locale in SUPPORTED_LOCALES:
        await bot.set_my_commands(bot_commands(catalogs.translator(locale)), language_code=locale)
    await bot.set_my_commands(bot_commands(catalogs.translator(catalogs.default_locale)))


async def publish_chat_menu(bot, chat_id: int, _: Translator, role: Role) -> None:
    """After /lang (or a role change), the menu follows the member's chosen language."""
    await bot.set_my_commands(bot_commands(_, role), scope=BotCommandScopeChat(chat_id))
