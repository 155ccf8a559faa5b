"""The share menu and the clipboard, driven with Textual's Pilot."""

from __future__ import annotations

import asyncio
import os
import stat
import sys

import pytest
from textual.app import App
from textual.widgets import OptionList

from tui_reader.core.share import TARGETS, Shareable, qr_lines, qr_matrix
from tui_reader.ui import clipboard
from tui_reader.ui.screens.share import ShareScreen, copy_link
from tui_reader.ui.widgets.qr_code import QR_STYLE, QRCode

ITEM = Shareable(title="Rust & C: a [fair] fight?", link="https://blog.example/p?id=1&x=y")
LINK_Q = "https%3A%2F%2Fblog.example%2Fp%3Fid%3D1%26x%3Dy"
TITLE_Q = "Rust%20%26%20C%3A%20a%20%5Bfair%5D%20fight%3F"

EXPECTED = {
    "copy_link": ("copy", "https://blog.example/p?id=1&x=y"),
    "copy_markdown": ("copy", r"[Rust & C: a \[fair\] fight?](https://blog.example/p?id=1&x=y)"),
    "copy_text": ("copy", "Rust & C: a [fair] fight?\nhttps://blog.example/p?id=1&x=y"),
    "browser": ("open", "https://blog.example/p?id=1&x=y"),
    "email": ("open", f"mailto:?subject={TITLE_Q}&body={TITLE_Q}%0D%0A%0D%0A{LINK_Q}"),
    "mastodon": ("open", f"https://fosstodon.org/share?text={TITLE_Q}%20{LINK_Q}"),
    "bluesky": ("open", f"https://bsky.app/intent/compose?text={TITLE_Q}%20{LINK_Q}"),
    "reddit": ("open", f"https://www.reddit.com/submit?url={LINK_Q}&title={TITLE_Q}"),
    "hacker_news": ("open", f"https://news.ycombinator.com/submitlink?u={LINK_Q}&t={TITLE_Q}"),
    "linkedin": ("open", f"https://www.linkedin.com/sharing/share-offsite/?url={LINK_Q}"),
}


class ShareApp(App):
    """A bare app to host the share menu; records what would be copied or opened."""

    def __init__(self) -> None:
        super().__init__()
        self.copied: list[str] = []
        self.opened: list[str] = []
        self.notes: list[tuple[str, str]] = []

    def copy_to_clipboard(self, text: str) -> None:
        self.copied.append(text)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        self.opened.append(url)

    def notify(self, message, *, title="", severity="information", timeout=None, markup=True):
        self.notes.append((message, severity))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)


@pytest.fixture(autouse=True)
def no_system_clipboard(monkeypatch):
    monkeypatch.setattr(clipboard, "system_clipboard_command", lambda env=None: None)


@pytest.mark.parametrize("target", [t for t in TARGETS if t.kind != "qr"], ids=lambda t: t.id)
def test_each_share_target_by_key(target):
    asyncio.run(_test_each_share_target_by_key(target))


async def _test_each_share_target_by_key(target):
    app = ShareApp()
    async with app.run_test() as pilot:
        app.push_screen(ShareScreen(ITEM, mastodon_instance="fosstodon.org"))
        await pilot.pause()
        await pilot.press(target.key)
        await pilot.pause()
        kind, value = EXPECTED[target.id]
        if kind == "copy":
            assert app.copied == [value] and app.opened == []
            assert any(msg.startswith(f"Copied {target.copied}:") for msg, _ in app.notes)
        else:
            assert app.opened == [value] and app.copied == []
        assert not isinstance(app.screen, ShareScreen)  # the menu closed


def test_choose_with_the_cursor_and_enter():
    asyncio.run(_test_choose_with_the_cursor_and_enter())


async def _test_choose_with_the_cursor_and_enter():
    app = ShareApp()
    async with app.run_test() as pilot:
        app.push_screen(ShareScreen(ITEM))
        await pilot.pause()
        options = app.screen.query_one("#share-options", OptionList)
        assert options.option_count == len(TARGETS)
        await pilot.press("down")  # copy_link -> copy_markdown
        await pilot.press("enter")
        await pilot.pause()
        assert app.copied == [EXPECTED["copy_markdown"][1]]


def test_qr_code_is_drawn_dark_on_light():
    asyncio.run(_test_qr_code_is_drawn_dark_on_light())


async def _test_qr_code_is_drawn_dark_on_light():
    app = ShareApp()
    async with app.run_test(size=(100, 50)) as pilot:
        app.push_screen(ShareScreen(ITEM))
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ShareScreen) and screen.has_class("-qr")
        qr = screen.query_one("#share-qr", QRCode)
        assert qr.display and qr.region.height == len(qr.lines)
        assert qr.lines == qr_lines(qr_matrix(ITEM.link))
        # Every cell is black on white, whatever the theme.
        for y in range(qr.region.height):
            for segment in qr.render_line(y):
                if segment.text:
                    assert segment.style.color.triplet == QR_STYLE.color.triplet
                    assert segment.style.bgcolor.triplet == QR_STYLE.bgcolor.triplet
        assert app.copied == [] and app.opened == []
        await pilot.press("escape")  # back to the menu
        await pilot.pause()
        assert isinstance(app.screen, ShareScreen) and not app.screen.has_class("-qr")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ShareScreen)


@pytest.mark.parametrize("link", ["javascript:alert(1)", "", "file:///etc/passwd"])
def test_non_web_links_are_never_shared_or_opened(link):
    asyncio.run(_test_non_web_links_are_never_shared_or_opened(link))


async def _test_non_web_links_are_never_shared_or_opened(link):
    app = ShareApp()
    async with app.run_test() as pilot:
        app.push_screen(ShareScreen(Shareable("Bad", link)))
        await pilot.pause()
        for target in TARGETS:
            await pilot.press(target.key)
            await pilot.pause()
        assert app.copied == [] and app.opened == []
        assert isinstance(app.screen, ShareScreen)
        errors = [msg for msg, severity in app.notes if severity == "error"]
        assert len(errors) == len(TARGETS)
        assert all("link" in msg for msg in errors)
        assert not copy_link(app, Shareable("Bad", link))
        assert app.copied == []


def test_copy_reaches_the_system_clipboard(tmp_path, monkeypatch):
    asyncio.run(_test_copy_reaches_the_system_clipboard(tmp_path, monkeypatch))


async def _test_copy_reaches_the_system_clipboard(tmp_path, monkeypatch):
    if sys.platform == "win32":  # pragma: no cover
        pytest.skip("shell script stand-in")
    monkeypatch.undo()  # the real system_clipboard_command
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    out = tmp_path / "clip.txt"
    fake = bin_dir / "xclip"
    fake.write_text(f"#!/bin/sh\ncat > '{out}'\necho \"$@\" > '{out}.args'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = {"PATH": str(bin_dir), "DISPLAY": ":0"}
    assert clipboard.system_clipboard_command(env) == [str(fake), "-selection", "clipboard"]
    assert clipboard.system_clipboard_command({"PATH": str(bin_dir)}) is None  # no display
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ.get("PATH", ""))
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = ShareApp()
    async with app.run_test():
        thread = clipboard.copy_text(app, "héllo\nworld", "text")
        assert thread is not None
        thread.join(5)
    assert app.copied == ["héllo\nworld"]
    assert out.read_text(encoding="utf-8") == "héllo\nworld"
    assert (tmp_path / "clip.txt.args").read_text().strip() == "-selection clipboard"
    assert app.notes[-1][0] == "Copied text: héllo"


def test_a_hanging_clipboard_tool_times_out(tmp_path):
    slow = tmp_path / "slow"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    assert clipboard.copy_to_system("x", [str(slow)], timeout=0.2) is False
    assert clipboard.copy_to_system("x", [str(tmp_path / "missing")]) is False
