"""Full-text search with results as you type.

:class:`SearchScreen` searches every cached story (the syntax of
:mod:`tui_reader.core.search`). Each change of the query waits ~150 ms for more typing,
then runs in a worker thread; an answer to an older query is dropped, so typing never
waits on the database. Up/down move through the results while the cursor stays in the
query, enter opens the highlighted story, ctrl+s saves the query (a virtual feed in the
feed list; the write runs in a worker thread, as it may wait for a refresh's commit),
escape goes back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Static

from tui_reader.core.errors import QueryError, StoryreaderError
from tui_reader.core.search import ParsedQuery, SavedSearch, SearchHit, Term, parse_query
from tui_reader.ui.text import one_line, short_date
from tui_reader.ui.widgets.search_results import SearchResults, highlighted

if TYPE_CHECKING:
    from tui_reader.core.library import Library

DEBOUNCE = 0.15  # seconds of quiet typing before a query runs
LIMIT = 100  # results shown
PLACEHOLDER = 'words, "a phrase", prefix*, -leave-out, title: feed: tag: is:unread after:'
HINT = ("Type to search every story: title, author, summary and text.",
        "",
        '  "lighthouse keeper"   a phrase          troop*        a prefix',
        "  storm -harbour        leave a word out  fog OR mist   either",
        "  title:fog  author:ann  feed:harbour  tag:news  body:fog",
        "  is:unread  is:read  is:bookmarked  after:2026-01-01  before:7d",
        "",
        "up/down choose · enter opens · ctrl+s saves as a feed · escape goes back")


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    """The story to open and the query that found it (its words to highlight)."""

    article_id: int
    query: str
    terms: tuple[Term, ...]


class SearchScreen(ModalScreen[SearchOutcome | None]):
    """Type a query, see results, open one (or escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="search.close", tooltip="back to the reader"),
        Binding("down", "move(1)", "Next", show=False, id="search.next",
                tooltip="next result"),
        Binding("up", "move(-1)", "Previous", show=False, id="search.previous",
                tooltip="previous result"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="search.page_down",
                tooltip="a page of results down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="search.page_up",
                tooltip="a page of results up"),
        Binding("ctrl+s", "save", "Save as feed", id="search.save",
                tooltip="save the query as a feed in the feed list"),
    ]

    DEFAULT_CSS = """
    SearchScreen {
        align: center middle;
        & > #search-box {
            width: 96%;
            max-width: 140;
            height: 90%;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & #search-status { color: $text-muted; height: 1; }
        & #search-status.-error { color: $text-error; }
        & #search-preview {
            height: auto;
            max-height: 6;
            border-top: solid $primary 40%;
            color: $text-muted;
        }
        & > .search--match { text-style: bold underline; color: $text-warning; }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"search--match"}

    def __init__(
        self,
        library: Library,
        query: str = "",
        on_saved: Callable[[SavedSearch], None] | None = None,
    ) -> None:
        """``on_saved`` runs (on the UI thread) after a query is saved, even if this
        screen has closed in the meantime."""
        super().__init__()
        self.library = library
        self.initial = query
        self.on_saved = on_saved
        self.generation = 0  # bumped by every edit; older answers are dropped
        self.shown_query: ParsedQuery | None = None  # the query the results answer
        self._timer: Timer | None = None
        self._started = 0.0

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box") as box:
            box.border_title = "Search"
            box.border_subtitle = "enter open · ctrl+s save · escape back"
            yield Input(self.initial, placeholder=PLACEHOLDER, id="search-input")
            yield Static("", id="search-status", markup=False)
            yield SearchResults(id="search-results")
            yield Static("", id="search-preview", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one("#search-input", Input)

    @property
    def results(self) -> SearchResults:
        return self.query_one("#search-results", SearchResults)

    def on_mount(self) -> None:
        self.results.can_focus = True
        self.input.focus()
        self._start(self.initial)

    # -- typing ----------------------------------------------------------------------------
    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._start(event.value)

    def _start(self, text: str) -> None:
        """Check the query now; run it after a pause in typing."""
        self.generation += 1
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        try:
            parsed = parse_query(text)
        except QueryError as error:
            self._status(str(error), error=True)  # the last results stay
            return
        if parsed.is_empty:
            self.shown_query = None
            self.results.show([], (), HINT)
            self._preview(None)
            self._status("")
            return
        generation = self.generation
        self._timer = self.set_timer(DEBOUNCE, lambda: self._run(generation, parsed))

    def _run(self, generation: int, parsed: ParsedQuery) -> None:
        if generation != self.generation:
            return
        self._started = time.perf_counter()
        self.run_worker(lambda: self._query(generation, parsed), thread=True,
                        group="search", exit_on_error=False)

    def _query(self, generation: int, parsed: ParsedQuery) -> None:
        """In a worker thread: run the query, hand the answer to the UI thread."""
        if generation != self.generation:
            return  # typed on while this waited for a thread
        error: str | None = None
        hits: list[SearchHit] = []
        total = 0
        try:
            hits = self.library.search(parsed.text, limit=LIMIT)
            total = len(hits) if len(hits) < LIMIT else self.library.count_search(parsed.text)
        except StoryreaderError as exc:
            error = str(exc)
        except Exception as exc:  # a database problem: say so, keep typing possible
            error = f"search failed: {exc}"
        with suppress(RuntimeError):  # the app is closing
            self.app.call_from_thread(self._show, generation, parsed, hits, total, error)

    def _show(self, generation: int, parsed: ParsedQuery, hits: list[SearchHit], total: int,
              error: str | None) -> None:
        if generation != self.generation or not self.is_attached:
            return  # stale: the query changed since
        if error is not None:
            self._status(error, error=True)
            return
        self.shown_query = parsed
        self.results.show(hits, parsed.highlight_terms)
        self._preview(self.results.highlighted)
        elapsed = (time.perf_counter() - self._started) * 1000
        if not hits:
            self._status(f"no matches · {elapsed:.0f} ms")
        else:
            shown = f"{len(hits)} of {total}" if total > len(hits) else str(total)
            noun = "story" if total == 1 else "stories"
            self._status(f"{shown} {noun} · {elapsed:.0f} ms")

    def _status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#search-status", Static)
        status.update(message)
        status.set_class(error, "-error")

    def _preview(self, hit: SearchHit | None) -> None:
        preview = self.query_one("#search-preview", Static)
        if hit is None:
            preview.update("")
            preview.display = False
            return
        article = hit.article
        meta = " · ".join(one_line(part) for part in
                          (article.feed_title, article.author, short_date(article.published))
                          if part)
        text = Text(meta + "\n", end="")
        match = self.get_component_rich_style("search--match", partial=True)
        text.append_text(highlighted(hit.snippet, self.results.terms, match=match))
        preview.update(text)
        preview.display = True

    @on(SearchResults.Highlighted)
    def _highlighted(self, event: SearchResults.Highlighted) -> None:
        self._preview(event.hit)

    # -- opening ---------------------------------------------------------------------------
    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._open(self.results.highlighted)

    @on(SearchResults.Opened)
    def _opened(self, event: SearchResults.Opened) -> None:
        self._open(event.hit)

    def _open(self, hit: SearchHit | None) -> None:
        if hit is None or self.shown_query is None:
            self.app.bell()
            return
        query = self.shown_query
        self.dismiss(SearchOutcome(hit.article.id, query.text, query.highlight_terms))

    # -- actions ---------------------------------------------------------------------------
    def action_close(self) -> None:
        self.dismiss(None)

    def action_move(self, step: int) -> None:
        self.results.move_to(self.results.cursor + step)

    def action_page(self, step: int) -> None:
        page = max(1, self.results.scrollable_content_region.height - 1)
        self.results.move_to(self.results.cursor + step * page)

    def action_save(self) -> None:
        try:
            parsed = parse_query(self.input.value)
        except QueryError as error:
            self.notify(f"Cannot save: {error}", severity="warning", markup=False)
            return
        if parsed.is_empty:
            self.notify("Type a query first, then save it.", severity="warning")
            return

        def named(name: str | None) -> None:
            if name:
                self._save(name, parsed.text)

        self.app.push_screen(SaveSearchDialog(parsed.text), named)

    def _save(self, name: str, query: str) -> None:
        """Save in a worker thread of the app: the write may wait for a refresh's commit
        (the UI must not), and it finishes even if this screen closes first."""
        app = self.app
        library = self.library
        on_saved = self.on_saved

        def saved(search: SavedSearch) -> None:
            app.notify(f"Saved {search.name!r}: {search.unread} unread of {search.total}. "
                       "It is in the feed list.", markup=False)
            if on_saved is not None:
                on_saved(search)

        def write() -> None:
            try:
                search = library.save_search(name, query)
            except StoryreaderError as error:
                message = str(error)
            except Exception as error:  # the database (busy, full...): say so, keep going
                message = f"Could not save the search: {error}"
            else:
                with suppress(RuntimeError):  # the app is closing
                    app.call_from_thread(saved, search)
                return
            with suppress(RuntimeError):
                app.call_from_thread(app.notify, message, severity="error", markup=False)

        app.run_worker(write, thread=True, group="save-search", exit_on_error=False)


class SaveSearchDialog(ModalScreen[str | None]):
    """Ask for a saved search's name."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False)]

    DEFAULT_CSS = """
    SaveSearchDialog {
        align: center middle;
        & > Vertical {
            width: 60;
            max-width: 100%;
            height: auto;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & .hint { color: $text-muted; }
    }
    """

    def __init__(self, query: str) -> None:
        super().__init__()
        self.search_query = query

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Save search"
            yield Static(f"Query: {one_line(self.search_query)}", classes="hint", markup=False)
            yield Input(placeholder="a name for the feed list", id="save-name")
            yield Static("enter saves (a name in use is replaced) · escape cancels",
                         classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#save-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)

