"""The big hostile cases: a 1 MB title, 100,000-deep HTML, a 50,000-item feed, a gzip
bomb and entity expansion. Each goes through the real pipeline within a deadline, and the
bombs within a memory bound (tracemalloc in-process; ru_maxrss of a child process held
under RLIMIT_AS for the parsers' C allocations)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path

import pytest

from tests.hostile.corpus import MARKERS, case, unsafe_chars
from tests.hostile.harness import (
    ArticleViewApp,
    article_problems,
    article_view_lines,
    foreign_sequences,
    terminal_output,
    within,
)
from tests.loopback import LoopbackServer
from tui_reader.core.errors import FetchError
from tui_reader.core.library import Library, open_library
from tui_reader.core.models import Article
from tui_reader.core.update import RefreshSettings
from tui_reader.ui.widgets.article_view import ArticleView

MB = 1024 * 1024
ROOT = Path(__file__).resolve().parent.parent


def _add(lib: Library, server: LoopbackServer, name: str) -> list[Article]:
    c = case(name)
    server.route(f"/{name}", c.data(), content_type=c.content_type)
    feed, result = within(c.deadline, lib.add_feed, server.url(f"/{name}"))
    assert result.new >= c.min_entries
    return [lib.article(s.id) for s in lib.articles(feed_url=feed.url)]


def _show(articles: list[Article], seconds: float) -> tuple[list[str], float]:
    """Show each article in the reader; problems found and the slowest show, in seconds."""

    async def run() -> tuple[list[str], float]:
        problems: list[str] = []
        slowest = 0.0
        app = ArticleViewApp()
        async with app.run_test(size=(100, 40)) as pilot:
            view = app.screen.query_one(ArticleView)
            for article in articles:
                start = time.monotonic()
                view.show(article)
                await pilot.pause()
                slowest = max(slowest, time.monotonic() - start)
                lines = article_view_lines(view)
                assert lines, "nothing rendered"
                problems += [repr(line[:40]) for line in lines if unsafe_chars(line)]
                problems += foreign_sequences(terminal_output(app))
        return problems, slowest

    return within(seconds, asyncio.run, run())


def test_megabyte_title_is_cut_stored_and_shown_quickly(
    tmp_path: Path, feed_server: LoopbackServer
) -> None:
    with open_library(tmp_path, RefreshSettings(timeout=20)) as lib:
        (article,) = _add(lib, feed_server, "huge-title")
        assert 100 < len(article.title) <= 1000
        assert article.title.endswith("…")
        assert 100 < len(article.author) <= 1000
        assert all(len(c) <= 1000 for c in article.categories)
        assert len(lib.feeds()[0].title) <= 1000
        assert len(article.text) > 500_000  # the body is kept whole
        problems, slowest = _show([article], seconds=60)
    assert not problems
    assert slowest < 15, f"showing the article took {slowest:.1f} s"


def test_deeply_nested_html_is_flattened_stored_and_shown(
    tmp_path: Path, feed_server: LoopbackServer
) -> None:
    with open_library(tmp_path, RefreshSettings(timeout=20)) as lib:
        articles = _add(lib, feed_server, "deep-html")
        texts = {a.title: a.text for a in articles}
        for name in ("divs", "inline", "lists", "tables", "quotes", "unclosed"):
            assert f"deep-{name}" in texts[f"Deep {name}"]
        problems, slowest = _show(articles, seconds=60)
    assert not problems
    assert slowest < 10


@pytest.mark.slow
def test_fifty_thousand_items_are_stored_listed_and_shown(
    tmp_path: Path, feed_server: LoopbackServer
) -> None:
    with open_library(tmp_path, RefreshSettings(timeout=60)) as lib:
        c = case("fifty-thousand-items")
        feed_server.route("/many", c.data())
        feed, result = within(120, lib.add_feed, feed_server.url("/many"))
        assert result.new == 50_000
        assert lib.count_articles(feed_url=feed.url) == 50_000
        assert lib.feed(feed.url).unread == 50_000
        page = lib.articles(feed_url=feed.url, limit=50, offset=49_975)
        assert len(page) == 25
        ends = [lib.article(s.id) for s in (*lib.articles(limit=2), *page[-2:])]
        for article in ends:
            assert not article_problems(article)
            assert "pwned" in article.text and "\x1b" not in article.text
        problems, _ = _show(ends, seconds=60)
    assert not problems


def test_gzip_bomb_stops_at_the_size_cap_in_bounded_memory(
    tmp_path: Path, feed_server: LoopbackServer
) -> None:
    feed_server.gzip_bomb("/bomb.xml", size=256 * MB)
    with open_library(tmp_path, RefreshSettings(timeout=20, max_bytes=8 * MB)) as lib:
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match="larger than 8 MB"):
                within(30, lib.add_feed, feed_server.url("/bomb.xml"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert lib.is_empty()
    assert peak < 40 * MB, f"peak {peak / MB:.0f} MB"


def test_gzip_bomb_on_refresh_is_a_per_feed_error(
    tmp_path: Path, feed_server: LoopbackServer
) -> None:
    good = case("cdata").data()
    feed_server.route("/feed.xml", good)
    feed_server.route("/other.xml", good.replace(b"cdata.test", b"other.test"))
    with open_library(tmp_path, RefreshSettings(timeout=20, max_bytes=4 * MB)) as lib:
        lib.add_feed(feed_server.url("/feed.xml"))
        lib.add_feed(feed_server.url("/other.xml"))
        feed_server.gzip_bomb("/feed.xml", size=64 * MB)
        summary = within(30, lib.refresh)
        errors = {r.url: r.error for r in summary.results}
        assert errors[feed_server.url("/feed.xml")] == "response larger than 4 MB"
        assert errors[feed_server.url("/other.xml")] is None
        assert lib.feed(feed_server.url("/feed.xml")).total == 2  # what it had is kept


# Parsed in a child whose address space is capped: an expansion that escaped would hit
# the cap (MemoryError, or the child dies) instead of eating the machine.
_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))
    from tests.hostile.corpus import case
    from tui_reader.core.errors import FeedParseError
    from tui_reader.core.sources import parse_feed
    report = {}
    for name in sys.argv[1:]:
        data = case(name).data()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.monotonic()
        try:
            feed = parse_feed(data, "http://hostile.test/feed")
            texts = [feed.title] + [e.title + e.text + e.summary for e in feed.entries]
            outcome = {"entries": len(feed.entries), "chars": sum(map(len, texts)),
                       "text": " ".join(texts)[:20000]}
        except FeedParseError as exc:
            outcome = {"error": str(exc)}
        outcome["seconds"] = time.monotonic() - start
        outcome["rss_growth_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        report[name] = outcome
    print(json.dumps(report))
    """
)


def test_entity_expansion_is_refused_in_bounded_memory_and_time() -> None:
    names = ["billion-laughs", "quadratic-blowup", "xxe-entity", "deep-json", "deep-xml"]
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *names],
        capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    for name in names:
        outcome = report[name]
        assert outcome["seconds"] < 10, (name, outcome["seconds"])
        assert outcome["rss_growth_kb"] < 100 * 1024, (name, outcome["rss_growth_kb"])
        if "error" not in outcome:
            assert outcome["chars"] < 200_000, (name, outcome["chars"])
            assert not any(m in outcome["text"] for m in MARKERS), name
    assert "lollollol" not in report["billion-laughs"]["text"]
    assert "BBBBBBBB" not in report["quadratic-blowup"]["text"]
    assert "error" in report["deep-json"]
