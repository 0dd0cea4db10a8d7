"""Issue 3 benchmark: /find and call logging on a big workspace, on SQLite and PostgreSQL.

Fills one workspace with 80,000 organizations, 100,000 contacts (with phones and e-mails) and
1,000,000 activities, then times, server-side, what the handlers run for each update:
- /find: `crm.search.search` in its own transaction, for name fragments, phones in other
  formats, runs of phone digits, tax ids and e-mails;
- call logging: `crm.quick_entry.parse` + `crm.activities.log` in one transaction and commit,
  for "/call <phone or name> <note> <when>".
Baselines in the same run, to read the numbers against this machine: the raw driver query of
the same substring index, and a raw single-row INSERT of an activity.

    .venv/bin/python -m bench.field_sales [--kinds sqlite postgresql] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from bench.common import fresh_database, machine, summary, timed, write_results
from crm import activities, names, phones, quick_entry, search
from crm.activities import ActivityInput
from crm.directory import Kind
from storage.models import (
    Activity,
    ActivityKind,
    Contact,
    Email,
    Member,
    Organization,
    Phone,
    Role,
    Workspace,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LEGAL = ["ООО", "АО", "UAB", "LLC", "ИП", "ЗАО", "MB"]
ADJECTIVES = [
    "Северный",
    "Южный",
    "Zalia",
    "Green",
    "Быстрый",
    "Baltas",
    "Nordic",
    "Красный",
    "Senas",
    "Modern",
    "Тихий",
    "Didelis",
    "Smart",
    "Новый",
    "Geras",
    "Royal",
]
NOUNS = [
    "Ветер",
    "Склад",
    "Giria",
    "Trade",
    "Поток",
    "Namai",
    "Logistics",
    "Мир",
    "Upė",
    "Foods",
    "Дом",
    "Kelias",
    "Systems",
    "Сад",
    "Medis",
    "Group",
    "Берег",
    "Saulė",
]
FIRST = [
    "Иван",
    "Ольга",
    "Jonas",
    "Anna",
    "Пётр",
    "Rūta",
    "John",
    "Мария",
    "Tomas",
    "Elena",
    "Сергей",
    "Ieva",
    "Michael",
    "Наталья",
    "Lukas",
    "Sarah",
    "Дмитрий",
    "Greta",
]
LAST = [
    "Петров",
    "Kazlauskas",
    "Smith",
    "Иванова",
    "Petrauskienė",
    "Brown",
    "Соколов",
    "Jankauskas",
    "Wilson",
    "Кузнецова",
    "Butkus",
    "Taylor",
    "Попов",
    "Vasiliauskas",
]
POSITIONS = ["директор", "бухгалтер", "закупщик", "кладовщик", "vadybininkas", "buyer"]
NOTES = ["обсудили цены", "aptarėme kainas", "sent the offer", "просит скидку", "no decision"]


def org_name(i: int) -> str:
    return f'{LEGAL[i % len(LEGAL)]} "{ADJECTIVES[i % 16]} {NOUNS[(i // 16) % 18]} {i // 288 + 1}"'


def phone_e164(i: int) -> str:
    return f"+79{100000000 + i * 7:09d}"[:12]


async def fill(
    database,
    orgs: int,
    contacts: int,
    activity_count: int,
    rng: random.Random,
    *,
    members: int = 20,
):
    """Bulk inserts with explicit ids; search documents built the same way the services do.
    Member m (1: the admin, then reps) is Telegram user 1000 + m."""
    owners = min(members, 20)  # records and activities belong to the first 20 members
    rows_org, rows_contact, rows_phone, rows_email = [], [], [], []
    for i in range(1, orgs + 1):
        name = org_name(i)
        tax_id = f"77{i:08d}"
        rows_org.append(
            dict(
                id=i,
                workspace_id=1,
                name=name,
                name_normalized=names.normalize_org_name(name),
                tax_id=tax_id,
                owner_id=1 + i % owners,
                extra={},
                created_at=NOW,
                updated_at=NOW,
                search_text=names.search_text(names.normalize_org_name(name), name, tax_id),
            )
        )
    for i in range(1, contacts + 1):
        full_name = f"{FIRST[i % 18]} {LAST[(i // 18) % 14]} {i}"
        e164 = phone_e164(i)
        email = f"person{i}@example{i % 97}.com" if i % 3 == 0 else None
        rows_contact.append(
            dict(
                id=i,
                workspace_id=1,
                organization_id=1 + (i * 4 // 5) % orgs if i % 10 else None,
                full_name=full_name,
                name_normalized=names.normalize_person_name(full_name),
                position=POSITIONS[i % len(POSITIONS)],
                owner_id=1 + i % owners,
                extra={},
                created_at=NOW,
                updated_at=NOW,
                search_text=names.search_text(
                    names.normalize_person_name(full_name),
                    POSITIONS[i % len(POSITIONS)],
                    email,
                    phones.digits(e164),
                ),
            )
        )
        rows_phone.append(dict(workspace_id=1, contact_id=i, raw=e164, e164=e164))
        if email:
            rows_email.append(dict(workspace_id=1, contact_id=i, address=email))
    async with database.engine.begin() as connection:
        await connection.execute(
            insert(Workspace.__table__),
            [
                dict(
                    id=1,
                    name="Bench",
                    default_region="RU",
                    locale="ru",
                    timezone="Europe/Moscow",
                    currency="RUB",
                    created_at=NOW,
                )
            ],
        )
        await connection.execute(
            insert(Member.__table__),
            [
                dict(
                    id=m,
                    workspace_id=1,
                    telegram_user_id=1000 + m,
                    display_name=f"Rep {m}",
                    role=Role.admin.value if m == 1 else Role.rep.value,
                    created_at=NOW,
                )
                for m in range(1, members + 1)
            ],
        )
        for table, rows in (
            (Organization, rows_org),
            (Contact, rows_contact),
            (Phone, rows_phone),
            (Email, rows_email),
        ):
            for start in range(0, len(rows), 5000):
                await connection.execute(insert(table.__table__), rows[start : start + 5000])
    kinds, outcomes = (
        ["call", "call", "call", "meeting", "note"],
        ["talked", "no_answer", "busy", "call_back", "wrong_number"],
    )
    batch = []
    for i in range(1, activity_count + 1):
        contact_id = rng.randint(1, contacts)
        kind = kinds[i % 5]
        occurred = NOW - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        batch.append(
            dict(
                workspace_id=1,
                member_id=1 + i % owners,
                contact_id=contact_id,
                organization_id=rows_contact[contact_id - 1]["organization_id"],
                kind=kind,
                outcome=outcomes[i % 5] if kind == "call" else None,
                occurred_at=occurred,
                follow_up_at=occurred + timedelta(days=2) if i % 10 == 0 else None,
                done=i % 20 == 0,
                created_at=occurred,
                note=NOTES[i % len(NOTES)],
            )
        )
        if len(batch) == 20000:
            async with database.engine.begin() as connection:
                await connection.execute(insert(Activity.__table__), batch)
            batch = []
    if batch:
        async with database.engine.begin() as connection:
            await connection.execute(insert(Activity.__table__), batch)
    async with database.engine.begin() as connection:
        if database.is_sqlite:
            await connection.exec_driver_sql("ANALYZE")
        else:
            for table in ("organization", "contact", "member", "workspace", "activity"):
                await connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            await connection.exec_driver_sql("ANALYZE")


def search_queries(rng: random.Random, orgs: int, contacts: int, count: int) -> list[str]:
    queries = []
    for n in range(count):
        i, c = rng.randint(1, orgs), rng.randint(1, contacts)
        e164 = phone_e164(c)
        queries.append(
            [
                NOUNS[(i // 16) % 18][:4].lower(),  # a name fragment
                f"{ADJECTIVES[i % 16]} {NOUNS[(i // 16) % 18]}",  # a name, other case/no quotes
                LAST[(c // 18) % 14][:5],  # a person's name fragment
                f"8 ({e164[2:5]}) {e164[5:8]}-{e164[8:10]}-{e164[10:12]}",  # a phone, local format
                e164[4:10],  # a run of its digits
                f"77{i:08d}",  # a tax id
                f"person{c - c % 3 + 3}@example",  # an e-mail fragment
            ][n % 7]
        )
    return queries


def call_messages(rng: random.Random, contacts: int, count: int) -> list[str]:
    messages = []
    for n in range(count):
        c = rng.randint(1, contacts)
        who = phone_e164(c) if n % 2 == 0 else f"{FIRST[c % 18]} {LAST[(c // 18) % 14]} {c}"
        messages.append(f"{who} {NOTES[n % len(NOTES)]} завтра в 10")
    return messages


async def measure(database, orgs: int, contacts: int, samples: int, rng: random.Random) -> dict:
    admin = None
    async with database.transaction() as session:
        admin = await session.get(Member, 2)

    async def find(query: str):
        async with database.transaction() as session:
            return await search.search(session, workspace_id=1, query=query, region="RU")

    async def log_call(message: str):
        async with database.transaction() as session:
            entry = await quick_entry.parse(
                session, workspace_id=1, text=message, region="RU", now=NOW, tz="Europe/Moscow"
            )
            record = entry.matches.records[0]
            target = Kind.contact if isinstance(record, Contact) else Kind.organization
            await activities.log(
                session,
                actor=admin,
                now=NOW,
                data=ActivityInput(
                    kind=ActivityKind.call,
                    target=target,
                    target_id=record.id,
                    outcome=entry.outcome,
                    note=entry.note,
                    follow_up_at=entry.follow_up_at,
                ),
            )

    fts_sql = (
        "SELECT rowid FROM contact_fts WHERE search_text LIKE :p LIMIT 10"
        if database.is_sqlite
        else "SELECT id FROM contact WHERE search_text LIKE :p AND workspace_id = 1 LIMIT 10"
    )

    async def raw_find(query: str):
        async with database.engine.connect() as connection:
            await connection.execute(text(fts_sql), {"p": f"%{query.lower()}%"})

    async def raw_insert():
        async with database.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO activity (workspace_id, member_id, contact_id, kind, occurred_at, "
                    "done, created_at) VALUES (1, 2, 1, 'call', :t, false, :t)"
                ),
                {"t": NOW},
            )

    queries = search_queries(rng, orgs, contacts, samples)
    messages = call_messages(rng, contacts, samples)
    found = [await find(q) for q in queries[:14]]
    assert all(result.count for result in found), [
        q for q, r in zip(queries, found, strict=False) if not r.count
    ]
    await timed([lambda q=q: find(q) for q in queries[:20]])  # warm-up
    return {
        "find": summary(await timed([lambda q=q: find(q) for q in queries])),
        "find_baseline_raw_index_query": summary(
            await timed([lambda q=q: raw_find(q) for q in queries])
        ),
        "log_call": summary(await timed([lambda m=m: log_call(m) for m in messages])),
        "log_call_baseline_raw_insert": summary(await timed([raw_insert] * samples)),
    }


async def run(kinds: list[str], scale: float, samples: int) -> dict:
    orgs, contacts, activity_count = (
        int(80_000 * scale),
        int(100_000 * scale),
        int(1_000_000 * scale),
    )
    results = {
        "dataset": {"organizations": orgs, "contacts": contacts, "activities": activity_count},
        "machine": machine(),
        "runs": {},
    }
    for kind in kinds:
        rng = random.Random(42)
        with tempfile.TemporaryDirectory() as folder:
            async with fresh_database(kind, Path(folder)) as (database, _):
                started = time.perf_counter()
                await fill(database, orgs, contacts, activity_count, rng)
                fill_seconds = round(time.perf_counter() - started, 1)
                run = await measure(database, orgs, contacts, samples, rng)
        run["fill_seconds"] = fill_seconds
        for name in ("find", "log_call"):
            base = run[
                f"{name}_baseline_raw_index_query"
                if name == "find"
                else "log_call_baseline_raw_insert"
            ]
            run[f"{name}_p95_vs_baseline"] = round(run[name]["p95_ms"] / base["p95_ms"], 2)
        run["target_p95_ms"] = 50
        run["meets_target"] = run["find"]["p95_ms"] < 50 and run["log_call"]["p95_ms"] < 50
        results["runs"][kind] = run
        print(kind, run, flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kinds", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--samples", type=int, default=400)
    args = parser.parse_args()
    results = asyncio.run(run(args.kinds, args.scale, args.samples))
    if args.scale == 1.0:
        print("written", write_results("field_sales", results))


if __name__ == "__main__":
    main()
