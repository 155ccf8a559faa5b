"""Search speed on a large library, and what the full-text index costs at refresh.

    python -m bench.search_speed [--articles N] [--store N] [--repeat R] [--keep DIR]
                                 [--part all|queries|overhead|options] [--json]

1. Queries: builds a library of ``--articles`` (default 100,000) generated stories through
   the real storage (``store_entries``, one transaction per feed of 500) and times typical
   queries through ``Library.search`` (parse, FTS5 + SQL, rows, snippets; 50 results): the
   median of ``--repeat`` runs after one warm-up run, wall clock and CPU time of this
   process (the CPU time is the steadier number when other processes share the machine).
   Saved-search counts are timed too. ``--keep DIR`` builds the library there once and
   reuses it afterwards.
2. Index overhead, each time in a fresh library with the FTS5 triggers and in a scratch
   copy with them dropped (best of three or five runs):

   - ``store_entries`` alone for ``--store`` (default 10,000) stories in feeds of 200, one
     transaction per feed as at refresh: all new, then with changed text (the update
     trigger re-indexes), then with only a date changed (no re-indexing); CPU time;
   - ``Library.refresh`` of the same number of stories as 20 local RSS files (the real
     pipeline: fetch, parse, store; everything but the network; parsing stays in this
     process below the process-pool threshold, so CPU time covers all of it): the first
     refresh (all new), then one where ``--new-share`` (default 10%) of each feed is new.
3. FTS5 options: the same columns with ``columnsize=0``, ``detail=column`` or a higher
   ``automerge``, against the shipped table: CPU to store ``2 x --store`` new stories and
   a few queries' CPU time (``detail=column`` cannot answer phrase queries).

Words come from a Zipf-like vocabulary (a few very common words, a long tail), so common
terms match tens of thousands of stories and rare ones a handful, as in a real cache.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from tui_reader.core.library import Library, open_library
from tui_reader.core.models import Author, ParsedEntry
from tui_reader.core.parse_pool import PROCESS_POOL_THRESHOLD
from tui_reader.core.storage import Storage
from tui_reader.core.storage import articles as article_sql
from tui_reader.core.storage import feeds as feed_sql

PER_FEED = 500
SYLLABLES = ["ka", "lo", "mi", "ren", "to", "sa", "vel", "dor", "an", "is", "mar", "quo",
             "ti", "ber", "ush", "en", "ga", "fol", "pri", "nu", "ste", "wy", "ho", "ze"]
# Real words planted with known frequencies so the queries below mean something.
PLANTED = {
    "lighthouse": 0.02, "keeper": 0.03, "harbour": 0.05, "storm": 0.08, "trooper": 0.004,
    "troopers": 0.002, "kettle": 0.001, "midnight": 0.01, "zeppelin": 0.0002,
}
QUERIES = [
    ("common word", "storm"),
    ("rare word", "zeppelin"),
    ("two words", "lighthouse keeper"),
    ("phrase", '"lighthouse keeper"'),
    ("prefix", "troop*"),
    ("title field", "title:harbour"),
    ("word + exclusion", "storm -harbour"),
    ("OR", "kettle OR zeppelin"),
    ("word + tag + unread", "keeper tag:news is:unread"),
    ("word + date", "midnight after:2026-03-01"),
    ("filters only", "tag:news is:unread"),
    ("exclusion only", "-storm"),
    ("no match", "xylophonist"),
]


class Corpus:
    """Seeded generator of story text with a Zipf-like word distribution."""

    def __init__(self, seed: int = 7, vocabulary: int = 30_000, pool: int = 3_000_000) -> None:
        self.rng = random.Random(seed)
        words: set[str] = set()
        while len(words) < vocabulary:
            words.add("".join(self.rng.choices(SYLLABLES, k=self.rng.randint(1, 4))))
        self.words = sorted(words)
        weights = [1.0 / (rank + 8) for rank in range(len(self.words))]
        self.pool = self.rng.choices(self.words, weights=weights, k=pool)
        self.authors = [f"{self.rng.choice(self.words).title()} "
                        f"{self.rng.choice(self.words).title()}" for _ in range(400)]
        for word, share in PLANTED.items():  # sprinkle real words through the pool
            for _ in range(int(pool * share / 40)):
                self.pool[self.rng.randrange(pool)] = word
        # Make the phrase exist: "lighthouse keeper" side by side sometimes.
        for _ in range(pool // 4000):
            at = self.rng.randrange(pool - 1)
            self.pool[at : at + 2] = ["lighthouse", "keeper"]

    def words_run(self, count: int) -> str:
        start = self.rng.randrange(len(self.pool) - count)
        return " ".join(self.pool[start : start + count])

    def entry(self, guid: str, when: datetime) -> ParsedEntry:
        rng = self.rng
        paragraphs = [self.words_run(rng.randint(20, 90)) for _ in range(rng.randint(1, 5))]
        text = "\n\n".join(p.capitalize() + "." for p in paragraphs)
        return ParsedEntry(
            guid=guid,
            title=self.words_run(rng.randint(3, 9)).capitalize(),
            link=f"https://blog.test/{guid}",
            authors=(Author(name=rng.choice(self.authors)),),
            published=when,
            summary=self.words_run(rng.randint(10, 30)).capitalize() + ".",
            text=text,
            content_html="".join(f"<p>{escape(p)}.</p>" for p in paragraphs),
        )


def _time(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``repeat`` calls after a warm-up call."""
    fn()  # warm-up: page cache, statement cache
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def build(data_dir: Path, articles: int, corpus: Corpus) -> tuple[Library, float]:
    """A library of ``articles`` stories in feeds of ``PER_FEED``; returns it and seconds."""
    library = open_library(data_dir)
    start = time.perf_counter()
    base = datetime(2026, 6, 1, tzinfo=UTC)
    feeds = (articles + PER_FEED - 1) // PER_FEED
    serial = itertools.count()
    for number in range(feeds):
        url = f"https://blog{number}.test/feed.xml"
        count = min(PER_FEED, articles - number * PER_FEED)
        entries = [corpus.entry(f"g{next(serial)}", base - timedelta(minutes=37 * i + number))
                   for i in range(count)]
        with library.storage.transaction() as conn:
            fid = feed_sql.insert_feed(conn, url, title=f"Blog {number}")
            if number % 4 == 0:
                feed_sql.set_tags(conn, url, ["news"])
            article_sql.store_entries(conn, fid, entries)
            if number % 3 == 0:  # a third of the stories read
                conn.execute("UPDATE articles SET read = 1 WHERE feed_id = ? AND id % 3 = 0",
                             (fid,))
    return library, time.perf_counter() - start


def query_times(library: Library, repeat: int) -> list[dict[str, object]]:
    rows = []
    for label, query in QUERIES:
        hits = library.search(query, limit=50)
        total = library.count_search(query)
        wall, cpu = _time(lambda q=query: library.search(q, limit=50), repeat)
        rows.append({"label": label, "query": query, "matches": total, "shown": len(hits),
                     "median_ms": round(wall, 2), "median_cpu_ms": round(cpu, 2)})
    for name, query in (("Keepers", "keeper -storm"), ("News", "tag:news is:unread"),
                        ("Troopers", "troop* OR kettle")):
        library.save_search(name, query)
    wall, cpu = _time(library.saved_searches, repeat)
    rows.append({"label": "3 saved searches' counts", "query": "(saved_searches)",
                 "matches": None, "shown": 3, "median_ms": round(wall, 2),
                 "median_cpu_ms": round(cpu, 2)})
    return rows


def rss(entries: list[ParsedEntry], number: int) -> bytes:
    items = "".join(
        f"<item><title>{escape(e.title)}</title><link>{e.link}</link><guid>{e.guid}</guid>"
        f"<pubDate>{e.published.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"  # type: ignore[union-attr]
        f"<author>x@blog.test ({escape(e.authors[0].name)})</author>"
        f"<description>{escape(e.summary)}</description>"
        f"<content:encoded><![CDATA[{e.content_html}]]></content:encoded></item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Blog {number}</title><link>https://blog{number}.test/</link>"
        f"<description>d</description>{items}</channel></rss>"
    ).encode()


_INDEX_TEXT_OF = article_sql.index_text_of


def _drop_triggers(storage: Storage) -> None:
    """No full-text index upkeep: its triggers (updates, deletes) dropped, and new stories
    not added to it (until :func:`_restore_text_index`)."""
    with storage.transaction() as conn:
        for name in ("articles_fts_insert", "articles_fts_update", "articles_fts_delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    article_sql.index_text_of = lambda conn, ids: None  # type: ignore[assignment]


def _restore_text_index() -> None:
    article_sql.index_text_of = _INDEX_TEXT_OF


def _variants(entries: list[ParsedEntry], **changes: object) -> tuple[ParsedEntry, ...]:
    return tuple(replace(e, **{k: (v(e) if callable(v) else v) for k, v in changes.items()})
                 for e in entries)


def _best(times: list[float]) -> float:
    return min(times)


def store_overhead(root: Path, count: int, corpus: Corpus) -> dict[str, float]:
    """``store_entries`` alone (CPU seconds), with and without the index triggers: all new
    stories, stories whose text changed, and stories where only a date changed."""
    base = datetime(2026, 6, 1, tzinfo=UTC)
    feeds = max(1, count // 200)
    batches = [[corpus.entry(f"s{n}-{i}", base - timedelta(minutes=i)) for i in range(200)]
               for n in range(feeds)]
    edited = [_variants(b, text=lambda e: e.text + " Updated.",
                        content_html=lambda e: e.content_html + "<p>Updated.</p>")
              for b in batches]
    touched = [_variants(b, updated=base + timedelta(days=1)) for b in edited]
    result: dict[str, float] = {"stories": float(sum(len(b) for b in batches))}
    for label in ("with", "without"):
        _restore_text_index()
        times: dict[str, list[float]] = {"new": [], "edited": [], "touched": []}
        for attempt in range(5):  # best of five: other processes share the machine
            folder = root / f"store-{label}-{attempt}"
            storage = Storage(folder)
            if label == "without":
                _drop_triggers(storage)
            with storage.transaction() as conn:
                ids = [feed_sql.insert_feed(conn, f"https://s{n}.test/")
                       for n in range(len(batches))]
            for name, data in (("new", batches), ("edited", edited), ("touched", touched)):
                start = time.process_time()  # CPU time: steadier on a shared machine
                for fid, entries in zip(ids, data, strict=True):
                    with storage.transaction() as conn:  # one transaction per feed
                        article_sql.store_entries(conn, fid, entries)
                times[name].append(time.process_time() - start)
            storage.close()
            shutil.rmtree(folder)
        for name, samples in times.items():
            result[f"store_{name}_{label}_s"] = _best(samples)
    _restore_text_index()
    return result


def refresh_overhead(root: Path, count: int, corpus: Corpus, new_share: float) -> dict[str, float]:
    """``Library.refresh`` of local feed files (fetch, parse, store: everything but the
    network), with and without the index triggers: first with every story new, then a
    refresh where ``new_share`` of each feed's stories are new.

    Fewer feeds than the refresh's process-pool threshold, so that parsing runs in a
    thread of this process and the CPU time covers the whole refresh (wall time is
    reported too but swings with the machine's load)."""
    base = datetime(2026, 6, 1, tzinfo=UTC)
    feeds = max(1, min(PROCESS_POOL_THRESHOLD - 4, count // 200))
    per = count // feeds
    fresh = max(1, int(per * new_share))
    first = [[corpus.entry(f"r{n}-{i}", base - timedelta(minutes=i)) for i in range(per)]
             for n in range(feeds)]
    later = [[corpus.entry(f"r{n}-new{i}", base + timedelta(minutes=i + 1))
              for i in range(fresh)] + batch[: per - fresh] for n, batch in enumerate(first)]
    docs_first = [rss(batch, n) for n, batch in enumerate(first)]
    docs_later = [rss(batch, n) for n, batch in enumerate(later)]
    result: dict[str, float] = {"feeds": float(feeds), "stories": float(feeds * per),
                                "new_per_feed": float(fresh)}
    for label in ("with", "without"):
        _restore_text_index()
        initial, steady, initial_cpu, steady_cpu = [], [], [], []
        for attempt in range(3):
            folder = root / f"refresh-{label}-{attempt}"
            files = folder / "feeds"
            files.mkdir(parents=True)
            library = open_library(folder / "data")
            if label == "without":
                _drop_triggers(library.storage)
            paths = [files / f"feed{n}.xml" for n in range(feeds)]
            for path, doc in zip(paths, docs_first, strict=True):
                path.write_bytes(doc)
            with library.storage.transaction() as conn:
                for path in paths:
                    feed_sql.insert_feed(conn, str(path))
            start, start_cpu = time.perf_counter(), time.process_time()
            summary = library.refresh()
            initial.append(time.perf_counter() - start)
            initial_cpu.append(time.process_time() - start_cpu)
            assert summary.new == feeds * per and not summary.errors, summary.errors
            for path, doc in zip(paths, docs_later, strict=True):
                path.write_bytes(doc)
            start, start_cpu = time.perf_counter(), time.process_time()
            summary = library.refresh()
            steady.append(time.perf_counter() - start)
            steady_cpu.append(time.process_time() - start_cpu)
            assert summary.new == feeds * fresh, summary.new
            library.close()
            shutil.rmtree(folder)
        result[f"refresh_initial_{label}_s"] = _best(initial)
        result[f"refresh_steady_{label}_s"] = _best(steady)
        result[f"refresh_initial_{label}_cpu_s"] = _best(initial_cpu)
        result[f"refresh_steady_{label}_cpu_s"] = _best(steady_cpu)
    _restore_text_index()
    return result


# FTS5 table variants weighed against the shipped one (same columns, same tokenizer).
OPTION_VARIANTS = {
    "shipped (detail=full)": ("", {}),
    "columnsize=0": (", columnsize=0", {}),
    "detail=column": (", detail=column", {}),
    "automerge=16": ("", {"automerge": 16}),
}
OPTION_QUERIES = ["storm", '"lighthouse keeper"', "troop*", "title:harbour"]


def _recreate_fts(storage: Storage, options: str, config: dict[str, int]) -> None:
    """Drop the index and make it again with ``options`` (new stories enter it through
    ``articles.index_text_of``; the update/delete triggers are left out)."""
    with storage.transaction() as conn:
        for name in ("articles_fts_insert", "articles_fts_update", "articles_fts_delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        conn.execute("DROP TABLE articles_fts")
        conn.execute(
            "CREATE VIRTUAL TABLE articles_fts USING fts5(title, author, summary, text,"
            " content='articles', content_rowid='id',"
            f" tokenize='unicode61 remove_diacritics 2'{options})"
        )
        for key, value in config.items():
            conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES (?, ?)",
                         (key, value))


def fts_options(root: Path, count: int, corpus: Corpus, repeat: int) -> list[dict[str, object]]:
    """For each FTS5 variant: CPU seconds to store ``count`` new stories and the median CPU
    milliseconds of a few queries on them (or the error the query gets)."""
    base = datetime(2026, 6, 1, tzinfo=UTC)
    batches = [[corpus.entry(f"o{n}-{i}", base - timedelta(minutes=i)) for i in range(200)]
               for n in range(max(1, count // 200))]
    rows = []
    for label, (options, config) in OPTION_VARIANTS.items():
        folder = root / f"options-{len(rows)}"
        library = open_library(folder)
        _recreate_fts(library.storage, options, config)
        with library.storage.transaction() as conn:
            ids = [feed_sql.insert_feed(conn, f"https://o{n}.test/") for n in range(len(batches))]
        start = time.process_time()
        for fid, entries in zip(ids, batches, strict=True):
            with library.storage.transaction() as conn:
                article_sql.store_entries(conn, fid, entries)
        store_s = time.process_time() - start
        timings: dict[str, object] = {}
        for query in OPTION_QUERIES:
            try:
                _, cpu = _time(lambda q=query, lib=library: lib.search(q, limit=50), repeat)
                timings[query] = round(cpu, 2)
            except Exception as exc:  # detail=column refuses phrases
                timings[query] = f"error: {exc}".splitlines()[0][:60]
        library.close()
        shutil.rmtree(folder)
        rows.append({"variant": label, "store_cpu_s": round(store_s, 3), "queries": timings})
    return rows


def share(with_s: float, without_s: float) -> float:
    """The part of the time with the index that the index adds."""
    return (with_s - without_s) / with_s if with_s else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_speed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--store", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--keep", metavar="DIR", help="build (or reuse) the library here")
    parser.add_argument("--new-share", type=float, default=0.1,
                        help="share of each feed's stories that are new in the second refresh")
    parser.add_argument("--part", choices=("all", "queries", "overhead", "options"),
                        default="all", help="run only the query timings, only the index "
                        "overhead, or only the FTS5 option comparison")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    corpus = Corpus()
    scratch = Path(tempfile.mkdtemp(prefix="search-speed-"))
    try:
        stored, build_s, size, queries = 0, 0.0, 0, []
        if args.part in ("all", "queries"):
            data_dir = Path(args.keep) if args.keep else scratch / "library"
            reuse = bool(args.keep) and (data_dir / "library.sqlite3").exists()
            if reuse:
                library = open_library(data_dir)
            else:
                library, build_s = build(data_dir, args.articles, corpus)
            library.storage.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            size = sum(p.stat().st_size for p in data_dir.glob("library.sqlite3*"))
            stored = library.count_articles()
            queries = query_times(library, args.repeat)
            library.close()
        store: dict[str, float] = {}
        refresh: dict[str, float] = {}
        options: list[dict[str, object]] = []
        if args.part in ("all", "overhead"):
            store = store_overhead(scratch / "store", args.store, corpus)
            refresh = refresh_overhead(scratch / "refresh", args.store, corpus, args.new_share)
        if args.part in ("all", "options"):
            options = fts_options(scratch / "options", args.store * 2, corpus, args.repeat)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    shares = {} if not store else {
        "store_new": share(store["store_new_with_s"], store["store_new_without_s"]),
        "store_edited": share(store["store_edited_with_s"], store["store_edited_without_s"]),
        "store_touched": share(store["store_touched_with_s"], store["store_touched_without_s"]),
        "refresh_initial": share(refresh["refresh_initial_with_s"],
                                 refresh["refresh_initial_without_s"]),
        "refresh_steady": share(refresh["refresh_steady_with_s"],
                                refresh["refresh_steady_without_s"]),
        "refresh_initial_cpu": share(refresh["refresh_initial_with_cpu_s"],
                                     refresh["refresh_initial_without_cpu_s"]),
        "refresh_steady_cpu": share(refresh["refresh_steady_with_cpu_s"],
                                    refresh["refresh_steady_without_cpu_s"]),
    }
    report = {"articles": stored, "build_s": round(build_s, 1), "db_mb": round(size / 1e6, 1),
              "queries": queries, "store": {k: round(v, 3) for k, v in store.items()},
              "refresh": {k: round(v, 3) for k, v in refresh.items()},
              "index_share": {k: round(v, 3) for k, v in shares.items()},
              "fts_options": options}
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
        return 0
    if queries:
        print(f"library: {stored} articles, {report['db_mb']} MB"
              + (f", built in {build_s:.1f} s" if build_s else " (reused)"))
        print(f"{'query (50 results)':<26} {'matches':>7} {'wall ms':>8} {'cpu ms':>7}   text")
        for row in queries:
            matches = "" if row["matches"] is None else row["matches"]
            print(f"{row['label']:<26} {matches:>7} {row['median_ms']:>8.2f} "
                  f"{row['median_cpu_ms']:>7.2f}   {row['query']}")
    if options:
        print(f"\nFTS5 variants, {args.store * 2} new stories: store CPU s, query CPU ms "
              "(median, 50 results)")
        print(f"{'':<22} {'store':>7}  " + "  ".join(f"{q:>19}" for q in OPTION_QUERIES))
        for row in options:
            cells = [str(v)[:19] for v in row["queries"].values()]  # type: ignore[union-attr]
            print(f"{row['variant']:<22} {row['store_cpu_s']:>7.2f}  "
                  + "  ".join(f"{c:>19}" for c in cells))
    if not store:
        return 0
    print(f"\nstore_entries, {int(store['stories'])} stories in feeds of 200, one transaction"
          " per feed (CPU time, best of 5):")
    print(f"{'':<22} {'with index':>11} {'without':>9} {'index share':>12}")
    for name, text in (("new", "all new"), ("edited", "text changed"),
                       ("touched", "only a date changed")):
        w, wo = store[f"store_{name}_with_s"], store[f"store_{name}_without_s"]
        print(f"{text:<22} {w:>10.2f}s {wo:>8.2f}s {shares['store_' + name]:>12.1%}")
    print(f"\nLibrary.refresh of {int(refresh['feeds'])} local feed files "
          f"({int(refresh['stories'])} stories; fetch + parse + store, best of 3):")
    for name, text in (("initial", "first refresh, all new"),
                       ("steady", f"{int(refresh['new_per_feed'])} new per feed")):
        for kind, suffix in (("CPU", "_cpu"), ("wall", "")):
            w = refresh[f"refresh_{name}_with{suffix}_s"]
            wo = refresh[f"refresh_{name}_without{suffix}_s"]
            print(f"{text + ', ' + kind:<28} {w:>8.2f}s {wo:>8.2f}s "
                  f"{shares['refresh_' + name + suffix]:>12.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
