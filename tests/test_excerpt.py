"""Which stored stories the reader offers to fetch whole from their web page."""

from __future__ import annotations

import pytest

from tui_reader.core.excerpt import looks_like_excerpt
from tui_reader.core.models import Article

LONG = "The ferry left at dawn with the whole village on board. " * 60  # ~3,400 chars
MEDIUM = "The ferry left at dawn with the whole village on board. " * 20  # ~1,100 chars


def story(text: str, link: str = "https://blog.test/ferry") -> Article:
    return Article(id=1, feed_url="https://blog.test/feed", feed_title="Blog", guid="g",
                   title="Ferry", link=link, text=text)


@pytest.mark.parametrize(("text", "excerpt"), [
    ("A short note about the tide.", True),
    (MEDIUM + "Continue reading →", True),
    (MEDIUM + "Continue reading “The Ferry” →", True),  # WordPress names the post
    (MEDIUM + "Read more about ferries in our archive, or subscribe.\n\n" + MEDIUM, False),
    (MEDIUM + "[…]", True),
    (MEDIUM + "[...]", True),
    (MEDIUM + "Read more", True),
    (MEDIUM + "\n\nThe post The Ferry appeared first on Harbour Tales.", True),
    (MEDIUM + "and then…", True),
    (LONG + "and then…", False),  # a long story may end on an ellipsis
    (LONG, False),
    (MEDIUM, False),
])
def test_teasers_are_recognised(text: str, excerpt: bool) -> None:
    assert looks_like_excerpt(story(text)) is excerpt


def test_a_story_without_a_web_link_is_never_an_excerpt() -> None:
    assert not looks_like_excerpt(story("Short.", link=""))
    assert not looks_like_excerpt(story("Short.", link="file:///tmp/story.html"))


def test_show_in_a_terminal_points_at_fetch_story(tmp_path) -> None:
    import os
    import pty
    import subprocess
    import sys

    from tests import feeds_inline as fx

    feed = tmp_path / "teasers.xml"
    feed.write_text(fx.rss(items=1, body="<p>The ferry left at dawn [&hellip;]</p>"))
    cli = [sys.executable, "-m", "tui_reader", "--data-dir", str(tmp_path / "data")]
    subprocess.run([*cli, "add", str(feed)], check=True, capture_output=True)
    plain = subprocess.run([*cli, "show", "1"], capture_output=True, text=True, check=True)
    assert plain.stdout.startswith("item 0") and plain.stderr == ""  # a pipe: no hint
    main, terminal = pty.openpty()
    proc = subprocess.run([*cli, "show", "1"], stdout=subprocess.PIPE, stderr=terminal,
                          check=True, timeout=60)
    os.close(terminal)
    said = os.read(main, 4096).decode()
    os.close(main)
    assert proc.stdout.decode() == plain.stdout
    assert "storyreader fetch-story 1 fetches the whole story" in said
