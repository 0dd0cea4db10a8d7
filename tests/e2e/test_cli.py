"""The real entry point, `python -m bot`, as a deploy script runs it."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.e2e.bot_process import ROOT, bot_process, environment
from tests.e2e.conftest import TOKEN


async def _run(*args: str, env: dict[str, str], cwd: Path = ROOT) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, out.decode(), err.decode()


async def test_configuration_problems_are_one_line_each(tmp_path):
    code, _, err = await _run(
        env=environment(TELEGRAM_BOT_TOKEN="1:x", DATABASE_URL="mysql://h/db", LOG_LEVEL="loud"),
        cwd=tmp_path,
    )
    assert code == 2
    assert err.splitlines() == [
        "error: DATABASE_URL: unsupported database 'mysql'; use SQLite or PostgreSQL",
        "error: LOG_LEVEL: Input should be 'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL'",
    ]


async def test_missing_token_is_named(tmp_path):
    code, _, err = await _run(env=environment(PYTHONPATH=str(ROOT)), cwd=tmp_path)
    assert code == 2 and "TELEGRAM_BOT_TOKEN is not set" in err


async def test_bot_refuses_an_old_schema_then_runs_after_db_upgrade(emulator, tmp_path):
    env = environment(
        TELEGRAM_BOT_TOKEN=TOKEN,
        BOT_API_URL=emulator.url,
        DATABASE_URL=f"sqlite:///{tmp_path}/data/crm.db",
    )
    code, _, err = await _run(env=env)
    assert code == 2
    assert "Run: python -m bot db upgrade" in err and TOKEN not in err

    code, out, _ = await _run("db", "upgrade", env=env)
    assert code == 0 and "database is at" in out

    async with bot_process(env=env) as bot:
        owner = emulator.user(1, "Olga", token=TOKEN)
        await owner.send("/start")
        reply = await owner.next_message(timeout=30)
        assert "company's name" in reply.text
        bot.interrupt()
        assert await bot.wait() == 0, bot.log
    log = bot.log
    assert "bot @crm_test_bot started" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
