"""/team: invite links, joining, roles and removal, with every tap checked on the server."""

from __future__ import annotations

from sqlmodel import select

from storage.models import AuditEvent, Invite, Member, Role
from tests.e2e.conftest import INVITE_LINK


async def _members(bot) -> dict[int, Member]:
    async with bot.database.transaction() as session:
        rows = (await session.exec(select(Member))).all()
    return {m.telegram_user_id: m for m in rows}


async def test_invite_link_lets_a_colleague_join_with_the_role(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await admin.send("/team")
    team = await admin.next_message()
    assert "Olga" in team.text and "admin" in team.text
    await admin.tap(team, "Invite a manager")
    link_message = await admin.next_message()
    username, code = INVITE_LINK.search(link_message.text).groups()
    assert username == "crm_test_bot" and len(code) >= 22
    assert "works once" in link_message.text and "valid until" in link_message.text

    manager = bot.user(2, "Mindaugas", username="mindaugas")
    await manager.send(f"/start {code}")
    welcome = await manager.next_message()
    assert "Welcome to Acme Trading" in welcome.text and "manager" in welcome.text
    notice = await admin.next_message()
    assert notice.text == "Mindaugas (@mindaugas) joined the team as manager."
    members = await _members(bot)
    assert members[2].role == Role.manager
    async with bot.database.transaction() as session:
        [invite] = (await session.exec(select(Invite))).all()
    assert invite.code_hash != code and code not in invite.code_hash


async def test_a_used_link_cannot_be_used_again(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    code = await bot.invite_code(admin)
    await bot.user(2, "Rimas").send(f"/start {code}")
    late = bot.user(3, "Late")
    await late.send(f"/start {code}")
    assert "already been used" in (await late.next_message()).text
    assert 3 not in await _members(bot)


async def test_an_expired_link_is_refused(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    code = await bot.invite_code(admin)
    bot.clock.advance(days=7, seconds=1)
    colleague = bot.user(2, "Rimas")
    await colleague.send(f"/start {code}")
    assert "expired" in (await colleague.next_message()).text
    assert 2 not in await _members(bot)


async def test_a_made_up_code_is_refused(bot):
    await bot.onboard(bot.user(1, "Olga"))
    guesser = bot.user(2, "Guesser")
    await guesser.send("/start AAAAAAAAAAAAAAAAAAAAAA")
    assert "not valid" in (await guesser.next_message()).text


async def test_invite_ttl_is_configurable(start_bot):
    async with start_bot(invite_ttl_days=1) as bot:
        admin = await bot.onboard(bot.user(1, "Olga"))
        code = await bot.invite_code(admin)
        bot.clock.advance(days=1, seconds=1)
        colleague = bot.user(2, "Rimas")
        await colleague.send(f"/start {code}")
        assert "expired" in (await colleague.next_message()).text


async def test_only_admins_see_and_use_team_management(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    rep = await bot.join(admin, bot.user(2, "Rimas"))
    await rep.send("/team")
    assert (await rep.next_message()).text == "Only an admin can manage the team."
    await rep.send("/help")
    help_text = (await rep.next_message()).text
    assert "/team" not in help_text and "/lang" in help_text
    await admin.send("/help")
    assert "/team" in (await admin.next_message()).text


async def test_admin_changes_a_role_and_removes_a_member(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    rep = await bot.join(admin, bot.user(2, "Rimas"))
    await admin.send("/team")
    team = await admin.next_message()
    await admin.tap(team, "Rimas — sales rep")
    detail = await admin.next_edit()
    assert "Rimas is sales rep" in detail.text
    await admin.tap(detail, "manager")
    listing = await admin.next_edit()
    assert "Rimas — manager" in listing.text
    assert (await _members(bot))[2].role == Role.manager

    await admin.tap(listing, "Rimas — manager")
    detail = await admin.next_edit()
    await admin.tap(detail, "Remove from the team")
    confirm = await admin.next_edit()
    assert "Remove Rimas from the team?" in confirm.text
    await admin.tap(confirm, "Yes, remove")
    after = await admin.next_edit()
    assert "Rimas" not in after.text
    assert (await _members(bot))[2].removed_at is not None

    await rep.send("/help")
    assert "private" in (await rep.next_message()).text
    async with bot.database.transaction() as session:
        actions = [e.action for e in (await session.exec(select(AuditEvent))).all()]
    assert {"member.join", "member.role", "member.remove"} <= set(actions)


async def test_stale_double_and_forged_taps_change_nothing(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await bot.join(admin, bot.user(2, "Rimas"))
    await admin.send("/team")
    team = await admin.next_message()
    await admin.tap(team, "Rimas — sales rep")
    detail = await admin.next_edit()
    await admin.tap(detail, "Remove from the team")
    confirm = await admin.next_edit()
    await admin.tap(confirm, "Yes, remove")
    await admin.next_edit()

    # the same "Yes, remove" tapped again, from a stale copy of the message
    query = await admin.tap_data(confirm.message_id, "team:rmok:" + _member_id(confirm))
    answer = await admin.callback_answer(query)
    assert answer["show_alert"] and "no longer in the team" in answer["text"]
    for forged in ("team:role:1:owner", "team:rm:abc", "team:zzz", "team:rmok:99999999"):
        query = await admin.tap_data(team.message_id, forged)
        answer = await admin.callback_answer(query)
        assert answer["show_alert"], forged
    # the last admin cannot demote themselves
    query = await admin.tap_data(team.message_id, f"team:role:{await _id(bot, 1)}:rep")
    answer = await admin.callback_answer(query)
    assert "at least one admin" in answer["text"]
    assert (await _members(bot))[1].role == Role.admin


async def test_a_demoted_admin_cannot_use_old_team_buttons(bot):
    owner = await bot.onboard(bot.user(1, "Olga"))
    second = await bot.join(owner, bot.user(2, "Petras"), "Invite an admin")
    await second.send("/team")
    second_team = await second.next_message()
    await owner.send("/team")
    owner_team = await owner.next_message()
    await owner.tap(owner_team, "Petras — admin")
    detail = await owner.next_edit()
    await owner.tap(detail, "sales rep")
    await owner.next_edit()
    query = await second.tap(second_team, "Invite a manager")
    answer = await second.callback_answer(query)
    assert answer["text"] == "Only an admin can manage the team."
    async with bot.database.transaction() as session:
        assert len((await session.exec(select(Invite))).all()) == 1  # only Petras's own invite


async def test_a_member_cannot_join_a_second_time(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    rep = await bot.join(admin, bot.user(2, "Rimas"))
    code = await bot.invite_code(admin)
    await rep.send(f"/start {code}")
    assert "already a member of Acme Trading" in (await rep.next_message()).text


async def _id(bot, telegram_user_id: int) -> int:
    return (await _members(bot))[telegram_user_id].id


def _member_id(message) -> str:
    return next(
        data.split(":")[2]
        for row in message.callback_data
        for data in row
        if data and data.startswith("team:rmok:")
    )
