"""Queries on cached articles: paged lists without bodies, one article with its body,
storing a parsed feed's entries, and read state."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from tui_reader.core.errors import NotFoundError
from tui_reader.core.models import (
    Article,
    ArticleSummary,
    Author,
    Enclosure,
    PageStory,
    ParsedEntry,
)
from tui_reader.core.storage.db import from_iso, now_iso, to_iso, transaction

BOOKMARKED = (
    "EXISTS (SELECT 1 FROM bm.bookmarks b WHERE b.feed_url = f.url AND b.guid = a.guid)"
)
FEED_TITLE = "COALESCE(f.user_title, NULLIF(f.title, ''), f.url)"
_SUMMARY_COLUMNS = f"""
    a.id, f.url AS feed_url, {FEED_TITLE} AS feed_title, a.guid, a.title, a.link, a.author,
    a.sort_date, a.read, {BOOKMARKED} AS bookmarked
"""


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """Which articles a list shows. All filters combine with AND."""

    feed_url: str | None = None
    tag: str | None = None
    unread_only: bool = False
    bookmarked_only: bool = False
    ids: tuple[int, ...] | None = None


def _where(query: ArticleQuery) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if query.feed_url is not None:
        clauses.append("f.url = ?")
        params.append(query.feed_url)
    if query.tag is not None:
        clauses.append("a.feed_id IN (SELECT feed_id FROM feed_tags WHERE tag = ?)")
        params.append(query.tag)
    if query.unread_only:
        clauses.append("a.read = 0")
    if query.bookmarked_only:
        clauses.append(BOOKMARKED)
    if query.ids is not None:
        clauses.append(f"a.id IN ({','.join('?' * len(query.ids))})")
        params.extend(query.ids)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _summary(row: sqlite3.Row) -> ArticleSummary:
    return ArticleSummary(
        id=row["id"],
        feed_url=row["feed_url"],
        feed_title=row["feed_title"],
        guid=row["guid"],
        title=row["title"],
        link=row["link"],
        author=row["author"],
        published=from_iso(row["sort_date"]),
        read=bool(row["read"]),
        bookmarked=bool(row["bookmarked"]),
    )


def list_articles(
    conn: sqlite3.Connection, query: ArticleQuery, *, limit: int | None = None, offset: int = 0
) -> list[ArticleSummary]:
    """Newest first, without bodies; ``limit``/``offset`` page through big lists."""
    where, params = _where(query)
    sql = (
        f"SELECT {_SUMMARY_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id{where}"
        " ORDER BY a.sort_date DESC, a.id DESC LIMIT ? OFFSET ?"
    )
    rows = conn.execute(sql, [*params, -1 if limit is None else limit, offset])
    return [_summary(row) for row in rows]


def count_articles(conn: sqlite3.Connection, query: ArticleQuery) -> int:
    where, params = _where(query)
    sql = f"SELECT COUNT(*) FROM articles a JOIN feeds f ON f.id = a.feed_id{where}"
    return conn.execute(sql, params).fetchone()[0]


def summaries_by_ids(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, ArticleSummary]:
    """Rows for the given ids (missing ids are left out)."""
    if not ids:
        return {}
    rows = list_articles(conn, ArticleQuery(ids=tuple(ids)))
    return {row.id: row for row in rows}


_FULL_COLUMNS = f"a.*, f.url AS feed_url, {FEED_TITLE} AS feed_title, {BOOKMARKED} AS bookmarked"


def get_article(conn: sqlite3.Connection, article_id: int) -> Article:
    """One article with its body; :class:`NotFoundError` for an unknown id."""
    row = conn.execute(
        f"SELECT {_FULL_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.id = ?",
        (article_id,),
    ).fetchone()
    if row is None:
        raise NotFoundError(f"no article with id {article_id}")
    return _article(row)


def iter_articles(
    conn: sqlite3.Connection, query: ArticleQuery, *, limit: int | None = None
) -> Iterator[Article]:
    """The articles of :func:`list_articles` with their bodies, read one row at a time (a
    whole cache never sits in memory)."""
    where, params = _where(query)
    sql = (
        f"SELECT {_FULL_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id{where}"
        " ORDER BY a.sort_date DESC, a.id DESC LIMIT ?"
    )
    for row in conn.execute(sql, [*params, -1 if limit is None else limit]):
        yield _article(row)


def _article(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        feed_url=row["feed_url"],
        feed_title=row["feed_title"],
        guid=row["guid"],
        title=row["title"],
        link=row["link"],
        authors=tuple(Author(**a) for a in json.loads(row["authors"])),
        published=from_iso(row["published"]),
        updated=from_iso(row["updated"]),
        summary=row["summary"],
        content_html=row["content_html"],
        text=row["text"],
        enclosures=tuple(Enclosure(**e) for e in json.loads(row["enclosures"])),
        categories=tuple(json.loads(row["categories"])),
        read=bool(row["read"]),
        bookmarked=bool(row["bookmarked"]),
    )


def related_links(conn: sqlite3.Connection, article_id: int) -> list[str]:
    """The links an article declares related (from its feed or its HTML)."""
    row = conn.execute("SELECT related_links FROM articles WHERE id = ?", (article_id,)).fetchone()
    return json.loads(row[0]) if row else []


def ids_by_links(conn: sqlite3.Connection, links: Iterable[str]) -> dict[str, int]:
    """Article ids for the given links (the newest article when several share one)."""
    result: dict[str, int] = {}
    for link in links:
        row = conn.execute(
            "SELECT id FROM articles WHERE link = ? ORDER BY sort_date DESC LIMIT 1", (link,)
        ).fetchone()
        if row:
            result[link] = row[0]
    return result


# What storing an entry writes, in this order (see :func:`entry_row`).
ROW_COLUMNS = (
    "guid", "title", "link", "author", "authors", "published", "updated", "sort_date",
    "summary", "content_html", "text", "enclosures", "categories", "related_links", "hash",
    "source_hash",
)  # fmt: skip
_GUID, _SORT_DATE, _HASH, _SOURCE_HASH = 0, 7, 14, 15
EntryRow = tuple[object, ...]
_INSERT_WIDTH = len(ROW_COLUMNS) + 3  # id, feed_id, the row, first_seen
_INSERT = f"INSERT INTO articles (id, feed_id, {', '.join(ROW_COLUMNS)}, first_seen) VALUES "
_INSERT_MARKS = "(" + ", ".join("?" * _INSERT_WIDTH) + ")"
_UPDATE = f"UPDATE articles SET {', '.join(c + ' = ?' for c in ROW_COLUMNS[1:])} WHERE id = ?"
_UPDATE_UNDATED = "UPDATE articles SET {} WHERE id = ?".format(
    ", ".join(c + " = ?" for c in ROW_COLUMNS[1:] if c != "sort_date")
)
_UPDATE_SOURCE = "UPDATE articles SET source_hash = ? WHERE id = ?"


def _entry_hash(entry: ParsedEntry, published: str | None, updated: str | None) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in (entry.title, entry.link, entry.summary, entry.content_html,
                 updated or "", published or ""):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def entry_row(entry: ParsedEntry, source_hash: str = "") -> EntryRow:
    """The column values (:data:`ROW_COLUMNS`) storing ``entry`` writes; ``sort_date`` is
    None for an undated entry. ``source_hash``: of the raw entry it was normalized from
    ('' if unknown). Needs no connection, so parse workers compute it."""
    published = to_iso(entry.published)
    updated = to_iso(entry.updated)
    authors = entry.authors
    # The JSON of strings as json.dumps writes it, without its setup per call (a third of
    # the time of this row).
    quote = json.encoder.encode_basestring_ascii
    return (
        entry.guid,
        entry.title,
        entry.link,
        ", ".join(a.name or a.email for a in authors if a.name or a.email),
        "[" + ", ".join(f'{{"name": {quote(a.name)}, "email": {quote(a.email)}, '
                        f'"url": {quote(a.url)}}}' for a in authors) + "]",
        published,
        updated,
        published or updated,
        entry.summary,
        entry.content_html,
        entry.text,
        json.dumps([{"url": e.url, "type": e.type, "length": e.length}
                    for e in entry.enclosures]) if entry.enclosures else "[]",
        "[" + ", ".join(map(quote, entry.categories)) + "]",
        "[" + ", ".join(map(quote, entry.related_links)) + "]",
        _entry_hash(entry, published, updated),
        source_hash,
    )


def store_entries(
    conn: sqlite3.Connection,
    fid: int,
    entries: Sequence[ParsedEntry],
    rows: Sequence[EntryRow] | None = None,
) -> tuple[list[int], list[int]]:
    """Insert new entries and update changed ones in place (same guid → same id).

    Read state is kept. Returns the ids of new and of updated articles. ``rows`` are the
    entries' :func:`entry_row` values when they were computed already (in a parse worker).
    """
    if rows is None:
        rows = [entry_row(entry) for entry in entries]
    new, updated = store_rows(conn, fid, rows)
    return [aid for aid, _ in new], [aid for aid, _ in updated]


def store_rows(
    conn: sqlite3.Connection, fid: int, rows: Sequence[EntryRow], *, index_text: bool = True
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """:func:`store_entries` for computed rows: (article id, index in ``rows``) of the new
    and of the updated articles. New articles enter the full-text index here, unless
    ``index_text`` is False: then the caller must :func:`index_text` them before its
    transaction ends (a refresh does it once for many feeds).

    A row whose stored article is the same but has another (or no) source hash only
    has its source hash written: it is not an update (nothing to re-index)."""
    with transaction(conn):  # the write lock: new ids are taken from MAX(id)
        existing = {
            row[0]: (row[1], row[2], row[3])
            for row in conn.execute(
                "SELECT guid, id, hash, source_hash FROM articles WHERE feed_id = ?", (fid,)
            )
        }
        now = now_iso()
        seen: set[object] = {  # expired stories stay gone (see expire_articles)
            row[0] for row in conn.execute("SELECT guid FROM expired WHERE feed_id = ?", (fid,))
        }
        inserts: list[int] = []
        updates: list[tuple[int, int]] = []
        sources: list[tuple[object, int]] = []
        for index, row in enumerate(rows):
            guid = row[_GUID]
            if guid in seen:
                continue
            seen.add(guid)
            old = existing.get(guid)  # type: ignore[call-overload]
            if old is None:
                inserts.append(index)
            elif old[1] != row[_HASH]:
                updates.append((old[0], index))
            elif row[_SOURCE_HASH] and old[2] != row[_SOURCE_HASH]:
                sources.append((row[_SOURCE_HASH], old[0]))
        new: list[tuple[int, int]] = []
        if inserts:
            first = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM articles").fetchone()[0]
            new = list(zip(range(first, first + len(inserts)), inserts, strict=True))
            _insert_rows(conn, [
                (aid, fid, *row[:_SORT_DATE], row[_SORT_DATE] or now, *row[_SORT_DATE + 1:], now)
                for aid, row in ((aid, rows[index]) for aid, index in new)
            ])
            if index_text:
                index_text_of(conn, [aid for aid, _ in new])
        for aid, index in updates:
            row = rows[index]
            if row[_SORT_DATE] is None:  # an undated entry keeps its place in the list
                values = row[1:_SORT_DATE] + row[_SORT_DATE + 1:]
                conn.execute(_UPDATE_UNDATED, (*values, aid))
            else:
                conn.execute(_UPDATE, (*row[1:], aid))
        if sources:
            conn.executemany(_UPDATE_SOURCE, sources)
    return new, updates


# Source hashes a refresh reads per feed at most: the newest articles, more than a feed
# document holds (a feed that kept years of articles must not ship them all to a worker).
STORED_SOURCES_MAX = 5_000


def stored_sources(
    conn: sqlite3.Connection, fid: int, limit: int = STORED_SOURCES_MAX
) -> dict[str, str]:
    """Source hash -> guid of a feed's newest ``limit`` articles that have a source hash,
    and of its expired ones (what a refresh need not normalize again: see
    ``sources.normalize.SourceHashes``)."""
    rows = conn.execute(
        "SELECT source_hash, guid FROM (SELECT source_hash, guid FROM articles"
        " WHERE feed_id = ? AND source_hash != '' ORDER BY sort_date DESC, id DESC LIMIT ?)"
        " UNION ALL SELECT source_hash, guid FROM (SELECT source_hash, guid FROM expired"
        " WHERE feed_id = ? AND source_hash != '' LIMIT ?)",
        (fid, limit, fid, limit),
    )
    return {row[0]: row[1] for row in rows}


EXPIRE_CHUNK = 500  # articles deleted per transaction: the write lock is never held long


def expire_articles(conn: sqlite3.Connection, before: str, *, unread: bool = False) -> int:
    """Delete the read articles dated before ``before`` (an ISO time as stored), the
    unread ones too if ``unread``; bookmarked ones stay. Their guids are kept per feed, so
    a story that is still in its feed's document is not stored again as a new one (an
    unsubscribed feed takes them along). Returns how many were deleted.

    It deletes :data:`EXPIRE_CHUNK` articles a transaction (each checked again in it), so
    the app marking a story read meanwhile waits a fraction of a second at most."""
    deleted = last_id = 0
    while True:
        with transaction(conn):
            victims = conn.execute(
                f"""SELECT a.id, a.feed_id, a.guid, a.source_hash
                    FROM articles a JOIN feeds f ON f.id = a.feed_id
                    WHERE a.id > ? AND a.sort_date < ? AND (a.read = 1 OR ?)
                        AND NOT {BOOKMARKED}
                    ORDER BY a.id LIMIT ?""",
                (last_id, before, unread, EXPIRE_CHUNK),
            ).fetchall()
            conn.executemany(
                "INSERT OR REPLACE INTO expired (feed_id, guid, source_hash) VALUES (?, ?, ?)",
                [(row[1], row[2], row[3]) for row in victims],
            )
            conn.executemany("DELETE FROM articles WHERE id = ?", [(row[0],) for row in victims])
        deleted += len(victims)
        if len(victims) < EXPIRE_CHUNK:
            return deleted
        last_id = victims[-1][0]


def _insert_rows(conn: sqlite3.Connection, values: list[tuple[object, ...]]) -> None:
    """Insert articles with as few statements as possible."""
    per = max(1, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // _INSERT_WIDTH)
    for start in range(0, len(values), per):
        chunk = values[start : start + per]
        conn.execute(_INSERT + ", ".join([_INSERT_MARKS] * len(chunk)),
                     [value for row in chunk for value in row])


def index_text_of(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    """Add new articles to the full-text index (updates and deletes keep it by triggers).

    One statement for all of them: FTS5 writes its pending terms out as a new segment at
    the end of every statement (and savepoint), so indexing a refresh's feeds together
    makes one segment where a trigger per insert made one per feed, and a quarter less
    work storing them (merging fewer, bigger segments)."""
    for first, last in _runs(sorted(ids)):
        conn.execute(
            "INSERT INTO articles_fts (rowid, title, author, summary, text)"
            " SELECT id, title, author, summary, text FROM articles WHERE id BETWEEN ? AND ?",
            (first, last),
        )


def _runs(ids: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Consecutive runs of sorted ids as (first, last) pairs."""
    start = prev = None
    for aid in ids:
        if start is None:
            start = prev = aid
        elif aid == prev + 1:  # type: ignore[operator]
            prev = aid
        else:
            yield start, prev  # type: ignore[misc]
            start = prev = aid
    if start is not None:
        yield start, prev  # type: ignore[misc]


def set_read(conn: sqlite3.Connection, ids: Iterable[int], read: bool = True) -> int:
    """Mark articles read or unread; returns how many changed."""
    ids = list(ids)
    changed = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        cur = conn.execute(
            f"UPDATE articles SET read = ? WHERE read != ? AND id IN ({marks})",
            [int(read), int(read), *chunk],
        )
        changed += cur.rowcount
    return changed


def mark_all_read(conn: sqlite3.Connection, query: ArticleQuery) -> int:
    """Mark every article the query selects read."""
    where, params = _where(query)
    cur = conn.execute(
        f"UPDATE articles SET read = 1 WHERE read = 0 AND id IN "
        f"(SELECT a.id FROM articles a JOIN feeds f ON f.id = a.feed_id{where})",
        params,
    )
    return cur.rowcount


def unread_ids(conn: sqlite3.Connection, query: ArticleQuery) -> list[int]:
    """Ids of unread articles in list order (for next/previous unread)."""
    where, params = _where(query)
    extra = " AND a.read = 0" if where else " WHERE a.read = 0"
    rows = conn.execute(
        f"SELECT a.id FROM articles a JOIN feeds f ON f.id = a.feed_id{where}{extra}"
        " ORDER BY a.sort_date DESC, a.id DESC",
        params,
    )
    return [r[0] for r in rows]


def fts_candidates(conn: sqlite3.Connection, match: str, limit: int) -> list[tuple[int, float]]:
    """Article ids matching an FTS5 expression, best BM25 first (score: higher is better)."""
    rows = conn.execute(
        "SELECT rowid, -bm25(articles_fts, 5.0, 1.0, 2.0, 1.0) FROM articles_fts"
        " WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 5.0, 1.0, 2.0, 1.0) LIMIT ?",
        (match, limit),
    )
    return [(r[0], r[1]) for r in rows]


def set_story(conn: sqlite3.Connection, article_id: int, story: PageStory) -> None:
    """Replace an article's body with the whole story fetched from its web page (see
    :func:`set_stories`). :class:`NotFoundError` if the article is gone."""
    if not set_stories(conn, [(article_id, story)]):
        raise NotFoundError(f"no article with id {article_id}")


def story_links(conn: sqlite3.Connection, ids: Sequence[int]) -> list[tuple[int, str, int]]:
    """(id, web link, length of the stored text) of the given articles that have an
    http(s) link: the stories a refresh may fetch whole."""
    rows = conn.execute(
        f"SELECT id, link, length(text) FROM articles WHERE id IN ({','.join('?' * len(ids))})"
        " AND (link LIKE 'http://%' OR link LIKE 'https://%') ORDER BY id",
        list(ids),
    )
    return [(row[0], row[1], row[2]) for row in rows]


def set_stories(conn: sqlite3.Connection, stories: Sequence[tuple[int, PageStory]]) -> list[int]:
    """Replace articles' bodies (sanitized HTML and plain text) with the whole stories
    fetched from their web pages, and add the pages' related-posts links after those the
    feed declared. The rows' hashes stay as their feed entries made them, so a refresh of
    an unchanged entry leaves the story be; the full-text index follows by its update
    trigger. Returns the ids stored (an article deleted meanwhile is left out)."""
    kept = []
    for article_id, story in stories:
        row = conn.execute(
            "SELECT related_links FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            continue
        declared = json.loads(row[0])
        related = declared + [link for link in story.related if link not in declared]
        conn.execute(
            "UPDATE articles SET content_html = ?, text = ?, related_links = ? WHERE id = ?",
            (story.html, story.text, json.dumps(related), article_id),
        )
        kept.append(article_id)
    return kept
