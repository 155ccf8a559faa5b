"""``b``, ``s``, ``y`` and ``B`` in the real reader (Pilot), on a real library."""

from __future__ import annotations

import asyncio

import pytest

from tests.test_bookmarks_support import article_ids, make_library
from tui_reader.ui import clipboard
from tui_reader.ui.run import build_app
from tui_reader.ui.screens.bookmarks import BookmarksScreen
from tui_reader.ui.screens.share import ShareScreen

CONFIG = '[share]\nmastodon_instance = "fosstodon.org"\n'


@pytest.fixture(autouse=True)
def no_system_clipboard(monkeypatch):
    monkeypatch.setattr(clipboard, "system_clipboard_command", lambda env=None: None)


@pytest.fixture
def dirs(tmp_path):
    library, _ = make_library(tmp_path)
    ids = article_ids(library)
    library.close()
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path / "data", config, ids


def recording_app(data, config):
    app = build_app(data, config)
    app.copied, app.opened, app.notes = [], [], []
    app.copy_to_clipboard = app.copied.append
    app.open_url = lambda url, new_tab=True: app.opened.append(url)
    notify = app.notify

    def record(message, **kwargs):
        app.notes.append((message, kwargs.get("severity", "information")))
        notify(message, **kwargs)

    app.notify = record
    return app


async def highlight(app, pilot, guid: str, ids: dict[str, int]) -> None:
    """Move the story list's cursor to the story ``guid``."""
    screen = app.screen
    for _ in range(10):
        summary = screen.article_list.highlighted
        if summary is not None and summary.id == ids[guid]:
            return
        await pilot.press("j")
        await pilot.pause()
    raise AssertionError(f"could not reach {guid}")


def test_b_toggles_the_bookmark_of_the_selected_story(dirs):
    data, config, ids = dirs

    async def scenario():
        app = recording_app(data, config)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            await highlight(app, pilot, "story-3", ids)
            await pilot.press("b")
            await pilot.pause()
            [bookmark] = app.library.bookmarks.list()
            assert bookmark.title == "Third story" and bookmark.article_id == ids["story-3"]
            assert app.screen.article_list.highlighted.bookmarked
            assert any(msg.startswith("Bookmarked") for msg, _ in app.notes)
            await pilot.press("b")
            await pilot.pause()
            assert app.library.bookmarks.list() == []
            assert not app.screen.article_list.highlighted.bookmarked
            await pilot.press("b")
            await pilot.pause()
            assert [b.id for b in app.library.bookmarks.list()] == [bookmark.id]

    asyncio.run(scenario())


def test_s_opens_the_share_menu_with_the_configured_mastodon(dirs):
    data, config, ids = dirs

    async def scenario():
        app = recording_app(data, config)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            await highlight(app, pilot, "story-3", ids)
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, ShareScreen)
            await pilot.press("1")
            await pilot.pause()
            assert app.opened == [
                "https://fosstodon.org/share?text=Third%20story%20https%3A%2F%2Fnews.example%2Fc"]
            await pilot.press("s")
            await pilot.pause()
            await pilot.press("m")
            await pilot.pause()
            assert app.copied == ["[Third story](https://news.example/c)"]

    asyncio.run(scenario())


def test_y_copies_the_link_and_refuses_a_story_without_one(dirs):
    data, config, ids = dirs

    async def scenario():
        app = recording_app(data, config)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            await highlight(app, pilot, "story-4", ids)  # its gopher: link was dropped
            await pilot.press("y")
            await pilot.press("s")
            await pilot.pause()
            assert app.copied == [] and not isinstance(app.screen, ShareScreen)
            assert [sev for _, sev in app.notes].count("error") == 2
            await highlight(app, pilot, "story-1", ids)
            await pilot.press("y")
            await pilot.pause()
            assert app.copied == ["https://news.example/a?x=1&y=2"]
            assert app.notes[-1][0] == "Copied link: https://news.example/a?x=1&y=2"

    asyncio.run(scenario())


def test_B_shows_bookmarks_and_deleting_there_updates_the_list(dirs):
    data, config, ids = dirs

    async def scenario():
        app = recording_app(data, config)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            await highlight(app, pilot, "story-2", ids)
            await pilot.press("b")
            await pilot.pause()
            main = app.screen
            await pilot.press("B")
            await pilot.pause()
            assert isinstance(app.screen, BookmarksScreen)
            await pilot.press("d")
            await pilot.pause()
            assert app.library.bookmarks.list() == []
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is main
            assert not main.article_list.highlighted.bookmarked

    asyncio.run(scenario())


def test_exports_are_in_the_main_command_palette(dirs):
    data, config, _ids = dirs

    async def scenario():
        app = recording_app(data, config)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"export bookmarks atom")
            await pilot.pause(0.3)
            from textual.command import CommandList

            options = app.screen.query_one(CommandList)
            prompts = [str(options.get_option_at_index(i).prompt)
                       for i in range(options.option_count)]
            assert any("Export bookmarks: Atom feed" in p for p in prompts), prompts

    asyncio.run(scenario())
