"""What the feed list shows and what each row means for the article list.

Pure functions over core models (no Textual): a :class:`Source` is something the
article list can show (every story, the unread ones, the bookmarked ones, a tag's, a
feed's) and the keyword arguments that select it in ``Library.articles``; an
:class:`Entry` is one row of the feed list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from tui_reader.core.models import Feed
from tui_reader.core.search import SavedSearch

Kind = Literal["all", "unread", "bookmarks", "search", "tag", "feed"]

ALL_KEY = "all"
UNREAD_KEY = "unread"
BOOKMARKS_KEY = "bookmarks"


@dataclass(frozen=True, slots=True)
class Source:
    """A selection of stories: its state key, label and ``Library.articles`` filter."""

    kind: Kind
    key: str
    label: str
    feed_url: str | None = None
    tag: str | None = None
    search: str | None = None  # a saved search's query (``Library.search_articles``)

    @property
    def query(self) -> dict[str, Any]:
        """Keyword arguments for ``Library.articles`` / ``count_articles`` (a saved search
        selects with ``search`` instead)."""
        if self.kind == "unread":
            return {"unread": True}
        if self.kind == "bookmarks":
            return {"bookmarked": True}
        if self.kind == "tag":
            return {"tag": self.tag}
        if self.kind == "feed":
            return {"feed_url": self.feed_url}
        return {}

    @property
    def many_feeds(self) -> bool:
        """Whether the stories may come from more than one feed."""
        return self.kind != "feed"

    @property
    def filters_unread(self) -> bool:
        return self.kind == "unread"


ALL = Source("all", ALL_KEY, "All articles")
UNREAD = Source("unread", UNREAD_KEY, "Unread")
BOOKMARKS = Source("bookmarks", BOOKMARKS_KEY, "Bookmarks")


def feed_source(feed: Feed) -> Source:
    return Source("feed", f"feed:{feed.url}", feed.title or feed.url, feed_url=feed.url)


def search_source(saved: SavedSearch) -> Source:
    return Source("search", f"search:{saved.name}", saved.name, search=saved.query)


def tag_source(tag: str) -> Source:
    return Source("tag", f"tag:{tag}", tag, tag=tag)


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of the feed list."""

    source: Source
    unread: int = 0
    depth: int = 0
    feed: Feed | None = None
    folder: bool = False
    expanded: bool = True
    error: str | None = None
    count: int | None = None  # shown instead of ``unread`` (bookmarks)
    feed_urls: tuple[str, ...] = field(default=())  # a folder's feeds


def build_entries(
    feeds: Iterable[Feed], collapsed: set[str] | frozenset[str], bookmarks: int = 0,
    searches: Iterable[SavedSearch] = (),
) -> list[Entry]:
    """The feed list's rows: the three virtual entries, saved searches, tag folders, then
    untagged feeds.

    A feed with several tags appears in each of its folders; a collapsed folder hides its
    feeds. Folders and feeds keep the core's order (by title).
    """
    feeds = list(feeds)
    total_unread = sum(f.unread for f in feeds)
    entries = [
        Entry(ALL, unread=total_unread),
        Entry(UNREAD, unread=total_unread),
        Entry(BOOKMARKS, count=bookmarks),
    ]
    entries.extend(Entry(search_source(s), unread=s.unread) for s in searches)
    by_tag: dict[str, list[Feed]] = {}
    untagged: list[Feed] = []
    for feed in feeds:
        if feed.tags:
            for tag in feed.tags:
                by_tag.setdefault(tag, []).append(feed)
        else:
            untagged.append(feed)
    for tag in sorted(by_tag, key=str.lower):
        members = by_tag[tag]
        expanded = tag not in collapsed
        errors = sum(1 for f in members if f.last_error)
        entries.append(
            Entry(
                tag_source(tag),
                unread=sum(f.unread for f in members),
                folder=True,
                expanded=expanded,
                error=f"{errors} feed(s) failed to refresh" if errors else None,
                feed_urls=tuple(f.url for f in members),
            )
        )
        if expanded:
            entries.extend(_feed_entry(f, depth=1) for f in members)
    entries.extend(_feed_entry(f, depth=0) for f in untagged)
    return entries


def _feed_entry(feed: Feed, depth: int) -> Entry:
    return Entry(feed_source(feed), unread=feed.unread, depth=depth, feed=feed,
                 error=feed.last_error)
