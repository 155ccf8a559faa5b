"""How the builder treats each HTML element: the tag classification tables.

Every start tag gets a *kind* (``K_*``), pushed on the builder's stack with the tag
so its end tag (or an implied close) undoes exactly what the start did. Tags not
listed anywhere are transparent inline elements (``span``, ``font``, unknown tags).
"""

from __future__ import annotations

from tui_reader.core.document.model import (
    BOLD,
    CODE,
    ITALIC,
    MARK,
    STRIKE,
    SUB,
    SUP,
    UNDERLINE,
)

# Element handling kinds (what a start tag does, and so what its end undoes).
K_NONE = 0
K_STYLE = 1
K_LINK = 2
K_BLOCK = 3
K_PRE = 4
K_SKIP = 5
K_LIST = 6
K_ITEM = 7
K_QUOTE = 8
K_HEADING = 9
K_TABLE = 10
K_ROW = 11
K_CELL = 12
K_CAPTION = 13
K_DL = 14
K_DT = 15
K_DD = 16
K_FIGURE = 17
K_FIGCAPTION = 18
K_SECTION = 19  # thead/tbody/tfoot

STYLE_TAGS = {
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
CONTAINER_KINDS = {
    "ul": K_LIST,
    "ol": K_LIST,
    "menu": K_LIST,
    "li": K_ITEM,
    "blockquote": K_QUOTE,
    "table": K_TABLE,
    "tr": K_ROW,
    "td": K_CELL,
    "th": K_CELL,
    "caption": K_CAPTION,
    "thead": K_SECTION,
    "tbody": K_SECTION,
    "tfoot": K_SECTION,
    "dl": K_DL,
    "dt": K_DT,
    "dd": K_DD,
    "figure": K_FIGURE,
    "figcaption": K_FIGCAPTION,
    "h1": K_HEADING,
    "h2": K_HEADING,
    "h3": K_HEADING,
    "h4": K_HEADING,
    "h5": K_HEADING,
    "h6": K_HEADING,
}
BLOCK_TAGS = frozenset(
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
SKIP_TAGS = frozenset(
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
VOID_TAGS = frozenset(
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
PRE_TAGS = frozenset(("pre", "listing", "xmp", "plaintext"))

# Frames that collect inlines only: blocks inside them become line breaks.
INLINE_FRAMES = frozenset((K_HEADING, K_CELL, K_CAPTION, K_DT, K_FIGCAPTION))
