"""Whole stories for feeds of excerpts: the stories' web pages fetched and read in bulk.

A refresh of a feed set to whole stories, and ``Library.fetch_whole_stories`` when one is
switched on, fetch the pages of stories that look like excerpts with the refresh's
fetcher, find each story on its page (:func:`~tui_reader.core.extract.story_of_page`, off
the event loop: in the parse pool or a thread) and keep those with more text than the
excerpt. A page that fails leaves its excerpt: the reader can still fetch it with ``F``,
which says why it failed.

A feed chooses the links of its stories, so a hostile one could point the reader at this
machine or the local network (a router's admin page): a story page on a private address
is fetched only for a feed that is on one too (:func:`may_fetch`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from tui_reader.core.content_coding import DecodeError, decode_body
from tui_reader.core.errors import StoryError
from tui_reader.core.fetch import Fetcher
from tui_reader.core.models import PageStory

log = logging.getLogger(__name__)

MAX_PER_REFRESH = 50  # new stories of one feed fetched whole in one refresh, at most
PAGES_IN_HAND = 4  # a feed's story pages fetched or being read at once (10 MB each at most)

ReadPage = Callable[..., Awaitable[PageStory]]  # runs story_in_worker off the event loop


def is_local_address(url: str) -> bool:
    """Whether ``url`` names this machine or a private network: ``localhost`` or a
    loopback, private, link-local, unspecified or reserved IP address."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified
            or ip.is_reserved or ip.is_multicast)


def may_fetch(link: str, feed_url: str) -> bool:
    """Whether a story's page may be fetched for its feed: one on a local address only
    when the feed itself is on one (a home server, a test server)."""
    return not is_local_address(link) or is_local_address(feed_url)


def story_in_worker(
    content: bytes, content_encoding: str | None, max_bytes: int, content_type: str | None,
    url: str,
) -> PageStory:
    """A fetched web page's story (see :func:`~tui_reader.core.extract.story_of_page`);
    :class:`~tui_reader.core.errors.StoryError` or :class:`DecodeError` if there is none."""
    from tui_reader.core.extract import story_of_page

    return story_of_page(decode_body(content, content_encoding, max_bytes), content_type, url)


async def read_pages(
    fetcher: Fetcher, read_page: ReadPage, feed_url: str,
    excerpts: Sequence[tuple[int, str, int]], max_bytes: int,
) -> list[tuple[int, PageStory]]:
    """(id, its page's story) of a feed's stories (id, link, length of the stored text)
    whose web page holds more than the excerpt, :data:`PAGES_IN_HAND` pages at a time.
    Links and redirects :func:`may_fetch` refuses are left alone."""
    pages = asyncio.Semaphore(PAGES_IN_HAND)

    def allowed(url: str) -> bool:
        return may_fetch(url, feed_url)

    async def one(link: str, length: int) -> PageStory | None:
        if not allowed(link):
            return None
        async with pages:
            fetched = await fetcher.fetch(link, allow=allowed)
            if fetched.error or fetched.content is None:
                return None
            try:
                story = await read_page(fetched.content, fetched.content_encoding, max_bytes,
                                        fetched.content_type, fetched.final_url)
            except (StoryError, DecodeError):
                return None
            except Exception as exc:  # a crashed worker, an extractor bug: keep the excerpt
                log.warning("could not read the story at %s: %r", link, exc)
                return None
        return story if len(story.text) > length else None

    found = await asyncio.gather(*(one(link, length) for _, link, length in excerpts))
    return [(aid, story) for (aid, _, _), story in zip(excerpts, found, strict=True)
            if story is not None]
