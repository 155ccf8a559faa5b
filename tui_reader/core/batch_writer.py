"""One writer for a refresh: parsed feeds are stored in as few transactions as keep up.

Whatever finished while the previous transaction was being written goes into the next
one, and a small batch waits up to :data:`GATHER_SECONDS` for more (unless every expected
job is in), so a refresh of hundreds of feeds commits a few dozen times instead of once
per feed: every commit rewrites the index pages it touched and makes the full-text index
flush a segment, CPU that parsing needs. A transaction takes at most
:data:`MAX_BATCH_ENTRIES` entries, so it never holds the write lock long.

Each job runs in a savepoint of its own: a job that fails rolls back only itself and
raises in its caller. The ``after_batch`` hooks (index upkeep) see every article the
batch stored, inside the same transaction. Jobs run on one dedicated thread with its own
connection: SQLite releases the GIL while it works, so fetching goes on meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from tui_reader.core.storage import Storage
from tui_reader.core.storage.db import savepoint, tune_for_bulk_writes

T = TypeVar("T")

MAX_BATCH_ENTRIES = 2_500  # entries per transaction at most (a job counts its own)
FULL_BATCH_ENTRIES = 1_000  # a batch this big is written at once; a smaller one waits
GATHER_SECONDS = 0.1  # at most this long for more jobs (a commit costs as much as ~50 rows)
CACHE_KIB = 32 * 1024  # page cache of the writing connection
WAL_AUTOCHECKPOINT_KIB = 32 * 1024  # checkpoint (and fsync) every 32 MB of WAL, not 4 MB


@dataclass(slots=True)
class Stored:
    """What a job stored, for the batch hooks: new and updated ids, and what the hooks
    need of them that a parse worker computed already (related-index terms by id)."""

    new: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    terms: dict[int, object] = field(default_factory=dict)


Job = Callable[[sqlite3.Connection, Stored], T]
# Index upkeep after a batch: (conn, new ids, updated ids, their related-index terms by id).
BatchHook = Callable[[sqlite3.Connection, Sequence[int], Sequence[int], Mapping[int, Any]], None]


@dataclass(slots=True)
class _Pending(Generic[T]):
    job: Job[T]
    size: int
    future: asyncio.Future[T]


class BatchWriter:
    """Runs storing jobs in batched transactions on a thread of its own.

    Use as ``async with BatchWriter(storage, hooks) as writer: await writer.submit(job)``.
    """

    def __init__(
        self,
        storage: Storage,
        after_batch: Sequence[BatchHook] = (),
        expected_jobs: int | None = None,
    ) -> None:
        self.storage = storage
        self.after_batch = list(after_batch)
        self.expected_jobs = expected_jobs  # once this many came, nothing more to wait for
        self._submitted = 0
        self._queue: list[_Pending] = []
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyreader-store")
        self.transactions = 0

    async def __aenter__(self) -> BatchWriter:
        self._wakeup = asyncio.Event()
        await asyncio.get_running_loop().run_in_executor(self._thread, self._tune)
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        for pending in self._queue:
            pending.future.cancel()
        self._queue.clear()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self.storage.close_thread_connection)
        self._thread.shutdown(wait=True)

    async def submit(self, job: Job[T], size: int = 1) -> T:
        """Run ``job(conn, stored)`` in the next transaction; its result once committed.
        ``size``: how many entries it writes (batches stay under the cap)."""
        assert self._wakeup is not None, "BatchWriter used outside 'async with'"
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(job, max(1, size), future))
        self._submitted += 1
        self._wakeup.set()
        return await future

    def _tune(self) -> None:
        tune_for_bulk_writes(self.storage.conn, CACHE_KIB, WAL_AUTOCHECKPOINT_KIB)

    async def _run(self) -> None:
        assert self._wakeup is not None
        loop = asyncio.get_running_loop()
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue:
                await self._gather()
                batch = self._take()
                if not batch:  # only cancelled jobs were waiting
                    continue
                outcomes = await loop.run_in_executor(self._thread, self._write, batch)
                for pending, (ok, value) in zip(batch, outcomes, strict=True):
                    if pending.future.done():
                        continue
                    if ok:
                        pending.future.set_result(value)
                    else:
                        pending.future.set_exception(value)
                await asyncio.sleep(0)  # let finished parses queue up for the next batch

    async def _gather(self) -> None:
        """Wait (briefly) for a fuller batch: fewer commits leave more CPU to parsing."""
        assert self._wakeup is not None
        deadline = asyncio.get_running_loop().time() + GATHER_SECONDS
        while sum(p.size for p in self._queue) < FULL_BATCH_ENTRIES:
            if self.expected_jobs is not None and self._submitted >= self.expected_jobs:
                return
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), left)

    def _take(self) -> list[_Pending]:
        batch: list[_Pending] = []
        size = 0
        while self._queue and (not batch or size + self._queue[0].size <= MAX_BATCH_ENTRIES):
            pending = self._queue.pop(0)
            if pending.future.cancelled():
                continue
            batch.append(pending)
            size += pending.size
        return batch

    def _write(self, batch: list[_Pending]) -> list[tuple[bool, object]]:
        """In the writer thread: every job of ``batch`` in one transaction."""
        outcomes: list[tuple[bool, object]] = []
        new: list[int] = []
        updated: list[int] = []
        terms: dict[int, object] = {}
        try:
            with self.storage.transaction() as conn:
                for pending in batch:
                    stored = Stored()
                    try:
                        with savepoint(conn):
                            value = pending.job(conn, stored)
                    except Exception as exc:
                        outcomes.append((False, exc))
                        continue
                    new.extend(stored.new)
                    updated.extend(stored.updated)
                    terms.update(stored.terms)
                    outcomes.append((True, value))
                if new or updated:
                    for hook in self.after_batch:
                        hook(conn, new, updated, terms)
        except Exception as exc:  # the hooks or the commit: nothing of the batch is stored
            return [(False, exc)] * len(batch)
        self.transactions += 1
        return outcomes
