"""The HTTP surface without PTB: every parameter encoding, paths, error bodies."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from emulator import BotApiEmulator, FakeUser

from .conftest import TOKEN

KEYBOARD = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}


async def call(
    emu: BotApiEmulator, method: str, token: str = TOKEN, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{emu.url}/bot{token}/{method}", **kwargs) as response:
            return response.status, await response.json()


@pytest.mark.parametrize(
    "encoding",
    [
        {"json": {"chat_id": 1001, "text": "[1]", "reply_markup": KEYBOARD}},
        {"data": {"chat_id": "1001", "text": "[1]", "reply_markup": json.dumps(KEYBOARD)}},
        {"params": {"chat_id": "1001", "text": "[1]", "reply_markup": json.dumps(KEYBOARD)}},
    ],
    ids=["json", "form", "query"],
)
async def test_parameter_encodings(
    emu: BotApiEmulator, anna: FakeUser, encoding: dict[str, Any]
) -> None:
    status, body = await call(emu, "sendMessage", **encoding)
    assert status == 200, body
    assert body["ok"] is True
    assert body["result"]["text"] == "[1]"  # free text is never JSON-decoded
    assert body["result"]["reply_markup"] == KEYBOARD
    assert emu.calls[-1].params["chat_id"] == 1001


async def test_multipart_upload_and_download(emu: BotApiEmulator, anna: FakeUser) -> None:
    payload = bytes(range(256))
    form = aiohttp.FormData()
    form.add_field("chat_id", "1001")
    form.add_field("caption", "raw")
    form.add_field("document", payload, filename="a.bin", content_type="application/x-test")
    status, body = await call(emu, "sendDocument", data=form)
    assert status == 200, body
    document = body["result"]["document"]
    assert document["mime_type"] == "application/x-test"

    _, got = await call(emu, "getFile", json={"file_id": document["file_id"]})
    async with aiohttp.ClientSession() as session:
        url = f"{emu.url}/file/bot{TOKEN}/{got['result']['file_path']}"
        async with session.get(url) as response:
            assert response.status == 200
            assert await response.read() == payload
        async with session.get(f"{emu.url}/file/bot{TOKEN}/documents/nope") as response:
            assert response.status == 404


async def test_error_bodies_match_the_real_api(emu: BotApiEmulator) -> None:
    assert await call(emu, "getMe", token="nonsense") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert await call(emu, "fooBar") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    assert (await call(emu, "sendMessage", json={"chat_id": 1}))[1] == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: chat not found",
    }
    status, body = await call(emu, "sendMessage", data={"chat_id": "1", "reply_markup": "{"})
    assert (status, body["description"]) == (
        400,
        "Bad Request: can't parse reply_markup JSON object",
    )
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{emu.url}/elsewhere") as response:
            assert response.status == 404


async def test_methods_are_case_insensitive_and_get_works(emu: BotApiEmulator) -> None:
    assert (await call(emu, "GETME"))[1]["result"]["username"] == "crm_test_bot"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{emu.url}/bot{TOKEN}/getMe") as response:
            assert (await response.json())["ok"] is True
    assert [c.method for c in emu.calls] == ["getMe", "getMe"]


async def test_fail_next_body_has_retry_after(emu: BotApiEmulator) -> None:
    emu.fail_next("getMe", retry_after=7)
    assert await call(emu, "getMe") == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        },
    )


async def test_extra_methods_can_be_added(emu: BotApiEmulator) -> None:
    async def send_dice(ctx: Any) -> dict[str, Any]:
        return {"dice": {"emoji": "🎲", "value": 6}, "chat": ctx.params["chat_id"]}

    emu.add_method("sendDice", send_dice)
    assert (await call(emu, "sendDice", json={"chat_id": 5}))[1]["result"]["chat"] == 5
