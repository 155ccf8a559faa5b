"""Make hostile feed text safe to store and to show in a terminal.

Everything a feed carries is hostile: a title can hold an OSC 52 sequence that
writes the clipboard, an ESC sequence that recolours or moves the cursor, a C1
CSI (U+009B) that some terminals honour, and HTML bodies can hold scripts.

- :func:`clean_text` removes control characters from any string.
- :func:`clean_line` is :func:`clean_text` for one-line fields (titles, names).
- :func:`sanitize_html` turns an untrusted HTML fragment into a small, safe
  subset with absolute ``http``/``https``/``mailto`` links (ammonia via nh3).
- :func:`html_to_line` turns a short HTML fragment (an HTML title, a term name)
  into one line of plain text.
- :func:`plain_text` turns :func:`sanitize_html` output into plain text (what
  search, filters and excerpts read), without parsing it.

What :func:`clean_text` removes, and why:

- C0 controls U+0000-U+001F except TAB and LF, DEL U+007F and the C1 controls
  U+0080-U+009F. Without ESC, BEL and the C1 introducers no escape sequence can
  reach the terminal; the printable rest of a sequence (``]52;c;...``) stays as
  harmless text. CR LF and lone CR become LF.
- Bidi embedding/override/isolate controls U+202A-U+202E and U+2066-U+2069.
  They reorder how the rest of a line is displayed (the "Trojan Source"
  trick: a title or file name that reads differently from what it is) and
  they leak across the cells of a terminal line. Right-to-left text itself is
  untouched and the implicit marks U+200E/U+200F/U+061C are kept: they only
  affect neighbouring neutral characters.
- U+FEFF (a stray byte order mark) and lone surrogates U+D800-U+DFFF (JSON can
  carry them; they cannot be encoded to UTF-8 and would crash a write later).
- U+2028/U+2029 (line/paragraph separator) become LF.
"""

from __future__ import annotations

import html as _html
import re
from functools import lru_cache
from urllib.parse import quote, urlsplit

import nh3

__all__ = ["clean_line", "clean_text", "html_to_line", "plain_text", "sanitize_html"]

_REMOVED = (
    [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)]
    + list(range(0x7F, 0xA0))
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
    + [0xFEFF]
    + list(range(0xD800, 0xE000))
)
# str.translate is fastest on ASCII input (CPython caches the ASCII mapping);
# on any other input it does a dict lookup per character, and one regex pass
# is an order of magnitude faster there.
_ASCII_TABLE = {c: None for c in _REMOVED if c < 0x80}
_ASCII_TABLE[0x0D] = 0x0A
_UNICODE_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
_SEPARATORS_RE = re.compile("[\u2028\u2029]")


def clean_text(s: str | None) -> str:
    """``s`` without control characters (see the module docstring); LF line ends."""
    if not s:
        return ""
    if not isinstance(s, str):
        s = str(s)
    if s.isascii():
        if s.isprintable():  # no controls at all: the common case for short fields
            return s
        if "\r" in s:
            s = s.replace("\r\n", "\n")
        return s.translate(_ASCII_TABLE)
    # Everything removed or replaced below is a control, format or separator character,
    # none of them printable: a string printable but for its line feeds has none of them
    # (a check twice as fast as the regular expression on a clean article).
    if (s.replace("\n", " ") if "\n" in s else s).isprintable():
        return s
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _UNICODE_RE.sub("", s)
    if "\u2028" in s or "\u2029" in s:
        s = _SEPARATORS_RE.sub("\n", s)
    return s


def clean_line(s: str | None) -> str:
    """:func:`clean_text`, then every run of whitespace (newlines too) as one space."""
    s = clean_text(s)
    if s.isascii() and s.isprintable() and "  " not in s and s == s.strip():
        return s
    return " ".join(s.split())


# Elements kept by sanitize_html. Anything else is unwrapped (its text stays),
# except the elements in _DROPPED_WITH_CONTENT, which go with everything in them.
_TAGS = frozenset(
    {
        "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "div", "span",
        "em", "strong", "b", "i", "u", "s", "strike", "del", "ins", "small", "mark",
        "code", "pre", "kbd", "samp", "var", "tt", "sup", "sub", "q", "cite", "abbr",
        "ul", "ol", "li", "dl", "dt", "dd", "blockquote",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
        "a", "img", "figure", "figcaption",
    }
)  # fmt: skip
_DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
        "form", "textarea", "select", "button", "template", "noscript", "noembed",
        "noframes", "svg", "math", "canvas", "audio", "video",
    }
)  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
_URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=256)
def _cleaner(base_url: str) -> nh3.Cleaner:
    """The sanitizer for one base URL (building one costs a few microseconds)."""
    relative: object = ("rewrite_with_base", base_url) if base_url else "deny"
    return nh3.Cleaner(
        tags=set(_TAGS),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in _ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        url_relative=relative,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"}, attributes={})
_SURROGATES_RE = re.compile("[\ud800-\udfff]")


def _clean(cleaner: nh3.Cleaner, html: str) -> str:
    """``cleaner.clean(html)``; nh3 takes UTF-8 only, so lone surrogates (a JSON feed can
    carry them, e.g. an emoji cut in half) are removed first instead of failing."""
    try:
        return cleaner.clean(html)
    except UnicodeEncodeError:
        return cleaner.clean(_SURROGATES_RE.sub("", html))


@lru_cache(maxsize=1024)
def usable_base(url: str) -> str:
    """``url`` if it can serve as a base for relative URLs (absolute http/https), else ``""``."""
    if not url[:8].lower().startswith(("http://", "https://")):
        return ""
    try:
        return url if urlsplit(url).netloc else ""
    except ValueError:
        return ""


# html5ever scans the stack of open elements for each block-level start tag,
# so sanitizing N nested <div>s costs O(N^2): 100,000 of them (500 KB) take
# about 40 s. A body nested deeper than any real article is flattened to
# escaped text first (still passed through nh3 after).
MAX_DEPTH = 512
_TAG_TOKEN_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,15})")
_ANY_TAG_RE = re.compile(r"<[^>]*>?")
# Elements that do not nest (void) or whose end tag pages often leave out.
NOT_NESTING = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot",
        "option", "optgroup", "rb", "rt", "rp", "colgroup", "caption", "html", "head", "body",
    }
)  # fmt: skip


def _too_deep(html: str) -> bool:
    """Whether ``html`` may nest elements deeper than :data:`MAX_DEPTH`."""
    if html.count("<") <= MAX_DEPTH:
        return False
    depth = 0
    for match in _TAG_TOKEN_RE.finditer(html):
        name = match.group(2).lower()
        if name in NOT_NESTING:
            continue
        if match.group(1):
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > MAX_DEPTH:
                return True
    return False


def _flatten(html: str) -> str:
    """Hostile, too deeply nested HTML as escaped plain text in one paragraph."""
    text = _html.unescape(_ANY_TAG_RE.sub(" ", html))
    return "<p>" + _html.escape(" ".join(text.split()), quote=False) + "</p>"


def sanitize_html(html: str, base_url: str = "") -> str:
    """A safe HTML fragment: allow-listed elements and attributes, absolute URLs.

    Scripts, styles, frames, objects, forms, event handlers, ``style`` and
    ``class`` attributes are removed; ``href``/``src`` keep only ``http``,
    ``https`` and ``mailto`` URLs. Relative URLs are resolved against
    ``base_url`` (an absolute http(s) URL); without one they are dropped.
    Control characters are stripped from the result (:func:`clean_text`).
    HTML nested deeper than :data:`MAX_DEPTH` is reduced to its text.
    """
    if not html:
        return ""
    base = usable_base(clean_line(base_url)) if base_url else ""
    try:
        cleaner = _cleaner(base)
    except ValueError:  # a base the URL parser rejects
        cleaner = _cleaner("")
    if _too_deep(html):
        html = _flatten(html)
    return _URL_SPACE_RE.sub(_url_without_spaces, clean_text(_clean(cleaner, html)).strip())


# A URL attribute with white space in it: an href wrapped over two lines in the feed's
# source, or a space nobody encoded. Kept, it made a link the reader refuses to open,
# drawn over two lines. As browsers do (WHATWG URL parsing): tabs and newlines are
# dropped, other spaces percent-encoded (nh3 writes U+00A0 as &nbsp;). The pattern
# starts with '="', rare in text, and looks behind for the attribute name: starting with
# ' href="' made the scan stop at every space of the text (three times slower).
_URL_SPACE_RE = re.compile(r'="(?:(?<= href=")|(?<= src="))([^"]*(?:\s|&nbsp;)[^"]*)"')


def _url_without_spaces(match: re.Match[str]) -> str:
    html, start = match.string, match.start()
    if html.rfind("<", 0, start) < html.rfind(">", 0, start):
        return match.group()  # ' href="a b"' in the text, not in a tag (nh3 escapes <, >)
    url = match.group(1).replace("&nbsp;", "\u00a0").replace("\t", "").replace("\n", "")
    return '="' + "".join(quote(c) if c.isspace() else c for c in url.strip()) + '"'


def html_to_line(s: str | None) -> str:
    """One line of plain text from a small HTML fragment: tags dropped, entities decoded."""
    if not s:
        return ""
    if "<" in s:
        s = _ANY_TAG_RE.sub(" ", s) if _too_deep(s) else _clean(_TEXT_ONLY, s)
    if "&" in s:
        s = _html.unescape(s)
    return clean_line(s)


# ------------------------------------------------------------------ sanitized HTML as text
# What sanitize_html returns is regular enough to read without an HTML parser: nh3 writes
# well-formed tags of the _TAGS elements only, in lower case, quotes every attribute value
# with " (escaping <, > and " in it), escapes <, > and & in text, and writes no character
# references but &amp; &lt; &gt; &nbsp; (and &quot; in attributes).
_ATTRS = r'[^">]*(?:"[^"]*"[^">]*)*>'  # a tag's rest: attributes (a quoted ">" too), ">"
# A tag, its name captured ("p", "/p"): splitting on it alternates text and tag names.
_TAG_SPLIT_RE = re.compile(r"<(/?[a-z][a-z0-9]*)" + _ATTRS)
_PRE_TAG_RE = re.compile(r"<(/?)pre\b" + _ATTRS)
_SPACES_RE = re.compile("  +")

# How each kept element separates the text around it: its tags end a paragraph (a blank
# line in the text), its end tag ends a line (its start tag a word: "x<li>y" is no
# "xy"), or its tags only separate words. The inline rest (links, emphasis, code...)
# vanishes: "<b>bold</b>er" stays one word. Two <br> in a row make a blank line.
_PARAGRAPH_TAGS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "blockquote", "pre",
     "table", "figure", "hr"}
)  # fmt: skip
_LINE_TAGS = frozenset({"li", "dt", "dd", "tr", "caption", "figcaption"})
_WORD_TAGS = frozenset({"td", "th", "img", "thead", "tbody", "tfoot"})
_WORD, _LINE, _PARAGRAPH, _BR = 1, 2, 3, 4  # break strengths (a <br> counts apart)
_BREAKS = {
    **{tag: _PARAGRAPH for name in _PARAGRAPH_TAGS for tag in (name, "/" + name)},
    **{name: _WORD for name in _LINE_TAGS},
    **{"/" + name: _LINE for name in _LINE_TAGS},
    **{tag: _WORD for name in _WORD_TAGS for tag in (name, "/" + name)},
    "br": _BR,
    "/br": _BR,
}


def _flow_text(html: str) -> str:
    """Sanitized HTML outside ``<pre>`` as text, white space collapsed as a browser does
    (ASCII white space only: a no-break space stays).

    One split on the tags and one walk over them: a regular expression per kind of
    break, or one with a function called for every tag, took twice as long."""
    if "\n" in html:
        html = html.replace("\n", " ")
    if "\t" in html:
        html = html.replace("\t", " ")
    if "<" in html:
        parts = _TAG_SPLIT_RE.split(html)
        out = [parts[0]]
        breaks = _BREAKS
        pending = brs = 0  # the strongest break since the last text; <br> seen
        for i in range(1, len(parts), 2):
            kind = breaks.get(parts[i], 0)
            if kind:
                if kind == _BR:
                    brs += 1
                    kind = _PARAGRAPH if brs > 1 else _LINE
                if kind > pending:
                    pending = kind
            text = parts[i + 1]
            if pending > _WORD and text[:1] == " ":
                text = text.lstrip(" ")
            if not text:
                continue
            if pending == _WORD:
                out.append(" ")
            elif pending:
                j = len(out) - 1
                while j >= 0 and out[j][-1:] == " ":  # no spaces at a line's end
                    out[j] = out[j].rstrip(" ")
                    if out[j]:
                        break
                    j -= 1
                out.append("\n\n" if pending == _PARAGRAPH else "\n")
            pending = brs = 0
            out.append(text)
        html = "".join(out)
    if "&" in html:
        html = _html.unescape(html)
    if "  " in html:
        html = _SPACES_RE.sub(" ", html)
    return html.strip(" \n")


def _pre_text(html: str) -> str:
    """The inside of a ``<pre>`` as text: lines and spaces kept, tabs expanded; a block
    element in it (a browser shows one) starts a line, an image leaves nothing (as in
    the reader: no space is made up in preformatted text)."""
    if "<" in html:
        parts = _TAG_SPLIT_RE.split(html)
        for i in range(1, len(parts), 2):
            kind = _BREAKS.get(parts[i], 0)
            parts[i] = "\n" if kind > _WORD else " " if kind and parts[i] != "img" else ""
        html = "".join(parts)
    if "&" in html:
        html = _html.unescape(html)
    if html[:1] == "\n":  # the line break the serializer writes after <pre>
        html = html[1:]
    return html.expandtabs().rstrip().lstrip("\n")


def plain_text(sanitized_html: str, *, clean_input: bool = False) -> str:
    """The text of :func:`sanitize_html` output, for search, excerpts and filters.

    Block elements separate lines (list items, table rows, ``<br>``) or
    paragraphs (a blank line: paragraphs, headings, lists, quotes, tables...);
    inline markup vanishes without joining or splitting words; white space is
    collapsed except inside ``<pre>``; character references are decoded once.
    Links, images and list markers leave nothing. No control character but LF,
    no soft hyphen. It reads the markup with regular expressions, so it is only
    right for sanitized HTML; it is many times faster than parsing a document.

    ``clean_input``: ``sanitized_html`` is known free of control characters (it is what
    :func:`sanitize_html` returned), so only a text with decoded references is cleaned.
    """
    if not sanitized_html:
        return ""
    html = sanitized_html
    if "<pre" not in html:
        text = _flow_text(html)
    else:
        parts: list[str] = []
        pos = depth = 0
        for match in _PRE_TAG_RE.finditer(html):
            if not match.group(1):
                if not depth:
                    parts.append(_flow_text(html[pos : match.start()]))
                    pos = match.end()
                depth += 1
            elif depth:
                depth -= 1
                if not depth:
                    parts.append(_pre_text(html[pos : match.start()]))
                    pos = match.end()
        rest = html[pos:]
        parts.append(_pre_text(rest) if depth else _flow_text(rest))
        text = "\n\n".join(part for part in parts if part)
    if "\xad" in text:
        text = text.replace("\xad", "")
    # sanitize_html left no control character and nh3 writes no reference that decodes
    # to one, but the stored text must be clean whatever HTML came in (4 us a body).
    # Without references, the text only has characters of the input, and line feeds.
    if clean_input and "&" not in html:
        return text
    return clean_text(text)
