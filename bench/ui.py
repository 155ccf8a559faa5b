"""The app's side of the benchmark: launch time and memory on a big library, and key-press
latency while a refresh runs.

Launch runs the real ``storyreader`` binary on a pseudo-terminal this process owns (no tmux
needed) and times it from ``fork`` until the title of the newest story has been written to
the terminal, i.e. the main screen has painted the story list. Peak memory is the
process's ``VmHWM`` (from /proc) a second after that.

Key latency runs :mod:`bench.ui_probe` in a child process (see there).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

from bench.farm import build_farm, opml
from bench.runners import ROOT, clean_env, storyreader_bin

_ANSI = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def ui_available() -> str | None:
    """None when the app can be driven, else why not (the UI is built elsewhere)."""
    try:
        from tui_reader.ui.run import build_app  # noqa: F401
    except Exception as exc:  # not landed yet, or broken
        return f"the UI cannot be imported: {type(exc).__name__}: {exc}"
    return None


def _library(data: Path, config: Path):  # type: ignore[no-untyped-def]
    from tui_reader.core.library import open_library
    from tui_reader.core.settings import refresh_settings

    return open_library(data, refresh_settings(config))


def build_library(feeds: int, items: int, work: Path, *, quiet: bool = True) -> Path:
    """A cached storyreader data directory with ``feeds`` local feeds of ``items`` stories
    each, filled by the refresh pipeline (built once in ``work``, reused)."""
    target = work / f"library-{feeds}x{items}"
    data = target / "data"
    if (target / "done").exists():
        return data
    if target.exists():
        shutil.rmtree(target)
    farm = build_farm(feeds, items, seed=7, quiet=quiet, work=work)
    target.mkdir(parents=True)
    config = target / "config"
    config.mkdir()
    (target / "feeds.opml").write_text(
        opml([(f.title, str(farm.directory / f.file)) for f in farm.feeds])
    )
    if not quiet:
        print(f"  filling a library of {feeds * items:,} stories (once)…", flush=True)
    with _library(data, config) as library:
        library.import_opml(target / "feeds.opml")
        library.refresh()
    (target / "done").write_text("ok\n")
    return data


def _newest_title(data: Path) -> str:
    from tui_reader.core.library import open_library

    with open_library(data) as library:
        newest = library.articles(limit=1)
    return newest[0].title if newest else ""


def _vm(pid: int) -> dict[str, float]:
    values: dict[str, float] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                values[name] = int(rest.split()[0]) / 1024
    return values


@dataclass
class LaunchResult:
    seconds: float | None
    peak_rss_mb: float | None
    rss_mb: float | None
    error: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"seconds": None if self.seconds is None else round(self.seconds, 4),
                "peak_rss_mb": None if self.peak_rss_mb is None else round(self.peak_rss_mb, 1),
                "rss_mb": None if self.rss_mb is None else round(self.rss_mb, 1),
                "error": self.error}


def launch_once(data: Path, config: Path, home: Path, expect: str,
                size: tuple[int, int] = (160, 48), timeout: float = 60.0) -> LaunchResult:
    """Start ``storyreader`` on a pty; time until ``expect`` is on the screen."""
    env = clean_env(home)
    env["TERM"] = "xterm-256color"
    env["COLUMNS"], env["LINES"] = str(size[0]), str(size[1])
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    needle = expect.encode()
    start = time.monotonic()
    proc = subprocess.Popen(
        [*storyreader_bin(), "--data-dir", str(data), "--config-dir", str(config)],
        stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True,
    )
    os.close(slave)
    seen = b""
    ready: float | None = None
    error = None
    try:
        while True:
            now = time.monotonic()
            if now - start > timeout:
                error = f"the story list did not show {expect!r} within {timeout:g} s"
                break
            readable, _, _ = select.select([master], [], [], 0.05)
            if readable:
                try:
                    chunk = os.read(master, 1 << 16)
                except OSError:
                    chunk = b""
                if not chunk:
                    error = "storyreader exited before painting the story list"
                    break
                seen = (seen + chunk)[-(1 << 20):]
                if needle in _ANSI.sub(b"", seen):
                    ready = time.monotonic() - start
                    break
            elif proc.poll() is not None:
                error = f"storyreader exited with {proc.returncode}"
                break
        vm: dict[str, float] = {}
        if ready is not None:
            settle = time.monotonic() + 1.0  # keep draining output while it settles
            while time.monotonic() < settle:
                readable, _, _ = select.select([master], [], [], 0.05)
                if readable:
                    with contextlib.suppress(OSError):
                        os.read(master, 1 << 16)
            vm = _vm(proc.pid)
            os.write(master, b"q")
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            readable, _, _ = select.select([master], [], [], 0.05)
            if readable:
                with contextlib.suppress(OSError):
                    os.read(master, 1 << 16)
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
    return LaunchResult(ready, vm.get("VmHWM"), vm.get("VmRSS"), error)


def measure_launch(feeds: int, items: int, runs: int, work: Path,
                   quiet: bool = True) -> dict[str, object]:
    """Launch the app ``runs`` times on a copy of a ``feeds`` x ``items`` library."""
    library = build_library(feeds, items, work, quiet=quiet)
    copy = work / "runs" / "launch"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(library, copy / "data")
    (copy / "config").mkdir()
    title = _newest_title(copy / "data")
    expect = title[:24].rstrip()
    results = [launch_once(copy / "data", copy / "config", copy / "home", expect)
               for _ in range(runs)]
    return {"feeds": feeds, "articles": feeds * items, "expect": expect,
            "runs": [r.as_json() for r in results]}


def keypress_library(farm_urls: list[tuple[str, str]], local: list[Path], work: Path) -> Path:
    """A library subscribed to ``farm_urls`` (never fetched) and to ``local`` feed files
    (fetched now, so the list has stories to move through before the refresh)."""
    target = work / "runs" / "keys"
    if target.exists():
        shutil.rmtree(target)
    (target / "config").mkdir(parents=True)
    copies = []
    for path in local:
        copy = target / "local" / path.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, copy)
        copies.append(str(copy))
    (target / "feeds.opml").write_text(opml(farm_urls + [(Path(c).name, c) for c in copies]))
    with _library(target / "data", target / "config") as library:
        library.import_opml(target / "feeds.opml")
        library.refresh(copies)
    return target


def measure_keys(library: Path, presses: int, interval: float = 0.05,
                 timeout: float = 600.0, idle_presses: int = 20) -> dict[str, object]:
    """Run :mod:`bench.ui_probe` on ``library``; its JSON result."""
    out = library / "probe.json"
    env = clean_env(library / "home")
    result = subprocess.run(
        [sys.executable, "-m", "bench.ui_probe", "--data-dir", str(library / "data"),
         "--config-dir", str(library / "config"), "--out", str(out),
         "--presses", str(presses), "--idle-presses", str(idle_presses),
         "--interval", str(interval)],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )
    if result.returncode != 0 or not out.exists():
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        return {"error": "the key probe failed: " + " | ".join(tail)}
    return json.loads(out.read_text())
