"""Finding feeds from a web page, and telling a page from a feed.

- :func:`looks_like_html` decides from the first bytes (and the Content-Type)
  whether a response is a web page rather than a feed. Feeds served as
  ``text/html`` are common, so the bytes win over the header.
- :func:`find_feed_links` reads a page's ``<link rel="alternate">`` elements.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import urljoin

import lxml.html

from tui_reader.core.sanitize import clean_line

__all__ = ["FEED_TYPES", "find_feed_links", "looks_like_html"]

# Link types that name a feed, best first; application/json last because
# WordPress also uses it for a page's own REST document.
FEED_TYPES = {
    "application/rss+xml": 0,
    "application/atom+xml": 0,
    "application/rdf+xml": 0,
    "application/feed+json": 0,
    "application/json": 1,
}
_HEAD = 2048
_FEED_START_RE = re.compile(rb"<(?:[a-z0-9_-]+:)?(?:rss|feed|rdf|channel)[\s>]")
_HTML_START_RE = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|script)[\s>/]")
_COMMENT_RE = re.compile(rb"<!--.*?(?:-->|\Z)", re.DOTALL)
_COMMENTS_FEED_RE = re.compile(r"comments?\b|/comments/", re.IGNORECASE)


def looks_like_html(data: bytes, content_type: str | None = None) -> bool:
    """True if ``data`` is a web page rather than a feed (XML or JSON)."""
    head = data[:_HEAD].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<!--" in head:
        head = _COMMENT_RE.sub(b"", head)
    if head.startswith((b"{", b"[")):
        return False
    feed = _FEED_START_RE.search(head)
    page = _HTML_START_RE.search(head)
    if feed is not None and (page is None or feed.start() < page.start()):
        return False
    if page is not None:
        return True
    ctype = (content_type or "").lower()
    return "html" in ctype and "xml" not in ctype


def find_feed_links(html: bytes | str, base_url: str) -> list[str]:
    """Absolute URLs of the feeds a page advertises, best first, without duplicates.

    RSS, Atom and JSON Feed links come in page order, then ``application/json``
    links, then comment feeds.
    """
    if not html:
        return []
    try:
        try:
            doc = lxml.html.document_fromstring(html)
        except ValueError:  # a str with an XML encoding declaration
            if not isinstance(html, str):
                raise
            doc = lxml.html.document_fromstring(html.encode("utf-8", "replace"))
    except Exception:  # an unparseable page has no feed links
        return []
    base = base_url
    for element in doc.iter("base"):
        href = clean_line(element.get("href"))
        if href:
            with contextlib.suppress(ValueError):
                base = urljoin(base_url, href)
            break
    found: list[tuple[int, int, str]] = []
    seen: set[str] = set()
    for position, link in enumerate(doc.iter("link")):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = clean_line(link.get("href"))
        if "alternate" not in rels or kind not in FEED_TYPES or not href:
            continue
        try:
            url = urljoin(base, href)
        except ValueError:
            continue
        if not url[:8].lower().startswith(("http://", "https://")) or url in seen:
            continue
        seen.add(url)
        rank = FEED_TYPES[kind]
        if _COMMENTS_FEED_RE.search(link.get("title") or "") or "/comments/" in url:
            rank = 2
        found.append((rank, position, url))
    found.sort()
    return [url for _, _, url in found]
