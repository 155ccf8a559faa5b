"""Finding the story in whole web pages (core/extract.py), on pages written for these tests
in tests/fixtures/pages/: WordPress, Ghost and Blogger themes, a page of bare <div>s, a link
list, and a hostile page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tui_reader.core import extract
from tui_reader.core.extract import decode_page, extract_story
from tui_reader.core.sanitize import plain_text

PAGES = Path(__file__).parent / "fixtures" / "pages"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Case:
    """A page, the sentences its story has in this order (the first and last ones among
    them), and phrases of the page's furniture the story must not have."""

    name: str
    url: str
    sentences: tuple[str, ...]
    absent: tuple[str, ...]
    html: str = field(default="", repr=False)

    def source(self) -> str:
        return self.html or page(self.name)


WORDPRESS_ABSENT = (
    "Skip to content", "Stories from the coast", "About the town",  # header, menu
    "Posted on", "Maren Aldous",  # entry meta
    "Get the Harbour Lights letter", "never share your address",  # newsletter box
    "Share this", "Facebook", "Email a friend",  # Jetpack share bar
    "Related Posts", "Agnes has mended", "The Net Mender",  # related list with teasers
    "Categorised as", "Tagged",  # entry footer
    "Previous post", "Next post",  # post navigation
    "seed cake", "leave well alone", "Leave a Reply", "Post Comment",  # comments
    "Recent Posts", "handful of neighbours",  # sidebar
    "Proudly powered", "Privacy Policy",  # footer
    "_wpemojiSettings", "max-width",  # script, style
)


def _without_markers(html: str) -> str:
    """The WordPress page with no semantic element or content class: only scoring can
    find its story."""
    for tag in ("article", "main", "header", "footer", "nav", "aside"):
        html = re.sub(rf"<(/?){tag}\b", r"<\1div", html)
    return html.replace("entry-content", "e1").replace("role=\"complementary\"", "")


CASES = [
    Case(
        "wordpress.html", "https://harbourlights.example/2026/06/lantern-keeper/",
        ("Every evening at a quarter past six, Tobias Wren climbs",
         "A logbook nobody reads",
         "barnacle-crusted buoys",
         "I write it for whoever comes after me.",
         "hold the door",
         "forty-two townspeople wrote letters",
         "clear, calm, one small boat heading home."),
        WORDPRESS_ABSENT,
    ),
    Case(
        "wordpress.html", "https://harbourlights.example/2026/06/lantern-keeper/",
        ("Every evening at a quarter past six, Tobias Wren climbs",
         "barnacle-crusted buoys",
         "clear, calm, one small boat heading home."),
        tuple(p for p in WORDPRESS_ABSENT if p not in ("Posted on", "Maren Aldous")),
        html=_without_markers(page("wordpress.html")),
    ),
    Case(
        "ghost.html", "https://saltmarsh.example/what-the-tide-left/",
        ("The strandline at Pell Sands is a museum",
         "Wilf Ashdown found the bottle",
         "The letter",
         "The bottle, still sealed",
         "low water 07:04",
         "waiting for a day with the wind in the right direction."),
        ("The Salt Marsh Dispatch", "Archive", "4 min read", "Ines Kettle", "Beachcombing",
         "Sign up for more like this", "Enter your email", "The Long Walk to Skerry Light",
         "retired postman", "gansey", "Powered by Ghost", "Privacy", "--ghost-accent-color"),
    ),
    Case(
        "blogger.html", "https://hillfarmnotes.example/2026/05/the-year-swallows-came-late.html",
        ("Dad always said the swallows arrive on the twentieth of April",
         "seven nests on the beams",
         "When the first one finally came, on the eleventh of May",
         "The hay, for the record, was not late.",
         "all forty-one lambs in order."),
        ("Hill Farm Notes", "About the farm", "Sunday, 10 May 2026", "Posted by", "Rhian Pugh",
         "Email This", "Share to X", "Labels:", "4 comments", "Owain", "long autumn",
         "Post a Comment", "Newer Post", "Older Post", "Subscribe to", "Popular Posts",
         "dry stone wall", "Snowed In", "Blog Archive", "Powered by", "Georgia"),
    ),
    Case(
        "divs_only.html", "http://quayside.example/bellringer.html",
        ("Nobody in St Aldhelm's has rung the eight bells properly",
         "NEVER LET GO OF THE SALLY.",
         "By Christmas she had talked six people",
         "saying nothing about the mistakes."),
        ("quayside voices", "guestbook", "posted 3 april", "more people", "elsewhere on the site",
         "the last ferryman", "tide tables", "all words and pictures"),
    ),
    Case(
        "hostile.html", "https://ferry.example/night/",
        ("Crossing at night",
         "The night ferry to Skerrow leaves at eleven",
         "about to have an adventure.",
         "Nobody has ever complained, she says, though one passenger cried.",
         "the engine ticking like a clock."),
        ("INJECTED BY SCRIPT", "STYLE TEXT", "script in the story", "SVG TEXT", "Menu",
         "Log in to keep reading", "Buy boats", "HIDDEN IN COMMENT", "deep in the nest"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name + (" (no markers)" if c.html else ""))
def test_the_story_is_found_in_order_without_furniture(case: Case) -> None:
    story = extract_story(case.source(), case.url)
    assert story is not None
    text = plain_text(story)
    assert text.startswith(case.sentences[0]), text[:200]
    assert text.endswith(case.sentences[-1]), text[-200:]
    positions = [text.find(sentence) for sentence in case.sentences]
    assert -1 not in positions, [s for s, p in zip(case.sentences, positions, strict=True)
                                 if p < 0]
    assert positions == sorted(positions)
    present = [phrase for phrase in case.absent if phrase.lower() in story.lower()]
    assert not present, f"furniture in the story: {present}"


def test_a_page_that_only_lists_links_has_no_story() -> None:
    assert extract_story(page("linklist.html"), "https://harbourlights.example/archive/") is None


@pytest.mark.parametrize("html", ["", "   \n", "<html></html>", "<p>Too short to be a story.</p>",
                                  "\x00\x01\x02", "<!-- nothing but a comment"])
def test_pages_without_a_story(html: str) -> None:
    assert extract_story(html, "https://example.test/") is None


def test_relative_links_and_images_resolve_against_the_page() -> None:
    story = extract_story(page("wordpress.html"),
                          "https://harbourlights.example/2026/06/lantern-keeper/")
    assert story is not None
    assert ('<img src="https://harbourlights.example/wp-content/uploads/2026/06/'
            'gull-point-stairs.jpg" alt="The spiral stair') in story
    assert 'href="https://harbourlights.example/2026/05/the-storm-of-1953/"' in story
    blogger = extract_story(page("blogger.html"),
                            "https://hillfarmnotes.example/2026/05/the-year.html")
    assert blogger is not None and 'src="https://hillfarmnotes.example/2026/05/swallows.jpg"' \
        in blogger


def test_a_base_element_sets_where_relative_links_point() -> None:
    html = page("divs_only.html").replace("<head>", '<head><base href="https://cdn.example/q/">')
    story = extract_story(html, "http://quayside.example/bellringer.html")
    assert story is not None and 'src="https://cdn.example/q/img/josie-tower.jpg"' in story


def test_the_hostile_page_leaves_nothing_active() -> None:
    story = extract_story(page("hostile.html"), "https://ferry.example/night/")
    assert story is not None
    lowered = story.lower()
    for bad in ("<script", "<style", "<iframe", "<svg", "<object", "<embed", "<form", "<input",
                "onerror", "onclick", "onload", "onmouseover", "javascript:", "alert("):
        assert bad not in lowered, bad
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", story)
    assert "<h2>Crossing at night</h2>" in story


def test_deep_nesting_neither_recurses_nor_hides_the_rest_of_the_page() -> None:
    # libxml2 stops reading a document 256 levels down: the story after the nest would be
    # lost if the nest reached the parser.
    nest = "<div>" * 50_000 + "deep" + "</div>" * 50_000
    html = f"<html><body>{nest}<article>{page_story_paragraphs()}</article></body></html>"
    story = extract_story(html, "https://example.test/")
    assert story is not None and "the fourth paragraph ends here." in story


def page_story_paragraphs() -> str:
    sentence = "A sentence of a story, long enough to count as a real paragraph of prose"
    return "".join(f"<p>{sentence}, number {i}.</p>" for i in range(1, 4)) + (
        f"<p>{sentence}: the fourth paragraph ends here.</p>")


def test_lazy_images_get_their_source_and_tracking_pixels_go() -> None:
    html = (f"<html><body><article>{page_story_paragraphs()}"
            '<img src="data:image/gif;base64,R0lGOD" data-src="/big.jpg" alt="lazy">'
            '<img srcset="/small.jpg 300w, /large.jpg 900w" alt="set">'
            '<img src="/pixel.gif" width="1" height="1" alt="pixel">'
            "</article></body></html>")
    story = extract_story(html, "https://example.test/a/")
    assert story is not None
    assert '<img src="https://example.test/big.jpg" alt="lazy">' in story
    assert '<img alt="set" src="https://example.test/small.jpg">' in story  # first of srcset
    assert "pixel" not in story


def test_comments_bigger_than_the_story_still_go() -> None:
    comment = ('<li><div class="comment-content"><p>' + "A long comment, with words. " * 30
               + "</p></div></li>")
    html = page("wordpress.html").replace('<ol class="comment-list">',
                                          '<ol class="comment-list">' + comment * 200)
    story = extract_story(html, "https://harbourlights.example/2026/06/lantern-keeper/")
    assert story is not None and "A long comment" not in story and "barnacle" in story


def test_a_story_container_named_like_furniture_is_found_on_a_second_look() -> None:
    html = page("wordpress.html").replace('class="entry-content"', 'class="social-story"')
    story = extract_story(html, "https://harbourlights.example/2026/06/lantern-keeper/")
    assert story is not None
    text = plain_text(story)
    assert text.startswith("Every evening") and "small boat heading home." in text


def test_input_beyond_the_size_cap_is_not_read(monkeypatch) -> None:
    monkeypatch.setattr(extract, "MAX_PAGE_CHARS", 3000)
    html = f"<html><body><article>{page_story_paragraphs()}" + " " * 3000 + (
        "<p>BEYOND THE CAP is a paragraph long enough to be counted as prose.</p>"
        "</article></body></html>")
    story = extract_story(html, "https://example.test/")
    assert story is not None and "BEYOND THE CAP" not in story


# -- decoding ------------------------------------------------------------------------------

CAFE = "Café “Noël” – déjà vu"


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        # The HTTP charset wins over the page's own claim.
        (f'<meta charset="utf-8"><p>{CAFE}</p>'.encode("cp1252"), "text/html; charset=windows-1252",
         CAFE),
        # Without one, <meta charset>, then <meta http-equiv>.
        (f'<meta charset="windows-1252"><p>{CAFE}</p>'.encode("cp1252"), "text/html", CAFE),
        (f'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15"><p>{"déjà"}'
         .encode("iso-8859-15"), None, "déjà"),
        # Latin-1 labels are read as Windows-1252, as browsers do (curly quotes).
        (f"<p>{CAFE}</p>".encode("cp1252"), "text/html; charset=iso-8859-1", CAFE),
        # Nothing declared: UTF-8, bad bytes replaced.
        (f"<p>{CAFE}</p>".encode() + b"\xff\xfe!", "text/html", "</p>\ufffd\ufffd!"),
        # An unknown or impossible label is skipped.
        (f"<p>{CAFE}</p>".encode(), "text/html; charset=x-no-such-thing", CAFE),
        (f'<meta charset="utf-16"><p>{CAFE}</p>'.encode(), None, CAFE),
        # A byte order mark beats everything.
        (b"\xff\xfe" + f"<p>{CAFE}</p>".encode("utf-16-le"), "text/html; charset=cp1252", CAFE),
    ],
    ids=["http-charset", "meta-charset", "http-equiv", "latin1-is-cp1252", "utf8-fallback",
         "unknown-label", "meta-utf16", "bom"],
)
def test_decode_page(data: bytes, content_type: str | None, expected: str) -> None:
    assert expected in decode_page(data, content_type)
