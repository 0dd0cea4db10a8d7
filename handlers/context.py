"""The typed context every handler receives, and the per-update unit of work behind it.

One database transaction per update. What the bot says is queued in an outbox and sent after
the commit, so a change that rolls back never produces a message that claims it happened, and
on SQLite the write lock is not held while we talk to Telegram.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, ExtBot

from crm.activities import REMINDER_LEASE
from crm.i18n import Catalogs, Translator
from crm.team import WorkspaceDefaults
from storage.db import Database
from storage.models import ChatState, Member, Workspace

log = logging.getLogger(__name__)

Effect = Callable[[], Awaitable[Any]]


@dataclass
class Options:
    """What handlers need to know of the configuration (handlers never import `bot/`)."""

    workspace_defaults: WorkspaceDefaults
    default_locale: str = "en"
    allow_new_workspaces: bool = False
    invite_ttl: timedelta = timedelta(days=7)
    reminder_interval: timedelta = timedelta(seconds=30)
    reminder_lease: timedelta = REMINDER_LEASE  # a crashed claimer's reminder is claimed again
    digest_interval: timedelta = timedelta(seconds=60)


@dataclass
class Services:
    """Long-lived collaborators, built once by the composition root (`bot.app`)."""

    database: Database
    catalogs: Catalogs
    options: Options
    clock: Callable[[], datetime]


@dataclass
class UnitOfWork:
    session: AsyncSession
    translator: Translator
    member: Member | None = None
    workspace: Workspace | None = None
    state: ChatState | None = None
    failed: bool = False
    outbox: list[Effect] = field(default_factory=list)
    answered_query: bool = False

    async def deliver(self) -> None:
        for effect in self.outbox:
            try:
                await effect()
            except TelegramError as error:  # e.g. the user blocked the bot: nothing to undo
                log.warning("could not deliver a message: %s", error)
        self.outbox.clear()


CURRENT_UNIT: ContextVar[UnitOfWork | None] = ContextVar("current_unit", default=None)


class CrmContext(CallbackContext[ExtBot, dict, dict, dict]):
    """`ctx.session`, `ctx.member`, `ctx.t` and reply helpers that go through the outbox."""

    update: Update | None = None

    @classmethod
    def from_update(cls, update: object, application: Application) -> CrmContext:
        context = super().from_update(update, application)
        context.update = update if isinstance(update, Update) else None
        return context

    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]

    @property
    def unit(self) -> UnitOfWork:
        unit = CURRENT_UNIT.get()
        if unit is None:
            raise RuntimeError("no unit of work: this code runs outside an update")
        return unit

    @property
    def session(self) -> AsyncSession:
        return self.unit.session

    @property
    def member(self) -> Member:
        member = self.unit.member
        if member is None:
            raise RuntimeError("handler reached without a member: the access gate let it pass")
        return member

    @property
    def t(self) -> Translator:
        return self.unit.translator

    def now(self) -> datetime:
        return self.services.clock()

    # --- what the bot says, sent after the commit -------------------------------------------

    def send(self, chat_id: int, text: str, **kwargs: Any) -> None:
        self.unit.outbox.append(lambda: self.bot.send_message(chat_id, text, **kwargs))

    def reply(self, text: str, **kwargs: Any) -> None:
        chat = self.update.effective_chat if self.update else None
        if chat is None:
            raise RuntimeError("reply() needs an update with a chat")
        self.send(chat.id, text, **kwargs)

    def edit(self, text: str, **kwargs: Any) -> None:
        """Replace the message whose button was tapped."""
        query = self._query()
        self.unit.outbox.append(lambda: query.edit_message_text(text, **kwargs))

    def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        query = self._query()
        self.unit.answered_query = True
        self.unit.outbox.append(lambda: query.answer(text, show_alert=alert))

    def _query(self) -> CallbackQuery:
        query = self.update.callback_query if self.update else None
        if query is None:
            raise RuntimeError("this needs a callback query")
        return query
