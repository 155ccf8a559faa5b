"""``related``: the posts the related-posts panel shows for one or more articles."""

from __future__ import annotations

import argparse

from tui_reader.cli import Context, emit_json
from tui_reader.core.serialize import related_json

DEFAULT_LIMIT = 6


def _limit(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "related",
        parents=[common],
        help="cached articles most related to an article",
        description=(
            "Print the cached articles most related to each given article, best first: the "
            "same list as the reader's related-posts panel."
        ),
        epilog=(
            "With --json and one ID, prints a JSON list of items; with several IDs, one JSON "
            "object mapping each ID (as a string) to its list, so a script can ask for many "
            "articles in one run. Each item: id, guid, title, feed_url, feed_title, link, "
            "score, excerpt. An unknown ID is an error (exit 1)."
        ),
    )
    p.add_argument("ids", type=int, nargs="+", metavar="ID", help="article id(s)")
    p.add_argument("--limit", type=_limit, default=DEFAULT_LIMIT, metavar="N",
                   help=f"at most N per article (default {DEFAULT_LIMIT})")
    p.add_argument("--json", action="store_true",
                   help="JSON: a list for one ID, an object of lists for several")
    p.set_defaults(handler=related)


def related(ctx: Context) -> int:
    args = ctx.args
    ids = list(dict.fromkeys(args.ids))
    results = {article_id: ctx.library.related(article_id, args.limit) for article_id in ids}
    if args.json:
        if len(args.ids) == 1:
            emit_json([related_json(item) for item in results[ids[0]]])
        else:
            emit_json({str(k): [related_json(item) for item in v] for k, v in results.items()})
        return 0
    for n, (article_id, items) in enumerate(results.items()):
        if len(ids) > 1:
            if n:
                print()
            print(f"{article_id}: {ctx.library.article(article_id, rendered=False).title}")
        if not items:
            print("  (no related articles)")
        for item in items:
            print(f"{item.id:>7}  {item.score:6.3f}  {item.title}  ({item.feed_title})")
    return 0
