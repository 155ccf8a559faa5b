"""Whether a stored story looks like an excerpt of a longer one on its web page.

Many blogs publish only a teaser in their feed: a paragraph and "Continue reading…",
"[…]", "Read more" or WordPress's "The post … appeared first on …". The reader then
offers to fetch the whole story from the story's link (``Library.fetch_full_story``).
"""

from __future__ import annotations

import re

from tui_reader.core.models import Article

SHORT_TEXT = 600  # characters: about a hundred words, less than any long read's opening
CUT_TEXT = 2_500  # a text this short ending in "…" was cut; a long one may end so
_TEASER_END = re.compile(  # the last line of a teaser ("Continue reading “Title” →")
    r"(?:\[\s*(?:…|\.\.\.)\s*\]\W*|(?:continue reading|read more|read the rest|keep reading)"
    r"[^\n]{0,150}|the post [^\n]{1,300} appeared first on [^\n]{1,200})$",
    re.IGNORECASE,
)


def looks_like_excerpt(article: Article) -> bool:
    """A story with a web link whose text is short, was cut ("…") or ends the way
    teasers end ("Continue reading", "[…]")."""
    if not article.link.startswith(("http://", "https://")):
        return False
    text = article.text.rstrip()
    if len(text) < SHORT_TEXT or _TEASER_END.search(text[-400:]):
        return True
    return len(text) < CUT_TEXT and text.endswith(("…", "..."))
