"""plain_text: the stored text of an article, read from sanitized HTML by regular
expressions; and Library.article(), which still shows the rendered text."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tui_reader.core.document import html_to_text
from tui_reader.core.library import open_library
from tui_reader.core.models import ParsedEntry
from tui_reader.core.sanitize import _TAGS, plain_text, sanitize_html
from tui_reader.core.sources.normalize import RawEntry, _one_line, normalize_entry
from tui_reader.core.storage import articles as article_sql

BASE = "http://base.test/dir/"


def text_of(html: str) -> str:
    return plain_text(sanitize_html(html, BASE))


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("", ""),
        ("   \n\t ", ""),
        ("plain words", "plain words"),
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("<p>one</p>\n\n  <p>two</p>", "one\n\ntwo"),
        ("<div><div><p>deep</p></div></div>after", "deep\n\nafter"),
        ("<h1>Title</h1>Body text", "Title\n\nBody text"),
        ("<h2>A</h2><h3>B</h3><p>c</p>", "A\n\nB\n\nc"),
        ("intro<ul><li>one</li><li>two</li></ul>outro", "intro\n\none\ntwo\n\noutro"),
        ("<ol start='3'><li><p>a</p></li><li><p>b</p></li></ol>", "a\n\nb"),
        ("<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>", "a\n\nb\n\nc"),
        ("<dl><dt>term</dt><dd>meaning</dd></dl>", "term\nmeaning"),
        ("<blockquote><p>quoted</p></blockquote>said", "quoted\n\nsaid"),
        ("a<br>b", "a\nb"),
        ("a<br/>  b<br />c", "a\nb\nc"),
        ("a<br><br>b", "a\n\nb"),
        ("<p>a <br> b</p>", "a\nb"),
        ("a<hr>b", "a\n\nb"),
        ("<b>bold</b>er", "bolder"),
        ("un<i>believ</i><em>able</em>", "unbelievable"),
        ("a <b>b</b> c", "a b c"),
        ("a<b> b</b>", "a b"),
        ("<a href='/x'>link</a>text", "linktext"),
        ("<a href='/x'>link</a> text", "link text"),
        ("x<sup>2</sup> H<sub>2</sub>O", "x2 H2O"),
        ("<span>a</span><span>b</span>", "ab"),
        ("one<img src='/i.png' alt='picture'>two", "one two"),
        ("<figure><img src='/i.png'><figcaption>Cap</figcaption></figure>x", "Cap\n\nx"),
        (
            "<table><caption>C</caption><tr><th>h1</th><th>h2</th></tr>"
            "<tr><td>a</td><td>b</td></tr></table>",
            "C\nh1 h2\na b",
        ),
        ("<table><tr><td>a</td></tr></table><table><tr><td>b</td></tr></table>", "a\n\nb"),
        ("x<li>y</li>z", "x y\nz"),
        ("<pre>  indented\n\tcode\n\n  more</pre>", "  indented\n        code\n\n  more"),
        ("<pre>\nfirst</pre>", "first"),
        ("<p>a</p><pre>x  =  1<br>y</pre><p>b</p>", "a\n\nx  =  1\ny\n\nb"),
        ("<pre><code>if a &lt; b:\n    pass</code></pre>", "if a < b:\n    pass"),
        ("<pre>a<pre>b</pre>c</pre>d", "a\nb\nc\n\nd"),  # a block in a <pre> starts a line
        ("<pre>a <b>b</b><p>c</p>d</pre>", "a b\nc\nd"),
        ("<pre>a<img src='/i.png'>b</pre>", "ab"),  # no space made up in a <pre>
        ("<pre>never closed\n  here", "never closed\n  here"),
        ("&lt;b&gt;not a tag&lt;/b&gt;", "<b>not a tag</b>"),
        ("&amp;lt; stays escaped once", "&lt; stays escaped once"),
        ("AT&amp;T &copy; caf&eacute;", "AT&T © café"),
        ("a&nbsp;b", "a\xa0b"),
        ("hyph&shy;en\xadated", "hyphenated"),
        ("osc \x1b]52;c;eA==\x07 csi \x9b2J &#27;[31m end", "osc ]52;c;eA== csi 2J [31m end"),
        ("bidi &#x202e;x\u202e &#xfeff;y", "bidi x y"),
        ("crlf\r\nand\rcr", "crlf and cr"),
        ("line\u2028sep", "line sep"),  # a line break in the source is white space
        ("<script>evil()</script><style>p{}</style>kept", "kept"),
        ("<p title='a>b' class='x'>text</p>", "text"),
        ("<a href='/x' title='&lt;p&gt; \"q\"'>t</a>", "t"),
        ("   lead <b> and </b>  trail   ", "lead and trail"),
    ],
)
def test_plain_text(html: str, expected: str) -> None:
    assert text_of(html) == expected


# Every element sanitize_html keeps either vanishes from the text ("inline") or separates
# words at least. A new element in its allow-list fails here until plain_text knows it.
INLINE = {
    "a", "abbr", "b", "cite", "code", "del", "em", "i", "ins", "kbd", "mark", "q", "s",
    "samp", "small", "span", "strike", "strong", "sub", "sup", "tt", "u", "var",
}  # fmt: skip


# Elements the HTML parser drops outside their parent get one.
CONTEXT = {
    "table": "<div>x<{t}><tr><td>y</td></tr></{t}>z</div>",
    "td": "<table><tr><td>x</td><{t}>y</{t}></tr></table>",
    "th": "<table><tr><td>x</td><{t}>y</{t}></tr></table>",
    "tr": "<table><tr><td>x</td></tr><{t}><td>y</td></{t}></table>",
    "thead": "<table><{t}><tr><td>x</td><td>y</td></tr></{t}></table>",
    "tbody": "<table><{t}><tr><td>x</td><td>y</td></tr></{t}></table>",
    "tfoot": "<table><{t}><tr><td>x</td><td>y</td></tr></{t}></table>",
    "caption": "<table><{t}>x</{t}><tr><td>y</td></tr></table>",
    "li": "<ul><{t}>x</{t}><{t}>y</{t}></ul>",
    "dt": "<dl><{t}>x</{t}><{t}>y</{t}></dl>",
    "dd": "<dl><{t}>x</{t}><{t}>y</{t}></dl>",
    "figcaption": "<figure>x<{t}>y</{t}></figure>",
    "br": "<div>x<{t}>y</div>",
    "hr": "<div>x<{t}>y</div>",
    "img": "<div>x<{t} src='/i'>y</div>",
}


@pytest.mark.parametrize("tag", sorted(_TAGS))
def test_every_kept_element_is_known(tag: str) -> None:
    html = sanitize_html(CONTEXT.get(tag, "<div>x<{t}>y</{t}>z</div>").format(t=tag), BASE)
    assert f"<{tag}" in html  # what plain_text reads has the element
    words = plain_text(html).split()
    if tag in INLINE:
        assert words == ["xyz"]
    else:
        assert "x" in words and "y" in words, (tag, words)


def test_what_plain_text_assumes_of_nh3() -> None:
    """plain_text reads tags with regular expressions: it relies on nh3 escaping < and >
    everywhere but in tags, and writing no character references but these."""
    html = sanitize_html(
        '<a href="/x" title="a<b>c&quot;d">t &lt;&gt;&amp;&nbsp;"\'</a>'
        "<img alt='<p>' src='/i'><p>5 > 3 &#60; 4 &#x1F600; &eacute;</p>",
        BASE,
    )
    assert html.count("<") == html.count(">") == 5  # <a>, </a>, <img>, <p>, </p>
    assert set(re.findall(r"&[^;\s]*;", html)) <= {"&amp;", "&lt;", "&gt;", "&nbsp;", "&quot;"}
    assert plain_text(html) == "t <>&\xa0\"'\n\n5 > 3 < 4 😀 é"


def test_plain_text_cleans_what_it_did_not_get_from_sanitize_html() -> None:
    html = "<p>a\x1b[31mb\u202e &#x9d;c\x07</p><pre>d\x00\x85</pre>"
    assert plain_text(html) == "a[31mb c\n\nd"
    # Input known clean: what references decode to is still cleaned.
    assert plain_text("<p>a&#x202e;b</p><pre>c&#x2066;d</pre>", clean_input=True) == "ab\n\ncd"


def test_plain_text_is_what_normalize_stores() -> None:
    raw = RawEntry(id="1", content="<ul><li>One <a href='/a'>link</a></li></ul><p>Two</p>")
    entry = normalize_entry(raw, "http://feed.test/", BASE)
    assert entry.text == "One link\n\nTwo"
    assert entry.summary == "One link Two"


# ----------------------------------------------------------------------- properties

# Text pieces: words (ASCII and not), white space of every kind, character references,
# controls. No digits, brackets or the marks html_to_text adds (bullets, "|", "*", "-",
# "+", ">"), so that its markers can be told from the words; no "<".
_TEXT = st.sampled_from(
    [
        "word", "Ünï", "日本語", "a", "bc", "x\xady", "q&shy;r", " ", "  ", "\n", "\t",
        "\xa0", "&nbsp;", "\u3000", "\u200b", "&amp;", "&amp;lt;", "AT&amp;T", "&eacute;",
        "&quot;", "'", '"', "\x1b", "&#27;", "\x85", "&#x85;", "&#x81;", "\u202e",
        "&#x202e;", "\ufeff", "\r\n", "\x00", "é\u0301",
    ]
)  # fmt: skip
_ATTRS = st.sampled_from(
    ["", ' href="/l"', ' href="http://x.test/a b"', ' src="/i.png"', ' alt="alt words"',
     ' title="t>i<t"', ' start="-3"', ' colspan="2"', ' class="related"', " onclick=x()"]
)  # fmt: skip
_DROPPED = ["script", "style", "font", "section", "iframe", "center", "wbr"]
_any_element = st.sampled_from(sorted(_TAGS) + _DROPPED)


def _element(
    tags: st.SearchStrategy[str], children: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    return st.builds(
        lambda tag, attrs, inner, close: f"<{tag}{attrs}>{inner}" + (f"</{tag}>" if close else ""),
        tags, _ATTRS, children, st.booleans(),
    )  # fmt: skip


# Any markup: every kept element and some dropped ones, nested anyhow, maybe unclosed.
any_html = st.recursive(
    st.lists(_TEXT, max_size=6).map("".join),
    lambda inner: st.lists(st.one_of(_TEXT, _element(_any_element, inner)), max_size=6).map(
        "".join
    ),
    max_leaves=40,
)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\xad\u202a-\u202e\u2066-\u2069\ufeff]")


def _tree_words(html: str) -> list[str]:
    """The words of sanitized HTML by a different road: its elements read as an XML
    tree (what nh3 writes is one, once its void elements are closed), every element but
    the inline ones (and an image in a <pre>) a word boundary."""
    xml = re.sub(r"<(br|hr|img)\b([^>]*)>", r"<\1\2/>", html).replace("&nbsp;", "&#160;")
    root = etree.fromstring(f"<div>{xml}</div>")
    pieces: list[str] = []

    def walk(element: etree._Element, in_pre: bool) -> None:
        inline = element.tag in INLINE or (in_pre and element.tag == "img")
        boundary = "" if inline else " "
        pieces.append(boundary + (element.text or ""))
        for child in element:
            walk(child, in_pre or element.tag == "pre")
            pieces.append(child.tail or "")
        pieces.append(boundary)

    walk(root, False)
    return "".join(pieces).replace("\xad", "").split()


@PROPERTY
@given(any_html)
def test_plain_text_is_the_text_of_any_sanitized_html(raw: str) -> None:
    html = sanitize_html(raw, BASE)
    text = plain_text(html)
    assert plain_text(html, clean_input=True) == text  # what normalize calls
    assert "<" not in text  # no markup left (and the source text has no "<")
    assert not _UNSAFE.search(text), text
    if "<pre" not in html:  # white space is collapsed (a <pre> keeps its own)
        assert text == text.strip(" \n")
        assert not re.search(r" \n|\n |  |\n\n\n", text)
    assert text.split() == _tree_words(html), (html, text)


# Article-shaped markup: blocks of inline content, as feeds have them. On it lxml's HTML
# parser builds the same tree as nh3's (on odd nesting, such as a <pre> in a <ul>, it
# does not, and html_to_text joins words a browser shows apart).
_inline = st.recursive(
    _TEXT,
    lambda inner: st.one_of(
        _element(st.sampled_from(sorted(INLINE)), st.lists(inner, max_size=3).map("".join)),
        st.just("<br>"),
        st.builds("<img{}>".format, _ATTRS),
    ),
    max_leaves=8,
)
_inlines = st.lists(_inline, max_size=5).map("".join)
_cell = st.builds("<{0}>{1}</{0}>".format, st.sampled_from(["td", "th"]), _inlines)
_block = st.one_of(
    st.builds("<{0}>{1}</{0}>".format, st.sampled_from(["p", "div", "h1", "h3", "pre"]),
              _inlines),
    st.builds("<{0}>{1}</{0}>".format, st.sampled_from(["ul", "ol"]),
              st.lists(_inlines.map("<li>{}</li>".format), max_size=4).map("".join)),
    _inlines.map("<blockquote><p>{}</p></blockquote>".format),
    st.lists(st.lists(_cell, min_size=1, max_size=3).map("".join), min_size=1, max_size=3)
    .map(lambda rows: "<table>" + "".join(f"<tr>{row}</tr>" for row in rows) + "</table>"),
    st.builds("<dl><dt>{}</dt><dd>{}</dd></dl>".format, _inlines, _inlines),
    st.builds("<figure>{}<figcaption>{}</figcaption></figure>".format, _inlines, _inlines),
    st.just("<hr>"),
)  # fmt: skip
article_html = st.lists(st.one_of(_block, _inline), max_size=8).map("".join)

_LINK_MARK = re.compile(r"\[\d+\]")  # "text[1]": the link's number
_IMAGE_MARK = re.compile(r"\[image(?:: [^\]]*)?\]")  # "[image: alt]"
_MARKS = re.compile(r"[•|*>+-]+|-?\d+\.")  # bullets, numbers, quotes, table rules


def _rendered_words(html: str) -> list[str]:
    """The words of html_to_text without its markers: link numbers, image placeholders
    (a word boundary), bullets, list numbers, quote marks and table rules."""
    text = _IMAGE_MARK.sub(" ", _LINK_MARK.sub("", html_to_text(html)))
    return [w for w in text.split() if not _MARKS.fullmatch(w)]


@PROPERTY
@given(article_html)
def test_plain_text_has_the_words_the_reader_shows(raw: str) -> None:
    html = sanitize_html(raw, BASE)
    assert Counter(plain_text(html).split()) == Counter(_rendered_words(html)), (
        html, plain_text(html), html_to_text(html))  # fmt: skip


@PROPERTY
@given(st.text())
def test_plain_text_of_any_text_is_clean(raw: str) -> None:
    text = text_of(raw)
    assert not _UNSAFE.search(text), text
    assert " ".join(text.split()) == " ".join(text_of(f"<p>{raw}</p>").split())


# ----------------------------------------------------------------------- Library.article

BODY = (
    "<p>Intro with <a href='http://x.test/a'>a link</a>.</p>"
    "<ol><li>first</li><li>second</li></ol>"
    "<table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table>"
)


def test_library_article_shows_the_rendered_text_and_stores_the_plain_one(tmp_path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>T</title><link>http://x.test/</link>"
        "<item><guid>g1</guid><title>Rich</title>"
        f"<content:encoded><![CDATA[{BODY}]]></content:encoded></item>"
        "<item><guid>g2</guid><title>Empty</title></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    lib = open_library(tmp_path / "data")
    try:
        lib.add_feed(str(feed))
        ids = {a.guid: a.id for a in lib.articles()}
        article = lib.article(ids["g1"])
        assert article.text == html_to_text(article.content_html)
        assert article.text.splitlines()[:3] == ["Intro with a link[1].", "", "1. first"]
        assert "k | v" in article.text
        stored = article_sql.get_article(lib.storage.conn, ids["g1"])
        assert stored.text == "Intro with a link.\n\nfirst\nsecond\n\nk v\na 1"
        assert replace(stored, text=article.text) == article  # nothing else differs
        assert lib.article(ids["g1"], rendered=False) == stored  # for callers that draw HTML
        assert [h.article.id for h in lib.search("second")] == [ids["g1"]]
        empty = lib.article(ids["g2"])
        assert empty.content_html == "" and empty.text == ""
    finally:
        lib.close()


def test_parsed_entry_text_is_plain() -> None:
    """The text a refresh stores (and search, filters and excerpts read) has no link
    numbers, bullets or image placeholders."""
    entry: ParsedEntry = normalize_entry(RawEntry(id="1", content=BODY), "http://f.test/", BASE)
    assert "[1]" not in entry.text and "•" not in entry.text and "|" not in entry.text
    assert entry.text.split() == plain_text(entry.content_html).split()


_SPACES = st.sampled_from(
    [" ", "  ", "\n", "\n\n", "\t", "\xa0", "\u3000", "\u2028", "\x1c", "\x85", "\u200b", "\r",
     "a", "bc", "é", "日本"]
)  # fmt: skip


@PROPERTY
@given(st.one_of(st.text(), st.lists(_SPACES, max_size=40).map("".join)))
def test_summary_white_space_is_collapsed_as_split_would(raw: str) -> None:
    """normalize's shortcut for plain text's usual white space changes nothing."""
    assert _one_line(raw) == " ".join(raw.split())
