"""Multi-message flows ("what is your company's name?") whose current step lives in the
database, so a restart or a second bot instance picks up where the user was.

A flow is an explicit table of steps; each step reads the user's message and returns the next
step's name, or `END`. `/cancel` leaves any flow at any step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from handlers.context import CrmContext
from storage.repositories import chat_state

END = None
Step = Callable[[Update, CrmContext], Awaitable[str | None]]

_FLOWS: dict[str, dict[str, Step]] = {}


def flow(name: str, steps: dict[str, Step]) -> str:
    _FLOWS[name] = steps
    return name


def current(ctx: CrmContext) -> tuple[str, str] | None:
    state = ctx.unit.state
    return (state.flow, state.step) if state else None


def step_now(ctx: CrmContext) -> str | None:
    """The step the flow is at now (END when none): what a step returns to stay where it is,
    or to go where a button tapped meanwhile already took the flow."""
    state = current(ctx)
    return state[1] if state else END


def asks_now(ctx: CrmContext, flow_name: str, walk: str, step: str) -> bool:
    """Whether a button's walk (the nonce its flow keeps in data "n") and step are the question
    being asked now: an earlier walk's question, a second tap or made-up data is not."""
    return walk == data(ctx).get("n") and current(ctx) == (flow_name, step)


def data(ctx: CrmContext) -> dict[str, Any]:
    return ctx.unit.state.data if ctx.unit.state else {}


def _ids(update: Update) -> tuple[int, int]:
    return update.effective_chat.id, update.effective_user.id


async def begin(
    update: Update, ctx: CrmContext, name: str, step: str, values: dict | None = None
) -> None:
    chat_id, user_id = _ids(update)
    ctx.unit.state = await chat_state.put(
        ctx.session, chat_id=chat_id, user_id=user_id, flow=name, step=step, data=values or {}
    )


async def finish(update: Update, ctx: CrmContext) -> bool:
    chat_id, user_id = _ids(update)
    ctx.unit.state = None
    return await chat_state.clear(ctx.session, chat_id=chat_id, user_id=user_id)


async def _route(update: Update, ctx: CrmContext) -> None:
    state = ctx.unit.state
    steps = _FLOWS.get(state.flow) if state else None
    step = steps.get(state.step) if steps else None
    if step is None:
        return  # no flow, or one from an older version of the bot: let others handle it
    next_step = await step(update, ctx)
    if ctx.unit.state is None:
        pass  # the step finished the flow itself
    elif next_step is END:
        await finish(update, ctx)
    else:
        await begin(update, ctx, state.flow, next_step, dict(state.data))
    raise ApplicationHandlerStop


def router() -> MessageHandler:
    """Text that is not a command goes to the user's current flow, if there is one."""
    return MessageHandler(filters.TEXT & ~filters.COMMAND, _route)
