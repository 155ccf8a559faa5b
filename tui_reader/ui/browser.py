"""Opening a link outside the terminal: the one place every "open in browser" goes through.

``[share] browser`` in config.toml names a command (``firefox``, ``open -a Safari``,
``flatpak run org.mozilla.firefox``): it is split like a shell would (:func:`shlex.split`)
but run without one, with the URL as its last argument, detached from the terminal
(its own session, no stdin/stdout/stderr), so a browser that prints or waits never
touches the reader's screen. Empty: the system's default browser (``App.open_url``).

Only http, https and mailto URLs are opened; ``mailto:`` links always go to the
system's handler (a mail client), not to the browser command.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import threading
from typing import Any

from textual.app import App

from tui_reader.core.share import openable

__all__ = ["browser_command", "open_in_browser"]


def browser_command(app: App[Any]) -> str:
    """The ``[share] browser`` setting of the app ("" when unset or not a storyreader app)."""
    share = getattr(getattr(app, "config", None), "share", None)
    command = getattr(share, "browser", "")
    return command.strip() if isinstance(command, str) else ""


def open_in_browser(app: App[Any], url: str) -> bool:
    """Open ``url`` with the configured browser command, or the system's browser.

    Returns False (and says why in a notification) when the URL is not http, https or
    mailto, or when the command cannot be started."""
    if not openable(url):
        app.notify("Not opened: only http, https and mailto links are opened.",
                   title="Cannot open", severity="error", markup=False)
        return False
    command = browser_command(app)
    if not command or url.lower().startswith("mailto:"):
        app.open_url(url)
        return True
    try:
        argv = shlex.split(command)
    except ValueError as error:
        app.notify(f"The [share] browser setting is not a command ({error}): {command}",
                   title="Cannot open", severity="error", markup=False)
        return False
    if not argv:
        app.open_url(url)
        return True
    try:
        _start_detached([*argv, url])
    except OSError as error:
        reason = error.strerror or str(error)
        app.notify(f"Could not start the browser “{argv[0]}”: {reason}. "
                   "Check [share] browser in config.toml.",
                   title="Cannot open", severity="error", markup=False)
        return False
    return True


def _start_detached(argv: list[str]) -> None:
    """Start ``argv`` (no shell) in its own session with no terminal streams; reap it."""
    options: dict[str, Any] = {}
    if os.name == "nt":
        options["creationflags"] = (subprocess.DETACHED_PROCESS  # type: ignore[attr-defined]
                                    | subprocess.CREATE_NEW_PROCESS_GROUP)  # type: ignore[attr-defined]
    else:
        options["start_new_session"] = True
    process = subprocess.Popen(  # the user's own command, never a shell
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, close_fds=True, **options,
    )
    # Browsers often stay open: wait in a daemon thread so the exit is collected
    # (no zombie) without holding the reader up.
    threading.Thread(target=process.wait, name="browser-wait", daemon=True).start()
