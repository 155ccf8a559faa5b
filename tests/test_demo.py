"""The shipped demo library: five original story feeds in tui_reader/demo/."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from tui_reader.core.demo import DEMO_FILES, DEMO_TAG, demo_feed_paths

DEMO_BASE = "https://demo.storyreader.invalid/"
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".json"}


@dataclass(frozen=True)
class DemoEntry:
    feed: str
    title: str
    link: str
    id: str
    date: str  # as written in the source, offset included
    content: str  # HTML, URLs resolved


class _Links(HTMLParser):
    """Collects every href/src, and the hrefs in the list after an h3 "Related Posts"."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.related: list[str] = []
        self.related_sections = 0
        self._in_h3 = False
        self._h3_text = ""
        self._state = ""  # "", "after-heading", "in-list"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name):
                self.urls.append(values[name] or "")
        if tag == "h3":
            self._in_h3, self._h3_text = True, ""
        elif tag == "ul" and self._state == "after-heading":
            self._state = "in-list"
        elif tag == "a" and self._state == "in-list" and values.get("href"):
            self.related.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3":
            self._in_h3 = False
            if self._h3_text.strip() == "Related Posts":
                self._state = "after-heading"
                self.related_sections += 1
        elif tag == "ul" and self._state == "in-list":
            self._state = ""

    def handle_data(self, data: str) -> None:
        if self._in_h3:
            self._h3_text += data


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser


def _load(path: Path) -> list[DemoEntry]:
    """Entries of one demo file: feedparser for RSS/Atom, the JSON Feed spec for .json."""
    if path.suffix == ".json":  # feedparser 6 does not read JSON Feed
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["version"] == "https://jsonfeed.org/version/1.1"
        assert doc["title"] and doc["home_page_url"].startswith(DEMO_BASE)
        return [
            DemoEntry(
                feed=path.name,
                title=item.get("title", ""),
                link=item.get("url", ""),
                id=item.get("id", ""),
                date=item.get("date_published", ""),
                content=item.get("content_html", ""),
            )
            for item in doc["items"]
        ]
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, f"{path.name}: {parsed.get('bozo_exception')!r}"
    assert parsed.version in {"rss20", "atom10"}, parsed.version
    return [
        DemoEntry(
            feed=path.name,
            title=e.get("title", ""),
            link=e.get("link", ""),
            id=e.get("id", ""),
            date=e.get("published", ""),
            content=e.content[0].value if e.get("content") else "",
        )
        for e in parsed.entries
    ]


@pytest.fixture(scope="module")
def demo() -> dict[str, list[DemoEntry]]:
    return {p.name: _load(p) for p in demo_feed_paths()}


@pytest.fixture(scope="module")
def entries(demo: dict[str, list[DemoEntry]]) -> list[DemoEntry]:
    return [e for feed in demo.values() for e in feed]


def test_paths_are_the_shipped_files() -> None:
    paths = demo_feed_paths()
    assert DEMO_TAG == "demo"
    assert [p.name for p in paths] == list(DEMO_FILES)
    assert all(p.is_absolute() and p.is_file() for p in paths)
    package_dir = paths[0].parent
    assert (package_dir / "__init__.py").is_file()
    on_disk = {p.name for p in package_dir.iterdir() if p.suffix in FEED_SUFFIXES}
    assert on_disk == set(DEMO_FILES), "every feed file in the package is listed, and only those"
    assert {p.suffix for p in paths} >= {".xml", ".rss", ".atom", ".json"}


def test_every_file_parses_with_enough_entries(demo: dict[str, list[DemoEntry]]) -> None:
    assert len(demo) == 5
    for name, feed in demo.items():
        assert len(feed) >= 6, name
    assert 36 <= sum(len(feed) for feed in demo.values()) <= 45


def test_formats_are_mixed() -> None:
    kinds = Counter()
    for path in demo_feed_paths():
        if path.suffix == ".json":
            kinds["json"] += 1
        else:
            kinds[feedparser.parse(path.read_bytes()).version] += 1
    assert kinds == Counter({"rss20": 2, "atom10": 2, "json": 1})


def test_every_entry_is_complete(entries: list[DemoEntry]) -> None:
    for e in entries:
        assert e.title and e.id and e.date, e
        assert e.link.startswith(DEMO_BASE), e.link
        words = len(re.sub(r"<[^>]+>", " ", e.content).split())
        assert 300 <= words <= 800, (e.title, words)
    assert len({e.id for e in entries}) == len(entries), "guids are unique"
    assert len({e.link for e in entries}) == len(entries), "links are unique"
    assert len({e.title for e in entries}) == len(entries), "titles are unique"


def test_dates_span_2025_with_several_offsets(entries: list[DemoEntry]) -> None:
    """A year of stories, winter to winter, all in the past (the app shows no future dates)."""
    offsets = set()
    months = set()
    for e in entries:
        if e.date[:1].isdigit():  # Atom / JSON Feed: RFC 3339
            when = datetime.fromisoformat(e.date)
        else:  # RSS: RFC 822, whose weekday name must match the date
            when = parsedate_to_datetime(e.date)
            weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[when.weekday()]
            assert e.date.startswith(f"{weekday}, "), e.date
        assert when.tzinfo is not None, e.date
        offsets.add(when.utcoffset())
        assert when.astimezone(UTC).year == 2025, e.date
        months.add(when.astimezone(UTC).month)
    assert len(offsets) >= 4
    assert len(months) >= 10


def test_related_posts_point_at_other_demo_entries(entries: list[DemoEntry]) -> None:
    links = {e.link: e for e in entries}
    with_section = 0
    cross_feed = 0
    for e in entries:
        found = _links(e.content)
        assert found.related_sections <= 1, e.title
        if not found.related_sections:
            continue
        with_section += 1
        assert found.related, f"{e.title}: an empty Related Posts list"
        for href in found.related:
            assert href in links, f"{e.title}: {href} is not a demo entry"
            assert href != e.link, f"{e.title} lists itself"
            cross_feed += links[href].feed != e.feed
    assert with_section >= len(entries) // 2, "most posts declare related posts"
    assert with_section < len(entries), "some posts declare none"
    assert cross_feed >= 30, "related posts cross between feeds"


def test_every_feed_links_into_another_feed(entries: list[DemoEntry]) -> None:
    by_link = {e.link: e.feed for e in entries}
    for feed in {e.feed for e in entries}:
        targets = {
            by_link.get(href)
            for e in entries
            if e.feed == feed
            for href in _links(e.content).related
        }
        assert targets - {feed, None}, f"{feed} never points at another feed"


def test_urls_stay_on_the_demo_host(entries: list[DemoEntry]) -> None:
    for e in entries:
        for url in _links(e.content).urls:
            assert urlsplit(url).scheme == "https", (e.title, url)
            assert url.startswith(DEMO_BASE), (e.title, url)


def test_bodies_exercise_the_renderer(entries: list[DemoEntry]) -> None:
    html = "\n".join(e.content for e in entries)
    for tag in ("<h2>", "<em>", "<strong>", "<blockquote>", "<ul>", "<ol>", "<img"):
        assert tag in html, tag
    assert sum("<table>" in e.content for e in entries) == 1
    assert sum("<pre><code>" in e.content for e in entries) == 1


def test_relative_image_urls_are_resolved_by_xml_base() -> None:
    raw = (demo_feed_paths()[DEMO_FILES.index("field-notes.xml")]).read_text(encoding="utf-8")
    assert 'src="images/' in raw, "field-notes keeps relative image URLs in the source"
    entries = _load(demo_feed_paths()[DEMO_FILES.index("field-notes.xml")])
    srcs = [u for e in entries for u in _links(e.content).urls if "/images/" in u]
    assert srcs and all(u.startswith(DEMO_BASE + "field-notes/images/") for u in srcs)


def test_the_project_parser_reads_every_demo_file() -> None:
    try:
        from tui_reader.core.sources import parse_feed
    except ImportError:
        pytest.skip("tui_reader.core.sources.parse_feed is not written yet")
    for path in demo_feed_paths():
        parsed = parse_feed(path.read_bytes(), str(path))
        assert len(parsed.entries) >= 6, path.name
        for entry in parsed.entries:
            assert entry.guid and entry.title and entry.content_html, (path.name, entry.title)
