"""The import engine against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import text
from sqlmodel import col, select

from crm import activities, directory, search, team
from crm.directory import Kind
from crm.importing import service
from crm.importing.samples import write_1c_workbook
from crm.importing.service import DuplicatePolicy, ImportServiceError, ImportServiceProblem
from crm.team import Person, WorkspaceDefaults
from storage.models import (
    ActivityKind,
    AuditEvent,
    Contact,
    Email,
    ImportBatch,
    ImportStatus,
    ImportUpdate,
    Organization,
    Phone,
)
from storage.repositories import imports as imports_repo
from tests.storage.teams import admin_and_rep

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
DEFAULTS = WorkspaceDefaults(locale="ru", region="RU", timezone="Europe/Moscow", currency="RUB")
HEADER = "Organization,Tax ID,Contact name,Position,Phone,E-mail,Address,Note\n"


def _csv(*lines: str) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode()


async def _team(database):
    async with database.transaction() as session:
        return await admin_and_rep(session, now=NOW)


async def _prepare(database, actor, data, name="file.csv", **kwargs):
    return await service.prepare(
        database,
        workspace_id=actor.workspace_id,
        data=data,
        file_name=name,
        region="RU",
        **kwargs,
    )


async def _import(database, actor, data, policy=DuplicatePolicy.skip, only_valid=False, **kw):
    prepared = await _prepare(database, actor, data, **kw)
    return prepared, await service.run_import(
        database, actor=actor, prepared=prepared, policy=policy, only_valid=only_valid, now=NOW
    )


async def _all(database, model, *conditions):
    async with database.transaction() as session:
        statement = select(model).where(*conditions).order_by(col(model.id))
        return list((await session.exec(statement)).all())


async def _find(database, actor, query):
    async with database.transaction() as session:
        return await search.search(
            session, workspace_id=actor.workspace_id, query=query, region="RU"
        )


async def test_1c_workbook_imports_what_the_plan_says_and_search_finds_it(database, tmp_path):
    admin, _ = await _team(database)
    path = tmp_path / "1c.xlsx"
    stats = write_1c_workbook(path, rows=120, seed=5)
    reports = []

    async def progress(done, total):
        reports.append((done, total))

    prepared = await _prepare(database, admin, path, name="1c.xlsx")
    assert prepared.new_organizations == stats.organizations
    assert prepared.new_contacts == stats.contacts
    assert prepared.matched_organizations == prepared.matched_contacts == 0
    assert prepared.duplicate_rows == stats.duplicate_rows
    assert prepared.previous_batch is None and prepared.examples
    result = await service.run_import(
        database,
        actor=admin,
        prepared=prepared,
        policy=DuplicatePolicy.skip,
        only_valid=False,
        now=NOW,
        progress=progress,
    )
    assert (result.created_organizations, result.created_contacts) == (
        stats.organizations,
        stats.contacts,
    )
    assert reports and reports[-1][0] == reports[-1][1]
    orgs = await _all(database, Organization)
    contacts = await _all(database, Contact)
    assert len(orgs) == stats.organizations and len(contacts) == stats.contacts
    assert {o.import_batch_id for o in orgs} == {result.batch_id}
    batch = (await _all(database, ImportBatch))[0]
    assert batch.status == ImportStatus.done and batch.stats["created_contacts"] == stats.contacts
    audits = await _all(database, AuditEvent, col(AuditEvent.action).like("import.%"))
    assert [a.action for a in audits] == ["import.run"]

    # search_text is what the directory builds for the same record
    org = orgs[3]
    expected = org.model_copy()
    async with database.transaction() as session:
        await directory.refresh_search_text(session, expected)
    assert org.search_text == expected.search_text
    contact = next(c for c in contacts if c.position)
    copy = contact.model_copy()
    async with database.transaction() as session:
        await directory.refresh_search_text(session, copy)
    assert contact.search_text == copy.search_text

    found = await _find(database, admin, org.name)
    assert org.id in [o.id for o in found.organizations]
    phone = (await _all(database, Phone, Phone.contact_id == contact.id))[0]
    found = await _find(database, admin, phone.e164)
    assert contact.id in [c.id for c in found.contacts]


ROMASHKA = 'ООО "Ромашка",7701234567,Анна Петрова,,+7 912 345-67-89,,,'


async def test_duplicates_against_the_database_with_each_policy(database):
    admin, _ = await _team(database)
    await _import(database, admin, _csv(ROMASHKA))
    again = _csv(
        'ООО "Ромашка",7701234567,Анна Петрова,Директор,+7 912 345-67-89,anna@r.ru,"Москва",',
        "Лютик,7707654321,Иван Сидоров,,+7 913 000-00-01,,,",
    )
    prepared = await _prepare(database, admin, again)
    assert (prepared.matched_organizations, prepared.matched_contacts) == (1, 1)
    assert (prepared.new_organizations, prepared.new_contacts) == (1, 1)

    _, skipped = await _import(database, admin, again, DuplicatePolicy.skip)
    assert (skipped.created_organizations, skipped.created_contacts, skipped.skipped) == (1, 1, 2)
    anna = (await _all(database, Contact, Contact.full_name == "Анна Петрова"))[0]
    assert anna.position is None

    third = _csv(
        'ООО "Ромашка",7701234567,Анна Петрова,Директор,+7 912 345-67-89,anna@r.ru,"Москва",'
    )
    _, merged = await _import(database, admin, third, DuplicatePolicy.merge)
    assert (merged.created_organizations, merged.created_contacts, merged.updated) == (0, 0, 2)
    anna = (await _all(database, Contact, Contact.id == anna.id))[0]
    assert anna.position == "Директор" and "anna r ru" in anna.search_text
    org = (await _all(database, Organization, Organization.tax_id == "7701234567"))[0]
    assert org.address == "Москва"
    emails = await _all(database, Email, Email.contact_id == anna.id)
    assert [e.import_batch_id for e in emails] == [merged.batch_id]
    updates = await _all(database, ImportUpdate, ImportUpdate.batch_id == merged.batch_id)
    assert {u.entity_type for u in updates} == {"organization", "contact"}
    assert next(u for u in updates if u.entity_type == "contact").before["position"] is None

    _, created = await _import(database, admin, third, DuplicatePolicy.create)
    assert (created.created_organizations, created.created_contacts) == (1, 1)
    assert len(await _all(database, Organization, Organization.tax_id == "7701234567")) == 2


async def test_only_valid_leaves_out_rows_with_warnings(database):
    admin, _ = await _team(database)
    data = _csv(
        "Альфа,7701111111,Пётр Первый,,+7 912 111-11-11,,,",
        "Бета,7702222222,Павел Второй,,12,,,",  # an invalid phone: a warning
        ",,,,,,Адрес без имени,",  # nothing to import: an error
    )
    prepared = await _prepare(database, admin, data)
    assert [r.row_number for r in prepared.problem_rows] == [4]
    assert [r.row_number for r in prepared.warning_rows] == [3]
    assert prepared.warning_rows[0].values[1] == "Павел Второй" or prepared.warning_rows[0].values

    result = await service.run_import(
        database, actor=admin, prepared=prepared, policy="skip", only_valid=True, now=NOW
    )
    assert (result.created_organizations, result.created_contacts) == (1, 1)
    assert [r.row_number for r in result.rejected] == [3, 4]
    book = service.rejected_rows_workbook(
        result.rejected, prepared.match.headers, lambda issue: issue.code.value
    )
    rows = list(openpyxl.load_workbook(io.BytesIO(book)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Row" and rows[0][-1] == "Why"
    assert rows[1][0] == 3 and rows[1][1] == "Бета" and rows[1][-1] == "invalid_phone"

    _, everything = await _import(database, admin, data, only_valid=False)
    assert everything.created_organizations == 1  # Бета; Альфа is skipped as a duplicate
    assert [r.row_number for r in everything.rejected] == [4]


async def test_a_failure_mid_write_leaves_nothing_and_a_failed_batch(database, monkeypatch):
    admin, _ = await _team(database)
    real = imports_repo.insert_tuples
    calls = []

    async def failing(session, model, columns, rows):
        calls.append(model)
        if model is Contact:
            raise RuntimeError("disk on fire")
        await real(session, model, columns, rows)

    monkeypatch.setattr(imports_repo, "insert_tuples", failing)
    with pytest.raises(ImportServiceError) as caught:
        await _import(database, admin, _csv(ROMASHKA))
    assert caught.value.problem == ImportServiceProblem.failed
    assert Organization in calls
    assert await _all(database, Organization) == [] and await _all(database, Phone) == []
    batch = (await _all(database, ImportBatch))[0]
    assert batch.status == ImportStatus.failed and "disk on fire" in batch.error


async def test_fail_interrupted_marks_running_batches_failed(database):
    admin, _ = await _team(database)
    async with database.transaction() as session:
        await imports_repo.add_batch(
            session,
            workspace_id=admin.workspace_id,
            member_id=admin.id,
            file_name="big.xlsx",
            file_sha256="0" * 64,
            status=ImportStatus.running,
        )
    found = await service.fail_interrupted(database, now=NOW)
    assert [(b.file_name, b.member_id) for b in found] == [("big.xlsx", admin.id)]
    batch = (await _all(database, ImportBatch))[0]
    assert batch.status == ImportStatus.failed and batch.error == "interrupted"
    assert await service.fail_interrupted(database, now=NOW) == []


async def _snapshot(database):
    orgs = [
        (o.id, o.name, o.tax_id, o.address, o.search_text)
        for o in await _all(database, Organization)
    ]
    contacts = [
        (c.id, c.full_name, c.position, c.search_text, c.updated_at)
        for c in await _all(database, Contact)
    ]
    phones = [(p.id, p.e164) for p in await _all(database, Phone)]
    emails = [(e.id, e.address) for e in await _all(database, Email)]
    return orgs, contacts, phones, emails


async def test_undo_restores_exactly_and_is_blocked_by_later_changes(database):
    admin, rep = await _team(database)
    await _import(database, admin, _csv(ROMASHKA))
    data = _csv(
        'ООО "Ромашка",7701234567,Анна Петрова,Директор,+7 912 345-67-89,anna@r.ru,Москва,',
        "Лютик,7707654321,Иван Сидоров,,+7 913 000-00-01,,,",
    )
    _, result = await _import(database, admin, data, DuplicatePolicy.merge)

    async with database.transaction() as session:
        with pytest.raises(ImportServiceError) as caught:
            await service.undo(session, actor=rep, batch_id=result.batch_id, now=LATER)
        assert caught.value.problem == ImportServiceProblem.not_allowed
        batches = await service.list_batches(session, actor=admin)
        assert [b.id for b in batches][0] == result.batch_id
        assert await service.list_batches(session, actor=rep) == []

    lutik = (await _all(database, Organization, Organization.name == "Лютик"))[0]
    async with database.transaction() as session:
        await directory.update_field(
            session,
            actor=admin,
            kind=Kind.organization,
            record_id=lutik.id,
            field_name="website",
            value="lutik.ru",
            region="RU",
            now=LATER,
        )
    async with database.transaction() as session:
        with pytest.raises(ImportServiceError) as caught:
            await service.undo(session, actor=admin, batch_id=result.batch_id, now=LATER)
    assert caught.value.problem == ImportServiceProblem.blocked
    assert [(d.kind, d.record_id) for d in caught.value.details] == [("organization", lutik.id)]

    # an activity on a created record blocks too
    ivan = (await _all(database, Contact, Contact.full_name == "Иван Сидоров"))[0]
    async with database.transaction() as session:
        await activities.log(
            session,
            actor=admin,
            data=activities.ActivityInput(
                kind=ActivityKind.note, target=Kind.contact, target_id=ivan.id, note="hi"
            ),
            now=NOW,
        )
        with pytest.raises(ImportServiceError) as caught:
            await service.undo(session, actor=admin, batch_id=result.batch_id, now=LATER)
    reasons = {(d.record_id, d.reason) for d in caught.value.details}
    assert (ivan.id, "activity") in reasons


async def test_undo_removes_created_and_restores_merged_fields(database):
    admin, _ = await _team(database)
    await _import(database, admin, _csv(ROMASHKA))
    before = await _snapshot(database)
    data = _csv(
        'ООО "Ромашка",7701234567,Анна Петрова,Директор,+7 912 345-67-89,anna@r.ru,Москва,',
        "Лютик,7707654321,Иван Сидоров,,+7 913 000-00-01,,,",
    )
    prepared, result = await _import(database, admin, data, DuplicatePolicy.merge)
    assert result.updated == 2 and result.created_organizations == 1
    async with database.transaction() as session:
        undone = await service.undo(session, actor=admin, batch_id=result.batch_id, now=LATER)
    assert (undone.deleted_organizations, undone.deleted_contacts, undone.restored) == (1, 1, 2)
    assert await _snapshot(database) == before
    async with database.transaction() as session:
        with pytest.raises(ImportServiceError) as caught:
            await service.undo(session, actor=admin, batch_id=result.batch_id, now=LATER)
    assert caught.value.problem == ImportServiceProblem.already_undone
    batch = (await _all(database, ImportBatch, ImportBatch.id == result.batch_id))[0]
    assert batch.status == ImportStatus.undone and batch.undone_at == LATER
    actions = [
        a.action for a in await _all(database, AuditEvent, col(AuditEvent.action).like("import.%"))
    ]
    assert actions == ["import.run", "import.run", "import.undo"]

    # the same file again: the previous (undone) batch no longer counts
    again = await _prepare(database, admin, data)
    assert prepared.previous_batch is None and again.previous_batch is None


async def test_the_same_file_twice_is_detected(database):
    admin, _ = await _team(database)
    data = _csv(ROMASHKA)
    _, result = await _import(database, admin, data)
    prepared = await _prepare(database, admin, data)
    assert prepared.previous_batch is not None and prepared.previous_batch.id == result.batch_id
    other = await _prepare(database, admin, _csv(ROMASHKA + "x"))
    assert other.previous_batch is None


async def test_remembered_mapping_is_used(database):
    admin, _ = await _team(database)
    data = _csv(ROMASHKA)
    prepared = await _prepare(database, admin, data, mapping_overrides={3: None})
    assert 3 not in prepared.match.mapping
    async with database.transaction() as session:
        await service.remember_mapping(
            session, workspace_id=admin.workspace_id, match=prepared.match
        )
    again = await _prepare(database, admin, data)
    assert again.match.mapping == prepared.match.mapping


async def test_export_writes_formulas_as_text(database):
    admin, _ = await _team(database)
    async with database.transaction() as session:
        await directory.create_organization(
            session,
            actor=admin,
            data=directory.OrganizationInput(name='=HYPERLINK("x")', note="@SUM(A1)"),
            region="RU",
            now=NOW,
        )
        book = await service.export_workbook(session, workspace_id=admin.workspace_id)
    workbook = openpyxl.load_workbook(io.BytesIO(book))
    assert workbook.sheetnames == ["Organizations", "Contacts", "Activities"]
    sheet = workbook["Organizations"]
    name = sheet["A2"]
    assert name.value == '=HYPERLINK("x")' and name.data_type == "s" and name.quotePrefix
    assert sheet["G2"].value == "@SUM(A1)" and sheet["G2"].quotePrefix


async def _directory(database, workspace_id):
    orgs = await _all(database, Organization, Organization.workspace_id == workspace_id)
    org_by_id = {o.id: o for o in orgs}
    contacts = await _all(database, Contact, Contact.workspace_id == workspace_id)
    phones = await _all(database, Phone, Phone.workspace_id == workspace_id)
    emails = await _all(database, Email, Email.workspace_id == workspace_id)

    def points(owner, kind):
        return (
            sorted(p.e164 for p in phones if getattr(p, kind) == owner.id),
            sorted(e.address for e in emails if getattr(e, kind) == owner.id),
        )

    return (
        sorted(
            (o.name, o.tax_id, o.address, o.website, o.note, o.extra, *points(o, "organization_id"))
            for o in orgs
        ),
        sorted(
            (
                c.full_name,
                c.position,
                c.note,
                c.extra,
                org_by_id[c.organization_id].name if c.organization_id else None,
                *points(c, "contact_id"),
            )
            for c in contacts
        ),
    )


async def test_export_then_import_into_an_empty_workspace_gives_the_same_data(database, tmp_path):
    admin, _ = await _team(database)
    path = tmp_path / "1c.xlsx"
    write_1c_workbook(path, rows=80, seed=7)
    await _import(database, admin, path, name="1c.xlsx")
    people = (
        "Name,Company,Phone,Contact note,Lifecycle stage,Birthday\n"
        "Ivan Petrov,Acme,+7 912 000-11-22,calls after 15:00,lead,\n"
        "Anna Smirnova,,+7 912 000-11-33,,customer,05-01\n"
    )
    await _import(database, admin, people.encode(), name="people.csv")
    async with database.transaction() as session:
        await directory.create_contact(
            session,
            actor=admin,
            data=directory.ContactInput(
                full_name="Частное Лицо",
                note="-частная заметка",
                phones=["+7 915 123-45-67"],
                emails=["private@example.com"],
            ),
            region="RU",
            now=NOW,
        )
        book = await service.export_workbook(session, workspace_id=admin.workspace_id)
        _, other = await team.create_workspace(
            session, name="Copy", owner=Person(9, "Nina"), defaults=DEFAULTS, hosted=True
        )
    export = tmp_path / "export.xlsx"
    export.write_bytes(book)
    for sheet in ("Organizations", "Contacts"):
        _, result = await _import(
            database, other, export, DuplicatePolicy.merge, name="export.xlsx", sheet=sheet
        )
        assert result.rejected == []
    copied = await _directory(database, other.workspace_id)
    assert copied == await _directory(database, admin.workspace_id)
    orgs, people = copied
    assert all("КПП" in o[5] for o in orgs if o[0] != "Acme")  # 1C's unmapped column
    ivan = next(p for p in people if p[0] == "Ivan Petrov")
    assert ivan[2:5] == ("calls after 15:00", {"Lifecycle stage": "lead"}, "Acme")
    anna = next(p for p in people if p[0] == "Anna Smirnova")
    assert anna[3] == {"Lifecycle stage": "customer", "Birthday": "05-01"}


async def test_progress_is_reported_per_chunk_and_at_the_end(database, monkeypatch):
    admin, _ = await _team(database)
    monkeypatch.setattr(service, "WRITE_CHUNK", 2)
    monkeypatch.setattr(service, "PROGRESS_MIN_SECONDS", 0)
    lines = [f"Фирма {n},77010000{n:02d},Человек {n},,+7 912 000-00-{n:02d},,," for n in range(7)]
    prepared = await _prepare(database, admin, _csv(*lines))
    reports = []

    async def progress(done, total):
        reports.append((done, total))

    result = await service.run_import(
        database,
        actor=admin,
        prepared=prepared,
        policy=DuplicatePolicy.skip,
        only_valid=False,
        now=NOW,
        progress=progress,
    )
    assert result.created_contacts == 7
    assert len(reports) >= 4 and reports[-1] == (14, 14)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)


async def test_a_later_edit_of_a_merged_record_blocks_undo_and_reps_undo_their_own(database):
    admin, rep = await _team(database)
    await _import(database, admin, _csv(ROMASHKA))
    data = _csv('ООО "Ромашка",7701234567,Анна Петрова,Директор,,,,')
    _, merged = await _import(database, admin, data, DuplicatePolicy.merge)
    anna = (await _all(database, Contact, Contact.full_name == "Анна Петрова"))[0]
    async with database.transaction() as session:
        await directory.update_field(
            session,
            actor=admin,
            kind=Kind.contact,
            record_id=anna.id,
            field_name="note",
            value="called",
            region="RU",
            now=LATER,
        )
        with pytest.raises(ImportServiceError) as caught:
            await service.undo(session, actor=admin, batch_id=merged.batch_id, now=LATER)
    assert caught.value.problem == ImportServiceProblem.blocked
    assert [(d.kind, d.record_id, d.reason) for d in caught.value.details] == [
        ("contact", anna.id, "changed")
    ]

    _, own = await _import(database, rep, _csv("Лютик,7707654321,Иван Сидоров,,,,,"))
    async with database.transaction() as session:
        assert [b.id for b in await service.list_batches(session, actor=rep)] == [own.batch_id]
        with pytest.raises(ImportServiceError) as caught:
            await service.undo(session, actor=rep, batch_id=merged.batch_id, now=LATER)
        assert caught.value.problem == ImportServiceProblem.not_allowed
        done = await service.undo(session, actor=rep, batch_id=own.batch_id, now=LATER)
    assert (done.deleted_organizations, done.deleted_contacts) == (1, 1)
    async with database.transaction() as session:
        with pytest.raises(ImportServiceError) as caught:
            await service.undo(session, actor=admin, batch_id=999, now=LATER)
    assert caught.value.problem == ImportServiceProblem.not_found


@pytest.mark.parametrize("workers", [1, 2])
async def test_rejected_rows_keep_their_cells_when_normalized_in_parallel(
    database, monkeypatch, workers
):
    """Above PARALLEL_MIN_ROWS rows, prepare() normalizes in worker processes, which read
    thousands of rows ahead: the rejected rows must still carry their own cells."""
    monkeypatch.setattr(service, "PLAN_WORKERS", workers)
    admin, _ = await _team(database)
    warned, broken = {5, 1500, 5150}, {9, 3003, 5199}
    lines = []
    for i in range(5200):
        if i in broken:
            lines.append(f",,,,,,Адрес {i},")
        elif i in warned:
            lines.append(f"Орг {i},,Имя {i},,12,,,")
        else:
            lines.append(f"Орг {i},,Имя {i},,+7 912 {i:07d},,,")
    prepared = await _prepare(database, admin, _csv(*lines))
    assert [(r.row_number, r.values[6]) for r in prepared.problem_rows] == [
        (i + 2, f"Адрес {i}") for i in sorted(broken)
    ]
    assert [(r.row_number, r.values[0], r.values[4]) for r in prepared.warning_rows] == [
        (i + 2, f"Орг {i}", "12") for i in sorted(warned)
    ]
    assert prepared.new_organizations == 5200 - len(broken)


def _many(count: int, address: str = "") -> bytes:
    """`count` organizations, each with a person, a phone and an e-mail of its own."""
    return _csv(
        *(
            f"Орг {i},,Имя {i},,+7 912 {i:07d},c{i}@example.com,{address and f'{address} {i}'},"
            for i in range(count)
        )
    )


async def test_matching_and_merging_more_values_than_a_lookup_chunk(database):
    """Each key kind is looked up with all the file's values at once (more than the 500 of
    the old `IN (...)` chunks): everything matches the second time, and merges."""
    admin, _ = await _team(database)
    count = 1200  # the old chunks were of 500
    _, first = await _import(database, admin, _many(count))
    assert (first.created_organizations, first.created_contacts) == (count, count)

    prepared = await _prepare(database, admin, _many(count, "Адрес"))
    assert (prepared.matched_organizations, prepared.matched_contacts) == (count, count)
    assert (prepared.new_organizations, prepared.new_contacts) == (0, 0)
    result = await service.run_import(
        database, actor=admin, prepared=prepared, policy="merge", only_valid=False, now=LATER
    )
    assert (result.created_organizations, result.updated) == (0, count)
    orgs = await _all(database, Organization)
    assert [o.address for o in orgs] == [f"Адрес {i}" for i in range(count)]
    assert len(await _all(database, Phone)) == count  # the people's, none added twice


async def _sqlite_triggers(database) -> set[str]:
    async with database.transaction() as session:
        rows = await session.exec(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        return {row[0] for row in rows}


async def test_bulk_import_indexes_for_search_and_puts_the_triggers_back(database, monkeypatch):
    """A large import indexes its records for search in one statement per table (SQLite
    suspends the per-row triggers meanwhile): search finds them, undo removes them from the
    index, and records written afterwards are indexed as usual."""
    admin, _ = await _team(database)
    triggers = await _sqlite_triggers(database) if database.is_sqlite else set()
    monkeypatch.setattr(service, "BULK_INDEX_MIN", 1)
    _, result = await _import(database, admin, _many(3))
    assert result.created_organizations == 3
    found = await _find(database, admin, "Орг 2")
    assert [o.name for o in found.organizations] == ["Орг 2"]
    found = await _find(database, admin, "79120000001")
    assert [c.full_name for c in found.contacts] == ["Имя 1"]
    if database.is_sqlite:
        assert await _sqlite_triggers(database) == triggers

    async with database.transaction() as session:
        await service.undo(session, actor=admin, batch_id=result.batch_id, now=LATER)
    found = await _find(database, admin, "Орг 2")
    assert found.organizations == [] and found.contacts == []

    monkeypatch.setattr(service, "BULK_INDEX_MIN", 10**9)  # row by row again
    await _import(database, admin, _csv(ROMASHKA))
    found = await _find(database, admin, "Ромашка")
    assert [o.name for o in found.organizations] == ['ООО "Ромашка"']


async def test_a_failed_bulk_import_keeps_the_search_triggers(database, monkeypatch):
    admin, _ = await _team(database)
    triggers = await _sqlite_triggers(database) if database.is_sqlite else set()
    monkeypatch.setattr(service, "BULK_INDEX_MIN", 1)
    real = imports_repo.insert_tuples

    async def failing(session, model, columns, rows):
        if model is Contact:
            raise RuntimeError("disk on fire")
        await real(session, model, columns, rows)

    monkeypatch.setattr(imports_repo, "insert_tuples", failing)
    with pytest.raises(ImportServiceError):
        await _import(database, admin, _many(3))
    if database.is_sqlite:
        assert await _sqlite_triggers(database) == triggers
    monkeypatch.setattr(imports_repo, "insert_tuples", real)
    monkeypatch.setattr(service, "BULK_INDEX_MIN", 10**9)
    await _import(database, admin, _csv(ROMASHKA))
    found = await _find(database, admin, "Ромашка")
    assert [o.name for o in found.organizations] == ['ООО "Ромашка"']


async def test_prepare_plans_outside_any_transaction(database, monkeypatch):
    """While prepare() plans the file (seconds for a large one), another writer commits:
    on SQLite nothing holds the write lock meanwhile."""
    admin, _ = await _team(database)
    planning, committed = threading.Event(), threading.Event()
    seen = []
    real = service._plan_rows

    def plan_rows(*args):
        planning.set()
        seen.append(committed.wait(timeout=20))  # a safety net, not a measurement
        return real(*args)

    monkeypatch.setattr(service, "_plan_rows", plan_rows)
    task = asyncio.create_task(_prepare(database, admin, _csv(ROMASHKA)))
    assert await asyncio.to_thread(planning.wait, 20)
    async with database.transaction() as session:
        await imports_repo.add_batch(
            session,
            workspace_id=admin.workspace_id,
            member_id=admin.id,
            file_name="other.csv",
            file_sha256="0" * 64,
            status=ImportStatus.done,
        )
    committed.set()
    prepared = await task
    assert seen == [True] and prepared.new_organizations == 1
