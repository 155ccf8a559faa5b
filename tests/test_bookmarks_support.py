"""Shared helpers for the bookmark, export and share tests (no tests in here)."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from tui_reader.core.library import Library, open_library

FIXTURES = Path(__file__).parent / "fixtures" / "bookmarks"

# (guid, title, link, pubDate, description, author)
STORIES = [
    ("story-1", "Ünïcode & <tags> [brackets] \"quotes\"", "https://news.example/a?x=1&y=2",
     "Tue, 02 Jan 2024 10:00:00 GMT", "First summary, with a comma", "ann@example.org (Ann)"),
    ("story-2", "=SUM(A1:A9) looks like a formula", "https://news.example/b_(c)",
     "Wed, 03 Jan 2024 11:30:00 GMT", "Second summary", ""),
    ("story-3", "Third story", "https://news.example/c",
     "Thu, 04 Jan 2024 12:00:00 GMT", "Third summary", ""),
    ("story-4", "Not a web link", "gopher://old.example/1/story",
     "Fri, 05 Jan 2024 09:00:00 GMT", "Gopher summary", ""),
]


def rss(title: str, stories: list[tuple[str, ...]]) -> str:
    items = []
    for guid, item_title, link, date, description, author in stories:
        items.append(
            f"<item><title>{escape(item_title)}</title><link>{escape(link)}</link>"
            f"<guid isPermaLink=\"false\">{guid}</guid><pubDate>{date}</pubDate>"
            f"<description>{escape(description)}</description>"
            + (f"<author>{escape(author)}</author>" if author else "")
            + "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://news.example/</link>"
        + "".join(items)
        + "</channel></rss>\n"
    )


def write_feed(path: Path, title: str = "Example News", stories=None) -> Path:
    path.write_text(rss(title, STORIES if stories is None else stories), encoding="utf-8")
    return path


def make_library(tmp_path: Path) -> tuple[Library, Path]:
    """A library in ``tmp_path/data`` subscribed to a local feed of :data:`STORIES`."""
    feed = write_feed(tmp_path / "news.xml")
    library = open_library(tmp_path / "data")
    library.add_feed(str(feed))
    return library, feed


def article_ids(library: Library) -> dict[str, int]:
    """guid -> article id."""
    return {a.guid: a.id for a in library.articles()}
