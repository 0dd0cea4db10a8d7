"""Where each user is in a multi-step flow."""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ChatState
from storage.types import utcnow


async def get(session: AsyncSession, *, chat_id: int, user_id: int) -> ChatState | None:
    statement = select(ChatState).where(ChatState.chat_id == chat_id, ChatState.user_id == user_id)
    return (await session.exec(statement)).first()


async def put(
    session: AsyncSession, *, chat_id: int, user_id: int, flow: str, step: str, data: dict[str, Any]
) -> ChatState:
    state = await get(session, chat_id=chat_id, user_id=user_id)
    if state is None:
        state = ChatState(chat_id=chat_id, user_id=user_id, flow=flow, step=step, data=data)
        session.add(state)
    else:
        state.flow, state.step, state.data, state.updated_at = flow, step, dict(data), utcnow()
    await session.flush()
    return state


async def clear(session: AsyncSession, *, chat_id: int, user_id: int) -> bool:
    state = await get(session, chat_id=chat_id, user_id=user_id)
    if state is None:
        return False
    await session.delete(state)
    await session.flush()
    return True
