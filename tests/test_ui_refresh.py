"""Refreshing in the background: keys keep working, progress shows, errors are marked,
new stories appear as their feeds finish, and x stops it. Feeds come from a loopback
server with per-route latency (tests/loopback.py)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.apps.reader_app import main, make_app, wait_until
from tests.feeds_inline import rss
from tests.loopback import LoopbackServer
from tui_reader.core.library import open_library
from tui_reader.ui.screens.add_feed import AddFeedDialog
from tui_reader.ui.screens.main import MainScreen
from tui_reader.ui.widgets.reader_footer import ReaderFooter
from tui_reader.ui.widgets.refresh_status import RefreshStatus

pytestmark = pytest.mark.asyncio

SIZE = (120, 40)
NO_DEMO = "demo_subscribed"


async def subscribe(data: Path, server: LoopbackServer, names: list[str], items: int = 2) -> None:
    """Subscribe loopback feeds (fetched once, quickly); no demo stories."""
    with open_library(data) as library:
        library.set_state(NO_DEMO, True)
        for name in names:
            server.route(f"/{name}.xml", rss(title=name.title(), items=items, prefix=name))
            await library.add_feed_async(server.url(f"/{name}.xml"))


async def test_refresh_all_in_background(tmp_path: Path, feed_server: LoopbackServer) -> None:
    names = ["alpha", "bravo", "charlie", "delta"]
    await subscribe(tmp_path / "data", feed_server, names)
    # More stories now, slowly (charlie much later than the others); one feed breaks.
    latency = {"alpha": 2.0, "bravo": 2.5, "charlie": 6.0}
    for name in names:
        if name == "delta":
            feed_server.route("/delta.xml", "gone", status=500, latency=0.3)
        else:
            feed_server.update(f"/{name}.xml", rss(title=name.title(), items=5, prefix=name),
                               latency=latency[name])
    app = make_app(tmp_path / "data", tmp_path / "config")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(pilot)
        status = screen.query_one(RefreshStatus)
        assert screen.article_list.count == 8
        await pilot.press("R")
        await pilot.pause()
        assert status.running and status.total == 4
        footer = screen.query_one(ReaderFooter)
        assert status.region.height == 1 and not status.region.overlaps(footer.region)
        # Keys keep working while the feeds load.
        await pilot.press("j", "j")
        assert screen.article_list.cursor == 2
        await pilot.press("escape", "j")
        assert screen.feed_list.cursor == 1
        await pilot.press("k", "tab")
        assert status.running, "the refresh finished before the keys were tested"
        # New stories show up as their feeds finish, before the whole refresh ends.
        await wait_until(pilot, lambda: screen.article_list.count > 8)
        assert status.running
        await wait_until(pilot, lambda: not status.running, timeout=20)
        assert screen.article_list.count == 3 * 5 + 2
        delta = next(e for e in screen.feed_list.entries if e.source.label == "Delta")
        assert delta.error
        index = screen.feed_list.entries.index(delta)
        assert screen.feed_list.render_row(index, 30).plain.lstrip().startswith("!")
        messages = app.notified
        assert any("Delta" in m and "500" in m for m in messages)
        assert any("1 failed" in m for m in messages)


async def test_cancel_refresh(tmp_path: Path, feed_server: LoopbackServer) -> None:
    await subscribe(tmp_path / "data", feed_server, ["quick", "slow"])
    feed_server.update("/quick.xml", rss(title="Quick", items=4, prefix="quick"))
    feed_server.update("/slow.xml", rss(title="Slow", items=4, prefix="slow"), latency=30)
    app = make_app(tmp_path / "data", tmp_path / "config")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(pilot)
        status = screen.query_one(RefreshStatus)
        await pilot.press("R")
        await wait_until(pilot, lambda: status.done == 1)
        await pilot.press("x")  # the slow feed would take 30 s
        await wait_until(pilot, lambda: not status.running, timeout=10)
        assert any("stopped" in m for m in app.notified)
        assert screen.article_list.count == 4 + 2  # quick's new stories stayed


async def test_refresh_selected_feed(tmp_path: Path, feed_server: LoopbackServer) -> None:
    await subscribe(tmp_path / "data", feed_server, ["one", "two"])
    feed_server.update("/one.xml", rss(title="One", items=3, prefix="one"))
    feed_server.update("/two.xml", rss(title="Two", items=3, prefix="two"))
    app = make_app(tmp_path / "data", tmp_path / "config")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(pilot)
        screen.feed_list.select_key(f"feed:{feed_server.url('/one.xml')}")
        await pilot.pause()
        assert screen.article_list.count == 2
        feed_server.reset_stats()
        await pilot.press("r")
        status = screen.query_one(RefreshStatus)
        await wait_until(pilot, lambda: not status.running and screen.article_list.count == 3)
        assert feed_server.requests_for("/one.xml")
        assert not feed_server.requests_for("/two.xml")


async def test_add_feed_dialog(tmp_path: Path, feed_server: LoopbackServer) -> None:
    with open_library(tmp_path / "data") as library:
        library.set_state(NO_DEMO, True)
    feed_server.route("/news.xml", rss(title="Harbour News", items=3))
    feed_server.route("/page.html", "<!doctype html><title>x</title><p>no feed here</p>",
                      content_type="text/html; charset=utf-8")
    app = make_app(tmp_path / "data", tmp_path / "config")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(pilot)
        await pilot.press("a")
        dialog = app.screen
        assert isinstance(dialog, AddFeedDialog)
        await pilot.press(*feed_server.url("/page.html"), "enter")
        status = dialog.query_one("#add-status")
        await wait_until(pilot, lambda: status.has_class("-error"))
        assert "links to no feed" in str(status.render())
        assert app.screen is dialog
        url_input = dialog.query_one("#add-url")
        url_input.value = feed_server.url("/news.xml")
        await pilot.press("tab", *"local, news", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        await asyncio.sleep(0)
        entry = screen.feed_list.entry
        assert entry is not None and entry.source.label == "Harbour News"
        assert screen.article_list.count == 3
        assert "local" in {e.source.label for e in screen.feed_list.entries if e.folder}
        assert any("Subscribed to Harbour News" in m for m in app.notified)


async def test_quit_during_refresh(tmp_path: Path, feed_server: LoopbackServer) -> None:
    await subscribe(tmp_path / "data", feed_server, ["stuck"])
    feed_server.route("/stuck.xml", "", behavior="hang")
    app = make_app(tmp_path / "data", tmp_path / "config")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        status = main(pilot).query_one(RefreshStatus)
        await pilot.press("R")
        await wait_until(pilot, lambda: status.running)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    # The refresh thread saw the cancel and let go of the hanging connection.
    deadline = time.monotonic() + 10
    while feed_server._active and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert feed_server._active == 0


async def test_feed_text_in_notifications_is_never_markup(
    tmp_path: Path, feed_server: LoopbackServer
) -> None:
    """A title like "[/] [link=…]" would crash or restyle a markup notification."""
    with open_library(tmp_path / "data") as library:
        library.set_state(NO_DEMO, True)
    title = "Odd [/] feed [link=https://evil.test]click[/link] [bold"
    feed_server.route("/odd.xml", rss(title=title, items=1))
    app = make_app(tmp_path / "data", tmp_path / "config")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        app.screen.query_one("#add-url").value = feed_server.url("/odd.xml")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        feed_server.route("/odd.xml", "broken", status=500)
        await pilot.press("r")
        status = main(pilot).query_one(RefreshStatus)
        await wait_until(pilot, lambda: any("HTTP 500" in m for m in app.notified))
        await wait_until(pilot, lambda: not status.running)
        await pilot.pause(0.2)  # the toasts are drawn
        shown = [n for n in app._notifications if "[/]" in n.message]
        assert shown and not any(n.markup for n in shown)
        assert any(f"Subscribed to {title}" in m for m in app.notified)
        assert any(m.startswith(f"{title}: HTTP 500") for m in app.notified)
