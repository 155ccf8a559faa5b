"""``import-opml`` and ``export-opml``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui_reader.cli import Context
from tui_reader.core.atomic import write_text_atomic


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "import-opml", parents=[common], help="subscribe to every feed in an OPML file",
        description="Subscribe to every feed in an OPML file; folders become tags. Nothing is "
        "fetched until `storyreader refresh`.",
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.set_defaults(handler=import_opml)

    p = subparsers.add_parser("export-opml", parents=[common], help="write subscriptions as OPML")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here (default stdout)")
    p.set_defaults(handler=export_opml)


def import_opml(ctx: Context) -> int:
    added = ctx.library.import_opml(ctx.args.file)
    print(f"Imported {len(added)} new feeds from {ctx.args.file}")
    return 0


def export_opml(ctx: Context) -> int:
    text = ctx.library.export_opml()
    if ctx.args.output:
        write_text_atomic(ctx.args.output, text)
    else:
        sys.stdout.write(text)
    return 0
