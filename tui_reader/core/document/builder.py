"""Sanitized HTML to a readable document model, and that model to plain text.

:func:`parse_document` turns an entry's (already sanitized) HTML into a
:class:`Document`: a tuple of frozen block dataclasses holding inline
:class:`Span` / :class:`Image` runs, plus the numbered link list. The reader's
article view renders that model with Textual; :func:`html_to_text` renders the
same model as text, as the reader shows it (``storyreader show``: made on read
by ``Library.article``). The text stored at ingest, for search, filters and
excerpts, is :func:`tui_reader.core.sanitize.plain_text` (no parse, no markers).

Links and images share one numbering, in the order their markers appear
(``text[1]``, ``[image: alt] [2]``); an identical URL keeps its first number.
Whitespace is collapsed like a browser does outside ``<pre>``, whose text is
kept verbatim. The parser is event-driven (lxml's HTML parser with a target),
so nesting depth never recurses; container nesting in the model is capped at
:data:`MAX_NESTING` so renderers may recurse safely.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from html import unescape
from typing import TypeAlias

from lxml import etree

__all__ = [
    "BOLD",
    "CODE",
    "ITALIC",
    "MARK",
    "MAX_NESTING",
    "STRIKE",
    "SUB",
    "SUP",
    "UNDERLINE",
    "Block",
    "CodeBlock",
    "Definition",
    "DefinitionList",
    "Document",
    "Figure",
    "Heading",
    "Image",
    "ImageBlock",
    "Inline",
    "ListBlock",
    "Paragraph",
    "Quote",
    "Row",
    "Rule",
    "Span",
    "Table",
    "Term",
    "document_to_text",
    "html_to_text",
    "image_label",
    "inlines_to_text",
    "parse_document",
    "strip_controls",
]

# Inline style flags (bit mask in Span.style).
BOLD = 1
ITALIC = 2
CODE = 4
STRIKE = 8
UNDERLINE = 16
MARK = 32
SUP = 64
SUB = 128

#: Containers (lists, quotes, tables, definitions, figures) nested deeper than
#: this are flattened into their parent: renderers may recurse on the model.
MAX_NESTING = 16


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text with one style (``BOLD | ITALIC`` ...) and link number (0: none)."""

    text: str
    style: int = 0
    link: int = 0

    @property
    def bold(self) -> bool:
        return bool(self.style & BOLD)

    @property
    def italic(self) -> bool:
        return bool(self.style & ITALIC)

    @property
    def code(self) -> bool:
        return bool(self.style & CODE)

    @property
    def strike(self) -> bool:
        return bool(self.style & STRIKE)

    @property
    def underline(self) -> bool:
        return bool(self.style & UNDERLINE)


@dataclass(frozen=True, slots=True)
class Image:
    """An image inside running text: ``index`` numbers its URL, ``link`` its anchor."""

    alt: str
    url: str
    index: int = 0
    link: int = 0


Inline: TypeAlias = Span | Image


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    inlines: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Paragraph:
    inlines: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A list: each item is a tuple of blocks."""

    ordered: bool
    items: tuple[tuple[Block, ...], ...]
    start: int = 1


@dataclass(frozen=True, slots=True)
class Quote:
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """Preformatted text, verbatim (tabs included)."""

    text: str


@dataclass(frozen=True, slots=True)
class Row:
    header: bool
    cells: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True, slots=True)
class Table:
    rows: tuple[Row, ...]
    caption: tuple[Inline, ...] = ()


@dataclass(frozen=True, slots=True)
class ImageBlock:
    """An image standing on its own (a paragraph or figure holding only it)."""

    alt: str
    url: str
    index: int = 0
    link: int = 0


@dataclass(frozen=True, slots=True)
class Rule:
    pass


@dataclass(frozen=True, slots=True)
class Term:
    inlines: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Definition:
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class DefinitionList:
    items: tuple[Term | Definition, ...]


@dataclass(frozen=True, slots=True)
class Figure:
    blocks: tuple[Block, ...]
    caption: tuple[Inline, ...] = ()


Block: TypeAlias = (
    Heading
    | Paragraph
    | ListBlock
    | Quote
    | CodeBlock
    | Table
    | ImageBlock
    | Rule
    | DefinitionList
    | Figure
)


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed body: its blocks and the URL of each link number (``links[n - 1]``)."""

    blocks: tuple[Block, ...] = ()
    links: tuple[str, ...] = ()


# --------------------------------------------------------------------------- helpers

_local = threading.local()
_WS = re.compile(r"[ \t\n\r\f]+")
# C0/C1 controls (but tab, LF, CR), lone surrogates, bidi overrides/isolates,
# soft hyphens and BOMs: never meaningful in a terminal, sometimes harmful.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
_CHAR_REFS = re.compile(r"&(?:#|shy)", re.I)
_TAGS = re.compile(r"<[^>]*>")
_BLOCK_BREAKS = re.compile(r"<(?:br|/p|/h\d|/li|/blockquote|/pre|/tr|/div)\b[^>]*>", re.I)


def strip_controls(text: str) -> str:
    """``text`` without control characters, lone surrogates or bidi overrides."""
    if _CONTROLS.search(text) is None:
        return text
    return _CONTROLS.sub("", text)


def image_label(alt: str) -> str:
    """The placeholder shown for an image."""
    return f"[image: {alt}]" if alt else "[image]"


# Element handling kinds (what a start tag does, and so what its end undoes).
_K_NONE = 0
_K_STYLE = 1
_K_LINK = 2
_K_BLOCK = 3
_K_PRE = 4
_K_SKIP = 5
_K_LIST = 6
_K_ITEM = 7
_K_QUOTE = 8
_K_HEADING = 9
_K_TABLE = 10
_K_ROW = 11
_K_CELL = 12
_K_CAPTION = 13
_K_DL = 14
_K_DT = 15
_K_DD = 16
_K_FIGURE = 17
_K_FIGCAPTION = 18
_K_SECTION = 19  # thead/tbody/tfoot

_STYLE_TAGS = {
    "b": BOLD,
    "strong": BOLD,
    "i": ITALIC,
    "em": ITALIC,
    "cite": ITALIC,
    "var": ITALIC,
    "dfn": ITALIC,
    "code": CODE,
    "kbd": CODE,
    "samp": CODE,
    "tt": CODE,
    "s": STRIKE,
    "strike": STRIKE,
    "del": STRIKE,
    "u": UNDERLINE,
    "ins": UNDERLINE,
    "mark": MARK,
    "sup": SUP,
    "sub": SUB,
}
_CONTAINER_KINDS = {
    "ul": _K_LIST,
    "ol": _K_LIST,
    "menu": _K_LIST,
    "li": _K_ITEM,
    "blockquote": _K_QUOTE,
    "table": _K_TABLE,
    "tr": _K_ROW,
    "td": _K_CELL,
    "th": _K_CELL,
    "caption": _K_CAPTION,
    "thead": _K_SECTION,
    "tbody": _K_SECTION,
    "tfoot": _K_SECTION,
    "dl": _K_DL,
    "dt": _K_DT,
    "dd": _K_DD,
    "figure": _K_FIGURE,
    "figcaption": _K_FIGCAPTION,
    "h1": _K_HEADING,
    "h2": _K_HEADING,
    "h3": _K_HEADING,
    "h4": _K_HEADING,
    "h5": _K_HEADING,
    "h6": _K_HEADING,
}
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "address",
        "center",
        "details",
        "summary",
        "hgroup",
        "search",
        "form",
        "fieldset",
        "legend",
        "body",
        "html",
        "dialog",
    ]
)
_SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "template",
        "head",
        "title",
        "svg",
        "math",
        "noscript",
        "iframe",
        "object",
        "embed",
        "select",
        "textarea",
        "button",
        "canvas",
        "audio",
        "video",
        "picture",
    ]
)
_VOID_TAGS = frozenset(
    [
        "br",
        "hr",
        "img",
        "wbr",
        "input",
        "meta",
        "link",
        "area",
        "col",
        "embed",
        "source",
        "track",
        "param",
        "base",
        "keygen",
    ]
)
_PRE_TAGS = frozenset(("pre", "listing", "xmp", "plaintext"))
# Buffered inline part kinds.
_RAW = 0
_BREAK = 1
_VERBATIM = 2
# Frames that collect inlines only: blocks inside them become line breaks.
_INLINE_FRAMES = frozenset((_K_HEADING, _K_CELL, _K_CAPTION, _K_DT, _K_FIGCAPTION))


class _Frame:
    """An open container while building."""

    __slots__ = ("blocks", "caption", "extra", "header", "items", "kind", "rows", "ths")

    def __init__(self, kind: int, extra: object = None) -> None:
        self.kind = kind
        self.blocks: list[Block] = []  # finished child blocks (or loose content)
        self.items: list = []  # list items / dl items / row cells
        self.rows: list[Row] = []
        self.caption: tuple[Inline, ...] = ()
        self.header = False  # tables: inside <thead>
        self.ths = 0  # rows: how many cells were <th>
        self.extra = extra


class _Builder:
    """lxml parser target: turns start/end/data events into a :class:`Document`."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything: the builder (and its parser) are reused between documents."""
        self.root = _Frame(_K_BLOCK)
        self.frames: list[_Frame] = [self.root]
        self.depth = 0  # containers currently open (capped by MAX_NESTING)
        self.stack: list[tuple[str, int, object]] = []  # (tag, kind, saved)
        self.parts: list = []  # (kind, text, style, link) tuples and Image objects
        self.style = 0
        self.link = 0
        self.href = ""  # the open anchor's URL, numbered on first content
        self.skip = 0
        self.pre: list[str] | None = None
        self.pre_inline = False  # <pre> inside an inline frame: code spans instead
        self.clean = False  # strip control characters from text (see parse_document)
        self.link_numbers: dict[str, int] = {}
        self.links: list[str] = []
        self.inline_frame: _Frame | None = None

    # ---------------------------------------------------------------- numbering

    def _number(self, url: str) -> int:
        n = self.link_numbers.get(url)
        if n is None:
            self.links.append(url)
            n = self.link_numbers[url] = len(self.links)
        return n

    def _anchor(self) -> int:
        if self.href:
            self.link = self._number(self.href)
            self.href = ""
        return self.link

    # ---------------------------------------------------------------- inlines
    # The buffer holds (kind, text, style, link) tuples (raw text, line breaks,
    # verbatim code) and Image objects; whitespace is collapsed when it is taken.

    def _line_break(self) -> None:
        self.parts.append((_BREAK, "\n", self.style, self.link))

    def _soft_break(self) -> None:
        """A block boundary inside an inline frame: a line break unless at line start."""
        parts = self.parts
        if parts:
            last = parts[-1]
            if type(last) is not tuple or last[0] != _BREAK:
                parts.append((_BREAK, "\n", self.style, self.link))

    def _take_inlines(self) -> tuple[Inline, ...]:
        """Collapse the buffered parts into spans and empty the buffer."""
        parts = self.parts
        if not parts:
            return ()
        self.parts = []
        if len(parts) == 1:  # the common case: one run of plain text
            part = parts[0]
            if type(part) is tuple and part[0] != _BREAK:
                kind, text, style, link = part
                if kind == _RAW and ("  " in text or not text.isprintable()):
                    text = _WS.sub(" ", text)
                text = text.strip(" \n")
                if self.clean and _CONTROLS.search(text):
                    text = _CONTROLS.sub("", text)
                return (Span(text, style, link),) if text else ()
        out: list[Inline] = []
        cur: list[str] = []  # pieces of the span being built
        cs = cl = -1  # its style and link
        space = True  # the text so far ends in whitespace (or a line start)
        pending = False  # a space moved out of a link's end ("<a>text </a>")
        i, n = 0, len(parts)
        while i < n:
            part = parts[i]
            i += 1
            if type(part) is not tuple:  # an Image
                if cur:
                    text = "".join(cur)
                    if cl > 0 and text[-1] == " ":
                        text = text[:-1]
                        pending = True
                    if text:
                        out.append(Span(text, cs, cl))
                    cur = []
                if pending:
                    out.append(Span(" "))
                    pending = False
                out.append(part)
                cs = cl = -1
                space = False
                continue
            kind, text, style, link = part
            if kind == _BREAK:
                pending = False
                if cur:
                    if cur[-1][-1] == " ":
                        cur[-1] = cur[-1][:-1]
                elif out and type(out[-1]) is Span and out[-1].text[-1] == " ":
                    last = out[-1]
                    out[-1] = Span(last.text[:-1], last.style, last.link)
                if not cur:
                    cs, cl = style, link
                cur.append("\n")
                space = True
                continue
            if kind == _RAW:
                # Join the following raw runs of the same style and link first.
                if i < n:
                    nxt = parts[i]
                    if type(nxt) is tuple and nxt[0] == _RAW and nxt[2] == style and nxt[3] == link:
                        pieces = [text]
                        while i < n:
                            nxt = parts[i]
                            if not (
                                type(nxt) is tuple
                                and nxt[0] == _RAW
                                and nxt[2] == style
                                and nxt[3] == link
                            ):
                                break
                            pieces.append(nxt[1])
                            i += 1
                        text = "".join(pieces)
                if "  " in text or not text.isprintable():
                    text = _WS.sub(" ", text)
                if space and text[:1] == " ":
                    text = text[1:]
                if not text:
                    continue
            if style != cs or link != cl:
                if cur:
                    joined = "".join(cur)
                    if cl > 0 and joined[-1] == " ":
                        joined = joined[:-1]
                        pending = True
                    if joined:
                        out.append(Span(joined, cs, cl))
                cur = []
                cs, cl = style, link
            if pending:
                if text[0] != " ":
                    text = " " + text
                pending = False
            cur.append(text)
            space = text[-1] == " "
        if cur:
            out.append(Span("".join(cur), cs, cl))
        if self.clean:  # character references may have produced control characters
            for pos, item in enumerate(out):
                if type(item) is Span and _CONTROLS.search(item.text):
                    out[pos] = Span(_CONTROLS.sub("", item.text), item.style, item.link)
        # Trim whitespace and line breaks at both ends.
        while out and type(out[-1]) is Span:
            last = out[-1]
            text = last.text.rstrip(" \n")
            if text:
                if text != last.text:
                    out[-1] = Span(text, last.style, last.link)
                break
            out.pop()
        while out and type(out[0]) is Span:
            first = out[0]
            text = first.text.lstrip(" \n")
            if text:
                if text != first.text:
                    out[0] = Span(text, first.style, first.link)
                break
            out.pop(0)
        return tuple(out)

    def _flush(self) -> None:
        """End the running paragraph (block boundary)."""
        if not self.parts:
            return
        if self.inline_frame is not None:
            self._soft_break()
            return
        inlines = self._take_inlines()
        if not inlines:
            return
        frame = self.frames[-1]
        if type(inlines[0]) is Image and all(
            type(i) is Image or not i.text.strip()  # type: ignore[union-attr]
            for i in inlines
        ):
            for i in inlines:
                if type(i) is Image:
                    frame.blocks.append(ImageBlock(i.alt, i.url, i.index, i.link))
        else:
            frame.blocks.append(Paragraph(inlines))

    # ---------------------------------------------------------------- events

    def start(self, tag: str, attrib: dict) -> None:
        if self.skip:
            if tag not in _VOID_TAGS:
                self.skip += 1
            return
        if self.pre is not None:
            self._pre_start(tag)
            return
        style = _STYLE_TAGS.get(tag)
        if style is not None:
            self.stack.append((tag, _K_STYLE, self.style))
            self.style |= style
            return
        if tag == "p":
            if self.parts:
                self._flush()
            self.stack.append((tag, _K_BLOCK, None))
            return
        if tag == "a":
            self.stack.append((tag, _K_LINK, (self.link, self.href)))
            href = attrib.get("href")
            if href:
                href = strip_controls(href.strip())
                if href:
                    self.href = href
                    self.link = 0
            return
        if tag in _VOID_TAGS:
            self._void(tag, attrib)
            return
        kind = _CONTAINER_KINDS.get(tag)
        if kind is not None:
            self._open(tag, kind, attrib)
            return
        if tag in _BLOCK_TAGS:
            if self.parts:
                self._flush()
            self.stack.append((tag, _K_BLOCK, None))
            return
        if tag in _PRE_TAGS:
            self._flush()
            self.stack.append((tag, _K_PRE, None))
            self.pre = []
            self.pre_inline = self.inline_frame is not None
            return
        if tag in _SKIP_TAGS:
            self.stack.append((tag, _K_SKIP, None))
            self.skip = 1
            return
        # span, font, abbr, unknown tags...: transparent inline elements.
        self.stack.append((tag, _K_NONE, None))

    def end(self, tag: str) -> None:
        if self.skip:
            if tag in _VOID_TAGS:
                return
            self.skip -= 1
            if self.skip:
                return
        stack = self.stack
        if stack and stack[-1][0] == tag:
            _, kind, saved = stack.pop()
            if kind == _K_STYLE:
                self.style = saved  # type: ignore[assignment]
            elif kind == _K_BLOCK and self.inline_frame is None:
                if self.parts:
                    self._flush()
            elif kind != _K_NONE:
                self._close(kind, saved)
            return
        if tag in _VOID_TAGS or not stack:
            return
        for pos in range(len(stack) - 1, -1, -1):
            if stack[pos][0] == tag:
                break
        else:
            return  # a stray end tag
        while len(stack) > pos:
            _, kind, saved = stack.pop()
            self._close(kind, saved)

    def data(self, text: str) -> None:
        if self.skip:
            return
        if self.pre is not None:
            self.pre.append(text)
            return
        parts = self.parts
        if text.isspace():
            # Whitespace at a line start never shows: don't even buffer it.
            if not parts:
                return
            last = parts[-1]
            if type(last) is tuple and last[0] == _BREAK:
                return
        if self.href:
            self._anchor()
        parts.append((_RAW, text, self.style, self.link))

    def close(self) -> Document:
        while self.stack:
            _, kind, saved = self.stack.pop()
            self._close(kind, saved)
        self.skip = 0
        self._flush()
        return Document(tuple(self.root.blocks), tuple(self.links))

    # ---------------------------------------------------------------- elements

    def _void(self, tag: str, attrib: dict) -> None:
        if tag == "br":
            self._line_break()
        elif tag == "img":
            alt = _WS.sub(" ", strip_controls(attrib.get("alt") or attrib.get("title") or ""))
            alt = alt.strip()
            src = strip_controls((attrib.get("src") or "").strip())
            index = self._number(src) if src else 0
            link = self._anchor() if self.href else self.link
            self.parts.append(Image(alt, src, index, link))
        elif tag == "hr":
            if self.inline_frame is not None:
                self._soft_break()
            else:
                self._flush()
                self.frames[-1].blocks.append(Rule())
        elif tag == "wbr":
            pass

    def _pre_start(self, tag: str) -> None:
        """Tags inside <pre>: only line breaks matter; everything else is text."""
        if tag in _VOID_TAGS:
            if tag == "br":
                self.pre.append("\n")  # type: ignore[union-attr]
            return
        self.stack.append((tag, _K_NONE, None))

    def _open(self, tag: str, kind: int, attrib: dict) -> None:
        if self.inline_frame is not None:
            # Blocks inside a heading, cell, term or caption: line breaks only.
            self._soft_break()
            if kind == _K_ITEM:
                self.parts.append((_VERBATIM, "• ", self.style, 0))
            elif kind == _K_CELL and self.parts:
                self.parts.append((_RAW, " ", self.style, 0))
            self.stack.append((tag, _K_BLOCK, None))
            return
        frame = self.frames[-1]
        fk = frame.kind
        # Stray content in tables, lists and definition lists gets an implicit home.
        if kind == _K_CELL and fk != _K_ROW:
            if fk == _K_TABLE:
                self._flush()
                self.frames.append(_Frame(_K_ROW, frame.header))
                self.stack.append(("", _K_ROW, None))  # implicit row, closed with the table
            else:
                kind = _K_BLOCK
        elif (
            (kind == _K_ROW and fk != _K_TABLE)
            or (kind in (_K_SECTION, _K_CAPTION) and fk != _K_TABLE)
            or (kind == _K_ITEM and fk != _K_LIST)
        ):
            kind = _K_BLOCK
        elif kind in (_K_DT, _K_DD) and fk != _K_DL:
            kind = _K_BLOCK if kind == _K_DD else _K_DT
        elif kind == _K_FIGCAPTION and fk != _K_FIGURE:
            kind = _K_BLOCK
        if kind == _K_SECTION:
            self._flush()
            self.stack.append((tag, _K_SECTION, frame.header))
            frame.header = tag == "thead"
            return
        if kind == _K_BLOCK:
            self._flush()
            self.stack.append((tag, _K_BLOCK, None))
            return
        if kind in _INLINE_FRAMES:
            self._flush_loose()
            self._flush()
            new = _Frame(kind, tag)
            self.frames.append(new)
            self.inline_frame = new
            self.parts = []
            self.stack.append((tag, kind, None))
            return
        # Block containers: li, ul/ol, blockquote, table, tr, dl, dd, figure.
        if kind not in (_K_ITEM, _K_ROW, _K_DD) and self.depth >= MAX_NESTING:
            self._flush()
            self.stack.append((tag, _K_BLOCK, None))
            return
        self._flush_loose()
        self._flush()
        if kind == _K_LIST:
            extra: object = (tag == "ol", _start(attrib) if tag == "ol" else 1)
        elif kind == _K_ROW:
            extra = frame.header
        else:
            extra = None
        self.frames.append(_Frame(kind, extra))
        if kind not in (_K_ITEM, _K_ROW, _K_DD):
            self.depth += 1
        self.stack.append((tag, kind, None))

    def _flush_loose(self) -> None:
        """Loose content directly inside a list or dl becomes an item of its own."""
        frame = self.frames[-1]
        fk = frame.kind
        if fk in (_K_LIST, _K_DL):
            self._flush()
            if frame.blocks:
                if fk == _K_LIST:
                    frame.items.append(tuple(frame.blocks))
                else:
                    frame.items.append(Definition(tuple(frame.blocks)))
                frame.blocks = []

    def _close(self, kind: int, saved: object) -> None:
        if kind == _K_STYLE:
            self.style = saved  # type: ignore[assignment]
        elif kind == _K_LINK:
            self.link, self.href = saved  # type: ignore[misc]
        elif kind == _K_NONE:
            pass
        elif kind == _K_BLOCK:
            if self.inline_frame is not None:
                self._soft_break()
            else:
                self._flush()
        elif kind == _K_PRE:
            self._close_pre()
        elif kind == _K_SKIP:
            self.skip = 0
        elif kind == _K_SECTION:
            self._flush()
            self.frames[-1].header = saved  # type: ignore[assignment]
        elif kind in _INLINE_FRAMES:
            self._close_inline_frame(kind)
        else:
            self._close_container(kind)

    def _close_pre(self) -> None:
        text = "".join(self.pre or ())
        self.pre = None
        if text[:1] == "\n":
            text = text[1:]
        elif text[:2] == "\r\n":
            text = text[2:]
        text = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n")).rstrip()
        if not text:
            return
        if self.pre_inline:
            self.parts.append((_VERBATIM, text, self.style | CODE, self.link))
            self._line_break()
            return
        self.frames[-1].blocks.append(CodeBlock(text))

    def _close_inline_frame(self, kind: int) -> None:
        frame = self.frames.pop()
        self.inline_frame = None
        inlines = self._take_inlines()
        parent = self.frames[-1]
        if kind == _K_HEADING:
            if inlines:
                parent.blocks.append(Heading(int(frame.extra[1]), inlines))  # type: ignore[index]
        elif kind == _K_CELL:
            parent.items.append(inlines)
            if frame.extra == "th":
                parent.ths += 1
        elif kind == _K_CAPTION:
            if inlines:
                parent.caption = inlines
        elif kind == _K_DT:
            if inlines:
                if parent.kind == _K_DL:
                    self._flush_loose()
                    parent.items.append(Term(inlines))
                else:
                    parent.blocks.append(Paragraph(inlines))
        elif kind == _K_FIGCAPTION and inlines:
            parent.caption = inlines

    def _close_container(self, kind: int) -> None:
        self._flush_loose()
        self._flush()
        frame = self.frames.pop()
        parent = self.frames[-1]
        if kind in (_K_TABLE, _K_ROW):
            # Stray blocks inside a table (not in a cell) are shown before it.
            parent.blocks.extend(frame.blocks)
        if kind not in (_K_ITEM, _K_ROW, _K_DD):
            self.depth -= 1
        if kind == _K_ITEM:
            if frame.blocks:
                parent.items.append(tuple(frame.blocks))
        elif kind == _K_LIST:
            if frame.items:
                ordered, start = frame.extra  # type: ignore[misc]
                parent.blocks.append(ListBlock(ordered, tuple(frame.items), start))
        elif kind == _K_QUOTE:
            if frame.blocks:
                parent.blocks.append(Quote(tuple(frame.blocks)))
        elif kind == _K_ROW:
            cells = tuple(frame.items)
            if any(cells):
                # A row is a header row in <thead> or when all its cells are <th>.
                all_th = frame.ths == len(cells)
                parent.rows.append(Row(bool(frame.extra) or all_th, cells))
        elif kind == _K_TABLE:
            if frame.rows:
                parent.blocks.append(Table(tuple(frame.rows), frame.caption))
            elif frame.caption:
                parent.blocks.append(Paragraph(frame.caption))
        elif kind == _K_DD:
            if frame.blocks:
                parent.items.append(Definition(tuple(frame.blocks)))
        elif kind == _K_DL:
            if frame.items:
                parent.blocks.append(DefinitionList(tuple(frame.items)))
        elif kind == _K_FIGURE and (frame.blocks or frame.caption):
            parent.blocks.append(Figure(tuple(frame.blocks), frame.caption))


def _start(attrib: dict) -> int:
    try:
        return max(-(10**9), min(10**9, int((attrib.get("start") or "1").strip())))
    except ValueError:
        return 1


# --------------------------------------------------------------------------- parsing


def parse_document(html: str) -> Document:
    """Parse sanitized HTML into a :class:`Document` (never raises on bad markup)."""
    if not html or not html.strip():
        return Document()
    html = strip_controls(html)
    # A parser with a target costs a signature inspection to build: keep one
    # per thread, taken out while in use so that nothing can share it.
    cached = getattr(_local, "parser", None)
    _local.parser = None
    if cached is None:
        builder = _Builder()
        parser = etree.HTMLParser(target=builder, no_network=True)
    else:
        builder, parser = cached
        builder.reset()
    builder.clean = _CHAR_REFS.search(html) is not None
    try:
        parser.feed(html)
        document = parser.close()
    except (etree.LxmlError, ValueError, UnicodeError):  # pragma: no cover - defensive
        return _fallback(html)
    builder.reset()  # drop references to this document's parts
    _local.parser = (builder, parser)
    return document


def _fallback(html: str) -> Document:
    """Tag-stripped paragraphs, for input the HTML parser refuses."""
    text = unescape(_TAGS.sub("", _BLOCK_BREAKS.sub("\n\n", html)))
    blocks = tuple(
        Paragraph((Span(chunk),))
        for chunk in (_WS.sub(" ", c).strip() for c in re.split(r"\n\s*\n", text))
        if chunk
    )
    return Document(blocks)


# --------------------------------------------------------------------------- plain text


def inlines_to_text(inlines: tuple[Inline, ...]) -> str:
    """Inline runs as text, with link markers (``text[1]``) and image placeholders."""
    out: list[str] = []
    link = 0
    bare = False  # the last item is an image placeholder without its own marker
    for item in inlines:
        if link and item.link != link:
            out.append(f" [{link}]" if bare else f"[{link}]")
        link = item.link
        if type(item) is Span:
            out.append(item.text)
            bare = False
        else:
            out.append(image_label(item.alt))  # type: ignore[union-attr]
            bare = True
            if item.index and item.index != item.link:  # type: ignore[union-attr]
                out.append(f" [{item.index}]")  # type: ignore[union-attr]
                bare = False
    if link:
        out.append(f" [{link}]" if bare else f"[{link}]")
    return "".join(out)


def _image_block_text(block: ImageBlock) -> str:
    return inlines_to_text((Image(block.alt, block.url, block.index, block.link),))


def _prefix(lines: list[str], first: str, rest: str) -> list[str]:
    return [(first if i == 0 else rest) + line if line else "" for i, line in enumerate(lines)]


def _blocks_lines(blocks: tuple[Block, ...], tight: bool = False) -> list[str]:
    out: list[str] = []
    for block in blocks:
        lines = _block_lines(block)
        if not lines:
            continue
        if out and not tight:
            out.append("")
        out.extend(lines)
    return out


def _block_lines(block: Block) -> list[str]:
    kind = type(block)
    if kind is Paragraph or kind is Heading:
        return inlines_to_text(block.inlines).split("\n")  # type: ignore[union-attr]
    if kind is ListBlock:
        out: list[str] = []
        number = block.start  # type: ignore[union-attr]
        for item in block.items:  # type: ignore[union-attr]
            bullet = f"{number}. " if block.ordered else "• "  # type: ignore[union-attr]
            number += 1
            lines = _blocks_lines(item, tight=True) or [""]
            out.extend(_prefix(lines, bullet, " " * len(bullet)))
            if not lines[0]:
                out[-len(lines)] = bullet.rstrip()
        return out
    if kind is Quote:
        return [f"> {line}" if line else ">" for line in _blocks_lines(block.blocks)]  # type: ignore[union-attr]
    if kind is CodeBlock:
        return ["    " + line if line else "" for line in block.text.split("\n")]  # type: ignore[union-attr]
    if kind is Table:
        return _table_lines(block)  # type: ignore[arg-type]
    if kind is ImageBlock:
        return [_image_block_text(block)]  # type: ignore[arg-type]
    if kind is Rule:
        return ["* * *"]
    if kind is DefinitionList:
        out = []
        for item in block.items:  # type: ignore[union-attr]
            if type(item) is Term:
                out.extend(inlines_to_text(item.inlines).split("\n"))
            else:
                out.extend(_prefix(_blocks_lines(item.blocks), "    ", "    "))  # type: ignore[union-attr]
        return out
    if kind is Figure:
        out = _blocks_lines(block.blocks)  # type: ignore[union-attr]
        if block.caption:  # type: ignore[union-attr]
            out.extend(inlines_to_text(block.caption).split("\n"))  # type: ignore[union-attr]
        return out
    return []


def _table_lines(table: Table) -> list[str]:
    rows = [[inlines_to_text(c).replace("\n", " ") for c in row.cells] for row in table.rows]
    ncols = max(len(r) for r in rows)
    widths = [0] * ncols
    for r in rows:
        for i, cell in enumerate(r):
            if len(cell) > widths[i]:
                widths[i] = len(cell)
    out: list[str] = []
    if table.caption:
        out.append(inlines_to_text(table.caption).replace("\n", " "))
    for row, cells in zip(table.rows, rows, strict=True):
        cells = cells + [""] * (ncols - len(cells))
        out.append(" | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        if row.header:
            out.append("-+-".join("-" * w for w in widths))
    return out


def document_to_text(document: Document) -> str:
    """The document as plain text: blocks separated by blank lines."""
    return "\n".join(_blocks_lines(document.blocks))


def html_to_text(html: str) -> str:
    """The body as plain text, as the reader shows it (without the links list)."""
    return document_to_text(parse_document(html))
