"""The fetch layer against a real loopback HTTP server (no mocks)."""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import gzip
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import tracemalloc
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpcore
import pytest

from tests.loopback import LoopbackServer, unused_port
from tui_reader import __version__
from tui_reader.core.fetch import (
    USER_AGENT,
    Fetcher,
    FetchRequest,
    FetchResult,
    describe_error,
    parse_retry_after,
)

RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    + b"x" * 4000
    + (b"</channel></rss>")
)


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


async def _fetch(url: str, etag: str | None = None, lm: str | None = None, **opts) -> FetchResult:  # type: ignore[no-untyped-def]
    async with Fetcher(**opts) as fetcher:
        return await fetcher.fetch(url, etag, lm)


def fetch(url: str, etag: str | None = None, lm: str | None = None, **opts) -> FetchResult:  # type: ignore[no-untyped-def]
    return run(_fetch(url, etag, lm, **opts))


async def _fetch_all(requests, **opts) -> list[FetchResult]:  # type: ignore[no-untyped-def]
    async with Fetcher(**opts) as fetcher:
        return [r async for r in fetcher.fetch_many(requests)]


# -- success, encodings, validators ----------------------------------------------


def test_gzip_200(feed_server: LoopbackServer) -> None:
    feed_server.route("/feed.xml", RSS, gzip=True)
    result = fetch(feed_server.url("/feed.xml"))
    assert result.ok and result.status == 200
    assert result.content == RSS
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.final_url == result.requested_url == feed_server.url("/feed.xml")
    assert not result.not_modified and result.permanent_redirect is None
    (record,) = feed_server.requests
    assert "gzip" in (record.header("accept-encoding") or "")


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", lambda b: gzip.compress(b)),
        ("gzip", lambda b: gzip.compress(b[:100]) + gzip.compress(b[100:])),  # two members
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b, wbits=-15)),  # raw deflate, seen in the wild
        ("UTF-8", lambda b: b),  # a bogus Content-Encoding: bytes pass through
    ],
)
def test_content_encodings(feed_server: LoopbackServer, encoding: str, encode) -> None:  # type: ignore[no-untyped-def]
    feed_server.route("/f", encode(RSS), content_encoding=encoding)
    result = fetch(feed_server.url("/f"))
    assert result.error is None
    assert result.content == RSS


def _optional_codec(name: str):  # type: ignore[no-untyped-def]
    from tui_reader.core import content_coding

    module = content_coding._brotli if name == "br" else content_coding._zstd
    if module is None:
        pytest.skip(f"no bounded {name} decoder installed (brotli >= 1.2 / compression.zstd)")
    if name == "br":
        return lambda data: module.compress(data, quality=5)
    return module.compress


@pytest.mark.parametrize("name", ["br", "zstd"])
def test_optional_encodings_when_installed(feed_server: LoopbackServer, name: str) -> None:
    compress = _optional_codec(name)
    feed_server.route(
        "/f",
        compress(RSS[:100]) + compress(RSS[100:]) if name == "zstd" else compress(RSS),
        content_encoding=name,
    )
    assert fetch(feed_server.url("/f")).content == RSS
    assert name in (feed_server.requests[0].header("accept-encoding") or "")

    feed_server.route("/bomb", compress(bytes(32 * 1024 * 1024)), content_encoding=name)
    tracemalloc.start()
    try:
        result = fetch(feed_server.url("/bomb"), max_bytes=1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "response larger than 1 MB"
    assert peak < 16 * 1024 * 1024, f"peak {peak} bytes"

    feed_server.route("/bad", b"definitely not compressed", content_encoding=name)
    assert fetch(feed_server.url("/bad")).error == f"could not decompress the response ({name})"


def test_corrupt_gzip_is_an_error(feed_server: LoopbackServer) -> None:
    feed_server.route("/f", b"this is not gzip at all", content_encoding="gzip")
    result = fetch(feed_server.url("/f"))
    assert result.error == "could not decompress the response (gzip)"
    assert result.content is None


def test_etag_and_last_modified_give_304(feed_server: LoopbackServer) -> None:
    feed_server.route("/f", RSS, etag=True, last_modified=True, gzip=True)
    first = fetch(feed_server.url("/f"))
    assert first.etag and first.last_modified

    second = fetch(feed_server.url("/f"), first.etag, first.last_modified)
    assert second.error is None
    assert second.not_modified and second.status == 304
    assert second.content is None
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)
    record = feed_server.requests[-1]
    assert record.status == 304
    assert record.header("if-none-match") == first.etag
    assert record.header("if-modified-since") == first.last_modified

    feed_server.update("/f", body=RSS + b"<!-- new -->")
    third = fetch(feed_server.url("/f"), first.etag, first.last_modified)
    assert not third.not_modified and third.content == RSS + b"<!-- new -->"
    assert third.etag != first.etag


def test_last_modified_alone_gives_304(feed_server: LoopbackServer) -> None:
    feed_server.route("/f", RSS, last_modified=True)
    first = fetch(feed_server.url("/f"))
    assert first.etag is None and first.last_modified
    second = fetch(feed_server.url("/f"), None, first.last_modified)
    assert second.not_modified
    assert feed_server.requests[-1].header("if-none-match") is None


def test_unsolicited_304_is_an_error(feed_server: LoopbackServer) -> None:
    feed_server.route("/f", b"", status=304)
    result = fetch(feed_server.url("/f"))
    assert result.error == "HTTP 304 Not Modified" and not result.not_modified


def test_hostile_validators_are_not_sent(feed_server: LoopbackServer) -> None:
    feed_server.route("/f", RSS)
    result = fetch(feed_server.url("/f"), 'W/"x"\r\nX-Evil: 1', "\0")
    assert result.content == RSS
    record = feed_server.requests[-1]
    assert record.header("x-evil") is None and record.header("if-none-match") is None


def test_wrong_content_type_still_returns_content(feed_server: LoopbackServer) -> None:
    feed_server.route("/f", RSS, content_type="text/html; charset=iso-8859-1")
    result = fetch(feed_server.url("/f"))
    assert result.ok and result.content == RSS
    assert result.content_type == "text/html; charset=iso-8859-1"


def test_user_agent_and_accept(feed_server: LoopbackServer) -> None:
    feed_server.route("/f", RSS)
    fetch(feed_server.url("/f"))
    record = feed_server.requests[0]
    assert record.header("user-agent") == USER_AGENT
    assert USER_AGENT.startswith(f"storyreader/{__version__} (+https://")
    assert "application/rss+xml" in (record.header("accept") or "")


# -- redirects -------------------------------------------------------------------


def test_permanent_redirect_chain(feed_server: LoopbackServer) -> None:
    feed_server.redirect("/a", "/b", status=301)  # relative Location
    feed_server.redirect("/b", feed_server.url("/feed"), status=308)
    feed_server.route("/feed", RSS)
    result = fetch(feed_server.url("/a"))
    assert result.ok and result.content == RSS
    assert result.requested_url == feed_server.url("/a")
    assert result.final_url == result.permanent_redirect == feed_server.url("/feed")
    assert [r.path for r in feed_server.requests] == ["/a", "/b", "/feed"]


def test_a_redirect_the_caller_refuses_is_not_followed(feed_server: LoopbackServer) -> None:
    """A story page on a public host may redirect to this machine: the caller's ``allow``
    stops the hop before any request is sent there."""
    feed_server.redirect("/story", "/admin", status=302)
    feed_server.route("/admin", RSS)

    async def go() -> FetchResult:
        async with Fetcher() as fetcher:
            return await fetcher.fetch(feed_server.url("/story"),
                                       allow=lambda url: not url.endswith("/admin"))

    result = run(go())
    admin = feed_server.url("/admin")
    assert result.error == f"redirected to {admin}, which is not fetched from here"
    assert [r.path for r in feed_server.requests] == ["/story"]


def test_temporary_hop_is_not_permanent(feed_server: LoopbackServer) -> None:
    feed_server.redirect("/a", "/b", status=301)
    feed_server.redirect("/b", "/feed", status=302)
    feed_server.route("/feed", RSS)
    result = fetch(feed_server.url("/a"))
    assert result.ok and result.final_url == feed_server.url("/feed")
    assert result.permanent_redirect is None


def test_permanent_redirect_to_a_404_is_not_reported_as_moved(
    feed_server: LoopbackServer,
) -> None:
    feed_server.redirect("/a", "/missing", status=301)
    result = fetch(feed_server.url("/a"))
    assert result.error == "HTTP 404 Not Found" and result.status == 404
    assert result.permanent_redirect is None and result.final_url == feed_server.url("/missing")


def test_redirect_loop(feed_server: LoopbackServer) -> None:
    feed_server.redirect("/x", "/y", status=302)
    feed_server.redirect("/y", "/x", status=302)
    result = fetch(feed_server.url("/x"))
    assert result.error == f"redirect loop at {feed_server.url('/x')}"
    assert result.content is None
    assert len(feed_server.requests) == 2


def test_too_many_redirects(feed_server: LoopbackServer) -> None:
    for i in range(5):
        feed_server.redirect(f"/r{i}", f"/r{i + 1}", status=307)
    feed_server.route("/r5", RSS)
    assert fetch(feed_server.url("/r0"), max_redirects=5).content == RSS
    result = fetch(feed_server.url("/r0"), max_redirects=4)
    assert result.error == "too many redirects (more than 4)"


def test_redirect_without_location_or_to_other_scheme(feed_server: LoopbackServer) -> None:
    feed_server.route("/nowhere", b"", status=301)
    assert fetch(feed_server.url("/nowhere")).error == (
        "HTTP 301 Moved Permanently without a Location header"
    )
    feed_server.redirect("/ftp", "ftp://example.com/feed", status=302)
    assert fetch(feed_server.url("/ftp")).error == (
        "redirect to an unsupported URL: ftp://example.com/feed"
    )


# -- HTTP errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message", "gone"),
    [
        (404, "HTTP 404 Not Found", False),
        (410, "HTTP 410 Gone", True),
        (500, "HTTP 500 Internal Server Error", False),
        (403, "HTTP 403 Forbidden", False),
    ],
)
def test_error_statuses(feed_server: LoopbackServer, status: int, message: str, gone: bool) -> None:
    feed_server.route("/f", b"<html>nope</html>", status=status, content_type="text/html")
    result = fetch(feed_server.url("/f"))
    assert result.error == message
    assert result.status == status and result.gone is gone
    assert result.content is None and result.retry_after is None


def test_429_retry_after_seconds(feed_server: LoopbackServer) -> None:
    feed_server.route("/f", b"slow down", status=429, headers={"Retry-After": "120"})
    before = datetime.now(UTC)
    result = fetch(feed_server.url("/f"))
    after = datetime.now(UTC)
    assert result.error == "HTTP 429 Too Many Requests"
    assert result.retry_after is not None
    assert before + timedelta(seconds=120) <= result.retry_after <= after + timedelta(seconds=120)


def test_503_retry_after_http_date(feed_server: LoopbackServer) -> None:
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    date = email.utils.format_datetime(when, usegmt=True)
    feed_server.route("/f", b"", status=503, headers={"Retry-After": date})
    result = fetch(feed_server.url("/f"))
    assert result.error == "HTTP 503 Service Unavailable"
    assert result.retry_after == when


def test_parse_retry_after() -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert parse_retry_after("30", now) == now + timedelta(seconds=30)
    assert parse_retry_after("Wed, 01 Jan 2025 00:10:00 GMT", now) == now + timedelta(minutes=10)
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("", now) is None
    assert parse_retry_after(None, now) is None


# -- network failures --------------------------------------------------------------


def test_connection_refused() -> None:
    result = fetch(f"http://127.0.0.1:{unused_port()}/feed.xml")
    assert result.error == "connection refused"
    assert result.status is None and result.content is None


def test_reset_mid_body(feed_server: LoopbackServer) -> None:
    feed_server.route("/f", RSS, behavior="reset")
    result = fetch(feed_server.url("/f"))
    assert result.error == "connection reset by the server"
    assert result.content is None and result.status == 200


def test_truncated_body(feed_server: LoopbackServer) -> None:
    feed_server.route("/f", RSS, behavior="truncate")
    result = fetch(feed_server.url("/f"))
    assert result.error == "connection closed before the response was complete"


def test_never_answering_server_times_out(feed_server: LoopbackServer) -> None:
    feed_server.route("/f", RSS, behavior="hang")
    result = fetch(feed_server.url("/f"), read_timeout=0.3, timeout=10)
    assert result.error == "server stopped sending (no data for 0.3 s)"
    assert result.elapsed < 5


def test_trickling_server_hits_the_total_deadline(feed_server: LoopbackServer) -> None:
    # One byte every 50 ms never trips a 5 s read timeout; the whole budget is 0.5 s.
    feed_server.route("/f", b"x" * 60, behavior="trickle", trickle_interval=0.05)
    result = fetch(feed_server.url("/f"), read_timeout=5, timeout=0.5)
    assert result.error == "timed out after 0.5 s"
    assert result.content is None
    assert result.elapsed < 4


def test_tls_error_is_reported(feed_server: LoopbackServer) -> None:
    feed_server.route("/f", RSS)
    result = fetch(feed_server.url("/f").replace("http://", "https://"))
    assert result.error is not None and result.error.startswith("TLS error: ")
    assert "\n" not in result.error


def test_dns_failure_message() -> None:
    try:
        raise httpcore.ConnectError("[Errno -2] Name or service not known") from socket.gaierror(
            -2, "Name or service not known"
        )
    except httpcore.ConnectError as exc:
        message = describe_error(exc, "https://feeds.example.invalid/rss")
    assert message == "DNS lookup failed for host feeds.example.invalid"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/feed", "unsupported URL scheme 'ftp' (use http, https or file)"),
        ("gopher://x", "unsupported URL scheme 'gopher' (use http, https or file)"),
        ("http://", "invalid URL (no host): http://"),
        ("http://exa mple.com/feed", "invalid URL: http://exa mple.com/feed"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    assert fetch(url).error == message


def test_programmer_errors_raise() -> None:
    with pytest.raises(TypeError):
        run(_fetch(b"http://example.com/"))  # type: ignore[arg-type]

    async def outside() -> None:
        await Fetcher().fetch("http://example.com/")

    with pytest.raises(RuntimeError):
        run(outside())


# -- size caps ---------------------------------------------------------------------


def test_gzip_bomb_stops_at_the_cap_without_inflating(feed_server: LoopbackServer) -> None:
    feed_server.gzip_bomb("/bomb", size=64 * 1024 * 1024)  # ~64 KB on the wire
    tracemalloc.start()
    try:
        result = fetch(feed_server.url("/bomb"), max_bytes=1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "response larger than 1 MB"
    assert result.content is None
    assert peak < 16 * 1024 * 1024, f"peak {peak} bytes"


def test_declared_and_undeclared_size_caps(feed_server: LoopbackServer) -> None:
    big = b"<rss>" + b"y" * 300_000 + b"</rss>"
    feed_server.route("/big", big)
    assert fetch(feed_server.url("/big"), max_bytes=100_000).error == (
        "response larger than 97.6562 KB"
    )
    feed_server.route("/gz", big, gzip=True)  # small on the wire, large once decoded
    assert fetch(feed_server.url("/gz"), max_bytes=200 * 1024).error == (
        "response larger than 200 KB"
    )
    assert fetch(feed_server.url("/gz"), max_bytes=400 * 1024).content == big


# -- local files -------------------------------------------------------------------


def test_local_path_and_file_url(tmp_path: Path) -> None:
    path = tmp_path / "feed dir" / "feed.xml"
    path.parent.mkdir()
    path.write_bytes(RSS)
    for url in (str(path), path.as_uri()):
        first = fetch(url)
        assert first.ok and first.content == RSS and first.status is None
        assert first.requested_url == first.final_url == url
        assert first.last_modified == email.utils.formatdate(path.stat().st_mtime, usegmt=True)

        by_date = fetch(url, None, first.last_modified)
        assert by_date.not_modified and by_date.content is None
        by_etag = fetch(url, first.etag)
        assert by_etag.not_modified

    first = fetch(str(path))
    path.write_bytes(RSS + b"\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    changed = fetch(str(path), first.etag, first.last_modified)
    assert not changed.not_modified and changed.content == RSS + b"\n"


def test_local_file_same_second_change_is_seen_through_etag(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(RSS)
    os.utime(path, ns=(0, 1_700_000_000_100_000_000))
    first = fetch(str(path))
    path.write_bytes(RSS + b" ")
    os.utime(path, ns=(0, 1_700_000_000_900_000_000))  # same second, same HTTP-date
    second = fetch(str(path), first.etag, first.last_modified)
    assert second.content == RSS + b" "


def test_local_file_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nope.xml"
    assert fetch(str(missing)).error == f"file not found: {missing}"
    assert fetch(missing.as_uri()).error == f"file not found: {missing}"
    assert fetch(str(tmp_path)).error == f"is a directory, not a file: {tmp_path}"
    big = tmp_path / "big.xml"
    big.write_bytes(b"z" * 5000)
    assert fetch(str(big), max_bytes=4096).error == "response larger than 4 KB"
    assert fetch("file://otherhost/etc/hosts").error == (
        "file URLs on another host are not supported"
    )


# -- concurrency, keep-alive, fetch_many --------------------------------------------


def test_concurrency_bound_is_honoured(feed_server: LoopbackServer) -> None:
    for i in range(9):
        feed_server.route(f"/f{i}", RSS, latency=0.15)
    urls = [feed_server.url(f"/f{i}") for i in range(9)]
    results = run(_fetch_all(urls, concurrency=3))
    assert sorted(r.requested_url for r in results) == sorted(urls)
    assert all(r.content == RSS for r in results)
    assert feed_server.max_in_flight == 3
    assert feed_server.max_connections <= 3


def test_keep_alive_reuses_one_connection(feed_server: LoopbackServer) -> None:
    feed_server.route("/f", RSS, etag=True, gzip=True)
    feed_server.redirect("/old", "/f", status=301)
    feed_server.route("/gone", b"bye", status=410)

    async def scenario() -> list[FetchResult]:
        async with Fetcher(concurrency=1) as fetcher:
            first = await fetcher.fetch(feed_server.url("/f"))
            results = [first]
            for _ in range(5):
                results.append(await fetcher.fetch(feed_server.url("/f"), first.etag))
                results.append(await fetcher.fetch(feed_server.url("/old")))
                results.append(await fetcher.fetch(feed_server.url("/gone")))
            return results

    results = run(scenario())
    assert sum(r.not_modified for r in results) == 5
    assert sum(r.gone for r in results) == 5
    assert len(feed_server.requests) == 21
    assert feed_server.connections == 1


def test_fetch_many_over_hosts_in_turn_reuses_each_hosts_connection(
    feed_server: LoopbackServer,
) -> None:
    """Requests alternate between hosts (round-robin); each host's idle connection must
    survive the other host's requests even with one request slot."""
    with LoopbackServer() as other:
        for server in (feed_server, other):
            for i in range(4):
                server.route(f"/f{i}", RSS)
        urls = [s.url(f"/f{i}") for i in range(4) for s in (feed_server, other)]
        results = run(_fetch_all(urls, concurrency=1))
        assert [r.content for r in results] == [RSS] * 8
        assert (feed_server.connections, other.connections) == (1, 1)


def test_fetch_many_yields_in_completion_order(feed_server: LoopbackServer) -> None:
    feed_server.route("/slow", RSS, latency=0.5)
    feed_server.route("/fast", RSS)
    feed_server.route("/v", RSS, etag='"v1"')
    requests = [
        FetchRequest(feed_server.url("/slow")),
        feed_server.url("/fast"),
        FetchRequest(feed_server.url("/v"), etag='"v1"'),
    ]
    results = run(_fetch_all(requests, concurrency=4))
    assert results[-1].requested_url == feed_server.url("/slow")
    by_url = {r.requested_url: r for r in results}
    assert by_url[feed_server.url("/v")].not_modified


def test_fetch_many_stops_early_when_closed(feed_server: LoopbackServer) -> None:
    feed_server.route("/fast", RSS)
    feed_server.route("/hang", RSS, behavior="hang")

    async def first_only() -> FetchResult:
        async with Fetcher(concurrency=2, timeout=30) as fetcher:
            urls = [feed_server.url("/hang"), feed_server.url("/fast")]
            async with contextlib.aclosing(fetcher.fetch_many(urls)) as results:
                async for result in results:
                    return result
        raise AssertionError("no result")

    result = run(asyncio.wait_for(first_only(), 10))
    assert result.requested_url == feed_server.url("/fast")


def test_fetch_many_raises_programmer_errors() -> None:
    with pytest.raises(TypeError):
        run(_fetch_all([42], concurrency=2))


# -- the per-host limit ----------------------------------------------------------------


@contextlib.contextmanager
def _servers_on(addresses: list[str]):  # type: ignore[no-untyped-def]
    """One loopback server on each 127.0.0.x address (each a host of its own)."""
    servers = []
    try:
        for address in addresses:
            servers.append(LoopbackServer(host=address).start())
        yield servers
    finally:
        for server in servers:
            server.stop()


def _on(server: LoopbackServer, address: str, path: str) -> str:
    return f"http://{address}:{server.port}{path}"


def test_per_host_limit_on_one_host(feed_server: LoopbackServer) -> None:
    for i in range(20):
        feed_server.route(f"/f{i}", RSS, latency=0.1)
    urls = [feed_server.url(f"/f{i}") for i in range(20)]
    results = run(_fetch_all(urls, concurrency=20, per_host=3))
    assert sorted(r.requested_url for r in results) == sorted(urls)
    assert all(r.content == RSS for r in results)
    assert feed_server.max_in_flight == 3


def test_per_host_limit_counts_host_names_whatever_their_case(
    feed_server: LoopbackServer,
) -> None:
    """"127.0.0.1" and "localhost" are two hosts (though one server); "LOCALHOST" is
    "localhost"."""
    for i in range(12):
        feed_server.route(f"/f{i}", RSS, latency=0.2)
    port = feed_server.port
    urls = [feed_server.url(f"/f{i}") for i in range(4)]
    urls += [f"http://{('localhost', 'LOCALHOST')[i % 2]}:{port}/f{i}" for i in range(4, 12)]
    results = run(_fetch_all(urls, concurrency=20, per_host=2))
    assert all(r.content == RSS for r in results)
    assert feed_server.max_in_flight == 4


def test_hosts_are_fetched_in_parallel_each_within_its_limit() -> None:
    """Five requests on each of four hosts, none of them ever answered: with three per
    host allowed, twelve are in flight at once."""
    addresses = [f"127.0.0.{2 + i}" for i in range(4)]
    with _servers_on(addresses) as servers:
        urls = []
        for server, address in zip(servers, addresses, strict=True):
            for i in range(5):
                server.route(f"/f{i}", RSS, behavior="hang")
                urls.append(_on(server, address, f"/f{i}"))

        async def scenario() -> list[int]:
            async with Fetcher(concurrency=20, per_host=3, timeout=60) as fetcher:
                task = asyncio.create_task(fetcher.fetch_many(urls).__anext__())
                for _ in range(400):
                    seen = [len(s.requests) for s in servers]
                    if sum(seen) >= 12:
                        break
                    await asyncio.sleep(0.025)
                await asyncio.sleep(0.2)  # room for a wrong thirteenth to arrive
                seen = [len(s.requests) for s in servers]
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                return seen

        assert run(scenario()) == [3, 3, 3, 3]


def test_fetch_many_starts_other_hosts_before_a_long_run_on_one() -> None:
    """Ten URLs on a hanging host come first; the other host's are fetched anyway."""
    addresses = ["127.0.0.2", "127.0.0.3"]
    with _servers_on(addresses) as (slow, fast):
        urls = []
        for i in range(10):
            slow.route(f"/f{i}", RSS, behavior="hang")
            urls.append(_on(slow, addresses[0], f"/f{i}"))
        for i in range(3):
            fast.route(f"/f{i}", RSS)
            urls.append(_on(fast, addresses[1], f"/f{i}"))

        async def three_results() -> list[FetchResult]:
            got: list[FetchResult] = []
            async with (
                Fetcher(concurrency=4, per_host=2, timeout=60) as fetcher,
                contextlib.aclosing(fetcher.fetch_many(urls)) as results,
            ):
                async for result in results:
                    got.append(result)
                    if len(got) == 3:
                        break
            return got

        results = run(asyncio.wait_for(three_results(), 20))
        assert all(r.content == RSS for r in results)
        assert all(r.requested_url.startswith(f"http://{addresses[1]}") for r in results)
        assert len(slow.requests) <= 2


def test_waiting_for_a_host_holds_no_concurrency_slot() -> None:
    """Requests queued behind a busy host leave the concurrency slots to other hosts
    (one task per feed, as the refresh does)."""
    addresses = ["127.0.0.2", "127.0.0.3"]
    with _servers_on(addresses) as (slow, fast):
        slow.route("/f", RSS, behavior="hang")
        fast.route("/f", RSS)

        async def scenario() -> FetchResult:
            async with Fetcher(concurrency=2, per_host=1, timeout=60) as fetcher:
                hanging = [
                    asyncio.create_task(fetcher.fetch(_on(slow, addresses[0], "/f")))
                    for _ in range(5)
                ]
                try:
                    for _ in range(400):  # until the first has reached the server
                        if slow.requests:
                            break
                        await asyncio.sleep(0.025)
                    return await asyncio.wait_for(
                        fetcher.fetch(_on(fast, addresses[1], "/f")), 5
                    )
                finally:
                    for task in hanging:
                        task.cancel()
                    await asyncio.gather(*hanging, return_exceptions=True)

        assert run(scenario()).content == RSS
        assert len(slow.requests) == 1


def test_redirects_between_limited_hosts_do_not_deadlock() -> None:
    """With one slot per host and one in all, requests on host A that redirect to host B
    and requests straight to B all finish; B never sees two at once."""
    addresses = ["127.0.0.2", "127.0.0.3"]
    with _servers_on(addresses) as (a, b):
        urls = []
        for i in range(6):
            b.route(f"/f{i}", RSS, latency=0.02)
            a.redirect(f"/old{i}", _on(b, addresses[1], f"/f{i}"), status=301)
            urls += [_on(a, addresses[0], f"/old{i}"), _on(b, addresses[1], f"/f{i}")]
        for concurrency in (1, 4):
            b.reset_stats()
            results = run(
                asyncio.wait_for(_fetch_all(urls, concurrency=concurrency, per_host=1), 20)
            )
            assert len(results) == 12 and all(r.content == RSS for r in results)
            moved = [r for r in results if r.requested_url.startswith(f"http://{addresses[0]}")]
            assert all(r.permanent_redirect == r.final_url for r in moved)
            assert b.max_in_flight == 1


def test_waiting_for_a_redirect_targets_host_is_not_held_against_the_deadline() -> None:
    """Three requests redirected to a host that takes one at a time, 1.2 s each: the
    last waits 2.4 s for its turn there, more than its 2 s deadline, yet succeeds."""
    addresses = ["127.0.0.2", "127.0.0.3"]
    with _servers_on(addresses) as (a, b):
        b.route("/f", RSS, latency=1.2)
        for i in range(3):
            a.redirect(f"/old{i}", _on(b, addresses[1], "/f"), status=302)
        urls = [_on(a, addresses[0], f"/old{i}") for i in range(3)]
        results = run(_fetch_all(urls, concurrency=4, per_host=1, timeout=2))
        assert [r.error for r in results] == [None, None, None]
        assert b.max_in_flight == 1


def test_per_host_must_be_positive() -> None:
    with pytest.raises(ValueError, match="per_host"):
        Fetcher(per_host=0)


# -- the loopback server itself ------------------------------------------------------


def test_loopback_negotiates_gzip_and_validators(feed_server: LoopbackServer) -> None:
    feed_server.route("/f", RSS, etag='W/"abc"', gzip=True)
    conn = http.client.HTTPConnection("127.0.0.1", feed_server.port, timeout=5)
    try:
        conn.request("GET", "/f")
        plain = conn.getresponse()
        assert plain.read() == RSS and plain.getheader("Content-Encoding") is None
        conn.request("GET", "/f", headers={"Accept-Encoding": "br, gzip;q=0.5"})
        packed = conn.getresponse()
        assert packed.getheader("Content-Encoding") == "gzip"
        assert gzip.decompress(packed.read()) == RSS
        conn.request("GET", "/f", headers={"Accept-Encoding": "gzip;q=0"})
        assert conn.getresponse().read() == RSS
        for tag in ('"abc"', 'W/"abc"', '"zzz", W/"abc"', "*"):
            conn.request("GET", "/f", headers={"If-None-Match": tag})
            not_modified = conn.getresponse()
            assert not_modified.status == 304 and not_modified.read() == b""
        conn.request("GET", "/f", headers={"If-None-Match": '"other"'})
        assert conn.getresponse().read() == RSS
        conn.request("GET", "/unknown")
        assert conn.getresponse().status == 404
    finally:
        conn.close()
    assert feed_server.connections == 1
    assert [r.status for r in feed_server.requests] == [200, 200, 200, 304, 304, 304, 304, 200, 404]


def test_loopback_last_modified_moves_forward_on_change(feed_server: LoopbackServer) -> None:
    feed_server.route("/f", RSS, last_modified=True)
    first = fetch(feed_server.url("/f"))
    feed_server.update("/f", body=RSS + b" ")  # within the same second
    second = fetch(feed_server.url("/f"), None, first.last_modified)
    assert second.content == RSS + b" "
    assert second.last_modified != first.last_modified
    feed_server.reset_stats()
    assert feed_server.requests == [] and feed_server.connections == 0


# -- cookies and proxies (what httpx's client did for us) ---------------------------


def test_cookie_set_on_a_redirect_is_sent_on_the_next_hop(feed_server: LoopbackServer) -> None:
    feed_server.route(
        "/wall", b"", status=302, headers={"Location": "/f", "Set-Cookie": "seen=1; Path=/"}
    )
    feed_server.route("/f", RSS)
    result = fetch(feed_server.url("/wall"))
    assert result.content == RSS
    first, second = feed_server.requests
    assert first.header("cookie") is None
    assert second.header("cookie") == "seen=1"


def test_http_proxy_from_the_environment(
    feed_server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", feed_server.url("/"))
    feed_server.route("http://feeds.example.invalid/rss", RSS)
    result = fetch("http://feeds.example.invalid/rss")
    assert result.content == RSS, result.error
    assert [r.path for r in feed_server.requests] == ["http://feeds.example.invalid/rss"]
    direct = fetch("http://feeds.example.invalid/rss", trust_env=False)
    assert direct.error is not None and "feeds.example.invalid" in direct.error


def test_body_larger_than_the_read_ahead_arrives_whole(feed_server: LoopbackServer) -> None:
    big = RSS[:-16] + os.urandom(3 * 1024 * 1024).hex().encode() + b"</channel></rss>"
    feed_server.route("/big", big)
    feed_server.route("/small", RSS)

    async def scenario() -> list[FetchResult]:
        async with Fetcher(concurrency=1, max_bytes=len(big)) as fetcher:
            return [await fetcher.fetch(feed_server.url(p)) for p in ("/big", "/small")]

    first, second = run(scenario())
    assert first.content == big and second.content == RSS
    assert feed_server.connections == 1  # the big body was read to its end


# -- HTTPS ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made by the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(tls_cert: tuple[Path, Path]) -> Iterator[LoopbackServer]:
    cert, key = tls_cert
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with LoopbackServer(tls=context) as server:
        yield server


def test_https_fetches_over_one_kept_alive_tls_connection(
    tls_server: LoopbackServer, tls_cert: tuple[Path, Path]
) -> None:
    tls_server.route("/a.xml", RSS, gzip=True)
    tls_server.route("/b.xml", RSS)
    trusted = ssl.create_default_context(cafile=str(tls_cert[0]))
    urls = [tls_server.url("/a.xml"), tls_server.url("/b.xml")]
    assert urls[0].startswith("https://")

    async def both() -> list[FetchResult]:
        async with Fetcher(verify=trusted) as fetcher:
            return [await fetcher.fetch(url) for url in urls]

    results = run(both())
    assert [(r.ok, r.status, r.content) for r in results] == [(True, 200, RSS)] * 2
    assert tls_server.connections == 1


def test_https_with_an_untrusted_certificate_fails_verification(
    tls_server: LoopbackServer,
) -> None:
    tls_server.route("/f", RSS)
    result = fetch(tls_server.url("/f"))
    assert result.content is None
    assert result.error is not None
    assert result.error.startswith("TLS error: certificate verify failed")
