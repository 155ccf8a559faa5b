"""``storyreader bookmark/unbookmark/bookmarks`` run as a user runs them: subprocesses."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from tests.test_bookmarks_support import FIXTURES, write_feed

BOOKMARK_FIELDS = {"id", "title", "link", "feed_title", "feed_url", "guid", "author",
                   "published", "summary", "bookmarked_at", "note", "tags", "article_id"}


class CLI:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.data = tmp_path / "data"
        self.env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
                    "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"), "NO_COLOR": "1"}
        self.env.pop("STORYREADER_DEBUG", None)

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [sys.executable, "-m", "tui_reader", "--data-dir", str(self.data),
             "--config-dir", str(self.tmp / "config"), *args],
            capture_output=True, text=True, env=self.env, timeout=60,
        )
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc

    def json(self, *args: str):
        return json.loads(self.run(*args, "--json").stdout)


@pytest.fixture
def cli(tmp_path):
    cli = CLI(tmp_path)
    cli.run("add", str(write_feed(tmp_path / "news.xml")))
    return cli


def ids(cli: CLI) -> dict[str, int]:
    return {a["guid"]: a["id"] for a in cli.json("articles")}


def assert_one_line_error(proc: subprocess.CompletedProcess, text: str) -> None:
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and text in lines[0], lines[0]


def test_bookmark_list_and_unbookmark(cli):
    article = ids(cli)
    made = cli.json("bookmark", str(article["story-3"]), "--note", "read this",
                    "--tag", "later", "--tag", "a,b")
    assert set(made) == BOOKMARK_FIELDS
    assert made["title"] == "Third story" and made["note"] == "read this"
    assert made["tags"] == ["later", "a", "b"] and made["article_id"] == article["story-3"]
    cli.run("bookmark", str(article["story-1"]), "--tag", "later")
    listed = cli.json("bookmarks")
    assert [b["title"] for b in listed] == [
        'Ünïcode & <tags> [brackets] "quotes"', "Third story"]  # newest first
    assert listed[0]["bookmarked_at"] >= listed[1]["bookmarked_at"]
    assert [b["title"] for b in cli.json("bookmarks", "--tag", "a")] == ["Third story"]
    assert cli.json("bookmarks", "--tag", "none") == []
    flagged = {a["guid"]: a["bookmarked"] for a in cli.json("articles")}
    assert flagged == {"story-1": True, "story-2": False, "story-3": True, "story-4": False}
    text = cli.run("bookmarks").stdout
    assert "Third story  [later, a, b]  (Example News)" in text

    proc = cli.run("unbookmark", str(article["story-3"]))
    assert "Removed bookmark: Third story" in proc.stdout
    assert [b["title"] for b in cli.json("bookmarks")] == [listed[0]["title"]]
    proc = cli.run("unbookmark", str(article["story-3"]))
    assert "was not bookmarked" in proc.stdout
    cli.run("unbookmark", "--bookmark-id", str(listed[0]["id"]))
    assert cli.json("bookmarks") == []


def test_bookmarks_survive_remove_in_the_cli(cli, tmp_path):
    cli.run("bookmark", str(ids(cli)["story-2"]))
    cli.run("remove", str(tmp_path / "news.xml"))
    [kept] = cli.json("bookmarks")
    assert kept["title"] == "=SUM(A1:A9) looks like a formula" and kept["article_id"] is None


def test_bad_input_is_a_one_line_error(cli, tmp_path):
    assert_one_line_error(cli.run("bookmark", "9999", ok=False), "no article with id 9999")
    assert_one_line_error(cli.run("unbookmark", "9999", ok=False), "no article with id 9999")
    assert_one_line_error(cli.run("unbookmark", "--bookmark-id", "77", ok=False),
                          "no bookmark with id 77")
    assert_one_line_error(cli.run("bookmark", "abc", ok=False), "invalid int value")
    assert_one_line_error(cli.run("bookmarks", "export", "--format", "xml", ok=False),
                          "invalid choice")
    assert_one_line_error(cli.run("bookmarks", "export", ok=False), "choose a format")
    assert_one_line_error(cli.run("bookmarks", "import", str(tmp_path / "missing.html"),
                                  ok=False), "cannot read")
    junk = tmp_path / "junk.json"
    junk.write_text("{ nope", encoding="utf-8")
    assert_one_line_error(cli.run("bookmarks", "import", str(junk), ok=False), "not valid JSON")
    plain = tmp_path / "plain.txt"
    plain.write_text("hello\n", encoding="utf-8")
    assert_one_line_error(cli.run("bookmarks", "import", str(plain), ok=False),
                          "not a bookmarks file")
    assert_one_line_error(
        cli.run("bookmarks", "export", "--format", "json", "-o",
                str(tmp_path / "no" / "dir.json"), ok=False), "No such file or directory")


def test_export_every_format_to_stdout_and_files(cli, tmp_path):
    article = ids(cli)
    cli.run("bookmark", str(article["story-1"]), "--tag", "news", "--note", "hi")
    cli.run("bookmark", str(article["story-2"]))
    stdout = cli.run("bookmarks", "export", "--format", "json").stdout
    exported = json.loads(stdout)["bookmarks"]
    assert [b["title"] for b in exported] == [b["title"] for b in cli.json("bookmarks")]
    assert exported[1]["note"] == "hi" and exported[1]["tags"] == ["news"]

    rows = list(csv.DictReader(io.StringIO(
        cli.run("bookmarks", "export", "--format", "csv").stdout, newline="")))
    assert [r["link"] for r in rows] == [b["link"] for b in exported]

    atom = tmp_path / "bookmarks.atom"
    proc = cli.run("bookmarks", "export", "-o", str(atom))  # format from the extension
    assert proc.stdout == "" and "Exported 2 bookmarks" in proc.stderr
    parsed = feedparser.parse(atom.read_bytes())
    assert not parsed.bozo and [e.link for e in parsed.entries] == [b["link"] for b in exported]

    markdown = cli.run("bookmarks", "export", "--format", "md", "--group", "feed").stdout
    assert markdown.startswith("# storyreader bookmarks") and "## Example News" in markdown
    html = cli.run("bookmarks", "export", "--format", "html", "--tag", "news").stdout
    assert html.count("<DT><A ") == 1 and 'TAGS="news"' in html


def test_import_browser_file_and_json_round_trip(cli, tmp_path):
    proc = cli.run("bookmarks", "import", str(FIXTURES / "firefox.html"))
    assert "Imported 6 bookmarks" in proc.stdout and "5 new, 1 merged, 2 skipped" in proc.stdout
    cli.run("bookmark", str(ids(cli)["story-1"]), "--note", "mine")
    before = cli.json("bookmarks")
    assert len(before) == 6
    out = tmp_path / "all.json"
    cli.run("bookmarks", "export", "--format", "json", "-o", str(out))

    other = CLI(tmp_path / "other")
    proc = other.run("bookmarks", "import", str(out))
    assert "6 new, 0 merged" in proc.stdout
    after = other.json("bookmarks")
    for item in before:
        item["article_id"] = None
    assert after == before
    proc = other.run("bookmarks", "import", str(out))
    assert "0 new, 6 merged" in proc.stdout
    assert other.json("bookmarks") == before
