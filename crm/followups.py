"""Follow-ups as a member meets them: quick choices of when, whom each activity concerns, the
day's agenda and the reminders that fall due."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from crm import activities
from crm.directory import Kind, get_record
from storage.models import Activity, Contact, Member, Organization, Workspace
from storage.repositories import activities as repo
from storage.repositories import workspaces as members_repo

MORNING = 9


class Preset(StrEnum):
    """The follow-up buttons: values are short because they travel in callback data."""

    hour = "1h"
    tomorrow = "tom"
    three_days = "3d"
    week = "1w"


def preset_moment(preset: Preset, *, now: datetime, tz: str) -> datetime:
    """In an hour from now; otherwise a morning (09:00 in the member's zone) some days ahead."""
    if preset == Preset.hour:
        return now + timedelta(hours=1)
    days = {Preset.tomorrow: 1, Preset.three_days: 3, Preset.week: 7}[preset]
    return activities.morning_after(now, tz, days=days, hour=MORNING)


@dataclass
class Target:
    """Whom an activity concerns: a person (with their organization, if any) or an
    organization."""

    contact: Contact | None
    organization: Organization | None

    @property
    def kind(self) -> Kind:
        return Kind.contact if self.contact is not None else Kind.organization

    @property
    def id(self) -> int | None:
        record = self.contact or self.organization
        return record.id if record else None

    @property
    def deleted(self) -> bool:
        record = self.contact or self.organization
        return record is None or record.deleted_at is not None


@dataclass
class Described:
    activity: Activity
    target: Target


async def target(session: AsyncSession, *, actor: Member, kind: Kind, record_id: int) -> Target:
    """A live record of the actor's workspace with its organization; DirectoryError otherwise."""
    record = await get_record(session, actor=actor, kind=kind, record_id=record_id)
    if isinstance(record, Organization):
        return Target(None, record)
    _, organizations = await repo.targets(
        session,
        workspace_id=actor.workspace_id,
        contact_ids=(),
        organization_ids=[record.organization_id] if record.organization_id else (),
    )
    return Target(record, organizations.get(record.organization_id))


async def describe(
    session: AsyncSession, *, workspace_id: int, items: Sequence[Activity]
) -> list[Described]:
    contacts, organizations = await repo.targets(
        session,
        workspace_id=workspace_id,
        contact_ids=[a.contact_id for a in items if a.contact_id],
        organization_ids=[a.organization_id for a in items if a.organization_id],
    )
    return [
        Described(
            a,
            Target(
                contacts.get(a.contact_id) if a.contact_id else None,
                organizations.get(a.organization_id) if a.organization_id else None,
            ),
        )
        for a in items
    ]


async def describe_editable(session: AsyncSession, *, actor: Member, activity_id: int) -> Described:
    """An activity the actor may change, with whom it concerns (ActivityError otherwise)."""
    activity = await activities.editable(session, actor=actor, activity_id=activity_id)
    return (await describe(session, workspace_id=actor.workspace_id, items=[activity]))[0]


async def today(session: AsyncSession, *, actor: Member, now: datetime, tz: str) -> list[Described]:
    items = await activities.agenda(session, actor=actor, now=now, tz=tz)
    return await describe(session, workspace_id=actor.workspace_id, items=items)


@dataclass
class Reminder:
    item: Described
    member: Member
    workspace: Workspace


async def claim_reminders(
    session: AsyncSession, *, now: datetime, lease: timedelta = activities.REMINDER_LEASE
) -> list[Reminder]:
    """Claim the follow-ups that fell due (each exactly once, see the repository) with whom to
    remind. The claim is a lease until `activities.start_reminder` marks the send as begun.
    One whose member has left the team is settled at once and never sent."""
    claimed = await activities.claim_due_reminders(session, now=now, lease=lease)
    reminders = []
    for activity in claimed:
        member = activity.member_id and await members_repo.get_member(
            session, workspace_id=activity.workspace_id, member_id=activity.member_id
        )
        if not member:  # marked as attempted, or the lease would hand it out again and again
            await activities.start_reminder(
                session, activity_id=activity.id, claimed_at=now, now=now
            )
            continue
        workspace = await members_repo.get_workspace(session, activity.workspace_id)
        [item] = await describe(session, workspace_id=activity.workspace_id, items=[activity])
        reminders.append(Reminder(item, member, workspace))
    return reminders
