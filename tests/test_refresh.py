"""The update pipeline against real loopback servers: formats, validators, redirects,
failures, autodiscovery, cancellation."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from tests import feeds_inline as fx
from tui_reader.core.errors import FeedParseError, FetchError
from tui_reader.core.library import open_library


@pytest.fixture
def lib(tmp_path):
    library = open_library(tmp_path / "data")
    yield library
    library.close()


def test_every_format_is_added_and_stored(lib, feed_server):
    feed_server.route("/rss.xml", fx.rss(items=3))
    feed_server.route("/atom.xml", fx.atom(), content_type="application/atom+xml")
    feed_server.route("/feed.json", fx.json_feed(), content_type="application/feed+json")
    feed_server.route("/wp-json/wp/v2/posts", fx.wordpress_posts(),
                      content_type="application/json")
    for path in ("/rss.xml", "/atom.xml", "/feed.json", "/wp-json/wp/v2/posts"):
        lib.add_feed(feed_server.url(path))
    counts = {f.title: f.total for f in lib.feeds()}
    assert counts["Harbour News"] == 3 and counts["Night Shift"] == 2
    assert counts["Long Table"] == 1 and sum(counts.values()) == 7
    wp = lib.articles(feed_url=feed_server.url("/wp-json/wp/v2/posts"))[0]
    assert wp.title == "Clock repair & patience" and wp.author == "Dora"
    assert wp.published == datetime(2026, 3, 3, 12, tzinfo=UTC)


def test_json_feed_offsets_and_relative_urls(lib, feed_server):
    feed_server.route("/feed.json", fx.json_feed(), content_type="application/feed+json")
    feed, _ = lib.add_feed(feed_server.url("/feed.json"))
    article = lib.article(lib.articles(feed_url=feed.url)[0].id)
    assert article.published == datetime(2026, 4, 1, 5, 30, tzinfo=UTC)
    assert article.updated == datetime(2026, 4, 2, 7, 0, tzinfo=UTC)
    assert article.link == "http://table.test/bread"
    assert 'src="http://table.test/img/rye.jpg"' in article.content_html
    assert article.enclosures[0].url == "http://table.test/audio/bread.mp3"
    assert article.enclosures[0].length == 1234
    assert article.categories == ("bread", "family")


def test_conditional_get_costs_no_parse_and_keeps_read_state(lib, feed_server):
    feed_server.route("/rss.xml", fx.rss(items=2), etag=True, last_modified=True, gzip=True)
    feed, _ = lib.add_feed(feed_server.url("/rss.xml"))
    first = lib.articles(feed_url=feed.url)
    lib.set_read([first[0].id])
    summary = lib.refresh()
    assert summary.results[0].not_modified and summary.new == 0
    last = feed_server.requests_for("/rss.xml")[-1]
    assert last.status == 304
    assert last.header("If-None-Match") and last.header("If-Modified-Since")
    assert "storyreader/" in (last.header("User-Agent") or "")
    # New content: same guids update in place, read state survives, one new article.
    feed_server.update("/rss.xml", fx.rss(items=3, body="<p>changed {i}</p>"))
    summary = lib.refresh()
    assert summary.new == 1 and summary.results[0].updated == 2
    again = {a.guid: a for a in lib.articles(feed_url=feed.url)}
    assert again[first[0].guid].id == first[0].id and again[first[0].guid].read
    assert lib.article(first[0].id).text.startswith("changed")


def test_one_failing_feed_does_not_stop_the_others(lib, feed_server):
    feed_server.route("/good.xml", fx.rss(items=2))
    feed_server.route("/bad.xml", fx.rss(items=1))
    lib.add_feed(feed_server.url("/good.xml"))
    lib.add_feed(feed_server.url("/bad.xml"))
    feed_server.update("/good.xml", fx.rss(items=4))
    feed_server.route("/bad.xml", b"oops", status=500)
    summary = lib.refresh()
    by_url = {r.url: r for r in summary.results}
    assert by_url[feed_server.url("/good.xml")].new == 2
    assert "500" in by_url[feed_server.url("/bad.xml")].error
    feeds = {f.url: f for f in lib.feeds()}
    assert "500" in feeds[feed_server.url("/bad.xml")].last_error
    assert feeds[feed_server.url("/good.xml")].last_error is None
    assert feeds[feed_server.url("/bad.xml")].total == 1  # nothing committed is lost


def test_garbage_body_is_a_per_feed_error(lib, feed_server):
    feed_server.route("/feed.xml", fx.rss(items=1))
    lib.add_feed(feed_server.url("/feed.xml"))
    feed_server.route("/feed.xml", b"\x00\x01 definitely not xml")
    summary = lib.refresh()
    assert summary.results[0].error.startswith("not a feed")


def test_permanent_redirect_updates_the_stored_url(lib, feed_server):
    feed_server.route("/new.xml", fx.rss(items=1))
    feed_server.route("/old.xml", fx.rss(items=1))
    _feed, _ = lib.add_feed(feed_server.url("/old.xml"))
    feed_server.redirect("/old.xml", "/new.xml", status=301)
    lib.refresh()
    assert [f.url for f in lib.feeds()] == [feed_server.url("/new.xml")]
    assert lib.count_articles() == 1


def test_temporary_redirect_keeps_the_url(lib, feed_server):
    feed_server.route("/real.xml", fx.rss(items=1))
    feed_server.redirect("/feed.xml", "/real.xml", status=302)
    _feed, _ = lib.add_feed(feed_server.url("/feed.xml"))
    lib.refresh()
    assert [f.url for f in lib.feeds()] == [feed_server.url("/feed.xml")]


def test_gone_feed_is_marked_and_skipped(lib, feed_server):
    feed_server.route("/feed.xml", fx.rss(items=1))
    lib.add_feed(feed_server.url("/feed.xml"))
    feed_server.route("/feed.xml", b"", status=410)
    assert lib.refresh().results[0].error
    before = len(feed_server.requests_for("/feed.xml"))
    assert lib.refresh().results == ()
    assert len(feed_server.requests_for("/feed.xml")) == before
    lib.refresh([feed_server.url("/feed.xml")])  # naming it tries again
    assert len(feed_server.requests_for("/feed.xml")) == before + 1


def test_autodiscovery_from_a_home_page(lib, feed_server):
    feed_server.route("/feed.xml", fx.rss(items=2))
    feed_server.route("/", fx.html_page_linking("/feed.xml"), content_type="text/html")
    feed, result = lib.add_feed(feed_server.url("/"))
    assert feed.url == feed_server.url("/feed.xml") and result.new == 2


def test_a_page_without_feed_links_is_a_clear_error(lib, feed_server):
    feed_server.route("/", "<html><body>hello</body></html>", content_type="text/html")
    with pytest.raises(FeedParseError, match="links to no feed"):
        lib.add_feed(feed_server.url("/"))
    assert lib.is_empty()


def test_refused_connection_on_add(lib):
    with pytest.raises(FetchError):
        lib.add_feed("http://127.0.0.1:9/feed.xml")
    assert lib.is_empty()


def test_local_files_and_file_urls(lib, tmp_path):
    path = tmp_path / "local.xml"
    path.write_text(fx.rss(items=2))
    feed, _ = lib.add_feed(str(path))
    assert feed.url == str(path) and feed.total == 2
    other = tmp_path / "other.atom"
    other.write_text(fx.atom())
    feed2, _ = lib.add_feed(other.as_uri())
    assert feed2.total == 2
    assert all(not r.error for r in lib.refresh().results)


def test_cancel_stops_a_refresh_and_keeps_what_finished(lib, feed_server):
    for i in range(6):
        feed_server.route(f"/f{i}.xml", fx.rss(items=1, prefix=f"f{i}"))
        lib.add_feed(feed_server.url(f"/f{i}.xml"))
    for i in range(6):
        feed_server.update(f"/f{i}.xml", fx.rss(items=2, prefix=f"f{i}"),
                           latency=0.0 if i == 0 else 5.0)
    cancel = threading.Event()
    seen = []

    def on_result(result, done, total):
        seen.append(result)
        cancel.set()

    summary = lib.refresh(on_result=on_result, cancel=cancel)
    assert len(summary.results) == 1 and summary.new == 1
    assert lib.count_articles() == 7


def test_validators_with_control_characters_are_not_stored(lib, feed_server):
    feed_server.route("/feed.xml", fx.rss(items=1),
                      headers={"ETag": '"v1\x1b]0;pwned\x07"', "Last-Modified": "\x1b[2J"})
    lib.add_feed(feed_server.url("/feed.xml"))
    lib.refresh()
    etag, modified = lib.storage.conn.execute(
        "SELECT etag, last_modified FROM feeds").fetchone()
    assert etag is None and modified is None
    assert feed_server.requests_for("/feed.xml")[-1].header("If-None-Match") is None


def test_a_refresh_collects_garbage_less_often_and_puts_it_back(lib, feed_server):
    import gc

    from tui_reader.core.update import GC_THRESHOLD_DURING_REFRESH

    feed_server.route("/a.xml", fx.rss(items=2))
    lib.add_feed(feed_server.url("/a.xml"))
    before = gc.get_threshold()
    during: list[int] = []
    lib.refresh(on_result=lambda *_: during.append(gc.get_threshold()[0]))
    assert during == [GC_THRESHOLD_DURING_REFRESH] != [before[0]]
    assert gc.get_threshold() == before  # the app's collector as it was
    feed_server.route("/a.xml", b"not a feed at all")
    lib.refresh()  # a failing feed too
    assert gc.get_threshold() == before
