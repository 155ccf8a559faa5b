"""``search``, ``searches`` and ``filter``: full-text search, saved searches, killfile rules."""

from __future__ import annotations

import argparse

from tui_reader.cli import Context, emit_json
from tui_reader.commands.articles import article_line
from tui_reader.core.errors import QueryError
from tui_reader.core.filters import FilterRule
from tui_reader.core.search import SavedSearch, SearchHit, parse_query
from tui_reader.core.serialize import summary_json

QUERY_HELP = """\
query syntax (words combine with AND):
  lighthouse keeper       both words (title, author, summary or body)
  "lighthouse keeper"     the phrase
  trooper*                a prefix
  -storm                  leave out stories with the word
  fog OR mist             either word
  title:fog author:ann body:fog   the word in that field
  feed:harbour            feed title or URL contains "harbour"
  tag:news                feeds with the tag (or a sub-folder news/...)
  is:unread is:read is:bookmarked
  after:2026-01-01 before:2026-02  dates in UTC (YYYY, YYYY-MM, YYYY-MM-DD, 7d, 2w)
  any filter can be negated: -tag:news -is:read
quote a query with -terms as one argument ('fog -storm'), or put -- before it:
  storyreader search 'keeper -storm'    storyreader search -- -storm
"""

RULE_HELP = """\
rule syntax: [title:|author:|text:|category:]PATTERN
  PATTERN is a case-insensitive substring, or /a regular expression/.
  Without a field the pattern is looked for in the title, author, text and categories.
  examples: sponsored   title:[ad]   author:/^press office$/   /crypto|nft/
Matching entries are dropped at refresh and never stored; stored stories stay.
"""


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "search", parents=[common], help="full-text search of the cached articles",
        description="Search every cached article, best match first.", epilog=QUERY_HELP,
        formatter_class=raw,
    )
    p.add_argument("query", nargs="+", metavar="QUERY", help="words and filters (see below)")
    p.add_argument("--limit", type=positive_int, default=50, metavar="N",
                   help="at most N results (default 50)")
    p.add_argument("--newest", action="store_true", help="newest first instead of best first")
    p.add_argument("--save", metavar="NAME",
                   help="save the query under NAME (a virtual feed in the reader)")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=search)

    p = subparsers.add_parser(
        "searches", parents=[common], help="list saved searches (or remove one)",
        description="Saved searches with their unread and total counts. "
        "'storyreader searches remove NAME' deletes one.", formatter_class=raw,
        epilog="save one with: storyreader search --save NAME QUERY",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=list_searches)
    actions = p.add_subparsers(dest="searches_action", metavar="ACTION",
                               parser_class=type(p))
    remove = actions.add_parser("remove", parents=[common], help="delete a saved search")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=remove_search)

    p = subparsers.add_parser(
        "filter", parents=[common], help="killfile rules: hide entries at refresh",
        description="Rules that drop matching entries when feeds are refreshed, for one feed "
        "or for every feed.", epilog=RULE_HELP, formatter_class=raw,
    )
    actions = p.add_subparsers(dest="filter_action", metavar="ACTION", required=True,
                               parser_class=type(p))
    add = actions.add_parser(
        "add", parents=[common], help="add a rule: filter add [URL] RULE",
        description="Add a rule for the feed at URL, or for every feed when no URL is given.",
        epilog=RULE_HELP, formatter_class=raw,
    )
    add.add_argument("args", nargs="+", metavar="[URL] RULE")
    add.add_argument("--json", action="store_true", help="print the new rule as JSON")
    add.set_defaults(handler=add_filter)
    listing = actions.add_parser("list", parents=[common], help="list the rules")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.set_defaults(handler=list_filters)
    remove = actions.add_parser("remove", parents=[common], help="remove a rule by id")
    remove.add_argument("id", type=int, metavar="ID")
    remove.set_defaults(handler=remove_filter)


def hit_json(hit: SearchHit) -> dict[str, object]:
    return {
        **summary_json(hit.article),
        "score": float(f"{hit.score:.6g}"),
        "snippet": hit.snippet,
    }


def saved_json(saved: SavedSearch) -> dict[str, object]:
    return {"name": saved.name, "query": saved.query, "unread": saved.unread,
            "total": saved.total}


def rule_json(rule: FilterRule) -> dict[str, object]:
    return {"id": rule.id, "feed_url": rule.feed_url, "rule": rule.rule}


def search(ctx: Context) -> int:
    args = ctx.args
    text = " ".join(args.query)
    if parse_query(text).is_empty:
        raise QueryError("nothing to search for: give words or filters such as tag:news")
    library = ctx.library
    if args.save:
        saved = library.save_search(args.save, text)
        if args.json:
            emit_json(saved_json(saved))
        else:
            print(f"Saved {saved.name!r}: {saved.total} articles, {saved.unread} unread")
        return 0
    hits = library.search(text, limit=args.limit, order="date" if args.newest else "relevance")
    if args.json:
        emit_json([hit_json(hit) for hit in hits])
        return 0
    for hit in hits:
        print(article_line(hit.article))
        if hit.snippet:
            print(f"                     {hit.snippet}")
    if not hits:
        print("no matches")
    return 0


def list_searches(ctx: Context) -> int:
    saved = ctx.library.saved_searches()
    if ctx.args.json:
        emit_json([saved_json(s) for s in saved])
        return 0
    for item in saved:
        print(f"{item.unread:>5}/{item.total:<5} {item.name}    {item.query}")
    if not saved:
        print("no saved searches (save one with: storyreader search --save NAME QUERY)")
    return 0


def remove_search(ctx: Context) -> int:
    ctx.library.remove_saved_search(ctx.args.name)
    print(f"Removed saved search {ctx.args.name!r}")
    return 0


def add_filter(ctx: Context) -> int:
    args = ctx.args.args
    if len(args) > 2:
        raise QueryError("filter add takes [URL] RULE: quote a rule that has spaces")
    url, rule = (args[0], args[1]) if len(args) == 2 else (None, args[0])
    added = ctx.library.add_filter(rule, url)
    if ctx.args.json:
        emit_json(rule_json(added))
    else:
        print(f"Added rule {added.id}: {added.rule}  ({added.feed_url or 'every feed'})")
    return 0


def list_filters(ctx: Context) -> int:
    rules = ctx.library.filters()
    if ctx.args.json:
        emit_json([rule_json(r) for r in rules])
        return 0
    for rule in rules:
        print(f"{rule.id:>5}  {rule.rule}    ({rule.feed_url or 'every feed'})")
    if not rules:
        print("no filter rules")
    return 0


def remove_filter(ctx: Context) -> int:
    ctx.library.remove_filter(ctx.args.id)
    print(f"Removed rule {ctx.args.id}")
    return 0
