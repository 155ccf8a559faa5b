"""Inline-run assembly: a paragraph's buffered text parts collapsed into spans.

While a paragraph (or heading, cell, caption...) is open, the builder buffers its
content as *parts*: ``(kind, text, style, link)`` tuples, where kind is :data:`RAW`
(text as parsed), :data:`BREAK` (a ``<br>`` or block boundary) or :data:`VERBATIM`
(text kept as is), and :class:`~.model.Image` objects. :func:`collapse` turns them
into the model's inline runs: adjacent text of one style and link joined into one
:class:`~.model.Span`, whitespace collapsed like a browser does, a space at a link's
end moved after it, whitespace trimmed at both ends.
"""

from __future__ import annotations

import re

from tui_reader.core.document.model import Inline, Span

WHITESPACE = re.compile(r"[ \t\n\r\f]+")
# C0/C1 controls (but tab, LF, CR), lone surrogates, bidi overrides/isolates,
# soft hyphens and BOMs: never meaningful in a terminal, sometimes harmful.
CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def strip_controls(text: str) -> str:
    """``text`` without control characters, lone surrogates or bidi overrides."""
    if CONTROLS.search(text) is None:
        return text
    return CONTROLS.sub("", text)


# Buffered part kinds.
RAW = 0
BREAK = 1
VERBATIM = 2


def collapse(parts: list, clean: bool) -> tuple[Inline, ...]:
    """The inline runs of the buffered ``parts`` (``clean``: strip control characters)."""
    if len(parts) == 1:  # the common case: one run of plain text
        part = parts[0]
        if type(part) is tuple and part[0] != BREAK:
            kind, text, style, link = part
            if kind == RAW and ("  " in text or not text.isprintable()):
                text = WHITESPACE.sub(" ", text)
            text = text.strip(" \n")
            if clean and CONTROLS.search(text):
                text = CONTROLS.sub("", text)
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
        if kind == BREAK:
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
        if kind == RAW:
            # Join the following raw runs of the same style and link first.
            if i < n:
                nxt = parts[i]
                if type(nxt) is tuple and nxt[0] == RAW and nxt[2] == style and nxt[3] == link:
                    pieces = [text]
                    while i < n:
                        nxt = parts[i]
                        if not (
                            type(nxt) is tuple
                            and nxt[0] == RAW
                            and nxt[2] == style
                            and nxt[3] == link
                        ):
                            break
                        pieces.append(nxt[1])
                        i += 1
                    text = "".join(pieces)
            if "  " in text or not text.isprintable():
                text = WHITESPACE.sub(" ", text)
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
    if clean:  # character references may have produced control characters
        for pos, item in enumerate(out):
            if type(item) is Span and CONTROLS.search(item.text):
                out[pos] = Span(CONTROLS.sub("", item.text), item.style, item.link)
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
