"""Links a post itself declares related, found in its HTML body.

Two shapes are recognised:

- an element whose class or id names a related-posts block: Jetpack's
  ``jp-relatedposts``, ``related-posts``, YARPP's ``yarpp-related``,
  ``crp_related``, a bare ``related``...;
- a short heading-like element whose own text is "Related posts", "Related
  stories", "You may also like" and the like, followed by the links: the first
  following sibling that holds links (a list, a paragraph), or the inline
  links right after it (``<p><b>Related:</b> <a>..</a>, <a>..</a></p>``).

It runs on the raw body (the sanitizer removes the classes it looks for), but
only after a cheap substring test: most bodies never reach the HTML parser.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html

__all__ = ["extract_related_links"]

_PREFILTER = re.compile(
    r"related[\s_-]*(?:posts?|stories|articles|reading|links|content|items?)"
    r"|relatedposts|(?:class|id)\s*=\s*[\"']?[^\"'>]*related"
    r"|>\s*related\s*:?\s*<|(?:may|might) also like"
)
_PHRASES = frozenset(
    {
        "related", "related posts", "related post", "related stories", "related articles",
        "related reading", "related links", "related content", "more related posts",
        "you may also like", "you might also like",
    }
)  # fmt: skip
_CLASS_MARKERS = (
    "relatedposts", "related-posts", "related_posts", "related-stories", "related-articles",
    "related-links", "related-content", "-related", "_related",
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "hr"})
_INLINE = frozenset({"a", "span", "em", "strong", "b", "i", "small", "br", "cite"})
_MAX_LINKS = 50


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).lower().rstrip(" :.…-–—")


def _is_related_container(el: lxml.html.HtmlElement) -> bool:
    names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    if "related" not in names:
        return False
    for token in names.split():
        if token == "related" or any(marker in token for marker in _CLASS_MARKERS):
            return True
    return False


def _collect(el: lxml.html.HtmlElement, base: str, out: list[str]) -> bool:
    """Append the hrefs of the anchors in ``el``; True if it held any."""
    found = False
    for a in el.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        try:
            url = urljoin(base, href) if base else href
        except ValueError:
            continue
        if url[:8].lower().startswith(("http://", "https://")):
            out.append(url)
            found = True
    return found


def _after_heading(heading: lxml.html.HtmlElement, root: object, base: str, out: list[str]) -> None:
    block = heading
    own = _norm(block.text_content())
    parent = block.getparent()
    while parent is not None and parent is not root and _norm(parent.text_content()) == own:
        block, parent = parent, parent.getparent()
    for sibling in block.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag in _HEADINGS:
            break
        if _collect(sibling, base, out) and sibling.tag not in _INLINE:
            break


def _mentions_related(html: str) -> bool:
    """Whether ``html`` says "related" or "also like", in any case of the ASCII letters:
    the test every body takes. Lower-casing a non-ASCII string costs twice as much as
    lower-casing its UTF-8 bytes (which changes only ASCII letters: all these words have)."""
    if html.isascii():
        low = html.lower()
        return "related" in low or "also like" in low
    data = html.encode("utf-8", "surrogatepass").lower()
    return b"related" in data or b"also like" in data


def extract_related_links(html: str, base: str = "") -> list[str]:
    """Absolute http(s) URLs of the related-posts links declared in ``html``."""
    if not html or not _mentions_related(html):
        return []
    if not _PREFILTER.search(html.lower()):
        return []
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # the HTML parser on hostile input: no related links
        return []
    out: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if _is_related_container(el):
            _collect(el, base, out)
        elif el.text and _norm(el.text) in _PHRASES:
            _after_heading(el, root, base, out)
        if len(out) >= _MAX_LINKS:
            break
    seen: set[str] = set()
    return [u for u in out if not (u in seen or seen.add(u))]
