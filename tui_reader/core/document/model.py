"""The document model: frozen block and inline dataclasses, built by
:func:`~tui_reader.core.document.parse_document` and read by the renderers.

A :class:`Document` is a tuple of blocks (paragraphs, headings, lists, quotes, code,
tables, images, rules, definition lists, figures) plus the URL of each link number.
Text lives in inline runs: :class:`Span` (text with a style bit mask and a link
number) and :class:`Image`. Containers never nest deeper than :data:`MAX_NESTING`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

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
