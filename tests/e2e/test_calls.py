"""/call, /meeting and /note: in one message or step by step, and fixing what was logged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm import settings, team
from crm.team import Person, WorkspaceDefaults
from storage.models import ActivityKind, Direction, Outcome
from storage.repositories import workspaces
from tests.e2e.activity_helpers import (
    add_contact,
    add_organization,
    all_activities,
    answer,
    contacts,
    data_of,
    member_of,
    press,
    step_data,
)

TOMORROW_10_MOSCOW = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # the clock starts 25.11 12:00 MSK


def plain(text: str) -> str:
    return text.replace("\u202f", " ")  # babel puts a narrow no-break space before AM/PM


async def _anna_with_ivan(bot, **user):
    anna = await bot.onboard(bot.user(1, "Anna", **user))
    org = await add_organization(bot, anna, "Romashka")
    ivan = await add_contact(
        bot, anna, "Ivan Petrov", organization_id=org.id, phones=["+7 912 345-67-89"]
    )
    return anna, org, ivan


async def test_one_message_call_with_one_match_is_logged_at_once(bot):
    anna, org, ivan = await _anna_with_ivan(bot)
    await anna.send("/call Petrov discussed prices, call back tomorrow 10:00")
    logged = await anna.next_message()
    text = plain(logged.text)
    assert text.startswith("📞 Call with Ivan Petrov (Romashka)"), text
    assert "Outcome: talked" in text and "Note: discussed prices" in text
    assert "Follow-up: Thu, Nov 26, 10:00 AM" in text  # in the workspace's zone, Moscow
    [call] = await all_activities(bot)
    assert (call.kind, call.contact_id, call.organization_id) == (
        ActivityKind.call,
        ivan.id,
        org.id,
    )
    assert (call.outcome, call.note) == (Outcome.talked, "discussed prices")
    assert call.follow_up_at == TOMORROW_10_MOSCOW
    assert data_of(logged, "card:") == f"card:c:{ivan.id}"  # opens the card (handlers.cards)


async def test_the_logged_call_is_fixed_with_its_buttons_and_undone(bot):
    anna, _, _ = await _anna_with_ivan(bot)
    await anna.send("/call Petrov no answer")
    logged = await anna.next_message()
    assert "Outcome: no answer" in logged.text and "Follow-up: none" in logged.text

    await anna.tap(logged, "✏️ Outcome")
    choices = await anna.next_edit()
    await anna.tap(choices, "busy")
    logged = await anna.next_edit()
    assert "Outcome: busy" in logged.text

    await anna.tap(logged, "⏰ Set follow-up")
    choices = await anna.next_edit()
    await anna.tap(choices, "Tomorrow")
    logged = await anna.next_edit()
    assert "Follow-up: Thu, Nov 26, 9:00" in plain(logged.text)
    [call] = await all_activities(bot)
    assert call.outcome == Outcome.busy
    assert call.follow_up_at == TOMORROW_10_MOSCOW - timedelta(hours=1)

    await anna.tap(logged, "⏰ Change follow-up")
    choices = await anna.next_edit()
    await anna.tap(choices, "✍️ Type a date")
    assert "When to follow up?" in (await anna.next_message()).text
    await anna.send("someday")
    assert "could not understand" in (await anna.next_message()).text
    await anna.send("25.12 14:00")
    logged = await anna.next_message()
    assert "Follow-up: Fri, Dec 25, 2:00 PM" in plain(logged.text)

    await anna.tap(logged, "🚫 No follow-up")
    logged = await anna.next_edit()
    assert "Follow-up: none" in logged.text
    assert (await all_activities(bot))[0].follow_up_at is None

    query = await anna.tap(logged, "↩️ Undo")
    assert (await anna.callback_answer(query))["text"] == "Deleted."
    undone = await anna.next_edit()
    assert "Deleted: nothing is logged" in undone.text and not undone.buttons
    assert await all_activities(bot) == []
    query = await anna.tap_data(undone.message_id, data_of(logged, "act:undo:"))
    assert "no longer exists" in (await anna.callback_answer(query))["text"]


async def test_several_matches_are_offered_and_the_chosen_one_is_logged(bot):
    anna, org, ivan = await _anna_with_ivan(bot)
    other = await add_contact(bot, anna, "Ivan Sidorov")
    await anna.send("/call Ivan busy, call back in 3 days")
    choice = await anna.next_message()
    assert "Several found for “Ivan”" in choice.text
    assert "👤 Ivan Petrov · Romashka" in str(choice.buttons)
    await anna.tap(choice, "👤 Ivan Sidorov")
    assert "Ivan Sidorov" in (await anna.next_edit()).text
    logged = await anna.next_message()
    assert "Call with Ivan Sidorov" in logged.text and "Outcome: busy" in logged.text
    [call] = await all_activities(bot)
    assert (call.contact_id, call.outcome) == (other.id, Outcome.busy)
    assert call.follow_up_at == datetime(2026, 11, 28, 6, 0, tzinfo=UTC)  # 09:00 Moscow
    petrov = next(d for row in choice.callback_data for d in row if d.endswith(f":{ivan.id}"))
    late = await anna.tap_data(choice.message_id, petrov)
    assert "no longer valid" in (await anna.callback_answer(late))["text"]  # the walk is over
    assert len(await all_activities(bot)) == 1


async def test_no_one_found_creates_a_private_person_and_logs_the_call(bot):
    anna, _, _ = await _anna_with_ivan(bot)
    await anna.send("/call Sidorov, agreed on a demo")
    nothing = await anna.next_message()
    assert "No one found for “Sidorov”" in nothing.text
    await anna.tap(nothing, "🔎 Search again")
    assert "Send a name or a phone number" in (await anna.next_message()).text
    await anna.tap(nothing, "➕ New person “Sidorov”")
    await anna.next_edit()
    logged = await anna.next_message()
    assert "Call with Sidorov" in logged.text and "Note: agreed on a demo" in logged.text
    people = {c.full_name: c for c in await contacts(bot)}
    assert people["Sidorov"].organization_id is None
    [call] = await all_activities(bot)
    assert call.contact_id == people["Sidorov"].id and call.note == "agreed on a demo"


async def test_an_unknown_phone_becomes_a_person_with_that_phone(bot):
    anna = await bot.onboard(bot.user(1, "Anna"))
    await anna.send("/call 8 916 000-11-22 no answer")
    nothing = await anna.next_message()
    assert "No one found for “8 916 000-11-22”" in nothing.text
    await anna.tap(nothing, "➕ New person")
    await anna.next_edit()
    logged = await anna.next_message()
    assert "Outcome: no answer" in logged.text
    [person] = await contacts(bot)
    assert person.full_name == "8 916 000-11-22" and "79160001122" in person.search_text


async def test_a_phone_in_another_format_finds_the_person(bot):
    anna, _, ivan = await _anna_with_ivan(bot)
    await anna.send("/call 8 (912) 3456789 no answer")
    logged = await anna.next_message()
    assert "Call with Ivan Petrov" in logged.text and "Outcome: no answer" in logged.text
    [call] = await all_activities(bot)
    assert (call.contact_id, call.outcome) == (ivan.id, Outcome.no_answer)


async def test_walk_through_in_russian_with_a_typed_follow_up(bot):
    anna, _, ivan = await _anna_with_ivan(bot, language_code="ru")
    await anna.send("/call")
    await anna.next_message()  # whom did you call?
    await anna.send("Петров")  # not found: the contact is written in Latin letters
    nothing = await anna.next_message()
    assert "Петров" in nothing.text
    await anna.send("Petrov")
    outcome = await anna.next_message()
    assert "Ivan Petrov" in outcome.text
    await anna.send("поговорили")  # a button step: the question comes again
    await anna.next_message()
    outcome = await anna.next_message()
    await answer(anna, outcome, "outcome", "talked")
    assert (await anna.next_edit()).buttons == []
    direction = await anna.next_message()
    await answer(anna, direction, "direction", "out")
    await anna.next_edit()
    duration = await anna.next_message()
    await answer(anna, duration, "duration", "5")
    await anna.next_edit()
    await anna.next_message()  # anything to note?
    await anna.send("обсудили цены")
    follow_up = await anna.next_message()
    await anna.send("когда-нибудь потом")
    assert "25.12 14:00" in (await anna.next_message()).text  # what it understands
    await anna.next_message()  # and the question again
    await anna.send("завтра в 10")
    logged = await anna.next_message()
    assert "26 нояб., 10:00" in logged.text, logged.text
    [call] = await all_activities(bot)
    assert (call.contact_id, call.outcome, call.direction) == (
        ivan.id,
        Outcome.talked,
        Direction.outgoing,
    )
    assert (call.duration_seconds, call.note) == (300, "обсудили цены")
    assert call.follow_up_at == TOMORROW_10_MOSCOW
    query = await answer(anna, follow_up, "follow_up", "none")  # a late tap on a finished walk
    assert "больше не действует" in (await anna.callback_answer(query))["text"]
    assert len(await all_activities(bot)) == 1


async def test_walk_through_in_lithuanian_in_the_members_time_zone(bot):
    anna, _, ivan = await _anna_with_ivan(bot, language_code="lt")
    async with bot.database.transaction() as session:
        member = await workspaces.active_member_by_user(session, anna.user_id)
        await settings.set_member_timezone(session, member=member, value="Europe/Vilnius")
    await anna.send("/call +79123456789")  # only whom: the rest is asked
    outcome = await anna.next_message()
    await answer(anna, outcome, "outcome", "talked")
    await anna.next_edit()
    await answer(anna, await anna.next_message(), "direction", "in")
    await anna.next_edit()
    await anna.next_message()  # how long?
    await anna.send("penki")
    assert "minučių skaičių" in (await anna.next_message()).text  # asked again, in Lithuanian
    await anna.send("12 min")
    await answer(anna, await anna.next_message(), "note", "skip")
    await anna.next_edit()
    await anna.next_message()  # when to follow up?
    await anna.send("rytoj 10:00")
    logged = await anna.next_message()
    assert "10:00" in logged.text
    [call] = await all_activities(bot)
    assert (call.contact_id, call.direction, call.duration_seconds, call.note) == (
        ivan.id,
        Direction.incoming,
        720,
        None,
    )
    assert call.follow_up_at == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # 10:00 in Vilnius


async def test_a_cards_button_starts_the_walk_at_the_outcome(bot):
    anna, org, ivan = await _anna_with_ivan(bot)
    await anna.send("/help")
    any_message = await anna.next_message()
    await anna.tap_data(any_message.message_id, f"log:call:c:{ivan.id}")
    outcome = await anna.next_message()
    assert "Call with Ivan Petrov (Romashka)" in outcome.text and "How did it go?" in outcome.text
    await answer(anna, outcome, "outcome", "no_answer")  # nobody talked: straight to the note
    await anna.next_edit()
    note = await anna.next_message()
    assert "Anything to note?" in note.text
    await anna.send("left a message")
    follow_up = await anna.next_message()
    await answer(anna, follow_up, "follow_up", "1h")
    await anna.next_edit()
    logged = await anna.next_message()
    assert "Outcome: no answer · outgoing" in logged.text
    [call] = await all_activities(bot)
    assert call.follow_up_at == bot.clock() + timedelta(hours=1)

    await anna.tap_data(any_message.message_id, f"log:meeting:o:{org.id}")
    duration = await anna.next_message()
    assert "Meeting with Romashka" in duration.text


async def test_buttons_for_missing_or_foreign_cards_and_forged_data_change_nothing(bot):
    anna, _, _ = await _anna_with_ivan(bot)
    async with bot.database.transaction() as session:
        _, eve = await team.create_workspace(
            session,
            name="Other",
            owner=Person(99, "Eve"),
            defaults=WorkspaceDefaults("en", "RU", "UTC", "EUR"),
            hosted=True,
        )
    foreign = await add_contact(bot, bot.user(99, "Eve"), "Their client")
    await anna.send("/help")
    message = await anna.next_message()
    for data, expected in [
        (f"log:call:c:{foreign.id}", "no longer exists"),
        ("log:call:c:999999", "no longer exists"),
        ("log:dance:c:1", "no longer valid"),
        ("log:call:x:1", "no longer valid"),
        ("act:undo:abc", "no longer valid"),
        ("act:os:1:nonsense", "no longer valid"),
        ("fu:snz:1:forever", "no longer valid"),
        ("lw:abc:who:contact:1", "no longer valid"),
    ]:
        query = await anna.tap_data(message.message_id, data)
        assert expected in (await anna.callback_answer(query))["text"], data
    assert await all_activities(bot) == []
    assert eve.workspace_id != (await member_of(bot, anna)).workspace_id


async def test_meeting_and_note(bot):
    anna, _, ivan = await _anna_with_ivan(bot)
    await anna.send("/meeting")
    assert "Whom did you meet?" in (await anna.next_message()).text
    await anna.send("Romashka")
    duration = await anna.next_message()
    assert "Meeting with Romashka" in duration.text
    await answer(anna, duration, "duration", "60")
    await anna.next_edit()
    await anna.next_message()
    await anna.send("Presented the new catalogue")
    await answer(anna, await anna.next_message(), "follow_up", "1w")
    await anna.next_edit()
    logged = await anna.next_message()
    assert "Meeting with Romashka" in logged.text and "60 min" in logged.text
    assert "Outcome" not in logged.buttons

    await anna.send("/note Petrov busy with the budget, prefers e-mail")
    logged = await anna.next_message()
    assert "Note about Ivan Petrov" in logged.text
    assert "Note: busy with the budget, prefers e-mail" in logged.text
    meeting, note = await all_activities(bot)
    assert (meeting.kind, meeting.duration_seconds, meeting.outcome) == (
        ActivityKind.meeting,
        3600,
        None,
    )
    assert meeting.follow_up_at == datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    assert (note.kind, note.contact_id, note.outcome) == (ActivityKind.note, ivan.id, None)

    await anna.send("/note")
    await anna.next_message()
    await anna.send("Ivan Petrov")
    note_question = await anna.next_message()
    assert "Send the note." in note_question.text and not note_question.buttons


async def test_cancel_leaves_the_walk_through(bot):
    anna, _, _ = await _anna_with_ivan(bot)
    await anna.send("/call Petrov")
    outcome = await anna.next_message()
    await answer(anna, outcome, "outcome", "talked")
    await anna.next_edit()
    await anna.next_message()
    await anna.send("/cancel")
    assert (await anna.next_message()).text == "Cancelled."
    await anna.send("/cancel")
    assert (await anna.next_message()).text == "There is nothing to cancel."
    assert await all_activities(bot) == []


async def test_only_the_author_or_a_manager_may_change_a_logged_call(bot):
    olga = await bot.onboard(bot.user(1, "Olga"))
    rimas = await bot.join(olga, bot.user(2, "Rimas"))
    petras = await bot.join(olga, bot.user(3, "Petras"))
    await add_contact(bot, olga, "Ivan Petrov")
    await rimas.send("/call Petrov talked, call back tomorrow")
    logged = await rimas.next_message()
    [call] = await all_activities(bot)

    await petras.send("/help")
    elsewhere = await petras.next_message()
    for data in (f"act:undo:{call.id}", f"act:fr:{call.id}", f"act:os:{call.id}:busy"):
        query = await petras.tap_data(elsewhere.message_id, data)
        assert "colleague's entry" in (await petras.callback_answer(query))["text"]
    [unchanged] = await all_activities(bot)
    assert (unchanged.outcome, unchanged.follow_up_at) == (call.outcome, call.follow_up_at)

    await olga.send("/help")
    admin_message = await olga.next_message()
    await olga.tap_data(admin_message.message_id, data_of(logged, "act:undo:"))
    await olga.next_edit()
    assert await all_activities(bot) == []
    query = await press(rimas, logged, "act:undo:")
    assert "no longer exists" in (await rimas.callback_answer(query))["text"]


async def test_a_double_tap_on_the_last_answer_logs_once(bot):
    anna, _, ivan = await _anna_with_ivan(bot)
    await anna.send("/meeting Petrov")
    duration = await anna.next_message()
    await answer(anna, duration, "duration", "skip")
    await anna.next_edit()
    await answer(anna, await anna.next_message(), "note", "skip")
    await anna.next_edit()
    follow_up = await anna.next_message()
    first = await answer(anna, follow_up, "follow_up", "none")
    second = await anna.tap_data(follow_up.message_id, step_data(follow_up, "follow_up", "none"))
    assert (await anna.callback_answer(first)).get("text") is None
    assert "no longer valid" in (await anna.callback_answer(second))["text"]
    assert "Meeting with Ivan Petrov" in (await anna.wait_for(lambda m: "saved" in m.text)).text
    assert [a.contact_id for a in await all_activities(bot)] == [ivan.id]


async def test_cancel_while_choosing_whom(bot):
    anna, _, _ = await _anna_with_ivan(bot)
    await add_contact(bot, anna, "Ivan Sidorov")
    await anna.send("/call Ivan talked")
    choice = await anna.next_message()
    await anna.send("/cancel")
    assert (await anna.next_message()).text == "Cancelled."
    query = await anna.tap(choice, "👤 Ivan Sidorov")
    assert "no longer valid" in (await anna.callback_answer(query))["text"]
    assert await all_activities(bot) == []
