"""The database layout, its version marker, and the migrations that build it.

A simtrain database carries a ``meta`` table with ``app = 'simtrain'`` and
``schema_version = N``: the number of entries of :data:`MIGRATIONS` applied to it. Opening
a database applies the missing migrations, in order, in one ``BEGIN IMMEDIATE``
transaction, so concurrent openers apply each migration exactly once and a failed
migration leaves the file as it was. Files that are not simtrain's are refused before
anything is written to them.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from simtrain.store.connection import WAL_PRAGMA, translate_error, write_transaction
from simtrain.store.errors import StoreError

if TYPE_CHECKING:
    from sqlite_utils import Database

APP = "simtrain"
"""The marker that says a SQLite file belongs to simtrain."""

SEQ_CONFLICT = "seq must be the last seq of its stream plus 1"
"""The message of the trigger that keeps streams gapless."""

Migration = Callable[["Database"], None]
"""A schema change; runs inside the migration transaction and must not commit."""


_EVENT_COLUMNS = """
    exercise TEXT NOT NULL REFERENCES exercises (id),
    stream TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    clock REAL NOT NULL,
    wall REAL NOT NULL,
    actor TEXT NOT NULL,
    role TEXT,
    UNIQUE (exercise, stream, seq)
"""
"""The events table's columns after its ``id`` (versions 1 and 4 differ in the id alone)."""


def _create_initial_tables(db: Database) -> None:
    """Version 1: exercises, their teams, and the append-only event log."""
    db.table("exercises").create(
        {
            "id": str,
            "title": str,
            "scenario_id": str,
            "scenario_text": str,
            "scenario_sha256": str,
            "created_wall": float,
            "settings": str,
        },
        pk="id",
        not_null={
            "title",
            "scenario_id",
            "scenario_text",
            "scenario_sha256",
            "created_wall",
            "settings",
        },
    )
    db.table("teams").create(
        {
            "exercise": str,
            "name": str,
            "position": int,
            "code_hash": str,
            "code_salt": str,
        },
        pk=("exercise", "name"),
        not_null={"position", "code_hash", "code_salt"},
        foreign_keys=[("exercise", "exercises", "id")],
    )
    # Written as SQL: sqlite-utils has no public way to say AUTOINCREMENT or a
    # table-level UNIQUE. AUTOINCREMENT keeps ids strictly increasing forever, which the
    # global cursor (read after_id, wait_for_events) relies on. UNIQUE(exercise, stream,
    # seq) is the optimistic-concurrency guard and the index behind last_seq and stream
    # reads.
    db.execute(f"CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, {_EVENT_COLUMNS})")
    # For reading a whole exercise in cursor order and for last_id.
    db.table("events").create_index(["exercise", "id"], index_name="events_exercise_id")
    _create_event_triggers(db)


def _create_event_triggers(db: Database) -> None:
    """The guards on ``events``, whoever writes: gapless streams, append-only."""
    # Streams have no gaps: an event must take the stream's last seq + 1. A stale
    # writer's seq is already taken, a confused one's leaves a gap; both are refused
    # inside the INSERT itself, which is how append detects a conflict without an extra
    # query. UNIQUE (exercise, stream, seq) stays as the backstop.
    db.execute(
        f"""
        CREATE TRIGGER events_seq_follows BEFORE INSERT ON events
        WHEN NEW.seq IS NOT coalesce(
            (SELECT max(seq) FROM events WHERE exercise = NEW.exercise AND stream = NEW.stream),
            0
        ) + 1
        BEGIN SELECT RAISE(ABORT, '{SEQ_CONFLICT}'); END
        """
    )
    # No UPDATE, no DELETE: besides keeping history, this is what keeps ids growing (a
    # new row's id is the largest id + 1, and the largest row can never be removed).
    for action in ("UPDATE", "DELETE"):
        db.execute(
            f"""
            CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END
            """
        )


def _create_seats(db: Database) -> None:
    """Version 2: the roster. One row per seat with a lease its process renews.

    Presence is state, not history: a heartbeat updates the seat's row in place, so it
    never adds an event or moves a team's stream (the log keeps only joins and leaves).
    """
    db.execute(
        """
        CREATE TABLE seats (
            id TEXT PRIMARY KEY,
            exercise TEXT NOT NULL REFERENCES exercises (id),
            team TEXT NOT NULL,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            kind TEXT NOT NULL,
            joined_wall REAL NOT NULL,
            seen_wall REAL NOT NULL,
            expires_wall REAL NOT NULL,
            left_wall REAL
        )
        """
    )
    db.table("seats").create_index(["exercise", "team"], index_name="seats_exercise_team")


def _create_saved_states(db: Database) -> None:
    """Version 3: saved states, a cache beside the log. One row per stream: what its
    events up to ``seq`` fold into, as the service encoded it, valid under ``key`` (the
    rules' code and the scenario's hash). Rows can be deleted at any time; the log stays
    the truth."""
    db.execute(
        """
        CREATE TABLE saved_states (
            exercise TEXT NOT NULL REFERENCES exercises (id),
            stream TEXT NOT NULL,
            seq INTEGER NOT NULL CHECK (seq >= 1),
            key TEXT NOT NULL,
            state TEXT NOT NULL,
            PRIMARY KEY (exercise, stream)
        )
        """
    )


def _lighter_events(db: Database) -> None:
    """Version 4: the events table without AUTOINCREMENT and without the (exercise, id)
    index, rebuilt with its rows and ids as they were.

    Every commit writes each page it changed to the WAL: with AUTOINCREMENT's sequence
    row and the second index, an append of one event changed four pages (the row, two
    indexes, the sequence) where a plain table changes one. Neither was needed: ids
    still only grow, because a new row takes the largest id + 1 and the append-only
    triggers never let the largest row go; the whole-exercise reads walk the ids
    themselves (the primary key) and each stream's reads its UNIQUE index. Measured with
    8 writer processes: the bare INSERT went from about a third of a plain table's rate
    to about three quarters (docs/benchmarks.md)."""
    db.execute(f"CREATE TABLE events_v4 (id INTEGER PRIMARY KEY, {_EVENT_COLUMNS})")
    columns = "id, exercise, stream, seq, kind, payload, clock, wall, actor, role"
    db.execute(f"INSERT INTO events_v4 ({columns}) SELECT {columns} FROM events ORDER BY id")
    db.execute("DROP TABLE events")  # with its index and triggers
    db.execute("ALTER TABLE events_v4 RENAME TO events")
    db.execute("DELETE FROM sqlite_sequence WHERE name IN ('events', 'events_v4')")
    _create_event_triggers(db)


MIGRATIONS: list[Migration] = [
    _create_initial_tables,
    _create_seats,
    _create_saved_states,
    _lighter_events,
]
"""Every schema change ever made, oldest first; never reorder or remove an entry."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this simtrain writes."""


def database(conn: sqlite3.Connection) -> Database:
    """sqlite-utils over ``conn`` (imported here, on first use: the schema and the cold
    paths need it, a command that only reads an up-to-date file never loads it)."""
    from sqlite_utils import Database

    # No plugins: third-party sqlite-utils plugins must not touch our connection.
    return Database(conn, execute_plugins=False)


def prepare(conn: sqlite3.Connection, path: Path, *, create: bool) -> None:
    """Check that ``conn``'s file is a simtrain database (or empty and ``create``), then
    migrate it."""
    try:
        version = _inspect(conn, path, create=create)
        _enter_wal(conn)
        if version < len(MIGRATIONS):
            _migrate(database(conn), path)
    except sqlite3.Error as exc:
        raise translate_error(exc, path) from exc


WAL_SWITCH_DEADLINE_S = 30.0
"""How long to keep trying to switch a brand-new file to WAL while others open it too."""


def _enter_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL (a no-op once it is).

    The switch needs the file to itself. When several processes create the same new file
    at the same moment, each one's brief reads can make another's switch fail at once
    with "database is locked", without SQLite's busy handler waiting; so retry, with a
    little random back-off, until a deadline.
    """
    deadline = time.monotonic() + WAL_SWITCH_DEADLINE_S
    while True:
        try:
            conn.execute(WAL_PRAGMA)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            import random  # only when processes race to create one file

            time.sleep(0.02 + random.random() * 0.08)


def _inspect(conn: sqlite3.Connection, path: Path, *, create: bool) -> int:
    """The file's schema version (0 for an empty file); refuses files that are not ours."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        if not create:
            raise StoreError(f"{path} is empty: it holds no simtrain exercises.")
        return 0
    meta: dict[str, str] = {}
    if "meta" in tables:
        try:
            meta = {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM meta")}
        except sqlite3.OperationalError:
            meta = {}
    if meta.get("app") != APP:
        shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        raise StoreError(
            f"{path} is a SQLite database written by another program (it has the tables "
            f"{shown} but no simtrain marker). simtrain will not change it; "
            "use a new file name."
        )
    try:
        version = int(meta.get("schema_version", ""))
    except ValueError:
        raise StoreError(
            f"{path} has a damaged simtrain marker (schema_version is "
            f"{meta.get('schema_version')!r}). Restore it from a backup."
        ) from None
    if version > len(MIGRATIONS):
        raise StoreError(
            f"{path} was written by a newer simtrain (schema version {version}; this "
            f"simtrain knows up to {len(MIGRATIONS)}). Upgrade simtrain to open it."
        )
    return version


def _migrate(db: Database, path: Path) -> None:
    """Apply the missing migrations and bump the marker, all in one transaction."""
    conn = db.conn
    with write_transaction(conn):
        # Another process may have migrated between our check and taking the write lock.
        version = _inspect(conn, path, create=True)
        if version == len(MIGRATIONS):
            return
        if version == 0:
            db.table("meta").create({"key": str, "value": str}, pk="key", if_not_exists=True)
            conn.execute("INSERT INTO meta (key, value) VALUES ('app', ?)", (APP,))
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            try:
                migration(db)
            except (StoreError, sqlite3.Error):
                raise
            except Exception as exc:
                raise StoreError(
                    f"Could not upgrade {path} to schema version {number} ({exc}); "
                    "the file was left as it was."
                ) from exc
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
            (str(len(MIGRATIONS)),),
        )
