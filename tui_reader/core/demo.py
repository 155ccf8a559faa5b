"""The built-in demo library: five story feeds shipped inside the package.

The feeds live in the ``tui_reader.demo`` data package (RSS 2.0, Atom 1.0 and
JSON Feed 1.1 files, all original writing about one fictional coastal town, with
deliberately overlapping topics and "Related Posts" sections). On first run with an
empty library the app subscribes these local files like any other feed source and
tags them :data:`DEMO_TAG`.

The paths returned are real files on disk. storyreader is installed unpacked
(a wheel or an editable install, never a zip), so the package's resource root is a
plain directory and no temporary extraction (``importlib.resources.as_file``) is
needed; a temporary copy would vanish while the library still pointed at it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from tui_reader.core.errors import StoryreaderError

__all__ = ["DEMO_FILES", "DEMO_TAG", "demo_feed_paths"]

DEMO_TAG = "demo"

# File names inside tui_reader/demo/, in the order they are subscribed.
DEMO_FILES: tuple[str, ...] = (
    "harbour-lights.xml",  # RSS 2.0, dc:creator, permalink guids, an enclosure
    "the-long-table.atom",  # Atom 1.0, escaped HTML content
    "night-shift.json",  # JSON Feed 1.1, an attachment and an item image
    "small-repairs.rss",  # RSS 2.0, <author>, tag: guids, a table and a code block
    "field-notes.xml",  # Atom 1.0, XHTML content, xml:base with relative image URLs
)


def demo_feed_paths() -> list[Path]:
    """Absolute filesystem paths of the shipped demo feeds, in subscription order.

    Raises :class:`StoryreaderError` if the package is not installed as plain files
    or a demo file is missing (a broken install).
    """
    root = files("tui_reader.demo")
    if not isinstance(root, Path):
        raise StoryreaderError("demo feeds unavailable: not installed as plain files")
    paths = [(root / name).resolve() for name in DEMO_FILES]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise StoryreaderError(f"demo feeds missing from the install: {', '.join(missing)}")
    return paths
