"""The hostile corpus (tests/hostile/) parsed, stored through the real pipeline and shown.

Each case is served from a loopback server and subscribed with ``Library.add_feed`` (the
same path as ``storyreader add``), then refreshed; what the library hands back and what
the SQLite files hold must be free of terminal controls and active content, and the
reader (ArticleView under Textual's Pilot) must show every article without writing
anything to the terminal but its own colour and cursor sequences.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.hostile.corpus import MARKERS, Case, small_cases, unsafe_chars
from tests.hostile.harness import (
    ArticleViewApp,
    active_html_problems,
    article_problems,
    article_view_lines,
    database_strings,
    foreign_sequences,
    library_texts,
    segment_texts,
    terminal_output,
    within,
)
from tests.loopback import LoopbackServer
from tui_reader.core.errors import FeedParseError, FetchError
from tui_reader.core.library import Library, open_library
from tui_reader.core.models import ParsedFeed
from tui_reader.core.sources import parse_feed
from tui_reader.core.update import RefreshSettings
from tui_reader.ui.widgets.article_view import ArticleView, is_openable

CASES = small_cases()
# The JSON Feed type variants are many tiny documents: parsed one by one, stored together.
PIPELINE_CASES = [c for c in CASES if not c.name.startswith(("jsonfeed-top-", "jsonfeed-items-"))]
STORYREADER = Path(sys.executable).with_name("storyreader")


def _feed_strings(feed: ParsedFeed) -> Iterator[tuple[str, str, bool]]:
    """(where, text, one_line) for every string of a parsed feed."""
    yield "feed.title", feed.title, True
    yield "feed.site_url", feed.site_url, True
    yield "feed.description", feed.description, True
    for n, e in enumerate(feed.entries[:200]):
        for name in ("title", "link", "guid"):
            yield f"entry {n} {name}", getattr(e, name), True
        for name in ("summary", "content_html", "text"):
            yield f"entry {n} {name}", getattr(e, name), False
        for value in (*e.categories, *e.related_links):
            yield f"entry {n} list item", value, True
        for a in e.authors:
            for value in (a.name, a.email, a.url):
                yield f"entry {n} author", value, True
        for enc in e.enclosures:
            yield f"entry {n} enclosure", f"{enc.url} {enc.type}", True


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_parse_gives_a_clean_feed_or_a_clean_error(case: Case) -> None:
    data = case.data()
    try:
        feed = within(case.deadline, parse_feed, data, "http://h.test/feed", case.content_type)
    except FeedParseError as exc:
        assert case.expect == "error", f"{case.name}: unexpected FeedParseError: {exc}"
        message = str(exc)
        assert message and message.isprintable(), repr(message)
        return
    assert case.expect == "feed", f"{case.name}: parsed although it is no feed"
    assert len(feed.entries) >= case.min_entries
    everything = []
    for where, text, one_line in _feed_strings(feed):
        assert not unsafe_chars(text, one_line=one_line), f"{where}: {text[:80]!r}"
        everything.append(text)
    for entry in feed.entries[:200]:
        assert not active_html_problems(entry.content_html), entry.content_html[:300]
    joined = "\n".join(everything)
    if not case.markers_as_text:
        for marker in MARKERS:
            assert marker not in joined, f"{case.name}: {marker} survived"
    for text in case.keep:
        assert text in joined, f"{case.name}: lost {text!r}"


# --------------------------------------------------------------------------- the pipeline


class HostileLibrary:
    """The small cases subscribed in one library, as ``storyreader add`` would."""

    def __init__(self, root: Path, server: LoopbackServer) -> None:
        self.data_dir = root / "data"
        self.server = server
        self.lib = open_library(self.data_dir, RefreshSettings(timeout=10, concurrency=8))
        self.urls: dict[str, str] = {}  # case name -> feed URL, for the ones that are feeds
        self.add_errors: dict[str, str] = {}
        probe = server.url("/probe")
        for case in PIPELINE_CASES:
            path = f"/{case.name}"
            server.route(path, case.data(probe), content_type=case.content_type)
            try:
                feed, _ = within(case.deadline, self.lib.add_feed, server.url(path))
            except (FeedParseError, FetchError) as exc:
                self.add_errors[case.name] = str(exc)
            else:
                self.urls[case.name] = feed.url
        # The JSON Feed item variants (every item field of one wrong type) from local files;
        # the top-level variants are parsed above (jsonfeed-wrong-types has them all).
        variants = [c for c in CASES if c.name.startswith("jsonfeed-items-")]
        for case in variants:
            local = root / f"{case.name}.json"
            local.write_bytes(case.data())
            try:
                feed, _ = within(case.deadline, self.lib.add_feed, str(local))
            except FeedParseError as exc:
                self.add_errors[case.name] = str(exc)
            else:
                self.urls[case.name] = feed.url
        self.summary = within(60, self.lib.refresh)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileLibrary]:
    server = LoopbackServer().start()
    built = HostileLibrary(tmp_path_factory.mktemp("hostile"), server)
    try:
        yield built
    finally:
        built.lib.close()
        server.stop()


def test_every_case_is_a_feed_or_a_clean_error(hostile: HostileLibrary) -> None:
    for case in PIPELINE_CASES:
        if case.expect == "feed":
            assert case.name in hostile.urls, f"{case.name}: {hostile.add_errors.get(case.name)}"
            feed = hostile.lib.feed(hostile.urls[case.name])
            assert feed.total >= case.min_entries, case.name
        else:
            assert case.name in hostile.add_errors, f"{case.name} was subscribed"
    for name, message in hostile.add_errors.items():
        assert message.isprintable() and "\n" not in message, (name, message)
    # Refreshing them all again works and reports one line per problem.
    assert len(hostile.summary.results) == len(hostile.urls)
    for result in hostile.summary.results:
        assert result.error is None or result.error.isprintable(), result


def test_stored_fields_hold_no_controls_and_no_active_content(hostile: HostileLibrary) -> None:
    lib = hostile.lib
    problems: list[str] = []
    for name, url in hostile.urls.items():
        case = next(c for c in CASES if c.name == name)
        feed = lib.feed(url)
        texts = [feed.title, feed.site_url]
        for bad in (unsafe_chars(feed.title, one_line=True), unsafe_chars(feed.site_url)):
            if bad:
                problems.append(f"{name}: feed {sorted(bad)!r}")
        for summary in lib.articles(feed_url=url, limit=300):
            article = lib.article(summary.id)
            problems += [f"{name}: {p}" for p in article_problems(article)]
            problems += [f"{name}: {p}" for p in active_html_problems(article.content_html)]
            texts += [article.title, article.summary, article.text, article.content_html,
                      article.link, article.author, *article.categories]  # fmt: skip
        joined = "\n".join(texts)
        if not case.markers_as_text:
            problems += [f"{name}: {m} stored" for m in MARKERS if m in joined]
        problems += [f"{name}: lost {k!r}" for k in case.keep if k not in joined]
    assert not problems, "\n".join(problems)


def test_no_control_characters_anywhere_in_the_database_files(hostile: HostileLibrary) -> None:
    problems = []
    for path in sorted(hostile.data_dir.glob("*.sqlite3")):
        for where, value in database_strings(path):
            if bad := unsafe_chars(value):
                problems.append(f"{path.name} {where}: {sorted(bad)!r} in {value[:60]!r}")
    assert not problems, "\n".join(problems[:20])


def test_parsers_never_fetch_external_entities_dtds_or_includes(hostile: HostileLibrary) -> None:
    assert "xxe-entity" in hostile.urls and "xxe-dtd-xinclude" in hostile.urls
    probes = [r.path for r in hostile.server.requests if r.path.startswith("/probe")]
    assert probes == []
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    for where, text in library_texts(hostile.lib):
        assert passwd not in text, where


def test_the_reader_shows_every_article_without_foreign_escapes(hostile: HostileLibrary) -> None:
    lib = hostile.lib
    articles = [
        (name, lib.article(s.id))
        for name, url in hostile.urls.items()
        for s in lib.articles(feed_url=url, limit=3)
    ]
    assert len(articles) > 40

    async def run() -> list[str]:
        problems: list[str] = []
        app = ArticleViewApp()
        async with app.run_test(size=(100, 40)) as pilot:
            view = app.screen.query_one(ArticleView)
            for name, article in articles:
                view.show(article)
                await pilot.pause()
                where = f"{name} article {article.id}"
                for line in article_view_lines(view):
                    if bad := unsafe_chars(line, one_line=True):
                        problems.append(f"{where}: {sorted(bad)!r} in {line[:60]!r}")
                for text in segment_texts(app):
                    if bad := unsafe_chars(text, one_line=True):
                        problems.append(f"{where}: segment {sorted(bad)!r}")
                problems += [f"{where}: {s}" for s in foreign_sequences(terminal_output(app))]
                problems += [f"{where}: link {u!r}" for u in view.links if not _safe_link(u)]
                if not (hostile_case(name).markers_as_text):
                    shown = "\n".join(article_view_lines(view))
                    problems += [f"{where}: {m} shown" for m in MARKERS if m in shown]
        return problems

    problems = within(120, asyncio.run, run())
    assert not problems, "\n".join(problems[:30])


def _safe_link(url: str) -> bool:
    """A numbered link the view would open is an http(s)/mailto URL without controls (a
    hostile one, say with a newline inside, is listed but refused)."""
    if not is_openable(url):
        return True
    return urlsplit(url).scheme in ("http", "https", "mailto") and not unsafe_chars(
        url, one_line=True
    )


def hostile_case(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


def test_cli_output_carries_no_escapes(hostile: HostileLibrary) -> None:
    """``storyreader feeds / articles / show`` print feed text: nothing but text."""
    lib: Library = hostile.lib
    ids = [
        s.id
        for name, url in hostile.urls.items()
        if name.startswith(("terminal-", "bidi", "active-"))
        for s in lib.articles(feed_url=url, limit=1)
    ]
    env = {**os.environ, "NO_COLOR": "1"}
    base = [str(STORYREADER), "--data-dir", str(hostile.data_dir)]
    commands = [["feeds"], ["articles", "--limit", "500"]]
    commands += [["show", str(i)] for i in ids]
    problems = []
    for command in commands:
        done = subprocess.run(base + command, capture_output=True, text=True, env=env,
                              timeout=60, check=False)  # fmt: skip
        assert done.returncode == 0, (command, done.stderr)
        for stream in (done.stdout, done.stderr):
            if bad := unsafe_chars(stream):
                problems.append(f"{command}: {sorted(bad)!r}")
    assert not problems, "\n".join(problems)


def test_the_screen_checks_catch_a_raw_escape() -> None:
    """The screen checks above can fail: a widget given raw escapes (Rich keeps ESC and
    C1 in a Text) is caught by both of them."""
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Raw(App[None]):
        def compose(self) -> ComposeResult:
            yield Static(Text("title \x1b]0;pwned\x07 and \x9b2J"), markup=False)

    async def run() -> tuple[list[str], list[str]]:
        app = Raw()
        async with app.run_test(size=(60, 5)) as pilot:
            await pilot.pause()
            segments = [t for t in segment_texts(app) if unsafe_chars(t, one_line=True)]
            return foreign_sequences(terminal_output(app)), segments

    foreign, segments = asyncio.run(run())
    assert foreign and "\\x1b]0;pwned" in foreign[0]
    assert segments and "\x9b" in segments[0]


def test_the_real_app_shows_the_hostile_library_without_foreign_escapes(
    hostile: HostileLibrary, tmp_path: Path
) -> None:
    """The reader itself (``build_app``, as ``storyreader`` runs it): the feed list with
    every hostile feed title, the story list, and the hostile stories opened in it."""
    from tui_reader.ui.run import build_app
    from tui_reader.ui.screens.main import MainScreen

    data = tmp_path / "data"
    shutil.copytree(hostile.data_dir, data)  # the app marks stories read: use a copy
    lib = hostile.lib
    story_ids = [
        s.id
        for name, url in hostile.urls.items()
        if not name.startswith("jsonfeed-items-")
        for s in lib.articles(feed_url=url, limit=1 if name.startswith("jsonfeed") else 2)
    ]
    assert len(story_ids) > 30

    async def run() -> list[str]:
        problems: list[str] = []
        app = build_app(data, tmp_path / "config")

        def check(where: str) -> None:
            problems.extend(f"{where}: {s}" for s in foreign_sequences(terminal_output(app)))
            for text in segment_texts(app):
                if bad := unsafe_chars(text, one_line=True):
                    problems.append(f"{where}: segment {sorted(bad)!r} in {text[:40]!r}")

        try:
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                check("start")
                for _ in range(3):  # as a reader does: open, back, next
                    await pilot.press("enter")
                    await pilot.pause()
                    check("story opened by key")
                    await pilot.press("escape", "j")
                screen = app.screen
                assert isinstance(screen, MainScreen)
                for article_id in story_ids:  # every hostile story, straight
                    screen.open_story(article_id)
                    await pilot.pause()
                    check(f"story {article_id}")
                await pilot.press("escape", "escape")  # the feed list: every feed's title
                check("feed list top")
                await pilot.press(*["j"] * 12)
                await pilot.pause()
                check("feed list middle")
                await pilot.press("G")
                await pilot.pause()
                check("feed list end")
        finally:
            app.library.close()
        return problems

    probe = hostile.server.url("/probe/image.png")
    assert any(probe in lib.article(i).content_html for i in story_ids), "no remote image"
    problems = within(180, asyncio.run, run())
    assert not problems, "\n".join(problems[:30])
    # Images are placeholders: showing them fetched nothing, and neither did any link.
    assert [r.path for r in hostile.server.requests if r.path.startswith("/probe")] == []
