"""``F`` in the reader: an excerpt says it can be fetched whole, and F fetches it."""

from __future__ import annotations

import pytest

from tests.apps.reader_app import main, make_app, settle
from tests.test_feed_management_ui import text_of_widget
from tests.test_fetch_story import ids, site  # noqa: F401  (site: a fixture)
from tui_reader.core.library import open_library

pytestmark = pytest.mark.asyncio
HINT = "Only an excerpt? F fetches the whole story from its web page."


def shown(screen) -> str:
    """The open story's text as drawn, every block of it (not only what is scrolled to)."""
    return "\n".join(text_of_widget(block) for block in screen.article_view.query("ArticleBlock"))


@pytest.fixture
def reader(tmp_path, site):  # noqa: F811
    """The app on a library subscribed to the excerpt feed; ids of its stories."""
    data = tmp_path / "data"
    with open_library(data) as library:
        library.set_state("demo_subscribed", True)
        library.add_feed(site.url("/feed.xml"))
        stories = ids(library)
    return make_app(data, tmp_path / "config"), stories


async def test_f_fetches_the_whole_of_an_excerpt(reader) -> None:
    app, stories = reader
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(pilot)
        screen.open_story(stories["lantern"])
        await settle(pilot)
        assert HINT in shown(screen)
        assert "barnacle" not in screen.article.content_html
        await pilot.press("F")
        await settle(pilot)
        assert any("Fetched the whole story" in n for n in app.notified), app.notified
        assert screen.article.id == stories["lantern"]
        assert "barnacle-crusted buoys" in screen.article.content_html
        text = shown(screen)
        assert "Every evening at a quarter past six" in text and HINT not in text


async def test_a_failed_fetch_says_why_and_keeps_the_excerpt(reader) -> None:
    app, stories = reader
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(pilot)
        screen.open_story(stories["missing"])
        await settle(pilot)
        before = screen.article
        await pilot.press("F")
        await settle(pilot)
        assert any("404" in n for n in app.notified), app.notified
        assert screen.article == before and HINT in shown(screen)


async def test_a_whole_story_offers_nothing_and_f_needs_an_open_story(reader) -> None:
    app, stories = reader
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("F")
        assert any("Open a story first" in n for n in app.notified), app.notified
        screen.open_story(stories["full"])
        await settle(pilot)
        text = shown(screen)
        assert "Bell-Ringer" in text and "Only an excerpt?" not in text


async def test_switching_a_feed_to_whole_stories_fetches_its_excerpts(reader, site) -> None:  # noqa: F811
    app, stories = reader
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(pilot)
        assert screen.feed_list.select_key(f"feed:{site.url('/feed.xml')}")
        await pilot.pause()
        await pilot.press("e")
        await pilot.press("tab", "tab", "space", "enter")  # title, tags, the switch; save
        await settle(pilot)
        assert any("Harbour Lights: 2 stories fetched whole." in n for n in app.notified), (
            app.notified)
        screen.open_story(stories["lantern"])
        await settle(pilot)
        assert "barnacle-crusted buoys" in screen.article.content_html
        assert HINT not in shown(screen)
