"""/export of a large workspace: time, peak memory, and how long the event loop stalls.

`python -m bench.export` fills a SQLite database (and with `--kinds sqlite postgresql` a
PostgreSQL scratch schema too) with 50,000 organizations (a phone and two extra columns each),
60,000 contacts and 100,000 activities (`bench.field_sales.fill`), then exports it the way the
bot does (`crm.exporting.read_export` in a transaction, `build_workbook` in a worker thread)
in a fresh process, while a task that wakes every 10 ms measures the event loop's longest
stall (what other chats would wait). Peak memory is that process's max RSS. `--scale 0.1`
tries it quickly; only full-scale runs write `bench/results/export.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bench.common import fresh_database, machine, write_results
from bench.field_sales import fill

ORGANIZATIONS = 50_000
CONTACTS = 60_000
ACTIVITIES = 100_000


async def _seed(database, scale: float) -> dict[str, int]:
    counts = {
        "organizations": int(ORGANIZATIONS * scale),
        "contacts": int(CONTACTS * scale),
        "activities": int(ACTIVITIES * scale),
    }
    await fill(
        database,
        counts["organizations"],
        counts["contacts"],
        counts["activities"],
        random.Random(7),
    )
    extra = json.dumps({"КПП": "770101001", "Сегмент": "опт"}, ensure_ascii=False)
    async with database.engine.begin() as connection:
        await connection.execute(text("UPDATE organization SET extra = :extra"), {"extra": extra})
        await connection.execute(
            text(
                "INSERT INTO phone (workspace_id, organization_id, raw, e164) "
                "SELECT 1, id, '+7495' || (1000000 + id), '+7495' || (1000000 + id) "
                "FROM organization"
            )
        )
    return counts


async def _measure(url: str, schema: str | None) -> dict[str, float]:
    from crm import exporting
    from storage.db import Database

    database = Database(url, schema=schema)
    stalls = [0.0]
    running = True

    async def ticker() -> None:
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            stalls[0] = max(stalls[0], now - last - 0.01)
            last = now

    watch = asyncio.create_task(ticker())
    start = time.perf_counter()
    async with database.transaction() as session:
        rows = await exporting.read_export(session, workspace_id=1)
    read = time.perf_counter()
    read_stall, stalls[0] = stalls[0], 0.0
    data = await asyncio.to_thread(exporting.build_workbook, rows)
    built = time.perf_counter()
    running = False
    await watch
    await database.dispose()
    return {
        "read_s": round(read - start, 2),
        "build_s": round(built - read, 2),
        "total_s": round(built - start, 2),
        "longest_event_loop_stall_while_reading_ms": round(read_stall * 1000, 1),
        "longest_event_loop_stall_while_building_ms": round(stalls[0] * 1000, 1),
        "file_mb": round(len(data) / 1e6, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _measure_in_a_fresh_process(url: str, schema: str | None) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.export", "--measure", url]
    if schema:
        command += ["--schema", schema]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


async def run(kinds: list[str], scale: float) -> dict:
    results: dict = {"machine": machine(), "scale": scale}
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds:
            async with fresh_database(kind, Path(folder)) as (database, schema):
                results["counts"] = await _seed(database, scale)
                url = database.url
                measured = await asyncio.to_thread(_measure_in_a_fresh_process, url, schema)
                results[kind] = measured
                print(kind, measured, flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kinds", nargs="+", default=["sqlite"])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--schema", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(_measure(args.measure, args.schema))))
        return
    results = asyncio.run(run(args.kinds, args.scale))
    if args.scale == 1.0:
        print("written", write_results("export", results))


if __name__ == "__main__":
    main()
