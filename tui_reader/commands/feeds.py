"""``add``, ``remove``, ``feeds``, ``refresh``, ``tag``, ``whole-stories``: subscriptions
and fetching."""

from __future__ import annotations

import argparse
import sys

from tui_reader.cli import Context, emit_json
from tui_reader.core import paths
from tui_reader.core.models import FeedResult
from tui_reader.core.serialize import feed_json, feed_result_json, refresh_json
from tui_reader.core.storage.feeds import count_feeds_in


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "add", parents=[common], help="subscribe to a feed URL, a website (its feed is "
        "discovered) or a local file",
        description="Subscribe to a feed and fetch it now. A website's home page works too: "
        "its <link rel=alternate> feed is found.",
    )
    p.add_argument("source", metavar="URL_OR_PATH")
    p.add_argument("--title", help="show the feed under this title")
    p.add_argument("--tag", action="append", default=[], help="tag (folder); repeatable")
    p.add_argument("--whole-stories", action="store_true",
                   help="for a feed of excerpts: fetch its stories whole from their web "
                   "pages, now and at every refresh")
    p.add_argument("--json", action="store_true", help="print the feed as JSON")
    p.set_defaults(handler=add)

    p = subparsers.add_parser("remove", parents=[common], help="unsubscribe from a feed",
                              description="Unsubscribe; its cached articles go, bookmarks stay.")
    p.add_argument("url", metavar="URL")
    p.set_defaults(handler=remove)

    p = subparsers.add_parser("feeds", parents=[common], help="list subscriptions")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=list_feeds)

    p = subparsers.add_parser(
        "refresh", parents=[common], help="fetch new articles",
        description="Fetch the named feeds (all when none is named). Per-feed errors are "
        "reported and stored on the feed; the exit code is 0 unless the command itself fails.",
    )
    p.add_argument("urls", nargs="*", metavar="URL")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(handler=refresh)

    p = subparsers.add_parser("tag", parents=[common], help="add tags (folders) to a feed")
    p.add_argument("url", metavar="URL")
    p.add_argument("tags", nargs="+", metavar="TAG")
    p.add_argument("--remove", action="store_true", help="remove these tags instead")
    p.set_defaults(handler=tag)

    p = subparsers.add_parser(
        "whole-stories", parents=[common],
        help="fetch a feed's new stories whole from their web pages at every refresh",
        description="For a feed that carries only excerpts: its newest excerpts are fetched "
        "whole from their web pages now, and each new story at every refresh, as "
        "fetch-story does for one. With --off, new stories stay as the feed gives them.",
    )
    p.add_argument("url", metavar="URL")
    p.add_argument("--off", action="store_true", help="switch it off")
    p.add_argument("--json", action="store_true", help="print the feed as JSON")
    p.set_defaults(handler=whole_stories)


def _many_feeds(ctx: Context, urls: list[str]) -> bool:
    """Whether this refresh will parse in worker processes (enough feeds)."""
    from tui_reader.core.parse_pool import PROCESS_POOL_THRESHOLD

    if urls:
        return len(urls) >= PROCESS_POOL_THRESHOLD
    library = paths.database_path(paths.data_dir(ctx.data_dir))
    return count_feeds_in(library) >= PROCESS_POOL_THRESHOLD


def add(ctx: Context) -> int:
    args = ctx.args
    library = ctx.library
    feed, result = library.add_feed(args.source, title=args.title, tags=tuple(args.tag))
    fetched = 0
    if args.whole_stories:
        library.set_whole_stories(feed.url, True)
        fetched = library.fetch_whole_stories(feed.url)
        feed = library.feed(feed.url)
    if args.json:
        emit_json({**feed_json(feed), "new": result.new, "fetched_whole": fetched})
    else:
        whole = f", {fetched} fetched whole" if args.whole_stories else ""
        print(f"Added {feed.title} ({feed.url}): {result.new} articles{whole}")
    return 0


def remove(ctx: Context) -> int:
    ctx.library.remove_feed(ctx.args.url)
    print(f"Removed {ctx.args.url}")
    return 0


def list_feeds(ctx: Context) -> int:
    feeds = ctx.library.feeds()
    if ctx.args.json:
        emit_json([feed_json(feed) for feed in feeds])
        return 0
    for feed in feeds:
        mark = " !" if feed.last_error else ""
        tags = f"  [{', '.join(feed.tags)}]" if feed.tags else ""
        whole = "  (whole stories)" if feed.whole_stories else ""
        print(f"{feed.unread:>5}/{feed.total:<5} {feed.title}{tags}{whole}{mark}")
        print(f"              {feed.url}")
        if feed.last_error:
            print(f"              error: {feed.last_error}")
    return 0


def refresh(ctx: Context) -> int:
    args = ctx.args
    if _many_feeds(ctx, args.urls):
        from tui_reader.core.parse_pool import prestart

        prestart()  # the parse workers get ready while the library opens
    show_progress = sys.stderr.isatty() and not args.json

    def progress(result: FeedResult, done: int, total: int) -> None:
        if show_progress:
            label = (result.title or result.url)[:50]
            sys.stderr.write(f"\r\x1b[K[{done}/{total}] {label}")
            sys.stderr.flush()

    summary = ctx.library.refresh(args.urls or None, on_result=progress)
    if show_progress:
        sys.stderr.write("\r\x1b[K")
    if args.json:
        emit_json(refresh_json(summary))
        return 0
    for result in summary.results:
        line = feed_result_json(result)
        if result.error:
            print(f"error  {line['url']}: {result.error}")
        elif result.new or result.updated:
            whole = f"  ({result.whole_stories} fetched whole)" if result.whole_stories else ""
            print(f"{result.new:>5} new {result.updated:>3} updated  "
                  f"{result.title or result.url}{whole}")
    n = summary.expired
    expired = f", {n} old read {'story' if n == 1 else 'stories'} expired" if n else ""
    print(f"{summary.new} new articles from {len(summary.results)} feeds, "
          f"{len(summary.errors)} errors{expired}")
    return 0


def tag(ctx: Context) -> int:
    args = ctx.args
    library = ctx.library
    if args.remove:
        current = library.feed(args.url).tags
        library.set_feed_tags(args.url, [t for t in current if t not in args.tags])
    else:
        library.add_feed_tags(args.url, args.tags)
    print(", ".join(library.feed(args.url).tags) or "(no tags)")
    return 0


def whole_stories(ctx: Context) -> int:
    args = ctx.args
    library = ctx.library
    library.set_whole_stories(args.url, not args.off)  # NotFoundError: one line
    fetched = 0 if args.off else library.fetch_whole_stories(args.url)
    feed = library.feed(args.url)
    if args.json:
        emit_json({**feed_json(feed), "fetched_whole": fetched})
    else:
        print(f"{feed.title}: whole stories {'on' if feed.whole_stories else 'off'}"
              + (f", {_stories(fetched)} fetched whole now" if fetched else ""))
    return 0


def _stories(count: int) -> str:
    return f"{count} {'story' if count == 1 else 'stories'}"
