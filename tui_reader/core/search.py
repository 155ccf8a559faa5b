"""The search query language: user text → :class:`ParsedQuery`, plus match highlighting.

Syntax (terms combine with AND)::

    lighthouse keeper        both words, anywhere (title, author, summary, body)
    "lighthouse keeper"      the phrase
    trooper*                 a prefix ("keep*" finds keeper, keeping)
    -storm   -"storm surge"  leave out stories with the word / phrase
    fog OR mist              either (binds tighter than the implicit AND)
    title:fog  author:ann    the word (or "phrase", or prefix*) in that field
    body:fog                 in the summary or the body only
    feed:harbour             the feed's title or URL contains "harbour"
    tag:news                 the feed carries tag "news" (or a sub-folder "news/...")
    is:unread  is:read  is:bookmarked
    after:2026-01-01  before:2026-02   (dates in UTC; YYYY, YYYY-MM, YYYY-MM-DD,
                                        or relative: 7d, 2w, today, yesterday)

Any field filter can be negated with ``-`` (``-tag:news``, ``-is:read``); ``NOT x`` is
``-x`` and ``AND`` is accepted and ignored. A query of filters alone lists the matching
stories newest first. Anything that is not valid is a :class:`QueryError` with a
one-line message; the text is never handed to SQLite as it is (the storage layer builds
its own quoted FTS5 expression from the parsed tokens).

Words are split the way the index splits them (runs of letters and digits, case and
accents folded), so what is highlighted is what matched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Literal

from tui_reader.core.errors import QueryError
from tui_reader.core.models import ArticleSummary

# The most terms and filters one query may have (keeps the SQL and FTS5 trees small).
MAX_ITEMS = 64

TextField = Literal["title", "author", "body"]
FilterKind = Literal["feed", "tag", "unread", "read", "bookmarked", "after", "before"]

TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "author": ("author",),
    "body": ("summary", "text"),
}
FILTER_FIELDS = frozenset({"feed", "tag", "is", "after", "before"})
IS_VALUES: dict[str, FilterKind] = {
    "unread": "unread",
    "new": "unread",
    "read": "read",
    "bookmarked": "bookmarked",
    "bookmark": "bookmarked",
    "starred": "bookmarked",
}

# A token is a run of letters and digits (the unicode61 tokenizer's idea of a word).
_TOKEN = re.compile(r"[^\W_]+")
_FIELD = re.compile(r"([A-Za-z]+):")
_RELATIVE = re.compile(r"(\d{1,5})([dw])")


# -- the parsed query ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Term:
    """Words that must appear in this order (a phrase of one or more tokens).

    ``tokens`` are folded (lower case, no accents); ``prefix`` makes the last token a
    prefix; ``columns`` limits the match to those index columns (empty: all four).
    """

    tokens: tuple[str, ...]
    prefix: bool = False
    columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Filter:
    """A condition on the story's metadata rather than its words."""

    kind: FilterKind
    value: str = ""  # feed/tag: the text; after/before: an ISO UTC timestamp


@dataclass(frozen=True, slots=True)
class Item:
    """One term or filter, possibly negated."""

    node: Term | Filter
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Clause:
    """Items joined with OR (most clauses hold one item)."""

    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A valid query: clauses joined with AND."""

    text: str
    clauses: tuple[Clause, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    @property
    def has_words(self) -> bool:
        """Whether some positive term can rank the results by relevance."""
        return any(
            isinstance(item.node, Term) and not item.negated
            for clause in self.clauses
            for item in clause.items
        )

    @property
    def highlight_terms(self) -> tuple[Term, ...]:
        """The positive terms, to highlight where they match (see :func:`match_spans`)."""
        seen: dict[tuple[tuple[str, ...], bool], Term] = {}
        for clause in self.clauses:
            for item in clause.items:
                if isinstance(item.node, Term) and not item.negated:
                    key = (item.node.tokens, item.node.prefix)
                    seen.setdefault(key, Term(item.node.tokens, item.node.prefix))
        return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: the list row, its relevance score and a snippet of the match."""

    article: ArticleSummary
    score: float = 0.0  # higher is better; 0 when the query has no words
    snippet: str = ""


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A named query shown as a virtual feed, with its current counts."""

    id: int
    name: str
    query: str
    unread: int = 0
    total: int = 0


# -- folding and tokens --------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character folded to one character: lower case, accents removed."""
    base = unicodedata.normalize("NFD", char)
    stripped = "".join(c for c in base if not unicodedata.combining(c)).lower()
    return stripped[0] if stripped else char


def fold(text: str) -> str:
    """``text`` lower-cased with accents removed, **the same length** (offsets carry over)."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(c) for c in text)


def tokens(text: str) -> tuple[str, ...]:
    """The index's words in ``text``: folded runs of letters and digits."""
    return tuple(_TOKEN.findall(fold(text)))


# -- parsing -------------------------------------------------------------------------------
@dataclass(slots=True)
class _Raw:
    """A lexical piece of the query before it becomes an item."""

    text: str
    quoted: bool = False
    prefix: bool = False
    negated: bool = False
    field: str | None = None
    position: int = 0


@dataclass(slots=True)
class _Lexer:
    text: str
    pos: int = 0
    pieces: list[_Raw] = field(default_factory=list)

    def run(self) -> list[_Raw]:
        text = self.text
        while True:
            while self.pos < len(text) and text[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(text):
                return self.pieces
            self.pieces.append(self._piece())

    def _piece(self) -> _Raw:
        text, start = self.text, self.pos
        negated = False
        if text[self.pos] == "-":
            if self.pos + 1 >= len(text) or text[self.pos + 1].isspace():
                raise QueryError(f"'-' at column {start + 1} must be followed by what to leave out")
            negated = True
            self.pos += 1
        name: str | None = None
        match = _FIELD.match(text, self.pos)
        if match and (match.group(1).lower() in FILTER_FIELDS | set(TEXT_FIELDS)):
            name = match.group(1).lower()
            self.pos = match.end()
            if self.pos >= len(text) or text[self.pos].isspace():
                raise QueryError(f"'{name}:' needs a value (for example {_example(name)})")
        if text[self.pos] == '"':
            close = text.find('"', self.pos + 1)
            if close < 0:
                raise QueryError(
                    f"unbalanced quote at column {self.pos + 1}: add a closing \""
                )
            value = text[self.pos + 1 : close]
            self.pos = close + 1
            prefix = self.pos < len(text) and text[self.pos] == "*"
            if prefix:
                self.pos += 1
            if value.endswith("*"):
                value, prefix = value.rstrip("*"), True
            return _Raw(value, True, prefix, negated, name, start)
        end = self.pos
        while end < len(text) and not text[end].isspace() and text[end] != '"':
            end += 1
        value = text[self.pos : end]
        self.pos = end
        prefix = value.endswith("*")
        return _Raw(value.rstrip("*") if prefix else value, False, prefix, negated, name, start)


def _example(name: str) -> str:
    return {
        "feed": "feed:harbour",
        "tag": "tag:news",
        "is": "is:unread",
        "after": "after:2026-01-01",
        "before": "before:2026-01-01",
    }.get(name, f'{name}:word or {name}:"a phrase"')


def parse_query(text: str, *, today: date | None = None) -> ParsedQuery:
    """Parse user text; :class:`QueryError` with a one-line message when it is not valid.

    An empty result (blank text, or only punctuation) is a valid, empty query.
    """
    pieces = _Lexer(text).run()
    clauses: list[list[Item]] = []
    pending_or = False
    pending_not = False
    count = 0
    for piece in pieces:
        operator = piece.text if not (piece.quoted or piece.field or piece.negated
                                      or piece.prefix) else None
        if operator == "OR":
            if not clauses or pending_or or pending_not:
                raise QueryError("OR needs a term on each side")
            pending_or = True
            continue
        if operator == "AND":
            if pending_or or pending_not:
                raise QueryError("AND cannot follow OR or NOT")
            continue
        if operator == "NOT":
            if pending_not:
                raise QueryError("NOT NOT: say what to leave out once")
            pending_not = True
            continue
        item = _item(piece, today)
        if item is None:  # punctuation only: nothing the index could match
            continue
        if pending_not:
            item = Item(item.node, not item.negated)
            pending_not = False
        count += 1
        if count > MAX_ITEMS:
            raise QueryError(f"too many terms: at most {MAX_ITEMS}")
        if pending_or:
            clauses[-1].append(item)
            pending_or = False
        else:
            clauses.append([item])
    if pending_or:
        raise QueryError("OR needs a term on each side")
    if pending_not:
        raise QueryError("NOT needs a term after it")
    return ParsedQuery(text, tuple(Clause(tuple(items)) for items in clauses))


def _item(piece: _Raw, today: date | None) -> Item | None:
    name = piece.field
    if name is None or name in TEXT_FIELDS:
        words = tokens(piece.text)
        if not words:
            if name is not None:
                raise QueryError(f"'{name}:' needs a word to look for")
            return None
        columns = TEXT_FIELDS[name] if name else ()
        return Item(Term(words, piece.prefix, columns), piece.negated)
    value = piece.text.strip()
    if not value:
        raise QueryError(f"'{name}:' needs a value (for example {_example(name)})")
    if name == "feed":
        return Item(Filter("feed", value), piece.negated)
    if name == "tag":
        return Item(Filter("tag", value.strip("/")), piece.negated)
    if name == "is":
        kind = IS_VALUES.get(value.lower())
        if kind is None:
            raise QueryError(f"unknown is:{value} (use is:unread, is:read or is:bookmarked)")
        return Item(Filter(kind), piece.negated)
    # after / before
    when = parse_day(value, today)
    return Item(Filter(name, when), piece.negated)  # type: ignore[arg-type]


def parse_day(value: str, today: date | None = None) -> str:
    """The start of a day (UTC) as stored timestamps are written; :class:`QueryError` if bad.

    Accepts ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ``today``, ``yesterday``, ``7d``, ``2w``.
    """
    today = today or datetime.now(UTC).date()
    lowered = value.lower()
    day: date | None = None
    try:
        if lowered == "today":
            day = today
        elif lowered == "yesterday":
            day = today - timedelta(days=1)
        elif match := _RELATIVE.fullmatch(lowered):
            number = int(match.group(1))
            day = today - timedelta(days=number * (7 if match.group(2) == "w" else 1))
        elif re.fullmatch(r"\d{4}", value):
            day = date(int(value), 1, 1)
        elif re.fullmatch(r"\d{4}-\d{1,2}", value):
            year, month = value.split("-")
            day = date(int(year), int(month), 1)
        elif re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value):
            year, month, dom = value.split("-")
            day = date(int(year), int(month), int(dom))
    except (ValueError, OverflowError):
        day = None
    if day is None:
        raise QueryError(f"bad date '{value}' (use YYYY-MM-DD, YYYY-MM, YYYY, 7d or 2w)")
    return datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat()


# -- highlighting --------------------------------------------------------------------------
@lru_cache(maxsize=256)
def _term_pattern(term_tokens: tuple[str, ...], prefix: bool) -> re.Pattern[str]:
    parts = [re.escape(token) for token in term_tokens]
    body = r"[\W_]+".join(parts)
    tail = r"[^\W_]*" if prefix else r"(?![^\W_])"
    return re.compile(r"(?<![^\W_])" + body + tail)


def match_spans(text: str, terms: Iterable[Term]) -> list[tuple[int, int]]:
    """``(start, end)`` offsets in ``text`` where any of the terms matches, sorted and merged.

    Matching folds case and accents like the index does, so "Café" is found by ``cafe``.
    """
    if not text:
        return []
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        if not term.tokens:
            continue
        for match in _term_pattern(term.tokens, term.prefix).finditer(folded):
            if match.end() > match.start():
                spans.append((match.start(), match.end()))
    return merge_spans(spans)


def merge_spans(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort spans and join the ones that overlap or touch."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def excerpt_around(text: str, terms: Iterable[Term], width: int = 160) -> str:
    """About ``width`` characters of ``text`` on one line, around its first match."""
    flat = " ".join(text.split())
    if not flat:
        return ""
    spans = match_spans(flat, terms)
    if not spans or len(flat) <= width:
        start = 0
    else:
        start = max(0, spans[0][0] - width // 3)
        space = flat.rfind(" ", 0, start)
        start = space + 1 if start and space >= 0 else start
    end = min(len(flat), start + width)
    if end < len(flat):
        space = flat.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    piece = flat[start:end]
    return ("…" if start else "") + piece + ("…" if end < len(flat) else "")


def check_search_name(name: str, query: str) -> str:
    """A saved search's name, cleaned; :class:`QueryError` for a bad name or query."""
    clean = " ".join(name.split())
    if not clean:
        raise QueryError("a saved search needs a name")
    if len(clean) > 80:
        raise QueryError("a saved search's name is at most 80 characters")
    if parse_query(query).is_empty:
        raise QueryError("nothing to search for: give words or filters such as tag:news")
    return clean
