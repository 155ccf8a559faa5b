"""The feed list: "All articles", "Unread", "Bookmarks", saved searches, tag folders and feeds.

Rows come from :func:`tui_reader.ui.model.build_entries`; a folder opens and closes
with enter (or right/left). Moving the cursor posts :class:`FeedList.Selected` (the
article list follows it); enter on a feed posts :class:`FeedList.Opened`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message

from tui_reader.core.models import Feed
from tui_reader.core.search import SavedSearch
from tui_reader.ui.model import Entry, Source, build_entries
from tui_reader.ui.text import fit
from tui_reader.ui.widgets.virtual_list import VirtualList


class FeedList(VirtualList):
    """Every subscription, grouped by tag, with unread counts and error marks."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right,l", "expand", "Open folder", show=False, tooltip="open a tag folder"),
        Binding("left,h", "collapse", "Close folder", show=False,
                tooltip="close a tag folder (or go to the folder of a feed)"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "feed-list--count",
        "feed-list--error",
        "feed-list--folder",
        "feed-list--unread",
        "feed-list--virtual",
    }

    DEFAULT_CSS = """
    FeedList {
        & > .feed-list--count { color: $text-muted; }
        & > .feed-list--error { color: $text-error; text-style: bold; }
        & > .feed-list--folder { color: $text-secondary; text-style: bold; }
        & > .feed-list--unread { text-style: bold; }
        & > .feed-list--virtual { color: $text-primary; }
    }
    """

    class Selected(Message):
        """The cursor moved to another entry."""

        def __init__(self, feed_list: FeedList, entry: Entry) -> None:
            super().__init__()
            self.feed_list = feed_list
            self.entry = entry

        @property
        def control(self) -> FeedList:
            return self.feed_list

    class Opened(Message):
        """Enter (or a click on the highlighted row) on a feed or a virtual entry."""

        def __init__(self, feed_list: FeedList, entry: Entry) -> None:
            super().__init__()
            self.feed_list = feed_list
            self.entry = entry

        @property
        def control(self) -> FeedList:
            return self.feed_list

    class FolderToggled(Message):
        """A tag folder was opened or closed (the screen remembers which are closed)."""

        def __init__(self, feed_list: FeedList, collapsed: frozenset[str]) -> None:
            super().__init__()
            self.feed_list = feed_list
            self.collapsed = collapsed

        @property
        def control(self) -> FeedList:
            return self.feed_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._feeds: list[Feed] = []
        self._bookmarks = 0
        self._searches: list[SavedSearch] = []
        self.collapsed: set[str] = set()
        self.entries: list[Entry] = build_entries([], self.collapsed)

    # -- data ------------------------------------------------------------------------------
    @property
    def feeds(self) -> Sequence[Feed]:
        return self._feeds

    def set_feeds(
        self,
        feeds: Iterable[Feed],
        *,
        bookmarks: int | None = None,
        collapsed: Iterable[str] | None = None,
        searches: Iterable[SavedSearch] | None = None,
    ) -> None:
        """Replace the feeds (counts, errors); the cursor stays on the same entry."""
        self._feeds = list(feeds)
        if bookmarks is not None:
            self._bookmarks = bookmarks
        if searches is not None:
            self._searches = list(searches)
        if collapsed is not None:
            self.collapsed = set(collapsed)
        self._rebuild()

    def adjust_unread(self, feed_url: str, delta: int) -> None:
        """Change one feed's unread count locally (after marking stories read/unread)."""
        self._feeds = [
            replace(f, unread=max(0, f.unread + delta)) if f.url == feed_url else f
            for f in self._feeds
        ]
        self._rebuild()

    def _rebuild(self) -> None:
        current = self.entry
        self.entries = build_entries(self._feeds, self.collapsed, self._bookmarks,
                                     self._searches)
        index = self._index_of(current.source.key) if current else None
        if index is None and current is not None and current.feed is not None:
            # The feed went into a closed folder: highlight the folder.
            index = next((i for i, e in enumerate(self.entries)
                          if e.folder and current.source.feed_url in e.feed_urls), None)
        self.rows_changed()
        if index is not None:
            if index != self.cursor:
                self.move_to(index)
        elif current is not None:
            self.move_to(0)

    @property
    def entry(self) -> Entry | None:
        """The highlighted entry."""
        if 0 <= self.cursor < len(self.entries):
            return self.entries[self.cursor]
        return None

    @property
    def source(self) -> Source | None:
        entry = self.entry
        return entry.source if entry else None

    def _index_of(self, key: str) -> int | None:
        return next((i for i, e in enumerate(self.entries) if e.source.key == key), None)

    def select_key(self, key: str) -> bool:
        """Highlight the entry with this source key (opening its folder); False if none."""
        index = self._index_of(key)
        if index is None and key.startswith("feed:"):
            url = key[len("feed:"):]
            tags = next((f.tags for f in self._feeds if f.url == url), ())
            if tags and tags[0] in self.collapsed:
                self.collapsed.discard(tags[0])
                self._rebuild()
                index = self._index_of(key)
        if index is None:
            return False
        self.move_to(index)
        return True

    # -- folders ---------------------------------------------------------------------------
    def toggle_folder(self, tag: str, expand: bool | None = None) -> None:
        """Open or close a tag folder (``expand=None`` flips it)."""
        is_expanded = tag not in self.collapsed
        target = (not is_expanded) if expand is None else expand
        if target == is_expanded:
            return
        if target:
            self.collapsed.discard(tag)
        else:
            self.collapsed.add(tag)
        self._rebuild()
        self.post_message(self.FolderToggled(self, frozenset(self.collapsed)))

    def action_expand(self) -> None:
        entry = self.entry
        if entry and entry.folder and entry.source.tag:
            self.toggle_folder(entry.source.tag, expand=True)

    def action_collapse(self) -> None:
        entry = self.entry
        if entry is None:
            return
        if entry.folder and entry.source.tag:
            self.toggle_folder(entry.source.tag, expand=False)
        elif entry.depth > 0:
            for index in range(self.cursor - 1, -1, -1):
                if self.entries[index].folder:
                    self.move_to(index)
                    break

    # -- VirtualList hooks -----------------------------------------------------------------
    def row_count(self) -> int:
        return len(self.entries)

    def on_highlight(self, index: int) -> None:
        self.post_message(self.Selected(self, self.entries[index]))

    def on_open(self, index: int) -> None:
        entry = self.entries[index]
        if entry.folder and entry.source.tag:
            self.toggle_folder(entry.source.tag)
        else:
            self.post_message(self.Opened(self, entry))

    def render_row(self, index: int, width: int) -> Text:
        entry = self.entries[index]
        style = self.get_component_rich_style
        if entry.count is not None:
            number = str(entry.count) if entry.count else ""
        else:
            number = str(entry.unread) if entry.unread else ""
        number_width = max(cell_len(number), 1) if number else 0
        indent = "  " * entry.depth
        folder_mark = "▾ " if entry.expanded else "▸ "
        mark = folder_mark if entry.folder else ("! " if entry.error else "  ")
        head = Text(" " + indent, end="")
        head.append(mark, style("feed-list--error") if entry.error and not entry.folder else "")
        label_width = width - cell_len(head.plain) - number_width - 2
        if entry.folder:
            label_style = style("feed-list--folder")
        elif entry.feed is None:
            label_style = style("feed-list--virtual")
        else:
            label_style = style("feed-list--unread") if entry.unread else ""
        row = head + fit(entry.source.label, max(label_width, 0), label_style)
        row.append(" ")
        row.append(number.rjust(number_width), style("feed-list--count"))
        row.append(" ")
        return row
