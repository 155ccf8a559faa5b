"""Queries of the related-posts index (schema: migration 2 in :mod:`schema`).

The index keeps, per article, a *signature*: its most characteristic terms with quantised
weights (plus its categories as ``#category`` terms). ``related_postings`` is the inverted
index of those signatures, ordered by weight within a term so a query can read only the
strongest postings of a common term. ``related_terms`` holds document frequencies counted
over every article ever indexed (with ``related_stats.docs`` as N): expiring articles does
not decrement them, so IDF describes the reader's cache over time. Deleting an article
removes its postings through a trigger, whatever deletes it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tui_reader.core.storage.articles import FEED_TITLE

# Signature weights are stored as integers: weight * WEIGHT_SCALE.
WEIGHT_SCALE = 10_000


@dataclass(frozen=True, slots=True)
class SourceRow:
    """What the index needs of one article."""

    id: int
    feed_id: int
    title: str
    link: str
    summary: str
    text: str
    categories: tuple[str, ...]
    sort_date: str


@dataclass(frozen=True, slots=True)
class ItemRow:
    """What a suggestion shows."""

    id: int
    guid: str
    title: str
    feed_url: str
    feed_title: str
    link: str
    summary: str
    text: str


_SOURCE_COLUMNS = (
    "a.id, a.feed_id, a.title, a.link, substr(a.summary, 1, ?1), substr(a.text, 1, ?1),"
    " a.categories, a.sort_date"
)


def _source(row: Sequence) -> SourceRow:
    try:
        categories = tuple(c for c in json.loads(row[6]) if isinstance(c, str))
    except (ValueError, TypeError):
        categories = ()
    return SourceRow(row[0], row[1], row[2], row[3], row[4], row[5], categories, row[7])


def sources(conn: sqlite3.Connection, ids: Sequence[int], text_chars: int) -> list[SourceRow]:
    """Title, link, summary, the first ``text_chars`` of the text, categories and date."""
    out: list[SourceRow] = []
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM articles a WHERE a.id IN ({marks})",
            [text_chars, *chunk],
        )
        out.extend(_source(row) for row in rows)
    return out


def source(conn: sqlite3.Connection, article_id: int, text_chars: int) -> SourceRow | None:
    found = sources(conn, [article_id], text_chars)
    return found[0] if found else None


def declared_links(conn: sqlite3.Connection, article_id: int) -> list[str]:
    row = conn.execute("SELECT related_links FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        return []
    try:
        links = json.loads(row[0])
    except (ValueError, TypeError):
        return []
    return [link for link in links if isinstance(link, str) and link]


def count_terms(conn: sqlite3.Connection, counts: Mapping[str, int]) -> dict[str, tuple[int, int]]:
    """Add ``counts`` (term -> number of new documents containing it; 0 is fine) to the
    document frequencies; returns term -> (id, df) for every term given."""
    if not counts:
        return {}
    rows = conn.execute(
        "INSERT INTO related_terms (term, df) SELECT key, value FROM json_each(?) WHERE 1"
        " ON CONFLICT(term) DO UPDATE SET df = df + excluded.df WHERE excluded.df != 0"
        " RETURNING term, id, df",
        (json.dumps(counts, ensure_ascii=False),),
    ).fetchall()
    found = {row[0]: (row[1], row[2]) for row in rows}
    if len(found) < len(counts):  # unchanged rows are not returned
        found.update(lookup_terms(conn, [t for t in counts if t not in found]))
    return found


def lookup_terms(conn: sqlite3.Connection, terms: Iterable[str]) -> dict[str, tuple[int, int]]:
    """term -> (id, df) for the known ones."""
    payload = json.dumps(list(terms), ensure_ascii=False)
    rows = conn.execute(
        "SELECT t.term, t.id, t.df FROM json_each(?) j JOIN related_terms t ON t.term = j.value",
        (payload,),
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def add_docs(conn: sqlite3.Connection, n: int) -> int:
    """Count ``n`` newly indexed documents; returns the new total (N for IDF)."""
    row = conn.execute(
        "INSERT INTO related_stats (key, value) VALUES ('docs', ?)"
        " ON CONFLICT(key) DO UPDATE SET value = value + excluded.value RETURNING value",
        (n,),
    ).fetchone()
    return row[0]


def doc_count(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM related_stats WHERE key = 'docs'").fetchone()
    return row[0] if row else 0


def remove_signatures(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    """Drop the index entries of articles about to be re-indexed."""
    for article_id in ids:
        row = conn.execute(
            "SELECT signature FROM related_docs WHERE article_id = ?", (article_id,)
        ).fetchone()
        if row is None:
            continue
        conn.executemany(
            "DELETE FROM related_postings WHERE term_id = ? AND weight = ? AND article_id = ?",
            [(t, w, article_id) for t, w in json.loads(row[0])],
        )
        conn.execute("DELETE FROM related_docs WHERE article_id = ?", (article_id,))


def put_signatures(
    conn: sqlite3.Connection, docs: Sequence[tuple[int, Sequence[tuple[int, int]]]]
) -> None:
    """Store articles' signatures, (term id, quantised weight) each, and their postings
    (in key order, which the b-tree prefers).

    Two statements over JSON arrays rather than a row at a time: ``executemany`` gives up
    the GIL around every row, and with a parsing thread wanting it each handover costs a
    thread switch (the refresh of a few feeds parses on a thread)."""
    conn.execute(
        "INSERT OR REPLACE INTO related_docs (article_id, signature)"
        " SELECT value ->> 0, value ->> 1 FROM json_each(?)",
        (json.dumps([(a, "[" + ",".join([f"[{t},{w}]" for t, w in sig]) + "]")
                     for a, sig in docs]),),
    )
    conn.execute(
        "INSERT OR IGNORE INTO related_postings (term_id, weight, article_id)"
        " SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)",
        (json.dumps(sorted([(t, w, a) for a, sig in docs for t, w in sig]),
                    separators=(",", ":")),),
    )


def postings(conn: sqlite3.Connection, term_id: int, limit: int) -> list[tuple[int, int]]:
    """(article id, quantised weight) of a term's strongest postings, newest first on ties."""
    return conn.execute(
        "SELECT article_id, weight FROM related_postings WHERE term_id = ?"
        " ORDER BY weight DESC, article_id DESC LIMIT ?",
        (term_id, limit),
    ).fetchall()


@dataclass(frozen=True, slots=True)
class MetaRow:
    feed_id: int
    sort_date: str
    link: str
    title: str


def meta(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, MetaRow]:
    """Feed, date, link and title of articles (missing ids are left out)."""
    out: dict[int, MetaRow] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT id, feed_id, sort_date, link, title FROM articles WHERE id IN ({marks})",
            chunk,
        ):
            out[row[0]] = MetaRow(row[1], row[2], row[3], row[4])
    return out


def ids_with_link(conn: sqlite3.Connection, link: str, limit: int) -> list[int]:
    rows = conn.execute("SELECT id FROM articles WHERE link = ? LIMIT ?", (link, limit))
    return [r[0] for r in rows]


def title_matches(conn: sqlite3.Connection, match: str, limit: int) -> list[tuple[int, str]]:
    """(id, title) of articles matching an FTS5 query (e.g. a phrase in the title)."""
    rows = conn.execute(
        "SELECT a.id, a.title FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
        " WHERE articles_fts MATCH ? LIMIT ?",
        (match, limit),
    )
    return [(row[0], row[1]) for row in rows]


def ids_by_links(conn: sqlite3.Connection, wanted: Iterable[str]) -> dict[str, int]:
    """The newest article for each link that is cached."""
    result: dict[str, int] = {}
    for link in wanted:
        row = conn.execute(
            "SELECT id FROM articles WHERE link = ? ORDER BY sort_date DESC, id DESC LIMIT 1",
            (link,),
        ).fetchone()
        if row:
            result[link] = row[0]
    return result


def unindexed_ids(conn: sqlite3.Connection, limit: int) -> list[int]:
    """Cached articles without a signature (after an upgrade, or indexed by nobody)."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT a.id FROM articles a LEFT JOIN related_docs d ON d.article_id = a.id"
            " WHERE d.article_id IS NULL ORDER BY a.id LIMIT ?",
            (limit,),
        )
    ]


def items(conn: sqlite3.Connection, ids: Sequence[int], text_chars: int) -> dict[int, ItemRow]:
    """What the panel shows for each id (missing ids are left out)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"""SELECT a.id, a.guid, a.title, f.url, {FEED_TITLE}, a.link,
                   substr(a.summary, 1, ?), substr(a.text, 1, ?)
            FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.id IN ({marks})""",
        [text_chars, text_chars, *ids],
    )
    return {row[0]: ItemRow(*row) for row in rows}


def text_matches(conn: sqlite3.Connection, match: str, limit: int) -> list[int]:
    """Article ids for an FTS5 query on the full-text index, best BM25 first."""
    rows = conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
        (match, limit),
    )
    return [row[0] for row in rows]


def backfill_done(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT value FROM related_stats WHERE key = 'backfill_done'").fetchone()
    return bool(row and row[0])


def set_backfill_done(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO related_stats (key, value) VALUES ('backfill_done', 1)"
        " ON CONFLICT(key) DO UPDATE SET value = 1"
    )
