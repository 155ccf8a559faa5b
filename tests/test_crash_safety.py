"""``kill -9`` at random moments of a large refresh and of a bookmark export.

The real ``storyreader refresh`` and ``storyreader bookmarks export -o FILE`` run as
subprocesses against a loopback farm of feeds and are killed with SIGKILL, 50 times in
all: half of the time a random 50-800 ms after the start, half of the time at a random
moment of the writing (from the refresh's first commit on; while the export's temporary
file exists), so that kills land in the middle of writes too. Before each run the
test commits read marks and bookmarks of its own; after each kill both SQLite files pass
``PRAGMA integrity_check``, nothing committed before the kill is lost, the export target
is the old complete file or a new complete one, and no process of the killed run is left
behind. Then a normal run works.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.loopback import LoopbackServer
from tui_reader.core.library import Library, open_library
from tui_reader.core.models import Bookmark
from tui_reader.core.update import RefreshSettings

STORYREADER = Path(sys.executable).with_name("storyreader")
FEEDS = 24  # the update pipeline's process-pool threshold: workers get orphaned too
ITEMS = 25
KILLS = 50
BOOKMARKS = 8000


def rss(name: str, start: int, count: int = ITEMS) -> bytes:
    words = " ".join(f"word{n}" for n in range(120))
    items = "".join(
        f"<item><title>{name} story {i}</title><link>http://{name}.test/{i}</link>"
        f"<guid>{name}-{i}</guid><description>Story {i} of {name}: {words}</description></item>"
        for i in range(start, start + count)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
        f"<link>http://{name}.test/</link>{items}</channel></rss>"
    ).encode()


class Farm:
    """A loopback farm of feeds whose stories move on every round."""

    def __init__(self, server: LoopbackServer) -> None:
        self.server = server
        self.round = 0
        self.advance()

    def advance(self) -> None:
        """Every feed publishes ten new stories (and drops its ten oldest)."""
        for n in range(FEEDS):
            self.server.route(f"/feed-{n}.xml", rss(f"feed{n}", self.round * 10))
        self.round += 1

    def opml(self, path: Path) -> Path:
        outlines = "".join(
            f'<outline type="rss" text="feed {n}" xmlUrl="{self.server.url(f"/feed-{n}.xml")}"/>'
            for n in range(FEEDS)
        )
        path.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
        return path


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)  # a normal connection: it recovers the WAL like the app
    try:
        return ",".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def run_killed(
    command: list[str], delay: float, started: Callable[[int], bool] | None = None
) -> tuple[int | None, int]:
    """Start ``command`` in a process group of its own and SIGKILL its main process (as
    ``kill -9 PID`` would; its helpers are left to notice) ``delay`` seconds after it
    started, or after ``started(pid)`` first held.

    Returns its exit code if it finished first (else None), and the group id.
    """
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    if started is not None:
        deadline = time.monotonic() + 20
        while proc.poll() is None and not started(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.001)
    try:
        return proc.wait(delay), proc.pid
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return None, proc.pid


def wal_written(data_dir: Path) -> Callable[[int], bool]:
    """A check that holds once the library's write-ahead log changed (a commit began)."""
    wal = data_dir / "library.sqlite3-wal"
    before = wal.stat().st_mtime_ns if wal.exists() else 0
    return lambda pid: wal.exists() and wal.stat().st_mtime_ns != before


def lingering(groups: list[int], seconds: float) -> list[int]:
    """The process groups that still have a process after ``seconds`` (then killed)."""
    deadline = time.monotonic() + seconds
    alive = list(groups)
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [g for g in alive if _group_alive(g)]
    for group in alive:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
    return alive


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def read_ids(data_dir: Path) -> set[int]:
    conn = sqlite3.connect(data_dir / "library.sqlite3")
    try:
        return {row[0] for row in conn.execute("SELECT id FROM articles WHERE read = 1")}
    finally:
        conn.close()


def export_state(path: Path, previous: bytes | None, bookmarks: int) -> bytes | None:
    """The export file is the previous one, or a complete export of every bookmark."""
    if not path.exists():
        assert previous is None, "the old export disappeared"
        return None
    data = path.read_bytes()
    if data == previous:
        return data
    document = json.loads(data)  # a partial file fails here
    assert document["format"] == "storyreader-bookmarks"
    assert len(document["bookmarks"]) == bookmarks
    return data


def timed(command: list[str], started: Callable[[int], bool], until_exit: bool = False) -> float:
    """Seconds from when ``started(pid)`` first holds in an undisturbed run of ``command``
    until it no longer does (or until the run ends)."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while proc.poll() is None and not started(proc.pid):
        time.sleep(0.001)
    begun = time.monotonic()
    while proc.poll() is None and (until_exit or started(proc.pid)):
        time.sleep(0.001)
    span = time.monotonic() - begun
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return span


@pytest.mark.slow
def test_kill_9_during_refresh_and_export_loses_nothing(
    tmp_path: Path, feed_server: LoopbackServer
) -> None:
    rng = random.Random(20240601)
    farm = Farm(feed_server)
    data_dir = tmp_path / "data"
    target = tmp_path / "exports" / "bookmarks.json"
    target.parent.mkdir()
    base = [str(STORYREADER), "--data-dir", str(data_dir), "--config-dir", str(tmp_path)]
    refresh = [*base, "refresh"]
    export = [*base, "bookmarks", "export", "-o", str(target), "--format", "json"]

    lib: Library = open_library(data_dir, RefreshSettings(timeout=20))
    lib.import_opml(farm.opml(tmp_path / "feeds.opml"))
    lib.refresh()
    assert lib.count_articles() == FEEDS * ITEMS
    lib.bookmarks.import_bookmarks(
        Bookmark(id=0, title=f"Saved {i} " + "x" * 80, link=f"http://saved.test/{i}",
                 note="a note " * 20, tags=("kept", f"t{i % 7}"))
        for i in range(BOOKMARKS)
    )  # fmt: skip
    marked_read: set[int] = set()
    bookmark_ids = {b.id for b in lib.bookmarks.list()}

    # How long the writing of an undisturbed run lasts here: the refresh from its first
    # commit to its end, the export while its temporary file exists (some 20 ms).
    def export_writing(pid: int) -> bool:
        return any(n.startswith(f".{target.name}.") for n in os.listdir(target.parent))

    farm.advance()
    refresh_span = timed(refresh, wal_written(data_dir), until_exit=True)
    export_span = timed(export, export_writing)
    exported: bytes | None = target.read_bytes()

    outcomes: Counter[str] = Counter()
    groups: list[int] = []
    for kill in range(KILLS):
        # State committed (by another process) before the run that gets killed.
        unread = [a.id for a in lib.articles(unread=True, limit=200)]
        newly_read = rng.sample(unread, min(3, len(unread)))
        lib.set_read(newly_read)
        marked_read.update(newly_read)
        candidates = [a.id for a in lib.articles(limit=300) if not a.bookmarked]
        bookmark_ids.add(lib.bookmarks.add(rng.choice(candidates), note=f"kill {kill}").id)

        doing_export = kill % 2 == 1
        if not doing_export:
            farm.advance()
        command = export if doing_export else refresh
        before = lib.count_articles()
        if kill % 4 < 2:  # a random moment of the whole run
            code, group = run_killed(command, rng.uniform(0.05, 0.8))
        else:  # a random moment of the writing itself
            started = export_writing if doing_export else wal_written(data_dir)
            span = export_span / 2 if doing_export else refresh_span
            code, group = run_killed(command, rng.uniform(0, span), started)
        groups.append(group)

        assert integrity(data_dir / "library.sqlite3") == "ok", f"kill {kill}"
        assert integrity(data_dir / "bookmarks.sqlite3") == "ok", f"kill {kill}"
        assert marked_read <= read_ids(data_dir), f"kill {kill}: read marks lost"
        assert bookmark_ids <= {b.id for b in lib.bookmarks.list()}, f"kill {kill}"
        exported = export_state(target, exported, len(bookmark_ids))
        if doing_export:
            outcomes["export finished" if code == 0 else "export killed"] += 1
        else:
            stored = lib.count_articles() > before
            outcomes[
                "refresh finished" if code == 0
                else "refresh killed mid-write" if stored
                else "refresh killed"
            ] += 1  # fmt: skip

    strays = len(list(target.parent.glob(f".{target.name}.*.tmp")))  # killed mid-write
    print(f"\nkill -9 outcomes: {dict(outcomes)}; spans {refresh_span:.2f}/{export_span:.2f} s;"
          f" {strays} temporary export files left by kills mid-write")  # fmt: skip
    # Parse workers, the fork server and the resource tracker end with the killed run.
    assert not lingering(groups, 10), "killed runs left processes behind"
    assert strays > 0, "no kill landed while an export was being written"
    assert outcomes["refresh killed mid-write"] > 0, "no kill landed while a refresh stored"

    # The next runs work and finish what the killed ones did not.
    farm.advance()
    done = subprocess.run(refresh, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith(" 0 errors"), done.stdout[-300:]
    for feed in lib.feeds():
        assert feed.last_error is None, feed
        titles = {a.title for a in lib.articles(feed_url=feed.url, limit=None)}
        name = feed.title
        assert f"{name} story {(farm.round - 1) * 10 + ITEMS - 1}" in titles, name
    assert marked_read <= read_ids(data_dir)
    done = subprocess.run(export, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(target.read_text())["bookmarks"]) == len(bookmark_ids)
    assert integrity(data_dir / "library.sqlite3") == "ok"
    lib.close()
