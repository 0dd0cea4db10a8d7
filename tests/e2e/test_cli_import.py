"""`python -m bot import` and `python -m bot export` against a migrated SQLite file."""

from __future__ import annotations

import io

import openpyxl
from sqlmodel import func, select

from crm import team
from crm.importing.samples import write_1c_workbook
from crm.team import Person, WorkspaceDefaults
from storage.db import Database
from storage.models import Contact, ImportBatch, Organization
from tests.e2e.test_cli import _environment, _run

DEFAULTS = WorkspaceDefaults(locale="ru", region="RU", timezone="Europe/Moscow", currency="RUB")


async def _count(url: str, model) -> int:
    database = Database(url)
    try:
        async with database.transaction() as session:
            return (await session.exec(select(func.count()).select_from(model))).one()
    finally:
        await database.dispose()


async def test_import_and_export_from_the_command_line(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/crm.db"
    env = _environment(DATABASE_URL=url)
    code, _, err = await _run("db", "upgrade", env=env)
    assert code == 0, err
    database = Database(url)
    try:
        async with database.transaction() as session:
            await team.create_workspace(
                session, name="Acme", owner=Person(1, "Olga"), defaults=DEFAULTS, hosted=True
            )
    finally:
        await database.dispose()

    path = tmp_path / "1c.xlsx"
    stats = write_1c_workbook(path, rows=50, seed=2)
    with path.open("rb") as source:
        workbook = openpyxl.load_workbook(source)
    sheet = workbook.active
    sheet.append(["", "", "", "", "", "", "", "", "just an address"])  # a row with an error
    workbook.save(path)

    code, out, err = await _run("import", str(path), "--workspace", "acme", "--dry-run", env=env)
    assert code == 0, err
    assert f"new organizations: {stats.organizations}" in out
    assert f"new contacts: {stats.contacts}" in out
    assert "rows with errors (not imported): 1" in out and "dry run" in out
    assert await _count(url, Organization) == 0

    code, out, err = await _run("import", str(path), "--workspace", "1", env=env)
    assert code == 0, err
    assert "batch: 1" in out
    assert f"created: {stats.organizations} organizations, {stats.contacts} contacts" in out
    rejected = tmp_path / "1c.xlsx.rejected.xlsx"
    assert rejected.is_file() and "rejected rows: 1" in out
    assert await _count(url, Organization) == stats.organizations
    assert await _count(url, Contact) == stats.contacts
    assert await _count(url, ImportBatch) == 1

    code, out, err = await _run(
        "import", str(path), "--workspace", "Acme", "--on-duplicate", "merge", env=env
    )
    assert code == 0, err
    assert "this file was imported before: batch 1" in out and "created: 0 organizations" in out

    target = tmp_path / "export.xlsx"
    code, out, err = await _run("export", str(target), "--workspace", "acme", env=env)
    assert code == 0, err
    book = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))
    assert book.sheetnames == ["Organizations", "Contacts", "Activities"]
    assert book["Organizations"].max_row == stats.organizations + 1

    code, _, err = await _run("export", str(target), "--workspace", "nope", env=env)
    assert code == 2 and "no workspace 'nope'" in err
