"""The store contract: one abstract test case that every backend must pass.

A backend's test file subclasses :class:`StoreContract` and says how to open a fresh,
empty database for one test (the eventsourcing pattern of one abstract recorder test
case run against each recorder). This module is not collected by itself (its name does
not start with ``test_``); ``test_store_contract.py`` runs it against SQLite, and the
PostgreSQL backend runs the very same class. Backend-specific behaviour (SQLite pragmas,
the WAL, file modes, migrations) is tested in the backend's own file.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simtrain.store import (
    ConcurrencyError,
    ExerciseRecord,
    NewEvent,
    Store,
    StoredEvent,
    StoreError,
)
from simtrain.store.codes import CODE_ALPHABET

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


def _without_id(stored: StoredEvent) -> tuple[object, ...]:
    """An event as another store would hold it: everything but the store's own id."""
    return (stored.exercise, stored.stream, stored.seq, stored.kind, stored.payload,
            stored.clock, stored.wall, stored.actor, stored.role)  # fmt: skip


class StoreContract(ABC):
    """What every :class:`~simtrain.store.Store` must do. Subclass it in a ``test_`` file."""

    @abstractmethod
    def open_store(self, where: Path, *, create: bool) -> Store:
        """Open the backend's database for one test; ``create`` makes a new empty one.

        ``where`` is the test's own temporary folder: the same ``where`` must reach the
        same database again (to test that data survives closing and reopening).
        """

    @pytest.fixture
    def where(self, tmp_path: Path) -> Path:
        return tmp_path

    @pytest.fixture
    def store(self, where: Path) -> Iterator[Store]:
        opened = self.open_store(where, create=True)
        try:
            yield opened
        finally:
            opened.close()

    @pytest.fixture
    def exercise(self, store: Store) -> tuple[ExerciseRecord, dict[str, str]]:
        return store.create_exercise(
            exercise_id="ex1",
            title="Night arrival",
            scenario_id="port-arrivals",
            scenario_text=SCENARIO,
            teams=["red", "blue"],
            settings={"pace": 1.5, "debrief": True},
        )

    def test_it_is_a_store(self, store: Store) -> None:
        assert isinstance(store, Store)
        assert store.location

    def test_closing_twice_is_harmless(self, where: Path) -> None:
        opened = self.open_store(where, create=True)
        opened.close()
        opened.close()

    # -- exercises and join codes -------------------------------------------------------

    def test_an_exercise_keeps_a_full_copy_of_its_scenario(
        self, where: Path, exercise: tuple[ExerciseRecord, dict[str, str]], store: Store
    ) -> None:
        record, codes = exercise
        assert record.scenario_text == SCENARIO
        assert record.scenario_sha256 == hashlib.sha256(SCENARIO.encode("utf-8")).hexdigest()
        assert record.teams == ("red", "blue")
        assert record.settings == {"pace": 1.5, "debrief": True}
        assert set(codes) == {"red", "blue"}
        store.close()
        with self.open_store(where, create=False) as reopened:
            assert reopened.exercise("ex1") == record
            assert reopened.exercises() == [record]

    def test_exercise_ids_are_generated_short_and_unique(self, store: Store) -> None:
        ids = {
            store.create_exercise(
                exercise_id=None, title="t", scenario_id="s", scenario_text="x", teams=["a"]
            )[0].id
            for _ in range(4)
        }
        assert len(ids) == 4
        assert all(re.fullmatch(r"ex-[23456789a-z]{6}", i) for i in ids)
        assert {e.id for e in store.exercises()} == ids

    def test_exercises_are_listed_oldest_first(self, store: Store) -> None:
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
        self,
        store: Store,
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
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        with pytest.raises(StoreError, match=r"There is no exercise 'ex2' in .*did you mean 'ex1'"):
            store.exercise("ex2")
        with pytest.raises(StoreError, match=r"no exercise 'zzzzzz'.*its exercises: ex1"):
            store.read("zzzzzz")

    def test_check_code_ignores_case_spaces_and_dashes(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
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
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        with pytest.raises(
            StoreError, match=r"Exercise 'ex1' has no team 'rad' \(did you mean 'red'"
        ):
            store.check_code("ex1", "rad", "ABCDEF")
        with pytest.raises(StoreError, match="There is no exercise 'nope'"):
            store.check_code("nope", "red", "ABCDEF")

    def test_append_numbers_events_within_their_stream(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
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
        self, where: Path, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
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
        with self.open_store(where, create=False) as reopened:
            assert reopened.read("ex1", "clock") == appended

    def test_reads_follow_the_global_cursor(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
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

    def test_events_of_some_kinds_are_read_whole_or_by_their_ends(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        red = store.append(
            "ex1",
            "team:red",
            0,
            [event("message" if n % 2 else "chose", n=n) for n in range(1, 12)]
            + [event("joined", n=12)],
        )
        store.append("ex1", "team:blue", 0, [event("message", n=99)])
        messages = [e for e in red if e.kind == "message"]  # n = 1, 3, ... 11
        assert store.read_kinds("ex1", "team:red", ["message"]) == messages
        assert store.read_kinds("ex1", "team:red", ["joined", "message"]) == [
            e for e in red if e.kind != "chose"
        ]
        assert store.read_kinds("ex1", "team:red", ["message"], until_seq=5) == messages[:3]
        assert store.read_kinds("ex1", "team:red", ["message"], limit=2) == messages[:2]
        newest = store.read_kinds("ex1", "team:red", ["message"], limit=2, newest=True)
        assert newest == messages[-2:]  # the last two, still oldest first
        ends = store.read_kinds("ex1", "team:red", ["message"], until_seq=8, limit=2, newest=True)
        assert ends == [e for e in messages if e.seq <= 8][-2:]
        assert store.read_kinds("ex1", "team:red", ["message"], since_seq=4) == messages[2:]
        between = store.read_kinds("ex1", "team:red", ["message"], since_seq=3, until_seq=7)
        assert between == messages[1:4]
        assert store.read_kinds("ex1", "team:red", ["message"], limit=0) == []
        assert store.read_kinds("ex1", "team:red", []) == []
        assert store.read_kinds("ex1", "team:red", ["rating"]) == []
        assert store.read_kinds("ex1", "team:green", ["message"]) == []
        with pytest.raises(ValueError, match="limit"):
            store.read_kinds("ex1", "team:red", ["message"], limit=-1)
        with pytest.raises(StoreError, match=r"no exercise 'ex9'.*did you mean 'ex1'"):
            store.read_kinds("ex9", "team:red", ["message"])

    def test_exercises_do_not_see_each_others_events(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
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
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
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
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
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

    def test_an_append_resting_on_another_stream_is_refused_when_that_stream_moved(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        store.append("ex1", "clock", 0, [NewEvent("started", {}, 0.0, "facilitator")])
        # the decision checked the clock at seq 1; a pause lands before it is written
        store.append("ex1", "clock", 1, [NewEvent("paused", {}, 1.0, "facilitator")])
        with pytest.raises(ConcurrencyError) as refused:
            store.append("ex1", "team:red", 0, [event(n=1)], unchanged=[("clock", 1)])
        moved = refused.value
        assert (moved.stream, moved.expected, moved.actual) == ("clock", 1, 2)
        with pytest.raises(ConcurrencyError):
            store.append_many("ex1", [("team:red", 0, [event(n=1)])], unchanged=[("clock", 0)])
        assert store.read("ex1", "team:red") == []
        # read again at seq 2: written, and the guarded stream gets nothing
        written = store.append("ex1", "team:red", 0, [event(n=1)], unchanged=[("clock", 2)])
        assert [(e.stream, e.seq) for e in written] == [("team:red", 1)]
        assert store.last_seq("ex1", "clock") == 2

    def test_appending_to_an_unknown_exercise_is_a_plain_error(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
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
        self,
        store: Store,
        exercise: tuple[ExerciseRecord, dict[str, str]],
        bad: NewEvent,
        error: type[Exception],
    ) -> None:
        with pytest.raises(error):
            store.append("ex1", "team:red", 0, [event(), bad])
        with pytest.raises(ValueError, match="expected_seq"):
            store.append("ex1", "team:red", -1, [event()])
        assert store.last_id("ex1") == 0

    def test_appending_nothing_writes_nothing(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        assert store.append("ex1", "team:red", 0, []) == []
        assert store.last_id("ex1") == 0

    def test_streams_behave_like_a_model_of_gapless_lists(self, store: Store) -> None:
        """Random appends with right and wrong expectations agree with a dict of lists."""
        store.create_exercise(
            exercise_id="m", title="t", scenario_id="s", scenario_text="x", teams=["a"]
        )
        examples = iter(range(1_000_000))

        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(
            ops=st.lists(
                st.tuples(
                    st.sampled_from(["a", "b", "clock"]), st.integers(-1, 1), st.integers(1, 3)
                ),
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

    def test_wait_for_events_returns_at_once_when_events_are_there(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        written = store.append("ex1", "team:red", 0, [event()])
        started = time.monotonic()
        assert store.wait_for_events("ex1", 0, timeout=5) == written
        assert time.monotonic() - started < 2.5  # well short of the 5 s timeout

    def test_wait_for_events_times_out_empty(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        store.append("ex1", "team:red", 0, [event()])
        started = time.monotonic()
        assert store.wait_for_events("ex1", store.last_id("ex1"), timeout=0.15) == []
        assert 0.15 <= time.monotonic() - started < 3.0

    def test_wait_for_events_sees_another_thread_of_the_same_store(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        writer = threading.Timer(0.1, lambda: store.append("ex1", "team:blue", 0, [event()]))
        writer.start()
        try:
            got = store.wait_for_events("ex1", 0, timeout=5)
        finally:
            writer.join()
        assert [(e.stream, e.seq) for e in got] == [("team:blue", 1)]
        assert time.time() - got[0].wall < 2.5

    def test_integrity_check_of_a_healthy_store_is_ok(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        store.append("ex1", "team:red", 0, [event()])
        assert store.integrity_check() == "ok"

    def test_a_closed_store_says_so(self, where: Path) -> None:
        store = self.open_store(where, create=True)
        store.close()
        with pytest.raises(StoreError, match="closed"):
            store.exercises()

    # -- the roster ---------------------------------------------------------------------

    def _arrive(self, store: Store, seat: str, lease: float = 60.0, name: str = "Ana") -> bool:
        return store.seat_arrive(
            "ex1", seat, team="red", name=name, role="investigator", kind="terminal", lease=lease
        )

    def test_a_seat_arrives_renews_and_leaves_without_moving_any_stream(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        store.append("ex1", "team:red", 0, [event()])
        last = store.last_id("ex1")
        before = time.time()
        assert self._arrive(store, "s1") is True  # new: joined
        assert self._arrive(store, "s1") is False  # still online: not a second join
        assert store.seat_renew("s1", 60.0) is True
        [seat] = store.seats("ex1")
        assert (seat.id, seat.team, seat.name, seat.role, seat.kind) == (
            "s1",
            "red",
            "Ana",
            "investigator",
            "terminal",
        )
        assert seat.online(time.time()) and seat.joined_wall >= before - 1
        assert store.seat_leave("s1") is True
        assert store.seat_leave("s1") is False  # already gone
        assert store.seat_renew("s1", 60.0) is False  # a heartbeat does not bring it back
        [seat] = store.seats("ex1")
        assert not seat.online(time.time()) and seat.left_wall is not None
        assert self._arrive(store, "s1") is True  # back: joined again, the same seat
        assert len(store.seats("ex1")) == 1 and store.seats("ex1")[0].left_wall is None
        assert store.last_id("ex1") == last  # the roster is no event

    def test_a_seat_whose_lease_runs_out_is_offline_and_rejoins(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        assert self._arrive(store, "s1", lease=0.05)
        [seat] = store.seats("ex1")
        assert not seat.online(seat.expires_wall)
        assert seat.online(seat.expires_wall - 0.01)
        while time.time() < seat.expires_wall:
            time.sleep(0.02)
        assert self._arrive(store, "s1") is True  # the lease had run out: a new join

    def test_seats_are_listed_per_exercise_in_order_of_joining(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        store.create_exercise(
            exercise_id="ex2",
            title="Other",
            scenario_id="port-arrivals",
            scenario_text=SCENARIO,
            teams=["red"],
        )
        self._arrive(store, "b", name="Ben")
        self._arrive(store, "a", name="Ana")
        store.seat_arrive(
            "ex2", "c", team="red", name="Cleo", role="investigator", kind="headless", lease=5
        )
        assert [s.name for s in store.seats("ex1")] == ["Ben", "Ana"]
        assert [s.name for s in store.seats("ex2")] == ["Cleo"]
        with pytest.raises(StoreError, match="no exercise 'ex3'"):
            store.seat_arrive(
                "ex3", "d", team="red", name="Dan", role="investigator", kind="terminal", lease=5
            )

    # -- saved states ---------------------------------------------------------------------

    def test_saved_states_are_kept_per_stream_under_their_key(
        self, where: Path, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        store.append("ex1", "team:red", 0, [event(n=1), event(n=2), event(n=3)])
        store.append("ex1", "team:blue", 0, [event(n=1)])
        last = store.last_id("ex1")
        assert store.saved_states("ex1", "k1") == {}
        kept = store.save_states("ex1", "k1", [("team:red", 2, "red@2"), ("team:blue", 1, "b")])
        assert kept == 2
        assert store.saved_states("ex1", "k1") == {"team:red": (2, "red@2"), "team:blue": (1, "b")}
        assert store.saved_states("ex1", "other") == {}
        # a cache beside the log: no event, no stream moved
        assert store.last_id("ex1") == last and store.last_seq("ex1", "team:red") == 3
        store.close()
        with self.open_store(where, create=False) as reopened:
            assert reopened.saved_states("ex1", "k1")["team:red"] == (2, "red@2")

    def test_a_saved_state_replaces_an_older_or_equal_one_never_a_newer_one(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        store.append("ex1", "team:red", 0, [event(n=n) for n in range(5)])
        assert store.save_states("ex1", "k1", [("team:red", 3, "at 3")]) == 1
        assert store.save_states("ex1", "k1", [("team:red", 2, "at 2")]) == 0  # older
        assert store.saved_states("ex1", "k1") == {"team:red": (3, "at 3")}
        assert store.save_states("ex1", "k1", [("team:red", 5, "at 5")]) == 1  # newer
        assert store.saved_states("ex1", "k1") == {"team:red": (5, "at 5")}
        assert store.save_states("ex1", "k1", [("team:red", 5, "at 5 again")]) == 1  # same
        assert store.saved_states("ex1", "k1") == {"team:red": (5, "at 5 again")}
        # another key (new rules, say) replaces it whatever its seq
        assert store.save_states("ex1", "k2", [("team:red", 1, "k2 at 1")]) == 1
        assert store.saved_states("ex1", "k1") == {}
        assert store.saved_states("ex1", "k2") == {"team:red": (1, "k2 at 1")}

    def test_a_state_for_events_not_in_the_log_is_not_kept(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        store.append("ex1", "team:red", 0, [event(n=1)])
        assert store.save_states("ex1", "k1", [("team:red", 2, "ahead")]) == 0
        assert store.save_states("ex1", "k1", [("team:green", 1, "no stream")]) == 0
        assert store.saved_states("ex1", "k1") == {}
        with pytest.raises(ValueError, match="seq"):
            store.save_states("ex1", "k1", [("team:red", 0, "x")])
        with pytest.raises(ValueError, match="key"):
            store.save_states("ex1", "", [("team:red", 1, "x")])
        with pytest.raises(StoreError, match=r"no exercise 'ex9'.*did you mean 'ex1'"):
            store.save_states("ex9", "k1", [("team:red", 1, "x")])
        with pytest.raises(StoreError, match="no exercise 'ex9'"):
            store.saved_states("ex9", "k1")

    # -- moving an exercise between stores ----------------------------------------------

    def test_an_exported_exercise_restores_whole_in_another_store(
        self, where: Path, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        record, codes = exercise
        store.append("ex1", "team:red", 0, [event(n=1), event(n=2)])
        store.append("ex1", "clock", 0, [NewEvent("started", {"x": "Ü"}, 0.0, "facilitator")])
        store.seat_arrive(
            "ex1", "s1", team="red", name="Ana", role="investigator", kind="terminal", lease=60
        )
        copy = store.export_exercise("ex1")
        assert copy.record == record and [e.seq for e in copy.events] == [1, 2, 1]
        assert [name for name, _, _ in copy.codes] == ["red", "blue"]
        elsewhere = where / "elsewhere"
        elsewhere.mkdir()
        with self.open_store(elsewhere, create=True) as other:
            other.restore_exercise(copy)
            again = other.export_exercise("ex1")
            assert (again.record, again.codes, again.seats) == (copy.record, copy.codes, copy.seats)
            assert [e.id for e in again.events] == sorted(e.id for e in again.events)
            assert [_without_id(e) for e in again.events] == [_without_id(e) for e in copy.events]
            assert other.check_code("ex1", "red", codes["red"])
            assert other.append("ex1", "team:red", 2, [event(n=3)])[0].seq == 3
            with pytest.raises(StoreError, match="already exists"):
                other.restore_exercise(copy)
        with pytest.raises(StoreError, match="no exercise 'ex9'"):
            store.export_exercise("ex9")

    # -- many writers -------------------------------------------------------------------

    def test_two_connections_racing_on_one_stream_lose_and_duplicate_nothing(
        self, where: Path, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        """Two writers with their own connections, each retrying on a stale seq, as the
        service does: every event lands once, the stream stays gapless."""
        per_writer = 40
        failures: list[BaseException] = []

        def writer(name: str) -> None:
            mine = self.open_store(where, create=False)
            try:
                for n in range(per_writer):
                    while True:
                        seen = mine.last_seq("ex1", "team:red")
                        try:
                            mine.append("ex1", "team:red", seen, [event(w=name, n=n)])
                            break
                        except ConcurrencyError:
                            continue
            except BaseException as exc:  # reported below, not lost in the thread
                failures.append(exc)
            finally:
                mine.close()

        threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not failures
        got = store.read("ex1", "team:red")
        assert [e.seq for e in got] == list(range(1, 2 * per_writer + 1))
        for name in ("a", "b"):
            assert [e.payload["n"] for e in got if e.payload["w"] == name] == list(
                range(per_writer)
            )

    def test_control_sequences_never_leave_the_store(
        self, store: Store, exercise: tuple[ExerciseRecord, dict[str, str]]
    ) -> None:
        store.append(
            "ex1",
            "team:red",
            0,
            [NewEvent("message", {"text": "hi\x1b[2J\x07 there"}, 1.0, actor="A\x1b]0;x\x07na")],
        )
        (got,) = store.read("ex1", "team:red")
        assert "\x1b" not in got.payload["text"] and "\x07" not in got.payload["text"]
        assert "hi" in got.payload["text"] and "there" in got.payload["text"]
        assert "\x1b" not in got.actor
