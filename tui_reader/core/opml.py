"""OPML 2.0 in and out. Folders (nested outlines) become feed tags and back.

Reads what newsboat, browsers and other readers export: feeds are outlines with an
``xmlUrl``; any outline without one is a folder. A feed's folder path is its tag, joined
with "/" as newsboat does (``News/Local``); the OPML 2.0 ``category`` attribute
(``/a,/b/c``) adds tags too. Writing nests each feed under the path of its first tag.
A feed switched to whole stories carries ``storyreader:wholeStories="true"`` (in our own
namespace, which other readers ignore), so a backup restores that too.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

from tui_reader.core.errors import OPMLError
from tui_reader.core.models import Feed
from tui_reader.core.sanitize import clean_line

MAX_OPML_BYTES = 20 * 1024 * 1024
NAMESPACE = "urn:storyreader:opml:1"  # our outline attributes (other readers skip them)
_WHOLE_STORIES = f"{{{NAMESPACE}}}wholeStories"


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str
    tags: tuple[str, ...]
    whole_stories: bool = False


def read_opml(path: Path | str) -> list[OpmlFeed]:
    """Every feed in an OPML file, in document order, with its folder tags."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise OPMLError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_opml(data, str(path))


def parse_opml(data: bytes, name: str = "OPML") -> list[OpmlFeed]:
    if len(data) > MAX_OPML_BYTES:
        raise OPMLError(f"{name}: file too large for OPML")
    if b"<!ENTITY" in data:
        raise OPMLError(f"{name}: entity declarations are not allowed in OPML")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OPMLError(f"{name} is not valid OPML: {exc}") from None
    if root.tag != "opml":
        raise OPMLError(f"{name} is not OPML: the root element is <{root.tag}>")
    body = root.find("body")
    if body is None:
        raise OPMLError(f"{name} is not valid OPML: no <body>")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    stack: list[tuple[ET.Element, tuple[str, ...]]] = [(child, ()) for child in reversed(body)]
    while stack:
        element, folders = stack.pop()
        if element.tag != "outline":
            continue
        text = clean_line(element.get("title") or element.get("text") or "")
        url = clean_line(element.get("xmlUrl") or element.get("xmlurl") or "")
        if url:
            tags = ["/".join(folders)] if folders else []
            for category in (element.get("category") or "").split(","):
                tag = clean_line(category.strip().strip("/"))
                if tag and tag not in tags:
                    tags.append(tag)
            if url not in seen:
                seen.add(url)
                whole = element.get(_WHOLE_STORIES, "").strip().lower() == "true"
                feeds.append(OpmlFeed(url, text, tuple(tags), whole))
            children_folders = folders
        else:
            children_folders = (*folders, text) if text else folders
        stack.extend((child, children_folders) for child in reversed(element))
    return feeds


def write_opml(feeds: Iterable[Feed], title: str = "storyreader subscriptions") -> str:
    """OPML 2.0: a feed nests under the folders of its first tag; all tags go in ``category``."""
    root = _Folder()
    for feed in feeds:
        folder = root
        if feed.tags:
            for part in feed.tags[0].split("/"):
                folder = folder.children.setdefault(part, _Folder())
        folder.feeds.append(feed)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<opml version="2.0" xmlns:storyreader="{NAMESPACE}">',
        "  <head>",
        f"    <title>{_escape(title)}</title>",
        f"    <dateCreated>{format_datetime(datetime.now(UTC), usegmt=True)}</dateCreated>",
        "  </head>",
        "  <body>",
        *root.lines("    "),
        "  </body>",
        "</opml>",
        "",
    ]
    return "\n".join(lines)


@dataclass
class _Folder:
    children: dict[str, _Folder] = field(default_factory=dict)
    feeds: list[Feed] = field(default_factory=list)

    def lines(self, indent: str) -> list[str]:
        out: list[str] = []
        for name in sorted(self.children, key=str.lower):
            out.append(f"{indent}<outline text={quoteattr(name)} title={quoteattr(name)}>")
            out.extend(self.children[name].lines(indent + "  "))
            out.append(f"{indent}</outline>")
        out.extend(indent + _feed_outline(feed) for feed in self.feeds)
        return out


def _feed_outline(feed: Feed) -> str:
    attrs = [
        'type="rss"',
        f"text={quoteattr(feed.title)}",
        f"title={quoteattr(feed.title)}",
        f"xmlUrl={quoteattr(feed.url)}",
    ]
    if feed.site_url:
        attrs.append(f"htmlUrl={quoteattr(feed.site_url)}")
    if feed.tags:
        attrs.append(f"category={quoteattr(','.join('/' + t for t in feed.tags))}")
    if feed.whole_stories:
        attrs.append('storyreader:wholeStories="true"')
    return f"<outline {' '.join(attrs)}/>"


def _escape(text: str) -> str:
    return quoteattr(text)[1:-1]
