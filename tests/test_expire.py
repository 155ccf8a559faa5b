"""Expiry: `storyreader expire DAYS` deletes old read stories, keeps unread and bookmarked
ones, and a deleted story that is still in its feed does not come back as new."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tests.test_cli import CLI, assert_one_line_error

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=400)


def feed(*, edited: bool = False) -> str:
    """Three stories of last year and two of this week; ``edited`` changes an old one."""
    stories = [
        ("old-a", "Lighthouse keeper", "zanzibarian lamp oil", OLD),
        ("old-b", "Harbour wall", "quayside storm" + (" rebuilt" if edited else ""), OLD),
        ("old-c", "Net mending", "twine and patience", OLD),
        ("new-a", "Spring tide", "highest water", NOW - timedelta(days=2)),
        ("new-b", "Ferry timetable", "summer crossings", NOW - timedelta(days=1)),
    ]
    items = "".join(
        f"<item><title>{title}</title><guid>{guid}</guid>"
        f"<link>http://example.test/{guid}</link><pubDate>{format_datetime(date)}</pubDate>"
        f"<description>{body}</description></item>"
        for guid, title, body, date in stories
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Coast</title>'
        f"<link>http://example.test/</link><description>d</description>{items}</channel></rss>"
    )


@pytest.fixture
def coast(tmp_path, feed_server):
    """A CLI over a library subscribed to the feed, with ids by guid."""
    cli = CLI(tmp_path)
    feed_server.route("/coast.xml", feed())
    cli.run("add", feed_server.url("/coast.xml"))
    ids = {a["guid"]: a["id"] for a in cli.json("articles")}
    return cli, ids


def guids(cli: CLI) -> set[str]:
    return {a["guid"] for a in cli.json("articles")}


def test_expire_deletes_old_read_stories_only(coast):
    cli, ids = coast
    cli.run("read", str(ids["old-a"]), str(ids["old-b"]), str(ids["new-a"]))
    cli.run("bookmark", str(ids["old-b"]))
    assert cli.json("expire", "30") == {"expired": 1}  # old-a: old-b is bookmarked, old-c unread
    assert guids(cli) == {"old-b", "old-c", "new-a", "new-b"}
    assert cli.json("search", "zanzibarian") == []  # gone from the full-text index too
    db = sqlite3.connect(cli.data / "library.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM related_docs WHERE article_id = ?",
                      (ids["old-a"],)).fetchone()[0] == 0
    assert "Deleted 1 story older than 30 days" in cli.run("expire", "30", "--unread").stdout
    assert guids(cli) == {"old-b", "new-a", "new-b"}  # old-c went with --unread
    assert cli.json("expire", "30", "--unread") == {"expired": 0}


def test_an_expired_story_still_in_the_feed_does_not_come_back(coast, feed_server):
    cli, ids = coast
    cli.run("read", str(ids["old-a"]), str(ids["old-b"]))
    assert cli.json("expire", "30") == {"expired": 2}
    assert cli.json("refresh")["new"] == 0  # the same document
    feed_server.update("/coast.xml", feed(edited=True))  # an expired story edited
    report = cli.json("refresh")
    assert report["new"] == 0 and report["errors"] == 0
    assert guids(cli) == {"old-c", "new-a", "new-b"}
    assert all(not a["read"] for a in cli.json("articles"))


def test_unsubscribing_forgets_what_expired(coast, feed_server):
    cli, ids = coast
    cli.run("read", str(ids["old-a"]))
    cli.run("expire", "30")
    cli.run("remove", feed_server.url("/coast.xml"))
    cli.run("add", feed_server.url("/coast.xml"))  # a new subscription gets every story
    assert len(guids(cli)) == 5


@pytest.mark.parametrize("days", ["0", "-3", "soon"])
def test_expire_needs_a_positive_number_of_days(tmp_path, days):
    proc = CLI(tmp_path).run("expire", days, ok=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_expire_on_an_empty_library(tmp_path):
    assert CLI(tmp_path).json("expire", "7") == {"expired": 0}
    assert_one_line_error(CLI(tmp_path).run("expire", ok=False), "DAYS")


def test_keep_days_in_the_config_expires_after_each_refresh(coast):
    cli, ids = coast
    cli.config.mkdir(parents=True, exist_ok=True)
    (cli.config / "config.toml").write_text("[refresh]\nkeep_days = 30\n")
    cli.run("read", str(ids["old-a"]), str(ids["new-a"]))
    report = cli.json("refresh")
    assert report["expired"] == 1 and report["new"] == 0
    assert guids(cli) == {"old-b", "old-c", "new-a", "new-b"}  # new-a is read but recent
    cli.run("read", str(ids["old-c"]))
    assert ", 1 old read story expired" in cli.run("refresh").stdout
    (cli.config / "config.toml").write_text("[refresh]\nkeep_days = 0\n")  # keep everything
    cli.run("read", str(ids["old-b"]))
    assert cli.json("refresh")["expired"] == 0 and "old-b" in guids(cli)


@pytest.mark.asyncio
async def test_the_reader_says_what_expired_and_redraws_the_list(tmp_path):
    from tests.apps.reader_app import main, make_app, settle
    from tests.test_feed_management_ui import text_of_widget
    from tui_reader.core.library import open_library

    path = tmp_path / "coast.xml"
    path.write_text(feed())
    data = tmp_path / "data"
    with open_library(data) as library:
        library.set_state("demo_subscribed", True)
        await library.add_feed_async(str(path))
        old = next(a for a in library.articles() if a.title == "Lighthouse keeper")
        library.set_read([old.id])
    app = make_app(data, tmp_path / "config", config_text="[refresh]\nkeep_days = 30\n")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Lighthouse keeper" in text_of_widget(main(pilot).article_list)
        await pilot.press("R")
        await settle(pilot)
        assert any("1 old read story expired" in n for n in app.notified), app.notified
        listed = text_of_widget(main(pilot).article_list)
        assert "Lighthouse keeper" not in listed and "Harbour wall" in listed


@pytest.mark.asyncio
async def test_expiry_in_small_transactions_deletes_every_match(tmp_path, monkeypatch):
    from tui_reader.core.library import open_library
    from tui_reader.core.storage import articles as article_sql

    monkeypatch.setattr(article_sql, "EXPIRE_CHUNK", 2)
    path = tmp_path / "coast.xml"
    path.write_text(feed())
    with open_library(tmp_path / "data") as library:
        await library.add_feed_async(str(path))
        ids = {a.guid: a.id for a in library.articles()}
        library.set_read(list(ids.values()))
        library.set_read([ids["old-b"]], False)
        assert library.expire(30) == 2  # old-a and old-c, across two transactions
        assert {a.guid for a in library.articles()} == {"old-b", "new-a", "new-b"}
        assert library.expire(30, unread=True) == 1
        assert library.expire(30, unread=True) == 0
