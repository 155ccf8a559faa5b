"""A threaded loopback HTTP/1.1 server for tests and benchmarks (no pytest needed).

Routes are configured from the test thread while the server runs::

    server = LoopbackServer().start()
    server.route("/feed.xml", body=b"<rss/>", etag=True, last_modified=True, gzip=True)
    server.redirect("/old", "/feed.xml", status=301)
    url = server.url("/feed.xml")
    ...
    server.update("/feed.xml", body=b"<rss>new</rss>")  # new ETag / Last-Modified
    assert server.requests_for("/feed.xml")[-1].status == 304
    server.stop()

Every response (status line, headers and body) goes out in one ``sendall`` on a
socket with ``TCP_NODELAY``; :mod:`http.server`'s usual header/body split costs
~40 ms per keep-alive response (Nagle against delayed ACK). Connections are
HTTP/1.1 keep-alive with ``Content-Length``. Unknown paths answer 404.

Misbehaviours (``behavior=``): ``"reset"`` sends half the body and then a TCP
RST; ``"truncate"`` sends half the body and then closes normally; ``"hang"``
reads the request and never answers (until :meth:`LoopbackServer.stop`);
``"trickle"`` sends the body one byte every ``trickle_interval`` seconds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.utils
import hashlib
import io
import select
import socket
import socketserver
import ssl
import struct
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Literal

Behavior = Literal["normal", "reset", "truncate", "hang", "trickle"]

__all__ = ["LoopbackServer", "RequestRecord", "Route", "gzip_bomb", "unused_port"]


@dataclass(frozen=True)
class Route:
    """How one path answers. Build with :meth:`LoopbackServer.route`."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "application/rss+xml; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)
    etag: bool | str = False  # True: a hash of the body; a str is sent verbatim
    last_modified: bool | str | datetime = False  # True: when the body was set
    gzip: bool = False  # gzip the body when the client accepts gzip
    content_encoding: str | None = None  # body is already encoded this way; sent as is
    latency: float = 0.0  # seconds to wait before answering
    behavior: Behavior = "normal"
    trickle_interval: float = 1.0


@dataclass(frozen=True)
class _Prepared:
    """A route with everything per-response precomputed (hashes, gzip, dates)."""

    route: Route
    etag: str | None
    last_modified: str | None
    last_modified_ts: float | None
    gzipped: bytes | None


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it, logged before the response is sent."""

    method: str
    path: str  # including the query string
    headers: Mapping[str, str]  # lower-cased names
    status: int | None  # what was (or is being) answered; None: never answered
    connection: int  # serial number of the TCP connection, from 1
    time: float  # time.monotonic() at arrival

    def header(self, name: str) -> str | None:
        """A request header by case-insensitive name."""
        return self.headers.get(name.lower())


def unused_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on (for "connection refused")."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


_bombs: dict[int, bytes] = {}
_bombs_lock = threading.Lock()


def gzip_bomb(size: int = 64 * 1024 * 1024) -> bytes:
    """A gzip member of ``size`` zero bytes (~1/1000 of that compressed); cached."""
    with _bombs_lock:
        if size not in _bombs:
            comp = zlib.compressobj(9, zlib.DEFLATED, 31)
            chunk = bytes(1 << 20)
            parts = []
            left = size
            while left > 0:
                parts.append(comp.compress(chunk[: min(left, len(chunk))]))
                left -= len(chunk)
            parts.append(comp.flush())
            _bombs[size] = b"".join(parts)
        return _bombs[size]


def _gzip(data: bytes) -> bytes:
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    return comp.compress(data) + comp.flush()


def _http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)


def _prepare(route: Route, previous: _Prepared | None = None) -> _Prepared:
    etag: str | None = None
    if route.etag is True:
        etag = '"' + hashlib.blake2b(route.body, digest_size=8).hexdigest() + '"'
    elif isinstance(route.etag, str):
        etag = route.etag
    lm_ts: float | None = None
    lm: str | None = None
    if route.last_modified is True:
        if previous and previous.last_modified_ts and previous.route.body == route.body:
            lm_ts = previous.last_modified_ts
        else:
            lm_ts = float(int(time.time()))
            if previous and previous.last_modified_ts and lm_ts <= previous.last_modified_ts:
                lm_ts = previous.last_modified_ts + 1  # a change is always a newer second
        lm = _http_date(lm_ts)
    elif isinstance(route.last_modified, datetime):
        lm_ts = route.last_modified.timestamp()
        lm = _http_date(lm_ts)
    elif isinstance(route.last_modified, str):
        lm = route.last_modified
        parsed = _parse_date(lm)
        lm_ts = parsed.timestamp() if parsed else None
    gzipped = _gzip(route.body) if route.gzip and route.content_encoding is None else None
    return _Prepared(route, etag, lm, lm_ts, gzipped)


def _parse_date(value: str) -> datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2) of an If-None-Match list against ``etag``."""
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))


def _accepts_gzip(header: str | None) -> bool:
    for item in (header or "").split(","):
        name, _, params = item.partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip().lower()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 1024  # the bench opens many connections at once
    owner: LoopbackServer

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn); skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-response are routine here


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "loopback"
    sys_version = ""
    timeout = 60  # an idle keep-alive connection is dropped after this
    server: _HTTPServer
    _phrases: ClassVar[dict[int, str]] = {s.value: s.phrase for s in HTTPStatus}

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn_id = self.server.owner._opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.owner._closed(self.conn_id)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.owner._respond(self)

    do_HEAD = do_POST = do_GET

    def phrase(self, status: int) -> str:
        return self._phrases.get(status, "Unknown")


class LoopbackServer:
    """A configurable HTTP/1.1 server on 127.0.0.1, one thread per connection; HTTPS when
    given a server-side ``tls`` context."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None
    ) -> None:
        self._address = (host, port)
        self._tls = tls
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._routes: dict[str, _Prepared] = {}
        self._requests: list[RequestRecord] = []
        self._sockets: dict[int, socket.socket] = {}
        self._conn_serial = 0
        self._active = 0
        self._in_flight = 0
        self.max_connections = 0  # most TCP connections open at the same time
        self.max_in_flight = 0  # most requests being answered at the same time

    # -- lifecycle -------------------------------------------------------

    def start(self) -> LoopbackServer:
        """Bind and serve in a background thread; returns self."""
        httpd = _HTTPServer(self._address, _Handler)
        httpd.owner = self
        if self._tls is not None:  # each accepted connection does its handshake first
            httpd.socket = self._tls.wrap_socket(httpd.socket, server_side=True)
        self._httpd = httpd
        self._stopping.clear()
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name=f"loopback:{self.port}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release hanging/trickling handlers and close every connection."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            sockets = list(self._sockets.values())
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread:
            self._thread.join(5)
        self._httpd = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # -- routes ----------------------------------------------------------

    def route(self, path: str, body: bytes | str = b"", **options: Any) -> None:
        """Set (or replace) what ``path`` answers; options are :class:`Route` fields."""
        if isinstance(body, str):
            body = body.encode()
        route = Route(body=body, **options)
        with self._lock:
            self._routes[path] = _prepare(route, self._routes.get(path))

    def update(self, path: str, body: bytes | str | None = None, **changes: Any) -> None:
        """Change some fields of an existing route (a new body gets a new ETag/date)."""
        if isinstance(body, str):
            body = body.encode()
        if body is not None:
            changes["body"] = body
        with self._lock:
            previous = self._routes[path]
            route = dataclasses.replace(previous.route, **changes)
            self._routes[path] = _prepare(route, previous)

    def redirect(self, path: str, to: str, status: int = 301) -> None:
        """``path`` answers ``status`` with ``Location: to`` (as given: may be relative)."""
        self.route(path, b"", status=status, content_type=None, headers={"Location": to})

    def gzip_bomb(self, path: str, size: int = 64 * 1024 * 1024) -> None:
        """``path`` answers a gzip body that inflates to ``size`` zero bytes."""
        self.route(
            path, gzip_bomb(size), content_encoding="gzip", content_type="application/rss+xml"
        )

    # -- what happened ---------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    def requests_for(self, path: str) -> list[RequestRecord]:
        """The requests whose path (without the query) is ``path``."""
        return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    @property
    def connections(self) -> int:
        """How many TCP connections were accepted so far."""
        with self._lock:
            return self._conn_serial

    def reset_stats(self) -> None:
        """Forget logged requests and counters (routes are kept)."""
        with self._lock:
            self._requests.clear()
            self._conn_serial = 0
            self.max_connections = self._active
            self.max_in_flight = self._in_flight

    # -- handler side ----------------------------------------------------

    def _opened(self, sock: socket.socket) -> int:
        with self._lock:
            self._conn_serial += 1
            self._active += 1
            self.max_connections = max(self.max_connections, self._active)
            self._sockets[self._conn_serial] = sock
            return self._conn_serial

    def _closed(self, conn_id: int) -> None:
        with self._lock:
            self._active -= 1
            self._sockets.pop(conn_id, None)

    def _respond(self, h: _Handler) -> None:
        arrived = time.monotonic()
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            prepared = self._routes.get(h.path) or self._routes.get(h.path.split("?", 1)[0])
        try:
            self._answer(h, prepared, arrived)
        except OSError:
            h.close_connection = True  # the client went away
        finally:
            with self._lock:
                self._in_flight -= 1

    def _log(self, h: _Handler, status: int | None, arrived: float) -> None:
        headers = {k.lower(): v for k, v in h.headers.items()}
        record = RequestRecord(h.command, h.path, headers, status, h.conn_id, arrived)
        with self._lock:
            self._requests.append(record)

    def _answer(self, h: _Handler, prepared: _Prepared | None, arrived: float) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        if length:
            h.rfile.read(length)
        if prepared is None:
            prepared = _prepare(Route(b"not found\n", status=404, content_type="text/plain"))
        route = prepared.route
        if route.behavior == "hang":
            self._log(h, None, arrived)
            self._wait_for_hangup(h.connection)
            h.close_connection = True
            return
        if route.latency and self._stopping.wait(route.latency):
            h.close_connection = True
            return

        status = route.status
        if status == 200 and self._not_modified(h, prepared):
            status = 304
        body = route.body
        lines = [
            f"HTTP/1.1 {status} {h.phrase(status)}",
            f"Date: {_http_date(time.time())}",
            "Server: loopback",
        ]
        if route.content_type and status != 304:
            lines.append(f"Content-Type: {route.content_type}")
        if prepared.etag:
            lines.append(f"ETag: {prepared.etag}")
        if prepared.last_modified:
            lines.append(f"Last-Modified: {prepared.last_modified}")
        if route.content_encoding:
            lines.append(f"Content-Encoding: {route.content_encoding}")
        elif prepared.gzipped is not None:
            lines.append("Vary: Accept-Encoding")
            if _accepts_gzip(h.headers.get("Accept-Encoding")):
                lines.append("Content-Encoding: gzip")
                body = prepared.gzipped
        lines.extend(f"{k}: {v}" for k, v in route.headers.items())
        if status == 304 or status == 204 or 100 <= status < 200:
            body = b""
        else:
            lines.append(f"Content-Length: {len(body)}")
        if h.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if h.command == "HEAD":
            body = b""

        self._log(h, status, arrived)
        sock = h.connection
        if route.behavior == "normal" or not body:
            sock.sendall(head + body)
        elif route.behavior in ("reset", "truncate"):
            sock.sendall(head + body[: len(body) // 2])
            h.close_connection = True
            if route.behavior == "reset":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                h.rfile.close()
                h.wfile.close()
                h.wfile = io.BytesIO()  # the handler flushes it after we return
                sock.close()  # the last reference: the kernel sends RST
        elif route.behavior == "trickle":
            sock.sendall(head)
            for i in range(len(body)):
                if self._stopping.wait(route.trickle_interval):
                    h.close_connection = True
                    return
                sock.sendall(body[i : i + 1])

    def _wait_for_hangup(self, sock: socket.socket) -> None:
        """Block until the client closes the connection or the server stops."""
        while not self._stopping.is_set():
            readable, _, _ = select.select([sock], [], [], 0.1)
            if readable:
                try:
                    if not sock.recv(1024, socket.MSG_PEEK):
                        return
                except OSError:
                    return
                self._stopping.wait(0.1)  # pipelined bytes: keep ignoring them

    def _not_modified(self, h: _Handler, prepared: _Prepared) -> bool:
        inm = h.headers.get("If-None-Match")
        if inm is not None:
            return prepared.etag is not None and _etag_matches(inm, prepared.etag)
        ims = h.headers.get("If-Modified-Since")
        if ims is not None and prepared.last_modified_ts is not None:
            since = _parse_date(ims)
            return since is not None and prepared.last_modified_ts <= since.timestamp()
        return False
