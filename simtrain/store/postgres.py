"""The PostgreSQL store: one server database shared by the simtrain processes of many hosts.

Opened from ``--db postgresql://USER@HOST[:PORT]/DATABASE`` (see :func:`simtrain.store.open_store`);
it keeps the :class:`~simtrain.store.Store` contract with the server's own mechanisms:

- every command is one transaction; an append first locks its exercise's row
  (``FOR NO KEY UPDATE``), so the ``unchanged`` guards and the expected seqs are checked
  under the same lock the insert trigger takes, and ids are taken in commit order;
- ``UNIQUE (exercise, stream, seq)``, a gapless-seq trigger and append-only triggers keep
  streams right whoever writes (:mod:`simtrain.store.pg_schema`);
- :meth:`PostgresStore.wait_for_events` sleeps on ``LISTEN`` (the insert trigger
  notifies at commit): no polling;
- a server that goes away is reported as a sentence; the next call reconnects, and a
  watcher catches up from its cursor, so nothing is lost or read twice. A write whose
  connection broke before ``COMMIT`` was sent is retried once on a new connection (it
  wrote nothing); one that broke during ``COMMIT`` is reported as such, and retrying it
  is safe because the expected seq refuses a second copy.

Needs the psycopg 3 driver: ``pip install 'simtrain[postgres]'``.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict

from simtrain.plaintext import clean_line
from simtrain.store import pg_schema
from simtrain.store.codes import generate_join_code, hash_code, new_salt, verify_code
from simtrain.store.errors import ConcurrencyError, StoreError
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

T = TypeVar("T")
Connection = psycopg.Connection[tuple[Any, ...]]

CONNECT_TIMEOUT_S = 5
"""How long to wait for the server to answer a new connection."""
LOCK_TIMEOUT_MS = 5_000
"""How long a writer waits for another process's transaction on the same exercise."""
_KEEPALIVE = {"keepalives": "1", "keepalives_idle": "10", "keepalives_interval": "5"}
"""Notice a vanished server within about half a minute even while only listening."""
_LISTEN_SLICE_S = 5.0
"""A waiting watcher re-reads at least this often, in case a notification was lost."""

_COLUMNS = "id, stream, seq, kind, payload, clock, wall, actor, role"
_READ_ALL_SQL = f"SELECT {_COLUMNS} FROM events WHERE exercise = %s AND id > %s ORDER BY id"
_READ_STREAM_SQL = (
    f"SELECT {_COLUMNS} FROM events WHERE exercise = %s AND stream = %s AND id > %s ORDER BY seq"
)
_READ_STREAM_UNTIL_SQL = (
    f"SELECT {_COLUMNS} FROM events "
    "WHERE exercise = %s AND stream = %s AND id > %s AND seq <= %s ORDER BY seq"
)
# A stream's last seq (an exercise's last id) as one index entry (ORDER BY … LIMIT 1):
# a max() run as a prepared statement's generic plan aggregates the whole stream, and
# psycopg prepares a statement from its fifth run on.
_LAST_SEQ_SQL = (
    "SELECT seq FROM events WHERE exercise = %s AND stream = %s ORDER BY seq DESC LIMIT 1"
)
_LAST_SEQS_SQL = (
    "SELECT wanted.stream, coalesce((SELECT seq FROM events WHERE exercise = %s AND "
    "stream = wanted.stream ORDER BY seq DESC LIMIT 1), 0) "
    "FROM unnest(%s::text[]) AS wanted(stream)"
)
_LAST_ID_SQL = "SELECT id FROM events WHERE exercise = %s ORDER BY id DESC LIMIT 1"
_LOCK_EXERCISE_SQL = "SELECT 1 FROM exercises WHERE id = %s FOR NO KEY UPDATE"
_EXERCISE_EXISTS_SQL = "SELECT 1 FROM exercises WHERE id = %s"
_INSERT_SQL = (
    "INSERT INTO events (exercise, stream, seq, kind, payload, clock, wall, actor, role) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
)
_EXERCISE_COLUMNS = "id, title, scenario_id, scenario_text, scenario_sha256, created_wall, settings"
_RESTORE_SQL = _restore_sql("%s")
_SAVE_STATE_SQL = _save_states_sql("%s")
_SAVED_STATES_SQL = _SAVED_STATES_TEMPLATE.format("%s")

_PASSWORD_IN_URL = re.compile(r"(://[^:/@?#]*):[^@/?#]*@")


def redacted(url: str) -> str:
    """``url`` with any password replaced by ``***``, for messages."""
    return _PASSWORD_IN_URL.sub(r"\1:***@", url)


class _Lost(Exception):
    """The connection broke before COMMIT was sent: the transaction wrote nothing."""

    def __init__(self, cause: psycopg.Error) -> None:
        super().__init__(str(cause))
        self.cause = cause


class PostgresStore(_StoreBase):
    """An open simtrain database on a PostgreSQL server. Use :meth:`open`; close it when done.

    Safe to share between threads of one process (one connection, used under a lock,
    and a second one that only listens); every process opens its own.
    """

    def __init__(self, url: str, params: dict[str, Any], conn: Connection) -> None:
        """Wrap an already prepared connection; call :meth:`open` instead."""
        self._url = url
        self._params = params
        self._conn: Connection | None = conn
        self._listener: Connection | None = None
        self._lock = threading.RLock()
        self._listen_lock = threading.Lock()
        self._closed = False
        self._location = _location(params)

    # -- opening and closing ---------------------------------------------------------

    @classmethod
    def open(cls, url: str, *, create: bool = False) -> PostgresStore:
        """Connect to the database named by ``url`` and upgrade its schema if it is older.

        Without ``create`` a database without simtrain's tables is refused and nothing is
        written; with it, an empty database gets them. The database itself must exist
        (create it with ``createdb``). Refuses with a :class:`StoreError` a URL it cannot
        read, a server it cannot reach, a refused login, databases of other programs and
        databases written by a newer simtrain.
        """
        try:
            params = conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            raise StoreError(
                f"'{redacted(url)}' is not a PostgreSQL address simtrain can read ({exc}). "
                "Write it as postgresql://USER@HOST:PORT/DATABASE."
            ) from None
        location = _location(params)
        conn = _connect(params, location)
        try:
            pg_schema.prepare(conn, location, create=create)
        except psycopg.Error as exc:
            conn.close()
            raise _translate(exc, location) from None
        except BaseException:
            conn.close()
            raise
        return cls(url, params, conn)

    def close(self) -> None:
        """Close the connections; the store is unusable afterwards."""
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None
        with self._listen_lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None

    def __repr__(self) -> str:
        return f"PostgresStore({self._location!r})"

    @property
    def location(self) -> str:
        """The server and database, without the password."""
        return self._location

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
        """Record a new exercise with a full copy of its scenario and a join code per team
        (returned once in plaintext; only salted hashes are stored)."""
        if exercise_id is not None:
            _checked_exercise_id(exercise_id)
        team_names = _checked_team_names(teams)
        title = clean_line(title)
        settings_json = _encode_settings(settings)
        codes = {team: generate_join_code() for team in team_names}
        salts = {team: new_salt() for team in team_names}
        hashes = {team: hash_code(codes[team], salts[team]) for team in team_names}
        sha256 = hashlib.sha256(scenario_text.encode("utf-8")).hexdigest()
        created = time.time()

        def insert(conn: Connection) -> str:
            chosen = exercise_id
            if chosen is None:
                chosen = _new_exercise_id()
                while self._exercise_exists(conn, chosen):
                    chosen = _new_exercise_id()
            elif self._exercise_exists(conn, chosen):
                raise self._exists(chosen)
            try:
                conn.execute(
                    f"INSERT INTO exercises ({_EXERCISE_COLUMNS}) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    (chosen, title, scenario_id, scenario_text, sha256, created, settings_json),
                )
            except pg_errors.UniqueViolation:
                raise self._exists(chosen) from None
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO teams (exercise, name, position, code_hash, code_salt) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    [
                        (chosen, team, position, hashes[team], salts[team])
                        for position, team in enumerate(team_names)
                    ],
                )
            return chosen

        chosen = self._write(insert)
        record = ExerciseRecord(
            id=chosen,
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
        """Every exercise in the database, oldest first."""

        return self._read(self._records)

    def exercise(self, exercise_id: str) -> ExerciseRecord:
        """One exercise; a :class:`StoreError` with a "did you mean" hint if there is none."""

        def query(conn: Connection) -> ExerciseRecord:
            row = conn.execute(
                f"SELECT {_EXERCISE_COLUMNS} FROM exercises WHERE id = %s", (exercise_id,)
            ).fetchone()
            if row is None:
                raise self._no_exercise(conn, exercise_id)
            names = conn.execute(
                "SELECT name FROM teams WHERE exercise = %s ORDER BY position", (exercise_id,)
            ).fetchall()
            return _exercise_record(row, [name for (name,) in names])

        return self._read(query)

    def check_code(self, exercise_id: str, team: str, code: str) -> bool:
        """Whether ``code`` is the team's join code (case, spaces and dashes ignored)."""

        def query(conn: Connection) -> tuple[str, str]:
            row = conn.execute(
                "SELECT code_hash, code_salt FROM teams WHERE exercise = %s AND name = %s",
                (exercise_id, team),
            ).fetchone()
            if row is None:
                raise self._no_team(conn, exercise_id, team)
            return str(row[0]), str(row[1])

        code_hash, salt = self._read(query)
        return verify_code(code, code_hash, salt)

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

        def arrive(conn: Connection) -> bool:
            now = time.time()
            row = conn.execute(
                "SELECT expires_wall, left_wall FROM seats WHERE id = %s FOR UPDATE", (seat_id,)
            ).fetchone()
            if row is None:
                if not self._exercise_exists(conn, exercise_id):
                    raise self._no_exercise(conn, exercise_id)
                conn.execute(
                    "INSERT INTO seats (id, exercise, team, name, role, kind, "
                    "joined_wall, seen_wall, expires_wall, left_wall) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, NULL)",
                    (seat_id, exercise_id, team, name, role, kind, now, now, now + lease),
                )
                return True
            rejoined = row[1] is not None or row[0] <= now
            conn.execute(
                "UPDATE seats SET seen_wall = %s, expires_wall = %s, left_wall = NULL, "
                "joined_wall = CASE WHEN %s THEN %s ELSE joined_wall END WHERE id = %s",
                (now, now + lease, rejoined, now, seat_id),
            )
            return bool(rejoined)

        return self._write(arrive)

    def seat_renew(self, seat_id: str, lease: float) -> bool:
        """A heartbeat: extend a seat's lease; False if the seat has left (or never was)."""

        def renew(conn: Connection) -> bool:
            now = time.time()
            done = conn.execute(
                "UPDATE seats SET seen_wall = %s, expires_wall = %s "
                "WHERE id = %s AND left_wall IS NULL",
                (now, now + lease, seat_id),
            )
            return done.rowcount > 0

        return self._write(renew)

    def seat_leave(self, seat_id: str) -> bool:
        """The seat quits; False if it had already left (or never was)."""

        def leave(conn: Connection) -> bool:
            done = conn.execute(
                "UPDATE seats SET left_wall = %s WHERE id = %s AND left_wall IS NULL",
                (time.time(), seat_id),
            )
            return done.rowcount > 0

        return self._write(leave)

    def seats(self, exercise_id: str) -> list[SeatRecord]:
        """Every seat of an exercise that ever joined, in order of first joining."""

        return self._read(lambda conn: self._seats(conn, exercise_id))

    # -- writing events ----------------------------------------------------------------

    def append_many(
        self,
        exercise_id: str,
        batches: Sequence[tuple[str, int, Sequence[NewEvent]]],
        *,
        unchanged: Sequence[tuple[str, int]] = (),
    ) -> list[StoredEvent]:
        """Append ``(stream, expected_seq, events)`` batches in one transaction: all or none.

        Under the exercise's row lock, every guarded stream (``unchanged``) must still be
        at its seq and every batch's stream at its expected seq, or
        :class:`ConcurrencyError` and nothing is written.
        """
        encoded = [
            (stream, _checked_seq(expected), [_encode(event) for event in events])
            for stream, expected, events in batches
        ]
        guards = [(stream, _checked_seq(seq)) for stream, seq in unchanged]
        if not any(rows for _, _, rows in encoded):
            return []
        streams = sorted({stream for stream, _ in guards} | {s for s, _, _ in encoded})

        def insert(conn: Connection) -> tuple[float, list[int]]:
            # one round trip: the lock, then (a new snapshot, as the lock may have waited
            # for another writer's COMMIT) the streams' last seqs
            with conn.pipeline():
                conn.execute("BEGIN")
                locked = conn.execute(_LOCK_EXERCISE_SQL, (exercise_id,))
                seqs = conn.execute(_LAST_SEQS_SQL, (exercise_id, streams))
            if locked.fetchone() is None:
                raise self._no_exercise(conn, exercise_id)
            last: dict[str, int] = dict(seqs.fetchall())
            for stream, seq in guards:
                if last.get(stream, 0) != seq:
                    raise ConcurrencyError(exercise_id, stream, seq, int(last.get(stream, 0)))
            now = time.time()
            params: list[tuple[Any, ...]] = []
            for stream, expected, rows in encoded:
                actual = int(last.get(stream, 0))
                if actual != expected:
                    raise ConcurrencyError(exercise_id, stream, expected, actual)
                for seq, (kind, payload, clock, wall, actor, role) in enumerate(rows, expected + 1):
                    params.append(
                        (exercise_id, stream, seq, kind, payload, clock,
                         now if wall is None else wall, actor, role)
                    )  # fmt: skip
                last[stream] = expected + len(rows)
            with conn.cursor() as cursor:
                cursor.executemany(_INSERT_SQL, params, returning=True)
                ids: list[int] = []
                while True:
                    row = cursor.fetchone()
                    if row is not None:
                        ids.append(int(row[0]))
                    if not cursor.nextset():
                        break
            return now, ids

        now, ids = self._write(insert, begin=False)
        return _appended(exercise_id, encoded, ids, now)

    # -- reading events ----------------------------------------------------------------

    def last_seq(self, exercise_id: str, stream: str) -> int:
        """The seq of the stream's last event; 0 when the stream is empty."""

        def query(conn: Connection) -> int:
            last = conn.execute(_LAST_SEQ_SQL, (exercise_id, stream)).fetchone()
            if (last is None or last[0] is None) and not self._exercise_exists(conn, exercise_id):
                raise self._no_exercise(conn, exercise_id)
            return int(last[0] or 0) if last else 0

        return self._read(query)

    def read(
        self,
        exercise_id: str,
        stream: str | None = None,
        *,
        after_id: int = 0,
        until_seq: int | None = None,
    ) -> list[StoredEvent]:
        """The exercise's events (or one stream's) with id > ``after_id``, ordered by id,
        read in one statement (one consistent snapshot)."""
        if stream is None:
            if until_seq is not None:
                raise ValueError("until_seq needs a stream")
            sql: str = _READ_ALL_SQL
            params: tuple[Any, ...] = (exercise_id, after_id)
        elif until_seq is None:
            sql, params = _READ_STREAM_SQL, (exercise_id, stream, after_id)
        else:
            sql, params = _READ_STREAM_UNTIL_SQL, (exercise_id, stream, after_id, until_seq)

        def query(conn: Connection) -> list[tuple[Any, ...]]:
            rows = conn.execute(sql, params).fetchall()
            if not rows and not self._exercise_exists(conn, exercise_id):
                raise self._no_exercise(conn, exercise_id)
            return rows

        return _stored_events(exercise_id, self._read(query))

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
            "%s", exercise_id, stream, kinds, until_seq, limit, newest, since_seq
        )

        def query(conn: Connection) -> list[tuple[Any, ...]]:
            rows = [] if statement is None else conn.execute(*statement).fetchall()
            if not rows and not self._exercise_exists(conn, exercise_id):
                raise self._no_exercise(conn, exercise_id)
            return rows

        rows = self._read(query)
        return _stored_events(exercise_id, rows[::-1] if newest else rows)

    def last_id(self, exercise_id: str) -> int:
        """The id of the exercise's newest event (0 if none): a cursor for watchers."""

        def query(conn: Connection) -> int:
            last = conn.execute(_LAST_ID_SQL, (exercise_id,)).fetchone()
            if (last is None or last[0] is None) and not self._exercise_exists(conn, exercise_id):
                raise self._no_exercise(conn, exercise_id)
            return int(last[0] or 0) if last else 0

        return self._read(query)

    def wait_for_events(
        self, exercise_id: str, after_id: int, timeout: float, poll: float = _LISTEN_SLICE_S
    ) -> list[StoredEvent]:
        """The exercise's events after the cursor, waiting up to ``timeout`` s for some.

        Sleeps on ``LISTEN`` until a commit of this exercise is announced (``poll`` is
        accepted for the protocol and ignored: nothing polls). A connection lost while
        waiting is a :class:`StoreError`; the next call reconnects and reads from the
        cursor, so nothing committed meanwhile is missed.
        """
        deadline = time.monotonic() + timeout
        with self._listen_lock:
            listener = self._listening()
            try:
                # listening before reading: a commit after the read is announced below
                for _ in listener.notifies(timeout=0):
                    pass
                events = self.read(exercise_id, after_id=after_id)
                while not events:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return []
                    for note in listener.notifies(
                        timeout=min(remaining, _LISTEN_SLICE_S), stop_after=1
                    ):
                        if note.payload == exercise_id:
                            break
                    events = self.read(exercise_id, after_id=after_id)
            except psycopg.Error as exc:
                if listener.broken or listener.closed:
                    listener.close()
                    self._listener = None
                raise _translate(exc, self._location) from None
        return events

    # -- saved states --------------------------------------------------------------------

    def save_states(
        self, exercise_id: str, key: str, states: Sequence[tuple[str, int, str]]
    ) -> int:
        """Keep saved states (see :meth:`Store.save_states`), in one transaction."""
        rows = _saved_state_rows(exercise_id, key, states)

        def upsert(conn: Connection) -> int:
            if not self._exercise_exists(conn, exercise_id):
                raise self._no_exercise(conn, exercise_id)
            return sum(conn.execute(_SAVE_STATE_SQL, row).rowcount for row in rows)

        return self._write(upsert)

    def saved_states(self, exercise_id: str, key: str) -> dict[str, tuple[int, str]]:
        """The states kept under ``key`` (see :meth:`Store.saved_states`)."""

        def query(conn: Connection) -> list[tuple[Any, ...]]:
            rows = conn.execute(_SAVED_STATES_SQL, (exercise_id, key)).fetchall()
            if not rows and not self._exercise_exists(conn, exercise_id):
                raise self._no_exercise(conn, exercise_id)
            return rows

        return {stream: (int(seq), state) for stream, seq, state in self._read(query)}

    # -- maintenance -------------------------------------------------------------------

    def integrity_check(self) -> str:
        """``"ok"``, or the problems found: gaps in a stream, missing triggers, exercises
        without teams (the server keeps its own pages consistent)."""

        def query(conn: Connection) -> list[str]:
            problems = [
                f"stream '{stream}' of exercise '{exercise}' has {count} events but its "
                f"last seq is {last}"
                for exercise, stream, count, last in conn.execute(
                    "SELECT exercise, stream, count(*), max(seq) FROM events "
                    "GROUP BY exercise, stream HAVING count(*) <> max(seq) ORDER BY 1, 2"
                )
            ]
            present = {
                row[0]
                for row in conn.execute(
                    "SELECT tgname FROM pg_trigger "
                    "WHERE tgrelid = 'events'::regclass AND NOT tgisinternal"
                )
            }
            problems += [
                f"the trigger {name} on events is missing"
                for name in pg_schema.TRIGGERS
                if name not in present
            ]
            problems += [
                f"exercise '{exercise}' has no teams"
                for (exercise,) in conn.execute(
                    "SELECT id FROM exercises e "
                    "WHERE NOT EXISTS (SELECT 1 FROM teams t WHERE t.exercise = e.id) ORDER BY id"
                )
            ]
            return problems

        problems = self._read(query)
        return "\n".join(problems) if problems else "ok"

    def export_exercise(self, exercise_id: str) -> ExerciseCopy:
        """The whole exercise, read in one ``REPEATABLE READ`` transaction (one snapshot)."""

        def snapshot(conn: Connection) -> ExerciseCopy:
            with self._snapshot(conn):
                return self._export(conn, exercise_id)

        return self._read(snapshot)

    def restore_exercise(self, copy: ExerciseCopy) -> None:
        """Write an exercise exported from any store, in one transaction: its events get
        this database's ids (the insert trigger takes them, in the same order) and the join
        codes keep working. Refuses an exercise id that is already here."""
        exercise_row, team_rows, event_rows, seat_rows = _copy_rows(copy)

        def insert(conn: Connection) -> None:
            if self._exercise_exists(conn, copy.record.id):
                raise _already_there(copy.record.id, self._location, "nothing was copied.")
            conn.execute(_RESTORE_SQL["exercises"], exercise_row)
            with conn.cursor() as cursor:
                cursor.executemany(_RESTORE_SQL["teams"], team_rows)
                cursor.executemany(_INSERT_SQL.removesuffix(" RETURNING id"), event_rows)
                cursor.executemany(_RESTORE_SQL["seats"], seat_rows)

        self._write(insert)

    def backup(self, target: str | Path) -> int:
        """Copy every exercise, as one consistent snapshot taken while others keep
        appending, into the new SQLite file ``target``; return the number of events."""
        from simtrain.store.eventstore import EventStore

        target = Path(target)
        if target.exists():
            raise StoreError(f"{target} already exists; choose a new file name for the copy.")

        def snapshot(conn: Connection) -> list[ExerciseCopy]:
            with self._snapshot(conn):
                return [self._export(conn, record.id) for record in self._records(conn)]

        copies = self._read(snapshot)
        with EventStore.open(target, create=True) as copy:
            for exercise in copies:
                copy.restore_exercise(exercise)
        return sum(len(exercise.events) for exercise in copies)

    # -- connections -------------------------------------------------------------------

    def _connection(self) -> Connection:
        """The live connection, reconnecting once if the last one broke."""
        if self._closed:
            raise StoreError(f"The store for {self._location} is already closed.")
        conn = self._conn
        if conn is None or conn.closed or conn.broken:
            if conn is not None:
                conn.close()
            self._conn = None
            self._conn = conn = _connect(self._params, self._location)
        return conn

    def _listening(self) -> Connection:
        if self._closed:
            raise StoreError(f"The store for {self._location} is already closed.")
        listener = self._listener
        if listener is None or listener.closed or listener.broken:
            if listener is not None:
                listener.close()
            self._listener = None
            listener = _connect(self._params, self._location)
            try:
                listener.execute(f"LISTEN {pg_schema.NOTIFY_CHANNEL}")
            except psycopg.Error as exc:
                listener.close()
                raise _translate(exc, self._location) from None
            self._listener = listener
        return listener

    def _read(self, work: Callable[[Connection], T]) -> T:
        """Run a read; on a broken connection, reconnect and run it once more."""
        with self._lock:
            for attempt in (1, 2):
                conn = self._connection()
                try:
                    return work(conn)
                except psycopg.Error as exc:
                    if attempt == 1 and (conn.broken or conn.closed):
                        continue
                    raise _translate(exc, self._location) from None
        raise AssertionError("unreachable")

    def _write(self, work: Callable[[Connection], T], *, begin: bool = True) -> T:
        """Run ``work`` in one transaction; a connection that broke before COMMIT was
        sent wrote nothing, so the work is tried once more on a new connection.
        ``begin=False``: ``work`` sends the BEGIN itself (pipelined with its first reads)."""
        with self._lock:
            for attempt in (1, 2):
                conn = self._connection()
                try:
                    with self._transaction(conn, begin):
                        result = work(conn)
                    return result
                except _Lost as lost:
                    if attempt == 1:
                        continue
                    raise _translate(lost.cause, self._location) from None
                except psycopg.Error as exc:
                    raise _translate(exc, self._location) from None
        raise AssertionError("unreachable")

    @contextmanager
    def _transaction(self, conn: Connection, begin: bool = True) -> Iterator[None]:
        try:
            if begin:
                conn.execute("BEGIN")
        except psycopg.OperationalError as exc:
            if conn.broken or conn.closed:
                raise _Lost(exc) from exc
            raise
        try:
            yield
        except BaseException as exc:
            if not (conn.broken or conn.closed):
                conn.execute("ROLLBACK")
            elif isinstance(exc, psycopg.OperationalError):
                raise _Lost(exc) from exc
            raise
        try:
            conn.execute("COMMIT")
        except psycopg.OperationalError:
            if conn.broken or conn.closed:
                raise StoreError(
                    f"Lost the connection to the PostgreSQL server at {self._location} "
                    "while committing: the change may or may not have been recorded. "
                    "Look at the exercise before trying again."
                ) from None
            raise

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def _exercise_exists(conn: Connection, exercise_id: str) -> bool:
        return conn.execute(_EXERCISE_EXISTS_SQL, (exercise_id,)).fetchone() is not None

    @staticmethod
    @contextmanager
    def _snapshot(conn: Connection) -> Iterator[None]:
        """A read-only transaction whose reads all see one snapshot."""
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield

    def _export(self, conn: Connection, exercise_id: str) -> ExerciseCopy:
        row = conn.execute(
            f"SELECT {_EXERCISE_COLUMNS} FROM exercises WHERE id = %s", (exercise_id,)
        ).fetchone()
        if row is None:
            raise self._no_exercise(conn, exercise_id)
        codes = conn.execute(
            "SELECT name, code_hash, code_salt FROM teams WHERE exercise = %s ORDER BY position",
            (exercise_id,),
        ).fetchall()
        record = _exercise_record(row, [name for name, _, _ in codes])
        events = _stored_events(exercise_id, conn.execute(_READ_ALL_SQL, (exercise_id, 0)))
        seats = self._seats(conn, exercise_id)
        return ExerciseCopy(record, tuple(codes), tuple(events), tuple(seats))

    @staticmethod
    def _records(conn: Connection) -> list[ExerciseRecord]:
        # exercises first: an exercise and its teams commit together, so every exercise
        # read here finds its teams below
        rows = conn.execute(
            f"SELECT {_EXERCISE_COLUMNS} FROM exercises ORDER BY created_wall, id"
        ).fetchall()
        team_rows = conn.execute(
            "SELECT exercise, name FROM teams ORDER BY exercise, position"
        ).fetchall()
        teams: dict[str, list[str]] = {}
        for exercise, name in team_rows:
            teams.setdefault(exercise, []).append(name)
        return [_exercise_record(row, teams.get(row[0], [])) for row in rows]

    @staticmethod
    def _seats(conn: Connection, exercise_id: str) -> list[SeatRecord]:
        rows = conn.execute(
            "SELECT id, team, name, role, kind, joined_wall, seen_wall, expires_wall, "
            "left_wall FROM seats WHERE exercise = %s ORDER BY position",
            (exercise_id,),
        ).fetchall()
        return [SeatRecord(*row) for row in rows]

    def _exists(self, exercise_id: str) -> StoreError:
        return _already_there(exercise_id, self._location, "choose another id.")

    def _no_exercise(self, conn: Connection, exercise_id: str) -> StoreError:
        known = [row[0] for row in conn.execute("SELECT id FROM exercises ORDER BY id")]
        return _no_exercise_error(exercise_id, self._location, known)

    def _no_team(self, conn: Connection, exercise_id: str, team: str) -> StoreError:
        if not self._exercise_exists(conn, exercise_id):
            return self._no_exercise(conn, exercise_id)
        known = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM teams WHERE exercise = %s ORDER BY position", (exercise_id,)
            )
        ]
        return _no_team_error(exercise_id, team, known)


def _location(params: dict[str, Any]) -> str:
    """``postgresql://user@host:port/dbname``: where the data lives, without the password."""
    user = f"{params['user']}@" if params.get("user") else ""
    host = str(params.get("host") or "")
    port = f":{params['port']}" if params.get("port") else ""
    dbname = params.get("dbname") or params.get("user") or ""
    if host.startswith("/"):
        return f"postgresql://{user}{port}/{dbname}?host={host}"
    return f"postgresql://{user}{host}{port}/{dbname}"


def _connect(params: dict[str, Any], location: str) -> Connection:
    """A new autocommit connection, or a :class:`StoreError` saying why there is none."""
    options = {"connect_timeout": str(CONNECT_TIMEOUT_S), **_KEEPALIVE, **params}
    options.setdefault("application_name", "simtrain")
    try:
        conn = psycopg.connect(autocommit=True, **options)
    except psycopg.Error as exc:
        raise _translate(exc, location) from None
    try:
        conn.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
    except psycopg.Error as exc:
        conn.close()
        raise _translate(exc, location) from None
    return conn


def _translate(exc: BaseException, location: str) -> StoreError:
    """A plain-sentence :class:`StoreError` for a driver error about the database."""
    if isinstance(exc, StoreError):
        return exc
    message = str(exc).strip()
    first = message.splitlines()[0] if message else type(exc).__name__
    low = message.lower()
    user = re.search(r'user "([^"]*)"', message)
    who = f"user '{user.group(1)}'" if user else "this user"
    if isinstance(exc, pg_errors.LockNotAvailable):
        return StoreError(
            f"The exercise stayed locked by another simtrain process for more than "
            f"{LOCK_TIMEOUT_MS / 1000:g} seconds ({location}); nothing was written. Try again."
        )
    if "password authentication failed" in low or "no password supplied" in low:
        return StoreError(
            f"The PostgreSQL server at {location} refused the login of {who}: wrong or "
            "missing password. Put it in the URL, in PGPASSWORD or in ~/.pgpass."
        )
    if re.search(r'role "[^"]*" does not exist', low):
        return StoreError(
            f"The PostgreSQL server at {location} has no {who}; check the user in the URL."
        )
    if "no pg_hba.conf entry" in low or "authentication failed" in low:
        return StoreError(
            f"The PostgreSQL server at {location} refused the login of {who} ({first})."
        )
    if re.search(r'database "[^"]*" does not exist', low):
        return StoreError(
            f"There is no database {location} on that PostgreSQL server; create it first "
            "(for example with createdb), then run the command again."
        )
    if "could not translate host name" in low or "name or service not known" in low:
        return StoreError(f"Cannot find the PostgreSQL server of {location}: unknown host name.")
    if "connection refused" in low or "no such file or directory" in low:
        return StoreError(
            f"Cannot reach the PostgreSQL server at {location}: it refused the connection. "
            "Is it running, and are the host and port right?"
        )
    if (
        "not yet accepting connections" in low
        or "is starting up" in low
        or "is shutting down" in low
        or "in recovery mode" in low
    ):
        return StoreError(
            f"The PostgreSQL server at {location} is starting up or shutting down and "
            "takes no connections yet; try again in a moment."
        )
    if "timeout expired" in low:
        return StoreError(
            f"The PostgreSQL server at {location} did not answer within "
            f"{CONNECT_TIMEOUT_S} seconds. Is the host right and reachable?"
        )
    if "permission denied" in low:
        return StoreError(
            f"The PostgreSQL server at {location} refused: {first}. The user needs the "
            "right to create tables in the database (the first time) and to read and write them."
        )
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError) and (
        "closed" in low
        or "terminating connection" in low
        or "server closed" in low
        or "lost" in low
        or "consuming input failed" in low
        or "eof" in low
    ):
        return StoreError(
            f"Lost the connection to the PostgreSQL server at {location} ({first}); "
            "simtrain reconnects on the next try."
        )
    return StoreError(f"The PostgreSQL database {location} reported an error: {first}.")
