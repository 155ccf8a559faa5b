"""The reader on a throw-away library, for Pilot and snapshot tests (and by hand).

``python tests/apps/reader_app.py`` opens the app on a fresh temporary library with the
demo stories. Tests use :func:`demo_data` (a library with the demo stories already
subscribed: no first-run welcome, stable for snapshots) and :func:`make_app`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui_reader.core.library import open_library
from tui_reader.core.models import ParsedEntry
from tui_reader.core.storage import articles as article_sql
from tui_reader.core.storage import feeds as feed_sql
from tui_reader.ui.run import build_app

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def demo_data(target: Path, template: Path | None = None) -> Path:
    """A data dir at ``target`` holding the demo stories (copied from ``template`` if given)."""
    if template is not None:
        shutil.copytree(template, target)
        return target
    library = open_library(target)
    try:
        library.subscribe_demo_if_new()
    finally:
        library.close()
    return target


def make_app(data_dir: Path, config_dir: Path, theme: str | None = None,
             config_text: str | None = None):
    """The real app (``build_app``, as ``storyreader`` runs it) on these directories."""
    if config_text is not None:
        config_dir.mkdir(parents=True, exist_ok=True)
        (config_dir / "config.toml").write_text(config_text, encoding="utf-8")
    app = build_app(data_dir, config_dir, theme)
    record_notifications(app)
    return app


def record_notifications(app) -> list[str]:
    """Keep every notification's text in ``app.notified`` (toasts expire; this does not)."""
    notified: list[str] = []
    notify = app.notify

    def record(message, *args, **kwargs):
        notified.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = record
    app.notified = notified
    return notified


def add_stories(data_dir: Path, feed_url: str, titles: Iterable[str], *,
                title: str = "Big feed", start: datetime | None = None,
                authors: Iterable[str] | None = None) -> int:
    """Store entries straight into the library (no HTTP); returns how many."""
    from tui_reader.core.models import Author

    start = start or datetime(2026, 1, 1, tzinfo=UTC)
    names = list(authors) if authors is not None else None
    entries = [
        ParsedEntry(
            guid=f"{feed_url}#{number}", title=text, link=f"https://big.test/{number}",
            published=start - timedelta(minutes=number),
            authors=(Author(name=names[number % len(names)]),) if names else (),
        )
        for number, text in enumerate(titles)
    ]
    library = open_library(data_dir)
    try:
        with library.storage.transaction() as conn:
            fid = feed_sql.insert_feed(conn, feed_url, title=title)
            article_sql.store_entries(conn, fid, entries)
    finally:
        library.close()
    return len(entries)


if __name__ == "__main__":
    where = Path(tempfile.mkdtemp(prefix="storyreader-"))
    make_app(where / "data", where / "config").run()


async def settle(pilot) -> None:
    """Let the app paint, its workers finish, and the results paint."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot, check, timeout: float = 10.0) -> None:
    """Let the app run until ``check()`` holds (a refresh started, a dialog closed)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.05)


def main(pilot):
    """The reader's main screen (asserting it is the one showing)."""
    from tui_reader.ui.screens.main import MainScreen

    screen = pilot.app.screen
    assert isinstance(screen, MainScreen), screen
    return screen
