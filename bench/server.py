"""The farm's HTTP/1.1 server, meant to run in its own process (``python -m bench.server``).

It must not measure itself: everything per response is precomputed (gzip bodies, ETag,
Last-Modified, header blocks), each response leaves in one write on a socket with
TCP_NODELAY (asyncio sets it), and it runs in a separate process so its GIL never competes
with the client's. One asyncio loop serves every connection, so hundreds of concurrent
requests with latency cost no threads.

Routes: ``/f/<file>`` serves a farm file; ``/d<ms>/f/<file>`` the same after ``<ms>``
milliseconds. Conditional GET (If-None-Match, If-Modified-Since) answers 304; bodies are
gzipped when the client accepts gzip. ``/_stats`` answers JSON counters (requests, per
status, gzip, connections) and ``/_reset`` zeroes them.

Real feeds come from many sites, and a reader limits its requests per host, so the farm
answers on many loopback addresses (one port): 127.0.0.1 and 127.0.0.2 ... 127.0.0.(1+N),
each a "host" of its own. Only loopback addresses are bound, never 0.0.0.0, so nothing
is reachable from another machine. Where only 127.0.0.1 exists (macOS without aliases),
it serves on that one.

    python -m bench.server FARM_DIR [--port 0] [--hosts 64]
    # prints "PORT <n> HOSTS <N>" when ready (HOSTS 0: 127.0.0.1 only)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.utils
import errno
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.request import urlopen


@dataclass(frozen=True, slots=True)
class _Doc:
    plain_head: bytes
    gzip_head: bytes
    plain: bytes
    gzipped: bytes
    not_modified: bytes
    etag: bytes
    last_modified_ts: float


def _content_type(name: str) -> str:
    if name.endswith(".json"):
        return "application/feed+json"
    return "application/xml; charset=utf-8"


def gzip_file(path: Path) -> bytes:
    """``path`` gzipped (level 6), cached beside it as ``<name>.gz``."""
    cached = path.with_name(path.name + ".gz")
    if cached.exists() and cached.stat().st_mtime >= path.stat().st_mtime:
        return cached.read_bytes()
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    gzipped = comp.compress(path.read_bytes()) + comp.flush()
    cached.write_bytes(gzipped)
    return gzipped


def _prepare(name: str, body: bytes, gzipped: bytes, mtime: float) -> _Doc:
    etag = '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'
    lm = email.utils.formatdate(mtime, usegmt=True)
    common = (f"Content-Type: {_content_type(name)}\r\nETag: {etag}\r\n"
              f"Last-Modified: {lm}\r\nVary: Accept-Encoding\r\nCache-Control: max-age=0\r\n")
    plain_head = f"HTTP/1.1 200 OK\r\n{common}Content-Length: {len(body)}\r\n"
    gzip_head = (f"HTTP/1.1 200 OK\r\n{common}Content-Encoding: gzip\r\n"
                 f"Content-Length: {len(gzipped)}\r\n")
    not_modified = f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nLast-Modified: {lm}\r\n"
    return _Doc(plain_head.encode(), gzip_head.encode(), body, gzipped, not_modified.encode(),
                etag.encode(), mtime)


class FarmServer:
    """Serves the files of one farm directory."""

    def __init__(self, directory: Path) -> None:
        self.docs: dict[bytes, _Doc] = {}
        mtime = float(int(time.time()) - 3600)
        for path in sorted(directory.iterdir()):
            if path.suffix in (".xml", ".json") and path.name != "index.json":
                self.docs[f"/f/{path.name}".encode()] = _prepare(
                    path.name, path.read_bytes(), gzip_file(path), mtime
                )
        self.stats: dict[str, int] = {}
        self.reset()

    def reset(self) -> None:
        self.stats = {"requests": 0, "200": 0, "304": 0, "404": 0, "gzip": 0,
                      "connections": 0, "conditional": 0}

    def _date(self) -> bytes:
        return b"Date: " + email.utils.formatdate(usegmt=True).encode() + b"\r\n"

    def respond(self, target: bytes, headers: dict[bytes, bytes]) -> tuple[float, bytes]:
        """(delay in seconds, the whole response) for one request."""
        stats = self.stats
        stats["requests"] += 1
        delay = 0.0
        if target.startswith(b"/d"):
            cut = target.find(b"/", 2)
            if cut > 2 and target[2:cut].isdigit():
                delay = int(target[2:cut]) / 1000
                target = target[cut:]
        target = target.split(b"?", 1)[0]
        if target in (b"/_stats", b"/_reset"):
            body = json.dumps(stats).encode()
            if target == b"/_reset":
                self.reset()
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
            return 0.0, head + body
        doc = self.docs.get(target)
        if doc is None:
            stats["404"] += 1
            return delay, (b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
                           b"Content-Length: 10\r\n" + self._date() + b"\r\nnot found\n")
        inm = headers.get(b"if-none-match")
        ims = headers.get(b"if-modified-since")
        if inm is not None or ims is not None:
            stats["conditional"] += 1
        fresh = False
        if inm is not None:
            fresh = any(t.strip().removeprefix(b"W/") == doc.etag for t in inm.split(b","))
        elif ims is not None:
            with contextlib.suppress(TypeError, ValueError, IndexError):
                since = email.utils.parsedate_to_datetime(ims.decode("latin-1")).timestamp()
                fresh = doc.last_modified_ts <= since
        if fresh:
            stats["304"] += 1
            return delay, doc.not_modified + self._date() + b"\r\n"
        stats["200"] += 1
        if b"gzip" in headers.get(b"accept-encoding", b""):
            stats["gzip"] += 1
            return delay, doc.gzip_head + self._date() + b"\r\n" + doc.gzipped
        return delay, doc.plain_head + self._date() + b"\r\n" + doc.plain

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats["connections"] += 1
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                        ConnectionError):
                    return
                lines = head.split(b"\r\n")
                parts = lines[0].split(b" ")
                if len(parts) != 3:
                    return
                headers: dict[bytes, bytes] = {}
                for line in lines[1:]:
                    name, sep, value = line.partition(b":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get(b"content-length", b"0") or 0)
                if length:
                    await reader.readexactly(length)
                delay, response = self.respond(parts[1], headers)
                if delay:
                    await asyncio.sleep(delay)
                close = headers.get(b"connection", b"").lower() == b"close" or (
                    parts[2] == b"HTTP/1.0"
                    and headers.get(b"connection", b"").lower() != b"keep-alive"
                )
                if parts[0] == b"HEAD":
                    response = response.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
                writer.write(response)
                await writer.drain()
                if close:
                    return
        except (ConnectionError, OSError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()


DEFAULT_HOSTS = 64


def host_address(index: int, hosts: int) -> str:
    """The loopback address serving feed ``index`` when the farm has ``hosts`` hosts."""
    return f"127.0.0.{2 + index % hosts}" if hosts else "127.0.0.1"


def _bind(address: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
    except OSError:
        sock.close()
        raise
    return sock


def bind_sockets(port: int, hosts: int, attempts: int = 20) -> tuple[list[socket.socket], int]:
    """Listening-ready sockets on 127.0.0.1 and ``hosts`` more loopback addresses, all on
    one port (``port``, or a free one); fewer hosts (0) when only 127.0.0.1 exists."""
    for _ in range(attempts):
        first = _bind("127.0.0.1", port)
        actual = first.getsockname()[1]
        sockets = [first]
        try:
            for i in range(hosts):
                sockets.append(_bind(host_address(i, hosts), actual))
        except OSError as exc:
            for sock in sockets[1:]:
                sock.close()
            if exc.errno == errno.EADDRNOTAVAIL:  # no 127.0.0.2 here: one host only
                return [first], 0
            first.close()
            if port:  # the port was asked for: it is taken on another address
                raise
            continue  # the free port on 127.0.0.1 is taken on another one: try another
        return sockets, hosts
    raise OSError(f"no port free on all {hosts + 1} loopback addresses")


async def _serve(directory: Path, port: int, hosts: int) -> None:
    farm = FarmServer(directory)
    sockets, hosts = bind_sockets(port, hosts)
    servers = [
        await asyncio.start_server(farm.handle, sock=sock, backlog=2048, limit=64 * 1024)
        for sock in sockets
    ]
    actual = sockets[0].getsockname()[1]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    sys.stdout.write(f"PORT {actual} HOSTS {hosts}\n")
    sys.stdout.flush()
    async with contextlib.AsyncExitStack() as stack:
        for server in servers:
            await stack.enter_async_context(server)
        await stop.wait()
    sys.stdout.flush()
    os._exit(0)  # open keep-alive connections need no goodbye


class ServerProcess:
    """Runs ``python -m bench.server`` in a child process for a ``with`` block.

    ``hosts`` loopback addresses serve the farm besides 127.0.0.1 (see :meth:`url`);
    after start, ``hosts`` is how many it got (0 where only 127.0.0.1 exists).
    """

    def __init__(self, directory: Path, hosts: int = DEFAULT_HOSTS) -> None:
        self.directory = directory
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0
        self.hosts = hosts

    def __enter__(self) -> ServerProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.server", str(self.directory),
             "--hosts", str(self.hosts)],
            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        words = line.split()
        if len(words) != 4 or words[0] != "PORT" or words[2] != "HOSTS":
            self.proc.kill()
            raise RuntimeError(f"farm server did not start: {line!r}")
        self.port, self.hosts = int(words[1]), int(words[3])
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def url(self, path: str, latency_ms: int = 0, index: int = 0) -> str:
        """The URL of ``path`` for feed ``index``: on host 127.0.0.(2 + index % hosts), so
        consecutive feeds are on different hosts, as a reader's feeds are on many sites."""
        prefix = f"/d{latency_ms}" if latency_ms else ""
        return f"http://{host_address(index, self.hosts)}:{self.port}{prefix}{path}"

    def stats(self, reset: bool = False) -> dict[str, int]:
        """The server's counters (and zero them with ``reset``)."""
        with urlopen(f"http://127.0.0.1:{self.port}/{'_reset' if reset else '_stats'}") as r:
            return json.loads(r.read())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.server", description=__doc__)
    parser.add_argument("farm", type=Path, help="a farm directory (see bench/farm.py)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--hosts", type=int, default=DEFAULT_HOSTS,
                        help="loopback addresses 127.0.0.2... to serve on besides 127.0.0.1 "
                        f"(default {DEFAULT_HOSTS}, at most 250)")
    args = parser.parse_args(argv)
    if not 0 <= args.hosts <= 250:
        parser.error("--hosts must be 0..250")
    asyncio.run(_serve(args.farm, args.port, args.hosts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
