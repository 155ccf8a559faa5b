"""find_feed_links and looks_like_html."""

from __future__ import annotations

import pytest

from tui_reader.core.sources.discovery import find_feed_links, looks_like_html

PAGE = b"""<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>A blog</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/json+oembed" href="/oembed?url=x">
<link rel="alternate" type="application/json" title="JSON" href="/wp-json/wp/v2/pages/7">
<link rel="alternate" type="application/rss+xml" title="Blog &raquo; Comments Feed"
      href="/comments/feed/">
<link rel="alternate" type="application/rss+xml" title="Blog &raquo; Feed" href="/feed/">
<link rel="Alternate" type="Application/Atom+XML" href="atom.xml">
<link rel="alternate feed" type="application/feed+json" href="https://cdn.example.com/feed.json">
<link rel="alternate" type="application/rss+xml" href="/feed/">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="text/html" hreflang="de" href="/de/">
<link rel="alternate" type="application/rss+xml">
</head><body><a href="/other.rss">not a link element</a></body></html>"""


def test_find_feed_links_in_preference_order() -> None:
    assert find_feed_links(PAGE, "https://blog.example.com/posts/1") == [
        "https://blog.example.com/feed/",
        "https://blog.example.com/posts/atom.xml",
        "https://cdn.example.com/feed.json",
        "https://blog.example.com/wp-json/wp/v2/pages/7",
        "https://blog.example.com/comments/feed/",
    ]


def test_find_feed_links_accepts_str_and_honours_base() -> None:
    page = (
        '<?xml version="1.0" encoding="utf-8"?><html><head><base href="https://cdn.example.org/x/">'
        '<link rel="alternate" type="application/atom+xml" href="feed.atom"></head></html>'
    )
    assert find_feed_links(page, "https://site.example/") == ["https://cdn.example.org/x/feed.atom"]


@pytest.mark.parametrize("page", [b"", b"\x00\x01garbage", b"<html><body>no feeds</body></html>"])
def test_find_feed_links_none(page: bytes) -> None:
    assert find_feed_links(page, "https://site.example/") == []


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        (b"<!DOCTYPE html><html><body></body></html>", None, True),
        (b"\n  <html lang='en'><head>", "application/octet-stream", True),
        (b"<head><title>x</title></head>", None, True),
        (b"Just words", "text/html; charset=utf-8", True),
        (b'<?xml version="1.0"?><rss version="2.0"><channel>', "text/html", False),
        (b'\xef\xbb\xbf<feed xmlns="http://www.w3.org/2005/Atom">', None, False),
        (b"<rdf:RDF xmlns:rdf='x'>", None, False),
        (b'<?xml version="1.0"?><!-- <html> in a comment --><rss>', None, False),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "text/html", False),
        (b"[]", None, False),
        (b"Just words", "text/plain", False),
        (b"Just words", "application/xhtml+xml", False),
    ],
)
def test_looks_like_html(data: bytes, content_type: str | None, expected: bool) -> None:
    assert looks_like_html(data, content_type) is expected
