"""Finding organizations and contacts from what a rep types: a name fragment, a phone in any
format or any run of its digits, a tax id, an e-mail."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from crm import names, phones
from storage.models import Contact, Organization
from storage.repositories import directory as repo

MIN_QUERY = 2


@dataclass
class SearchResult:
    organizations: list[Organization] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    organization_names: dict[int, str] = field(default_factory=dict)  # of the contacts' orgs

    @property
    def count(self) -> int:
        return len(self.organizations) + len(self.contacts)

    @property
    def records(self) -> list[Organization | Contact]:
        return [*self.organizations, *self.contacts]


def search_terms(query: str, region: str) -> list[str]:
    """Substrings to look for in the records' search documents."""
    query = " ".join(query.split())
    if len(query) < MIN_QUERY:
        return []
    if phones.looks_like_phone(query):
        return phones.phone_search_keys(query, region)
    terms = [names.normalize_org_name(query), names.normalize_person_name(query)]
    email = names.normalize_email(query)
    if email:
        terms.append(email)
    return [t for t in dict.fromkeys(terms) if len(t) >= MIN_QUERY] or [query.casefold()]


async def search(
    session: AsyncSession, *, workspace_id: int, query: str, region: str, limit: int = 10
) -> SearchResult:
    terms = search_terms(query, region)
    if not terms:
        return SearchResult()
    organizations, contacts = await repo.search(
        session, workspace_id=workspace_id, terms=terms, limit=limit
    )
    names = await repo.organization_names(
        session,
        workspace_id=workspace_id,
        organization_ids=[c.organization_id for c in contacts if c.organization_id],
    )
    return SearchResult(organizations, contacts, names)
