"""Updates delivered twice, unexpected errors."""

from __future__ import annotations

import logging

from sqlmodel import select

import crm.team
from storage.models import Invite, ProcessedUpdate
from tests.e2e.conftest import TOKEN


async def test_an_update_delivered_twice_has_its_effect_once(bot, emulator):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await admin.send("/team")
    team = await admin.next_message()
    update = {
        "update_id": 9000,
        "callback_query": {
            "id": "duplicate-1",
            "from": {"id": 1, "is_bot": False, "first_name": "Olga"},
            "chat_instance": "1",
            "data": "team:inv:rep",
            "message": team.raw,
        },
    }
    emulator.push_update(TOKEN, update)
    link = await admin.next_message()
    assert "Invite link" in link.text
    emulator.push_update(TOKEN, update)  # as Telegram does after a restart
    await admin.expect_no_message(within=1.0)
    async with bot.database.transaction() as session:
        assert len((await session.exec(select(Invite))).all()) == 1
        claimed = (await session.exec(select(ProcessedUpdate.update_id))).all()
    assert claimed.count(9000) == 1


async def test_an_error_rolls_back_and_the_user_gets_an_apology(bot, monkeypatch, caplog):
    admin = await bot.onboard(bot.user(1, "Olga", language_code="ru"))
    create_invite = crm.team.create_invite

    async def create_then_fail(*args, **kwargs):
        await create_invite(*args, **kwargs)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(crm.team, "create_invite", create_then_fail)
    await admin.send("/team")
    team = await admin.next_message()
    with caplog.at_level(logging.ERROR, logger="crm.errors"):
        answer = await admin.callback_answer(await admin.tap(team, 0))
    assert answer["show_alert"] and "Извините" in answer["text"]
    assert "Traceback" not in answer["text"] and "disk on fire" not in answer["text"]
    await admin.expect_no_message()
    async with bot.database.transaction() as session:
        assert (await session.exec(select(Invite))).all() == []
    [record] = [r for r in caplog.records if r.name == "crm.errors"]
    assert "error while handling update" in record.getMessage()
    assert record.exc_info[1].args == ("disk on fire",)


async def test_a_database_failure_around_the_handlers_still_gets_an_apology(bot, monkeypatch):
    owner = bot.user(1, "Olga", language_code="lt")

    async def database_down(*args, **kwargs):
        raise ConnectionError("database is down")

    monkeypatch.setattr("handlers.unit_of_work.updates.claim_update", database_down)
    await owner.send("/start")
    apology = await owner.next_message()
    assert "Atsiprašome" in apology.text
