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
    # 2: the related-posts index (see storage/related.py): term document frequencies,
    # per-article signatures and their inverted index; a trigger drops an article's
    # postings whatever deletes it (expiry, unsubscribing).
    """
    CREATE TABLE related_terms (
        id    INTEGER PRIMARY KEY,
        term  TEXT NOT NULL UNIQUE,
        df    INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE related_docs (
        article_id INTEGER PRIMARY KEY,
        signature  TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE related_postings (
        term_id    INTEGER NOT NULL,
        weight     INTEGER NOT NULL,
        article_id INTEGER NOT NULL,
        PRIMARY KEY (term_id, weight, article_id)
    ) WITHOUT ROWID;
    CREATE TABLE related_stats (
        key   TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TRIGGER related_article_delete AFTER DELETE ON articles BEGIN
        DELETE FROM related_postings WHERE (term_id, weight, article_id) IN (
            SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), old.id
            FROM json_each((SELECT signature FROM related_docs WHERE article_id = old.id)));
        DELETE FROM related_docs WHERE article_id = old.id;
    END;
    """,
    # 3: saved searches (virtual feeds) and killfile rules (a NULL feed: every feed).
    # The index is only rewritten when an update changes indexed text (a feed bumping a
    # date or a link must not cost a re-tokenization).
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
    CREATE INDEX articles_search_date ON articles(sort_date DESC, id DESC, feed_id, read);
    DROP TRIGGER articles_fts_update;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, author, summary, text ON articles
    WHEN old.title IS NOT new.title OR old.author IS NOT new.author
        OR old.summary IS NOT new.summary OR old.text IS NOT new.text
    BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, author, summary, text)
        VALUES ('delete', old.id, old.title, old.author, old.summary, old.text);
        INSERT INTO articles_fts(rowid, title, author, summary, text)
        VALUES (new.id, new.title, new.author, new.summary, new.text);
    END;
    """,
    # 4: full-text index tuning for refresh speed. Merging 8 segments of a level at a time
    # instead of 4, in pages that fill SQLite's 4 KB ones, cuts the index's share of storing
    # an entry by a third (1.3 -> 0.8 s for 20,000 farm entries); queries read a few more
    # segments.
    """
    INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 8);
    INSERT INTO articles_fts(articles_fts, rank) VALUES ('pgsz', 4050);
    """,
    # 5: new articles enter the full-text index in one statement per refresh batch
    # (storage.articles.index_text_of), not by a trigger per row: FTS5 flushes a segment
    # per statement, so the trigger made one per feed.
    """
    DROP TRIGGER articles_fts_insert;
    """,
    # 6: the hash of the raw entry an article was normalized from (sources.normalize.
    # source_hash): a refresh leaves the entries it stored unchanged out of normalizing.
    # Older rows have '' until a refresh fills it in.
    """
    ALTER TABLE articles ADD COLUMN source_hash TEXT NOT NULL DEFAULT '';
    """,
    # 7: what expiry deleted (storage.articles.expire_articles), so that a story still in
    # its feed's document does not come back as a new unread one at the next refresh.
    """
    CREATE TABLE expired (
        feed_id     INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        guid        TEXT NOT NULL,
        source_hash TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (feed_id, guid)
    ) WITHOUT ROWID;
    """,
    # 8: feeds of excerpts whose new stories a refresh fetches whole from their web pages
    # (Library.set_whole_stories; update.Refresher).
    """
    ALTER TABLE feeds ADD COLUMN whole_stories INTEGER NOT NULL DEFAULT 0;
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
