"""The emulator against the real python-telegram-bot ``Bot``: one test per API area."""

from __future__ import annotations

import re

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken

from emulator import BotApiEmulator, FakeUser, tiny_png

from .conftest import TOKEN

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Yes", callback_data="answer:yes"),
            InlineKeyboardButton("No", callback_data="answer:no"),
        ],
        [InlineKeyboardButton("Docs", url="https://example.com")],
    ]
)


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.username == "crm_test_bot"
    assert me.is_bot


async def test_bot_username_is_configurable() -> None:
    async with BotApiEmulator(bot_username="other_bot") as emu:
        async with Bot("42:x", base_url=emu.base_url) as bot:
            assert bot.username == "other_bot"
            assert bot.id == 42


async def test_malformed_token_is_unauthorized(emu: BotApiEmulator) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("not-a-token", base_url=emu.base_url):
            pass


async def test_send_message_with_inline_keyboard(bot: Bot, anna: FakeUser) -> None:
    sent = await bot.send_message(anna.user_id, "Choose:", reply_markup=KEYBOARD)
    assert sent.chat.id == anna.user_id
    assert sent.from_user.id == bot.id
    assert sent.reply_markup == KEYBOARD

    seen = await anna.next_message()
    assert seen.message_id == sent.message_id
    assert seen.text == "Choose:"
    assert seen.buttons == [["Yes", "No"], ["Docs"]]
    assert seen.callback_data == [["answer:yes", "answer:no"], [None]]


async def test_message_ids_increase_per_chat(emu: BotApiEmulator, bot: Bot) -> None:
    anna, ben = emu.user(1001, "Anna"), emu.user(1002, "Ben")
    first = await anna.send("/start")
    await ben.send("/start")
    reply = await bot.send_message(1001, "hi")
    assert first["message_id"] == 1
    assert reply.message_id == 2
    assert (await bot.send_message(1002, "hi")).message_id == 2


async def test_html_is_parsed_and_parse_mode_kept(bot: Bot, anna: FakeUser) -> None:
    sent = await bot.send_message(anna.user_id, "<b>Anna</b> &lt;VIP&gt;", parse_mode="HTML")
    assert sent.text == "Anna <VIP>"
    assert sent.text_html == "<b>Anna</b> &lt;VIP&gt;"
    seen = await anna.next_message()
    assert seen.text == "Anna <VIP>"
    assert seen.parse_mode == "HTML"
    assert seen.source_text == "<b>Anna</b> &lt;VIP&gt;"


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("1 < 2", "HTML", "can't parse entities: Unsupported start tag"),
        ("<b>bold", "HTML", 'Can\'t find end tag corresponding to start tag "b"'),
        ("Total: 5.00", "MarkdownV2", "Character '.' is reserved"),
        ("", None, "message text is empty"),
        ("x" * 4097, None, "message is too long"),
    ],
)
async def test_send_message_rejects_what_telegram_rejects(
    bot: Bot, anna: FakeUser, text: str, parse_mode: str | None, error: str
) -> None:
    with pytest.raises(BadRequest, match="(?i)" + re.escape(error)):
        await bot.send_message(anna.user_id, text, parse_mode=parse_mode)


async def test_callback_data_over_64_bytes_is_rejected(bot: Bot, anna: FakeUser) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(anna.user_id, "x", reply_markup=markup)


async def test_an_inline_keyboard_over_100_buttons_is_rejected(bot: Bot, anna: FakeUser) -> None:
    def keyboard(buttons: int) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(str(n), callback_data=str(n))] for n in range(buttons)]
        )

    sent = await bot.send_message(anna.user_id, "x", reply_markup=keyboard(100))
    with pytest.raises(BadRequest, match="(?i)reply markup is too long"):
        await bot.send_message(anna.user_id, "x", reply_markup=keyboard(101))
    with pytest.raises(BadRequest, match="(?i)reply markup is too long"):
        await bot.edit_message_text(
            "y", chat_id=anna.user_id, message_id=sent.message_id, reply_markup=keyboard(101)
        )


async def test_chat_rules(emu: BotApiEmulator, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(999, "hi")
    quiet = emu.user(1003, "Quiet")
    with pytest.raises(Forbidden, match="(?i)can't initiate conversation"):
        await bot.send_message(quiet.user_id, "hi")
    await quiet.send("hello")
    await bot.send_message(quiet.user_id, "hi")
    await quiet.block()
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.send_message(quiet.user_id, "hi")


async def test_edit_message_text_and_markup(bot: Bot, anna: FakeUser) -> None:
    sent = await bot.send_message(anna.user_id, "Choose:", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("Chosen: yes", anna.user_id, sent.message_id)
    assert edited.text == "Chosen: yes"
    assert edited.edit_date is not None

    after = await anna.next_edit()
    assert after.text == "Chosen: yes"
    assert after.buttons == []  # editMessageText without reply_markup drops the keyboard
    assert anna.current(sent.message_id).text == "Chosen: yes"

    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Undo", callback_data="undo")]])
    await bot.edit_message_reply_markup(anna.user_id, sent.message_id, reply_markup=markup)
    assert (await anna.next_edit()).buttons == [["Undo"]]

    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_reply_markup(anna.user_id, sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text(
            "Chosen: yes", anna.user_id, sent.message_id, reply_markup=markup
        )
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", anna.user_id, 999)
    with pytest.raises(BadRequest, match="(?i)message can't be edited"):
        await bot.edit_message_text("x", anna.user_id, 1)  # Anna's own /start


async def test_delete_message(bot: Bot, anna: FakeUser) -> None:
    sent = await bot.send_message(anna.user_id, "temporary")
    assert await bot.delete_message(anna.user_id, sent.message_id)
    assert await anna.next_deletion() == sent.message_id
    assert anna.current(sent.message_id).deleted
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(anna.user_id, sent.message_id)


async def test_reply_keyboard_is_tracked(bot: Bot, anna: FakeUser) -> None:
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("Share", request_contact=True)], ["Skip"]])
    sent = await bot.send_message(anna.user_id, "Your phone?", reply_markup=keyboard)
    assert sent.reply_markup is None  # the API only echoes inline keyboards
    assert (await anna.next_message()).buttons == [["Share"], ["Skip"]]
    assert anna.reply_keyboard == [["Share"], ["Skip"]]
    await bot.send_message(anna.user_id, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert anna.reply_keyboard is None


async def test_uploaded_document_can_be_downloaded(bot: Bot, anna: FakeUser) -> None:
    payload = bytes(range(256)) * 40
    await anna.upload(payload, filename="Отчёт.xlsx", caption="my leads")
    update = (await bot.get_updates())[-1]
    document = update.message.document
    assert document.file_name == "Отчёт.xlsx"
    assert document.file_size == len(payload)
    assert update.message.caption == "my leads"

    file = await bot.get_file(document.file_id)
    assert file.file_path.endswith(".xlsx")
    assert bytes(await file.download_as_bytearray()) == payload


async def test_get_file_refuses_files_over_the_download_limit(emu: BotApiEmulator) -> None:
    async with BotApiEmulator(token=TOKEN, max_download_size=1000) as small:
        async with Bot(TOKEN, base_url=small.base_url) as bot:
            user = small.user(1001, "Anna")
            message = await user.upload(b"x" * 1001, filename="big.bin")
            with pytest.raises(BadRequest, match="(?i)file is too big"):
                await bot.get_file(message["document"]["file_id"])


async def test_send_document_and_photo_multipart(bot: Bot, anna: FakeUser) -> None:
    payload = b"\x00\xffbinary\r\n--boundary-like--\r\n" * 1000
    sent = await bot.send_document(
        anna.user_id, payload, filename="leads.csv", caption="<i>Export</i>", parse_mode="HTML"
    )
    assert sent.document.file_name == "leads.csv"
    assert sent.caption == "Export"
    seen = await anna.next_message()
    assert seen.document is not None
    assert seen.document.data == payload
    assert seen.document.filename == "leads.csv"
    assert seen.document.mime_type == "text/csv"
    assert seen.text == "Export"

    png = tiny_png(3, 2)
    photo = await bot.send_photo(anna.user_id, png, caption="chart")
    assert (photo.photo[-1].width, photo.photo[-1].height) == (3, 2)
    assert (await anna.next_message()).photo == png

    resent = await bot.send_document(anna.user_id, sent.document.file_id)
    assert resent.document.file_id == sent.document.file_id
    file = await bot.get_file(resent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == payload

    with pytest.raises(BadRequest, match="(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(anna.user_id, b"not an image")


async def test_commands_are_stored_per_scope_and_language(bot: Bot) -> None:
    english = [BotCommand("start", "Start"), BotCommand("help", "Help")]
    german = [BotCommand("start", "Starten")]
    assert await bot.set_my_commands(english)
    assert await bot.set_my_commands(german, language_code="de")
    await bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(7))

    assert await bot.get_my_commands() == tuple(english)
    assert await bot.get_my_commands(language_code="de") == tuple(german)
    assert await bot.get_my_commands(language_code="fr") == ()
    assert await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats()) == ()
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(7))] == ["admin"]

    assert await bot.delete_my_commands(language_code="de")
    assert await bot.get_my_commands(language_code="de") == ()
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Command", "x")])


async def test_webhook_is_stored_and_blocks_get_updates(bot: Bot) -> None:
    assert await bot.set_webhook("https://example.com/hook", secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert info.url == "https://example.com/hook"
    with pytest.raises(Exception, match="(?i)webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates() == ()


async def test_unknown_method_is_not_found(emu: BotApiEmulator, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound, match="(?i)sendTelepathy"):
        await bot.do_api_request("send_telepathy", api_kwargs={"chat_id": 1})
    assert emu.calls[-1].method == "sendTelepathy"
    assert emu.calls[-1].status == 404


async def test_close_and_log_out(bot: Bot) -> None:
    assert await bot.close()
    assert await bot.log_out()


async def test_chat_action_and_answer_callback_query(bot: Bot, anna: FakeUser) -> None:
    assert await bot.send_chat_action(anna.user_id, "typing")
    assert await anna.next_action() == "typing"
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query("12345")


async def test_calls_are_recorded_with_decoded_params(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.user(1001, "Anna")
    await user.send("hi")
    await bot.send_message(1001, "Choose:", reply_markup=KEYBOARD, disable_notification=True)
    method, params, timestamp = emu.calls[-1]
    assert method == "sendMessage"
    assert params["chat_id"] == 1001
    assert params["disable_notification"] is True
    assert params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "answer:yes"
    assert timestamp > 0
    assert emu.calls_to("sendmessage") == [params]
