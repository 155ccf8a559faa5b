"""Edit a subscription (``e`` on a feed): its title, its tags and whether a refresh
fetches its new stories whole.

The dialog shows the feed's address, last refresh and last error, and saves the title,
the tags and the whole-stories switch in one write: :meth:`Library.rename_feed
<tui_reader.core.library.Library.rename_feed>` (an empty title goes back to the feed's
own), :meth:`Library.set_feed_tags <tui_reader.core.library.Library.set_feed_tags>`,
whose check (the one ``storyreader add --tag`` and ``storyreader tag`` use) turns a bad
tag into a message shown here, with the dialog left open, and
:meth:`Library.set_whole_stories <tui_reader.core.library.Library.set_whole_stories>`
(``storyreader whole-stories``). Feed text is shown as typed.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from tui_reader.core.errors import StoryreaderError
from tui_reader.core.models import Feed
from tui_reader.ui.text import one_line

if TYPE_CHECKING:
    from tui_reader.core.library import Library
    from tui_reader.ui.screens.main import MainScreen


def _when(feed: Feed) -> str:
    if feed.last_refreshed is None:
        return "never"
    return feed.last_refreshed.astimezone().strftime("%Y-%m-%d %H:%M")


class WholeStoriesCheckbox(Checkbox):
    """The whole-stories switch: space toggles it; enter saves the dialog, as it does in
    the inputs (a plain checkbox toggles on enter too)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", "Toggle", show=False),
        Binding("enter", "screen.save", "Save", show=False),
    ]

    @property
    def BUTTON_INNER(self) -> str:  # Textual reads this name
        """An X only when on: the colour alone does not tell on from off in every theme
        or terminal."""
        return "X" if self.value else " "


class EditFeedDialog(ModalScreen[bool]):
    """Title, tags and the whole-stories switch of one feed; dismisses with True once
    saved, False on cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("ctrl+s", "save", "Save", show=False, priority=True),
    ]

    DEFAULT_CSS = """
    EditFeedDialog {
        align: center middle;
        & > Vertical {
            width: 76;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            overflow-y: auto;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & .edit-feed--facts { color: $text-muted; height: auto; }
        & #edit-feed-error { color: $text-warning; max-height: 2; }
        & Label { margin-top: 1; }
        & #edit-feed-tags-label { margin-top: 0; }  /* 80x24 holds it all, errors too */
        & #edit-feed-status { height: auto; color: $text-muted; }
        & #edit-feed-status.-error { color: $text-error; }
        & Horizontal { height: auto; align-horizontal: right; }
        & Button { margin-left: 1; }
    }
    """

    def __init__(self, library: Library, feed: Feed) -> None:
        super().__init__()
        self.library = library
        self.feed = feed
        self.user_title, own = library.feed_titles(feed.url)
        self.own_title = own or feed.url

    def compose(self) -> ComposeResult:
        feed = self.feed
        with Vertical() as box:
            box.border_title = "Edit feed"
            yield Static(f"Address: {feed.url}", id="edit-feed-url",
                         classes="edit-feed--facts", markup=False)
            yield Static(f"Its own title: {one_line(self.own_title)}", id="edit-feed-own",
                         classes="edit-feed--facts", markup=False)
            yield Static(f"Last refreshed: {_when(feed)} · {feed.total} "
                         f"{'story' if feed.total == 1 else 'stories'}, {feed.unread} unread",
                         id="edit-feed-refreshed", classes="edit-feed--facts", markup=False)
            if feed.last_error:
                yield Static(f"Last error: {one_line(feed.last_error)}", id="edit-feed-error",
                             classes="edit-feed--facts", markup=False)
            yield Label("Title (empty: the feed's own title)")
            yield Input(self.user_title or "", placeholder=one_line(self.own_title),
                        id="edit-feed-title")
            yield Label("Tags (folders), separated by commas", id="edit-feed-tags-label")
            yield Input(", ".join(feed.tags), placeholder="news, friends, news/tech",
                        id="edit-feed-tags")
            yield WholeStoriesCheckbox(
                "Fetch whole stories from their web pages (for a feed of excerpts)",
                feed.whole_stories, id="edit-feed-whole", compact=True)
            yield Static("Enter saves, escape cancels.", id="edit-feed-status", markup=False)
            with Horizontal():
                yield Button("Cancel", id="edit-feed-cancel")
                yield Button("Save", variant="primary", id="edit-feed-save")

    def on_mount(self) -> None:
        self.query_one("#edit-feed-title", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#edit-feed-save")
    def action_save(self) -> None:
        title = self.query_one("#edit-feed-title", Input).value
        tags = self.query_one("#edit-feed-tags", Input).value
        whole = self.query_one("#edit-feed-whole", Checkbox).value
        try:
            with self.library.transaction():  # all or nothing
                self.library.rename_feed(self.feed.url, title)
                self.library.set_feed_tags(self.feed.url, [tags])
                self.library.set_whole_stories(self.feed.url, whole)
        except StoryreaderError as error:
            status = self.query_one("#edit-feed-status", Static)
            status.update(str(error).splitlines()[0] if str(error) else "Could not save.")
            status.add_class("-error")
            self.query_one("#edit-feed-tags", Input).focus()
            return
        self.dismiss(True)

    @on(Button.Pressed, "#edit-feed-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


def edit_selected_feed(screen: MainScreen) -> None:
    """``e``: edit the feed highlighted in the feed list, then show it under its new
    title (and in its new folders) with the highlight still on it."""
    entry = screen.feed_list.entry
    if entry is None or entry.feed is None:
        screen.notify("Select a feed to edit it.")
        return
    url = entry.feed.url
    try:
        feed = screen.library.feed(url)  # fresh counts, error and refresh time
    except StoryreaderError as error:
        screen.notify(str(error), severity="warning")
        return

    def saved(changed: bool | None) -> None:
        if not changed:
            return
        screen.reload_feeds()
        screen.feed_list.select_key(f"feed:{url}")
        screen.load_source(keep_cursor=True)
        new = screen.feed_list.entry
        name = new.source.label if new is not None and new.feed is not None else url
        screen.notify(f"Saved {name}.")
        story = screen.article
        if story is not None and story.feed_url == url:  # its header names the feed
            title = screen.library.feed(url).title
            screen.article = replace(story, feed_title=title)
            screen.article_view.retitle(title)
        if not feed.whole_stories and screen.library.feed(url).whole_stories:
            screen.notify(f"Fetching the whole stories of {name}…", timeout=3)
            screen.run_worker(partial(_fetch_whole, screen, url, name), group="whole-stories",
                              thread=True, exit_on_error=False)

    screen.app.push_screen(EditFeedDialog(screen.library, feed), saved)


def _fetch_whole(screen: MainScreen, url: str, name: str) -> None:
    """In a worker thread: a feed just switched to whole stories gets its newest
    excerpts fetched whole now (new ones come whole with each refresh)."""
    try:
        count = screen.library.fetch_whole_stories(url)
    except StoryreaderError as error:
        screen.app.call_from_thread(screen.notify, str(error), severity="warning")
        return

    def done() -> None:
        screen.notify(f"{name}: {count} {'story' if count == 1 else 'stories'} fetched whole."
                      if count else f"{name}: no story was fetched whole (their pages had "
                      "no more than the feed, or could not be read).")
        if count:
            screen.load_source(keep_cursor=True)
            if screen.article is not None and screen.article.feed_url == url:
                screen.open_story(screen.article.id, focus=False, mark_read=False)

    screen.app.call_from_thread(done)
