"""The ``storyreader`` command line: the TUI with no subcommand, scripting commands otherwise.

Every command runs on the same façade as the app (:func:`open_library`). Expected failures
print one line on stderr and exit non-zero; ``--json`` prints exactly one JSON document on
stdout. Subcommands live in :mod:`tui_reader.commands`, one module per group.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_reader import __version__
from tui_reader.core.errors import StoryreaderError

if TYPE_CHECKING:
    from tui_reader.core.library import Library

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_SIGPIPE = 141  # 128 + SIGPIPE: what a shell reports for a writer whose reader left
EXIT_USAGE = 2


class ArgumentParser(argparse.ArgumentParser):
    """argparse with a one-line error on bad usage."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


@dataclass
class Context:
    """What a command needs: its arguments and, opened on demand, the library."""

    args: argparse.Namespace
    _library: Library | None = field(default=None, repr=False)

    @property
    def data_dir(self) -> Path | None:
        value = getattr(self.args, "data_dir", None)
        return Path(value).expanduser() if value else None

    @property
    def config_dir(self) -> Path | None:
        value = getattr(self.args, "config_dir", None)
        return Path(value).expanduser() if value else None

    @property
    def library(self) -> Library:
        if self._library is None:
            from tui_reader.core.library import open_library
            from tui_reader.core.settings import refresh_settings

            self._library = open_library(self.data_dir, refresh_settings(self.config_dir))
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()


def emit_json(value: Any) -> None:
    """Print one JSON document on stdout."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2))
    sys.stdout.write("\n")


def emit_json_list(items: Iterable[Any]) -> None:
    """Print a JSON list on stdout as :func:`emit_json` would, writing each item as it
    comes (a list of a whole cache's articles is never held in memory)."""
    out = sys.stdout
    opening = "[\n  "
    for item in items:
        out.write(opening)
        out.write(json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  "))
        opening = ",\n  "
    out.write("[]\n" if opening == "[\n  " else "\n]\n")


def common_options() -> ArgumentParser:
    """Options accepted before or after the subcommand."""
    parent = ArgumentParser(add_help=False)
    parent.add_argument(
        "--data-dir", metavar="DIR", default=argparse.SUPPRESS,
        help="where the library lives (default: the user data directory)",
    )
    parent.add_argument(
        "--config-dir", metavar="DIR", default=argparse.SUPPRESS,
        help="where config.toml and user themes live (default: the user config directory)",
    )
    return parent


def build_parser() -> ArgumentParser:
    from tui_reader import commands

    common = common_options()
    parser = ArgumentParser(
        prog="storyreader",
        description="A keyboard-driven terminal feed reader. With no command, opens the reader.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"storyreader {__version__}")
    parser.add_argument("--theme", metavar="NAME", help="open the reader with this theme")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=ArgumentParser
    )
    for module in commands.MODULES:
        module.register(subparsers, common)
    return parser


def run_tui(ctx: Context) -> int:
    from tui_reader.ui.run import run_app

    return run_app(ctx.data_dir, ctx.config_dir, getattr(ctx.args, "theme", None))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``storyreader`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = Context(args)
    handler = getattr(args, "handler", None)
    try:
        return handler(ctx) if handler else run_tui(ctx)
    except StoryreaderError as exc:
        return fail(str(exc))
    except sqlite3.DatabaseError as exc:
        return fail(f"database problem: {exc}")
    except BrokenPipeError:
        return _reader_gone()
    except OSError as exc:
        return fail(f"{exc.strerror or exc}{': ' + str(exc.filename) if exc.filename else ''}")
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for the user, unless asked for
        if os.environ.get("STORYREADER_DEBUG"):
            raise
        return fail(f"internal error: {type(exc).__name__}: {exc}")
    finally:
        ctx.close()


def _reader_gone() -> int:
    """The end of the pipe on stdout closed (``storyreader articles --json | head``): stop
    quietly, as other command-line tools do, with the shell's code for SIGPIPE."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # the flush at exit would fail again
    os.close(devnull)
    return EXIT_SIGPIPE


def fail(message: str) -> int:
    """One line on stderr; the caller returns the exit code."""
    first_line = (message.strip().splitlines() or ["failed"])[0]
    sys.stderr.write(f"storyreader: error: {first_line}\n")
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
