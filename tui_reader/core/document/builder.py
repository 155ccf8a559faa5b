"""HTML to the document model: :func:`parse_document` and the parser target it drives.

lxml's HTML parser calls :class:`_Builder` back for each start tag, end tag and text
run (event-driven, so deep nesting never recurses). The builder keeps a stack of open
elements, each with the kind :mod:`.tags` gives its tag, and a stack of open container
*frames* (list, item, quote, table, row, cell...). Text is buffered as parts
(:mod:`.inlines`) until a block boundary turns them into a paragraph of the innermost
frame; closing a frame turns its children into a block of its parent. Links and
images share one numbering, in the order their markers appear; an identical URL keeps
its first number. Containers deeper than :data:`.model.MAX_NESTING` are flattened.
"""

from __future__ import annotations

import re
import threading
from html import unescape

from lxml import etree

from tui_reader.core.document.inlines import (
    BREAK,
    RAW,
    VERBATIM,
    WHITESPACE,
    collapse,
    strip_controls,
)
from tui_reader.core.document.model import (
    CODE,
    MAX_NESTING,
    Block,
    CodeBlock,
    Definition,
    DefinitionList,
    Document,
    Figure,
    Heading,
    Image,
    ImageBlock,
    Inline,
    ListBlock,
    Paragraph,
    Quote,
    Row,
    Rule,
    Span,
    Table,
    Term,
)
from tui_reader.core.document.tags import (
    BLOCK_TAGS,
    CONTAINER_KINDS,
    INLINE_FRAMES,
    K_BLOCK,
    K_CAPTION,
    K_CELL,
    K_DD,
    K_DL,
    K_DT,
    K_FIGCAPTION,
    K_FIGURE,
    K_HEADING,
    K_ITEM,
    K_LINK,
    K_LIST,
    K_NONE,
    K_PRE,
    K_QUOTE,
    K_ROW,
    K_SECTION,
    K_SKIP,
    K_STYLE,
    K_TABLE,
    PRE_TAGS,
    SKIP_TAGS,
    STYLE_TAGS,
    VOID_TAGS,
)

_local = threading.local()
_CHAR_REFS = re.compile(r"&(?:#|shy)", re.I)
_TAGS = re.compile(r"<[^>]*>")
_BLOCK_BREAKS = re.compile(r"<(?:br|/p|/h\d|/li|/blockquote|/pre|/tr|/div)\b[^>]*>", re.I)


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
        self.root = _Frame(K_BLOCK)
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
    # verbatim code) and Image objects; whitespace is collapsed when it is taken
    # (inlines.collapse).

    def _line_break(self) -> None:
        self.parts.append((BREAK, "\n", self.style, self.link))

    def _soft_break(self) -> None:
        """A block boundary inside an inline frame: a line break unless at line start."""
        parts = self.parts
        if parts:
            last = parts[-1]
            if type(last) is not tuple or last[0] != BREAK:
                parts.append((BREAK, "\n", self.style, self.link))

    def _take_inlines(self) -> tuple[Inline, ...]:
        """Collapse the buffered parts into spans and empty the buffer."""
        parts = self.parts
        if not parts:
            return ()
        self.parts = []
        return collapse(parts, self.clean)

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
            if tag not in VOID_TAGS:
                self.skip += 1
            return
        if self.pre is not None:
            self._pre_start(tag)
            return
        style = STYLE_TAGS.get(tag)
        if style is not None:
            self.stack.append((tag, K_STYLE, self.style))
            self.style |= style
            return
        if tag == "p":
            if self.parts:
                self._flush()
            self.stack.append((tag, K_BLOCK, None))
            return
        if tag == "a":
            self.stack.append((tag, K_LINK, (self.link, self.href)))
            href = attrib.get("href")
            if href:
                href = strip_controls(href.strip())
                if href:
                    self.href = href
                    self.link = 0
            return
        if tag in VOID_TAGS:
            self._void(tag, attrib)
            return
        kind = CONTAINER_KINDS.get(tag)
        if kind is not None:
            self._open(tag, kind, attrib)
            return
        if tag in BLOCK_TAGS:
            if self.parts:
                self._flush()
            self.stack.append((tag, K_BLOCK, None))
            return
        if tag in PRE_TAGS:
            self._flush()
            self.stack.append((tag, K_PRE, None))
            self.pre = []
            self.pre_inline = self.inline_frame is not None
            return
        if tag in SKIP_TAGS:
            self.stack.append((tag, K_SKIP, None))
            self.skip = 1
            return
        # span, font, abbr, unknown tags...: transparent inline elements.
        self.stack.append((tag, K_NONE, None))

    def end(self, tag: str) -> None:
        if self.skip:
            if tag in VOID_TAGS:
                return
            self.skip -= 1
            if self.skip:
                return
        stack = self.stack
        if stack and stack[-1][0] == tag:
            _, kind, saved = stack.pop()
            if kind == K_STYLE:
                self.style = saved  # type: ignore[assignment]
            elif kind == K_BLOCK and self.inline_frame is None:
                if self.parts:
                    self._flush()
            elif kind != K_NONE:
                self._close(kind, saved)
            return
        if tag in VOID_TAGS or not stack:
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
            if type(last) is tuple and last[0] == BREAK:
                return
        if self.href:
            self._anchor()
        parts.append((RAW, text, self.style, self.link))

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
            alt = strip_controls(attrib.get("alt") or attrib.get("title") or "")
            alt = WHITESPACE.sub(" ", alt).strip()
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
        if tag in VOID_TAGS:
            if tag == "br":
                self.pre.append("\n")  # type: ignore[union-attr]
            return
        self.stack.append((tag, K_NONE, None))

    def _open(self, tag: str, kind: int, attrib: dict) -> None:
        if self.inline_frame is not None:
            # Blocks inside a heading, cell, term or caption: line breaks only.
            self._soft_break()
            if kind == K_ITEM:
                self.parts.append((VERBATIM, "• ", self.style, 0))
            elif kind == K_CELL and self.parts:
                self.parts.append((RAW, " ", self.style, 0))
            self.stack.append((tag, K_BLOCK, None))
            return
        frame = self.frames[-1]
        fk = frame.kind
        # Stray content in tables, lists and definition lists gets an implicit home.
        if kind == K_CELL and fk != K_ROW:
            if fk == K_TABLE:
                self._flush()
                self.frames.append(_Frame(K_ROW, frame.header))
                self.stack.append(("", K_ROW, None))  # implicit row, closed with the table
            else:
                kind = K_BLOCK
        elif (
            (kind == K_ROW and fk != K_TABLE)
            or (kind in (K_SECTION, K_CAPTION) and fk != K_TABLE)
            or (kind == K_ITEM and fk != K_LIST)
        ):
            kind = K_BLOCK
        elif kind in (K_DT, K_DD) and fk != K_DL:
            kind = K_BLOCK if kind == K_DD else K_DT
        elif kind == K_FIGCAPTION and fk != K_FIGURE:
            kind = K_BLOCK
        if kind == K_SECTION:
            self._flush()
            self.stack.append((tag, K_SECTION, frame.header))
            frame.header = tag == "thead"
            return
        if kind == K_BLOCK:
            self._flush()
            self.stack.append((tag, K_BLOCK, None))
            return
        if kind in INLINE_FRAMES:
            self._flush_loose()
            self._flush()
            new = _Frame(kind, tag)
            self.frames.append(new)
            self.inline_frame = new
            self.parts = []
            self.stack.append((tag, kind, None))
            return
        # Block containers: li, ul/ol, blockquote, table, tr, dl, dd, figure.
        if kind not in (K_ITEM, K_ROW, K_DD) and self.depth >= MAX_NESTING:
            self._flush()
            self.stack.append((tag, K_BLOCK, None))
            return
        self._flush_loose()
        self._flush()
        if kind == K_LIST:
            extra: object = (tag == "ol", _start(attrib) if tag == "ol" else 1)
        elif kind == K_ROW:
            extra = frame.header
        else:
            extra = None
        self.frames.append(_Frame(kind, extra))
        if kind not in (K_ITEM, K_ROW, K_DD):
            self.depth += 1
        self.stack.append((tag, kind, None))

    def _flush_loose(self) -> None:
        """Loose content directly inside a list or dl becomes an item of its own."""
        frame = self.frames[-1]
        fk = frame.kind
        if fk in (K_LIST, K_DL):
            self._flush()
            if frame.blocks:
                if fk == K_LIST:
                    frame.items.append(tuple(frame.blocks))
                else:
                    frame.items.append(Definition(tuple(frame.blocks)))
                frame.blocks = []

    def _close(self, kind: int, saved: object) -> None:
        if kind == K_STYLE:
            self.style = saved  # type: ignore[assignment]
        elif kind == K_LINK:
            self.link, self.href = saved  # type: ignore[misc]
        elif kind == K_NONE:
            pass
        elif kind == K_BLOCK:
            if self.inline_frame is not None:
                self._soft_break()
            else:
                self._flush()
        elif kind == K_PRE:
            self._close_pre()
        elif kind == K_SKIP:
            self.skip = 0
        elif kind == K_SECTION:
            self._flush()
            self.frames[-1].header = saved  # type: ignore[assignment]
        elif kind in INLINE_FRAMES:
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
            self.parts.append((VERBATIM, text, self.style | CODE, self.link))
            self._line_break()
            return
        self.frames[-1].blocks.append(CodeBlock(text))

    def _close_inline_frame(self, kind: int) -> None:
        frame = self.frames.pop()
        self.inline_frame = None
        inlines = self._take_inlines()
        parent = self.frames[-1]
        if kind == K_HEADING:
            if inlines:
                parent.blocks.append(Heading(int(frame.extra[1]), inlines))  # type: ignore[index]
        elif kind == K_CELL:
            parent.items.append(inlines)
            if frame.extra == "th":
                parent.ths += 1
        elif kind == K_CAPTION:
            if inlines:
                parent.caption = inlines
        elif kind == K_DT:
            if inlines:
                if parent.kind == K_DL:
                    self._flush_loose()
                    parent.items.append(Term(inlines))
                else:
                    parent.blocks.append(Paragraph(inlines))
        elif kind == K_FIGCAPTION and inlines:
            parent.caption = inlines

    def _close_container(self, kind: int) -> None:
        self._flush_loose()
        self._flush()
        frame = self.frames.pop()
        parent = self.frames[-1]
        if kind in (K_TABLE, K_ROW):
            # Stray blocks inside a table (not in a cell) are shown before it.
            parent.blocks.extend(frame.blocks)
        if kind not in (K_ITEM, K_ROW, K_DD):
            self.depth -= 1
        if kind == K_ITEM:
            if frame.blocks:
                parent.items.append(tuple(frame.blocks))
        elif kind == K_LIST:
            if frame.items:
                ordered, start = frame.extra  # type: ignore[misc]
                parent.blocks.append(ListBlock(ordered, tuple(frame.items), start))
        elif kind == K_QUOTE:
            if frame.blocks:
                parent.blocks.append(Quote(tuple(frame.blocks)))
        elif kind == K_ROW:
            cells = tuple(frame.items)
            if any(cells):
                # A row is a header row in <thead> or when all its cells are <th>.
                all_th = frame.ths == len(cells)
                parent.rows.append(Row(bool(frame.extra) or all_th, cells))
        elif kind == K_TABLE:
            if frame.rows:
                parent.blocks.append(Table(tuple(frame.rows), frame.caption))
            elif frame.caption:
                parent.blocks.append(Paragraph(frame.caption))
        elif kind == K_DD:
            if frame.blocks:
                parent.items.append(Definition(tuple(frame.blocks)))
        elif kind == K_DL:
            if frame.items:
                parent.blocks.append(DefinitionList(tuple(frame.items)))
        elif kind == K_FIGURE and (frame.blocks or frame.caption):
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
        for chunk in (WHITESPACE.sub(" ", c).strip() for c in re.split(r"\n\s*\n", text))
        if chunk
    )
    return Document(blocks)
