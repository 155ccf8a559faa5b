"""Managing subscriptions in the reader: ``e`` edits a feed's title, tags and whole-stories
switch, ``D``
unsubscribes (or deletes a saved search) after a confirmation. Pilot on a real library
of local feed files; the refresh tests use the loopback server with a slow feed."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.content import Content
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Static

from tests.apps.reader_app import add_stories, main, make_app, settle, wait_until
from tests.feeds_inline import rss
from tests.loopback import LoopbackServer
from tui_reader.core.errors import NotFoundError
from tui_reader.core.library import open_library
from tui_reader.core.storage import feeds as feed_sql
from tui_reader.ui.model import ALL_KEY
from tui_reader.ui.screens.confirm import ConfirmDialog
from tui_reader.ui.screens.edit_feed import EditFeedDialog
from tui_reader.ui.screens.main import MainScreen
from tui_reader.ui.widgets.refresh_status import RefreshStatus

pytestmark = pytest.mark.asyncio

SIZE = (120, 40)
NO_DEMO = "demo_subscribed"
HOSTILE = "[bold]Evil[/bold] [@click=app.quit]quit[/] [link=https://x.test]x"


async def library_with(tmp_path: Path, titles: dict[str, str],
                       items: int = 3) -> tuple[Path, dict]:
    """A library (no demo stories) subscribed to one local RSS file per title."""
    data = tmp_path / "data"
    urls: dict[str, str] = {}
    with open_library(data) as library:
        library.set_state(NO_DEMO, True)
        for name, title in titles.items():
            path = tmp_path / f"{name}.xml"
            path.write_text(rss(title=title, items=items, prefix=name), encoding="utf-8")
            feed, _ = await library.add_feed_async(str(path))
            urls[name] = feed.url
    return data, urls


def app_for(tmp_path: Path, data: Path):
    return make_app(data, tmp_path / "config")


def text_of_widget(widget: Widget) -> str:
    width, height = widget.outer_size
    return "\n".join(strip.text.rstrip()
                     for strip in widget.render_lines(Region(0, 0, width, height)))


def text_of(screen: Screen) -> str:
    """What the screen's texts, inputs and buttons show, line by line."""
    return "\n".join(text_of_widget(w) for w in screen.query("Static, Input, Button"))


async def select(pilot: Pilot, key: str) -> MainScreen:
    screen = main(pilot)
    assert screen.feed_list.select_key(key), key
    await pilot.pause()
    return screen


def header(screen: MainScreen) -> str:
    """The story list's title, as shown."""
    return Content.from_markup(screen.article_list.border_title or "").plain


def labels(screen: MainScreen) -> list[tuple[int, str]]:
    return [(e.depth, e.source.label) for e in screen.feed_list.entries]


# -- e: edit ---------------------------------------------------------------------------


async def test_edit_title_and_tags(tmp_path: Path) -> None:
    data, urls = await library_with(tmp_path, {"alpha": "Alpha", "bravo": "Bravo"})
    app = app_for(tmp_path, data)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await select(pilot, f"feed:{urls['alpha']}")
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, EditFeedDialog)
        title = dialog.query_one("#edit-feed-title", Input)
        tags = dialog.query_one("#edit-feed-tags", Input)
        assert title.value == "" and title.placeholder == "Alpha" and tags.value == ""
        assert app.focused is title
        shown = text_of(dialog)
        assert urls["alpha"] in "".join(shown.splitlines())  # a long address wraps
        assert "Last refreshed: 20" in shown
        assert "3 stories, 3 unread" in shown
        await pilot.press(*"My Alpha")
        tags.value = "news, friends,, News"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        # Saved: in the library and in the feed list, under both new folders.
        with open_library(data) as library:
            feed = library.feed(urls["alpha"])
            assert (feed.title, feed.tags) == ("My Alpha", ("friends", "news"))
        assert labels(screen) == [
            (0, "All articles"), (0, "Unread"), (0, "Bookmarks"),
            (0, "friends"), (1, "My Alpha"), (0, "news"), (1, "My Alpha"), (0, "Bravo"),
        ]
        entry = screen.feed_list.entry
        assert entry is not None and entry.source.key == f"feed:{urls['alpha']}"
        assert header(screen) == "My Alpha"
        assert any("Saved My Alpha" in m for m in app.notified)

        # Again: the dialog shows what was saved; an empty title goes back to the feed's.
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, EditFeedDialog)
        title = dialog.query_one("#edit-feed-title", Input)
        assert title.value == "My Alpha" and title.placeholder == "Alpha"
        assert dialog.query_one("#edit-feed-tags", Input).value == "friends, news"
        title.value = "   "
        dialog.query_one("#edit-feed-tags", Input).value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        with open_library(data) as library:
            assert library.feed_titles(urls["alpha"]) == (None, "Alpha")
            assert library.feed(urls["alpha"]).tags == ()
        assert labels(screen)[3:] == [(0, "Alpha"), (0, "Bravo")]
        assert screen.feed_list.entry.source.key == f"feed:{urls['alpha']}"
        assert header(screen) == "Alpha"


async def test_invalid_tag_keeps_the_dialog_open_and_saves_nothing(tmp_path: Path) -> None:
    data, urls = await library_with(tmp_path, {"alpha": "Alpha"})
    app = app_for(tmp_path, data)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await select(pilot, f"feed:{urls['alpha']}")
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, EditFeedDialog)
        dialog.query_one("#edit-feed-title", Input).value = "Renamed"
        tags = dialog.query_one("#edit-feed-tags", Input)
        tags.value = "fine, news//tech"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog  # still open, with the core's message
        status = dialog.query_one("#edit-feed-status", Static)
        assert status.has_class("-error")
        assert "'news//tech' has an empty folder name" in text_of(dialog)
        assert app.focused is tags
        with open_library(data) as library:  # neither the title nor the good tag
            feed = library.feed(urls["alpha"])
            assert (feed.title, feed.tags) == ("Alpha", ())
        # The same check as the CLI's: too long is refused too.
        tags.value = "x" * 101
        await pilot.click("#edit-feed-save")
        await pilot.pause()
        assert app.screen is dialog and "at most 100 characters" in text_of(dialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        with open_library(data) as library:
            assert library.feed(urls["alpha"]).title == "Alpha"


async def test_e_and_d_on_what_is_not_a_feed_explain(tmp_path: Path) -> None:
    data, urls = await library_with(tmp_path, {"alpha": "Alpha"})
    with open_library(data) as library:
        library.set_feed_tags(urls["alpha"], ["news"])
    app = app_for(tmp_path, data)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in (ALL_KEY, "unread", "bookmarks", "tag:news"):
            screen = await select(pilot, key)
            await pilot.press("e", "D")
            await pilot.pause()
            assert app.screen is screen, key
        assert app.notified.count("Select a feed to edit it.") == 4
        assert app.notified.count(
            "Select a feed (or a saved search) to unsubscribe from it.") == 4
        with open_library(data) as library:
            assert len(library.feeds()) == 1


async def test_whole_stories_switch_by_keyboard(tmp_path: Path) -> None:
    data, urls = await library_with(tmp_path, {"alpha": "Alpha", "bravo": "Bravo"})
    app = app_for(tmp_path, data)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await select(pilot, f"feed:{urls['alpha']}")
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, EditFeedDialog)
        box = dialog.query_one("#edit-feed-whole", Checkbox)
        assert box.value is False
        assert "Fetch whole stories from their web pages (for a feed of excerpts)" in (
            text_of_widget(box))
        await pilot.press("tab", "tab")  # title, tags, the switch
        assert app.focused is box
        assert "▐ ▌" in text_of_widget(box)  # off: no X (colour is not enough)
        await pilot.press("space")
        assert box.value is True
        await pilot.pause()
        assert "▐X▌" in text_of_widget(box)
        await pilot.press("enter")  # saves, as in the inputs; does not toggle back
        await pilot.pause()
        assert app.screen is screen
        with open_library(data) as library:
            alpha = library.feed(urls["alpha"])
            assert (alpha.whole_stories, alpha.title, alpha.tags) == (True, "Alpha", ())
            assert library.feed(urls["bravo"]).whole_stories is False
        assert any("Saved Alpha" in m for m in app.notified)

        # Reopened: shown checked. A bad tag saves nothing, the switch neither.
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, EditFeedDialog)
        box = dialog.query_one("#edit-feed-whole", Checkbox)
        assert box.value is True
        dialog.query_one("#edit-feed-tags", Input).value = "news//tech"
        await pilot.press("tab", "tab", "space")
        assert app.focused is box and box.value is False
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and "empty folder name" in text_of(dialog)
        with open_library(data) as library:
            assert library.feed(urls["alpha"]).whole_stories is True
        # Fixed: off is saved; escape on the next visit keeps it off.
        dialog.query_one("#edit-feed-tags", Input).value = "news"
        await pilot.click("#edit-feed-save")
        await pilot.pause()
        assert app.screen is screen
        with open_library(data) as library:
            alpha = library.feed(urls["alpha"])
            assert (alpha.whole_stories, alpha.tags) == (False, ("news",))
        await pilot.press("e")
        box = app.screen.query_one("#edit-feed-whole", Checkbox)
        assert box.value is False
        box.focus()
        await pilot.press("space", "escape")
        await pilot.pause()
        assert app.screen is screen
        with open_library(data) as library:
            assert library.feed(urls["alpha"]).whole_stories is False


async def test_the_dialog_fits_80x24_with_a_long_address_and_an_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    url = "https://stories.example.test/" + "a-long-path-segment/" * 6 + "feed.xml"
    add_stories(data, url, ["one", "two"], title="Alpha")
    with open_library(data) as library:
        library.set_state(NO_DEMO, True)
        with library.storage.transaction() as conn:  # as a failed refresh leaves it
            feed_sql.record_error(conn, feed_sql.feed_id(conn, url),
                                  "the server said no, " * 12)
    app = app_for(tmp_path, data)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await select(pilot, f"feed:{url}")
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EditFeedDialog)
        assert dialog.query_one("#edit-feed-url").outer_size.height >= 3
        assert dialog.query_one("#edit-feed-error").outer_size.height == 2
        assert dialog.query_one("Vertical").max_scroll_y == 0  # all of it shows
        for widget in dialog.query("Input, Checkbox, Button, #edit-feed-status"):
            assert dialog.region.contains_region(widget.region), widget
        assert "Fetch whole stories" in text_of_widget(dialog.query_one(Checkbox))

# -- D: unsubscribe ----------------------------------------------------------------------


async def test_d_asks_first_and_n_escape_or_enter_keep_the_feed(tmp_path: Path) -> None:
    data, urls = await library_with(tmp_path, {"alpha": "Alpha"})
    app = app_for(tmp_path, data)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await select(pilot, f"feed:{urls['alpha']}")
        for answer in ("n", "escape", "enter"):
            await pilot.press("D")
            dialog = app.screen
            assert isinstance(dialog, ConfirmDialog)
            shown = text_of(dialog)
            assert "Unsubscribe from “Alpha”?" in shown
            assert "Its 3 stories (3 unread) leave the cache" in " ".join(shown.split())
            assert app.focused is dialog.query_one("#confirm-keep", Button)  # the safe one
            await pilot.press(answer)
            await pilot.pause()
            assert app.screen is screen, answer
        with open_library(data) as library:
            assert [f.title for f in library.feeds()] == ["Alpha"]
            assert library.count_articles(feed_url=urls["alpha"]) == 3


async def test_d_y_unsubscribes_keeps_bookmarks_and_closes_its_story(tmp_path: Path) -> None:
    data, urls = await library_with(tmp_path, {"alpha": "Alpha", "bravo": "Bravo",
                                         "charlie": "Charlie"})
    with open_library(data) as library:
        bravo_ids = [s.id for s in library.articles(feed_url=urls["bravo"])]
        library.bookmarks.add(bravo_ids[1], note="keep me")
    app = app_for(tmp_path, data)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await select(pilot, f"feed:{urls['bravo']}")
        await pilot.press("enter")  # the article list has the focus: open Bravo's first story
        await settle(pilot)
        assert screen.article is not None and screen.article.feed_url == urls["bravo"]
        assert screen.article_view.display
        await pilot.press("D")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        shown = " ".join(text_of(dialog).split())
        assert "Its 3 stories (2 unread) leave the cache; the one you bookmarked stays in " \
               "your bookmarks (B)." in shown
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen
        with open_library(data) as library:
            assert [f.title for f in library.feeds()] == ["Alpha", "Charlie"]
            for article_id in bravo_ids:
                with pytest.raises(NotFoundError):
                    library.article(article_id)
            assert [(b.note, b.feed_url) for b in library.bookmarks.list()] == [
                ("keep me", urls["bravo"])]
        # The highlight moved to the next feed; the removed feed's story is gone.
        assert screen.feed_list.entry.source.key == f"feed:{urls['charlie']}"
        assert header(screen) == "Charlie"
        assert screen.article_list.count == 3
        assert screen.article is None
        assert not screen.article_view.display and not screen.related_panel.display
        assert screen.query_one("#story-empty").display
        assert any(m == "Unsubscribed from Bravo: 3 stories removed, 1 bookmarked kept."
                   for m in app.notified)
        # Removing another feed leaves an open story of a feed that stays open.
        await pilot.press("enter")
        await settle(pilot)
        opened = screen.article
        assert opened is not None and opened.feed_url == urls["charlie"]
        screen.feed_list.select_key(f"feed:{urls['alpha']}")
        await pilot.press("D", "y")
        await settle(pilot)
        assert screen.article == opened and screen.article_view.display
        # The last feed, and the list is empty: the highlight goes to All articles.
        screen.feed_list.select_key(f"feed:{urls['charlie']}")
        await pilot.press("D", "y")
        await settle(pilot)
        assert screen.feed_list.entry.source.key == ALL_KEY
        assert screen.article is None
        assert "No subscriptions yet." in screen.article_list.empty_message


async def test_d_on_a_saved_search_deletes_it(tmp_path: Path) -> None:
    data, urls = await library_with(tmp_path, {"alpha": "Alpha"})
    with open_library(data) as library:
        library.save_search("first ones", "alpha")
        library.save_search("second", "title:1")
    app = app_for(tmp_path, data)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await select(pilot, "search:first ones")
        await pilot.press("D")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        shown = text_of(dialog)
        assert "Delete the saved search “first ones”?" in shown and "Query: alpha" in shown
        await pilot.press("n")
        await pilot.pause()
        with open_library(data) as library:
            assert len(library.saved_searches()) == 2
        await pilot.press("D", "y")
        await settle(pilot)
        assert app.screen is screen
        with open_library(data) as library:
            assert [s.name for s in library.saved_searches()] == ["second"]
            assert library.count_articles(feed_url=urls["alpha"]) == 3
        keys = [e.source.key for e in screen.feed_list.entries]
        assert "search:first ones" not in keys and "search:second" in keys
        assert screen.feed_list.entry.source.key == "search:second"
        assert "Deleted the saved search first ones." in app.notified


# -- while a refresh runs -------------------------------------------------------------------


async def subscribe(data: Path, server: LoopbackServer, names: list[str]) -> dict[str, str]:
    urls = {}
    with open_library(data) as library:
        library.set_state(NO_DEMO, True)
        for name in names:
            server.route(f"/{name}.xml", rss(title=name.title(), items=2, prefix=name))
            feed, _ = await library.add_feed_async(server.url(f"/{name}.xml"))
            urls[name] = feed.url
    return urls


async def test_d_and_e_during_a_refresh_are_safe(
    tmp_path: Path, feed_server: LoopbackServer
) -> None:
    data = tmp_path / "data"
    urls = await subscribe(data, feed_server, ["quick", "slow", "gone"])
    feed_server.update("/quick.xml", rss(title="Quick", items=4, prefix="quick"))
    feed_server.update("/slow.xml", rss(title="Slow", items=5, prefix="slow"), latency=3.0)
    feed_server.update("/gone.xml", rss(title="Gone", items=5, prefix="gone"), latency=3.0)
    app = app_for(tmp_path, data)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await select(pilot, f"feed:{urls['slow']}")
        status = screen.query_one(RefreshStatus)
        await pilot.press("R")
        await wait_until(pilot, lambda: status.running)
        # Title and tags of a feed being fetched: saved, and the refresh keeps them.
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, EditFeedDialog)
        dialog.query_one("#edit-feed-title", Input).value = "Renamed mid-fetch"
        dialog.query_one("#edit-feed-tags", Input).value = "later"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        # Unsubscribed while its answer is on the way: the refresh skips it.
        assert screen.feed_list.select_key(f"feed:{urls['gone']}")
        await pilot.pause()
        await pilot.press("D", "y")
        await pilot.pause()
        assert app.screen is screen
        assert status.running, "the refresh finished before the test could use it"
        await wait_until(pilot, lambda: not status.running, timeout=20)
        await settle(pilot)
        assert not any("failed" in m.lower() for m in app.notified), app.notified
        with open_library(data) as library:
            assert sorted(f.url for f in library.feeds()) == sorted(
                [urls["quick"], urls["slow"]])
            feed = library.feed(urls["slow"])
            assert (feed.title, feed.tags, feed.total) == ("Renamed mid-fetch", ("later",), 5)
            assert feed.last_error is None
            assert library.feed(urls["quick"]).total == 4
            assert library.count_articles() == 9


# -- hostile titles -------------------------------------------------------------------------


async def test_markup_in_a_feed_title_is_shown_as_typed(tmp_path: Path) -> None:
    data, urls = await library_with(tmp_path, {"evil": HOSTILE})
    app = app_for(tmp_path, data)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await select(pilot, f"feed:{urls['evil']}")
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, EditFeedDialog)
        assert dialog.query_one("#edit-feed-title", Input).placeholder == HOSTILE
        shown = " ".join(text_of(dialog).split())
        assert f"Its own title: {HOSTILE}" in shown
        title = dialog.query_one("#edit-feed-title", Input)
        drawn = text_of_widget(title)  # the placeholder, cut to the input's width
        assert "[bold]Evil[/bold] [@click=app.quit]quit[/]" in drawn
        # A hostile title of the user's own, too.
        dialog.query_one("#edit-feed-title", Input).value = "[red]Mine[/red]"
        await pilot.press("enter")
        await pilot.pause()
        assert header(screen) == "[red]Mine[/red]"
        await pilot.press("e")
        assert "[red]Mine[/red]" in text_of(app.screen)
        await pilot.press("escape")
        with open_library(data) as library:
            library.rename_feed(urls["evil"], None)
        screen.reload_feeds()
        await pilot.pause()
        await pilot.press("D")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert f"Unsubscribe from “{HOSTILE}”?" in " ".join(text_of(dialog).split())
        await pilot.press("y")
        await settle(pilot)
        assert app.is_running and app.screen is screen  # no [@click=app.quit] ran
        assert f"Unsubscribed from {HOSTILE}: 3 stories removed." in app.notified


async def test_renaming_the_feed_of_the_open_story_renames_it_in_its_header(
    tmp_path: Path,
) -> None:
    data, urls = await library_with(tmp_path, {"alpha": "Alpha"})
    app = app_for(tmp_path, data)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await select(pilot, f"feed:{urls['alpha']}")
        with open_library(data) as library:
            story = library.articles(feed_url=urls["alpha"])[0].id
        screen.open_story(story, focus=False)
        await settle(pilot)
        view = screen.article_view
        first = view.query("ArticleBlock").first()
        assert "Alpha" in text_of_widget(first)
        await pilot.press("e")
        await pilot.press(*"Harbour Almanac", "enter")
        await settle(pilot)
        assert screen.article is not None and screen.article.id == story
        assert screen.article.feed_title == "Harbour Almanac"
        assert "Harbour Almanac" in text_of_widget(view.query("ArticleBlock").first())


async def test_unsubscribing_takes_the_feeds_stories_out_of_the_related_panel(
    tmp_path: Path,
) -> None:
    data, urls = await library_with(tmp_path, {"alpha": "Alpha", "bravo": "Bravo"})
    app = app_for(tmp_path, data)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        with open_library(data) as library:
            story = library.articles(feed_url=urls["alpha"])[0].id
        screen.open_story(story, focus=False)
        await settle(pilot)
        feeds = {item.feed_url for item in screen.related_panel.items}
        assert urls["bravo"] in feeds  # the same words: the other feed's stories are related
        await select(pilot, f"feed:{urls['bravo']}")
        await pilot.press("D", "y")
        await settle(pilot)
        assert screen.article is not None and screen.article.id == story
        assert screen.related_panel.items
        assert urls["bravo"] not in {item.feed_url for item in screen.related_panel.items}
