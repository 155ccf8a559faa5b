"""``bookmark``, ``unbookmark``, ``bookmarks`` (list, ``export``, ``import``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui_reader.cli import Context, emit_json
from tui_reader.core.exports import FORMATS, GROUPS, BookmarkFileError
from tui_reader.core.models import Bookmark
from tui_reader.core.serialize import bookmark_json

SUFFIX_FORMATS = {
    ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json",
    ".csv": "csv", ".atom": "atom", ".xml": "atom",
}


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "bookmark", parents=[common], help="bookmark an article",
        description="Bookmark an article (its id as `storyreader articles` shows it). The "
        "bookmark keeps its own copy of the story, so it outlives the feed. Bookmarking "
        "again adds the tags and replaces the note.",
    )
    p.add_argument("id", type=int, metavar="ID", help="article id")
    p.add_argument("--note", help="a note to keep with the bookmark")
    p.add_argument("--tag", action="append", default=[], metavar="TAG",
                   help="tag the bookmark; repeatable (commas separate tags too)")
    p.add_argument("--json", action="store_true", help="print the bookmark as JSON")
    p.set_defaults(handler=bookmark)

    p = subparsers.add_parser("unbookmark", parents=[common], help="remove a bookmark")
    p.add_argument("id", type=int, metavar="ID", help="article id")
    p.add_argument("--bookmark-id", action="store_true",
                   help="ID is a bookmark id (as `storyreader bookmarks` lists), not an "
                   "article id; for bookmarks whose article is gone")
    p.set_defaults(handler=unbookmark)

    p = subparsers.add_parser(
        "bookmarks", parents=[common], help="list, export or import bookmarks",
        description="List bookmarks, newest first. `bookmarks export` and `bookmarks "
        "import` move them to and from other tools.",
    )
    p.add_argument("--tag", help="only bookmarks with this tag")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=list_bookmarks)
    actions = p.add_subparsers(dest="bookmarks_command", metavar="ACTION")

    e = actions.add_parser(
        "export", parents=[common], help="write bookmarks to a file or stdout",
        description="Write bookmarks as Netscape bookmark HTML (browsers, Pocket- and "
        "Raindrop-style services import it), Markdown, JSON (every field), CSV or an Atom "
        "feed. The file is replaced in one step: a failed export leaves the old one intact.",
    )
    e.add_argument("--format", choices=FORMATS,
                   help="file format (default: from the -o file's extension)")
    e.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help="write here (default: stdout)")
    e.add_argument("--group", choices=GROUPS, default="tag",
                   help="Markdown: a section per tag or per feed (default: tag)")
    e.add_argument("--tag", dest="export_tag", metavar="TAG",
                   help="only bookmarks with this tag")
    e.set_defaults(handler=export)

    i = actions.add_parser(
        "import", parents=[common], help="import a browser's bookmark HTML or a JSON export",
        description="Import Netscape bookmark HTML (Firefox, Chrome and most services "
        "export it; folders become tags) or a storyreader JSON export. A link already "
        "bookmarked is merged, not added twice.",
    )
    i.add_argument("file", type=Path, metavar="FILE")
    i.set_defaults(handler=import_file)


def _line(item: Bookmark) -> str:
    date = item.bookmarked_at.strftime("%Y-%m-%d") if item.bookmarked_at else "          "
    tags = f"  [{', '.join(item.tags)}]" if item.tags else ""
    feed = f"  ({item.feed_title})" if item.feed_title else ""
    return f"{item.id:>6}  {date}  {item.title or item.link}{tags}{feed}"


def bookmark(ctx: Context) -> int:
    args = ctx.args
    item = ctx.library.bookmarks.add(args.id, note=args.note, tags=args.tag)
    if args.json:
        emit_json(bookmark_json(item))
    else:
        print(f"Bookmarked: {item.title or item.link}")
    return 0


def unbookmark(ctx: Context) -> int:
    args = ctx.args
    service = ctx.library.bookmarks
    if args.bookmark_id:
        removed: Bookmark | None = service.delete(args.id)
    else:
        removed = service.remove_article(args.id)
    if removed is None:
        print(f"Article {args.id} was not bookmarked")
    else:
        print(f"Removed bookmark: {removed.title or removed.link}")
    return 0


def list_bookmarks(ctx: Context) -> int:
    items = ctx.library.bookmarks.list(ctx.args.tag)
    if ctx.args.json:
        emit_json([bookmark_json(item) for item in items])
        return 0
    for item in items:
        print(_line(item))
        if item.link:
            print(f"{'':>20}{item.link}")
    return 0


def export(ctx: Context) -> int:
    args = ctx.args
    fmt = args.format
    if fmt is None:
        fmt = SUFFIX_FORMATS.get(args.output.suffix.lower()) if args.output else None
        if fmt is None:
            raise BookmarkFileError(f"choose a format with --format ({', '.join(FORMATS)})")
    service = ctx.library.bookmarks
    if args.output:
        count = service.export_to(args.output, fmt, group=args.group, tag=args.export_tag)
        print(f"Exported {count} bookmarks to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(service.export(fmt, group=args.group, tag=args.export_tag))
    return 0


def import_file(ctx: Context) -> int:
    result = ctx.library.bookmarks.import_file(ctx.args.file)
    skipped = f", {result.skipped} skipped (not web links)" if result.skipped else ""
    print(f"Imported {result.total} bookmarks from {ctx.args.file}: "
          f"{result.added} new, {result.merged} merged{skipped}")
    return 0
