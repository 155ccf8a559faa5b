"""Two storyreaders on one library: a reader marking stories read while cron refreshes.

SQLite in WAL mode with a busy timeout and ``BEGIN IMMEDIATE`` writes: two refreshes and a
third process writing read marks and bookmarks all finish, nothing is lost or stored
twice, and the files stay sound. A writer that holds the library longer than the busy
timeout makes the other wait and then fail with a one-line message that says why.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.loopback import LoopbackServer
from tui_reader.core.library import open_library
from tui_reader.core.update import RefreshSettings

STORYREADER = Path(sys.executable).with_name("storyreader")
FEEDS = 30  # both refreshes parse in worker processes
ITEMS = 30


def rss(name: str, start: int, count: int = ITEMS) -> bytes:
    items = "".join(
        f"<item><title>{name} story {i}</title><link>http://{name}.test/{i}</link>"
        f"<guid>{name}-{i}</guid><description>Story {i} of {name}.</description></item>"
        for i in range(start, start + count)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
        f"<link>http://{name}.test/</link>{items}</channel></rss>"
    ).encode()


def serve(server: LoopbackServer, start: int) -> None:
    for n in range(FEEDS):
        server.route(f"/feed-{n}.xml", rss(f"feed{n}", start), latency=0.05)


def subscribe(server: LoopbackServer, data_dir: Path, opml: Path) -> None:
    outlines = "".join(
        f'<outline type="rss" text="feed {n}" xmlUrl="{server.url(f"/feed-{n}.xml")}"/>'
        for n in range(FEEDS)
    )
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
    with open_library(data_dir, RefreshSettings(timeout=20)) as lib:
        lib.import_opml(opml)
        lib.refresh()
        assert lib.count_articles() == FEEDS * ITEMS


def check_files(data_dir: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(data_dir / "library.sqlite3")
    for name in ("library.sqlite3", "bookmarks.sqlite3"):
        other = sqlite3.connect(data_dir / name)
        assert other.execute("PRAGMA integrity_check").fetchone()[0] == "ok", name
        other.close()
    return conn


def test_two_refreshes_and_a_reader_writing_at_once(
    tmp_path: Path, feed_server: LoopbackServer
) -> None:
    data_dir = tmp_path / "data"
    serve(feed_server, 0)
    subscribe(feed_server, data_dir, tmp_path / "feeds.opml")
    serve(feed_server, 10)  # ten new stories in every feed
    rng = random.Random(7)
    command = [str(STORYREADER), "--data-dir", str(data_dir), "--config-dir", str(tmp_path),
               "refresh"]  # fmt: skip
    marked: set[int] = set()
    bookmarked: set[int] = set()
    with open_library(data_dir) as lib:  # the reader, in this process
        cron = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for _ in range(2)]  # fmt: skip
        writes = 0
        while any(p.poll() is None for p in cron) or writes < 20:
            unread = [a.id for a in lib.articles(unread=True, limit=500)]
            batch = rng.sample(unread, 3)
            lib.set_read(batch)
            marked.update(batch)
            if writes % 5 == 0:
                bookmarked.add(lib.bookmarks.add(rng.choice(unread), note="while refreshing").id)
            writes += 1
            time.sleep(0.02)
        outputs = [p.communicate(timeout=60) for p in cron]
        for p, (out, err) in zip(cron, outputs, strict=True):
            assert p.returncode == 0, err
            assert out.rstrip().endswith(" 0 errors"), out[-300:]
        assert writes >= 20
        assert {b.id for b in lib.bookmarks.list()} >= bookmarked
    conn = check_files(data_dir)
    read = {row[0] for row in conn.execute("SELECT id FROM articles WHERE read = 1")}
    assert marked <= read
    total, distinct = conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT feed_id || ' ' || guid) FROM articles"
    ).fetchone()
    assert total == distinct == FEEDS * (ITEMS + 10)
    # The news arrived exactly once; between them the two runs found it all.
    news = [f"{n}" for n in range(FEEDS)]
    for n in news:
        (count,) = conn.execute(
            "SELECT COUNT(*) FROM articles WHERE guid = ?", (f"feed{n}-{ITEMS + 9}",)
        ).fetchone()
        assert count == 1, n
    conn.close()


_HOLDER = textwrap.dedent(
    """
    import sys, time
    from tui_reader.core.library import open_library
    with open_library(sys.argv[1]) as lib:
        ids = [a.id for a in lib.articles(limit=5)]
        with lib.transaction():  # a long write, as a busy reader might make
            lib.set_read(ids)
            print(" ".join(map(str, ids)), flush=True)
            time.sleep(float(sys.argv[2]))
    """
)

# The CLI with a short busy timeout, so that giving up does not take 15 s here.
_IMPATIENT_CLI = textwrap.dedent(
    """
    import sys
    import tui_reader.core.storage.db as db
    db.BUSY_TIMEOUT_MS = 1000
    from tui_reader.cli import main
    raise SystemExit(main(sys.argv[1:]))
    """
)


def test_refresh_waits_for_a_long_writer_then_works(
    tmp_path: Path, feed_server: LoopbackServer
) -> None:
    data_dir = tmp_path / "data"
    serve(feed_server, 0)
    subscribe(feed_server, data_dir, tmp_path / "feeds.opml")
    serve(feed_server, 5)
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(data_dir), "3"],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert holder.stdout is not None
    held = [int(x) for x in holder.stdout.readline().split()]
    start = time.monotonic()
    done = subprocess.run(
        [str(STORYREADER), "--data-dir", str(data_dir), "--config-dir", str(tmp_path),
         "refresh"], capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    waited = time.monotonic() - start
    assert holder.wait(10) == 0
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith(f"{FEEDS * 5} new articles from {FEEDS} feeds, 0 errors")
    assert waited > 1.5  # it did wait for the holder
    conn = check_files(data_dir)
    read = {row[0] for row in conn.execute("SELECT id FROM articles WHERE read = 1")}
    assert set(held) <= read
    conn.close()


def test_a_writer_that_never_lets_go_gets_a_clear_message(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss("local", 0, 3))
    with open_library(data_dir) as lib:
        lib.add_feed(str(feed))
        article = lib.articles(limit=1)[0].id
    feed.write_bytes(rss("local", 3, 3))
    stuck = sqlite3.connect(data_dir / "library.sqlite3", isolation_level=None)
    stuck.execute("BEGIN IMMEDIATE")  # a hung instance in the middle of a write
    try:
        cli = [sys.executable, "-c", _IMPATIENT_CLI, "--data-dir", str(data_dir)]
        # Reading needs no lock: it works while the other instance writes.
        done = subprocess.run([*cli, "feeds"], capture_output=True, text=True, timeout=60,
                              check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "3/3" in done.stdout
        for command in (["refresh"], ["read", str(article)]):
            start = time.monotonic()
            done = subprocess.run([*cli, *command], capture_output=True, text=True, timeout=60,
                                  check=False)  # fmt: skip
            assert done.returncode == 1, (command, done.stdout, done.stderr)
            assert done.stderr.count("\n") == 1, done.stderr
            assert "the library is busy: another storyreader has been writing to it" in (
                done.stderr
            ), done.stderr
            assert time.monotonic() - start < 30
    finally:
        stuck.execute("ROLLBACK")
        stuck.close()
    done = subprocess.run(
        [str(STORYREADER), "--data-dir", str(data_dir), "refresh"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "3 new articles from 1 feeds, 0 errors" in done.stdout
    check_files(data_dir).close()


def test_a_feed_unsubscribed_by_another_process_during_a_refresh(tmp_path: Path) -> None:
    """`storyreader remove` while the app refreshes: that feed is skipped, the others are
    stored (it failed the whole refresh with a foreign-key error)."""
    server = LoopbackServer().start()
    try:
        server.route("/slow.xml", rss("slow", 0))
        server.route("/quick.xml", rss("quick", 0))
        data = tmp_path / "data"
        with open_library(data) as library:
            library.add_feed(server.url("/slow.xml"))
            library.add_feed(server.url("/quick.xml"))
            server.update("/slow.xml", rss("slow", 5), latency=1.5)
            server.update("/quick.xml", rss("quick", 5))
            remover = subprocess.Popen(
                [str(STORYREADER), "--data-dir", str(data), "remove", server.url("/slow.xml")],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
            summary = library.refresh()  # the slow feed's answer comes after its removal
            assert remover.wait(timeout=30) == 0, remover.stderr.read()
            results = {r.url: r for r in summary.results}
            assert results[server.url("/quick.xml")].new == 5
            slow = results[server.url("/slow.xml")]
            assert slow.new == 0 and slow.error is None
            assert [f.url for f in library.feeds()] == [server.url("/quick.xml")]
            assert library.count_articles() == ITEMS + 5
    finally:
        server.stop()
