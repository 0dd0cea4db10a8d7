"""What a card shows: a record with its phones, e-mails, people, activities and follow-ups."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from crm.directory import Kind, get_record
from storage.models import Activity, AuditEvent, Contact, Email, Member, Organization, Phone
from storage.repositories import activities, audit
from storage.repositories import directory as repo
from storage.repositories import workspaces as members_repo


@dataclass
class Card:
    record: Organization | Contact
    phones: list[Phone]
    emails: list[Email]
    activities: list[Activity]
    follow_ups: list[Activity]
    organization: Organization | None = None  # a contact's organization
    people: list[tuple[Contact, list[Phone]]] = field(default_factory=list)  # an org's contacts
    contact_names: dict[int, str] = field(default_factory=dict)  # for activity lines

    @property
    def kind(self) -> Kind:
        return Kind.organization if isinstance(self.record, Organization) else Kind.contact


async def load(session: AsyncSession, *, actor: Member, kind: Kind, record_id: int) -> Card:
    record = await get_record(session, actor=actor, kind=kind, record_id=record_id)
    where = (
        {"organization_id": record.id} if kind == Kind.organization else {"contact_id": record.id}
    )
    card = Card(
        record=record,
        phones=await repo.phones_of(session, record),
        emails=await repo.emails_of(session, record),
        activities=await activities.recent(session, workspace_id=actor.workspace_id, **where),
        follow_ups=await activities.open_follow_ups(
            session, workspace_id=actor.workspace_id, **where
        ),
    )
    if isinstance(record, Organization):
        people = await repo.contacts_of(
            session, workspace_id=actor.workspace_id, organization_id=record.id
        )
        phones = await repo.phones_of_contacts(session, [p.id for p in people])
        card.people = [(person, phones.get(person.id, [])) for person in people]
        card.contact_names = {person.id: person.full_name for person in people}
    elif record.organization_id is not None:
        card.organization = await repo.get_organization(
            session, workspace_id=actor.workspace_id, organization_id=record.organization_id
        )
    return card


@dataclass
class HistoryLine:
    event: AuditEvent
    actor_name: str


async def history(
    session: AsyncSession, *, actor: Member, kind: Kind, record_id: int
) -> list[HistoryLine]:
    await get_record(session, actor=actor, kind=kind, record_id=record_id)
    events = await audit.for_entity(
        session, workspace_id=actor.workspace_id, entity_type=kind.value, entity_id=record_id
    )
    members = {
        m.id: m.display_name
        for m in await members_repo.list_members(session, workspace_id=actor.workspace_id)
    }
    return [HistoryLine(e, members.get(e.actor_id, "—")) for e in events]
