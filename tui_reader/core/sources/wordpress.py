"""WordPress REST API post lists (``/wp-json/wp/v2/posts?_embed``).

A post list is a JSON array of post objects whose ``title``/``content``/
``excerpt`` are objects with a ``rendered`` HTML string. Read here:
``title.rendered`` (HTML, entities decoded), ``content.rendered``,
``excerpt.rendered`` (the plain-text summary), ``link``, ``guid.rendered``,
``date_gmt``/``modified_gmt`` (UTC without an offset), ``_embedded.author``
(name, link), ``_embedded["wp:term"]`` (category and tag names) and Jetpack's
``jetpack-related-posts`` (objects with a ``url``). Relative URLs in a post are
resolved against the post's own link. The feed title is the site's host name:
post lists carry no site title.
"""

from __future__ import annotations

import html as _html
from typing import Any
from urllib.parse import urlsplit

from tui_reader.core.sources.normalize import RawEntry, RawFeed

__all__ = ["from_wordpress", "is_wordpress", "is_wordpress_url"]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _rendered(value: Any) -> str:
    return _text(value.get("rendered")) if isinstance(value, dict) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def is_wordpress_url(url: str) -> bool:
    """A WordPress REST API URL (pretty or ``?rest_route=`` form)."""
    return "/wp-json/" in url or "rest_route=" in url


def _is_post(obj: Any) -> bool:
    return isinstance(obj, dict) and any(
        isinstance(obj.get(key), dict) and "rendered" in obj[key]
        for key in ("title", "content", "excerpt")
    )


def is_wordpress(obj: Any, url: str) -> bool:
    """A WordPress post list: an array of post objects (an empty one from a REST URL)."""
    if not isinstance(obj, list):
        return False
    if not obj:
        return is_wordpress_url(url)
    return _is_post(obj[0])


def _site_url(url: str, posts: list[Any]) -> str:
    if "/wp-json/" in url:
        return url.split("/wp-json/", 1)[0] + "/"
    for candidate in [url] + [p.get("link") for p in posts if isinstance(p, dict)]:
        if isinstance(candidate, str):
            try:
                parts = urlsplit(candidate)
            except ValueError:
                continue
            if parts.scheme in ("http", "https") and parts.netloc:
                return f"{parts.scheme}://{parts.netloc}/"
    return ""


def _entry(post: dict[str, Any]) -> RawEntry:
    link = _text(post.get("link"))
    embedded = post.get("_embedded") if isinstance(post.get("_embedded"), dict) else {}
    authors = [
        (_text(a.get("name")), "", _text(a.get("link")))
        for a in _list(embedded.get("author"))
        if isinstance(a, dict)
    ]
    categories = [
        _text(term.get("name"))
        for group in _list(embedded.get("wp:term"))
        for term in _list(group)
        if isinstance(term, dict)
    ]
    related = [
        _text(r.get("url")) for r in _list(post.get("jetpack-related-posts")) if isinstance(r, dict)
    ]
    guid = _html.unescape(_rendered(post.get("guid")))
    return RawEntry(
        id=guid or link,
        title=_rendered(post.get("title")),
        title_is_html=True,
        link=link,
        base=link,
        authors=authors,
        published=_text(post.get("date_gmt")) or _text(post.get("date")),
        updated=_text(post.get("modified_gmt")) or _text(post.get("modified")),
        summary=_rendered(post.get("excerpt")),
        content=_rendered(post.get("content")),
        categories=categories,
        related=related,
    )


def from_wordpress(posts: list[Any], url: str) -> RawFeed:
    """A WordPress post list as a :class:`RawFeed`."""
    site = _site_url(url, posts)
    raw = RawFeed(kind="wordpress", site_url=site, base=site)
    raw.entries = [_entry(post) for post in posts if _is_post(post)]
    return raw
