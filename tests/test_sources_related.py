"""extract_related_links on bodies in any letter case and script: the cheap test every
body takes first must not hide a related-posts block."""

from __future__ import annotations

import pytest

from tui_reader.core.sources.related import extract_related_links

BASE = "https://rel.example/post/1"
LINKS = '<ul><li><a href="/p/2">Two</a></li><li><a href="https://o.example/3">3</a></li></ul>'
FOUND = ["https://rel.example/p/2", "https://o.example/3"]


@pytest.mark.parametrize("prose", ["Plain ASCII prose.", "Prose with “quotes” and é — ünïcode."])
@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (f"<h3>Related posts</h3>{LINKS}", FOUND),
        (f"<h3>RELATED POSTS</h3>{LINKS}", FOUND),
        (f"<h3>Related Stories</h3>{LINKS}", FOUND),
        (f"<h4>You May Also Like</h4>{LINKS}", FOUND),
        (
            '<p><b>ReLaTeD:</b> <a href="/p/2">Two</a>, <a href="https://o.example/3">3</a></p>',
            FOUND,
        ),
        (f'<div class="jp-RelatedPosts">{LINKS}</div>', FOUND),
        (f'<div id="yarpp-related">{LINKS}</div>', FOUND),
        (f"<h3>Further reading</h3>{LINKS}", []),
        ("<p>Unrelated and correlated words, no block.</p>", []),
        ("", []),
    ],
)
def test_related_links_in_any_case(prose: str, block: str, expected: list[str]) -> None:
    html = f"<p>{prose}</p>{block}" if block else ""
    assert extract_related_links(html, BASE) == expected
