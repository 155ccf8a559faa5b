"""Turning feed strings into safe, fixed-width row text.

Feed text is never parsed as markup: rows are :class:`rich.text.Text` built from plain
strings. The core strips control characters at ingest; :func:`one_line` still flattens
whatever could break a one-row cell (newlines, tabs, leftover controls, bidi overrides).
"""

from __future__ import annotations

import re
from datetime import datetime

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

_FLATTEN_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]+"
)
_SPACES_RE = re.compile(r"\s{2,}")
ELLIPSIS = "…"


def one_line(value: str) -> str:
    """``value`` as one line: controls and line breaks become single spaces."""
    if not value:
        return ""
    flat = _FLATTEN_RE.sub(" ", value)
    return _SPACES_RE.sub(" ", flat).strip()


def fit(value: str, width: int, style: Style | str = "", *, align: str = "left") -> Text:
    """Plain ``value`` on one line, exactly ``width`` cells: cut with an ellipsis, padded.

    Cell widths come from rich (emoji and East Asian wide characters count two).
    """
    if width <= 0:
        return Text("")
    text = Text(one_line(value), style=style, no_wrap=True, end="")
    if cell_len(text.plain) > width:
        text.truncate(width, overflow="ellipsis")
    padding = width - cell_len(text.plain)
    if padding > 0:
        if align == "right":
            text = Text(" " * padding, end="") + text
        else:
            text.append(" " * padding)
    return text


def short_date(value: datetime | None) -> str:
    """A story's date as ``2024-05-01`` in local time (no "now"-relative wording)."""
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d")


def excerpt(value: str, words: int = 25) -> str:
    """The first ``words`` words of ``value`` on one line, with an ellipsis if cut."""
    parts = one_line(value).split(" ")
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]) + ELLIPSIS
