"""The import's flow state: one preview per chat, known by its nonce, and `Job`, what a
background task needs to know about the member to read, import and answer."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from crm.i18n import Translator
from handlers import flows
from handlers.context import CrmContext, Services
from handlers.records import region
from storage.models import ChatState
from storage.repositories import chat_state

log = logging.getLogger(__name__)

PREFIX = "imp"
IMPORT = flows.flow("import", {})  # no typed steps: everything is a button
READING, PREVIEW, RUNNING = "reading", "preview", "running"


def is_run(state: ChatState | None, run: str) -> bool:
    """Whether the chat's flow is still the import preview with this nonce."""
    return state is not None and state.flow == IMPORT and state.data.get("n") == run


def current(ctx: CrmContext, run: str, *steps: str) -> dict | None:
    """A copy of this preview's flow data, or None when the flow is another one, another
    preview's, or (with `steps`) at another step."""
    state = ctx.unit.state
    if not is_run(state, run):
        return None
    if steps and state.step not in steps:
        return None
    return dict(state.data)


@dataclass(frozen=True)
class Job:
    application: Application
    chat_id: int
    user_id: int
    member_id: int
    workspace_id: int
    region: str
    translator: Translator
    run: str

    @classmethod
    def of(cls, update: Update, ctx: CrmContext, run: str) -> Job:
        return cls(
            application=ctx.application,
            chat_id=update.effective_chat.id,
            user_id=update.effective_user.id,
            member_id=ctx.member.id,
            workspace_id=ctx.member.workspace_id,
            region=region(ctx),
            translator=ctx.t,
            run=run,
        )

    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]

    async def edit(self, message_id: int, text: str, markup=None) -> None:
        try:
            await self.application.bot.edit_message_text(
                text, chat_id=self.chat_id, message_id=message_id, reply_markup=markup
            )
        except TelegramError as error:  # "not modified", a deleted message, a blocked bot
            log.warning("could not edit import message %s: %s", message_id, error)

    def spawn(self, coroutine: Awaitable[Any], what: str) -> None:
        self.application.create_task(coroutine, name=f"import-{what}-{self.chat_id}")

    async def save(self, step: str, **changes: Any) -> bool:
        """Update the flow (only while it is still this preview's)."""
        async with self.services.database.transaction() as session:
            state = await chat_state.get(session, chat_id=self.chat_id, user_id=self.user_id)
            if not is_run(state, self.run):
                return False
            await chat_state.put(
                session,
                chat_id=self.chat_id,
                user_id=self.user_id,
                flow=IMPORT,
                step=step,
                data={**state.data, **changes},
            )
            return True

    async def finish(self) -> None:
        async with self.services.database.transaction() as session:
            state = await chat_state.get(session, chat_id=self.chat_id, user_id=self.user_id)
            if is_run(state, self.run):
                await chat_state.clear(session, chat_id=self.chat_id, user_id=self.user_id)

    async def fail(self, message_id: int, text: str) -> None:
        """End the flow and say why in the status message."""
        await self.finish()
        await self.edit(message_id, text)


def after_commit(ctx: CrmContext, job: Job, make: Callable[[], Awaitable[None]], what: str) -> None:
    """Start a background task once the update's transaction is committed (the task reads
    the flow state the update wrote); nothing starts when the update fails."""

    async def start() -> None:
        job.spawn(make(), what)

    ctx.unit.outbox.append(start)
