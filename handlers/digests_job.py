"""The digest job: every `digest_interval`, send the digests that fell due.

Like the reminders, the database drives it: the schedule is read from the managers' settings
on every round (a restart needs nothing in memory), each due digest is claimed in the ledger
in one transaction (once, even with two bot instances), built from a read-only snapshot and
sent after the commit. Right before its first message the send is marked as begun: a claim
whose instance died before that is taken over later (`delivery.STALE_CLAIM`), one that died
after it is not (part of it may have been shown). A network failure with nothing sent leaves
the claim open for a retry some minutes later (`delivery.RETRY_AFTER`, up to `MAX_ATTEMPTS`);
a user who blocked the bot is not retried, nor is a send that timed out (Telegram may have
delivered it). Once part of a digest went out it counts as sent: better a missing chart than
the same digest twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError, TimedOut
from telegram.ext import Application

from crm.digests import delivery, reports
from crm.digests.delivery import Claimed
from crm.i18n import Translator
from handlers.context import CrmContext, Services
from handlers.digest_chart import RoundCharts, chart_png
from handlers.digest_text import render_digest
from storage.models import DigestKind

log = logging.getLogger(__name__)

JOB_NAME = "digests"


def schedule(application: Application) -> None:
    interval: timedelta = application.bot_data["services"].options.digest_interval
    application.job_queue.run_repeating(
        send_due_digests, interval=interval, first=interval, name=JOB_NAME
    )


def scheduled_title(kind: DigestKind, _: Translator) -> str:
    if kind == DigestKind.weekly:
        return _("📊 <b>Weekly digest</b>")
    return _("📊 <b>Daily digest</b>")


async def send_due_digests(context: CrmContext) -> None:
    services: Services = context.application.bot_data["services"]
    now = services.clock()
    async with services.database.transaction() as session:
        claimed = await delivery.claim_due(session, now=now)
    charts: RoundCharts = {}  # managers with the same digest get the same picture, drawn once
    for one in claimed:
        await _deliver(context.bot, services, one, now, charts)


async def _deliver(
    bot: Bot, services: Services, claimed: Claimed, now: datetime, charts: RoundCharts
) -> None:
    _ = services.catalogs.for_member(claimed.member, claimed.workspace)
    chat_id = claimed.member.telegram_user_id
    sent_any = False
    try:
        async with services.database.snapshot() as session:
            digest = await reports.scheduled_digest(session, claimed=claimed, now=now)
        title = scheduled_title(claimed.due.kind, _)
        messages = render_digest(digest, _, title=title)
        chart = await chart_png(digest, _, charts)
        if not await _begin(services, claimed, now):
            log.info("digest for member %s was taken over by another instance", claimed.member.id)
            return
        for text in messages:
            await bot.send_message(chat_id, text)
            sent_any = True
        if chart:
            await bot.send_photo(chat_id, chart, caption=title)
    except (Forbidden, BadRequest, TimedOut) as error:  # blocked, chat gone, maybe delivered
        log.warning("digest for member %s not delivered: %s", claimed.member.id, error)
        await _record(services, claimed, now, error=error, retry=False, sent=sent_any)
    except TelegramError as error:  # network trouble: retried after a pause
        log.warning("digest for member %s not delivered, will retry: %s", claimed.member.id, error)
        await _record(services, claimed, now, error=error, retry=True, sent=sent_any)
    except Exception as error:
        log.exception("digest for member %s failed", claimed.member.id)
        await _record(services, claimed, now, error=error, retry=True, sent=sent_any)
    else:
        await _record(services, claimed, now, sent=True)


async def _begin(services: Services, claimed: Claimed, now: datetime) -> bool:
    async with services.database.transaction() as session:
        return await delivery.begin(session, claimed=claimed, now=now)


async def _record(
    services: Services,
    claimed: Claimed,
    now: datetime,
    *,
    sent: bool,
    error: Exception | None = None,
    retry: bool = False,
) -> None:
    try:
        async with services.database.transaction() as session:
            if sent:
                await delivery.delivered(session, claimed=claimed, now=now)
            else:
                await delivery.failed(
                    session, claimed=claimed, now=now, error=repr(error), retry=retry
                )
    except Exception:  # the database too
        # A claim whose send began stays marked as begun and is not taken over: if nothing
        # went out, this digest is lost (better than one shown twice); say so plainly.
        log.exception(
            "could not record the digest of member %s (sent: %s); one whose send had begun"
            " is not retried",
            claimed.member.id,
            sent,
        )
