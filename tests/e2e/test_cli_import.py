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
from tests.e2e.bot_process import environment
from tests.e2e.test_cli import _run

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
    env = environment(DATABASE_URL=url)
    code, _, err = await _run("db", "upgrade", env=env)
    assert code == 0, err
    await new_workspace(url, "Acme", owner_id=1)

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


async def new_workspace(url: str, name: str, owner_id: int) -> None:
    """A workspace in the database at `url`, as the bot's /start makes it."""
    database = Database(url)
    try:
        async with database.transaction() as session:
            await team.create_workspace(
                session, name=name, owner=Person(owner_id, name), defaults=DEFAULTS, hosted=True
            )
    finally:
        await database.dispose()


async def test_import_reads_the_sheet_named_and_lists_the_sheets_of_a_wrong_name(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/crm.db"
    env = environment(DATABASE_URL=url)
    code, _, err = await _run("db", "upgrade", env=env)
    assert code == 0, err
    await new_workspace(url, "Acme", 1)
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["Company", "Phone"])
    workbook.active.append(["Not this one", "+7 912 000-00-01"])
    clients = workbook.create_sheet("Clients")
    clients.append(["Company", "Phone"])
    clients.append(["Romashka", "+7 912 000-00-02"])
    clients.append(["Lyutik", "+7 912 000-00-03"])
    path = tmp_path / "book.xlsx"
    workbook.save(path)

    code, out, err = await _run(
        "import", str(path), "--workspace", "acme", "--sheet", "Contacts", env=env
    )
    assert code == 2 and "no sheet 'Contacts'; its sheets: 'Notes', 'Clients'" in err, err

    code, out, err = await _run(
        "import", str(path), "--workspace", "acme", "--sheet", "clients", env=env
    )
    assert code == 0, err
    assert "created: 2 organizations, 0 contacts" in out
    assert await _count(url, Organization) == 2

    csv = tmp_path / "list.csv"
    csv.write_text("Company,Phone\nAcme,1\n")
    code, _, err = await _run("import", str(csv), "--workspace", "acme", "--sheet", "x", env=env)
    assert code == 2 and "--sheet needs an .xlsx file" in err, err


async def test_an_export_imports_into_an_empty_workspace_sheet_by_sheet(tmp_path):
    """Notes of both kinds and extra columns come back (the export of the command line is the
    whole workspace)."""
    url = f"sqlite+aiosqlite:///{tmp_path}/crm.db"
    env = environment(DATABASE_URL=url)
    code, _, err = await _run("db", "upgrade", env=env)
    assert code == 0, err
    await new_workspace(url, "Acme", 1)
    await new_workspace(url, "Copy", 2)
    source = tmp_path / "clients.csv"
    source.write_text(
        "Company,Tax ID,Contact person,Phone,Comment,Contact note,Segment\n"
        "Romashka,7701234567,Ivan Petrov,+7 912 000-00-01,wholesale,after 15:00,A\n"
        "Lyutik,7701234568,,+7 912 000-00-02,retail,,B\n"
    )
    code, _, err = await _run("import", str(source), "--workspace", "Acme", env=env)
    assert code == 0, err
    export = tmp_path / "export.xlsx"
    code, _, err = await _run("export", str(export), "--workspace", "Acme", env=env)
    assert code == 0, err
    for sheet in ("Organizations", "Contacts"):
        code, out, err = await _run(
            "import",
            str(export),
            "--workspace",
            "Copy",
            "--sheet",
            sheet,
            "--on-duplicate",
            "merge",
            env=env,
        )
        assert code == 0, err

    database = Database(url)
    try:
        async with database.transaction() as session:
            orgs = (await session.exec(select(Organization).order_by(Organization.id))).all()
            people = (await session.exec(select(Contact).order_by(Contact.id))).all()
    finally:
        await database.dispose()
    copied = {o.name: (o.tax_id, o.note, o.extra) for o in orgs if o.workspace_id == 2}
    assert copied == {
        "Romashka": ("7701234567", "wholesale", {}),
        "Lyutik": ("7701234568", "retail", {"Segment": "B"}),
    }
    # a sheet with a contact-note column is a list of people: the extra column is Ivan's
    ivan = [(c.full_name, c.note, c.extra) for c in people if c.workspace_id == 2]
    assert ivan == [("Ivan Petrov", "after 15:00", {"Segment": "A"})]
