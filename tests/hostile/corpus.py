"""The hostile feed corpus: small files beside this module, big cases generated in code.

Each :class:`Case` is one document as a server would send it (bytes and Content-Type)
and what storyreader must make of it: a feed (``expect="feed"``, with at least
``min_entries`` entries and the visible text ``keep`` surviving) or a clean
:class:`~tui_reader.core.errors.FeedParseError` (``expect="error"``). For every case,
whatever is stored and shown must be free of terminal control characters and of the
``MARKERS`` planted inside active content (scripts, event handlers, ``javascript:``
URLs, external entities).

Files whose text contains ``PROBE_URL`` get a loopback URL in its place: a parser that
fetched an external entity, DTD, stylesheet or XInclude would show up in that server's
request log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

HERE = Path(__file__).parent
PROBE = "PROBE_URL"

#: Strings planted only inside content that must be removed whole (scripts, event
#: handlers, javascript:/data: URLs) or never loaded (/etc/passwd, external entities).
MARKERS = ("XSSMARK", "root:x:0:0", "pwned-by-xxe")

#: Terminal attacks, each tried in every text field.
ESCAPES: dict[str, str] = {
    "osc0-title": "\x1b]0;pwned\x07",
    "osc2-title-st": "\x1b]2;pwned\x1b\\",
    "osc52-clipboard": "\x1b]52;c;cHduZWQ=\x07",
    "osc8-hyperlink": "\x1b]8;;http://evil.test/\x1b\\click\x1b]8;;\x1b\\",
    "csi-clear": "\x1b[2J\x1b[H",
    "sgr-blink": "\x1b[5;31m",
    "dcs": "\x1bP+q544e\x1b\\",
    "c1-csi": "\x9b2J",
    "c1-osc": "\x9d0;pwned\x9c",
    "bel-bs-cr": "\x07\x08\x08\roverwrite",
    "nul-del": "\x00\x7f",
    "vt-ff": "\x0b\x0c",
}
ALL_ESCAPES = "".join(ESCAPES.values())

# What may never be stored or shown: C0 controls but TAB and LF, DEL, C1 controls, and the
# bidi embedding/override/isolate controls.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def unsafe_chars(text: str, *, one_line: bool = False) -> set[str]:
    """The characters of ``text`` that must never reach a terminal (TAB/LF allowed
    unless ``one_line``)."""
    pattern = _UNSAFE_LINE if one_line else _UNSAFE
    return set(pattern.findall(text))


@dataclass(frozen=True)
class Case:
    """One hostile document and what must come of it."""

    name: str
    make: Callable[[], bytes] = field(repr=False)
    content_type: str | None = "application/rss+xml"
    expect: Literal["feed", "error"] = "feed"
    min_entries: int = 0
    keep: tuple[str, ...] = ()  # text that must survive in the stored feed/articles
    deadline: float = 10.0  # seconds for parse (and again for add + store)
    big: bool = False  # generated, costly: run by its own test, not the per-case loop
    # Malformed markup may come out as its own source text: harmless text then, so the
    # markers may show; the structural checks (no active element or URL) still apply.
    markers_as_text: bool = False

    def data(self, probe_url: str = "http://127.0.0.1:9/probe") -> bytes:
        return self.make().replace(PROBE.encode(), probe_url.encode())


def _file(name: str) -> Callable[[], bytes]:
    return lambda: (HERE / name).read_bytes()


# --------------------------------------------------------------------------- templates


def _rss(title: str, items: list[dict[str, str]], *, encoding: str = "utf-8",
         declare: str | None = "utf-8", channel_extra: str = "") -> bytes:  # fmt: skip
    """An RSS 2.0 document; item values are inserted as they are (already escaped), the
    value of an item's ``raw`` key verbatim."""
    decl = f'<?xml version="1.0" encoding="{declare}"?>\n' if declare else ""
    body = "".join(
        "<item>"
        + "".join(v if k == "raw" else f"<{k}>{v}</{k.split()[0]}>" for k, v in item.items())
        + "</item>\n"
        for item in items
    )
    text = (
        f'{decl}<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>\n<title>{title}</title>\n'
        f"<link>http://hostile.test/</link>{channel_extra}\n{body}</channel></rss>\n"
    )
    return text.encode(encoding)


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _char_refs(text: str) -> str:
    """Control characters as numeric character references (invalid XML 1.0, common)."""
    return "".join(f"&#{ord(c)};" if ord(c) < 32 or 0x7F <= ord(c) < 0xA0 else c for c in text)


def _terminal_rss(mode: str) -> bytes:
    """Every escape in every RSS field: raw bytes ("raw") or character refs ("refs")."""

    def v(label: str) -> str:
        text = f"{label}{ALL_ESCAPES}end"
        return _char_refs(_xml_escape(text)) if mode == "refs" else _xml_escape(text)

    items = [
        {
            "title": v("title"),
            "link": "http://hostile.test/" + v("path"),
            'guid isPermaLink="false"': v("guid"),
            "author": v("author") + "@hostile.test",
            "dc:creator": v("creator"),
            "category": v("category"),
            "pubDate": v("Mon, 01 Jan 2024 00:00:00 GMT"),
            "description": _xml_escape(f"<p>{v('summary')}</p>"),
            "content:encoded": _xml_escape(
                f'<p title="{v("attr")}">{v("body")} <a href="http://hostile.test/{v("href")}">'
                f'{v("link text")}</a> <img src="http://hostile.test/i.png" alt="{v("alt")}"></p>'
                f"<pre>{v('pre')}</pre><code>{v('code')}</code>"
            ),
            "raw": f'<enclosure url="http://hostile.test/a.mp3" type="audio/{v("type")}" '
            'length="1"/>',
        }
    ]
    return _rss(v("feed title"), items, channel_extra=f"<description>{v('desc')}</description>")


def _terminal_atom() -> bytes:
    """Raw escapes in Atom text, HTML and XHTML constructs and attributes."""
    e = _xml_escape(ALL_ESCAPES)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">feed{e}</title>
  <subtitle type="html">{_xml_escape("<b>sub</b>")}{e}</subtitle>
  <id>urn:hostile:{e}</id>
  <link href="http://hostile.test/{e}"/>
  <author><name>name{e}</name><email>a{e}@hostile.test</email><uri>http://hostile.test/{e}</uri></author>
  <updated>2024-01-01T00:00:00Z</updated>
  <entry>
    <id>urn:hostile:1{e}</id>
    <title type="html">{_xml_escape("<i>html</i>")}{e}</title>
    <link rel="alternate" href="http://hostile.test/1{e}"/>
    <link rel="enclosure" href="http://hostile.test/a.mp3" type="audio/{e}" length="1"/>
    <category term="term{e}" label="label{e}"/>
    <updated>2024-01-01T00:00:00Z</updated>
    <summary type="text">summary{e}</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p title="t{e}">xhtml{e}</p>
      <a href="http://hostile.test/{e}">link{e}</a></div></content>
  </entry>
  <entry>
    <id>urn:hostile:2</id>
    <title type="text">text{e}</title>
    <content type="html">{_xml_escape("<p>html body" + ALL_ESCAPES + "</p>")}</content>
  </entry>
</feed>
""".encode()


def _terminal_json() -> bytes:
    """JSON Feed: "\\u001b" is valid JSON, so every escape arrives intact in every field."""

    def v(label: str) -> str:
        return f"{label}{ALL_ESCAPES}end"

    item = {
        "id": v("id"),
        "url": "http://hostile.test/" + v("url"),
        "external_url": "http://hostile.test/" + v("ext"),
        "title": v("title"),
        "summary": v("summary"),
        "content_html": f'<p title="{v("attr")}">{v("html")}</p><pre>{v("pre")}</pre>',
        "date_published": v("2024-01-01T00:00:00Z"),
        "authors": [{"name": v("author"), "url": "http://hostile.test/" + v("author-url")}],
        "tags": [v("tag"), v("tag2")],
        "attachments": [{"url": "http://hostile.test/a.mp3", "mime_type": v("audio/mpeg")}],
    }
    text_item = {"id": "plain", "title": v("plain"), "content_text": v("text") + "\n\n" + v("p2")}
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": v("feed"),
        "home_page_url": "http://hostile.test/" + v("home"),
        "description": v("description"),
        "authors": [{"name": v("feed author")}],
        "items": [item, text_item],
    }
    return json.dumps(doc).encode()


def _terminal_latin1() -> bytes:
    """ISO-8859-1 declared and sent: bytes 0x80-0x9F are C1 controls there."""
    c1 = "\x9b2J\x9d0;pwned\x9c\x90dcs\x9c\x85\x84"
    items = [{"title": f"caf\xe9 {c1} title", "link": "http://hostile.test/latin1",
              "description": f"d\xe9j\xe0 {c1} vu"}]  # fmt: skip
    return _rss(f"Latin-1 {c1} feed", items, encoding="latin-1", declare="iso-8859-1")


# --------------------------------------------------------------------------- encodings

_ENCODING_ITEMS = [
    {"title": "Caf\u00e9 \u201cquoted\u201d \u2013 na\u00efve", "link": "http://enc.test/1",
     "description": "\u00c9t\u00e9 \u00e0 la plage \u2014 \u20ac5"},
]  # fmt: skip


def _cp1252_in_utf8() -> bytes:
    """Declared UTF-8, body Windows-1252 (smart quotes 0x93/0x94, en dash 0x96, euro 0x80)."""
    return _rss("Caf\u00e9 \u201cWindows\u201d \u2013 1252", _ENCODING_ITEMS,
                encoding="cp1252", declare="utf-8")  # fmt: skip


def _mixed_utf8_cp1252() -> bytes:
    """Mostly UTF-8 with a few Windows-1252 bytes spliced in (the usual CMS accident)."""
    good = _rss("Mixed \u00e9ncodings", _ENCODING_ITEMS)
    return good.replace("na\u00efve".encode(), b"na\xefve \x93oops\x94 \x80")


def _utf8_declared_latin1() -> bytes:
    return _rss("UTF-8 sent, \u00e9 declared Latin-1 \u2603", _ENCODING_ITEMS, declare="iso-8859-1")


def _utf16(codec: str, bom: bool) -> Callable[[], bytes]:
    def make() -> bytes:
        title = "UTF-16 \u00e9t\u00e9 \u2603"
        data = _rss(title, _ENCODING_ITEMS, encoding=codec, declare="utf-16")
        if bom:
            data = "\ufeff".encode(codec) + data
        return data

    return make


def _undeclared_latin1() -> bytes:
    items = [{"title": "caf\u00e9 cr\u00e8me", "link": "http://enc.test/l1"}]
    return _rss("No declaration, Latin-1 bytes \u00e9", items, encoding="latin-1", declare=None)


def _invalid_utf8() -> bytes:
    good = _rss("Invalid UTF-8 sequences", _ENCODING_ITEMS)
    # A lone continuation byte, an overlong slash, a truncated 3-byte sequence, 0xFF, a
    # surrogate encoded in UTF-8 (CESU) and a code point past U+10FFFF.
    bad = b"\x80 \xc0\xaf \xe2\x82 \xff \xed\xa0\x80 \xf4\x90\x80\x80"
    return good.replace(b"plage", b"plage " + bad)


def _shift_jis() -> bytes:
    return _rss("\u65e5\u672c\u8a9e\u306e\u30d5\u30a3\u30fc\u30c9",
                [{"title": "\u30cb\u30e5\u30fc\u30b9", "link": "http://enc.test/sjis"}],
                encoding="shift_jis", declare="Shift_JIS")  # fmt: skip


def _bom_then_other_declaration() -> bytes:
    """A UTF-8 byte order mark on a document declaring UTF-16."""
    return b"\xef\xbb\xbf" + _rss("BOM says UTF-8 \u00e9", _ENCODING_ITEMS, declare="utf-16")


# --------------------------------------------------------------------------- active content


def _active_rss() -> bytes:
    body = (HERE / "active_content.html").read_text()
    summary = _xml_escape("<p>summary <script>XSSMARK()</script>keep-s</p>")
    items = [{"title": "Active content (RSS)", "link": "http://active.test/rss",
              "content:encoded": _xml_escape(body), "description": summary}]  # fmt: skip
    return _rss(_xml_escape("Active <script>TEXTMARK()</script>"), items)


def _active_atom() -> bytes:
    body = (HERE / "active_content.html").read_text()
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">{_xml_escape("Active <img src=x onerror=XSSMARK()>")}</title>
  <id>urn:active</id><link href="http://active.test/"/><updated>2024-01-01T00:00:00Z</updated>
  <entry><id>urn:active:html</id><title>Active content (Atom html)</title>
    <link href="http://active.test/atom-html"/><updated>2024-01-01T00:00:00Z</updated>
    <content type="html">{_xml_escape(body)}</content></entry>
  <entry><id>urn:active:xhtml</id><title>Active content (Atom xhtml)</title>
    <link href="javascript:XSSMARK()"/><updated>2024-01-01T00:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
      <p>keep-x1 <script>XSSMARK()</script></p>
      <p onclick="XSSMARK()">keep-x2 <a href="javascript:XSSMARK()">keep-x3</a></p>
      <iframe src="http://evil.test/XSSMARK"/><style>p{{XSSMARK:1}}</style>
      <p>keep-x4</p></div></content></entry>
</feed>
""".encode()


def _active_json() -> bytes:
    body = (HERE / "active_content.html").read_text()
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Active <script>TEXTMARK()</script> content",
        "home_page_url": "javascript:XSSMARK()",
        "items": [
            {"id": "html", "title": "Active content (JSON Feed)", "url": "http://active.test/json",
             "content_html": body, "summary": "<b>plain</b> TEXTMARK summary"},
            {"id": "text", "title": "<script>TEXTMARK()</script> as text",
             "content_text": "<script>TEXTMARK()</script> is just text here"},
        ],
    }  # fmt: skip
    return json.dumps(doc).encode()


# --------------------------------------------------------------------------- big and deep


def _huge_title(size: int = 1 << 20) -> bytes:
    big = "T" * (size // 2) + " " + "\u00e9" * (size // 4)
    items = [{"title": big, "link": "http://big.test/1", "author": "a" * size,
              "category": "c" * size, "description": big}]  # fmt: skip
    return _rss(big, items)


def _many_items(count: int = 50_000) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        "<title>Fifty thousand</title><link>http://many.test/</link>\n"
    ]
    parts.extend(
        f"<item><title>Item {i}</title><link>http://many.test/{i}</link>"
        f"<pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>"
        f"<description>Body {i}\x1b]0;pwned\x07</description></item>\n"
        for i in range(count)
    )
    parts.append("</channel></rss>\n")
    return "".join(parts).encode()


def _deep_html(depth: int = 100_000) -> bytes:
    bodies = {
        "divs": "<div>" * depth + "deep-divs" + "</div>" * depth,
        "inline": "<b><i>" * (depth // 2) + "deep-inline" + "</i></b>" * (depth // 2),
        "lists": "<ul><li>" * (depth // 10) + "deep-lists" + "</li></ul>" * (depth // 10),
        "tables": "<table><tr><td>" * (depth // 50)
        + "deep-tables"
        + "</td></tr></table>" * (depth // 50),
        "quotes": "<blockquote>" * (depth // 10) + "deep-quotes" + "</blockquote>" * (depth // 10),
        "unclosed": "<div><span><p>" * (depth // 3) + "deep-unclosed",
    }
    items = [
        {"title": f"Deep {name}", "link": f"http://deep.test/{name}",
         "content:encoded": f"<![CDATA[{body}]]>"}
        for name, body in bodies.items()
    ]  # fmt: skip
    return _rss("Deeply nested HTML", items)


def _deep_json(depth: int = 100_000) -> bytes:
    return b"[" * depth + b"]" * depth


def _deep_json_in_feed(depth: int = 100_000) -> bytes:
    nested = "[" * depth + "]" * depth
    return (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "deep", "items": '
        '[{"id": "1", "title": "deep field", "content_html": ' + nested + "}]}"
    ).encode()


def _deep_json_objects(depth: int = 100_000) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def _deep_xml(depth: int = 100_000) -> bytes:
    return (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>deep xml</title>'
        b"<link>http://deep.test/</link><item><title>x</title><description>"
        + b"<a>" * depth
        + b"</a>" * depth
        + b"</description></item></channel></rss>"
    )


def _quadratic_blowup(size: int = 65_536, refs: int = 20_000) -> bytes:
    """One big entity referenced many times: ~1.3 GB if anything expanded it."""
    refs_text = "&big;" * refs
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY big "{"B" * size}">]>\n'
        f'<rss version="2.0"><channel><title>Quadratic</title><link>http://q.test/</link>'
        f"<item><title>q</title><link>http://q.test/1</link><description>{refs_text}"
        f"</description></item></channel></rss>"
    ).encode()


def _jsonfeed_field_variants() -> list[Case]:
    """Every top-level and item field of a JSON Feed with each wrong type."""
    wrong: list[object] = [None, True, 0, -1.5, 1e308, "", "text", [], ["x", 1], {}, {"a": []}]
    top_fields = ["version", "title", "home_page_url", "feed_url", "description", "authors",
                  "author", "items", "language", "icon"]  # fmt: skip
    item_fields = ["id", "url", "external_url", "title", "content_html", "content_text",
                   "summary", "image", "date_published", "date_modified", "authors", "author",
                   "tags", "attachments", "language"]  # fmt: skip
    base_item = {"id": "1", "url": "http://types.test/1", "title": "ok", "content_text": "ok"}
    cases: list[Case] = []
    for index, value in enumerate(wrong):
        for name in top_fields:
            doc: dict[str, object] = {"version": "https://jsonfeed.org/version/1.1",
                                      "title": "t", "items": [dict(base_item)]}  # fmt: skip
            doc[name] = value
            data = json.dumps(doc).encode()
            # Without its version URL (and no feed/home URL) it is no JSON Feed at all.
            expect: Literal["feed", "error"] = "error" if name == "version" else "feed"
            cases.append(Case(f"jsonfeed-top-{name}-{index}", lambda d=data: d,
                              content_type="application/feed+json", expect=expect))  # fmt: skip
        item = dict(base_item)
        for name in item_fields:
            item[name] = value
        doc = {"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [item]}
        data = json.dumps(doc).encode()
        cases.append(Case(f"jsonfeed-items-{index}", lambda d=data: d,
                          content_type="application/feed+json"))  # fmt: skip
    return cases


# --------------------------------------------------------------------------- the corpus


def corpus() -> list[Case]:
    """Every case; ``big`` ones are exercised by dedicated tests."""
    feed_json = "application/feed+json"
    cases = [
        Case(
            "malformed",
            _file("malformed.xml"),
            min_entries=1,
            keep=("Malformed",),
            markers_as_text=True,
        ),
        Case("entities", _file("entities.xml"), min_entries=2, keep=("Entités", "café", "pair 😀")),
        Case("cdata", _file("cdata.xml"), min_entries=2, keep=("CDATA feed title", "keep-cdata")),
        Case(
            "bidi-zero-width",
            _file("bidi_zero_width.xml"),
            min_entries=1,
            keep=("txt.exe", "עברית", "zero\u200bwidth"),
        ),
        Case("billion-laughs", _file("billion_laughs.xml"), min_entries=1, keep=("Laughing",)),
        Case("xxe-entity", _file("xxe_entity.xml"), min_entries=1, keep=("Leak",)),
        Case(
            "xxe-dtd-xinclude",
            _file("xxe_dtd.xml"),
            content_type="application/atom+xml",
            min_entries=1,
            keep=("XInclude",),
        ),
        Case("xxe-late-doctype", _file("xxe_late_doctype.xml"), min_entries=1),
        Case(
            "jsonfeed-wrong-types",
            _file("jsonfeed_wrong_types.json"),
            content_type=feed_json,
            min_entries=5,
            keep=("list id and url", "an emoji cut in half"),
        ),
        Case(
            "terminal-rss-raw",
            lambda: _terminal_rss("raw"),
            min_entries=1,
            keep=("feed title", "overwrite"),
        ),
        Case("terminal-rss-refs", lambda: _terminal_rss("refs"), min_entries=1),
        Case("terminal-atom", _terminal_atom, content_type="application/atom+xml", min_entries=2),
        Case(
            "terminal-jsonfeed",
            _terminal_json,
            content_type=feed_json,
            min_entries=2,
            keep=("feed", "pwned"),
        ),
        Case("terminal-latin1-c1", _terminal_latin1, min_entries=1, keep=("café", "déjà")),
        Case("active-rss", _active_rss, min_entries=1, keep=("keep-1", "keep-17", "keep-26")),
        Case(
            "active-atom",
            _active_atom,
            content_type="application/atom+xml",
            min_entries=2,
            keep=("keep-5", "keep-x2", "keep-x3"),
        ),
        Case(
            "active-jsonfeed",
            _active_json,
            content_type=feed_json,
            min_entries=2,
            keep=("keep-16", "<script>TEXTMARK()</script> is just text here"),
        ),
        Case("cp1252-in-utf8", _cp1252_in_utf8, min_entries=1, keep=("Caf",)),
        Case("mixed-utf8-cp1252", _mixed_utf8_cp1252, min_entries=1),
        Case("utf8-declared-latin1", _utf8_declared_latin1, min_entries=1),
        Case("utf16-le-bom", _utf16("utf-16-le", True), min_entries=1, keep=("UTF-16 été",)),
        Case("utf16-be-bom", _utf16("utf-16-be", True), min_entries=1, keep=("UTF-16 été",)),
        Case("utf16-le-no-bom", _utf16("utf-16-le", False), min_entries=1),
        Case("latin1-undeclared", _undeclared_latin1, min_entries=1),
        Case(
            "header-charset-conflict",
            _cp1252_in_utf8,
            content_type="text/xml; charset=utf-16",
            min_entries=1,
        ),
        Case("invalid-utf8", _invalid_utf8, min_entries=1),
        Case("shift-jis", _shift_jis, min_entries=1, keep=("日本語",)),
        Case("bom-vs-declaration", _bom_then_other_declaration, min_entries=1),
        Case("deep-json", _deep_json, content_type=feed_json, expect="error"),
        Case("deep-json-objects", _deep_json_objects, content_type=feed_json, expect="error"),
        Case("deep-json-in-feed", _deep_json_in_feed, content_type=feed_json, expect="error"),
        Case("deep-xml", _deep_xml, min_entries=0),
        Case("quadratic-blowup", _quadratic_blowup, min_entries=1),
        Case(
            "html-page",
            _file("page_without_feed_link.html"),
            content_type="text/html",
            expect="error",
        ),
        Case("empty", lambda: b"", expect="error"),
        Case("only-bom-and-space", lambda: b"\xef\xbb\xbf \r\n\t", expect="error"),
        Case("nul-bytes", lambda: b"\x00" * 4096, expect="error"),
        Case("binary-garbage", lambda: bytes(range(256)) * 64, expect="error"),
        Case("truncated-rss", lambda: _rss("cut", _ENCODING_ITEMS)[:150], expect="error"),
        Case("huge-title", _huge_title, min_entries=1, big=True, deadline=20),
        Case(
            "deep-html",
            _deep_html,
            min_entries=6,
            big=True,
            deadline=20,
            keep=("deep-divs", "deep-inline", "deep-lists", "deep-tables", "deep-quotes"),
        ),
        Case("fifty-thousand-items", _many_items, min_entries=50_000, big=True, deadline=60),
    ]
    return cases + _jsonfeed_field_variants()


def small_cases() -> list[Case]:
    return [case for case in corpus() if not case.big]


def case(name: str) -> Case:
    return next(c for c in corpus() if c.name == name)
