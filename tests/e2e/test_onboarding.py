"""First contact: a company owner creates the workspace; everyone else needs an invite."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Member, Role, Workspace


async def _workspaces(bot) -> list[Workspace]:
    async with bot.database.transaction() as session:
        return list((await session.exec(select(Workspace))).all())


async def test_owner_creates_the_workspace_and_becomes_admin(bot):
    owner = bot.user(1, "Olga", username="olga")
    await owner.send("/start")
    question = await owner.next_message()
    assert "company's name" in question.text
    await owner.send("  Acme   Trading  ")
    done = await owner.next_message()
    assert "Acme Trading is set up and you are its admin" in done.text
    assert "<b>Acme Trading</b>" in done.source_text
    [workspace] = await _workspaces(bot)
    async with bot.database.transaction() as session:
        [admin] = (await session.exec(select(Member))).all()
    assert workspace.name == "Acme Trading"
    assert (admin.role, admin.telegram_user_id, admin.username) == (Role.admin, 1, "olga")
    await owner.send("/start")
    again = await owner.next_message()
    assert "Welcome back" in again.text and "admin" in again.text


async def test_stranger_gets_one_polite_sentence_and_nothing_else(bot):
    await bot.onboard(bot.user(1, "Olga"))
    stranger = bot.user(66, "Stranger")
    for text in ("hello", "/team", "/help", "/start", "+79123456789"):
        await stranger.send(text)
        refusal = await stranger.next_message()
        assert refusal.text == (
            "This bot is private. Ask your company's admin for an invite link to join."
        )
        assert refusal.buttons == []
    await stranger.expect_no_message()
    assert len(await _workspaces(bot)) == 1


async def test_stranger_is_refused_in_their_own_language(bot):
    await bot.onboard(bot.user(1, "Olga"))
    stranger = bot.user(67, "Ona", language_code="lt")
    await stranger.send("labas")
    refusal = await stranger.next_message()
    assert "privatus" in refusal.text.lower()


async def test_stranger_tapping_a_button_is_refused(bot):
    owner = await bot.onboard(bot.user(1, "Olga"))
    await owner.send("/lang")
    menu = await owner.next_message()
    stranger = bot.user(66, "Stranger")
    query = await stranger.tap_data(menu.message_id, "team:rmok:1")
    answer = await stranger.callback_answer(query)
    assert answer["show_alert"] is True and "private" in answer["text"]
    async with bot.database.transaction() as session:
        assert (await session.exec(select(Member))).one().removed_at is None


async def test_cancel_during_onboarding_creates_nothing(bot):
    owner = bot.user(1, "Olga")
    await owner.send("/start")
    await owner.next_message()
    await owner.send("/cancel")
    assert (await owner.next_message()).text == "Cancelled."
    await owner.send("Acme")
    assert "private" in (await owner.next_message()).text
    assert await _workspaces(bot) == []


async def test_onboarding_survives_a_restart(start_bot):
    async with start_bot() as bot:
        owner = bot.user(1, "Olga")
        await owner.send("/start")
        await owner.next_message()
    async with start_bot() as bot:
        await owner.send("Acme after restart")
        done = await owner.next_message()
        assert "Acme after restart is set up" in done.text


async def test_second_owner_cannot_create_another_workspace_on_a_private_bot(bot):
    await bot.onboard(bot.user(1, "Olga"))
    other = bot.user(2, "Petr")
    await other.send("/start")
    assert "private" in (await other.next_message()).text
    assert len(await _workspaces(bot)) == 1


async def test_hosted_mode_gives_everyone_their_own_isolated_workspace(start_bot):
    async with start_bot(allow_new_workspaces=True) as bot:
        first = await bot.onboard(bot.user(1, "Olga"), "First Co")
        second = await bot.onboard(bot.user(2, "Petr"), "Second Co")
        stranger = bot.user(3, "Ieva")
        await stranger.send("hi")
        assert "/start to create a workspace" in (await stranger.next_message()).text
        await first.send("/team")
        first_team = await first.next_message()
        await second.send("/team")
        second_team = await second.next_message()
    assert "First Co" in first_team.text and "Petr" not in first_team.text
    assert "Second Co" in second_team.text and "Olga" not in second_team.text
    assert len(await _workspaces(bot)) == 2


async def test_blank_company_name_is_asked_again(bot):
    owner = bot.user(1, "Olga")
    await owner.send("/start")
    await owner.next_message()
    await owner.send("x" * 201)
    assert "1 to 200 characters" in (await owner.next_message()).text
    await owner.send("Acme")
    assert "Acme is set up" in (await owner.next_message()).text
