"""The document model as plain text, as the reader shows it (``storyreader show``).

Links and images share one numbering: a link's marker follows its text (``text[1]``),
an image is a placeholder (``[image: alt] [2]``). Blocks are separated by blank lines;
lists get bullets or numbers, quotes ``> ``, code four spaces, tables aligned columns.
"""

from __future__ import annotations

from tui_reader.core.document.builder import parse_document
from tui_reader.core.document.model import (
    Block,
    CodeBlock,
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
    Rule,
    Span,
    Table,
    Term,
)


def image_label(alt: str) -> str:
    """The placeholder shown for an image."""
    return f"[image: {alt}]" if alt else "[image]"


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
