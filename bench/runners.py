"""Running storyreader and newsboat as the user would, one subprocess per measurement.

Each run gets its own fresh directory (data, config and HOME), a clean environment (no
proxies, loopback exempt) and is timed from ``fork`` to ``wait`` on the monotonic clock;
``wait4`` gives its CPU time (user + system, children included) and peak RSS.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
               "ALL_PROXY")


@dataclass
class Measurement:
    """One timed run of one tool."""

    wall: float
    cpu: float
    max_rss_mb: float
    articles: int | None = None
    exit_code: int = 0
    server: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"wall_s": round(self.wall, 4), "cpu_s": round(self.cpu, 3),
                "max_rss_mb": round(self.max_rss_mb, 1), "articles": self.articles,
                "exit_code": self.exit_code, "server": self.server}


def clean_env(home: Path) -> dict[str, str]:
    """The environment for a measured tool: its own HOME and XDG dirs, no proxies."""
    env = {k: v for k, v in os.environ.items() if k not in _PROXY_VARS}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a real install keeps its .pyc files
    env.update({
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "LANG": env.get("LANG", "C.UTF-8"),
    })
    home.mkdir(parents=True, exist_ok=True)
    return env


def timed(argv: list[str], env: dict[str, str], cwd: Path, log: Path,
          timeout: float = 900.0) -> Measurement:
    """Run ``argv``, return wall time, CPU time and peak RSS (from wait4)."""
    with open(log, "ab") as out:
        start = time.monotonic()
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measurement(wall=wall, cpu=usage.ru_utime + usage.ru_stime,
                       max_rss_mb=usage.ru_maxrss / 1024, exit_code=proc.returncode)


def storyreader_bin() -> list[str]:
    """The installed ``storyreader`` script beside this Python, else ``python -m``."""
    script = Path(sys.executable).with_name("storyreader")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "tui_reader"]


def precompile() -> None:
    """Write the .pyc files an installed storyreader has (this tree may run without them)."""
    import compileall
    import site

    paths = [ROOT / "tui_reader", *map(Path, site.getsitepackages())]
    for path in paths:
        if path.exists():
            compileall.compile_dir(str(path), quiet=2, workers=0, force=False)


class StoryreaderRun:
    """One storyreader library in a fresh directory, subscribed to some farm feeds.

    Setting up (subscribing, priming) goes through the library façade in this process;
    only :meth:`refresh` is measured, and it runs the real ``storyreader refresh``.
    """

    def __init__(self, directory: Path, urls: list[tuple[str, str]]) -> None:
        from bench.farm import opml

        self.dir = directory
        if directory.exists():
            shutil.rmtree(directory)
        self.data = directory / "data"
        self.config = directory / "config"
        self.config.mkdir(parents=True)
        self.env = clean_env(directory / "home")
        self.log = directory / "log.txt"
        (directory / "feeds.opml").write_text(opml(urls))
        with self.library() as library:
            library.import_opml(directory / "feeds.opml")

    def library(self):  # type: ignore[no-untyped-def]
        from tui_reader.core.library import open_library
        from tui_reader.core.settings import refresh_settings

        return open_library(self.data, refresh_settings(self.config))

    def refresh(self) -> Measurement:
        """``storyreader refresh`` (every feed), timed."""
        m = timed([*storyreader_bin(), "refresh", "--data-dir", str(self.data),
                   "--config-dir", str(self.config)], self.env, self.dir, self.log)
        m.articles = self.count()
        return m

    def prime(self) -> None:
        """Refresh every feed in this process (untimed)."""
        with self.library() as library:
            library.refresh()

    def count(self) -> int:
        with self.library() as library:
            return library.count_articles()


class NewsboatRun:
    """One newsboat cache in a fresh directory, with ``reload-threads`` set."""

    def __init__(self, directory: Path, urls: list[str], threads: int) -> None:
        self.dir = directory
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        self.threads = threads
        self.env = clean_env(directory / "home")
        self.log = directory / "log.txt"
        self.urls = directory / "urls"
        self.urls.write_text("".join(u + "\n" for u in urls))
        self.config = directory / "config"
        self.config.write_text(f"reload-threads {threads}\ndownload-timeout 60\n")
        self.cache = directory / "cache.db"

    def reload(self) -> Measurement:
        """``newsboat -x reload``, timed."""
        m = timed(["newsboat", "-x", "reload", "-u", str(self.urls), "-c", str(self.cache),
                   "-C", str(self.config)], self.env, self.dir, self.log)
        m.articles = self.count()
        return m

    def count(self) -> int:
        if not self.cache.exists():
            return 0
        with sqlite3.connect(self.cache) as conn:
            return conn.execute("SELECT COUNT(*) FROM rss_item").fetchone()[0]


def newsboat_version() -> str | None:
    """``newsboat -v``'s first line, or None when it is not installed."""
    if shutil.which("newsboat") is None:
        return None
    try:
        out = subprocess.run(["newsboat", "-v"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = (out.stdout or out.stderr).splitlines()
    return first[0].split(" - ")[0].strip() if first else "newsboat"
