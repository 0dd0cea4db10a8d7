"""/offers: the price quotes a company received; admins add, edit and remove them in the chat."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from crm.costs import offers as service
from crm.costs.model import Billing, LicenseKind, PriceTier
from handlers.refusals import ACTION as REFUSED
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


async def _alert(user, query_id: str) -> str:
    answer = await user.callback_answer(query_id)
    assert answer.get("show_alert"), answer
    return answer["text"]


async def _quick_subscription(admin, name: str, price: str = "15"):
    await _start_adding(admin, name, "Subscription")
    await admin.send(price)
    await admin.tap(await admin.next_message(), "Skip")
    await admin.tap(await admin.next_message(), "Monthly")
    saved = await admin.next_message()
    assert "Saved." in saved.text, saved.text
    return saved


async def test_a_rep_sees_quotes_but_cannot_change_them(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    rep = await bot.join(admin, bot.user(2, "Rimas"))
    await rep.send("/lang")
    await rep.tap(await rep.next_message(), "Lietuvių")
    await rep.next_edit()  # "Done: ..." in Lithuanian
    await _quick_subscription(admin, "Pipedrive")
    offer_id = service.offer_id((await _offers(bot))[0])

    await rep.send("/offers")
    listing = await rep.next_message()
    assert "Pipedrive (Prenumerata)" in listing.text  # in the rep's language
    assert "15,00\xa0€ už vietą per mėnesį" in listing.text, listing.text
    assert listing.buttons == []  # no ➕ Add, ✏️ or 🗑
    for forged in (
        "off:add",
        f"off:e:{offer_id}",
        f"off:f:{offer_id}:price",
        f"off:b:{offer_id}:annual",
        f"off:rm:{offer_id}",
        f"off:rm:{offer_id}:ok",
        "off:a:abcdef:kind:perpetual",
    ):
        text = await _alert(rep, await rep.tap_data(listing.message_id, forged))
        assert "Kainų pasiūlymus keisti gali tik administratorius." in text, forged
    async with bot.database.transaction() as session:  # refused for rights: audited
        statement = select(AuditEvent).where(AuditEvent.action == REFUSED)
        refused = [event.after["data"] for event in (await session.exec(statement)).all()]
    assert f"off:rm:{offer_id}:ok" in refused
    await rep.send("/help")
    assert "/offers" in (await rep.next_message()).text
    stored = await _offers(bot)
    assert [(o.name, o.tiers, o.billing) for o in stored] == [
        ("Pipedrive", (PriceTier(1, Decimal(15)),), Billing.monthly)
    ]
    async with bot.database.transaction() as session:
        assert (await session.exec(select(CostOffer))).one().deleted_at is None


async def test_another_workspaces_quote_and_forged_buttons_change_nothing(start_bot):
    async with start_bot(allow_new_workspaces=True) as bot:
        admin = await bot.onboard(bot.user(1, "Olga"))
        stranger = await bot.onboard(bot.user(3, "Eve"), company="Other Co")
        await _quick_subscription(stranger, "Secret CRM", "99")
        secret_id = service.offer_id((await _offers(bot, 3))[0])
        saved = await _quick_subscription(admin, "Ours")
        ours_id = service.offer_id((await _offers(bot, 1))[0])

        await admin.send("/offers")
        listing = await admin.next_message()
        assert "Secret CRM" not in listing.text
        for forged in (
            f"off:e:{secret_id}",
            f"off:f:{secret_id}:price",
            f"off:b:{secret_id}:annual",
            f"off:rm:{secret_id}",
            f"off:rm:{secret_id}:ok",
            "off:e:999999",
            "off:e:abc",
            f"off:f:{ours_id}:server",  # not a field of a subscription
            f"off:f:{ours_id}:zzz",
            f"off:b:{ours_id}:weekly",
            f"off:rm:{ours_id}:maybe",
            "off:a:000000:kind:perpetual",  # no adding flow runs
            "off:zzz",
        ):
            text = await _alert(admin, await admin.tap_data(listing.message_id, forged))
            assert "no longer valid" in text, forged
        # made-up data (on no button of the listing) is audited as a refusal
        async with bot.database.transaction() as session:
            statement = select(AuditEvent).where(AuditEvent.action == REFUSED)
            refused = [event.after["data"] for event in (await session.exec(statement)).all()]
        assert f"off:e:{secret_id}" in refused
        assert f"off:rm:{secret_id}:ok" in refused

        # a flow's button from an earlier run is stale; a choice not offered is refused
        await admin.tap(listing, "➕ Add")
        await admin.next_message()
        await admin.send("Trial")
        kind = await admin.next_message()
        for forged in (
            "off:a:000000:kind:perpetual",
            kind.button("Subscription")["callback_data"][:-1],
        ):
            text = await _alert(admin, await admin.tap_data(kind.message_id, forged))
            assert "no longer valid" in text, forged
        await admin.send("some text")
        assert "tap one of the buttons" in (await admin.next_message()).text

        # editing a quote removed meanwhile says so and ends the flow
        await admin.send("/cancel")
        await admin.next_message()
        await admin.tap(saved, "Name")
        await admin.next_message()
        async with bot.database.transaction() as session:
            await service.remove_offer(
                session,
                actor=(
                    await session.exec(select(Member).where(Member.telegram_user_id == 1))
                ).one(),
                offer_id=ours_id,
            )
        await admin.send("New name")
        assert "no longer exists" in (await admin.next_message()).text
        assert await _offers(bot, 1) == []
        assert [o.name for o in await _offers(bot, 3)] == ["Secret CRM"]
        assert (await _offers(bot, 3))[0].tiers == (PriceTier(1, Decimal(99)),)


async def test_self_hosted_quote_with_running_costs_and_a_billing_change(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    mode = await _start_adding(admin, "Bitrix box", "Self-hosted copy")
    await admin.tap(mode, "Per seat")
    assert "price per seat in EUR (paid once)" in (await admin.next_message()).text
    await admin.send("300")
    assert "Otherwise tap Skip" in (await admin.next_message()).text
    await admin.send("from 5 seats")  # the price holds from 5 seats
    renewal = await admin.next_message()
    assert "yearly renewal" in renewal.text
    await admin.send("20%")
    server = await admin.next_message()
    assert "server cost per month, in EUR" in server.text
    await admin.send("€49.90")
    administration = await admin.next_message()
    await admin.tap(administration, "Skip")
    saved = await admin.next_message()
    assert "Bitrix box (Self-hosted copy)" in saved.text
    assert (
        "from 5 seats: €300.00 per seat; renewal 20% a year; server €49.90 a month" in saved.text
    ), saved.text
    assert "administration" not in saved.text
    assert saved.buttons == [
        ["Name", "Price"],
        ["Seat prices", "Renewal %"],
        ["Server per month", "Administration per month"],
        ["« All quotes"],
    ]
    await admin.tap(saved, "Administration per month")
    await admin.next_message()
    await admin.send("1 000,5")
    saved = await admin.next_message()
    assert "administration €1,000.50 a month" in saved.text
    [box] = await _offers(bot)
    assert (box.kind, box.tiers) == (LicenseKind.self_hosted, (PriceTier(5, Decimal(300)),))
    assert (box.renewal_percent, box.server_per_month, box.admin_per_month) == (
        Decimal(20),
        Decimal("49.90"),
        Decimal("1000.50"),
    )

    # a subscription's billing is changed by a button
    saved = await _quick_subscription(admin, "Pipedrive")
    assert "billed monthly" in saved.text
    await admin.tap(saved, "Billing")
    choice = await admin.next_message()
    await admin.tap(choice, "Annually")
    assert "billed annually" in (await admin.next_message()).text
    assert [o.billing for o in await _offers(bot)] == [Billing.monthly, Billing.annual]


async def test_a_full_list_of_quotes_fits_telegram_and_takes_no_more(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    async with bot.database.transaction() as session:
        actor = (await session.exec(select(Member).where(Member.telegram_user_id == 1))).one()
        for number in range(service.MAX_OFFERS):  # long names, ten prices each
            await service.add_offer(
                session,
                actor=actor,
                data=service.OfferInput(
                    name=f"Quote {number:02} " + "x" * (service.MAX_NAME - 9),
                    kind=LicenseKind.subscription,
                    currency="EUR",
                    tiers=tuple(PriceTier(seats, Decimal(1000 - seats)) for seats in range(1, 11)),
                ),
            )
    await admin.send("/offers")
    listing = await admin.next_message()
    assert len(listing.text) <= 4096
    assert all(f"Quote {number:02}" in listing.text for number in range(service.MAX_OFFERS))
    assert listing.buttons[-1] == ["➕ Add"]
    text = await _alert(admin, await admin.tap(listing, "➕ Add"))
    assert f"at most {service.MAX_OFFERS} quotes" in text
    await admin.expect_no_message()
    # the /cost walk's choice of offers stays a keyboard Telegram takes
    await admin.send("/cost")
    await admin.send("5")
    await admin.send("3")
    choice = await admin.wait_for(lambda m: bool(m.buttons) and m.buttons[-1] == ["✅ Compare"])
    assert sum(len(row) for row in choice.buttons) <= 100
    async with bot.database.transaction() as session:  # the service refuses one more, too
        actor = (await session.exec(select(Member).where(Member.telegram_user_id == 1))).one()
        try:
            await service.add_offer(
                session,
                actor=actor,
                data=service.OfferInput(
                    name="One more",
                    kind=LicenseKind.subscription,
                    currency="EUR",
                    tiers=(PriceTier(1, Decimal(5)),),
                ),
            )
        except service.OfferError as error:
            assert error.problem == service.OfferProblem.too_many_offers
        else:
            raise AssertionError("a quote over the limit was added")
