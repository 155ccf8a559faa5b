"""``D``: unsubscribe from the highlighted feed, or delete the highlighted saved search.

Both ask first (:class:`~tui_reader.ui.screens.confirm.ConfirmDialog`), saying what goes:
a feed's cached stories (its bookmarks stay: they are kept apart, see
:mod:`tui_reader.core.bookmarks`). A refresh that is fetching the feed meanwhile skips it
when its answer comes. Afterwards the highlight moves to the neighbouring feed, and a
story of the removed feed that was open is closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui_reader.core.errors import StoryreaderError
from tui_reader.core.models import Feed
from tui_reader.ui.model import ALL_KEY, Entry
from tui_reader.ui.screens.confirm import ConfirmDialog
from tui_reader.ui.text import one_line

if TYPE_CHECKING:
    from tui_reader.ui.screens.main import MainScreen



def _stories(count: int) -> str:
    return f"{count} {'story' if count == 1 else 'stories'}"


def unsubscribe_text(feed: Feed, bookmarked: int, bookmarks_key: str) -> str:
    """What unsubscribing does, in numbers."""
    unread = f" ({feed.unread} unread)" if feed.unread else ""
    if feed.total:
        gone = f"Its {_stories(feed.total)}{unread} leave the cache"
    else:
        gone = "It has no stories in the cache"
    where = f"your bookmarks ({bookmarks_key})" if bookmarks_key else "your bookmarks"
    if bookmarked:
        kept = (f"; the {bookmarked} you bookmarked stay in {where}." if bookmarked > 1
                else f"; the one you bookmarked stays in {where}.")
    else:
        kept = "; none of them is bookmarked." if feed.total else "."
    return f"Address: {feed.url}\n\n{gone}{kept}"


def _neighbour(entries: list[Entry], cursor: int, url: str) -> str:
    """The key of the feed next to the one going (below it, else above), else All."""
    def other(entry: Entry) -> bool:
        return entry.feed is not None and entry.feed.url != url

    below = next((e for e in entries[cursor + 1:] if other(e)), None)
    above = next((e for e in reversed(entries[:cursor]) if other(e)), None)
    chosen = below or above
    return chosen.source.key if chosen is not None else ALL_KEY


def remove_selected(screen: MainScreen) -> None:
    """Ask, then unsubscribe from the highlighted feed (or delete the saved search)."""
    entry = screen.feed_list.entry
    if entry is not None and entry.source.kind == "search":
        _remove_search(screen, entry)
        return
    if entry is None or entry.feed is None:
        screen.notify("Select a feed (or a saved search) to unsubscribe from it.")
        return
    library = screen.library
    url = entry.feed.url
    try:
        feed = library.feed(url)
        bookmarked = library.count_articles(feed_url=url, bookmarked=True)
    except StoryreaderError as error:
        screen.notify(str(error), severity="warning")
        return
    name = one_line(feed.title or feed.url)

    def answered(confirmed: bool | None) -> None:
        if not confirmed:
            return
        neighbour = _neighbour(screen.feed_list.entries, screen.feed_list.cursor, url)
        try:
            library.remove_feed(url)
        except StoryreaderError as error:
            screen.notify(f"Could not unsubscribe: {error}", severity="error")
            return
        if screen.article is not None and screen.article.feed_url == url:
            screen.close_story()
        else:  # the open story's related posts may have been the feed's
            screen.reload_related()
        screen.reload_feeds()
        if not screen.feed_list.select_key(neighbour):
            screen.feed_list.select_key(ALL_KEY)
        screen.load_source(force=True, keep_cursor=True)
        screen.notify(f"Unsubscribed from {name}: {_stories(feed.total)} removed"
                      + (f", {bookmarked} bookmarked kept." if bookmarked else "."))

    screen.app.push_screen(ConfirmDialog(
        f"Unsubscribe from “{name}”?",
        unsubscribe_text(feed, bookmarked, screen.app_.key_for("bookmarks_view")),
        title="Unsubscribe", confirm="Unsubscribe", keep="Keep",
    ), answered)


def _remove_search(screen: MainScreen, entry: Entry) -> None:
    library = screen.library
    name = entry.source.label

    def answered(confirmed: bool | None) -> None:
        if not confirmed:
            return
        entries, cursor = screen.feed_list.entries, screen.feed_list.cursor
        below = entries[cursor + 1] if cursor + 1 < len(entries) else None
        if below is not None and below.source.kind == "search":
            neighbour = below.source.key
        else:
            neighbour = entries[max(cursor - 1, 0)].source.key
        try:
            library.remove_saved_search(name)
        except StoryreaderError as error:
            screen.notify(f"Could not delete the saved search: {error}", severity="error")
            return
        screen.reload_feeds()
        screen.feed_list.set_feeds(screen.feed_list.feeds, searches=library.saved_searches())
        if not screen.feed_list.select_key(neighbour):
            screen.feed_list.select_key(ALL_KEY)
        screen.load_source(force=True)
        screen.notify(f"Deleted the saved search {one_line(name)}.")

    screen.app.push_screen(ConfirmDialog(
        f"Delete the saved search “{one_line(name)}”?",
        f"Query: {one_line(entry.source.search or '')}\n\n"
        "Its stories stay in their feeds; only the search goes.",
        title="Delete saved search", confirm="Delete", keep="Keep",
    ), answered)
