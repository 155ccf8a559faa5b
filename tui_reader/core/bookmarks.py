"""Bookmarks: the user's own data, kept apart from the feed cache (``Library.bookmarks``).

A bookmark is a snapshot of the story (title, link, feed, author, date, summary) taken when
it is bookmarked, plus the user's note and tags, so it survives the article expiring, the
feed being removed and ``library.sqlite3`` being deleted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from tui_reader.core import exports
from tui_reader.core.atomic import write_text_atomic
from tui_reader.core.models import Article, Bookmark
from tui_reader.core.storage import Storage
from tui_reader.core.storage import articles as article_sql
from tui_reader.core.storage import bookmarks as bookmark_sql
from tui_reader.core.storage.bookmarks import BookmarkFields

SUMMARY_CHARS = 500


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did."""

    added: int = 0
    merged: int = 0
    skipped: int = 0  # entries that were not web links (bookmarklets, place: URIs...)

    @property
    def total(self) -> int:
        return self.added + self.merged


def _excerpt(article: Article) -> str:
    """The article's summary, or the start of its text when it has none."""
    if article.summary:
        return article.summary
    text = re.sub(r"\s+", " ", article.text).strip()
    if len(text) <= SUMMARY_CHARS:
        return text
    cut = text[:SUMMARY_CHARS].rsplit(" ", 1)[0]
    return cut + "…"


def _fields(bookmark: Bookmark) -> BookmarkFields:
    return BookmarkFields(
        title=bookmark.title,
        link=bookmark.link,
        feed_title=bookmark.feed_title,
        feed_url=bookmark.feed_url,
        guid=bookmark.guid,
        author=bookmark.author,
        published=bookmark.published,
        summary=bookmark.summary,
        bookmarked_at=bookmark.bookmarked_at,
        note=bookmark.note,
        tags=bookmark.tags,
    )


def _merge_notes(old: str, new: str) -> str:
    if not new or new in old:
        return old
    if not old or old in new:
        return new
    return f"{old}\n\n{new}"


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a and b:
        return min(a, b)
    return a or b


def merge(old: Bookmark, new: Bookmark) -> BookmarkFields:
    """One bookmark from two of the same story: nothing the user wrote is lost.

    Snapshot fields keep the stored value and fill gaps from ``new``; tags are joined,
    notes appended, and the earlier bookmarking time wins.
    """
    adopt_entry = not old.guid and bool(new.guid)
    return BookmarkFields(
        title=old.title or new.title,
        link=old.link or new.link,
        feed_title=old.feed_title or new.feed_title,
        feed_url=new.feed_url if adopt_entry else old.feed_url,
        guid=new.guid if adopt_entry else old.guid,
        author=old.author or new.author,
        published=old.published or new.published,
        summary=old.summary or new.summary,
        bookmarked_at=_earliest(old.bookmarked_at, new.bookmarked_at),
        note=_merge_notes(old.note, new.note),
        tags=exports.normalize_tags([*old.tags, *new.tags]),
    )


class BookmarkService:
    """Bookmark, list, edit, delete (with undo), export and import."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        # Bookmarks removed by toggling, so toggling back restores note and tags.
        self._removed: dict[tuple[str, str], Bookmark] = {}

    # -- reading ---------------------------------------------------------------------------
    def list(self, tag: str | None = None) -> list[Bookmark]:
        """Newest first; only those with ``tag`` when given."""
        return bookmark_sql.list_bookmarks(self.storage.conn, tag)

    def get(self, bookmark_id: int) -> Bookmark:
        """One bookmark; NotFoundError for an unknown id."""
        return bookmark_sql.get_bookmark(self.storage.conn, bookmark_id)

    def count(self) -> int:
        return bookmark_sql.count_bookmarks(self.storage.conn)

    def tags(self) -> list[str]:
        """Every tag in use on a bookmark, sorted."""
        return bookmark_sql.bookmark_tags(self.storage.conn)

    def for_article(self, article_id: int) -> Bookmark | None:
        """The bookmark of a cached article, if it has one."""
        article = article_sql.get_article(self.storage.conn, article_id)
        return bookmark_sql.find_by_entry(self.storage.conn, article.feed_url, article.guid)

    # -- bookmarking -----------------------------------------------------------------------
    def add(
        self, article_id: int, *, note: str | None = None, tags: Iterable[str] = ()
    ) -> Bookmark:
        """Bookmark a cached article (NotFoundError for an unknown id).

        Already bookmarked: the tags are added and the note, if given, replaces the old one.
        A bookmark of the same link without an article (an imported one) is taken over.
        """
        new_tags = exports.normalize_tags(tags)
        new_note = exports.clean_block(note) if note is not None else None
        with self.storage.transaction() as conn:
            article = article_sql.get_article(conn, article_id)
            existing = bookmark_sql.find_by_entry(conn, article.feed_url, article.guid)
            if existing is not None:
                bookmark_sql.update_bookmark(
                    conn, existing.id, note=new_note,
                    tags=exports.normalize_tags([*existing.tags, *new_tags]),
                )
                return bookmark_sql.get_bookmark(conn, existing.id)
            snapshot = self.snapshot(article, note=new_note or "", tags=new_tags)
            loose = bookmark_sql.find_by_link(conn, article.link, without_guid=True)
            if loose is not None:
                # The article's snapshot is fresher than an imported title and summary.
                fields = replace(
                    merge(loose, snapshot),
                    title=snapshot.title or loose.title,
                    feed_title=snapshot.feed_title,
                    author=snapshot.author,
                    published=snapshot.published,
                    summary=snapshot.summary or loose.summary,
                    note=new_note if new_note is not None else loose.note,
                )
                bookmark_sql.replace_bookmark(conn, loose.id, fields)
                return bookmark_sql.get_bookmark(conn, loose.id)
            new_id = bookmark_sql.insert_bookmark(conn, _fields(snapshot))
            return bookmark_sql.get_bookmark(conn, new_id)

    @staticmethod
    def snapshot(article: Article, *, note: str = "", tags: Sequence[str] = ()) -> Bookmark:
        """What a bookmark keeps of an article (not stored; id 0)."""
        return Bookmark(
            id=0,
            title=article.title,
            link=article.link,
            feed_title=article.feed_title,
            feed_url=article.feed_url,
            guid=article.guid,
            author=article.author,
            published=article.published,
            summary=_excerpt(article),
            note=note,
            tags=tuple(tags),
            article_id=article.id,
        )

    def remove_article(self, article_id: int) -> Bookmark | None:
        """Unbookmark a cached article; returns the removed bookmark (None if it had none)."""
        with self.storage.transaction() as conn:
            article = article_sql.get_article(conn, article_id)
            existing = bookmark_sql.find_by_entry(conn, article.feed_url, article.guid)
            if existing is None:
                return None
            bookmark_sql.delete_bookmark(conn, existing.id)
        self._removed[(existing.feed_url, existing.guid)] = existing
        return existing

    def toggle(self, article_id: int) -> tuple[bool, Bookmark]:
        """Bookmark or unbookmark; ``(True, bookmark)`` when it is now bookmarked.

        Toggling back a bookmark removed in this session restores its note and tags.
        """
        removed = self.remove_article(article_id)
        if removed is not None:
            return False, removed
        article = article_sql.get_article(self.storage.conn, article_id)
        previous = self._removed.pop((article.feed_url, article.guid), None)
        if previous is not None:
            return True, self.restore(previous)
        return True, self.add(article_id)

    # -- editing ---------------------------------------------------------------------------
    def edit(
        self, bookmark_id: int, *, note: str | None = None, tags: Iterable[str] | None = None
    ) -> Bookmark:
        """Change the note and/or the tags (None leaves one alone)."""
        with self.storage.transaction() as conn:
            bookmark_sql.update_bookmark(
                conn,
                bookmark_id,
                note=exports.clean_block(note) if note is not None else None,
                tags=exports.normalize_tags(tags) if tags is not None else None,
            )
            return bookmark_sql.get_bookmark(conn, bookmark_id)

    def delete(self, bookmark_id: int) -> Bookmark:
        """Delete one bookmark; returns it so :meth:`restore` can undo."""
        with self.storage.transaction() as conn:
            bookmark = bookmark_sql.get_bookmark(conn, bookmark_id)
            bookmark_sql.delete_bookmark(conn, bookmark_id)
        return bookmark

    def restore(self, bookmark: Bookmark) -> Bookmark:
        """Undo a delete: the same bookmark comes back (same id when it is still free).

        If the story was bookmarked again meanwhile, the two are merged.
        """
        with self.storage.transaction() as conn:
            existing = bookmark_sql.find_by_entry(conn, bookmark.feed_url, bookmark.guid)
            if existing is None and not bookmark.guid:
                existing = bookmark_sql.find_by_link(conn, bookmark.link)
            if existing is not None:
                bookmark_sql.replace_bookmark(conn, existing.id, merge(bookmark, existing))
                return bookmark_sql.get_bookmark(conn, existing.id)
            new_id = bookmark_sql.insert_bookmark(conn, _fields(bookmark), bookmark_id=bookmark.id)
            return bookmark_sql.get_bookmark(conn, new_id)

    # -- files -----------------------------------------------------------------------------
    def export(self, fmt: str, *, group: str = "tag", tag: str | None = None) -> str:
        """Every bookmark (or those with ``tag``) as one file's text."""
        if fmt not in exports.FORMATS:
            raise exports.BookmarkFileError(
                f"unknown export format {fmt!r} (choose from {', '.join(exports.FORMATS)})"
            )
        return exports.export_bookmarks(self.list(tag), fmt, group=group)

    def export_to(
        self, path: Path | str, fmt: str, *, group: str = "tag", tag: str | None = None
    ) -> int:
        """Write the export atomically (a failure leaves any old file as it was).

        Returns how many bookmarks were written.
        """
        bookmarks = self.list(tag)
        text = exports.export_bookmarks(bookmarks, fmt, group=group)
        write_text_atomic(Path(path).expanduser(), text)
        return len(bookmarks)

    def import_file(self, path: Path | str) -> ImportResult:
        """Import a Netscape bookmark HTML file or a JSON export; same links merge."""
        bookmarks, skipped = exports.read_bookmarks_file(Path(path).expanduser())
        result = self.import_bookmarks(bookmarks)
        return ImportResult(result.added, result.merged, skipped)

    def import_bookmarks(self, bookmarks: Iterable[Bookmark]) -> ImportResult:
        """Store parsed bookmarks in one transaction, merging those already known.

        A bookmark matches a stored one of the same story (feed and guid) or link.
        Ids from the file are kept where they are free, so a JSON round trip is exact.
        """
        added = merged = 0
        with self.storage.transaction() as conn:
            for bookmark in bookmarks:
                existing = bookmark_sql.find_by_entry(conn, bookmark.feed_url, bookmark.guid)
                if existing is None:
                    existing = bookmark_sql.find_by_link(conn, bookmark.link)
                if existing is None:
                    bookmark_sql.insert_bookmark(
                        conn, _fields(bookmark), bookmark_id=bookmark.id or None
                    )
                    added += 1
                else:
                    bookmark_sql.replace_bookmark(conn, existing.id, merge(existing, bookmark))
                    merged += 1
        return ImportResult(added, merged)
