"""The refresh's batch writer: jobs share transactions, fail alone, and hooks see all."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest

from tui_reader.core import batch_writer
from tui_reader.core.batch_writer import BatchWriter, Stored
from tui_reader.core.storage import Storage


@pytest.fixture
def storage(tmp_path):
    store = Storage(tmp_path)
    with store.transaction() as conn:
        conn.execute("CREATE TABLE t (v INTEGER)")
    yield store
    store.close()


def _insert(value: int):
    def job(conn: sqlite3.Connection, stored: Stored) -> int:
        conn.execute("INSERT INTO t (v) VALUES (?)", (value,))
        stored.new.append(value)
        return value

    return job


def _values(storage: Storage) -> list[int]:
    return sorted(v for (v,) in storage.conn.execute("SELECT v FROM t"))


def test_jobs_waiting_together_share_one_transaction(storage):
    seen: list[list[int]] = []

    async def main() -> list[int]:
        def hook(conn, new, updated, terms):
            seen.append(list(new))

        async with BatchWriter(storage, [hook]) as w:
            results = await asyncio.gather(*(w.submit(_insert(i)) for i in range(10)))
            return [*results, w.transactions]

    *results, transactions = asyncio.run(main())
    assert results == list(range(10))
    assert _values(storage) == list(range(10))
    assert transactions == 1
    assert seen == [list(range(10))]


def test_a_failing_job_rolls_back_only_itself(storage):
    def half_then_fail(conn: sqlite3.Connection, stored: Stored) -> None:
        conn.execute("INSERT INTO t (v) VALUES (99)")
        raise ValueError("bad feed")

    async def main() -> list[object]:
        async with BatchWriter(storage) as w:
            return await asyncio.gather(
                w.submit(_insert(1)), w.submit(half_then_fail), w.submit(_insert(2)),
                return_exceptions=True,
            )

    one, failed, two = asyncio.run(main())
    assert (one, two) == (1, 2)
    assert isinstance(failed, ValueError)
    assert _values(storage) == [1, 2]


def test_a_failing_hook_stores_nothing_of_its_batch(storage):
    def hook(conn, new, updated, terms):
        raise RuntimeError("index broken")

    async def main() -> list[object]:
        async with BatchWriter(storage, [hook]) as w:
            return await asyncio.gather(w.submit(_insert(1)), w.submit(_insert(2)),
                                        return_exceptions=True)

    results = asyncio.run(main())
    assert all(isinstance(r, RuntimeError) for r in results)
    assert _values(storage) == []


def test_batches_stay_under_the_entry_cap(storage, monkeypatch):
    monkeypatch.setattr(batch_writer, "MAX_BATCH_ENTRIES", 100)

    async def main() -> int:
        async with BatchWriter(storage) as w:
            await asyncio.gather(*(w.submit(_insert(i), size=40) for i in range(6)))
            return w.transactions

    assert asyncio.run(main()) == 3  # 40 + 40, twice more: never 120 in one
    assert _values(storage) == list(range(6))


def test_jobs_run_on_one_thread_whose_connection_is_closed_after(storage):
    threads: set[str] = set()

    def job(conn: sqlite3.Connection, stored: Stored) -> None:
        threads.add(threading.current_thread().name)

    async def main() -> None:
        async with BatchWriter(storage) as w:
            await asyncio.gather(*(w.submit(job) for _ in range(3)))

    before = len(storage._all)
    asyncio.run(main())
    assert len(threads) == 1 and threading.current_thread().name not in threads
    assert len(storage._all) == before  # the writer's connection did not leak


def test_a_small_batch_waits_for_more_unless_every_job_is_in(storage, monkeypatch):
    monkeypatch.setattr(batch_writer, "GATHER_SECONDS", 0.3)

    async def trickle(expected: int | None) -> int:
        async with BatchWriter(storage, expected_jobs=expected) as w:
            first = asyncio.create_task(w.submit(_insert(1)))
            await asyncio.sleep(0.05)  # arrives while the first waits for company
            await asyncio.gather(first, w.submit(_insert(2)))
            return w.transactions

    assert asyncio.run(trickle(None)) == 1

    async def all_in() -> float:
        loop = asyncio.get_running_loop()
        async with BatchWriter(storage, expected_jobs=1) as w:
            start = loop.time()
            await w.submit(_insert(3))
            return loop.time() - start

    assert asyncio.run(all_in()) < 0.25  # the only expected job: written without waiting
