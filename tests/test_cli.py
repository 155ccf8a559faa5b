"""The CLI as a user runs it: a subprocess per command, JSON parsed, errors on one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import feeds_inline as fx

ARTICLE_FIELDS = {"id", "feed_url", "guid", "title", "link", "authors", "published", "updated",
                  "summary", "content_html", "text", "enclosures", "read", "bookmarked"}
FEED_FIELDS = {"url", "title", "tags", "unread", "total", "last_refreshed", "last_error",
               "whole_stories"}


class CLI:
    def __init__(self, tmp_path: Path) -> None:
        self.data = tmp_path / "data"
        self.config = tmp_path / "config"
        self.env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
                    "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"), "NO_COLOR": "1"}

    def run(
        self, *args: str, ok: bool = True, data_dir: bool = True
    ) -> subprocess.CompletedProcess:
        prefix = ["--data-dir", str(self.data), "--config-dir", str(self.config)]
        if not data_dir:
            prefix = []
        proc = subprocess.run(
            [sys.executable, "-m", "tui_reader", *prefix, *args],
            capture_output=True, text=True, env=self.env, timeout=60,
        )
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc

    def json(self, *args: str) -> object:
        proc = self.run(*args, "--json")
        return json.loads(proc.stdout)


@pytest.fixture
def cli(tmp_path):
    return CLI(tmp_path)


def assert_one_line_error(proc: subprocess.CompletedProcess, text: str) -> None:
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and text in lines[0]


def test_add_feeds_articles_show_with_json(cli, feed_server):
    feed_server.route("/rss.xml", fx.rss(items=3))
    added = cli.json("add", feed_server.url("/rss.xml"), "--title", "Mine", "--tag", "boats")
    assert added["title"] == "Mine" and added["tags"] == ["boats"]
    feeds = cli.json("feeds")
    assert len(feeds) == 1 and set(feeds[0]) >= FEED_FIELDS
    assert feeds[0]["unread"] == 3 and feeds[0]["total"] == 3 and feeds[0]["last_error"] is None
    articles = cli.json("articles", "--limit", "2")
    assert len(articles) == 2 and set(articles[0]) >= ARTICLE_FIELDS
    first = articles[0]
    assert first["authors"] == [{"name": "Ann Writer", "email": "ann@example.test", "url": ""}]
    assert first["published"].endswith("+00:00")
    assert first["link"].startswith("http://example.test/")
    # Relative links resolve against the document's own URL (no xml:base in this feed).
    assert f'href="{feed_server.url("/rel/")}' in first["content_html"]
    assert first["text"].startswith("Body of")
    shown = cli.json("show", str(first["id"]))
    assert shown == first
    cli.run("read", str(first["id"]))
    unread = cli.json("articles", "--unread")
    assert first["id"] not in {a["id"] for a in unread} and len(unread) == 2


def test_articles_json_streams_every_article_as_show_gives_it(cli, tmp_path):
    path = tmp_path / "many.xml"
    path.write_text(fx.rss(items=300, body="<p>Story {i}</p><ul><li>one</li></ul>" + "x" * 900))
    cli.run("add", str(path))
    articles = cli.json("articles")
    assert len(articles) == 300 and len({a["id"] for a in articles}) == 300
    for article in (articles[0], articles[150], articles[-1]):
        assert cli.json("show", str(article["id"])) == article  # rendered text included
    assert articles[0]["text"].startswith("Story") and "• one" in articles[0]["text"]
    assert cli.json("articles", "--limit", "7") == articles[:7]
    assert cli.run("articles", "--json", "--bookmarked").stdout == "[]\n"


def test_a_closed_pipe_ends_the_listing_quietly(cli, tmp_path):
    path = tmp_path / "many.xml"
    path.write_text(fx.rss(items=300, body="<p>Story {i}</p>" + "y" * 2000))
    cli.run("add", str(path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_reader", "--data-dir", str(cli.data), "articles", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli.env,
    )
    assert proc.stdout.read(100).startswith(b"[")
    proc.stdout.close()  # as `| head -c 100` does: 600 KB of JSON have nowhere to go
    assert proc.wait(timeout=60) == 141
    assert proc.stderr.read() == b""


def test_refresh_json_reports_new_articles_and_errors(cli, feed_server):
    feed_server.route("/a.xml", fx.rss(items=1))
    feed_server.route("/b.xml", fx.rss(items=1, prefix="b"))
    cli.run("add", feed_server.url("/a.xml"))
    cli.run("add", feed_server.url("/b.xml"))
    feed_server.update("/a.xml", fx.rss(items=3))
    feed_server.route("/b.xml", b"", status=404)
    report = cli.json("refresh")
    assert report["new"] == 2 and report["errors"] == 1
    errors = [f for f in report["feeds"] if f["error"]]
    assert errors[0]["url"] == feed_server.url("/b.xml") and "404" in errors[0]["error"]
    feeds = {f["url"]: f for f in cli.json("feeds")}
    assert "404" in feeds[feed_server.url("/b.xml")]["last_error"]


def test_remove_and_data_dir_after_the_subcommand(cli, tmp_path):
    path = tmp_path / "f.xml"
    path.write_text(fx.rss(items=1))
    cli.run("add", str(path))
    proc = cli.run("feeds", "--json", "--data-dir", str(cli.data), data_dir=False)
    assert len(json.loads(proc.stdout)) == 1
    cli.run("remove", str(path))
    assert cli.json("feeds") == []


def test_xdg_data_home_moves_the_library(cli, tmp_path):
    path = tmp_path / "f.xml"
    path.write_text(fx.rss(items=1))
    cli.run("add", str(path), data_dir=False)
    assert (tmp_path / "xdg-data" / "storyreader" / "library.sqlite3").exists()


def test_cli_on_an_empty_library_never_adds_the_demo(cli, tmp_path):
    assert cli.json("feeds") == []
    opml = tmp_path / "mine.opml"
    opml.write_text('<opml version="2.0"><body><outline text="x" xmlUrl="http://127.0.0.1:9/x"/>'
                    "</body></opml>")
    cli.run("import-opml", str(opml))
    assert [f["url"] for f in cli.json("feeds")] == ["http://127.0.0.1:9/x"]


def test_opml_export_to_file_and_stdout(cli, tmp_path):
    opml = tmp_path / "in.opml"
    opml.write_text('<opml version="2.0"><body><outline text="News"><outline text="x" '
                    'xmlUrl="http://127.0.0.1:9/x"/></outline></body></opml>')
    cli.run("import-opml", str(opml))
    out = tmp_path / "out.opml"
    cli.run("export-opml", "-o", str(out))

    def without_date(text: str) -> list[str]:
        return [line for line in text.splitlines() if "<dateCreated>" not in line]

    assert 'xmlUrl="http://127.0.0.1:9/x"' in out.read_text()
    assert without_date(cli.run("export-opml").stdout) == without_date(out.read_text())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "999"), "no article with id 999"),
        (("read", "999"), "no article with id 999"),
        (("remove", "http://nowhere.test/feed"), "no feed with URL"),
        (("whole-stories", "http://nowhere.test/feed"), "no feed with URL"),
        (("whole-stories", "http://nowhere.test/feed", "--off", "--json"), "no feed with URL"),
        (("import-opml", "/nonexistent/file.opml"), "cannot read"),
        (("articles", "--limit", "-3"), "must be 0 or more"),
        (("articles", "--feed", "http://nowhere.test/"), "no feed with URL"),
        (("add", "http://127.0.0.1:9/feed.xml"), "127.0.0.1:9"),
    ],
)
def test_bad_input_is_a_one_line_error(cli, args, message):
    assert_one_line_error(cli.run(*args, ok=False), message)


def test_invalid_opml_and_non_feed_url(cli, tmp_path, feed_server):
    bad = tmp_path / "bad.opml"
    bad.write_text("<html>nope</html>")
    assert_one_line_error(cli.run("import-opml", str(bad), ok=False), "not OPML")
    feed_server.route("/page", "<html><body>no feeds here</body></html>",
                      content_type="text/html")
    assert_one_line_error(cli.run("add", feed_server.url("/page"), ok=False), "no feed")
    assert cli.json("feeds") == []


def test_every_subcommand_has_help(cli):
    for command in ("add", "remove", "feeds", "refresh", "articles", "show", "import-opml",
                    "export-opml", "tag", "whole-stories"):
        proc = cli.run(command, "--help")
        assert "usage: storyreader" in proc.stdout


def test_tag_command(cli, tmp_path):
    path = tmp_path / "f.xml"
    path.write_text(fx.rss(items=1))
    cli.run("add", str(path))
    cli.run("tag", str(path), "stories", "sea")
    assert cli.json("feeds")[0]["tags"] == ["sea", "stories"]
    cli.run("tag", str(path), "sea", "--remove")
    assert cli.json("feeds")[0]["tags"] == ["stories"]


def test_whole_stories_on_add_and_for_a_feed(cli, tmp_path):
    excerpts = tmp_path / "excerpts.xml"
    excerpts.write_text(fx.rss(title="Harbour Lights", items=1))
    whole = cli.json("add", str(excerpts), "--whole-stories")
    assert whole["whole_stories"] is True
    other = tmp_path / "other.xml"
    other.write_text(fx.rss(title="Other", items=1, prefix="o"))
    assert cli.json("add", str(other))["whole_stories"] is False
    feeds = {f["title"]: f["whole_stories"] for f in cli.json("feeds")}
    assert feeds == {"Harbour Lights": True, "Other": False}
    listing = cli.run("feeds").stdout.splitlines()
    assert "Harbour Lights  (whole stories)" in listing[0]
    assert "Other" in listing[2] and "whole" not in listing[2]

    off = cli.run("whole-stories", str(excerpts), "--off")
    assert off.stdout == "Harbour Lights: whole stories off\n"
    assert [f["whole_stories"] for f in cli.json("feeds")] == [False, False]
    shown = cli.json("whole-stories", str(other))
    assert shown["title"] == "Other" and shown["whole_stories"] is True
    assert set(shown) >= FEED_FIELDS
    assert {f["title"]: f["whole_stories"] for f in cli.json("feeds")} == {
        "Harbour Lights": False, "Other": True}


def test_reading_commands_never_load_the_refresh_pipeline(tmp_path: Path) -> None:
    """``feeds``, ``articles`` and ``search`` start fast: httpx, asyncio, the fetcher and
    the worker pool are imported only by commands that fetch."""
    code = (
        "import sys\n"
        "from tui_reader.cli import main\n"
        f"for argv in (['feeds'], ['articles'], ['search', 'x']):\n"
        f"    main([*argv, '--data-dir', {str(tmp_path / 'd')!r}, '--config-dir', "
        f"{str(tmp_path / 'c')!r}])\n"
        "print(sorted(m for m in ('tui_reader.core.update', 'tui_reader.core.fetch', 'httpx',"
        " 'asyncio', 'tui_reader.core.parse_pool') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_add_title_is_cleaned_like_any_title(cli, tmp_path):
    path = tmp_path / "f.xml"
    path.write_text(fx.rss(title="Own title", items=1))
    added = cli.json("add", str(path), "--title", "Mine\x1b]0;owned\x07 \x9b2J")
    assert added["title"] == "Mine]0;owned 2J"  # no ESC, BEL or CSI reaches a terminal
    other = tmp_path / "g.xml"
    other.write_text(fx.rss(title="Its own", items=1, prefix="g"))
    assert cli.json("add", str(other), "--title", "  \x07 ")["title"] == "Its own"
