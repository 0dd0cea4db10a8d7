"""Refusals in the audit log: another workspace's ids, made-up data and missing rights are
written down (who, which data, why); an honest stale button is refused without a row."""

from __future__ import annotations

from sqlmodel import col, select
from telegram import Update

from crm.costs.offers import offer_id
from handlers.refusals import ACTION, forged
from storage.models import AuditEvent, Role
from tests.e2e.activity_helpers import member_of
from tests.e2e.directory_helpers import alert, new_organization, organizations
from tests.e2e.test_offers import _offers, _quick_subscription, _start_adding


async def refusals(bot) -> list[AuditEvent]:
    async with bot.database.transaction() as session:
        statement = select(AuditEvent).where(AuditEvent.action == ACTION)
        return list((await session.exec(statement.order_by(col(AuditEvent.id)))).all())


async def test_another_workspaces_id_is_refused_and_audited(start_bot):
    async with start_bot(allow_new_workspaces=True) as bot:
        olga = await bot.onboard(bot.user(1, "Olga"))
        eve = await bot.onboard(bot.user(3, "Eve"), company="Other Co")
        await new_organization(eve, "Secret Ltd")
        [secret] = await organizations(bot)
        card = await new_organization(olga, "Romashka")
        assert await refusals(bot) == []  # nothing refused so far

        for data in (
            f"card:o:{secret.id}",
            f"del:o:{secret.id}:ok",
            "edit:o:1:zzz",
            "edit:o:2:rp:9",
        ):
            assert await alert(olga, await olga.tap_data(card.message_id, data)), data
        member = await member_of(bot, olga)
        rows = await refusals(bot)
        assert [row.after["data"] for row in rows] == [
            f"card:o:{secret.id}",
            f"del:o:{secret.id}:ok",
            "edit:o:1:zzz",
            "edit:o:2:rp:9",  # a phone that is not on her card
        ]
        for row in rows:
            assert (row.workspace_id, row.actor_id) == (member.workspace_id, member.id)
            assert row.after["forged"] is True and row.after["telegram_user_id"] == 1
        assert rows[0].after["reason"] == "directory not_found"
        assert rows[2].after["reason"] == "invalid button"
        assert rows[3].after["reason"] == "directory not_found"
        assert "Secret Ltd" in {o.name for o in await organizations(bot)}  # untouched


async def test_a_rep_refused_an_admin_action_is_audited(bot):
    olga = await bot.onboard(bot.user(1, "Olga"))
    rimas = await bot.join(olga, bot.user(2, "Rimas"))
    await rimas.send("/help")
    help_message = await rimas.next_message()
    answer = await alert(rimas, await rimas.tap_data(help_message.message_id, "team:inv:admin"))
    assert answer
    [row] = await refusals(bot)
    rep = await member_of(bot, rimas)
    assert row.actor_id == rep.id
    assert row.after["data"] == "team:inv:admin" and row.after["reason"] == "team not_allowed"
    await rimas.send("/team")  # a command is checked on the server too
    assert "Only an admin" in (await rimas.next_message()).text
    command = (await refusals(bot))[-1]
    assert command.after == {
        "reason": "team not_allowed",
        "forged": False,
        "telegram_user_id": 2,
        "command": "/team",
    }


def _tap(data: str, offered: list[str] | None) -> Update:
    message = {
        "message_id": 5,
        "date": 0,
        "chat": {"id": 1, "type": "private"},
        "text": "card",
    }
    if offered is not None:
        message["reply_markup"] = {
            "inline_keyboard": [[{"text": d, "callback_data": d} for d in offered]]
        }
    return Update.de_json(
        {
            "update_id": 1,
            "callback_query": {
                "id": "1",
                "from": {"id": 1, "is_bot": False, "first_name": "Olga"},
                "chat_instance": "1",
                "data": data,
                "message": message,
            },
        },
        None,
    )


def test_a_button_on_its_message_is_stale_at_worst_and_other_data_is_forged():
    assert not forged(_tap("lw:abc:who:1", ["lw:abc:who:1", "lw:abc:who:2"]))  # stale at worst
    assert forged(_tap("lw:abc:who:9", ["lw:abc:who:1"]))
    assert forged(_tap("card:o:7", None))  # a message without buttons


async def test_digests_trash_and_import_undo_refusals_are_audited(bot):
    olga = await bot.onboard(bot.user(1, "Olga"))
    rimas = await bot.join(olga, bot.user(2, "Rimas"))
    card = await new_organization(olga, "Romashka")
    [org] = await organizations(bot)
    await rimas.send("/digest")  # a rep: no team digest, refused on the server
    assert "/me" in (await rimas.next_message()).text
    await rimas.send("/help")
    shown = await rimas.next_message()
    for data in ("dg:s:on:d", f"trash:o:{org.id}"):  # settings of digests, a restore
        assert await alert(rimas, await rimas.tap_data(shown.message_id, data)), data
    # an admin undoing an import that does not exist (another workspace's, or made up)
    for data in ("imp:undo:999", "imp:undo!:999"):
        assert await alert(olga, await olga.tap_data(card.message_id, data)), data
    rows = await refusals(bot)
    assert [(row.after.get("command") or row.after["data"]) for row in rows] == [
        "/digest",
        "dg:s:on:d",
        f"trash:o:{org.id}",
        "imp:undo:999",
        "imp:undo!:999",
    ]
    assert [row.after["reason"] for row in rows] == [
        "digests not_allowed",
        "digests not_allowed",
        "trash not_allowed",
        "imports not_found",
        "imports not_found",
    ]


async def _demote(bot, admin, member) -> int:
    demoted = await member_of(bot, member)
    await admin.send("/team")
    team = await admin.next_message()
    await admin.callback_answer(
        await admin.tap_data(team.message_id, f"team:role:{demoted.id}:rep")
    )
    assert (await member_of(bot, member)).role == Role.rep
    return demoted.id


async def test_an_admin_demoted_while_adding_a_quote_is_refused_and_audited(bot):
    olga = await bot.onboard(bot.user(1, "Olga"))
    rimas = await bot.join(olga, bot.user(2, "Rimas"), button="Invite an admin")
    mode = await _start_adding(rimas, "amoCRM box", "Perpetual license")
    await rimas.tap(mode, "One flat price")
    await rimas.next_message()
    await rimas.send("150 000")
    assert "renewal" in (await rimas.next_message()).text.lower()
    demoted_id = await _demote(bot, olga, rimas)
    await rimas.send("20")  # the last answer, as a sales rep
    assert "Only an admin" in (await rimas.next_message()).text
    [row] = await refusals(bot)
    assert (row.actor_id, row.after["reason"]) == (demoted_id, "offers not_allowed")
    assert await _offers(bot) == []


async def test_an_admin_demoted_while_editing_a_quote_is_refused_and_audited(bot):
    olga = await bot.onboard(bot.user(1, "Olga"))
    rimas = await bot.join(olga, bot.user(2, "Rimas"), button="Invite an admin")
    await _quick_subscription(rimas, "Pipedrive")
    [offer] = await _offers(bot)
    await rimas.send("/offers")
    listing = await rimas.next_message()
    await rimas.tap_data(listing.message_id, f"off:f:{offer_id(offer)}:price")
    assert "EUR" in (await rimas.next_message()).text  # the new price, please
    demoted_id = await _demote(bot, olga, rimas)
    await rimas.send("20")  # a sales rep now
    assert "Only an admin" in (await rimas.next_message()).text
    [row] = await refusals(bot)
    assert (row.actor_id, row.after["reason"]) == (demoted_id, "offers not_allowed")
    [unchanged] = await _offers(bot)
    assert unchanged.tiers == offer.tiers


async def test_an_admin_demoted_while_renaming_the_company_is_refused_and_audited(bot):
    olga = await bot.onboard(bot.user(1, "Olga"))
    rimas = await bot.join(olga, bot.user(2, "Rimas"), button="Invite an admin")
    await rimas.send("/settings")
    await rimas.tap(await rimas.next_message(), "Company name")
    await rimas.next_message()
    demoted_id = await _demote(bot, olga, rimas)
    await rimas.send("Rimas & Co")
    assert "Only an admin" in (await rimas.next_message()).text
    [row] = await refusals(bot)
    assert (row.actor_id, row.after["reason"]) == (demoted_id, "settings not_allowed")
