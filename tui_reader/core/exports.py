"""Bookmark files out and in.

Out: Netscape bookmark HTML (what browsers, Pocket-style and Raindrop-style services
import), Markdown grouped by tag or feed, JSON with every stored field, CSV (RFC 4180) and
an Atom 1.0 feed others can subscribe to. Every writer returns the whole text, so the
caller writes it in one atomic step.

In: Netscape bookmark HTML as Firefox and Chrome export it (folders become tags, plus the
``TAGS`` attribute, ``ADD_DATE`` and ``<DD>`` notes) and this module's own JSON. Files are
hostile input: sizes are capped, text is cleaned, and only http(s) links come in from HTML.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tui_reader import __version__
from tui_reader.core.errors import StoryreaderError, TagError
from tui_reader.core.models import Bookmark
from tui_reader.core.sanitize import clean_line, clean_text
from tui_reader.core.serialize import bookmark_json, iso

FORMATS = ("html", "md", "json", "csv", "atom")
GROUPS = ("tag", "feed")
EXTENSIONS = {"html": "html", "md": "md", "json": "json", "csv": "csv", "atom": "xml"}
FORMAT_NAMES = {
    "html": "Netscape bookmark HTML (browsers, Pocket, Raindrop)",
    "md": "Markdown",
    "json": "JSON (every field; imports back)",
    "csv": "CSV",
    "atom": "Atom feed",
}
JSON_FORMAT_ID = "storyreader-bookmarks"
JSON_VERSION = 1
CSV_FIELDS = (
    "id", "title", "link", "feed_title", "feed_url", "guid", "author", "published",
    "summary", "bookmarked_at", "note", "tags",
)
ATOM_NS = "http://www.w3.org/2005/Atom"
DEFAULT_FEED_ID = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "storyreader:bookmarks"))
MAX_IMPORT_BYTES = 64 * 1024 * 1024
MAX_TAG_CHARS = 100
UNTAGGED = "Untagged"
NO_FEED = "Other"


class BookmarkFileError(StoryreaderError):
    """A bookmarks file that cannot be read or written in the asked format."""


# --- cleaning -----------------------------------------------------------------------------

_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_block(text: str) -> str:
    """Multi-line plain text (a note): control characters gone, newlines kept."""
    return "\n".join(line.rstrip() for line in clean_text(text).split("\n")).strip()


def normalize_tags(values: Iterable[str]) -> tuple[str, ...]:
    """Tags as stored: commas split, whitespace collapsed, empty and repeated ones dropped."""
    tags: list[str] = []
    seen: set[str] = set()
    for value in values:
        for part in str(value).split(","):
            tag = clean_line(part)[:MAX_TAG_CHARS].strip()
            if tag and tag.casefold() not in seen:
                seen.add(tag.casefold())
                tags.append(tag)
    return tuple(tags)


def check_tags(values: Iterable[str], *, existing: Iterable[str] = ()) -> tuple[str, ...]:
    """Feed tags as :func:`normalize_tags` stores them; :class:`TagError` for one that
    cannot be stored as typed: longer than :data:`MAX_TAG_CHARS`, or a folder path
    (``news/tech``) with an empty name (``/news``, ``news//tech``, ``news/``).

    A value equal to one of ``existing`` (the feed's tags now) is not checked again, so
    a tag stored before these rules can still be kept or removed."""
    values = list(values)
    kept = set(existing)
    for value in values:
        if value in kept:
            continue
        for part in str(value).split(","):
            tag = clean_line(part)
            if len(tag) > MAX_TAG_CHARS:
                raise TagError(f"a tag is at most {MAX_TAG_CHARS} characters "
                               f"(this one has {len(tag)}: {tag[:20]}…)")
            if tag and "" in (name.strip() for name in tag.split("/")):
                raise TagError(f"tag {tag!r} has an empty folder name: '/' separates "
                               "folder names, as in news/tech")
    return normalize_tags(values)


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and no whitespace or control characters."""
    if not url or _CONTROL.search(url) or re.search(r"\s", url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


# --- writers ------------------------------------------------------------------------------


def export_bookmarks(
    bookmarks: Sequence[Bookmark],
    fmt: str,
    *,
    group: str = "tag",
    title: str = "storyreader bookmarks",
    now: datetime | None = None,
) -> str:
    """The whole file in ``fmt`` (one of :data:`FORMATS`)."""
    now = now or datetime.now(UTC)
    if fmt == "html":
        return to_netscape_html(bookmarks, title=title)
    if fmt == "md":
        return to_markdown(bookmarks, group=group, title=title)
    if fmt == "json":
        return to_json(bookmarks, now=now)
    if fmt == "csv":
        return to_csv(bookmarks)
    if fmt == "atom":
        return to_atom(bookmarks, title=title, now=now)
    raise BookmarkFileError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")


def _unix(value: datetime | None) -> str:
    return str(int(value.timestamp())) if value else ""


def to_netscape_html(bookmarks: Sequence[Bookmark], *, title: str = "Bookmarks") -> str:
    """The Netscape bookmark file format, flat, with ``ADD_DATE``, ``TAGS`` and ``<DD>`` notes.

    Only http(s) links are written: a browser must never import a ``javascript:`` bookmark.
    """
    lines = [
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>",
        "<!-- This is an automatically generated file.",
        "     It will be read and overwritten.",
        "     DO NOT EDIT! -->",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
        f"<TITLE>{escape(title, quote=False)}</TITLE>",
        f"<H1>{escape(title, quote=False)}</H1>",
        "<DL><p>",
    ]
    for bookmark in bookmarks:
        if not is_web_url(bookmark.link):
            continue
        attrs = [f'HREF="{escape(bookmark.link)}"']
        if bookmark.bookmarked_at:
            attrs.append(f'ADD_DATE="{_unix(bookmark.bookmarked_at)}"')
        if bookmark.tags:
            attrs.append(f'TAGS="{escape(",".join(bookmark.tags))}"')
        text = escape(clean_line(bookmark.title) or bookmark.link, quote=False)
        lines.append(f"    <DT><A {' '.join(attrs)}>{text}</A>")
        if bookmark.note:
            lines.append(f"    <DD>{escape(bookmark.note, quote=False)}")
    lines.append("</DL><p>")
    return "\n".join(lines) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: str) -> str:
    """Plain text made inert in Markdown (no emphasis, links, HTML or headings)."""
    return _MD_SPECIAL.sub(r"\\\1", clean_line(text))


def md_url(url: str) -> str:
    """A URL safe inside ``(...)`` of a Markdown link."""
    return (url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
            .replace("<", "%3C").replace(">", "%3E"))


def _md_item(bookmark: Bookmark) -> list[str]:
    title = md_escape(bookmark.title or bookmark.link or "(untitled)")
    head = f"[{title}]({md_url(bookmark.link)})" if is_web_url(bookmark.link) else title
    meta = [md_escape(bookmark.feed_title)] if bookmark.feed_title else []
    if bookmark.published:
        meta.append(bookmark.published.strftime("%Y-%m-%d"))
    lines = [f"- {head}" + (f" — {', '.join(meta)}" if meta else "")]
    if bookmark.note:
        lines.extend(f"  > {md_escape(line)}".rstrip() for line in bookmark.note.split("\n"))
    return lines


def to_markdown(
    bookmarks: Sequence[Bookmark], *, group: str = "tag", title: str = "Bookmarks"
) -> str:
    """A heading per tag (a bookmark with two tags is under both) or per feed."""
    if group not in GROUPS:
        raise BookmarkFileError(f"unknown grouping {group!r} (choose from {', '.join(GROUPS)})")
    groups: dict[str, list[Bookmark]] = {}
    for bookmark in bookmarks:
        if group == "tag":
            keys = list(bookmark.tags) or [UNTAGGED]
        else:
            keys = [clean_line(bookmark.feed_title) or NO_FEED]
        for key in keys:
            groups.setdefault(key, []).append(bookmark)
    leftover = UNTAGGED if group == "tag" else NO_FEED
    order = sorted((k for k in groups if k != leftover), key=lambda k: (k.lower(), k))
    if leftover in groups:
        order.append(leftover)
    lines = [f"# {md_escape(title)}", ""]
    for key in order:
        lines += [f"## {md_escape(key)}", ""]
        for bookmark in groups[key]:
            lines.extend(_md_item(bookmark))
        lines.append("")
    return "\n".join(lines)


def to_json(bookmarks: Sequence[Bookmark], *, now: datetime | None = None) -> str:
    """Every stored field, in a document :func:`parse_json` reads back."""
    document = {
        "format": JSON_FORMAT_ID,
        "version": JSON_VERSION,
        "exported_at": iso((now or datetime.now(UTC)).replace(microsecond=0)),
        "bookmarks": [bookmark_json(b) for b in bookmarks],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (OWASP: prefix a quote)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(bookmarks: Sequence[Bookmark]) -> str:
    """A header row, then one row per bookmark; RFC 4180 quoting and CRLF line ends.

    Tags are joined with ``", "``. Cells that a spreadsheet would run as a formula get a
    leading ``'``.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_FIELDS)
    for bookmark in bookmarks:
        row = bookmark_json(bookmark)
        row["tags"] = ", ".join(bookmark.tags)
        writer.writerow(
            _csv_cell("" if row[name] is None else str(row[name])) for name in CSV_FIELDS
        )
    return out.getvalue()


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _atom_date(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def entry_id(bookmark: Bookmark) -> str:
    """A stable Atom id for a bookmark: the same story gets the same id in every export."""
    if bookmark.guid:
        key = f"{bookmark.feed_url}\x00{bookmark.guid}"
    else:
        key = bookmark.link or f"storyreader:bookmark:{bookmark.id}"
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = _xml_text(text)
    return element


def to_atom(
    bookmarks: Sequence[Bookmark],
    *,
    title: str = "storyreader bookmarks",
    feed_id: str = DEFAULT_FEED_ID,
    self_url: str | None = None,
    now: datetime | None = None,
) -> str:
    """An Atom 1.0 feed of the bookmarks, newest first.

    ``published`` is the story's date (the bookmark's when unknown), ``updated`` when it was
    bookmarked; tags become categories and a note goes in the content beside the summary.
    """
    now = now or datetime.now(UTC)
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", feed_id)
    _sub(feed, "title", title, type="text")
    stamps = [b.bookmarked_at for b in bookmarks if b.bookmarked_at]
    _sub(feed, "updated", _atom_date(max(stamps) if stamps else now))
    author = _sub(feed, "author")
    _sub(author, "name", "storyreader")
    _sub(feed, "generator", "storyreader", version=__version__)
    if self_url and is_web_url(self_url):
        _sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    for bookmark in bookmarks:
        entry = _sub(feed, "entry")
        _sub(entry, "id", entry_id(bookmark))
        _sub(entry, "title", clean_line(bookmark.title) or bookmark.link or "(untitled)",
             type="text")
        has_link = is_web_url(bookmark.link)
        if has_link:
            _sub(entry, "link", rel="alternate", type="text/html", href=bookmark.link)
        saved = bookmark.bookmarked_at or now
        published = bookmark.published or saved
        _sub(entry, "published", _atom_date(published))
        _sub(entry, "updated", _atom_date(max(saved, published)))
        if bookmark.author:
            _sub(_sub(entry, "author"), "name", bookmark.author)
        for tag in bookmark.tags:
            _sub(entry, "category", term=_xml_text(tag))
        if bookmark.summary:
            _sub(entry, "summary", bookmark.summary, type="text")
        if bookmark.note or not has_link:
            parts = []
            if bookmark.note:
                note = escape(bookmark.note).replace("\n", "<br/>")
                parts.append(f"<p><strong>Note:</strong> {note}</p>")
            if bookmark.summary:
                parts.append(f"<p>{escape(bookmark.summary)}</p>")
            if not parts:
                parts.append(f"<p>{escape(bookmark.title or bookmark.link)}</p>")
            _sub(entry, "content", "".join(parts), type="html")
        if bookmark.feed_title or is_web_url(bookmark.feed_url):
            source = _sub(entry, "source")
            if bookmark.feed_title:
                _sub(source, "title", bookmark.feed_title)
            if is_web_url(bookmark.feed_url):
                _sub(source, "link", rel="self", href=bookmark.feed_url)
    ET.indent(feed, space="  ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


# --- readers ------------------------------------------------------------------------------


def read_bookmarks_file(path: Path | str) -> tuple[list[Bookmark], int]:
    """The bookmarks in a Netscape HTML or storyreader JSON file, and how many were skipped."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise BookmarkFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_bookmarks(data, str(path))


def parse_bookmarks(data: bytes, name: str = "bookmarks file") -> tuple[list[Bookmark], int]:
    """Detect the format (JSON or Netscape HTML) and parse it."""
    if len(data) > MAX_IMPORT_BYTES:
        raise BookmarkFileError(f"{name}: file too large to import")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    head = text.lstrip()[:4096]
    if head.startswith(("{", "[")):
        return parse_json(text, name), 0
    if re.search(r"<!DOCTYPE\s+NETSCAPE-Bookmark-file|<DL[\s>]", text[:65536], re.I):
        return parse_netscape(text, name)
    raise BookmarkFileError(
        f"{name} is not a bookmarks file (expected Netscape bookmark HTML or storyreader JSON)"
    )


def _from_unix(value: str | None) -> datetime | None:
    """``ADD_DATE``: seconds since 1970 (some tools write milli- or microseconds)."""
    if not value or not value.strip().isdigit():
        return None
    number = int(value.strip())
    if number > 10**14:
        number //= 1_000_000
    elif number > 10**11:
        number //= 1000
    try:
        return datetime.fromtimestamp(number, UTC) if number > 0 else None
    except (OverflowError, OSError, ValueError):
        return None


class _NetscapeParser(HTMLParser):
    """Walks the ``<DL>`` tree; each ``<A>`` becomes a bookmark tagged with its folders."""

    # Containers browsers add at the root: their names are not the user's folders.
    SPECIAL_FOLDERS = ("personal_toolbar_folder", "unfiled_bookmarks_folder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bookmarks: list[Bookmark] = []
        self.skipped = 0
        self.folders: list[str | None] = []  # one per open <DL>
        self.pending_folder: str | None = None
        self.capture: str | None = None  # "h3", "a" or "dd"
        self.buffer: list[str] = []
        self.current: dict[str, Any] | None = None
        self.last: dict[str, Any] | None = None  # the bookmark a <DD> describes
        self.records: list[dict[str, Any]] = []
        self.special = False

    def _finish(self) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        kind, self.capture = self.capture, None
        if kind == "h3":
            self.pending_folder = None if self.special else clean_line(text) or None
        elif kind == "a" and self.current is not None:
            self.current["title"] = clean_line(text)
            self.records.append(self.current)
            self.last, self.current = self.current, None
        elif kind == "dd" and self.last is not None:
            self.last["note"] = clean_block(text)
            self.last = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("dt", "dl", "h3", "a", "hr") and self.capture == "dd":
            self._finish()
        values = {k: v or "" for k, v in attrs}
        if tag == "h3":
            self.last = None
            self.special = any(values.get(k, "").lower() == "true" for k in self.SPECIAL_FOLDERS)
            self.capture, self.buffer = "h3", []
        elif tag == "dl":
            self.folders.append(self.pending_folder)
            self.pending_folder = None
        elif tag == "a":
            self.last = None
            folders = tuple(f for f in self.folders if f)
            self.current = {
                "link": (values.get("href") or "").strip(),
                "added": values.get("add_date"),
                "tags": normalize_tags([*folders, values.get("tags") or ""]),
            }
            self.capture, self.buffer = "a", []
        elif tag == "dd":
            self.capture, self.buffer = "dd", []

    def handle_endtag(self, tag: str) -> None:
        if (tag == "h3" and self.capture == "h3") or (tag == "a" and self.capture == "a"):
            self._finish()
        elif tag == "dl":
            if self.capture == "dd":
                self._finish()
            if self.folders:
                self.folders.pop()

    def handle_data(self, data: str) -> None:
        if self.capture:
            self.buffer.append(data)

    def close(self) -> None:
        super().close()
        if self.capture:
            self._finish()


def parse_netscape(text: str, name: str = "bookmarks file") -> tuple[list[Bookmark], int]:
    """Bookmarks from a browser's HTML export; non-web links (``place:``, ``javascript:``,
    ``file:``...) are skipped and counted."""
    parser = _NetscapeParser()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError) as exc:  # html.parser's rare hard failures
        raise BookmarkFileError(f"{name} is not valid bookmark HTML: {exc}") from None
    bookmarks: list[Bookmark] = []
    skipped = 0
    for record in parser.records:
        link = record["link"]
        if not is_web_url(link):
            skipped += 1
            continue
        bookmarks.append(Bookmark(
            id=0,
            title=record["title"] or link,
            link=link,
            bookmarked_at=_from_unix(record["added"]),
            note=record.get("note", ""),
            tags=record["tags"],
        ))
    return bookmarks, skipped


def _date(value: Any, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise BookmarkFileError(f"{where} must be an ISO 8601 date string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BookmarkFileError(f"{where} is not an ISO 8601 date: {value[:40]!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _string(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BookmarkFileError(f"{where}: {key!r} must be a string")
    return value


def parse_json(text: str, name: str = "bookmarks file") -> list[Bookmark]:
    """Bookmarks from this module's JSON export (or a plain list, as ``bookmarks --json``
    prints)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BookmarkFileError(f"{name} is not valid JSON: {exc}") from None
    items = document.get("bookmarks") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise BookmarkFileError(f"{name}: expected a list of bookmarks")
    bookmarks: list[Bookmark] = []
    for number, item in enumerate(items, 1):
        where = f"{name}: bookmark {number}"
        if not isinstance(item, dict):
            raise BookmarkFileError(f"{where} is not an object")
        link = clean_line(_string(item, "link", where))
        guid = clean_line(_string(item, "guid", where))
        if not link and not guid:
            raise BookmarkFileError(f"{where} has neither a link nor a guid")
        tags = item.get("tags") or []
        if isinstance(tags, str):
            tags = [tags]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise BookmarkFileError(f"{where}: 'tags' must be a list of strings")
        raw_id = item.get("id")
        bookmarks.append(Bookmark(
            id=raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool)
            and raw_id > 0 else 0,
            title=clean_line(_string(item, "title", where)),
            link=link,
            feed_title=clean_line(_string(item, "feed_title", where)),
            feed_url=clean_line(_string(item, "feed_url", where)),
            guid=guid,
            author=clean_line(_string(item, "author", where)),
            published=_date(item.get("published"), f"{where}: 'published'"),
            summary=clean_block(_string(item, "summary", where)),
            bookmarked_at=_date(item.get("bookmarked_at"), f"{where}: 'bookmarked_at'"),
            note=clean_block(_string(item, "note", where)),
            tags=normalize_tags(tags),
        ))
    return bookmarks
