"""Organizations and people as a rep adds them from the phone: /new, ➕ Contact, shared
contacts and vCards, cards, edits with their history, delete and restore, who may do what."""

from __future__ import annotations

from crm import directory
from crm.activities import ActivityInput, log
from crm.directory import ContactInput, Kind
from storage.models import ActivityKind, Outcome
from storage.repositories import workspaces
from tests.e2e.directory_helpers import (
    add_contact,
    alert,
    contacts,
    edit_field,
    new_organization,
    new_person,
    organizations,
)

VCARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Kazlauskas;Jonas;;;\r\nFN:Jonas Kazlauskas\r\n"
    "ORG:Žalia giria\r\nTITLE:Buyer\r\nTEL;TYPE=CELL:+370 612 34567\r\n"
    "EMAIL:jonas@zalia.lt\r\nEND:VCARD\r\n"
)


async def test_organization_with_two_contacts_phones_and_emails_on_its_card(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    card = await new_organization(admin, 'ООО "Ромашка"')
    assert card.text.startswith('🏢 ООО "Ромашка"')
    assert '<b>ООО "Ромашка"</b>' in card.source_text.replace("&quot;", '"')
    card = await edit_field(admin, card, "➕ Phone", "8 (495) 123-45-67")
    card = await edit_field(admin, card, "➕ E-mail", "Info@Romashka.RU")
    card = await edit_field(admin, card, "Tax id", "7701 234-567")
    card = await add_contact(card, admin, "Иван Петров", "Director", "8 912 345 67 89")
    card = await add_contact(card, admin, "Anna Sidorova", "Accountant", None)

    assert "Tax id: 7701234567" in card.text
    assert "📞 +7 495 123-45-67" in card.text
    assert "✉️ info@romashka.ru" in card.text
    assert "• Anna Sidorova — Accountant" in card.text
    assert "• Иван Петров — Director, +7 912 345-67-89" in card.text
    org = (await organizations(bot))[0]
    assert card.callback_data[0] == [
        f"log:call:o:{org.id}",
        f"log:meeting:o:{org.id}",
        f"log:note:o:{org.id}",
    ]

    await admin.tap(card, "Иван Петров")
    person = await admin.next_message()
    assert person.text.splitlines()[:4] == [
        "👤 Иван Петров",
        "Director",
        '🏢 ООО "Ромашка"',
        "📞 +7 912 345-67-89",
    ]
    ivan = next(c for c in await contacts(bot) if c.full_name == "Иван Петров")
    assert f"log:call:c:{ivan.id}" in sum(person.callback_data, [])
    person = await edit_field(admin, person, "➕ E-mail", "ivan@romashka.ru")
    assert "✉️ ivan@romashka.ru" in person.text
    await admin.tap(person, 'ООО "Ромашка"')
    assert (await admin.next_message()).text.startswith('🏢 ООО "Ромашка"')


async def test_card_shows_activities_and_follow_ups_in_the_members_time_zone(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    card = await new_organization(admin, "Romashka")
    org = (await organizations(bot))[0]
    async with bot.database.transaction() as session:
        member = await workspaces.active_member_by_user(session, 1)
        await log(
            session,
            actor=member,
            data=ActivityInput(
                kind=ActivityKind.call,
                target=Kind.organization,
                target_id=org.id,
                outcome=Outcome.call_back,
                note="asked for the price list",
                follow_up_at=bot.clock.now.replace(day=26, hour=7),
            ),
            now=bot.clock.now,
        )
    await admin.tap(card, "Edit")
    await admin.tap(await admin.next_edit(), "« Back")
    card = await admin.next_edit()
    # 09:00 UTC is 12:00 in Moscow, the workspace's time zone
    assert "11/25/26, 12:00\u202fPM — Call, call back: asked for the price list" in card.text
    assert "⏰ 11/26/26, 10:00\u202fAM — asked for the price list" in card.text


async def test_similar_organization_is_asked_about_before_creating(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await new_organization(admin, 'ООО "Ромашка"')
    created = await new_organization(admin, "Romashka LLC")
    assert created.text.startswith("🏢 Romashka LLC")  # another alphabet is another name
    asked = await new_organization(admin, "ромашка, ооо")
    assert "similar" in asked.text and 'ООО "Ромашка" — same name' in asked.text
    assert [o.name for o in await organizations(bot)] == ['ООО "Ромашка"', "Romashka LLC"]

    # open the existing one instead: the flow ends, the next text is a search again
    await admin.tap(asked, 'ООО "Ромашка"')
    assert (await admin.next_message()).text.startswith('🏢 ООО "Ромашка"')
    assert len(await organizations(bot)) == 2

    asked = await new_organization(admin, "Ромашка")
    query = await admin.tap(asked, "Create anyway")
    assert (await admin.next_message()).text.startswith("🏢 Ромашка")
    assert len(await organizations(bot)) == 3
    # a double tap on "Create anyway" creates nothing more
    assert "no longer valid" in await alert(admin, await admin.tap(asked, "Create anyway"))
    assert (await admin.callback_answer(query)).get("text") == "Saved."
    assert len(await organizations(bot)) == 3


async def test_similar_person_is_asked_about_and_a_new_name_can_be_sent_instead(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await new_person(admin, "Pavel Orlov", "+7 912 000-11-22")
    asked = await new_person(admin, "P. Orlov", "89120001122")
    assert "Pavel Orlov — same phone" in asked.text
    await admin.send("Petr Orlov")  # a corrected name is checked again
    asked = await admin.next_message()
    assert "Pavel Orlov — same phone" in asked.text
    await admin.tap(asked, "Create anyway")
    person = await admin.next_message()
    assert person.text.startswith("👤 Petr Orlov")
    assert [c.full_name for c in await contacts(bot)] == ["Pavel Orlov", "Petr Orlov"]


async def test_shared_telegram_contact_becomes_a_private_person(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await admin.send_contact("79123456789", "Ivan", "Petrov")
    question = await admin.next_message()
    assert "Attach Ivan Petrov to an organization?" in question.text
    await admin.tap(question, "Private person")
    card = await admin.next_message()
    assert card.text.splitlines()[:2] == ["👤 Ivan Petrov", "📞 +7 912 345-67-89"]
    [ivan] = await contacts(bot)
    assert ivan.organization_id is None and ivan.owner_id is not None


async def test_shared_contact_with_a_known_phone_shows_the_card_first(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    org_card = await new_organization(admin, "Romashka")
    await add_contact(org_card, admin, "Ivan Petrov", "Buyer", "+7 912 345-67-89")
    await admin.send_contact("+7 (912) 345 67 89", "Ivan", "P.")
    existing = await admin.next_message()
    assert existing.text.startswith("👤 Ivan Petrov")
    asked = await admin.next_message()
    assert "Ivan Petrov — same phone" in asked.text
    await admin.tap(asked, "Create anyway")
    question = await admin.next_message()
    await admin.tap(question, "Find organization")
    assert "part of the organization's name" in (await admin.next_message()).text
    await admin.send("omash")
    choices = await admin.next_message()
    await admin.tap(choices, "Romashka")
    card = await admin.next_message()
    assert card.text.splitlines()[:2] == ["👤 Ivan P.", "🏢 Romashka"]
    assert len(await contacts(bot)) == 2


async def test_vcard_file_becomes_a_contact_of_the_organization_it_names(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await new_organization(admin, 'UAB "Žalia giria"')
    await admin.upload(VCARD.encode(), filename="Jonas.vcf")
    question = await admin.next_message()
    assert "Attach Jonas Kazlauskas" in question.text
    await admin.tap(question, "Žalia giria")  # suggested from the card's ORG
    card = await admin.next_message()
    assert card.text.splitlines() == [
        "👤 Jonas Kazlauskas",
        "Buyer",
        '🏢 UAB "Žalia giria"',
        "📞 +370 612 34567",
        "✉️ jonas@zalia.lt",
    ]


async def test_edit_clear_and_history(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    card = await new_organization(admin, "Romashka")
    card = await edit_field(admin, card, "Address", "Lenina 1, Moscow")
    assert "Address: Lenina 1, Moscow" in card.text
    card = await edit_field(admin, card, "Name", "Romashka Trade")
    assert card.text.startswith("🏢 Romashka Trade")
    card = await edit_field(admin, card, "➕ Phone", "+7 495 123-45-67, 8 912 345 67 89")
    assert "📞 +7 495 123-45-67\n📞 +7 912 345-67-89" in card.text

    # clear the address from its question; remove one phone
    await admin.tap(card, "Edit")
    await admin.tap(await admin.next_edit(), "Address")
    question = await admin.next_edit()
    assert "Now: Lenina 1, Moscow" in question.text
    await admin.tap(question, "Clear")
    card = await admin.next_edit()
    assert "Address" not in card.text
    await admin.tap(card, "Edit")
    await admin.tap(await admin.next_edit(), "➖ Phone")
    phones = await admin.next_edit()
    query = await admin.tap(phones, "+7 912 345-67-89")
    card = await admin.next_edit()
    assert "912" not in card.text and "+7 495 123-45-67" in card.text
    stale = await admin.tap_data(phones.message_id, _data(phones, "912"))
    assert "no longer on the card" in await alert(admin, stale)
    assert (await admin.callback_answer(query)).get("text") == "Removed."

    await admin.tap(card, "History")
    history = await admin.next_message()
    assert history.text.startswith("🕓 Changes of Romashka Trade:")
    lines = history.text.splitlines()[1:]
    assert lines[0].endswith("— Olga: removed phone +79123456789")
    assert lines[1].endswith("— Olga: address: Lenina 1, Moscow → —")
    assert lines[-1].endswith("— Olga: created")
    assert any("name: Romashka → Romashka Trade" in line for line in lines)
    assert any("added phone +74951234567, +79123456789" in line for line in lines)

    await admin.send("/history", reply_to=card)
    assert (await admin.next_message()).text == history.text
    await admin.send("/history")
    assert "Reply to a card" in (await admin.next_message()).text


async def test_invalid_values_are_asked_again(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    card = await new_organization(admin, "Romashka")
    await admin.tap(card, "Edit")
    await admin.tap(await admin.next_edit(), "➕ E-mail")
    await admin.next_edit()
    await admin.send("not an address")
    assert "does not look like an e-mail" in (await admin.next_message()).text
    await admin.send("sales@romashka.ru")
    assert "✉️ sales@romashka.ru" in (await admin.next_message()).text

    await admin.send("/new")
    await admin.tap(await admin.next_message(), "Person")
    await admin.next_message()
    await admin.send("Ivan")
    await admin.next_message()
    await admin.send("12")
    assert "could not read that phone number" in (await admin.next_message()).text
    await admin.send("+7 912 345 67 89")
    assert "position" in (await admin.next_message()).text


async def test_delete_trash_and_restore(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    rep = await bot.join(admin, bot.user(2, "Rimas"))
    card = await new_organization(admin, "Romashka")
    await admin.tap(card, "Delete")
    confirm = await admin.next_edit()
    assert confirm.text == "Delete Romashka? An admin can restore it from /trash."
    query = await admin.tap(confirm, "Yes, delete")
    assert "was deleted" in (await admin.next_edit()).text
    assert (await admin.callback_answer(query))["text"] == "Deleted."
    # a double tap, and the card's old buttons, find nothing to delete
    for stale in (_data(confirm, "Yes, delete"), _data(card, "Edit"), _data(card, "Contact")):
        assert "no longer exists" in await alert(
            admin, await admin.tap_data(card.message_id, stale)
        )
    await admin.send("romashka")
    assert (await admin.next_message()).text.startswith("Nothing found")

    await rep.send("/trash")
    assert (await rep.next_message()).text == "Only an admin can restore deleted cards."
    await admin.send("/trash")
    trash = await admin.next_message()
    assert "Romashka — deleted" in trash.text
    await admin.tap(trash, "Romashka")
    assert (await admin.next_edit()).text == "The trash is empty."
    assert (await admin.next_message()).text.startswith("🏢 Romashka")
    again = await admin.tap_data(trash.message_id, _data(trash, "Romashka"))
    assert "not in the trash" in await alert(admin, again)
    assert len(await organizations(bot)) == 1
    await admin.tap_data(card.message_id, _data(card, "History"))
    lines = (await admin.next_message()).text.splitlines()
    assert lines[1].endswith("Olga: restored") and lines[2].endswith("Olga: deleted")


async def test_a_rep_cannot_edit_or_delete_an_admins_organization(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    rep = await bot.join(admin, bot.user(2, "Rimas"))
    await new_organization(admin, "Romashka")
    org = (await organizations(bot))[0]
    await rep.send("Romashka")
    card = await rep.next_message()
    assert card.text.startswith("🏢 Romashka")  # everyone sees everything
    refused = "Only the card's owner, a manager or an admin can change this card."
    assert await alert(rep, await rep.tap(card, "Edit")) == refused
    assert await alert(rep, await rep.tap(card, "Delete")) == refused
    for forged in (f"edit:o:{org.id}:f:name", f"del:o:{org.id}:ok", f"edit:o:{org.id}:clr:note"):
        assert await alert(rep, await rep.tap_data(card.message_id, forged)) == refused, forged
    assert [(o.name, o.deleted_at) for o in await organizations(bot)] == [("Romashka", None)]

    # a contact person may still be added, and the rep's own cards are theirs to change
    card = await add_contact(card, rep, "Ivan", "Buyer", None)
    assert "• Ivan — Buyer" in card.text
    own = await new_organization(rep, "Lily")
    own = await edit_field(rep, own, "Website", "lily.example")
    assert "Website: lily.example" in own.text


async def test_stale_and_forged_taps_change_nothing(start_bot):
    async with start_bot(allow_new_workspaces=True) as bot:
        admin = await bot.onboard(bot.user(1, "Olga"))
        stranger = await bot.onboard(bot.user(3, "Eve"), company="Other Co")
        await new_organization(stranger, "Secret Ltd")
        secret = (await organizations(bot))[0]
        card = await new_organization(admin, "Romashka")
        for forged in (
            "card:o:abc",
            "card:x:1",
            "card:o",
            "edit:o:1:zzz",
            "edit:c:1:f:tax_id",
            "new:go:000000",
            "new:skip:000000:dups",
            "new:zzz",
            "del:o:1:maybe",
            "trash:o:-1",
            "hist:o:1:x",
        ):
            assert await alert(admin, await admin.tap_data(card.message_id, forged)), forged
        for other in (
            f"card:o:{secret.id}",
            f"edit:o:{secret.id}",
            f"del:o:{secret.id}:ok",
            f"hist:o:{secret.id}",
            f"new:add:{secret.id}",
        ):
            text = await alert(admin, await admin.tap_data(card.message_id, other))
            assert "no longer exists" in text, other
        await admin.expect_no_message(within=0.2)
        assert [(o.name, o.deleted_at) for o in await organizations(bot)] == [
            ("Secret Ltd", None),
            ("Romashka", None),
        ]


def _data(message, text: str) -> str:
    return message.button(text)["callback_data"]


async def test_each_flow_can_be_left_with_cancel(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))

    async def cancel():
        await admin.send("/cancel")
        assert (await admin.next_message()).text == "Cancelled."

    await admin.send("/new")
    await admin.tap(await admin.next_message(), "Organization")
    await admin.next_message()
    await cancel()
    card = await new_organization(admin, "Romashka")

    await admin.tap(card, "Contact")
    await admin.next_message()
    await cancel()
    await admin.tap(card, "Contact")
    await admin.next_message()
    await admin.send("Ivan")
    await admin.next_message()  # position
    await cancel()

    await admin.send("/new")
    await admin.tap(await admin.next_message(), "Person")
    await admin.next_message()
    await admin.send("Petr")
    await admin.next_message()  # phone
    await cancel()

    await new_organization(admin, "ROMASHKA")  # similar cards: asked
    await cancel()

    await admin.send_contact("+79123456789", "Anna")
    await admin.next_message()  # which organization
    await cancel()

    await admin.tap(card, "Edit")
    await admin.tap(await admin.next_edit(), "Website")
    await admin.next_edit()
    await cancel()

    # nothing was created, and plain text is a search again
    assert [o.name for o in await organizations(bot)] == ["Romashka"]
    assert await contacts(bot) == []
    await admin.send("Romashka")
    assert (await admin.next_message()).text.startswith("🏢 Romashka")


async def test_names_with_markup_characters_are_shown_as_typed(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    card = await new_organization(admin, "A&B <Tools>")
    assert card.text.startswith("🏢 A&B <Tools>")
    assert "<b>A&amp;B &lt;Tools&gt;</b>" in card.source_text
    asked = await new_organization(admin, "a&b tools")
    assert "A&B <Tools> — same name" in asked.text
    await admin.tap(asked, "Create anyway")
    await admin.next_message()
    await admin.send("/cancel")
    await admin.next_message()
    card = await edit_field(admin, card, "Note", "<i>call after 18:00</i> & ask for Anna")
    assert "📝 <i>call after 18:00</i> & ask for Anna" in card.text


async def test_a_contact_moves_between_organizations_and_loses_an_email(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await new_organization(admin, "Romashka")
    await new_organization(admin, "Lily")
    person = await new_person(admin, "Ivan Petrov")
    person = await edit_field(admin, person, "➕ E-mail", "ivan@mail.ru")
    await admin.tap(person, "Edit")
    await admin.tap(await admin.next_edit(), "Organization")
    assert "organization Ivan Petrov works at" in (await admin.next_edit()).text
    await admin.send("lil")
    choices = await admin.next_message()
    await admin.tap(choices, "Lily")
    person = await admin.next_edit()
    assert person.text.splitlines()[:2] == ["👤 Ivan Petrov", "🏢 Lily"]

    await admin.tap(person, "Edit")
    await admin.tap(await admin.next_edit(), "Organization")
    question = await admin.next_edit()
    await admin.tap(question, "Private person")
    person = await admin.next_edit()
    assert "🏢" not in person.text
    await admin.send("Romashka")  # the edit flow is over: text is a search again
    assert (await admin.next_message()).text.startswith("🏢 Romashka")

    await admin.tap(person, "Edit")
    await admin.tap(await admin.next_edit(), "➖ E-mail")
    await admin.tap(await admin.next_edit(), "ivan@mail.ru")
    person = await admin.next_edit()
    assert "✉️" not in person.text
    await admin.tap(person, "History")
    history = (await admin.next_message()).text
    assert "removed e-mail ivan@mail.ru" in history and "changed the organization" in history


async def test_a_vcard_file_with_several_contacts_adds_the_first(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    second = VCARD.replace("Jonas Kazlauskas", "Ona Kazlauskienė").replace("612 34567", "612 76543")
    await admin.upload((VCARD + second).encode(), filename="contacts.vcf")
    assert "2 contacts; I will add the first one, Jonas" in (await admin.next_message()).text
    question = await admin.next_message()
    await admin.tap(question, "Private person")
    assert (await admin.next_message()).text.startswith("👤 Jonas Kazlauskas")
    await admin.upload(b"hello", filename="empty.vcf")
    assert (await admin.next_message()).text == "I found no contact in this file."


async def test_a_large_organization_card_still_fits_in_a_message(bot):
    admin = await bot.onboard(bot.user(1, "Olga"))
    await new_organization(admin, "Romashka")
    [org] = await organizations(bot)
    async with bot.database.transaction() as session:
        member = await workspaces.active_member_by_user(session, 1)
        for number in range(40):
            await directory.create_contact(
                session,
                actor=member,
                data=ContactInput(
                    full_name=f"Person {number:02} " + "long name " * 25,
                    organization_id=org.id,
                    position="Head of a department with a long name " * 3,
                ),
                region="RU",
                now=bot.clock.now,
            )
    await admin.send("Romashka")
    card = await admin.next_message()
    assert card.text.startswith("🏢 Romashka") and len(card.text) <= 4096
    assert card.text.endswith("…and 20 more") and len(card.buttons) == 1 + 3 + 2
