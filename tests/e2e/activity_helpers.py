"""Shared by the call and follow-up tests: records made through the crm services in the bot's
database (as the card UI would), activities read back, buttons pressed by their data."""

from __future__ import annotations

from sqlmodel import col, select

from crm import directory
from crm.directory import ContactInput, OrganizationInput
from emulator.driver import BotMessage, FakeUser
from storage.models import Activity, Contact, Member, Organization
from storage.repositories import workspaces


async def member_of(bot, user: FakeUser) -> Member:
    async with bot.database.transaction() as session:
        return await workspaces.active_member_by_user(session, user.user_id)


async def add_organization(bot, user: FakeUser, name: str, **fields) -> Organization:
    actor = await member_of(bot, user)
    async with bot.database.transaction() as session:
        return await directory.create_organization(
            session,
            actor=actor,
            data=OrganizationInput(name=name, **fields),
            region="RU",
            now=bot.clock(),
        )


async def add_contact(bot, user: FakeUser, name: str, **fields) -> Contact:
    actor = await member_of(bot, user)
    async with bot.database.transaction() as session:
        return await directory.create_contact(
            session,
            actor=actor,
            data=ContactInput(full_name=name, **fields),
            region="RU",
            now=bot.clock(),
        )


async def all_activities(bot, *, deleted: bool = False) -> list[Activity]:
    async with bot.database.transaction() as session:
        statement = select(Activity).order_by(col(Activity.id))
        if not deleted:
            statement = statement.where(col(Activity.deleted_at).is_(None))
        return list((await session.exec(statement)).all())


async def contacts(bot) -> list[Contact]:
    async with bot.database.transaction() as session:
        return list((await session.exec(select(Contact).order_by(col(Contact.id)))).all())


def data_of(message: BotMessage, prefix: str) -> str:
    """The callback data of the one button whose data starts with `prefix` (language-proof:
    texts change with the translations, data does not)."""
    found = [d for row in message.callback_data for d in row if d and d.startswith(prefix)]
    assert len(found) == 1, (prefix, message.callback_data)
    return found[0]


async def press(user: FakeUser, message: BotMessage, prefix: str) -> str:
    """Tap the button whose callback data starts with `prefix`; returns the query id."""
    return await _tap(user, message, data_of(message, prefix))


def step_data(message: BotMessage, step: str, value: str = "") -> str:
    """A walk-through button: lw:<walk>:<step>:<value>."""
    found = [
        d
        for row in message.callback_data
        for d in row
        if d and d.split(":")[2:3] == [step] and d.endswith(f":{value}" if value else "")
    ]
    assert found, (step, value, message.callback_data)
    return found[0]


async def answer(user: FakeUser, message: BotMessage, step: str, value: str = "") -> str:
    """Answer a walk-through question with its button for `value`."""
    return await _tap(user, message, step_data(message, step, value))


async def _tap(user: FakeUser, message: BotMessage, data: str) -> str:
    for r, row in enumerate(message.callback_data):
        for c, item in enumerate(row):
            if item == data:
                return await user.tap(message, (r, c))
    raise AssertionError(data)
