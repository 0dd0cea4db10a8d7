"""FakeUser: the updates it produces and how tests read what the bot did."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError

from emulator import BotApiEmulator, FakeUser, tiny_png
from emulator.driver import command_entities

MENU = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("New lead", callback_data="lead:new"),
            InlineKeyboardButton("Lead list", callback_data="lead:list"),
        ],
        [InlineKeyboardButton("Help", url="https://example.com/help")],
    ]
)


def test_command_entities_use_utf16_offsets() -> None:
    assert command_entities("/start") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert command_entities("/start@crm_test_bot ref_42") == [
        {"type": "bot_command", "offset": 0, "length": 19}
    ]
    assert command_entities("👋 /help me") == [{"type": "bot_command", "offset": 3, "length": 5}]
    assert command_entities("a/b and http://x/y") == []


async def test_updates_sent_by_a_user(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.user(1001, "Anna", "Schmidt", "anna_s", language_code="de")
    await user.send("/new_lead Müller")
    await user.send_contact("+49 30 1234567", "Max", "Mustermann", vcard="BEGIN:VCARD")
    await user.share_contact("+4915112345678")
    await user.send_location(52.52, 13.405)
    await user.send_photo(tiny_png(), caption="card")
    updates = await bot.get_updates()

    first = updates[0].message
    assert first.from_user.to_dict() == {
        "id": 1001,
        "is_bot": False,
        "first_name": "Anna",
        "last_name": "Schmidt",
        "username": "anna_s",
        "language_code": "de",
    }
    assert first.chat.type == "private" and first.chat.id == 1001
    assert first.parse_entities() == {first.entities[0]: "/new_lead"}
    assert updates[1].message.contact.phone_number == "+49 30 1234567"
    assert updates[1].message.contact.user_id is None
    assert updates[2].message.contact.user_id == 1001
    assert updates[3].message.location.latitude == pytest.approx(52.52)
    assert updates[4].message.caption == "card"
    assert updates[4].message.photo[-1].width == 1


async def test_user_edits_own_message(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.user(1001, "Anna")
    message = await user.send("Phone: +49 30 1")
    await user.edit(message, "Phone: +49 30 12345")
    updates = await bot.get_updates()
    assert updates[-1].edited_message.text == "Phone: +49 30 12345"
    assert updates[-1].edited_message.message_id == message["message_id"]


async def test_tap_by_text_substring_position_and_index(bot: Bot, anna: FakeUser) -> None:
    sent = await bot.send_message(anna.user_id, "Menu", reply_markup=MENU)
    menu = await anna.next_message()
    await anna.tap(menu, "New lead")
    await anna.tap(sent.message_id, "list")
    await anna.tap(menu.raw, (0, 1))
    await anna.tap(menu, 0)
    updates = await bot.get_updates()
    queries = [u.callback_query for u in updates if u.callback_query]
    assert [q.data for q in queries] == ["lead:new", "lead:list", "lead:list", "lead:new"]
    assert queries[0].message.message_id == sent.message_id
    assert queries[0].from_user.id == anna.user_id
    assert len({q.id for q in queries}) == 4


async def test_tap_failures_explain_themselves(bot: Bot, anna: FakeUser) -> None:
    await bot.send_message(anna.user_id, "Menu", reply_markup=MENU)
    menu = await anna.next_message()
    with pytest.raises(AssertionError, match=r"not found; available buttons:\n.*'New lead'"):
        await anna.tap(menu, "Delete")
    with pytest.raises(AssertionError, match="ambiguous"):
        await anna.tap(menu, "ead")
    with pytest.raises(AssertionError, match="has no callback_data"):
        await anna.tap(menu, "Help")
    with pytest.raises(AssertionError, match=r"\(2, 0\)"):
        await anna.tap(menu, (2, 0))
    plain = await bot.send_message(anna.user_id, "no keyboard")
    with pytest.raises(AssertionError, match="has no inline keyboard"):
        await anna.tap(plain.message_id, "x")


async def test_tap_uses_the_current_keyboard(bot: Bot, anna: FakeUser) -> None:
    await bot.send_message(anna.user_id, "Menu", reply_markup=MENU)
    menu = await anna.next_message()
    await bot.edit_message_reply_markup(anna.user_id, menu.message_id, reply_markup=None)
    with pytest.raises(AssertionError, match="has no inline keyboard"):
        await anna.tap(menu, "New lead")
    await bot.delete_message(anna.user_id, menu.message_id)
    with pytest.raises(AssertionError, match="was deleted"):
        await anna.tap(menu, "New lead")
    query_id = await anna.tap_data(menu.message_id, "lead:new")
    update = (await bot.get_updates())[-1]
    assert update.callback_query.id == query_id
    assert update.callback_query.message.date.timestamp() == 0  # InaccessibleMessage


async def test_messages_are_consumed_once_per_user(
    emu: BotApiEmulator, bot: Bot, anna: FakeUser
) -> None:
    for text in ("one", "two", "three"):
        await bot.send_message(anna.user_id, text)
    assert (await anna.next_message()).text == "one"
    third = await anna.wait_for(lambda m: m.text.startswith("th"))
    assert third.text == "three"
    await anna.expect_no_message(within=0)
    assert anna.last_message().text == "three"

    second_view = emu.user(1001, "Anna")
    assert [m.text for m in second_view.drain()] == ["one", "two", "three"]
    assert [m.text for m in anna.history()] == ["/start", "one", "two", "three"]


async def test_expect_no_message_fails_on_pending_message(bot: Bot, anna: FakeUser) -> None:
    await bot.send_message(anna.user_id, "surprise")
    with pytest.raises(AssertionError, match="surprise"):
        await anna.expect_no_message(within=0)


async def test_timeout_lists_recent_calls(bot: Bot, anna: FakeUser) -> None:
    await bot.send_chat_action(anna.user_id, "typing")
    with pytest.raises(AssertionError) as caught:
        await anna.next_message(timeout=0.1)
    report = str(caught.value)
    assert "Timed out after 0.1s waiting for a bot message in chat 1001" in report
    assert "sendChatAction -> 200" in report


async def test_callback_answer_timeout(bot: Bot, anna: FakeUser) -> None:
    await bot.send_message(anna.user_id, "Menu", reply_markup=MENU)
    query_id = await anna.tap(await anna.next_message(), "New lead")
    with pytest.raises(AssertionError, match="answer to callback query"):
        await anna.callback_answer(query_id, timeout=0.1)
    assert await bot.answer_callback_query(query_id, "ok")
    assert await anna.callback_answer(query_id) == {"text": "ok"}


async def test_wait_for_calls_sees_a_call_in_progress_then_answered(
    emu: BotApiEmulator, bot: Bot, anna: FakeUser
) -> None:
    since = len(emu.calls)
    emu.fail_next("sendMessage", status=502)
    with pytest.raises(NetworkError):
        await bot.send_message(anna.user_id, "lost")
    emu.delay_next("sendMessage", 3600)  # held until the test lets it go
    held = asyncio.create_task(bot.send_message(anna.user_id, "held"))
    [in_progress] = await emu.wait_for_calls("sendmessage", since=since, answered=False)
    assert in_progress.status is None and not held.done()
    [failed] = await emu.wait_for_calls("sendMessage", since=since)
    assert failed.status == 502
    with pytest.raises(AssertionError, match="2 sendMessage call"):
        await emu.wait_for_calls("sendMessage", 2, since=since, timeout=0.1)
    held.cancel()
    with pytest.raises(asyncio.CancelledError):
        await held


async def test_wait_until_rechecks_on_every_change(
    emu: BotApiEmulator, bot: Bot, anna: FakeUser
) -> None:
    sent = asyncio.create_task(bot.send_message(anna.user_id, "hi"))
    chat = await emu.wait_until(lambda: emu.bot().chats.get(anna.user_id))
    assert await emu.wait_until(lambda: len(chat.messages) > 1, what="the bot's message")
    await sent
    with pytest.raises(AssertionError, match="Timed out after 0.1s waiting for nothing"):
        await emu.wait_until(lambda: False, timeout=0.1, what="nothing")


async def test_group_chat_users_share_the_chat(emu: BotApiEmulator, bot: Bot) -> None:
    anna = emu.user(1001, "Anna", chat_id=-100500, chat_title="Sales team")
    ben = emu.user(1002, "Ben", chat_id=-100500)
    await anna.send("/report")
    update = (await bot.get_updates())[0]
    assert update.message.chat.type == "group"
    assert update.message.chat.title == "Sales team"
    await bot.send_message(-100500, "Report for everyone")
    assert (await anna.next_message()).text == "Report for everyone"
    assert (await ben.next_message()).text == "Report for everyone"


async def test_user_needs_a_bot() -> None:
    async with BotApiEmulator() as emu:
        user = emu.user(1001, "Anna")
        with pytest.raises(AssertionError, match="start the bot first"):
            await user.send("/start")
        async with Bot("77:late", base_url=emu.base_url):
            await user.send("/start")  # bound lazily to the first bot that showed up
        assert user.token == "77:late"


async def test_block_sends_my_chat_member(bot: Bot, anna: FakeUser) -> None:
    await anna.block()
    update = (await bot.get_updates())[-1]
    assert update.my_chat_member.new_chat_member.status == "kicked"
    await anna.send("/start")  # writing again unblocks
    await bot.send_message(anna.user_id, "welcome back")


async def test_listeners_see_each_bot_event_as_it_is_recorded(
    emu: BotApiEmulator, bot: Bot, anna: FakeUser
) -> None:
    seen = []
    emu.bot().listeners.append(lambda chat, event: seen.append((chat.id, event.kind, event)))
    sent = await bot.send_message(anna.chat_id, "hello", reply_markup=MENU)
    await bot.edit_message_text("hello again", chat_id=anna.chat_id, message_id=sent.message_id)
    await bot.send_chat_action(anna.chat_id, "typing")
    assert [(chat_id, kind) for chat_id, kind, _ in seen] == [
        (1001, "message"),
        (1001, "edit"),
        (1001, "action"),
    ]
    assert seen[0][2].message.data["text"] == "hello"  # a snapshot: the later edit is not in it
    assert seen[1][2].message.data["text"] == "hello again"
    # the driver's own cursors are unaffected
    assert (await anna.next_message()).text == "hello"
    assert (await anna.next_edit()).text == "hello again"
