"""JSON Feed 1.0/1.1 and WordPress REST post lists to their expected ParsedFeed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tui_reader.core.errors import FeedParseError
from tui_reader.core.models import Author, Enclosure, ParsedFeed
from tui_reader.core.sources import parse_feed

FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


CASES: dict[str, dict[str, Any]] = {
    "jsonfeed10.json": {
        "url": "https://json1.example.net/feed.json",
        "feed": {
            "title": "JSON One",
            "site_url": "https://json1.example.net/",
            "description": "Version 1 feed",
            "kind": "jsonfeed",
        },
        "entries": [
            {
                "guid": "1",
                "title": "First item",
                "link": "https://json1.example.net/2020/first",
                # 1.0 "author", inherited from the feed, URL made absolute
                "authors": (Author(name="Feed Author", url="https://json1.example.net/about"),),
                "published": utc(2020, 1, 2, 2, 4, 5),  # +0100
                "updated": utc(2020, 1, 3),
                "summary": "A first item",
                "categories": ("alpha", "beta"),
                "enclosures": (
                    Enclosure(
                        url="https://json1.example.net/audio/1.m4a",
                        type="audio/x-m4a",
                        length=89970236,
                    ),
                ),
                "content_has": [
                    'href="https://json1.example.net/x"',
                    'src="https://json1.example.net/pic.jpg"',
                ],
            },
            {
                "guid": "2",  # a numeric id, converted
                "title": "",
                "authors": (Author(name="Item Author"),),
                "published": utc(2020, 2, 1, 15),
                "content_html": "<p>Just text &lt;b&gt;not bold&lt;/b&gt;</p>",
                "text": "Just text <b>not bold</b>",
                "summary": "Just text <b>not bold</b>",
            },
        ],
    },
    "jsonfeed11.json": {
        "url": "https://json11.example.net/feed.json",
        "feed": {"title": "JSON One One", "site_url": "https://json11.example.net/blog/"},
        "entries": [
            {
                "guid": "https://json11.example.net/blog/a",
                "link": "https://json11.example.net/blog/a",
                "authors": (Author(name="Cat"),),
                "published": utc(2021, 5, 6, 5, 8, 9),
                "categories": ("one",),
                "enclosures": (
                    Enclosure(url="https://cdn.example.net/v.mp4", type="video/mp4", length=1000),
                    Enclosure(
                        url="https://json11.example.net/blog/rel/doc.pdf", type="application/pdf"
                    ),
                ),
                "related_links": ("https://elsewhere.example.com/story",),
                "content_has": ['href="https://json11.example.net/b"'],
            },
            {
                "guid": "b",
                "link": "",
                "authors": (Author(name="Ann"), Author(name="Ben", url="https://ben.example.net/")),
                "content_html": "<p>Inherited authors.</p><p>Second paragraph.</p>",
                "summary": "Inherited authors. Second paragraph.",
            },
        ],
    },
    "wordpress.json": {
        "url": "https://wp.example.com/wp-json/wp/v2/posts?_embed",
        "feed": {
            "title": "wp.example.com",
            "site_url": "https://wp.example.com/",
            "kind": "wordpress",
        },
        "entries": [
            {
                "guid": "https://wp.example.com/?p=101&lang=en",
                "title": "Hello “World” & friends",
                "link": "https://wp.example.com/2024/03/hello-world/",
                "authors": (
                    Author(name="Wendy Writer", url="https://wp.example.com/author/wendy/"),
                ),
                "published": utc(2024, 3, 1, 9),
                "updated": utc(2024, 3, 2, 11),
                "summary": "The excerpt … Continue reading",
                "categories": ("News & Events", "python", "feeds"),
                "related_links": (
                    "https://wp.example.com/2024/01/jetpack-one/",
                    "https://wp.example.com/2024/02/jetpack-two/",
                    "https://wp.example.com/2023/12/older/",
                ),
                "content_has": [
                    'href="https://wp.example.com/about/"',
                    'src="https://wp.example.com/2024/03/hello-world/wp-content/uploads/pic.jpg"',
                ],
                "content_lacks": ["class=", "jp-relatedposts"],
            },
            {
                "guid": "https://wp.example.com/?p=102",
                "authors": (),
                "published": utc(2024, 3, 5, 8, 30),
                "summary": "Second body",
            },
        ],
    },
}


def check(parsed: ParsedFeed, case: dict[str, Any]) -> None:
    """The feed and entry fields of ``case`` (see test_sources_xml) hold in ``parsed``."""
    for key, value in case["feed"].items():
        assert getattr(parsed, key) == value, key
    assert len(parsed.entries) == len(case["entries"])
    for entry, expected in zip(parsed.entries, case["entries"], strict=True):
        for key, value in expected.items():
            if key == "content_has":
                assert all(fragment in entry.content_html for fragment in value), value
            elif key == "content_lacks":
                assert not any(f in entry.content_html.lower() for f in value), value
            else:
                assert getattr(entry, key) == value, key
        assert entry.guid


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture(name: str) -> None:
    case = CASES[name]
    check(parse_feed((FEEDS / name).read_bytes(), case["url"]), case)


def test_empty_wordpress_list_from_a_rest_url() -> None:
    parsed = parse_feed(b"[]", "https://wp.example.com/wp-json/wp/v2/posts")
    assert (parsed.kind, parsed.entries, parsed.site_url) == (
        "wordpress",
        (),
        "https://wp.example.com/",
    )


@pytest.mark.parametrize(
    "doc",
    [
        [],  # an empty list from a non-REST URL
        [1, 2, 3],
        [{"name": "not a post"}],
        {"hello": "world"},
        {"version": "https://example.com/not-jsonfeed", "title": "x"},
        "just a string",
        42,
        None,
    ],
)
def test_json_that_is_not_a_feed(doc: object) -> None:
    with pytest.raises(FeedParseError) as info:
        parse_feed(json.dumps(doc).encode(), "https://example.com/data.json")
    assert "\n" not in str(info.value)


# Wrong types in every JSON Feed field: each must be ignored or converted.
WRONG_VALUES: list[Any] = [None, 1, 1.5, True, "s", [], ["x"], {}, {"a": 1}, [{"url": 1}]]
FEED_FIELDS = ["title", "home_page_url", "feed_url", "description", "author", "authors", "items"]
ITEM_FIELDS = [
    "id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
    "date_published", "date_modified", "author", "authors", "tags", "attachments",
]  # fmt: skip


def _good_feed() -> dict[str, Any]:
    return json.loads((FEEDS / "jsonfeed11.json").read_text())


@pytest.mark.parametrize("field", FEED_FIELDS)
def test_wrong_types_in_feed_fields_are_tolerated(field: str) -> None:
    for value in WRONG_VALUES:
        doc = _good_feed()
        doc[field] = value
        parsed = parse_feed(json.dumps(doc).encode(), "https://json11.example.net/feed.json")
        assert parsed.kind == "jsonfeed"
        if field != "items":
            assert len(parsed.entries) == 2


@pytest.mark.parametrize("field", ITEM_FIELDS)
def test_wrong_types_in_item_fields_are_tolerated(field: str) -> None:
    for value in WRONG_VALUES:
        doc = _good_feed()
        for item in doc["items"]:
            item[field] = value
        doc["items"].append(value)  # and a wrong item itself
        parsed = parse_feed(json.dumps(doc).encode(), "https://json11.example.net/feed.json")
        assert len(parsed.entries) == 2
        for entry in parsed.entries:
            assert entry.guid
            assert all(isinstance(c, str) for c in entry.categories)
            assert all(isinstance(e.url, str) and e.url for e in entry.enclosures)


def test_attachment_sizes_are_converted_or_dropped() -> None:
    doc = _good_feed()
    doc["items"][0]["attachments"] = [
        {"url": "https://c.example/1", "size_in_bytes": "2048"},
        {"url": "https://c.example/2", "size_in_bytes": 10.0},
        {"url": "https://c.example/3", "size_in_bytes": -5},
        {"url": "https://c.example/4", "size_in_bytes": "lots"},
        {"url": "https://c.example/5", "size_in_bytes": 10**30},
        {"url": "javascript:alert(1)", "size_in_bytes": 1},
    ]
    entry = parse_feed(json.dumps(doc).encode(), "https://json11.example.net/f").entries[0]
    assert [(e.url, e.length) for e in entry.enclosures] == [
        ("https://c.example/1", 2048),
        ("https://c.example/2", 10),
        ("https://c.example/3", None),
        ("https://c.example/4", None),
        ("https://c.example/5", None),
    ]


def test_wordpress_wrong_types_are_tolerated() -> None:
    posts = json.loads((FEEDS / "wordpress.json").read_text())
    post = posts[0]
    post["_embedded"] = {"author": "x", "wp:term": [None, [1, {"name": 5}]]}
    post["jetpack-related-posts"] = {"url": "x"}
    post["guid"] = ["x"]
    post["date_gmt"] = 12
    post["excerpt"] = {"rendered": None}
    parsed = parse_feed(json.dumps(posts).encode(), "https://wp.example.com/wp-json/wp/v2/posts")
    entry = parsed.entries[0]
    assert entry.guid == "https://wp.example.com/2024/03/hello-world/"  # the link
    assert entry.published == utc(2024, 3, 1, 10)  # "date" (site time, read as UTC)
    assert entry.authors == ()
    assert entry.categories == ()
    assert entry.summary.startswith("Body with about")
