"""The façade both fronts use: ``open_library(data_dir)`` returns a :class:`Library`.

The CLI and the TUI call only this; storage, fetching and parsing stay behind it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_reader.core import filters, opml
from tui_reader.core.bookmarks import BookmarkService
from tui_reader.core.errors import (
    NoStoryFoundError,
    NoStoryLinkError,
    NotFoundError,
    StoryFetchError,
)
from tui_reader.core.exports import check_tags
from tui_reader.core.filters import FilterRule
from tui_reader.core.models import (
    Article,
    ArticleSummary,
    Feed,
    FeedResult,
    PageStory,
    RefreshSummary,
    RelatedItem,
)
from tui_reader.core.paths import data_dir as default_data_dir
from tui_reader.core.related import RelatedEngine
from tui_reader.core.sanitize import clean_line
from tui_reader.core.search import SavedSearch, SearchHit, check_search_name, parse_query
from tui_reader.core.settings import RefreshSettings
from tui_reader.core.storage import Storage
from tui_reader.core.storage import articles as article_sql
from tui_reader.core.storage import feeds as feed_sql
from tui_reader.core.storage import filters as filter_sql
from tui_reader.core.storage import search as search_sql
from tui_reader.core.storage import state as state_sql
from tui_reader.core.storage.articles import ArticleQuery
from tui_reader.core.storage.db import to_iso

if TYPE_CHECKING:
    from tui_reader.core.fetch import FetchResult
    from tui_reader.core.update import ProgressCallback, Refresher

DEMO_DONE_KEY = "demo_subscribed"


class Library:
    """A reader's library: subscriptions, cached articles, read state, bookmarks."""

    def __init__(self, data_dir: Path, settings: RefreshSettings | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.storage = Storage(self.data_dir)
        self._settings = settings or RefreshSettings()
        self.related_engine = RelatedEngine(self.storage)
        self.bookmarks = BookmarkService(self.storage)

    @cached_property
    def refresher(self) -> Refresher:
        """The update pipeline, imported (httpx, asyncio, the worker pool) on first use:
        commands that only read never load it."""
        from tui_reader.core.update import Refresher

        refresher = Refresher(self.storage, self._settings)
        refresher.on_stored.append(self.related_engine.on_stored)
        return refresher

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        self.storage.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def settings(self) -> RefreshSettings:
        return self._settings

    @settings.setter
    def settings(self, value: RefreshSettings) -> None:
        self._settings = value
        if "refresher" in self.__dict__:  # already made
            self.refresher.settings = value

    # -- feeds -----------------------------------------------------------------------------
    def feeds(self) -> list[Feed]:
        """Every subscription with unread and total counts."""
        return feed_sql.list_feeds(self.storage.conn)

    def feed(self, url: str) -> Feed:
        """One subscription (a local file's path as given to ``add`` works too)."""
        return feed_sql.get_feed(self.storage.conn, self._known_url(url))

    def is_empty(self) -> bool:
        return feed_sql.count_feeds(self.storage.conn) == 0

    def tags(self) -> list[str]:
        """Every feed tag in use, sorted."""
        return sorted({tag for feed in self.feeds() for tag in feed.tags}, key=str.lower)

    def add_feed(
        self, source: str, *, title: str | None = None, tags: tuple[str, ...] = ()
    ) -> tuple[Feed, FeedResult]:
        """Subscribe to a feed URL, a site (autodiscovery) or a local file; fetches it now."""
        import asyncio

        return asyncio.run(self.add_feed_async(source, title=title, tags=tags))

    async def add_feed_async(
        self, source: str, *, title: str | None = None, tags: tuple[str, ...] = ()
    ) -> tuple[Feed, FeedResult]:
        tags = check_tags(tags)
        title = clean_line(title) or None if title is not None else None  # as rename_feed
        url, result = await self.refresher.add(source, title=title, tags=tags)
        return self.feed(url), result

    def remove_feed(self, url: str) -> None:
        """Unsubscribe; the feed's cached articles go, its bookmarks stay."""
        with self.storage.transaction() as conn:
            feed_sql.delete_feed(conn, self._known_url(url))

    def set_feed_tags(self, url: str, tags: tuple[str, ...] | list[str]) -> None:
        """Replace a feed's tags (commas split them; :class:`TagError` for a bad one)."""
        with self.storage.transaction() as conn:
            url = self._known_url(url)
            tags = check_tags(tags, existing=feed_sql.get_feed(conn, url).tags)
            feed_sql.set_tags(conn, url, list(tags))

    def add_feed_tags(self, url: str, tags: tuple[str, ...] | list[str]) -> None:
        with self.storage.transaction() as conn:
            url = self._known_url(url)
            tags = check_tags(tags, existing=feed_sql.get_feed(conn, url).tags)
            feed_sql.add_tags(conn, url, list(tags))

    def set_whole_stories(self, url: str, on: bool = True) -> None:
        """Whether each refresh fetches the feed's new stories whole from their web pages
        (for a feed of excerpts; see :meth:`fetch_full_story`)."""
        with self.storage.transaction() as conn:
            feed_sql.set_whole_stories(conn, self._known_url(url), on)

    def fetch_whole_stories(self, url: str, limit: int = 50) -> int:
        """Fetch the feed's newest ``limit`` stories that look like excerpts whole from
        their web pages (as :meth:`fetch_full_story` does, a page that fails keeps its
        excerpt); returns how many were stored. Blocks: run it off the app's loop."""
        import asyncio

        from tui_reader.core.excerpt import looks_like_excerpt

        feed_url = self._known_url(url)
        query = ArticleQuery(feed_url=feed_url)
        ids = [a.id for a in article_sql.iter_articles(self.storage.conn, query, limit=limit)
               if looks_like_excerpt(a)]
        return asyncio.run(self.refresher.fetch_whole(ids, feed_url)) if ids else 0

    def rename_feed(self, url: str, title: str | None) -> None:
        """Show the feed under ``title``; None or a blank title: under its own title."""
        title = clean_line(title) if title is not None else None
        with self.storage.transaction() as conn:
            feed_sql.set_title(conn, self._known_url(url), title or None)

    def feed_titles(self, url: str) -> tuple[str | None, str]:
        """(the user's title or None, the feed's own title or '') of a subscription."""
        return feed_sql.get_titles(self.storage.conn, self._known_url(url))

    def _known_url(self, url: str) -> str:
        """Accept a local path the way it was given to ``add``."""
        from tui_reader.core.update import source_url

        conn = self.storage.conn
        for candidate in (url, source_url(url)):
            try:
                feed_sql.feed_id(conn, candidate)
                return candidate
            except NotFoundError:
                continue
        feed_sql.feed_id(conn, url)  # raises NotFoundError
        return url

    # -- articles --------------------------------------------------------------------------
    def articles(
        self,
        *,
        feed_url: str | None = None,
        tag: str | None = None,
        unread: bool = False,
        bookmarked: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ArticleSummary]:
        """Newest first, without bodies."""
        query = self._query(feed_url, tag, unread, bookmarked)
        return article_sql.list_articles(self.storage.conn, query, limit=limit, offset=offset)

    def count_articles(
        self,
        *,
        feed_url: str | None = None,
        tag: str | None = None,
        unread: bool = False,
        bookmarked: bool = False,
    ) -> int:
        query = self._query(feed_url, tag, unread, bookmarked)
        return article_sql.count_articles(self.storage.conn, query)

    def _query(
        self, feed_url: str | None, tag: str | None, unread: bool, bookmarked: bool
    ) -> ArticleQuery:
        if feed_url is not None:
            feed_url = self._known_url(feed_url)
        return ArticleQuery(
            feed_url=feed_url, tag=tag, unread_only=unread, bookmarked_only=bookmarked
        )

    def article(self, article_id: int, *, rendered: bool = True) -> Article:
        """One article with its body; NotFoundError for an unknown id.

        Its ``text`` is the body rendered for reading (lists, numbered links, tables:
        :func:`~tui_reader.core.document.html_to_text`), made here: the stored text is
        the plain text search, filters and excerpts use (cheaper to make at ingest).
        ``rendered=False`` skips that (callers that draw the HTML or need no body)."""
        article = article_sql.get_article(self.storage.conn, article_id)
        return _with_reading_text(article) if rendered else article

    def full_articles(
        self,
        *,
        feed_url: str | None = None,
        tag: str | None = None,
        unread: bool = False,
        bookmarked: bool = False,
        limit: int | None = None,
    ) -> Iterator[Article]:
        """The articles :meth:`articles` lists, each with its body and ``text`` as
        :meth:`article` gives it, one at a time. An unknown feed fails here, not when
        iterating."""
        query = self._query(feed_url, tag, unread, bookmarked)
        rows = article_sql.iter_articles(self.storage.conn, query, limit=limit)
        return (_with_reading_text(article) for article in rows)

    def set_read(self, ids: list[int] | tuple[int, ...], read: bool = True) -> int:
        with self.storage.transaction() as conn:
            return article_sql.set_read(conn, ids, read)

    def mark_all_read(self, *, feed_url: str | None = None, tag: str | None = None) -> int:
        """Mark a feed's (or a tag's, or every) article read."""
        query = self._query(feed_url, tag, False, False)
        with self.storage.transaction() as conn:
            return article_sql.mark_all_read(conn, query)

    def expire(self, days: float, *, unread: bool = False) -> int:
        """Delete the read stories dated more than ``days`` days ago (the unread ones too
        with ``unread``); bookmarked ones stay, and a deleted story still in its feed is
        not stored again as new. Returns how many went."""
        from datetime import UTC, datetime, timedelta

        before = to_iso(datetime.now(UTC) - timedelta(days=days))
        return article_sql.expire_articles(self.storage.conn, before, unread=unread)

    def related(self, article_id: int, limit: int = 6) -> list[RelatedItem]:
        """The cached articles most like this one, best first."""
        return self.related_engine.related(article_id, limit)

    def fetch_full_story(self, article_id: int) -> Article:
        """Fetch the article's web page and keep the whole story found there in place of
        the body its feed gave (a feed of excerpts); returns the article as
        :meth:`article` gives it. Blocks; see :meth:`fetch_full_story_async`."""
        import asyncio

        return asyncio.run(self.fetch_full_story_async(article_id))

    async def fetch_full_story_async(self, article_id: int) -> Article:
        """:meth:`fetch_full_story` on the running event loop (the page is parsed in a
        thread). The page is fetched as a refresh fetches a feed (limits, timeouts,
        redirects, user agent), its story found by :func:`~tui_reader.core.extract.
        extract_story` and sanitized; only the body (HTML and plain text) changes, so
        search finds the new words, related posts are indexed again, and a refresh of the
        unchanged feed entry keeps the story (a changed entry replaces it).

        Raises :class:`NotFoundError` (unknown id), :class:`NoStoryLinkError` (no http(s)
        link), :class:`StoryFetchError` (HTTP error, timeout, too big, not a web page) or
        :class:`NoStoryFoundError` (nothing story-like, or no more than the feed had);
        nothing is stored then."""
        import asyncio

        article = self.article(article_id, rendered=False)
        link = article.link
        if not link.lower().startswith(("http://", "https://")):
            raise NoStoryLinkError(f"article {article_id} has no web page to fetch the story from")
        from tui_reader.core.whole_stories import may_fetch

        def allowed(url: str) -> bool:
            return may_fetch(url, article.feed_url)

        if not allowed(link):
            raise StoryFetchError(f"{clean_line(link)}: not fetched: the page is on this "
                                  "machine or the local network, and its feed is not")
        async with self.refresher.fetcher() as fetcher:
            fetched = await fetcher.fetch(link, allow=allowed)
        story = await asyncio.to_thread(_page_story, fetched, link)
        if len(story.text) < len(article.text):
            raise NoStoryFoundError(
                f"{clean_line(link)}: the page has no more of the story than the feed")
        with self.storage.transaction() as conn:
            article_sql.set_story(conn, article_id, story)
            for hook in self.refresher.on_stored:  # related posts, as a refresh's update
                hook(conn, [], [article_id], None)
        return self.article(article_id)

    # -- search ----------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        limit: int = 50,
        offset: int = 0,
        order: search_sql.Order = "relevance",
        unread: bool = False,
    ) -> list[SearchHit]:
        """Articles matching a query (see :mod:`tui_reader.core.search`); QueryError if bad."""
        return search_sql.search(self.storage.conn, parse_query(query), limit=limit,
                                 offset=offset, order=order, unread_only=unread)

    def search_articles(
        self, query: str, *, limit: int | None = None, offset: int = 0
    ) -> list[ArticleSummary]:
        """A query's articles newest first, without snippets (a saved search as a feed)."""
        hits = search_sql.search(self.storage.conn, parse_query(query), order="date",
                                 limit=-1 if limit is None else limit, offset=offset,
                                 snippets=False)
        return [hit.article for hit in hits]

    def count_search(self, query: str, *, unread: bool = False) -> int:
        return search_sql.count(self.storage.conn, parse_query(query), unread_only=unread)

    def mark_search_read(self, query: str) -> int:
        """Mark every article a query finds read (a saved search's "mark all read")."""
        with self.storage.transaction() as conn:
            return article_sql.set_read(conn, search_sql.unread_ids(conn, parse_query(query)))

    def save_search(self, name: str, query: str) -> SavedSearch:
        """Save (or replace) a named query; it shows as a virtual feed."""
        name = check_search_name(name, query)
        with self.storage.transaction() as conn:
            search_sql.save_search(conn, name, query.strip())
        return self.saved_search(name)

    def saved_searches(self) -> list[SavedSearch]:
        """Saved searches by name, with unread and total counts."""
        return search_sql.saved_searches_with_counts(self.storage.conn, parse_query)

    def saved_search(self, name: str) -> SavedSearch:
        saved = search_sql.get_saved_search(self.storage.conn, name)
        return next(s for s in self.saved_searches() if s.id == saved.id)

    def remove_saved_search(self, name: str) -> None:
        with self.storage.transaction() as conn:
            search_sql.delete_saved_search(conn, name)

    # -- killfile --------------------------------------------------------------------------
    def add_filter(self, rule: str, feed_url: str | None = None) -> FilterRule:
        """Drop entries matching ``rule`` at refresh, for one feed or (None) every feed."""
        with self.storage.transaction() as conn:
            url = self._known_url(feed_url) if feed_url else None
            rule_id = filters.add_rule(conn, rule, feed_sql.feed_id(conn, url) if url else None)
        return FilterRule(rule_id, rule.strip(), url)

    def filters(self) -> list[FilterRule]:
        return filters.list_rules(self.storage.conn)

    def remove_filter(self, rule_id: int) -> None:
        with self.storage.transaction() as conn:
            filter_sql.delete_rule(conn, rule_id)

    # -- refresh ---------------------------------------------------------------------------
    def refresh(
        self,
        urls: list[str] | None = None,
        *,
        on_result: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> RefreshSummary:
        """Fetch, parse and store the named feeds (all when None); blocks until done.
        Then the read stories older than ``settings.keep_days`` go (see :meth:`expire`)."""
        import asyncio

        return asyncio.run(self.refresh_async(urls, on_result=on_result, cancel=cancel))

    async def refresh_async(
        self,
        urls: list[str] | None = None,
        *,
        on_result: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> RefreshSummary:
        if urls is not None:
            urls = [self._known_url(url) for url in urls]
        summary = await self.refresher.refresh(urls, on_result=on_result, cancel=cancel)
        if self.settings.keep_days > 0:
            summary = dataclasses.replace(summary, expired=self.expire(self.settings.keep_days))
        return summary

    # -- state -----------------------------------------------------------------------------
    def get_state(self, key: str, default: Any = None) -> Any:
        return state_sql.get_state(self.storage.conn, key, default)

    def set_state(self, key: str, value: Any) -> None:
        with self.storage.transaction() as conn:
            state_sql.set_state(conn, key, value)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several façade calls into one atomic write."""
        with self.storage.transaction():
            yield

    def subscribe_demo_if_new(self) -> list[Feed]:
        """On the first open of an empty library, subscribe the built-in demo stories.

        Only the app calls this; CLI commands never add the demo feeds.
        """
        if not self.is_empty() or self.get_state(DEMO_DONE_KEY, False):
            return []
        from tui_reader.core.demo import DEMO_TAG, demo_feed_paths

        added: list[Feed] = []
        for path in demo_feed_paths():
            feed, _ = self.add_feed(str(path), tags=(DEMO_TAG,))
            added.append(feed)
        self.set_state(DEMO_DONE_KEY, True)
        return added

    # -- OPML ------------------------------------------------------------------------------
    def import_opml(self, path: Path) -> list[str]:
        """Subscribe every feed of an OPML file (tags from its folders); returns the new URLs.

        Nothing is fetched: ``refresh`` does that.
        """
        outlines = opml.read_opml(path)
        added: list[str] = []
        with self.storage.transaction() as conn:
            known = {feed.url for feed in feed_sql.list_feeds(conn)}
            for outline in outlines:
                feed_sql.insert_feed(conn, outline.url, title=outline.title)
                feed_sql.add_tags(conn, outline.url, list(outline.tags))
                if outline.whole_stories:
                    feed_sql.set_whole_stories(conn, outline.url, True)
                if outline.url not in known:
                    added.append(outline.url)
                    known.add(outline.url)
        return added

    def export_opml(self) -> str:
        return opml.write_opml(self.feeds())


def open_library(
    data_dir: Path | str | None = None, settings: RefreshSettings | None = None
) -> Library:
    """Open (creating if needed) the library in ``data_dir`` or the user data directory."""
    return Library(Path(data_dir) if data_dir else default_data_dir(), settings)


def _with_reading_text(article: Article) -> Article:
    """``article`` with its ``text`` rendered for reading from its HTML body."""
    if not article.content_html:
        return article
    from tui_reader.core.document import html_to_text

    return dataclasses.replace(article, text=html_to_text(article.content_html))


def _page_story(fetched: FetchResult, link: str) -> PageStory:
    """The story of a fetched web page, or :class:`StoryFetchError` (the fetch failed, not
    a web page) or :class:`NoStoryFoundError`."""
    from tui_reader.core.extract import story_of_page

    if fetched.error:
        raise StoryFetchError(f"{clean_line(link)}: {fetched.error}")
    return story_of_page(fetched.content or b"", fetched.content_type, fetched.final_url)
