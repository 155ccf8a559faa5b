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

The modules, each importing only those above it:

- :mod:`.model`: the frozen dataclasses, style flags and :data:`MAX_NESTING`;
- :mod:`.tags`: how each HTML element is treated (the tag classification tables);
- :mod:`.inlines`: buffered text parts collapsed into inline runs, :func:`strip_controls`;
- :mod:`.builder`: :func:`parse_document` and the parser target building the blocks;
- :mod:`.text`: the model as plain text (:func:`html_to_text`).

This package re-exports their public names; import from it, not from the modules.
"""

from __future__ import annotations

from tui_reader.core.document.builder import parse_document
from tui_reader.core.document.inlines import strip_controls
from tui_reader.core.document.model import (
    BOLD,
    CODE,
    ITALIC,
    MARK,
    MAX_NESTING,
    STRIKE,
    SUB,
    SUP,
    UNDERLINE,
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
from tui_reader.core.document.text import (
    document_to_text,
    html_to_text,
    image_label,
    inlines_to_text,
)

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
