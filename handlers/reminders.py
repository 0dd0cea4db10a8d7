"""The follow-up reminder job: every `reminder_interval`, send the follow-ups that fell due.

The database drives it, not timers in memory: due follow-ups are claimed in one transaction
(a claimed row is never claimed again, even by a second bot instance) and sent after the
commit. A restart therefore loses nothing, and one that fell due while the bot was down goes
out once on the first round. A network failure gives the claim back so a later round retries;
a user who blocked the bot is logged and not retried forever, and a send that timed out is not
retried either (Telegram may have delivered it: better missed than shown twice)."""

from __future__ import annotations

import logging
from datetime import timedelta

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
        due = await followups.claim_reminders(session, now=now)
        messages = [_render(services, reminder, now) for reminder in due]
    for activity_id, chat_id, text, markup in messages:
        try:
            await context.bot.send_message(chat_id, text, reply_markup=markup)
        except (
            Forbidden,
            BadRequest,
        ) as error:  # blocked, or the chat is gone: retrying won't help
            log.warning("reminder %s not delivered, not retrying: %s", activity_id, error)
        except TimedOut:  # Telegram may have shown it: a retry could show it twice
            log.warning("reminder %s timed out; maybe delivered, not retried", activity_id)
        except TelegramError as error:  # network trouble, flood control: a later round retries
            log.warning("reminder %s not delivered, will retry: %s", activity_id, error)
            await _release(services, activity_id)


async def _release(services: Services, activity_id: int) -> None:
    try:
        async with services.database.transaction() as session:
            await activities.release_reminder(session, activity_id=activity_id)
    except Exception:  # the database too: log it and go on with the other reminders
        log.exception("could not give back the claim of reminder %s", activity_id)


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
