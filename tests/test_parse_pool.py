"""The parse workers' pool: where a refresh parses, and the fork server started early."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from tui_reader.core import parse_pool

MULTI_CORE = (os.cpu_count() or 1) > 1


@pytest.mark.skipif(not MULTI_CORE, reason="one core: no worker processes")
def test_a_big_refresh_parses_in_worker_processes_a_small_one_in_a_thread() -> None:
    big = parse_pool.make_executor(parse_pool.PROCESS_POOL_THRESHOLD)
    small = parse_pool.make_executor(parse_pool.PROCESS_POOL_THRESHOLD - 1)
    try:
        assert isinstance(big, ProcessPoolExecutor)
        assert isinstance(small, ThreadPoolExecutor)
        assert big.submit(os.getpid).result(timeout=60) != os.getpid()
    finally:
        big.shutdown()
        small.shutdown()


def test_the_command_line_starts_without_importing_the_library() -> None:
    """The fork server is started before the library is imported and opened, so that its
    import of the parsers overlaps with theirs (refresh's first parsed feed waited for it)."""
    code = (
        "import sys, tui_reader.cli, tui_reader.commands.feeds;"
        "print('tui_reader.core.library' in sys.modules, 'tui_reader.core.update' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.skipif(not MULTI_CORE, reason="one core: no worker processes")
def test_prestart_runs_the_fork_server_with_the_parsers_preloaded() -> None:
    code = (
        "import multiprocessing.forkserver as fs, os, sys\n"
        "from tui_reader.core import parse_pool\n"
        "assert parse_pool.prestart()\n"
        "pid = fs._forkserver._forkserver_pid\n"
        "os.kill(pid, 0)\n"
        "print(fs._forkserver._preload_modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert "tui_reader.core.update" in out.stdout


@pytest.mark.skipif(not MULTI_CORE, reason="one core: no worker processes")
def test_workers_never_import_from_the_directory_storyreader_runs_in(tmp_path: Path) -> None:
    """The fork server runs ``python -c``; without a safe path it would import a
    ``tui_reader`` (or any module) lying in the user's current directory."""
    cwd = tmp_path / "downloads"
    (cwd / "tui_reader").mkdir(parents=True)
    marker = tmp_path / "imported"
    (cwd / "tui_reader" / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    driver = tmp_path / "driver" / "run.py"
    driver.parent.mkdir()
    driver.write_text(
        "import os\n"
        "from tui_reader.core import parse_pool\n"
        "if __name__ == '__main__':\n"
        "    pool = parse_pool.make_executor(parse_pool.PROCESS_POOL_THRESHOLD)\n"
        "    print(pool.submit(os.getpid).result(timeout=60) != os.getpid())\n"
        "    pool.shutdown()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    out = subprocess.run([sys.executable, str(driver)], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.stdout.strip() == "True", out.stderr
    assert not marker.exists()


def test_refresh_starts_workers_early_only_for_a_library_big_enough_to_use_them(
    tmp_path: Path,
) -> None:
    from argparse import Namespace

    from tui_reader.cli import Context
    from tui_reader.commands.feeds import _many_feeds
    from tui_reader.core.storage import LIBRARY_FILE, Storage
    from tui_reader.core.storage import feeds as feed_sql
    from tui_reader.core.storage.feeds import count_feeds_in

    threshold = parse_pool.PROCESS_POOL_THRESHOLD
    ctx = Context(Namespace(data_dir=str(tmp_path)))
    assert count_feeds_in(tmp_path / LIBRARY_FILE) == 0  # no library yet
    assert not _many_feeds(ctx, [])
    storage = Storage(tmp_path)
    with storage.transaction() as conn:
        for i in range(threshold - 1):
            feed_sql.insert_feed(conn, f"https://example.com/{i}.xml")
    assert not _many_feeds(ctx, [])
    with storage.transaction() as conn:
        feed_sql.insert_feed(conn, "https://example.com/last.xml")
    assert count_feeds_in(tmp_path / LIBRARY_FILE) == threshold
    assert _many_feeds(ctx, [])
    assert not _many_feeds(ctx, ["https://example.com/0.xml"])
    storage.close()
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database" * 100)
    assert count_feeds_in(tmp_path / "junk.sqlite3") == 0
