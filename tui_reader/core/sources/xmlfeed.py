"""RSS 0.9x/1.0 (RDF)/2.0 and Atom 0.3/1.0: fastfeedparser, with feedparser behind it.

The path of a document:

1. :func:`prepare_xml` cleans the bytes: leading whitespace, control bytes XML
   forbids, and any DOCTYPE. A DOCTYPE is removed before any parser sees it,
   so nothing can expand entities (billion laughs, quadratic blow-up) or load
   external ones (XXE). Simple entities it declared (``<!ENTITY nbsp
   "&#160;">``) and HTML's named entities (RSS 0.91 uses them through the
   Netscape DTD) are rewritten to character references; unknown ones stay as
   visible text.
2. :func:`_well_formed` runs expat over the result (about 1 GB/s, no tree).
3. A well-formed RSS/RDF/Atom document goes to fastfeedparser (compiled,
   tens of thousands of entries per second). Its recovering parser would
   silently drop what it cannot read, so a malformed document skips it.
4. feedparser reads what is left: malformed XML (its loose parser), bytes in
   another encoding than declared, RSS 0.90, and anything fastfeedparser
   rejects or returns unusable (no feed title or link, or no entries from a
   document that has ``<item>``/``<entry>`` elements).

Both parsers' results are mapped onto :class:`RawFeed` and cleaned by
:func:`~tui_reader.core.sources.normalize.normalize_feed`.

fastfeedparser reads only the first Atom author and its name; for Atom
documents that carry author e-mails/URIs, several authors per entry or
enclosure links, one extra lxml pass (entities off, no network) reads those.
"""

from __future__ import annotations

import html.entities
import importlib.util
import pyexpat
import re
import sys
from typing import Any

import fastfeedparser
import fastfeedparser.main as _ffp_main
import feedparser
from lxml import etree

from tui_reader.core.errors import FeedParseError
from tui_reader.core.sources.discovery import looks_like_html
from tui_reader.core.sources.normalize import RawEntry, RawFeed, author_from_string

__all__ = ["parse_xml", "prepare_xml"]

# fastfeedparser tries ``import dateparser`` (an optional dependency, not ours) for every
# date it cannot read otherwise, and a failed import searches sys.path again each time:
# 35 us per entry with an unreadable date, 1.7 s per 50,000. When it is not installed,
# None in sys.modules (the import system's "known missing") makes that import fail at once.
if "dateparser" not in sys.modules and importlib.util.find_spec("dateparser") is None:
    sys.modules["dateparser"] = None

_BAD_XML_BYTES = bytes(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))
_UTF8_BOM = b"\xef\xbb\xbf"
_XML_PREDEFINED = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_DECL_ENCODING_RE = re.compile(r"""(?<=<\?xml)([^>]*?)encoding\s*=\s*["'][^"']*["']""")
_SUBSET_END_RE = re.compile(rb"\]\s*>")
_ENTITY_DECL_RE = re.compile(
    rb"<!ENTITY\s+([A-Za-z_][A-Za-z0-9._-]{0,31})\s+(\"([^\"]*)\"|'([^']*)')\s*>"
)
_SAFE_ENTITY_VALUE_RE = re.compile(rb"(?:[^&%<]|&#[0-9]{1,7};|&#x[0-9a-fA-F]{1,6};){0,64}")
# At most this many bytes of declared entity text are inlined per document
# (a 64-byte value for each 3-byte reference could otherwise grow it 20-fold).
_ENTITY_BUDGET = 65536
_ENTITY_REF_RE = re.compile(rb"&([A-Za-z_][A-Za-z0-9._-]{0,31});")


def _wide_encoding(data: bytes) -> str | None:
    """The codec of a UTF-16/32 document (by BOM or NUL pattern), else None."""
    head = data[:4]
    if head.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")):
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"<\x00\x00\x00"):
        return "utf-32-le"
    if head.startswith(b"\x00\x00\x00<"):
        return "utf-32-be"
    if head.startswith(b"<\x00"):
        return "utf-16-le"
    if head.startswith(b"\x00<"):
        return "utf-16-be"
    return None


def _to_utf8(data: bytes, codec: str) -> bytes:
    """A UTF-16/32 document as UTF-8, its XML declaration saying so."""
    text = data.decode(codec, errors="replace").lstrip("\ufeff")
    head = _DECL_ENCODING_RE.sub(r'\1encoding="utf-8"', text[:200], count=1)
    return (head + text[200:]).encode("utf-8")


def _entity_replacement(declared: dict[bytes, bytes]) -> Any:
    budget = [_ENTITY_BUDGET]

    def replace(match: re.Match[bytes]) -> bytes:
        name = match.group(1)
        if name in _XML_PREDEFINED:
            return match.group(0)
        value = declared.get(name)
        if value is not None and len(value) <= budget[0]:
            budget[0] -= len(value)
            return value
        chars = html.entities.html5.get(name.decode("ascii") + ";")
        if chars:
            return "".join(f"&#{ord(c)};" for c in chars).encode("ascii")
        return b"&amp;" + name + b";"

    return replace


def _doctype_start(data: bytes) -> int:
    """Where the prolog's DOCTYPE starts, or -1: the prolog is walked token by
    token (declaration, processing instructions, comments), so a ``<`` inside
    a comment cannot hide a DOCTYPE behind it."""
    pos, size = 0, len(data)
    while pos < size:
        if data[pos] in b" \t\r\n":
            pos += 1
        elif data.startswith(b"<?", pos):
            end = data.find(b"?>", pos + 2)
            pos = size if end == -1 else end + 2
        elif data.startswith(b"<!--", pos):
            end = data.find(b"-->", pos + 4)
            pos = size if end == -1 else end + 3
        elif data[pos : pos + 9].lower() == b"<!doctype":
            return pos
        else:
            return -1
    return -1


def _strip_doctype(data: bytes) -> bytes:
    """``data`` without its DOCTYPE; declared simple and HTML entities as char refs."""
    start = _doctype_start(data)
    if start == -1:
        return data
    bracket = data.find(b"[", start)
    close = data.find(b">", start)
    if close == -1:
        raise FeedParseError("malformed XML: the DOCTYPE is never closed")
    declared: dict[bytes, bytes] = {}
    if bracket != -1 and bracket < close:
        end_match = _SUBSET_END_RE.search(data, bracket)
        if end_match is None:
            raise FeedParseError("malformed XML: the DOCTYPE is never closed")
        subset = data[bracket : end_match.start()]
        end = end_match.end()
        for decl in _ENTITY_DECL_RE.finditer(subset):
            value = decl.group(3) if decl.group(3) is not None else decl.group(4)
            if _SAFE_ENTITY_VALUE_RE.fullmatch(value):
                declared[decl.group(1)] = value.replace(b'"', b"&#34;").replace(b"'", b"&#39;")
    else:
        end = close + 1
    body = data[:start] + data[end:]
    return _ENTITY_REF_RE.sub(_entity_replacement(declared), body)


# Two numeric character references in a row (the second optional): a UTF-16 surrogate
# pair written as two references ("&#55357;&#56832;") is a common CMS bug.
_REF = rb"(&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));)"
_CHAR_REF_RE = re.compile(_REF + _REF + b"?")
# A cheap gate: the references that may name a character XML forbids (and some others).
_SUSPECT_REF_RE = re.compile(
    rb"&#(?:0|[0-9]{1,2};|5[5-7][0-9]{3};|6553[45];|[0-9]{7}"
    rb"|[xX](?:0|[0-9a-fA-F]{1,2};|[dD][89a-fA-F][0-9a-fA-F]{2};|[fF]{3}[eEfF];|[0-9a-fA-F]{6}))"
)


def _xml_char(code: int) -> bool:
    """Whether XML 1.0 allows the character ``code`` (as text or as a reference)."""
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _ref_code(hex_digits: bytes | None, digits: bytes | None) -> int:
    if hex_digits is not None:
        return int(hex_digits, 16) if len(hex_digits) <= 8 else -1
    assert digits is not None
    return int(digits) if len(digits) <= 10 else -1


def _mend_char_ref(match: re.Match[bytes]) -> bytes:
    """A surrogate pair as the one reference it means; references to characters XML
    forbids (controls, lone surrogates, past U+10FFFF) dropped. feedparser's loose parser
    raises on those, which would lose the whole feed."""
    first = _ref_code(match.group(2), match.group(3))
    if match.group(4) is None:
        return match.group(1) if _xml_char(first) else b""
    second = _ref_code(match.group(5), match.group(6))
    if 0xD800 <= first <= 0xDBFF and 0xDC00 <= second <= 0xDFFF:
        return b"&#%d;" % (0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
    return (match.group(1) if _xml_char(first) else b"") + (
        match.group(4) if _xml_char(second) else b""
    )


def prepare_xml(data: bytes) -> bytes:
    """The bytes of an XML feed made safe and a little more regular for the parsers."""
    codec = _wide_encoding(data)
    if codec is not None:
        data = _to_utf8(data, codec)
    bom = b""
    if data.startswith(_UTF8_BOM):
        bom, data = _UTF8_BOM, data[3:]
    data = data.lstrip()
    data = data.translate(None, _BAD_XML_BYTES)
    data = _strip_doctype(data)
    if _SUSPECT_REF_RE.search(data):  # twice as fast as ``b"&#" in data`` in escaped HTML
        data = _CHAR_REF_RE.sub(_mend_char_ref, data)
    return bom + data


def _well_formed(data: bytes) -> tuple[bool, str, str]:
    """(well-formed?, root element name, one-line error) by expat, or lxml for
    encodings expat does not know (multi-byte ones such as Shift_JIS)."""
    parser = pyexpat.ParserCreate()
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    names: list[str] = []

    def start(name: str, attrs: object) -> None:
        names.append(name)
        parser.StartElementHandler = None

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except pyexpat.ExpatError as exc:
        if exc.code not in (
            pyexpat.errors.codes[pyexpat.errors.XML_ERROR_UNKNOWN_ENCODING],
            pyexpat.errors.codes[pyexpat.errors.XML_ERROR_INCORRECT_ENCODING],
        ):
            return False, names[0] if names else "", str(exc)
        return _well_formed_lxml(data)
    except Exception as exc:  # pragma: no cover - expat raising anything else
        return False, names[0] if names else "", str(exc)
    return True, names[0] if names else "", ""


_SAFE_LXML = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
)


def _well_formed_lxml(data: bytes) -> tuple[bool, str, str]:
    try:
        root = etree.fromstring(data, _SAFE_LXML)
    except Exception as exc:
        return False, "", str(exc)
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag.startswith("{"):
        local = tag.rpartition("}")[2]
        tag = "rdf:RDF" if local == "RDF" else local
    return True, tag, ""


def _kind_of_root(name: str) -> str | None:
    local = name.rpartition(":")[2].lower()
    if local in ("rss", "channel"):
        return "rss"
    if local == "feed":
        return "atom"
    if local == "rdf":
        return "rdf"
    return None


def _one_line(message: str, limit: int = 160) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"


# ---------------------------------------------------------------- fastfeedparser


def _ffp_unusable(result: Any, data: bytes) -> bool:
    feed = result.get("feed") or {}
    entries = result.get("entries") or []
    if not feed.get("title") and not feed.get("link"):
        return True
    if not entries:
        return b"<item" in data or b"<entry" in data or b":item" in data or b":entry" in data
    return not any(e.get("title") or e.get("link") or e.get("id") for e in entries)


def _atom_details(data: bytes, count: int) -> list[tuple[list[Any], list[Any]]] | None:
    """Per entry: every author (name, email, uri) and enclosure link (href, type, length)."""
    try:
        root = etree.fromstring(data, _SAFE_LXML)
    except Exception:
        return None
    if not isinstance(root.tag, str) or "}" not in root.tag:
        return None
    ns = root.tag.partition("}")[0] + "}"
    details: list[tuple[list[Any], list[Any]]] = []
    for entry in root.iter(ns + "entry"):
        authors = [
            (a.findtext(ns + "name") or "", a.findtext(ns + "email") or "",
             a.findtext(ns + "uri") or a.findtext(ns + "url") or "")
            for a in entry.findall(ns + "author")
        ]  # fmt: skip
        enclosures = [
            (link.get("href"), link.get("type"), link.get("length"))
            for link in entry.findall(ns + "link")
            if link.get("rel") == "enclosure"
        ]
        details.append((authors, enclosures))
    return details if len(details) == count else None


def _needs_atom_details(data: bytes, entries: int) -> bool:
    if b"email>" in data or b"uri>" in data or b"enclosure" in data:
        return True
    return data.count(b"author>") > 2 * (entries + 1)


def _summary_policy(data: bytes, kind: str, entries: int) -> str:
    """Whether the entries' descriptions are the document's: "all", "none" or "check".

    fastfeedparser makes a description up from the body (tags stripped by a
    regex, scripts' text included) when an entry has none. Counting summary
    elements settles most documents; a mixed one is checked entry by entry.
    """
    tag = b"summary" if kind == "atom" else b"description"
    found = data.count(b"<" + tag) + data.count(b":" + tag + b">")
    if found == 0:
        return "none"
    return "all" if found >= entries + (kind != "atom") else "check"


def _real_summary(entry: Any, policy: str) -> str:
    description = entry.get("description") or ""
    if policy == "all" or not description:
        return description
    if policy == "none":
        return ""
    contents = entry.get("content")
    if not contents:
        return description
    try:  # what fastfeedparser would have made up from this body
        probe: dict[str, Any] = {"content": contents}
        _ffp_main._synthesize_entry_description(probe)
    except Exception:
        return description
    return "" if probe.get("description") == description else description


def _content_type(value: Any) -> str:
    if isinstance(value, str) and value.lower() in ("text", "text/plain"):
        return "text"
    return "html"


def _from_ffp(result: Any, data: bytes, kind: str) -> RawFeed:
    feed_info = result.get("feed") or {}
    title_detail = feed_info.get("title_detail") or {}
    raw = RawFeed(
        kind=kind,
        title=feed_info.get("title") or "",
        site_url=feed_info.get("link") or "",
        description=feed_info.get("subtitle") or "",
        base=title_detail.get("base") or "",
        inherit_authors=kind == "atom",
    )
    if kind == "atom" and feed_info.get("author"):
        raw.authors = [(feed_info.get("author"), "", "")]
    entries = result.get("entries") or []
    summaries = _summary_policy(data, kind, len(entries))
    details = None
    if kind == "atom" and entries and _needs_atom_details(data, len(entries)):
        details = _atom_details(data, len(entries))
    for index, e in enumerate(entries):
        contents = e.get("content") or []
        first = contents[0] if contents and isinstance(contents[0], dict) else {}
        author = e.get("author") or ""
        authors: list[Any] = []
        if author:
            authors = [author_from_string(author) if kind != "atom" else (author, "", "")]
        enclosures = [
            (enc.get("url"), enc.get("type"), enc.get("length"))
            for enc in e.get("enclosures") or ()
            if isinstance(enc, dict)
        ]
        enclosures.extend(
            (link.get("href"), link.get("type"), link.get("length"))
            for link in e.get("links") or ()
            if isinstance(link, dict) and link.get("rel") == "enclosure"
        )
        if details is not None:
            extra_authors, extra_enclosures = details[index]
            if extra_authors:
                authors = extra_authors
            if extra_enclosures:
                enclosures = extra_enclosures + enclosures
        raw.entries.append(
            RawEntry(
                id=e.get("id") or "",
                title=e.get("title") or "",
                link=e.get("link") or "",
                base=first.get("base") or "",
                authors=authors,
                published=e.get("published"),
                updated=e.get("updated"),
                summary=_real_summary(e, summaries),
                content=first.get("value") or "",
                content_type=_content_type(first.get("type")),
                enclosures=enclosures,
                categories=[
                    t.get("label") or t.get("term")
                    for t in e.get("tags") or ()
                    if isinstance(t, dict)
                ],
            )
        )
    return raw


# ---------------------------------------------------------------- feedparser


def _fp_kind(version: str, fallback: str) -> str:
    if version in ("rss090", "rss10"):
        return "rdf"
    if version.startswith("rss"):
        return "rss"
    if version.startswith("atom"):
        return "atom"
    return fallback


def _from_feedparser(result: Any, kind: str) -> RawFeed:
    f = result.get("feed") or {}
    raw = RawFeed(
        kind=kind,
        title=f.get("title") or "",
        site_url=f.get("link") or "",
        description=f.get("subtitle") or "",
        inherit_authors=kind == "atom",
        authors=[
            (a.get("name"), a.get("email"), a.get("href"))
            for a in f.get("authors") or ()
            if isinstance(a, dict)
        ],
    )
    for e in result.get("entries") or ():
        contents = [c for c in e.get("content") or () if isinstance(c, dict)]
        content = next((c for c in contents if "html" in (c.get("type") or "")), None)
        content = content or (contents[0] if contents else {})
        summary_detail = e.get("summary_detail") or {}
        raw.entries.append(
            RawEntry(
                id=e.get("id") or "",
                title=e.get("title") or "",
                link=e.get("link") or "",
                base=content.get("base") or summary_detail.get("base") or "",
                authors=[
                    (a.get("name"), a.get("email"), a.get("href"))
                    for a in e.get("authors") or ()
                    if isinstance(a, dict)
                ],
                published=e.get("published") or e.get("published_parsed"),
                updated=e.get("updated") or e.get("updated_parsed"),
                summary=e.get("summary") or "",
                summary_type=_content_type(summary_detail.get("type")),
                content=content.get("value") or "",
                content_type=_content_type(content.get("type")),
                enclosures=[
                    (enc.get("href"), enc.get("type"), enc.get("length"))
                    for enc in e.get("enclosures") or ()
                    if isinstance(enc, dict)
                ],
                categories=[
                    t.get("label") or t.get("term")
                    for t in e.get("tags") or ()
                    if isinstance(t, dict)
                ],
            )
        )
    return raw


def _feedparser(data: bytes, url: str, content_type: str | None, root_kind: str | None,
                reason: str) -> RawFeed:  # fmt: skip
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        result = feedparser.parse(
            data, response_headers=headers, sanitize_html=False, resolve_relative_uris=True
        )
    except Exception as exc:
        raise FeedParseError(
            f"unreadable XML: {_one_line(str(exc) or type(exc).__name__)}"
        ) from exc
    version = result.get("version") or ""
    f = result.get("feed") or {}
    entries = result.get("entries") or []
    if not entries and not f.get("title") and not f.get("link"):
        detail = reason or str(result.get("bozo_exception") or "nothing readable")
        raise FeedParseError(f"no RSS, RDF or Atom feed: {_one_line(detail)}")
    return _from_feedparser(result, _fp_kind(version, root_kind or "rss"))


def parse_xml(data: bytes, url: str, content_type: str | None = None) -> RawFeed:
    """An RSS/RDF/Atom document as a :class:`RawFeed`; FeedParseError if it is none."""
    data = prepare_xml(data)
    if not data or data.isspace():  # data.strip() would copy it
        raise FeedParseError("empty document")
    ok, root_name, error = _well_formed(data)
    if not ok:
        if looks_like_html(data, content_type):
            raise FeedParseError("an HTML page, not a feed")
        root_kind = _kind_of_root(root_name) if root_name else None
        return _feedparser(data, url, content_type, root_kind, f"malformed XML ({error})")
    kind = _kind_of_root(root_name)
    if kind is None:
        if root_name.rpartition(":")[2].lower() == "html":
            raise FeedParseError("an HTML page, not a feed")
        name = _one_line(root_name, 40)
        raise FeedParseError(f"an XML document with root element <{name}>, not a feed")
    if kind == "rdf" and b"encoded>" in data:
        # fastfeedparser does not read content:encoded in RSS 1.0
        return _feedparser(data, url, content_type, kind, "")
    try:
        result = fastfeedparser.parse(data, include_media=False)
    except Exception:
        result = None
    if result is None or _ffp_unusable(result, data):
        return _feedparser(data, url, content_type, kind, "")
    return _from_ffp(result, data, kind)
