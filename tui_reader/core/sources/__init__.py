"""Feed documents to :class:`~tui_reader.core.models.ParsedFeed`.

:func:`parse_feed` detects the format from the bytes (the Content-Type only
helps to tell an HTML page apart):

- a JSON object with a ``jsonfeed.org/version/`` URL: JSON Feed 1.0/1.1
  (:mod:`.jsonfeed`);
- a JSON array of WordPress post objects (``title.rendered``...): a WordPress
  REST post list (:mod:`.wordpress`);
- anything else is read as XML: RSS 0.9x, RSS 1.0 (RDF), RSS 2.0, Atom 0.3/1.0
  (:mod:`.xmlfeed`: fastfeedparser, feedparser as the fallback).

All of them end in :func:`.normalize.normalize_feed`, so every
:class:`ParsedEntry` is clean the same way: control characters stripped,
``content_html`` sanitized with absolute URLs, ``text`` read from it by
:func:`tui_reader.core.sanitize.plain_text`, plain-text ``summary``, aware
UTC dates, a stable ``guid``.

Exception contract: :func:`parse_feed` raises :class:`FeedParseError` (one
line, user-facing) for anything that is not a feed it can read: empty input,
an HTML page, garbage, JSON that is neither a JSON Feed nor a WordPress post
list, an XML document of another kind, JSON nested too deep to decode. Any
exception escaping a parser library (or this package) is converted to
:class:`FeedParseError` too, with the original as ``__cause__``; nothing else
escapes. One entry that cannot be normalised is skipped, not fatal. Hostile
XML cannot expand entities or load external ones (the DOCTYPE is removed
before parsing, see :mod:`.xmlfeed`); parsing never touches the network:
bytes are never handed to a parser as a URL.
"""

from __future__ import annotations

import json

from tui_reader.core.errors import FeedParseError
from tui_reader.core.models import ParsedFeed
from tui_reader.core.sources.discovery import find_feed_links, looks_like_html
from tui_reader.core.sources.jsonfeed import from_json_feed, is_json_feed
from tui_reader.core.sources.normalize import RawFeed, SourceHashes, normalize_feed
from tui_reader.core.sources.wordpress import from_wordpress, is_wordpress
from tui_reader.core.sources.xmlfeed import parse_xml

__all__ = ["find_feed_links", "looks_like_html", "parse_feed"]

_WHITESPACE = b" \t\r\n"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _first_byte(data: bytes) -> bytes:
    """The first significant byte, past a byte order mark and whitespace."""
    for bom in _BOMS:
        if data.startswith(bom):
            if bom != b"\xef\xbb\xbf":  # UTF-16: look at the low byte
                text = data[2:202].replace(b"\x00", b"")
                return text.lstrip(_WHITESPACE)[:1]
            data = data[3:]
            break
    return data[:200].lstrip(_WHITESPACE)[:1]


def _parse_json(data: bytes, url: str) -> RawFeed:
    try:
        obj = json.loads(data)
    except RecursionError as exc:
        raise FeedParseError("JSON nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        message = " ".join(str(exc).split())[:120]
        raise FeedParseError(f"invalid JSON: {message}") from exc
    if is_json_feed(obj):
        return from_json_feed(obj)
    if is_wordpress(obj, url):
        return from_wordpress(obj, url)
    raise FeedParseError("JSON that is neither a JSON Feed nor a WordPress post list")


def _parse(
    data: bytes, url: str, content_type: str | None, sources: SourceHashes | None
) -> ParsedFeed:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise FeedParseError("expected the document as bytes")
    data = bytes(data)
    first = _first_byte(data)
    if not first:
        raise FeedParseError("empty document")
    if first in (b"{", b"["):
        raw = _parse_json(data, url)
    elif looks_like_html(data, content_type):
        raise FeedParseError("an HTML page, not a feed")
    else:
        raw = parse_xml(data, url, content_type)
    return normalize_feed(raw, url, sources)


def parse_feed(
    data: bytes, url: str, content_type: str | None = None, sources: SourceHashes | None = None
) -> ParsedFeed:
    """The feed in ``data`` (fetched from ``url``), clean; FeedParseError if it is none.
    ``sources``: leave out the entries stored unchanged before (:class:`SourceHashes`)."""
    try:
        return _parse(data, url, content_type, sources)
    except FeedParseError:
        raise
    except Exception as exc:  # contract: nothing but FeedParseError escapes
        detail = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise FeedParseError(f"unreadable document: {detail}") from exc
