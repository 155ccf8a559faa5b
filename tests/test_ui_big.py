"""Big libraries and hostile text: 100,000 stories in 1,000 feeds, and titles that try to
break rows. The library is built straight through the storage API (no HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.apps.reader_app import add_stories, main, make_app
from tui_reader.core.library import open_library
from tui_reader.core.models import ParsedEntry
from tui_reader.core.storage import articles as article_sql
from tui_reader.core.storage import feeds as feed_sql

pytestmark = pytest.mark.asyncio

FEEDS = 1000
PER_FEED = 100
TAGS = 10


@pytest.fixture(scope="module")
def big_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("big") / "data"
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with open_library(data) as library:
        library.set_state("demo_subscribed", True)
        with library.storage.transaction() as conn:
            for feed in range(FEEDS):
                url = f"https://big.test/{feed}.xml"
                fid = feed_sql.insert_feed(conn, url, title=f"Feed {feed:04d}")
                feed_sql.add_tags(conn, url, [f"tag{feed % TAGS}"])
                article_sql.store_entries(conn, fid, [
                    ParsedEntry(
                        guid=f"{feed}-{n}", title=f"Story {n * FEEDS + feed}",
                        link=f"https://big.test/{feed}/{n}",
                        published=start - timedelta(minutes=n * FEEDS + feed),
                    )
                    for n in range(PER_FEED)
                ])
    return data


def visible_lines(widget, rows: int) -> list[str]:
    return [widget.render_line(y).text for y in range(rows)]


async def test_hundred_thousand_stories(big_library: Path, tmp_path: Path) -> None:
    app = make_app(big_library, tmp_path / "config")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(pilot)
        articles = screen.article_list
        assert articles.key == "all"
        assert articles.count == FEEDS * PER_FEED
        assert articles.virtual_size.height == FEEDS * PER_FEED
        lines = visible_lines(articles, 5)
        assert "Story 0 " in lines[0] and "Story 4 " in lines[4]
        assert len(articles._pages) <= 2  # only what is on screen was fetched
        await pilot.press("G")
        await pilot.pause()
        assert articles.cursor == FEEDS * PER_FEED - 1
        height = articles.scrollable_content_region.height
        assert f"Story {FEEDS * PER_FEED - 1} " in visible_lines(articles, height)[-1]
        await pilot.press("k", "k")
        assert articles.highlighted.title == f"Story {FEEDS * PER_FEED - 3}"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.article is not None
        assert screen.article.title == f"Story {FEEDS * PER_FEED - 3}"
        await pilot.press("escape", "g")
        assert articles.cursor == 0
        assert len(articles._pages) <= articles.MAX_PAGES


async def test_thousand_feeds(big_library: Path, tmp_path: Path) -> None:
    app = make_app(big_library, tmp_path / "config")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(pilot)
        feeds = screen.feed_list
        assert feeds.row_count() == 3 + TAGS + FEEDS
        await pilot.press("escape", "G")
        assert feeds.entry.source.label == "Feed 0999"
        assert screen.article_list.count == PER_FEED
        height = feeds.scrollable_content_region.height
        assert "Feed 0999" in visible_lines(feeds, height)[-1]
        await pilot.press("h")  # to the feed's folder
        assert feeds.entry.folder and feeds.entry.source.tag == "tag9"
        assert screen.article_list.count == PER_FEED * FEEDS // TAGS
        await pilot.press("h")  # close it
        assert feeds.row_count() == 3 + TAGS + FEEDS - FEEDS // TAGS


HOSTILE = [
    "A" * 2000,
    "https://example.com/" + "very-long-path-segment/" * 60,
    "Supercalifragilisticexpialidocious" * 40,
    "Emoji 🎉🚀👩‍👩‍👧‍👦 and wide 漢字漢字漢字 " * 20,
    "مرحبا بالعالم — עברית — RTL mixed with English " * 10,
    "Control \x1b[31mred\x1b[0m and \x07 bell \x9b2J and \u202e override",
    "Line\nbreak\rand\ttab",
    "[bold red]not markup[/] [link=https://x]y[/link]",
    "",
]


async def test_hostile_titles_never_break_rows(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with open_library(data) as library:
        library.set_state("demo_subscribed", True)
    # Straight into storage: the ingest sanitizer is bypassed on purpose.
    add_stories(data, "https://evil.test/feed.xml", HOSTILE, title="Evil " + "\U0001f608" * 50,
                authors=["\x1b]52;c;aGk=\x07Mallory " * 5])
    for size in ((120, 40), (80, 24)):
        app = make_app(data, tmp_path / "config")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            screen = main(pilot)
            for widget in (screen.article_list, screen.feed_list):
                width = widget.scrollable_content_region.width
                for y in range(widget.scrollable_content_region.height):
                    strip = widget.render_line(y)
                    assert strip.cell_length == width, (widget, y)
                    text = strip.text
                    assert cell_len(text) == width
                    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text), text
                    assert "\u202e" not in text
            rows = visible_lines(screen.article_list, len(HOSTILE))
            assert any("[bold red]not markup[/]" in row for row in rows)
            assert any("…" in row for row in rows)
            await pilot.press("enter")  # the story view copes too
            await pilot.pause()
            assert screen.article is not None
