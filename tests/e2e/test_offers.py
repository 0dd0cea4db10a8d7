"""/offers: the price quotes a company received; admins add, edit and remove them in the chat."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from crm.costs import offers as service
from crm.costs.model import Billing, LicenseKind, PriceTier
from storage.models import AuditEvent, CostOffer, Member


async def _offers(bot, telegram_user_id: int = 1):
    async with bot.database.transaction() as session:
        statement = select(Member).where(Member.telegram_user_id == telegram_user_id)
        workspace_id = (await session.exec(statement)).one().workspace_id
        return await service.list_offers(session, workspace_id)


async def _start_adding(admin, name: str, kind: str):
    await admin.send("/offers")
    await admin.tap(await admin.next_message(), "➕ Add")
    assert "name of the quote" in (await admin.next_message()).text
    await admin.send(name)
    question = await admin.next_message()
    assert f"What kind of license is {name}?" in question.text
    await admin.tap(question, kind)
    return await admin.next_message()


async def test_admin_adds_edits_and_removes_quotes(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await admin.send("/offers")
    empty = await admin.next_message()
    assert "No price quotes yet." in empty.text and empty.buttons == [["➕ Add"]]

    # a subscription: a bad amount is asked again, then a second price tier and annual billing
    price = await _start_adding(admin, "Bitrix Team", "Subscription")
    assert "price per seat per month in EUR" in price.text
    await admin.send("twelve")
    assert "could not read that amount" in (await admin.next_message()).text
    await admin.send("-5")
    assert "cannot be negative" in (await admin.next_message()).text
    await admin.send("12,3456")
    assert "two decimal places" in (await admin.next_message()).text
    await admin.send("12,50 €")
    tier = await admin.next_message()
    assert "Otherwise tap Skip" in tier.text
    await admin.send("from 15 seats")
    billing = await admin.next_message()
    assert "How is it billed?" in billing.text  # "15" alone: the price holds from 15 seats
    await admin.send("/cancel")
    assert "Cancelled." in (await admin.next_message()).text
    assert await _offers(bot) == []

    await _start_adding(admin, "Bitrix Team", "Subscription")
    await admin.send("1 200,50")
    tier = await admin.next_message()
    await admin.send("from 15 seats: lots")
    assert "15: 11" in (await admin.next_message()).text  # how to write it, then asked again
    await admin.send("1: 1000")
    assert "more seats than the one before" in (await admin.next_message()).text
    await admin.send("from 15 seats: 1 000")
    billing = await admin.next_message()
    assert billing.buttons == [["Monthly"], ["Annually (a year ahead)"]]
    await admin.tap(billing, "Annually")
    saved = await admin.next_message()
    assert "Saved." in saved.text and "Bitrix Team (Subscription)" in saved.text
    assert (
        "€1,200.50 per seat per month; from 15 seats: €1,000.00 per seat per month; "
        "billed annually" in saved.text
    ), saved.text

    # a perpetual license with a flat price, renewal skipped
    mode = await _start_adding(admin, "amoCRM box", "Perpetual license")
    await admin.tap(mode, "One flat price")
    assert "price of the whole license in EUR" in (await admin.next_message()).text
    await admin.send("150 000")
    renewal = await admin.next_message()
    await admin.send("120 %")
    assert "from 0 to 100" in (await admin.next_message()).text
    await admin.tap(renewal, "Skip")
    saved = await admin.next_message()
    assert "€150,000.00 for the whole license" in saved.text and "renewal" not in saved.text

    await admin.send("/offers")
    listing = await admin.next_message()
    assert listing.text.index("amoCRM box") < listing.text.index("Bitrix Team")
    assert "€150,000.00 for the whole license" in listing.text
    assert "€1,200.50 per seat per month" in listing.text
    assert listing.buttons == [
        ["✏️ amoCRM box", "🗑 amoCRM box"],
        ["✏️ Bitrix Team", "🗑 Bitrix Team"],
        ["➕ Add"],
    ]
    stored = await _offers(bot)
    assert [(o.name, o.kind, o.currency) for o in stored] == [
        ("amoCRM box", LicenseKind.perpetual, "EUR"),
        ("Bitrix Team", LicenseKind.subscription, "EUR"),
    ]
    assert stored[1].tiers == (PriceTier(1, Decimal("1200.50")), PriceTier(15, Decimal("1000")))
    assert stored[1].billing == Billing.annual and stored[0].flat_price == Decimal("150000")

    # edit the subscription's price: a bad value is asked again
    await admin.tap(listing, "✏️ Bitrix")
    fields = await admin.next_edit()
    assert "What do you want to change?" in fields.text
    await admin.tap(fields, "Price")
    assert "price per seat per month" in (await admin.next_message()).text
    await admin.send("0.001")
    assert "two decimal places" in (await admin.next_message()).text
    await admin.send("990")
    saved = await admin.next_message()
    assert "Saved." in saved.text and "€990.00 per seat per month" in saved.text
    await admin.tap(saved, "Seat prices")
    await admin.next_message()
    await admin.send("1: 990\n10: 900; 50: 800")
    saved = await admin.next_message()
    assert "from 50 seats: €800.00" in saved.text, saved.text
    assert [t.min_seats for t in (await _offers(bot))[1].tiers] == [1, 10, 50]

    # remove the perpetual one after confirming; "No" first keeps it
    await admin.send("/offers")
    listing = await admin.next_message()
    await admin.tap(listing, "🗑 amoCRM")
    confirm = await admin.next_edit()
    assert "Remove this quote?" in confirm.text
    await admin.tap(confirm, "No")
    back = await admin.next_edit()
    assert "amoCRM box" in back.text and len(await _offers(bot)) == 2
    await admin.tap(back, "🗑 amoCRM")
    confirm = await admin.next_edit()
    removal_data = confirm.button("Yes, remove")["callback_data"]
    await admin.tap(confirm, "Yes, remove")
    removed = await admin.next_edit()
    assert "was removed" in removed.text and "🗑 amoCRM box" not in str(removed.buttons)
    assert [o.name for o in await _offers(bot)] == ["Bitrix Team"]
    # tapping the stale confirmation again changes nothing
    answer = await admin.callback_answer(await admin.tap_data(removed.message_id, removal_data))
    assert answer["show_alert"] and "no longer valid" in answer["text"]

    async with bot.database.transaction() as session:
        actions = (await session.exec(select(AuditEvent.action))).all()
    assert actions.count("cost_offer.add") == 2 and "cost_offer.remove" in actions
