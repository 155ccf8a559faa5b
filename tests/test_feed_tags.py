"""Feed titles and tags through the façade: the one check both fronts use
(``storyreader add --tag`` / ``storyreader tag`` and the reader's edit dialog)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import feeds_inline as fx
from tests.test_cli import CLI, assert_one_line_error
from tui_reader.core.errors import TagError
from tui_reader.core.library import Library, open_library


@pytest.fixture
def lib_and_url(tmp_path: Path):
    path = tmp_path / "news.xml"
    path.write_text(fx.rss(title="Harbour News", items=2), encoding="utf-8")
    library = open_library(tmp_path / "data")
    feed, _ = library.add_feed(str(path))
    yield library, feed.url
    library.close()


def test_tags_are_split_cleaned_and_deduplicated(lib_and_url: tuple[Library, str]) -> None:
    library, url = lib_and_url
    library.set_feed_tags(url, ["news, friends ,, News", "a\x1b[31m  b", "coast/north"])
    assert library.feed(url).tags == ("a[31m b", "coast/north", "friends", "news")
    library.add_feed_tags(url, ["later,news"])
    assert library.feed(url).tags == ("a[31m b", "coast/north", "friends", "later", "news")
    library.set_feed_tags(url, [""])
    assert library.feed(url).tags == ()


@pytest.mark.parametrize("bad, message", [
    ("x" * 101, "a tag is at most 100 characters (this one has 101"),
    ("/news", "tag '/news' has an empty folder name"),
    ("news/", "tag 'news/' has an empty folder name"),
    ("news// tech", "tag 'news// tech' has an empty folder name"),
])
def test_bad_tags_are_refused_and_nothing_changes(lib_and_url: tuple[Library, str], bad: str,
                                                  message: str) -> None:
    library, url = lib_and_url
    library.set_feed_tags(url, ["kept"])
    for change in (library.set_feed_tags, library.add_feed_tags):
        with pytest.raises(TagError) as error:
            change(url, ["fine", bad])
        assert message in str(error.value) and "\n" not in str(error.value)
        assert library.feed(url).tags == ("kept",)
        assert len(str(error.value)) < 120  # a long tag is quoted short


def test_a_tag_stored_before_the_check_can_be_kept_and_removed(
    lib_and_url: tuple[Library, str],
) -> None:
    library, url = lib_and_url
    with library.storage.transaction() as conn:  # as an older version stored it
        conn.execute("INSERT INTO feed_tags (feed_id, tag) VALUES (?, '/old')",
                     (library.feed(url).id,))
    library.add_feed_tags(url, ["new"])
    assert library.feed(url).tags == ("/old", "new")
    library.set_feed_tags(url, ["/old"])
    assert library.feed(url).tags == ("/old",)


def test_rename_cleans_the_title_and_blank_goes_back_to_the_feeds(
    lib_and_url: tuple[Library, str],
) -> None:
    library, url = lib_and_url
    assert library.feed_titles(url) == (None, "Harbour News")
    library.rename_feed(url, "  My\x1b[2J\n news  ")
    assert library.feed(url).title == "My[2J news"
    assert library.feed_titles(url) == ("My[2J news", "Harbour News")
    for blank in ("", "  \t", None):
        library.rename_feed(url, "Mine")
        library.rename_feed(url, blank)
        assert library.feed_titles(url) == (None, "Harbour News")
        assert library.feed(url).title == "Harbour News"


def test_cli_add_and_tag_use_the_same_check(tmp_path: Path) -> None:
    cli = CLI(tmp_path)
    path = tmp_path / "f.xml"
    path.write_text(fx.rss(items=1), encoding="utf-8")
    assert_one_line_error(cli.run("add", str(path), "--tag", "a//b", ok=False),
                          "tag 'a//b' has an empty folder name")
    assert cli.json("feeds") == []  # refused before anything was fetched or stored
    cli.run("add", str(path), "--tag", "sea, boats")
    assert_one_line_error(cli.run("tag", str(path), "x" * 120, ok=False),
                          "a tag is at most 100 characters")
    assert cli.json("feeds")[0]["tags"] == ["boats", "sea"]
