"""A feed of excerpts set to whole stories: each refresh fetches its new stories whole
from their web pages (a real loopback server, real SQLite files, the real parse pool)."""

from __future__ import annotations

import pytest

from tests.test_fetch_story import ITEMS, PAGE_ONLY, ids, rss, search_ids, site  # noqa: F401
from tui_reader.core import parse_pool
from tui_reader.core.library import open_library


@pytest.fixture(params=["thread", "processes"])
def pool(request, monkeypatch):
    """Parse in a thread (a small refresh) or in worker processes (a big one)."""
    if request.param == "processes":
        monkeypatch.setattr(parse_pool, "PROCESS_POOL_THRESHOLD", 1)
    return request.param


def start_with_one_story(site, tmp_path, *, whole: bool):  # noqa: F811
    base = site.url("").rstrip("/")
    site.route("/feed.xml", rss(base, {"full": ITEMS["full"]}))
    library = open_library(tmp_path / "data")
    library.add_feed(site.url("/feed.xml"))
    if whole:
        library.set_whole_stories(site.url("/feed.xml"))
    site.update("/feed.xml", rss(base))  # six new stories
    return library


def test_new_stories_of_a_whole_stories_feed_are_fetched_whole(site, tmp_path, pool):  # noqa: F811
    library = start_with_one_story(site, tmp_path, whole=True)
    try:
        assert library.feed(site.url("/feed.xml")).whole_stories
        summary = library.refresh()
        result = summary.results[0]
        assert result.new == 6 and result.error is None
        assert result.whole_stories == 2  # the two story pages; 404, PDF, link list, no link
        stories = ids(library)
        lantern = library.article(stories["lantern"])
        assert "barnacle-crusted buoys" in lantern.text and "Leave a Reply" not in lantern.text
        assert search_ids(library, PAGE_ONLY) == {stories["lantern"]}
        missing = library.article(stories["missing"], rendered=False)
        assert missing.text.startswith("Every evening") and len(missing.text) < 200
        assert library.refresh().results[0].whole_stories == 0  # nothing new: nothing fetched
        assert "barnacle-crusted buoys" in library.article(stories["lantern"]).text
    finally:
        library.close()


def test_other_feeds_keep_their_excerpts(site, tmp_path):  # noqa: F811
    library = start_with_one_story(site, tmp_path, whole=False)
    try:
        result = library.refresh().results[0]
        assert result.new == 6 and result.whole_stories == 0
        assert search_ids(library, PAGE_ONLY) == set()
        library.set_whole_stories(site.url("/feed.xml"), False)
        assert not library.feed(site.url("/feed.xml")).whole_stories
    finally:
        library.close()


def test_switching_on_fetches_the_excerpts_already_stored(site, tmp_path):  # noqa: F811
    library = start_with_one_story(site, tmp_path, whole=False)
    try:
        library.refresh()  # six excerpts stored (and one whole story from the feed)
        stories = ids(library)
        assert search_ids(library, PAGE_ONLY) == set()
        url = site.url("/feed.xml")
        assert library.fetch_whole_stories(url) == 2
        assert search_ids(library, PAGE_ONLY) == {stories["lantern"]}
        assert "barnacle-crusted buoys" in library.article(stories["lantern"]).text
        assert library.fetch_whole_stories(url) == 0  # whole now: not excerpts any more
    finally:
        library.close()


def test_the_cli_fetches_whole_stories_on_add_and_at_refresh(site, tmp_path):  # noqa: F811
    from tests.test_cli import CLI

    cli = CLI(tmp_path)
    base = site.url("").rstrip("/")
    site.route("/feed.xml", rss(base, {"lantern": ITEMS["lantern"]}))
    added = cli.json("add", site.url("/feed.xml"), "--whole-stories")
    assert added["whole_stories"] is True and added["new"] == 1 and added["fetched_whole"] == 1
    site.update("/feed.xml", rss(base, {"lantern": ITEMS["lantern"], "tide": ITEMS["tide"]}))
    report = cli.run("refresh").stdout
    assert "1 new   0 updated  Harbour Lights  (1 fetched whole)" in report
    assert {hit["guid"] for hit in cli.json("search", PAGE_ONLY)} == {"2026/06/lantern-keeper"}
    switched = cli.run("whole-stories", site.url("/feed.xml")).stdout
    assert switched == "Harbour Lights: whole stories on\n"  # nothing left to fetch


def test_a_feed_holds_few_story_pages_at_once(site, tmp_path, monkeypatch):  # noqa: F811
    """Pages are up to 10 MB: a feed's many new stories are fetched and read a few at a
    time, not all held in memory at once."""
    from tui_reader.core import fetch, whole_stories

    library = start_with_one_story(site, tmp_path, whole=False)
    try:
        library.refresh()
        for path in ("/2026/06/lantern-keeper/", "/2026/05/what-the-tide-left/",
                     "/report.pdf/", "/archive/"):  # five excerpts' pages (one is a 404)
            site.update(path, latency=0.3)
        monkeypatch.setattr(whole_stories, "PAGES_IN_HAND", 2)
        in_hand, most = 0, 0
        real = fetch.Fetcher.fetch

        async def counting(self, *args, **kwargs):
            nonlocal in_hand, most
            in_hand += 1
            most = max(most, in_hand)
            try:
                return await real(self, *args, **kwargs)
            finally:
                in_hand -= 1

        monkeypatch.setattr(fetch.Fetcher, "fetch", counting)
        assert library.fetch_whole_stories(site.url("/feed.xml")) == 2
        assert most == 2
    finally:
        library.close()


@pytest.mark.parametrize(("link", "feed", "allowed"), [
    ("https://blog.example.org/story/", "https://blog.example.org/feed/", True),
    ("http://127.0.0.1:8080/admin", "https://blog.example.org/feed/", False),
    ("http://localhost/admin", "https://blog.example.org/feed/", False),
    ("http://router.localhost/", "https://blog.example.org/feed/", False),
    ("http://192.168.1.1/reboot", "https://blog.example.org/feed/", False),
    ("http://10.0.0.7/", "/home/me/feeds/blog.xml", False),  # a local file's links too
    ("http://[::1]/", "https://blog.example.org/feed/", False),
    ("http://169.254.169.254/latest/meta-data/", "https://blog.example.org/feed/", False),
    ("http://0.0.0.0:9/", "https://blog.example.org/feed/", False),
    ("http://192.168.1.20/story/", "http://192.168.1.20/feed.xml", True),  # a home server
    ("http://127.0.0.1:8080/story/", "http://localhost:8080/feed.xml", True),
])
def test_a_public_feed_never_points_the_reader_at_local_addresses(link, feed, allowed):
    from tui_reader.core.whole_stories import may_fetch

    assert may_fetch(link, feed) is allowed


def test_a_feed_file_linking_to_this_machine_gets_no_request(site, tmp_path):  # noqa: F811
    """A hostile feed (here a local file, not on a local address) whose stories link to a
    server on this machine: neither a refresh, nor switching on, nor F sends it a request."""
    from tui_reader.core.errors import StoryFetchError

    base = site.url("").rstrip("/")
    feed = tmp_path / "hostile.xml"
    feed.write_text(rss(base, {"full": ITEMS["full"]}))
    library = open_library(tmp_path / "data")
    try:
        library.add_feed(str(feed))
        library.set_whole_stories(str(feed))
        feed.write_text(rss(base))  # six new stories, their pages on 127.0.0.1
        assert library.refresh().results[0].whole_stories == 0
        assert library.fetch_whole_stories(str(feed)) == 0
        with pytest.raises(StoryFetchError, match="the page is on this machine"):
            library.fetch_full_story(ids(library)["lantern"])
        assert site.requests_for("/2026/06/lantern-keeper/") == []
        assert site.requests_for("/2026/05/what-the-tide-left/") == []
    finally:
        library.close()
