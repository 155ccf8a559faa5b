"""A refresh leaves out, before normalizing them, the entries it stored from the same source
before (source hashes), against real SQLite files and a loopback server."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import fields, replace
from datetime import UTC, datetime

import pytest

from tui_reader.core import update
from tui_reader.core.library import open_library
from tui_reader.core.models import Author, ParsedEntry
from tui_reader.core.sources import normalize
from tui_reader.core.sources.normalize import RawEntry, source_context, source_hash
from tui_reader.core.storage import LIBRARY_FILE, Storage
from tui_reader.core.storage import articles as article_sql
from tui_reader.core.storage import feeds as feed_sql
from tui_reader.core.storage.db import connect, transaction
from tui_reader.core.storage.schema import LIBRARY_MIGRATIONS

Item = tuple[str, str, str]  # guid, title, body


def rss(items: list[Item]) -> str:
    """An RSS document of ``items``, in order (a guid may repeat)."""
    entries = "".join(
        f"""<item><title>{title}</title><link>http://example.test/{guid}</link>
        <guid>{guid}</guid><pubDate>Mon, 01 Jun 2026 10:00:00 +0200</pubDate>
        <description><![CDATA[<p>{body}</p>]]></description></item>"""
        for guid, title, body in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour</title><link>http://example.test/</link>
{entries}</channel></rss>"""


def items(count: int) -> list[Item]:
    return [(f"g{i}", f"story {i}", f"body of story {i}") for i in range(count)]


@pytest.fixture
def lib(tmp_path):
    library = open_library(tmp_path / "data")
    yield library
    library.close()


@pytest.fixture
def normalized(monkeypatch) -> list[str]:
    """The titles of the raw entries normalized in this process (the thread-parsing path
    of a small refresh, and ``add``)."""
    seen: list[str] = []
    real = normalize.normalize_entry

    def counting(raw, *args, **kwargs):
        seen.append(raw.title)
        return real(raw, *args, **kwargs)

    monkeypatch.setattr(normalize, "normalize_entry", counting)
    return seen


def rows_by_guid(lib) -> dict[str, dict]:
    rows = lib.storage.conn.execute("SELECT * FROM articles")
    return {row["guid"]: dict(row) for row in rows}


def fts_ids(lib, word: str) -> set[int]:
    rows = lib.storage.conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (word,))
    return {row[0] for row in rows}


# -- the source hash -----------------------------------------------------------------------


def full_raw_entry() -> RawEntry:
    return RawEntry(
        id="urn:1", title="T", title_is_html=None, link="/a", base="http://b.test/",
        authors=[("Ann", "ann@x.test", "/ann")], published="2026-06-01T10:00:00Z",
        updated="2026-06-02T10:00:00Z", summary="<p>s</p>", summary_type="html",
        content="<p>c</p>", content_type="html", enclosures=[("/e.mp3", "audio/mpeg", 12)],
        categories=["boats"], related=["/r"],
    )


def changed(value: object) -> object:
    """Another value of the same kind."""
    if value is None or isinstance(value, bool):
        return {None: True, True: False, False: None}[value]
    if isinstance(value, str):
        return value + "~"
    assert isinstance(value, list) and value, value
    return [*value, value[0]]


def test_source_hash_changes_with_every_raw_entry_field():
    context = source_context("http://f.test/feed", "http://f.test/", ())
    raw = full_raw_entry()
    base = source_hash(raw, context)
    assert source_hash(full_raw_entry(), context) == base  # equal entries, equal hashes
    hashes = {base}
    for f in fields(RawEntry):
        other = source_hash(replace(raw, **{f.name: changed(getattr(raw, f.name))}), context)
        assert other not in hashes, f.name
        hashes.add(other)
    assert source_hash(replace(raw, published=None), context) not in hashes
    assert source_hash(replace(raw, published=1), context) != source_hash(
        replace(raw, published="1"), context)  # types are told apart


def test_source_hash_changes_with_the_feed_context(monkeypatch):
    raw = full_raw_entry()
    contexts = [
        ("http://f.test/feed", "http://f.test/", ()),
        ("http://f.test/other", "http://f.test/", ()),
        ("http://f.test/feed", "http://g.test/", ()),
        ("http://f.test/feed", "http://f.test/", (Author(name="Bea"),)),
    ]
    hashes = {source_hash(raw, source_context(*c)) for c in contexts}
    assert len(hashes) == len(contexts)
    monkeypatch.setattr(normalize, "NORMALIZE_VERSION", normalize.NORMALIZE_VERSION + 1)
    assert source_hash(raw, source_context(*contexts[0])) not in hashes


def test_stored_sources_are_the_newest_articles_with_a_source_hash(tmp_path):
    storage = Storage(tmp_path)
    try:
        with storage.transaction() as conn:
            fid = feed_sql.insert_feed(conn, "http://f.test/feed")
            other = feed_sql.insert_feed(conn, "http://g.test/feed")
            entries = [ParsedEntry(guid=f"g{day}", title=f"t{day}",
                                   published=datetime(2026, 6, day, tzinfo=UTC))
                       for day in range(1, 6)]
            rows = [article_sql.entry_row(e, f"s{i}" if i else "") for i, e in enumerate(entries)]
            article_sql.store_rows(conn, fid, rows)
            article_sql.store_rows(conn, other, [article_sql.entry_row(entries[0], "x")])
        conn = storage.conn
        assert article_sql.stored_sources(conn, fid) == {f"s{i}": f"g{i + 1}" for i in (1, 2, 3, 4)}
        assert article_sql.stored_sources(conn, fid, limit=2) == {"s4": "g5", "s3": "g4"}
        assert article_sql.stored_sources(conn, other) == {"x": "g1"}
    finally:
        storage.close()


# -- refreshing ----------------------------------------------------------------------------


def test_only_changed_and_new_entries_are_normalized(lib, feed_server, normalized):
    feed_server.route("/feed.xml", rss(items(5)))  # no validators: every refresh gets a 200
    feed, result = lib.add_feed(feed_server.url("/feed.xml"))
    assert result.new == 5 and len(normalized) == 5
    first = {a.guid: a for a in lib.articles(feed_url=feed.url)}
    lib.set_read([first["g1"].id, first["g2"].id])
    before = rows_by_guid(lib)
    assert all(row["source_hash"] for row in before.values())

    normalized.clear()
    summary = lib.refresh()  # nothing changed
    assert summary.new == 0 and summary.results[0].updated == 0 and normalized == []

    edited = items(6)
    edited[1] = ("g1", "story 1", "a rewritten lighthouse")
    feed_server.update("/feed.xml", rss(edited))
    summary = lib.refresh()
    assert sorted(normalized) == ["story 1", "story 5"]
    assert summary.new == 1 and summary.results[0].updated == 1
    after = rows_by_guid(lib)
    assert after["g1"]["id"] == first["g1"].id and after["g1"]["read"] == 1
    assert after["g1"]["text"] == "a rewritten lighthouse"
    assert after["g1"]["source_hash"] not in ("", before["g1"]["source_hash"])
    assert fts_ids(lib, "lighthouse") == {first["g1"].id}  # re-indexed in place
    for guid in ("g0", "g2", "g3", "g4"):
        assert after[guid] == before[guid]  # untouched, read state and all
    assert after["g5"]["source_hash"] and fts_ids(lib, "5") == {after["g5"]["id"]}


def test_the_worker_returns_rows_for_changed_entries_only(lib, feed_server):
    feed_server.route("/feed.xml", rss(items(4)))
    feed, _ = lib.add_feed(feed_server.url("/feed.xml"))
    fid = feed_sql.feed_id(lib.storage.conn, feed.url)
    known = article_sql.stored_sources(lib.storage.conn, fid)
    assert sorted(known.values()) == ["g0", "g1", "g2", "g3"]
    edited = [*items(4), ("g4", "story 4", "new")]
    edited[2] = ("g2", "story two", "body of story 2")
    content = rss(edited).encode()
    parsed, (rows, terms) = update._parse_in_worker(
        content, None, 1 << 20, feed.url, "application/rss+xml", (), known)
    assert parsed.title == "Harbour" and parsed.entries == ()
    assert [row[0] for row in rows] == ["g2", "g4"] and len(terms) == 2
    _, (all_rows, _) = update._parse_in_worker(content, None, 1 << 20, feed.url, None)
    assert len(all_rows) == 5  # without stored hashes: every entry


def test_an_upgraded_library_refreshes_and_fills_in_source_hashes(
    tmp_path, feed_server, normalized
):
    """A library at schema 5 (no source_hash column) with articles stored the old way."""
    feed_server.route("/feed.xml", rss(items(3)))
    url = feed_server.url("/feed.xml")
    data = tmp_path / "data"
    data.mkdir()
    conn = connect(data / LIBRARY_FILE, LIBRARY_MIGRATIONS[:5])
    parsed = update.parse_feed(rss(items(3)).encode(), url)
    columns = article_sql.ROW_COLUMNS[:-1]  # the old row: without source_hash
    assert "source_hash" not in columns
    with transaction(conn):
        fid = feed_sql.insert_feed(conn, url, title="Harbour")
        for aid, entry in enumerate(parsed.entries, start=1):
            row = article_sql.entry_row(entry)[:-1]
            conn.execute(
                f"INSERT INTO articles (id, feed_id, {', '.join(columns)}, first_seen)"
                f" VALUES ({', '.join('?' * (len(columns) + 3))})",
                (aid, fid, *row[:7], row[7], *row[8:], row[7]))
        article_sql.index_text_of(conn, [1, 2, 3])
        conn.execute("UPDATE articles SET read = 1 WHERE guid = 'g0'")
    conn.close()

    lib = open_library(data)
    try:
        version = lib.storage.conn.execute("PRAGMA user_version").fetchone()[0]
        assert version == len(LIBRARY_MIGRATIONS)
        before = rows_by_guid(lib)
        assert {row["source_hash"] for row in before.values()} == {""}
        edited = [*items(3), ("g3", "story 3", "fresh")]
        feed_server.update("/feed.xml", rss(edited))
        normalized.clear()
        summary = lib.refresh()
        assert summary.new == 1 and summary.results[0].updated == 0
        assert len(normalized) == 4  # no stored hashes yet: all of them
        after = rows_by_guid(lib)
        assert all(row["source_hash"] for row in after.values())
        for guid in ("g0", "g1", "g2"):  # only the source hash was written
            assert {**after[guid], "source_hash": ""} == before[guid]
        assert after["g0"]["read"] == 1 and fts_ids(lib, "fresh") == {after["g3"]["id"]}
        normalized.clear()
        lib.refresh()
        assert normalized == []  # the filled-in hashes are used
    finally:
        lib.close()


def test_a_new_normalize_version_normalizes_everything_again(
    lib, feed_server, normalized, monkeypatch
):
    feed_server.route("/feed.xml", rss(items(3)))
    lib.add_feed(feed_server.url("/feed.xml"))
    before = rows_by_guid(lib)
    monkeypatch.setattr(normalize, "NORMALIZE_VERSION", normalize.NORMALIZE_VERSION + 1)
    normalized.clear()
    summary = lib.refresh()
    assert len(normalized) == 3 and summary.new == 0 and summary.results[0].updated == 0
    after = rows_by_guid(lib)
    assert {g: r["source_hash"] for g, r in after.items()}.keys() == before.keys()
    assert all(after[g]["source_hash"] != before[g]["source_hash"] for g in before)


def test_a_not_modified_refresh_reads_no_source_hashes(lib, feed_server, monkeypatch):
    feed_server.route("/feed.xml", rss(items(2)), etag=True)
    lib.add_feed(feed_server.url("/feed.xml"))
    calls: list[int] = []
    real = article_sql.stored_sources

    def counting(conn: sqlite3.Connection, fid: int) -> dict[str, str]:
        calls.append(fid)
        return real(conn, fid)

    monkeypatch.setattr(article_sql, "stored_sources", counting)
    statements: list[str] = []
    lib.storage.conn.set_trace_callback(statements.append)  # the refreshing thread's
    summary = lib.refresh()
    assert summary.results[0].not_modified
    assert calls == [] and not any("source_hash" in s for s in statements)
    feed_server.update("/feed.xml", rss(items(3)))  # a new ETag: a 200
    assert lib.refresh().new == 1
    assert len(calls) == 1 and sum("source_hash" in s for s in statements) == 1


def test_killfile_rules_still_drop_new_entries(lib, feed_server, normalized):
    feed_server.route("/feed.xml", rss(items(3)))
    feed, _ = lib.add_feed(feed_server.url("/feed.xml"))
    lib.add_filter("title:story 1", feed.url)  # stored before the rule: stays
    lib.add_filter("title:story 4")
    feed_server.update("/feed.xml", rss(items(6)))
    normalized.clear()
    summary = lib.refresh()
    assert sorted(normalized) == ["story 3", "story 4", "story 5"]
    assert summary.new == 2
    assert {a.guid for a in lib.articles(feed_url=feed.url)} == {"g0", "g1", "g2", "g3", "g5"}


def test_add_with_a_killfile_rule_stores_source_hashes_of_the_kept(
    lib, feed_server, normalized
):
    lib.add_filter("title:story 1")
    url = feed_server.url("/feed.xml")
    feed_server.route("/feed.xml", rss(items(3)))
    lib.add_feed(url)
    assert sorted(rows_by_guid(lib)) == ["g0", "g2"]
    fid = feed_sql.feed_id(lib.storage.conn, url)
    _, hashes = update.parse_changed(rss(items(3)).encode(), url)
    assert article_sql.stored_sources(lib.storage.conn, fid) == {
        hashes[0]: "g0", hashes[2]: "g2"}
    normalized.clear()
    assert lib.refresh().new == 0
    assert normalized == ["story 1"]  # the killed one, every time


def test_a_later_duplicate_guid_does_not_overwrite_an_unchanged_entry(lib, feed_server):
    feed_server.route("/feed.xml", rss(items(2)))
    feed, _ = lib.add_feed(feed_server.url("/feed.xml"))
    stored = rows_by_guid(lib)["g0"]
    # After the unchanged g0, another entry with its guid: storing keeps the first.
    feed_server.update("/feed.xml", rss([*items(2), ("g0", "impostor", "other body")]))
    summary = lib.refresh()
    assert summary.new == 0 and summary.results[0].updated == 0
    assert rows_by_guid(lib)["g0"] == stored
    # Before it, it is the first of its guid: it updates the article, as it always did.
    feed_server.update("/feed.xml", rss([("g0", "impostor", "other body"), *items(2)]))
    summary = lib.refresh()
    assert summary.results[0].updated == 1
    assert rows_by_guid(lib)["g0"]["title"] == "impostor"
    summary = lib.refresh()  # now the impostor is the unchanged one; the later g0 is dropped
    assert summary.results[0].updated == 0
    assert rows_by_guid(lib)["g0"]["title"] == "impostor"
    assert lib.count_articles(feed_url=feed.url) == 2


def test_hostile_values_hash_stably(lib, feed_server, normalized):
    """Lone surrogates, numbers and nested objects where strings belong (JSON Feed)."""
    item = {"id": 7, "url": "/a", "title": "bad \\ud800 title",
            "content_html": "<p>x \\udfff y</p>", "tags": [{"nested": [1, 2.5, None]}, "t"],
            "authors": [{"name": {"odd": True}}], "date_published": 20260601}
    doc = ('{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ['
           + json.dumps(item).replace("\\\\u", "\\u") + "]}")
    feed_server.route("/feed.json", doc, content_type="application/feed+json")
    _, result = lib.add_feed(feed_server.url("/feed.json"))
    assert result.new == 1 and len(normalized) == 1
    assert all(row["source_hash"] for row in rows_by_guid(lib).values())
    normalized.clear()
    assert lib.refresh().new == 0 and normalized == []
