"""The access gate: every update passes here first (handler group -1).

Members pass with their workspace and language loaded. Strangers may only start a workspace,
redeem an invite or read /license (fixed text, no data); everything else gets one polite
sentence and stops here."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from handlers.access import refuse
from handlers.command_text import is_command
from handlers.context import CrmContext
from handlers.licensing import is_public
from handlers.onboarding import ONBOARDING
from storage.repositories import chat_state
from storage.repositories import workspaces as repo


def _is_start_command(update: Update) -> bool:
    return update.message is not None and is_command(update.message.text, "start")


def _in_onboarding(ctx: CrmContext) -> bool:
    return ctx.unit.state is not None and ctx.unit.state.flow == ONBOARDING


async def gate(update: Update, ctx: CrmContext) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != ChatType.PRIVATE or user.is_bot:
        raise ApplicationHandlerStop  # the CRM works in private chats only
    unit = ctx.unit
    unit.state = await chat_state.get(ctx.session, chat_id=chat.id, user_id=user.id)
    membership = await repo.active_membership(ctx.session, user.id)
    if membership is not None:
        unit.member, unit.workspace = membership
        unit.translator = ctx.services.catalogs.for_member(unit.member, unit.workspace)
        return
    if _is_start_command(update) or _in_onboarding(ctx) or is_public(update):
        return
    refuse(update, ctx)
    raise ApplicationHandlerStop


def handler() -> TypeHandler:
    return TypeHandler(Update, gate)
