"""Issue 4 benchmark: a 100,000-row 1C-style workbook imported end to end into a fresh database.

Ours: `crm.importing.service.prepare` (read, detect and map the header, normalize phones and
names, group and dedupe in the file, match against the database) + `run_import` (one atomic
write) + the rejected-rows report, on SQLite; then the same file again (re-import: everything
matches). Baseline in the same run, the fastest pieces with nothing else: python-calamine reads
the sheet, phonenumbers parses every phone cell, sqlite3 `executemany` writes the rows in one
transaction. Each pipeline runs in a fresh (non-daemonic) process, so that ours may start its
normalization workers. Peak memory is the kernel's high-water mark of resident memory (VmHWM)
of the process (`peak_mb`) and of each worker (`worker_peak_mb`), summed as if all peaked at
once (`total_peak_mb`, what the 300 MB target is about). Not `ru_maxrss`: a spawned process's
ru_maxrss starts at its parent's resident size when it was started (`peak_mb_ru_maxrss` shows
it), which counted the generated workbook's memory into both pipelines before.

    .venv/bin/python -m bench.import_pipeline [--rows 100000] [--workers N] [--repeat N]
        [--skip-generate FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

# bench.common (database drivers) is imported in main() only: the normalization workers that
# ours spawns import this main module again, and should stay as light as in the bot.

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _peak_mb(pid: int | str = "self") -> float:
    """The process's peak resident memory since it started (exec), in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmHWM (Linux only)")


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (workers): on a shared machine the
    wall time depends on the neighbours, this much less."""
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return round(own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime, 2)


def _maxrss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def baseline(path: str, db_path: str) -> dict:
    import phonenumbers
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    header = next(i for i, row in enumerate(sheet) if any(str(c).startswith("ИНН") for c in row))
    columns = [str(c) for c in sheet[header]]
    phone_columns = [i for i, name in enumerate(columns) if "елефон" in name]
    rows, phones = [], []
    for number, row in enumerate(sheet[header + 1 :], 1):
        rows.append((number, str(row[0]), str(row[1])))
        for column in phone_columns:
            cell = str(row[column]).split(",")[0]
            try:
                parsed = phonenumbers.parse(cell, "RU")
                e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            except phonenumbers.NumberParseException:
                e164 = None
            phones.append((number, cell, e164))
    connection = sqlite3.connect(db_path)
    connection.execute("CREATE TABLE org (id INTEGER PRIMARY KEY, name TEXT, tax_id TEXT)")
    connection.execute("CREATE TABLE phone (org_id INTEGER, raw TEXT, e164 TEXT)")
    with connection:
        connection.executemany("INSERT INTO org VALUES (?, ?, ?)", rows)
        connection.executemany("INSERT INTO phone VALUES (?, ?, ?)", phones)
    connection.close()
    return {
        "rows": len(rows),
        "seconds": round(time.perf_counter() - started, 2),
        "peak_mb": _peak_mb(),
        "peak_mb_ru_maxrss": _maxrss_mb(),
        "cpu_seconds": _cpu_seconds(),
    }


def ours(path: str, db_path: str, workers: int | None = None) -> dict:
    from crm.importing import parallel, service

    if workers is not None:
        service.PLAN_WORKERS = workers
    runs = asyncio.run(_ours(path, db_path))
    workers = [_peak_mb(process.pid) for process in multiprocessing.active_children()]
    parallel.shutdown_workers()
    runs["workers"] = service.PLAN_WORKERS
    runs["cpu_seconds"] = _cpu_seconds()  # both imports, with the start and the workers
    runs["peak_mb"] = _peak_mb()
    runs["peak_mb_ru_maxrss"] = _maxrss_mb()
    runs["worker_peak_mb"] = workers
    runs["total_peak_mb"] = round(runs["peak_mb"] + sum(workers), 1)
    return runs


async def _ours(path: str, db_path: str) -> dict:
    from sqlmodel import SQLModel

    from crm import team
    from crm.importing import service
    from crm.team import Person, WorkspaceDefaults
    from storage.db import Database

    database = Database(f"sqlite+aiosqlite:///{db_path}")
    async with database.engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    async with database.transaction() as session:
        _, admin = await team.create_workspace(
            session,
            name="Bench",
            owner=Person(1, "Admin"),
            hosted=False,
            defaults=WorkspaceDefaults(
                locale="ru", region="RU", timezone="Europe/Moscow", currency="RUB"
            ),
        )
    runs = {}
    for label in ("first", "again"):
        started = time.perf_counter()
        prepared = await service.prepare(
            database,
            workspace_id=admin.workspace_id,
            data=Path(path),
            file_name="1c.xlsx",
            region="RU",
        )
        prepared_at = time.perf_counter()
        result = await service.run_import(
            database,
            actor=admin,
            prepared=prepared,
            policy=service.DuplicatePolicy.skip,
            only_valid=False,
            now=NOW,
        )
        report = (
            service.rejected_rows_workbook(
                result.rejected, prepared.match.headers, lambda issue: issue.code
            )
            if result.rejected
            else b""
        )
        finished = time.perf_counter()
        runs[label] = {
            "seconds": round(finished - started, 2),
            "prepare_seconds": round(prepared_at - started, 2),
            "write_and_report_seconds": round(finished - prepared_at, 2),
            "created_organizations": result.created_organizations,
            "created_contacts": result.created_contacts,
            "skipped": result.skipped,
            "rejected_rows": len(result.rejected),
            "report_bytes": len(report),
        }
    await database.dispose()
    return runs


def _run_and_send(connection, function, args) -> None:
    try:
        connection.send(("ok", function(*args)))
    except BaseException as error:
        connection.send(("error", repr(error)))
        raise
    finally:
        connection.close()


def _in_fresh_process(function, *args) -> dict:
    """function(*args) in a new, non-daemonic interpreter (it may start processes itself)."""
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_run_and_send, args=(sending, function, args))
    process.start()
    sending.close()
    try:
        status, value = receiving.recv()
    except EOFError:
        status, value = "error", "the process died"
    process.join()
    if status != "ok":
        raise RuntimeError(value)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, help="service.PLAN_WORKERS (default: its own)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each pipeline; best kept")
    parser.add_argument("--skip-generate", metavar="FILE", help="an existing 1C-style workbook")
    args = parser.parse_args()
    from bench.common import machine, write_results
    from crm.importing.samples import write_1c_workbook

    with tempfile.TemporaryDirectory() as folder:
        path, stats = args.skip_generate, None
        if path is None:
            path = str(Path(folder) / "1c.xlsx")
            stats = write_1c_workbook(path, args.rows, duplicate_share=0.1, seed=0)
        bases, mines = [], []
        for attempt in range(args.repeat):
            base_db, our_db = (str(Path(folder) / f"{n}{attempt}.db") for n in ("base", "ours"))
            bases.append(_in_fresh_process(baseline, path, base_db))
            mines.append(_in_fresh_process(ours, path, our_db, args.workers))
    base = min(bases, key=lambda run: run["seconds"])
    mine = min(mines, key=lambda run: run["first"]["seconds"])
    rows = base["rows"]
    results = {
        "rows": rows,
        "file": None
        if stats is None
        else {"organizations": stats.organizations, "contacts": stats.contacts},
        "machine": machine(),
        "baseline": {**base, "rows_per_second": round(rows / base["seconds"])},
        "ours": mine,
        "rows_per_second": round(rows / mine["first"]["seconds"]),
        "reimport_rows_per_second": round(rows / mine["again"]["seconds"]),
        "ratio_to_baseline": round(mine["first"]["seconds"] / base["seconds"], 2),
        "reimport_ratio_to_baseline": round(mine["again"]["seconds"] / base["seconds"], 2),
        "targets": {"rows_per_second": 20_000, "ratio_to_baseline": 1.5, "peak_mb": 300},
    }
    if args.repeat > 1:
        results["all_seconds"] = {
            "baseline": [run["seconds"] for run in bases],
            "first": [run["first"]["seconds"] for run in mines],
            "again": [run["again"]["seconds"] for run in mines],
        }
    print(results)
    if rows == 100_000 and stats is not None:
        print("written", write_results("import_pipeline", results))


if __name__ == "__main__":
    main()
