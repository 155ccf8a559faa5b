"""``F``: fetch the whole story from its web page, for feeds that carry only excerpts.

The fetch runs in a thread worker (``Library.fetch_full_story``: the network, the page's
story extracted and sanitized, stored in place of the excerpt); the open story is then
shown again, whole, where it was, with its related posts recomputed.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tui_reader.core.errors import StoryreaderError

if TYPE_CHECKING:
    from tui_reader.ui.screens.main import MainScreen


def fetch_full_story(screen: MainScreen) -> None:
    """Fetch the open story's web page into it (or say why not)."""
    article = screen.article
    if article is None:
        screen.notify("Open a story first: F fetches the whole of it from its web page.")
        return
    if not article.link.startswith(("http://", "https://")):
        screen.notify("This story has no web page to fetch it from.", severity="warning")
        return
    screen.notify(f"Fetching the story from {urlsplit(article.link).hostname}…", timeout=3)
    screen.run_worker(partial(_fetch, screen, article.id), name="full-story",
                      group="full-story", exclusive=True, thread=True, exit_on_error=False)


def _fetch(screen: MainScreen, article_id: int) -> None:
    """In the worker thread: fetch, then show the result on the app's thread."""
    try:
        screen.library.fetch_full_story(article_id)
    except StoryreaderError as error:
        screen.app.call_from_thread(
            screen.notify, str(error), title="Could not fetch the story", severity="error")
        return
    except Exception as error:  # a bug must not kill the app: say it and carry on
        screen.app.call_from_thread(
            screen.notify, f"{type(error).__name__}: {error}",
            title="Could not fetch the story", severity="error")
        return
    screen.app.call_from_thread(_fetched, screen, article_id)


def _fetched(screen: MainScreen, article_id: int) -> None:
    """Show the whole story if it is still the open one."""
    if screen.article is None or screen.article.id != article_id:
        screen.notify("Fetched the whole story; it shows when you open it again.")
        return
    screen.open_story(article_id, focus=False, mark_read=False)
    screen.notify("Fetched the whole story from its web page.")
