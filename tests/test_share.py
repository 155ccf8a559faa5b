"""Share texts and URLs (exact), the http/https-only rule, and the QR code's drawing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import segno

from tui_reader.core.share import (
    TARGETS,
    Shareable,
    ShareError,
    bluesky_url,
    check_link,
    hacker_news_url,
    linkedin_url,
    mailto_url,
    markdown_link,
    mastodon_host,
    mastodon_url,
    openable,
    plain_text,
    qr_lines,
    qr_matrix,
    reddit_url,
)

ITEM = Shareable(title="Rust & C: a [fair] fight? 100%", link="https://blog.example/p?id=1&x=y")


def test_copy_texts():
    assert markdown_link(ITEM) == (
        r"[Rust & C: a \[fair\] fight? 100%](https://blog.example/p?id=1&x=y)")
    assert plain_text(ITEM) == "Rust & C: a [fair] fight? 100%\nhttps://blog.example/p?id=1&x=y"
    parens = Shareable("Wiki", "https://en.wikipedia.example/wiki/Rust_(language)")
    assert markdown_link(parens) == "[Wiki](https://en.wikipedia.example/wiki/Rust_%28language%29)"


def test_mailto_is_url_encoded():
    url = mailto_url(ITEM)
    assert url == (
        "mailto:?subject=Rust%20%26%20C%3A%20a%20%5Bfair%5D%20fight%3F%20100%25"
        "&body=Rust%20%26%20C%3A%20a%20%5Bfair%5D%20fight%3F%20100%25%0D%0A%0D%0A"
        "https%3A%2F%2Fblog.example%2Fp%3Fid%3D1%26x%3Dy"
    )
    query = parse_qs(urlsplit(url).query)
    assert query["subject"] == [ITEM.title]
    assert query["body"] == [f"{ITEM.title}\r\n\r\n{ITEM.link}"]


def test_share_intent_urls():
    text = "Rust%20%26%20C%3A%20a%20%5Bfair%5D%20fight%3F%20100%25%20https%3A%2F%2Fblog.example"
    text += "%2Fp%3Fid%3D1%26x%3Dy"
    assert mastodon_url(ITEM) == f"https://mastodon.social/share?text={text}"
    assert mastodon_url(ITEM, "fosstodon.org") == f"https://fosstodon.org/share?text={text}"
    assert bluesky_url(ITEM) == f"https://bsky.app/intent/compose?text={text}"
    link = "https%3A%2F%2Fblog.example%2Fp%3Fid%3D1%26x%3Dy"
    title = "Rust%20%26%20C%3A%20a%20%5Bfair%5D%20fight%3F%20100%25"
    assert reddit_url(ITEM) == f"https://www.reddit.com/submit?url={link}&title={title}"
    assert hacker_news_url(ITEM) == f"https://news.ycombinator.com/submitlink?u={link}&t={title}"
    assert linkedin_url(ITEM) == f"https://www.linkedin.com/sharing/share-offsite/?url={link}"
    for url in (reddit_url(ITEM), hacker_news_url(ITEM), linkedin_url(ITEM)):
        values = [v for vs in parse_qs(urlsplit(url).query).values() for v in vs]
        assert ITEM.link in values


@pytest.mark.parametrize(("config", "host"), [
    ("fosstodon.org", "fosstodon.org"),
    ("https://hachyderm.io/", "hachyderm.io"),
    ("@me@social.example", "social.example"),
    ("", "mastodon.social"),
    (None, "mastodon.social"),
    ("evil.example/path?x=", "evil.example"),
    ("bad host", "mastodon.social"),
    ("a\\b", "mastodon.social"),
])
def test_mastodon_instance_from_config(config, host):
    assert mastodon_host(config) == host


@pytest.mark.parametrize("link", [
    "", "javascript:alert(1)", "file:///etc/passwd", "data:text/html,hi", "ftp://x.example/",
    "https://", "http://exa mple.com/", "https://x.example/\x1b[31m", "//x.example/",
])
def test_only_web_links_are_shared(link):
    item = Shareable("t", link)
    with pytest.raises(ShareError) as info:
        check_link(link)
    assert "\n" not in str(info.value)
    for target in TARGETS:
        with pytest.raises(ShareError):
            target.build(item, "mastodon.social")


def test_openable():
    assert openable("https://x.example/")
    assert openable("http://x.example/")
    assert openable(mailto_url(ITEM))
    assert not openable("javascript:alert(1)")
    assert not openable("file:///etc/passwd")
    assert not openable("mailto:a@b.example?body=has space")


def test_shareable_of_anything_with_title_and_link():
    class Row:
        title = "  spaced\ttitle "
        link = " https://x.example/ "

    assert Shareable.of(Row()) == Shareable("spaced title", "https://x.example/")
    assert Shareable.of(type("NoTitle", (), {"title": "", "link": "https://y.example/"})()) == (
        Shareable("https://y.example/", "https://y.example/"))


def test_target_keys_are_unique():
    keys = [t.key for t in TARGETS]
    assert len(keys) == len(set(keys))
    assert {t.kind for t in TARGETS} == {"copy", "open", "qr"}


def decode_half_blocks(lines: list[str]) -> list[list[bool]]:
    top = {"█": True, "▀": True, "▄": False, " ": False}
    bottom = {"█": True, "▀": False, "▄": True, " ": False}
    rows: list[list[bool]] = []
    for line in lines:
        rows.append([top[c] for c in line])
        rows.append([bottom[c] for c in line])
    return rows


def test_qr_code_draws_segnos_matrix_with_a_quiet_zone():
    link = "https://blog.example/p?id=1&x=y"
    matrix = qr_matrix(link, border=2)
    expected = segno.make(link, error="m", micro=False)
    size = expected.symbol_size(scale=1, border=2)
    assert (len(matrix[0]), len(matrix)) == size
    modules = [[bool(c) for c in row] for row in expected.matrix]
    inner = [row[2:-2] for row in matrix[2:-2]]
    assert inner == modules
    for row in matrix[:2] + matrix[-2:]:
        assert not any(row)
    for row in matrix:
        assert not any(row[:2]) and not any(row[-2:])
    lines = qr_lines(matrix)
    assert len(lines) == (len(matrix) + 1) // 2
    assert all(len(line) == len(matrix[0]) for line in lines)
    assert decode_half_blocks(lines)[: len(matrix)] == matrix
    # Finder pattern: the top-left 7x7 square starts with a dark row of 7 modules.
    assert inner[0][:7] == [True] * 7

