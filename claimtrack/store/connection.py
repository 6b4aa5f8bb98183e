"""The connection: opening a database, its pragmas, migrations and transactions.

`Connection` is the base of every part of `Store`: it holds the SQLite connection (`conn`) and
its sqlite-utils wrapper (`db`) that the writer, the dedupe index and the queries share.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import sqlite_utils

from .. import settings
from ..errors import DatabaseError
from .schema import MIGRATIONS, SCHEMA_VERSION

WAL_CHECKPOINT_PAGES = 10_000  # 40 MB of WAL between checkpoints: each costs a pass over hot pages
WRITE_CACHE_KIB = 64 * 1024  # page cache while ingesting: the batch writer mostly appends, so more buys nothing
WAL_SWITCH_RETRY_SECONDS = 0.05  # pause between tries when another process switches a new file to WAL too

_Opened = TypeVar("_Opened", bound="Connection")


def open_as(path: Path | str, store_class: Callable[[sqlite3.Connection], _Opened]) -> _Opened:
    """Open (creating or migrating) the database at `path` as a `store_class` (see `open_store`)."""
    path = Path(path)
    if path.exists() and path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=settings.BUSY_TIMEOUT_MS / 1000)
        store = store_class(conn)
        store.migrate()
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"cannot open {path}: {error}") from None
    return store


def open_read_only(path: Path | str, store_class: Callable[[sqlite3.Connection], _Opened]) -> _Opened:
    """Open an existing database at `path` for reading only (another process may be writing it)."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=settings.BUSY_TIMEOUT_MS / 1000)
        return store_class(conn)
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"cannot open {path}: {error}") from None


class Connection:
    """The SQLite connection every part of `Store` shares as `self.conn` and `self.db`."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._actor_ids: dict[tuple, int] = {}  # actors written in this session, by their state
        conn.execute(f"PRAGMA busy_timeout = {settings.BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
        conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
        conn.execute("PRAGMA synchronous = NORMAL")  # per connection; with WAL only a power cut can lose a commit

    def close(self) -> None:
        self.conn.close()

    def file_path(self) -> str | None:
        """The database file, or None for a database in memory."""
        files = {name: file for _, name, file in self.conn.execute("PRAGMA database_list")}
        return files.get("main") or None

    def optimize(self) -> None:
        """Refresh the planner's statistics after a write; never fatal."""
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("PRAGMA optimize")

    # ---- schema -------------------------------------------------------------

    def schema_version(self) -> int:
        if not self.db["schema_version"].exists():
            return 0
        row = self.conn.execute("SELECT max(version) FROM schema_version").fetchone()
        return row[0] or 0

    def migrate(self) -> None:
        self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fails on a non-database
        if self._checked_version() == SCHEMA_VERSION:
            return
        self._switch_to_wal()
        with self.transaction():
            version = self._checked_version()  # again under the write lock: another process may have just migrated
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                if callable(migration):
                    migration(self.conn)
                else:
                    for statement in _statements(migration):
                        self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                    (number, _now()),
                )

    def _switch_to_wal(self) -> None:
        """WAL mode, retried: two processes switching a new file at once deadlock, and SQLite
        answers "database is locked" at once instead of waiting out the busy timeout."""
        deadline = time.monotonic() + settings.BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(WAL_SWITCH_RETRY_SECONDS)

    def _checked_version(self) -> int:
        """The stored schema version, refusing a newer schema or another program's database."""
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise DatabaseError(
                f"this database has schema version {version}; this claimtrack knows up to "
                f"{SCHEMA_VERSION}: upgrade claimtrack"
            )
        if version == 0 and self.db.table_names():
            raise DatabaseError("this file is an SQLite database, but not claimtrack's")
        return version

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")


def _statements(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements, current = [], []
    for line in sql.strip().splitlines():
        current.append(line)
        candidate = "\n".join(current)
        if sqlite3.complete_statement(candidate):
            statements.append(candidate.strip())
            current = []
    return [s for s in statements if s]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
