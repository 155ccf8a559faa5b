"""Broken servers on loopback, through ``Library.refresh`` with good feeds in the mix.

Every broken feed must end with a clear one-line error of its own while the good feeds
of the same refresh get their new articles; nothing may take longer than the refresh
timeout. Dead (410) feeds and feeds inside a 429's Retry-After window are skipped by a
refresh of everything, and fetched again when named.
"""

from __future__ import annotations

import email.utils
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.loopback import LoopbackServer, unused_port
from tui_reader.core.errors import FeedParseError
from tui_reader.core.library import Library, open_library
from tui_reader.core.update import RefreshSettings

HOSTILE = Path(__file__).parent / "hostile"
TIMEOUT = 3.0  # per feed; the working feeds must finish well within it, even on a busy CI
STORYREADER = Path(sys.executable).with_name("storyreader")


def rss(name: str, count: int, start: int = 0) -> bytes:
    items = "".join(
        f"<item><title>{name} {i}</title><link>http://{name}.test/{i}</link>"
        f"<guid>{name}-{i}</guid><description>Story {i} of {name}</description></item>"
        for i in range(start, start + count)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
        f"<link>http://{name}.test/</link>{items}</channel></rss>"
    ).encode()


@dataclass(frozen=True)
class Broken:
    """A feed that worked when subscribed and then broke like this."""

    path: str
    error: str  # a regular expression the feed's error must match
    routes: tuple[tuple[str, dict[str, object]], ...]  # (path, LoopbackServer.route options)


def _broken(server: LoopbackServer) -> list[Broken]:
    body = rss("broken", 3)
    page = (HOSTILE / "page_without_feed_link.html").read_bytes()
    linked = (HOSTILE / "page_with_feed_link.html").read_bytes()
    return [
        Broken("/reset", r"^connection (reset by the server|closed before the response was "
               r"complete)$", (("/reset", {"body": body * 50, "behavior": "reset"}),)),
        Broken("/truncated", r"^connection closed before the response was complete$",
               (("/truncated", {"body": body * 50, "behavior": "truncate"}),)),
        Broken("/hang", rf"^timed out after {TIMEOUT:g} s$",
               (("/hang", {"body": body, "behavior": "hang"}),)),
        Broken("/trickle", rf"^timed out after {TIMEOUT:g} s$",
               (("/trickle", {"body": body, "behavior": "trickle", "trickle_interval": 1.0}),)),
        Broken("/slow", rf"^timed out after {TIMEOUT:g} s$",
               (("/slow", {"body": body, "latency": 30.0}),)),
        Broken("/loop-a", r"^redirect loop at http://127\.0\.0\.1:\d+/loop-a$",
               (("/loop-a", {"status": 302, "headers": {"Location": "/loop-b"}}),
                ("/loop-b", {"status": 301, "headers": {"Location": "/loop-a"}}))),
        Broken("/far", r"^too many redirects \(more than 10\)$",
               tuple((f"/far{'' if i == 0 else i}", {"status": 307, "headers": {
                   "Location": f"/far{i + 1}"}}) for i in range(12))),
        Broken("/to-file", r"^redirect to an unsupported URL: file:///etc/passwd$",
               (("/to-file", {"status": 301, "headers": {"Location": "file:///etc/passwd"}}),)),
        Broken("/no-location", r"^HTTP 302 Found without a Location header$",
               (("/no-location", {"status": 302}),)),
        Broken("/server-error", r"^HTTP 500 Internal Server Error$",
               (("/server-error", {"body": b"oops", "status": 500}),)),
        Broken("/unavailable", r"^HTTP 503 Service Unavailable$",
               (("/unavailable", {"body": b"down", "status": 503}),)),
        Broken("/missing", r"^HTTP 404 Not Found$", (("/missing", {"status": 404}),)),
        Broken("/gone", r"^HTTP 410 Gone$", (("/gone", {"status": 410}),)),
        Broken("/busy", r"^HTTP 429 Too Many Requests$",
               (("/busy", {"status": 429, "headers": {"Retry-After": "3600"}}),)),
        Broken("/busy-past", r"^HTTP 429 Too Many Requests$",
               (("/busy-past", {"status": 429, "headers": {
                   "Retry-After": email.utils.formatdate(time.time() - 60, usegmt=True)}}),)),
        Broken("/page", r"^not a feed: the server sent a web page$",
               (("/page", {"body": page, "content_type": "text/html"}),)),
        Broken("/page-linked", r"^not a feed: the server sent a web page$",
               (("/page-linked", {"body": linked, "content_type": "text/html; charset=utf-8"}),)),
        Broken("/empty", r"^not a feed: .*empty", (("/empty", {"body": b""}),)),
        Broken("/garbage", r"^not a feed: ",
               (("/garbage", {"body": bytes(range(256)) * 8, "content_type": "image/png"}),)),
        Broken("/bad-gzip", r"^could not decompress the response \(gzip\)$",
               (("/bad-gzip", {"body": b"\x1f\x8b\x08\x00not gzip at all",
                               "content_encoding": "gzip"}),)),
    ]  # fmt: skip


class Farm:
    """Good and broken feeds, all subscribed while they worked, then broken."""

    def __init__(self, root: Path, server: LoopbackServer) -> None:
        self.server = server
        self.broken = _broken(server)
        self.good = ["/good-1", "/good-2", "/good-3"]
        self.lib = open_library(root / "data", RefreshSettings(timeout=TIMEOUT, concurrency=8))
        for path in self.good + [b.path for b in self.broken] + ["/moved", "/wrong-type"]:
            server.route(path, rss(path.strip("/"), 3))
            self.lib.add_feed(server.url(path))
        # Subscribed without a fetch (an OPML import): never reachable at all.
        self.refused = f"http://127.0.0.1:{unused_port()}/feed.xml"
        self.tls = f"https://127.0.0.1:{server.port}/good-1"
        opml = root / "more.opml"
        opml.write_text(
            '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
            f'<outline type="rss" text="refused" xmlUrl="{self.refused}"/>'
            f'<outline type="rss" text="tls" xmlUrl="{self.tls}"/></body></opml>'
        )
        assert len(self.lib.import_opml(opml)) == 2
        # Now everything breaks, and the good feeds get two new stories each.
        for b in self.broken:
            for path, options in b.routes:
                server.route(path, **options)  # type: ignore[arg-type]
        for path in self.good:
            server.route(path, rss(path.strip("/"), 5))
        server.redirect("/moved", "/moved-2", status=301)
        server.redirect("/moved-2", "/moved-3", status=308)
        server.route("/moved-3", rss("moved", 4))
        server.route("/wrong-type", rss("wrong-type", 4), content_type="image/png")

    def url(self, path: str) -> str:
        return self.server.url(path)


@pytest.fixture
def farm(tmp_path: Path, feed_server: LoopbackServer) -> Iterator[Farm]:
    built = Farm(tmp_path, feed_server)
    try:
        yield built
    finally:
        built.lib.close()


def test_each_broken_feed_has_its_own_clear_error_and_the_rest_completes(farm: Farm) -> None:
    lib = farm.lib
    start = time.monotonic()
    summary = lib.refresh()
    elapsed = time.monotonic() - start
    results = {r.url: r for r in summary.results}
    problems = []
    for b in farm.broken:
        result = results[farm.url(b.path)]
        if result.error is None or not re.search(b.error, result.error):
            problems.append(f"{b.path}: {result.error!r} does not match {b.error!r}")
        stored = lib.feed(farm.url(b.path))
        if stored.last_error != result.error:
            problems.append(f"{b.path}: stored error {stored.last_error!r}")
        if stored.total != 3:
            problems.append(f"{b.path}: the stories it had are gone ({stored.total})")
    assert not problems, "\n".join(problems)
    assert results[farm.refused].error == "connection refused"
    assert results[farm.tls].error is not None and results[farm.tls].error.startswith("TLS error")
    for result in summary.results:
        if result.error:
            assert result.error.isprintable() and len(result.error) <= 200, result.error
    # The good feeds completed in the same refresh.
    for path in farm.good:
        assert results[farm.url(path)].error is None
        assert results[farm.url(path)].new == 2
        assert lib.feed(farm.url(path)).total == 5
    assert results[farm.url("/wrong-type")].new == 1  # a feed is a feed, whatever the header
    # A 301 then 308 chain moves the subscription.
    moved = farm.url("/moved-3")
    assert moved in results and results[moved].new == 1
    assert moved in {f.url for f in lib.feeds()}
    assert farm.url("/moved") not in {f.url for f in lib.feeds()}
    # Nothing waited much longer than the timeout (hang, trickle and latency included).
    assert elapsed < TIMEOUT + 8, f"refresh took {elapsed:.1f} s"
    assert len(summary.results) == len(lib.feeds())


def test_gone_and_rate_limited_feeds_are_skipped_until_named(farm: Farm) -> None:
    lib, server = farm.lib, farm.server
    lib.refresh()
    server.reset_stats()
    summary = lib.refresh()
    urls = {r.url for r in summary.results}
    # 410: marked dead, never asked again by refresh-all; 429 with Retry-After in an hour:
    # not asked before then. A Retry-After already past and a 500 are retried.
    assert farm.url("/gone") not in urls and not server.requests_for("/gone")
    assert farm.url("/busy") not in urls and not server.requests_for("/busy")
    assert farm.url("/busy-past") in urls and server.requests_for("/busy-past")
    assert farm.url("/server-error") in urls and server.requests_for("/server-error")
    assert farm.url("/unavailable") in urls  # a 503 without Retry-After
    # Named, they are fetched; once they work again the marks are cleared.
    server.route("/gone", rss("gone", 4))
    server.route("/busy", rss("busy", 4))
    named = lib.refresh([farm.url("/gone"), farm.url("/busy")])
    assert {r.url: r.error for r in named.results} == {farm.url("/gone"): None,
                                                       farm.url("/busy"): None}  # fmt: skip
    server.reset_stats()
    again = {r.url for r in lib.refresh().results}
    assert farm.url("/gone") in again and farm.url("/busy") in again
    assert server.requests_for("/gone") and server.requests_for("/busy")


def test_add_finds_a_feed_from_a_page_or_says_there_is_none(
    tmp_path: Path, feed_server: LoopbackServer
) -> None:
    feed_server.route("/home", (HOSTILE / "page_with_feed_link.html").read_bytes(),
                      content_type="text/html")  # fmt: skip
    feed_server.route("/feed.xml", rss("linked", 2))
    feed_server.route("/plain", (HOSTILE / "page_without_feed_link.html").read_bytes(),
                      content_type="text/html")  # fmt: skip
    with open_library(tmp_path, RefreshSettings(timeout=TIMEOUT)) as lib:
        feed, result = lib.add_feed(feed_server.url("/home"))
        assert feed.url == feed_server.url("/feed.xml") and result.new == 2
        with pytest.raises(FeedParseError, match="web page that links to no feed"):
            lib.add_feed(feed_server.url("/plain"))
        assert [f.url for f in lib.feeds()] == [feed_server.url("/feed.xml")]


def test_cli_refresh_reports_each_error_and_exits_zero(farm: Farm, tmp_path: Path) -> None:
    """``storyreader refresh`` (a cron job) on the same mix: one line per broken feed."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text(f"[refresh]\ntimeout = {TIMEOUT:g}\n")
    lib: Library = farm.lib
    data_dir = lib.data_dir
    done = subprocess.run(
        [str(STORYREADER), "--data-dir", str(data_dir), "--config-dir", str(config), "refresh"],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "STORYREADER_DEBUG": ""},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for b in farm.broken:
        assert any(line.startswith(f"error  {farm.url(b.path)}: ") for line in lines), (
            b.path, done.stdout)  # fmt: skip
    assert any(line.startswith(f"error  {farm.refused}: connection refused") for line in lines)
    assert f"{len(farm.broken) + 2} errors" in lines[-1], done.stdout
    assert "Traceback" not in done.stderr
