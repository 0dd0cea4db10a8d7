"""Who may do what. A rep edits only what they own; managers and admins edit everything."""

from __future__ import annotations

from storage.models import Member, Role

EDITORS_OF_EVERYTHING = frozenset({Role.admin, Role.manager})


def can_edit(member: Member, owner_id: int | None) -> bool:
    return member.role in EDITORS_OF_EVERYTHING or (owner_id is not None and owner_id == member.id)


def can_restore(member: Member) -> bool:
    return member.role == Role.admin


def sees_whole_team(member: Member) -> bool:
    return member.role in EDITORS_OF_EVERYTHING
