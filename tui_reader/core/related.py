"""Related posts (placeholder until the real engine lands): shared title words via FTS5."""

from __future__ import annotations

import re

from tui_reader.core.models import RelatedItem
from tui_reader.core.storage import Storage
from tui_reader.core.storage import articles as article_sql

_WORD = re.compile(r"\w{4,}")


class RelatedEngine:
    """Given an article, the cached articles most like it, best first."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def related(self, article_id: int, limit: int = 6) -> list[RelatedItem]:
        article = article_sql.get_article(self.storage.conn, article_id)
        words = _WORD.findall(article.title.lower())
        if not words:
            return []
        rows = article_sql.fts_candidates(self.storage.conn, " OR ".join(words), limit * 3)
        items: list[RelatedItem] = []
        for row_id, score in rows:
            if row_id == article_id:
                continue
            other = article_sql.get_article(self.storage.conn, row_id)
            if other.link and other.link == article.link:
                continue
            excerpt = " ".join((other.summary or other.text).split()[:25])
            items.append(RelatedItem(other.id, other.guid, other.title, other.feed_url,
                                     other.feed_title, other.link, score, excerpt))
            if len(items) >= limit:
                break
        return items
