"""All SQL lives in this package. ``Storage`` owns the connections; the modules beside it
hold the queries for one kind of record each and take a connection as first argument."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tui_reader.core.paths import DATABASE_NAME as LIBRARY_FILE
from tui_reader.core.storage.db import connect, transaction
from tui_reader.core.storage.schema import BOOKMARK_MIGRATIONS, LIBRARY_MIGRATIONS

BOOKMARKS_FILE = "bookmarks.sqlite3"


class Storage:
    """The library database with the bookmarks database attached as ``bm``.

    Each thread gets its own connection (sqlite3 connections are not shared across
    threads here); WAL lets readers run while one writer commits.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.library_path = self.data_dir / LIBRARY_FILE
        self.bookmarks_path = self.data_dir / BOOKMARKS_FILE
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # Migrate both files once, up front, from this thread.
        connect(self.bookmarks_path, BOOKMARK_MIGRATIONS).close()
        _ = self.conn

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.library_path, LIBRARY_MIGRATIONS)
            conn.execute("ATTACH DATABASE ? AS bm", (str(self.bookmarks_path),))
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write on this thread's connection."""
        with transaction(self.conn) as conn:
            yield conn

    def close_thread_connection(self) -> None:
        """Close this thread's connection (a thread that ends must not leave one open)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            return
        self._local.conn = None
        with self._lock:
            self._all = [c for c in self._all if c is not conn]
        with suppress(sqlite3.ProgrammingError):
            conn.close()

    def close(self) -> None:
        """Close every connection this storage opened, on any thread."""
        with self._lock:
            for conn in self._all:
                with suppress(sqlite3.ProgrammingError):
                    conn.close()
            self._all.clear()
        self._local = threading.local()
