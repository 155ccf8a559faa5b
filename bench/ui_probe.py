"""Key-press-to-screen latency of the real app while a refresh runs (a child process).

    python -m bench.ui_probe --data-dir D --config-dir C --out result.json [--presses N]

The app is built exactly as ``storyreader`` builds it (:func:`tui_reader.ui.run.build_app`)
and driven by Textual's Pilot, but with a driver that is *not* headless: Textual composes
and renders every frame to terminal escape sequences as it would for a terminal, and the
driver records when each frame is written. For one press of ``j`` the latency is from
posting the key event to the first frame written after the story list's cursor moved.

It first measures presses on the idle app, then presses ``R`` (refresh every feed) and
measures presses while the refresh worker runs, a press every ``--interval`` seconds
(a quick reader), until the refresh ends or ``--presses`` were measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

from textual import events
from textual.drivers.headless_driver import HeadlessDriver


class RecordingDriver(HeadlessDriver):
    """Takes every frame the app renders (as a terminal would) and notes when it came."""

    frames = 0
    last_frame = 0.0
    bytes_written = 0

    @property
    def is_headless(self) -> bool:
        return False  # so that the app renders each update to escape sequences

    def write(self, data: str) -> None:
        cls = type(self)
        cls.frames += 1
        cls.last_frame = time.perf_counter()
        cls.bytes_written += len(data)

    def flush(self) -> None:
        pass


def _summary(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    return {
        "count": len(values),
        "median_ms": round(statistics.median(values) * 1000, 2),
        "p90_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "min_ms": round(ordered[0] * 1000, 2),
    }


class _Moves:
    """Wraps the story list's cursor actions to note when one has run."""

    def __init__(self, article_list) -> None:  # type: ignore[no-untyped-def]
        self.count = 0
        self.frames_at_move = 0
        for name in ("action_cursor_down", "action_cursor_up"):
            original = getattr(article_list, name)
            setattr(article_list, name, self._wrap(original))

    def _wrap(self, original):  # type: ignore[no-untyped-def]
        def moved() -> None:
            original()
            self.count += 1
            self.frames_at_move = RecordingDriver.frames

        return moved


async def _press(app, moves: _Moves, key: str, timeout: float = 5.0) -> float | None:  # type: ignore[no-untyped-def]
    """Seconds from posting ``key`` to the first frame written after the cursor moved."""
    before = moves.count
    start = time.perf_counter()
    app.post_message(events.Key(key, key))
    while time.perf_counter() - start < timeout:
        await asyncio.sleep(0.0005)
        if moves.count > before and RecordingDriver.frames > moves.frames_at_move:
            return RecordingDriver.last_frame - start
    return None


async def probe(data_dir: Path, config_dir: Path, presses: int, idle_presses: int,
                interval: float, size: tuple[int, int]) -> dict[str, object]:
    from tui_reader.ui.run import build_app

    app = build_app(data_dir, config_dir)
    app.driver_class = RecordingDriver
    result: dict[str, object] = {}
    try:
        async with app.run_test(headless=False, size=size) as pilot:
            screen = app.screen
            article_list = screen.query_one("#articles")
            for _ in range(400):  # the list is loaded and painted
                await pilot.pause(0.01)
                if getattr(article_list, "count", 0) and RecordingDriver.frames:
                    break
            article_list.focus()
            moves = _Moves(article_list)
            await pilot.pause(0.2)
            idle = []
            for _ in range(idle_presses):
                latency = await _press(app, moves, "j")
                if latency is not None:
                    idle.append(latency)
                await asyncio.sleep(interval)
            status = screen.query_one("#refresh-status")
            refresh_started = time.perf_counter()
            app.post_message(events.Key("R", "R"))
            for _ in range(200):
                await asyncio.sleep(0.005)
                if status.has_class("-running"):
                    break
            busy: list[float] = []
            missed = 0
            while status.has_class("-running") and len(busy) < presses:
                latency = await _press(app, moves, "j")
                if latency is None:
                    missed += 1
                elif status.has_class("-running"):
                    busy.append(latency)
                await asyncio.sleep(interval)
            while status.has_class("-running"):
                await asyncio.sleep(0.05)
            refresh_seconds = time.perf_counter() - refresh_started
            await pilot.pause(0.3)
            result = {
                "idle": _summary(idle),
                "during_refresh": _summary(busy),
                "during_refresh_samples_ms": [round(v * 1000, 2) for v in busy],
                "missed": missed,
                "refresh_seconds_in_app": round(refresh_seconds, 3),
                "articles_after": app.library.count_articles(),
                "frames": RecordingDriver.frames,
            }
    finally:
        app.library.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui_probe", description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--config-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--idle-presses", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--size", default="160x48")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))
    result = asyncio.run(probe(args.data_dir, args.config_dir, args.presses,
                               args.idle_presses, args.interval, (width, height)))
    args.out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
