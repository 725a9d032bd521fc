"""Opening the shared SQLite file with the settings every simtrain process must agree on.

Many processes (trainee terminals, the facilitator console, the CLI) use one database
file at once. SQLite serialises writers; these settings make that safe and quick:

- WAL journal: readers never block the writer and the writer never blocks readers.
- ``BEGIN IMMEDIATE`` for every write transaction: the write lock is taken up front, so
  waiting happens in the busy handler. A deferred transaction that reads and then writes
  cannot wait for the lock (it would deadlock) and fails at once with "database is
  locked" — measured with 8 writer processes, 77 % of such transactions failed.
- ``busy_timeout``: how long a writer waits for the lock before giving up.
- ``synchronous=NORMAL``: in WAL mode this never corrupts the database. A process crash
  (even ``kill -9``) loses nothing that was committed; only a power loss or OS crash can
  lose the last few commits, because the WAL is synced at checkpoints rather than at
  every commit. That trade buys several times the commit rate of ``FULL``.
- A bounded WAL: SQLite checkpoints automatically every ``WAL_AUTOCHECKPOINT_PAGES``,
  each process also runs a passive checkpoint every ``CHECKPOINT_INTERVAL_S``, and
  ``journal_size_limit`` truncates the WAL file back after a checkpoint resets it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from simtrain.store.errors import StoreError

BUSY_TIMEOUT_MS = 5_000
"""How long a writer waits for another process's write transaction to finish."""
WAL_AUTOCHECKPOINT_PAGES = 1_000
"""SQLite's default: checkpoint when the WAL passes about 4 MB."""
JOURNAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024
"""The WAL file is truncated back to this size after a checkpoint."""
CHECKPOINT_INTERVAL_S = 30.0
"""Each process runs a passive checkpoint at most this often, after a write or while waiting."""

CONNECTION_PRAGMAS: tuple[str, ...] = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
    f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}",
    f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT_BYTES}",
)
"""Per-connection settings; they change nothing in the file, so they are safe before checks."""

WAL_PRAGMA = "PRAGMA journal_mode = WAL"
"""Persistent (written into the file): only run once the file is known to be simtrain's."""


def connect(path: Path, *, create: bool) -> sqlite3.Connection:
    """Open a connection in autocommit mode; never creates a file unless ``create``.

    The connection may be used from several threads (the store serialises access), and
    the driver opens no implicit transactions: the store issues BEGIN/COMMIT itself.
    """
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file.")
    if not create and not path.exists():
        raise StoreError(f"There is no database at {path}; nothing was created.")
    if create and not path.parent.is_dir():
        raise StoreError(f"Cannot create {path}: the folder {path.parent} does not exist.")
    if create:
        create_private(path)
    check_private(path)
    # mode=rw refuses to create the file even if it vanishes after the check above.
    uri = f"{path.absolute().as_uri()}?mode={'rwc' if create else 'rw'}"
    try:
        conn = sqlite3.connect(
            uri,
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
    except sqlite3.Error as exc:
        raise translate_error(exc, path) from exc
    try:
        for pragma in CONNECTION_PRAGMAS:
            conn.execute(pragma)
    except sqlite3.Error as exc:
        conn.close()
        raise translate_error(exc, path) from exc
    return conn


PRIVATE_MODE = 0o600
"""A database holds every team's log, the facilitator's notes and the join codes' hashes:
only its owner reads or writes it (SQLite gives its -wal and -shm files the same mode)."""
SIDE_FILES = ("-wal", "-shm", "-journal")


def create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (another process may be
    creating it at this very moment: then that one's file is used)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreError(f"Cannot create {path}: {exc.strerror}.") from exc
    os.close(fd)


def check_private(path: Path) -> None:
    """Refuse a database (or one of its -wal, -shm, -journal files) that other users could
    write, or that belongs to someone else: whoever can write it can steer the exercise."""
    if os.name != "posix":
        return
    for name in (path, *(path.with_name(path.name + side) for side in SIDE_FILES)):
        try:
            info = os.stat(name)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreError(f"Cannot open {name}: {exc.strerror}.") from exc
        if info.st_uid != os.geteuid():
            raise StoreError(
                f"{name} belongs to another user; simtrain only opens an exercise database "
                "its own user owns (copy it with 'simtrain backup' as its owner)."
            )
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            mode = stat.S_IMODE(info.st_mode)
            raise StoreError(
                f"{name} can be written by other users (mode {mode:04o}); anyone who can "
                f"write it can change the exercise. Make it private with: chmod 600 {name}"
            )


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; rolls back on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def translate_error(exc: sqlite3.Error, path: Path) -> StoreError:
    """A plain-sentence :class:`StoreError` for a driver error about ``path``."""
    message = str(exc)
    low = message.lower()
    if "locked" in low or "busy" in low:
        return StoreError(
            f"{path} stayed locked by another simtrain process for more than "
            f"{BUSY_TIMEOUT_MS / 1000:g} seconds; nothing was written. Try again."
        )
    if "file is not a database" in low:
        return StoreError(
            f"{path} is not a SQLite database (it is another kind of file, or damaged)."
        )
    if "malformed" in low or "corrupt" in low:
        return StoreError(f"{path} is damaged ({message}). Restore it from a backup.")
    if "readonly" in low or "read-only" in low:
        return StoreError(f"Cannot write to {path}: the file or its folder is read-only.")
    if "disk is full" in low:
        return StoreError(f"Cannot write to {path}: the disk is full.")
    if "unable to open" in low:
        return StoreError(f"Cannot open {path}: check that the file exists and is readable.")
    if isinstance(exc, sqlite3.ProgrammingError) and "closed" in low:
        return StoreError(f"The store for {path} is already closed.")
    return StoreError(f"The database {path} reported an error: {message}.")
