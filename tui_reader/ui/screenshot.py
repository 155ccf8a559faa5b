"""Save the README screenshot: ``python -m tui_reader.ui.screenshot docs/screenshot.svg``.

Runs the real app headless at 120x40 on the demo stories in a temporary library, opens
a story (its related posts load beside it) and saves Textual's own SVG screenshot.
Dates are shown in UTC so the picture does not depend on who makes it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from textual.pilot import Pilot

SIZE = (120, 40)
STORY_ROW = 1  # which story of "All articles" is open


def take(path: Path, *, size: tuple[int, int] = SIZE, theme: str | None = None) -> Path:
    """Write the screenshot to ``path``; returns it."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    from tui_reader.core.library import open_library
    from tui_reader.ui.run import build_app

    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="storyreader-shot-") as tmp:
        data, config = Path(tmp) / "data", Path(tmp) / "config"
        with open_library(data) as library:  # subscribed up front: no first-run welcome
            library.subscribe_demo_if_new()
        app = build_app(data, config, theme)

        async def auto_pilot(pilot: Pilot) -> None:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.press(*["j"] * STORY_ROW, "enter")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            app.save_screenshot(filename=path.name, path=str(path.parent))
            app.exit(0)

        try:
            app.run(headless=True, size=size, auto_pilot=auto_pilot)
        finally:
            app.library.close()
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="docs/screenshot.svg", type=Path)
    parser.add_argument("--theme", help="theme to draw with (default: the configured one)")
    args = parser.parse_args(argv)
    written = take(args.output, theme=args.theme)
    sys.stdout.write(f"wrote {written}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
