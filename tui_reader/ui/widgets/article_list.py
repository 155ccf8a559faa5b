"""The story list: paged, so "All articles" with 100,000 stories paints at once.

The list knows only how many rows there are and a ``fetch(limit, offset)`` callable
(``Library.articles`` with the source's filter); it fetches pages of summaries when
rows become visible and keeps the most recent pages in a small cache.

Rows that stop matching the list's filter while it is on screen (a story read in
"Unread") are *pinned*: they keep their place until the next reload, and the offsets
of later pages are corrected for them, so nothing is skipped or shown twice.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.message import Message

from tui_reader.core.models import ArticleSummary
from tui_reader.ui.text import fit, short_date
from tui_reader.ui.widgets.virtual_list import VirtualList

Fetch = Callable[[int, int], list[ArticleSummary]]
"""``fetch(limit, offset)``: summaries, newest first."""


def _no_rows(limit: int, offset: int) -> list[ArticleSummary]:
    return []


class ArticleList(VirtualList):
    """Title, author (or feed), date, and read / bookmark marks of each story."""

    PAGE_SIZE: ClassVar[int] = 100
    MAX_PAGES: ClassVar[int] = 64
    SCAN_PAGES: ClassVar[int] = 10  # pages fetched per query when searching

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-list--bookmark",
        "article-list--date",
        "article-list--empty",
        "article-list--read",
        "article-list--side",
        "article-list--unread",
        "article-list--unread-mark",
    }

    DEFAULT_CSS = """
    ArticleList {
        & > .article-list--bookmark { color: $text-warning; }
        & > .article-list--date { color: $text-muted; }
        & > .article-list--empty { color: $text-muted; }
        & > .article-list--read { color: $text-muted; }
        & > .article-list--side { color: $text-muted; }
        & > .article-list--unread { text-style: bold; }
        & > .article-list--unread-mark { color: $text-accent; }
    }
    """

    class Highlighted(Message):
        """The cursor moved to another story."""

        def __init__(self, article_list: ArticleList, index: int,
                     summary: ArticleSummary | None) -> None:
            super().__init__()
            self.article_list = article_list
            self.index = index
            self.summary = summary

        @property
        def control(self) -> ArticleList:
            return self.article_list

    class Opened(Message):
        """Enter (or a click on the highlighted row) on a story."""

        def __init__(self, article_list: ArticleList, index: int,
                     summary: ArticleSummary) -> None:
            super().__init__()
            self.article_list = article_list
            self.index = index
            self.summary = summary

        @property
        def control(self) -> ArticleList:
            return self.article_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._count = 0
        self._fetch: Fetch = _no_rows
        self._pages: OrderedDict[int, list[ArticleSummary | None]] = OrderedDict()
        self._pins: dict[int, ArticleSummary] = {}
        self.many_feeds = True
        self.empty_message: tuple[str, ...] = ("No stories here.",)
        self.key: str | None = None

    # -- loading ---------------------------------------------------------------------------
    def load(
        self,
        key: str | None,
        count: int,
        fetch: Fetch,
        *,
        many_feeds: bool = True,
        keep_cursor: bool = False,
    ) -> None:
        """Show ``count`` stories from ``fetch``. With ``keep_cursor`` (a reload of the same
        list) the cursor stays on the story it was on, wherever that story moved."""
        previous = self.highlighted if keep_cursor else None
        old_index, old_count, pins = self.cursor, self._count, len(self._pins)
        self.key = key
        self._count = count
        self._fetch = fetch
        self._pages.clear()
        self._pins.clear()
        self.many_feeds = many_feeds
        self.rows_changed(keep_cursor=previous is not None)
        if count == 0:
            return
        if previous is not None:
            # Newest first: new stories push it down, pinned rows that left pull it up.
            grown = max(0, count - old_count)
            index = self.index_of(previous.id, max(0, old_index - pins), grown + pins + 1)
            if index is not None:
                self.move_to(index, notify=False)
                return
            self.move_to(min(old_index, count - 1), notify=False)
        else:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.on_highlight(self.cursor)

    @property
    def count(self) -> int:
        return self._count

    # -- rows ------------------------------------------------------------------------------
    def summary_at(self, index: int) -> ArticleSummary | None:
        """The story on row ``index`` (fetching its page if needed); None if out of range."""
        if not 0 <= index < self._count:
            return None
        page = index // self.PAGE_SIZE
        rows = self._pages.get(page)
        if rows is None:
            self._fetch_pages(page, 1)
            rows = self._pages.get(page, [])
        else:
            self._pages.move_to_end(page)
        offset = index % self.PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    @property
    def highlighted(self) -> ArticleSummary | None:
        return self.summary_at(self.cursor) if self.cursor >= 0 else None

    def _fetch_pages(self, first: int, pages: int) -> None:
        """Fetch ``pages`` pages from ``first`` in one query, allowing for pinned rows."""
        start = first * self.PAGE_SIZE
        end = min(self._count, start + pages * self.PAGE_SIZE)
        if end <= start:
            return
        before = sum(1 for i in self._pins if i < start)
        inside = sorted(i for i in self._pins if start <= i < end)
        fetched = iter(self._fetch(end - start - len(inside), start - before))
        rows: list[ArticleSummary | None] = []
        for index in range(start, end):
            pinned = self._pins.get(index)
            rows.append(pinned if pinned is not None else next(fetched, None))
        for number in range(pages):
            chunk = rows[number * self.PAGE_SIZE:(number + 1) * self.PAGE_SIZE]
            if not chunk:
                break
            self._pages[first + number] = chunk
            self._pages.move_to_end(first + number)
        while len(self._pages) > self.MAX_PAGES:
            self._pages.popitem(last=False)

    def update_row(self, index: int, summary: ArticleSummary, *, pin: bool | None = None) -> None:
        """Replace the cached row (e.g. its read mark changed). ``pin=True``: the story no
        longer matches the list's filter but keeps its place; ``pin=False``: it matches
        again."""
        page = self._pages.get(index // self.PAGE_SIZE)
        if page is not None and index % self.PAGE_SIZE < len(page):
            page[index % self.PAGE_SIZE] = summary
        if pin is True:
            self._pins[index] = summary
        elif pin is False:
            self._pins.pop(index, None)
        elif index in self._pins:
            self._pins[index] = summary
        self.refresh()

    def set_read_mark(self, index: int, read: bool, *, pin: bool | None = None) -> None:
        summary = self.summary_at(index)
        if summary is not None:
            self.update_row(index, replace(summary, read=read), pin=pin)

    def cached_indexes(self, article_id: int) -> list[int]:
        """Rows already fetched that show this story (no query)."""
        return [
            page * self.PAGE_SIZE + offset
            for page, rows in self._pages.items()
            for offset, row in enumerate(rows)
            if row is not None and row.id == article_id
        ]

    def find(
        self, matches: Callable[[ArticleSummary], bool], start: int, step: int = 1,
        *, wrap: bool = False,
    ) -> int | None:
        """The first row from ``start`` (inclusive) going ``step`` (+1/-1) that matches."""
        count = self._count
        if count == 0:
            return None
        order = range(start, count) if step > 0 else range(start, -1, -1)
        indexes = list(order)
        if wrap:
            indexes += list(range(0, start) if step > 0 else range(count - 1, start, -1))
        for index in indexes:
            if not 0 <= index < count:
                continue
            page = index // self.PAGE_SIZE
            if page not in self._pages:
                first = page if step > 0 else max(0, page - self.SCAN_PAGES + 1)
                self._fetch_pages(first, self.SCAN_PAGES)
            summary = self.summary_at(index)
            if summary is not None and matches(summary):
                return index
        return None

    def index_of(self, article_id: int, hint: int = 0, window: int = 1) -> int | None:
        """Where story ``article_id`` is, looking in rows ``hint``..``hint + window``."""
        cached = self.cached_indexes(article_id)
        if cached:
            return cached[0]
        end = min(self._count, hint + min(max(window, 1), 2000))
        for index in range(max(0, hint), end):
            summary = self.summary_at(index)
            if summary is not None and summary.id == article_id:
                return index
        return None

    # -- VirtualList hooks -----------------------------------------------------------------
    def row_count(self) -> int:
        return self._count

    def on_highlight(self, index: int) -> None:
        self.post_message(self.Highlighted(self, index, self.summary_at(index)))

    def on_open(self, index: int) -> None:
        summary = self.summary_at(index)
        if summary is not None:
            self.post_message(self.Opened(self, index, summary))

    def render_empty(self, y: int, width: int) -> Text | None:
        lines = self.empty_message
        if 1 <= y <= len(lines):
            return fit("  " + lines[y - 1], width, self.get_component_rich_style(
                "article-list--empty"))
        return None

    def render_row(self, index: int, width: int) -> Text:
        summary = self.summary_at(index)
        if summary is None:
            return fit("   …", width)
        style = self.get_component_rich_style
        row = Text(" ", end="")
        row.append("●" if not summary.read else " ", style("article-list--unread-mark"))
        row.append(" ")
        row.append("★" if summary.bookmarked else " ", style("article-list--bookmark"))
        row.append(" ")
        date = short_date(summary.published) if width >= 40 else ""
        side_width = min(26, width * 3 // 10) if width >= 60 else 0
        if self.many_feeds:
            side = summary.feed_title
            if summary.author and width >= 110:
                side_width = min(40, width * 3 // 10)
                side = f"{summary.author} · {summary.feed_title}"
        else:
            side = summary.author
        used = cell_len(row.plain) + (side_width + 2 if side_width else 0)
        used += cell_len(date) + 3 if date else 1
        title_style = style("article-list--read" if summary.read else "article-list--unread")
        row.append_text(fit(summary.title or "(untitled)", max(width - used, 1), title_style))
        if side_width:
            row.append("  ")
            row.append_text(fit(side, side_width, style("article-list--side")))
        if date:
            row.append("  ")
            row.append(date, style("article-list--date"))
        row.append(" ")
        return row
