"""Document blocks to Rich renderables: the body of the story view.

:class:`DocumentRenderer` turns the blocks of a :class:`~tui_reader.core.document.Document`
(paragraphs, headings, lists, quotes, code, tables, images, figures) into Rich
renderables, styled by a :class:`DocumentStyles` read from the view's component
classes. Feed text only ever goes into programmatically built :class:`~rich.text.Text`
objects (never parsed as markup). Links and images are numbered (``text[1]``) and
carry their number in the style's meta (:data:`LINK_META`), so a click can open them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich import box
from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.rule import Rule as RichRule
from rich.segment import Segment
from rich.style import Style
from rich.table import Table as RichTable
from rich.text import Text

from tui_reader.core.document import (
    BOLD,
    CODE,
    ITALIC,
    MARK,
    STRIKE,
    SUB,
    SUP,
    UNDERLINE,
    Block,
    CodeBlock,
    Definition,
    DefinitionList,
    Figure,
    Heading,
    Image,
    ImageBlock,
    Inline,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Span,
    Table,
    Term,
    image_label,
)
from tui_reader.core.search import Term as SearchTerm
from tui_reader.core.search import match_spans

__all__ = ["LINK_META", "DocumentRenderer", "DocumentStyles", "Prefixed"]

LINK_META = "storyreader-link"  # style meta key: the link number under the mouse
_BULLETS = ("•", "◦", "▪")
_TAB_SIZE = 4


# ----------------------------------------------------------------------------- renderables


class Prefixed:
    """A renderable with a prefix on its first line and another on the rest.

    Gives lists their hanging indent and quotes their bar, whatever the width.
    """

    def __init__(
        self, renderable: RenderableType, first: str, rest: str, style: Style | None = None
    ) -> None:
        self.renderable = renderable
        self.width = max(cell_len(first), cell_len(rest))
        self.first = Segment(first.ljust(self.width - cell_len(first) + len(first)), style)
        self.rest = Segment(rest.ljust(self.width - cell_len(rest) + len(rest)), style)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width - self.width
        if width < 4:  # too narrow for an indent: drop it rather than break
            yield self.renderable
            return
        lines = console.render_lines(
            self.renderable, options.update(width=width, height=None), pad=False
        )
        new_line = Segment.line()
        for number, line in enumerate(lines):
            yield self.first if number == 0 else self.rest
            yield from line
            yield new_line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        inner = Measurement.get(
            console, options.update_width(max(1, options.max_width - self.width)), self.renderable
        )
        return Measurement(inner.minimum + self.width, inner.maximum + self.width)


class _Code:
    """Preformatted text: never word-wrapped; over-long lines are cut with a marker."""

    def __init__(self, text: str, style: Style, marker_style: Style) -> None:
        self.lines = text.expandtabs(_TAB_SIZE).split("\n")
        self.style = style
        self.marker_style = marker_style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(2, options.max_width)
        new_line = Segment.line()
        marker = Segment("↩", self.marker_style)
        for line in self.lines:
            if cell_len(line) <= width:
                yield Segment(line, self.style)
                yield new_line
                continue
            chunks = chop_cells(line, width - 1)
            for chunk in chunks[:-1]:
                yield Segment(chunk, self.style)
                pad = width - 1 - cell_len(chunk)
                if pad > 0:
                    yield Segment(" " * pad, self.style)
                yield marker
                yield new_line
            yield Segment(chunks[-1], self.style)
            yield new_line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((cell_len(line) for line in self.lines), default=1)
        return Measurement(min(8, longest), longest)


class _AdaptiveTable:
    """A grid when the width allows every column a few cells, else stacked lines."""

    def __init__(self, grid: RichTable, stacked: RenderableType, needed: int) -> None:
        self.grid = grid
        self.stacked = stacked
        self.needed = needed

    def _pick(self, width: int) -> RenderableType:
        return self.grid if width >= self.needed else self.stacked

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self._pick(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self._pick(options.max_width))


# ----------------------------------------------------------------------------- rendering


class DocumentStyles:
    """The Rich styles for one render, read from the view's component classes."""

    def __init__(self, get: Callable[[str], Style]) -> None:
        self.get = get
        self.link = get("link")
        self.marker = get("link-marker")
        self.image = get("image")
        self.code = get("code")
        self.mark = get("mark")
        self.match = get("match")
        self.code_block = get("code-block")
        self.code_border = get("code-border")
        self.quote_bar = get("quote-bar")
        self.bullet = get("bullet")
        self.term = get("term")
        self.caption = get("caption")
        self.rule = get("rule")
        self.table_header = get("table-header")
        self.table_border = get("table-border")
        self.headings = {level: get(f"h{min(level, 4)}") for level in range(1, 7)}
        self._flags: dict[int, Style] = {}
        self._clicks: dict[int, Style] = {}

    def click(self, number: int) -> Style:
        """A style whose click opens link ``number`` (see :meth:`ArticleBlock.on_click`).

        Not an ``@click`` action: Textual would restyle the text as its own links.
        """
        style = self._clicks.get(number)
        if style is None:
            style = self._clicks[number] = Style.from_meta({LINK_META: number})
        return style

    def flags(self, flags: int) -> Style:
        """The style of a span's flags (cached: there are few combinations)."""
        style = self._flags.get(flags)
        if style is None:
            style = Style(
                bold=bool(flags & BOLD) or None,
                italic=bool(flags & ITALIC) or None,
                strike=bool(flags & STRIKE) or None,
                underline=bool(flags & UNDERLINE) or None,
                dim=bool(flags & (SUP | SUB)) or None,
            )
            if flags & CODE:
                style = self.code + style
            if flags & MARK:
                style = self.mark + style
            self._flags[flags] = style
        return style


class DocumentRenderer:
    """Turns document blocks into Rich renderables."""

    def __init__(self, styles: DocumentStyles, highlight: tuple[SearchTerm, ...] = ()) -> None:
        self.s = styles
        self.highlight = highlight

    def matches(self, text: Text) -> Text:
        """Mark the search words of ``highlight`` in ``text`` (in place)."""
        for start, end in match_spans(text.plain, self.highlight) if self.highlight else ():
            text.stylize(self.s.match, start, end)
        return text

    def text(self, inlines: tuple[Inline, ...], base: Style | None = None) -> Text:
        """Inline runs as one Text, link markers and image placeholders included.

        Linked text and markers carry a click action (the link number: an int,
        never feed text) so that a mouse click opens them too.
        """
        s = self.s
        text = Text(style=base or "", overflow="fold")
        append = text.append
        link = 0
        bare = False  # last item: an image without its own marker
        for item in inlines:
            if link and item.link != link:
                append(f" [{link}]" if bare else f"[{link}]", s.marker + s.click(link))
            link = item.link
            if type(item) is Span:
                style = s.flags(item.style)
                append(item.text, style + s.link + s.click(link) if link else style)
                bare = False
            else:
                assert isinstance(item, Image)
                append(image_label(item.alt), s.image + s.link + s.click(link) if link else s.image)
                bare = True
                if item.index and item.index != item.link:
                    append(f" [{item.index}]", s.marker + s.click(item.index))
                    bare = False
        if link:
            append(f" [{link}]" if bare else f"[{link}]", s.marker + s.click(link))
        return self.matches(text)

    def image(self, block: ImageBlock) -> Text:
        return self.text((Image(block.alt, block.url, block.index, block.link),))

    def block(self, block: Block, depth: int = 0) -> RenderableType:
        kind = type(block)
        if kind is Paragraph:
            return self.text(block.inlines)  # type: ignore[union-attr]
        if kind is Heading:
            return self.text(block.inlines, self.s.headings[block.level])  # type: ignore[union-attr]
        if kind is ListBlock:
            return self.list(block, depth)  # type: ignore[arg-type]
        if kind is Quote:
            inner = self.blocks(block.blocks, depth + 1)  # type: ignore[union-attr]
            return Prefixed(inner, "▎ ", "▎ ", self.s.quote_bar)
        if kind is CodeBlock:
            return Panel(
                _Code(block.text, self.s.code_block, self.s.marker),  # type: ignore[union-attr]
                box=box.ROUNDED,
                style=self.s.code_block,
                border_style=self.s.code_border,
                padding=(0, 1),
            )
        if kind is Table:
            return self.table(block)  # type: ignore[arg-type]
        if kind is ImageBlock:
            return self.image(block)  # type: ignore[arg-type]
        if kind is Rule:
            return RichRule(characters="─", style=self.s.rule)
        if kind is DefinitionList:
            return self.definitions(block, depth)  # type: ignore[arg-type]
        if kind is Figure:
            parts: list[RenderableType] = [self.blocks(block.blocks, depth + 1)]  # type: ignore[union-attr]
            if block.caption:  # type: ignore[union-attr]
                parts.append(self.text(block.caption, self.s.caption))  # type: ignore[union-attr]
            return Group(*parts)
        return Text("")

    def body(self, blocks: tuple[Block, ...]) -> Group:
        """Top-level blocks, a blank line apart (none under a minor heading)."""
        out: list[RenderableType] = []
        previous: Block | None = None
        for block in blocks:
            if previous is not None and not (
                type(previous) is Heading and previous.level >= 3 and type(block) is not Heading
            ):
                out.append(Text(""))
            out.append(self.block(block))
            previous = block
        return Group(*out)

    def blocks(self, blocks: Iterable[Block], depth: int, tight: bool = False) -> Group:
        out: list[RenderableType] = []
        for block in blocks:
            if out and not tight:
                out.append(Text(""))
            out.append(self.block(block, depth))
        return Group(*out)

    def list(self, block: ListBlock, depth: int) -> Group:
        count = len(block.items)
        if block.ordered:
            last = block.start + count - 1
            width = max(len(str(block.start)), len(str(last))) + 2
            labels = [f"{block.start + i}.".rjust(width - 1) + " " for i in range(count)]
        else:
            labels = [f"{_BULLETS[depth % len(_BULLETS)]} "] * count
            width = 2
        items = [
            Prefixed(self.blocks(item, depth + 1, tight=True), label, "", self.s.bullet)
            for label, item in zip(labels, block.items, strict=True)
        ]
        return Group(*items)

    def definitions(self, block: DefinitionList, depth: int) -> Group:
        out: list[RenderableType] = []
        for item in block.items:
            if isinstance(item, Term):
                out.append(self.text(item.inlines, self.s.term))
            elif isinstance(item, Definition):
                out.append(Prefixed(self.blocks(item.blocks, depth + 1), "    ", "    "))
        return Group(*out)

    def table(self, block: Table) -> _AdaptiveTable:
        s = self.s
        rows = list(block.rows)
        ncols = max(len(row.cells) for row in rows)
        head = rows.pop(0) if rows[0].header else None
        caption = self.text(block.caption, s.caption) if block.caption else None
        grid = RichTable(
            box=box.ROUNDED,
            show_header=head is not None,
            header_style=s.table_header,
            border_style=s.table_border,
            title=caption,
            expand=False,
        )
        headers = [
            self.text(head.cells[col]) if head and col < len(head.cells) else Text("")
            for col in range(ncols)
        ]
        for header in headers:
            grid.add_column(header, overflow="fold")
        body: list[list[Text]] = []
        for row in rows:
            base = s.table_header if row.header else None
            cells = [self.text(cell, base) for cell in row.cells]
            cells += [Text("")] * (ncols - len(cells))
            grid.add_row(*cells)
            body.append(cells)
        # Too many columns for the width: one "header: value" line per cell instead.
        stacked: list[RenderableType] = [caption] if caption else []
        for number, cells in enumerate(body):
            if number:
                stacked.append(RichRule(characters="┄", style=s.table_border))
            for header, cell in zip(headers, cells, strict=True):
                if header.plain:
                    label = header.copy()
                    label.stylize(s.table_header)
                    label.append(": ")
                    stacked.append(Text.assemble(label, cell, overflow="fold"))
                else:
                    stacked.append(cell)
        natural = [
            max((cell.cell_len for cell in [headers[col], *(r[col] for r in body)]), default=0)
            for col in range(ncols)
        ]
        needed = sum(min(width, 6) + 3 for width in natural) + 1
        return _AdaptiveTable(grid, Group(*stacked), needed)
