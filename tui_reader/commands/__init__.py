"""Subcommands of the ``storyreader`` CLI, one module per group.

Each module has ``register(subparsers, common)`` adding its parsers with
``set_defaults(handler=...)``; a handler takes a :class:`tui_reader.cli.Context` and
returns the exit code.
"""

from __future__ import annotations

from tui_reader.commands import articles, bookmarks, feeds, opml, related, search

MODULES = [feeds, articles, opml, bookmarks, search, related]
