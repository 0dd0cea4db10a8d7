"""The worker pool of `normalize_rows(..., workers=N)`: same rows as serially, spawned workers
reused across files, and a dead worker costs speed, never rows or a hang."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import sys
import threading

import pytest

from crm.importing import parallel
from crm.importing.headers import detect_header
from crm.importing.reading import SheetRow
from crm.importing.records import normalize_rows

HEADER = ["Контрагент", "ИНН", "Контактное лицо", "Должность", "Телефон", "E-mail", "Адрес"]


@pytest.fixture(autouse=True)
def fresh_pool():
    parallel.shutdown_workers()
    yield
    parallel.shutdown_workers()


def _rows(count: int) -> list[SheetRow]:
    rows = [SheetRow(1, HEADER)]
    for n in range(2, count + 2):
        phone = "12" if n % 97 == 0 else f"+7 912 {n % 5000:07d}"  # some invalid, repeats
        org = None if n % 89 == 0 else f"ООО «Ромашка {n % 700}»"
        rows.append(SheetRow(n, [org, None, f"Иван {n % 900}", "Менеджер", phone, None, None]))
    return rows


def _normalize(rows, workers: int = 2) -> list:
    match = detect_header([HEADER])
    return list(normalize_rows(rows, match, "RU", workers=workers, min_parallel_rows=100))


def _workers() -> set[int]:
    return {process.pid for process in multiprocessing.active_children()}


def _loaded(*prefixes: str) -> list[str]:
    """Run in a worker: which of these top-level packages it has imported."""
    return sorted({name.split(".")[0] for name in sys.modules} & set(prefixes))


def test_the_pool_is_started_once_and_reused(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK", 100)
    rows = _rows(1200)
    serial = _normalize(rows, workers=1)
    assert _normalize(rows) == serial
    pool, workers = parallel._pool, _workers()
    assert pool is not None and len(workers) == 2
    assert _normalize(rows[:700]) == serial[:699]
    assert parallel._pool is pool and _workers() == workers


def test_workers_are_spawned_without_the_bot_from_a_thread_of_a_running_loop(monkeypatch):
    import sqlalchemy  # noqa: F401  (loaded here: a forked worker would have it too)
    import telegram  # noqa: F401

    monkeypatch.setattr(parallel, "CHUNK", 100)
    rows = _rows(600)

    async def bot_like():
        return await asyncio.to_thread(_normalize, rows)

    assert asyncio.run(bot_like()) == _normalize(rows, workers=1)
    pool = parallel._pool
    assert pool is not None
    loaded = pool.submit(_loaded, "telegram", "sqlalchemy", "sqlmodel", "storage", "bot").result()
    assert loaded == []


def test_a_killed_worker_costs_speed_not_rows(monkeypatch, caplog):
    monkeypatch.setattr(parallel, "CHUNK", 100)
    rows = _rows(1500)
    serial = _normalize(rows, workers=1)

    def rows_killing_the_workers():
        for row in rows:
            if row.number == 800:  # chunks are in flight by now
                for pid in _workers():
                    os.kill(pid, signal.SIGKILL)
            yield row

    outcome: list = []
    consumer = threading.Thread(
        target=lambda: outcome.append(_normalize(rows_killing_the_workers())), daemon=True
    )
    with caplog.at_level(logging.WARNING, logger=parallel.__name__):
        consumer.start()
        consumer.join(timeout=120)
    assert not consumer.is_alive(), "normalize_rows hung after a worker died"
    assert outcome == [serial]
    assert "worker process died" in caplog.text
    assert parallel._pool is None  # the broken pool is dropped...
    assert _normalize(rows) == serial  # ...and the next file gets a fresh one
    assert parallel._pool is not None


def test_errors_in_a_worker_reach_the_caller(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK", 100)
    rows = _rows(300)
    rows.append(SheetRow(400, 42))  # no sequence of cells: a bug, not a broken pool
    with pytest.raises(TypeError):
        _normalize(rows, workers=1)
    with pytest.raises(TypeError):
        _normalize(rows)
    assert parallel._pool is not None


def test_workers_started_ahead_serve_the_file(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK", 100)
    parallel.start_workers(2)
    pool, workers = parallel._pool, _workers()
    assert pool is not None and len(workers) == 2
    rows = _rows(500)
    assert _normalize(rows) == _normalize(rows, workers=1)
    assert parallel._pool is pool and _workers() == workers


def test_two_files_at_once_share_the_pool(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK", 50)
    first, second = _rows(900), _rows(700)[::-1]  # the second one in another order
    expected = [_normalize(first, workers=1), _normalize(second, workers=1)]
    results: dict[int, list] = {}

    def run(index: int, rows) -> None:
        results[index] = _normalize(rows)

    files = (first, second)
    threads = [threading.Thread(target=run, args=(i, rows)) for i, rows in enumerate(files)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [results.get(0), results.get(1)] == expected


def test_a_worker_killed_between_files_is_replaced(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK", 100)
    rows = _rows(500)
    serial = _normalize(rows, workers=1)
    assert _normalize(rows) == serial
    for pid in _workers():
        os.kill(pid, signal.SIGKILL)
    parallel.start_workers(2)  # as prepare() does for a large file: no error
    assert _normalize(rows) == serial
    assert _normalize(rows) == serial
