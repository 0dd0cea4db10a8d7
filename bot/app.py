"""The composition root: settings -> database -> services -> Application."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

import handlers
from bot import outgoing
from bot.config import Settings
from bot.processing import PerChatUpdateProcessor
from crm.i18n import Catalogs
from crm.team import WorkspaceDefaults
from handlers import digests_job, reminders
from handlers.commands import publish_menus
from handlers.context import CrmContext, Options, Services
from handlers.import_recovery import tell_interrupted
from handlers.unit_of_work import process_once
from storage.db import Database
from storage.repositories import updates
from storage.schema import ensure_current
from storage.types import utcnow

log = logging.getLogger(__name__)

PROCESSED_UPDATES_KEPT = timedelta(days=14)
# What the bot asks Telegram for, by polling or by webhook.
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


class CrmApplication(Application):
    """Runs every update as one unit of work, once per update id (see handlers.unit_of_work)."""

    async def process_update(self, update: object) -> None:
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        process = functools.partial(super().process_update, update)
        try:
            await process_once(self.bot_data["services"], self.bot.id, update, process)
        except Exception as error:  # the database failed around the handlers
            await self.process_error(update=update, error=error)


def build_services(settings: Settings, *, database: Database | None = None, clock=None) -> Services:
    return Services(
        database=database or Database(settings.database_url),
        catalogs=Catalogs(default_locale=settings.default_locale),
        options=Options(
            workspace_defaults=WorkspaceDefaults(
                locale=settings.default_locale,
                region=settings.default_region,
                timezone=settings.default_timezone,
                currency=settings.default_currency,
            ),
            default_locale=settings.default_locale,
            allow_new_workspaces=settings.allow_new_workspaces,
            invite_ttl=timedelta(days=settings.invite_ttl_days),
            reminder_interval=timedelta(seconds=settings.reminder_interval_seconds),
            reminder_lease=timedelta(seconds=settings.reminder_lease_seconds),
            digest_interval=timedelta(seconds=settings.digest_interval_seconds),
        ),
        clock=clock or utcnow,
    )


def build_application(
    settings: Settings,
    *,
    database: Database | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Application:
    services = build_services(settings, database=database, clock=clock)
    application = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(f"{settings.bot_api_url}/bot")
        .base_file_url(f"{settings.bot_api_url}/file/bot")
        .request(
            outgoing.request(
                retries=settings.telegram_retries, timeout=settings.telegram_timeout_seconds
            )
        )
        .rate_limiter(
            outgoing.rate_limiter(settings.telegram_retries, throttle=settings.telegram_rate_limit)
        )
        .application_class(CrmApplication)
        .context_types(ContextTypes(context=CrmContext))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
        .build()
    )
    application.bot_data["services"] = services
    handlers.register(application)
    return application


async def on_startup(application: Application) -> None:
    services: Services = application.bot_data["services"]
    await ensure_current(services.database.engine)
    await publish_menus(application, services.catalogs)
    await tell_interrupted(application)
    if application.job_queue:
        application.job_queue.run_repeating(
            _forget_old_updates,
            interval=timedelta(hours=6),
            first=timedelta(minutes=1),
            name="forget-old-updates",
        )
        reminders.schedule(application)
        digests_job.schedule(application)
    log.info("bot @%s started", application.bot.username)


async def on_shutdown(application: Application) -> None:
    await application.bot_data["services"].database.dispose()


async def _forget_old_updates(context: CrmContext) -> None:
    services: Services = context.application.bot_data["services"]
    async with services.database.transaction() as session:
        await updates.forget_updates_before(
            session, moment=services.clock() - PROCESSED_UPDATES_KEPT
        )


@asynccontextmanager
async def started(application: Application) -> AsyncIterator[Application]:
    """The application running inside an already running event loop, with no source of
    updates of its own: the caller feeds `update_queue` (polling, a webhook, a test's router).
    On the way out the queued updates are finished before the database is let go."""
    await application.initialize()
    try:
        await on_startup(application)
        await application.start()
        yield application
    finally:
        if application.running:
            await application.stop()
        await application.shutdown()
        await on_shutdown(application)


@asynccontextmanager
async def polling(
    application: Application, *, poll_timeout: int = 10
) -> AsyncIterator[Application]:
    """Run the bot inside an already running event loop (tests, the sandbox)."""
    async with started(application):
        await application.updater.start_polling(
            poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
        )
        try:
            yield application
        finally:
            if application.updater.running:
                await application.updater.stop()
