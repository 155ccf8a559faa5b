"""Plain data carried between the layers: frozen dataclasses, no behaviour.

Parsers produce :class:`ParsedFeed` / :class:`ParsedEntry` (already cleaned:
control characters stripped, HTML sanitized, URLs absolute). Storage returns
:class:`Feed`, :class:`ArticleSummary`, :class:`Article` and :class:`Bookmark`.
All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Author:
    name: str = ""
    email: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Enclosure:
    url: str
    type: str = ""
    length: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One entry as a source parser hands it to storage (clean, absolute)."""

    guid: str
    title: str
    link: str = ""
    authors: tuple[Author, ...] = ()
    published: datetime | None = None
    updated: datetime | None = None
    summary: str = ""  # plain text
    content_html: str = ""  # sanitized HTML with absolute URLs
    text: str = ""  # the body as plain text (sanitize.plain_text): search, excerpts, filters
    enclosures: tuple[Enclosure, ...] = ()
    categories: tuple[str, ...] = ()
    related_links: tuple[str, ...] = ()  # links the post itself declares related


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A whole parsed document: feed metadata and its entries."""

    title: str
    site_url: str = ""
    description: str = ""
    kind: str = ""  # "rss", "atom", "rdf", "jsonfeed", "wordpress"
    entries: tuple[ParsedEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscription as stored, with its counts."""

    url: str
    title: str
    site_url: str = ""
    tags: tuple[str, ...] = ()
    unread: int = 0
    total: int = 0
    last_refreshed: datetime | None = None
    last_error: str | None = None
    id: int = 0
    whole_stories: bool = False  # a refresh fetches new stories whole from their pages


@dataclass(frozen=True, slots=True)
class PageStory:
    """The whole story found on a story's web page (sanitized HTML and its plain text),
    and the links of the page's own "Related Posts"."""

    html: str
    text: str
    related: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """What a list row needs: no bodies."""

    id: int
    feed_url: str
    feed_title: str
    guid: str
    title: str
    link: str
    author: str
    published: datetime | None
    read: bool
    bookmarked: bool


@dataclass(frozen=True, slots=True)
class Article:
    """A stored article with its body."""

    id: int
    feed_url: str
    feed_title: str
    guid: str
    title: str
    link: str = ""
    authors: tuple[Author, ...] = ()
    published: datetime | None = None
    updated: datetime | None = None
    summary: str = ""
    content_html: str = ""
    text: str = ""
    enclosures: tuple[Enclosure, ...] = ()
    categories: tuple[str, ...] = ()
    read: bool = False
    bookmarked: bool = False

    @property
    def author(self) -> str:
        """Authors' names joined for display."""
        return ", ".join(a.name or a.email for a in self.authors if a.name or a.email)


@dataclass(frozen=True, slots=True)
class Bookmark:
    """A bookmark's own snapshot: it outlives the article and the feed."""

    id: int
    title: str
    link: str
    feed_title: str = ""
    feed_url: str = ""
    guid: str = ""
    author: str = ""
    published: datetime | None = None
    summary: str = ""
    bookmarked_at: datetime | None = None
    note: str = ""
    tags: tuple[str, ...] = ()
    article_id: int | None = None


@dataclass(frozen=True, slots=True)
class RelatedItem:
    """One suggestion of the related-posts engine."""

    id: int
    guid: str
    title: str
    feed_url: str
    feed_title: str
    link: str
    score: float
    excerpt: str


@dataclass(frozen=True, slots=True)
class FeedResult:
    """What one feed's refresh did."""

    url: str
    new: int = 0
    updated: int = 0
    not_modified: bool = False
    error: str | None = None
    title: str = ""
    whole_stories: int = 0  # new stories fetched whole from their web pages


@dataclass(frozen=True, slots=True)
class RefreshSummary:
    results: tuple[FeedResult, ...] = field(default_factory=tuple)
    expired: int = 0  # old read stories deleted after it (RefreshSettings.keep_days)

    @property
    def new(self) -> int:
        return sum(r.new for r in self.results)

    @property
    def errors(self) -> tuple[FeedResult, ...]:
        return tuple(r for r in self.results if r.error)
