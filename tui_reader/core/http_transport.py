"""HTTP/1.1 connections for :class:`~tui_reader.core.fetch.Fetcher`: httpcore's protocol
code over a small asyncio network backend, and an O(1) keep-alive pool.

httpcore's own pool scans every connection and queued request on each request event, and
its default backend goes through anyio's cancel scopes and locks; together they cost more
CPU than the rest of a request (0.91 → 0.47 ms per request on the benchmark farm).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable

import httpcore
import httpx

KEEPALIVE = 30.0  # seconds an idle connection is kept for reuse
_READ_AHEAD = 256 * 1024  # bytes received but not yet read before a connection stops reading


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class _Stream(asyncio.Protocol, httpcore.AsyncNetworkStream):
    """A TCP (or TLS) connection as httpcore reads and writes it, straight on asyncio.

    httpcore's default backend goes through anyio, whose cancel scopes, locks and
    attribute lookups cost more CPU than the rest of a request; this needs one timer
    per wait and no task switches beyond the reads themselves.
    """

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._eof = False
        self._error: Exception | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False

    # -- asyncio.Protocol ---------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) > _READ_AHEAD and self._transport is not None:
            self._transport.pause_reading()  # until read() catches up
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof = True
        self._error = exc
        self._paused = False
        self._wake()

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _wait(self, timeout: float | None) -> None:
        waiter = self._waiter = self._loop.create_future()
        timer = None if timeout is None else self._loop.call_later(timeout, _expire, waiter)
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    # -- httpcore.AsyncNetworkStream ---------------------------------------------

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if not self._buffer and not self._eof:
            try:
                await self._wait(timeout)
            except TimeoutError:
                raise httpcore.ReadTimeout("timed out reading") from None
        if self._buffer:
            data = bytes(self._buffer[:max_bytes])
            del self._buffer[:max_bytes]
            transport = self._transport
            if len(self._buffer) <= _READ_AHEAD and transport and not transport.is_reading():
                transport.resume_reading()
            return data
        if self._error is not None:
            raise httpcore.ReadError(str(self._error)) from self._error
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            raise httpcore.WriteError("connection closed") from self._error
        transport.write(buffer)
        while self._paused:
            try:
                await self._wait(timeout)
            except TimeoutError:
                raise httpcore.WriteTimeout("timed out writing") from None

    async def aclose(self) -> None:
        if self._transport is not None:
            self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        assert self._transport is not None
        try:
            transport = await self._loop.start_tls(
                self._transport,
                self,
                ssl_context,
                server_hostname=server_hostname,
                ssl_handshake_timeout=timeout,
            )
        except TimeoutError:
            self._transport.close()
            raise httpcore.ConnectTimeout("timed out in the TLS handshake") from None
        except (OSError, ssl.SSLError) as exc:  # SSLError is an OSError; named for clarity
            self._transport.close()
            raise httpcore.ConnectError(str(exc)) from exc
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        return self

    def get_extra_info(self, info: str) -> object:
        if info == "is_readable":  # on an idle connection: the server closed it or sent junk
            return self._eof or bool(self._buffer)
        if self._transport is None:
            return None
        name = {"client_addr": "sockname", "server_addr": "peername"}.get(info, info)
        return self._transport.get_extra_info(name)


class Backend(httpcore.AsyncNetworkBackend):
    """Opens :class:`_Stream` connections (TCP, Happy Eyeballs as anyio did)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                _, stream = await loop.create_connection(
                    _Stream,
                    host,
                    port,
                    local_addr=(local_address, 0) if local_address else None,
                    happy_eyeballs_delay=0.25,
                )
        except TimeoutError:
            raise httpcore.ConnectTimeout("timed out connecting") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        return stream

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


_Origin = tuple[bytes, bytes, int]  # scheme, host, port


class Pool:
    """Idle keep-alive connections by origin; at most ``size`` connections open in all.

    A request takes its origin's newest idle connection or a new one (closing the
    oldest idle connections to make room), and gives it back when its response is
    closed. Every step is O(1), unlike httpcore's pool, which scans all connections
    and queued requests on each request event.
    """

    def __init__(
        self, size: int, ssl_context: ssl.SSLContext, backend: httpcore.AsyncNetworkBackend | None
    ) -> None:
        self.size = size
        self.ssl_context = ssl_context
        self._backend = backend
        self._open = 0
        self._idle: dict[_Origin, list[httpcore.AsyncHTTPConnection]] = {}
        self._oldest: dict[httpcore.AsyncHTTPConnection, _Origin] = {}  # idle, oldest first

    async def take(self, origin: httpcore.Origin) -> httpcore.AsyncHTTPConnection:
        """A connection to ``origin`` for one request; give it back with :meth:`put`."""
        key = (origin.scheme, origin.host, origin.port)
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            del self._oldest[conn]
            if conn.is_available() and not conn.has_expired():
                return conn
            await self._close(conn)
        while self._open >= self.size and self._oldest:
            conn, old = next(iter(self._oldest.items()))
            del self._oldest[conn]
            self._idle[old].remove(conn)
            await self._close(conn)
        self._open += 1
        return httpcore.AsyncHTTPConnection(
            origin,
            ssl_context=self.ssl_context,
            keepalive_expiry=KEEPALIVE,
            network_backend=self._backend,
        )

    async def put(self, conn: httpcore.AsyncHTTPConnection, origin: httpcore.Origin) -> None:
        """Keep ``conn`` for reuse if it can take another request, else close it."""
        if conn.is_available():
            self._idle.setdefault((origin.scheme, origin.host, origin.port), []).append(conn)
            self._oldest[conn] = (origin.scheme, origin.host, origin.port)
        else:
            await self._close(conn)

    async def _close(self, conn: httpcore.AsyncHTTPConnection) -> None:
        self._open -= 1
        await conn.aclose()

    async def aclose(self) -> None:
        """Close every idle connection."""
        conns = list(self._oldest)
        self._idle.clear()
        self._oldest.clear()
        for conn in conns:
            await self._close(conn)


def header_text(value: bytes) -> str:
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")


class Response:
    """What fetching reads of an httpcore response; :meth:`aclose` frees its connection."""

    __slots__ = ("_done", "_raw", "headers", "raw_headers", "reason_phrase", "status_code", "url")

    def __init__(
        self, raw: httpcore.Response, url: httpx.URL, done: Callable[[], Awaitable[None]]
    ) -> None:
        self._raw = raw
        self._done = done
        self.url = url
        self.status_code = raw.status
        reason = raw.extensions.get("reason_phrase", b"")
        self.reason_phrase = reason.decode("latin-1") if isinstance(reason, bytes) else ""
        self.raw_headers = raw.headers
        headers: dict[str, str] = {}
        for name, value in raw.headers:
            key = name.decode("latin-1").lower()
            text = header_text(value)
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        self.headers = headers  # lower-cased names; repeated headers joined with ", "

    def aiter_raw(self) -> AsyncIterator[bytes]:
        """The body as it came (still content-encoded)."""
        return self._raw.aiter_stream()

    async def aclose(self) -> None:
        try:
            await self._raw.aclose()
        finally:
            await self._done()


async def nothing() -> None:
    return None


class CookieHeaders:
    """A response's headers as :class:`http.cookiejar.CookieJar` reads them."""

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self._raw = raw

    def info(self) -> CookieHeaders:
        return self

    def get_all(self, name: str, default: list[str] | None = None) -> list[str] | None:
        wanted = name.lower().encode()
        values = [header_text(v) for k, v in self._raw if k.lower() == wanted]
        return values or default
