"""Runs one update inside one transaction, exactly once per update id."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Update

from crm.i18n import negotiate
from handlers.context import CURRENT_UNIT, Services, UnitOfWork
from storage.repositories import updates

log = logging.getLogger(__name__)


async def process_once(
    services: Services, bot_id: int, update: Update, process: Callable[[], Awaitable[None]]
) -> bool:
    """Claim the update id, run the handlers, commit, then deliver what they queued.

    Returns False for an update id seen before (Telegram redelivers after a restart)."""
    user = update.effective_user
    locale = negotiate(user.language_code if user else None, services.options.default_locale)
    async with services.database.sessionmaker() as session:
        if not await updates.claim_update(session, bot_id=bot_id, update_id=update.update_id):
            await session.rollback()
            log.info("update %s was processed before; skipped", update.update_id)
            return False
        unit = UnitOfWork(session=session, translator=services.catalogs.translator(locale))
        token = CURRENT_UNIT.set(unit)
        try:
            await process()
        finally:
            CURRENT_UNIT.reset(token)
        if unit.failed:
            await session.rollback()
            unit.outbox.clear()
            return True
        await session.commit()
    if update.callback_query and not unit.answered_query:
        query = update.callback_query
        unit.outbox.append(lambda: query.answer())  # stop the spinner on the button
    await unit.deliver()
    return True
