"""`normalize_rows(..., workers=N)`: rows normalized by a pool of worker processes.

The pool is started on first use and kept for the life of the process, so the start (a fresh
interpreter importing phonenumbers and this package, ~0.5 s) is paid once, not per import;
`shutdown_workers()` stops it (also run at exit). Safe to use from a thread of a process
whose other threads hold locks (the bot: asyncio, database drivers): workers are started with
"spawn" (`START_METHOD`), never forked. A spawned worker imports only what unpickling its task
needs (`crm.importing` and `crm.phones`/`crm.names`): no Telegram, no database code. It also
imports the main module again, unless that is a package's `__main__` (`python -m bot`), so a
main script must guard its start with `if __name__ == "__main__"`.

Rows go to the workers as plain tuples, `CHUNK` rows per task, and the results come back as
plain tuples (`_encode`, `_decode`): pickling the dataclasses costs more than normalizing them.
Workers get the cells rather than reading the file themselves: each would hold its own copy of
python-calamine's sheet grid (~100 MB for 100,000 rows).

A worker that dies (killed, out of memory) breaks the pool: the chunks it had are normalized
in this process, the rest of the file too, and the next import starts a fresh pool.
"""

from __future__ import annotations

import atexit
import gc
import itertools
import logging
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from crm.importing.headers import HeaderMatch
from crm.importing.reading import SheetRow
from crm.importing.records import ImportRow, OrgData, PersonData, RowIssue, RowNormalizer
from crm.phones import Phone

__all__ = ["CHUNK", "START_METHOD", "normalize_in_workers", "shutdown_workers", "start_workers"]

CHUNK = 1000  # rows per task: big enough that pickling a task costs little next to its work
START_METHOD = "spawn"  # or "forkserver"; never "fork" (threads of the parent may hold locks)

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_pool_owner = 0  # the process that started the pool
_jobs = itertools.count(1)  # one id per file, so that a worker keeps one normalizer per file


def _worker_pool(workers: int) -> ProcessPoolExecutor:
    """The shared pool, started now if there is none (or it had another size)."""
    global _pool, _pool_size, _pool_owner
    with _lock:
        if _pool_owner != os.getpid():  # a forked child: the pool belongs to its parent
            _pool = None
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown(wait=False)
            context = multiprocessing.get_context(START_METHOD)
            _pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker)
            _pool_size, _pool_owner = workers, os.getpid()
        return _pool


def start_workers(workers: int) -> None:
    """Start the pool's processes now, in the background (each imports this package for
    ~0.5 s), so that they are ready when the rows come. Returns at once."""
    if workers <= 1:
        return
    for _attempt in range(2):  # a pool that broke while idle (a worker killed) is replaced
        pool = _worker_pool(workers)
        try:
            for _ in range(workers):
                pool.submit(_ready)
            return
        except (BrokenProcessPool, RuntimeError):
            _discard(pool)


def _ready() -> None:
    """A task that makes the pool start a process (it starts them on demand)."""


def _discard(pool: ProcessPoolExecutor) -> None:
    """Forget a broken pool: the next import starts a fresh one."""
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown_workers() -> None:
    """Stop the worker processes (they start again when needed)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None and _pool_owner == os.getpid():
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown_workers)


# --- in the worker ------------------------------------------------------------------------------

_normalizers: dict[int, RowNormalizer] = {}
_KEEP_NORMALIZERS = 2  # two imports at once share the pool; older ones are done


def _start_worker() -> None:
    # Ctrl+C reaches the whole process group: the parent decides, workers stay quiet.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _normalize_chunk(
    job: int, match: HeaderMatch, region: str, rows: list[tuple[int, Any, Any]]
) -> list[tuple[Any, ...]]:
    normalizer = _normalizers.get(job)
    if normalizer is None:  # the file's first chunk here: its phone and name caches start
        while len(_normalizers) >= _KEEP_NORMALIZERS:
            del _normalizers[next(iter(_normalizers))]
        normalizer = _normalizers[job] = RowNormalizer(match, region)
    encoded = []
    # As in build_plan: no cycles here, and collecting the growing caches meanwhile costs a
    # third of the time.
    gc.disable()
    try:
        for number, values, uncalculated in rows:
            result = normalizer(SheetRow(number, values, uncalculated))
            if result is not None:
                encoded.append(_encode(result))
    finally:
        gc.enable()
    return encoded


def _phones_tuple(phones: list[Phone]) -> list[tuple[Any, ...]]:
    return [(p.raw, p.e164, p.extension, p.problem) for p in phones]


def _issues_tuple(issues: list[RowIssue]) -> list[tuple[Any, ...]]:
    return [(i.code, i.column, i.header, i.value, i.detail) for i in issues]


def _encode(row: ImportRow) -> tuple[Any, ...]:
    org, person = row.organization, row.contact
    extra_owner = 0  # who shares the row's `extra` dict: 1 organization, 2 contact
    if row.extra:
        if org is not None and org.extra is row.extra:
            extra_owner = 1
        elif person is not None and person.extra is row.extra:
            extra_owner = 2
    return (
        row.row_number,
        None
        if org is None
        else (
            org.name,
            org.name_key,
            org.tax_id,
            _phones_tuple(org.phones),
            org.emails,
            org.address,
            org.website,
            org.note,
            None if extra_owner == 1 else org.extra,
        ),
        None
        if person is None
        else (
            person.name,
            person.name_key,
            person.first_name,
            person.last_name,
            person.middle_name,
            person.position,
            _phones_tuple(person.phones),
            person.emails,
            person.note,
            None if extra_owner == 2 else person.extra,
        ),
        row.extra,
        extra_owner,
        _issues_tuple(row.warnings),
        _issues_tuple(row.errors),
        row.owner,
    )


# --- in this process ------------------------------------------------------------------------


def _decode(data: tuple[Any, ...]) -> ImportRow:
    number, org_t, person_t, extra, extra_owner, warnings, errors, owner = data
    organization = contact = None
    if org_t is not None:
        name, key, tax_id, phones, emails, address, website, note, org_extra = org_t
        organization = OrgData(
            name,
            key,
            tax_id,
            [Phone(*p) for p in phones],
            emails,
            address,
            website,
            note,
            extra if extra_owner == 1 else org_extra,
        )
    if person_t is not None:
        name, key, first, last, middle, position, phones, emails, note, person_extra = person_t
        contact = PersonData(
            name,
            key,
            first,
            last,
            middle,
            position,
            [Phone(*p) for p in phones],
            emails,
            note,
            extra if extra_owner == 2 else person_extra,
        )
    return ImportRow(
        number,
        organization,
        contact,
        extra,
        [RowIssue(*i) for i in warnings] if warnings else [],
        [RowIssue(*i) for i in errors] if errors else [],
        owner,
    )


Chunk = list[tuple[int, Any, Any]]


class _Dispatch:
    """Sends chunks to the pool and takes them back in order; after the pool broke, the
    chunks it lost and every later one are normalized here."""

    def __init__(self, match: HeaderMatch, region: str, workers: int):
        self.match, self.region, self.workers = match, region, workers
        self.job = next(_jobs)
        self.pool: ProcessPoolExecutor | None = _worker_pool(workers)
        self._submitted = False
        self._here: RowNormalizer | None = None

    def submit(self, chunk: Chunk) -> Future[list[tuple[Any, ...]]] | None:
        if self.pool is None:
            return None
        try:
            future = self.pool.submit(_normalize_chunk, self.job, self.match, self.region, chunk)
        except (BrokenProcessPool, RuntimeError):  # RuntimeError: shut down meanwhile
            if self._submitted:
                self._lose_pool()
                return None
            # It broke while idle, before this file: a fresh pool, once.
            _discard(self.pool)
            self.pool = _worker_pool(self.workers)
            self._submitted = True
            return self.submit(chunk)
        self._submitted = True
        return future

    def results(self, future: Future[list[tuple[Any, ...]]] | None, chunk: Chunk):
        if future is not None:
            try:
                return list(map(_decode, future.result()))
            except BrokenProcessPool:
                self._lose_pool()
        return self._normalize_here(chunk)

    def _lose_pool(self) -> None:
        if self.pool is not None:
            _log.warning("an import worker process died: normalizing in this process")
            _discard(self.pool)
            self.pool = None

    def _normalize_here(self, chunk: Chunk) -> list[ImportRow]:
        if self._here is None:
            self._here = RowNormalizer(self.match, self.region)
        rows = (self._here(SheetRow(*row)) for row in chunk)
        return [row for row in rows if row is not None]


def normalize_in_workers(
    rows: Iterable[SheetRow], match: HeaderMatch, region: str, workers: int
) -> Iterator[ImportRow]:
    """The ImportRows of `rows` (all below the header), in order; see the module docstring.
    Reads up to (2 * workers + 1) * CHUNK rows ahead of what it yields."""
    dispatch = _Dispatch(match, region, workers)
    pending: deque[tuple[Future[list[tuple[Any, ...]]] | None, Chunk]] = deque()
    try:
        for batch in _batched(rows, CHUNK):
            chunk = [(row.number, row.values, row.uncalculated) for row in batch]
            pending.append((dispatch.submit(chunk), chunk))
            while len(pending) > 2 * workers:
                yield from dispatch.results(*pending.popleft())
        while pending:
            yield from dispatch.results(*pending.popleft())
    finally:
        for future, _ in pending:  # the caller stopped early (an error, a closed generator)
            if future is not None:
                future.cancel()


def _batched(items: Iterable[SheetRow], size: int) -> Iterator[tuple[SheetRow, ...]]:
    iterator = iter(items)
    while batch := tuple(itertools.islice(iterator, size)):
        yield batch
