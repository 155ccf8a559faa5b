"""The Bookmarks view and the edit dialog, driven with Textual's Pilot on a real library."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App
from textual.widgets import DataTable, Input, Select, Static, TextArea

from tests.test_bookmarks_support import article_ids, make_library
from tui_reader.ui import clipboard
from tui_reader.ui.screens.bookmark_files import PathPrompt
from tui_reader.ui.screens.bookmarks import BookmarksScreen
from tui_reader.ui.screens.edit_bookmark import EditBookmarkScreen
from tui_reader.ui.screens.share import ShareScreen


class BookmarksApp(App):
    """Hosts the Bookmarks view over a library; records copies and opened URLs."""

    def __init__(self, library) -> None:
        super().__init__()
        self.library = library
        self.copied: list[str] = []
        self.opened: list[str] = []
        self.closed_with: list[bool] = []

    def on_mount(self) -> None:
        self.push_screen(BookmarksScreen(self.library.bookmarks), self.closed_with.append)

    def copy_to_clipboard(self, text: str) -> None:
        self.copied.append(text)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        self.opened.append(url)


@pytest.fixture(autouse=True)
def no_system_clipboard(monkeypatch):
    monkeypatch.setattr(clipboard, "system_clipboard_command", lambda env=None: None)


@pytest.fixture
def lib(tmp_path):
    library, _ = make_library(tmp_path)
    ids = article_ids(library)
    library.bookmarks.add(ids["story-3"], tags=["later"], note="third note")
    library.bookmarks.add(ids["story-2"], tags=["fun"])
    library.bookmarks.add(ids["story-1"], tags=["later", "fun"])
    yield library
    library.close()


def rows(screen: BookmarksScreen) -> list[str]:
    table = screen.query_one("#bookmarks-table", DataTable)
    return [screen.bookmarks[key.value].title for key in table.rows]


def test_list_newest_first_and_filter_by_tag(lib):
    async def scenario():
        app = BookmarksApp(lib)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, BookmarksScreen)
            assert rows(screen) == ['Ünïcode & <tags> [brackets] "quotes"',
                                    "=SUM(A1:A9) looks like a formula", "Third story"]
            detail = screen.query_one("#bookmark-detail", Static)
            assert "https://news.example/a?x=1&y=2" in str(detail.render())
            select = screen.query_one("#tag-filter", Select)
            select.value = "later"
            await pilot.pause()
            assert rows(screen) == ['Ünïcode & <tags> [brackets] "quotes"', "Third story"]
            await pilot.press("down")
            await pilot.pause()
            assert "third note" in str(detail.render())
            select.value = Select.NULL
            await pilot.pause()
            assert len(rows(screen)) == 3
            # The same through the keyboard: t opens the tag list.
            await pilot.press("t")
            await pilot.pause()
            await pilot.press("down", "down", "enter")  # "All tags", then "fun"
            await pilot.pause()
            assert screen.tag == "fun"
            assert rows(screen) == ['Ünïcode & <tags> [brackets] "quotes"',
                                    "=SUM(A1:A9) looks like a formula"]

    asyncio.run(scenario())


def test_edit_note_and_tags(lib):
    async def scenario():
        app = BookmarksApp(lib)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            await pilot.press("down")  # the formula story
            target = screen.current()
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, EditBookmarkScreen)
            tags = app.screen.query_one("#edit-tags", Input)
            assert tags.value == "fun"
            tags.value = ""
            await pilot.press(*"work, fun,  work")
            await pilot.press("enter")  # to the note
            await pilot.press(*"line one", "enter", *"line two")
            assert isinstance(app.screen.focused, TextArea)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is screen
            saved = lib.bookmarks.get(target.id)
            assert saved.tags == ("work", "fun") and saved.note == "line one\nline two"
            assert screen.current().id == target.id
            assert "line two" in str(screen.query_one("#bookmark-detail", Static).render())
            # Escape cancels without saving.
            await pilot.press("e")
            await pilot.pause()
            await pilot.press("x", "escape")
            await pilot.pause()
            assert app.screen is screen
            assert lib.bookmarks.get(target.id).tags == ("work", "fun")

    asyncio.run(scenario())


def test_delete_and_undo(lib):
    async def scenario():
        app = BookmarksApp(lib)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            await pilot.press("down", "down")  # Third story
            victim = screen.current()
            assert victim.title == "Third story"
            await pilot.press("d")
            await pilot.pause()
            assert [b.title for b in lib.bookmarks.list()] == [
                'Ünïcode & <tags> [brackets] "quotes"', "=SUM(A1:A9) looks like a formula"]
            assert len(rows(screen)) == 2
            assert not lib.article(victim.article_id).bookmarked
            await pilot.press("d")  # and another one
            await pilot.pause()
            assert len(lib.bookmarks.list()) == 1
            await pilot.press("u", "u")
            await pilot.pause()
            assert len(lib.bookmarks.list()) == 3
            restored = lib.bookmarks.get(victim.id)
            assert restored == victim  # same id, note, tags, time
            assert len(rows(screen)) == 3 and screen.current().id == victim.id
            assert lib.article(victim.article_id).bookmarked
            await pilot.press("escape")
            await pilot.pause()
            assert app.closed_with == [True]

    asyncio.run(scenario())


def test_open_copy_and_share_from_the_view(lib):
    async def scenario():
        app = BookmarksApp(lib)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("o")
            await pilot.press("y")
            await pilot.pause()
            assert app.opened == ["https://news.example/a?x=1&y=2"]
            assert app.copied == ["https://news.example/a?x=1&y=2"]
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, ShareScreen)
            await pilot.press("m")
            await pilot.pause()
            assert app.copied[-1] == (
                r'[Ünïcode & <tags> \[brackets\] "quotes"](https://news.example/a?x=1&y=2)')

    asyncio.run(scenario())


def test_empty_view_and_undo_with_nothing(tmp_path):
    library, _ = make_library(tmp_path)

    async def scenario():
        with library:
            app = BookmarksApp(library)
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.pause()
                screen = app.screen
                assert rows(screen) == []
                assert "No bookmarks yet" in str(
                    screen.query_one("#bookmark-detail", Static).render())
                await pilot.press("e", "d", "u", "o", "y")
                await pilot.pause()
                assert app.screen is screen and app.opened == [] and app.copied == []

    asyncio.run(scenario())


def test_export_from_the_command_palette(lib, tmp_path):
    async def scenario():
        app = BookmarksApp(lib)
        target = tmp_path / "from-tui.csv"
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"export bookmarks csv")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, PathPrompt)
            field = app.screen.query_one("#path-input", Input)
            assert field.value.endswith("storyreader-bookmarks.csv")
            field.value = str(target)
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
        lines = target.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("id,title,link") and len(lines) == 4

    asyncio.run(scenario())
