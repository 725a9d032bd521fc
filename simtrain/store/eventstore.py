"""The event store: exercises, their teams' join codes, and an append-only event log.

One :class:`EventStore` wraps one connection to the shared SQLite file. Events live in
streams (a string per team such as ``"team:red"``, one for the exercise clock…; the store
does not interpret them). Within a stream, events are numbered ``seq`` 1, 2, 3… without
gaps; across the whole file, ``id`` is a cursor that only grows. Optimistic concurrency is
the database's job: :meth:`EventStore.append` names the seq the caller last saw and
fails with :class:`ConcurrencyError`, writing nothing, if the stream has moved on.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec.structs import replace

from simtrain.plaintext import clean_line
from simtrain.store import schema, wakeup
from simtrain.store.codes import generate_join_code, hash_code, new_salt, verify_code
from simtrain.store.connection import (
    CHECKPOINT_INTERVAL_S,
    check_private,
    connect,
    create_private,
    translate_error,
    write_transaction,
)
from simtrain.store.errors import ConcurrencyError, StoreError
from simtrain.store.leases import LeaseFiles
from simtrain.store.records import (
    ExerciseCopy,
    ExerciseRecord,
    NewEvent,
    SeatRecord,
    StoredEvent,
)
from simtrain.store.rows import (
    _SAVED_STATES_TEMPLATE,
    _already_there,
    _appended,
    _checked_exercise_id,
    _checked_seq,
    _checked_team_names,
    _copy_rows,
    _encode,
    _encode_settings,
    _exercise_record,
    _new_exercise_id,
    _read_kinds_sql,
    _restore_sql,
    _save_states_sql,
    _saved_state_rows,
    _StoreBase,
    _stored_events,
    read_json,
)
from simtrain.store.rows import _no_exercise as _no_exercise_error
from simtrain.store.rows import _no_team as _no_team_error
from simtrain.store.schema import SEQ_CONFLICT

if TYPE_CHECKING:
    from sqlite_utils import Database

# The hot path uses the driver directly with constant SQL strings: sqlite3 keeps a cache
# of prepared statements keyed by the SQL text, so each statement is compiled once per
# connection. sqlite-utils handles the schema and the cold paths.
_LAST_SEQ_SQL = "SELECT max(seq) FROM events WHERE exercise = ? AND stream = ?"
_INSERT_SQL = (
    "INSERT INTO events (exercise, stream, seq, kind, payload, clock, wall, actor, role) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_COLUMNS = "id, stream, seq, kind, payload, clock, wall, actor, role"
# The whole exercise after a cursor walks the ids (the table's own key) from the cursor:
# the unary + on "+exercise" keeps the planner off the (exercise, stream, seq) index,
# which would read every event of the exercise and then sort them. A watcher's cursor is
# near the end, so it reads only the few rows after it.
_READ_ALL_SQL = f"SELECT {_COLUMNS} FROM events WHERE +exercise = ? AND id > ? ORDER BY id"
# Within one stream seq grows with id (writers are serialised), so ordering by seq is
# ordering by id, and lets SQLite walk the UNIQUE index without sorting. The unary + on
# "+id" keeps the planner off the (exercise, id) index, which would scan every team's
# events of the exercise and then sort them.
_READ_STREAM_SQL = (
    f"SELECT {_COLUMNS} FROM events WHERE exercise = ? AND stream = ? AND +id > ? ORDER BY seq"
)
_READ_STREAM_UNTIL_SQL = (
    f"SELECT {_COLUMNS} FROM events "
    "WHERE exercise = ? AND stream = ? AND +id > ? AND seq <= ? ORDER BY seq"
)
_LAST_ID_SQL = "SELECT id FROM events WHERE +exercise = ? ORDER BY id DESC LIMIT 1"
"""From the newest row back to the exercise's newest (the first row in a file of one
exercise)."""
_EXERCISE_EXISTS_SQL = "SELECT 1 FROM exercises WHERE id = ?"
_EXERCISE_COLUMNS = "id, title, scenario_id, scenario_text, scenario_sha256, created_wall, settings"

_RESTORE_SQL = _restore_sql("?")
_SAVE_STATE_SQL = _save_states_sql("?")
_SAVED_STATES_SQL = _SAVED_STATES_TEMPLATE.format("?")

_POLL_INTERVAL_S = 0.02
"""How often wait_for_events looks for other processes' commits (where writes are not
reported, and for a moment after each reported write)."""

WAKE_FALLBACK_S = 1.0
"""Where writes are reported, how long a waiter sleeps at most before looking anyway."""

WAKE_SETTLE_S = 0.15
"""How long after a reported write a waiter keeps looking every ``poll`` s."""


class EventStore(_StoreBase):
    """An open simtrain database. Use :meth:`open`; close it (or use ``with``) when done.

    Safe to share between threads of one process; every process opens its own.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        """Wrap an already prepared connection; call :meth:`open` instead."""
        self._conn = conn
        self._database: Database | None = None
        self.path = path
        """The database file."""
        self._lock = threading.RLock()
        self._own_commits = 0
        self._last_checkpoint = time.monotonic()
        self._watches: dict[threading.Thread, wakeup.DirectoryWrites] = {}
        """Each waiting thread's inotify watch, kept between waits (making and closing
        one for every wait cost an idle seat more than the waiting itself)."""
        self._leases = LeaseFiles(path)
        """Live seats' leases, beside the file: a renewal is no commit that wakes every
        seat (:mod:`simtrain.store.leases`)."""
        self._known: set[str] = set()
        """Exercises seen to exist. None is ever deleted, so a read that finds no rows
        (a team with nothing new: every fold of ``status``) asks whether its exercise
        exists once per handle, not on every empty read."""

    # -- opening and closing ---------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False) -> EventStore:
        """Open the simtrain database at ``path``, upgrading its schema if it is older.

        Without ``create`` a missing file is refused and nothing is created. Refuses,
        with a :class:`StoreError`, files that are not SQLite or are damaged, SQLite
        files of other programs, and databases written by a newer simtrain.
        """
        path = Path(path)
        conn = connect(path, create=create)
        try:
            schema.prepare(conn, path, create=create)
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    @property
    def _db(self) -> Database:
        """sqlite-utils over the connection, for the cold paths (creating an exercise);
        imported on first use, so that commands that only read never load it."""
        if self._database is None:
            self._database = schema.database(self._conn)
        return self._database

    def close(self) -> None:
        """Close the connection (the last process to close folds the WAL into the file)."""
        with self._lock:
            self._conn.close()
            for watch in self._watches.values():
                watch.close()
            self._watches.clear()

    def _directory_writes(self) -> wakeup.DirectoryWrites | None:
        """This thread's watch on the database's directory (None where there is none),
        with the writes reported before now dropped."""
        thread = threading.current_thread()
        watch = self._watches.get(thread)
        if watch is not None:
            watch.forget()
            return watch
        watch = wakeup.changes(self.path)
        if watch is None:
            return None
        with self._lock:
            # the watches of threads that have ended go (each is a kernel inotify instance)
            for ended in [t for t in self._watches if not t.is_alive()]:
                self._watches.pop(ended).close()
            self._watches[thread] = watch
        return watch

    def __repr__(self) -> str:
        return f"EventStore({str(self.path)!r})"

    @property
    def location(self) -> str:
        """The database file, for messages."""
        return str(self.path)

    # -- exercises ---------------------------------------------------------------------

    def create_exercise(
        self,
        *,
        exercise_id: str | None,
        title: str,
        scenario_id: str,
        scenario_text: str,
        teams: Sequence[str],
        settings: dict[str, Any] | None = None,
    ) -> tuple[ExerciseRecord, dict[str, str]]:
        """Record a new exercise with a full copy of its scenario and a join code per team.

        Returns the record and the plaintext join codes ``{team: code}``; only salted
        hashes are stored, so this is the one chance to show them. ``exercise_id=None``
        picks a short unique id such as ``"ex-k7qf3m"``.
        """
        if exercise_id is not None:
            _checked_exercise_id(exercise_id)
        team_names = _checked_team_names(teams)
        title = clean_line(title)
        settings_json = _encode_settings(settings)
        codes = {team: generate_join_code() for team in team_names}
        # Hashing is deliberately slow, so it happens before taking the write lock.
        salts = {team: new_salt() for team in team_names}
        hashes = {team: hash_code(codes[team], salts[team]) for team in team_names}
        sha256 = hashlib.sha256(scenario_text.encode("utf-8")).hexdigest()
        created = time.time()
        with self._lock:
            try:
                with write_transaction(self._conn):
                    if exercise_id is None:
                        exercise_id = self._unused_exercise_id()
                    elif self._exercise_exists(exercise_id):
                        raise _already_there(exercise_id, self.location, "choose another id.")
                    self._db.table("exercises").insert(
                        {
                            "id": exercise_id,
                            "title": title,
                            "scenario_id": scenario_id,
                            "scenario_text": scenario_text,
                            "scenario_sha256": sha256,
                            "created_wall": created,
                            "settings": settings_json,
                        }
                    )
                    self._db.table("teams").insert_all(
                        {
                            "exercise": exercise_id,
                            "name": team,
                            "position": position,
                            "code_hash": hashes[team],
                            "code_salt": salts[team],
                        }
                        for position, team in enumerate(team_names)
                    )
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            self._own_commits += 1
        record = ExerciseRecord(
            id=exercise_id,
            title=title,
            scenario_id=scenario_id,
            scenario_text=scenario_text,
            scenario_sha256=sha256,
            created_wall=created,
            settings=read_json(settings_json),
            teams=team_names,
        )
        return record, codes

    def exercises(self) -> list[ExerciseRecord]:
        """Every exercise in the file, oldest first."""
        with self._lock:
            try:
                # Exercises first: an exercise and its teams are written in one
                # transaction, so every exercise read here finds its teams below.
                rows = self._conn.execute(
                    f"SELECT {_EXERCISE_COLUMNS} FROM exercises ORDER BY created_wall, id"
                ).fetchall()
                team_rows = self._conn.execute(
                    "SELECT exercise, name FROM teams ORDER BY exercise, position"
                ).fetchall()
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
        teams: dict[str, list[str]] = {}
        for exercise, name in team_rows:
            teams.setdefault(exercise, []).append(name)
        return [_exercise_record(row, teams.get(row[0], [])) for row in rows]

    def exercise(self, exercise_id: str) -> ExerciseRecord:
        """One exercise; a :class:`StoreError` with a "did you mean" hint if there is none."""
        with self._lock:
            try:
                row = self._conn.execute(
                    f"SELECT {_EXERCISE_COLUMNS} FROM exercises WHERE id = ?", (exercise_id,)
                ).fetchone()
                if row is None:
                    raise self._no_exercise(exercise_id)
                names = [
                    name
                    for (name,) in self._conn.execute(
                        "SELECT name FROM teams WHERE exercise = ? ORDER BY position",
                        (exercise_id,),
                    )
                ]
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
        return _exercise_record(row, names)

    def check_code(self, exercise_id: str, team: str, code: str) -> bool:
        """Whether ``code`` is the team's join code (case, spaces and dashes ignored).

        An unknown exercise or team is a :class:`StoreError`, not a wrong code.
        """
        with self._lock:
            try:
                row = self._conn.execute(
                    "SELECT code_hash, code_salt FROM teams WHERE exercise = ? AND name = ?",
                    (exercise_id, team),
                ).fetchone()
                if row is None:
                    raise self._no_team(exercise_id, team)
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
        return verify_code(code, row[0], row[1])

    # -- the roster --------------------------------------------------------------------

    def seat_arrive(
        self,
        exercise_id: str,
        seat_id: str,
        *,
        team: str,
        name: str,
        role: str,
        kind: str,
        lease: float,
    ) -> bool:
        """Record a seat as present for ``lease`` seconds from now; True when it (re)joined
        (new, or back after leaving or after its lease ran out), False when it was online."""
        with self._lock:
            try:
                with write_transaction(self._conn):
                    now = time.time()
                    row = self._conn.execute(
                        "SELECT expires_wall, left_wall FROM seats WHERE id = ?", (seat_id,)
                    ).fetchone()
                    if row is None:
                        if not self._exercise_exists(exercise_id):
                            raise self._no_exercise(exercise_id)
                        self._conn.execute(
                            "INSERT INTO seats (id, exercise, team, name, role, kind, "
                            "joined_wall, seen_wall, expires_wall, left_wall) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                            (seat_id, exercise_id, team, name, role, kind, now, now, now + lease),
                        )
                        rejoined = True
                    else:
                        leased = self._leases.expiries([seat_id]).get(seat_id, 0.0)
                        rejoined = row[1] is not None or max(row[0], leased) <= now
                        self._conn.execute(
                            "UPDATE seats SET seen_wall = ?, expires_wall = ?, left_wall = NULL, "
                            "joined_wall = CASE WHEN ? THEN ? ELSE joined_wall END WHERE id = ?",
                            (now, now + lease, rejoined, now, seat_id),
                        )
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            self._own_commits += 1
            self._leases.start(seat_id, now + lease)
        return rejoined

    def seat_renew(self, seat_id: str, lease: float) -> bool:
        """A heartbeat: extend a seat's lease; False if the seat has left (or never was).
        Written to the seat's lease file when it has one (no commit: nobody wakes)."""
        if self._leases.renew(seat_id, time.time() + lease):
            return True
        with self._lock:
            try:
                with write_transaction(self._conn):
                    now = time.time()
                    cursor = self._conn.execute(
                        "UPDATE seats SET seen_wall = ?, expires_wall = ? "
                        "WHERE id = ? AND left_wall IS NULL",
                        (now, now + lease, seat_id),
                    )
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            self._own_commits += 1
        return cursor.rowcount > 0

    def seat_leave(self, seat_id: str) -> bool:
        """The seat quits; False if it had already left (or never was)."""
        with self._lock:
            try:
                with write_transaction(self._conn):
                    cursor = self._conn.execute(
                        "UPDATE seats SET left_wall = ? WHERE id = ? AND left_wall IS NULL",
                        (time.time(), seat_id),
                    )
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            self._own_commits += 1
            self._leases.end(seat_id)
        return cursor.rowcount > 0

    def seats(self, exercise_id: str) -> list[SeatRecord]:
        """Every seat of an exercise that ever joined, in order of first joining."""
        with self._lock:
            try:
                rows = self._conn.execute(
                    "SELECT id, team, name, role, kind, joined_wall, seen_wall, expires_wall, "
                    "left_wall FROM seats WHERE exercise = ? ORDER BY rowid",
                    (exercise_id,),
                ).fetchall()
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
        seats = [SeatRecord(*row) for row in rows]
        leased = self._leases.expiries([s.id for s in seats if s.left_wall is None])
        return [_leased(seat, leased.get(seat.id, 0.0)) for seat in seats]

    # -- writing events ----------------------------------------------------------------

    def append_many(
        self,
        exercise_id: str,
        batches: Sequence[tuple[str, int, Sequence[NewEvent]]],
        *,
        unchanged: Sequence[tuple[str, int]] = (),
    ) -> list[StoredEvent]:
        """Append to several streams in one transaction: every batch is written or none.

        Each batch is ``(stream, expected_seq, events)`` as for :meth:`append`; a stream
        may appear twice, the second batch expecting the seq the first one left.
        ``unchanged`` as for :meth:`append`.
        """
        encoded = [
            (stream, _checked_seq(expected), [_encode(event) for event in events])
            for stream, expected, events in batches
        ]
        guards = [(stream, _checked_seq(seq)) for stream, seq in unchanged]
        if not any(rows for _, _, rows in encoded):
            return []
        conn = self._conn
        ids: list[int] = []
        refusal: StoreError | None = None
        now, stream, expected = 0.0, "", 0
        with self._lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    # under the write lock: no other writer can move these streams until COMMIT
                    refusal = self._moved_on(exercise_id, guards)
                    now = time.time()
                    # No read of the last seq first: the events_seq_follows trigger refuses
                    # an INSERT whose seq is not the stream's last seq + 1.
                    for stream, expected, rows in encoded if refusal is None else ():
                        seq = expected
                        for kind, payload, clock, wall, actor, role in rows:
                            seq += 1
                            cursor = conn.execute(
                                _INSERT_SQL,
                                (
                                    exercise_id,
                                    stream,
                                    seq,
                                    kind,
                                    payload,
                                    clock,
                                    now if wall is None else wall,
                                    actor,
                                    role,
                                ),
                            )
                            ids.append(cursor.lastrowid)  # type: ignore[arg-type]
                except sqlite3.IntegrityError as exc:
                    # Still inside the transaction: the stream's seq seen now is the one
                    # that refused us, not what another writer makes of it after ROLLBACK.
                    try:
                        refusal = self._refusal(exc, exercise_id, stream, expected)
                    finally:
                        conn.execute("ROLLBACK")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                else:
                    conn.execute("COMMIT" if refusal is None else "ROLLBACK")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise self._error(exc) from exc
            if refusal is not None:
                raise refusal
            self._own_commits += 1
        self._maybe_checkpoint()
        return _appended(exercise_id, encoded, ids, now)

    # -- reading events ----------------------------------------------------------------

    def last_seq(self, exercise_id: str, stream: str) -> int:
        """The seq of the stream's last event; 0 when the stream is empty."""
        with self._lock:
            try:
                last = self._conn.execute(_LAST_SEQ_SQL, (exercise_id, stream)).fetchone()[0]
                if last is None and not self._exercise_exists(exercise_id):
                    raise self._no_exercise(exercise_id)
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
        return int(last or 0)

    def read(
        self,
        exercise_id: str,
        stream: str | None = None,
        *,
        after_id: int = 0,
        until_seq: int | None = None,
    ) -> list[StoredEvent]:
        """The exercise's events (or one stream's) with id > ``after_id``, ordered by id.

        ``until_seq`` (with a stream) stops at that seq, e.g. to replay a team's state as
        it was. Events are read in one statement, so they are one consistent snapshot.
        """
        if stream is None:
            if until_seq is not None:
                raise ValueError("until_seq needs a stream")
            sql: str = _READ_ALL_SQL
            params: tuple[Any, ...] = (exercise_id, after_id)
        elif until_seq is None:
            sql, params = _READ_STREAM_SQL, (exercise_id, stream, after_id)
        else:
            sql, params = _READ_STREAM_UNTIL_SQL, (exercise_id, stream, after_id, until_seq)
        with self._lock:
            try:
                rows = self._conn.execute(sql, params).fetchall()
                if not rows and not self._exercise_exists(exercise_id):
                    raise self._no_exercise(exercise_id)
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
        return _stored_events(exercise_id, rows)

    def read_kinds(
        self,
        exercise_id: str,
        stream: str,
        kinds: Sequence[str],
        *,
        until_seq: int | None = None,
        limit: int | None = None,
        newest: bool = False,
        since_seq: int = 1,
    ) -> list[StoredEvent]:
        """The stream's events whose kind is one of ``kinds`` (from ``since_seq`` up to
        ``until_seq``), by seq: with ``limit``, only the first ``limit`` of them (with
        ``newest``, the last ``limit``, still in seq order)."""
        statement = _read_kinds_sql(
            "?", exercise_id, stream, kinds, until_seq, limit, newest, since_seq
        )
        with self._lock:
            try:
                rows = [] if statement is None else self._conn.execute(*statement).fetchall()
                if not rows and not self._exercise_exists(exercise_id):
                    raise self._no_exercise(exercise_id)
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
        return _stored_events(exercise_id, rows[::-1] if newest else rows)

    def last_id(self, exercise_id: str) -> int:
        """The id of the exercise's newest event (0 if none): a cursor for watchers."""
        with self._lock:
            try:
                row = self._conn.execute(_LAST_ID_SQL, (exercise_id,)).fetchone()
                last = None if row is None else row[0]
                if last is None and not self._exercise_exists(exercise_id):
                    raise self._no_exercise(exercise_id)
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
        return int(last or 0)

    def wait_for_events(
        self, exercise_id: str, after_id: int, timeout: float, poll: float = _POLL_INTERVAL_S
    ) -> list[StoredEvent]:
        """The exercise's events after the cursor, waiting up to ``timeout`` s for some.

        Returns as soon as any exist (from any process), or ``[]`` at the timeout. Where the
        kernel reports writes to files (Linux), it sleeps until the database's directory is
        written and only then asks SQLite whether anything was committed (``PRAGMA
        data_version``), asking again every ``poll`` s for a moment after each write (the
        write is reported before SQLite publishes the commit). Elsewhere it asks every
        ``poll`` s (20 ms unless told); each asking costs a little, so a process that keeps
        many waiting all day may poll less often.
        """
        deadline = time.monotonic() + timeout
        writes = self._directory_writes()  # before the marker: no write goes unseen
        # Take the change marker before reading, so a commit landing in between is seen.
        marker = self._change_marker()
        events = self.read(exercise_id, after_id=after_id)
        settling_until = 0.0
        while not events:
            now = time.monotonic()
            remaining = deadline - now
            if remaining <= 0:
                return []
            woke = False
            if writes is None:
                time.sleep(min(poll, remaining))
            elif now < settling_until:
                time.sleep(min(poll, _POLL_INTERVAL_S, remaining))
            else:
                woke = writes.wait(min(remaining, WAKE_FALLBACK_S))
            current = self._change_marker()
            if current != marker:
                marker = current
                settling_until = 0.0
                events = self.read(exercise_id, after_id=after_id)
            elif woke:
                # a write not (yet) published as a commit: look again for a moment
                settling_until = time.monotonic() + WAKE_SETTLE_S
            self._maybe_checkpoint()
        return events

    # -- saved states --------------------------------------------------------------------

    def save_states(
        self, exercise_id: str, key: str, states: Sequence[tuple[str, int, str]]
    ) -> int:
        """Keep saved states (see :meth:`Store.save_states`), in one write transaction."""
        rows = _saved_state_rows(exercise_id, key, states)
        with self._lock:
            try:
                with write_transaction(self._conn):
                    if not self._exercise_exists(exercise_id):
                        raise self._no_exercise(exercise_id)
                    kept = sum(self._conn.execute(_SAVE_STATE_SQL, row).rowcount for row in rows)
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            self._own_commits += 1
        return kept

    def saved_states(self, exercise_id: str, key: str) -> dict[str, tuple[int, str]]:
        """The states kept under ``key`` (see :meth:`Store.saved_states`)."""
        with self._lock:
            try:
                rows = self._conn.execute(_SAVED_STATES_SQL, (exercise_id, key)).fetchall()
                if not rows and not self._exercise_exists(exercise_id):
                    raise self._no_exercise(exercise_id)
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
        return {stream: (seq, state) for stream, seq, state in rows}

    # -- maintenance -------------------------------------------------------------------

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check``: ``"ok"``, or the problems it found."""
        with self._lock:
            try:
                rows = self._conn.execute("PRAGMA integrity_check").fetchall()
            except sqlite3.OperationalError as exc:
                raise self._error(exc) from exc
            except sqlite3.DatabaseError as exc:
                return str(exc)
        return "\n".join(str(row[0]) for row in rows)

    def backup(self, target: str | Path) -> int:
        """Copy the database to a new file ``target`` with SQLite's online backup API and
        return the number of events copied.

        The copy is one consistent snapshot even while other processes keep appending:
        it holds every committed event, the ones still in the -wal file included (copying
        the file alone would miss them). ``target`` must not exist yet; it is created 0600.
        """
        target = Path(target)
        if target.exists():
            raise StoreError(f"{target} already exists; choose a new file name for the copy.")
        if not target.parent.is_dir():
            raise StoreError(f"Cannot write {target}: the folder {target.parent} does not exist.")
        if target.resolve() == self.path.resolve():
            raise StoreError("The copy must be another file than the database itself.")
        create_private(target)
        try:
            copy = sqlite3.connect(target, isolation_level=None)
        except sqlite3.Error as exc:
            target.unlink(missing_ok=True)
            raise translate_error(exc, target) from exc
        try:
            with self._lock:
                # pages=-1: one step, under one read transaction: a consistent snapshot
                self._conn.backup(copy, pages=-1)
            count = copy.execute("SELECT count(*) FROM events").fetchone()[0]
            # leave one self-contained file: fold the copy's own WAL back into it
            copy.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.Error as exc:
            copy.close()
            target.unlink(missing_ok=True)
            raise translate_error(exc, target) from exc
        copy.close()
        check_private(target)
        return int(count)

    def export_exercise(self, exercise_id: str) -> ExerciseCopy:
        """The whole exercise, read in one transaction (one snapshot of the file)."""
        with self._lock:
            try:
                self._conn.execute("BEGIN")
                try:
                    record = self.exercise(exercise_id)
                    codes = self._conn.execute(
                        "SELECT name, code_hash, code_salt FROM teams WHERE exercise = ? "
                        "ORDER BY position",
                        (exercise_id,),
                    ).fetchall()
                    events = self.read(exercise_id)
                    seats = self.seats(exercise_id)
                finally:
                    self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
        return ExerciseCopy(record, tuple(codes), tuple(events), tuple(seats))

    def restore_exercise(self, copy: ExerciseCopy) -> None:
        """Write an exercise exported from any store, in one transaction: its events get
        this file's ids, in the same order, and the join codes keep working. Refuses an
        exercise id that is already here."""
        exercise_row, team_rows, event_rows, seat_rows = _copy_rows(copy)
        with self._lock:
            try:
                with write_transaction(self._conn):
                    if self._exercise_exists(copy.record.id):
                        raise _already_there(copy.record.id, self.location, "nothing was copied.")
                    conn = self._conn
                    conn.execute(_RESTORE_SQL["exercises"], exercise_row)
                    conn.executemany(_RESTORE_SQL["teams"], team_rows)
                    conn.executemany(_INSERT_SQL, event_rows)
                    conn.executemany(_RESTORE_SQL["seats"], seat_rows)
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            self._own_commits += 1

    # -- helpers -----------------------------------------------------------------------

    def _change_marker(self) -> tuple[int, int]:
        """Changes when any connection commits: data_version covers the others."""
        with self._lock:
            try:
                version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            return int(version), self._own_commits

    def _maybe_checkpoint(self) -> None:
        """A passive checkpoint now and then; never waits for readers or writers."""
        now = time.monotonic()
        if now - self._last_checkpoint < CHECKPOINT_INTERVAL_S:
            return
        self._last_checkpoint = now
        # Best effort: the write before it has committed, and the automatic checkpoint
        # or the next attempt will catch up.
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _exercise_exists(self, exercise_id: str) -> bool:
        if exercise_id in self._known:
            return True
        found = self._conn.execute(_EXERCISE_EXISTS_SQL, (exercise_id,)).fetchone() is not None
        if found:
            self._known.add(exercise_id)
        return found

    def _unused_exercise_id(self) -> str:
        while True:
            candidate = _new_exercise_id()
            if not self._exercise_exists(candidate):
                return candidate

    def _no_exercise(self, exercise_id: str) -> StoreError:
        known = [row[0] for row in self._conn.execute("SELECT id FROM exercises ORDER BY id")]
        return _no_exercise_error(exercise_id, self.location, known)

    def _no_team(self, exercise_id: str, team: str) -> StoreError:
        if not self._exercise_exists(exercise_id):
            return self._no_exercise(exercise_id)
        known = [
            row[0]
            for row in self._conn.execute(
                "SELECT name FROM teams WHERE exercise = ? ORDER BY position", (exercise_id,)
            )
        ]
        return _no_team_error(exercise_id, team, known)

    def _moved_on(
        self, exercise_id: str, guards: Sequence[tuple[str, int]]
    ) -> ConcurrencyError | None:
        """The refusal for the first guarded stream that is no longer at its seq."""
        for stream, seq in guards:
            actual = int(
                self._conn.execute(_LAST_SEQ_SQL, (exercise_id, stream)).fetchone()[0] or 0
            )
            if actual != seq:
                return ConcurrencyError(exercise_id, stream, seq, actual)
        return None

    def _refusal(
        self, exc: sqlite3.IntegrityError, exercise_id: str, stream: str, expected: int
    ) -> StoreError:
        """Why an INSERT into events was refused, asked inside the failed transaction."""
        if not self._exercise_exists(exercise_id):
            return self._no_exercise(exercise_id)
        if SEQ_CONFLICT in str(exc) or "UNIQUE" in str(exc):
            actual = self._conn.execute(_LAST_SEQ_SQL, (exercise_id, stream)).fetchone()[0]
            return ConcurrencyError(exercise_id, stream, expected, int(actual or 0))
        return self._error(exc)

    def _error(self, exc: sqlite3.Error) -> StoreError:
        return translate_error(exc, self.path)


def _leased(seat: SeatRecord, expires: float) -> SeatRecord:
    """``seat`` with the expiry of its lease file when that is later than the table's (its
    last heartbeat as long before the expiry as the lease it joined with)."""
    if expires <= seat.expires_wall:
        return seat
    lease = seat.expires_wall - seat.seen_wall
    return replace(seat, seen_wall=expires - lease, expires_wall=expires)
