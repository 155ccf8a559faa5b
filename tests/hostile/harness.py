"""Helpers for the hostile-input tests: deadlines, stored-data scans, screen captures."""

from __future__ import annotations

import io
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import lxml.html
from rich.console import Console
from textual.app import App, ComposeResult
from textual.geometry import Region

from tests.hostile.corpus import unsafe_chars
from tui_reader.core.library import Library
from tui_reader.core.models import Article
from tui_reader.ui.widgets.article_view import ArticleBlock, ArticleView

T = TypeVar("T")


class Deadline(AssertionError):
    """The work did not finish in time (it may still be running in its thread)."""


def within(seconds: float, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a daemon thread; :class:`Deadline` if it takes longer
    than ``seconds``. Whatever ``fn`` raises is raised here."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name="deadline")
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise Deadline(f"{getattr(fn, '__name__', fn)} still running after {seconds} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


# --------------------------------------------------------------------------- stored data

#: Fields shown on one line (a title, a name): no TAB or LF either.
LINE_FIELDS = ("title", "feed_title", "guid", "link", "author")
#: Fields that may hold several lines.
BLOCK_FIELDS = ("summary", "text", "content_html")


def article_problems(article: Article) -> list[str]:
    """Unsafe characters in any field of a stored article, as readable problems."""
    problems: list[str] = []
    for name in LINE_FIELDS:
        value = getattr(article, name)
        if bad := unsafe_chars(value, one_line=True):
            problems.append(f"article {article.id} {name}: {sorted(bad)!r}")
    for name in BLOCK_FIELDS:
        if bad := unsafe_chars(getattr(article, name)):
            problems.append(f"article {article.id} {name}: {sorted(bad)!r}")
    extra = [*article.categories]
    extra += [x for a in article.authors for x in (a.name, a.email, a.url)]
    extra += [x for e in article.enclosures for x in (e.url, e.type)]
    for value in extra:
        if bad := unsafe_chars(value, one_line=True):
            problems.append(f"article {article.id} {value[:40]!r}: {sorted(bad)!r}")
    return problems


def library_texts(lib: Library) -> Iterator[tuple[str, str]]:
    """(where, text) for every feed and article field the library hands out."""
    for feed in lib.feeds():
        yield f"feed {feed.url} title", feed.title
        yield f"feed {feed.url} site", feed.site_url
        if feed.last_error:
            yield f"feed {feed.url} error", feed.last_error
        for summary in lib.articles(feed_url=feed.url, limit=200):
            article = lib.article(summary.id)
            for name in (*LINE_FIELDS, *BLOCK_FIELDS):
                yield f"article {article.id} {name}", getattr(article, name)
            for value in article.categories:
                yield f"article {article.id} category", value
            for author in article.authors:
                yield f"article {article.id} author", f"{author.name} {author.email} {author.url}"
            for enclosure in article.enclosures:
                yield f"article {article.id} enclosure", f"{enclosure.url} {enclosure.type}"


def database_strings(path: Path) -> Iterator[tuple[str, str]]:
    """(table.column, value) for every text value stored in an SQLite file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            row[0]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not row[0].startswith("sqlite_")
        ]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            for row in cursor:
                for name, value in zip(names, row, strict=True):
                    if isinstance(value, str):
                        yield f"{table}.{name}", value
    finally:
        conn.close()


# --------------------------------------------------------------------------- active HTML

_ACTIVE_TAGS = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
        "input", "button", "textarea", "select", "svg", "math", "link", "meta", "base",
        "template", "noscript", "video", "audio", "source", "track", "canvas", "param",
    }
)  # fmt: skip
_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "data", "poster", "background",
                        "srcset", "xlink:href", "cite", "longdesc", "ping"})  # fmt: skip
_SAFE_URL = re.compile(r"(?:https?://|mailto:)", re.IGNORECASE)


def active_html_problems(html: str) -> list[str]:
    """Active content left in (sanitized) HTML: elements, handlers, styles, unsafe URLs."""
    if not html.strip():
        return []
    problems: list[str] = []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in _ACTIVE_TAGS:
            problems.append(f"<{tag}> element")
        for name, value in element.attrib.items():
            name = name.lower()
            if name.startswith("on") or name == "style":
                problems.append(f"{name}= on <{tag}>")
            elif name in _URL_ATTRS and not _SAFE_URL.match(value.strip()):
                problems.append(f"{name}={value[:60]!r} on <{tag}>")
    return problems


# --------------------------------------------------------------------------- the screen

# What Textual itself writes: cursor moves and SGR colours/attributes, and OSC 8 links.
_OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;:]*[mHK]|\x1b\]8;[^\x07\x1b]*(?:\x1b\\|\x07)")
_TERMINAL_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def foreign_sequences(terminal_output: str) -> list[str]:
    """Control characters in ``terminal_output`` that Textual's own sequences don't explain."""
    rest = _OWN_SEQUENCES.sub("", terminal_output)
    found = []
    for match in _TERMINAL_UNSAFE.finditer(rest):
        start = max(0, match.start() - 20)
        found.append(repr(rest[start : match.end() + 20]))
    return found


def terminal_output(app: App[Any]) -> str:
    """What the app would write to a real terminal for its whole current screen."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), force_terminal=True,
        color_system="truecolor", legacy_windows=False, safe_box=False,
    )  # fmt: skip
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert update is not None
    return update.render_segments(console)  # type: ignore[attr-defined]


def segment_texts(app: App[Any]) -> Iterator[str]:
    """The text of every segment the screen shows now (control segments left out)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    for line in getattr(update, "strips", []):
        for strip in line:
            for segment in strip:
                if not segment.control:
                    yield segment.text


def article_view_lines(view: ArticleView) -> list[str]:
    """Every line every block of the article renders (not just what is scrolled into view)."""
    lines: list[str] = []
    for block in view.query(ArticleBlock):
        width, height = block.size
        for strip in block.render_lines(Region(0, 0, width, height)):
            lines.append("".join(seg.text for seg in strip if not seg.control))
    return lines


class ArticleViewApp(App[None]):
    """ArticleView alone, as the reader shows an article."""

    def compose(self) -> ComposeResult:
        yield ArticleView(id="article")
