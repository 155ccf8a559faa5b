"""Speed of the related-posts engine on a large cache (not a test: numbers for the README).

    python -m bench.related_speed [--size 100000] [--queries 300] [--feeds 40] [--rounds 3]

1. Builds a library of ``--size`` generated articles (the quality benchmark's corpus) the
   way refreshes do, timing the index upkeep hook against the store it rides on.
2. Per-query latency of ``RelatedEngine.related`` (limit 6) on random articles: median,
   95th percentile and maximum, one thread, in wall time and in the thread's CPU time (a
   shared, busy machine inflates wall time); peak memory of the process.
3. Refresh overhead: ``--feeds`` local files of the speed benchmark's farm (bench/farm.py:
   RSS, Atom and JSON Feed with 1-4 KB HTML bodies, 100 items each) are refreshed into two
   copies of that library through the real pipeline (``Library.refresh``: read, parse,
   sanitise, store), once with the index (its terms computed while parsing, its hook run
   in the storing transaction) and once with none of it; ``--rounds`` times. Below 24
   feeds the refresh parses on a thread, so the process's CPU time is the whole refresh's:
   CPU times are reported beside wall times, which a busy machine inflates.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.related_quality import generate_corpus
from tui_reader.core.library import Library
from tui_reader.core.related import RelatedEngine
from tui_reader.core.storage import Storage
from tui_reader.core.storage import articles as article_sql
from tui_reader.core.storage import feeds as feed_sql


def build(size: int, data_dir: Path, rounds: int = 50) -> dict[str, float]:
    """Store ``size`` articles in ``rounds`` refresh-like rounds, as a refresh does: each
    round one transaction (the batch writer's), rows and index terms computed per entry
    (a parse worker's work), the index hook once per round. Index upkeep = computing the
    terms + the hook; store = computing the rows + writing them."""
    from tui_reader.core.related import doc_terms

    corpus = generate_corpus(size, seed=11)
    storage = Storage(data_dir)
    engine = RelatedEngine(storage)
    stream = sorted(((e.published, f.url, e) for f in corpus.feeds for e in f.entries),
                    key=lambda item: (item[0], item[1]))
    with storage.transaction() as conn:
        fids = {f.url: feed_sql.insert_feed(conn, f.url, title=f.title) for f in corpus.feeds}
    per_round = max(1, len(stream) // rounds)
    store_s = hook_s = 0.0
    late_store = late_hook = 0.0  # the last fifth: a big cache growing further
    started = time.perf_counter()
    for start in range(0, len(stream), per_round):
        batch: dict[str, list] = {}
        for _, url, entry in stream[start : start + per_round]:
            batch.setdefault(url, []).append(entry)
        t0 = time.perf_counter()
        rows = {url: [article_sql.entry_row(e) for e in entries] for url, entries in batch.items()}
        t1 = time.perf_counter()
        terms = {url: [doc_terms(e.title, e.summary, e.text, e.categories) for e in entries]
                 for url, entries in batch.items()}
        t2 = time.perf_counter()
        with storage.transaction() as conn:
            new: list[int] = []
            updated: list[int] = []
            by_id = {}
            for url in batch:
                added, changed = article_sql.store_rows(conn, fids[url], rows[url])
                new += [aid for aid, _ in added]
                updated += [aid for aid, _ in changed]
                by_id.update({aid: terms[url][i] for aid, i in (*added, *changed)})
            t3 = time.perf_counter()
            engine.on_stored(conn, new, updated, by_id)
            t4 = time.perf_counter()
        t5 = time.perf_counter()
        round_store = (t1 - t0) + (t3 - t2) + (t5 - t4)
        round_hook = (t2 - t1) + (t4 - t3)
        store_s += round_store
        hook_s += round_hook
        if start >= len(stream) * 4 // 5:
            late_store += round_store
            late_hook += round_hook
    total = time.perf_counter() - started
    n = storage.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    storage.close()
    return {"articles": n, "build_s": total, "store_s": store_s, "hook_s": hook_s,
            "late_store_s": late_store, "late_hook_s": late_hook}


def latency(data_dir: Path, queries: int, limit: int = 6) -> dict[str, float]:
    storage = Storage(data_dir)
    engine = RelatedEngine(storage)
    ids = [r[0] for r in storage.conn.execute("SELECT id FROM articles")]
    rng = random.Random(5)
    for aid in rng.sample(ids, 20):  # warm the page cache
        engine.related(aid, limit)
    times: list[float] = []
    cpu: list[float] = []
    for aid in rng.sample(ids, queries):
        t0, c0 = time.perf_counter(), time.thread_time()
        engine.related(aid, limit)
        cpu.append((time.thread_time() - c0) * 1000)
        times.append((time.perf_counter() - t0) * 1000)
    storage.close()
    times.sort()
    cpu.sort()
    return {"median_ms": statistics.median(times), "p95_ms": times[int(len(times) * 0.95)],
            "max_ms": times[-1], "mean_ms": statistics.fmean(times),
            "cpu_median_ms": statistics.median(cpu), "cpu_p95_ms": cpu[int(len(cpu) * 0.95)],
            "cpu_max_ms": cpu[-1]}


def write_feeds(directory: Path, feeds: int, items: int = 100) -> list[Path]:
    """Local copies of the speed benchmark's farm feeds (RSS, Atom, JSON Feed; 1-4 KB HTML
    bodies), so the refresh does the same parsing and sanitising work as there."""
    from bench.farm import feed_document

    paths: list[Path] = []
    for index in range(feeds):
        feed, body = feed_document(index, items, seed=7)
        path = directory / feed.file
        path.write_bytes(body)
        paths.append(path)
    return paths


def refresh_once(data_dir: Path, paths: list[Path], with_index: bool) -> dict[str, float]:
    """One refresh of ``paths`` into the library at ``data_dir``, with the related index
    kept up (its terms computed while parsing, its hook run by the writer) or without any
    of it (no terms, no hook)."""
    from tui_reader.core import update

    lib = Library(data_dir)
    hook_time = [0.0]
    real_terms = update.doc_terms
    if with_index:
        engine_hook = lib.refresher.on_stored[0]

        def timed(conn, new, updated, terms) -> None:  # type: ignore[no-untyped-def]
            t0 = time.thread_time()
            engine_hook(conn, new, updated, terms)
            hook_time[0] += time.thread_time() - t0

        lib.refresher.on_stored[:] = [timed]
    else:
        lib.refresher.on_stored.clear()
        update.doc_terms = lambda *args: ({}, ())  # type: ignore[assignment]
    with lib.storage.transaction() as conn:
        for path in paths:
            feed_sql.insert_feed(conn, str(path))
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        summary = lib.refresh([str(p) for p in paths])
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        update.doc_terms = real_terms
        lib.close()
    assert not summary.errors, summary.errors[0]
    return {"wall_s": wall, "cpu_s": cpu, "hook_cpu_s": hook_time[0], "new": summary.new}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.related_speed",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="work here (kept) instead of a temp dir")
    args = parser.parse_args(argv)
    work = args.dir or Path(tempfile.mkdtemp(prefix="storyreader-related-speed-"))
    work.mkdir(parents=True, exist_ok=True)
    base = work / "library"
    try:
        if not (base / "library.sqlite3").exists():
            b = build(args.size, base)
            print(f"built {b['articles']} articles in {b['build_s']:.0f} s: store "
                  f"{b['store_s']:.1f} s, index upkeep {b['hook_s']:.1f} s "
                  f"(+{100 * b['hook_s'] / b['store_s']:.0f}% of the store; last fifth "
                  f"+{100 * b['late_hook_s'] / b['late_store_s']:.0f}%)")
        size_mb = sum(f.stat().st_size for f in base.iterdir()) / 1e6
        print(f"library files: {size_mb:.0f} MB")
        lat = latency(base, args.queries)
        print(f"related() over {args.queries} random articles: wall median "
              f"{lat['median_ms']:.1f} ms, mean {lat['mean_ms']:.1f} ms, p95 "
              f"{lat['p95_ms']:.1f} ms, max {lat['max_ms']:.1f} ms; CPU median "
              f"{lat['cpu_median_ms']:.1f} ms, p95 {lat['cpu_p95_ms']:.1f} ms, max "
              f"{lat['cpu_max_ms']:.1f} ms")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process so far: {peak:.0f} MB")
        feeds_dir = work / "feeds"
        feeds_dir.mkdir(exist_ok=True)
        paths = write_feeds(feeds_dir, args.feeds)
        walls: dict[bool, list[float]] = {True: [], False: []}
        cpus: dict[bool, list[float]] = {True: [], False: []}
        hooks: list[float] = []
        for _ in range(args.rounds):
            for with_hook in (False, True):
                copy = work / f"copy-{int(with_hook)}"
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(base, copy)
                r = refresh_once(copy, paths, with_hook)
                walls[with_hook].append(r["wall_s"])
                cpus[with_hook].append(r["cpu_s"])
                if with_hook:
                    hooks.append(r["hook_cpu_s"])
                shutil.rmtree(copy, ignore_errors=True)
        off, on = statistics.median(walls[False]), statistics.median(walls[True])
        cpu_off, cpu_on = statistics.median(cpus[False]), statistics.median(cpus[True])
        hook = statistics.median(hooks)
        print(f"refresh of {args.feeds} local feeds x 100 new items into that library "
              f"(median of {args.rounds}): wall {off:.2f} s without the index, {on:.2f} s "
              f"with (+{100 * (on - off) / off:.0f}%); CPU {cpu_off:.2f} s without, "
              f"{cpu_on:.2f} s with (+{100 * (cpu_on - cpu_off) / cpu_off:.0f}%); the hook's "
              f"own CPU {hook:.2f} s = +{100 * hook / (cpu_on - hook):.0f}% of the rest")
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
