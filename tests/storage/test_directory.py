"""Organizations and contacts against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from crm import directory, search, team
from crm.directory import ContactInput, DirectoryError, DirectoryProblem, Kind, OrganizationInput
from crm.team import Person, WorkspaceDefaults
from storage.repositories import activities as activities_repo
from storage.repositories import audit
from storage.repositories import directory as repo
from tests.storage.teams import admin_and_rep

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DEFAULTS = WorkspaceDefaults(locale="ru", region="RU", timezone="Europe/Moscow", currency="RUB")


async def _team(database):
    """An admin and a rep of one workspace, and an admin of another."""
    async with database.transaction() as session:
        admin, rep = await admin_and_rep(session, now=NOW)
        _, stranger = await team.create_workspace(
            session, name="Other", owner=Person(3, "Eve"), defaults=DEFAULTS, hosted=True
        )
    return admin, rep, stranger


async def _org(database, actor, **fields):
    data = OrganizationInput(**{"name": 'ООО "Ромашка"', **fields})
    async with database.transaction() as session:
        return await directory.create_organization(
            session, actor=actor, data=data, region="RU", now=NOW
        )


async def _find(database, actor, query):
    async with database.transaction() as session:
        return await search.search(
            session, workspace_id=actor.workspace_id, query=query, region="RU"
        )


async def test_search_by_name_fragment_phone_tax_id_and_email(database):
    admin, _, stranger = await _team(database)
    org = await _org(
        database,
        admin,
        tax_id="7701234567",
        emails=["Info@Romashka.RU"],
        phones=["8 (495) 123-45-67"],
    )
    async with database.transaction() as session:
        person = await directory.create_contact(
            session,
            actor=admin,
            region="RU",
            now=NOW,
            data=ContactInput(
                full_name="Иван Петров",
                organization_id=org.id,
                position="бухгалтер",
                phones=["+7 912 345-67-89"],
            ),
        )
    for query in ("ромаш", "РОМАШКА", "ооо ромашка", "«Ромашка»", "7701234", "info@romashka.ru"):
        found = await _find(database, admin, query)
        assert [o.id for o in found.organizations] == [org.id], query
    for query in ("петров", "Иван", "912 345", "8 912 345 67 89", "+79123456789", "3456789"):
        found = await _find(database, admin, query)
        assert [c.id for c in found.contacts] == [person.id], query
    assert (await _find(database, stranger, "ромашка")).count == 0  # other workspace
    assert (await _find(database, admin, "ё")).count == 0  # too short to search


async def test_duplicates_by_tax_id_phone_email_and_name(database):
    admin, _, _ = await _team(database)
    org = await _org(database, admin, tax_id="7701234567", phones=["+74951234567"])
    async with database.transaction() as session:
        for data, reason in [
            (OrganizationInput(name="Other", tax_id="77 0123 4567"), "tax_id"),
            (OrganizationInput(name="Other", phones=["8 495 123 45 67"]), "phone"),
            (OrganizationInput(name="Ромашка, ООО"), "name"),
        ]:
            found = await directory.organization_duplicates(
                session, workspace_id=admin.workspace_id, data=data, region="RU"
            )
            assert [(d.record.id, d.reason) for d in found] == [(org.id, reason)]
        assert not await directory.organization_duplicates(
            session,
            workspace_id=admin.workspace_id,
            data=OrganizationInput(name="Лютик"),
            region="RU",
        )


async def test_person_is_the_same_by_phone_anywhere_or_name_within_the_organization(database):
    admin, _, _ = await _team(database)
    org = await _org(database, admin)
    async with database.transaction() as session:
        ivan = await directory.create_contact(
            session,
            actor=admin,
            region="RU",
            now=NOW,
            data=ContactInput(
                full_name="Иван Петров",
                organization_id=org.id,
                phones=["89123456789"],
                emails=["ivan@x.ru"],
            ),
        )
        same_name_elsewhere = ContactInput(full_name="иван  петров")
        assert not await directory.contact_duplicates(
            session, workspace_id=admin.workspace_id, data=same_name_elsewhere, region="RU"
        )
        for data in (
            ContactInput(full_name="Ivan P.", phones=["+7 912 345 67 89"]),
            ContactInput(full_name="Someone", emails=["IVAN@x.ru"]),
            ContactInput(full_name="Иван Петров", organization_id=org.id),
        ):
            found = await directory.contact_duplicates(
                session, workspace_id=admin.workspace_id, data=data, region="RU"
            )
            assert [d.record.id for d in found] == [ivan.id]


async def test_rep_edits_only_own_records_managers_and_admins_everything(database):
    admin, rep, _ = await _team(database)
    admins_org = await _org(database, admin)
    reps_org = await _org(database, rep, name="Лютик")
    async with database.transaction() as session:
        with pytest.raises(DirectoryError) as refused:
            await directory.update_field(
                session,
                actor=rep,
                kind=Kind.organization,
                record_id=admins_org.id,
                field_name="address",
                value="Moscow",
                region="RU",
                now=NOW,
            )
        assert refused.value.problem == DirectoryProblem.not_allowed
        await directory.update_field(
            session,
            actor=rep,
            kind=Kind.organization,
            record_id=reps_org.id,
            field_name="address",
            value="Vilnius",
            region="RU",
            now=NOW,
        )
        await directory.update_field(
            session,
            actor=admin,
            kind=Kind.organization,
            record_id=reps_org.id,
            field_name="name",
            value="Лютик и Ко",
            region="RU",
            now=NOW,
        )
        events = await audit.for_entity(
            session,
            workspace_id=admin.workspace_id,
            entity_type="organization",
            entity_id=reps_org.id,
        )
    assert [(e.action, e.after) for e in events][:2] == [
        ("organization.update", {"name": "Лютик и Ко"}),
        ("organization.update", {"address": "Vilnius"}),
    ]
    assert [o.name for o in (await _find(database, admin, "лютик")).organizations] == ["Лютик и Ко"]


async def test_soft_delete_hides_and_only_an_admin_restores(database):
    admin, rep, _ = await _team(database)
    org = await _org(database, rep)
    async with database.transaction() as session:
        await directory.delete(
            session, actor=rep, kind=Kind.organization, record_id=org.id, now=NOW
        )
    assert (await _find(database, admin, "ромашка")).count == 0
    async with database.transaction() as session:
        with pytest.raises(DirectoryError) as refused:
            await directory.restore(
                session, actor=rep, kind=Kind.organization, record_id=org.id, now=NOW
            )
        assert refused.value.problem == DirectoryProblem.not_allowed
        assert [r.id for r in await directory.trash(session, actor=admin)] == [org.id]
        await directory.restore(
            session, actor=admin, kind=Kind.organization, record_id=org.id, now=NOW
        )
    assert (await _find(database, admin, "ромашка")).count == 1


async def test_invalid_input_is_refused_before_anything_is_written(database):
    admin, _, _ = await _team(database)
    for fields, problem in [
        ({"name": "  "}, DirectoryProblem.name_empty),
        ({"emails": ["not-an-email"]}, DirectoryProblem.invalid_email),
        ({"phones": ["12"]}, DirectoryProblem.invalid_phone),
    ]:
        with pytest.raises(DirectoryError) as error:
            await _org(database, admin, **fields)
        assert error.value.problem == problem
    assert (await _find(database, admin, "ромашка")).count == 0


async def test_a_record_read_again_in_one_transaction_keeps_the_workspace_and_trash_rules(
    database,
):
    """Lookups answer from the session's copy when it holds the record: the same rules apply
    as to a fresh SELECT, including a change not flushed yet."""
    admin, _, stranger = await _team(database)
    org = await _org(database, admin)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with database.transaction() as session:
            args = {"workspace_id": admin.workspace_id, "organization_id": org.id}
            first = await repo.get_organization(session, **args)
            read = len(statements)
            assert await repo.get_organization(session, **args) is first
            assert len(statements) == read  # answered by the session's copy
            assert (
                await repo.get_organization(
                    session, workspace_id=stranger.workspace_id, organization_id=org.id
                )
                is None
            )
            assert await repo.get_organization(session, **args, deleted=True) is None
            contacts, organizations = await activities_repo.targets(
                session, workspace_id=admin.workspace_id, contact_ids=(), organization_ids=[org.id]
            )
            assert organizations == {org.id: first} and len(statements) == read
            other, _ = await activities_repo.targets(
                session, workspace_id=stranger.workspace_id, contact_ids=(), organization_ids=[]
            )
            assert other == {}
            assert (
                await activities_repo.targets(
                    session,
                    workspace_id=stranger.workspace_id,
                    contact_ids=(),
                    organization_ids=[org.id],
                )
            )[1] == {}
            first.deleted_at = NOW  # in the trash, not flushed yet
            assert await repo.get_organization(session, **args) is None
            assert await repo.get_organization(session, **args, deleted=True) is first
            await session.rollback()
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
