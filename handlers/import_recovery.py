"""At start: imports a killed process left half-way are marked failed (their writes were rolled
back with its transaction), and whoever started them is told, in their language."""

from __future__ import annotations

import html
import logging

from telegram.error import TelegramError
from telegram.ext import Application

from crm.importing.service import fail_interrupted
from handlers.context import Services
from handlers.imports import IMPORT
from storage.repositories import chat_state
from storage.repositories import workspaces as members

log = logging.getLogger(__name__)


async def tell_interrupted(application: Application) -> int:
    services: Services = application.bot_data["services"]
    batches = await fail_interrupted(services.database, now=services.clock())
    messages = []
    async with services.database.transaction() as session:
        for batch in batches:
            member = batch.member_id and await members.get_member(
                session, workspace_id=batch.workspace_id, member_id=batch.member_id
            )
            if not member:
                continue
            user = member.telegram_user_id
            state = await chat_state.get(session, chat_id=user, user_id=user)
            if state is not None and state.flow == IMPORT:
                await chat_state.clear(session, chat_id=user, user_id=user)
            workspace = await members.get_workspace(session, batch.workspace_id)
            _ = services.catalogs.for_member(member, workspace)
            messages.append(
                (
                    user,
                    _(
                        "The import of {file} was interrupted because the bot stopped. "
                        "Nothing from it was saved. Please send the file again."
                    ).format(file=html.escape(batch.file_name)),
                )
            )
    for user, text in messages:
        try:
            await application.bot.send_message(user, text)
        except TelegramError as error:
            log.warning("could not tell member about interrupted import: %s", error)
    return len(batches)
