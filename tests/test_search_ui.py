"""Type-ahead search in Pilot: on its own in a small app, then in the real reader."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from rich.text import Text
from textual.app import App
from textual.pilot import Pilot

from tests.test_search_corpus import build_library
from tui_reader.core.search import match_spans, parse_query
from tui_reader.ui.screens.search import SaveSearchDialog, SearchOutcome, SearchScreen
from tui_reader.ui.widgets.search_results import highlighted

pytestmark = pytest.mark.asyncio


class SearchApp(App[None]):
    """Just the search screen over a library; remembers what it was dismissed with."""

    def __init__(self, library) -> None:
        super().__init__()
        self.library = library
        self.outcomes: list[SearchOutcome | None] = []
        self.notified: list[str] = []

    def notify(self, message: str, **kwargs) -> None:
        self.notified.append(message)
        super().notify(message, **kwargs)

    def open_search(self, query: str = "") -> None:
        self.push_screen(SearchScreen(self.library, query), self.outcomes.append)


@pytest.fixture
def library(tmp_path: Path):
    lib = build_library(tmp_path / "data")
    yield lib
    lib.close()


async def settle(pilot: Pilot) -> None:
    """Past the typing pause, the worker done, its answer shown."""
    await pilot.pause(0.25)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def titles(screen: SearchScreen) -> list[str]:
    return [hit.article.title for hit in screen.results.hits]


async def test_results_appear_as_you_type_and_enter_opens(library) -> None:
    app = SearchApp(library)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_search()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert screen.results.hits == []  # the syntax hint until something is typed
        await pilot.press(*"keep")
        await settle(pilot)
        assert titles(screen) == []  # a whole word: "keep" is not "keeper"
        await pilot.press("asterisk")
        await settle(pilot)
        assert set(titles(screen)) == {"The lighthouse keeper's last night",
                                        "Fog over the harbour", "Keeping watch"}
        assert "3 stories" in str(screen.query_one("#search-status").render())
        await pilot.press(*" -storm")
        await settle(pilot)
        assert set(titles(screen)) == {"The lighthouse keeper's last night", "Keeping watch"}
        await pilot.press("down")
        assert screen.results.cursor == 1
        assert app.focused is screen.input  # typing goes on in the query
        expected = screen.results.hits[1].article.id
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not screen
        (outcome,) = app.outcomes
        assert outcome is not None and outcome.article_id == expected
        assert outcome.query == "keep* -storm"
        assert [t.tokens for t in outcome.terms] == [("keep",)]


async def test_escape_returns_nothing_and_errors_keep_results(library) -> None:
    app = SearchApp(library)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_search("soup")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert titles(screen) == ["A café at midnight"]
        assert screen.input.selected_text == "soup"  # typing replaces the last query
        await pilot.press("end", *' "unclosed')
        await settle(pilot)
        status = screen.query_one("#search-status")
        assert status.has_class("-error") and "unbalanced quote" in str(status.render())
        assert titles(screen) == ["A café at midnight"]  # the last good answer stays
        await pilot.press("escape")
        await pilot.pause()
        assert app.outcomes == [None] and not isinstance(app.screen, SearchScreen)


async def test_stale_answers_are_dropped(library) -> None:
    release = threading.Event()
    real_search = library.search

    def slow_search(text: str, **kw):
        if text == "lighthouse":  # the first query hangs until released
            release.wait(5)
        return real_search(text, **kw)

    library.search = slow_search
    app = SearchApp(library)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_search()
        await pilot.pause()
        screen = app.screen
        await pilot.press(*"lighthouse")
        await pilot.pause(0.3)  # its worker is now waiting
        await pilot.press(*" -keeper")
        await pilot.pause(0.3)
        await pilot.pause()
        assert titles(screen) == ["Keeping watch"]  # the newer query answered first
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert titles(screen) == ["Keeping watch"]  # the old answer did not replace it


async def test_ctrl_s_saves_the_query(library) -> None:
    app = SearchApp(library)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_search("trooper*")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SaveSearchDialog)
        await pilot.press(*"Troopers", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        (saved,) = library.saved_searches()
        assert (saved.name, saved.query, saved.total) == ("Troopers", "trooper*", 2)
        assert any(m.startswith("Saved 'Troopers'") for m in app.notified), app.notified


async def test_saving_waits_for_the_write_lock_off_the_ui_thread(library) -> None:
    """A refresh holding the write lock: the UI keeps going while the save waits for it,
    then the save lands and says so (it used to block the UI thread on the lock)."""
    app = SearchApp(library)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_search("trooper*")
        await settle(pilot)
        writer = sqlite3.connect(library.storage.library_path, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")  # as a refresh's commit would
            await pilot.press("ctrl+s")
            await pilot.pause()
            await pilot.press(*"Troopers", "enter")
            await pilot.pause(0.2)
            assert isinstance(app.screen, SearchScreen)
            await pilot.press("escape")  # keys still work: the search closes
            await pilot.pause()
            assert app.outcomes == [None]
            assert library.saved_searches() == []  # still waiting for the lock
            assert not any(m.startswith("Saved") for m in app.notified)
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        await settle(pilot)
        (saved,) = library.saved_searches()
        assert saved.name == "Troopers"
        assert any(m.startswith("Saved 'Troopers'") for m in app.notified), app.notified


async def test_a_failed_save_says_why(library) -> None:
    app = SearchApp(library)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_search("trooper*")
        await settle(pilot)
        app.screen._save("x" * 81, "trooper*")  # the dialog lets any name through
        await settle(pilot)
        assert library.saved_searches() == []
        assert any("at most 80 characters" in m for m in app.notified), app.notified


async def test_matches_are_styled_in_rows() -> None:
    terms = parse_query("keep*").highlight_terms
    text = highlighted("The Keepers keep", terms, match="bold")
    assert [text.plain[s.start:s.end] for s in text.spans] == ["Keepers", "keep"]
    assert match_spans("The Keepers keep", terms) == [(4, 11), (12, 16)]


# -- in the real reader ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.apps.reader_app import demo_data

    return demo_data(tmp_path_factory.mktemp("search-demo") / "data")


@pytest.fixture
def reader(tmp_path: Path, demo_template: Path):
    from tests.apps.reader_app import demo_data, make_app

    data = demo_data(tmp_path / "data", demo_template)
    return make_app(data, tmp_path / "config")


async def wait(pilot: Pilot) -> None:
    await pilot.pause(0.25)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_slash_searches_and_opens_in_the_reader(reader) -> None:
    from tui_reader.ui.screens.main import MainScreen
    from tui_reader.ui.widgets.article_list import ArticleList

    async with reader.run_test(size=(120, 40)) as pilot:
        await wait(pilot)
        main = reader.screen
        assert isinstance(main, MainScreen) and isinstance(reader.focused, ArticleList)
        cursor = main.article_list.cursor
        # escape goes back to where you were
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(reader.screen, SearchScreen)
        await pilot.press(*"bread", "escape")
        await pilot.pause()
        assert reader.screen is main and isinstance(reader.focused, ArticleList)
        assert main.article_list.cursor == cursor and main.article is None
        # enter opens the highlighted result in the reader, its words marked
        await pilot.press("slash")
        await pilot.pause()
        search = reader.screen
        assert isinstance(search, SearchScreen)
        await pilot.press(*"telescope")
        await wait(pilot)
        assert titles(search)[0] == "A Telescope in a Shoebox"
        await pilot.press("enter")
        await wait(pilot)
        assert reader.screen is main
        assert main.article is not None and main.article.title == "A Telescope in a Shoebox"
        assert main.article.read
        view = main.article_view
        assert [t.tokens for t in view._highlight] == [("telescope",)]
        header = view._renderer().matches(Text(main.article.title))
        assert [header.plain[s.start:s.end] for s in header.spans] == ["Telescope"]
        # the next search starts from the last query (selected: typing replaces it)
        await pilot.press("escape", "slash")
        await pilot.pause()
        assert reader.screen.input.value == "telescope"
        await pilot.press("escape")
        await pilot.pause()
        # a story opened from a list is shown without marks
        await pilot.press("enter")
        await wait(pilot)
        assert main.article_view._highlight == ()


async def test_saved_search_is_a_virtual_feed_with_unread_counts(reader) -> None:
    from tui_reader.ui.screens.main import MainScreen

    async with reader.run_test(size=(120, 40)) as pilot:
        await wait(pilot)
        main = reader.screen
        assert isinstance(main, MainScreen)
        library = reader.library
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"title:bread OR title:lantern")
        await wait(pilot)
        await pilot.press("ctrl+s", *"Baking", "enter")
        await pilot.pause()
        await pilot.press("escape")
        await wait(pilot)
        entries = {e.source.key: e for e in main.feed_list.entries}
        entry = entries["search:Baking"]
        expected = library.count_search("title:bread OR title:lantern")
        assert expected >= 3 and entry.unread == expected  # every demo story starts unread
        labels = [e.source.label for e in main.feed_list.entries]
        assert labels[:4] == ["All articles", "Unread", "Bookmarks", "Baking"]
        # choosing it lists its stories, newest first, like a feed
        assert main.feed_list.select_key("search:Baking")
        await wait(pilot)
        rows = [main.article_list.summary_at(i) for i in range(main.article_list.count)]
        assert [r.id for r in rows] == [a.id for a in library.search_articles(
            "title:bread OR title:lantern")]
        # reading one lowers its count
        main.focus_pane(main.article_list)
        await pilot.press("enter")
        await wait(pilot)
        entry = next(e for e in main.feed_list.entries if e.source.key == "search:Baking")
        assert entry.unread == expected - 1
        # "mark all read" on it marks just its stories
        unread_before = library.count_articles(unread=True)
        await pilot.press("escape", "A")
        await wait(pilot)
        entry = next(e for e in main.feed_list.entries if e.source.key == "search:Baking")
        assert entry.unread == 0
        assert library.count_articles(unread=True) == unread_before - (expected - 1)
