"""SQLite connections: pragmas, forward migrations and transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

BUSY_TIMEOUT_MS = 15_000
# Pages of a new database file (an existing one keeps its own). Articles are a few KB
# each: with 16 KB pages most fit in one page instead of spilling into overflow pages,
# and storing a refresh takes a quarter of the write calls (12% less time to store).
PAGE_SIZE = 16_384


class DatabaseBusy(sqlite3.OperationalError):
    """Another storyreader holds the write lock for longer than we wait."""


def _busy() -> DatabaseBusy:
    """SQLite's bare "database is locked", said so that a reader knows what to do."""
    return DatabaseBusy(
        f"the library is busy: another storyreader has been writing to it for over "
        f"{BUSY_TIMEOUT_MS / 1000:g} s; try again when it is done"
    )


def connect(path: Path | str, migrations: Sequence[str]) -> sqlite3.Connection:
    """Open ``path`` in WAL mode and bring its schema up to date.

    ``migrations[i]`` moves the schema from ``user_version`` i to i + 1; a database
    newer than this code is refused rather than touched.
    """
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # before WAL: only a new file takes it
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    migrate(conn, migrations)
    return conn


def migrate(conn: sqlite3.Connection, migrations: Sequence[str]) -> None:
    """Apply the migrations past the database's ``PRAGMA user_version``, each atomically."""
    if conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations):
        return  # up to date: opening takes no write lock, so it works while another writes
    with transaction(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(migrations):
            raise sqlite3.DatabaseError(
                f"database schema version {version} is newer than this storyreader "
                f"understands ({len(migrations)}); upgrade storyreader"
            )
        for number in range(version, len(migrations)):
            for statement in split_statements(migrations[number]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")


def split_statements(script: str) -> list[str]:
    """Split a migration script into complete statements (trigger bodies stay whole)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; roll back on any exception. Nested calls join the outer."""
    if conn.in_transaction:
        yield conn
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode == sqlite3.SQLITE_BUSY:
            raise _busy() from exc
        raise
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def savepoint(conn: sqlite3.Connection, name: str = "job") -> Iterator[sqlite3.Connection]:
    """A nested atomic step inside a transaction: rolled back alone if it raises."""
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield conn
    except BaseException:
        conn.execute(f"ROLLBACK TO {name}")
        conn.execute(f"RELEASE {name}")
        raise
    conn.execute(f"RELEASE {name}")


def tune_for_bulk_writes(conn: sqlite3.Connection, cache_kib: int, checkpoint_kib: int) -> None:
    """A bigger page cache, and a WAL checkpoint (with its fsync) every ``checkpoint_kib``
    of log instead of every 4 MB: for the connection that stores a refresh."""
    conn.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
    page_kib = max(1, conn.execute("PRAGMA page_size").fetchone()[0] // 1024)
    conn.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint_kib) // page_kib}")


def now_iso() -> str:
    """The current UTC time as stored: ISO 8601 with offset, sortable as text."""
    return to_iso(datetime.now(UTC))


def to_iso(value: datetime | None) -> str | None:
    """An aware datetime as a UTC ISO 8601 string with seconds precision."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def from_iso(value: str | None) -> datetime | None:
    """The inverse of :func:`to_iso`."""
    return datetime.fromisoformat(value) if value else None
