"""``Library.fetch_full_story`` and ``storyreader fetch-story``: an excerpt-only feed whose
items link to story pages on the same loopback server, real SQLite files, the CLI as a
subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui_reader.core.errors import (
    FetchError,
    NoStoryFoundError,
    NoStoryLinkError,
    NotFoundError,
    StoryError,
    StoryFetchError,
)
from tui_reader.core.library import open_library
from tui_reader.core.settings import RefreshSettings

PAGES = Path(__file__).parent / "fixtures" / "pages"
HTML = "text/html; charset=UTF-8"
EXCERPT = ("<p>Every evening at a quarter past six, Tobias Wren climbs the ninety-one steps "
           "of the Gull Point light [&hellip;]</p>")
# Only on the web page: words the feed's excerpt does not have.
PAGE_ONLY = "barnacle"


def item(slug: str, title: str, body: str = EXCERPT, link: bool = True) -> str:
    link_element = f"<link>{{base}}/{slug}/</link>" if link else ""
    return f"""<item><title>{title}</title>{link_element}
      <guid isPermaLink="false">{slug}</guid><pubDate>Tue, 02 Jun 2026 08:00:00 +0100</pubDate>
      <description><![CDATA[{body}]]></description></item>"""


ITEMS = {
    "lantern": item("2026/06/lantern-keeper", "The Lantern Keeper of Gull Point"),
    "tide": item("2026/05/what-the-tide-left", "What the Tide Left on Tuesday",
                 "<p>The strandline at Pell Sands is a museum. Continue reading…</p>"),
    "missing": item("2026/05/gone", "A Story That Moved Away"),
    "pdf": item("report.pdf", "The Harbour Report"),
    "archive": item("archive", "Every Story So Far"),
    "nolink": item("no-link", "A Story Without a Page", link=False),
    "full": item("2026/04/bells", "The Bell-Ringer's Daughter",
                 "<p>" + "A feed that carries the whole story, and more besides. " * 40 + "</p>"),
}


def rss(base: str, items: dict[str, str] = ITEMS) -> str:
    entries = "".join(items.values()).replace("{base}", base)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Lights</title><link>{base}/</link>
<description>Stories from the coast</description>{entries}</channel></rss>"""


@pytest.fixture
def site(feed_server):
    """The feed and its pages: two stories, a 404, a PDF, a link list, a shorter page."""
    base = feed_server.url("").rstrip("/")
    feed_server.route("/feed.xml", rss(base))
    feed_server.route("/2026/06/lantern-keeper/", (PAGES / "wordpress.html").read_bytes(),
                      content_type=HTML, gzip=True)
    feed_server.route("/2026/05/what-the-tide-left/", (PAGES / "ghost.html").read_bytes(),
                      content_type=HTML)
    feed_server.route("/report.pdf/", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n",
                      content_type="application/pdf")
    feed_server.route("/archive/", (PAGES / "linklist.html").read_bytes(), content_type=HTML)
    feed_server.route("/2026/04/bells/", (PAGES / "divs_only.html").read_bytes(),
                      content_type=HTML)
    return feed_server


@pytest.fixture
def lib(tmp_path, site):
    library = open_library(tmp_path / "data")
    library.add_feed(site.url("/feed.xml"))
    yield library
    library.close()


def article_id(lib, guid: str) -> int:
    return next(a.id for a in lib.articles() if a.guid == guid)


def ids(lib) -> dict[str, int]:
    """Article ids by the keys of ITEMS."""
    by_guid = {a.guid: a.id for a in lib.articles()}
    return {key: by_guid[guid] for key, guid in (
        ("lantern", "2026/06/lantern-keeper"), ("tide", "2026/05/what-the-tide-left"),
        ("missing", "2026/05/gone"), ("pdf", "report.pdf"), ("archive", "archive"),
        ("nolink", "no-link"), ("full", "2026/04/bells"))}


def search_ids(lib, query: str) -> set[int]:
    return {hit.article.id for hit in lib.search(query)}


def test_the_whole_story_replaces_the_excerpt(lib, site) -> None:
    aid = ids(lib)["lantern"]
    lib.set_read([aid], True)
    before = lib.article(aid)
    assert PAGE_ONLY not in before.text and search_ids(lib, PAGE_ONLY) == set()

    article = lib.fetch_full_story(aid)

    assert article == lib.article(aid)  # rendered as article() gives it
    assert article.text.startswith("Every evening at a quarter past six")
    assert "barnacle-crusted buoys" in article.text
    assert article.text.rstrip().endswith("clear, calm, one small boat heading home.")
    for furniture in ("Leave a Reply", "Related Posts", "Share this", "seed cake"):
        assert furniture not in article.text
    # Relative URLs resolved against the page (after its redirect-free fetch, gzip decoded).
    page = site.url("/2026/06/lantern-keeper/")
    assert f'src="{site.url("/wp-content/uploads/2026/06/gull-point-stairs.jpg")}"' in \
        article.content_html
    assert "<script" not in article.content_html and page == article.link
    # Everything else of the row stays as its feed entry made it.
    for name in ("title", "summary", "published", "updated", "guid", "link", "read",
                 "authors", "categories", "feed_url"):
        assert getattr(article, name) == getattr(before, name), name
    # Search sees the new text (the update trigger of the full-text index).
    assert search_ids(lib, PAGE_ONLY) == {aid}
    assert search_ids(lib, "logbook grandmother") == {aid}
    request = site.requests_for("/2026/06/lantern-keeper/")[-1]
    assert request.header("user-agent").startswith("storyreader/")


def row(lib, aid: int) -> dict:
    return dict(lib.storage.conn.execute("SELECT * FROM articles WHERE id = ?", (aid,)).fetchone())


def test_only_the_body_columns_change(lib) -> None:
    aid = ids(lib)["lantern"]
    before = row(lib, aid)
    lib.fetch_full_story(aid)
    after = row(lib, aid)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"content_html", "text", "related_links"}


def test_the_pages_related_posts_become_the_storys_declared_related(lib, site) -> None:
    """The page ends in "Related Posts": those links join the ones the feed declared, and
    a cached one of them leads the related panel."""
    base = site.url("").rstrip("/")
    storm = item("2026/05/the-storm-of-1953", "The Storm of 1953",
                 "<p>Edith Wren, a broken shutter and the longest night.</p>")
    site.route("/feed.xml", rss(base, {**ITEMS, "storm": storm}))
    lib.refresh()
    by_guid = {a.guid: a.id for a in lib.articles()}
    aid = by_guid["2026/06/lantern-keeper"]
    lib.fetch_full_story(aid)
    links = json.loads(row(lib, aid)["related_links"])
    assert links[:3] == [site.url("/2026/05/the-storm-of-1953/"),
                         site.url("/2026/04/the-net-mender/"),
                         site.url("/2026/03/ferry-to-nowhere/")]
    assert lib.related(aid)[0].id == by_guid["2026/05/the-storm-of-1953"]
    with lib.storage.transaction() as conn:  # without the page's links: not first
        conn.execute("UPDATE articles SET related_links = '[]' WHERE id = ?", (aid,))
    assert lib.related(aid)[0].id != by_guid["2026/05/the-storm-of-1953"]


def test_a_refresh_of_the_unchanged_feed_keeps_the_whole_story(lib, site) -> None:
    aid = ids(lib)["lantern"]
    whole = lib.fetch_full_story(aid)
    summary = lib.refresh()  # the feed answers 200 with the same document (no validators)
    assert summary.results[0].error is None and site.requests_for("/feed.xml")[-1].status == 200
    assert lib.article(aid).content_html == whole.content_html
    assert search_ids(lib, PAGE_ONLY) == {aid}


def test_a_refresh_that_normalizes_the_entry_again_keeps_the_whole_story(lib) -> None:
    # Without source hashes (an upgrade, a new NORMALIZE_VERSION) the entry is normalized
    # and compared by its row hash, which fetching the story left alone.
    aid = ids(lib)["lantern"]
    whole = lib.fetch_full_story(aid)
    with lib.storage.transaction() as conn:
        conn.execute("UPDATE articles SET source_hash = ''")
    lib.refresh()
    assert lib.article(aid).content_html == whole.content_html
    assert row(lib, aid)["source_hash"] != ""  # the refresh did see the entry


def test_a_changed_feed_entry_replaces_the_story(lib, site) -> None:
    aid = ids(lib)["lantern"]
    lib.fetch_full_story(aid)
    base = site.url("").rstrip("/")
    edited = dict(ITEMS, lantern=ITEMS["lantern"].replace("[&hellip;]", "(edited) [&hellip;]"))
    site.route("/feed.xml", rss(base, edited))
    lib.refresh()
    assert "(edited)" in lib.article(aid).text and PAGE_ONLY not in lib.article(aid).text


def signature_terms(lib, aid: int) -> set[str]:
    """The terms of an article's related-posts signature (what other stories find it by)."""
    conn = lib.storage.conn
    row = conn.execute("SELECT signature FROM related_docs WHERE article_id = ?", (aid,))
    term_ids = [term for term, _ in json.loads(row.fetchone()[0])]
    marks = ",".join("?" * len(term_ids))
    return {r[0] for r in conn.execute(
        f"SELECT term FROM related_terms WHERE id IN ({marks})", term_ids)}


def test_the_related_posts_index_learns_the_new_text(lib, site) -> None:
    # A signature is made of the title and the body's first words, in more than one story:
    # the tide story's excerpt stops where its page goes on about a rope, a boot, a pot.
    # (With a cache this small the full-text fallback would find it anyway: hence the
    # signature, which is what a big cache finds it by.)
    base = site.url("").rstrip("/")
    neighbour = item("2026/05/beach", "Beach Finds", "<p>A coil of blue rope, one left boot "
                     "and a crab pot with no crab: what the beach gave us this week.</p>")
    site.route("/other.xml", rss(base, {"n": neighbour}).replace("Harbour Lights", "Beach"))
    lib.add_feed(site.url("/other.xml"))
    tide, other = ids(lib)["tide"], article_id(lib, "2026/05/beach")
    before = signature_terms(lib, tide)
    lib.fetch_full_story(tide)
    learned = signature_terms(lib, tide) - before
    assert learned and all(term in lib.article(tide).text.lower() for term in learned)
    assert tide in {r.id for r in lib.related(other, limit=20)}


ERRORS = [
    ("missing", StoryFetchError, "/2026/05/gone/: HTTP 404 Not Found"),
    ("pdf", StoryFetchError, "/report.pdf/: not a web page (application/pdf)"),
    ("archive", NoStoryFoundError, "/archive/: no story found on the page"),
    ("nolink", NoStoryLinkError, "has no web page to fetch the story from"),
    ("full", NoStoryFoundError, "/2026/04/bells/: the page has no more of the story than the feed"),
]


@pytest.mark.parametrize(("key", "error", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_failures_store_nothing(lib, key, error, message) -> None:
    aid = ids(lib)[key]
    before = row(lib, aid)
    with pytest.raises(error) as caught:
        lib.fetch_full_story(aid)
    assert isinstance(caught.value, StoryError)
    text = str(caught.value)
    assert message in text and "\n" not in text
    assert row(lib, aid) == before


def test_fetch_errors_are_fetch_errors_and_unknown_ids_not_found(lib) -> None:
    assert issubclass(StoryFetchError, FetchError)
    with pytest.raises(NotFoundError, match="no article with id 9999"):
        lib.fetch_full_story(9999)


def test_the_refresh_limits_apply(tmp_path, site) -> None:
    small = open_library(tmp_path / "small", RefreshSettings(max_bytes=8000))
    try:
        small.add_feed(site.url("/feed.xml"))  # the feed fits, the page (9.5 KB) does not
        aid = ids(small)["lantern"]
        with pytest.raises(StoryFetchError, match="response larger than"):
            small.fetch_full_story(aid)
    finally:
        small.close()


def test_the_http_charset_decides_how_the_page_reads(lib, site) -> None:
    page = (PAGES / "wordpress.html").read_text(encoding="utf-8").encode("cp1252")
    site.route("/2026/06/lantern-keeper/", page, content_type="text/html; charset=windows-1252")
    article = lib.fetch_full_story(ids(lib)["lantern"])
    assert "“hold the door”" in article.text and "Edith’s own scale" in article.text


@pytest.mark.asyncio
async def test_the_async_twin_runs_on_a_running_loop(lib) -> None:
    aid = ids(lib)["tide"]
    article = await lib.fetch_full_story_async(aid)
    assert "Wilf has already written his reply" in article.text
    assert "gansey" not in article.text


# -- the command line ----------------------------------------------------------------------


def storyreader(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
           "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "tui_reader", "--data-dir", str(tmp_path / "cli"),
         "--config-dir", str(tmp_path / "config"), *args],
        capture_output=True, text=True, env=env, timeout=60,
    )


def test_the_cli_fetches_prints_and_fails_on_one_line(tmp_path, site) -> None:
    assert storyreader(tmp_path, "add", site.url("/feed.xml")).returncode == 0
    listed = json.loads(storyreader(tmp_path, "articles", "--json").stdout)
    by_guid = {a["guid"]: a["id"] for a in listed}
    aid = str(by_guid["2026/06/lantern-keeper"])

    fetched = storyreader(tmp_path, "fetch-story", aid, "--json")
    assert fetched.returncode == 0, fetched.stderr
    shown = storyreader(tmp_path, "show", aid, "--json")
    assert json.loads(fetched.stdout) == json.loads(shown.stdout)
    assert "barnacle-crusted buoys" in json.loads(fetched.stdout)["text"]

    found = json.loads(storyreader(tmp_path, "search", PAGE_ONLY, "--json").stdout)
    assert [hit["id"] for hit in found] == [int(aid)]

    plain = storyreader(tmp_path, "fetch-story", aid)
    assert plain.returncode == 0 and plain.stdout == storyreader(tmp_path, "show", aid).stdout
    assert plain.stdout.startswith("The Lantern Keeper of Gull Point\n")

    for guid, text in (("2026/05/gone", "HTTP 404 Not Found"), ("archive", "no story found"),
                       ("report.pdf", "not a web page (application/pdf)")):
        failed = storyreader(tmp_path, "fetch-story", str(by_guid[guid]), "--json")
        lines = failed.stderr.strip().splitlines()
        assert failed.returncode != 0 and failed.stdout == ""
        assert len(lines) == 1 and text in lines[0] and "Traceback" not in failed.stderr
    unknown = storyreader(tmp_path, "fetch-story", "424242")
    assert unknown.returncode != 0 and unknown.stderr.strip().endswith("no article with id 424242")
