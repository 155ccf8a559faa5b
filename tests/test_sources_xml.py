"""RSS 0.91, RSS 1.0 (RDF), RSS 2.0 and Atom 1.0 fixtures to their expected ParsedFeed.

Data-driven: each case is a fixture file under ``fixtures/feeds`` with the
feed fields and, per entry, the fields expected; ``content_has`` and
``content_lacks`` are fragments looked for in ``content_html``.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fastfeedparser
import pytest

from tui_reader.core.models import Author, Enclosure, ParsedFeed
from tui_reader.core.sources import parse_feed, xmlfeed

FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


CASES: dict[str, dict[str, Any]] = {
    "atom03.xml": {
        "url": "http://diveintomark.org/atom.xml",
        "feed": {"title": "dive into mark", "site_url": "http://diveintomark.org/", "kind": "atom"},
        "entries": [
            {
                "guid": "tag:diveintomark.org,2003:3.2397",
                "title": "Atom 0.3 snapshot",
                "link": "http://diveintomark.org/2003/12/13/atom03",
                "authors": (Author(name="Mark Pilgrim"),),  # the feed's, inherited
                "published": utc(2003, 12, 13, 12, 29, 29),  # <issued>
                "updated": utc(2003, 12, 13, 18, 30, 2),  # <modified>
                "summary": "hi x",
                "content_html": (
                    '<p>hi <a href="http://diveintomark.org/x" rel="noopener noreferrer">x</a></p>'
                ),
            }
        ],
    },
    "rss091.xml": {
        "url": "http://news.example.com/rss.xml",
        "feed": {
            "title": "Café News",
            "site_url": "http://news.example.com/",
            "description": "News from the café",
            "kind": "rss",
        },
        "entries": [
            {
                "guid": "http://news.example.com/creme.html",
                "title": "Crème brûlée & more",
                "link": "http://news.example.com/creme.html",
                "summary": "Dessert news today",
                "content_has": ["<b>news</b>"],
            },
            {
                "guid": "http://news.example.com/second.html",
                "title": "Second story",
                "link": "http://news.example.com/second.html",
                "summary": "",
                "content_html": "",
                "text": "",
            },
        ],
    },
    "rss10.rdf": {
        "url": "https://rdf.example.org/index.rdf",
        "feed": {
            "title": "RDF Site",
            "site_url": "https://rdf.example.org/",
            "description": "An RSS 1.0 channel",
            "kind": "rdf",
        },
        "entries": [
            {
                "guid": "https://rdf.example.org/a",
                "title": "Processing Inclusions",
                "link": "https://rdf.example.org/a",
                "authors": (Author(name="Bob Example"),),
                "published": utc(2000, 8, 9, 9),
                "summary": "Short description.",
                "categories": ("xslt",),
                "content_has": ['<a href="https://rdf.example.org/docs"'],
            }
        ],
    },
    "rss20.xml": {
        "url": "https://example.com/feed.xml",
        "feed": {
            "title": "Example & Co",
            "site_url": "https://example.com/",
            "description": "All the news",
            "kind": "rss",
        },
        "entries": [
            {
                "guid": "tag:example.com,2024:1",
                "title": "First post",
                "link": "https://example.com/posts/1",
                "authors": (Author(name="Jane Doe", email="jane@example.com"),),
                "published": utc(2003, 6, 10, 3),
                "updated": None,
                "summary": "Short summary of the post",
                "categories": ("News", "Tech"),
                "enclosures": (
                    Enclosure(
                        url="https://example.com/media/ep1.mp3", type="audio/mpeg", length=12345
                    ),
                ),
                "related_links": (),
                "content_has": [
                    '<a href="https://example.com/rel"',
                    '<img src="https://example.com/img/a.png" alt="A">',
                    "<p>Styled</p>",
                ],
                "content_lacks": [
                    "script",
                    "alert",
                    "<style",
                    "style=",
                    "color",
                    "iframe",
                    "evil.example",
                    "onclick",
                    "javascript",
                    "data:",
                    "vbscript",
                    "swf",
                    "obj",
                    "form",
                    "steal",
                    "class",
                ],
            },
            {
                "guid": "https://example.com/posts/2",
                "title": "Second",
                "authors": (Author(name="Sam"),),
                "published": utc(2003, 6, 11, 4),
                "summary": "Only a description, with HTML.",
                "content_html": "<p>Only a description, <em>with HTML</em>.</p>",
                "text": "Only a description, with HTML.",
            },
            {"title": "No link or guid", "link": "", "summary": "Plain", "text": "Plain"},
        ],
    },
    "atom10.xml": {
        "url": "https://atom.example.org/feed.atom",
        "feed": {
            "title": "Atom Blog",
            "site_url": "https://atom.example.org/",
            "description": "Things, written down",
            "kind": "atom",
        },
        "entries": [
            {
                "guid": "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a",
                "title": "Atom-Powered Robots",
                "link": "https://atom.example.org/blog/2003/12/13/atom03",
                "authors": (
                    Author(
                        name="Bob",
                        email="bob@example.org",
                        url="https://atom.example.org/people/bob",
                    ),
                    Author(name="Alice"),
                ),
                "published": utc(2003, 12, 13, 12, 29, 29),
                "updated": utc(2003, 12, 13, 18, 30, 2),
                "summary": "Some text.",
                "categories": ("Robots", "atom"),
                "enclosures": (
                    Enclosure(
                        url="https://atom.example.org/media/robots.mp3",
                        type="audio/mpeg",
                        length=1337,
                    ),
                ),
                "content_has": ['<p>XHTML <a href="https://atom.example.org/blog/more"'],
            },
            {
                "guid": "urn:uuid:2",
                "title": "Text content",
                "authors": (Author(name="Feed Author"),),  # inherited from the feed
                "published": utc(2003, 12, 14, 9),
                "updated": utc(2003, 12, 14, 9),
                "content_html": "<p>Line one &lt;not a tag&gt;</p><p>Second paragraph</p>",
                "summary": "Line one <not a tag> Second paragraph",
            },
        ],
    },
}


def check(parsed: ParsedFeed, case: dict[str, Any]) -> None:
    for key, value in case["feed"].items():
        assert getattr(parsed, key) == value, key
    assert len(parsed.entries) == len(case["entries"])
    for entry, expected in zip(parsed.entries, case["entries"], strict=True):
        for key, value in expected.items():
            if key == "content_has":
                for fragment in value:
                    assert fragment in entry.content_html, fragment
            elif key == "content_lacks":
                for fragment in value:
                    assert fragment not in entry.content_html.lower(), fragment
            else:
                assert getattr(entry, key) == value, key
        assert entry.guid
        assert entry.text or not entry.content_html


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture(name: str) -> None:
    case = CASES[name]
    check(parse_feed((FEEDS / name).read_bytes(), case["url"]), case)


@pytest.fixture
def feedparser_calls(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Record every call of the feedparser fallback."""
    calls: list[bytes] = []
    real = xmlfeed.feedparser.parse

    def spy(data: bytes, *args: Any, **kwargs: Any) -> Any:
        calls.append(data)
        return real(data, *args, **kwargs)

    monkeypatch.setattr(xmlfeed.feedparser, "parse", spy)
    return calls


@pytest.mark.parametrize(
    "name", ["rss091.xml", "rss20.xml", "atom03.xml", "atom10.xml", "related.xml"]
)
def test_well_formed_feeds_take_the_fast_path(name: str, feedparser_calls: list[bytes]) -> None:
    parse_feed((FEEDS / name).read_bytes(), "https://example.com/feed")
    assert feedparser_calls == []


def test_guid_without_id_or_link_is_a_stable_hash() -> None:
    data = (FEEDS / "rss20.xml").read_bytes()
    first = parse_feed(data, "https://example.com/feed.xml").entries[2].guid
    again = parse_feed(data, "https://example.com/feed.xml").entries[2].guid
    other = parse_feed(data, "https://other.example/feed.xml").entries[2].guid
    assert first == again != other
    assert first.startswith("sha1:")


CHANNEL_ROOT = b"""<?xml version="1.0"?>
<channel><title>Bare channel</title><link>https://bare.example/</link>
<item><title>Loose item</title><link>/one</link><description>d</description></item>
</channel>"""

RSS090 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://my.netscape.com/rdf/simple/0.9/">
<channel><title>Mozilla Dot Org</title><link>http://www.mozilla.org</link>
<description>the Mozilla Organization web site</description></channel>
<item><title>New Status Updates</title><link>http://www.mozilla.org/status/</link></item>
<item><title>Bugzilla Reorganized</title><link>http://www.mozilla.org/bugs/</link></item>
</rdf:RDF>"""


def test_fastfeedparser_rejection_falls_back_to_feedparser(feedparser_calls: list[bytes]) -> None:
    with pytest.raises(ValueError):  # the premise: fastfeedparser refuses this document
        fastfeedparser.parse(CHANNEL_ROOT)
    parsed = parse_feed(CHANNEL_ROOT, "https://bare.example/feed")
    assert len(feedparser_calls) == 1
    assert parsed.title == "Bare channel"
    assert [(e.title, e.link) for e in parsed.entries] == [
        ("Loose item", "https://bare.example/one")
    ]


def test_unusable_fastfeedparser_result_falls_back_to_feedparser(
    feedparser_calls: list[bytes],
) -> None:
    premise = fastfeedparser.parse(RSS090)  # RSS 0.90: no title, no entries
    assert not premise.feed.get("title") and not premise.entries
    parsed = parse_feed(RSS090, "http://www.mozilla.org/rss.rdf")
    assert len(feedparser_calls) == 1
    assert parsed.title == "Mozilla Dot Org"
    assert parsed.kind == "rdf"
    assert [e.link for e in parsed.entries] == [
        "http://www.mozilla.org/status/",
        "http://www.mozilla.org/bugs/",
    ]


MALFORMED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Tom & Jerry</title><link>https://tj.example/</link>
<item><title>Cats < dogs & mice</title><link>https://tj.example/1?a=1&b=2</link>
<description><p>Unclosed <b>bold</description></item>
<item><title>Second</title><link>https://tj.example/2</link></item>
</channel></rss>"""


def test_malformed_xml_goes_to_feedparsers_loose_parser(feedparser_calls: list[bytes]) -> None:
    parsed = parse_feed(MALFORMED, "https://tj.example/feed")
    assert len(feedparser_calls) == 1
    assert parsed.title == "Tom & Jerry"  # fastfeedparser's recovery loses the '&'
    assert [e.title for e in parsed.entries] == ["Cats < dogs & mice", "Second"]
    assert parsed.entries[0].link == "https://tj.example/1?a=1&b=2"


def test_wrong_declared_encoding_is_read_by_feedparser(feedparser_calls: list[bytes]) -> None:
    data = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        b"<title>Caf\xe9 \xfcber</title><link>https://enc.example/</link>"
        b"<item><title>Na\xefve</title><guid>n</guid></item></channel></rss>"
    )
    parsed = parse_feed(data, "https://enc.example/feed")
    assert feedparser_calls
    assert parsed.title == "Café über"
    assert parsed.entries[0].title == "Naïve"


def test_declared_single_byte_encoding() -> None:
    data = (
        '<?xml version="1.0" encoding="windows-1251"?><rss version="2.0"><channel>'
        "<title>Привет</title><link>https://ru.example/</link>"
        "<item><title>Мир</title><guid>1</guid></item></channel></rss>"
    ).encode("cp1251")
    parsed = parse_feed(data, "https://ru.example/feed")
    assert (parsed.title, parsed.entries[0].title) == ("Привет", "Мир")


def test_utf16_feed() -> None:
    data = (
        '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel>'
        "<title>Wide é</title><link>https://w.example/</link>"
        "<item><title>Entry é</title><guid>1</guid></item></channel></rss>"
    ).encode("utf-16")
    parsed = parse_feed(data, "https://w.example/feed")
    assert (parsed.title, parsed.entries[0].title) == ("Wide é", "Entry é")


def test_leading_whitespace_and_bom() -> None:
    data = b"\xef\xbb\xbf\n\n  " + (FEEDS / "rss20.xml").read_bytes()
    assert parse_feed(data, "https://example.com/feed.xml").title == "Example & Co"


def test_atom_title_types_and_relative_links_against_the_feed_url() -> None:
    data = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
    <link href="/"/>
    <entry><title type="html">&lt;b&gt;Bold&lt;/b&gt; &amp;amp; more</title>
    <link rel="alternate" href="../posts/1"/><id>1</id>
    <content type="html">&lt;p&gt;See &lt;a href="x.html"&gt;x&lt;/a&gt;&lt;/p&gt;</content>
    </entry></feed>"""
    parsed = parse_feed(data, "https://a.example/blog/feeds/atom.xml")
    assert parsed.site_url == "https://a.example/"
    entry = parsed.entries[0]
    assert entry.title == "Bold & more"
    assert entry.link == "https://a.example/blog/posts/1"
    assert 'href="https://a.example/blog/feeds/x.html"' in entry.content_html


def test_related_posts_in_entry_html() -> None:
    parsed = parse_feed((FEEDS / "related.xml").read_bytes(), "https://rel.example.com/feed")
    related = {e.title: e.related_links for e in parsed.entries}
    assert related == {
        "Heading list": ("https://rel.example.com/p/2", "https://rel.example.com/p/3"),
        "Class container": ("https://rel.example.com/p/5",),
        "Inline lead-in": ("https://rel.example.com/p/7", "https://rel.example.com/p/8"),
        "Just prose": (),
    }


class _Recorder:
    """A meta path finder that only notes which modules were looked for."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        self.names.append(name)


def test_unreadable_dates_do_not_look_for_dateparser_each_time(monkeypatch) -> None:
    """fastfeedparser imports the optional dateparser for every date it cannot read; not
    installed, it is marked missing once instead of searched for on sys.path each time."""
    if sys.modules.get("dateparser", None) is not None:
        pytest.skip("dateparser is installed here")
    recorder = _Recorder()
    monkeypatch.setattr(sys, "meta_path", [recorder, *sys.meta_path])
    items = "".join(
        f"<item><title>t{i}</title><link>http://x.test/{i}</link>"
        f"<pubDate>sometime in spring {i}</pubDate></item>"
        for i in range(20)
    )
    data = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<link>http://x.test/</link>{items}</channel></rss>"
    ).encode()
    parsed = parse_feed(data, "http://x.test/feed")
    assert len(parsed.entries) == 20
    assert all(e.published is None and e.updated is None for e in parsed.entries)
    assert "dateparser" not in recorder.names
