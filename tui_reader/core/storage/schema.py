"""Schema migrations. Append only: entry ``i`` moves ``user_version`` from i to i + 1."""

from __future__ import annotations

LIBRARY_MIGRATIONS: list[str] = [
    # 1: feeds, articles, full-text index, key/value state.
    """
    CREATE TABLE feeds (
        id             INTEGER PRIMARY KEY,
        url            TEXT NOT NULL UNIQUE,
        title          TEXT NOT NULL DEFAULT '',
        user_title     TEXT,
        site_url       TEXT NOT NULL DEFAULT '',
        description    TEXT NOT NULL DEFAULT '',
        kind           TEXT NOT NULL DEFAULT '',
        etag           TEXT,
        last_modified  TEXT,
        last_refreshed TEXT,
        last_error     TEXT,
        error_count    INTEGER NOT NULL DEFAULT 0,
        gone           INTEGER NOT NULL DEFAULT 0,
        retry_after    TEXT,
        added          TEXT NOT NULL
    );
    CREATE TABLE feed_tags (
        feed_id  INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        tag      TEXT NOT NULL,
        PRIMARY KEY (feed_id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX feed_tags_tag ON feed_tags(tag);
    CREATE TABLE articles (
        id            INTEGER PRIMARY KEY,
        feed_id       INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        guid          TEXT NOT NULL,
        title         TEXT NOT NULL DEFAULT '',
        link          TEXT NOT NULL DEFAULT '',
        author        TEXT NOT NULL DEFAULT '',
        authors       TEXT NOT NULL DEFAULT '[]',
        published     TEXT,
        updated       TEXT,
        sort_date     TEXT NOT NULL,
        summary       TEXT NOT NULL DEFAULT '',
        content_html  TEXT NOT NULL DEFAULT '',
        text          TEXT NOT NULL DEFAULT '',
        enclosures    TEXT NOT NULL DEFAULT '[]',
        categories    TEXT NOT NULL DEFAULT '[]',
        related_links TEXT NOT NULL DEFAULT '[]',
        hash          TEXT NOT NULL DEFAULT '',
        first_seen    TEXT NOT NULL,
        read          INTEGER NOT NULL DEFAULT 0,
        UNIQUE (feed_id, guid)
    );
    CREATE INDEX articles_feed_date ON articles(feed_id, sort_date DESC, id DESC);
    CREATE INDEX articles_date ON articles(sort_date DESC, id DESC);
    CREATE INDEX articles_unread ON articles(feed_id) WHERE read = 0;
    CREATE INDEX articles_link ON articles(link);
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, author, summary, text,
        content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, author, summary, text)
        VALUES (new.id, new.title, new.author, new.summary, new.text);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, author, summary, text)
        VALUES ('delete', old.id, old.title, old.author, old.summary, old.text);
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, author, summary, text ON articles
    BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, author, summary, text)
        VALUES ('delete', old.id, old.title, old.author, old.summary, old.text);
        INSERT INTO articles_fts(rowid, title, author, summary, text)
        VALUES (new.id, new.title, new.author, new.summary, new.text);
    END;
    CREATE TABLE state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 2: reserved for the related-posts index (owned by the related-posts work).
    """
    CREATE TABLE IF NOT EXISTS _reserved_2 (x INTEGER);
    DROP TABLE _reserved_2;
    """,
    # 3: saved searches (virtual feeds) and killfile rules (a NULL feed: every feed).
    """
    CREATE TABLE saved_searches (
        id       INTEGER PRIMARY KEY,
        name     TEXT NOT NULL UNIQUE COLLATE NOCASE,
        query    TEXT NOT NULL,
        created  TEXT NOT NULL
    );
    CREATE TABLE filter_rules (
        id       INTEGER PRIMARY KEY,
        feed_id  INTEGER REFERENCES feeds(id) ON DELETE CASCADE,
        rule     TEXT NOT NULL,
        created  TEXT NOT NULL
    );
    CREATE INDEX filter_rules_feed ON filter_rules(feed_id);
    """,
]

BOOKMARK_MIGRATIONS: list[str] = [
    # 1: bookmarks live in their own file so they outlive the cache.
    """
    CREATE TABLE bookmarks (
        id            INTEGER PRIMARY KEY,
        feed_url      TEXT NOT NULL DEFAULT '',
        guid          TEXT NOT NULL DEFAULT '',
        title         TEXT NOT NULL DEFAULT '',
        link          TEXT NOT NULL DEFAULT '',
        feed_title    TEXT NOT NULL DEFAULT '',
        author        TEXT NOT NULL DEFAULT '',
        published     TEXT,
        summary       TEXT NOT NULL DEFAULT '',
        note          TEXT NOT NULL DEFAULT '',
        tags          TEXT NOT NULL DEFAULT '[]',
        bookmarked_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX bookmarks_entry ON bookmarks(feed_url, guid) WHERE guid != '';
    CREATE INDEX bookmarks_link ON bookmarks(link);
    CREATE INDEX bookmarks_time ON bookmarks(bookmarked_at DESC);
    """,
]
