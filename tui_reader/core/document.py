"""Sanitized HTML to a readable document model and to plain text (stub, to be replaced)."""

from __future__ import annotations

import re
from html import unescape


def html_to_text(html: str) -> str:
    """The body as plain text (temporary stub)."""
    text = re.sub(r"<(br|/p|/h\d|/li|/blockquote|/pre)[^>]*>", "\n", html, flags=re.I)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\n{3,}", "\n\n", unescape(text)).strip()
