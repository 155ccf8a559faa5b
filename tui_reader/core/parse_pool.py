"""The parse workers of a refresh: a process pool forked from multiprocessing's fork server.

The fork server imports the parsers once (about a quarter of a second); every worker forked
from it starts with them loaded. :func:`prestart` starts the fork server early, while the
command line is still importing and opening the library, so that work overlaps instead
of holding up the first parsed feed. This module imports nothing heavy for that reason.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

log = logging.getLogger(__name__)

# Feeds per refresh from which a process pool pays for its start-up.
PROCESS_POOL_THRESHOLD = 24
PARSE_WORKER_NICENESS = 5  # parsing yields the CPU to the app and to the storing process
# What the fork server imports before it forks workers: the parsers and the pipeline.
_PRELOAD = ["tui_reader.core.update", "tui_reader.core.sources"]


def prestart() -> bool:
    """Start the fork server now (it takes a while to import the parsers), when this
    machine will use worker processes. Returns whether it is running."""
    if (os.cpu_count() or 1) < 2:
        return False
    multiprocessing.get_context("forkserver").set_forkserver_preload(_PRELOAD)
    try:
        _start_process_helpers()
    except (OSError, ValueError) as exc:
        log.warning("could not start worker processes: %s", exc)
        return False
    return True


def make_executor(feed_count: int) -> Executor:
    """Where a refresh of ``feed_count`` feeds parses: two worker processes for a big
    refresh on a multi-core machine, else one thread."""
    if feed_count >= PROCESS_POOL_THRESHOLD and prestart():
        return ProcessPoolExecutor(
            max_workers=_parse_workers(), mp_context=multiprocessing.get_context("forkserver"),
            initializer=_init_worker, initargs=(os.getpid(),),
        )
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyreader-parse")


def _parse_workers() -> int:
    """Parse processes: two (parsing is now the larger half of a refresh's CPU). They run
    at a lower priority (:data:`PARSE_WORKER_NICENESS`), so on 2 cores they use what the
    storing process and the app leave: a 400-feed farm refresh took 4.6 s with one worker,
    3.8 s with two. More than two gain nothing on this pipeline's single writer."""
    return min(2, os.cpu_count() or 1)


def _init_worker(parent: int) -> None:
    """Pool worker initializer: a lower CPU priority, and an end with the parent."""
    with contextlib.suppress(OSError):
        os.nice(PARSE_WORKER_NICENESS)
    _exit_with_parent(parent)


def _exit_with_parent(parent: int) -> None:
    """End this pool worker once the refreshing process is gone.

    A worker forked by the fork server otherwise waits for work forever after its parent
    is killed (kill -9, a closed terminal), and keeps the fork server and multiprocessing's
    resource tracker alive with it: three stray processes per killed refresh.
    """

    def watch() -> None:
        pause = threading.Event()
        while not pause.wait(0.5):
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # the pid now belongs to another user's process
                os._exit(0)

    threading.Thread(target=watch, name="storyreader-parent-watch", daemon=True).start()


def _start_process_helpers() -> None:
    """Start multiprocessing's resource tracker and fork server, with a real stderr.

    In the app, Textual has replaced ``sys.stderr`` with a capture whose ``fileno()`` is
    -1; the resource tracker hands that descriptor to its child process and fails with
    "bad value(s) in fds_to_keep", which failed every refresh of 24 feeds or more.
    """
    from multiprocessing import forkserver, resource_tracker

    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    real = contextlib.nullcontext() if usable else contextlib.redirect_stderr(sys.__stderr__)
    with real, _safe_path():
        resource_tracker.ensure_running()
        forkserver.ensure_running()


@contextlib.contextmanager
def _safe_path() -> Iterator[None]:
    """Start helper processes without the current directory on their import path.

    They run ``python -c ...``, which puts the current directory first on ``sys.path``
    (Python 3.11's fork server ignores the parent's path), so a ``tui_reader``,
    ``multiprocessing`` or ``lxml`` directory where the user ran storyreader would be
    imported by the parse workers instead of the installed one. PYTHONSAFEPATH (3.11+)
    turns that off for the processes started meanwhile."""
    previous = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["PYTHONSAFEPATH"]
        else:
            os.environ["PYTHONSAFEPATH"] = previous
