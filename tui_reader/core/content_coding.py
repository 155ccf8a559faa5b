"""HTTP content codings: gzip and deflate always, br and zstd when their modules are
installed; every decoder bounded, so a compression bomb never inflates past the caller's
limit in memory."""

from __future__ import annotations

import importlib
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Protocol


def _optional(*names: str) -> ModuleType | None:
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


# Optional decoders, advertised only when installed and able to bound their output
# (brotli >= 1.2 for output_buffer_limit; compression.zstd or its backport).
_brotli = _optional("brotli", "brotlicffi")
if _brotli is not None and not hasattr(_brotli.Decompressor(), "can_accept_more_data"):
    _brotli = None
_zstd = _optional("compression.zstd", "backports.zstd")
_DECODE_ERRORS: tuple[type[BaseException], ...] = (zlib.error,)
if _brotli is not None:
    _DECODE_ERRORS += (_brotli.error,)
if _zstd is not None:
    _DECODE_ERRORS += (_zstd.ZstdError,)

ACCEPT_ENCODING = ", ".join(
    ["gzip", "deflate"] + (["br"] if _brotli else []) + (["zstd"] if _zstd else [])
)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # decoded size cap of a fetched body
_CHUNK = 64 * 1024  # most decoded bytes produced by one decompression step


class _Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...
    def finish(self) -> Iterator[bytes]: ...


class _Identity:
    def decode(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def finish(self) -> Iterator[bytes]:
        return iter(())


class _Zlib:
    """gzip (also multi-member) or deflate (zlib-wrapped or raw), at most _CHUNK per step."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._wbits = 16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS
        self._d = zlib.decompressobj(self._wbits)
        self._sniffed = gzip

    def decode(self, data: bytes) -> Iterator[bytes]:
        if not self._sniffed and data:
            self._sniffed = True
            try:  # "deflate" is zlib-wrapped by the spec, raw in the wild
                zlib.decompressobj(self._wbits).decompress(data[:2])
            except zlib.error:
                self._wbits = -zlib.MAX_WBITS
                self._d = zlib.decompressobj(self._wbits)
        while True:
            out = self._d.decompress(data, _CHUNK)
            if out:
                yield out
            data = self._d.unconsumed_tail
            if self._d.eof:
                data = self._d.unused_data
                if not (self._gzip and data[:2] == b"\x1f\x8b"):
                    return  # trailing bytes after the stream are ignored
                self._d = zlib.decompressobj(self._wbits)  # the next gzip member
                continue
            if not data and len(out) < _CHUNK:
                return

    def finish(self) -> Iterator[bytes]:
        while not self._d.eof:
            out = self._d.decompress(b"", _CHUNK)
            if not out:
                return
            yield out


class _Brotli:
    """brotli through the >= 1.2 API that caps each step's output."""

    def __init__(self) -> None:
        assert _brotli is not None
        self._d = _brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._d.is_finished():
            return
        out = self._d.process(data, output_buffer_limit=_CHUNK)
        if out:
            yield out
        while not self._d.can_accept_more_data():
            out = self._d.process(b"", output_buffer_limit=_CHUNK)
            if not out:
                return
            yield out

    def finish(self) -> Iterator[bytes]:
        return iter(())


class _Zstd:
    """zstd (also multi-frame) through compression.zstd's max_length."""

    def __init__(self) -> None:
        assert _zstd is not None
        self._d = _zstd.ZstdDecompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        assert _zstd is not None
        while True:
            if self._d.eof:
                if not data:
                    return
                self._d = _zstd.ZstdDecompressor()  # the next frame
            out = self._d.decompress(data, _CHUNK)
            if out:
                yield out
            if self._d.eof:
                data = self._d.unused_data
            elif self._d.needs_input:
                return
            else:
                data = b""  # more output is pending

    def finish(self) -> Iterator[bytes]:
        return iter(())


def _decoder(name: str) -> _Decoder:
    if name in ("gzip", "x-gzip"):
        return _Zlib(gzip=True)
    if name == "deflate":
        return _Zlib(gzip=False)
    if name == "br" and _brotli is not None:
        return _Brotli()
    if name == "zstd" and _zstd is not None:
        return _Zstd()
    # identity, or a bogus value such as "UTF-8": pass the bytes through and
    # let the parser judge them.
    return _Identity()


class _Chain:
    """Decoders for a Content-Encoding list, applied last-first."""

    def __init__(self, header: str | None) -> None:
        names = [n.strip().lower() for n in (header or "").split(",") if n.strip()]
        self.names = names
        self._decoders = [_decoder(n) for n in reversed(names)]

    def decode(self, data: bytes) -> Iterator[bytes]:
        return self._run(0, data, final=False)

    def finish(self) -> Iterator[bytes]:
        return self._run(0, b"", final=True)

    def _run(self, index: int, data: bytes, final: bool) -> Iterator[bytes]:
        if index == len(self._decoders):
            if data:
                yield data
            return
        dec = self._decoders[index]
        for out in dec.decode(data):
            yield from self._run(index + 1, out, final=False)
        if final:
            for out in dec.finish():
                yield from self._run(index + 1, out, final=False)
            yield from self._run(index + 1, b"", final=True)


class DecodeError(Exception):
    """A body :func:`decode_body` could not decode; the message is the fetch error."""


class BoundedDecoder:
    """Decodes a body chunk by chunk; :class:`DecodeError` as soon as it grows past
    ``limit`` or is not what its content coding says (the message is the fetch error)."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        self.chain = _Chain(content_encoding)
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []

    def feed(self, data: bytes) -> None:
        with self._errors():
            self._add(self.chain.decode(data))

    def finish(self) -> bytes:
        with self._errors():
            self._add(self.chain.finish())
        return b"".join(self.parts)

    def _add(self, outputs: Iterator[bytes]) -> None:
        for out in outputs:
            self.size += len(out)
            if self.size > self.limit:
                raise DecodeError(f"response larger than {fmt_size(self.limit)}")
            self.parts.append(out)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except _DECODE_ERRORS:
            encoding = ", ".join(self.chain.names)
            raise DecodeError(f"could not decompress the response ({encoding})") from None


def decode_body(
    data: bytes, content_encoding: str | None, max_bytes: int = DEFAULT_MAX_BYTES
) -> bytes:
    """A body fetched with ``decode=False``, decoded as :meth:`Fetcher.fetch` would have
    (at most ``max_bytes``); :class:`DecodeError` with the same message otherwise.

    The refresh pipeline decodes in its parse workers: the process that fetches then
    sends them the compressed bytes (a third of the size) and never inflates them.
    """
    if not content_encoding:
        return data
    body = BoundedDecoder(content_encoding, max_bytes)
    body.feed(data)
    return body.finish()


def fmt_size(size: int) -> str:
    """A byte count for messages: ``10 MB``, ``64 KB``, ``12 bytes``."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size} bytes"
