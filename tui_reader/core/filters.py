"""Killfile rules: entries matching a rule are dropped at refresh and never stored.

A rule is ``[field:]pattern``:

- ``field`` is ``title``, ``author``, ``text`` (the summary and the body) or
  ``category``; without one the pattern is looked for in all of them.
- ``pattern`` is a case-insensitive substring, or ``/a regular expression/`` (Python
  syntax, matched case-insensitively anywhere in the field).

Examples: ``sponsored``, ``title:[ad]``, ``author:/^press office$/``, ``/crypto|nft/``.
A rule belongs to one feed, or to every feed when it has none. Rules apply to what is
fetched from then on; stories already stored stay.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from tui_reader.core.errors import QueryError
from tui_reader.core.models import ParsedEntry
from tui_reader.core.storage import filters as filter_sql

FIELDS = ("title", "author", "text", "category")
_FIELD = re.compile(r"(title|author|text|category):", re.IGNORECASE)
MAX_RULE_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Rule:
    """A parsed rule: where to look and what for."""

    field: str | None  # None: every field
    pattern: str
    regex: re.Pattern[str] | None = None

    def matches(self, entry: ParsedEntry) -> bool:
        fields = (self.field,) if self.field else FIELDS
        return any(self._matches_text(_field_text(entry, name)) for name in fields)

    def _matches_text(self, text: str) -> bool:
        if not text:
            return False
        if self.regex is not None:
            return self.regex.search(text) is not None
        return self.pattern in text.casefold()


@dataclass(frozen=True, slots=True)
class FilterRule:
    """A stored rule: its id (to remove it), its text and its feed (None: every feed)."""

    id: int
    rule: str
    feed_url: str | None = None


def _field_text(entry: ParsedEntry, name: str) -> str:
    if name == "title":
        return entry.title
    if name == "author":
        return "\n".join(part for a in entry.authors for part in (a.name, a.email) if part)
    if name == "text":
        return f"{entry.summary}\n{entry.text}"
    return "\n".join(entry.categories)


@lru_cache(maxsize=512)
def parse_rule(text: str) -> Rule:
    """A rule from its text; :class:`QueryError` with a one-line message when it is bad."""
    body = text.strip()
    if len(body) > MAX_RULE_LENGTH:
        raise QueryError(f"filter rule is too long (at most {MAX_RULE_LENGTH} characters)")
    field: str | None = None
    match = _FIELD.match(body)
    if match:
        field = match.group(1).lower()
        body = body[match.end():]
    if not body:
        where = f"after '{field}:' " if field else ""
        raise QueryError(f"filter rule needs a pattern {where}(a word, or /regex/)")
    if len(body) >= 2 and body.startswith("/") and body.endswith("/"):
        source = body[1:-1]
        try:
            compiled = re.compile(source, re.IGNORECASE)
        except re.error as exc:
            raise QueryError(f"bad regular expression /{source}/: {exc}") from None
        if compiled.search("") is not None:
            raise QueryError(f"/{source}/ matches every story; make it more specific")
        return Rule(field, source, compiled)
    return Rule(field, body.casefold())


def killed(rules: Sequence[Rule], entry: ParsedEntry) -> bool:
    """Whether any rule matches the entry."""
    return any(rule.matches(entry) for rule in rules)


def keep_unkilled(
    rule_texts: Sequence[str], entries: Sequence[ParsedEntry]
) -> Sequence[ParsedEntry]:
    """The entries no rule of ``rule_texts`` matches, in order (``entries`` itself when
    there are no rules). Needs no connection, so parse workers apply it."""
    if not rule_texts:
        return entries
    rules = []
    for text in rule_texts:
        try:
            rules.append(parse_rule(text))
        except QueryError:  # stored before a stricter check; ignore rather than fail refresh
            continue
    return tuple(entry for entry in entries if not killed(rules, entry))


def add_rule(conn: sqlite3.Connection, rule: str, feed_id: int | None) -> int:
    """Validate and store a rule for one feed (or every feed); returns its id."""
    parse_rule(rule)
    return filter_sql.add_rule(conn, feed_id, rule.strip())


def list_rules(conn: sqlite3.Connection) -> list[FilterRule]:
    """Every rule, global ones first."""
    return [FilterRule(*row) for row in filter_sql.list_rules(conn)]
