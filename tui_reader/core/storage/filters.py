"""Killfile rules: per feed (``feed_id``) or global (``feed_id IS NULL``)."""

from __future__ import annotations

import sqlite3

from tui_reader.core.errors import NotFoundError
from tui_reader.core.storage.db import now_iso


def add_rule(conn: sqlite3.Connection, feed_id: int | None, rule: str) -> int:
    """Store a rule (already validated); returns its id."""
    row = conn.execute(
        "INSERT INTO filter_rules (feed_id, rule, created) VALUES (?, ?, ?) RETURNING id",
        (feed_id, rule, now_iso()),
    ).fetchone()
    return row[0]


def list_rules(conn: sqlite3.Connection) -> list[tuple[int, str, str | None]]:
    """``(id, rule, feed_url)`` of every rule, global ones first, then by feed and id."""
    rows = conn.execute(
        "SELECT r.id, r.rule, f.url FROM filter_rules r LEFT JOIN feeds f ON f.id = r.feed_id"
        " ORDER BY r.feed_id IS NOT NULL, f.url, r.id"
    )
    return [(row[0], row[1], row[2]) for row in rows]


def rules_for_feed(conn: sqlite3.Connection, feed_id: int) -> list[str]:
    """The texts of the rules that apply to one feed (its own and the global ones)."""
    rows = conn.execute(
        "SELECT rule FROM filter_rules WHERE feed_id = ? OR feed_id IS NULL ORDER BY id",
        (feed_id,),
    )
    return [row[0] for row in rows]


def delete_rule(conn: sqlite3.Connection, rule_id: int) -> None:
    if conn.execute("DELETE FROM filter_rules WHERE id = ?", (rule_id,)).rowcount == 0:
        raise NotFoundError(f"no filter rule with id {rule_id}")
