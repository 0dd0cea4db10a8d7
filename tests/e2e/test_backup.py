"""`python -m bot backup FILE`: a consistent copy of the live SQLite database, restorable; for
PostgreSQL the pg_dump and pg_restore commands it prints, run as printed."""

from __future__ import annotations

import asyncio
import shlex
import sqlite3
from contextlib import closing

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import select

from bot.app import build_application, polling
from bot.config import load_settings
from storage.db import Database
from storage.models import Workspace
from tests.e2e.bot_process import ROOT, environment, run_bot_command, scratch_postgres_database
from tests.e2e.conftest import TOKEN
from tests.e2e.directory_helpers import new_organization
from tests.e2e.test_cli import _run
from tests.e2e.test_cli_import import new_workspace

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def organizations_in(path) -> set[str]:
    with closing(sqlite3.connect(path)) as connection:
        return {name for (name,) in connection.execute("SELECT name FROM organization")}


@SQLITE_ONLY
async def test_a_backup_taken_while_the_bot_writes_restores_the_data(
    start_bot, database_url, emulator, tmp_path
):
    url, _schema = database_url
    target = tmp_path / "backup.db"
    async with start_bot() as running:
        owner = await running.onboard(running.user(1, "Olga"))
        for number in (1, 2, 3):
            await new_organization(owner, f"Before Backup {number}")

        writing = asyncio.Event()
        done = asyncio.Event()

        async def keep_writing() -> int:
            count = 0
            while not done.is_set():
                count += 1
                await new_organization(owner, f"During Backup {count}")
                writing.set()
            return count

        writer = asyncio.create_task(keep_writing())
        await writing.wait()
        code, out, err = await _run("backup", str(target), env=environment(DATABASE_URL=url))
        done.set()
        written_meanwhile = await writer

    assert code == 0, err
    assert "with the SQLite backup API" in out and "integrity check: ok" in out
    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    saved = organizations_in(target)
    assert {"Before Backup 1", "Before Backup 2", "Before Backup 3", "During Backup 1"} <= saved
    assert written_meanwhile >= 2  # the bot kept writing while the copy was made
    assert f"organization: {len(saved)} rows" in out

    # Restore: a new bot on the copy knows the workspace and its organizations.
    restored_url = f"sqlite+aiosqlite:///{target}"
    settings = load_settings(
        _env_file=None,
        telegram_bot_token=TOKEN,
        bot_api_url=emulator.url,
        database_url=restored_url,
    )
    database = Database(restored_url)
    async with polling(build_application(settings, database=database), poll_timeout=1):
        await owner.send("/find Before Backup 2")
        assert (await owner.next_message()).text.startswith("🏢 Before Backup 2")
        last = max(int(name.split()[-1]) for name in saved if name.startswith("During"))
        await owner.send(f"/find During Backup {last}")
        assert (await owner.next_message()).text.startswith(f"🏢 During Backup {last}")


async def test_backup_refuses_to_overwrite_without_force(tmp_path):
    source, target = tmp_path / "crm.db", tmp_path / "backup.db"
    with closing(sqlite3.connect(source)) as connection:
        connection.execute("CREATE TABLE note (text TEXT)")
        connection.execute("INSERT INTO note VALUES ('first')")
        connection.commit()
    target.write_bytes(b"an older backup")
    env = environment(DATABASE_URL=f"sqlite:///{source}")

    code, _, err = await _run("backup", str(target), env=env)
    assert code == 1 and "exists; pass --force to replace it" in err
    assert target.read_bytes() == b"an older backup"

    code, out, _ = await _run("backup", str(target), "--force", env=env)
    assert code == 0 and "note: 1 rows" in out
    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("SELECT text FROM note").fetchall() == [("first",)]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


async def test_backup_of_a_missing_database_creates_nothing(tmp_path):
    env = environment(DATABASE_URL=f"sqlite:///{tmp_path}/absent.db")
    code, _, err = await _run("backup", str(tmp_path / "backup.db"), env=env)
    assert code == 1 and "no such database file" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


async def test_postgresql_is_pointed_to_pg_dump_without_the_password(tmp_path):
    env = environment(
        DATABASE_URL="postgres://crm:hunter2@db.example:5433/crm", PYTHONPATH=str(ROOT)
    )
    code, out, err = await _run("backup", "crm.dump", env=env, cwd=tmp_path)
    assert code == 2 and out == ""
    assert "pg_dump --format=custom --file crm.dump postgresql://crm@db.example:5433/crm" in err
    assert "pg_restore --no-owner --dbname postgresql://crm@db.example:5433/crm crm.dump" in err
    assert "hunter2" not in err
    assert not (tmp_path / "crm.dump").exists()


async def _shell(args: list[str], cwd) -> None:
    process = await asyncio.create_subprocess_exec(*args, cwd=cwd, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()


@pytest.mark.postgres
async def test_the_pg_dump_advice_backs_up_and_restores_postgresql(tmp_path):
    async with scratch_postgres_database() as source, scratch_postgres_database() as empty:
        env = environment(DATABASE_URL=source, PYTHONPATH=str(ROOT))
        await run_bot_command("db", "upgrade", env=env)
        await new_workspace(source, "Acme", owner_id=1)
        code, _, advice = await _run("backup", "crm.dump", env=env, cwd=tmp_path)
        assert code == 2
        [dump] = [shlex.split(line) for line in advice.splitlines() if "pg_dump " in line]
        [restore] = [shlex.split(line) for line in advice.splitlines() if "pg_restore " in line]
        await _shell(dump, cwd=tmp_path)  # as printed
        into = make_url(empty).set(drivername="postgresql").render_as_string(hide_password=False)
        restore[restore.index("--dbname") + 1] = into  # "into an empty database"
        await _shell(restore, cwd=tmp_path)
        restored = Database(empty)
        try:
            async with restored.transaction() as session:
                names = (await session.exec(select(Workspace.name))).all()
        finally:
            await restored.dispose()
        assert names == ["Acme"]
