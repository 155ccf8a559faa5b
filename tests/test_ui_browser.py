"""Opening links: ``[share] browser`` runs a real command (here a tiny Python script that
writes down its arguments); empty uses the app's ``open_url``. Used by ``o``, links in a
story and the share menu."""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

import pytest
from textual.app import App

from tests.apps.reader_app import demo_data, make_app
from tui_reader.core.config import Config, ShareConfig
from tui_reader.ui.browser import open_in_browser
from tui_reader.ui.screens.main import MainScreen
from tui_reader.ui.screens.share import ShareScreen

RECORDER = """\
import json, sys
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump(sys.argv[2:], out)
"""


class Recorder:
    """A "browser": ``python recorder.py OUT [args...]`` writes its arguments to OUT."""

    def __init__(self, folder: Path) -> None:
        self.script = folder / "recorder.py"
        self.script.write_text(RECORDER, encoding="utf-8")
        self.out = folder / "opened.json"

    def command(self, *extra: str) -> str:
        return shlex.join([sys.executable, str(self.script), str(self.out), *extra])

    def wait(self) -> list[str]:
        deadline = time.monotonic() + 20  # a slow machine starting Python; not a timing test
        while time.monotonic() < deadline:
            if self.out.exists():
                text = self.out.read_text(encoding="utf-8")
                if text:
                    return json.loads(text)
            time.sleep(0.05)
        raise AssertionError("the browser command never ran")


class BareApp(App[None]):
    """An app with a config and a recording ``open_url`` (the helper needs no more)."""

    def __init__(self, browser: str = "") -> None:
        super().__init__()
        self.config = Config(share=ShareConfig(browser=browser))
        self.opened: list[str] = []
        self.notes: list[str] = []

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        self.opened.append(url)

    def notify(self, message, *, title="", severity="information", timeout=None, markup=True):
        self.notes.append(str(message))


@pytest.fixture
def recorder(tmp_path: Path) -> Recorder:
    return Recorder(tmp_path)


def test_command_gets_the_url_as_its_last_argument_without_a_shell(recorder: Recorder,
                                                                   tmp_path: Path) -> None:
    app = BareApp(recorder.command("--new-window"))
    marker = tmp_path / "pwned"
    url = f"https://example.com/a;b?q=$(touch${{IFS}}{marker})&x=`id`|y>z"
    assert open_in_browser(app, url)
    assert recorder.wait() == ["--new-window", url]
    assert not marker.exists() and app.opened == [] and app.notes == []


def test_empty_setting_uses_the_system_browser() -> None:
    app = BareApp("")
    assert open_in_browser(app, "https://example.com/")
    assert app.opened == ["https://example.com/"]
    plain = App()  # not a storyreader app (no config): the system browser too
    opened: list[str] = []
    plain.open_url = lambda url, **kw: opened.append(url)  # type: ignore[method-assign]
    assert open_in_browser(plain, "http://example.com/x")
    assert opened == ["http://example.com/x"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x",
                                 "ftp://example.com/", "", "https://exa mple.com/"])
def test_only_web_and_mail_links_open(recorder: Recorder, url: str) -> None:
    app = BareApp(recorder.command())
    assert not open_in_browser(app, url)
    assert app.opened == [] and not recorder.out.exists()
    assert any("only http, https and mailto" in note for note in app.notes)


def test_mailto_goes_to_the_system_handler(recorder: Recorder) -> None:
    app = BareApp(recorder.command())
    assert open_in_browser(app, "mailto:someone@example.com?subject=Hi")
    assert app.opened == ["mailto:someone@example.com?subject=Hi"]
    assert not recorder.out.exists()


def test_a_broken_setting_is_reported(tmp_path: Path) -> None:
    missing = BareApp(str(tmp_path / "no-such-browser"))
    assert not open_in_browser(missing, "https://example.com/")
    assert missing.opened == [] and any("no-such-browser" in n for n in missing.notes)
    unbalanced = BareApp('firefox "--profile')
    assert not open_in_browser(unbalanced, "https://example.com/")
    assert any("[share] browser" in n for n in unbalanced.notes)


@pytest.fixture
def dirs(tmp_path: Path, recorder: Recorder) -> tuple[Path, Path]:
    data = demo_data(tmp_path / "data")
    config = tmp_path / "config"
    config.mkdir()
    text = f"[share]\nbrowser = '{recorder.command('--from-storyreader')}'\n"
    (config / "config.toml").write_text(text, encoding="utf-8")
    return data, config


@pytest.mark.asyncio
async def test_o_key_uses_the_browser_setting(dirs: tuple[Path, Path],
                                             recorder: Recorder) -> None:
    app = make_app(*dirs)
    app.open_url = lambda url, **kw: pytest.fail(f"system browser used for {url}")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        link = screen.article_list.highlighted.link
        await pilot.press("o")
        assert recorder.wait() == ["--from-storyreader", link]


@pytest.mark.asyncio
async def test_share_menu_open_in_browser_uses_the_browser_setting(
        dirs: tuple[Path, Path], recorder: Recorder) -> None:
    from tui_reader.core.share import TARGETS_BY_ID

    app = make_app(*dirs)
    app.open_url = lambda url, **kw: pytest.fail(f"system browser used for {url}")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        link = app.screen.article_list.highlighted.link
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ShareScreen)
        await pilot.press(TARGETS_BY_ID["browser"].key)
        await pilot.pause()
        assert not isinstance(app.screen, ShareScreen)
        assert recorder.wait() == ["--from-storyreader", link]
        assert any("Opening in the browser" in m for m in app.notified)
