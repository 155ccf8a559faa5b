"""Queries on bookmarks. The table lives in its own file, attached as ``bm`` to every
library connection, so bookmarks outlive feeds, expired articles and a deleted cache.

A bookmark is tied to an article by ``(feed_url, guid)``; imported bookmarks may have no
guid and are then known by their link alone. ``article_id`` is looked up live: it is None
when the article is no longer cached.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tui_reader.core.errors import NotFoundError
from tui_reader.core.models import Bookmark
from tui_reader.core.storage.db import from_iso, now_iso, to_iso

_ARTICLE_ID = """
    (SELECT a.id FROM main.articles a JOIN main.feeds f ON f.id = a.feed_id
     WHERE b.guid != '' AND f.url = b.feed_url AND a.guid = b.guid) AS article_id
"""
_COLUMNS = f"b.*, {_ARTICLE_ID}"
_ORDER = " ORDER BY b.bookmarked_at DESC, b.id DESC"
_HAS_TAG = "EXISTS (SELECT 1 FROM json_each(b.tags) WHERE json_each.value = ?)"


@dataclass(frozen=True, slots=True)
class BookmarkFields:
    """What is written for one bookmark (everything but the id)."""

    title: str
    link: str
    feed_title: str = ""
    feed_url: str = ""
    guid: str = ""
    author: str = ""
    published: datetime | None = None
    summary: str = ""
    bookmarked_at: datetime | None = None  # None: now
    note: str = ""
    tags: tuple[str, ...] = ()


def _bookmark(row: sqlite3.Row) -> Bookmark:
    return Bookmark(
        id=row["id"],
        title=row["title"],
        link=row["link"],
        feed_title=row["feed_title"],
        feed_url=row["feed_url"],
        guid=row["guid"],
        author=row["author"],
        published=from_iso(row["published"]),
        summary=row["summary"],
        bookmarked_at=from_iso(row["bookmarked_at"]),
        note=row["note"],
        tags=tuple(json.loads(row["tags"])),
        article_id=row["article_id"],
    )


def list_bookmarks(conn: sqlite3.Connection, tag: str | None = None) -> list[Bookmark]:
    """Newest first; only those carrying ``tag`` when given."""
    if tag is None:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM bm.bookmarks b{_ORDER}")
    else:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM bm.bookmarks b WHERE {_HAS_TAG}{_ORDER}", (tag,)
        )
    return [_bookmark(row) for row in rows]


def count_bookmarks(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM bm.bookmarks").fetchone()[0]


def get_bookmark(conn: sqlite3.Connection, bookmark_id: int) -> Bookmark:
    """One bookmark; :class:`NotFoundError` for an unknown id."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM bm.bookmarks b WHERE b.id = ?", (bookmark_id,)
    ).fetchone()
    if row is None:
        raise NotFoundError(f"no bookmark with id {bookmark_id}")
    return _bookmark(row)


def find_by_entry(conn: sqlite3.Connection, feed_url: str, guid: str) -> Bookmark | None:
    """The bookmark of the article ``guid`` of ``feed_url``, if any."""
    if not guid:
        return None
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM bm.bookmarks b WHERE b.feed_url = ? AND b.guid = ?",
        (feed_url, guid),
    ).fetchone()
    return _bookmark(row) if row else None


def find_by_link(
    conn: sqlite3.Connection, link: str, *, without_guid: bool = False
) -> Bookmark | None:
    """The oldest bookmark of ``link`` (only those not tied to an article, if asked)."""
    if not link:
        return None
    extra = " AND b.guid = ''" if without_guid else ""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM bm.bookmarks b WHERE b.link = ?{extra} ORDER BY b.id LIMIT 1",
        (link,),
    ).fetchone()
    return _bookmark(row) if row else None


def _row(fields: BookmarkFields) -> dict[str, object]:
    return {
        "title": fields.title,
        "link": fields.link,
        "feed_title": fields.feed_title,
        "feed_url": fields.feed_url,
        "guid": fields.guid,
        "author": fields.author,
        "published": to_iso(fields.published),
        "summary": fields.summary,
        "bookmarked_at": to_iso(fields.bookmarked_at) or now_iso(),
        "note": fields.note,
        "tags": json.dumps(list(fields.tags), ensure_ascii=False),
    }


def insert_bookmark(
    conn: sqlite3.Connection, fields: BookmarkFields, *, bookmark_id: int | None = None
) -> int:
    """Store a new bookmark; returns its id. ``bookmark_id`` is kept when it is free."""
    row = _row(fields)
    if bookmark_id is not None and not conn.execute(
        "SELECT 1 FROM bm.bookmarks WHERE id = ?", (bookmark_id,)
    ).fetchone():
        row["id"] = bookmark_id
    columns = list(row)
    cur = conn.execute(
        f"INSERT INTO bm.bookmarks ({', '.join(columns)}) "
        f"VALUES ({', '.join(':' + c for c in columns)}) RETURNING id",
        row,
    )
    return cur.fetchone()[0]


def replace_bookmark(conn: sqlite3.Connection, bookmark_id: int, fields: BookmarkFields) -> None:
    """Overwrite every stored field of one bookmark."""
    row = _row(fields)
    assignments = ", ".join(f"{column} = :{column}" for column in row)
    cur = conn.execute(
        f"UPDATE bm.bookmarks SET {assignments} WHERE id = :id", {**row, "id": bookmark_id}
    )
    if cur.rowcount == 0:
        raise NotFoundError(f"no bookmark with id {bookmark_id}")


def update_bookmark(
    conn: sqlite3.Connection,
    bookmark_id: int,
    *,
    note: str | None = None,
    tags: Sequence[str] | None = None,
) -> None:
    """Change a bookmark's note and/or tags (None leaves one as it is)."""
    get_bookmark(conn, bookmark_id)  # NotFoundError for an unknown id
    if note is not None:
        conn.execute("UPDATE bm.bookmarks SET note = ? WHERE id = ?", (note, bookmark_id))
    if tags is not None:
        conn.execute(
            "UPDATE bm.bookmarks SET tags = ? WHERE id = ?",
            (json.dumps(list(tags), ensure_ascii=False), bookmark_id),
        )


def delete_bookmark(conn: sqlite3.Connection, bookmark_id: int) -> None:
    cur = conn.execute("DELETE FROM bm.bookmarks WHERE id = ?", (bookmark_id,))
    if cur.rowcount == 0:
        raise NotFoundError(f"no bookmark with id {bookmark_id}")


def bookmark_tags(conn: sqlite3.Connection) -> list[str]:
    """Every tag used on a bookmark, sorted case-insensitively."""
    rows = conn.execute(
        "SELECT DISTINCT json_each.value FROM bm.bookmarks b, json_each(b.tags)"
    )
    return sorted((row[0] for row in rows), key=lambda t: (t.lower(), t))
