"""Workspace and personal settings: time zone, phone region, currency, company name."""

from __future__ import annotations

from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from babel.numbers import list_currencies
from sqlmodel.ext.asyncio.session import AsyncSession

from crm.team import TeamError, TeamProblem, can_manage_team, clean_workspace_name
from storage.models import Member, Workspace
from storage.repositories import audit

WORKSPACE_FIELDS = ("name", "timezone", "default_region", "currency")


class SettingProblem(StrEnum):
    unknown_timezone = "unknown_timezone"
    unknown_region = "unknown_region"
    unknown_currency = "unknown_currency"


class SettingError(Exception):
    def __init__(self, problem: SettingProblem):
        super().__init__(problem.value)
        self.problem = problem


def clean_timezone(value: str) -> str:
    """Accept "Europe/Vilnius" in any case, with spaces for underscores."""
    candidate = "_".join(value.strip().split())
    if not candidate:
        raise SettingError(SettingProblem.unknown_timezone)
    by_lower = {name.lower(): name for name in available_timezones()}
    name = by_lower.get(candidate.lower())
    try:
        if name is None:
            raise ZoneInfoNotFoundError(candidate)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingError(SettingProblem.unknown_timezone) from None
    return name


def clean_region(value: str) -> str:
    region = value.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise SettingError(SettingProblem.unknown_region)
    return region


def clean_currency(value: str) -> str:
    currency = value.strip().upper()
    if currency not in list_currencies():
        raise SettingError(SettingProblem.unknown_currency)
    return currency


_CLEANERS = {
    "name": clean_workspace_name,
    "timezone": clean_timezone,
    "default_region": clean_region,
    "currency": clean_currency,
}


async def update_workspace(
    session: AsyncSession, *, actor: Member, field_name: str, value: str
) -> Workspace:
    if not can_manage_team(actor):
        raise TeamError(TeamProblem.not_allowed)
    if field_name not in WORKSPACE_FIELDS:
        raise ValueError(field_name)
    new_value = _CLEANERS[field_name](value)
    workspace = await session.get(Workspace, actor.workspace_id)
    before = getattr(workspace, field_name)
    setattr(workspace, field_name, new_value)
    session.add(workspace)
    await audit.record(
        session,
        workspace_id=workspace.id,
        actor_id=actor.id,
        action="workspace.update",
        entity_type="workspace",
        entity_id=workspace.id,
        before={field_name: before},
        after={field_name: new_value},
    )
    await session.flush()
    return workspace


async def set_member_timezone(
    session: AsyncSession, *, member: Member, value: str | None
) -> str | None:
    """None goes back to the workspace's time zone."""
    member.timezone = clean_timezone(value) if value else None
    session.add(member)
    await session.flush()
    return member.timezone
