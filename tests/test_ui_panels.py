"""Related posts, themes, the narrow layout and auto-refresh, on the demo library."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apps.reader_app import demo_data, main, make_app, settle
from tui_reader.core.library import Library
from tui_reader.core.models import RelatedItem
from tui_reader.ui.widgets.related_panel import RelatedPanel

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_data(tmp_path_factory.mktemp("demo") / "data")


@pytest.fixture
def dirs(tmp_path: Path, demo_template: Path) -> tuple[Path, Path]:
    return demo_data(tmp_path / "data", demo_template), tmp_path / "config"


@pytest.fixture
def related_from_same_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Related posts: the other stories of the same feed (the engine is tested elsewhere)."""
    def related(self: Library, article_id: int, limit: int = 6) -> list[RelatedItem]:
        article = self.article(article_id)
        return [
            RelatedItem(id=s.id, guid=s.guid, title=s.title, feed_url=s.feed_url,
                        feed_title=s.feed_title, link=s.link, score=1.0,
                        excerpt=" ".join(["word"] * 40))
            for s in self.articles(feed_url=article.feed_url) if s.id != article_id
        ][:limit]

    monkeypatch.setattr(Library, "related", related)


@pytest.mark.usefixtures("related_from_same_feed")
async def test_related_posts_open_with_enter(dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("enter")
        await settle(pilot)
        panel = screen.query_one(RelatedPanel)
        assert panel.display and len(panel.items) == 6  # related_count default
        first = screen.article
        prompt = panel.get_option_at_index(0).prompt.plain
        assert panel.items[0].title in prompt and panel.items[0].feed_title in prompt
        assert prompt.count("word") == 25 and prompt.endswith("…")  # the first 25 words
        await pilot.press("tab")
        assert app.focused is panel
        await pilot.press("j")
        chosen = panel.items[1]
        await pilot.press("enter")
        await settle(pilot)
        assert screen.article is not None and screen.article.id == chosen.id != first.id
        assert screen.article.read
        assert app.focused is screen.article_view


@pytest.mark.usefixtures("related_from_same_feed")
async def test_related_panel_can_be_turned_off(tmp_path: Path, demo_template: Path) -> None:
    data = demo_data(tmp_path / "data", demo_template)
    app = make_app(data, tmp_path / "config", config_text="[reader]\nshow_related = false\n")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not main(pilot).query_one(RelatedPanel).display


async def test_narrow_terminal_stacks_panes(dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main(pilot)
        assert screen.has_class("-narrow")
        story = screen.query_one("#story")
        assert screen.feed_list.display and screen.article_list.display
        assert not story.region  # hidden while choosing
        await pilot.press("enter")
        await settle(pilot)
        assert story.region.width == 80 - 0 and not screen.feed_list.region
        assert not screen.article_list.region
        await pilot.press("escape")
        await pilot.pause()
        assert screen.article_list.region and not story.region
        # Nothing overlaps: the two lists sit side by side.
        feeds, articles = screen.feed_list.region, screen.article_list.region
        assert feeds.right <= articles.x


async def test_theme_from_command_line_and_saved_when_changed(dirs: tuple[Path, Path]) -> None:
    data, config = dirs
    app = make_app(data, config, theme="paper")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "paper"
        app.theme = "night"
        await pilot.pause()
    assert 'theme = "night"' in (config / "config.toml").read_text()


async def test_unknown_theme_falls_back_with_a_notice(dirs: tuple[Path, Path]) -> None:
    app = make_app(*dirs, theme="no-such-theme")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "storyreader"
        assert any("no-such-theme" in m for m in app.notified)


async def test_auto_refresh_from_config(dirs: tuple[Path, Path]) -> None:
    data, config = dirs
    app = make_app(data, config, config_text="[refresh]\nauto_refresh_minutes = 30\n")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(pilot)
        timers = [t for t in screen._timers if t._interval == 30 * 60]
        assert timers, "no auto-refresh timer"
        screen.refresher.refresh_on_timer()  # what the timer calls
        await settle(pilot)
        assert any("from 5 feeds" in m for m in app.notified)


async def test_narrow_footer_keeps_help_and_quit(dirs: tuple[Path, Path]) -> None:
    from textual.widgets._footer import FooterKey

    from tui_reader.ui.widgets.reader_footer import ReaderFooter

    for size in ((80, 24), (160, 40)):
        app = make_app(*dirs)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await pilot.pause(0.1)
            footer = main(pilot).query_one(ReaderFooter)
            keys = list(footer.query(FooterKey))
            actions = [k.action for k in keys]
            assert "help" in actions and "quit" in actions and "page_down" in actions
            width = sum(footer._width(k) for k in keys)
            assert width <= size[0]
            if size[0] >= 160:
                assert "toggle_read" in actions and "refresh_feed" in actions


async def test_malformed_user_theme_is_a_notice_naming_the_file(
    dirs: tuple[Path, Path],
) -> None:
    data, config = dirs
    themes = config / "themes"
    themes.mkdir(parents=True, exist_ok=True)
    (themes / "broken.toml").write_text('primary = "#123456"\nbackground = \n', encoding="utf-8")
    app = make_app(data, config, theme="broken")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == "storyreader"
        assert any("broken.toml" in message for message in app.notified), app.notified
