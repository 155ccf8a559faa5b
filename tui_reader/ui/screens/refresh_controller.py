"""Background refresh for the reader screen: a worker thread, progress, batched updates.

:class:`RefreshController` belongs to :class:`~tui_reader.ui.screens.main.MainScreen`.
It runs :meth:`Library.refresh <tui_reader.core.library.Library.refresh>` in a thread
worker, which posts :class:`RefreshController.FeedRefreshed` for each feed done and
:class:`RefreshController.RefreshFinished` at the end to the screen (the screen's
``on_refresh_controller_*`` handlers hand them back here). Finished feeds update the
feed and story lists at most every :data:`UPDATE_DELAY` seconds; ``x`` stops a refresh
between feeds; ``[refresh] auto_refresh_minutes`` refreshes every feed on a timer.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message
from textual.timer import Timer

from tui_reader.core.errors import StoryreaderError
from tui_reader.core.models import FeedResult, RefreshSummary

if TYPE_CHECKING:
    from tui_reader.ui.screens.main import MainScreen

UPDATE_DELAY = 0.25  # seconds between list updates while a refresh runs
WORKER_GROUP = "refresh"


class RefreshController:
    """Starts, follows and stops the reader screen's refreshes (one at a time)."""

    class FeedRefreshed(Message):
        """One feed of a running refresh finished (posted from the worker thread)."""

        def __init__(self, result: FeedResult, done: int, total: int) -> None:
            super().__init__()
            self.result = result
            self.done = done
            self.total = total

    class RefreshFinished(Message):
        """A refresh ended: completed, stopped, or failed."""

        def __init__(self, summary: RefreshSummary | None, cancelled: bool,
                     error: str | None = None) -> None:
            super().__init__()
            self.summary = summary
            self.cancelled = cancelled
            self.error = error

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.running = False
        self._cancel_event: threading.Event | None = None
        self._errors: list[FeedResult] = []
        self._pending_urls: set[str] = set()
        self._pending_timer: Timer | None = None

    # -- starting and stopping -------------------------------------------------------------
    def start_auto_refresh(self, minutes: int) -> None:
        """Refresh every feed every ``minutes`` (0: never)."""
        if minutes > 0:
            self.screen.set_interval(minutes * 60, self.refresh_on_timer)

    def refresh_on_timer(self) -> None:
        if not self.running and not self.screen.library.is_empty():
            self.start(None, "every feed")

    def start(self, urls: list[str] | None, label: str) -> None:
        """Refresh ``urls`` (None: every feed) in a worker thread."""
        screen = self.screen
        if self.running:
            screen.notify("A refresh is already running (x stops it).")
            return
        total = len(urls) if urls is not None else len(screen.feed_list.feeds)
        if total == 0:
            screen.notify("Nothing to refresh: add a feed with a.")
            return
        self.running = True
        self._errors = []
        self._cancel_event = threading.Event()
        screen.refresh_status.start(total, screen.app_.key_for("cancel_refresh"))
        screen.refresh_bindings()
        screen.run_worker(partial(self._refresh, urls, self._cancel_event),
                          name="refresh", group=WORKER_GROUP, exclusive=True, thread=True,
                          exit_on_error=False)

    def _refresh(self, urls: list[str] | None, cancel: threading.Event) -> None:
        """In the worker thread: refresh, posting each feed's result and the end."""
        screen = self.screen

        def on_result(result: FeedResult, done: int, total: int) -> None:
            screen.post_message(self.FeedRefreshed(result, done, total))

        try:
            summary = screen.library.refresh(urls, on_result=on_result, cancel=cancel)
        except StoryreaderError as error:
            screen.post_message(self.RefreshFinished(None, cancel.is_set(), str(error)))
            return
        except Exception as error:
            screen.post_message(self.RefreshFinished(None, cancel.is_set(),
                                                     f"{type(error).__name__}: {error}"))
            return
        screen.post_message(self.RefreshFinished(summary, cancel.is_set()))

    def cancel(self) -> None:
        """Stop the running refresh after the feeds in flight."""
        if self._cancel_event is not None and self.running:
            self._cancel_event.set()
            self.screen.notify("Stopping the refresh…")

    def stop_quietly(self) -> None:
        """The screen goes away: tell a running refresh to stop."""
        if self._cancel_event is not None:
            self._cancel_event.set()

    def worker_failed(self, error: BaseException | None) -> None:
        """The worker itself died: end the refresh as a failed one."""
        self.screen.post_message(self.RefreshFinished(None, False, str(error)))

    # -- progress ----------------------------------------------------------------------------
    def feed_refreshed(self, message: FeedRefreshed) -> None:
        screen = self.screen
        result = message.result
        screen.refresh_status.advance(message.done, message.total, bool(result.error))
        if result.error:
            self._errors.append(result)
            if len(self._errors) <= 3:
                screen.notify(f"{self._feed_name(result)}: {result.error}",
                              title="Refresh failed", severity="error", timeout=8)
        self._pending_urls.add(result.url)  # counts, error marks, last refresh
        self._schedule_update()

    def _schedule_update(self) -> None:
        if self._pending_timer is None:
            self._pending_timer = self.screen.set_timer(UPDATE_DELAY, self._apply_updates)

    def _apply_updates(self) -> None:
        """Show what finished feeds brought: counts, error marks, new stories."""
        screen = self.screen
        self._pending_timer = None
        urls, self._pending_urls = self._pending_urls, set()
        if not urls:
            return
        screen.reload_feeds()
        entry = screen.feed_list.entry
        if entry is None:
            return
        source = entry.source
        if source.kind == "feed":
            affected = source.feed_url in urls
        elif source.kind == "tag":
            affected = bool(urls & set(entry.feed_urls))
        else:
            affected = source.kind != "bookmarks"
        if affected:
            screen.load_source(keep_cursor=True)

    def _feed_name(self, result: FeedResult) -> str:
        feed = next((f for f in self.screen.feed_list.feeds if f.url == result.url), None)
        return (feed.title if feed else "") or result.title or result.url

    def finished(self, message: RefreshFinished) -> None:
        screen = self.screen
        if self._pending_timer is not None:
            self._pending_timer.stop()
        self._apply_updates()
        self.running = False
        screen.refresh_status.stop()
        screen.refresh_bindings()
        if message.error:
            screen.notify(f"Refresh failed: {message.error}", severity="error")
            return
        summary = message.summary or RefreshSummary(())
        done = len(summary.results)
        new = summary.new
        text = (f"{new} new {'story' if new == 1 else 'stories'} from "
                f"{done} {'feed' if done == 1 else 'feeds'}.")
        if message.cancelled:
            text = f"Refresh stopped: {text}"
        if expired := summary.expired:  # old read stories went from every feed: redraw
            text += f" {expired} old read {'story' if expired == 1 else 'stories'} expired."
            screen.reload_feeds()
            screen.load_source(keep_cursor=True)
        errors = summary.errors
        if errors:
            names = ", ".join(self._feed_name(r) for r in errors[:3])
            more = f" and {len(errors) - 3} more" if len(errors) > 3 else ""
            screen.notify(f"{text} {len(errors)} failed: {names}{more} (marked ! in the list).",
                          severity="warning", timeout=8)
        else:
            screen.notify(text)
