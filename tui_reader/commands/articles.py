"""``articles``, ``show``, ``read``, ``unread``, ``expire``: cached articles, read state and
expiry."""

from __future__ import annotations

import argparse
import sys

from tui_reader.cli import Context, emit_json, emit_json_list
from tui_reader.core.excerpt import looks_like_excerpt
from tui_reader.core.models import ArticleSummary
from tui_reader.core.serialize import article_json


def positive_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def days(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("articles", parents=[common], help="list cached articles")
    p.add_argument("--feed", metavar="URL", help="only this feed")
    p.add_argument("--tag", help="only feeds with this tag")
    p.add_argument("--unread", action="store_true", help="only unread articles")
    p.add_argument("--bookmarked", action="store_true", help="only bookmarked articles")
    p.add_argument("--limit", type=positive_int, metavar="N", help="at most N (newest first)")
    p.add_argument("--json", action="store_true", help="print a JSON list of full articles")
    p.set_defaults(handler=list_articles)

    p = subparsers.add_parser("show", parents=[common], help="print one article")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=show)

    p = subparsers.add_parser(
        "expire", parents=[common], help="delete old read stories from the cache",
        description="Delete the read stories dated more than DAYS days ago (with --unread, "
        "the unread ones too). Bookmarked stories stay, and a deleted story that is still "
        "in its feed is not fetched again as a new one.",
    )
    p.add_argument("days", type=days, metavar="DAYS")
    p.add_argument("--unread", action="store_true", help="delete old unread stories too")
    p.add_argument("--json", action="store_true", help='print {"expired": N}')
    p.set_defaults(handler=expire)

    for name, read in (("read", True), ("unread", False)):
        p = subparsers.add_parser(name, parents=[common], help=f"mark articles {name}")
        p.add_argument("ids", type=int, nargs="+", metavar="ID")
        p.set_defaults(handler=mark, read=read)

    p = subparsers.add_parser(
        "fetch-story", parents=[common], help="fetch an article's whole story from its web page",
        description="Fetch the article's web page, keep the story found there in place of "
        "the feed's excerpt, and print the article as show does.",
    )
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--json", action="store_true", help="print the article as show --json")
    p.set_defaults(handler=fetch_story)


def list_articles(ctx: Context) -> int:
    args = ctx.args
    which = {"feed_url": args.feed, "tag": args.tag, "unread": args.unread,
             "bookmarked": args.bookmarked, "limit": args.limit}
    if args.json:
        emit_json_list(article_json(article) for article in ctx.library.full_articles(**which))
        return 0
    for row in ctx.library.articles(**which):
        print(article_line(row))
    return 0


def article_line(row: ArticleSummary) -> str:
    """One article as a line of the listing: id, unread (N) and bookmark (*) marks, date."""
    date = row.published.strftime("%Y-%m-%d") if row.published else " " * 10
    flags = ("N" if not row.read else " ") + ("*" if row.bookmarked else " ")
    return f"{row.id:>7} {flags} {date}  {row.title}  ({row.feed_title})"


def show(ctx: Context) -> int:
    article = ctx.library.article(ctx.args.id)
    if ctx.args.json:
        emit_json(article_json(article))
        return 0
    print(article.title)
    meta = [article.feed_title, article.author,
            article.published.isoformat() if article.published else ""]
    print(" · ".join(part for part in meta if part))
    if article.link:
        print(article.link)
    print()
    print(article.text)
    if sys.stderr.isatty() and looks_like_excerpt(article):
        sys.stderr.write(f"(only an excerpt? storyreader fetch-story {article.id} fetches "
                         "the whole story from its web page)\n")
    return 0


def mark(ctx: Context) -> int:
    for article_id in ctx.args.ids:
        ctx.library.article(article_id, rendered=False)  # unknown ids are an error
    ctx.library.set_read(ctx.args.ids, ctx.args.read)
    return 0


def expire(ctx: Context) -> int:
    count = ctx.library.expire(ctx.args.days, unread=ctx.args.unread)
    if ctx.args.json:
        emit_json({"expired": count})
    else:
        print(f"Deleted {count} {'story' if count == 1 else 'stories'} older than "
              f"{ctx.args.days} days")
    return 0


def fetch_story(ctx: Context) -> int:
    """Fetch the whole story into the article, then print it as ``show`` does."""
    ctx.library.fetch_full_story(ctx.args.id)
    return show(ctx)
