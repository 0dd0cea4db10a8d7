"""`python -m bot sandbox`: a person chats with the bot in a terminal, no token, no network."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


async def _session(database: Path, lines: list[str], *extra: str) -> str:
    """One terminal session fed with `lines`; returns what it printed."""
    environment = {**os.environ, "LANG": "en_US.UTF-8", "TELEGRAM_BOT_TOKEN": ""}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sandbox",
        "--database-url",
        f"sqlite:///{database}",
        *extra,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env=environment,
    )
    out, err = await asyncio.wait_for(process.communicate("\n".join(lines).encode() + b"\n"), 60)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_sandbox_session_from_start_to_a_joined_colleague(tmp_path):
    database = tmp_path / "sandbox.db"
    text = await _session(
        database,
        ["/start", "Terminal Traders", "/team", "1", "/as 2 Rimas", "hello"],
        "--files",
        str(tmp_path / "files"),
    )
    assert "What is your company's name?" in text
    assert "Terminal Traders is set up and you are its admin" in text
    assert "[1] Invite a sales rep" in text
    link = next(line for line in text.splitlines() if "https://t.me/crm_sandbox_bot?start=" in line)
    assert "(you are now Rimas, id 2)" in text
    assert text.rstrip().endswith(
        "This bot is private. Ask your company's admin for an invite link to join."
    )

    # a second session on the same database: a colleague opens the invite link
    text = await _session(database, ["/as 3 Ieva", link.strip(), "/help"])
    assert "Welcome to Terminal Traders! You joined as sales rep." in text
    assert "/lang" in text and "/team" not in text.split("Commands:")[1]
