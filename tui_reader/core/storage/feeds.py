"""Queries on subscriptions: listing with counts, adding, removing, tags, fetch bookkeeping."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from tui_reader.core.errors import NotFoundError
from tui_reader.core.models import Feed
from tui_reader.core.storage.db import from_iso, now_iso

_FEED_COLUMNS = """
    f.id, f.url, COALESCE(f.user_title, NULLIF(f.title, ''), f.url) AS title, f.site_url,
    f.last_refreshed, f.last_error, f.whole_stories,
    (SELECT COUNT(*) FROM articles a WHERE a.feed_id = f.id AND a.read = 0) AS unread,
    (SELECT COUNT(*) FROM articles a WHERE a.feed_id = f.id) AS total,
    (SELECT group_concat(tag, char(31)) FROM
        (SELECT tag FROM feed_tags t WHERE t.feed_id = f.id ORDER BY tag)) AS tags
"""


@dataclass(frozen=True, slots=True)
class FeedFetchState:
    """What the refresh pipeline needs to fetch one feed."""

    id: int
    url: str
    etag: str | None
    last_modified: str | None
    gone: bool
    retry_after: str | None
    whole_stories: bool = False


def _feed(row: sqlite3.Row) -> Feed:
    return Feed(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        site_url=row["site_url"],
        tags=tuple(row["tags"].split("\x1f")) if row["tags"] else (),
        unread=row["unread"],
        total=row["total"],
        last_refreshed=from_iso(row["last_refreshed"]),
        last_error=row["last_error"],
        whole_stories=bool(row["whole_stories"]),
    )


def list_feeds(conn: sqlite3.Connection) -> list[Feed]:
    """Every subscription with its counts, by title."""
    rows = conn.execute(f"SELECT {_FEED_COLUMNS} FROM feeds f ORDER BY lower(title), f.id")
    return [_feed(row) for row in rows]


def get_feed(conn: sqlite3.Connection, url: str) -> Feed:
    """One subscription by URL; :class:`NotFoundError` when there is none."""
    row = conn.execute(f"SELECT {_FEED_COLUMNS} FROM feeds f WHERE f.url = ?", (url,)).fetchone()
    if row is None:
        raise NotFoundError(f"no feed with URL {url}")
    return _feed(row)


def feed_id(conn: sqlite3.Connection, url: str) -> int:
    """The row id of a subscription; :class:`NotFoundError` when there is none."""
    row = conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
    if row is None:
        raise NotFoundError(f"no feed with URL {url}")
    return row[0]


def is_subscribed(conn: sqlite3.Connection, fid: int) -> bool:
    """Whether feed ``fid`` still exists (another process may unsubscribe it meanwhile)."""
    return conn.execute("SELECT 1 FROM feeds WHERE id = ?", (fid,)).fetchone() is not None


def count_feeds(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM feeds").fetchone()[0]


def count_feeds_in(library: Path) -> int:
    """The feeds of the library file at ``library``, read-only and without migrating it;
    0 when there is no readable library there."""
    if not library.is_file():
        return 0
    try:
        conn = sqlite3.connect(f"{library.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return count_feeds(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def insert_feed(
    conn: sqlite3.Connection, url: str, *, title: str = "", user_title: str | None = None
) -> int:
    """Subscribe (idempotent); returns the feed's id."""
    conn.execute(
        "INSERT INTO feeds (url, title, user_title, added) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(url) DO UPDATE SET user_title = COALESCE(excluded.user_title, user_title)",
        (url, title, user_title, now_iso()),
    )
    return feed_id(conn, url)


def delete_feed(conn: sqlite3.Connection, url: str) -> None:
    """Unsubscribe and drop the feed's cached articles."""
    fid = feed_id(conn, url)
    conn.execute("DELETE FROM articles WHERE feed_id = ?", (fid,))
    conn.execute("DELETE FROM feeds WHERE id = ?", (fid,))


def set_tags(conn: sqlite3.Connection, url: str, tags: list[str] | tuple[str, ...]) -> None:
    """Replace a feed's tags."""
    fid = feed_id(conn, url)
    conn.execute("DELETE FROM feed_tags WHERE feed_id = ?", (fid,))
    conn.executemany(
        "INSERT OR IGNORE INTO feed_tags (feed_id, tag) VALUES (?, ?)",
        [(fid, tag) for tag in tags if tag],
    )


def add_tags(conn: sqlite3.Connection, url: str, tags: list[str] | tuple[str, ...]) -> None:
    fid = feed_id(conn, url)
    conn.executemany(
        "INSERT OR IGNORE INTO feed_tags (feed_id, tag) VALUES (?, ?)",
        [(fid, tag) for tag in tags if tag],
    )


def set_title(conn: sqlite3.Connection, url: str, user_title: str | None) -> None:
    conn.execute("UPDATE feeds SET user_title = ? WHERE id = ?", (user_title, feed_id(conn, url)))


def set_whole_stories(conn: sqlite3.Connection, url: str, on: bool) -> None:
    """Whether a refresh fetches the feed's new stories whole from their web pages."""
    conn.execute("UPDATE feeds SET whole_stories = ? WHERE id = ?", (on, feed_id(conn, url)))


def get_titles(conn: sqlite3.Connection, url: str) -> tuple[str | None, str]:
    """(the user's title or None, the feed's own title or '') of a subscription."""
    row = conn.execute("SELECT user_title, title FROM feeds WHERE url = ?", (url,)).fetchone()
    if row is None:
        raise NotFoundError(f"no feed with URL {url}")
    return row[0], row[1] or ""


def fetch_states(conn: sqlite3.Connection, urls: list[str] | None = None) -> list[FeedFetchState]:
    """Validators and back-off state for the feeds to refresh (all when ``urls`` is None)."""
    sql = "SELECT id, url, etag, last_modified, gone, retry_after, whole_stories FROM feeds"
    rows = conn.execute(sql + " ORDER BY id").fetchall()
    if urls is not None:
        wanted = set(urls)
        rows = [r for r in rows if r["url"] in wanted]
    return [
        FeedFetchState(r["id"], r["url"], r["etag"], r["last_modified"], bool(r["gone"]),
                       r["retry_after"], bool(r["whole_stories"]))
        for r in rows
    ]


def record_success(
    conn: sqlite3.Connection,
    fid: int,
    *,
    etag: str | None,
    last_modified: str | None,
    title: str | None = None,
    site_url: str | None = None,
    description: str | None = None,
    kind: str | None = None,
) -> None:
    """A fetch that worked (200 or 304): keep validators, clear the error."""
    conn.execute(
        """UPDATE feeds SET etag = ?, last_modified = ?, last_refreshed = ?, last_error = NULL,
               error_count = 0, gone = 0, retry_after = NULL,
               title = COALESCE(NULLIF(?, ''), title), site_url = COALESCE(?, site_url),
               description = COALESCE(?, description), kind = COALESCE(?, kind)
           WHERE id = ?""",
        (etag, last_modified, now_iso(), title, site_url, description, kind, fid),
    )


def record_error(
    conn: sqlite3.Connection,
    fid: int,
    error: str,
    *,
    gone: bool = False,
    retry_after: str | None = None,
) -> None:
    """A fetch or parse that failed: the message stays on the feed until the next success."""
    conn.execute(
        """UPDATE feeds SET last_error = ?, last_refreshed = ?, error_count = error_count + 1,
               gone = ?, retry_after = ? WHERE id = ?""",
        (error, now_iso(), int(gone), retry_after, fid),
    )


def move_feed(conn: sqlite3.Connection, fid: int, new_url: str) -> bool:
    """Follow a permanent redirect; False when ``new_url`` is already subscribed."""
    taken = conn.execute("SELECT 1 FROM feeds WHERE url = ? AND id != ?", (new_url, fid)).fetchone()
    if taken:
        return False
    old_url = conn.execute("SELECT url FROM feeds WHERE id = ?", (fid,)).fetchone()[0]
    conn.execute("UPDATE feeds SET url = ? WHERE id = ?", (new_url, fid))
    conn.execute("UPDATE bm.bookmarks SET feed_url = ? WHERE feed_url = ?", (new_url, old_url))
    return True
