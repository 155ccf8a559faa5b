"""Property-based tests (hypothesis) for the code every hostile byte goes through.

- ``clean_text`` / ``clean_line``: any string in, text out without control characters
  (TAB and LF aside in ``clean_text``), bidi overrides or surrogates; idempotent; text
  without any of those comes back unchanged.
- ``sanitize_html``: any markup in, HTML out with no active content (script, style,
  frames, objects, forms, ``on*`` and ``style`` attributes) and only http(s)/mailto URLs.
- ``parse_date``: any value in, None or an aware UTC datetime out, never an exception;
  RFC 822 and ISO 8601 renderings of a datetime parse back to it.
- ``parse_feed`` on JSON Feeds with every field of any JSON type, on RSS with any text in
  its fields, and on arbitrary bytes: a clean ``ParsedFeed`` or ``FeedParseError``.

Example counts are moderate to keep the suite fast; the examples are random on each run.
"""

from __future__ import annotations

import email.utils
import json
import string
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.corpus import ESCAPES, unsafe_chars
from tests.hostile.harness import active_html_problems
from tui_reader.core.dates import parse_date
from tui_reader.core.errors import FeedParseError
from tui_reader.core.models import ParsedFeed
from tui_reader.core.sanitize import clean_line, clean_text, sanitize_html
from tui_reader.core.sources import parse_feed

# feedparser warns about its own updated/published fallback on every such entry.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:feedparser")

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters clean_text removes or rewrites, to mix into otherwise ordinary text.
NASTY = (
    [chr(c) for c in range(0x20)] + [chr(c) for c in range(0x7F, 0xA0)]
    + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
    + ["\ufeff", "\u2028", "\u2029", "\ud800", "\udfff", "\r\n", *ESCAPES.values()]
)  # fmt: skip
nasty_text = st.lists(st.one_of(st.text(max_size=20), st.sampled_from(NASTY)), max_size=30).map(
    "".join
)
any_text = st.one_of(st.text(), st.text(st.characters(codec=None, exclude_categories=())),
                     nasty_text)  # fmt: skip
_BIDI_OR_SURROGATE = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def _no_controls(text: str, *, one_line: bool) -> None:
    assert not unsafe_chars(text, one_line=one_line), repr(text)
    assert "\r" not in text and "\ufeff" not in text
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text), repr(text)
    assert not _BIDI_OR_SURROGATE & set(text)


# --------------------------------------------------------------------------- sanitize


@FAST
@given(any_text)
def test_clean_text_leaves_no_control_characters(text: str) -> None:
    cleaned = clean_text(text)
    assert isinstance(cleaned, str)
    _no_controls(cleaned, one_line=False)
    assert clean_text(cleaned) == cleaned


@FAST
@given(st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))))
def test_clean_text_keeps_ordinary_text(text: str) -> None:
    text = "".join(c for c in text if c not in _BIDI_OR_SURROGATE and c != "\ufeff")
    assert clean_text(text) == text


@FAST
@given(any_text)
def test_clean_line_is_one_tidy_line(text: str) -> None:
    line = clean_line(text)
    _no_controls(line, one_line=True)
    assert line == line.strip() and "  " not in line
    assert clean_line(line) == line


# HTML built from the pieces attacks are made of.
_SCHEMES = [
    "javascript:", "JaVaScRiPt:", " javascript:", "jav&#x09;ascript:", "jav\tascript:",
    "&#106;avascript:", "java\x00script:", "data:text/html,", "data:image/png;base64,",
    "vbscript:", "file:///", "//evil.test/", "http://ok.test/", "https://ok.test/",
    "mailto:a@ok.test", "relative/", "#frag", "", "\x1b]52;c;",
]  # fmt: skip
_TAGS = [
    "script", "style", "iframe", "object", "embed", "form", "input", "button", "textarea",
    "svg", "math", "noscript", "template", "link", "meta", "base", "video", "img", "a", "p",
    "div", "span", "b", "table", "td", "pre", "code", "blockquote", "ul", "li", "select",
    "frameset", "frame", "applet", "xmp", "plaintext", "title", "noembed", "scr<script>ipt",
]  # fmt: skip
_ATTRS = ["href", "src", "onclick", "onerror", "onload", "style", "srcset", "action",
          "formaction", "xlink:href", "data", "title", "alt", "background", "ping"]  # fmt: skip
_value = st.builds(lambda s, t: s + t, st.sampled_from(_SCHEMES), st.text(max_size=8))
_attr = st.builds(
    lambda name, value, quote: f" {name}={quote}{value}{quote}",
    st.sampled_from(_ATTRS), _value, st.sampled_from(['"', "'", ""]),
)  # fmt: skip
_open = st.builds(
    lambda tag, attrs, close: f"<{tag}{''.join(attrs)}{close}",
    st.sampled_from(_TAGS), st.lists(_attr, max_size=3), st.sampled_from([">", "/>", ""]),
)  # fmt: skip
_piece = st.one_of(
    _open,
    st.sampled_from(_TAGS).map(lambda t: f"</{t}>"),
    st.text(max_size=15),
    st.sampled_from(NASTY),
    st.sampled_from(["<!--", "-->", "<![CDATA[", "]]>", "&#27;", "&#x9b;", "&lt;script&gt;",
                     "&amp;", "&", "<", ">", "\"", "'", "=", "</", "<!doctype html>"]),
)  # fmt: skip
hostile_html = st.one_of(st.lists(_piece, max_size=25).map("".join), any_text)


def _urls(html: str) -> list[str]:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [v for el in root.iter() if isinstance(el.tag, str)
            for k, v in el.attrib.items() if k in ("href", "src")]  # fmt: skip


@FAST
@given(hostile_html, st.sampled_from(["", "http://base.test/dir/", "javascript:alert(1)//"]))
def test_sanitize_html_leaves_no_active_content(html: str, base: str) -> None:
    safe = sanitize_html(html, base)
    assert isinstance(safe, str)
    _no_controls(safe, one_line=False)
    assert active_html_problems(safe) == [], safe
    for url in _urls(safe):
        assert urlsplit(url).scheme in ("http", "https", "mailto"), (url, safe)


@FAST
@given(hostile_html)
def test_sanitize_html_is_stable(html: str) -> None:
    once = sanitize_html(html, "http://base.test/")
    assert active_html_problems(sanitize_html(once, "http://base.test/")) == []


# --------------------------------------------------------------------------- dates

_ZONES = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5)),
          timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-9, minutes=30)),
          timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))]  # fmt: skip
aware = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from(_ZONES),
)  # fmt: skip
_date_words = st.sampled_from(
    ["Mon", "Tue,", "Feb", "29", "2023", "24:00:00", "+0000", "GMT", "EST", "Z", "T", "-",
     ":", "99", "0000", "-0001", "1e400", "9" * 30, "\x1b[2J", "\ufeff", "年", "UT", "+99:99"]
)  # fmt: skip
date_like = st.lists(st.one_of(_date_words, st.text(max_size=4)), max_size=10).map(" ".join)
any_value = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(), date_like, st.binary(),
    st.dates(), st.datetimes(), aware, st.lists(st.integers(), max_size=9).map(tuple),
    st.lists(st.text(), max_size=3), st.dictionaries(st.text(), st.text(), max_size=2),
)  # fmt: skip


@FAST
@given(any_value)
def test_parse_date_gives_none_or_an_aware_utc_datetime(value: Any) -> None:
    parsed = parse_date(value)
    assert parsed is None or (isinstance(parsed, datetime) and parsed.utcoffset() == timedelta(0))


@FAST
@given(aware)
def test_parse_date_reads_rfc822_and_iso8601_back(when: datetime) -> None:
    expected = when.astimezone(UTC)
    assert parse_date(when.isoformat()) == expected
    assert parse_date(email.utils.format_datetime(when)) == expected.replace(microsecond=0)
    assert parse_date(when) == expected
    assert parse_date(when.date()) == datetime(when.year, when.month, when.day, tzinfo=UTC)


def test_parse_date_examples() -> None:
    assert parse_date(date(2024, 2, 29)) == datetime(2024, 2, 29, tzinfo=UTC)
    assert parse_date("Tue, 10 Jun 2003 04:00:00 GMT") == datetime(2003, 6, 10, 4, tzinfo=UTC)
    assert parse_date("2003-06-10T04:00:00+01:00") == datetime(2003, 6, 10, 3, tzinfo=UTC)
    assert parse_date("not a date") is None


# --------------------------------------------------------------------------- feeds

json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12,
)  # fmt: skip
_ITEM_KEYS = ["id", "url", "external_url", "title", "content_html", "content_text", "summary",
              "image", "date_published", "date_modified", "authors", "author", "tags",
              "attachments", "language"]  # fmt: skip
_FEED_KEYS = ["title", "home_page_url", "feed_url", "description", "authors", "author", "icon"]
field_value = st.one_of(json_value, hostile_html, st.sampled_from(_SCHEMES), aware.map(str))
item = st.dictionaries(st.sampled_from(_ITEM_KEYS), field_value, max_size=10)
json_feed = st.builds(
    lambda top, items: {**top, "version": "https://jsonfeed.org/version/1.1", "items": items},
    st.dictionaries(st.sampled_from(_FEED_KEYS), field_value, max_size=6),
    st.one_of(st.lists(st.one_of(item, json_value), max_size=5), json_value),
)  # fmt: skip


def _check_feed(feed: ParsedFeed) -> None:
    for text in (feed.title, feed.site_url, feed.description):
        _no_controls(text, one_line=True)
    for entry in feed.entries:
        for text in (entry.title, entry.link, entry.guid, *entry.categories,
                     *entry.related_links):  # fmt: skip
            _no_controls(text, one_line=True)
        for text in (entry.summary, entry.content_html, entry.text):
            _no_controls(text, one_line=False)
        assert active_html_problems(entry.content_html) == [], entry.content_html
        for url in (entry.link, *entry.related_links, *(e.url for e in entry.enclosures),
                    *(a.url for a in entry.authors)):  # fmt: skip
            assert not url or urlsplit(url).scheme in ("http", "https"), url
        assert entry.published is None or entry.published.utcoffset() == timedelta(0)


def _parse(data: bytes, content_type: str | None = None) -> ParsedFeed | None:
    """The feed, or None for a clean FeedParseError (one printable line)."""
    try:
        feed = parse_feed(data, "http://hostile.test/feed", content_type)
    except FeedParseError as exc:
        assert str(exc) and str(exc).isprintable(), repr(str(exc))
        return None
    _check_feed(feed)
    return feed


@SLOW
@given(json_feed)
def test_json_feed_with_any_field_types(document: dict[str, Any]) -> None:
    # ASCII JSON: lone surrogates arrive as \ud800 escapes, as a hostile feed sends them.
    _parse(json.dumps(document).encode(), "application/feed+json")


@SLOW
@given(st.one_of(json_value, st.lists(st.dictionaries(st.text(max_size=6), json_value))))
def test_any_json_document(document: Any) -> None:
    _parse(json.dumps(document).encode())


_RSS_FIELDS = ["title", "link", "description", "author", "category", "guid", "pubDate",
               "comments", "dc:creator", "content:encoded"]  # fmt: skip


@SLOW
@given(
    st.lists(st.dictionaries(st.sampled_from(_RSS_FIELDS), st.one_of(any_text, hostile_html,
             date_like), max_size=6), max_size=4),
    any_text,
    st.booleans(),
)  # fmt: skip
def test_rss_with_any_text_in_its_fields(
    items: list[dict[str, str]], title: str, escaped: bool
) -> None:
    def text(value: str) -> str:
        return xml_escape(value) if escaped else value

    body = "".join(
        "<item>" + "".join(f"<{k}>{text(v)}</{k}>" for k, v in fields.items()) + "</item>"
        for fields in items
    )
    document = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{text(title)}</title><link>http://h.test/</link>{body}</channel></rss>"
    )
    feed = _parse(document.encode("utf-8", "surrogatepass"))
    if escaped and items and feed is None:
        raise AssertionError("a well-formed RSS document was refused")


@SLOW
@given(st.one_of(st.binary(max_size=3000),
                 st.lists(st.sampled_from([b"<rss>", b"<channel>", b"<item>", b"<title>", b"x",
                                           b"</item>", b"<feed>", b"<entry>", b"{", b"[",
                                           b'"items":', b"\x00", b"\xff\xfe", b"<!DOCTYPE",
                                           b"&#27;", b"]]>", b"<![CDATA["]),
                          max_size=40).map(b"".join)),
       st.sampled_from([None, "text/html", "application/json", "application/rss+xml"]))  # fmt: skip
def test_any_bytes_give_a_feed_or_a_clean_error(data: bytes, content_type: str | None) -> None:
    _parse(data, content_type)


def test_printable_ascii_is_left_alone() -> None:
    text = "".join(c for c in string.printable if c not in "\r\x0b\x0c")
    assert clean_text(text) == text


def test_a_link_wrapped_over_lines_still_opens() -> None:
    """Browsers drop tabs and newlines from URLs and encode spaces: so does the reader
    (a wrapped href was listed over two lines and refused)."""
    from tui_reader.core.document import parse_document
    from tui_reader.ui.widgets.article_view import is_openable

    html = sanitize_html(
        '<p>a\nb <a href="http://example.com/some/\n  long/path">wrapped</a>'
        '<a href=" http://example.com/a\tb ">tab</a><img src="/i\nmg.png" alt="x\ny"></p>',
        "http://base.test/",
    )
    links = parse_document(html).links
    assert links == (
        "http://example.com/some/%20%20long/path",
        "http://example.com/ab",
        "http://base.test/img.png",
    )
    assert all(is_openable(link) for link in links)
    assert "a\nb" in html and 'alt="x\ny"' in html  # text and other attributes as they were


@FAST
@given(st.text(alphabet=" \t\n\r\u00a0\u3000abc/", max_size=12))
def test_link_urls_never_hold_white_space(path: str) -> None:
    html = sanitize_html(f'<a href="http://example.com/{path}">x</a>', "")
    for url in _urls(html):
        assert not any(c.isspace() for c in url), url
