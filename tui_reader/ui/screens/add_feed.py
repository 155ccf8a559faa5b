"""Subscribe to a feed: a feed URL, a website (its feed is found), or a local file.

The library fetches and checks the address in a worker thread; a page that is not a
feed and links to none gets a clear message in the dialog, which stays open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker, WorkerState

from tui_reader.core.errors import StoryreaderError
from tui_reader.core.models import Feed, FeedResult

if TYPE_CHECKING:
    from tui_reader.core.library import Library


class AddFeedDialog(ModalScreen[Feed | None]):
    """Ask for an address (and optional tags); dismisses with the new Feed, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False)]

    DEFAULT_CSS = """
    AddFeedDialog {
        align: center middle;
        & > Vertical {
            width: 76;
            max-width: 100%;
            height: auto;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & Label { margin-top: 1; }
        & #add-status { height: auto; margin-top: 1; color: $text-muted; }
        & #add-status.-error { color: $text-error; }
        & Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
        & Button { margin-left: 1; }
    }
    """

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self._worker: Worker[tuple[Feed, FeedResult]] | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Subscribe to a feed"
            yield Label("Feed or website address (or a local file)")
            yield Input(placeholder="https://example.org/  or  https://example.org/feed.xml",
                        id="add-url")
            yield Label("Tags (optional, separated by commas)")
            yield Input(placeholder="news, friends", id="add-tags")
            yield Static("A website's feed is found for you.", id="add-status", markup=False)
            with Horizontal():
                yield Button("Cancel", id="add-cancel")
                yield Button("Subscribe", variant="primary", id="add-ok")

    def on_mount(self) -> None:
        self.query_one("#add-url", Input).focus()

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#add-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    @on(Input.Submitted)
    @on(Button.Pressed, "#add-ok")
    def _submit(self) -> None:
        url = self.query_one("#add-url", Input).value.strip()
        if not url:
            self._status("Type the address of a feed or a website first.", error=True)
            self.query_one("#add-url", Input).focus()
            return
        if self._worker is not None and not self._worker.is_finished:
            return  # already adding
        tags = tuple(t.strip() for t in self.query_one("#add-tags", Input).value.split(",")
                     if t.strip())
        self._status(f"Looking for a feed at {url} …")
        self.query_one("#add-ok", Button).disabled = True
        self._worker = self._add(url, tags)

    @on(Button.Pressed, "#add-cancel")
    def action_cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="add", exit_on_error=False)
    def _add(self, url: str, tags: tuple[str, ...]) -> tuple[Feed, FeedResult]:
        return self.library.add_feed(url, tags=tags)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker is not self._worker:
            return
        if event.state == WorkerState.SUCCESS and worker.result is not None:
            feed, result = worker.result
            count = result.new + result.updated
            self.app.notify(f"Subscribed to {feed.title or feed.url} "
                            f"({count} {'story' if count == 1 else 'stories'}).")
            self.dismiss(feed)
        elif event.state == WorkerState.ERROR:
            error = worker.error
            message = str(error) if isinstance(error, StoryreaderError) else (
                f"Something went wrong: {type(error).__name__}: {error}")
            self._status(message.splitlines()[0] if message else "Could not add it.",
                         error=True)
            self.query_one("#add-ok", Button).disabled = False
            self.query_one("#add-url", Input).focus()
