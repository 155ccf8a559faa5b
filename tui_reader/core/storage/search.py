"""Search SQL: a :class:`ParsedQuery` compiled to an FTS5 expression and SQL conditions,
ranked results, counts, snippets, and the saved searches table.

The FTS5 expression is built here from parsed tokens only: every token run is a quoted
string (tokens are letters and digits, so there is nothing to escape), column filters and
operators come from the parser's structure. User text never reaches ``MATCH`` as it is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from tui_reader.core.errors import NotFoundError, QueryError
from tui_reader.core.search import (
    Clause,
    Filter,
    Item,
    ParsedQuery,
    SavedSearch,
    SearchHit,
    Term,
    excerpt_around,
)
from tui_reader.core.storage.articles import BOOKMARKED, summaries_by_ids
from tui_reader.core.storage.db import now_iso

# bm25 column weights: title, author, summary, text (a title match counts most).
WEIGHTS = (10.0, 3.0, 2.0, 1.0)
RANK = f"bm25(articles_fts, {', '.join(str(w) for w in WEIGHTS)})"
SNIPPET_TOKENS = 24
_START, _END = "\x02", "\x03"  # snippet markers: control characters never stored

Order = Literal["relevance", "date"]


@dataclass(slots=True)
class Compiled:
    """A query as SQL: the FTS5 expression that drives and ranks it (if any), and the
    conditions on ``articles a JOIN feeds f``."""

    match: str | None = None
    highlight_match: str | None = None
    where: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)


def fts_phrase(term: Term) -> str:
    """One term as an FTS5 phrase: ``{title} : "lighthouse keep" *``."""
    phrase = '"' + " ".join(term.tokens) + '"'
    if term.prefix:
        phrase += " *"
    if term.columns:
        phrase = "{" + " ".join(term.columns) + "} : " + phrase
    return phrase


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filter_sql(node: Filter, plus: str = "") -> tuple[str, list[object]]:
    """One filter as SQL; ``plus`` "+" keeps SQLite from using an index for it (so that a
    listing walks the date index instead)."""
    kind = node.kind
    if kind == "feed":
        pattern = _like(node.value)
        return (
            "(f.url LIKE ? ESCAPE '\\' OR f.title LIKE ? ESCAPE '\\'"
            " OR COALESCE(f.user_title, '') LIKE ? ESCAPE '\\')",
            [pattern, pattern, pattern],
        )
    if kind == "tag":
        child = node.value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"
        return (
            f"{plus}a.feed_id IN (SELECT feed_id FROM feed_tags WHERE tag = ? COLLATE NOCASE"
            " OR tag LIKE ? ESCAPE '\\')",
            [node.value, child],
        )
    if kind == "unread":
        return f"{plus}a.read = 0", []
    if kind == "read":
        return f"{plus}a.read = 1", []
    if kind == "bookmarked":
        return BOOKMARKED, []
    if kind == "after":
        return "a.sort_date >= ?", [node.value]
    if kind == "before":
        return "a.sort_date < ?", [node.value]
    raise QueryError(f"unknown filter {kind}")  # pragma: no cover - the parser forbids it


def _item_sql(item: Item, plus: str) -> tuple[str, list[object]]:
    if isinstance(item.node, Term):
        op = "NOT IN" if item.negated else "IN"
        return (
            f"a.id {op} (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)",
            [fts_phrase(item.node)],
        )
    sql, params = _filter_sql(item.node, plus)
    return (f"NOT ({sql})" if item.negated else sql), params


def _is_text(clause: Clause, negated: bool) -> bool:
    return all(isinstance(i.node, Term) and i.negated == negated for i in clause.items)


def compile_query(query: ParsedQuery, *, date_scan: bool = False) -> Compiled:
    """Split the query into the FTS5 part (positive words, ranked) and SQL conditions.

    ``date_scan``: the conditions are for a listing that walks the date index."""
    compiled = Compiled()
    plus = "+" if date_scan else ""
    positive: list[str] = []
    negative: list[str] = []
    for clause in query.clauses:
        if _is_text(clause, negated=False):
            phrases = [fts_phrase(i.node) for i in clause.items]  # type: ignore[arg-type]
            positive.append(phrases[0] if len(phrases) == 1 else f"({' OR '.join(phrases)})")
        elif len(clause.items) == 1 and _is_text(clause, negated=True):
            negative.append(fts_phrase(clause.items[0].node))  # type: ignore[arg-type]
        else:
            parts = [_item_sql(item, plus) for item in clause.items]
            compiled.where.append("(" + " OR ".join(sql for sql, _ in parts) + ")")
            for _, params in parts:
                compiled.params.extend(params)
    if positive:
        compiled.highlight_match = " AND ".join(positive)
        compiled.match = compiled.highlight_match
        if negative:
            compiled.match = f"({compiled.match}) NOT ({' OR '.join(negative)})"
    elif negative:
        compiled.where.append(
            "a.id NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
        )
        compiled.params.append(" OR ".join(negative))
    return compiled


def _from(compiled: Compiled, extra: Sequence[str] = ()) -> tuple[str, list[object]]:
    """``FROM … WHERE …`` selecting the query's articles; the FTS5 table drives a ranked
    query (its ``bm25`` is computed only for the rows the conditions keep)."""
    params: list[object] = []
    conditions = [*compiled.where, *extra]
    if compiled.match is not None:
        sql = (
            "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
            " JOIN feeds f ON f.id = a.feed_id"
        )
        conditions.insert(0, "articles_fts MATCH ?")
        params.append(compiled.match)
    else:
        sql = "FROM articles a JOIN feeds f ON f.id = a.feed_id"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    return sql, [*params, *compiled.params]


def _fts_only(compiled: Compiled, extra: Sequence[str]) -> bool:
    """Whether the words alone decide (no condition needs the articles table)."""
    return compiled.match is not None and not compiled.where and not extra


def _ranked_ids(
    conn: sqlite3.Connection, compiled: Compiled, extra: Sequence[str], limit: int, offset: int
) -> list[tuple[int, float]]:
    """``(id, score)`` best first; among equal scores the newer story first."""
    if _fts_only(compiled, extra):
        # Rank in the index alone, then look up only the page's stories.
        wanted = -1 if limit < 0 else limit + offset
        sql = f"SELECT rowid, {RANK} AS relevance FROM articles_fts WHERE articles_fts MATCH ?"
        rows = conn.execute(f"{sql} ORDER BY relevance, rowid DESC LIMIT ?",
                            [compiled.match, -1 if wanted < 0 else wanted + 1]).fetchall()
        if not rows:
            return []
        if 0 < wanted < len(rows) and rows[wanted][1] == rows[wanted - 1][1]:
            # Equal scores across the page's end: take every one of them, so that the
            # newest among them comes first whatever order they were stored in.
            edge = rows[wanted - 1][1]
            rows = [row for row in rows if row[1] != edge]
            rows += conn.execute(f"{sql} AND {RANK} = ?", [compiled.match, edge]).fetchall()
        dates = dict(conn.execute(
            f"SELECT id, sort_date FROM articles WHERE id IN ({','.join('?' * len(rows))})",
            [row[0] for row in rows],
        ).fetchall())
        # Stable sorts, least significant key first: rank, then newest, then highest id.
        rows.sort(key=lambda row: row[0], reverse=True)
        rows.sort(key=lambda row: dates.get(row[0], ""), reverse=True)
        rows.sort(key=lambda row: row[1])
        page = rows[offset:] if limit < 0 else rows[offset : offset + limit]
        return [(row[0], -row[1]) for row in page]
    sql, params = _from(compiled, extra)
    rows = conn.execute(
        f"SELECT a.id, {RANK} AS relevance {sql} ORDER BY relevance, a.sort_date DESC, a.id DESC"
        " LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [(row[0], -row[1]) for row in rows]


def search(
    conn: sqlite3.Connection,
    query: ParsedQuery,
    *,
    limit: int = 50,
    offset: int = 0,
    order: Order = "relevance",
    unread_only: bool = False,
    snippets: bool = True,
) -> list[SearchHit]:
    """The query's articles: best first (recency breaks ties) or newest first.

    ``limit`` -1 means no limit; ``snippets=False`` leaves them out (faster)."""
    if query.is_empty:
        return []
    compiled = compile_query(query)
    date_scan = compiled.match is None
    if date_scan:
        # No words to drive the index: walk the covering date index (migration 3) newest
        # first, checking feed and read state in the index; stop when the page is full.
        compiled = compile_query(query, date_scan=True)
    extra = [("+" if date_scan else "") + "a.read = 0"] if unread_only else []
    if not date_scan and order == "relevance":
        rows = _ranked_ids(conn, compiled, extra, limit, offset)
    else:
        sql, params = _from(compiled, extra)
        rows = conn.execute(
            f"SELECT a.id, 0.0 {sql} ORDER BY a.sort_date DESC, a.id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
    ids = [row[0] for row in rows]
    summaries = summaries_by_ids(conn, ids)
    texts = _snippets(conn, compiled, query, ids) if snippets else {}
    return [
        SearchHit(summaries[row[0]], float(row[1]), texts.get(row[0], ""))
        for row in rows
        if row[0] in summaries
    ]


def count(conn: sqlite3.Connection, query: ParsedQuery, *, unread_only: bool = False) -> int:
    """How many articles the query finds."""
    if query.is_empty:
        return 0
    compiled = compile_query(query)
    extra = ["a.read = 0"] if unread_only else []
    if _fts_only(compiled, extra):
        sql = "SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH ?"
        return conn.execute(sql, [compiled.match]).fetchone()[0]
    sql, params = _from(compiled, extra)
    return conn.execute(f"SELECT COUNT(*) {sql}", params).fetchone()[0]


def counts(conn: sqlite3.Connection, query: ParsedQuery) -> tuple[int, int]:
    """``(total, unread)`` for the query, in one pass."""
    if query.is_empty:
        return 0, 0
    sql, params = _from(compile_query(query))
    row = conn.execute(f"SELECT COUNT(*), COALESCE(SUM(a.read = 0), 0) {sql}", params).fetchone()
    return row[0], row[1]


def unread_ids(conn: sqlite3.Connection, query: ParsedQuery) -> list[int]:
    """Ids of the query's unread articles, newest first."""
    if query.is_empty:
        return []
    sql, params = _from(compile_query(query), ["a.read = 0"])
    rows = conn.execute(f"SELECT a.id {sql} ORDER BY a.sort_date DESC, a.id DESC", params)
    return [row[0] for row in rows]


def _snippets(
    conn: sqlite3.Connection, compiled: Compiled, query: ParsedQuery, ids: Sequence[int]
) -> dict[int, str]:
    """A one-line piece of each article's body around its match (its start otherwise)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    result: dict[int, str] = {}
    if compiled.highlight_match is not None:
        # The body's best passage; the summary's start when the body has no match.
        rows = conn.execute(
            f"SELECT a.id, snippet(articles_fts, 3, '{_START}', '{_END}', '…',"
            f" {SNIPPET_TOKENS}), substr(a.summary, 1, 600)"
            " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
            f" WHERE articles_fts MATCH ? AND articles_fts.rowid IN ({marks})",
            [compiled.highlight_match, *ids],
        )
        terms = query.highlight_terms
        for rowid, body, summary in rows:
            if body and _START in body:
                result[rowid] = _plain(body)
            else:
                result[rowid] = excerpt_around(summary or "", terms) or _plain(body)
        return result
    rows = conn.execute(
        f"SELECT id, substr(CASE WHEN summary != '' THEN summary ELSE text END, 1, 600)"
        f" FROM articles WHERE id IN ({marks})",
        list(ids),
    )
    terms = query.highlight_terms
    for rowid, body in rows:
        result[rowid] = excerpt_around(body or "", terms)
    return result


def _plain(snippet: str | None) -> str:
    if not snippet:
        return ""
    text = snippet.replace(_START, "").replace(_END, "")
    return " ".join(text.split())


# -- saved searches ------------------------------------------------------------------------
def save_search(conn: sqlite3.Connection, name: str, query: str) -> int:
    """Store (or replace) a named query; returns its id."""
    conn.execute(
        "INSERT INTO saved_searches (name, query, created) VALUES (?, ?, ?)"
        " ON CONFLICT(name) DO UPDATE SET query = excluded.query",
        (name, query, now_iso()),
    )
    return conn.execute("SELECT id FROM saved_searches WHERE name = ?", (name,)).fetchone()[0]


def saved_searches(conn: sqlite3.Connection) -> list[SavedSearch]:
    """Every saved search by name, without counts."""
    rows = conn.execute("SELECT id, name, query FROM saved_searches ORDER BY name, id")
    return [SavedSearch(row[0], row[1], row[2]) for row in rows]


def get_saved_search(conn: sqlite3.Connection, name: str) -> SavedSearch:
    row = conn.execute(
        "SELECT id, name, query FROM saved_searches WHERE name = ?", (name,)
    ).fetchone()
    if row is None:
        raise NotFoundError(f"no saved search named {name!r}")
    return SavedSearch(row[0], row[1], row[2])


def delete_saved_search(conn: sqlite3.Connection, name: str) -> None:
    if conn.execute("DELETE FROM saved_searches WHERE name = ?", (name,)).rowcount == 0:
        raise NotFoundError(f"no saved search named {name!r}")


def saved_searches_with_counts(
    conn: sqlite3.Connection, parse: Callable[[str], ParsedQuery]
) -> list[SavedSearch]:
    """Every saved search with its unread and total counts (0 for a query that no longer
    parses)."""
    result: list[SavedSearch] = []
    for saved in saved_searches(conn):
        try:
            query = parse(saved.query)
        except QueryError:
            result.append(saved)
            continue
        total, unread = counts(conn, query)
        result.append(SavedSearch(saved.id, saved.name, saved.query, unread, total))
    return result
