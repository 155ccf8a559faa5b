"""A small, hand-written library for the search tests, stored through the real storage.

(A helper module shared by the test_search* files; it holds no tests itself.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tui_reader.core.library import Library, open_library
from tui_reader.core.models import Author, ParsedEntry
from tui_reader.core.storage import articles as article_sql
from tui_reader.core.storage import feeds as feed_sql

HARBOUR = "http://harbour.test/feed.xml"
NIGHT = "http://night.test/atom.xml"
TABLE = "http://table.test/feed.json"


def day(month: int, dom: int) -> datetime:
    return datetime(2026, month, dom, 9, 0, tzinfo=UTC)


def entry(guid: str, title: str, text: str = "", *, author: str = "", summary: str = "",
          when: datetime | None = None) -> ParsedEntry:
    return ParsedEntry(
        guid=guid, title=title, link=f"http://story.test/{guid}",
        authors=(Author(name=author),) if author else (), published=when,
        summary=summary, text=text, content_html=f"<p>{text}</p>",
    )


FEEDS: dict[str, tuple[str, tuple[str, ...], list[ParsedEntry]]] = {
    HARBOUR: ("Harbour Lights", ("news", "coast/north"), [
        entry("h1", "The lighthouse keeper's last night",
              "The lighthouse keeper climbed the stairs one final time.",
              author="Ann Writer", when=day(1, 5)),
        entry("h2", "Fog over the harbour",
              "A storm surge flooded the quay; the keeper stayed dry.",
              author="Ann Writer", when=day(2, 10)),
        entry("h3", "Troopers at the pier", "Two troopers walked the pier at dawn.",
              author="Bea Stone", when=day(3, 1)),
    ]),
    NIGHT: ("Night Shift", ("stories",), [
        entry("n1", "A café at midnight", "The café served soup to the night nurses.",
              author="Cal Night", summary="Soup and quiet.", when=day(1, 20)),
        entry("n2", "Keeping watch", "Nobody keeps a lighthouse like Ann does.",
              author="Dora Lamp", when=day(2, 20)),
    ]),
    TABLE: ("The Long Table", (), [
        entry("t1", "Bread at dawn", "Rye bread, slow and sour; a trooper's breakfast.",
              author="Eli Baker", when=day(4, 1)),
    ]),
}


def build_library(data_dir: Path) -> Library:
    """A library with three feeds and six stories (see ``FEEDS``)."""
    library = open_library(data_dir)
    with library.storage.transaction() as conn:
        for url, (title, tags, entries) in FEEDS.items():
            fid = feed_sql.insert_feed(conn, url, title=title)
            feed_sql.set_tags(conn, url, list(tags))
            article_sql.store_entries(conn, fid, entries)
    return library


def guid_of(library: Library, article_id: int) -> str:
    return library.article(article_id).guid
