"""Finding the story in a whole web page (a "readability" heuristic), for feeds that carry
only an excerpt.

:func:`extract_story` takes a page as text and returns the story's HTML fragment,
already through :func:`~tui_reader.core.sanitize.sanitize_html` (relative links resolved
against the page), or None when the page holds nothing story-like. :func:`decode_page`
turns a fetched body into that text (HTTP charset, then ``<meta charset>``, then UTF-8).

How the story is found:

1. Scripts, styles and comments go before parsing, and markup nested deeper than
   :data:`MAX_NESTING` loses its innermost tags (libxml2 stops reading a document at 256
   levels, which would let a hostile page hide the rest of itself).
2. Page furniture goes: elements whose class or id names comments, sharing, related
   posts, newsletters, ads and the like; and, unless they hold more than half the page's
   text (a page wrapped in one ``<form>``), ``nav``, ``header``, ``footer``, ``aside``,
   forms, hidden elements, ARIA landmarks that are not the content, and sidebars,
   widgets, menus by class or id.
3. The container: the first kind of explicit marker that holds a story
   (``itemprop=articleBody``, content classes of WordPress, Ghost, Blogger, Substack and
   other themes, ``<article>``, ``<main>``); otherwise the element the page's paragraphs
   score highest for (text length and commas, shared with parents and grandparents),
   discounted by its link density.
4. Inside it: link-dense blocks (tag lists, previous/next links), boxes headed "Related
   Posts", "Share this", "Leave a Reply" and the like, tracking pixels; lazy images get
   their real ``src``.

Story-like means at least :data:`MIN_STORY_CHARS` of paragraph text outside links, one
paragraph of :data:`MIN_SENTENCE_CHARS` or more, and less than half the text in links.
Everything here is iterative (no recursion over the tree), and the input is capped at the
fetch size cap.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from tui_reader.core.content_coding import DEFAULT_MAX_BYTES
from tui_reader.core.errors import NoStoryFoundError, StoryFetchError
from tui_reader.core.models import PageStory
from tui_reader.core.sanitize import (
    NOT_NESTING,
    clean_line,
    clean_text,
    plain_text,
    sanitize_html,
)

__all__ = ["MAX_PAGE_CHARS", "decode_page", "extract_story"]

MAX_PAGE_CHARS = DEFAULT_MAX_BYTES  # the fetch size cap, in characters of page text
MAX_NESTING = 100  # element levels kept; deeper tags are dropped (their text stays)
MIN_STORY_CHARS = 250  # paragraph text outside links a story has at least
MIN_SENTENCE_CHARS = 80  # a story has at least one paragraph this long
MIN_PARAGRAPH_CHARS = 25  # shorter blocks do not count as paragraphs
MAX_LINK_DENSITY = 0.5

Element = lxml.html.HtmlElement

# -- decoding ------------------------------------------------------------------------------

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_HTTP_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# What browsers read for these labels (WHATWG Encoding): Latin-1 pages use Windows quotes.
_ALIASES = {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252"}


def decode_page(data: bytes, content_type: str | None = None) -> str:
    """A page's text: by its byte order mark, else the HTTP ``charset``, else its
    ``<meta charset>`` (or ``http-equiv``), else UTF-8; bad bytes become U+FFFD."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, "replace")
    declared = _HTTP_CHARSET_RE.search(content_type or "")
    name = _codec(declared.group(1) if declared else None, from_meta=False)
    if name is None:
        meta = _CHARSET_RE.search(data[:4096])
        name = _codec(meta.group(1).decode("ascii") if meta else None, from_meta=True)
    if name is not None:
        return data.decode(name, "replace")
    return data.decode("utf-8", "replace")


def _codec(label: str | None, *, from_meta: bool) -> str | None:
    """The Python codec for a charset label, or None if unknown (or a UTF-16 claim in
    ``<meta>``, which cannot be true of bytes that were just read as ASCII)."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return None
    if from_meta and name.startswith("utf-16"):
        return "utf-8"
    return _ALIASES.get(name, name)


# -- cleaning the source text --------------------------------------------------------------

_RAW_START_RE = re.compile(r"<!--|<(script|style|noscript|template|textarea)\b", re.I)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*>")
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,30})(?:\s[^>]*)?>")
# Elements that do not nest, for counting depth: sanitize's, and void ones nh3 drops anyway.
_NOT_NESTING = NOT_NESTING | {"param", "keygen", "basefont", "frame", "isindex"}


def _without_raw_text(html: str) -> str:
    """``html`` without comments and script/style-like elements (their text is not markup:
    a ``<b`` in a script must not count as a tag). Linear: an unclosed one ends the page,
    as in a browser."""
    lower: str | None = None
    parts: list[str] = []
    pos = 0
    while (match := _RAW_START_RE.search(html, pos)) is not None:
        parts.append(html[pos : match.start()])
        if lower is None:
            lower = html.lower()
        name = match.group(1)
        end_mark = "-->" if name is None else f"</{name.lower()}"
        end = lower.find(end_mark, match.end())
        if end < 0:
            return "".join(parts)
        pos = end + len(end_mark) if name is None else lower.find(">", end) + 1 or len(html)
    parts.append(html[pos:])
    return "".join(parts)


def _flatten_deep(html: str) -> str:
    """``html`` without the tags nested deeper than :data:`MAX_NESTING` (text stays)."""
    if html.count("<") <= MAX_NESTING:
        return html
    parts: list[str] = []
    pos = depth = 0
    for match in _TAG_RE.finditer(html):
        if match.group(2).lower() in _NOT_NESTING or match.group(0).endswith("/>"):
            continue
        if match.group(1):
            deep = depth > MAX_NESTING
            depth = max(depth - 1, 0)
        else:
            depth += 1
            deep = depth > MAX_NESTING
        if deep:
            parts.append(html[pos : match.start()])
            pos = match.end()
    if not parts:
        return html
    parts.append(html[pos:])
    return "".join(parts)


def _parse(html: str) -> Element | None:
    """The page as an lxml tree (None if there is nothing to parse)."""
    html = _flatten_deep(_without_raw_text(clean_text(html[:MAX_PAGE_CHARS])))
    html = _XML_DECL_RE.sub("", html, count=1)
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


# -- page furniture ------------------------------------------------------------------------

_FURNITURE_TAGS = frozenset(
    {
        "nav", "header", "footer", "aside", "form", "button", "input", "select", "dialog",
        "iframe", "frame", "object", "embed", "svg", "canvas", "math", "audio", "video",
        "link", "meta", "head", "menu",
    }
)  # fmt: skip
_FURNITURE_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "menu",
     "menubar", "alert", "alertdialog", "form"}
)
# Class/id words (at the start of a word: "jp-relatedposts", "sd-sharing-enabled") that
# always mean furniture...
_ALWAYS_RE = re.compile(
    r"(?:^|[\s_-])(?:comment|respond|disqus|related|yarpp|share|sharing|sharedaddy|social"
    r"|newsletter|subscri|signup|mailchimp|mc4wp|promo|sponsor|advert|ads?(?:$|[\s_-])"
    r"|adsense|cookie|popup|modal|outbrain|taboola|meta(?:$|[\s_-]|data)|byline|author-?bio"
    r"|about-author|screen-reader|sr-only|visually-hidden|skip|print-only)",
    re.I,
)
# ...and words that do unless a content word is there too ("sidebar-content" stays).
_LIKELY_RE = re.compile(
    r"(?:^|[\s_-])(?:nav|menu|sidebar|widget|footer|header|masthead|breadcrumb|pagination"
    r"|pager|tags|tagcloud|categor|toolbar|banner|site-info|copyright)",
    re.I,
)
_CONTENT_RE = re.compile(r"(?:^|[\s_-])(?:content|entry|article|body|main|story|text|prose)",
                         re.I)
_NEVER_DROPPED = frozenset({"html", "body", "article", "main"})
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


_NOT, _LIKELY, _ALWAYS = 0, 1, 2


def _furniture(el: Element, by_name: bool) -> int:
    """Whether ``el`` is page furniture: :data:`_ALWAYS` (its class or id names comments,
    sharing, related posts...), :data:`_LIKELY` (its tag, role, hiding, or names like
    "sidebar" without a content word) or :data:`_NOT`. ``by_name``: look at class and id."""
    tag = el.tag
    if tag in _FURNITURE_TAGS:
        return _LIKELY
    if tag in _NEVER_DROPPED:
        return _NOT
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return _LIKELY
    if (el.get("role") or "").strip().lower() in _FURNITURE_ROLES:
        return _LIKELY
    style = el.get("style")
    if style and _HIDDEN_STYLE_RE.search(style):
        return _LIKELY
    names = f"{el.get('class') or ''} {el.get('id') or ''}" if by_name else ""
    if not names.strip():
        return _NOT
    if _ALWAYS_RE.search(names):
        return _ALWAYS
    return _LIKELY if _LIKELY_RE.search(names) and not _CONTENT_RE.search(names) else _NOT


def _text_len(el: Element) -> int:
    return len(" ".join(el.text_content().split()))


def _drop_furniture(root: Element, by_name: bool) -> None:
    """Remove page furniture (see :func:`_furniture`); what is only likely furniture stays
    if it holds more than half of the page's text (a page wrapped in a ``<form>``). Depth
    first without recursion; a dropped subtree is not visited."""
    half = _text_len(root) / 2
    stack: list[Element] = [root]
    while stack:
        el = stack.pop()
        kind = _furniture(el, by_name) if el is not root else _NOT
        if kind == _ALWAYS or (kind == _LIKELY and (el.tag == "head" or _text_len(el) <= half)):
            el.drop_tree()
            continue
        stack.extend(reversed([child for child in el if isinstance(child.tag, str)]))
    for node in list(root.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
        node.drop_tree()


# -- measuring -----------------------------------------------------------------------------

_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
        "ul", "tr", "td", "th",
    }
)  # fmt: skip
_ALWAYS_PARAGRAPHS = frozenset({"p", "pre"})
_LEAF_PARAGRAPHS = frozenset({"div", "section", "li", "td", "dd", "center"})


def _strip_len(text: str | None) -> int:
    return len(text.strip()) if text else 0


class _Measures:
    """Text lengths of every element of a tree, from one pass from the leaves up: all text,
    text in links, text of the paragraphs inside (outside links); and the paragraphs."""

    def __init__(self, root: Element) -> None:
        self.text: dict[Element, int] = {}
        self.links: dict[Element, int] = {}
        self.prose: dict[Element, int] = {}
        self.longest: dict[Element, int] = {}
        self.paragraphs: list[Element] = []
        blocky: dict[Element, bool] = {}
        nodes = list(root.iter(lxml.etree.Element))  # keeps the proxies (dict keys) alive
        for el in reversed(nodes):  # every descendant before its ancestors
            text = _strip_len(el.text)
            links = prose = longest = 0
            has_block = False
            for child in el:
                if not isinstance(child.tag, str):
                    text += _strip_len(child.tail)
                    continue
                text += self.text[child] + _strip_len(child.tail)
                links += self.links[child]
                prose += self.prose[child]
                longest = max(longest, self.longest[child])
                has_block = has_block or child.tag in _BLOCKS or blocky[child]
            if el.tag == "a":
                links = text
            own = text - links
            if own >= MIN_PARAGRAPH_CHARS and (
                el.tag in _ALWAYS_PARAGRAPHS or (el.tag in _LEAF_PARAGRAPHS and not has_block)
            ):
                prose = longest = own
                self.paragraphs.append(el)
            self.text[el], self.links[el], self.prose[el] = text, links, prose
            self.longest[el] = longest
            blocky[el] = has_block

    def link_density(self, el: Element) -> float:
        text = self.text.get(el, 0)
        return self.links.get(el, 0) / text if text else 0.0

    def story_like(self, el: Element) -> bool:
        """Enough prose outside links, one real paragraph, not mostly links."""
        return (
            self.prose.get(el, 0) >= MIN_STORY_CHARS
            and self.longest.get(el, 0) >= MIN_SENTENCE_CHARS
            and self.link_density(el) < MAX_LINK_DENSITY
        )


# -- choosing the container ----------------------------------------------------------------

_CONTENT_CLASSES = frozenset(
    {
        "entry-content", "post-content", "post-body", "post-entry", "entry-body",
        "article-body", "article-content", "article__body", "article__content",
        "story-body", "story-content", "post__content", "post__body", "single-content",
        "blog-post-content", "td-post-content", "c-entry-content", "gh-content",
        "post-full-content", "article-text", "story-text", "available-content",
        "body-text", "richtext", "rich-text",
    }
)  # fmt: skip


def _markers(root: Element) -> Iterator[list[Element]]:
    """Groups of explicitly marked containers, most specific kind first."""
    yield [el for el in root.iter(lxml.etree.Element)
           if "articlebody" in (el.get("itemprop") or "").lower().split()]
    yield [el for el in root.iter(lxml.etree.Element)
           if not _CONTENT_CLASSES.isdisjoint((el.get("class") or "").lower().split())]
    yield list(root.iter("article"))
    yield [el for el in root.iter(lxml.etree.Element)
           if el.tag == "main" or (el.get("role") or "").lower() == "main"]


def _scored_container(root: Element, measures: _Measures) -> Element | None:
    """The element the paragraphs score highest for (readability's heuristic)."""
    scores: dict[Element, float] = {}
    for paragraph in measures.paragraphs:
        text = paragraph.text_content()
        score = 1 + text.count(",") + min(measures.prose[paragraph] / 100, 3)
        for level, ancestor in enumerate(paragraph.iterancestors()):
            if level == 3 or ancestor.tag in ("html",):
                break
            scores[ancestor] = scores.get(ancestor, 0.0) + score / (level + 1)
    if not scores:
        return None
    return max(scores, key=lambda el: scores[el] * (1 - measures.link_density(el)))


def _container(root: Element, measures: _Measures) -> Element | None:
    """The story's container: a marked one holding a story, else the best scored one."""
    scored = _scored_container(root, measures)
    least = measures.prose.get(scored, 0) / 3 if scored is not None else 0
    for group in _markers(root):
        best = max(group, key=lambda el: measures.prose.get(el, 0), default=None)
        if best is not None and measures.story_like(best) and measures.prose[best] >= least:
            return best
    if scored is not None and measures.story_like(scored):
        return scored
    return None


# -- cleaning the container ----------------------------------------------------------------

_BOILERPLATE_HEADING_RE = re.compile(
    r"(?:related(?: posts| stories| articles| reading)?|you (?:may|might) also like"
    r"|more (?:stories|posts|to read)|more from .{1,60}|recommended(?: for you| reading)?"
    r"|read next|up next|popular (?:posts|stories)|recent (?:posts|stories)|trending"
    r"|share(?: this)?(?: story| post| article)?|like this|leave a (?:reply|comment)"
    r"|(?:\d+ )?comments?|responses?|join the discussion|subscribe.{0,60}|sign up.{0,60}"
    r"|(?:get |join )?(?:our |the )?newsletter.{0,40}|tags?|filed under|categories)"
    r"\W*",
    re.I,
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CONDITIONAL = frozenset({"div", "section", "ul", "ol", "dl", "span", "center"})
_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-orig-file", "data-url")


def _clean_container(container: Element, measures: _Measures, title: str) -> None:
    """Remove what is not story from inside the chosen container."""
    doomed: list[Element] = []
    stack = [child for child in reversed(container) if isinstance(child.tag, str)]
    while stack:
        el = stack.pop()
        if _is_link_list(el, measures) or (el.tag == "h1" and _is_title(el, title)):
            doomed.append(el)
            continue
        if el.tag in _HEADINGS and _BOILERPLATE_HEADING_RE.fullmatch(clean_line(
                el.text_content())):
            doomed.extend(_headed_box(el, container))
            continue
        stack.extend(reversed([child for child in el if isinstance(child.tag, str)]))
    for el in doomed:
        el.drop_tree()
    _fix_images(container)


def _is_link_list(el: Element, measures: _Measures) -> bool:
    """A block of mostly links with little prose: tag lists, previous/next, teasers."""
    if el.tag not in _CONDITIONAL:
        return False
    text = measures.text.get(el, 0)
    return bool(text) and measures.link_density(el) > MAX_LINK_DENSITY and (
        text - measures.links[el] < 200
    )


def _is_title(heading: Element, title: str) -> bool:
    """Whether a heading repeats the page title (the reader shows the title already)."""
    text = clean_line(heading.text_content()).lower()
    return bool(text) and title.lower().startswith(text)


def _headed_box(heading: Element, container: Element) -> list[Element]:
    """What goes with a boilerplate heading: its box if it heads one, else the heading and
    everything after it up to the next heading of the same or a higher level."""
    parent = heading.getparent()
    if parent is not None and parent is not container and _first_child(parent) is heading:
        return [parent]
    doomed = [heading]
    for sibling in heading.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag in _HEADINGS and sibling.tag <= heading.tag:
            break
        doomed.append(sibling)
    return doomed


def _first_child(el: Element) -> Element | None:
    return next((child for child in el if isinstance(child.tag, str)), None)


def _fix_images(container: Element) -> None:
    """Lazy images get their real ``src``; tracking pixels and images without one go."""
    for img in list(container.iter("img")):
        src = (img.get("src") or "").strip()
        if not src or src.startswith("data:"):
            src = next((img.get(name).strip() for name in _LAZY_SRC if img.get(name)), "")
            if not src:
                src = "".join((img.get("srcset") or "").split(",")[0].split()[:1])
            if src:
                img.set("src", src)
        if not src or src.startswith("data:") or _tiny(img):
            img.drop_tree()


def _tiny(img: Element) -> bool:
    sizes = (img.get("width") or "", img.get("height") or "")
    return any(size.strip().isdigit() and int(size) <= 2 for size in sizes)


# -- the whole -----------------------------------------------------------------------------


def _base(root: Element, url: str) -> str:
    """What relative URLs resolve against: the page's ``<base href>``, else its URL."""
    for base in root.iter("base"):
        href = clean_line(base.get("href"))
        if href:
            try:
                return urljoin(url, href)
            except ValueError:
                return url
    return url


def _page_title(root: Element) -> str:
    titles: Iterable[str | None] = (
        *(meta.get("content") for meta in root.iter("meta")
          if meta.get("property") == "og:title"),
        *(title.text_content() for title in root.iter("title")),
    )
    return next((clean_line(t) for t in titles if t and clean_line(t)), "")


def extract_story(html: str, url: str) -> str | None:
    """The main story of a whole web page as a sanitized HTML fragment, or None when the
    page holds nothing story-like (see the module docstring). ``url`` is the page's
    address: relative links and images resolve against it (or the page's ``<base>``).

    When dropping furniture by class and id names leaves no story (a theme that calls its
    story "social-story"), it tries once more looking at tags, roles and hiding only."""
    found = _story_and_text(html, url)
    return found[0] if found is not None else None


def _story_and_text(html: str, url: str) -> tuple[str, str] | None:
    """:func:`extract_story` with the story's plain text (made to check its length)."""
    for by_name in (True, False):
        root = _parse(html)
        if root is None:
            return None
        found = _story(root, url, by_name)
        if found is not None:
            return found
    return None


def _story(root: Element, url: str, by_name: bool) -> tuple[str, str] | None:
    base, title = _base(root, url), _page_title(root)
    _drop_furniture(root, by_name)
    measures = _Measures(root)
    container = _container(root, measures)
    if container is None:
        return None
    _clean_container(container, measures, title)
    fragment = lxml.html.tostring(container, encoding="unicode", with_tail=False)
    story = sanitize_html(fragment, base)
    text = plain_text(story, clean_input=True)
    return (story, text) if len(text) >= MIN_STORY_CHARS else None


def story_of_page(data: bytes, content_type: str | None, url: str) -> PageStory:
    """The story of a fetched web page (the body as received, decoded of its content
    coding) with the page's related-posts links, or :class:`StoryFetchError` (empty, not a
    web page) or :class:`NoStoryFoundError`."""
    from tui_reader.core.sources.discovery import looks_like_html
    from tui_reader.core.sources.related import extract_related_links

    where = clean_line(url)
    if not data.strip():
        raise StoryFetchError(f"{where}: the server sent an empty page")
    if not looks_like_html(data, content_type):
        kind = clean_line((content_type or "").split(";")[0])[:60] or "no content type"
        raise StoryFetchError(f"{where}: not a web page ({kind})")
    page = decode_page(data, content_type)
    found = _story_and_text(page, url)
    if found is None:
        raise NoStoryFoundError(f"{where}: no story found on the page")
    related = tuple(link for link in extract_related_links(page, url) if link != url)
    return PageStory(*found, related)
