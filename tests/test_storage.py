"""Storage on real SQLite files: schema, upserts, read state, transactions."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_reader.core.errors import NotFoundError
from tui_reader.core.models import Author, Enclosure, ParsedEntry
from tui_reader.core.storage import Storage
from tui_reader.core.storage import articles as article_sql
from tui_reader.core.storage import feeds as feed_sql
from tui_reader.core.storage.articles import ArticleQuery
from tui_reader.core.storage.schema import LIBRARY_MIGRATIONS


def entry(guid: str, title: str = "", **kw: object) -> ParsedEntry:
    return ParsedEntry(guid=guid, title=title or f"Title {guid}", **kw)  # type: ignore[arg-type]


@pytest.fixture
def storage(tmp_path):
    store = Storage(tmp_path)
    yield store
    store.close()


def test_schema_version_wal_and_separate_bookmarks_file(storage, tmp_path):
    conn = storage.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(LIBRARY_MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert (tmp_path / "library.sqlite3").exists()
    assert (tmp_path / "bookmarks.sqlite3").exists()
    names = {r[0] for r in conn.execute("SELECT name FROM bm.sqlite_master")}
    assert "bookmarks" in names


def test_reopening_does_not_migrate_again(tmp_path):
    Storage(tmp_path).close()
    store = Storage(tmp_path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(LIBRARY_MIGRATIONS)
    store.close()


def test_newer_schema_is_refused(tmp_path):
    Storage(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "library.sqlite3")
    conn.execute(f"PRAGMA user_version = {len(LIBRARY_MIGRATIONS) + 5}")
    conn.close()
    with pytest.raises(sqlite3.DatabaseError, match="newer"):
        Storage(tmp_path)


def test_same_guid_updates_in_place_and_keeps_read_state(storage):
    with storage.transaction() as conn:
        fid = feed_sql.insert_feed(conn, "http://x/feed")
        new, updated = article_sql.store_entries(conn, fid, [entry("a"), entry("b")])
    assert len(new) == 2 and updated == []
    with storage.transaction() as conn:
        article_sql.set_read(conn, [new[0]])
    with storage.transaction() as conn:
        new2, updated2 = article_sql.store_entries(
            conn, fid, [entry("a", "Changed title"), entry("b"), entry("c")]
        )
    assert len(new2) == 1 and updated2 == [new[0]]
    changed = article_sql.get_article(storage.conn, new[0])
    assert changed.title == "Changed title"
    assert changed.read is True
    assert article_sql.count_articles(storage.conn, ArticleQuery()) == 3


def test_duplicate_guids_inside_one_document_are_stored_once(storage):
    with storage.transaction() as conn:
        fid = feed_sql.insert_feed(conn, "http://x/feed")
        new, _ = article_sql.store_entries(conn, fid, [entry("a"), entry("a", "again")])
    assert len(new) == 1


def test_article_round_trip_of_every_field(storage):
    published = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    full = ParsedEntry(
        guid="g", title="T", link="http://x/a", authors=(Author("Ann", "a@x", "http://x/ann"),),
        published=published, updated=published, summary="S", content_html="<p>B</p>",
        text="B", enclosures=(Enclosure("http://x/a.mp3", "audio/mpeg", 12),),
        categories=("c1", "c2"), related_links=("http://x/b",),
    )
    with storage.transaction() as conn:
        fid = feed_sql.insert_feed(conn, "http://x/feed", title="Feed")
        (aid,), _ = article_sql.store_entries(conn, fid, [full])
    got = article_sql.get_article(storage.conn, aid)
    assert (got.title, got.link, got.summary, got.content_html, got.text) == (
        "T", "http://x/a", "S", "<p>B</p>", "B")
    assert got.authors == full.authors and got.enclosures == full.enclosures
    assert got.categories == ("c1", "c2") and got.published == published
    assert got.feed_title == "Feed" and got.author == "Ann"
    assert article_sql.related_links(storage.conn, aid) == ["http://x/b"]


def test_a_failed_transaction_stores_nothing(storage):
    with pytest.raises(RuntimeError), storage.transaction() as conn:
        fid = feed_sql.insert_feed(conn, "http://x/feed")
        article_sql.store_entries(conn, fid, [entry("a")])
        raise RuntimeError("boom")
    assert feed_sql.count_feeds(storage.conn) == 0
    assert article_sql.count_articles(storage.conn, ArticleQuery()) == 0


def test_lists_are_newest_first_paged_and_filtered(storage):
    with storage.transaction() as conn:
        fid = feed_sql.insert_feed(conn, "http://x/1")
        other = feed_sql.insert_feed(conn, "http://x/2")
        feed_sql.add_tags(conn, "http://x/2", ["news"])
        article_sql.store_entries(conn, fid, [
            entry(str(i), published=datetime(2026, 1, i + 1, tzinfo=UTC)) for i in range(10)
        ])
        article_sql.store_entries(conn, other, [entry("o")])
    rows = article_sql.list_articles(storage.conn, ArticleQuery(feed_url="http://x/1"),
                                     limit=3, offset=2)
    assert [r.guid for r in rows] == ["7", "6", "5"]
    tagged = article_sql.list_articles(storage.conn, ArticleQuery(tag="news"))
    assert [r.guid for r in tagged] == ["o"]
    with storage.transaction() as conn:
        assert article_sql.mark_all_read(conn, ArticleQuery(feed_url="http://x/1")) == 10
    feeds = {f.url: f for f in feed_sql.list_feeds(storage.conn)}
    assert feeds["http://x/1"].unread == 0 and feeds["http://x/1"].total == 10
    assert feeds["http://x/2"].unread == 1 and feeds["http://x/2"].tags == ("news",)


def test_fts_index_follows_inserts_updates_and_deletes(storage):
    with storage.transaction() as conn:
        fid = feed_sql.insert_feed(conn, "http://x/feed")
        article_sql.store_entries(conn, fid, [entry("a", "lighthouse keeper")])
    assert len(article_sql.fts_candidates(storage.conn, "lighthouse", 5)) == 1
    with storage.transaction() as conn:
        article_sql.store_entries(conn, fid, [entry("a", "bicycle repair")])
    assert article_sql.fts_candidates(storage.conn, "lighthouse", 5) == []
    assert len(article_sql.fts_candidates(storage.conn, "bicycle", 5)) == 1
    with storage.transaction() as conn:
        feed_sql.delete_feed(conn, "http://x/feed")
    assert article_sql.fts_candidates(storage.conn, "bicycle", 5) == []
    check = storage.conn.execute(
        "INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
    assert check is not None


def test_unknown_ids_and_urls_raise_not_found(storage):
    with pytest.raises(NotFoundError):
        article_sql.get_article(storage.conn, 12345)
    with pytest.raises(NotFoundError):
        feed_sql.get_feed(storage.conn, "http://nowhere/")


def test_permanent_redirect_moves_feed_unless_taken(storage):
    with storage.transaction() as conn:
        fid = feed_sql.insert_feed(conn, "http://old/feed")
        feed_sql.insert_feed(conn, "http://taken/feed")
        assert feed_sql.move_feed(conn, fid, "http://new/feed")
        assert not feed_sql.move_feed(conn, fid, "http://taken/feed")
    assert {f.url for f in feed_sql.list_feeds(storage.conn)} == {
        "http://new/feed", "http://taken/feed"}


def test_connections_are_per_thread(storage):
    import threading

    seen = []
    thread = threading.Thread(target=lambda: seen.append(storage.conn))
    thread.start()
    thread.join()
    assert seen[0] is not storage.conn


_ANY_STR = st.text() | st.sampled_from(
    ["", 'a"b\\c', "\ud800x", "é日本😀", "\x00\x1f\x7f", "\u2028"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_ANY_STR, _ANY_STR, _ANY_STR), max_size=3),
       st.lists(_ANY_STR, max_size=3), st.lists(_ANY_STR, max_size=3))
def test_entry_row_json_is_what_json_dumps_writes(
    authors: list[tuple[str, str, str]], categories: list[str], related: list[str]
) -> None:
    entry = ParsedEntry(guid="g", title="t", authors=tuple(Author(*a) for a in authors),
                        categories=tuple(categories), related_links=tuple(related))
    row = article_sql.entry_row(entry)
    assert row[4] == json.dumps([{"name": n, "email": e, "url": u} for n, e, u in authors])
    assert row[12] == json.dumps(categories)
    assert row[13] == json.dumps(related)
