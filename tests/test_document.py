"""The HTML → document model → plain text conversion (tui_reader.core.document)."""

from __future__ import annotations

import sys

import pytest

from tui_reader.core.document import (
    BOLD,
    CODE,
    ITALIC,
    MARK,
    MAX_NESTING,
    STRIKE,
    SUB,
    SUP,
    UNDERLINE,
    CodeBlock,
    Definition,
    DefinitionList,
    Document,
    Figure,
    Heading,
    Image,
    ImageBlock,
    ListBlock,
    Paragraph,
    Quote,
    Row,
    Rule,
    Span,
    Table,
    Term,
    document_to_text,
    html_to_text,
    parse_document,
)


def blocks(html: str) -> tuple:
    return parse_document(html).blocks


def para(*inlines: Span | Image) -> Paragraph:
    return Paragraph(tuple(inlines))


# ----------------------------------------------------------------------------- blocks


def test_empty_and_blank_input() -> None:
    assert parse_document("") == Document()
    assert parse_document("  \n\t ") == Document()
    assert parse_document("<p>  </p><div>\n</div><ul><li></li></ul><p>&nbsp;</p>") == Document()
    assert html_to_text("") == ""


@pytest.mark.parametrize("level", range(1, 7))
def test_headings(level: int) -> None:
    assert blocks(f"<h{level}>Title <em>here</em></h{level}>") == (
        Heading(level, (Span("Title "), Span("here", ITALIC))),
    )


def test_paragraphs_and_bare_text() -> None:
    assert blocks("<p>one</p><p>two</p>") == (para(Span("one")), para(Span("two")))
    assert blocks("bare <b>text</b>") == (para(Span("bare "), Span("text", BOLD)),)
    assert blocks("<div>loose <p>inner</p> tail</div>") == (
        para(Span("loose")),
        para(Span("inner")),
        para(Span("tail")),
    )


@pytest.mark.parametrize(
    ("tag", "style"),
    [
        ("b", BOLD),
        ("strong", BOLD),
        ("i", ITALIC),
        ("em", ITALIC),
        ("code", CODE),
        ("kbd", CODE),
        ("s", STRIKE),
        ("u", UNDERLINE),
        ("mark", MARK),
        ("sup", SUP),
        ("sub", SUB),
    ],
)
def test_inline_styles(tag: str, style: int) -> None:
    assert blocks(f"<p>a <{tag}>x</{tag}> b</p>") == (
        para(Span("a "), Span("x", style), Span(" b")),
    )


def test_nested_styles_combine_and_properties() -> None:
    (p,) = blocks("<p><b>bo<i>th</i></b></p>")
    assert p == para(Span("bo", BOLD), Span("th", BOLD | ITALIC))
    both = p.inlines[1]
    assert both.bold and both.italic and not both.code and not both.strike
    assert not both.underline


def test_whitespace_is_collapsed_like_a_browser() -> None:
    assert blocks("<p>\n  a \t\n b  <b> c </b>  d\n</p>") == (
        para(Span("a b "), Span("c ", BOLD), Span("d")),
    )
    assert html_to_text("<p>  lots   of\n\nspace  </p>") == "lots of space"


def test_line_breaks() -> None:
    assert blocks("<p>one <br> two<br><br>three<br></p>") == (para(Span("one\ntwo\n\nthree")),)


def test_entities_are_decoded() -> None:
    assert html_to_text(
        "<p>a &amp; b &lt;c&gt; &quot;d&quot; &#8217; &#x1F600; caf&eacute;</p>"
    ) == ('a & b <c> "d" ’ 😀 café')
    # A reference never smuggles a control character (ESC, bidi override) in.
    assert html_to_text("<p>x&#27;[31my&#x202E;z&shy;w</p>") == "x[31myzw"


def test_control_characters_are_dropped() -> None:
    text = html_to_text("<p>a\x1b[2Jb\x07c\u202ed</p>")
    assert text == "a[2Jbcd"


def test_unordered_and_ordered_lists() -> None:
    assert blocks("<ul><li>one</li><li>two</li></ul>") == (
        ListBlock(False, ((para(Span("one")),), (para(Span("two")),))),
    )
    assert blocks('<ol start="3"><li>c</li><li>d</li></ol>') == (
        ListBlock(True, ((para(Span("c")),), (para(Span("d")),)), 3),
    )


def test_nested_list_inside_an_item() -> None:
    (outer,) = blocks("<ul><li>a<ul><li>b</li></ul>tail</li></ul>")
    assert outer == ListBlock(
        False,
        ((para(Span("a")), ListBlock(False, ((para(Span("b")),),)), para(Span("tail"))),),
    )


def test_blockquote() -> None:
    assert blocks("<blockquote><p>one</p><p>two</p></blockquote>") == (
        Quote((para(Span("one")), para(Span("two")))),
    )


def test_pre_is_kept_verbatim() -> None:
    html = "<pre><code>\ndef f(x):\n    <b>return</b>  x &lt; 2\n\n\tpass<br>end\n</code></pre>"
    assert blocks(html) == (CodeBlock("def f(x):\n    return  x < 2\n\n\tpass\nend"),)


def test_table() -> None:
    html = (
        "<table><caption>Cap</caption>"
        "<thead><tr><th>A</th><th>B</th></tr></thead>"
        "<tbody><tr><td>1</td><td>two <b>2</b></td></tr><tr><th>h</th><th>i</th></tr>"
        "<tr><td>3</td></tr></tbody></table>"
    )
    assert blocks(html) == (
        Table(
            (
                Row(True, ((Span("A"),), (Span("B"),))),
                Row(False, ((Span("1"),), (Span("two "), Span("2", BOLD)))),
                Row(True, ((Span("h"),), (Span("i"),))),
                Row(False, ((Span("3"),),)),
            ),
            (Span("Cap"),),
        ),
    )


def test_blocks_inside_a_table_cell_become_lines() -> None:
    (table,) = blocks("<table><tr><td><p>a</p><p>b</p><ul><li>x</li></ul></td></tr></table>")
    assert table.rows[0].cells == ((Span("a\nb\n• x"),),)


def test_rule_definition_list_and_figure() -> None:
    assert blocks("<p>a</p><hr><p>b</p>") == (para(Span("a")), Rule(), para(Span("b")))
    assert blocks("<dl><dt>Term</dt><dd>Def <i>x</i></dd></dl>") == (
        DefinitionList(
            (Term((Span("Term"),)), Definition((para(Span("Def "), Span("x", ITALIC)),)))
        ),
    )
    assert blocks(
        '<figure><img src="https://e.x/f.png" alt="F"><figcaption>Cap</figcaption></figure>'
    ) == (Figure((ImageBlock("F", "https://e.x/f.png", 1),), (Span("Cap"),)),)


def test_unknown_and_dangerous_elements() -> None:
    html = "<p>keep <foo>this</foo></p><script>alert(1)</script><style>p{}</style><p>and this</p>"
    assert html_to_text(html) == "keep this\n\nand this"


def test_malformed_markup_does_not_leak_between_documents() -> None:
    assert (
        html_to_text("<p>unclosed <b>bold <a href='https://e.x/'>link") == "unclosed bold link[1]"
    )
    # The parser is reused: nothing of the previous document may remain.
    assert parse_document("<p>plain</p>") == Document((para(Span("plain")),))


# ----------------------------------------------------------------------------- links, images


def test_links_are_numbered_in_document_order() -> None:
    doc = parse_document(
        '<p><a href="https://a.example/">A</a> and <a href="https://b.example/">B</a></p>'
        '<p><a href="https://a.example/">A again</a> <a name="x">no href</a> '
        '<a href="https://c.example/"></a><a href="https://d.example/">D</a></p>'
    )
    assert doc.links == ("https://a.example/", "https://b.example/", "https://d.example/")
    assert doc.blocks[1] == para(Span("A again", 0, 1), Span(" no href "), Span("D", 0, 3))
    assert document_to_text(doc) == "A[1] and B[2]\n\nA again[1] no href D[3]"


def test_link_marker_stays_against_the_text() -> None:
    assert html_to_text('<p>see <a href="https://e.x/">this </a>now</p>') == "see this[1] now"


def test_images_share_the_link_numbering() -> None:
    doc = parse_document(
        '<p>before <a href="https://e.x/1">one</a></p>'
        '<p><img src="https://e.x/pic.png" alt="A picture"></p>'
        '<p>inline <img src="https://e.x/icon.png" alt="icon"> text</p>'
        '<p><img src="https://e.x/noalt.png"></p>'
    )
    assert doc.links == (
        "https://e.x/1",
        "https://e.x/pic.png",
        "https://e.x/icon.png",
        "https://e.x/noalt.png",
    )
    assert doc.blocks[1] == ImageBlock("A picture", "https://e.x/pic.png", 2)
    assert doc.blocks[2] == para(
        Span("inline "), Image("icon", "https://e.x/icon.png", 3), Span(" text")
    )
    assert document_to_text(doc) == (
        "before one[1]\n\n[image: A picture] [2]\n\ninline [image: icon] [3] text\n\n[image] [4]"
    )


def test_linked_image() -> None:
    doc = parse_document('<a href="https://e.x/big"><img src="https://e.x/small" alt="thumb"></a>')
    assert doc.blocks == (ImageBlock("thumb", "https://e.x/small", 1, 2),)
    assert doc.links == ("https://e.x/small", "https://e.x/big")
    assert document_to_text(doc) == "[image: thumb] [1][2]"
    same = parse_document('<a href="https://e.x/i"><img src="https://e.x/i" alt="same"></a>')
    assert same.links == ("https://e.x/i",)
    assert document_to_text(same) == "[image: same] [1]"


# ----------------------------------------------------------------------------- plain text


def test_plain_text_rendering_of_every_element() -> None:
    html = (
        "<h2>Title</h2><p>Para <em>one</em> with <a href='https://e.x/'>a link</a>.</p>"
        "<ul><li>first</li><li>second<ol><li>inner</li></ol></li></ul>"
        "<blockquote><p>quoted</p><p>more</p></blockquote>"
        "<pre>code\n  indented</pre><hr>"
        "<table><tr><th>Name</th><th>N</th></tr><tr><td>apple</td><td>3</td></tr></table>"
        "<dl><dt>term</dt><dd>meaning</dd></dl>"
        "<figure><img src='https://e.x/i.png' alt='pic'><figcaption>caption</figcaption></figure>"
    )
    assert html_to_text(html) == "\n".join(
        [
            "Title",
            "",
            "Para one with a link[1].",
            "",
            "• first",
            "• second",
            "  1. inner",
            "",
            "> quoted",
            ">",
            "> more",
            "",
            "    code",
            "      indented",
            "",
            "* * *",
            "",
            "Name  | N",
            "------+--",
            "apple | 3",
            "",
            "term",
            "    meaning",
            "",
            "[image: pic] [2]",
            "caption",
        ]
    )


# ----------------------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "opening",
    [
        "<div>",
        "<b>",
        "<span>",
        "<ul><li>",
        "<blockquote>",
        "<table><tr><td>",
        "<dl><dd>",
        "<a href='https://e.x/'>",
    ],
)
def test_deep_nesting_never_recurses(opening: str) -> None:
    depth = sys.getrecursionlimit() * 3
    html = opening * depth + "deep text"
    doc = parse_document(html)
    assert "deep text" in html_to_text(html)
    assert _container_depth(doc.blocks) <= MAX_NESTING * 2 + 2


def _container_depth(items: tuple) -> int:
    """Nesting depth of the model, measured without recursion."""
    deepest = 0
    todo = [(b, 1) for b in items]
    while todo:
        block, depth = todo.pop()
        deepest = max(deepest, depth)
        children: list = []
        if isinstance(block, ListBlock):
            children = [b for item in block.items for b in item]
        elif isinstance(block, (Quote, Figure, Definition)):
            children = list(block.blocks)
        elif isinstance(block, DefinitionList):
            children = list(block.items)
        todo.extend((c, depth + 1) for c in children)
    return deepest


def test_garbage_input_does_not_raise() -> None:
    for html in [
        "<",
        "<<<>>>",
        "</p></p></div>",
        "<p <b>>",
        "<table><td>x",
        "\x00\ud800",
        "&#0;&#xD800;",
    ]:
        assert isinstance(html_to_text(html), str)
