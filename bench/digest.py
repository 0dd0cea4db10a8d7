"""Issue 6 benchmark: a manager's weekly digest over a year of a 50-rep team's work.

Fills one workspace (Europe/Vilnius) with 50 reps, 20,000 organizations, 30,000 contacts,
24 imports and 1,000,000 activities spread over the year before NOW (70 % calls, 15 %
meetings, 15 % notes; 1 % deleted; every 10th with a follow-up two days later, 85 % of those
done) with the drivers' bulk paths: `executemany` of plain tuples on SQLite, COPY on
PostgreSQL. Then times `storage.repositories.digests.build_digest` for last week (the whole
team, against the week before) and for one day, each in its own read-only transaction:
a warm-up, then the median of several runs. Baseline in the same run, with the same driver:
one plain `SELECT member_id, outcome, count(*) ... GROUP BY` of the week's calls.

    .venv/bin/python -m bench.digest [--kinds sqlite postgresql] [--scale 1.0] [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlmodel import col

from bench.common import fresh_database, machine, plain_dsn, timed, write_results
from crm.digests import periods
from storage.models import Activity, ActivityKind
from storage.repositories.digests import build_digest

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
TZ = "Europe/Vilnius"
REPS = 50
YEAR = timedelta(days=365)
OUTCOMES = ["talked", "talked", "no_answer", "busy", "call_back", "wrong_number", None]

MEMBER = ["id", "workspace_id", "telegram_user_id", "display_name", "role", "created_at"]
ORG = ["id", "workspace_id", "name", "name_normalized", "search_text", "owner_id", "extra"]
ORG += ["import_batch_id", "created_at", "updated_at"]
CONTACT = ["id", "workspace_id", "organization_id", "full_name", "name_normalized"]
CONTACT += ["search_text", "owner_id", "extra", "import_batch_id", "created_at", "updated_at"]
BATCH = ["id", "workspace_id", "member_id", "file_name", "file_sha256", "status", "stats"]
BATCH += ["created_at", "finished_at"]
ACTIVITY = ["id", "workspace_id", "member_id", "organization_id", "contact_id", "kind"]
ACTIVITY += ["outcome", "occurred_at", "follow_up_at", "done", "done_at", "created_at"]
ACTIVITY += ["deleted_at"]


def _moment(rng: random.Random) -> datetime:
    return NOW - timedelta(seconds=rng.randint(0, int(YEAR.total_seconds())))


def generate(scale: float, rng: random.Random) -> dict[str, tuple[list[str], list[tuple]]]:
    """Rows of each table, in insertion order; datetimes aware, JSON as text."""
    orgs, contacts, activities = int(20_000 * scale), int(30_000 * scale), int(1_000_000 * scale)
    members = [(1, 1, 1000, "Manager", "manager", NOW - YEAR)] + [
        (m, 1, 1000 + m, f"Rep {m:02d}", "rep", NOW - YEAR) for m in range(2, REPS + 2)
    ]
    batches = [
        (
            b,
            1,
            1,
            f"clients-{b}.xlsx",
            f"{b:064x}",
            "done",
            '{"created_organizations": 40, "created_contacts": 60, "updated": 3}',
            NOW - YEAR + b * timedelta(days=15),
            NOW - YEAR + b * timedelta(days=15, minutes=1),
        )
        for b in range(1, 25)
    ]

    def owner_and_batch(i: int) -> tuple[int, int | None, datetime]:
        if i % 10 == 0:  # a tenth came from imports
            batch = batches[i % len(batches)]
            return 1, batch[0], batch[8]
        return rng.randint(2, REPS + 1), None, _moment(rng)

    org_rows = []
    for i in range(1, orgs + 1):
        owner, batch, created = owner_and_batch(i)
        name = f"organization {i}"
        org_rows.append((i, 1, name, name, name, owner, "{}", batch, created, created))
    contact_rows = []
    for i in range(1, contacts + 1):
        owner, batch, created = owner_and_batch(i)
        name = f"person {i}"
        organization = rng.randint(1, orgs) if i % 5 else None
        contact_rows.append(
            (i, 1, organization, name, name, name, owner, "{}", batch, created, created)
        )
    activity_rows = []
    for i in range(1, activities + 1):
        kind = "call" if i % 20 < 14 else "meeting" if i % 20 < 17 else "note"
        occurred = _moment(rng)
        follow_up = done_at = None
        if i % 10 == 0:
            follow_up = occurred + timedelta(days=2)
            if rng.random() < 0.85 and follow_up < NOW:
                done_at = follow_up + timedelta(hours=rng.randint(0, 48))
                done_at = min(done_at, NOW)
        contact = rng.randint(1, contacts)
        activity_rows.append(
            (
                i,
                1,
                rng.randint(2, REPS + 1),
                contact_rows[contact - 1][2],
                contact,
                kind,
                rng.choice(OUTCOMES) if kind == "call" else None,
                occurred,
                follow_up,
                done_at is not None,
                done_at,
                occurred,
                occurred + timedelta(hours=1) if i % 100 == 0 else None,
            )
        )
    return {
        "member": (MEMBER, members),
        "importbatch": (BATCH, batches),
        "organization": (ORG, org_rows),
        "contact": (CONTACT, contact_rows),
        "activity": (ACTIVITY, activity_rows),
    }


def _sqlite_value(value):
    # SQLAlchemy's SQLite DateTime storage format (naive UTC), so its queries compare alike
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def fill_sqlite(path: str, tables) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute(
            "INSERT INTO workspace (id, name, default_region, locale, timezone, currency, "
            "created_at) VALUES (1, 'Bench', 'LT', 'lt', ?, 'EUR', ?)",
            (TZ, _sqlite_value(NOW - YEAR)),
        )
        for table, (columns, rows) in tables.items():
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            connection.executemany(sql, ([_sqlite_value(v) for v in row] for row in rows))
        connection.commit()
        connection.execute("ANALYZE")
        connection.commit()
    finally:
        connection.close()


async def fill_postgres(url: str, schema: str, tables) -> None:
    connection = await asyncpg.connect(plain_dsn(url), server_settings={"search_path": schema})
    try:
        await connection.execute(
            "INSERT INTO workspace (id, name, default_region, locale, timezone, currency, "
            "created_at) VALUES (1, 'Bench', 'LT', 'lt', $1, 'EUR', $2)",
            TZ,
            NOW - YEAR,
        )
        for table, (columns, rows) in tables.items():
            await connection.copy_records_to_table(
                table, records=rows, columns=columns, schema_name=schema
            )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def measure(database, runs: int) -> dict:
    week = periods.last_week(NOW, TZ)
    day = periods.day_of(week.first_day + timedelta(days=2), TZ)

    async def digest(period):
        async with database.snapshot() as session:
            return await build_digest(
                session,
                workspace_id=1,
                period=period,
                previous=periods.previous(period),
                now=NOW,
            )

    baseline_query = (
        select(Activity.member_id, Activity.outcome, func.count())
        .where(
            Activity.workspace_id == 1,
            Activity.kind == ActivityKind.call,
            col(Activity.deleted_at).is_(None),
            col(Activity.occurred_at) >= week.start,
            col(Activity.occurred_at) < week.end,
        )
        .group_by(Activity.member_id, Activity.outcome)
    )

    async def baseline():
        async with database.snapshot() as session:
            return (await session.exec(baseline_query)).all()

    # the digest must agree with the plain query before it is timed
    weekly, rows = await digest(week), await baseline()
    assert weekly.totals.calls == sum(count for _, _, count in rows), (weekly.totals, rows)
    assert len(weekly.reps) == REPS + 1
    interleaved: dict[str, list[float]] = {"weekly": [], "daily": [], "baseline": []}
    await timed([lambda: digest(week), lambda: digest(day), baseline])  # warm-up
    for _ in range(runs):  # interleaved, so a noisy moment hits all three alike
        for name, call in (
            ("weekly", lambda: digest(week)),
            ("daily", lambda: digest(day)),
            ("baseline", baseline),
        ):
            interleaved[name] += await timed([call])
    result = {
        f"{name}_ms": {
            "median": round(statistics.median(values), 1),
            "min": round(min(values), 1),
            "max": round(max(values), 1),
            "runs": len(values),
        }
        for name, values in interleaved.items()
    }
    result["weekly_vs_baseline"] = round(
        result["weekly_ms"]["median"] / result["baseline_ms"]["median"], 1
    )
    result["week"] = f"{week.first_day}..{week.last_day} {TZ}"
    result["week_figures"] = {
        "calls": weekly.totals.calls,
        "meetings": weekly.totals.meetings,
        "new_organizations": weekly.totals.new_organizations,
        "new_contacts": weekly.totals.new_contacts,
        "followups_done": weekly.totals.followups_done,
        "followups_overdue": weekly.totals.followups_overdue,
        "previous_calls": weekly.previous_totals.calls,
        "calls_per_day_rows": len(weekly.calls_per_day),
        "imports": len(weekly.imports),
    }
    return result


async def run(kinds: list[str], scale: float, runs: int) -> dict:
    rng = random.Random(6)
    started = time.perf_counter()
    tables = generate(scale, rng)
    results = {
        "dataset": {
            "reps": REPS,
            **{name: len(rows) for name, (_, rows) in tables.items() if name != "member"},
        },
        "generate_seconds": round(time.perf_counter() - started, 1),
        "machine": machine(),
        "target_ms": 1000,
        "runs": {},
    }
    for kind in kinds:
        with tempfile.TemporaryDirectory() as folder:
            async with fresh_database(kind, Path(folder)) as (database, schema):
                started = time.perf_counter()
                if kind == "sqlite":
                    await asyncio.to_thread(fill_sqlite, make_url(database.url).database, tables)
                else:
                    await fill_postgres(database.url, schema, tables)
                fill_seconds = round(time.perf_counter() - started, 1)
                measured = await measure(database, runs)
        measured["fill_seconds"] = fill_seconds
        measured["meets_target"] = measured["weekly_ms"]["median"] < 1000
        results["runs"][kind] = measured
        print(kind, measured, flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kinds", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--note", default="", help="conditions of the run, kept in the results")
    args = parser.parse_args()
    results = asyncio.run(run(args.kinds, args.scale, args.runs))
    results["note"] = args.note
    if args.scale == 1.0:
        print("written", write_results("digest", results))


if __name__ == "__main__":
    main()
