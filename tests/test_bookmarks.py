"""Bookmarks as user data: snapshots that outlive articles, feeds and the cache file;
toggle, edit, delete and restore; imports that merge instead of duplicating."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tests.test_bookmarks_support import FIXTURES, article_ids, make_library
from tui_reader.core.errors import NotFoundError
from tui_reader.core.exports import BookmarkFileError
from tui_reader.core.library import open_library
from tui_reader.core.storage import BOOKMARKS_FILE, LIBRARY_FILE


@pytest.fixture
def lib(tmp_path):
    library, _ = make_library(tmp_path)
    yield library
    library.close()


def test_bookmark_keeps_a_snapshot_of_the_article(lib):
    ids = article_ids(lib)
    bookmark = lib.bookmarks.add(ids["story-1"], note="read later", tags=["news, unicode"])
    article = lib.article(ids["story-1"])
    assert bookmark.title == article.title == 'Ünïcode & <tags> [brackets] "quotes"'
    assert bookmark.link == "https://news.example/a?x=1&y=2"
    assert bookmark.feed_title == "Example News"
    assert bookmark.author == "Ann"
    assert bookmark.published == datetime(2024, 1, 2, 10, 0, tzinfo=UTC)
    assert bookmark.summary == "First summary, with a comma"
    assert bookmark.note == "read later"
    assert bookmark.tags == ("news", "unicode")
    assert bookmark.article_id == article.id
    assert bookmark.bookmarked_at is not None
    assert abs((datetime.now(UTC) - bookmark.bookmarked_at).total_seconds()) < 60
    assert lib.article(article.id).bookmarked
    assert [a.id for a in lib.articles(bookmarked=True)] == [article.id]


def test_toggle_adds_then_removes_and_toggling_back_restores_note_and_tags(lib):
    article_id = article_ids(lib)["story-2"]
    added, bookmark = lib.bookmarks.toggle(article_id)
    assert added and lib.article(article_id).bookmarked
    lib.bookmarks.edit(bookmark.id, note="keep me", tags=["x"])
    added, removed = lib.bookmarks.toggle(article_id)
    assert not added and removed.note == "keep me"
    assert not lib.article(article_id).bookmarked
    assert lib.bookmarks.list() == []
    added, back = lib.bookmarks.toggle(article_id)
    assert added and back.note == "keep me" and back.tags == ("x",)
    assert back.bookmarked_at == bookmark.bookmarked_at


def test_list_is_newest_first_and_filters_by_tag(lib):
    ids = article_ids(lib)
    first = lib.bookmarks.add(ids["story-3"], tags=["later"])
    second = lib.bookmarks.add(ids["story-1"], tags=["later", "fun"])
    third = lib.bookmarks.add(ids["story-2"])
    # Same second: the id breaks the tie, newest first.
    assert [b.id for b in lib.bookmarks.list()] == [third.id, second.id, first.id]
    assert [b.id for b in lib.bookmarks.list("later")] == [second.id, first.id]
    assert [b.id for b in lib.bookmarks.list("fun")] == [second.id]
    assert lib.bookmarks.list("nope") == []
    assert lib.bookmarks.tags() == ["fun", "later"]


def test_bookmarking_again_adds_tags_and_replaces_the_note(lib):
    article_id = article_ids(lib)["story-1"]
    lib.bookmarks.add(article_id, note="one", tags=["a"])
    again = lib.bookmarks.add(article_id, note="two", tags=["b", "A"])
    assert again.note == "two" and again.tags == ("a", "b")
    assert len(lib.bookmarks.list()) == 1


def test_edit_delete_and_restore(lib):
    bookmark = lib.bookmarks.add(article_ids(lib)["story-1"])
    edited = lib.bookmarks.edit(bookmark.id, note="  line 1\r\nline 2\x07  ", tags=["b, a", " b "])
    assert edited.note == "line 1\nline 2" and edited.tags == ("b", "a")
    deleted = lib.bookmarks.delete(bookmark.id)
    assert lib.bookmarks.list() == []
    with pytest.raises(NotFoundError):
        lib.bookmarks.get(bookmark.id)
    restored = lib.bookmarks.restore(deleted)
    assert restored == edited
    assert lib.article(bookmark.article_id).bookmarked


def test_unknown_ids_are_not_found(lib):
    with pytest.raises(NotFoundError):
        lib.bookmarks.add(9999)
    with pytest.raises(NotFoundError):
        lib.bookmarks.edit(9999, note="x")
    with pytest.raises(NotFoundError):
        lib.bookmarks.delete(9999)


def test_bookmarks_survive_feed_removal(lib, tmp_path):
    ids = article_ids(lib)
    kept = lib.bookmarks.add(ids["story-1"], note="n", tags=["t"])
    lib.remove_feed(str(tmp_path / "news.xml"))
    assert lib.articles() == []
    [survivor] = lib.bookmarks.list()
    assert survivor.article_id is None  # the article is gone, the snapshot is not
    assert (survivor.title, survivor.link, survivor.feed_title, survivor.note, survivor.tags) == (
        kept.title, kept.link, kept.feed_title, "n", ("t",))
    assert survivor.summary == kept.summary and survivor.published == kept.published


def test_bookmarks_survive_a_deleted_library_file(tmp_path):
    library, feed = make_library(tmp_path)
    kept = library.bookmarks.add(article_ids(library)["story-3"], note="survives")
    library.close()
    data = tmp_path / "data"
    for name in (LIBRARY_FILE, LIBRARY_FILE + "-wal", LIBRARY_FILE + "-shm"):
        (data / name).unlink(missing_ok=True)
    assert (data / BOOKMARKS_FILE).exists()
    with open_library(data) as fresh:
        assert fresh.is_empty()
        [survivor] = fresh.bookmarks.list()
        assert survivor.note == "survives" and survivor.title == "Third story"
        assert survivor.article_id is None
        # Subscribing again ties the bookmark to the re-fetched article.
        fresh.add_feed(str(feed))
        article_id = article_ids(fresh)["story-3"]
        assert fresh.bookmarks.get(kept.id).article_id == article_id
        assert fresh.article(article_id).bookmarked


def test_bookmarks_live_in_their_own_file(lib, tmp_path):
    lib.bookmarks.add(article_ids(lib)["story-1"])
    conn = sqlite3.connect(tmp_path / "data" / BOOKMARKS_FILE)
    try:
        assert conn.execute("SELECT title FROM bookmarks").fetchall() == [
            ('Ünïcode & <tags> [brackets] "quotes"',)]
    finally:
        conn.close()
    conn = sqlite3.connect(tmp_path / "data" / LIBRARY_FILE)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()
    assert "bookmarks" not in tables


def test_import_firefox_export(lib):
    result = lib.bookmarks.import_file(FIXTURES / "firefox.html")
    assert (result.added, result.merged, result.skipped) == (5, 1, 2)  # place:, javascript:
    by_link = {b.link: b for b in lib.bookmarks.list()}
    assert set(by_link) == {
        "https://www.mozilla.org/en-US/firefox/central/",
        "https://lwn.net/Articles/954285/",
        "https://docs.python.org/3/whatsnew/3.12.html",
        "https://news.ycombinator.com/",
        "https://example.org/search?q=a&page=2",
    }
    lwn = by_link["https://lwn.net/Articles/954285/"]
    assert lwn.title == "LWN: Kernel & friends"
    # Folder, TAGS attribute, and the duplicate in the toolbar merged in.
    assert lwn.tags == ("Reading", "linux", "kernel", "toread")
    assert lwn.note == "Read the part about io_uring.\nSecond line of the note."
    assert lwn.bookmarked_at == datetime.fromtimestamp(1690000000, UTC)  # the earlier one
    python = by_link["https://docs.python.org/3/whatsnew/3.12.html"]
    # "python" from TAGS repeats the folder "Python": tags are unique ignoring case.
    assert python.tags == ("Reading", "Python", "release notes")
    assert python.title == "What’s New In Python 3.12"
    assert python.bookmarked_at == datetime.fromtimestamp(1700000400, UTC)
    # The toolbar and "Other Bookmarks" containers are not tags; their folder note is no note.
    hn = by_link["https://news.ycombinator.com/"]
    assert hn.tags == () and hn.note == ""
    assert by_link["https://example.org/search?q=a&page=2"].title == "Query <escaped> title"
    assert by_link["https://www.mozilla.org/en-US/firefox/central/"].tags == ()


def test_import_chrome_export_with_nested_folders(lib):
    result = lib.bookmarks.import_file(FIXTURES / "chrome.html")
    assert (result.added, result.merged, result.skipped) == (3, 0, 1)  # chrome://
    by_title = {b.title: b for b in lib.bookmarks.list()}
    assert by_title["Sourdough basics"].tags == ("Recipes", "Bread")
    assert by_title["GitHub"].tags == ()
    assert by_title["Wikipedia"].bookmarked_at == datetime.fromtimestamp(1700003000, UTC)
    assert lib.bookmarks.list()[0].title == "Wikipedia"  # newest first by ADD_DATE


def test_importing_twice_merges_instead_of_duplicating(lib):
    lib.bookmarks.import_file(FIXTURES / "firefox.html")
    before = lib.bookmarks.list()
    again = lib.bookmarks.import_file(FIXTURES / "firefox.html")
    assert again.added == 0 and again.merged == 6
    assert lib.bookmarks.list() == before


def test_imported_link_is_taken_over_when_the_article_is_bookmarked(lib, tmp_path):
    page = tmp_path / "one.html"
    page.write_text(
        '<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n'
        '<DT><A HREF="https://news.example/c" ADD_DATE="1600000000" TAGS="old">Old title</A>\n'
        "<DD>imported note\n</DL><p>\n",
        encoding="utf-8",
    )
    lib.bookmarks.import_file(page)
    article_id = article_ids(lib)["story-3"]
    assert not lib.article(article_id).bookmarked
    bookmark = lib.bookmarks.add(article_id, tags=["new"])
    assert len(lib.bookmarks.list()) == 1
    assert bookmark.title == "Third story" and bookmark.note == "imported note"
    assert bookmark.tags == ("old", "new")
    assert bookmark.bookmarked_at == datetime.fromtimestamp(1600000000, UTC)
    assert lib.article(article_id).bookmarked and bookmark.article_id == article_id


def test_json_round_trip_is_lossless(lib, tmp_path):
    ids = article_ids(lib)
    lib.bookmarks.add(ids["story-1"], note="multi\nline note", tags=["a", "b"])
    lib.bookmarks.add(ids["story-2"], tags=["=c"])
    lib.bookmarks.import_file(FIXTURES / "chrome.html")
    exported = tmp_path / "bookmarks.json"
    lib.bookmarks.export_to(exported, "json")
    with open_library(tmp_path / "other") as other:
        result = other.bookmarks.import_file(exported)
        assert (result.added, result.merged) == (5, 0)
        def unlinked(items):
            return [replace(b, article_id=None) for b in items]

        assert unlinked(other.bookmarks.list()) == unlinked(lib.bookmarks.list())
        again = tmp_path / "again.json"
        other.bookmarks.export_to(again, "json")
    first = json.loads(exported.read_text(encoding="utf-8"))["bookmarks"]
    second = json.loads(again.read_text(encoding="utf-8"))["bookmarks"]
    for item in first:
        item["article_id"] = None
    assert first == second


def test_bad_import_files_are_one_line_errors(lib, tmp_path):
    cases = {
        "missing.html": None,
        "text.txt": "just some text\n",
        "broken.json": "{ not json",
        "wrong.json": '{"bookmarks": {"a": 1}}',
        "bad-date.json": '[{"link": "https://x.example/", "published": "yesterday"}]',
        "bad-tags.json": '[{"link": "https://x.example/", "tags": [1, 2]}]',
    }
    for name, content in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_text(content, encoding="utf-8")
        with pytest.raises(BookmarkFileError) as info:
            lib.bookmarks.import_file(path)
        assert "\n" not in str(info.value) and name in str(info.value)
    assert lib.bookmarks.list() == []
