"""/license and questions in plain words, in English, Russian and Lithuanian."""

from __future__ import annotations

import pytest

from tests.e2e.directory_helpers import alert, edit_field, new_organization

TOPIC_COUNT = 10
INTRO = {
    "en": "Buying a CRM: licenses and costs in plain words.",
    "ru": "Покупка CRM: лицензии и расходы простыми словами.",
    "lt": "CRM pirkimas: licencijos ir išlaidos paprastais žodžiais.",
}
BACK = {"en": "◀ Topics", "ru": "◀ Темы", "lt": "◀ Temos"}
SAAS = {"en": "SaaS vs boxed product", "ru": "SaaS или коробочная версия", "lt": "SaaS ar dėžutės"}
SAAS_ANSWER = {"en": "SaaS (cloud) — ", "ru": "SaaS (облако) — ", "lt": "SaaS (debesija) — "}
NOT_SURE = {
    "en": "I'm not sure what you mean.",
    "ru": "Не совсем понял вопрос.",
    "lt": "Nesu tikras, ką turite omenyje.",
}
# the three examples of the issue, each asked by a member who speaks that language
QUESTIONS = {
    "en": ("is SaaS cheaper?", "Is SaaS cheaper? At the start, almost always"),
    "ru": ("сколько стоит перенос данных?", "Сколько стоит перенос данных? Это зависит"),
    "lt": ("kas yra amžina licencija?", "Amžinoji licencija — sumokate vieną kartą"),
}
NEAR_MISSES = {"en": "is Ivanov coming?", "ru": "где склад?", "lt": "kur sandėlis?"}


async def _member(bot, language: str):
    return await bot.onboard(bot.user(1, "Olga", language_code=language))


def _assert_menu(message, language: str) -> None:
    assert len(message.buttons) == TOPIC_COUNT
    assert all(len(row) == 1 for row in message.buttons)
    assert any(row[0].startswith(SAAS[language]) for row in message.buttons), message.buttons
    assert [row[0] for row in message.callback_data][:2] == ["lic:perpetual", "lic:subscription"]


@pytest.mark.parametrize("language", ["en", "ru", "lt"])
async def test_license_shows_the_topics_a_topic_and_back(bot, language):
    user = await _member(bot, language)
    await user.send("/license")
    menu = await user.next_message()
    assert menu.text.startswith(INTRO[language])
    assert "<b>" in menu.source_text
    _assert_menu(menu, language)

    await user.tap(menu, SAAS[language])
    answer = await user.next_edit()
    assert answer.message_id == menu.message_id
    assert answer.text.startswith(SAAS_ANSWER[language])
    assert answer.buttons == [[BACK[language]]]

    await user.tap(answer, BACK[language])
    again = await user.next_edit()
    assert again.text.startswith(INTRO[language])
    _assert_menu(again, language)


@pytest.mark.parametrize("language", ["en", "ru", "lt"])
async def test_a_question_in_plain_words_gets_its_answer(bot, language):
    user = await _member(bot, language)
    question, answer_text = QUESTIONS[language]
    await user.send(question)
    answer = await user.next_message()
    assert answer_text in answer.text
    assert answer.buttons == [[BACK[language]]]
    await user.tap(answer, BACK[language])
    _assert_menu(await user.next_edit(), language)


@pytest.mark.parametrize("language", ["en", "ru", "lt"])
async def test_a_question_it_cannot_match_gets_the_topics(bot, language):
    user = await _member(bot, language)
    await user.send(NEAR_MISSES[language])
    menu = await user.next_message()
    assert menu.text.startswith(NOT_SURE[language])
    assert "/find" in menu.text and "/help" in menu.text
    _assert_menu(menu, language)
    await user.tap(menu, SAAS[language])
    assert (await user.next_edit()).text.startswith(SAAS_ANSWER[language])


COST_QUESTIONS = {
    "en": "what are the hidden costs of a roll-out?",
    "ru": "почему тариф от 10 пользователей минимум?",
    "lt": "kiek kainuoja duomenų perkėlimas?",
}


@pytest.mark.parametrize("language", ["en", "ru", "lt"])
async def test_cost_answers_point_to_the_calculator(bot, language):
    user = await _member(bot, language)
    await user.send(COST_QUESTIONS[language])
    assert "/cost 12 users 3 years" in (await user.next_message()).text


async def test_the_answer_speaks_the_members_language_whatever_the_question(bot):
    user = await _member(bot, "en")
    await user.send("сколько стоит перенос данных?")
    answer = await user.next_message()
    assert answer.text.startswith("How much does moving the data cost?")


async def test_names_phones_and_names_with_a_question_mark_still_search(bot):
    user = await _member(bot, "en")
    card = await new_organization(user, "Lily Flowers LLC")
    card = await edit_field(user, card, "➕ Phone", "8 (495) 123-45-67")
    await edit_field(user, card, "➕ E-mail", "info@lily.lt")
    for text in ("lily", "Lily?", "Lily Flowers?", "+7 495 123-45-67?", "info@lily.lt ?"):
        await user.send(text)
        assert (await user.next_message()).text.startswith("🏢 Lily Flowers LLC"), text
    await user.send("Vasilek")
    nothing = await user.next_message()
    assert nothing.text == "Nothing found for “Vasilek”."
    assert len(nothing.buttons) == 2  # create an organization or a person with it
    # a question that neither matches a topic nor finds a card: the topics, not "create"
    await user.send("who is Vasilek?")
    menu = await user.next_message()
    assert menu.text.startswith(NOT_SURE["en"])
    # ... and the earlier search's create buttons are spent
    assert "no longer valid" in await alert(user, await user.tap(nothing, "New organization"))
    await user.send("?")
    assert (await user.next_message()).text.startswith(NOT_SURE["en"])


async def test_a_question_answered_during_find_is_a_search(bot):
    """/find asks what to find: the reply is the search, even with a question mark."""
    user = await _member(bot, "en")
    await user.send("/find")
    await user.next_message()
    await user.send("is SaaS cheaper?")
    assert (await user.next_message()).text.startswith("Nothing found for")


async def test_stale_and_forged_buttons_get_an_alert(bot):
    user = await _member(bot, "en")
    await user.send("/license")
    menu = await user.next_message()
    for data in ("lic:gone", "lic:saas:extra", "lic:"):
        assert "no longer valid" in await alert(user, await user.tap_data(menu.message_id, data))
    assert user.current(menu.message_id).text.startswith(INTRO["en"])


async def test_strangers_may_read_license_but_not_ask(bot):
    await bot.onboard(bot.user(1, "Olga"))
    stranger = bot.user(66, "Stranger", language_code="ru")
    await stranger.send("/license")
    menu = await stranger.next_message()
    assert menu.text.startswith(INTRO["ru"])
    await stranger.tap(menu, SAAS["ru"])
    assert (await stranger.next_edit()).text.startswith(SAAS_ANSWER["ru"])
    await stranger.send("сколько стоит перенос данных?")
    assert (await stranger.next_message()).text.startswith("Это закрытый бот.")


async def test_commands_addressed_to_the_bot_by_name_pass_the_access_gate(bot):
    # "/start@<bot>" and "/license@<bot>" are what the command menu sends in some clients: the
    # gate reads the command through its addressee, so a stranger is not refused for it
    name = bot.emulator.bot_username
    owner = bot.user(1, "Olga")
    await owner.send(f"/start@{name}")
    assert "company's name" in (await owner.next_message()).text
    await owner.send("Acme Trading")
    assert "Acme Trading" in (await owner.next_message()).text
    stranger = bot.user(67, "Stranger", language_code="en")
    await stranger.send(f"/license@{name}")
    assert (await stranger.next_message()).text.startswith(INTRO["en"])


async def test_commands_typed_with_capitals_pass_the_access_gate(bot):
    # python-telegram-bot's CommandHandler reads "/Start" as /start (a phone's keyboard may
    # capitalize it): the gate must not refuse a stranger what the handler would answer
    owner = bot.user(1, "Olga")
    await owner.send("/Start")
    assert "company's name" in (await owner.next_message()).text
    await owner.send("Acme Trading")
    assert "Acme Trading" in (await owner.next_message()).text
    stranger = bot.user(67, "Stranger", language_code="en")
    await stranger.send("/License")
    assert (await stranger.next_message()).text.startswith(INTRO["en"])


async def test_help_lists_license(bot):
    user = await _member(bot, "ru")
    await user.send("/help")
    assert (
        "/license — Лицензии и скрытые расходы простыми словами" in (await user.next_message()).text
    )
