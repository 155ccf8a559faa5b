"""Related posts on real SQLite files: ranking, duplicates, declared links, and an index
that follows stores, updates, expiry and unsubscribing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_reader.core.errors import NotFoundError
from tui_reader.core.library import Library, open_library
from tui_reader.core.models import ParsedEntry
from tui_reader.core.related import near_identical, title_key, words
from tui_reader.core.storage import articles as article_sql
from tui_reader.core.storage import feeds as feed_sql

NOW = datetime.now(UTC).replace(microsecond=0)

# A small cache: a few subjects, several blogs, filler so IDF means something.
LIGHTHOUSE = (
    "The lighthouse keeper climbed the tower as the storm rolled in from the reef. Fog "
    "swallowed the lamp, waves broke over the rocks and a schooner drifted toward the shoals."
)
LIGHTHOUSE_2 = (
    "A gale battered the old lighthouse all night; the keeper trimmed the lamp while the fog "
    "horn moaned and a fishing schooner fought the waves off the reef."
)
BAKERY = (
    "Every morning the bakery on Elm Street smells of cinnamon and sourdough. The baker "
    "kneads the dough before dawn and the oven warms the little kitchen."
)
BAKERY_2 = (
    "Flour on the counter, a sourdough starter bubbling, cinnamon buns in the oven: the "
    "baker's kitchen wakes before the street does."
)
DRAGON = (
    "The dragon circled the mountain fortress, and the young mage raised her staff while the "
    "knights of the realm held the gate against the wyrm's fire."
)
DRAGON_2 = (
    "Knights rode out from the castle to face the dragon; the court mage read the runes of an "
    "old prophecy about the wyrm and the crown of the realm."
)
DETECTIVE = (
    "The detective studied the clue in the rain-soaked alley: a fingerprint on the whiskey "
    "glass, a suspect without an alibi, and a witness who lied."
)


def entry(guid: str, title: str, text: str, *, link: str = "", days_ago: int = 1,
          categories: tuple[str, ...] = (), related: tuple[str, ...] = ()) -> ParsedEntry:
    return ParsedEntry(
        guid=guid, title=title, link=link or f"https://example.org/{guid}", text=text,
        summary=" ".join(text.split()[:30]), published=NOW - timedelta(days=days_ago),
        categories=categories, related_links=related,
    )


@pytest.fixture
def lib(tmp_path) -> Library:
    library = open_library(tmp_path / "data")
    yield library
    library.close()


def store(lib: Library, feed_url: str, entries: list[ParsedEntry]) -> dict[str, int]:
    """Store entries the way a refresh does: one transaction, the library's hooks inside."""
    with lib.storage.transaction() as conn:
        fid = feed_sql.insert_feed(conn, feed_url, title=feed_url)
        new, updated = article_sql.store_entries(conn, fid, entries)
        for hook in lib.refresher.on_stored:
            hook(conn, new, updated)
    rows = lib.storage.conn.execute(
        "SELECT a.guid, a.id FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE f.url = ?",
        (feed_url,),
    )
    return {guid: aid for guid, aid in rows}


def related_ids(lib: Library, article_id: int, limit: int = 6) -> list[int]:
    return [item.id for item in lib.related(article_id, limit)]


@pytest.fixture
def cache(lib) -> dict[str, int]:
    ids = store(lib, "https://sea.example/feed", [
        entry("sea1", "The Keeper of the Light", LIGHTHOUSE),
        entry("cake1", "Morning at the Bakery", BAKERY, days_ago=3),
    ])
    ids |= store(lib, "https://tales.example/feed", [
        entry("sea2", "Gale at the Lighthouse", LIGHTHOUSE_2, days_ago=2),
        entry("drag1", "Fire on the Mountain", DRAGON),
        entry("det1", "Rain in the Alley", DETECTIVE),
    ])
    ids |= store(lib, "https://kitchen.example/feed", [
        entry("cake2", "The Baker Wakes", BAKERY_2, days_ago=5),
        entry("drag2", "The Prophecy of the Wyrm", DRAGON_2, days_ago=4),
    ])
    return ids


def test_obviously_related_post_wins(lib, cache):
    assert related_ids(lib, cache["sea1"])[0] == cache["sea2"]
    assert related_ids(lib, cache["sea2"])[0] == cache["sea1"]
    assert related_ids(lib, cache["cake1"])[0] == cache["cake2"]
    assert related_ids(lib, cache["drag2"])[0] == cache["drag1"]
    items = lib.related(cache["sea1"], 3)
    assert len(items) <= 3
    assert [i.score for i in items] == sorted((i.score for i in items), reverse=True)
    first = items[0]
    assert first.title == "Gale at the Lighthouse"
    assert first.feed_url == "https://tales.example/feed"
    assert first.link == "https://example.org/sea2"
    assert first.guid == "sea2"
    assert first.excerpt.startswith("A gale battered the old lighthouse")
    assert len(first.excerpt.split()) <= 26


def test_the_article_itself_and_its_duplicates_never_appear(lib, cache):
    # A syndicated copy (same link) and a near-identical title in other blogs.
    dups = store(lib, "https://mirror.example/feed", [
        entry("copy", "Syndicated", LIGHTHOUSE, link="https://example.org/sea1"),
        entry("retitled", "The keeper of the light!", LIGHTHOUSE + " Reposted."),
    ])
    for opened in (cache["sea1"], dups["copy"], dups["retitled"]):
        got = related_ids(lib, opened, 10)
        assert opened not in got
        assert not {cache["sea1"], dups["copy"], dups["retitled"]} & set(got)
        assert cache["sea2"] in got
    # Duplicates among the suggestions collapse to one.
    got = related_ids(lib, cache["sea2"], 10)
    assert len({cache["sea1"], dups["copy"], dups["retitled"]} & set(got)) == 1


def test_near_identical_titles():
    assert near_identical(title_key("The Keeper's Storm"), title_key("the keepers storm"))
    assert near_identical(title_key("A Long Night at Sea, Part One"),
                          title_key("A long night at sea - part one!"))
    assert near_identical(title_key("The Lighthouse Keeper's Daughter"),
                          title_key("The Lighthouse Keepers Daughtr"))
    assert not near_identical(title_key("Chapter 12: The Storm"),
                              title_key("Chapter 13: The Storm"))
    assert not near_identical(title_key("The Dragon"), title_key("The Dragon Returns"))
    assert not near_identical("", "")


def test_declared_related_links_come_first_in_their_order(lib, cache):
    ids = store(lib, "https://wp.example/feed", [
        entry("wp1", "Another Lighthouse Night", LIGHTHOUSE_2 + " The keeper slept at last.",
              related=("https://example.org/det1", "https://nowhere.example/not-cached",
                       "https://example.org/cake1")),
    ])
    got = related_ids(lib, ids["wp1"], 4)
    assert got[:2] == [cache["det1"], cache["cake1"]]
    assert set(got[2:]) <= {cache["sea1"], cache["sea2"]} and got[2:]
    scores = [i.score for i in lib.related(ids["wp1"], 4)]
    assert scores == sorted(scores, reverse=True)
    # Declared links still respect the limit and never list the article itself.
    assert related_ids(lib, ids["wp1"], 1) == [cache["det1"]]


def test_shared_rare_categories_pull_posts_together(lib):
    ids = store(lib, "https://a.example/feed", [
        entry("q", "Notes from a Tuesday", "We walked to the market and talked about nothing.",
              categories=("Tidewater Chronicles",)),
        entry("other", "Notes from a Wednesday",
              "We walked to the market and talked about the weather."),
    ])
    ids |= store(lib, "https://b.example/feed", [
        entry("same-cat", "An Entirely Different Evening", "Quiet lamps and an empty pier.",
              categories=("tidewater chronicles",)),
    ])
    got = related_ids(lib, ids["q"])
    assert ids["same-cat"] in got


def test_unknown_id_and_zero_limit(lib, cache):
    with pytest.raises(NotFoundError):
        lib.related(999_999)
    assert lib.related(cache["sea1"], 0) == []


def test_index_follows_adds_updates_and_deletes(lib, cache):
    conn = lib.storage.conn
    # Add: a new post on the lighthouse subject appears.
    new = store(lib, "https://late.example/feed", [
        entry("sea3", "Lamp and Fog", "The keeper lit the lighthouse lamp; fog rolled over "
              "the reef and the schooner waited for the storm to pass."),
    ])
    assert new["sea3"] in related_ids(lib, cache["sea1"], 3)
    # Update: the same guid now tells a bakery story; it leaves the lighthouse list.
    store(lib, "https://late.example/feed", [
        entry("sea3", "Cinnamon Morning", BAKERY_2 + " The oven hummed all morning."),
    ])
    assert new["sea3"] not in related_ids(lib, cache["sea1"])
    assert new["sea3"] in related_ids(lib, cache["cake1"], 3)
    (postings,) = conn.execute(
        "SELECT COUNT(*) FROM related_postings WHERE article_id = ?", (new["sea3"],)
    ).fetchone()
    (signature_terms,) = conn.execute(
        "SELECT json_array_length(signature) FROM related_docs WHERE article_id = ?",
        (new["sea3"],),
    ).fetchone()
    assert postings == signature_terms > 0  # the old postings went
    # Expiry: a deleted article leaves the index with all its postings.
    with lib.storage.transaction() as tx:
        tx.execute("DELETE FROM articles WHERE id = ?", (cache["sea2"],))
    assert cache["sea2"] not in related_ids(lib, cache["sea1"])
    for table in ("related_postings", "related_docs"):
        count = conn.execute(f"SELECT COUNT(*) FROM {table} WHERE article_id = ?",
                             (cache["sea2"],)).fetchone()[0]
        assert count == 0
    # Unsubscribing removes a whole blog's posts from the suggestions.
    lib.remove_feed("https://kitchen.example/feed")
    assert cache["cake2"] not in related_ids(lib, cache["cake1"])
    assert conn.execute(
        "SELECT COUNT(*) FROM related_postings WHERE article_id IN (?, ?)",
        (cache["cake2"], cache["drag2"]),
    ).fetchone()[0] == 0


def test_articles_stored_without_the_hook_are_backfilled(lib):
    with lib.storage.transaction() as conn:
        fid = feed_sql.insert_feed(conn, "https://old.example/feed")
        article_sql.store_entries(conn, fid, [
            entry("o1", "The Keeper of the Light", LIGHTHOUSE),
            entry("o2", "Gale at the Lighthouse", LIGHTHOUSE_2),
            entry("o3", "Morning at the Bakery", BAKERY),
        ])
    ids = {g: i for g, i in lib.storage.conn.execute("SELECT guid, id FROM articles")}
    assert related_ids(lib, ids["o1"]) == []  # nothing indexed yet
    store(lib, "https://new.example/feed", [entry("n1", "Fire on the Mountain", DRAGON)])
    assert related_ids(lib, ids["o1"])[0] == ids["o2"]


def _rss(items: list[tuple[str, str, str, str]]) -> str:
    body = "".join(
        f"<item><guid>{escape(guid)}</guid><title>{escape(title)}</title>"
        f"<link>{escape(link)}</link><description>{escape(text)}</description>"
        f"<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>"
        for guid, title, link, text in items
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
            f"<link>https://x.example/</link><description>d</description>{body}</channel></rss>")


def test_real_refreshes_from_local_feed_files(lib, tmp_path: Path):
    sea = tmp_path / "sea.xml"
    kitchen = tmp_path / "kitchen.xml"
    sea.write_text(_rss([
        ("s1", "The Keeper of the Light", "https://sea.example/1", LIGHTHOUSE),
        ("s2", "Fire on the Mountain", "https://sea.example/2", DRAGON),
    ]))
    kitchen.write_text(_rss([
        ("k1", "Morning at the Bakery", "https://kitchen.example/1", BAKERY),
        ("k2", "Rain in the Alley", "https://kitchen.example/2", DETECTIVE),
    ]))
    lib.add_feed(str(sea))
    lib.add_feed(str(kitchen))
    indexed = lib.storage.conn.execute("SELECT COUNT(*) FROM related_docs").fetchone()[0]
    assert indexed == 4  # by the refresher's hook
    kitchen.write_text(_rss([
        ("k1", "Morning at the Bakery", "https://kitchen.example/1", BAKERY),
        ("k2", "Rain in the Alley", "https://kitchen.example/2", DETECTIVE),
        ("k3", "Gale at the Lighthouse", "https://kitchen.example/3", LIGHTHOUSE_2),
    ]))
    summary = lib.refresh()
    assert summary.new == 1, summary
    by_guid = {a.guid: a.id for a in lib.articles()}
    assert related_ids(lib, by_guid["s1"])[0] == by_guid["k3"]


def test_words_fold_stem_and_drop_stop_words():
    assert words("The Haunted Houses were running; Café NAÏVE ghosts 1920") == [
        "haunt", "house", "run", "cafe", "naive", "ghost"]


PIECES = [*"ab é—.,'’\n\t1_Zß", "ﬁ", "e\u0301", "the", "ing", "ed", "s"]


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
@settings(max_examples=200, deadline=None)
def test_white_space_tokeniser_matches_the_regular_expression(text):
    import unicodedata

    from tui_reader.core import related

    lowered = unicodedata.normalize("NFC", text.lower())
    expected = [t for w in related._WORD.findall(lowered) if (t := related._term(w))]
    assert words(text) == expected


def _signatures(lib: Library) -> dict[str, list[tuple[str, int]]]:
    """title -> its signature as (term, weight) pairs."""
    conn = lib.storage.conn
    terms = dict(conn.execute("SELECT id, term FROM related_terms"))
    rows = conn.execute(
        "SELECT a.title, d.signature FROM related_docs d JOIN articles a ON a.id = d.article_id"
    )
    return {title: [(terms[t], w) for t, w in json.loads(sig)] for title, sig in rows}


def test_signatures_from_worker_terms_equal_those_computed_from_the_store(lib, tmp_path: Path):
    """Storing indexes with the terms computed from the parsed entries (in a parse worker
    during a refresh); indexing the same articles from what is stored must give the very
    same signatures."""
    feed = tmp_path / "mixed.xml"
    feed.write_text(_rss([
        (f"m{i}", title, f"https://mixed.example/{i}", text)
        for i, (title, text) in enumerate([
            ("The Keeper of the Light", LIGHTHOUSE), ("Gale at the Lighthouse", LIGHTHOUSE_2),
            ("Morning at the Bakery", BAKERY), ("Cinnamon Before Dawn", BAKERY_2),
            ("Fire on the Mountain", DRAGON), ("The Wyrm and the Crown", DRAGON_2),
            ("Rain in the Alley", DETECTIVE),
        ])
    ]))
    lib.add_feed(str(feed))
    from_worker = _signatures(lib)
    conn = lib.storage.conn
    with lib.storage.transaction():  # forget the index, then build it from the store
        conn.execute("DELETE FROM related_postings")
        conn.execute("DELETE FROM related_docs")
        conn.execute("DELETE FROM related_terms")
        conn.execute("DELETE FROM related_stats")
    assert lib.related_engine.index_all() == 7
    from_store = _signatures(lib)
    assert len(from_worker) == 7 and sum(map(bool, from_worker.values())) == 6  # alley: alone
    assert from_worker == from_store
