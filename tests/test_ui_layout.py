"""The reading layout: the open story takes the room on wide terminals (no feed pane, a
short story list, related posts beside the story when the width allows), escape gives
the browsing layout back, and no pane overlaps another at any usual terminal size."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widget import Widget

from tests.apps.reader_app import demo_data, main, make_app, settle
from tui_reader.core.library import Library
from tui_reader.core.models import RelatedItem
from tui_reader.ui.screens.main import MainScreen
from tui_reader.ui.widgets.reader_footer import ReaderFooter

pytestmark = pytest.mark.asyncio

SIZES = [(80, 24), (100, 30), (120, 40), (160, 50), (200, 60)]


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_data(tmp_path_factory.mktemp("demo") / "data")


@pytest.fixture
def dirs(tmp_path: Path, demo_template: Path) -> tuple[Path, Path]:
    return demo_data(tmp_path / "data", demo_template), tmp_path / "config"


@pytest.fixture(autouse=True)
def related_from_same_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Related posts: the other stories of the same feed, with long excerpts."""
    def related(self: Library, article_id: int, limit: int = 6) -> list[RelatedItem]:
        article = self.article(article_id)
        return [
            RelatedItem(id=s.id, guid=s.guid, title=s.title, feed_url=s.feed_url,
                        feed_title=s.feed_title, link=s.link, score=1.0,
                        excerpt=" ".join(f"word{n}" for n in range(60)))
            for s in self.articles(feed_url=article.feed_url) if s.id != article_id
        ][:limit]

    monkeypatch.setattr(Library, "related", related)


def reading(screen: MainScreen) -> bool:
    """The reading layout is on screen: no feed pane, a short story list."""
    return screen.has_class("-immersed") and not screen.feed_list.region


def assert_no_overlap(screen: MainScreen, size: tuple[int, int], where: str) -> None:
    panes: list[Widget] = [screen.feed_list, screen.article_list, screen.article_view,
                           screen.related_panel, screen.query_one(ReaderFooter)]
    shown = [(w.id or type(w).__name__, w.region) for w in panes if w.region]
    width, height = size
    for name, region in shown:
        assert region.right <= width and region.bottom <= height, (where, name, region)
    for (name_a, a), (name_b, b) in combinations(shown, 2):
        assert not a.overlaps(b), f"{where}: {name_a} {a} overlaps {name_b} {b}"


async def test_reading_layout_gives_the_story_the_room(dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert app.focused is screen.article_view and reading(screen)
        articles, view, panel = screen.article_list, screen.article_view, screen.related_panel
        assert articles.region.height <= 9 and articles.region.width == 120
        top = round(articles.scroll_y)
        assert top <= articles.cursor < top + articles.scrollable_content_region.height
        # The related posts beside the story, the story at its full measure.
        assert panel.display and panel.region.x >= view.region.right
        assert 34 <= panel.region.width <= 40 and panel.region.height == view.region.height
        assert view.scrollable_content_region.width >= 80 + 2  # measure + column padding
        assert view.region.height >= 28
        assert_no_overlap(screen, (120, 40), "reading")
        reading_rows = view.scrollable_content_region.height
        await pilot.press("escape")
        await pilot.pause()
        assert not reading(screen) and screen.feed_list.region
        assert reading_rows >= 2 * view.scrollable_content_region.height


async def test_moving_between_stories_keeps_the_layout(dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(pilot)
        panel = screen.related_panel
        await pilot.press("enter")
        await settle(pilot)
        first = screen.article
        assert first is not None and reading(screen)
        width = screen.article_view.region.width
        await pilot.press("n")
        # Before the related posts of the new story arrive, the old ones stay: the column
        # (and so the story's width) does not flicker.
        assert panel.display and panel.items
        await settle(pilot)
        second = screen.article
        assert second is not None and second.id != first.id and reading(screen)
        assert screen.article_view.region.width == width
        assert panel.items and all(i.feed_url == second.feed_url for i in panel.items)
        assert second.id not in [i.id for i in panel.items]
        # Back to the short list with shift+tab: still the reading layout; j and enter.
        await pilot.press("shift+tab")
        assert app.focused is screen.article_list and reading(screen)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert app.focused is screen.article_view and reading(screen)
        assert screen.article is not None and screen.article.id != second.id
        # Escape: from the short list the browsing layout comes back, the list keeps focus.
        await pilot.press("shift+tab", "escape")
        await pilot.pause()
        assert app.focused is screen.article_list and not reading(screen)
        assert screen.feed_list.region and screen.article_list.region.height > 9
        await pilot.press("escape")
        assert app.focused is screen.feed_list


async def test_escape_and_tab_bring_the_feeds_back(dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert reading(screen)
        await pilot.press("escape")  # from the story: the list, browsing
        await pilot.pause()
        assert app.focused is screen.article_list and not reading(screen)
        assert screen.feed_list.region
        await pilot.press("tab")  # back into the story: reading again
        await pilot.pause()
        assert app.focused is screen.article_view and reading(screen)
        await pilot.press("tab", "tab")  # story -> related -> the feeds, shown again
        await pilot.pause()
        assert app.focused is screen.feed_list and not reading(screen)
        assert screen.feed_list.region.width > 0


async def test_related_below_when_the_measure_leaves_no_room(tmp_path: Path,
                                                            demo_template: Path) -> None:
    data = demo_data(tmp_path / "data", demo_template)
    app = make_app(data, tmp_path / "config", config_text="[reader]\nmeasure = 100\n")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("enter")
        await settle(pilot)
        view, panel = screen.article_view, screen.related_panel
        assert reading(screen) and not screen.has_class("-side")
        assert panel.region.y >= view.region.bottom and panel.region.height <= 10
        assert view.region.height > panel.region.height


@pytest.mark.parametrize("size", SIZES, ids=lambda size: "x".join(map(str, size)))
async def test_nothing_overlaps_at_any_size(dirs: tuple[Path, Path],
                                            size: tuple[int, int]) -> None:
    app = make_app(*dirs)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = main(pilot)
        assert_no_overlap(screen, size, f"{size} browsing")
        await pilot.press("enter")
        await settle(pilot)
        assert_no_overlap(screen, size, f"{size} reading")
        view = screen.article_view
        if size[0] >= 100:
            assert reading(screen)
            assert view.region.height >= size[1] // 2, (size, view.region)
        else:  # narrow: the story alone, the whole width (related below it)
            assert not screen.feed_list.region and not screen.article_list.region
            assert view.region.width >= size[0] - 2
        await pilot.press("escape")
        await pilot.pause()
        assert_no_overlap(screen, size, f"{size} back")
        assert screen.article_list.region and not reading(screen)


async def test_related_items_wrap_inside_the_panel(dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("enter")
        await settle(pilot)
        panel = screen.related_panel
        assert panel.max_scroll_y > 0  # long enough for a scrollbar
        content = panel.scrollable_content_region
        assert content.right <= panel.region.right - 2  # border and a scrollbar gutter
        prompt = panel.get_option_at_index(0).prompt
        assert [s.style for s in prompt.spans][:1] == ["bold"]  # the title alone is bold
        assert not str(prompt.style)
        for y in range(content.height):
            strip = panel.render_line(y)
            assert strip.cell_length == content.width
            text = "".join(segment.text for segment in strip).rstrip()
            if set(text) == {"─"}:
                continue  # the rule between two items
            assert cell_len(text) <= content.width - 1, text  # right padding kept
        await pilot.press("tab")
        assert app.focused is panel and panel.highlighted == 0
        highlighted = panel.render_line(0)
        plain = panel.render_line(content.height - 1)
        assert next(iter(highlighted)).style.bgcolor != next(iter(plain)).style.bgcolor


async def test_short_list_shows_the_open_story_with_its_neighbours(
        dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(pilot)
        articles = screen.article_list
        await pilot.press(*["j"] * 20, "enter")
        await settle(pilot)
        assert reading(screen) and articles.cursor == 20
        rows = articles.scrollable_content_region.height
        top = round(articles.scroll_y)
        assert top < articles.cursor < top + rows - 1  # neither the first nor the last row


async def test_a_failed_related_lookup_leaves_no_stale_posts(
        dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    stub = Library.related
    calls: list[int] = []

    def related(self: Library, article_id: int, limit: int = 6) -> list[RelatedItem]:
        calls.append(article_id)
        if len(calls) > 1:
            raise RuntimeError("the engine broke")
        return stub(self, article_id, limit)

    monkeypatch.setattr(Library, "related", related)
    app = make_app(*dirs)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.related_panel.items
        await pilot.press("n")
        await settle(pilot)
        assert len(calls) == 2 and screen.related_panel.items == []
        assert app.screen is screen and reading(screen)
