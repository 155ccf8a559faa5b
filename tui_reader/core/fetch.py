"""Fetching feed documents over HTTP(S) and from local files.

One :class:`Fetcher` keeps HTTP/1.1 keep-alive connections (httpcore, the layer under
httpx) per origin: at most ``concurrency`` requests at a time in all,
and at most ``per_host`` requests to any one host::

    async with Fetcher(concurrency=32, per_host=6) as fetcher:
        result = await fetcher.fetch(url, etag=old_etag, last_modified=old_lm)
        async for result in fetcher.fetch_many([FetchRequest(url, etag, lm), ...]):
            ...  # results arrive in completion order; hand parsing to a thread

:meth:`Fetcher.fetch` never raises for network, HTTP or file problems: it
returns a :class:`FetchResult` whose ``error`` is a one-line human message.
Only misuse (a non-string URL, fetching outside ``async with``) raises.

Guarantees per request: a total deadline (``timeout``) that covers every
redirect hop and a server trickling bytes; connect and between-bytes read
timeouts; a size cap on the decoded body (``max_bytes``, default 10 MB) enforced
while streaming, so a gzip bomb never inflates past the cap in memory; at most
``max_redirects`` hops, with loops reported as such; conditional GET with the
caller's ``ETag``/``Last-Modified``.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import http.cookiejar
import os
import socket
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit
from urllib.request import Request, getproxies_environment, proxy_bypass_environment, url2pathname

import httpcore
import httpx

from tui_reader import __version__
from tui_reader.core.content_coding import (
    ACCEPT_ENCODING,
    DEFAULT_MAX_BYTES,
    BoundedDecoder,
    DecodeError,
    decode_body,
    fmt_size,
)
from tui_reader.core.http_transport import (
    KEEPALIVE,
    Backend,
    CookieHeaders,
    Pool,
    Response,
    nothing,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_PER_HOST",
    "USER_AGENT",
    "DecodeError",
    "FetchRequest",
    "FetchResult",
    "Fetcher",
    "decode_body",
    "is_local",
]

USER_AGENT = f"storyreader/{__version__} (+https://github.com/storyreader/storyreader)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/json;q=0.9, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.8"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_DRAIN_LIMIT = 64 * 1024  # read small non-feed bodies so the connection can be reused
_MAX_MESSAGE = 200
_NETWORK_ERRORS: tuple[type[Exception], ...] = (
    httpcore.NetworkError,
    httpcore.TimeoutException,
    httpcore.ProtocolError,
    httpcore.ProxyError,
    httpcore.UnsupportedProtocol,
    httpx.InvalidURL,
    OSError,
)
# Requests in flight to one host (hostname and port) by default: what browsers open per
# host (Chrome, Firefox: 6; OkHttp queues above 5, Scrapy above 8 per domain), so a server
# with dozens of our feeds sees no more than one page load's worth of parallel requests.
DEFAULT_PER_HOST = 6
# Open connections kept per request slot: a refresh takes its feeds round-robin over their
# hosts, so a host's next feed comes after many other hosts' ones; with room for only
# ``concurrency`` connections its idle one was always closed first (the 400-feed farm on
# 64 hosts opened 400 connections, now 64: 0.49 -> 0.35 ms CPU per request, 304s 0.45 -> 0.29).
_OPEN_PER_SLOT = 4
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """A URL (or local path) and the validators remembered from its last fetch."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch produced. Exactly one of content / not_modified / error is set.

    ``etag`` and ``last_modified`` are the validators to send next time (on a
    304 the ones sent are kept when the server does not repeat them).
    ``permanent_redirect`` is the new URL when every hop to it was 301/308 and
    the fetch there succeeded. ``elapsed`` is in seconds, from when the request
    got its concurrency slot. ``status`` is None for local files and for
    failures before any HTTP response. ``content_encoding`` is set only by a
    fetcher made with ``decode=False``: the ``Content-Encoding`` ``content`` is
    still in, for :func:`decode_body`.
    """

    requested_url: str
    final_url: str
    status: int | None = None
    content: bytes | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    permanent_redirect: str | None = None
    gone: bool = False
    retry_after: datetime | None = None
    error: str | None = None
    elapsed: float = 0.0
    content_encoding: str | None = None

    @property
    def ok(self) -> bool:
        """True when there is no error (new content or not modified)."""
        return self.error is None


class _Progress:
    """How far a fetch got, for the error result (final URL, last status)."""

    __slots__ = ("status", "url")

    def __init__(self, url: str) -> None:
        self.url = url
        self.status: int | None = None


class _Failure(Exception):
    """Internal: carries a finished error result's fields out of deep code."""

    def __init__(self, message: str, **fields: object) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


def is_local(url: str) -> bool:
    """True for a ``file://`` URL or a filesystem path (no URL scheme)."""
    scheme = urlsplit(url).scheme.lower()
    return scheme in ("", "file") or (len(scheme) == 1 and os.name == "nt")


def _fmt_seconds(value: float) -> str:
    return f"{value:g}"


def _one_line(text: str) -> str:
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _status_text(status: int, reason: str) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = _one_line(reason)[:60]
    return f"HTTP {status} {phrase}".rstrip()


def parse_retry_after(value: str | None, now: datetime | None = None) -> datetime | None:
    """A Retry-After header (delay in seconds or HTTP-date) as an aware UTC datetime."""
    if not value:
        return None
    value = value.strip()
    now = now or datetime.now(UTC)
    if value.isdigit():
        return now + timedelta(seconds=min(int(value), 366 * 86400))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


# -- decoding with bounded output --------------------------------------------------


# -- describing failures -------------------------------------------------------


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _tls_message(err: ssl.SSLError) -> str:
    verify = getattr(err, "verify_message", None)
    if verify:
        return f"TLS error: certificate verify failed ({verify})"
    text = err.reason or str(err)
    text = text.split("] ", 1)[-1].split(" (_ssl.c", 1)[0]
    return f"TLS error: {text.replace('_', ' ').lower()}"


def describe_error(exc: BaseException, url: str, fetcher: Fetcher | None = None) -> str:
    """A one-line, human description of a network failure while fetching ``url``."""
    host = urlsplit(url).hostname or url
    chain = list(_causes(exc))
    for cause in chain:
        if isinstance(cause, ssl.SSLError):
            return _one_line(_tls_message(cause))
        if isinstance(cause, socket.gaierror):
            return f"DNS lookup failed for host {host}"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ConnectionResetError):
            return "connection reset by the server"
    f = fetcher
    if isinstance(exc, httpcore.ConnectTimeout):
        return "connection timed out" + (f" after {_fmt_seconds(f.connect_timeout)} s" if f else "")
    if isinstance(exc, httpcore.ReadTimeout):
        return "server stopped sending" + (
            f" (no data for {_fmt_seconds(f.read_timeout)} s)" if f else ""
        )
    if isinstance(exc, httpcore.WriteTimeout):
        return "timed out sending the request"
    if isinstance(exc, httpcore.PoolTimeout):
        return "timed out waiting for a free connection"
    if isinstance(exc, httpcore.RemoteProtocolError):
        text = str(exc)
        if "without sending complete message body" in text or "incomplete" in text.lower():
            return "connection closed before the response was complete"
        if "without sending a response" in text:
            return "server closed the connection without a response"
        return _one_line(f"invalid HTTP response: {text}")
    if isinstance(exc, zlib.error):
        return "could not decompress the response"
    if isinstance(exc, httpcore.UnsupportedProtocol | httpx.InvalidURL):
        return _one_line(f"invalid URL: {exc}")
    for cause in chain:
        if isinstance(cause, OSError) and cause.strerror:
            prefix = (
                "could not connect" if isinstance(exc, httpcore.ConnectError) else "network error"
            )
            return _one_line(f"{prefix}: {cause.strerror.lower()}")
    return _one_line(f"network error: {exc}" if str(exc) else type(exc).__name__)


def _check_url(url: str) -> httpx.URL:
    """Parse an http(s) URL or raise _Failure with a one-line reason."""
    url = url.strip()
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        shown = _one_line(scheme)[:20]
        raise _Failure(f"unsupported URL scheme '{shown}' (use http, https or file)")
    if any(c.isspace() for c in url):
        raise _Failure(f"invalid URL: {_one_line(url)}")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise _Failure(f"invalid URL: {_one_line(str(exc))}") from None
    if not parsed.host:
        raise _Failure(f"invalid URL (no host): {_one_line(url)}")
    return parsed


def _header_safe(value: str | None) -> str | None:
    """A validator fit to store and send back: printable ASCII only (a hostile server
    may send control characters or newlines), else None."""
    if not value or not value.isascii() or not value.isprintable():
        return None
    return value


_HostKey = tuple[bytes, int]


def _host_key(url: httpx.URL | str) -> _HostKey | None:
    """What the per-host limit counts by: the lower-cased (IDNA) host name and the port;
    None for a URL without a host (its fetch fails without connecting anywhere)."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url.strip())
        host = parsed.raw_host.lower()
        port = parsed.port or _DEFAULT_PORTS.get(parsed.scheme)
    except (httpx.InvalidURL, ValueError, TypeError):
        return None
    if not host or port is None:
        return None
    return host, port


class _Lease:
    """One request's slots: its host's (when limited) and a concurrency slot.

    Taken host first, so a request queued behind a busy host holds no concurrency slot
    and requests to other hosts go ahead. Waiting for a host's slot while holding
    anything else could deadlock (requests holding the host's slots waiting for
    concurrency slots held by requests waiting for that host), so moving to another
    host (a redirect) gives both slots back before queueing for the new host's.
    """

    __slots__ = ("fetcher", "host", "slot")

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self.host: _HostKey | None = None
        self.slot = False

    async def acquire(self, host: _HostKey | None) -> None:
        """Wait for ``host``'s slot (None: no host limit), then a concurrency slot."""
        if host is not None:
            await self.fetcher._host_slots(host).acquire()
            self.host = host
        await self.fetcher._slots.acquire()
        self.slot = True

    def release(self) -> None:
        """Give back whatever is held (safe to call twice)."""
        if self.slot:
            self.fetcher._slots.release()
            self.slot = False
        if self.host is not None:
            self.fetcher._hosts[self.host].release()
            self.host = None

    async def move(self, host: _HostKey | None) -> None:
        """Hold ``host``'s slot (and a concurrency slot) instead of the current ones."""
        if host != self.host or not self.slot:
            self.release()
            await self.acquire(host)


_END = object()


def _by_host_round_robin(
    requests: list[FetchRequest | str],
) -> Iterator[FetchRequest | str]:
    """``requests`` taking one per host in turn (hosts in order of first appearance)."""
    queues: dict[object, list[FetchRequest | str]] = {}
    for item in requests:
        url = item.url if isinstance(item, FetchRequest) else item
        key = _host_key(url) if isinstance(url, str) and not is_local(url) else None
        queues.setdefault(key, []).append(item)
    if len(queues) <= 1:
        yield from requests
        return
    rounds = [iter(queue) for queue in queues.values()]
    while rounds:
        still = []
        for queue in rounds:
            item = next(queue, _END)
            if item is not _END:
                yield item  # type: ignore[misc]
                still.append(queue)
        rounds = still


# -- the fetcher ----------------------------------------------------------------


class Fetcher:
    """Fetches URLs and local files with one shared HTTP client; use ``async with``.

    ``timeout`` is the whole-request budget in seconds (all redirect hops,
    headers and body); ``connect_timeout`` and ``read_timeout`` bound the TCP/TLS
    connect and each wait for data. ``max_bytes`` caps the decoded body (and the
    bytes on the wire). ``concurrency`` bounds requests in flight (and keeps at most
    four times as many connections open, the idle ones for reuse); ``per_host`` bounds
    requests in flight to one host (host name and port; local files are not counted),
    across redirects.
    """

    def __init__(
        self,
        *,
        concurrency: int = 32,
        per_host: int = DEFAULT_PER_HOST,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        read_timeout: float = 15.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = 10,
        user_agent: str = USER_AGENT,
        verify: ssl.SSLContext | bool = True,
        trust_env: bool = True,
        decode: bool = True,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if per_host < 1:
            raise ValueError("per_host must be at least 1")
        self.concurrency = concurrency
        self.per_host = per_host
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._timeouts = {"connect": connect_timeout, "read": read_timeout, "write": read_timeout}
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.user_agent = user_agent
        self._verify = verify
        self._trust_env = trust_env
        self.decode = decode
        self._headers = [
            (b"Accept", ACCEPT.encode()),
            (b"Accept-Encoding", ACCEPT_ENCODING.encode()),
            (b"Connection", b"keep-alive"),
            (b"User-Agent", user_agent.encode()),
        ]
        self._pool: Pool | None = None
        self._slots = asyncio.Semaphore(concurrency)
        # One semaphore per host seen, made on first use (a few hundred at most per refresh).
        self._hosts: dict[_HostKey, asyncio.Semaphore] = {}
        self._cookies = http.cookiejar.CookieJar()  # consulted only once a server sets one
        # Proxies from the environment (trust_env), by URL scheme; a pool per proxy URL.
        self._proxy_env: dict[str, str] = {}
        self._proxies: dict[str, httpcore.AsyncConnectionPool] = {}

    def _host_slots(self, host: _HostKey) -> asyncio.Semaphore:
        slots = self._hosts.get(host)
        if slots is None:
            slots = self._hosts[host] = asyncio.Semaphore(self.per_host)
        return slots

    async def __aenter__(self) -> Fetcher:
        verify = self._verify
        if not isinstance(verify, ssl.SSLContext):
            verify = httpx.create_ssl_context(verify=verify, trust_env=self._trust_env)
        self._pool = Pool(self.concurrency * _OPEN_PER_SLOT, verify, Backend())
        self._proxy_env = getproxies_environment() if self._trust_env else {}
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every pooled connection."""
        pool, self._pool = self._pool, None
        proxies, self._proxies = list(self._proxies.values()), {}
        if pool is not None:
            await pool.aclose()
        for proxy in proxies:
            await proxy.aclose()

    # -- public API --------------------------------------------------------------

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None,
        *, allow: Callable[[str], bool] | None = None,
    ) -> FetchResult:
        """Fetch one URL or local file; problems are reported in ``result.error``.
        ``allow``: where a redirect may lead (a hop it refuses is an error)."""
        if not isinstance(url, str):
            raise TypeError(f"url must be a str, not {type(url).__name__}")
        if self._pool is None:
            raise RuntimeError("use the Fetcher inside 'async with'")
        if is_local(url):
            async with self._slots:
                start = time.monotonic()
                return await asyncio.to_thread(self._read_file, url, etag, last_modified, start)
        lease = _Lease(self)
        try:
            await lease.acquire(_host_key(url))
            return await self._fetch_http(lease, url, etag, last_modified, time.monotonic(),
                                          allow)
        finally:
            lease.release()

    async def fetch_many(
        self, requests: Iterable[FetchRequest | str]
    ) -> AsyncIterator[FetchResult]:
        """Fetch everything, yielding each result as soon as it is complete.

        Results come in completion order; match them to requests by
        ``result.requested_url``. At most ``concurrency`` fetches run at once, and
        fetching pauses while ``2 * concurrency`` results wait for the consumer.
        Requests are started round-robin over their hosts (in order within a host), so
        a long run of URLs on one host does not keep the others waiting.
        To stop early, iterate inside ``contextlib.aclosing(fetcher.fetch_many(...))``
        so that breaking out cancels the remaining fetches at once.
        """
        pending = iter(_by_host_round_robin(list(requests)))
        done = object()
        queue: asyncio.Queue[object] = asyncio.Queue()
        slots = asyncio.Semaphore(2 * self.concurrency)

        async def worker() -> None:
            try:
                while True:
                    await slots.acquire()
                    item = next(pending, done)
                    if item is done:
                        return
                    req = FetchRequest(item) if isinstance(item, str) else item
                    if not isinstance(req, FetchRequest):
                        raise TypeError(f"expected FetchRequest or str, not {type(req).__name__}")
                    queue.put_nowait(await self.fetch(req.url, req.etag, req.last_modified))
            except Exception as exc:  # a programmer error: raised again in the consumer
                queue.put_nowait(exc)
            finally:
                queue.put_nowait(done)

        workers = [asyncio.create_task(worker()) for _ in range(self.concurrency)]
        try:
            running = len(workers)
            while running:
                item = await queue.get()
                if item is done:
                    running -= 1
                elif isinstance(item, Exception):
                    raise item
                else:
                    assert isinstance(item, FetchResult)
                    yield item
                    slots.release()
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    # -- HTTP ----------------------------------------------------------------------

    async def _fetch_http(
        self,
        lease: _Lease,
        url: str,
        etag: str | None,
        last_modified: str | None,
        start: float,
        allow: Callable[[str], bool] | None = None,
    ) -> FetchResult:
        progress = _Progress(url)
        try:
            async with asyncio.timeout(self.timeout) as deadline:
                return await self._follow(
                    lease, deadline, url, etag, last_modified, start, progress, allow
                )
        except _Failure as failure:
            message, fields = failure.message, failure.fields
        except TimeoutError:
            message, fields = f"timed out after {_fmt_seconds(self.timeout)} s", {}
        except _NETWORK_ERRORS as exc:
            message, fields = describe_error(exc, progress.url, self), {}
        return FetchResult(
            requested_url=url,
            final_url=progress.url,
            status=progress.status,
            error=message,
            elapsed=time.monotonic() - start,
            **fields,  # type: ignore[arg-type]
        )

    async def _follow(
        self,
        lease: _Lease,
        deadline: asyncio.Timeout,
        url: str,
        etag: str | None,
        last_modified: str | None,
        start: float,
        progress: _Progress,
        allow: Callable[[str], bool] | None = None,
    ) -> FetchResult:
        etag, last_modified = _header_safe(etag), _header_safe(last_modified)
        headers = []
        if etag:
            headers.append((b"If-None-Match", etag.encode()))
        if last_modified:
            headers.append((b"If-Modified-Since", last_modified.encode()))
        target = _check_url(url)
        seen = {str(target)}
        all_permanent = True
        hops = 0
        while True:
            progress.url = str(target)
            host = _host_key(target)
            if host != lease.host:  # a redirect to another host: queue for its slot
                await self._move(lease, host, deadline)
            response = await self._send(target, headers)
            try:
                status = progress.status = response.status_code
                if status not in _REDIRECTS:
                    moved = str(target) if hops and all_permanent else None
                    return await self._finish(url, response, etag, last_modified, moved, start)
                target = self._next_hop(target, response, seen)
                if allow is not None and not allow(str(target)):
                    raise _Failure(f"redirected to {target}, which is not fetched from here")
                hops += 1
                all_permanent = all_permanent and status in _PERMANENT
                if hops > self.max_redirects:
                    raise _Failure(f"too many redirects (more than {self.max_redirects})")
                await self._drain(response)
            finally:
                await response.aclose()

    async def _send(self, url: httpx.URL, headers: list[tuple[bytes, bytes]]) -> Response:
        """Send a GET for ``url`` (our headers plus ``headers``) and read the response head."""
        assert self._pool is not None
        request = httpcore.Request(
            b"GET",
            httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=[(b"Host", url.netloc), *self._headers, *headers, *self._cookie(url)],
            extensions={"timeout": self._timeouts},
        )
        proxy = self._proxy(url) if self._proxy_env else None
        if proxy is not None:
            raw = await proxy.handle_async_request(request)
            done = nothing
        else:
            pool, origin = self._pool, request.url.origin
            conn = await pool.take(origin)
            try:
                raw = await conn.handle_async_request(request)
            except BaseException:
                await pool.put(conn, origin)
                raise

            def done() -> Awaitable[None]:
                return pool.put(conn, origin)

        if any(name.lower() == b"set-cookie" for name, _ in raw.headers):
            self._cookies.extract_cookies(CookieHeaders(raw.headers), Request(str(url)))  # type: ignore[arg-type]
        return Response(raw, url, done)

    def _cookie(self, url: httpx.URL) -> list[tuple[bytes, bytes]]:
        """The Cookie header for ``url`` once servers have set cookies, as browsers send."""
        if not len(self._cookies):
            return []
        request = Request(str(url))
        self._cookies.add_cookie_header(request)
        value = request.get_header("Cookie")
        return [(b"Cookie", value.encode("latin-1", "replace"))] if value else []

    def _proxy(self, url: httpx.URL) -> httpcore.AsyncConnectionPool | None:
        """The pool of the environment's proxy for ``url`` (None: connect directly)."""
        env = self._proxy_env
        proxy_url = env.get(url.scheme) or env.get("all")
        if not proxy_url or proxy_bypass_environment(url.host, env):
            return None
        pool = self._proxies.get(proxy_url)
        if pool is None:
            assert self._pool is not None
            proxy = httpx.Proxy(proxy_url if "://" in proxy_url else f"http://{proxy_url}")
            target = httpcore.URL(
                scheme=proxy.url.raw_scheme,
                host=proxy.url.raw_host,
                port=proxy.url.port,
                target=proxy.url.raw_path,
            )
            options = {
                "ssl_context": self._pool.ssl_context,
                "max_connections": self.concurrency,
                "keepalive_expiry": KEEPALIVE,
            }
            if proxy.url.scheme.startswith("socks"):
                pool = httpcore.AsyncSOCKSProxy(target, proxy_auth=proxy.raw_auth, **options)  # type: ignore[arg-type]
            else:
                pool = httpcore.AsyncHTTPProxy(
                    target,
                    proxy_auth=proxy.raw_auth,
                    proxy_headers=proxy.headers.raw,
                    **options,  # type: ignore[arg-type]
                )
            self._proxies[proxy_url] = pool
        return pool

    @staticmethod
    async def _move(lease: _Lease, host: _HostKey | None, deadline: asyncio.Timeout) -> None:
        """Move ``lease`` to ``host``; the wait does not count against the deadline."""
        when = deadline.when()
        if when is None or deadline.expired():
            await lease.move(host)
            return
        loop = asyncio.get_running_loop()
        left = when - loop.time()
        deadline.reschedule(None)
        await lease.move(host)
        deadline.reschedule(loop.time() + left)

    @staticmethod
    def _next_hop(target: httpx.URL, response: Response, seen: set[str]) -> httpx.URL:
        """Where a redirect points, refusing loops, bad URLs and other schemes."""
        location = response.headers.get("location", "").strip()
        if not location:
            raise _Failure(
                f"{_status_text(response.status_code, response.reason_phrase)} "
                "without a Location header"
            )
        try:
            next_url = target.join(location)
        except (httpx.InvalidURL, ValueError):
            raise _Failure(f"redirect to an invalid URL: {_one_line(location)}") from None
        if next_url.scheme not in ("http", "https") or not next_url.host:
            raise _Failure(f"redirect to an unsupported URL: {_one_line(location)}")
        # Revisiting a URL is a loop unless the server is setting a cookie first.
        if str(next_url) in seen and "set-cookie" not in response.headers:
            raise _Failure(f"redirect loop at {_one_line(str(next_url))}")
        seen.add(str(next_url))
        return next_url

    async def _finish(
        self,
        url: str,
        response: Response,
        sent_etag: str | None,
        sent_lm: str | None,
        moved: str | None,
        start: float,
    ) -> FetchResult:
        status = response.status_code
        final_url = str(response.url)
        new_etag = _header_safe(response.headers.get("etag"))
        new_lm = _header_safe(response.headers.get("last-modified"))
        if status == 304 and (sent_etag or sent_lm):
            await self._drain(response)
            return FetchResult(
                requested_url=url,
                final_url=final_url,
                status=status,
                etag=new_etag or sent_etag,
                last_modified=new_lm or sent_lm,
                not_modified=True,
                permanent_redirect=moved,
                elapsed=time.monotonic() - start,
            )
        if not 200 <= status < 300:
            retry = None
            if status in (429, 503):
                retry = parse_retry_after(response.headers.get("retry-after"))
            await self._drain(response)
            raise _Failure(
                _status_text(status, response.reason_phrase), gone=status == 410, retry_after=retry
            )
        content = await self._read_body(response)
        encoding = None if self.decode else response.headers.get("content-encoding") or None
        return FetchResult(
            requested_url=url,
            final_url=final_url,
            status=status,
            content=content,
            content_type=response.headers.get("content-type"),
            etag=new_etag,
            last_modified=new_lm,
            permanent_redirect=moved,
            elapsed=time.monotonic() - start,
            content_encoding=encoding,
        )

    def _too_large(self) -> _Failure:
        return _Failure(f"response larger than {fmt_size(self.max_bytes)}")

    async def _read_body(self, response: Response) -> bytes:
        """The body (decoded unless ``decode=False``), failing as soon as either size
        passes ``max_bytes``."""
        declared = response.headers.get("content-length", "")
        if declared.strip().isdigit() and int(declared) > self.max_bytes:
            raise self._too_large()
        encoding = response.headers.get("content-encoding") if self.decode else None
        body = BoundedDecoder(encoding, self.max_bytes)
        wire = 0
        try:
            async for raw in response.aiter_raw():
                wire += len(raw)
                if wire > self.max_bytes:
                    raise self._too_large()
                body.feed(raw)
            return body.finish()
        except DecodeError as exc:
            raise _Failure(str(exc)) from None

    async def _drain(self, response: Response) -> None:
        """Read a small unwanted body so the connection goes back to the pool."""
        declared = response.headers.get("content-length", "")
        if declared.strip().isdigit() and int(declared) > _DRAIN_LIMIT:
            return
        read = 0
        with contextlib.suppress(*_NETWORK_ERRORS):
            async for raw in response.aiter_raw():
                read += len(raw)
                if read > _DRAIN_LIMIT:
                    return

    # -- local files --------------------------------------------------------------

    def _read_file(
        self, url: str, etag: str | None, last_modified: str | None, start: float
    ) -> FetchResult:
        """Read a path or file:// URL (runs in a worker thread)."""
        parts = urlsplit(url)
        if parts.scheme.lower() == "file":
            if parts.netloc not in ("", "localhost"):
                return FetchResult(
                    url,
                    url,
                    error="file URLs on another host are not supported",
                    elapsed=time.monotonic() - start,
                )
            path = Path(url2pathname(parts.path))
        else:
            path = Path(url).expanduser()
        try:
            with open(path, "rb") as handle:
                info = os.fstat(handle.fileno())
                new_etag = f'"{info.st_mtime_ns:x}-{info.st_size:x}"'
                new_lm = email.utils.formatdate(info.st_mtime, usegmt=True)
                unchanged = (
                    (etag == new_etag)
                    if etag
                    else (last_modified is not None and last_modified == new_lm)
                )
                if unchanged:
                    return FetchResult(
                        url,
                        url,
                        etag=new_etag,
                        last_modified=new_lm,
                        not_modified=True,
                        elapsed=time.monotonic() - start,
                    )
                if info.st_size > self.max_bytes:
                    raise self._too_large()
                content = handle.read(self.max_bytes + 1)
                if len(content) > self.max_bytes:
                    raise self._too_large()
        except _Failure as failure:
            message = failure.message
        except FileNotFoundError:
            message = f"file not found: {path}"
        except PermissionError:
            message = f"permission denied: {path}"
        except IsADirectoryError:
            message = f"is a directory, not a file: {path}"
        except OSError as exc:
            message = f"could not read {path}: {(exc.strerror or str(exc)).lower()}"
        else:
            return FetchResult(
                url,
                url,
                content=content,
                etag=new_etag,
                last_modified=new_lm,
                elapsed=time.monotonic() - start,
            )
        return FetchResult(url, url, error=_one_line(message), elapsed=time.monotonic() - start)
