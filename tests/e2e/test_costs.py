"""/cost: the one-message form and the guided walk, the workspace's own quotes, seat tricks,
the chart as a photo, and bad input. Expected figures come from the calculator run on the same
catalogue (and one by hand), formatted the way the bot's locale formats money."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from crm.costs.calculator import compare
from crm.costs.catalogue import load_catalogue
from crm.costs.model import Offer, PriceTier, Rollout
from crm.costs.offers import OfferInput, add_offer
from crm.i18n import Catalogs
from emulator.driver import BotMessage, FakeUser
from storage.models import Workspace
from tests.e2e.activity_helpers import member_of

PNG = b"\x89PNG\r\n\x1a\n"
QUOTE = "Vendor quote"  # 20 a seat a month, 12 from 15 seats


async def answer_of(user: FakeUser) -> tuple[list[BotMessage], bytes]:
    """The answer's messages up to the chart, and the chart's bytes."""
    messages = []
    while True:
        message = await user.next_message()
        if message.photo is not None:
            return messages, message.photo
        messages.append(message)


def block(text: str, rank: int, name: str) -> str:
    """One offer's part of the answer (the blocks are separated by blank lines)."""
    [found] = [part for part in text.split("\n\n") if part.startswith(f"{rank}. {name}")]
    return found


def money(locale: str, currency: str = "EUR"):
    translator = Catalogs().translator(locale)
    return lambda amount: translator.money(amount, currency)


async def set_currency(bot, currency: str) -> None:
    async with bot.database.transaction() as session:
        workspace = (await session.exec(select(Workspace))).one()
        workspace.currency = currency
        session.add(workspace)


async def add_quote(bot, user: FakeUser, currency: str = "EUR") -> Offer:
    actor = await member_of(bot, user)
    async with bot.database.transaction() as session:
        return await add_offer(
            session,
            actor=actor,
            data=OfferInput(
                name=QUOTE,
                kind="subscription",
                currency=currency,
                tiers=(PriceTier(1, Decimal(20)), PriceTier(15, Decimal(12))),
            ),
        )


def assert_answer_matches(text: str, comparison, fmt) -> None:
    for rank, cost in enumerate(comparison.offers, 1):
        part = block(text, rank, cost.offer.name)
        assert fmt(cost.total) in part, part
        assert fmt(comparison.per_user_per_month(cost)) in part, part
        for year in cost.years:
            assert fmt(year.total) in part, part


async def test_one_message_form_compares_the_catalogue_with_typical_costs(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await admin.send("/cost 12 users 3 years")
    messages, chart = await answer_of(admin)
    text = "\n\n".join(message.text for message in messages)

    catalogue = load_catalogue()
    rollout = catalogue.typical_rollout("EUR", 12)
    assert rollout is not None
    comparison = compare(catalogue.offers("EUR"), users=12, years=3, rollout=rollout)
    fmt = money("en")
    assert "12 users · 3 years" in text
    assert "assumptions" in text and "typical estimates" in text
    if rollout.customization:
        assert (
            f"Customization (access rights, reports, tasks): {fmt(rollout.customization)}" in text
        )
    assert_answer_matches(text, comparison, fmt)
    # by hand: Pipedrive Professional, 12 seats x 49 a month x 12 months x 3 years
    pipedrive = block(text, _rank(comparison, "Pipedrive Professional"), "Pipedrive Professional")
    assert "12 seats × €49.00 a month, billed yearly" in pipedrive
    assert "Licenses €21,168.00" in pipedrive
    assert (
        "example as of Nov 1, 2026, check current prices; source: https://www.pipedrive.com/en/pricing\n"
        in pipedrive
    )
    cheapest, second = comparison.offers[0], comparison.offers[1]
    assert (
        f"The cheapest: {cheapest.offer.name}, {fmt(cheapest.total)} in total — "
        f"{fmt(comparison.margin)} less than {second.offer.name}."
    ) in text
    for crossover in comparison.crossovers:
        assert f"{crossover.perpetual.offer.name}, bought once," in text
        if crossover.year > 1:
            assert f"from year {crossover.year}." in text
    assert all(len(message.source_text) <= 4096 for message in messages)
    assert chart.startswith(PNG)
    assert messages[-1].buttons == [["Hidden costs", "Offers"]]


def _rank(comparison, name: str) -> int:
    return [cost.offer.name for cost in comparison.offers].index(name) + 1


async def test_one_message_form_in_russian_with_roubles(bot):
    admin = await bot.onboard(bot.user(1, "Olga", language_code="ru"), "Ромашка")
    await set_currency(bot, "RUB")
    await admin.send("/cost 12 человек на 3 года")
    messages, chart = await answer_of(admin)
    text = "\n\n".join(message.text for message in messages)
    catalogue = load_catalogue()
    offers = catalogue.offers("RUB")
    assert offers, "the catalogue has rouble plans"
    rollout = catalogue.typical_rollout("RUB", 12)
    comparison = compare(offers, users=12, years=3, rollout=rollout or Rollout())
    assert "12 пользователей · 3 года" in text
    assert_answer_matches(text, comparison, money("ru", "RUB"))
    assert "Итого" in text
    assert chart.startswith(PNG)


async def test_guided_walk_in_russian_takes_typed_counts_and_refuses_the_wrong_unit(bot):
    admin = await bot.onboard(bot.user(1, "Olga", language_code="ru"), "Ромашка")
    await set_currency(bot, "RUB")
    await admin.send("/cost")
    await admin.next_message()
    await admin.send("3 года")  # years, when the question is about users
    assert "целое число" in (await admin.next_message()).text
    await admin.send("12 пользователей")
    await admin.wait_for(lambda message: message.buttons == [["1", "3", "5"]])
    await admin.send("на 2 года")
    choice = await admin.next_message()
    names = [offer.name for offer in load_catalogue().offers("RUB")]
    assert choice.buttons == [[f"☑ {name}"] for name in names] + [["✅ Сравнить"]]
    await admin.tap(choice, "✅ Сравнить")
    await admin.tap(await admin.next_message(), "Только лицензии")
    messages, chart = await answer_of(admin)
    text = "\n\n".join(message.text for message in messages)
    assert "12 пользователей · 2 года" in text
    comparison = compare(load_catalogue().offers("RUB"), users=12, years=2)
    assert_answer_matches(text, comparison, money("ru", "RUB"))
    assert chart.startswith(PNG)


async def test_one_message_form_in_lithuanian(bot):
    admin = await bot.onboard(bot.user(1, "Ieva", language_code="lt"), "UAB Ąžuolas")
    await admin.send("/cost 5 vartotojai 1 metams")
    messages, chart = await answer_of(admin)
    text = "\n\n".join(message.text for message in messages)
    catalogue = load_catalogue()
    comparison = compare(
        catalogue.offers("EUR"),
        users=5,
        years=1,
        rollout=catalogue.typical_rollout("EUR", 5) or Rollout(),
    )
    assert_answer_matches(text, comparison, money("lt"))
    assert chart.startswith(PNG)


async def test_own_quote_is_marked_and_its_seat_trick_explained(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    quote = await add_quote(bot, admin)
    await admin.send("/cost 12 3")
    messages, _chart = await answer_of(admin)
    text = "\n\n".join(message.text for message in messages)
    catalogue = load_catalogue()
    comparison = compare(
        [quote, *catalogue.offers("EUR")],
        users=12,
        years=3,
        rollout=catalogue.typical_rollout("EUR", 12),
    )
    part = block(text, _rank(comparison, QUOTE), QUOTE)
    assert "🏷 your own quote" in part
    # by hand: 15 x 12 x 36 months = 6,480; 12 x 20 x 36 = 8,640
    assert (
        "The price €12.00 holds from 15 seats; you need 12: buying 15 at €12.00 costs "
        "€6,480.00, 12 at €20.00 costs €8,640.00 — buy 15, you save €2,160.00."
    ) in part
    assert "15 seats × €12.00 a month" in part
    assert_answer_matches(text, comparison, money("en"))


async def test_guided_walk_with_own_hidden_costs(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    quote = await add_quote(bot, admin)
    catalogue = load_catalogue()
    offers = [quote, *catalogue.offers("EUR")]
    await admin.send("/cost")
    users = await admin.next_message()
    assert users.buttons == [["3", "5", "10", "20", "50"]]
    await admin.tap(users, "10")
    years = await admin.next_message()
    assert (await admin.next_edit()).text.endswith("» 10")
    await admin.send("4 years")
    choice = await admin.next_message()
    assert choice.buttons[0] == [f"☑ 🏷 {QUOTE}"]
    assert choice.buttons[-1] == ["✅ Compare"]
    left_out = offers[1].name
    await admin.tap(choice, f"☑ {left_out}")
    edited = await admin.next_edit()
    assert [f"☐ {left_out}"] in edited.buttons
    compare_data = edited.callback_data[-1][0]
    await admin.tap(edited, "✅ Compare")
    hidden = await admin.next_message()
    assert hidden.buttons == [["Typical estimates"], ["Enter my own"], ["Licenses only"]]
    # a second tap on Compare (a double tap) is refused, nothing is asked twice
    answer = await admin.callback_answer(await admin.tap_data(choice.message_id, compare_data))
    assert answer["show_alert"]
    await admin.expect_no_message()
    assert years.text.startswith("Over how many years?")

    await admin.tap(hidden, "Enter my own")
    answers = [
        ("records", "5000"),
        ("cleaning", "20"),
        ("custom", "1 500"),
        ("integr", None),  # Skip
        ("training", "4"),
        ("manager", "30"),
        ("rate", "abc"),  # refused, asked again
        ("rate", "25"),
        ("support", None),
        ("hosting", "40 €"),
        ("revenue", "100000"),
        ("share", "150"),  # refused: a share is at most 100%
        ("share", "5%"),
        ("months", "2.5"),  # refused: months are whole
        ("months", "2"),
    ]
    refusals = {
        ("rate", "25"): "Please send a number, e.g. 1500",
        ("share", "5%"): "Please send a share from 0 to 100%",
        ("months", "2"): "Please send a whole number, e.g. 3",
    }
    for step, typed in answers:
        question = await admin.next_message()
        if (step, typed) in refusals:
            assert refusals[step, typed] in question.text, question.text
            question = await admin.next_message()
        assert "Skip" in question.buttons[-1][-1], (step, question.text)
        if typed is None:
            await admin.tap(question, "Skip")
        else:
            await admin.send(typed)
    messages, chart = await answer_of(admin)
    text = "\n\n".join(message.text for message in messages)
    typical = catalogue.typical_rollout("EUR", 10)
    rollout = Rollout(
        migration_records=5000,
        migration_per_record=typical.migration_per_record if typical else Decimal(0),
        cleaning_hours=Decimal(20),
        customization=Decimal(1500),
        training_hours_per_user=Decimal(4),
        manager_hours=Decimal(30),
        hourly_rate=Decimal(25),
        hosting_per_month=Decimal(40),
        monthly_revenue=Decimal(100000),
        loss_share=Decimal("0.05"),
        loss_months=2,
    )
    chosen = [offer for offer in offers if offer.name != left_out]
    comparison = compare(chosen, users=10, years=4, rollout=rollout)
    assert "10 users · 4 years" in text
    assert "Hidden costs, as you entered them:" in text
    assert "Losses while switching over: 5% of the monthly revenue of €100,000.00, for 2" in text
    assert "Hourly cost of staff time: €25.00" in text
    assert left_out not in text
    assert_answer_matches(text, comparison, money("en"))
    # the quote needs 10 seats: 15 at 12 = 8,640 vs 10 at 20 = 9,600 over 4 years
    assert "buy 15, you save €960.00" in text
    assert chart.startswith(PNG)


async def test_licenses_only_and_the_adjust_buttons(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await admin.send("/cost 3 users 5 years")
    messages, _chart = await answer_of(admin)
    await admin.tap(messages[-1], "Hidden costs")
    hidden = await admin.next_message()
    await admin.tap(hidden, "Licenses only")
    messages, chart = await answer_of(admin)
    text = "\n\n".join(message.text for message in messages)
    assert "Licenses only: no hidden costs are counted." in text
    comparison = compare(load_catalogue().offers("EUR"), users=3, years=5)
    assert_answer_matches(text, comparison, money("en"))
    # the walk is over: its question's buttons no longer act
    answer = await admin.callback_answer(
        await admin.tap_data(hidden.message_id, hidden.callback_data[0][0])
    )
    assert answer["show_alert"]
    # "Offers" starts again from the choice of offers, the ones compared (all) ticked
    await admin.tap(messages[-1], "Offers")
    choice = await admin.next_message()
    names = [offer.name for offer in load_catalogue().offers("EUR")]
    assert choice.buttons == [[f"☑ {name}"] for name in names] + [["✅ Compare"]]


async def test_the_adjust_buttons_keep_the_offers_that_were_compared(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    names = [offer.name for offer in load_catalogue().offers("EUR")]
    await admin.send("/cost")
    await admin.send("5")
    await admin.send("3")
    choice = await admin.wait_for(lambda m: m.buttons and m.buttons[-1] == ["✅ Compare"])
    for name in names[1:]:  # leave only the first offer ticked
        await admin.tap(choice, f"☑ {name}")
        choice = await admin.next_edit()
    await admin.tap(choice, "✅ Compare")
    await admin.tap(await admin.next_message(), "Licenses only")
    messages, _chart = await answer_of(admin)
    text = "\n\n".join(message.text for message in messages)
    assert f"1. {names[0]}" in text and "\n2. " not in text
    # "Offers": the walk again, with only the offer compared ticked
    await admin.tap(messages[-1], "Offers")
    choice = await admin.next_message()
    assert choice.buttons == [[f"☑ {names[0]}"]] + [[f"☐ {name}"] for name in names[1:]] + [
        ["✅ Compare"]
    ]
    # "Hidden costs" keeps the choice too: licenses only again compares the one offer
    await admin.tap(messages[-1], "Hidden costs")
    await admin.tap(await admin.next_message(), "Licenses only")
    messages, _chart = await answer_of(admin)
    assert "\n2. " not in "\n\n".join(message.text for message in messages)


async def test_bad_input_and_stale_buttons(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await admin.send("/cost 12 apples")
    assert "I did not understand “apples”." in (await admin.next_message()).text
    await admin.send("/cost 12 users 11 years")
    assert "from 1 to 10" in (await admin.next_message()).text
    await admin.send("/cost")
    users = await admin.next_message()
    await admin.send("many")
    assert "whole number" in (await admin.next_message()).text
    await admin.send("0")
    assert "from 1 to 10,000" in (await admin.next_message()).text
    await admin.send("/cancel")
    await admin.next_message()
    for data in (users.callback_data[0][0], "cost:adj:99999:3:hidden", "cost:zz:users:5"):
        answer = await admin.callback_answer(await admin.tap_data(users.message_id, data))
        assert answer["show_alert"], data
    await admin.expect_no_message()


async def test_no_offers_in_the_workspace_currency(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await set_currency(bot, "JPY")
    await admin.send("/cost 5")
    reply = (await admin.next_message()).text
    assert "no offers in JPY" in reply and "/offers" in reply
    assert "EUR" in reply


async def test_a_currency_with_only_own_quotes_and_no_typical_estimates(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await set_currency(bot, "GBP")
    assert load_catalogue().typical_rollout("GBP", 12) is None
    await add_quote(bot, admin, currency="GBP")
    await admin.send("/cost 12 users")
    messages, chart = await answer_of(admin)
    text = "\n\n".join(message.text for message in messages)
    assert "12 users · 3 years" in text  # three years unless told
    assert (
        "Licenses only: no hidden costs are counted.\n(There are no typical estimates for GBP.)"
        in text
    )
    # by hand: 15 seats x £12 x 36 months beats 12 x £20 x 36 = £8,640.00
    assert "🏆 The only offer: Vendor quote, £6,480.00 in total." in text
    assert chart.startswith(PNG)
    # own hidden costs: without a typical price per record, the migration's price is asked
    await admin.tap(messages[-1], "Hidden costs")
    await admin.tap(await admin.next_message(), "Enter my own")
    question = await admin.next_message()
    assert question.text.startswith("Do you have a price for the whole data migration?")
    await admin.send("1 000")
    for _step in range(7):  # customization, integration, training, manager, support, hosting,
        # revenue: all skipped (no hours: no hourly rate)
        await admin.tap(await admin.next_message(), "Skip")
    messages, _chart = await answer_of(admin)
    text = "\n\n".join(message.text for message in messages)
    assert "Data migration: £1,000.00" in text
    assert "£7,480.00 in total" in text  # 6,480 + 1,000


async def test_a_quote_added_with_offers_overtakes_subscriptions(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await admin.send("/offers")
    await admin.tap(await admin.next_message(), "➕ Add")
    await admin.next_message()
    await admin.send("Box CRM")
    await admin.tap(await admin.next_message(), "Perpetual license")
    await admin.tap(await admin.next_message(), "One flat price")
    await admin.next_message()
    await admin.send("6000")
    await admin.next_message()
    await admin.send("20%")
    assert "Saved." in (await admin.next_message()).text

    await admin.send("/cost 12 users 4 years")
    messages, _chart = await answer_of(admin)
    text = "\n\n".join(message.text for message in messages)
    assert "Box CRM (Perpetual license) — 🏷 your own quote" in text
    # by hand: Box CRM 6,000 then 1,200 a year: 6,000 / 7,200 / 8,400 / 9,600 cumulative;
    # Zoho 12 x 23 x 12 = 3,312 a year: 3,312 / 6,624 / 9,936 / 13,248; Pipedrive 7,056 a year
    assert (
        "Box CRM, bought once, becomes cheaper in total than Zoho CRM Professional from year 3."
        in text
    )
    assert "Box CRM, bought once, costs less than Pipedrive Professional from the start." in text
    assert (
        "One price for the whole team: €6,000.00; renewal 20% of the price a year from year 2"
        in text
    )
