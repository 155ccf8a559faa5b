"""Copying text: OSC 52 through the terminal (works over SSH) and, when there is one, the
system clipboard (wl-copy, xclip, xsel or pbcopy), run off the UI thread with a timeout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping

from textual.app import App

SYSTEM_TIMEOUT = 2.0
PREVIEW_CHARS = 60

# (program, arguments, environment variable that must be set for it to work)
SYSTEM_TOOLS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("wl-copy", (), "WAYLAND_DISPLAY"),
    ("xclip", ("-selection", "clipboard"), "DISPLAY"),
    ("xsel", ("--clipboard", "--input"), "DISPLAY"),
    ("pbcopy", (), None),
)


def system_clipboard_command(env: Mapping[str, str] | None = None) -> list[str] | None:
    """The first usable clipboard program on PATH, with its arguments; None if none."""
    env = os.environ if env is None else env
    for program, args, needs in SYSTEM_TOOLS:
        if needs and not env.get(needs):
            continue
        if program == "pbcopy" and sys.platform != "darwin":
            continue
        path = shutil.which(program, path=env.get("PATH"))
        if path:
            return [path, *args]
    return None


def copy_to_system(text: str, command: list[str], timeout: float = SYSTEM_TIMEOUT) -> bool:
    """Feed ``text`` to a clipboard program; False if it fails or takes too long.

    Its output goes to /dev/null: xclip and wl-copy stay in the background holding the
    selection, and a pipe they inherit would make us wait for them.
    """
    try:
        subprocess.run(
            command,
            input=text.encode("utf-8"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return True


def preview(text: str) -> str:
    """The first line of ``text``, shortened for a notification."""
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= PREVIEW_CHARS else line[: PREVIEW_CHARS - 1] + "…"


def copy_text(app: App, text: str, what: str = "text") -> threading.Thread | None:
    """Copy ``text`` and say so. Returns the thread feeding the system clipboard, if any."""
    app.copy_to_clipboard(text)
    thread = None
    command = system_clipboard_command()
    if command:
        thread = threading.Thread(
            target=copy_to_system, args=(text, command), name="clipboard", daemon=True
        )
        thread.start()
    app.notify(f"Copied {what}: {preview(text)}", title="Copied", markup=False)
    return thread
