"""Pilot tests of the reader's keys, on a real library with the demo stories."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual import events

from tests.apps.reader_app import demo_data, main, make_app, settle
from tui_reader.core.config import DEFAULT_KEYS
from tui_reader.core.library import open_library
from tui_reader.ui.screens.add_feed import AddFeedDialog
from tui_reader.ui.screens.help import HelpScreen
from tui_reader.ui.screens.main import MainScreen
from tui_reader.ui.widgets.article_list import ArticleList
from tui_reader.ui.widgets.article_view import ArticleView
from tui_reader.ui.widgets.feed_list import FeedList

pytestmark = pytest.mark.asyncio

SIZE = (120, 40)
LATER = {"bookmark", "share", "copy_link", "bookmarks_view"}  # the bookmarks owner's keys


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_data(tmp_path_factory.mktemp("demo") / "data")


@pytest.fixture
def dirs(tmp_path: Path, demo_template: Path) -> tuple[Path, Path]:
    data = demo_data(tmp_path / "data", demo_template)
    return data, tmp_path / "config"


def titles_in_order(data: Path, **query) -> list[str]:
    with open_library(data) as library:
        return [s.title for s in library.articles(**query)]


# -- startup and layout ----------------------------------------------------------------


async def test_first_run_adds_demo_and_welcomes(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", tmp_path / "config")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        labels = [e.source.label for e in screen.feed_list.entries]
        assert labels[:3] == ["All articles", "Unread", "Bookmarks"]
        assert "demo" in labels and "Harbour Lights" in labels
        assert screen.article_list.count == 40
        assert any("Welcome" in m for m in app.notified)
        assert isinstance(app.focused, ArticleList)


async def test_empty_library_says_how_to_add(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with open_library(data) as library:
        library.set_state("demo_subscribed", True)  # the user removed the demo feeds
    app = make_app(data, tmp_path / "config")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        assert screen.article_list.count == 0
        text = "\n".join(screen.article_list.empty_message)
        assert "Press a to add" in text and "storyreader add URL" in text
        lines = [screen.article_list.render_line(y).text for y in range(6)]
        assert any("storyreader add URL" in line for line in lines)


# -- moving ----------------------------------------------------------------------------


async def test_next_previous_first_last(dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        articles = main(pilot).article_list
        assert articles.cursor == 0
        await pilot.press("j", "down")
        assert articles.cursor == 2
        await pilot.press("k")
        assert articles.cursor == 1
        await pilot.press("up")
        assert articles.cursor == 0
        await pilot.press("G")
        assert articles.cursor == 39
        await pilot.press("g")
        assert articles.cursor == 0
        await pilot.press("end")
        assert articles.cursor == 39
        await pilot.press("home")
        assert articles.cursor == 0


async def test_tab_cycles_panes_and_escape_goes_back(dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        assert app.focused is screen.article_list
        await pilot.press("tab")  # no story open yet: back round to the feeds
        assert app.focused is screen.feed_list
        await pilot.press("tab")
        assert app.focused is screen.article_list
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is screen.article_view
        await pilot.press("shift+tab")
        assert app.focused is screen.article_list
        await pilot.press("tab")
        assert app.focused is screen.article_view
        await pilot.press("escape")
        assert app.focused is screen.article_list
        await pilot.press("escape")
        assert app.focused is screen.feed_list
        await pilot.press("escape")  # nothing further back: stays
        assert app.focused is screen.feed_list
        assert not app._exit


async def test_feed_selection_and_folders(dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("escape")  # to the feed list
        feeds = screen.feed_list
        assert app.focused is feeds
        await pilot.press("j")  # Unread
        assert screen.article_list.key == "unread"
        await pilot.press("j", "j")  # Bookmarks, then the demo folder
        entry = feeds.entry
        assert entry is not None and entry.folder and entry.source.tag == "demo"
        assert screen.article_list.count == 40
        await pilot.press("enter")  # closes the folder
        assert "demo" in feeds.collapsed
        assert not any(e.feed for e in feeds.entries)
        await pilot.press("enter")  # opens it again
        assert sum(1 for e in feeds.entries if e.feed) == 5
        await pilot.press("j")  # first feed: Field Notes
        assert feeds.entry is not None and feeds.entry.source.label == "Field Notes"
        assert screen.article_list.count == 8
        await pilot.press("enter")
        assert app.focused is screen.article_list
        assert screen.article_list.border_title == "Field Notes"


# -- reading ---------------------------------------------------------------------------


async def test_enter_opens_story_and_marks_it_read(dirs: tuple[Path, Path]) -> None:
    data, config = dirs
    first = titles_in_order(data)[0]
    app = make_app(data, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("enter")
        await settle(pilot)
        view = screen.query_one(ArticleView)
        assert view.article is not None and view.article.title == first
        assert app.focused is view
        assert screen.article_list.highlighted is not None
        assert screen.article_list.highlighted.read
        assert screen.feed_list.entries[0].unread == 39
        with open_library(data) as library:
            assert library.article(view.article.id).read


async def test_space_pages_the_story(dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("enter")
        await settle(pilot)
        view = screen.article_view
        assert view.scroll_y == 0 and view.max_scroll_y > 0
        await pilot.press("space")
        await pilot.pause()
        assert view.scroll_y > 0
        await pilot.press("escape")
        top = view.scroll_y
        await pilot.press("space")  # from the list, space still pages the open story
        await pilot.pause()
        assert view.scroll_y > top


async def test_next_and_previous_unread(dirs: tuple[Path, Path]) -> None:
    data, config = dirs
    with open_library(data) as library:
        ids = [s.id for s in library.articles(limit=4)]
        library.set_read(ids[1:3], True)  # rows 1 and 2 read: n after row 0 skips to 3
    app = make_app(data, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        articles = screen.article_list
        await pilot.press("n")  # the highlighted story is unread and not open yet
        await settle(pilot)
        assert articles.cursor == 0
        assert screen.article is not None and screen.article.id == ids[0]
        await pilot.press("n")
        await settle(pilot)
        assert articles.cursor == 3
        assert screen.article is not None and screen.article.id == ids[3]
        await pilot.press("p")  # rows 0-2 are read now
        await settle(pilot)
        assert articles.cursor == 3
        assert any("No more unread" in m for m in app.notified)
        await pilot.press("escape", "g", "m", "j", "j", "j")  # row 0 unread again
        await pilot.press("p")
        await settle(pilot)
        assert articles.cursor == 0
        assert screen.article is not None and screen.article.id == ids[0]


async def test_toggle_read_and_mark_feed_read(dirs: tuple[Path, Path]) -> None:
    data, config = dirs
    app = make_app(data, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        articles = screen.article_list
        await pilot.press("m")
        assert articles.highlighted is not None and articles.highlighted.read
        assert screen.feed_list.entries[0].unread == 39
        await pilot.press("m")
        assert not articles.highlighted.read
        assert screen.feed_list.entries[0].unread == 40
        await pilot.press("A")
        await pilot.pause()
        assert screen.feed_list.entries[0].unread == 0
        assert all(not e.unread for e in screen.feed_list.entries)
    with open_library(data) as library:
        assert library.count_articles(unread=True) == 0


async def test_read_story_keeps_its_place_in_unread(dirs: tuple[Path, Path]) -> None:
    data, config = dirs
    app = make_app(data, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        screen.feed_list.select_key("unread")
        await pilot.pause()
        articles = screen.article_list
        before = [articles.summary_at(i).id for i in range(articles.count)]
        await pilot.press("m", "j", "m", "j")
        articles._pages.clear()  # force re-fetching with two stories now read
        after = [articles.summary_at(i).id for i in range(articles.count)]
        assert after == before  # nothing skipped, nothing shown twice
        assert articles.summary_at(0).read and articles.summary_at(1).read


async def test_open_in_browser_only_web_links(dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs)
    opened: list[str] = []
    app.open_url = lambda url, **kw: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        link = screen.article_list.highlighted.link
        await pilot.press("o")
        assert opened == [link] and link.startswith("https://")
        screen.open_link("javascript:alert(1)")
        screen.open_link("file:///etc/passwd")
        assert opened == [link]


async def test_slash_opens_search(dirs: tuple[Path, Path]) -> None:
    """``/`` opens the search (its own tests cover what it finds); escape comes back."""
    app = make_app(*dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("slash")
        await pilot.pause()
        assert app.screen is not screen and type(app.screen).__name__.startswith("Search")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_help_lists_every_binding(dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(app.screen.key_table())
        text = console.export_text()
        assert "Next unread story" in text and "Refresh every feed" in text
        for binding_id in set(DEFAULT_KEYS) - LATER:
            assert binding_id in text, binding_id
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_help_lists_the_search_and_bookmarks_keys_apart(dirs: tuple[Path, Path]) -> None:
    from tui_reader.ui.commands import ReaderCommands

    app = make_app(*dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        palette = [title for title, _help, _run in ReaderCommands(app.screen)._commands()]
        await pilot.press("question_mark")
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(app.screen.key_table())
        text = console.export_text()
        search = text.index("In the search")
        bookmarks = text.index("In the bookmarks view")
        assert text.index("Anywhere") < search < bookmarks
        search_part, bookmarks_part = text[search:bookmarks], text[bookmarks:]
        assert "^s" in search_part and "Save the query as a feed" in search_part
        for key, words in (("t", "Show only the bookmarks with a tag"),
                           ("e", "Edit the bookmark's note and tags"),
                           ("d", "Delete the bookmark"),
                           ("u", "Bring the last deleted bookmark back")):
            assert any(line.split()[:1] == [key] and words in line
                       for line in bookmarks_part.splitlines()), key
        assert "Share the story" in text[:search]  # the reader's s, its own row
    # The palette runs actions on the reader screen: none of these screens' keys.
    assert not {"Save the query as a feed in the feed list", "Delete the bookmark",
                "Share the bookmark", "Back to the reader"} & set(palette)
    assert "Share the story" in palette


async def test_quit_saves_state_and_restores_it(dirs: tuple[Path, Path]) -> None:
    data, config = dirs
    app = make_app(data, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("escape", "j", "j", "j", "j", "j")  # Harbour Lights
        assert screen.feed_list.source.label == "Harbour Lights"
        await pilot.press("enter", "j", "j", "enter")
        await settle(pilot)
        opened = screen.article.id
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    again = make_app(data, config)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        assert screen.feed_list.source.label == "Harbour Lights"
        assert screen.article_list.cursor == 2
        assert screen.article is not None and screen.article.id == opened


async def test_keys_from_config(tmp_path: Path, demo_template: Path) -> None:
    data = demo_data(tmp_path / "data", demo_template)
    app = make_app(data, tmp_path / "config",
                   config_text='[keys]\nnext = "ctrl+n"\nquit = "Q"\n')
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        articles = main(pilot).article_list
        await pilot.press("ctrl+n")
        assert articles.cursor == 1
        await pilot.press("j")  # no longer bound
        assert articles.cursor == 1
        await pilot.press("q")
        await pilot.pause()
        assert not app._exit
        await pilot.press("Q")
        await pilot.pause()
    assert app.return_code == 0


async def test_unbound_keys_do_nothing_but_stay_in_the_palette(
    tmp_path: Path, demo_template: Path
) -> None:
    from tui_reader.ui.commands import ReaderCommands

    data = demo_data(tmp_path / "data", demo_template)
    app = make_app(data, tmp_path / "config",
                   config_text='[keys]\nnext_unread = ""\nsearch = ""\nquit = ""\n')
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("n", "slash")
        await pilot.pause()
        assert app.screen is screen and screen.article is None
        footer_actions = {b.binding.action for b in app.active_bindings.values()
                          if b.enabled and b.binding.show}
        assert "next_unread" not in footer_actions and "toggle_read" in footer_actions
        await pilot.press("question_mark")
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(app.screen.key_table())
        assert "(unbound)" in console.export_text()
        await pilot.press("escape")
        provider = ReaderCommands(app.screen)
        [run] = [r for _t, h, r in provider._commands() if h.endswith("next_unread")]
        run()
        await settle(pilot)
        assert screen.article is not None  # the palette still runs it
        await pilot.press("q")
        await pilot.pause()
        assert not app._exit
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_mouse_click_selects_then_opens(dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        articles = screen.article_list
        await pilot.click(ArticleList, offset=(10, 4))  # border + row 3
        await pilot.pause()
        assert articles.cursor == 3
        assert screen.article is None
        await pilot.click(ArticleList, offset=(10, 4))
        await settle(pilot)
        assert screen.article is not None
        assert screen.article.id == articles.summary_at(3).id
        await pilot.press("escape")  # reading folds the feed pane away; escape brings it back
        await pilot.click(FeedList, offset=(5, 2))  # "Unread"
        await pilot.pause()
        assert screen.article_list.key == "unread"
        # The mouse wheel (Pilot has no helper for it).
        await pilot._post_mouse_events([events.MouseScrollDown], ArticleList, (10, 4), times=3)
        await pilot.pause()
        assert screen.article_list.scroll_y > 0


async def test_command_palette_lists_every_action(dirs: tuple[Path, Path]) -> None:
    from tui_reader.ui.commands import ReaderCommands

    app = make_app(*dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        provider = ReaderCommands(app.screen)
        helps = [help_text for _title, help_text, _run in provider._commands()]
        ids = [h.split("·")[-1].strip() for h in helps]
        for binding_id in set(DEFAULT_KEYS) - LATER:
            assert binding_id in ids, binding_id
        run = provider._commands()[ids.index("toggle_read")][2]
        run()
        await pilot.pause()
        assert main(pilot).article_list.highlighted.read


async def test_add_feed_dialog_escape_cancels(dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        assert isinstance(app.screen, AddFeedDialog)
        await pilot.press("enter")  # empty address: explained, dialog stays
        await pilot.pause()
        assert isinstance(app.screen, AddFeedDialog)
        assert "address" in str(app.screen.query_one("#add-status").render())
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
