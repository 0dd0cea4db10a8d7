"""/settings: a member's own time zone; the company's name, time zone, phone region, currency."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Member, Workspace


async def test_member_sets_their_time_zone_by_button_and_by_typing(bot):
    owner = await bot.onboard(bot.user(1, "Olga"))
    await owner.send("/settings")
    view = await owner.next_message()
    assert "My time zone: Europe/Moscow (the company's)" in view.text
    await owner.tap(view, "My time zone")
    prompt = await owner.next_message()
    await owner.tap(prompt, "Europe/Vilnius")
    saved = await owner.next_message()
    assert "Saved." in saved.text and "My time zone: Europe/Vilnius" in saved.text
    await owner.tap(saved, "My time zone")
    await owner.next_message()
    await owner.send("mars/olympus")
    assert "don't know this time zone" in (await owner.next_message()).text
    await owner.send("asia/yekaterinburg")
    assert "My time zone: Asia/Yekaterinburg" in (await owner.next_message()).text
    async with bot.database.transaction() as session:
        member = (await session.exec(select(Member))).one()
    assert member.timezone == "Asia/Yekaterinburg"


async def test_admin_changes_company_settings_a_rep_cannot(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    rep = await bot.join(admin, bot.user(2, "Rimas"))
    await admin.send("/settings")
    view = await admin.next_message()
    await admin.tap(view, "Phone region")
    await admin.next_message()
    await admin.send("lt")
    assert "Phone region: LT" in (await admin.next_message()).text
    await admin.send("/settings")
    view = await admin.next_message()
    await admin.tap(view, "Currency")
    await admin.tap(await admin.next_message(), "RUB")
    assert "Currency: RUB" in (await admin.next_message()).text

    await rep.send("/settings")
    rep_view = await rep.next_message()
    assert "Currency" not in rep_view.text and rep_view.buttons == [["My time zone"]]
    answer = await rep.callback_answer(await rep.tap_data(rep_view.message_id, "set:currency:USD"))
    assert answer["show_alert"]
    async with bot.database.transaction() as session:
        workspace = (await session.exec(select(Workspace))).one()
    assert (workspace.default_region, workspace.currency) == ("LT", "RUB")


async def test_a_company_name_too_long_is_asked_again_not_refused_as_rights(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await admin.send("/settings")
    await admin.tap(await admin.next_message(), "Company name")
    await admin.next_message()
    await admin.send("A" * 201)
    assert "1 to 200 characters" in (await admin.next_message()).text
    await admin.send("Acme Baltic")  # still asked: the next answer is taken
    assert "Company name: Acme Baltic" in (await admin.next_message()).text
