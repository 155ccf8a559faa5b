"""The one place where a parsed document becomes :class:`ParsedFeed`.

Every format module (XML via fastfeedparser or feedparser, JSON Feed,
WordPress REST) only maps its input onto :class:`RawFeed` / :class:`RawEntry`:
loosely typed, untrusted, not yet cleaned. :func:`normalize_feed` then does all
of the cleaning the models promise: control characters stripped, HTML
sanitized, URLs absolute and http(s), dates aware UTC, stable guids.

This runs for every entry of every refresh, so the common path is kept cheap:
one nh3 pass per body, its text read from the sanitized HTML without a second
parse (:func:`~tui_reader.core.sanitize.plain_text`), plain string checks before
anything heavier. A refresh goes further: given :class:`SourceHashes`, each raw entry
is hashed first (:func:`source_hash`, a few microseconds) and the entries stored before
from the same source are not normalized again.
"""

from __future__ import annotations

import hashlib
import html as _html
import logging
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3

from tui_reader.core.dates import parse_date
from tui_reader.core.models import Author, Enclosure, ParsedEntry, ParsedFeed
from tui_reader.core.sanitize import (
    clean_line,
    clean_text,
    html_to_line,
    plain_text,
    sanitize_html,
    usable_base,
)
from tui_reader.core.sources.related import extract_related_links

__all__ = [
    "RawEntry", "RawFeed", "SourceHashes", "abs_url", "author_from_string", "normalize_feed",
]  # fmt: skip

log = logging.getLogger(__name__)

SUMMARY_MAX = 500  # characters of plain text
# Characters of a title, name or category. A hostile megabyte-long title took the reader
# seconds to lay out, in every list and header that shows it.
LINE_MAX = 1000
MAX_CATEGORIES = 50
MAX_RELATED = 20


@dataclass(slots=True)
class RawEntry:
    """One entry as a format module read it: untrusted, uncleaned, maybe mistyped.

    ``title_is_html`` None means "guess": a title holding tags such as ``<b>``
    or entity references is read as HTML. ``summary``/``content`` are HTML
    unless their ``*_type`` is ``"text"``. URLs may be relative to ``base``
    (itself absolute, or empty to use the feed's base).
    """

    id: Any = ""
    title: Any = ""
    title_is_html: bool | None = None
    link: Any = ""
    base: str = ""
    authors: list[tuple[Any, Any, Any]] = field(default_factory=list)  # name, email, url
    published: Any = None
    updated: Any = None
    summary: Any = ""
    summary_type: str = "html"
    content: Any = ""
    content_type: str = "html"
    enclosures: list[tuple[Any, Any, Any]] = field(default_factory=list)  # url, type, length
    categories: list[Any] = field(default_factory=list)
    related: list[Any] = field(default_factory=list)


@dataclass(slots=True)
class RawFeed:
    """A document's metadata and entries before cleaning."""

    kind: str
    title: Any = ""
    title_is_html: bool | None = None
    site_url: Any = ""
    description: Any = ""
    base: str = ""  # base URL of the document (absolute); defaults to the feed URL
    authors: list[tuple[Any, Any, Any]] = field(default_factory=list)  # default for entries
    inherit_authors: bool = False  # Atom and JSON Feed: entries inherit the feed's authors
    entries: list[RawEntry] = field(default_factory=list)


def _str(value: Any) -> str:
    """A string field from loosely typed input (numbers accepted, the rest ignored)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


_LINE_TAG_RE = re.compile(
    r"</?(?:a|abbr|b|big|br|cite|code|del|div|em|font|h[1-6]|i|img|ins|kbd|mark|p|q|s|"
    r"small|span|strike|strong|sub|sup|tt|u)\b[^<>]*>",
    re.IGNORECASE,
)
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def line_text(value: Any, is_html: bool | None = None) -> str:
    """One clean line of plain text from a title-like field (HTML or text), cut to
    :data:`LINE_MAX` characters."""
    s = _str(value)
    if not s:
        return ""
    if is_html is None:
        if "<" in s and _LINE_TAG_RE.search(s):
            s = html_to_line(s)
        elif "&" in s and _ENTITY_RE.search(s):
            s = clean_line(_html.unescape(s))
        else:
            s = clean_line(s)
    elif is_html:
        s = html_to_line(s)
    else:
        s = clean_line(s)
    return s if len(s) <= LINE_MAX else s[: LINE_MAX - 1].rstrip() + "…"


def abs_url(value: Any, base: str = "") -> str:
    """``value`` as an absolute http(s) URL resolved against ``base``, or ``""``."""
    url = _str(value).strip()
    if not url:
        return ""
    if not url.startswith(("https://", "http://")):
        url = clean_line(url)
        if base:
            try:
                url = urljoin(base, url)
            except ValueError:
                return ""
        if not url[:8].lower().startswith(("http://", "https://")):
            return ""
    url = clean_line(url)
    if " " in url:
        url = url.replace(" ", "%20")
    return url


def author_from_string(value: Any) -> tuple[str, str, str]:
    """An RSS author string: ``a@b.c (Name)``, ``Name <a@b.c>``, an address or a name."""
    s = clean_line(_str(value))
    if not s:
        return ("", "", "")
    if "@" in s:
        m = re.fullmatch(r"([^\s()<>]+@[^\s()<>]+)\s*\((.*)\)", s)
        if m:
            return (m.group(2).strip(), m.group(1), "")
        m = re.fullmatch(r"(.*?)\s*<([^\s()<>]+@[^\s()<>]+)>", s)
        if m:
            return (m.group(1).strip().strip('"'), m.group(2), "")
        if re.fullmatch(r"(?:mailto:)?[^\s()<>]+@[^\s()<>]+", s):
            return ("", s.removeprefix("mailto:"), "")
    return (s, "", "")


def _authors(raw: list[tuple[Any, Any, Any]], base: str) -> tuple[Author, ...]:
    out: list[Author] = []
    seen: set[tuple[str, str, str]] = set()
    for name, email, url in raw:
        author = Author(name=line_text(name), email=clean_line(_str(email)), url=abs_url(url, base))
        key = (author.name, author.email, author.url)
        if any(key) and key not in seen:
            seen.add(key)
            out.append(author)
    return tuple(out)


def _length(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        n = value
    elif isinstance(value, str) and value.strip().isdigit():
        n = int(value.strip())
    else:
        return None
    try:
        n = int(n)
    except (ValueError, OverflowError):
        return None
    return n if 0 <= n < 2**63 else None


def _enclosures(raw: list[tuple[Any, Any, Any]], base: str) -> tuple[Enclosure, ...]:
    out: list[Enclosure] = []
    seen: set[str] = set()
    for url, mime, length in raw:
        u = abs_url(url, base)
        if u and u not in seen:
            seen.add(u)
            out.append(Enclosure(url=u, type=clean_line(_str(mime)), length=_length(length)))
    return tuple(out)


def _categories(raw: list[Any]) -> tuple[str, ...]:
    out: list[str] = []
    seen: set[str] = set()
    for value in raw:
        term = line_text(value)
        key = term.casefold()
        if term and key not in seen:
            seen.add(key)
            out.append(term)
            if len(out) >= MAX_CATEGORIES:
                break
    return tuple(out)


def text_to_html(text: str) -> str:
    """Plain text as HTML paragraphs (blank lines split paragraphs, newlines break lines)."""
    text = clean_text(text).strip()
    if not text:
        return ""
    paragraphs = re.split(r"\n[ \t]*\n\s*", text)
    return "".join(
        "<p>" + _html.escape(p, quote=False).replace("\n", "<br>") + "</p>" for p in paragraphs
    )


def _one_line(text: str) -> str:
    """``" ".join(text.split())``, twice as fast on plain text's usual white space: single
    spaces and line feeds (every other white space character is unprintable)."""
    if "\n" in text:
        text = text.replace("\n\n", " ").replace("\n", " ")
    if "  " not in text and text.isprintable():
        return text.strip(" ")
    return " ".join(text.split())


def _shorten(text: str, limit: int = SUMMARY_MAX) -> str:
    """``text`` on one line, cut at a word boundary to ``limit`` characters.

    Only the start of ``text`` is looked at: a little more than ``limit`` characters
    first (enough unless it is mostly white space), at most four times ``limit``.
    """
    head = _one_line(text[: limit + limit // 4])
    if len(head) <= limit and len(text) > limit + limit // 4:
        head = _one_line(text[: limit * 4])
    text = head
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    if cut < limit // 2:
        cut = limit - 1
    return text[:cut].rstrip(" ,;:.-") + "…"


def _summary_text(value: str, kind: str, base: str) -> str:
    if kind == "text" or ("<" not in value and "&" not in value):
        return _shorten(clean_text(value))
    return _shorten(plain_text(sanitize_html(value, base), clean_input=True))


def _guid(raw: RawEntry, link: str, title: str, feed_url: str, published: Any) -> str:
    raw_id = _str(raw.id)
    if raw_id and raw_id == _str(raw.link) and link:
        return link  # an id that is the (maybe relative) link: the absolute link
    guid = clean_line(raw_id)
    if guid:
        return guid
    if link:
        return link
    date = published.isoformat() if published is not None else ""
    parts = [feed_url, title, date]
    if not title and not date:
        parts.append(_str(raw.content)[:2000] or _str(raw.summary)[:2000])
    digest = hashlib.sha1("\x00".join(parts).encode("utf-8", "replace")).hexdigest()
    return "sha1:" + digest


def _related(raw: RawEntry, body: str, base: str, link: str) -> tuple[str, ...]:
    out: list[str] = []
    seen = {link} if link else set()
    candidates = [abs_url(u, base) for u in raw.related]
    if body:
        candidates.extend(extract_related_links(body, base))
    for url in candidates:
        if url and url not in seen:
            seen.add(url)
            out.append(url)
            if len(out) >= MAX_RELATED:
                break
    return tuple(out)


def normalize_entry(
    raw: RawEntry, feed_url: str, feed_base: str, feed_authors: tuple[Author, ...] = ()
) -> ParsedEntry:
    """One clean :class:`ParsedEntry` from a :class:`RawEntry`."""
    base = usable_base(abs_url(raw.base, feed_base)) if raw.base else feed_base
    base = base or feed_base
    title = line_text(raw.title, raw.title_is_html)
    link = abs_url(raw.link, base)

    content = _str(raw.content)
    summary = _str(raw.summary)
    summary_is_content = False
    if content.strip():
        body, body_type = content, raw.content_type
        if summary.strip() == content.strip():
            summary_is_content = True
    else:
        body, body_type = summary, raw.summary_type
        summary_is_content = True
    if body_type == "text":
        body = text_to_html(body)
    content_html = sanitize_html(body, base) if body else ""
    text = plain_text(content_html, clean_input=True)

    if summary.strip() and not summary_is_content:
        summary_text = _summary_text(summary, raw.summary_type, base)
    else:
        summary_text = _shorten(text)

    published = parse_date(raw.published)
    updated = parse_date(raw.updated)
    if published is None:
        published = updated

    authors = _authors(raw.authors, base) or feed_authors
    return ParsedEntry(
        guid=_guid(raw, link, title, feed_url, published),
        title=title,
        link=link,
        authors=authors,
        published=published,
        updated=updated,
        summary=summary_text,
        content_html=content_html,
        text=text,
        enclosures=_enclosures(raw.enclosures, base),
        categories=_categories(raw.categories),
        related_links=_related(raw, body if body_type != "text" else "", base, link),
    )


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


# Bump on any deliberate change to what :func:`normalize_entry` makes of a raw entry
# (cleaning, sanitizing, limits, guids): entries stored under another version are
# normalized again on their feed's next refresh instead of being skipped as unchanged.
NORMALIZE_VERSION = 1
# Every field of a RawEntry, read at once (a field added later is hashed too).
_RAW_FIELDS = operator.attrgetter(*(f.name for f in fields(RawEntry)))


def source_context(
    feed_url: str, base: str, feed_authors: tuple[Author, ...]
) -> hashlib.blake2b:
    """A hasher primed with what normalizing a feed's entries depends on besides the raw
    entries: :data:`NORMALIZE_VERSION`, the sanitizer's version, the feed URL (guids of
    entries without id or link), the base that resolves relative URLs and the authors
    entries inherit."""
    context = hashlib.blake2b(digest_size=16)
    parts = (NORMALIZE_VERSION, nh3.__version__, feed_url, base, feed_authors)
    context.update(repr(parts).encode("utf-8", "surrogatepass"))
    return context


def source_hash(raw: RawEntry, context: hashlib.blake2b) -> str:
    """The hash of everything :func:`normalize_entry` reads: every field of ``raw`` and
    the feed's ``context`` (:func:`source_context`).

    Strings are hashed as they are (a ``repr`` of a long body costs four times the
    hashing), anything else as its ``repr``, which tells numbers, None, lists and dates
    apart; a leading list of lengths, negative for a ``repr``, keeps the concatenation
    unambiguous. A value whose ``repr`` is not stable (an object's address) only makes
    the hash never match."""
    lengths: list[int] = []
    texts: list[str] = []
    for value in _RAW_FIELDS(raw):
        if type(value) is str:
            lengths.append(len(value))
        else:
            value = repr(value)
            lengths.append(-1 - len(value))
        texts.append(value)
    digest = context.copy()
    digest.update((repr(lengths) + "".join(texts)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@dataclass(slots=True)
class SourceHashes:
    """Source hashes for :func:`normalize_feed`: it leaves out, without normalizing them,
    the raw entries whose :func:`source_hash` is in ``unchanged`` (source hash -> guid of
    the entry stored from it), and an entry with the guid of an unchanged entry before it
    (storing keeps the first entry of a guid); ``hashes`` gets the source hashes of the
    entries it returns, in order ('' where one could not be computed)."""

    unchanged: Mapping[str, str] = field(default_factory=dict)
    hashes: list[str] = field(default_factory=list)
    skipped: int = 0  # raw entries left out as unchanged


def normalize_feed(raw: RawFeed, url: str, sources: SourceHashes | None = None) -> ParsedFeed:
    """The clean :class:`ParsedFeed` for a whole document fetched from ``url``.

    An entry whose normalisation fails unexpectedly is skipped (and logged)
    rather than losing the whole feed; so is an entry without an id, title,
    link, body or enclosure. With ``sources``, unchanged entries are skipped too
    (:class:`SourceHashes`).
    """
    feed_url = clean_line(url)
    doc_base = usable_base(feed_url)
    base = usable_base(abs_url(raw.base, doc_base)) or doc_base
    site_url = abs_url(raw.site_url, base)
    title = line_text(raw.title, raw.title_is_html) or _host(site_url) or _host(feed_url)
    feed_authors = _authors(raw.authors, base) if raw.inherit_authors else ()
    state = sources
    if state is not None:
        state.hashes, state.skipped = [], 0  # this document's, should there be several
        context = source_context(feed_url, base, feed_authors)
    skipped_guids: set[str] = set()  # of the unchanged entries left out so far
    entries: list[ParsedEntry] = []
    for raw_entry in raw.entries:
        source = ""
        if state is not None:
            try:
                source = source_hash(raw_entry, context)
            except Exception:  # a hostile value's repr: normalize it, store no hash
                log.warning("no source hash for an entry in %s", feed_url, exc_info=True)
            guid = state.unchanged.get(source) if source else None
            if guid is not None:
                skipped_guids.add(guid)
                state.skipped += 1
                continue
        try:
            entry = normalize_entry(raw_entry, feed_url, base, feed_authors)
        except Exception:
            log.warning("skipping an unreadable entry in %s", feed_url, exc_info=True)
            continue
        if not (
            _str(raw_entry.id)
            or entry.title
            or entry.link
            or entry.content_html
            or entry.enclosures
        ):
            continue  # an entry with none of these is nothing to show
        if skipped_guids and entry.guid in skipped_guids:
            continue  # an unchanged entry before it has its guid: storing would drop it
        entries.append(entry)
        if state is not None:
            state.hashes.append(source)
    return ParsedFeed(
        title=title,
        site_url=site_url,
        description=line_text(raw.description, True),
        kind=raw.kind,
        entries=tuple(entries),
    )
