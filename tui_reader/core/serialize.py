"""JSON shapes of the CLI's ``--json`` output (the scripting contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tui_reader.core.models import (
    Article,
    ArticleSummary,
    Bookmark,
    Feed,
    FeedResult,
    RefreshSummary,
    RelatedItem,
)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with UTC offset, or None."""
    return value.isoformat() if value else None


def feed_json(feed: Feed) -> dict[str, Any]:
    return {
        "url": feed.url,
        "title": feed.title,
        "site_url": feed.site_url,
        "tags": list(feed.tags),
        "unread": feed.unread,
        "total": feed.total,
        "last_refreshed": iso(feed.last_refreshed),
        "last_error": feed.last_error,
        "whole_stories": feed.whole_stories,
    }


def _article_identity(article: Article | ArticleSummary) -> dict[str, Any]:
    """The fields every article shape starts with."""
    return {
        "id": article.id,
        "feed_url": article.feed_url,
        "feed_title": article.feed_title,
        "guid": article.guid,
        "title": article.title,
        "link": article.link,
    }


def article_json(article: Article) -> dict[str, Any]:
    return {
        **_article_identity(article),
        "authors": [{"name": a.name, "email": a.email, "url": a.url} for a in article.authors],
        "published": iso(article.published),
        "updated": iso(article.updated),
        "summary": article.summary,
        "content_html": article.content_html,
        "text": article.text,
        "enclosures": [
            {"url": e.url, "type": e.type, "length": e.length} for e in article.enclosures
        ],
        "categories": list(article.categories),
        "read": article.read,
        "bookmarked": article.bookmarked,
    }


def summary_json(article: ArticleSummary) -> dict[str, Any]:
    return {
        **_article_identity(article),
        "author": article.author,
        "published": iso(article.published),
        "read": article.read,
        "bookmarked": article.bookmarked,
    }


def feed_result_json(result: FeedResult) -> dict[str, Any]:
    return {
        "url": result.url,
        "title": result.title,
        "new": result.new,
        "updated": result.updated,
        "not_modified": result.not_modified,
        "error": result.error,
        "whole_stories": result.whole_stories,
    }


def refresh_json(summary: RefreshSummary) -> dict[str, Any]:
    return {
        "new": summary.new,
        "errors": len(summary.errors),
        "expired": summary.expired,
        "feeds": [feed_result_json(r) for r in summary.results],
    }


def related_json(item: RelatedItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "guid": item.guid,
        "title": item.title,
        "feed_url": item.feed_url,
        "feed_title": item.feed_title,
        "link": item.link,
        "score": round(item.score, 6),
        "excerpt": item.excerpt,
    }


def bookmark_json(bookmark: Bookmark) -> dict[str, Any]:
    return {
        "id": bookmark.id,
        "title": bookmark.title,
        "link": bookmark.link,
        "feed_title": bookmark.feed_title,
        "feed_url": bookmark.feed_url,
        "guid": bookmark.guid,
        "author": bookmark.author,
        "published": iso(bookmark.published),
        "summary": bookmark.summary,
        "bookmarked_at": iso(bookmark.bookmarked_at),
        "note": bookmark.note,
        "tags": list(bookmark.tags),
        "article_id": bookmark.article_id,
    }
