"""A real ``telegram.ext.Application`` polling the emulator, driven by fake users."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from emulator import BotApiEmulator, FakeUser

from .conftest import TOKEN


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("👍 Like", callback_data="like"),
                InlineKeyboardButton("Skip", callback_data="skip"),
            ]
        ]
    )
    await update.effective_message.reply_text(
        f"Hello, <b>{update.effective_user.first_name}</b>! args={context.args}",
        parse_mode="HTML",
        reply_markup=keyboard,
        do_quote=True,
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"echo: {update.effective_message.text}")


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    file = await message.document.get_file()
    data = await file.download_as_bytearray()
    await message.reply_text(f"got {message.document.file_name}: {len(data)} bytes")


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    if query.data not in ("like", "skip"):
        await query.answer("Unknown button", show_alert=True)
        return
    await query.answer(f"You chose {query.data}")
    await query.edit_message_text(f"Chosen: {query.data}")


@pytest.fixture
async def app(emu: BotApiEmulator) -> AsyncIterator[Application]:
    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.Document.ALL, on_document))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


@pytest.mark.usefixtures("app")
async def test_start_reply_tap_and_edit(emu: BotApiEmulator) -> None:
    user: FakeUser = emu.user(1001, "Anna")
    await user.send("/start@crm_test_bot promo")

    reply = await user.next_message()
    assert reply.text == "Hello, Anna! args=['promo']"
    assert reply.buttons == [["👍 Like", "Skip"]]
    assert reply.raw["reply_to_message"]["text"] == "/start@crm_test_bot promo"

    query_id = await user.tap(reply, "Like")
    answer = await user.callback_answer(query_id)
    assert answer == {"text": "You chose like"}
    edited = await user.next_edit()
    assert edited.message_id == reply.message_id
    assert edited.text == "Chosen: like"
    assert edited.buttons == []
    await user.expect_no_message(within=0.2)


@pytest.mark.usefixtures("app")
async def test_forged_callback_data_and_echo(emu: BotApiEmulator) -> None:
    user = emu.user(1002, "Ben")
    await user.send("/start")
    reply = await user.next_message()

    query_id = await user.tap_data(reply.message_id, "admin:delete_all")
    assert await user.callback_answer(query_id) == {
        "text": "Unknown button",
        "show_alert": True,
    }
    await user.send("ping")
    assert (await user.next_message()).text == "echo: ping"


@pytest.mark.usefixtures("app")
async def test_bot_downloads_an_uploaded_document(emu: BotApiEmulator) -> None:
    user = emu.user(1003, "Carl")
    await user.upload(b"name,phone\nAnna,+49301234567\n", filename="contacts.csv")
    assert (await user.next_message()).text == "got contacts.csv: 29 bytes"
    assert [c.method for c in emu.calls if c.method in ("getFile", "downloadFile")] == [
        "getFile",
        "downloadFile",
    ]


@pytest.mark.usefixtures("app")
async def test_many_users_in_parallel(emu: BotApiEmulator) -> None:
    users = [emu.user(2000 + n, f"User{n}") for n in range(20)]
    for user in users:
        await user.send(f"hi from {user.user_id}")
    for user in users:
        assert (await user.next_message()).text == f"echo: hi from {user.user_id}"


@pytest.mark.usefixtures("app")
async def test_polling_survives_server_errors_and_flood_control(
    emu: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # see test_faults.timedelta_retry_after
    user = emu.user(1004, "Dora")
    emu.fail_next("getUpdates", status=502)
    emu.fail_next("getUpdates", status=429, retry_after=1)
    await user.send("still there?")
    assert (await user.next_message()).text == "echo: still there?"
    statuses = [c.status for c in emu.calls if c.method == "getUpdates"]
    assert 502 in statuses and 429 in statuses
