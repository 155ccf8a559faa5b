"""``storyreader search`` / ``searches`` as a user runs them: subprocesses, JSON parsed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests import feeds_inline as fx

HIT_FIELDS = {"id", "feed_url", "feed_title", "guid", "title", "link", "author", "published",
              "read", "bookmarked", "score", "snippet"}


class CLI:
    def __init__(self, tmp_path) -> None:
        self.data = tmp_path / "data"
        self.env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg"), "NO_COLOR": "1",
                    "XDG_CONFIG_HOME": str(tmp_path / "xdg-config")}

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [sys.executable, "-m", "tui_reader", "--data-dir", str(self.data), *args],
            capture_output=True, text=True, env=self.env, timeout=60,
        )
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc

    def json(self, *args: str) -> object:
        return json.loads(self.run(*args, "--json").stdout)


@pytest.fixture
def cli(tmp_path):
    harbour, night = tmp_path / "harbour.xml", tmp_path / "night.xml"
    harbour.write_text(fx.rss("Harbour News", items=4, body="<p>The lighthouse keeper {i}"
                              " watched the fog.</p>"), encoding="utf-8")
    night.write_text(fx.atom("Night Shift", items=2), encoding="utf-8")
    runner = CLI(tmp_path)
    runner.run("add", str(harbour))
    runner.run("add", str(night), "--tag", "stories")
    runner.harbour, runner.night = str(harbour), str(night)  # type: ignore[attr-defined]
    return runner


def test_search_json_shape_ranking_and_limit(cli):
    hits = cli.json("search", "keeper")
    assert len(hits) == 4 and all(set(h) == HIT_FIELDS for h in hits)
    assert all(h["feed_title"] == "Harbour News" and "keeper" in h["snippet"] for h in hits)
    assert all(h["score"] > 0 for h in hits)
    # Equal relevance: the newest first.
    assert [h["guid"] for h in hits] == ["item-3", "item-2", "item-1", "item-0"]
    assert [h["title"] for h in cli.json("search", "title:night 1")] == ["night 1"]
    assert len(cli.json("search", "keeper", "--limit", "2")) == 2
    assert cli.json("search", "xylophone") == []
    text = cli.run("search", "lighthouse", "keeper", "--limit", "1").stdout
    assert "item 3" in text and "lighthouse keeper 3" in text


def test_search_filters_in_the_cli(cli):
    assert {h["title"] for h in cli.json("search", "tag:stories")} == {"night 0", "night 1"}
    cli.run("read", str(cli.json("search", "title:night 0")[0]["id"]))
    assert [h["title"] for h in cli.json("search", "tag:stories is:unread")] == ["night 1"]
    assert [h["title"] for h in cli.json("search", "night -is:unread")] == ["night 0"]
    # A query starting with "-" after "--".
    hits = json.loads(cli.run("search", "--json", "--", "-keeper").stdout)
    assert {h["title"] for h in hits} == {"night 0", "night 1"}


def test_tag_command_feeds_tag_search(cli):
    cli.run("tag", cli.harbour, "coast/north")
    assert len(cli.json("search", "tag:coast")) == 4
    assert len(cli.json("search", "tag:coast/north keeper 2")) == 1
    cli.run("tag", cli.harbour, "coast/north", "--remove")
    assert cli.json("search", "tag:coast") == []


def test_saved_searches_in_the_cli(cli):
    saved = cli.json("search", "--save", "Keepers", "keeper -title:0")
    assert saved == {"name": "Keepers", "query": "keeper -title:0", "unread": 3, "total": 3}
    cli.json("search", "--save", "Night", "feed:night")
    first = cli.json("search", "title:item 1")[0]
    cli.run("read", str(first["id"]))
    assert cli.json("searches") == [
        {"name": "Keepers", "query": "keeper -title:0", "unread": 2, "total": 3},
        {"name": "Night", "query": "feed:night", "unread": 2, "total": 2},
    ]
    assert "Keepers" in cli.run("searches").stdout
    cli.run("searches", "remove", "keepers")
    assert [s["name"] for s in cli.json("searches")] == ["Night"]
    proc = cli.run("searches", "remove", "keepers", ok=False)
    assert proc.returncode == 1 and "no saved search named 'keepers'" in proc.stderr


ERRORS = [
    (('"lighthouse',), "unbalanced quote"),
    (("after:2026-02-31",), "bad date"),
    (("***",), "nothing to search for"),
    (("is:maybe",), "unknown is:maybe"),
    (("--save", " ", "fog"), "needs a name"),
]


def test_search_errors_are_one_line(tmp_path):
    cli = CLI(tmp_path)  # an empty library is enough
    for args, message in ERRORS:
        proc = cli.run("search", *args, ok=False)
        assert proc.returncode == 1 and proc.stdout == ""
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr


def test_search_help_documents_the_syntax(tmp_path):
    out = CLI(tmp_path).run("search", "--help").stdout
    for word in ("title:", "feed:", "tag:", "is:unread", "after:", "OR", "trooper*"):
        assert word in out
