"""Killfile rules: parsing, matching, applied at refresh on real local feed files, and the
``filter`` CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests import feeds_inline as fx
from tui_reader.core.errors import NotFoundError, QueryError
from tui_reader.core.filters import killed, parse_rule
from tui_reader.core.library import open_library
from tui_reader.core.models import Author, ParsedEntry

STORY = ParsedEntry(
    guid="g", title="Sponsored: The Best Kettle", authors=(Author(name="Press Office"),),
    summary="A kettle.", text="Boils water faster than crypto.", categories=("Ads",),
)


@pytest.mark.parametrize(
    ("rule", "hit"),
    [
        ("sponsored", True),  # anywhere, any case
        ("title:SPONSORED", True),
        ("author:sponsored", False),
        ("author:press office", True),
        ("text:crypto", True),
        ("title:crypto", False),
        ("category:ads", True),
        ("/best\\s+kettle/", True),
        ("title:/^sponsored:/", True),
        ("author:/^office/", False),
        ("/nft|crypto/", True),
        ("TITLE:kettle", True),
        ("kettles", False),
    ],
)
def test_rules_match_fields_case_insensitively(rule, hit):
    assert killed([parse_rule(rule)], STORY) is hit


@pytest.mark.parametrize(
    ("rule", "message"),
    [("", "needs a pattern"), ("title:", "after 'title:'"), ("/(/", "bad regular expression"),
     ("/x*/", "matches every story"), ("x" * 600, "too long")],
)
def test_bad_rules_are_query_errors(rule, message):
    with pytest.raises(QueryError, match=message):
        parse_rule(rule)


def write(path, title: str, items: list[tuple[str, str]]) -> None:
    """An RSS file with (guid, title) items."""
    body = "".join(
        f"<item><title>{t}</title><guid>{g}</guid><link>http://x.test/{g}</link>"
        f"<description>About {t}</description></item>"
        for g, t in items
    )
    path.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://x.test/</link><description>d</description>{body}</channel></rss>",
        encoding="utf-8",
    )


def titles(lib, url: str) -> set[str]:
    return {a.title for a in lib.articles(feed_url=url)}


def test_rules_drop_matching_entries_at_refresh(tmp_path):
    harbour, night = tmp_path / "harbour.xml", tmp_path / "night.xml"
    write(harbour, "Harbour", [("h1", "Tides")])
    write(night, "Night", [("n1", "Soup")])
    with open_library(tmp_path / "data") as lib:
        h, _ = lib.add_feed(str(harbour))
        n, _ = lib.add_feed(str(night))
        lib.add_filter("title:sponsored", str(harbour))  # the path as the user typed it
        lib.add_filter("/\\bbuy now\\b/")  # every feed
        write(harbour, "Harbour", [("h1", "Tides"), ("h2", "SPONSORED: boats"),
                                   ("h3", "Buy now, sail later"), ("h4", "Gulls")])
        write(night, "Night", [("n1", "Soup"), ("n2", "Sponsored soup"), ("n3", "buy now")])
        summary = lib.refresh()
        assert not summary.errors
        assert titles(lib, h.url) == {"Tides", "Gulls"}
        assert titles(lib, n.url) == {"Soup", "Sponsored soup"}  # the harbour rule stays there
        assert lib.search("sponsored") and lib.search("title:sponsored")[0].article.guid == "n2"
        # Removing the rule lets the entries in on the next refresh.
        (rule,) = [r for r in lib.filters() if r.feed_url == h.url]
        lib.remove_filter(rule.id)
        write(harbour, "Harbour", [("h1", "Tides"), ("h2", "SPONSORED: boats"),
                                   ("h4", "Gulls"), ("h5", "More gulls")])
        lib.refresh([h.url])
        assert titles(lib, h.url) == {"Tides", "Gulls", "SPONSORED: boats", "More gulls"}


def test_global_rule_applies_when_a_feed_is_added(tmp_path):
    feed = tmp_path / "f.xml"
    write(feed, "F", [("a", "Keep me"), ("b", "Drop me")])
    with open_library(tmp_path / "data") as lib:
        lib.add_filter("title:drop")
        added, result = lib.add_feed(str(feed))
        assert result.new == 1 and titles(lib, added.url) == {"Keep me"}


def test_rules_need_a_known_feed_and_go_with_it(tmp_path):
    feed = tmp_path / "f.xml"
    write(feed, "F", [("a", "A")])
    with open_library(tmp_path / "data") as lib:
        with pytest.raises(NotFoundError):
            lib.add_filter("x", "http://unknown.test/feed")
        with pytest.raises(QueryError):
            lib.add_filter("/[/")
        added, _ = lib.add_feed(str(feed))
        lib.add_filter("x", added.url)
        lib.add_filter("y")
        assert [(r.rule, r.feed_url) for r in lib.filters()] == [("y", None), ("x", added.url)]
        lib.remove_feed(added.url)
        assert [r.rule for r in lib.filters()] == ["y"]
        with pytest.raises(NotFoundError):
            lib.remove_filter(999)


def run_cli(tmp_path, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg"), "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "tui_reader", "--data-dir", str(tmp_path / "data"), *args],
        capture_output=True, text=True, env=env, timeout=60,
    )
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_filter_cli_add_list_remove(tmp_path):
    feed = tmp_path / "f.xml"
    feed.write_text(fx.rss(items=2), encoding="utf-8")
    run_cli(tmp_path, "add", str(feed))
    local = json.loads(run_cli(tmp_path, "filter", "add", str(feed), "title:/item 3$/",
                               "--json").stdout)
    glob = json.loads(run_cli(tmp_path, "filter", "add", "sponsored", "--json").stdout)
    assert local["feed_url"] == str(feed) and local["rule"] == "title:/item 3$/"
    assert glob["feed_url"] is None
    listed = json.loads(run_cli(tmp_path, "filter", "list", "--json").stdout)
    assert listed == [glob, local]
    feed.write_text(fx.rss(items=4), encoding="utf-8")
    run_cli(tmp_path, "refresh")
    titles_now = {a["title"] for a in json.loads(run_cli(tmp_path, "articles", "--json").stdout)}
    assert titles_now == {"item 0", "item 1", "item 2"}  # item 3 was dropped
    run_cli(tmp_path, "filter", "remove", str(glob["id"]))
    assert json.loads(run_cli(tmp_path, "filter", "list", "--json").stdout) == [local]
    bad = run_cli(tmp_path, "filter", "add", "/(/", ok=False)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
    assert "bad regular expression" in bad.stderr and "Traceback" not in bad.stderr
    missing = run_cli(tmp_path, "filter", "remove", "42", ok=False)
    assert "no filter rule with id 42" in missing.stderr
    assert "regular expression" in run_cli(tmp_path, "filter", "add", "--help").stdout
