"""Contract tests of the event store, in one process (see test_store_processes.py for many)."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simtrain.store import (
    SCHEMA_VERSION,
    ConcurrencyError,
    EventStore,
    ExerciseRecord,
    NewEvent,
    StoredEvent,
    StoreError,
    eventstore,
    generate_join_code,
    normalize_code,
    schema,
)
from simtrain.store.codes import CODE_ALPHABET, hash_code, new_salt, verify_code

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


def test_a_closed_store_says_so(db_path: Path) -> None:
    store = EventStore.open(db_path, create=True)
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.exercises()


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
        assert _schema_version(db_path) == 2
    # Back to the simtrain that only knows version 1: the file is now too new for it.
    with pytest.raises(StoreError, match="newer simtrain"):
        EventStore.open(db_path)


def test_a_failing_migration_leaves_the_file_as_it_was(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    EventStore.open(db_path, create=True).close()

    def half_done(db):  # type: ignore[no-untyped-def]
        db["half"].create({"id": int}, pk="id")
        raise RuntimeError("disk gremlins")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, half_done])
    with pytest.raises(StoreError, match=r"Could not upgrade .* to schema version 2"):
        EventStore.open(db_path)
    assert _schema_version(db_path) == 1
    conn = sqlite3.connect(db_path)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "half" not in tables


# -- exercises and join codes -----------------------------------------------------------


def test_an_exercise_keeps_a_full_copy_of_its_scenario(
    db_path: Path, exercise: tuple[ExerciseRecord, dict[str, str]], store: EventStore
) -> None:
    record, codes = exercise
    assert record.scenario_text == SCENARIO
    assert record.scenario_sha256 == hashlib.sha256(SCENARIO.encode("utf-8")).hexdigest()
    assert record.teams == ("red", "blue")
    assert record.settings == {"pace": 1.5, "debrief": True}
    assert set(codes) == {"red", "blue"}
    store.close()
    with EventStore.open(db_path) as reopened:
        assert reopened.exercise("ex1") == record
        assert reopened.exercises() == [record]


def test_exercise_ids_are_generated_short_and_unique(store: EventStore) -> None:
    ids = {
        store.create_exercise(
            exercise_id=None, title="t", scenario_id="s", scenario_text="x", teams=["a"]
        )[0].id
        for _ in range(4)
    }
    assert len(ids) == 4
    assert all(re.fullmatch(r"ex-[23456789a-z]{6}", i) for i in ids)
    assert {e.id for e in store.exercises()} == ids


def test_exercises_are_listed_oldest_first(store: EventStore) -> None:
    for name in ("b-first", "a-second"):
        store.create_exercise(
            exercise_id=name, title=name, scenario_id="s", scenario_text="x", teams=["a"]
        )
    assert [e.id for e in store.exercises()] == ["b-first", "a-second"]


@pytest.mark.parametrize(
    ("exercise_id", "teams", "message"),
    [
        ("ex1", ["red"], "Exercise 'ex1' already exists"),
        ("ex2", ["red", "red"], "Team 'red' is named twice"),
        ("ex2", ["Red", "red"], "differ only by case"),
        ("ex2", [], "at least one team"),
        ("ex2", [" red"], "not a usable team name"),
        ("ex2", [""], "not a usable team name"),
        ("has space", ["red"], "not a usable exercise id"),
        ("", ["red"], "not a usable exercise id"),
    ],
)
def test_bad_exercises_are_refused_and_nothing_is_written(
    store: EventStore,
    exercise: tuple[ExerciseRecord, dict[str, str]],
    exercise_id: str,
    teams: list[str],
    message: str,
) -> None:
    with pytest.raises(StoreError, match=message):
        store.create_exercise(
            exercise_id=exercise_id, title="t", scenario_id="s", scenario_text="x", teams=teams
        )
    assert [e.id for e in store.exercises()] == ["ex1"]


def test_an_unknown_exercise_gets_a_did_you_mean(
    store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    with pytest.raises(StoreError, match=r"There is no exercise 'ex2' in .*did you mean 'ex1'"):
        store.exercise("ex2")
    with pytest.raises(StoreError, match=r"no exercise 'zzzzzz'.*its exercises: ex1"):
        store.read("zzzzzz")


def test_join_codes_look_right() -> None:
    codes = [generate_join_code() for _ in range(200)]
    assert all(re.fullmatch(f"[{CODE_ALPHABET}]{{6}}", code) for code in codes)
    assert not set("01OIL") & set(CODE_ALPHABET)
    assert len(set(codes)) > 190


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


def test_check_code_ignores_case_spaces_and_dashes(
    store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    _, codes = exercise
    red = codes["red"]
    assert store.check_code("ex1", "red", red)
    assert store.check_code("ex1", "red", f" {red[:3].lower()}-{red[3:]} ")
    assert not store.check_code("ex1", "red", codes["blue"])
    assert not store.check_code("ex1", "red", "")
    wrong = "".join(CODE_ALPHABET[(CODE_ALPHABET.index(c) + 1) % 31] for c in red)
    assert not store.check_code("ex1", "red", wrong)


def test_check_code_of_an_unknown_team_or_exercise_is_an_error(
    store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    with pytest.raises(StoreError, match=r"Exercise 'ex1' has no team 'rad' \(did you mean 'red'"):
        store.check_code("ex1", "rad", "ABCDEF")
    with pytest.raises(StoreError, match="There is no exercise 'nope'"):
        store.check_code("nope", "red", "ABCDEF")


@given(
    code=st.text(alphabet=CODE_ALPHABET, min_size=6, max_size=6),
    lowered=st.lists(st.booleans(), min_size=6, max_size=6),
    gaps=st.lists(st.sampled_from(["", " ", "-", "  ", " - "]), min_size=7, max_size=7),
)
def test_normalize_code_undoes_case_spaces_and_dashes(
    code: str, lowered: list[bool], gaps: list[str]
) -> None:
    typed = gaps[0] + "".join(
        (c.lower() if low else c) + gap for c, low, gap in zip(code, lowered, gaps[1:], strict=True)
    )
    assert normalize_code(typed) == code


def test_the_same_code_hashes_differently_under_different_salts() -> None:
    salt_a, salt_b = new_salt(), new_salt()
    hash_a, hash_b = hash_code("K7QF3M", salt_a), hash_code("k7q-f3m", salt_b)
    assert hash_a != hash_b
    assert verify_code("k7qf3m", hash_a, salt_a) and verify_code("K7QF3M", hash_b, salt_b)
    assert not verify_code("K7QF3M", hash_a, salt_b)


# -- appending and reading events -------------------------------------------------------


def test_append_numbers_events_within_their_stream(
    store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    before = time.time()
    first = store.append("ex1", "team:red", 0, [event(choice="a"), event(choice="b")])
    assert [(e.seq, e.stream, e.exercise) for e in first] == [
        (1, "team:red", "ex1"),
        (2, "team:red", "ex1"),
    ]
    assert first[0].id < first[1].id
    assert before <= first[0].wall <= time.time()
    assert store.last_seq("ex1", "team:red") == 2
    assert store.last_seq("ex1", "team:blue") == 0


def test_events_read_back_exactly_as_appended(
    db_path: Path, store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    payload = {"text": "Überfahrt — 渡航", "n": [1, 2.5, None, True], "deep": {"x": {"y": []}}}
    appended = store.append(
        "ex1",
        "clock",
        0,
        [
            NewEvent("started", payload, 0.0, actor="facilitator", wall=1_700_000_000.5),
            NewEvent("paused", {}, 12.25, actor="system"),
        ],
    )
    assert appended[0] == StoredEvent(
        appended[0].id, "ex1", "clock", 1, "started", payload, 0.0, 1_700_000_000.5,
        "facilitator", None,
    )  # fmt: skip
    store.close()
    with EventStore.open(db_path) as reopened:
        assert reopened.read("ex1", "clock") == appended


def test_reads_follow_the_global_cursor(
    store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    red1 = store.append("ex1", "team:red", 0, [event(n=1)])
    blue1 = store.append("ex1", "team:blue", 0, [event(n=2)])
    clock1 = store.append("ex1", "clock", 0, [NewEvent("started", {}, 0.0, "facilitator")])
    red2 = store.append("ex1", "team:red", 1, [event(n=3), event(n=4)])
    everything = red1 + blue1 + clock1 + red2
    assert store.read("ex1") == everything
    assert [e.id for e in everything] == sorted(e.id for e in everything)
    assert store.read("ex1", "team:red") == red1 + red2
    assert store.read("ex1", after_id=blue1[0].id) == clock1 + red2
    assert store.read("ex1", "team:red", after_id=red1[0].id) == red2
    assert store.read("ex1", "team:red", until_seq=2) == red1 + red2[:1]
    assert store.read("ex1", "team:green") == []
    assert store.last_id("ex1") == red2[-1].id
    with pytest.raises(ValueError, match="until_seq needs a stream"):
        store.read("ex1", until_seq=1)


def test_exercises_do_not_see_each_others_events(
    store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    store.create_exercise(
        exercise_id="ex2", title="t", scenario_id="s", scenario_text="x", teams=["red"]
    )
    store.append("ex1", "team:red", 0, [event(n=1)])
    assert store.read("ex2") == []
    assert store.last_id("ex2") == 0
    assert store.last_seq("ex2", "team:red") == 0
    assert store.append("ex2", "team:red", 0, [event(n=2)])[0].seq == 1


def test_a_stale_expected_seq_is_refused_and_nothing_is_written(
    store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    store.append("ex1", "team:red", 0, [event(), event()])
    last = store.last_id("ex1")
    for expected in (0, 1, 3, 7):
        with pytest.raises(ConcurrencyError) as refused:
            store.append("ex1", "team:red", expected, [event(n=expected), event()])
        assert (refused.value.stream, refused.value.expected, refused.value.actual) == (
            "team:red",
            expected,
            2,
        )
        assert "is at seq 2, not" in str(refused.value)
    assert store.last_id("ex1") == last
    assert [e.seq for e in store.read("ex1", "team:red")] == [1, 2]


def test_append_many_writes_all_streams_or_none(
    store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    store.append("ex1", "team:blue", 0, [event()])
    with pytest.raises(ConcurrencyError) as refused:
        store.append_many(
            "ex1",
            [
                ("team:red", 0, [event(n=1)]),
                ("clock", 0, [NewEvent("inject", {}, 3.0, "system")]),
                ("team:blue", 0, [event(n=2)]),  # stale: blue is at 1
            ],
        )
    assert refused.value.stream == "team:blue"
    assert [e.stream for e in store.read("ex1")] == ["team:blue"]
    written = store.append_many(
        "ex1",
        [
            ("team:red", 0, [event(n=1)]),
            ("team:blue", 1, [event(n=2)]),
            ("team:red", 1, [event(n=3)]),  # the same stream again continues the first batch
        ],
    )
    assert [(e.stream, e.seq) for e in written] == [
        ("team:red", 1),
        ("team:blue", 2),
        ("team:red", 2),
    ]
    assert store.read("ex1", after_id=written[0].id - 1) == written


def test_appending_to_an_unknown_exercise_is_a_plain_error(
    store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    for expected in (0, 4):
        with pytest.raises(StoreError, match=r"no exercise 'ex9'.*did you mean 'ex1'") as err:
            store.append("ex9", "team:red", expected, [event()])
        assert not isinstance(err.value, ConcurrencyError)
    assert store.last_id("ex1") == 0


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (NewEvent("chose", ["not", "a", "dict"], 1.0, "Ana"), TypeError),  # type: ignore[arg-type]
        (NewEvent("chose", {"when": {1, 2}}, 1.0, "Ana"), ValueError),
        (NewEvent("chose", {"x": float("nan")}, 1.0, "Ana"), ValueError),
        (NewEvent("", {}, 1.0, "Ana"), ValueError),
        (NewEvent("chose", {}, float("inf"), "Ana"), ValueError),
        (NewEvent("chose", {}, 1.0, ""), ValueError),
    ],
)
def test_malformed_events_are_refused_before_anything_is_written(
    store: EventStore,
    exercise: tuple[ExerciseRecord, dict[str, str]],
    bad: NewEvent,
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        store.append("ex1", "team:red", 0, [event(), bad])
    with pytest.raises(ValueError, match="expected_seq"):
        store.append("ex1", "team:red", -1, [event()])
    assert store.last_id("ex1") == 0


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


def test_appending_nothing_writes_nothing(
    store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    assert store.append("ex1", "team:red", 0, []) == []
    assert store.last_id("ex1") == 0


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


def test_streams_behave_like_a_model_of_gapless_lists(store: EventStore) -> None:
    """Random appends with right and wrong expectations agree with a dict of lists."""
    store.create_exercise(
        exercise_id="m", title="t", scenario_id="s", scenario_text="x", teams=["a"]
    )
    examples = iter(range(1_000_000))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        ops=st.lists(
            st.tuples(st.sampled_from(["a", "b", "clock"]), st.integers(-1, 1), st.integers(1, 3)),
            max_size=12,
        )
    )
    def check(ops: list[tuple[str, int, int]]) -> None:
        prefix = f"{next(examples)}:"  # fresh streams for every example, one database
        before = store.last_id("m")
        model: dict[str, list[int]] = {}
        for n, (name, skew, count) in enumerate(ops):
            stream = prefix + name
            expected = max(0, len(model.get(stream, [])) + skew)
            events = [event(n=n, k=k) for k in range(count)]
            if expected == len(model.get(stream, [])):
                store.append("m", stream, expected, events)
                model.setdefault(stream, []).extend([n] * count)
            else:
                with pytest.raises(ConcurrencyError):
                    store.append("m", stream, expected, events)
        for stream, numbers in model.items():
            got = store.read("m", stream)
            assert [e.seq for e in got] == list(range(1, len(numbers) + 1))
            assert [e.payload["n"] for e in got] == numbers
        ids = [e.id for e in store.read("m", after_id=before)]
        assert ids == sorted(ids) and len(ids) == sum(map(len, model.values()))

    check()


# -- waiting for events -----------------------------------------------------------------


def test_wait_for_events_returns_at_once_when_events_are_there(
    store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    written = store.append("ex1", "team:red", 0, [event()])
    started = time.monotonic()
    assert store.wait_for_events("ex1", 0, timeout=5) == written
    assert time.monotonic() - started < 2.5  # well short of the 5 s timeout


def test_wait_for_events_times_out_empty(
    store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    store.append("ex1", "team:red", 0, [event()])
    started = time.monotonic()
    assert store.wait_for_events("ex1", store.last_id("ex1"), timeout=0.15) == []
    assert 0.15 <= time.monotonic() - started < 3.0


def test_wait_for_events_sees_another_thread_of_the_same_store(
    store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    writer = threading.Timer(0.1, lambda: store.append("ex1", "team:blue", 0, [event()]))
    writer.start()
    try:
        got = store.wait_for_events("ex1", 0, timeout=5)
    finally:
        writer.join()
    assert [(e.stream, e.seq) for e in got] == [("team:blue", 1)]
    assert time.time() - got[0].wall < 2.5


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


def test_integrity_check_of_a_healthy_store_is_ok(
    store: EventStore, exercise: tuple[ExerciseRecord, dict[str, str]]
) -> None:
    store.append("ex1", "team:red", 0, [event()])
    assert store.integrity_check() == "ok"


def test_no_stray_files_after_close(db_path: Path) -> None:
    with EventStore.open(db_path, create=True) as store:
        store.create_exercise(
            exercise_id="e", title="t", scenario_id="s", scenario_text="x", teams=["a"]
        )
    # The last connection folds the WAL back into the file and removes it.
    assert sorted(os.listdir(db_path.parent)) == ["exercise.db"]
