"""ArticleView driven through Textual's Pilot, plus a snapshot of every element."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Input

from tests.apps.article_view_app import ArticleViewApp, every_element_article
from tui_reader.ui.widgets.article_view import (
    ArticleBlock,
    ArticleView,
    LinkPrompt,
    is_openable,
)

APP_PATH = Path(__file__).parent / "apps" / "article_view_app.py"
SIZE = (100, 40)

EXPECTED_LINKS = (
    "https://example.com/first",
    "javascript:alert(1)",
    "https://example.com/second",
    "https://example.com/cat.png",
    "mailto:author@example.com",
    "https://example.com/icon.png",
    "https://example.com/episode.mp3",  # the enclosure comes last
)


@pytest.fixture
def utc() -> Iterator[None]:
    """Local time is UTC for the test (the header shows dates in local time)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def screen_text(view: ArticleView) -> str:
    """Every line the view's blocks render (margins included), as plain text."""
    lines: list[str] = []
    bottom: int | None = None
    for block in view.query(ArticleBlock):
        width, height = block.size
        top = block.virtual_region.y
        if bottom is not None:
            lines.extend([""] * (top - bottom))
        for strip in block.render_lines(Region(0, 0, width, height)):
            lines.append(strip.text.rstrip())
        bottom = top + height
    return "\n".join(lines)


async def settle(pilot: Pilot) -> None:
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


# ----------------------------------------------------------------------------- rendering


@pytest.mark.asyncio
async def test_every_element_is_rendered() -> None:
    app = ArticleViewApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.query_one(ArticleView)
        assert view.links == EXPECTED_LINKS
        text = screen_text(view)
        for expected in [
            "Every element: a test article for the reader",
            "Example Feed · Ada Lovelace · 2024-05-01",
            "https://example.com/posts/every-element",
            "first link[1] and a hostile one[2].",
            "Heading one",
            "• First item",
            "• Second item with a link[3]",
            "  ◦ Nested item",
            " 9. Ninth",
            "10. Tenth",
            "▎ A quotation",
            "def greet(name):",
            "│ Name   │ Colour │ Count │",
            "[image: A cat on a mat] [4]",
            "The cat, on its mat.",
            "Term",
            "    Its definition.",
            "mail[5] and an image [image: icon] [6] inline.",
            "[1] https://example.com/first",
            "[7] https://example.com/episode.mp3  (attachment: audio/mpeg)",
            "[2] javascript:alert(1)  (will not be opened)",
        ]:
            assert expected in text, expected
        # Code keeps its indentation; an over-long line is cut and marked, never re-wrapped.
        assert "│     # A comment that is much too long" in text
        assert "↩" in text
        # Nothing outgrows the measure (80 cells of text).
        assert max(len(line) for line in text.splitlines()) <= 80


@pytest.mark.asyncio
async def test_empty_state_and_plain_text_fallback() -> None:
    plain = replace(
        every_element_article(), content_html="", text="First para.\n\nSecond para.", enclosures=()
    )
    app = ArticleViewApp(plain)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.query_one(ArticleView)
        text = screen_text(view)
        assert "First para." in text and "Second para." in text
        assert view.links == ()
        view.show(None)
        await pilot.pause()
        assert view.article is None
        assert "No article selected." in screen_text(view)


@pytest.mark.asyncio
async def test_long_article_is_chunked_in_order() -> None:
    html = "".join(
        f"<h3>Part {n}</h3><p>Paragraph {n}.</p>" if n % 10 == 0 else f"<p>Paragraph {n}.</p>"
        for n in range(200)
    )
    app = ArticleViewApp(replace(every_element_article(), content_html=html, enclosures=()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.query_one(ArticleView)
        assert len(view.query(ArticleBlock)) <= 25  # not one widget per block
        lines = screen_text(view).splitlines()
        body = [line for line in lines if line.startswith(("Paragraph", "Part"))]
        expected: list[str] = []
        for n in range(200):
            if n % 10 == 0:
                expected.append(f"Part {n}")
            expected.append(f"Paragraph {n}.")
        assert body == expected
        # A minor heading sits right on its text; paragraphs are a blank line apart.
        part = lines.index("Part 10")
        assert lines[part + 1] == "Paragraph 10." and lines[part - 1] == ""
        assert lines[part + 2] == "" and lines[part + 3] == "Paragraph 11."


@pytest.mark.asyncio
async def test_measure_caps_the_text_width() -> None:
    app = ArticleViewApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.query_one(ArticleView)
        view.measure = 50
        await pilot.pause()
        lines = screen_text(view).splitlines()
        assert max(len(line) for line in lines) <= 50
        assert any(len(line) > 40 for line in lines)


@pytest.mark.asyncio
async def test_theme_change_restyles_without_remounting() -> None:
    app = ArticleViewApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.query_one(ArticleView)
        blocks = list(view.query(ArticleBlock))
        before = view.get_component_rich_style("article-view--link")
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        assert list(view.query(ArticleBlock)) == blocks
        assert view.get_component_rich_style("article-view--link") != before


HOSTILE_TITLE = (
    "\x1b[31mRED\x1b[0m\x07 [bold]not markup[/bold] 🎉👩‍👩‍👧 مرحبا بالعالم שלום "
    + "W" * 500
    + " word" * 300
)


@pytest.mark.asyncio
async def test_hostile_text_renders_as_text() -> None:
    article = replace(
        every_element_article(),
        title=HOSTILE_TITLE,
        feed_title="[red]Feed[/red]\x1b]0;pwned\x07",
        authors=(),
        content_html=(
            "<p>[@click=app.quit]quit[/] [b]b[/b]</p><p>🎉 عربى "
            + "z" * 400
            + "</p><p>&#27;[2J ok</p>"
        ),
    )
    app = ArticleViewApp(article)
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        view = app.query_one(ArticleView)
        text = screen_text(view)
        assert "\x1b" not in text and "\x07" not in text
        assert "[bold]not markup[/bold]" in text  # shown, not interpreted
        assert "[red]Feed[/red]]0;pwned" in text
        assert "[@click=app.quit]quit[/] [b]b[/b]" in text
        assert "[2J ok" in text
        assert max(len(line) for line in text.splitlines()) <= 38  # long words fold
        await pilot.press("G")
        await settle(pilot)
        assert view.scroll_y == view.max_scroll_y > 0


# ----------------------------------------------------------------------------- keys


@pytest.mark.asyncio
async def test_paging_and_scrolling_keys() -> None:
    app = ArticleViewApp()
    app.animation_level = "none"  # scroll positions, not animations, are under test
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.query_one(ArticleView)
        assert view.has_focus and view.scroll_y == 0 and view.max_scroll_y > 10
        await pilot.press("space")
        await settle(pilot)
        first_page = view.scroll_y
        assert first_page > 10
        await pilot.press("pageup")
        await settle(pilot)
        assert view.scroll_y == 0
        await pilot.press("pagedown")
        await settle(pilot)
        assert view.scroll_y == first_page
        await pilot.press("g")
        await settle(pilot)
        assert view.scroll_y == 0
        await pilot.press("j", "j", "down")
        await settle(pilot)
        assert view.scroll_y == 3
        await pilot.press("k")
        await settle(pilot)
        assert view.scroll_y == 2
        await pilot.press("G")
        await settle(pilot)
        assert view.scroll_y == view.max_scroll_y
        await pilot.press("g")
        await settle(pilot)
        assert view.scroll_y == 0


@pytest.mark.asyncio
async def test_showing_another_article_scrolls_to_the_top() -> None:
    app = ArticleViewApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.query_one(ArticleView)
        await pilot.press("G")
        await settle(pilot)
        assert view.scroll_y > 0
        view.show(replace(every_element_article(), id=2, title="Second"))
        await settle(pilot)
        assert view.scroll_y == 0
        assert screen_text(view).startswith("Second")


@pytest.mark.asyncio
async def test_digit_opens_that_link() -> None:
    app = ArticleViewApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1", "3", "5", "7")
        await pilot.pause()
        assert [(m.number, m.url) for m in app.opened] == [
            (1, "https://example.com/first"),
            (3, "https://example.com/second"),
            (5, "mailto:author@example.com"),
            (7, "https://example.com/episode.mp3"),
        ]
        assert app.opened[0].control is app.query_one(ArticleView)


@pytest.mark.asyncio
async def test_javascript_and_missing_links_are_never_posted() -> None:
    app = ArticleViewApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("2", "8", "9")
        await pilot.pause()
        assert app.opened == []
        view = app.query_one(ArticleView)
        assert view.open_link(2) is False
        assert view.open_link(0) is False
        assert app.opened == []


@pytest.mark.asyncio
async def test_follow_prompt_opens_any_number() -> None:
    many = "".join(f'<p><a href="https://example.com/{n}">link {n}</a></p>' for n in range(1, 13))
    app = ArticleViewApp(replace(every_element_article(), content_html=many, enclosures=()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, LinkPrompt)
        await pilot.press("1", "2", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, LinkPrompt)
        assert [m.url for m in app.opened] == ["https://example.com/12"]
        # Out of range: the prompt stays and says so; escape cancels.
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("9", "9", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LinkPrompt)
        assert app.screen.query_one(Input).value == "99"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, LinkPrompt)
        assert len(app.opened) == 1
        # Letters cannot even be typed.
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("x", "enter")
        await pilot.pause()
        assert app.screen.query_one(Input).value == ""
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.opened) == 1


@pytest.mark.asyncio
async def test_follow_prompt_refuses_a_javascript_link() -> None:
    app = ArticleViewApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f", "2", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, LinkPrompt)
        assert app.opened == []


@pytest.mark.asyncio
async def test_clicking_a_link_opens_it() -> None:
    app = ArticleViewApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        body = list(app.query(ArticleBlock))[1]  # the first chunk after the header
        row = body.render_lines(Region(0, 1, body.size.width, 1))[0].text
        assert "first link[1]" in row
        await pilot.click(body, offset=(row.index("first link") + 3, 1))
        await pilot.click(body, offset=(row.index("[2]") + 1, 1))  # javascript: refused
        await pilot.click(body, offset=(1, 1))  # plain text: nothing
        await pilot.pause()
        assert [(m.number, m.url) for m in app.opened] == [(1, "https://example.com/first")]


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/", True),
        ("HTTP://EXAMPLE.COM", True),
        ("mailto:someone@example.com", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        ("data:text/html,hi", False),
        ("file:///etc/passwd", False),
        ("https://", False),
        ("mailto:", False),
        ("https://exa mple.com/", False),
        ("https://example.com/\x1b[2J", False),
        ("/relative/path", False),
        ("", False),
    ],
)
def test_is_openable(url: str, ok: bool) -> None:
    assert is_openable(url) is ok


# ----------------------------------------------------------------------------- snapshot


def test_snapshot_every_element_top(snap_compare, utc: None) -> None:
    assert snap_compare(APP_PATH, terminal_size=SIZE)


def test_snapshot_every_element_bottom(snap_compare, utc: None) -> None:
    assert snap_compare(APP_PATH, terminal_size=SIZE, press=["G"])
