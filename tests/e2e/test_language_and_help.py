"""Languages: taken from Telegram at first, switched with /lang; menus per language."""

from __future__ import annotations

import json

import pytest

HELP_HEADER = {"en": "Commands:", "ru": "Команды:", "lt": "Komandos:"}


@pytest.mark.parametrize("language", ["en", "ru", "lt"])
async def test_help_speaks_the_users_telegram_language(bot, language):
    owner = bot.user(1, "Olga", language_code=language)
    await owner.send("/start")
    await owner.next_message()
    await owner.send("Acme")
    await owner.next_message()
    await owner.send("/help")
    help_text = (await owner.next_message()).text
    assert HELP_HEADER[language] in help_text
    assert "/team" in help_text and "/lang" in help_text and "/cancel" in help_text


async def test_a_colleague_gets_their_own_language_not_the_admins(bot):
    admin = await bot.onboard(bot.user(1, "Olga", language_code="en"))
    code = await bot.invite_code(admin)
    colleague = bot.user(2, "Ieva", language_code="lt")
    await colleague.send(f"/start {code}")
    welcome = await colleague.next_message()
    assert "Acme Trading" in welcome.text and "Welcome" not in welcome.text
    notice = await admin.next_message()
    assert notice.text == "Ieva joined the team as sales rep."


async def test_lang_switches_the_interface_and_the_menu(bot, emulator):
    owner = await bot.onboard(bot.user(1, "Olga", language_code="en"))
    await owner.send("/lang")
    menu = await owner.next_message()
    assert menu.buttons == [["English"], ["Русский"], ["Lietuvių"]]
    await owner.tap(menu, "Русский")
    confirmation = await owner.next_edit()
    assert confirmation.text == "Готово: теперь я говорю с вами по-русски."
    await owner.send("/help")
    assert HELP_HEADER["ru"] in (await owner.next_message()).text
    chat_menus = [
        call for call in emulator.calls_to("setMyCommands") if _scope(call).get("type") == "chat"
    ]
    assert chat_menus and _scope(chat_menus[-1])["chat_id"] == 1
    descriptions = [c["description"] for c in _commands(chat_menus[-1])]
    assert "Сменить язык" in descriptions


async def test_command_menus_are_published_per_language_at_start(bot, emulator):
    menus = {
        call.get("language_code"): _commands(call) for call in emulator.calls_to("setMyCommands")
    }
    assert set(menus) == {None, "en", "ru", "lt"}
    names = [c["command"] for c in menus["ru"]]
    expected = (
        "find call today me digest new meeting note imports export cost offers license trash help "
        "team lang settings cancel"
    )
    assert names == expected.split()
    assert menus["en"] == menus[None]
    assert menus["ru"] != menus["en"] and menus["lt"] != menus["en"]


async def test_forged_language_choice_is_refused(bot):
    owner = await bot.onboard(bot.user(1, "Olga"))
    await owner.send("/lang")
    menu = await owner.next_message()
    answer = await owner.callback_answer(await owner.tap_data(menu.message_id, "lang:de"))
    assert answer["show_alert"] and "no longer valid" in answer["text"]


def _commands(call: dict) -> list[dict]:
    commands = call["commands"]
    return json.loads(commands) if isinstance(commands, str) else commands


def _scope(call: dict) -> dict:
    scope = call.get("scope") or {}
    return json.loads(scope) if isinstance(scope, str) else scope
