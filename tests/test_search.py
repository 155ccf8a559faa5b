"""Full-text search on a real library file: each operator, ranking, index upkeep, saved
searches."""

from __future__ import annotations

import pytest

from tests.test_search_corpus import HARBOUR, NIGHT, TABLE, build_library, day, entry
from tui_reader.core.errors import NotFoundError, QueryError
from tui_reader.core.storage import articles as article_sql
from tui_reader.core.storage import feeds as feed_sql


@pytest.fixture
def lib(tmp_path):
    library = build_library(tmp_path / "data")
    yield library
    library.close()


def guids(lib, query: str, **kw) -> list[str]:
    return [hit.article.guid for hit in lib.search(query, **kw)]


def ids_by_guid(lib) -> dict[str, int]:
    return {a.guid: a.id for a in lib.articles()}


def test_words_match_all_fields_and_combine_with_and(lib):
    assert set(guids(lib, "keeper")) == {"h1", "h2"}  # h1 title+body, h2 body
    assert guids(lib, "keeper storm") == ["h2"]
    assert set(guids(lib, "Ann")) == {"h1", "h2", "n2"}  # author and body
    assert guids(lib, "soup quiet") == ["n1"]  # summary and body


def test_phrase_needs_the_words_in_order(lib):
    assert guids(lib, '"lighthouse keeper"') == ["h1"]
    assert guids(lib, '"keeper lighthouse"') == []
    # A phrase across punctuation is still a phrase, as the index sees it.
    assert guids(lib, '"keeper s last"') == ["h1"]


def test_prefix_terms(lib):
    assert set(guids(lib, "trooper*")) == {"h3", "t1"}
    assert guids(lib, "trooper") == ["t1"]  # the whole word only
    assert set(guids(lib, "keep*")) == {"h1", "h2", "n2"}
    assert guids(lib, '"lighthouse kee*"') == ["h1"]


def test_excluded_terms_and_not(lib):
    assert guids(lib, "keeper -storm") == ["h1"]
    assert guids(lib, 'keeper -"storm surge"') == ["h1"]
    assert guids(lib, "keeper NOT storm") == ["h1"]
    # Only exclusions: everything else, newest first.
    assert guids(lib, "-keeper -trooper*") == ["n2", "n1"]


def test_or_binds_terms(lib):
    assert set(guids(lib, "soup OR rye")) == {"n1", "t1"}
    assert guids(lib, "soup OR rye sour") == ["t1"]


def test_accents_and_case_fold(lib):
    assert guids(lib, "CAFE") == ["n1"]
    assert guids(lib, "café") == ["n1"]


def test_field_filters_on_text(lib):
    assert guids(lib, "title:keeper") == ["h1"]
    assert guids(lib, "title:lighthouse") == ["h1"]
    assert set(guids(lib, "author:ann")) == {"h1", "h2"}  # not n2, which names Ann in its body
    assert guids(lib, 'author:"bea stone"') == ["h3"]
    assert guids(lib, "body:quiet") == ["n1"]
    assert guids(lib, "title:troop*") == ["h3"]


def test_feed_tag_and_state_filters(lib):
    ids = ids_by_guid(lib)
    assert set(guids(lib, "feed:harbour")) == {"h1", "h2", "h3"}
    assert set(guids(lib, "feed:night.test")) == {"n1", "n2"}  # a URL substring
    assert guids(lib, "feed:LONG") == ["t1"]  # case-insensitive title substring
    assert set(guids(lib, "tag:news")) == {"h1", "h2", "h3"}
    assert set(guids(lib, "tag:coast")) == {"h1", "h2", "h3"}  # a parent folder
    assert guids(lib, "tag:coast/north keeper -storm") == ["h1"]
    assert guids(lib, "tag:nothing") == []
    lib.set_read([ids["h1"], ids["n1"]])
    assert set(guids(lib, "is:read")) == {"h1", "n1"}
    assert guids(lib, "keeper is:unread") == ["h2"]
    assert guids(lib, "keeper -is:read") == ["h2"]
    lib.bookmarks.toggle(ids["h3"])
    assert guids(lib, "is:bookmarked") == ["h3"]
    assert guids(lib, "trooper* is:bookmarked") == ["h3"]
    assert guids(lib, "trooper* -is:bookmarked") == ["t1"]


def test_date_filters(lib):
    assert guids(lib, "after:2026-03-01") == ["t1", "h3"]  # inclusive, newest first
    assert guids(lib, "before:2026-01-21") == ["n1", "h1"]
    assert guids(lib, "after:2026-02 before:2026-03") == ["n2", "h2"]
    assert guids(lib, "keeper after:2026-02-01") == ["h2"]
    assert guids(lib, "after:2027") == []


def test_filters_alone_list_newest_first_with_a_snippet(lib):
    hits = lib.search("tag:news")
    assert [h.article.guid for h in hits] == ["h3", "h2", "h1"]
    assert all(h.score == 0.0 for h in hits)
    assert hits[0].snippet.startswith("Two troopers")


def test_title_matches_rank_first_and_recency_breaks_ties(lib):
    # "lighthouse": h1 has it in title and body, n2 only in the body.
    assert guids(lib, "lighthouse") == ["h1", "n2"]
    # Identical stories in different feeds: the newer wins, whatever order they came in.
    with lib.storage.transaction() as conn:
        a = feed_sql.insert_feed(conn, "http://twin-a.test/")
        b = feed_sql.insert_feed(conn, "http://twin-b.test/")
        c = feed_sql.insert_feed(conn, "http://twin-c.test/")
        article_sql.store_entries(conn, a, [entry("mid", "Zeppelin", "zeppelin", when=day(3, 1))])
        article_sql.store_entries(conn, b, [entry("new", "Zeppelin", "zeppelin", when=day(5, 1))])
        article_sql.store_entries(conn, c, [entry("old", "Zeppelin", "zeppelin", when=day(1, 1))])
    for query in ("zeppelin", "zeppelin -xylophone", "zeppelin is:unread"):  # each query plan
        hits = lib.search(query)
        assert [h.article.guid for h in hits] == ["new", "mid", "old"], query
        assert hits[0].score == pytest.approx(hits[2].score) and hits[0].score > 0
    assert [h.article.guid for h in lib.search("zeppelin", limit=1, offset=1)] == ["mid"]


def test_sort_by_date_and_paging(lib):
    assert guids(lib, "keep*", order="date") == ["n2", "h2", "h1"]
    assert guids(lib, "keep*", order="date", limit=2, offset=1) == ["h2", "h1"]
    assert lib.count_search("keep*") == 3


def test_snippet_shows_the_match(lib):
    (hit,) = lib.search("surge")
    assert "storm surge" in hit.snippet
    assert "\x02" not in hit.snippet and "\x03" not in hit.snippet
    (hit,) = lib.search("title:bread")
    assert hit.snippet.startswith("Rye bread")


def test_no_results_and_empty_queries(lib):
    assert lib.search("xylophone") == []
    assert lib.search("") == []
    assert lib.search("   *  ") == []
    assert lib.count_search("") == 0


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"lighthouse keeper', "unbalanced quote"),
        ("after:2026-13-40", "bad date"),
        ("before:yesterdayish", "bad date"),
        ("is:sleepy", "unknown is:sleepy"),
        ("title:", "needs a value"),
        ("title:***", "needs a word"),
        ("-", "must be followed"),
        ("fog OR", "OR needs a term"),
        ("OR fog", "OR needs a term"),
        ("fog NOT", "NOT needs a term"),
    ],
)
def test_syntax_errors_are_one_line_query_errors(lib, query, message):
    with pytest.raises(QueryError, match=message) as info:
        lib.search(query)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "query",
    ['"', "*", "NEAR(", "NEAR(a b)", "AND", "a AND b", "-a", "^title", "col:x", "{title}:x",
     "a:b:c", '""', '"*"', "'", "(", ")", "a OR b OR c", "tag:a/b", "feed:%_\\", "\x00",
     "title:\"a b\"*", "x" * 5000, "a" + " b" * 63, "-\"\"", "NOT \"\"", "🦜*"],
)
def test_weird_input_never_reaches_sqlite_raw(lib, query):
    try:
        lib.search(query)
        lib.count_search(query)
    except QueryError:
        pass


def test_too_many_terms_is_a_query_error(lib):
    with pytest.raises(QueryError, match="too many terms"):
        lib.search(" ".join(f"w{i}" for i in range(65)))


def test_index_follows_updates_and_deletions(lib):
    with lib.storage.transaction() as conn:
        fid = feed_sql.feed_id(conn, TABLE)
        new, updated = article_sql.store_entries(
            conn, fid, [entry("t1", "Pancakes at dawn", "Buckwheat, no rye.", when=day(4, 1))])
    assert new == [] and len(updated) == 1
    assert guids(lib, "pancakes") == ["t1"]
    assert guids(lib, "sour") == []  # the old body is gone from the index
    assert guids(lib, "title:bread") == []
    lib.remove_feed(HARBOUR)
    assert guids(lib, "keeper") == []
    assert guids(lib, "lighthouse") == ["n2"]
    rowids = {r[0] for r in lib.storage.conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'dawn OR pier OR quay'")}
    assert rowids == {a.id for a in lib.articles(feed_url=TABLE)}
    lib.storage.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")


def test_saved_searches_counts_follow_read_state(lib):
    saved = lib.save_search("Keepers", "keep* -storm")
    assert (saved.name, saved.total, saved.unread) == ("Keepers", 2, 2)
    lib.save_search("Harbour news", "tag:news")
    assert [s.name for s in lib.saved_searches()] == ["Harbour news", "Keepers"]
    ids = ids_by_guid(lib)
    lib.set_read([ids["h1"]])
    counts = {s.name: (s.unread, s.total) for s in lib.saved_searches()}
    assert counts == {"Keepers": (1, 2), "Harbour news": (2, 3)}
    assert guids(lib, lib.saved_search("keepers").query, order="date", unread=True) == ["n2"]
    assert lib.mark_search_read("keep* -storm") == 1
    assert lib.saved_search("Keepers").unread == 0
    assert lib.feed(NIGHT).unread == 1  # only n2 changed there
    # Saving again under the same name (any case) replaces the query.
    lib.save_search("KEEPERS", "trooper*")
    assert [(s.name, s.total) for s in lib.saved_searches()] == [
        ("Harbour news", 3), ("Keepers", 2)]
    lib.remove_saved_search("keepers")
    assert [s.name for s in lib.saved_searches()] == ["Harbour news"]
    with pytest.raises(NotFoundError):
        lib.remove_saved_search("keepers")


def test_saved_search_needs_a_name_and_a_valid_query(lib):
    with pytest.raises(QueryError, match="needs a name"):
        lib.save_search("  ", "fog")
    with pytest.raises(QueryError, match="unbalanced"):
        lib.save_search("x", '"fog')
    with pytest.raises(QueryError, match="nothing to search for"):
        lib.save_search("x", "***")
    assert lib.saved_searches() == []


def test_saved_searches_survive_reopening(tmp_path):
    library = build_library(tmp_path / "d")
    library.save_search("Soup", "soup")
    library.close()
    from tui_reader.core.library import open_library

    with open_library(tmp_path / "d") as again:
        assert [(s.name, s.total) for s in again.saved_searches()] == [("Soup", 1)]


def test_index_is_rewritten_only_when_indexed_text_changes(lib):
    conn = lib.storage.conn
    (article,) = lib.articles(feed_url=TABLE)

    def changes(sql: str) -> int:
        before = conn.total_changes
        with lib.storage.transaction():
            conn.execute(sql, (article.id,))
        return conn.total_changes - before

    # Only the row itself: no index writes.
    assert changes("UPDATE articles SET link = 'http://x.test/', title = title WHERE id = ?") == 1
    assert changes("UPDATE articles SET text = 'Oat cakes' WHERE id = ?") > 1  # index writes
    assert guids(lib, "oat") == ["t1"] and guids(lib, "rye") == []
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")


def test_search_articles_pages_newest_first_like_a_feed(lib):
    rows = lib.search_articles("keep* OR trooper*")
    assert [r.guid for r in rows] == ["t1", "h3", "n2", "h2", "h1"]
    assert [r.guid for r in lib.search_articles("keep* OR trooper*", limit=2, offset=2)] == [
        "n2", "h2"]
    assert lib.search_articles("tag:news", limit=1)[0].feed_title == "Harbour Lights"


def test_or_across_words_and_filters(lib):
    assert set(guids(lib, "feed:night OR trooper*")) == {"n1", "n2", "h3", "t1"}
    assert guids(lib, "feed:night OR trooper*", order="date") == ["t1", "h3", "n2", "n1"]
    assert lib.count_search("feed:night OR trooper*") == 4
    assert set(guids(lib, "tag:stories OR -keeper")) == {"n1", "n2", "h3", "t1"}
