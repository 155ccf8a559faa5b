"""The reader: feeds on the left, stories and the open story (with related posts) beside.

:class:`MainScreen` composes the widgets and holds the keys and their actions. Two
helpers it owns do the rest: :class:`~tui_reader.ui.screens.reader_layout.ReaderLayout`
sizes the panes for browsing or reading (wide terminals give an open story the room;
escape, or tab round to the feeds, brings the browsing layout back) and moves the focus
between them; :class:`~tui_reader.ui.screens.refresh_controller.RefreshController` runs
refreshes in a worker thread and shows their progress. Everything the screen does goes
through the :class:`~tui_reader.core.library.Library` façade; slow calls (refresh, adding
the demo stories, related posts) run in worker threads so keys keep working.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from tui_reader.core.errors import NotFoundError
from tui_reader.core.excerpt import looks_like_excerpt
from tui_reader.core.models import Article, ArticleSummary, Feed
from tui_reader.core.search import SavedSearch, Term
from tui_reader.ui.model import ALL_KEY
from tui_reader.ui.screens.bookmarks import open_bookmarks, toggle_bookmark
from tui_reader.ui.screens.reader_layout import WIDE, ReaderLayout
from tui_reader.ui.screens.refresh_controller import WORKER_GROUP as REFRESH_WORKERS
from tui_reader.ui.screens.refresh_controller import RefreshController
from tui_reader.ui.screens.share import copy_story_link, share_story
from tui_reader.ui.text import one_line
from tui_reader.ui.widgets.article_list import ArticleList
from tui_reader.ui.widgets.article_view import ArticleView
from tui_reader.ui.widgets.feed_list import FeedList
from tui_reader.ui.widgets.reader_footer import ReaderFooter
from tui_reader.ui.widgets.refresh_status import RefreshStatus
from tui_reader.ui.widgets.related_panel import RelatedPanel

if TYPE_CHECKING:
    from tui_reader.core.library import Library
    from tui_reader.ui.app import StoryreaderApp

STATE_SOURCE = "ui.source"
STATE_ARTICLE = "ui.article"
STATE_COLLAPSED = "ui.collapsed_tags"

NO_FEEDS = (
    "No subscriptions yet.",
    "",
    "Press a to add a feed or a website,",
    "or run:  storyreader add URL",
)
LOADING_DEMO = ("Adding the demo stories…",)
WELCOME = (
    "Welcome to storyreader! The demo stories are there to try things on. "
    "Enter opens a story, n jumps to the next unread, a adds your own feed, "
    "? lists every key."
)
EMPTY_STORY = "Choose a story and press enter to read it."
NO_RELATED = "No related stories."


def is_web_link(url: str) -> bool:
    """Only http(s) links go to the browser."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


class MainScreen(Screen[None]):
    """Feeds, stories, the story, related posts, refresh progress and the footer."""

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (WIDE, "-wide")]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (32, "-tall")]

    BINDINGS: ClassVar[list[BindingType]] = [
        # next/previous/first/last/open also live in the lists; here they scroll the story.
        Binding("j,down", "next", "Down", id="next", show=False,
                tooltip="next item in the list"),
        Binding("k,up", "previous", "Up", id="previous", show=False,
                tooltip="previous item in the list"),
        Binding("g,home", "first", "First", id="first", show=False, tooltip="first item"),
        Binding("G,end", "last", "Last", id="last", show=False, tooltip="last item"),
        Binding("space", "page", "Page", show=False,
                tooltip="page down in the story (or open the selected story)"),
        Binding("n", "next_unread", "Next unread", id="next_unread",
                tooltip="next unread story"),
        Binding("p", "previous_unread", "Prev unread", id="previous_unread", show=False,
                tooltip="previous unread story"),
        Binding("o", "open_in_browser", "Browser", id="open_in_browser", show=False,
                tooltip="open the story's link in the browser"),
        Binding("m", "toggle_read", "Read", id="toggle_read",
                tooltip="mark the story read / unread"),
        Binding("A", "mark_feed_read", "All read", id="mark_feed_read", show=False,
                tooltip="mark every story of the feed read"),
        Binding("r", "refresh_feed", "Refresh", id="refresh_feed",
                tooltip="refresh the selected feed"),
        Binding("R", "refresh_all", "Refresh all", id="refresh_all", show=False,
                tooltip="refresh every feed"),
        Binding("x", "cancel_refresh", "Stop", id="cancel_refresh",
                tooltip="stop a running refresh"),
        Binding("a", "add_feed", "Add", id="add_feed", tooltip="subscribe to a feed"),
        Binding("e", "edit_feed", "Edit feed", id="edit_feed", show=False,
                tooltip="edit the selected feed: title, tags, whole stories"),
        Binding("D", "remove_feed", "Unsubscribe", id="remove_feed", show=False,
                tooltip="unsubscribe from the selected feed (or delete the saved search)"),
        Binding("slash", "search", "Search", id="search", show=False,
                tooltip="search every story (words, phrases, title:, feed:, is:unread...)"),
        Binding("tab", "next_pane", "Next pane", id="next_pane", show=False,
                tooltip="focus the next pane"),
        Binding("shift+tab", "previous_pane", "Previous pane", id="previous_pane", show=False,
                tooltip="focus the previous pane"),
        Binding("b", "bookmark", "Bookmark", id="bookmark", tooltip="bookmark the story"),
        Binding("s", "share", "Share", id="share", tooltip="share the story"),
        Binding("y", "copy_link", "Copy link", id="copy_link", show=False,
                tooltip="copy the story's link"),
        Binding("F", "fetch_story", "Whole story", id="fetch_story", show=False,
                tooltip="fetch the whole story from its web page (for a feed of excerpts)"),
        Binding("B", "bookmarks_view", "Bookmarks", id="bookmarks_view", show=False,
                tooltip="show bookmarks"),
        Binding("escape", "back", "Back", id="back",
                tooltip="go back: from the story to the list, from the list to the feeds"),
    ]

    reading: reactive[bool] = reactive(False)
    """The story pane has the focus (narrow terminals then show only the story)."""

    immersed: reactive[bool] = reactive(False, init=False)
    """The reading layout (wide terminals): on when the story gets the focus, kept while
    moving between stories (also from the small story list), off with escape or on the
    feed pane. See :meth:`ReaderLayout.apply`."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.article: Article | None = None
        self.reader_layout = ReaderLayout(self)
        self.refresher = RefreshController(self)
        self._source_key: str | None = None
        self._last_search = ""

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            feeds = FeedList(id="feeds")
            feeds.border_title = "Feeds"
            yield feeds
            with Vertical(id="reader"):
                yield Static("", id="source-error", markup=False)
                yield ArticleList(id="articles")
                with Vertical(id="story"):
                    yield Static(EMPTY_STORY, id="story-empty", markup=False)
                    yield ArticleView(id="article", measure=self.app_.config.reader.measure)
                    related = RelatedPanel(id="related")
                    related.border_title = "Related stories"
                    yield related
        yield RefreshStatus(id="refresh-status")
        yield ReaderFooter(compact=True, show_command_palette=False)  # ? lists ctrl+p

    @property
    def app_(self) -> StoryreaderApp:
        return self.app  # type: ignore[return-value]

    @property
    def feed_list(self) -> FeedList:
        return self.query_one("#feeds", FeedList)

    @property
    def article_list(self) -> ArticleList:
        return self.query_one("#articles", ArticleList)

    @property
    def article_view(self) -> ArticleView:
        return self.query_one("#article", ArticleView)

    @property
    def related_panel(self) -> RelatedPanel:
        return self.query_one("#related", RelatedPanel)

    @property
    def refresh_status(self) -> RefreshStatus:
        return self.query_one("#refresh-status", RefreshStatus)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Plain-text notifications: they quote feed titles and error messages."""
        self.app.notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def watch_reading(self, reading: bool) -> None:
        self.set_class(reading, "-reading")

    def watch_immersed(self, immersed: bool) -> None:
        self.reader_layout.apply()

    def on_resize(self, event: events.Resize) -> None:
        self.reader_layout.apply()

    # -- start -----------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.article_view.display = False
        self.related_panel.display = False
        collapsed = self.library.get_state(STATE_COLLAPSED, []) or []
        self.feed_list.set_feeds(self._feeds(), bookmarks=self._bookmark_count(),
                                 collapsed=[str(t) for t in collapsed if isinstance(t, str)],
                                 searches=self._saved_searches())
        if self.library.is_empty():
            self.article_list.empty_message = LOADING_DEMO
            self.article_list.refresh()
            self._subscribe_demo()
        else:
            self._restore()
        self.article_list.focus()
        self.refresher.start_auto_refresh(self.app_.config.refresh.auto_refresh_minutes)

    def _feeds(self) -> list[Feed]:
        return self.library.feeds()

    def _bookmark_count(self) -> int:
        return self.library.count_articles(bookmarked=True)

    def _saved_searches(self) -> list[SavedSearch]:
        return self.library.saved_searches()

    @work(thread=True, exclusive=True, group="demo", exit_on_error=False)
    def _subscribe_demo(self) -> list[Feed]:
        return self.library.subscribe_demo_if_new()

    def _demo_done(self, added: list[Feed] | None, error: str | None) -> None:
        self.reload_feeds()
        if error:
            self.notify(f"Could not add the demo stories: {error}", severity="error")
        elif added:
            self.notify(WELCOME, title="storyreader", timeout=12)
        self._restore()

    def _restore(self) -> None:
        """Select the feed and story of the last session."""
        key = self.library.get_state(STATE_SOURCE, ALL_KEY)
        if not isinstance(key, str) or not self.feed_list.select_key(key):
            self.feed_list.select_key(ALL_KEY)
        self.load_source(force=True)
        saved = self.library.get_state(STATE_ARTICLE)
        if not isinstance(saved, dict) or saved.get("source") != self._source_key:
            return
        article_id, hint = saved.get("id"), saved.get("index", 0)
        if not isinstance(article_id, int) or not isinstance(hint, int):
            return
        index = self.article_list.index_of(article_id, max(0, hint - 50), 101)
        if index is not None:
            self.article_list.move_to(index)
            self.open_story(article_id, index, focus=False, mark_read=False)

    def save_state(self) -> None:
        source = self.feed_list.source
        try:
            if source is not None:
                self.library.set_state(STATE_SOURCE, source.key)
            if self.article is not None:
                self.library.set_state(STATE_ARTICLE, {
                    "source": self._source_key,
                    "id": self.article.id,
                    "index": max(self.article_list.cursor, 0),
                })
        except Exception as error:  # never lose the quit over a state write
            self.log.error(f"could not save the reader's state: {error}")

    def on_unmount(self) -> None:
        self.refresher.stop_quietly()

    # -- lists -----------------------------------------------------------------------------
    def reload_feeds(self) -> None:
        """Fresh feed counts and errors from the library (cheap: one query)."""
        self.feed_list.set_feeds(self._feeds(), bookmarks=self._bookmark_count())
        self._recount_searches()  # saved searches' counts, off the UI thread
        if self.library.is_empty():
            self.article_list.empty_message = NO_FEEDS
        self._show_source_header()

    def load_source(self, *, force: bool = False, keep_cursor: bool = False) -> None:
        """Point the story list at the highlighted feed-list entry."""
        source = self.feed_list.source
        if source is None:
            return
        if source.key == self._source_key and not force and not keep_cursor:
            return
        same = source.key == self._source_key
        self._source_key = source.key
        query = source.query
        library = self.library
        search = source.search
        if search is not None:
            count = library.count_search(search)
        else:
            count = library.count_articles(**query)

        def fetch(limit: int, offset: int) -> list[ArticleSummary]:
            if search is not None:
                return library.search_articles(search, limit=limit, offset=offset)
            return library.articles(**query, limit=limit, offset=offset)

        if self.library.is_empty():
            self.article_list.empty_message = NO_FEEDS
        elif source.kind == "unread":
            self.article_list.empty_message = ("No unread stories.",)
        elif source.kind == "bookmarks":
            self.article_list.empty_message = ("No bookmarks yet.",)
        elif source.kind == "search":
            self.article_list.empty_message = ("No stories match this saved search.", "",
                                               f"Query: {source.search}")
        else:
            self.article_list.empty_message = ("No stories here yet.", "",
                                               "Press r to refresh this feed.")
        self.article_list.load(source.key, count, fetch, many_feeds=source.many_feeds,
                               keep_cursor=keep_cursor and same)
        self._show_source_header()

    def _show_source_header(self) -> None:
        entry = self.feed_list.entry
        articles = self.article_list
        if entry is None:
            return
        source = entry.source
        articles.border_title = Text(one_line(source.label))  # a str would be markup
        count = articles.count
        unread = entry.unread if entry.count is None else None
        parts = [f"{count} {'story' if count == 1 else 'stories'}"]
        if unread:
            parts.insert(0, f"{unread} unread")
        articles.border_subtitle = " · ".join(parts)
        error = self.query_one("#source-error", Static)
        if entry.error:
            what = "this feed's last refresh failed" if entry.feed else entry.error
            message = f"! {what}: {entry.error}" if entry.feed else f"! {what}"
            error.update(message)
            error.display = True
        else:
            error.display = False

    @on(FeedList.Selected)
    def _feed_selected(self, event: FeedList.Selected) -> None:
        self.load_source()

    @on(FeedList.Opened)
    def _feed_opened(self, event: FeedList.Opened) -> None:
        self.load_source()
        self.focus_pane(self.article_list)

    @on(FeedList.FolderToggled)
    def _folder_toggled(self, event: FeedList.FolderToggled) -> None:
        self.library.set_state(STATE_COLLAPSED, sorted(event.collapsed))

    @on(ArticleList.Opened)
    def _article_opened(self, event: ArticleList.Opened) -> None:
        self.open_story(event.summary.id, event.index)

    @on(RelatedPanel.Opened)
    def _related_opened(self, event: RelatedPanel.Opened) -> None:
        indexes = self.article_list.cached_indexes(event.item.id)
        if indexes:
            self.article_list.move_to(indexes[0])
        self.open_story(event.item.id, indexes[0] if indexes else None, focus=True)

    # -- the story -------------------------------------------------------------------------
    def open_story(
        self, article_id: int, index: int | None = None, *, focus: bool = True,
        mark_read: bool = True, highlight: tuple[Term, ...] = (),
    ) -> None:
        """Show a story (marking it read), load its related posts, remember it.

        ``highlight``: search words to mark in it (a story opened from the search)."""
        try:
            article = self.library.article(article_id, rendered=False)
        except NotFoundError:
            self.notify("That story is no longer in the library.", severity="warning")
            return
        self.article = article
        self.query_one("#story-empty").display = False
        view = self.article_view
        view.display = True
        view.show(article, highlight=highlight, hint=self._excerpt_hint(article))
        view.scroll_home(animate=False)
        if mark_read and not article.read:
            self._set_read(article.id, article.feed_url, True, index)
            self.article = replace(article, read=True)
        # The related posts of the last story stay until this one's arrive (a worker:
        # no blank flash, no jump of the story's width or height in between).
        self.reload_related()
        self.save_state()
        if focus:
            self.focus_pane(view)
        self.reader_layout.apply()

    def _excerpt_hint(self, article: Article) -> str:
        """Under a story that looks like a feed's teaser: how to fetch all of it."""
        if not looks_like_excerpt(article):
            return ""
        key = self.app_.key_for("fetch_story")
        return f"Only an excerpt? {key} fetches the whole story from its web page." if key else ""

    def action_fetch_story(self) -> None:
        from tui_reader.ui.full_story import fetch_full_story

        fetch_full_story(self)

    def close_story(self) -> None:
        """Show no story (its feed is gone): the view and related posts clear."""
        if self.reader_layout.current_pane() in (self.article_view, self.related_panel):
            self.reading = False
            self.set_focus(self.article_list)  # now: a hidden pane would drop the focus
        self.article = None
        self.article_view.display = False
        self.related_panel.display = False
        self.query_one("#story-empty").display = True
        self.immersed = False
        self.reader_layout.apply()

    def reload_related(self) -> None:
        """Find the open story's related posts (again, when stories came or went)."""
        reader = self.app_.config.reader
        if self.article is not None and reader.show_related:
            self._load_related(self.article.id, reader.related_count)

    @work(thread=True, exclusive=True, group="related", exit_on_error=False)
    def _load_related(self, article_id: int, limit: int) -> None:
        items = self.library.related(article_id, limit=limit) if limit else []
        self.app.call_from_thread(self._show_related, article_id, items)

    def _show_related(self, article_id: int, items: list[Any]) -> None:
        if self.article is None or self.article.id != article_id:
            return
        self.related_panel.show_items(items, empty=NO_RELATED)
        self.reader_layout.place_related()

    def _set_read(self, article_id: int, feed_url: str, read: bool,
                  index: int | None = None) -> None:
        """Mark one story read/unread everywhere it shows."""
        changed = self.library.set_read([article_id], read)
        if changed:
            self.feed_list.adjust_unread(feed_url, -1 if read else 1)
            self._recount_searches()
        source = self.feed_list.source
        pin = read if source is not None and source.filters_unread else None
        indexes = [index] if index is not None else self.article_list.cached_indexes(article_id)
        for row in indexes:
            summary = self.article_list.summary_at(row)
            if summary is not None and summary.id == article_id:
                self.article_list.set_read_mark(row, read, pin=pin)
        self._show_source_header()

    @work(thread=True, exclusive=True, group="saved-searches", exit_on_error=False)
    def _recount_searches(self) -> None:
        """Saved searches with fresh counts into the feed list (queries: not on the UI)."""
        searches = self.library.saved_searches()
        self.app.call_from_thread(
            lambda: self.feed_list.set_feeds(self.feed_list.feeds, searches=searches))

    def on_article_view_link_opened(self, event: ArticleView.LinkOpened) -> None:
        event.stop()
        self.app_.open_link(event.url)  # http, https or mailto only (checked there too)

    def open_link(self, url: str) -> None:
        """Open a story's web link; anything but http(s) is refused."""
        if not is_web_link(url):
            self.notify("Only web (http/https) links open in the browser.", severity="warning")
            return
        self.app_.open_link(url)

    # -- panes -----------------------------------------------------------------------------
    def focus_pane(self, pane: Widget) -> None:
        """Focus one of the panes (the layout follows: see :class:`ReaderLayout`)."""
        self.reader_layout.focus_pane(pane)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.reader_layout.focus_changed(event.widget)

    def action_next_pane(self) -> None:
        self.reader_layout.step_pane(1)

    def action_previous_pane(self) -> None:
        self.reader_layout.step_pane(-1)

    def action_back(self) -> None:
        """From the story to the list (and the browsing layout); from the list in the
        reading layout to the browsing one; from the list to the feeds."""
        pane = self.reader_layout.current_pane()
        if pane in (self.article_view, self.related_panel):
            self.immersed = False
            self.focus_pane(self.article_list)
        elif pane is self.article_list:
            if self.reader_layout.is_reading_layout:
                self.immersed = False
            else:
                self.focus_pane(self.feed_list)

    # -- moving ----------------------------------------------------------------------------
    def _scroll_story(self, how: str) -> bool:
        pane = self.reader_layout.current_pane()
        if pane is self.article_view:
            getattr(self.article_view, how)(animate=False)
            return True
        return False

    def action_next(self) -> None:
        if not self._scroll_story("scroll_down"):
            self._list_action("cursor_down")

    def action_previous(self) -> None:
        if not self._scroll_story("scroll_up"):
            self._list_action("cursor_up")

    def action_first(self) -> None:
        if not self._scroll_story("scroll_home"):
            self._list_action("first")

    def action_last(self) -> None:
        if not self._scroll_story("scroll_end"):
            self._list_action("last")

    def action_open(self) -> None:
        self._list_action("open", default=self.article_list)

    def _list_action(self, name: str, default: Widget | None = None) -> None:
        pane = self.reader_layout.current_pane() or default
        if pane is self.related_panel:
            {"cursor_down": self.related_panel.action_cursor_down,
             "cursor_up": self.related_panel.action_cursor_up,
             "first": self.related_panel.action_first,
             "last": self.related_panel.action_last,
             "open": self.related_panel.action_select}[name]()
        elif isinstance(pane, FeedList | ArticleList):
            getattr(pane, f"action_{name}")()

    def action_page(self) -> None:
        if self.article is not None and self.article_view.display and (
            not self.has_class("-narrow") or self.reading
        ):
            self.article_view.scroll_page_down(animate=False)
        else:
            self.article_list.action_open()

    def _step_unread(self, step: int) -> None:
        """Open the next (step 1) or previous (-1) unread story of the list."""
        articles = self.article_list
        source = self.feed_list.source
        if source is None or articles.count == 0:
            self.notify("No stories here.")
            return
        if not self.library.count_articles(**{**source.query, "unread": True}):
            self.notify("No unread stories here.")
            return
        start = articles.cursor + step
        highlighted = articles.highlighted
        if step > 0 and highlighted is not None and not highlighted.read and (
            self.article is None or self.article.id != highlighted.id
        ):
            start = articles.cursor  # an unread story not opened yet is the next one
        index = articles.find(lambda s: not s.read, max(start, 0), step)
        if index is None:
            self.notify("No more unread stories " + ("below." if step > 0 else "above."))
            return
        articles.move_to(index)
        summary = articles.summary_at(index)
        if summary is not None:
            self.open_story(summary.id, index)

    def action_next_unread(self) -> None:
        self._step_unread(1)

    def action_previous_unread(self) -> None:
        self._step_unread(-1)

    # -- the selected story ----------------------------------------------------------------
    def _target(self) -> tuple[int, str, str, bool, int | None] | None:
        """(id, feed_url, link, read, list index) of the story an action is about."""
        pane = self.reader_layout.current_pane()
        if self.article is not None and pane in (self.article_view, self.related_panel):
            article = self.article
            indexes = self.article_list.cached_indexes(article.id)
            summary = self.article_list.summary_at(indexes[0]) if indexes else None
            read = summary.read if summary is not None else article.read
            return (article.id, article.feed_url, article.link, read,
                    indexes[0] if indexes else None)
        summary = self.article_list.highlighted
        if summary is None:
            return None
        return summary.id, summary.feed_url, summary.link, summary.read, self.article_list.cursor

    def action_toggle_read(self) -> None:
        target = self._target()
        if target is None:
            self.notify("No story selected.")
            return
        article_id, feed_url, _link, read, index = target
        self._set_read(article_id, feed_url, not read, index)
        if self.article is not None and self.article.id == article_id:
            self.article = self.library.article(article_id, rendered=False)

    def action_open_in_browser(self) -> None:
        target = self._target()
        if target is None or not target[2]:
            self.notify("This story has no link.", severity="warning")
            return
        self.open_link(target[2])

    def action_mark_feed_read(self) -> None:
        source = self.feed_list.source
        if source is None:
            return
        if source.kind == "feed":
            changed = self.library.mark_all_read(feed_url=source.feed_url)
        elif source.kind == "tag":
            changed = self.library.mark_all_read(tag=source.tag)
        elif source.kind == "bookmarks":
            ids = [s.id for s in self.library.articles(bookmarked=True, unread=True)]
            changed = self.library.set_read(ids, True)
        elif source.search is not None:
            changed = self.library.mark_search_read(source.search)
        else:
            changed = self.library.mark_all_read()
        self.reload_feeds()
        self.load_source(keep_cursor=True)
        label = source.label
        self.notify(f"Marked {changed} {'story' if changed == 1 else 'stories'} "
                    f"read in {label}." if changed else f"Nothing unread in {label}.")

    # -- dialogs ---------------------------------------------------------------------------
    def action_search(self) -> None:
        """Full-text search; the story chosen opens here with its matches marked."""
        from tui_reader.ui.screens.search import SearchOutcome, SearchScreen

        def done(outcome: SearchOutcome | None) -> None:
            if outcome is None:
                return
            self._last_search = outcome.query
            indexes = self.article_list.cached_indexes(outcome.article_id)
            if indexes:
                self.article_list.move_to(indexes[0])
            self.open_story(outcome.article_id, indexes[0] if indexes else None,
                            highlight=outcome.terms)

        def saved(_search: SavedSearch) -> None:
            self.reload_feeds()  # the saved search joins the feed list

        self.app.push_screen(SearchScreen(self.library, self._last_search, on_saved=saved),
                             done)

    def action_add_feed(self) -> None:
        from tui_reader.ui.screens.add_feed import AddFeedDialog

        def added(feed: Feed | None) -> None:
            if feed is None:
                return
            self.reload_feeds()
            self.feed_list.select_key(f"feed:{feed.url}")
            self.load_source(force=True)
            self.focus_pane(self.article_list)

        self.app.push_screen(AddFeedDialog(self.library), added)

    def action_edit_feed(self) -> None:
        from tui_reader.ui.screens.edit_feed import edit_selected_feed

        edit_selected_feed(self)

    def action_remove_feed(self) -> None:
        from tui_reader.ui.screens.unsubscribe import remove_selected

        remove_selected(self)

    # -- refresh ---------------------------------------------------------------------------
    def action_refresh_feed(self) -> None:
        entry = self.feed_list.entry
        if entry is None:
            return
        if entry.feed is not None:
            self.refresher.start([entry.feed.url], entry.source.label)
        elif entry.folder:
            self.refresher.start(list(entry.feed_urls), entry.source.label)
        else:
            self.refresher.start(None, "every feed")

    def action_refresh_all(self) -> None:
        self.refresher.start(None, "every feed")

    def action_cancel_refresh(self) -> None:
        self.refresher.cancel()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.app_.is_unbound(action):
            return False  # no key: out of the footer (the command palette still runs it)
        if action == "cancel_refresh":
            return self.refresher.running
        if action == "back":
            return self.reader_layout.current_pane() not in (None, self.feed_list)
        return True

    def on_refresh_controller_feed_refreshed(
        self, message: RefreshController.FeedRefreshed
    ) -> None:
        self.refresher.feed_refreshed(message)

    def on_refresh_controller_refresh_finished(
        self, message: RefreshController.RefreshFinished
    ) -> None:
        self.refresher.finished(message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "demo" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            error = str(worker.error) if event.state == WorkerState.ERROR else None
            self._demo_done(worker.result if error is None else None, error)
        elif worker.group == "related" and event.state == WorkerState.ERROR:
            self.log.error(f"related posts failed: {worker.error}")
            self.related_panel.show_items([], empty=NO_RELATED)  # not the last story's
            self.reader_layout.place_related()
        elif worker.group == REFRESH_WORKERS and event.state == WorkerState.ERROR:
            self.refresher.worker_failed(worker.error)

    # -- for the bookmarks and share screens -----------------------------------------------
    def selected_story(self) -> tuple[int, str] | None:
        """(article id, link) of the story the user is on (open or highlighted), if any."""
        target = self._target()
        return (target[0], target[2]) if target else None

    def action_bookmark(self) -> None:
        target = self._target()
        if target is None:
            self.notify("No story selected.")
            return
        added = toggle_bookmark(self.app, self.library, target[0])
        if added is not None:
            self._bookmark_marked(target[0], added)

    def _bookmark_marked(self, article_id: int, bookmarked: bool) -> None:
        """Show one story's new bookmark state: its star, the Bookmarks count, the story."""
        source = self.feed_list.source
        pin = (not bookmarked) if source is not None and source.kind == "bookmarks" else None
        for row in self.article_list.cached_indexes(article_id):
            summary = self.article_list.summary_at(row)
            if summary is not None and summary.id == article_id:
                self.article_list.update_row(row, replace(summary, bookmarked=bookmarked),
                                             pin=pin)
        self.reload_feeds()
        if self.article is not None and self.article.id == article_id:
            self.article = self.library.article(article_id, rendered=False)

    def action_share(self) -> None:
        target = self._target()
        if target is None:
            self.notify("No story selected.")
            return
        share_story(self.app, self.library, target[0],
                    self.app_.config.share.mastodon_instance)

    def action_copy_link(self) -> None:
        target = self._target()
        if target is None:
            self.notify("No story selected.")
            return
        copy_story_link(self.app, self.library, target[0])

    def action_bookmarks_view(self) -> None:
        def closed(changed: bool) -> None:
            if changed:
                self.reload_feeds()
                self.load_source(force=True, keep_cursor=True)

        open_bookmarks(self.app, self.library, self.app_.config.share.mastodon_instance,
                       closed)

