"""The real ``storyreader`` console script in a real terminal (tmux): first run adds the
demo stories, enter opens one, q quits cleanly. Skipped when tmux is not installed."""

from __future__ import annotations

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
SCRIPT = Path(sys.executable).with_name("storyreader")


class Tmux:
    """One tmux session on a private server socket (the user's tmux is never touched)."""

    def __init__(self, width: int, height: int) -> None:
        self.socket = f"storyreader-test-{uuid.uuid4().hex[:12]}"
        self.session = "reader"
        self.width, self.height = width, height

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        assert TMUX is not None
        return subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True,
                              text=True, check=check, timeout=10)

    def start(self, command: str) -> None:
        self.run("new-session", "-d", "-s", self.session, "-x", str(self.width),
                 "-y", str(self.height), command)

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def screen(self) -> str:
        result = self.run("capture-pane", "-p", "-t", self.session, check=False)
        return result.stdout

    def alive(self) -> bool:
        return self.run("has-session", "-t", self.session, check=False).returncode == 0

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")

    def kill(self) -> None:
        self.run("kill-server", check=False)


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    if TMUX is None:
        pytest.skip("tmux is not installed (apt-get install tmux); the real-terminal test "
                    "needs it")
    if not SCRIPT.exists():
        pytest.skip(f"the storyreader console script is not installed at {SCRIPT}")
    session = Tmux(120, 40)
    try:
        yield session
    finally:
        session.kill()


def test_real_app_in_tmux(tmux: Tmux, tmp_path: Path) -> None:
    data, config = tmp_path / "data", tmp_path / "config"
    status = tmp_path / "exit-status"
    # Textual draws on stderr, so it is not redirected; the exit status goes to a file.
    command = (
        f"{shlex.quote(str(SCRIPT))} --data-dir {shlex.quote(str(data))} "
        f"--config-dir {shlex.quote(str(config))}; echo $? > {shlex.quote(str(status))}"
    )
    # COLUMNS/LINES may be inherited from the test runner: the pane size must win.
    tmux.start(f"env -u COLUMNS -u LINES TERM=xterm-256color sh -c {shlex.quote(command)}")
    screen = tmux.wait_for(lambda s: "Harbour Lights" in s and "Welcome to storyreader" in s,
                           "the demo feeds and the welcome")
    assert len(screen.splitlines()[0]) == 120, "the app did not get the 120x40 terminal"

    with open_library(data) as library:
        first = library.articles(limit=1)[0]
    assert first.title in screen  # in the story list

    tmux.keys("Enter")
    screen = tmux.wait_for(lambda s: first.author in s and "Tags:" in s, "the open story")
    assert screen.count(first.title) >= 2  # the list row and the story's own title
    assert "Traceback" not in screen

    tmux.keys("q")
    deadline = time.monotonic() + 15
    while not status.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status.exists(), f"storyreader did not quit; the screen was:\n{tmux.screen()}"
    assert status.read_text().strip() == "0"
    deadline = time.monotonic() + 5
    while tmux.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not tmux.alive(), "the tmux session did not end with the app"
    with open_library(data) as library:
        assert library.article(first.id).read
        assert library.get_state("ui.article")["id"] == first.id
