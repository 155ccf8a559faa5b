"""Search results: one row per story with the matched words highlighted.

Rows come from :class:`~tui_reader.core.search.SearchHit`; matches are found with
:func:`~tui_reader.core.search.match_spans` (folded like the index, so what is
highlighted is what matched). Feed text is never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.message import Message

from tui_reader.core.search import SearchHit, Term, match_spans
from tui_reader.ui.text import fit, one_line, short_date
from tui_reader.ui.widgets.virtual_list import VirtualList


def highlighted(text: str, terms: Iterable[Term], style: Style | str = "",
                match: Style | str = "") -> Text:
    """``text`` on one line as a :class:`Text` with every match of ``terms`` styled."""
    line = one_line(text)
    result = Text(line, style=style, no_wrap=True, end="")
    for start, end in match_spans(line, terms):
        result.stylize(match, start, end)
    return result


class _ResultMessage(Message):
    """A message about one result of a :class:`SearchResults` list."""

    def __init__(self, results: SearchResults, hit: SearchHit) -> None:
        super().__init__()
        self.results = results
        self.hit = hit

    @property
    def control(self) -> SearchResults:
        return self.results


class SearchResults(VirtualList):
    """The stories a query found, best first; enter opens one."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "search-results--match",
        "search-results--unread",
        "search-results--read",
        "search-results--unread-mark",
        "search-results--side",
        "search-results--date",
        "search-results--empty",
    }

    DEFAULT_CSS = """
    SearchResults {
        height: 1fr;
        & > .search-results--match { text-style: bold underline; color: $text-warning; }
        & > .search-results--unread { text-style: bold; }
        & > .search-results--read { color: $text-muted; }
        & > .search-results--unread-mark { color: $text-accent; }
        & > .search-results--side { color: $text-muted; }
        & > .search-results--date { color: $text-muted; }
        & > .search-results--empty { color: $text-muted; }
    }
    """

    class Highlighted(_ResultMessage):
        """The cursor moved to another result."""

    class Opened(_ResultMessage):
        """Enter (or a click on the highlighted row) on a result."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.hits: list[SearchHit] = []
        self.terms: tuple[Term, ...] = ()
        self.empty_message: tuple[str, ...] = ()

    def show(self, hits: Sequence[SearchHit], terms: Sequence[Term],
             empty_message: tuple[str, ...] = ("No matches.",)) -> None:
        """Replace the results; the cursor goes to the first (no Highlighted message)."""
        self.hits = list(hits)
        self.terms = tuple(terms)
        self.empty_message = empty_message
        self.rows_changed(keep_cursor=False)

    @property
    def highlighted(self) -> SearchHit | None:
        if 0 <= self.cursor < len(self.hits):
            return self.hits[self.cursor]
        return None

    # -- VirtualList hooks -----------------------------------------------------------------
    def row_count(self) -> int:
        return len(self.hits)

    def on_highlight(self, index: int) -> None:
        self.post_message(self.Highlighted(self, self.hits[index]))

    def on_open(self, index: int) -> None:
        self.post_message(self.Opened(self, self.hits[index]))

    def render_empty(self, y: int, width: int) -> Text | None:
        lines = self.empty_message
        if 1 <= y <= len(lines):
            return fit("  " + lines[y - 1], width,
                       self.get_component_rich_style("search-results--empty"))
        return None

    def render_row(self, index: int, width: int) -> Text:
        article = self.hits[index].article
        style = self.get_component_rich_style
        row = Text(" ", end="")
        row.append("●" if not article.read else " ", style("search-results--unread-mark"))
        row.append(" ")
        date = short_date(article.published) if width >= 40 else ""
        side_width = min(26, width * 3 // 10) if width >= 60 else 0
        used = cell_len(row.plain) + (side_width + 2 if side_width else 0)
        used += cell_len(date) + 3 if date else 1
        title_style = style("search-results--read" if article.read else "search-results--unread")
        title = highlighted(article.title or "(untitled)", self.terms, title_style,
                            style("search-results--match"))
        row.append_text(_fit_text(title, max(width - used, 1)))
        if side_width:
            row.append("  ")
            row.append_text(fit(article.feed_title, side_width, style("search-results--side")))
        if date:
            row.append("  ")
            row.append(date, style("search-results--date"))
        row.append(" ")
        return row


def _fit_text(text: Text, width: int) -> Text:
    """A styled one-line Text cut (with an ellipsis) or padded to ``width`` cells."""
    text = text.copy()
    if cell_len(text.plain) > width:
        text.truncate(width, overflow="ellipsis")
    padding = width - cell_len(text.plain)
    if padding > 0:
        text.append(" " * padding)
    return text
