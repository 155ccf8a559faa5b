"""clean_text / clean_line / sanitize_html / html_to_line on hostile input."""

from __future__ import annotations

import re

import pytest

from tui_reader.core.sanitize import clean_line, clean_text, html_to_line, sanitize_html

# Every character clean_text must remove (besides CR, which becomes LF).
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain", "plain"),
        ("", ""),
        (None, ""),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("osc52 \x1b]52;c;ZXZpbA==\x07 end", "osc52 ]52;c;ZXZpbA== end"),
        ("title \x1b]0;pwned\x1b\\ end", "title ]0;pwned\\ end"),
        ("csi \x1b[31mred\x1b[0m", "csi [31mred[0m"),
        ("c1 csi \x9b31m and nel \x85", "c1 csi 31m and nel "),
        ("bell\x07 del\x7f nul\x00", "bell del nul"),
        ("crlf\r\nlone\rcr", "crlf\nlone\ncr"),
        ("é crlf\r\nlone\rcr\x1b", "é crlf\nlone\ncr"),
        ("rtl עברית stays", "rtl עברית stays"),
        ("bidi \u202eevil\u202c \u2066iso\u2069", "bidi evil iso"),
        ("marks \u200f\u200e kept", "marks \u200f\u200e kept"),
        ("bom\ufeff lone \ud800 surrogate", "bom lone  surrogate"),
        ("line\u2028sep\u2029para", "line\nsep\npara"),
    ],
)
def test_clean_text(raw: str | None, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_text_removes_every_control_character() -> None:
    everything = "".join(chr(c) for c in range(0x00, 0x2100)) + "\ud800\udfff"
    cleaned = clean_text(everything)
    assert FORBIDDEN.search(cleaned) is None
    assert "\t" in cleaned and "\n" in cleaned and "\r" not in cleaned
    assert "A" in cleaned and "\u00e9" in cleaned and "\u05d0" in cleaned


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Hello \n\t world  ", "Hello world"),
        ("a\x1b[2Jb", "a[2Jb"),
        ("multi\r\n\r\nline", "multi line"),
        ("\u00a0nbsp\u00a0", "nbsp"),
        ("already clean", "already clean"),
    ],
)
def test_clean_line(raw: str, expected: str) -> None:
    assert clean_line(raw) == expected


BASE = "https://example.com/blog/post/"


@pytest.mark.parametrize(
    ("html", "absent"),
    [
        ("<p>x</p><script>alert(1)</script>", "alert"),
        ("<style>p{color:red}</style><p>x</p>", "color"),
        ("<iframe src='https://evil.example/'>fallback</iframe><p>x</p>", "evil"),
        ("<object data='x.swf'>obj</object><embed src='y.swf'><p>x</p>", "swf"),
        ("<form action='/steal'><input name='q'><button>Go</button></form><p>x</p>", "steal"),
        ("<p onclick='steal()' onmouseover='x()'>x</p>", "on"),
        ("<p style='position:fixed'>x</p>", "style"),
        ("<p class='big' id='y'>x</p>", "class"),
        ("<a href='javascript:alert(1)'>x</a>", "javascript"),
        ("<a href='  JaVaScRiPt:alert(1)'>x</a>", "alert"),
        ("<a href='java\tscript:alert(1)'>x</a>", "alert"),
        ("<a href='data:text/html,<script>'>x</a>", "data:"),
        ("<img src='data:image/png;base64,AAAA'>", "data:"),
        ("<a href='vbscript:msgbox'>x</a>", "vbscript"),
        ("<svg onload='alert(1)'><text>svg</text></svg><p>x</p>", "svg"),
        ("<noscript><img src='https://t.example/p.gif'></noscript><p>x</p>", "t.example"),
        ("<p>x</p><!-- secret comment -->", "secret"),
        ("<math><mi>x</mi></math><p>y</p>", "math"),
    ],
)
def test_sanitize_html_removes(html: str, absent: str) -> None:
    out = sanitize_html(html, BASE)
    assert absent not in out.lower()


def test_sanitize_html_keeps_the_allowed_subset() -> None:
    html = (
        "<h2>Head</h2><p>A <em>b</em> <strong>c</strong> <code>d</code> <kbd>k</kbd>"
        " H<sub>2</sub>O x<sup>2</sup> <s>old</s> <u>u</u></p><hr>"
        "<ul><li>one</li></ul><ol start='3'><li>three</li></ol>"
        "<blockquote>quote</blockquote><pre>pre  text</pre>"
        "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td colspan='2'>c</td></tr></tbody>"
        "</table><figure><img src='https://img.example/a.png' alt='A' title='T'>"
        "<figcaption>cap</figcaption></figure><dl><dt>term</dt><dd>def</dd></dl>"
        "<a href='https://example.org/' title='t'>link</a> <a href='mailto:a@b.example'>mail</a>"
    )
    out = sanitize_html(html, BASE)
    for fragment in (
        "<h2>Head</h2>", "<em>b</em>", "<strong>c</strong>", "<code>d</code>", "<kbd>k</kbd>",
        "<sub>2</sub>", "<sup>2</sup>", "<s>old</s>", "<u>u</u>", "<hr>", "<li>one</li>",
        '<ol start="3">', "<blockquote>quote</blockquote>", "<pre>pre  text</pre>",
        "<th>h</th>", 'colspan="2"', "<figcaption>cap</figcaption>", "<dt>term</dt>",
        "<dd>def</dd>", 'src="https://img.example/a.png"', 'alt="A"', 'title="T"',
        'href="https://example.org/"', 'href="mailto:a@b.example"', 'rel="noopener noreferrer"',
    ):  # fmt: skip
        assert fragment in out, fragment


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="/x">x</a>', 'href="https://example.com/x"'),
        ('<a href="x">x</a>', 'href="https://example.com/blog/post/x"'),
        ('<a href="../up">x</a>', 'href="https://example.com/blog/up"'),
        ('<a href="?q=1">x</a>', 'href="https://example.com/blog/post/?q=1"'),
        ('<a href="//cdn.example.net/f">x</a>', 'href="https://cdn.example.net/f"'),
        ('<img src="img/a.png">', 'src="https://example.com/blog/post/img/a.png"'),
        ('<a href="http://other.example/">x</a>', 'href="http://other.example/"'),
    ],
)
def test_sanitize_html_resolves_relative_urls(html: str, expected: str) -> None:
    assert expected in sanitize_html(html, BASE)


def test_sanitize_html_drops_relative_urls_without_a_usable_base() -> None:
    for base in ("", "not a url", "file:///tmp/feed.xml"):
        out = sanitize_html('<a href="/x">x</a><img src="y.png">', base)
        assert "href" not in out and "src" not in out
        assert ">x</a>" in out


def test_sanitize_html_strips_control_characters_from_the_result() -> None:
    html = "<p>&#27;]52;c;ZXZpbA==&#7; \x1b[31m &#x7f; bidi\u202e <img alt='\x1b]0;t\x07'></p>"
    out = sanitize_html(html, BASE)
    assert FORBIDDEN.search(out) is None
    assert "]52;c;ZXZpbA==" in out  # the printable rest is harmless text


def test_only_urls_in_tags_lose_their_spaces() -> None:
    """An href with a space in a tag is encoded; the same characters in the text (an
    HTML tutorial's example) stay as they were."""
    html = sanitize_html(
        '<p>Write <code>&lt;a href="my page.html"&gt;</code> or x src="a b":'
        ' <a href="http://h.test/my page.html">like this</a></p>',
        "",
    )
    assert '&lt;a href="my page.html"&gt;' in html and 'x src="a b":' in html
    assert 'href="http://h.test/my%20page.html"' in html


def test_html_to_line() -> None:
    assert html_to_line("First <b>post</b> &amp; x < y") == "First post & x < y"
    assert html_to_line("<script>evil()</script>Title\n\x1b[1m") == "Title [1m"
    assert html_to_line("&#27;]52;c;x&#7;") == "]52;c;x"
    assert html_to_line(None) == ""
