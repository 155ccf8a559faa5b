"""Hostile documents: control characters, entity bombs, XXE, deep nesting, non-feeds.

parse_feed must give clean fields or a one-line FeedParseError, quickly, and
never anything else.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from typing import Any

import pytest

from tests.loopback import LoopbackServer
from tui_reader.core.errors import FeedParseError
from tui_reader.core.models import ParsedFeed
from tui_reader.core.sources import parse_feed, xmlfeed

FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
MULTILINE_FIELDS = {"text", "content_html"}


def strings(value: Any, name: str = "") -> list[tuple[str, str]]:
    """Every (field name, string) inside a model, recursively."""
    if isinstance(value, str):
        return [(name, value)]
    if dataclasses.is_dataclass(value):
        found = []
        for f in dataclasses.fields(value):
            found += strings(getattr(value, f.name), f.name)
        return found
    if isinstance(value, tuple):
        return [item for element in value for item in strings(element, name)]
    return []


def assert_clean(parsed: ParsedFeed) -> None:
    found = strings(parsed)
    assert found
    for name, s in found:
        assert FORBIDDEN.search(s) is None, (name, s)
        if name not in MULTILINE_FIELDS:
            assert "\n" not in s and "\t" not in s, (name, s)


# Raw ESC/BEL bytes are not allowed in XML; the document carries them anyway,
# plus C1 CSI (legal in XML 1.0), escaped references inside titles, and HTML
# character references inside the HTML body.
OSC52 = "\x1b]52;c;ZXZpbA==\x07"
HOSTILE_RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Feed {OSC52} \x9b31m\u202etitle</title><link>https://h.example/\x1b[0m</link>
<description>desc \x1b]0;pwned\x07 &amp;#27;]0;x&amp;#7;</description>
<item>
<title>Entry \x1b[2J\x9b2J &amp;#27;]52;c;eA==&amp;#7; line
two</title>
<link>https://h.example/1{OSC52}</link>
<guid>g\x1b[1m1\x07</guid>
<author>\x1b]8;;https://evil.example/\x07Mallory\x1b]8;;\x07 &lt;m@h.example&gt;</author>
<category>cat\x9b31m</category>
<pubDate>Tue, 10 Jun 2003 04:00:00 +0100</pubDate>
<description>sum \x07\x1b[5m blink &amp;#x9b;</description>
<content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/"><![CDATA[
<p>Body &#27;]52;c;ZXZpbA==&#7; \x1b[31m red &#x9b;31m &#x7f; \u2066iso</p>
<img alt="&#27;]0;t&#7;" src="/i.png">]]></content:encoded>
<enclosure url="/e.mp3" type="audio/mpeg\x1b[0m" length="1"/>
</item></channel></rss>""".encode()

HOSTILE_ATOM = f"""<feed xmlns="http://www.w3.org/2005/Atom"><title>A\x9b1m {OSC52}</title>
<link href="https://h.example/"/>
<entry><title type="html">&lt;b&gt;x&lt;/b&gt; &amp;#27;[1m</title><id>urn:\x9bx</id>
<link href="/a"/><author><name>N\x1b[1m</name><email>e\x07@h.example</email></author>
<category term="t\x9b" label="L\u202eabel"/>
<summary type="html">&lt;p&gt;s &amp;#27;]52;c;x&amp;#7;&lt;/p&gt;</summary>
<content type="html">&lt;p&gt;c &amp;#27;]52;c;x&amp;#7;&lt;/p&gt;</content>
</entry></feed>""".encode()

HOSTILE_JSON = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"J {OSC52}\x9b31m\r\nnext",
        "home_page_url": "https://h.example/",
        "authors": [{"name": "A\x1b[1m", "url": f"https://h.example/a{OSC52}"}],
        "items": [
            {
                "id": "i\x1b1",
                "url": "/p\x07",
                "title": "T\x1b]0;x\x07\ud800",
                "summary": "S\x1b[2J\x85",
                "content_text": "Body\x1b[31m\r\nline\x9b",
                "tags": ["t\x1b[0m"],
                "attachments": [{"url": "/f\x1b", "mime_type": "a/b\x07", "size_in_bytes": 1}],
            }
        ],
    }
).encode()

HOSTILE_WORDPRESS = json.dumps(
    [
        {
            "link": "https://h.example/w\x1b[0m",
            "guid": {"rendered": "g&#27;]52;c;x&#7;"},
            "title": {"rendered": "W &#27;]52;c;x&#7; \x9b"},
            "content": {"rendered": "<p>c &#27;[31m</p>"},
            "excerpt": {"rendered": "<p>e \x1b[31m</p>"},
            "date_gmt": "2024-01-01T00:00:00",
            "_embedded": {
                "author": [{"name": "n\x07", "link": "https://h.example/u"}],
                "wp:term": [[{"name": "t&#27;[1m"}]],
            },
            "jetpack-related-posts": [{"url": f"https://h.example/r{OSC52}"}],
        }
    ]
).encode()


@pytest.mark.parametrize(
    ("data", "url"),
    [
        (HOSTILE_RSS, "https://h.example/rss"),
        (HOSTILE_ATOM, "https://h.example/atom"),
        (HOSTILE_JSON, "https://h.example/json"),
        (HOSTILE_WORDPRESS, "https://h.example/wp-json/wp/v2/posts"),
    ],
    ids=["rss", "atom", "jsonfeed", "wordpress"],
)
def test_control_characters_are_stripped_from_every_field(data: bytes, url: str) -> None:
    parsed = parse_feed(data, url)
    assert parsed.entries
    assert_clean(parsed)


def test_hostile_rss_keeps_its_readable_parts() -> None:
    parsed = parse_feed(HOSTILE_RSS, "https://h.example/rss")
    entry = parsed.entries[0]
    assert entry.title.startswith("Entry [2J2J ]52;c;eA== line two")
    assert entry.categories == ("cat31m",)
    assert entry.enclosures[0].type == "audio/mpeg[0m"
    assert "Body ]52;c;ZXZpbA==" in entry.content_html


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughs &lol9;</title><link>https://l.example/</link>
<item><title>Item &lol9;</title><guid>1</guid><description>&lol9;</description></item>
<item><title>Small &lol;</title><guid>2</guid></item>
</channel></rss>"""


def quadratic_blowup() -> bytes:
    big = "A" * 50_000
    refs = "&a;" * 50_000
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "{big}">]>'
        '<rss version="2.0"><channel><title>Q</title><link>https://q.example/</link>'
        f"<item><title>x</title><guid>1</guid><description>{refs}</description></item>"
        "</channel></rss>"
    ).encode()


LAUGHS_BEHIND_A_COMMENT = BILLION_LAUGHS.replace(
    b"<!DOCTYPE", b"<!-- <rss> is below --><?pi <x>?>\n<!DOCTYPE", 1
)
LAUGHS_IN_UTF16 = BILLION_LAUGHS.replace(b'"1.0"?>', b'"1.0" encoding="utf-16"?>', 1).decode()


@pytest.mark.parametrize(
    "data",
    [BILLION_LAUGHS, LAUGHS_BEHIND_A_COMMENT, LAUGHS_IN_UTF16.encode("utf-16")],
    ids=["utf-8", "behind a comment", "utf-16"],
)
def test_billion_laughs_does_not_expand(data: bytes) -> None:
    start = time.perf_counter()
    parsed = parse_feed(data, "https://l.example/feed")
    assert time.perf_counter() - start < 5
    assert parsed.title.startswith("Laughs")
    assert [e.guid for e in parsed.entries] == ["1", "2"]
    assert sum(len(s) for _, s in strings(parsed)) < 2000  # nothing was expanded
    assert parsed.entries[1].title == "Small lol"  # a simple entity is kept


def test_quadratic_blowup_does_not_expand() -> None:
    start = time.perf_counter()
    parsed = parse_feed(quadratic_blowup(), "https://q.example/feed")
    assert time.perf_counter() - start < 5
    assert all("A" * 100 not in s for _, s in strings(parsed))


def test_declared_entities_are_inlined_within_a_budget() -> None:
    value = "B" * 64
    refs = "&b;" * 100_000
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY b "{value}">]>'
        '<rss version="2.0"><channel><title>&b;</title><link>https://q.example/</link>'
        f"<item><title>x</title><guid>1</guid><description>{refs}</description></item>"
        "</channel></rss>"
    ).encode()
    parsed = parse_feed(data, "https://q.example/feed")
    assert parsed.title == value
    assert parsed.entries[0].content_html.count(value) <= 65536 // 64


def test_external_entities_and_dtds_are_never_loaded(feed_server: LoopbackServer) -> None:
    secret = "s3cret-from-the-server"
    feed_server.route("/evil.dtd", body=f'<!ENTITY leak "{secret}">'.encode())
    feed_server.route("/leak.txt", body=secret.encode())
    dtd, leak = feed_server.url("/evil.dtd"), feed_server.url("/leak.txt")
    documents = [
        f"""<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{dtd}">
        <rss version="2.0"><channel><title>T &leak;</title><link>https://x.example/</link>
        <item><title>I &leak;</title><guid>1</guid></item></channel></rss>""",
        f"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "{leak}">
        <!ENTITY file SYSTEM "file:///etc/passwd"><!ENTITY % pe SYSTEM "{dtd}"> %pe;]>
        <rss version="2.0"><channel><title>T &xxe;</title><link>https://x.example/</link>
        <item><title>I &xxe; &file;</title><guid>1</guid><description>&xxe;</description>
        </item></channel></rss>""",
        f"""junk before<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{dtd}" [
        <!ENTITY xxe SYSTEM "{leak}">]><rss version="2.0"><channel><title>T &xxe;</title>
        <link>https://x.example/</link><item><title>&xxe;</title><guid>1</guid></item>
        </channel></rss>""",
        f"""<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY xxe SYSTEM "{leak}">]>
        <feed xmlns="http://www.w3.org/2005/Atom"><title>T &xxe;</title>
        <link href="https://x.example/"/><entry><id>1</id><title>&xxe;</title></entry></feed>""",
    ]
    for document in documents:
        parsed = parse_feed(document.encode(), "https://x.example/feed")
        text = " ".join(s for _, s in strings(parsed))
        assert secret not in text and "root:" not in text
        assert parsed.entries
    assert feed_server.requests_for("/evil.dtd") == []
    assert feed_server.requests_for("/leak.txt") == []


def test_deep_json_is_a_feed_parse_error() -> None:
    for deep in (b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000):
        with pytest.raises(FeedParseError, match="JSON nested too deeply"):
            parse_feed(deep, "https://d.example/feed.json")


def test_deeply_nested_html_in_a_body_is_flattened_quickly() -> None:
    body = "&lt;div&gt;" * 100_000 + "deep text"
    data = (
        '<rss version="2.0"><channel><title>D</title><link>https://d.example/</link>'
        f"<item><title>&lt;div&gt;{'&lt;div&gt;' * 100_000}t</title><guid>1</guid>"
        f"<description>{body}</description></item></channel></rss>"
    ).encode()
    start = time.perf_counter()
    entry = parse_feed(data, "https://d.example/feed").entries[0]
    assert time.perf_counter() - start < 10
    assert entry.title == "t"
    assert entry.content_html == "<p>deep text</p>"


def test_deeply_nested_xml_elements() -> None:
    data = (
        b'<rss version="2.0"><channel><title>D</title><link>https://d.example/</link>'
        b"<item><title>ok</title><guid>1</guid><description>"
        + b"<a>" * 50_000 + b"x" + b"</a>" * 50_000
        + b"</description></item></channel></rss>"
    )  # fmt: skip
    try:
        parsed = parse_feed(data, "https://d.example/feed")
    except FeedParseError:
        return
    assert [e.title for e in parsed.entries] == ["ok"]


NOT_FEEDS = {
    "empty": b"",
    "whitespace": b" \n\t ",
    "bom only": b"\xef\xbb\xbf",
    "garbage": bytes(range(256)) * 4,
    "text": b"Hello, this is not a feed at all.",
    "html page": b"<!DOCTYPE html><html><head><title>Blog</title></head><body>hi</body></html>",
    "html no doctype": b"<html><body><rss>not really</rss></body></html>",
    "xhtml": b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    "opml": b'<?xml version="1.0"?><opml version="2.0"><head/><body/></opml>',
    "broken xml": b"<?xml version='1.0'?><root><unclosed>",
    "truncated rss": b'<?xml version="1.0"?><rss version="2.0"><chan',
    "invalid json": b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
    "json number": b"[1, 2, 3]",
    "binary zeros": b"\x00" * 100,
}


@pytest.mark.parametrize("data", NOT_FEEDS.values(), ids=NOT_FEEDS.keys())
def test_not_a_feed(data: bytes) -> None:
    with pytest.raises(FeedParseError) as info:
        parse_feed(data, "https://n.example/feed")
    message = str(info.value)
    assert message and "\n" not in message and len(message) < 250


def test_html_page_message_even_with_a_feed_content_type() -> None:
    with pytest.raises(FeedParseError, match="HTML page"):
        parse_feed(NOT_FEEDS["html page"], "https://n.example/", "application/rss+xml")


def test_a_feed_served_as_text_html_is_still_a_feed() -> None:
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>' \
        b"<link>https://t.example/</link><item><title>i</title><guid>1</guid></item>" \
        b"</channel></rss>"  # fmt: skip
    assert parse_feed(data, "https://t.example/f", "text/html; charset=utf-8").title == "T"


def test_not_bytes_is_a_feed_parse_error() -> None:
    with pytest.raises(FeedParseError):
        parse_feed("<rss/>", "https://n.example/feed")  # type: ignore[arg-type]


@pytest.mark.parametrize("error", [RuntimeError("boom\nsecond line"), MemoryError(), KeyError("k")])
def test_any_parser_library_exception_becomes_feed_parse_error(
    monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    def explode(*args: Any, **kwargs: Any) -> Any:
        raise error

    monkeypatch.setattr(xmlfeed.fastfeedparser, "parse", explode)
    monkeypatch.setattr(xmlfeed.feedparser, "parse", explode)
    data = b'<rss version="2.0"><channel><title>T</title><item><title>i</title></item>' \
        b"</channel></rss>"  # fmt: skip
    with pytest.raises(FeedParseError) as info:
        parse_feed(data, "https://e.example/feed")
    assert "\n" not in str(info.value)
    assert info.value.__cause__ is error
