"""What the directory and search tests do again and again: add cards, edit fields, count rows."""

from __future__ import annotations

from sqlmodel import select

from emulator.driver import BotMessage, FakeUser
from storage.models import Contact, Organization


async def new_organization(user: FakeUser, name: str) -> BotMessage:
    """/new → Organization → name; returns what the bot answered last (the card, or the
    similar cards it asks about)."""
    await user.send("/new")
    await user.tap(await user.next_message(), "Organization")
    assert "organization's name" in (await user.next_message()).text
    await user.send(name)
    return await user.next_message()


async def new_person(user: FakeUser, name: str, phone: str | None = None) -> BotMessage:
    """/new → Person → name → phone (or Skip) → Skip the position."""
    await user.send("/new")
    await user.tap(await user.next_message(), "Person")
    await user.next_message()
    await user.send(name)
    question = await user.next_message()
    if phone is None:
        await user.tap(question, "Skip")
    else:
        await user.send(phone)
    await user.tap(await user.next_message(), "Skip")  # position
    return await user.next_message()


async def add_contact(
    org_card: BotMessage, user: FakeUser, name: str, position: str, phone: str | None
) -> BotMessage:
    """➕ Contact on an organization's card; returns the organization's card shown after."""
    await user.tap(org_card, "Contact")
    await user.next_message()
    await user.send(name)
    await user.tap(await user.next_message(), position)
    question = await user.next_message()
    if phone is None:
        await user.tap(question, "Skip")
    else:
        await user.send(phone)
    return await user.next_message()


async def edit_field(user: FakeUser, card: BotMessage, field: str, value: str) -> BotMessage:
    """✏️ Edit → field → value; returns the card shown again."""
    await user.tap(card, "Edit")
    menu = await user.next_edit()
    await user.tap(menu, field)
    await user.next_edit()  # the question, in place of the menu
    await user.send(value)
    return await user.next_message()


async def organizations(bot, *, deleted: bool = False) -> list[Organization]:
    async with bot.database.transaction() as session:
        rows = (await session.exec(select(Organization).order_by(Organization.id))).all()
    return [r for r in rows if (r.deleted_at is not None) == deleted]


async def contacts(bot) -> list[Contact]:
    async with bot.database.transaction() as session:
        return list((await session.exec(select(Contact).order_by(Contact.id))).all())


async def alert(user: FakeUser, query_id: str) -> str:
    """The text of an alert the bot answered a tap with (fails when it was no alert)."""
    answer = await user.callback_answer(query_id)
    assert answer.get("show_alert"), answer
    return answer["text"]
