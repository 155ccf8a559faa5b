"""The real ``storyreader`` in a real terminal (tmux) on feeds whose every field carries
``ESC ] 0 ; pwned BEL`` (set the window title) and ``ESC ] 52 ; c ; <base64> BEL`` (write
the clipboard): the pane title and tmux's paste buffers must stay untouched.

First a control run proves that this tmux, as configured here, does obey those sequences
when a program really writes them, so the test can fail. Skipped without tmux.
"""

from __future__ import annotations

import base64
import json
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tui_reader.core.library import open_library

pytestmark = pytest.mark.tmux

TMUX = shutil.which("tmux")
STORYREADER = Path(sys.executable).with_name("storyreader")
SECRET = "pwned-clipboard"
OSC_TITLE = "\x1b]0;pwned-title\x07"
OSC_CLIPBOARD = f"\x1b]52;c;{base64.b64encode(SECRET.encode()).decode()}\x07"
ATTACK = OSC_TITLE + OSC_CLIPBOARD
TITLE = "untouched-title"


class Terminal:
    """A tmux server of our own (the user's tmux is never touched) with one pane."""

    def __init__(self) -> None:
        self.socket = f"storyreader-hostile-{uuid.uuid4().hex[:12]}"

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        assert TMUX is not None
        return subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True,
                              text=True, check=check, timeout=10)  # fmt: skip

    def start(self, command: str) -> None:
        """Run ``command`` in a pane whose title is known and whose tmux obeys: OSC 52
        fills a paste buffer (set-clipboard on) and programs may rename the window."""
        self.tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "40", "sh")
        self.tmux("set-option", "-g", "set-clipboard", "on")
        self.tmux("set-option", "-g", "allow-rename", "on")
        self.tmux("set-option", "-g", "automatic-rename", "off")
        self.tmux("select-pane", "-t", "t", "-T", TITLE)
        assert self.title() == TITLE
        self.keys(f"exec {command}", "Enter")

    def title(self) -> str:
        return self.tmux("display-message", "-p", "-t", "t", "#{pane_title}").stdout.strip()

    def window_name(self) -> str:
        return self.tmux("display-message", "-p", "-t", "t", "#{window_name}").stdout.strip()

    def buffers(self) -> str:
        return self.tmux("list-buffers", "-F", "#{buffer_sample}", check=False).stdout.strip()

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "t", check=False).stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "t", *keys)

    def wait_for(self, check: Callable[[], bool], what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; the screen was:\n{self.screen()}")

    def kill(self) -> None:
        self.tmux("kill-server", check=False)


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    if TMUX is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    if not STORYREADER.exists():
        pytest.skip(f"the storyreader console script is not installed at {STORYREADER}")
    term = Terminal()
    try:
        yield term
    finally:
        term.kill()


def test_control_tmux_obeys_the_sequences_when_really_written(
    terminal: Terminal, tmp_path: Path
) -> None:
    """Without this, the test below could pass on a tmux that ignores OSC 0 / OSC 52."""
    script = tmp_path / "attack.sh"
    script.write_text(f"printf {shlex.quote(ATTACK)}\nsleep 600\n")
    terminal.start(f"sh {shlex.quote(str(script))}")
    terminal.wait_for(lambda: terminal.title() == "pwned-title", "the title to change")
    terminal.wait_for(lambda: SECRET in terminal.buffers(), "the clipboard buffer")


def _hostile_feeds(root: Path) -> list[Path]:
    json_feed = root / "hostile.json"
    json_feed.write_text(json.dumps({
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"Feed {ATTACK} title",
        "home_page_url": f"http://hostile.test/{ATTACK}",
        "items": [{
            "id": f"one{ATTACK}", "url": f"http://hostile.test/1{ATTACK}",
            "title": f"Story {ATTACK} one", "summary": f"Summary {ATTACK}",
            "content_html": f"<p>Body {ATTACK}</p><pre>{ATTACK}</pre>",
            "authors": [{"name": f"Author {ATTACK}"}], "tags": [f"tag{ATTACK}"],
        }, {
            "id": "two", "title": f"Story {ATTACK} two", "content_text": f"Text {ATTACK}",
        }],
    }))  # fmt: skip
    rss = root / "hostile.xml"
    rss.write_bytes(
        (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>RSS {ATTACK} feed</title><link>http://hostile.test/</link>"
            f"<item><title>RSS {ATTACK} story</title><link>http://hostile.test/r</link>"
            f"<description>&lt;p&gt;{ATTACK}&lt;/p&gt;</description></item></channel></rss>"
        ).encode()
    )
    return [json_feed, rss]


def test_the_real_app_on_hostile_feeds_changes_no_title_and_no_clipboard(
    terminal: Terminal, tmp_path: Path
) -> None:
    data, config = tmp_path / "data", tmp_path / "config"
    with open_library(data) as library:
        for path in _hostile_feeds(tmp_path):
            library.add_feed(str(path))
        assert library.count_articles() == 3
    status = tmp_path / "exit-status"
    command = (
        f"{shlex.quote(str(STORYREADER))} --data-dir {shlex.quote(str(data))} "
        f"--config-dir {shlex.quote(str(config))}; echo $? > {shlex.quote(str(status))}; "
        "sleep 600"
    )
    terminal.start(f"env -u COLUMNS -u LINES TERM=xterm-256color sh -c {shlex.quote(command)}")
    window = terminal.window_name()
    terminal.wait_for(lambda: "]0;pwned-title" in terminal.screen(), "the hostile titles")
    assert "Story" in terminal.screen()
    # Read every story, visit every pane, then quit.
    for keys in (["Enter"], ["j"], ["Escape", "j", "Enter"], ["Escape", "j", "Enter"],
                 ["Tab"], ["Tab"], ["Escape", "Escape", "j", "j"], ["G"]):  # fmt: skip
        terminal.keys(*keys)
        time.sleep(0.4)
        assert terminal.title() == TITLE, f"the pane title changed after {keys}"
    assert "Traceback" not in terminal.screen()
    terminal.keys("q")
    terminal.wait_for(status.exists, "storyreader to quit")
    assert status.read_text().strip() == "0"
    assert terminal.title() == TITLE
    assert terminal.window_name() == window
    assert terminal.buffers() == "", "something reached tmux's clipboard"
    with open_library(data) as library:
        assert any(a.read for a in library.articles())  # the stories were really opened
