"""The update pipeline: fetch → parse → store, for many feeds at once.

Fetching is async (one shared HTTP client, bounded concurrency). Parsing is CPU work and
never runs on the event loop: it goes to a process pool when there are many feeds (so it
uses the other core and leaves the GIL to the UI) and to a thread otherwise. The worker
also computes the rows to store (hashes, JSON columns), so the process that writes does
little more than SQLite's own work. Parsed feeds are stored by a :class:`BatchWriter`: each
feed atomically, the feeds that are ready together in one transaction, as soon as the
previous one is committed; a cancelled or crashed refresh keeps everything committed before.

A feed that changed usually changed in one or two entries: the worker hashes each raw
entry (``sources.normalize.source_hash``) and leaves out, before normalizing it, every
entry stored from the same source before (their hashes are read only for feeds that
answered 200).

The parsers (fastfeedparser, feedparser, lxml, the sanitizer) are imported only where a
document is parsed: a refresh whose feeds all answer 304, or whose parsing happens in
worker processes, never loads them in the main process.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tui_reader.core import whole_stories
from tui_reader.core.batch_writer import BatchHook, BatchWriter, Stored
from tui_reader.core.errors import FeedParseError, FetchError
from tui_reader.core.fetch import DecodeError, Fetcher, FetchResult, decode_body
from tui_reader.core.filters import keep_unkilled
from tui_reader.core.models import (
    FeedResult,
    PageStory,
    ParsedEntry,
    ParsedFeed,
    RefreshSummary,
)
from tui_reader.core.parse_pool import make_executor
from tui_reader.core.related import DocTerms, doc_terms
from tui_reader.core.settings import RefreshSettings
from tui_reader.core.storage import Storage
from tui_reader.core.storage import articles as article_sql
from tui_reader.core.storage import feeds as feed_sql
from tui_reader.core.storage import filters as filter_sql
from tui_reader.core.storage.db import to_iso

if TYPE_CHECKING:
    from tui_reader.core.sources.normalize import SourceHashes

log = logging.getLogger(__name__)

GC_THRESHOLD_DURING_REFRESH = 50_000  # allocations between young collections (700 usually)

ProgressCallback = Callable[[FeedResult, int, int], None]


def source_url(source: str) -> str:
    """What to store for a user-given source: absolute paths for local files,
    ``https://`` added to a bare host name, URLs as they are."""
    if source.startswith(("http://", "https://", "file://")):
        return source
    path = Path(source).expanduser()
    if path.exists() or source.startswith((".", "/", "~")) or os.sep in source:
        return str(path.resolve())
    return "https://" + source


def parse_feed(
    data: bytes, url: str, content_type: str | None = None, sources: SourceHashes | None = None
) -> ParsedFeed:
    """:func:`tui_reader.core.sources.parse_feed`, imported on first use."""
    from tui_reader.core.sources import parse_feed as parse

    return parse(data, url, content_type, sources)


def parse_changed(
    data: bytes,
    url: str,
    content_type: str | None = None,
    unchanged: Mapping[str, str] | None = None,
) -> tuple[ParsedFeed, list[str]]:
    """:func:`parse_feed` without the entries whose source hash is in ``unchanged``
    (source hash -> stored guid), and the source hashes of the entries it returns."""
    from tui_reader.core.sources.normalize import SourceHashes

    state = SourceHashes(unchanged if unchanged is not None else {})
    parsed = parse_feed(data, url, content_type, state)
    if len(state.hashes) != len(parsed.entries):  # not from one normalize_feed: no hashes
        return parsed, [""] * len(parsed.entries)
    return parsed, state.hashes


Prepared = tuple[list[article_sql.EntryRow], list[DocTerms]]  # rows to store, index terms


def prepare_entries(
    entries: Sequence[ParsedEntry], source_hashes: Sequence[str] | None = None
) -> Prepared:
    """What storing ``entries`` writes: their rows (with the entries' ``source_hashes``
    when known) and their related-index terms."""
    if source_hashes is None:
        rows = [article_sql.entry_row(entry) for entry in entries]
    else:
        rows = list(map(article_sql.entry_row, entries, source_hashes))
    terms = [doc_terms(e.title, e.summary, e.text, e.categories) for e in entries]
    return rows, terms


def prepare_unkilled(
    rule_texts: Sequence[str], entries: Sequence[ParsedEntry], source_hashes: Sequence[str]
) -> Prepared:
    """:func:`prepare_entries` for the entries no killfile rule of ``rule_texts`` drops
    (``source_hashes``: one per entry)."""
    kept = keep_unkilled(rule_texts, entries)
    if len(kept) != len(entries):
        by_entry = {id(entry): source for entry, source in zip(entries, source_hashes,
                                                                strict=True)}
        source_hashes = [by_entry[id(entry)] for entry in kept]  # kept: the same objects
    return prepare_entries(kept, source_hashes)


def _parse_in_worker(
    content: bytes,
    content_encoding: str | None,
    max_bytes: int,
    url: str,
    content_type: str | None,
    rule_texts: tuple[str, ...] = (),
    unchanged: Mapping[str, str] | None = None,
) -> tuple[ParsedFeed, Prepared]:
    """The parsed feed (without its entries) and what storing its entries writes: the
    entries stored unchanged before (``unchanged``: source hash -> guid) left out
    unnormalized, the killfile applied, rows and index terms computed, so the storing
    process only writes. Entries do not travel back: only plain tuples (cheap to pickle).

    ``content`` arrives as it came over the wire (gzip, usually): decoding it here keeps
    that work and two thirds of the bytes off the process that fetches and stores.
    Raises :class:`DecodeError` or :class:`FeedParseError` with the message to record.
    """
    data = decode_body(content, content_encoding, max_bytes)
    try:
        parsed, source_hashes = parse_changed(data, url, content_type, unchanged)
    except FeedParseError as exc:
        raise FeedParseError(_not_a_feed_message(data, content_type, exc)) from None
    prepared = prepare_unkilled(rule_texts, parsed.entries, source_hashes)
    return replace(parsed, entries=()), prepared


def _retry_after_active(value: str | None) -> bool:
    if not value:
        return False
    try:
        return datetime.fromisoformat(value) > datetime.now(UTC)
    except ValueError:
        return False


@contextlib.asynccontextmanager
async def _fewer_collections() -> AsyncIterator[None]:
    """Run the garbage collector less often while a refresh runs: storing allocates a
    tuple per field of every entry, which set off a collection every 700 of them, and a
    full one over the whole heap every so often (4% of the storing process's CPU)."""
    threshold = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD_DURING_REFRESH, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


class Refresher:
    """Refreshes feeds of one :class:`Storage`; ``on_stored`` hooks run inside the storing
    transaction with the new and updated article ids (index upkeep)."""

    def __init__(
        self,
        storage: Storage,
        settings: RefreshSettings,
        on_stored: list[BatchHook] | None = None,
    ) -> None:
        self.storage = storage
        self.settings = settings
        self.on_stored = on_stored if on_stored is not None else []

    def fetcher(self, decode: bool = True) -> Fetcher:
        """A fetcher with this refresher's limits (use as ``async with``)."""
        return Fetcher(
            concurrency=self.settings.concurrency,
            per_host=self.settings.per_host,
            timeout=self.settings.timeout,
            max_bytes=self.settings.max_bytes,
            decode=decode,
        )

    async def refresh(
        self,
        urls: list[str] | None = None,
        *,
        on_result: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> RefreshSummary:
        """Refresh the named feeds (all when None). Dead (410) feeds and feeds inside a
        server's Retry-After window are skipped unless named explicitly."""
        states = feed_sql.fetch_states(self.storage.conn, urls)
        if urls is None:
            states = [s for s in states if not s.gone and not _retry_after_active(s.retry_after)]
        total = len(states)
        results: list[FeedResult] = []
        if not states:
            return RefreshSummary(())
        loop = asyncio.get_running_loop()
        executor = make_executor(total)
        try:
            async with (
                _fewer_collections(),
                self.fetcher(decode=False) as fetcher,
                BatchWriter(self.storage, [_index_text, *self.on_stored],
                            expected_jobs=total) as writer,
            ):
                tasks = [
                    asyncio.create_task(self._refresh_one(fetcher, executor, writer, loop, s))
                    for s in states
                ]
                watcher = asyncio.create_task(self._watch_cancel(cancel, tasks))
                try:
                    for next_done in asyncio.as_completed(tasks):
                        try:
                            result = await next_done
                        except asyncio.CancelledError:
                            continue
                        results.append(result)
                        if on_result is not None:
                            on_result(result, len(results), total)
                finally:
                    watcher.cancel()
                    for task in tasks:
                        task.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            executor.shutdown(wait=False, cancel_futures=True)
        return RefreshSummary(tuple(results))

    @staticmethod
    async def _watch_cancel(cancel: threading.Event | None, tasks: list[asyncio.Task]) -> None:
        if cancel is None:
            return
        while not cancel.is_set():
            await asyncio.sleep(0.05)
        for task in tasks:
            task.cancel()

    async def _refresh_one(
        self,
        fetcher: Fetcher,
        executor: Executor,
        writer: BatchWriter,
        loop: asyncio.AbstractEventLoop,
        state: feed_sql.FeedFetchState,
    ) -> FeedResult:
        fetched = await fetcher.fetch(state.url, state.etag, state.last_modified)
        if fetched.error:
            error = fetched.error

            def record_fetch_error(conn: sqlite3.Connection, _: Stored) -> FeedResult:
                feed_sql.record_error(conn, state.id, error, gone=fetched.gone,
                                      retry_after=to_iso(fetched.retry_after))
                return FeedResult(state.url, error=error)

            return await writer.submit(record_fetch_error)
        if fetched.not_modified or fetched.content is None:

            def record_not_modified(conn: sqlite3.Connection, _: Stored) -> FeedResult:
                feed_sql.record_success(
                    conn, state.id, etag=fetched.etag or state.etag,
                    last_modified=fetched.last_modified or state.last_modified,
                )
                return FeedResult(state.url, not_modified=True)

            return await writer.submit(record_not_modified)
        # Read on this thread's own connection (the writer has another, on its thread).
        rules = tuple(filter_sql.rules_for_feed(self.storage.conn, state.id))
        unchanged = article_sql.stored_sources(self.storage.conn, state.id)
        try:
            parsed, prepared = await loop.run_in_executor(
                executor, _parse_in_worker, fetched.content, fetched.content_encoding,
                self.settings.max_bytes, fetched.final_url, fetched.content_type, rules,
                unchanged,
            )
        except (DecodeError, FeedParseError) as exc:
            message = str(exc)
        except Exception as exc:  # a crashed worker process, a parser bug
            message = f"could not parse: {type(exc).__name__}: {exc}".splitlines()[0]
        else:

            excerpts: list[tuple[int, str, int]] = []  # new stories to fetch whole

            def store(conn: sqlite3.Connection, stored: Stored) -> FeedResult:
                url = state.url
                if not feed_sql.is_subscribed(conn, state.id):
                    return FeedResult(url)  # unsubscribed (by another process) meanwhile
                if fetched.permanent_redirect and feed_sql.move_feed(
                    conn, state.id, fetched.permanent_redirect
                ):
                    url = fetched.permanent_redirect
                self._store(conn, state.id, parsed, fetched, prepared, stored,
                            index_text=False)  # the batch indexes it: _index_text
                if state.whole_stories and stored.new:
                    newest = stored.new[: whole_stories.MAX_PER_REFRESH]
                    excerpts.extend(article_sql.story_links(conn, newest))
                return FeedResult(url, new=len(stored.new), updated=len(stored.updated),
                                  title=parsed.title)

            result = await writer.submit(store, size=len(prepared[0]))
            if excerpts:
                whole = await self._fetch_whole(fetcher, executor, writer, loop, state.url,
                                                excerpts)
                result = replace(result, whole_stories=whole)
            return result

        def record_parse_error(conn: sqlite3.Connection, _: Stored) -> FeedResult:
            feed_sql.record_error(conn, state.id, message)
            return FeedResult(state.url, error=message)

        return await writer.submit(record_parse_error)

    async def _fetch_whole(
        self,
        fetcher: Fetcher,
        executor: Executor,
        writer: BatchWriter,
        loop: asyncio.AbstractEventLoop,
        feed_url: str,
        excerpts: list[tuple[int, str, int]],
    ) -> int:
        """Fetch a refresh's new stories of a feed of excerpts whole, reading the pages in
        the parse pool, and store them in the refresh's batches; returns how many."""

        def in_pool(*args: object) -> Awaitable[PageStory]:
            return loop.run_in_executor(executor, whole_stories.story_in_worker, *args)

        stories = await whole_stories.read_pages(
            fetcher, in_pool, feed_url, excerpts, self.settings.max_bytes)
        if not stories:
            return 0

        def store_whole(conn: sqlite3.Connection, stored: Stored) -> int:
            kept = article_sql.set_stories(conn, stories)
            stored.updated.extend(kept)  # the related index reads them again
            return len(kept)

        return await writer.submit(store_whole, size=len(stories))

    async def fetch_whole(self, ids: Sequence[int], feed_url: str) -> int:
        """Fetch these stories of a feed whole from their web pages now (a feed just set
        to whole stories); returns how many were stored."""
        excerpts = article_sql.story_links(self.storage.conn, ids)
        if not excerpts:
            return 0

        def in_thread(*args: object) -> Awaitable[PageStory]:
            return asyncio.to_thread(whole_stories.story_in_worker, *args)

        async with self.fetcher(decode=False) as fetcher:
            stories = await whole_stories.read_pages(
                fetcher, in_thread, feed_url, excerpts, self.settings.max_bytes)
        with self.storage.transaction() as conn:
            kept = article_sql.set_stories(conn, stories)
            for hook in self.on_stored:  # related posts, as a refresh's update
                hook(conn, [], kept, {})
        return len(kept)

    def _store(
        self,
        conn: sqlite3.Connection,
        fid: int,
        parsed: ParsedFeed,
        fetched: FetchResult,
        prepared: Prepared,
        stored: Stored | None = None,
        *,
        index_text: bool = True,
    ) -> Stored:
        """Store a feed's ``prepared`` entries and its fetch state; returns what it stored,
        in ``stored`` if given.
        ``index_text``: see :func:`~tui_reader.core.storage.articles.store_rows`."""
        rows, terms = prepared
        new, updated = article_sql.store_rows(conn, fid, rows, index_text=index_text)
        feed_sql.record_success(
            conn,
            fid,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            title=parsed.title,
            site_url=parsed.site_url,
            description=parsed.description,
            kind=parsed.kind,
        )
        stored = stored if stored is not None else Stored()
        stored.new = [aid for aid, _ in new]
        stored.updated = [aid for aid, _ in updated]
        stored.terms = {aid: terms[index] for aid, index in (*new, *updated)}
        return stored

    async def add(
        self, source: str, *, title: str | None = None, tags: tuple[str, ...] = ()
    ) -> tuple[str, FeedResult]:
        """Subscribe to a feed URL, a site's home page (its feed is discovered) or a local
        file, and store its entries. Raises :class:`FetchError` or :class:`FeedParseError`
        (nothing is stored then)."""
        url = source_url(source)
        async with self.fetcher() as fetcher:
            fetched = await fetcher.fetch(url)
            if fetched.error:
                raise FetchError(f"{url}: {fetched.error}")
            try:
                parsed, source_hashes = await asyncio.to_thread(
                    parse_changed, fetched.content or b"", fetched.final_url,
                    fetched.content_type,
                )
                feed_url = fetched.permanent_redirect or url
            except FeedParseError as exc:
                from tui_reader.core.sources.discovery import looks_like_html

                if not looks_like_html(fetched.content or b"", fetched.content_type):
                    raise FeedParseError(f"{url} is not a feed: {exc}") from None
                feed_url, fetched, (parsed, source_hashes) = await self._discover(
                    fetcher, url, fetched
                )
        with self.storage.transaction() as conn:
            fid = feed_sql.insert_feed(conn, feed_url, title=parsed.title, user_title=title)
            if tags:
                feed_sql.add_tags(conn, feed_url, tags)
            rules = filter_sql.rules_for_feed(conn, fid)
            prepared = prepare_unkilled(rules, parsed.entries, source_hashes)
            stored = self._store(conn, fid, parsed, fetched, prepared)
            for hook in self.on_stored:
                hook(conn, stored.new, stored.updated, stored.terms)
        return feed_url, FeedResult(feed_url, new=len(stored.new), updated=len(stored.updated),
                                    title=title or parsed.title)

    async def _discover(
        self, fetcher: Fetcher, url: str, page: FetchResult
    ) -> tuple[str, FetchResult, tuple[ParsedFeed, list[str]]]:
        from tui_reader.core.sources.discovery import find_feed_links

        links = find_feed_links(page.content or b"", page.final_url)
        if not links:
            raise FeedParseError(f"{url} is a web page that links to no feed")
        problems: list[str] = []
        for link in links:
            fetched = await fetcher.fetch(link)
            if fetched.error:
                problems.append(f"{link}: {fetched.error}")
                continue
            try:
                parsed = await asyncio.to_thread(
                    parse_changed, fetched.content or b"", fetched.final_url,
                    fetched.content_type,
                )
            except FeedParseError as exc:
                problems.append(f"{link}: {exc}")
                continue
            return fetched.permanent_redirect or link, fetched, parsed
        raise FeedParseError(f"{url}: no usable feed found ({'; '.join(problems)})")


def _index_text(
    conn: sqlite3.Connection, new: Sequence[int], updated: Sequence[int], terms: object
) -> None:
    """Batch hook: a batch's new articles enter the full-text index together."""
    article_sql.index_text_of(conn, new)


def _not_a_feed_message(content: bytes, content_type: str | None, exc: FeedParseError) -> str:
    from tui_reader.core.sources.discovery import looks_like_html

    if looks_like_html(content, content_type):
        return "not a feed: the server sent a web page"
    return f"not a feed: {exc}"
