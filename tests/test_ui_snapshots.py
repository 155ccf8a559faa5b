"""Snapshots of the reader (pytest-textual-snapshot): main screen at 120x40 and 80x24,
reading at 80x24, and the help screen. Update them with ``--snapshot-update`` after
looking at the report.

Stable screens: the demo stories (fixed dates) are subscribed before the app starts (no
first-run welcome), dates are shown in UTC, and related posts come from a fixed stub so
the snapshot does not follow the related-posts engine's tuning.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.apps.reader_app import demo_data, make_app, settle
from tui_reader.core.library import Library
from tui_reader.core.models import RelatedItem


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(autouse=True)
def fixed_related(monkeypatch: pytest.MonkeyPatch) -> None:
    def related(self: Library, article_id: int, limit: int = 6) -> list[RelatedItem]:
        article = self.article(article_id)
        others = [s for s in self.articles(feed_url=article.feed_url) if s.id != article_id]
        return [
            RelatedItem(
                id=s.id, guid=s.guid, title=s.title, feed_url=s.feed_url,
                feed_title=s.feed_title, link=s.link, score=1.0,
                excerpt=self.article(s.id).text,
            )
            for s in others[:2]
        ]

    monkeypatch.setattr(Library, "related", related)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_data(tmp_path_factory.mktemp("demo") / "data")


@pytest.fixture
def app(tmp_path: Path, template: Path):
    return make_app(demo_data(tmp_path / "data", template), tmp_path / "config")


def test_main_wide_reading(snap_compare, app) -> None:
    """120x40 reading: a short story list, the second story, its related posts beside it."""
    assert snap_compare(app, press=["j", "enter"], terminal_size=(120, 40), run_before=settle)


def test_main_narrow_lists(snap_compare, app) -> None:
    """80x24: the feed and story lists side by side (the story pane is hidden)."""
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_main_narrow_reading(snap_compare, app) -> None:
    """80x24 while reading: the story gets the whole screen."""
    async def open_story(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_story)


def test_help_screen(snap_compare, app) -> None:
    """The keys, generated from the bindings."""
    async def open_help(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_help)


@pytest.mark.parametrize("theme", ["storyreader", "paper", "high-contrast", "night", "terminal"])
def test_main_screen_in_each_shipped_theme(snap_compare, tmp_path: Path, template: Path,
                                           theme: str) -> None:
    """Every shipped theme on the reading screen: lists, story and panel legible."""
    app = make_app(demo_data(tmp_path / "data", template), tmp_path / "config", theme=theme)
    assert snap_compare(app, press=["enter"], terminal_size=(120, 40), run_before=settle)
