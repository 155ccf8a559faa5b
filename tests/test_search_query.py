"""The query language on its own: parsing, the FTS5 expressions built from it, highlighting;
and a property test that no input reaches SQLite as an error."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_search_corpus import build_library
from tui_reader.core.errors import QueryError
from tui_reader.core.search import (
    Filter,
    Term,
    excerpt_around,
    match_spans,
    parse_day,
    parse_query,
    tokens,
)
from tui_reader.core.storage.search import compile_query


def nodes(text: str) -> list[list[tuple[object, bool]]]:
    return [[(i.node, i.negated) for i in c.items] for c in parse_query(text).clauses]


def test_tokens_fold_like_the_index():
    assert tokens("Café, CRÈME-brûlée_2") == ("cafe", "creme", "brulee", "2")
    assert tokens("***") == ()


def test_parse_each_operator():
    assert nodes("fog") == [[(Term(("fog",)), False)]]
    assert nodes('"storm surge"') == [[(Term(("storm", "surge")), False)]]
    assert nodes("troop*") == [[(Term(("troop",), prefix=True), False)]]
    assert nodes('"lighthouse kee*"') == [[(Term(("lighthouse", "kee"), prefix=True), False)]]
    assert nodes("-fog") == [[(Term(("fog",)), True)]]
    assert nodes("NOT fog") == [[(Term(("fog",)), True)]]
    assert nodes("fog OR mist") == [[(Term(("fog",)), False), (Term(("mist",)), False)]]
    assert nodes("fog AND mist") == [[(Term(("fog",)), False)], [(Term(("mist",)), False)]]
    assert nodes("title:fog") == [[(Term(("fog",), columns=("title",)), False)]]
    assert nodes('author:"ann w*"') == [
        [(Term(("ann", "w"), prefix=True, columns=("author",)), False)]]
    assert nodes("body:x") == [[(Term(("x",), columns=("summary", "text")), False)]]
    assert nodes("feed:Harbour") == [[(Filter("feed", "Harbour"), False)]]
    assert nodes('tag:"coast/north/"') == [[(Filter("tag", "coast/north"), False)]]
    assert nodes("-tag:news") == [[(Filter("tag", "news"), True)]]
    assert nodes("is:unread is:READ is:starred") == [
        [(Filter("unread"), False)], [(Filter("read"), False)], [(Filter("bookmarked"), False)]]
    assert nodes("after:2026-01-02") == [[(Filter("after", "2026-01-02T00:00:00+00:00"), False)]]


def test_lower_case_operators_and_unknown_fields_are_words():
    assert nodes("fog or mist") == [[(Term(("fog",)), False)], [(Term(("or",)), False)],
                                    [(Term(("mist",)), False)]]
    assert nodes("http://x.test/a") == [[(Term(("http", "x", "test", "a")), False)]]


def test_fts_expressions_quote_every_term():
    def match(text: str) -> str | None:
        return compile_query(parse_query(text)).match

    assert match("fog mist") == '"fog" AND "mist"'
    assert match('"storm surge" -keeper') == '("storm surge") NOT ("keeper")'
    assert match("title:troop* (x OR y)") == '{title} : "troop" * AND ("x" OR "y")'
    assert match("NEAR(fog") == '"near fog"'  # one word with punctuation: a phrase
    assert match("fog OR mist -a -b") == '(("fog" OR "mist")) NOT ("a" OR "b")'
    assert match("tag:x") is None


def test_dates():
    today = date(2026, 3, 15)
    assert parse_day("2026", today) == "2026-01-01T00:00:00+00:00"
    assert parse_day("2026-2", today) == "2026-02-01T00:00:00+00:00"
    assert parse_day("today", today) == "2026-03-15T00:00:00+00:00"
    assert parse_day("yesterday", today) == "2026-03-14T00:00:00+00:00"
    assert parse_day("7d", today) == "2026-03-08T00:00:00+00:00"
    assert parse_day("2w", today) == "2026-03-01T00:00:00+00:00"
    for bad in ("2026-02-30", "0000-01-01", "123456d", "soon", "2026/01/01", "12"):
        with pytest.raises(QueryError, match="bad date"):
            parse_day(bad, today)


def test_match_spans_fold_and_respect_word_edges():
    terms = parse_query('cafe "storm surge" keep*').highlight_terms
    text = "The Café's STORM  surge; keepers keep. Escafe and stormsurge don't count."
    found = [text[a:b] for a, b in match_spans(text, terms)]
    assert found == ["Café", "STORM  surge", "keepers", "keep"]
    assert match_spans("", terms) == []
    assert match_spans("nothing here", ()) == []


def test_highlight_terms_leave_out_exclusions_and_filters():
    terms = parse_query("fog -mist title:rain tag:x OR sun").highlight_terms
    assert [t.tokens for t in terms] == [("fog",), ("rain",), ("sun",)]
    assert parse_query("fog fog").highlight_terms == (Term(("fog",)),)


def test_excerpt_around_the_first_match():
    body = " ".join(f"w{i}" for i in range(200)) + " the lighthouse keeper " + "z " * 200
    piece = excerpt_around(body, parse_query("lighthouse").highlight_terms, width=80)
    assert "lighthouse keeper" in piece
    assert piece.startswith("…") and piece.endswith("…") and len(piece) <= 82
    assert excerpt_around("short text", ()) == "short text"


# -- property: any string is a valid query or a QueryError, never an sqlite3 error ----------
@pytest.fixture(scope="module")
def library(tmp_path_factory):
    lib = build_library(tmp_path_factory.mktemp("prop") / "data")
    yield lib
    lib.close()


QUERY_ALPHABET = st.sampled_from([
    *' "*-:()^{}+,.\'/\\%_', "OR", "AND", "NOT", "NEAR", "title:", "author:", "feed:", "tag:",
    "is:", "after:", "before:", "body:", "fog", "keeper", "é", "\x00", "\u202e", "🦜",
    "2026-01-01", "unread", "7d",
])


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=40), st.lists(QUERY_ALPHABET, max_size=12).map("".join),
                 st.lists(QUERY_ALPHABET, max_size=12).map(" ".join)))
def test_any_input_is_a_query_or_a_query_error(library, text):
    try:
        hits = library.search(text, limit=5)
        library.count_search(text, unread=True)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    except sqlite3.Error as exc:  # pragma: no cover - the property under test
        pytest.fail(f"{text!r} reached SQLite: {exc}")
    for hit in hits:
        assert "\x02" not in hit.snippet
