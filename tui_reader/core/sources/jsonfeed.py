"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1).

Every field is checked for its type: a wrong one (a number for a title, a
dict for a list, a list for a URL) is converted when that is meaningful
(numeric ids) and ignored otherwise. Relative URLs are resolved against the
feed's ``home_page_url``, else the URL the feed was fetched from.
"""

from __future__ import annotations

from typing import Any

from tui_reader.core.sources.normalize import RawEntry, RawFeed

__all__ = ["from_json_feed", "is_json_feed"]


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def is_json_feed(obj: Any) -> bool:
    """A JSON Feed by its version URL (or, leniently, items plus a feed/home URL)."""
    if not isinstance(obj, dict):
        return False
    version = obj.get("version")
    if isinstance(version, str) and "jsonfeed.org/version/" in version:
        return True
    return isinstance(obj.get("items"), list) and (
        isinstance(obj.get("feed_url"), str) or isinstance(obj.get("home_page_url"), str)
    )


def _authors(obj: Any) -> list[tuple[Any, Any, Any]]:
    """1.1 ``authors`` (a list), else 1.0 ``author`` (one object)."""
    found = [a for a in _list(_get(obj, "authors")) if isinstance(a, dict)]
    if not found:
        author = _get(obj, "author")
        found = [author] if isinstance(author, dict) else []
    return [(_text(a.get("name")), "", _text(a.get("url"))) for a in found]


def _entry(item: dict[str, Any]) -> RawEntry:
    url = _text(item.get("url"))
    external = _text(item.get("external_url"))
    content_html = _text(item.get("content_html"))
    content_text = _text(item.get("content_text"))
    attachments = [a for a in _list(item.get("attachments")) if isinstance(a, dict)]
    return RawEntry(
        id=item.get("id") if isinstance(item.get("id"), str | int) else "",
        title=_text(item.get("title")),
        title_is_html=False,
        link=url or external,
        authors=_authors(item),
        published=_text(item.get("date_published")),
        updated=_text(item.get("date_modified")),
        summary=_text(item.get("summary")),
        summary_type="text",
        content=content_html or content_text,
        content_type="html" if content_html else "text",
        enclosures=[
            (_text(a.get("url")), _text(a.get("mime_type")), a.get("size_in_bytes"))
            for a in attachments
        ],
        categories=[t for t in _list(item.get("tags")) if isinstance(t, str)],
        related=[external] if url and external else [],
    )


def from_json_feed(obj: dict[str, Any]) -> RawFeed:
    """A JSON Feed object as a :class:`RawFeed`."""
    home = _text(obj.get("home_page_url"))
    raw = RawFeed(
        kind="jsonfeed",
        title=_text(obj.get("title")),
        title_is_html=False,
        site_url=home,
        description=_text(obj.get("description")),
        base=home,
        authors=_authors(obj),
        inherit_authors=True,
    )
    raw.entries = [_entry(item) for item in _list(obj.get("items")) if isinstance(item, dict)]
    return raw
