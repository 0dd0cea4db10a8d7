"""The follow-up reminder job: every `reminder_interval`, send the follow-ups that fell due.

The database drives it, not timers in memory: due follow-ups are claimed in one transaction
(a conditional UPDATE, so a second bot instance does not claim them too) and sent after the
commit. Right before each send a short committed write marks the attempt. So:

- a claim whose send never began is a lease: when the process died between the claim and the
  send (SIGKILL, a deploy), a later round claims it again after `reminder_lease` and sends it;
- a claim marked as attempted is never sent again, even if the process died mid-send (Telegram
  may have shown it: better missed than shown twice), and a claimer that lost its lease to
  another instance cannot mark it, so it does not send it either;
- a network failure gives the claim back for a later round, up to
  `activities.REMINDER_MAX_ATTEMPTS` attempts in all; a user who blocked the bot, a chat that is
  gone and a send that timed out are not retried.

A follow-up that fell due while the bot was down goes out once on the first round."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError, TimedOut
from telegram.ext import Application

from crm import activities, followups
from crm.followups import Reminder
from handlers.activity_views import reminder_keyboard, reminder_text
from handlers.context import CrmContext, Services

log = logging.getLogger(__name__)

JOB_NAME = "follow-up-reminders"


def schedule(application: Application) -> None:
    interval: timedelta = application.bot_data["services"].options.reminder_interval
    application.job_queue.run_repeating(
        send_due_reminders,
        interval=interval,
        first=interval,
        name=JOB_NAME,
    )


async def send_due_reminders(context: CrmContext) -> None:
    services: Services = context.application.bot_data["services"]
    now = services.clock()
    async with services.database.transaction() as session:
        due = await followups.claim_reminders(
            session, now=now, lease=services.options.reminder_lease
        )
        messages = [_render(services, reminder, now) for reminder in due]
    for message in messages:
        await _deliver(context.bot, services, message, claimed_at=now)


async def _deliver(bot: Bot, services: Services, message, *, claimed_at: datetime) -> None:
    activity_id, chat_id, text, markup = message
    if not await _mark_attempt(services, activity_id, claimed_at):
        return
    try:
        await bot.send_message(chat_id, text, reply_markup=markup)
    except (Forbidden, BadRequest) as error:  # blocked, or the chat is gone: retrying won't help
        log.warning("reminder %s not delivered, not retrying: %s", activity_id, error)
    except TimedOut:  # Telegram may have shown it: a retry could show it twice
        log.warning("reminder %s timed out; maybe delivered, not retried", activity_id)
    except TelegramError as error:  # network trouble, flood control: a later round retries
        log.warning("reminder %s not delivered: %s", activity_id, error)
        await _release(services, activity_id, claimed_at)
    except Exception:  # a bug, not the network: maybe sent, so not retried; go on with the rest
        log.exception("reminder %s failed; not retried", activity_id)


async def _mark_attempt(services: Services, activity_id: int, claimed_at: datetime) -> bool:
    try:
        async with services.database.transaction() as session:
            marked = await activities.start_reminder(
                session, activity_id=activity_id, claimed_at=claimed_at, now=services.clock()
            )
    except Exception:  # unmarked, the claim is a lease: a later round sends it
        log.exception("could not mark the send of reminder %s; left to a later round", activity_id)
        return False
    if not marked:
        log.info("reminder %s no longer ours to send (taken over, moved or done)", activity_id)
    return marked


async def _release(services: Services, activity_id: int, claimed_at: datetime) -> None:
    try:
        async with services.database.transaction() as session:
            released = await activities.release_reminder(
                session, activity_id=activity_id, claimed_at=claimed_at
            )
    except Exception:  # the database too: log it and go on with the other reminders
        log.exception("could not give back the claim of reminder %s", activity_id)
        return
    if released:
        log.info("reminder %s given back: a later round retries", activity_id)
    else:
        log.warning("reminder %s failed too many times, given up", activity_id)


def _render(services: Services, reminder: Reminder, now):
    member, workspace = reminder.member, reminder.workspace
    _ = services.catalogs.for_member(member, workspace)
    item = reminder.item
    return (
        item.activity.id,
        member.telegram_user_id,
        reminder_text(item, _, now),
        reminder_keyboard(item, _),
    )
