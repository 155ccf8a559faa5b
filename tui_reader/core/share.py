"""Sharing a story: the texts to copy, the URLs to open, and a QR code of its link.

Only http(s) links are ever shared or opened (:func:`check_link` says why not otherwise);
every URL built here is percent-encoded with :func:`urllib.parse.quote`. Nothing here
touches the terminal: the UI copies and opens what these functions return.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import segno

from tui_reader.core.errors import StoryreaderError
from tui_reader.core.exports import clean_line, is_web_url

DEFAULT_MASTODON = "mastodon.social"
QR_BORDER = 2  # quiet-zone modules each side (the spec says 4; 2 scans fine and fits)
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?$")


class ShareError(StoryreaderError):
    """A story that cannot be shared (no link, or not a web link)."""


@dataclass(frozen=True, slots=True)
class Shareable:
    """What sharing needs of an article, a list row or a bookmark."""

    title: str
    link: str

    @classmethod
    def of(cls, item: object) -> Shareable:
        """From anything with ``title`` and ``link`` attributes."""
        title = clean_line(str(getattr(item, "title", "") or ""))
        link = str(getattr(item, "link", "") or "").strip()
        return cls(title=title or link, link=link)


def check_link(link: str) -> str:
    """The link if it may be shared or opened; :class:`ShareError` with the reason if not."""
    if not link:
        raise ShareError("this story has no link")
    if not is_web_url(link):
        scheme = urlsplit(link).scheme if ":" in link else ""
        what = f"a {scheme}: link" if scheme and scheme.isascii() and scheme.isalnum() else (
            "not a web link")
        raise ShareError(f"not opened: {what} (only http and https links are shared)")
    return link


def mastodon_host(instance: str | None) -> str:
    """A server host name from config, or the default when it does not look like one."""
    host = (instance or "").strip()
    host = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", host).split("/", 1)[0].lstrip("@")
    if "@" in host:
        host = host.rsplit("@", 1)[1]
    return host if host and _HOST.match(host) else DEFAULT_MASTODON


def _q(text: str) -> str:
    return quote(text, safe="")


# --- texts --------------------------------------------------------------------------------


def markdown_link(item: Shareable) -> str:
    """``[Title](url)``, with brackets in the title and parentheses in the URL escaped."""
    link = check_link(item.link)
    title = re.sub(r"([\\\[\]])", r"\\\1", item.title or link)
    url = link.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{title}]({url})"


def plain_text(item: Shareable) -> str:
    """The title, then the link on its own line."""
    link = check_link(item.link)
    return f"{item.title}\n{link}" if item.title and item.title != link else link


def link_text(item: Shareable) -> str:
    return check_link(item.link)


# --- URLs ---------------------------------------------------------------------------------


def mailto_url(item: Shareable) -> str:
    """A ``mailto:`` with the title as subject and title + link as body (RFC 6068)."""
    link = check_link(item.link)
    body = f"{item.title}\r\n\r\n{link}" if item.title != link else link
    return f"mailto:?subject={_q(item.title)}&body={_q(body)}"


def mastodon_url(item: Shareable, instance: str | None = None) -> str:
    link = check_link(item.link)
    return f"https://{mastodon_host(instance)}/share?text={_q(f'{item.title} {link}')}"


def bluesky_url(item: Shareable) -> str:
    link = check_link(item.link)
    return f"https://bsky.app/intent/compose?text={_q(f'{item.title} {link}')}"


def reddit_url(item: Shareable) -> str:
    link = check_link(item.link)
    return f"https://www.reddit.com/submit?url={_q(link)}&title={_q(item.title)}"


def hacker_news_url(item: Shareable) -> str:
    link = check_link(item.link)
    return f"https://news.ycombinator.com/submitlink?u={_q(link)}&t={_q(item.title)}"


def linkedin_url(item: Shareable) -> str:
    link = check_link(item.link)
    return f"https://www.linkedin.com/sharing/share-offsite/?url={_q(link)}"


def browser_url(item: Shareable) -> str:
    return check_link(item.link)


# --- the menu -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShareTarget:
    """One line of the share menu.

    ``kind`` is ``"copy"`` (``build`` gives the text to copy), ``"open"`` (a URL to open)
    or ``"qr"`` (show the link as a QR code).
    """

    id: str
    label: str
    key: str
    kind: str
    build: Callable[[Shareable, str], str]
    copied: str = ""  # what the notification says was copied


TARGETS: tuple[ShareTarget, ...] = (
    ShareTarget("copy_link", "Copy link", "y", "copy", lambda i, _: link_text(i), "link"),
    ShareTarget("copy_markdown", "Copy as Markdown", "m", "copy",
                lambda i, _: markdown_link(i), "Markdown link"),
    ShareTarget("copy_text", "Copy title and link", "t", "copy",
                lambda i, _: plain_text(i), "title and link"),
    ShareTarget("browser", "Open in browser", "o", "open", lambda i, _: browser_url(i)),
    ShareTarget("email", "Email", "e", "open", lambda i, _: mailto_url(i)),
    ShareTarget("mastodon", "Mastodon", "1", "open", mastodon_url),
    ShareTarget("bluesky", "Bluesky", "2", "open", lambda i, _: bluesky_url(i)),
    ShareTarget("reddit", "Reddit", "3", "open", lambda i, _: reddit_url(i)),
    ShareTarget("hacker_news", "Hacker News", "4", "open", lambda i, _: hacker_news_url(i)),
    ShareTarget("linkedin", "LinkedIn", "5", "open", lambda i, _: linkedin_url(i)),
    ShareTarget("qr", "QR code (for a phone)", "r", "qr", lambda i, _: link_text(i)),
)
TARGETS_BY_ID = {target.id: target for target in TARGETS}


def openable(url: str) -> bool:
    """May the UI hand this URL to the browser? Web links and ``mailto:`` only."""
    return is_web_url(url) or (url.startswith("mailto:") and not re.search(r"\s", url))


# --- QR -----------------------------------------------------------------------------------


def qr_matrix(text: str, border: int = QR_BORDER) -> list[list[bool]]:
    """The QR code of ``text`` as rows of dark (True) / light modules, quiet zone included."""
    code = segno.make(text, error="m", micro=False)
    return [[bool(cell) for cell in row] for row in code.matrix_iter(scale=1, border=border)]


def qr_lines(matrix: list[list[bool]]) -> list[str]:
    """Two module rows per text line with half blocks; dark modules are the foreground.

    Draw them dark-on-light (e.g. black on white) whatever the theme: scanners need
    dark modules on a light ground.
    """
    rows = list(matrix)
    if len(rows) % 2:
        rows.append([False] * (len(rows[0]) if rows else 0))
    glyphs = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
    return [
        "".join(glyphs[(top, bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[0::2], rows[1::2], strict=True)
    ]
