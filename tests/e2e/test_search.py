"""/find and plain text: name fragments, phones in any format, runs of digits, tax ids,
e-mails; one result opens its card, several come as buttons, none offers to create."""

from __future__ import annotations

from tests.e2e.directory_helpers import (
    add_contact,
    alert,
    contacts,
    edit_field,
    new_organization,
    new_person,
    organizations,
)


async def _directory(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    card = await new_organization(admin, 'ООО "Ромашка"')
    card = await edit_field(admin, card, "Tax id", "7701234567")
    card = await edit_field(admin, card, "➕ E-mail", "info@romashka.ru")
    card = await edit_field(admin, card, "➕ Phone", "8 (495) 123-45-67")
    await add_contact(card, admin, "Иван Петров", "Buyer", "8 912 345 67 89")
    await new_organization(admin, "Lily Flowers LLC")
    await new_person(admin, "Petr Lilov")
    return admin


async def _find(user, text: str):
    await user.send(text)
    return await user.next_message()


async def test_find_by_name_fragment_ignoring_case_quotes_and_legal_forms(bot):
    admin = await _directory(bot)
    for query in ("/find ромаш", "/find РОМАШКА", "/find «Ромашка»", "/find ромашка, ооо"):
        found = await _find(admin, query)
        assert found.text.startswith('🏢 ООО "Ромашка"'), query
    found = await _find(admin, "/find lily")
    assert found.text.startswith("🏢 Lily Flowers LLC")


async def test_find_by_phone_in_another_format_and_by_a_run_of_digits(bot):
    admin = await _directory(bot)
    for query in ("/find +7 (495) 123 45 67", "/find 84951234567", "/find 495-123"):
        assert (await _find(admin, query)).text.startswith('🏢 ООО "Ромашка"'), query
    for query in ("/find +79123456789", "/find 912 345", "/find 8-912-345-67-89"):
        assert (await _find(admin, query)).text.startswith("👤 Иван Петров"), query
    both = await _find(admin, "/find 34567")  # in the org's number and in Ivan's
    assert both.text == "Found 2:"
    assert both.buttons == [['🏢 ООО "Ромашка"'], ['👤 Иван Петров · ООО "Ромашка"']]
    await admin.tap(both, "Иван")
    assert (await admin.next_message()).text.startswith("👤 Иван Петров")


async def test_find_by_tax_id_and_email(bot):
    admin = await _directory(bot)
    assert (await _find(admin, "/find 7701234567")).text.startswith('🏢 ООО "Ромашка"')
    assert (await _find(admin, "/find Info@Romashka.RU")).text.startswith('🏢 ООО "Ромашка"')


async def test_plain_text_is_a_search_with_organizations_first(bot):
    admin = await _directory(bot)
    found = await _find(admin, "lil")
    assert found.text == "Found 2:"
    assert found.buttons == [["🏢 Lily Flowers LLC"], ["👤 Petr Lilov"]]
    assert (await _find(admin, "ромашка")).text.startswith('🏢 ООО "Ромашка"')
    assert (await _find(admin, "x")).text == "Send at least two characters to search."


async def test_find_without_text_asks_what_to_find(bot):
    admin = await _directory(bot)
    assert "What should I find?" in (await _find(admin, "/find")).text
    assert (await _find(admin, "Petr")).text.startswith("👤 Petr Lilov")
    assert "What should I find?" in (await _find(admin, "/find")).text
    assert (await _find(admin, "/cancel")).text == "Cancelled."


async def test_nothing_found_offers_to_create_it(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    nothing = await _find(admin, "Vasilek")
    assert nothing.text == "Nothing found for “Vasilek”."
    await admin.tap(nothing, "New organization")
    assert (await admin.next_message()).text.startswith("🏢 Vasilek")
    assert [o.name for o in await organizations(bot)] == ["Vasilek"]
    # the button did its job: a second tap is stale
    assert "no longer valid" in await alert(admin, await admin.tap(nothing, "New person"))

    nothing = await _find(admin, "/find +7 912 000 11 22")
    assert nothing.buttons == [["👤 New person with this phone"]]
    await admin.tap(nothing, "New person")
    assert "full name" in (await admin.next_message()).text
    await admin.send("Pavel Orlov")
    await admin.tap(await admin.next_message(), "Skip")  # position
    card = await admin.next_message()
    assert card.text.splitlines()[:2] == ["👤 Pavel Orlov", "📞 +7 912 000-11-22"]
    assert [c.full_name for c in await contacts(bot)] == ["Pavel Orlov"]


async def test_a_newer_search_makes_older_create_buttons_stale(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    first = await _find(admin, "Vasilek")
    await _find(admin, "Romashka")
    assert "no longer valid" in await alert(admin, await admin.tap(first, "New organization"))
    assert await organizations(bot) == []


async def test_find_question_that_finds_nothing_still_offers_to_create(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await _find(admin, "/find")
    nothing = await _find(admin, "Vasilek")
    assert nothing.text == "Nothing found for “Vasilek”."
    await admin.tap(nothing, "New person")
    assert "phone number of Vasilek" in (await admin.next_message()).text
