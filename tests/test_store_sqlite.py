"""SQLite-specific behaviour of the embedded store: opening and refusing files, pragmas,
migrations, the WAL, raw-SQL guards. The backend-neutral contract is in store_contract.py."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simtrain.store import (
    SCHEMA_VERSION,
    EventStore,
    ExerciseRecord,
    NewEvent,
    StoreError,
    eventstore,
    read_json,
    schema,
    wakeup,
)

SCENARIO = """\
simtrain: 1
id: port-arrivals
title: Arrivals at Port Sunvale — night shift
roles:
  - id: investigator
    name: Border police investigator
start: quay
"""


def event(kind: str = "chose", clock: float = 1.0, **payload: object) -> NewEvent:
    """A small participant event."""
    return NewEvent(kind, dict(payload), clock, actor="Ana", role="investigator")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "exercise.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[EventStore]:
    with EventStore.open(db_path, create=True) as opened:
        yield opened


@pytest.fixture
def exercise(store: EventStore) -> tuple[ExerciseRecord, dict[str, str]]:
    return store.create_exercise(
        exercise_id="ex1",
        title="Night arrival",
        scenario_id="port-arrivals",
        scenario_text=SCENARIO,
        teams=["red", "blue"],
        settings={"pace": 1.5, "debrief": True},
    )


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# -- opening and refusing ---------------------------------------------------------------


def test_opening_a_missing_file_says_so_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    with pytest.raises(StoreError, match=r"There is no database at .*typo\.db; nothing was"):
        EventStore.open(path)
    assert list(tmp_path.iterdir()) == []


def test_create_makes_a_wal_database_with_the_simtrain_marker(db_path: Path) -> None:
    EventStore.open(str(db_path), create=True).close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        meta = dict(conn.execute("SELECT key, value FROM meta"))
    conn.close()
    assert meta == {"app": "simtrain", "schema_version": str(SCHEMA_VERSION)}
    with EventStore.open(db_path) as reopened:
        assert reopened.exercises() == []


def test_create_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"folder .* does not exist"):
        EventStore.open(tmp_path / "nowhere" / "x.db", create=True)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        EventStore.open(tmp_path, create=True)


def test_an_empty_file_is_refused_unless_creating(db_path: Path) -> None:
    db_path.touch()
    with pytest.raises(StoreError, match="is empty"):
        EventStore.open(db_path)
    assert db_path.read_bytes() == b""
    with EventStore.open(db_path, create=True) as store:
        assert store.exercises() == []


def test_a_database_of_a_newer_simtrain_is_refused(db_path: Path) -> None:
    EventStore.open(db_path, create=True).close()
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(StoreError, match=r"newer simtrain \(schema version 99; this simtrain"):
        EventStore.open(db_path)


def test_a_sqlite_file_of_another_program_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "photos.db"
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO photos (name) VALUES ('cat.jpg')")
    conn.close()
    before = files_in(tmp_path)
    for create in (False, True):
        with pytest.raises(StoreError, match=r"written by another program .*photos"):
            EventStore.open(path, create=create)
    assert files_in(tmp_path) == before  # not even switched to WAL


def test_a_meta_table_of_another_program_is_not_a_marker(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute("INSERT INTO meta VALUES ('app', 'notes'), ('schema_version', '1')")
    conn.close()
    with pytest.raises(StoreError, match="another program"):
        EventStore.open(path)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO * 50)
    before = files_in(tmp_path)
    with pytest.raises(StoreError, match="is not a SQLite database"):
        EventStore.open(path, create=True)
    assert files_in(tmp_path) == before


def _store_with_events(path: Path, count: int) -> bytes:
    with EventStore.open(path, create=True) as store:
        store.create_exercise(
            exercise_id="ex1", title="t", scenario_id="s", scenario_text="x", teams=["red"]
        )
        for i in range(count):
            store.append("ex1", "team:red", i, [event(n=i, pad="x" * 200)])
    return path.read_bytes()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[:100] + b"\xff" * 3996 + b[4096:], id="first-page"),
        pytest.param(lambda b: b"\0" * 100 + b[100:], id="header"),
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
    ],
)
def test_a_damaged_database_is_refused_at_open(db_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    good = _store_with_events(db_path, 300)
    db_path.write_bytes(damage(good))
    with pytest.raises(StoreError, match=r"is damaged|is not a SQLite database"):
        EventStore.open(db_path)


def test_damage_deep_inside_is_reported_by_reads_and_integrity_check(db_path: Path) -> None:
    good = _store_with_events(db_path, 300)
    middle = len(good) // 2 // 4096 * 4096
    db_path.write_bytes(good[:middle] + b"\xa5" * 8192 + good[middle + 8192 :])
    with EventStore.open(db_path) as store:
        assert store.integrity_check() != "ok"
        with pytest.raises(StoreError, match="is damaged"):
            store.read("ex1")


def test_connection_settings(store: EventStore) -> None:
    # White-box: the pragmas are per connection, so ask the store's own connection.
    pragma = {
        name: store._conn.execute(f"PRAGMA {name}").fetchone()[0]
        for name in (
            "journal_mode",
            "synchronous",
            "foreign_keys",
            "busy_timeout",
            "wal_autocheckpoint",
            "journal_size_limit",
        )
    }
    assert pragma["journal_mode"] == "wal"
    assert pragma["synchronous"] == 1  # NORMAL
    assert pragma["foreign_keys"] == 1
    assert pragma["busy_timeout"] >= 1000
    assert pragma["wal_autocheckpoint"] > 0
    assert pragma["journal_size_limit"] > 0


# -- migrations -------------------------------------------------------------------------


def _schema_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(
            conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        )
    finally:
        conn.close()


def test_migrations_run_once(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = schema.MIGRATIONS[0]
    calls: list[int] = []

    def counting(db):  # type: ignore[no-untyped-def]
        calls.append(1)
        original(db)

    monkeypatch.setattr(schema, "MIGRATIONS", [counting])
    for create in (True, True, False):
        EventStore.open(db_path, create=create).close()
    assert calls == [1]
    assert _schema_version(db_path) == 1


def test_an_older_database_is_upgraded_once_keeping_its_data(
    db_path: Path, exercise: tuple[ExerciseRecord, dict[str, str]], store: EventStore
) -> None:
    store.append("ex1", "team:red", 0, [event()])
    store.close()
    calls: list[int] = []

    def add_notes(db):  # type: ignore[no-untyped-def]
        calls.append(1)
        db["notes"].create({"id": int, "text": str}, pk="id")

    monkeypatch = pytest.MonkeyPatch()
    with monkeypatch.context() as patch:
        patch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, add_notes])
        for _ in range(2):
            with EventStore.open(db_path) as reopened:
                assert [e.kind for e in reopened.read("ex1")] == ["chose"]
        assert calls == [1]
        assert _schema_version(db_path) == SCHEMA_VERSION + 1
    # Back to the simtrain that knows one version fewer: the file is now too new for it.
    with pytest.raises(StoreError, match="newer simtrain"):
        EventStore.open(db_path)


def test_a_version_3_file_gets_the_lighter_events_table_with_its_ids_and_guards(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 4 rebuilds events without AUTOINCREMENT and the (exercise, id) index (four
    pages written per append became two): rows, ids and the guards survive, ids go on
    growing, and reads of a stream, of the exercise and of its last id still answer."""
    with monkeypatch.context() as patch:
        patch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:3])
        with EventStore.open(db_path, create=True) as old:
            old.create_exercise(
                exercise_id="ex1", title="t", scenario_id="s", scenario_text=SCENARIO,
                teams=["red", "blue"],
            )  # fmt: skip
            old.append("ex1", "team:red", 0, [event(n=1), event(n=2)])
            old.append("ex1", "team:blue", 0, [event(n=3)])
            before = old.read("ex1")
    with EventStore.open(db_path) as store:
        assert store.read("ex1") == before
        assert store.last_id("ex1") == before[-1].id
        (added,) = store.append("ex1", "team:red", 2, [event(n=4)])
        assert added.id > before[-1].id and added.seq == 3
        assert [e.seq for e in store.read("ex1", "team:red")] == [1, 2, 3]
        assert [e.id for e in store.read("ex1", after_id=before[-1].id)] == [added.id]
        assert store.integrity_check() == "ok"
    conn = sqlite3.connect(db_path)
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'events'").fetchone()[0]
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "AUTOINCREMENT" not in sql and "events_exercise_id" not in names
    assert {"events_seq_follows", "events_no_update", "events_no_delete"} <= names
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM events")
    with pytest.raises(sqlite3.IntegrityError, match="last seq"):
        conn.execute(
            "INSERT INTO events (exercise, stream, seq, kind, payload, clock, wall, actor) "
            "VALUES ('ex1', 'team:red', 9, 'chose', '{}', 0, 0, 'x')"
        )
    conn.close()


def test_a_failing_migration_leaves_the_file_as_it_was(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    EventStore.open(db_path, create=True).close()

    def half_done(db):  # type: ignore[no-untyped-def]
        db["half"].create({"id": int}, pk="id")
        raise RuntimeError("disk gremlins")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, half_done])
    with pytest.raises(
        StoreError, match=rf"Could not upgrade .* to schema version {SCHEMA_VERSION + 1}"
    ):
        EventStore.open(db_path)
    assert _schema_version(db_path) == SCHEMA_VERSION
    conn = sqlite3.connect(db_path)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "half" not in tables


# -- exercises and join codes -----------------------------------------------------------


def test_join_codes_are_stored_only_as_salted_hashes(
    db_path: Path, exercise: tuple[ExerciseRecord, dict[str, str]], store: EventStore
) -> None:
    _, codes = exercise
    rows = store._db.query("SELECT * FROM teams")
    stored = [str(v) for row in rows for v in row.values()]
    store.close()
    raw = b"".join(files_in(db_path.parent).values())
    for code in codes.values():
        assert not any(code in value.upper() for value in stored)
        assert code.encode() not in raw and code.lower().encode() not in raw
    salts = [v for v in stored if re.fullmatch(r"[0-9a-f]{32}", v)]
    assert len(set(salts)) == 2


# -- appending and reading events -------------------------------------------------------


def test_a_writer_locked_out_too_long_gets_a_plain_error(
    db_path: Path, store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    store._conn.execute("PRAGMA busy_timeout = 100")  # white-box: do not wait 5 s here
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError, match="stayed locked by another simtrain process"):
            store.append("ex1", "team:red", 0, [event()])
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert store.append("ex1", "team:red", 0, [event()])[0].seq == 1


def test_the_log_is_append_only_even_for_raw_sql(
    db_path: Path, store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    store.append("ex1", "team:red", 0, [event()])
    assert not [name for name in dir(EventStore) if re.search("update|delete|remove", name)]
    conn = sqlite3.connect(db_path)
    try:
        for sql in ("UPDATE events SET kind = 'forged'", "DELETE FROM events"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql)
        gap = (
            "INSERT INTO events (exercise, stream, seq, kind, payload, clock, wall, actor) "
            "VALUES ('ex1', 'team:red', 5, 'k', '{}', 0, 0, 'x')"
        )
        with pytest.raises(sqlite3.IntegrityError, match="last seq of its stream plus 1"):
            conn.execute(gap)
    finally:
        conn.close()
    assert [e.kind for e in store.read("ex1")] == ["chose"]


# -- waiting for events -----------------------------------------------------------------


def test_the_wal_stays_bounded_while_writing_far_more(
    db_path: Path, store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    wal = Path(f"{db_path}-wal")
    largest = 0
    for n in range(2000):  # about 8 MB of events, twice the autocheckpoint size
        store.append("ex1", "team:red", n, [event(pad="x" * 4000)])
        largest = max(largest, wal.stat().st_size)
    assert db_path.stat().st_size > 8_000_000
    assert largest < 6_000_000


def test_a_periodic_passive_checkpoint_moves_commits_into_the_file(
    db_path: Path,
    store: EventStore,
    exercise: tuple[ExerciseRecord, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store.append("ex1", "team:red", 0, [event(pad="x" * 200_000)])
    assert db_path.stat().st_size < 200_000  # still only in the WAL
    monkeypatch.setattr(eventstore, "CHECKPOINT_INTERVAL_S", 0.0)
    store.append("ex1", "team:red", 1, [event()])
    assert db_path.stat().st_size > 200_000


def test_no_stray_files_after_close(db_path: Path) -> None:
    with EventStore.open(db_path, create=True) as store:
        store.create_exercise(
            exercise_id="e", title="t", scenario_id="s", scenario_text="x", teams=["a"]
        )
    # The last connection folds the WAL back into the file and removes it.
    assert sorted(os.listdir(db_path.parent)) == ["exercise.db"]


APPEND_ELSEWHERE = """
import sys
from simtrain.store import EventStore, NewEvent
with EventStore.open(sys.argv[1]) as store:
    store.append("ex1", "team:red", 0, [NewEvent("chose", {}, 1.0, actor="Ben", role="x")])
"""


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux reports writes (inotify)")
def test_a_waiter_wakes_when_another_process_commits_not_when_it_next_polls(
    db_path: Path, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    """Issue 10: idle seats polled SQLite 20 times a second all day. Where the kernel
    reports writes, a waiter sleeps until the database's directory is written."""
    found: list[float] = []
    with EventStore.open(db_path) as waiter:
        start = time.monotonic()

        def wait() -> None:
            # a poll of 30 s: only a reported write can wake it in time
            if waiter.wait_for_events("ex1", 0, timeout=30.0, poll=30.0):
                found.append(time.monotonic() - start)

        thread = threading.Thread(target=wait)
        thread.start()
        time.sleep(0.3)
        subprocess.run([sys.executable, "-c", APPEND_ELSEWHERE, str(db_path)], check=True)
        thread.join(timeout=40)
    assert found and found[0] < 10.0


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux reports writes (inotify)")
def test_a_waiter_keeps_one_watch_between_waits_and_still_wakes_at_once(
    db_path: Path, exercise: tuple[ExerciseRecord, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10: making and closing an inotify watch for every one-second wait cost an
    idle seat more than the waiting. One watch serves every wait of a thread, writes
    reported between two waits do not wake the next one early, and closing the store
    closes the watch."""
    made: list[wakeup.DirectoryWrites] = []
    original = wakeup.changes

    def counting(database: Path) -> wakeup.DirectoryWrites | None:
        watch = original(database)
        if watch is not None:
            made.append(watch)
        return watch

    monkeypatch.setattr(wakeup, "changes", counting)
    waiter = EventStore.open(db_path)
    try:
        assert waiter.wait_for_events("ex1", 0, timeout=0.05, poll=30.0) == []
        # a write while nobody waits (its commit is read at once by the next wait)
        subprocess.run([sys.executable, "-c", APPEND_ELSEWHERE, str(db_path)], check=True)
        first = waiter.wait_for_events("ex1", 0, timeout=5.0, poll=30.0)
        assert [e.kind for e in first] == ["chose"]
        found: list[float] = []
        start = time.monotonic()

        def wait() -> None:
            if waiter.wait_for_events("ex1", first[-1].id, timeout=30.0, poll=30.0):
                found.append(time.monotonic() - start)

        thread = threading.Thread(target=wait)
        thread.start()
        time.sleep(0.3)
        subprocess.run(
            [sys.executable, "-c", APPEND_ELSEWHERE.replace(", 0, [", ", 1, ["), str(db_path)],
            check=True,
        )
        thread.join(timeout=40)
        assert found and found[0] < 10.0
        # the main thread kept its one watch for all its waits; the other thread had its own
        assert len(made) == 2
    finally:
        waiter.close()
    for watch in made:
        with pytest.raises(OSError):
            os.fstat(watch._fd)


def arrive(store: EventStore, lease: float) -> bool:
    return store.seat_arrive(
        "ex1", "s1", team="red", name="Ana", role="investigator", kind="terminal", lease=lease
    )


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux reports writes (inotify)")
def test_a_heartbeat_wakes_no_waiting_seat_and_the_roster_still_sees_it(
    db_path: Path, store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    """Issue 10: every renewal was a commit, and every commit wakes every waiting seat:
    thirty seats renewing every 5 s woke each of them six times a second for nothing. A
    renewal now moves the seat's lease file; the seats' watch sees no write."""
    assert arrive(store, lease=2.0)
    writes = wakeup.changes(db_path)  # what every waiting seat sleeps on
    assert writes is not None
    with writes:
        assert store.seat_renew("s1", 60.0)
        assert not writes.wait(0.2)
    [seat] = store.seats("ex1")
    assert seat.online(time.time() + 30) and seat.expires_wall - seat.seen_wall == 2.0
    assert not arrive(store, lease=2.0)  # still online by its file: not a second join
    # leaving is written to the database; a heartbeat after it does not bring it back
    assert store.seat_leave("s1")
    assert not store.seat_renew("s1", 60.0)
    assert not store.seats("ex1")[0].online(time.time())


def test_a_lease_folder_others_may_write_is_not_believed(
    db_path: Path, store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    """Whoever could write the lease files could keep any seat online: the roster reads
    them only while they are the database owner's alone."""
    assert arrive(store, lease=1.0)
    assert store.seat_renew("s1", 600.0)
    assert store.seats("ex1")[0].online(time.time() + 300)
    folder = db_path.with_name(db_path.name + "-seats")
    folder.chmod(0o777)
    try:
        assert not store.seats("ex1")[0].online(time.time() + 300)  # the table's 1 s
    finally:
        folder.chmod(0o700)


def test_the_store_reads_its_json_fast_and_a_hand_edit_as_before() -> None:
    """Payloads, settings and saved states are read by msgspec; what it refuses (an
    integer past 64 bits, text after the value) is read by Python's reader as before,
    and broken JSON is still an error."""
    assert read_json('{"a":[1,2.5,"x",null,true],"b":{"c":"é"}}') == {
        "a": [1, 2.5, "x", None, True],
        "b": {"c": "é"},
    }
    assert read_json('{"n":123456789012345678901234567890}') == {
        "n": 123456789012345678901234567890
    }
    assert read_json('{"a":1} left over') == {"a": 1}
    with pytest.raises(ValueError):
        read_json('{"a":')


def test_the_wakeup_finds_libc_by_name_without_running_ldconfig() -> None:
    """find_library runs ldconfig in a child process (and its module imports subprocess):
    every seat paid it at its first wait, and every command its import."""
    probe = (
        "import sys\n"
        "from simtrain.store import wakeup\n"
        "assert wakeup._inotify() is not None\n"
        "print('ctypes.util' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_a_killed_seats_lease_file_goes_when_a_later_seat_arrives(
    db_path: Path, store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    """A seat killed without leaving keeps its lease file; the next seat to arrive removes
    the files whose lease ran out over an hour ago, and keeps the others."""
    folder = db_path.with_name(db_path.name + "-seats")
    assert arrive(store, lease=15.0)
    folder.joinpath("killed_long_ago").touch()
    os.utime(folder / "killed_long_ago", (time.time() - 7200, time.time() - 7200))
    folder.joinpath("killed_just_now").touch()
    os.utime(folder / "killed_just_now", (time.time() - 60, time.time() - 60))
    assert store.seat_arrive(
        "ex1", "s2", team="red", name="Ben", role="investigator", kind="terminal", lease=15.0
    )
    assert sorted(p.name for p in folder.iterdir()) == ["killed_just_now", "s1", "s2"]
