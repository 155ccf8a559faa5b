"""Every export format, parsed back by an independent parser and checked field by field;
atomic writes that never leave half a file."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html.parser import HTMLParser

import feedparser
import pytest

from tests.test_bookmarks_support import article_ids, make_library
from tui_reader.core import atomic
from tui_reader.core.exports import (
    CSV_FIELDS,
    FORMATS,
    BookmarkFileError,
    export_bookmarks,
    parse_netscape,
)
from tui_reader.core.models import Bookmark

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

BOOKMARKS = [
    Bookmark(
        id=3,
        title='Tricky <b>"title"</b> & [brackets] *stars* _under_',
        link="https://news.example/a?x=1&y=2",
        feed_title="Example News",
        feed_url="https://news.example/feed.xml",
        guid="guid-3",
        author="Ann O'Neil",
        published=datetime(2024, 1, 2, 10, 0, tzinfo=UTC),
        summary="A summary, with commas, \"quotes\" and\na newline",
        bookmarked_at=datetime(2025, 2, 1, 8, 30, tzinfo=UTC),
        note="first line\nsecond <line> & more",
        tags=("python", "long reads"),
        article_id=17,
    ),
    Bookmark(
        id=2,
        title="=HYPERLINK(\"http://evil.example\") formula",
        link="https://news.example/b_(c)",
        feed_title="Other Feed",
        feed_url="/home/me/feeds/local.xml",
        guid="guid-2",
        bookmarked_at=datetime(2025, 1, 15, 0, 0, tzinfo=UTC),
        tags=("python",),
    ),
    Bookmark(
        id=1,
        title="No link at all",
        link="",
        summary="kept anyway",
        bookmarked_at=datetime(2024, 12, 1, 0, 0, tzinfo=UTC),
    ),
    Bookmark(
        id=4,
        title="A bookmarklet",
        link="javascript:alert(1)",
        bookmarked_at=datetime(2024, 11, 1, 0, 0, tzinfo=UTC),
    ),
]


def export(fmt: str, **kwargs) -> str:
    return export_bookmarks(BOOKMARKS, fmt, now=NOW, **kwargs)


class NetscapeReader(HTMLParser):
    """A deliberately simple reader of the browser format, separate from the importer."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[dict] = []
        self.in_a = False
        self.in_dd = False
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        self.in_dd = False
        if tag == "a":
            self.items.append({"attrs": dict(attrs), "text": "", "dd": ""})
            self.in_a = True
        elif tag == "dd":
            self.in_dd = True

    def handle_endtag(self, tag):
        if tag == "a":
            self.in_a = False
        self.in_dd = False

    def handle_data(self, data):
        if self.in_a:
            self.items[-1]["text"] += data
        elif self.in_dd:
            self.items[-1]["dd"] += data


def test_netscape_html_is_what_browsers_import():
    text = export("html")
    assert text.startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>")
    reader = NetscapeReader()
    reader.feed(text)
    reader.close()
    assert reader.doctype == "DOCTYPE NETSCAPE-Bookmark-file-1"
    # Only web links: no link and the javascript: one are left out.
    assert len(reader.items) == 2
    first, second = reader.items
    assert first["attrs"]["href"] == "https://news.example/a?x=1&y=2"
    assert first["attrs"]["add_date"] == str(int(BOOKMARKS[0].bookmarked_at.timestamp()))
    assert first["attrs"]["tags"] == "python,long reads"
    assert first["text"] == BOOKMARKS[0].title
    assert first["dd"].strip() == BOOKMARKS[0].note
    assert second["attrs"]["href"] == "https://news.example/b_(c)"
    assert second["attrs"]["tags"] == "python"
    assert second["dd"] == ""
    assert "javascript:" not in text


def test_netscape_html_reads_back_through_the_importer():
    bookmarks, skipped = parse_netscape(export("html"))
    assert skipped == 0
    assert [(b.title, b.link, b.tags, b.note, b.bookmarked_at) for b in bookmarks] == [
        (b.title, b.link, b.tags, b.note, b.bookmarked_at) for b in BOOKMARKS[:2]
    ]


LINK_ITEM = re.compile(r"^- \[(?P<title>(?:\\.|[^\]\\])*)\]\((?P<url>[^)\s]*)\)(?P<rest>.*)$")


def unescape_md(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def markdown_sections(text: str) -> dict[str, list[dict]]:
    sections: dict[str, list[dict]] = {}
    current: list[dict] = []
    for line in text.splitlines():
        if line.startswith("## "):
            current = sections.setdefault(unescape_md(line[3:]), [])
        elif line.startswith("- "):
            match = LINK_ITEM.match(line)
            if match:
                current.append({"title": unescape_md(match["title"]), "url": match["url"],
                                "rest": match["rest"], "note": []})
            else:
                current.append({"title": unescape_md(line[2:]), "url": None, "note": []})
        elif line.startswith("  > "):
            current[-1]["note"].append(unescape_md(line[4:]))
    return sections


def test_markdown_grouped_by_tag():
    sections = markdown_sections(export("md", group="tag"))
    assert list(sections) == ["long reads", "python", "Untagged"]
    assert [i["title"] for i in sections["python"]] == [BOOKMARKS[0].title, BOOKMARKS[1].title]
    tricky = sections["long reads"][0]
    assert tricky["url"] == "https://news.example/a?x=1&y=2"
    assert tricky["rest"] == " — Example News, 2024-01-02"
    assert tricky["note"] == ["first line", "second <line> & more"]
    assert sections["python"][1]["url"] == "https://news.example/b_%28c%29"
    # No web link: plain text, never a javascript: link.
    assert [(i["title"], i["url"]) for i in sections["Untagged"]] == [
        ("No link at all", None), ("A bookmarklet", None)]


def test_markdown_grouped_by_feed_and_unknown_grouping():
    sections = markdown_sections(export("md", group="feed"))
    assert list(sections) == ["Example News", "Other Feed", "Other"]
    assert [i["title"] for i in sections["Other"]] == ["No link at all", "A bookmarklet"]
    with pytest.raises(BookmarkFileError):
        export("md", group="colour")


def test_json_has_every_stored_field():
    document = json.loads(export("json"))
    assert document["format"] == "storyreader-bookmarks" and document["version"] == 1
    assert document["exported_at"] == "2025-03-01T12:00:00+00:00"
    first = document["bookmarks"][0]
    assert first == {
        "id": 3,
        "title": BOOKMARKS[0].title,
        "link": "https://news.example/a?x=1&y=2",
        "feed_title": "Example News",
        "feed_url": "https://news.example/feed.xml",
        "guid": "guid-3",
        "author": "Ann O'Neil",
        "published": "2024-01-02T10:00:00+00:00",
        "summary": BOOKMARKS[0].summary,
        "bookmarked_at": "2025-02-01T08:30:00+00:00",
        "note": BOOKMARKS[0].note,
        "tags": ["python", "long reads"],
        "article_id": 17,
    }
    assert [b["id"] for b in document["bookmarks"]] == [3, 2, 1, 4]
    assert document["bookmarks"][2]["published"] is None


def test_csv_is_rfc4180_with_a_header_row():
    text = export("csv")
    assert "\r\n" in text and text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(CSV_FIELDS)
    assert len(rows) == 1 + len(BOOKMARKS)
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first == {
        "id": "3",
        "title": BOOKMARKS[0].title,
        "link": "https://news.example/a?x=1&y=2",
        "feed_title": "Example News",
        "feed_url": "https://news.example/feed.xml",
        "guid": "guid-3",
        "author": "Ann O'Neil",
        "published": "2024-01-02T10:00:00+00:00",
        "summary": BOOKMARKS[0].summary,  # commas, quotes and a newline survive
        "bookmarked_at": "2025-02-01T08:30:00+00:00",
        "note": BOOKMARKS[0].note,
        "tags": "python, long reads",
    }
    second = dict(zip(rows[0], rows[2], strict=True))
    # A cell a spreadsheet would run as a formula is defused with a leading quote.
    assert second["title"] == "'" + BOOKMARKS[1].title
    assert second["published"] == "" and second["tags"] == "python"


def test_atom_feed_is_valid_and_complete():
    text = export("atom")
    parsed = feedparser.parse(text)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "storyreader bookmarks"
    assert parsed.feed.id.startswith("urn:uuid:")
    assert parsed.feed.updated_parsed[:6] == (2025, 2, 1, 8, 30, 0)
    assert len(parsed.entries) == len(BOOKMARKS)
    first = parsed.entries[0]
    assert first.title == BOOKMARKS[0].title
    assert first.link == "https://news.example/a?x=1&y=2"
    assert first.summary == BOOKMARKS[0].summary
    assert first.published_parsed[:6] == (2024, 1, 2, 10, 0, 0)
    assert first.updated_parsed[:6] == (2025, 2, 1, 8, 30, 0)
    assert [t.term for t in first.tags] == ["python", "long reads"]
    assert first.author == "Ann O'Neil"
    assert "first line" in first.content[0].value
    assert first.source.title == "Example News"
    ids = [e.id for e in parsed.entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)
    # Stable ids: the same bookmark gets the same id in the next export.
    assert [e.id for e in feedparser.parse(export("atom")).entries] == ids
    # No web link: no <link>, but content, so the entry stays valid Atom.
    for entry in parsed.entries[2:]:
        links = entry.get("links", [])
        assert not any(link.get("href", "").startswith("javascript") for link in links)
        assert entry.content
    # published falls back to the time it was bookmarked.
    assert parsed.entries[1].published_parsed[:3] == (2025, 1, 15)


def test_atom_has_the_required_elements():
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(export("atom").encode("utf-8"))
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for name in ("id", "title", "updated", "author/a:name"):
        assert root.find(f"a:{name}", ns) is not None, name
    for entry in root.findall("a:entry", ns):
        for name in ("id", "title", "updated"):
            assert entry.find(f"a:{name}", ns) is not None, name
        has_alternate = any(x.get("rel") == "alternate" for x in entry.findall("a:link", ns))
        assert has_alternate or entry.find("a:content", ns) is not None


def test_empty_exports_are_still_valid():
    for fmt in FORMATS:
        text = export_bookmarks([], fmt, now=NOW)
        assert text
    assert json.loads(export_bookmarks([], "json", now=NOW))["bookmarks"] == []
    parsed = feedparser.parse(export_bookmarks([], "atom", now=NOW))
    assert not parsed.bozo and parsed.entries == []
    assert list(csv.reader(io.StringIO(export_bookmarks([], "csv")))) == [list(CSV_FIELDS)]


def test_unknown_format():
    with pytest.raises(BookmarkFileError, match="unknown export format"):
        export("xml")


def test_control_characters_never_reach_the_xml():
    nasty = Bookmark(id=1, title="bell\x07 and \x1b[31mred", link="https://x.example/",
                     bookmarked_at=NOW, note="nul\x00byte")
    parsed = feedparser.parse(export_bookmarks([nasty], "atom", now=NOW))
    assert not parsed.bozo


class HalfWriter:
    """A file handle that writes half of what it is given, then fails like a full disk."""

    def __init__(self, handle):
        self.handle = handle

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()

    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise OSError(28, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.handle, name)


def test_a_failed_export_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    library, _ = make_library(tmp_path)
    with library:
        library.bookmarks.add(article_ids(library)["story-1"])
        out_dir = tmp_path / "out"
        out_dir.mkdir()
        target = out_dir / "bookmarks.html"
        target.write_text("the old export\n", encoding="utf-8")
        real_fdopen = os.fdopen
        partial_seen: list[int] = []

        def failing_fdopen(fd, *args, **kwargs):
            handle = real_fdopen(fd, *args, **kwargs)
            partial_seen.append(fd)
            return HalfWriter(handle)

        monkeypatch.setattr(atomic.os, "fdopen", failing_fdopen)
        with pytest.raises(OSError, match="No space left"):
            library.bookmarks.export_to(target, "html")
        assert partial_seen  # the write really started
        assert target.read_text(encoding="utf-8") == "the old export\n"
        assert sorted(p.name for p in out_dir.iterdir()) == ["bookmarks.html"]
        monkeypatch.undo()
        # And with a working disk, the same call replaces the file in one step.
        assert library.bookmarks.export_to(target, "html") == 1
        assert "NETSCAPE-Bookmark-file-1" in target.read_text(encoding="utf-8")
        assert sorted(p.name for p in out_dir.iterdir()) == ["bookmarks.html"]


def test_export_into_a_missing_directory_fails_cleanly(tmp_path):
    library, _ = make_library(tmp_path)
    with library, pytest.raises(OSError):
        library.bookmarks.export_to(tmp_path / "nowhere" / "b.json", "json")
    assert not (tmp_path / "nowhere").exists()
