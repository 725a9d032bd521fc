"""The exercise service: clock, seats, actions, exactly-once delivery, races, refusals."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from simtrain.engine.events import (
    Chose,
    ClockEvent,
    ExerciseEnded,
    ExercisePaused,
    ExerciseResumed,
    ExerciseStarted,
    InjectDelivered,
    Joined,
    MessageSent,
    Moved,
    Observed,
    ScoreAdjusted,
    TimerFired,
)
from simtrain.exercise import (
    Exercise,
    ExerciseError,
    ExerciseService,
    Recorded,
    SceneChanged,
    Seat,
    clock_from_events,
)

from .conftest import FIXTURES

SCENARIO = FIXTURES / "every_feature.yaml"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "course.db"


@pytest.fixture
def live(db: Path) -> tuple[Exercise, dict[str, str]]:
    service = ExerciseService.open(db, create=True)
    exercise, codes = service.create(SCENARIO, ["red", "blue"])
    exercise.start()
    return exercise, codes


def _event(kind: type[ClockEvent], wall: float) -> Recorded:
    return Recorded(0, None, 0, wall, "facilitator", None, kind(clock=0.0))


def test_clock_counts_running_time_only() -> None:
    events = [
        _event(ExerciseStarted, 100.0),
        _event(ExercisePaused, 160.0),
        _event(ExerciseResumed, 400.0),
    ]
    clock = clock_from_events(events, 430.0)
    assert clock.state == "running" and clock.minutes == pytest.approx(1.5)
    ended = clock_from_events([*events, _event(ExerciseEnded, 460.0)], 9999.0)
    assert ended.state == "ended" and ended.minutes == pytest.approx(2.0)


def test_missing_database_is_not_created(db: Path) -> None:
    with pytest.raises(ExerciseError, match="no database"):
        ExerciseService.open(db)
    assert not db.exists()


def test_exercise_keeps_its_own_copy_of_the_scenario(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text(SCENARIO.read_text())
    service = ExerciseService.open(db, create=True)
    exercise, _ = service.create(copy, ["red"])
    copy.write_text("garbage: [")
    again = ExerciseService.open(db).exercise(exercise.id)
    assert again.scenario.id == "quay-demo"
    assert again.record.scenario_sha256 == exercise.scenario.sha256


def test_join_needs_the_right_code_and_a_real_role(live: tuple[Exercise, dict[str, str]]) -> None:
    exercise, codes = live
    with pytest.raises(ExerciseError, match="does not open team 'red'"):
        exercise.join("red", codes["blue"], "investigator", "Ana")
    with pytest.raises(ExerciseError, match="not a role"):
        exercise.join("red", codes["red"], "captain", "Ana")
    with pytest.raises(ExerciseError, match=r"no team 'rde'.*did you mean 'red'"):
        exercise.join("rde", codes["red"], "investigator", "Ana")
    seat = exercise.join("red", codes["red"].lower(), "investigator", "Ana")
    assert (seat.exercise, seat.team, seat.role, seat.name) == (
        exercise.id,
        "red",
        "investigator",
        "Ana",
    )
    assert seat.id  # on the roster
    assert isinstance(exercise.events("red")[-1].event, Joined)


def test_acting_is_refused_unless_running(db: Path) -> None:
    service = ExerciseService.open(db, create=True)
    exercise, _ = service.create(SCENARIO, ["red"])
    seat = Seat(exercise.id, "red", "investigator", "Ana")
    with pytest.raises(ExerciseError, match="not started"):
        exercise.act(seat, "screen_individually")
    exercise.start()
    exercise.pause()
    with pytest.raises(ExerciseError, match="paused"):
        exercise.act(seat, "screen_individually")
    exercise.resume()
    assert exercise.act(seat, "screen_individually").scene == "screening"
    exercise.end()
    with pytest.raises(ExerciseError, match="ended"):
        exercise.act(seat, "offer_rest")
    with pytest.raises(ExerciseError, match="ended"):
        exercise.publish("transfer_order")
    with pytest.raises(ExerciseError, match="cannot start"):
        exercise.start()


def test_act_records_who_why_and_refuses_with_a_reason(
    live: tuple[Exercise, dict[str, str]],
) -> None:
    exercise, _ = live
    seat = Seat(exercise.id, "red", "social_worker", "Sam")
    with pytest.raises(ExerciseError, match="only the Border police investigator"):
        exercise.act(seat, "question_on_quay")
    state = exercise.act(seat, "screen_individually", "  separate   them first ")
    assert state.path[-1].actor == "Sam" and state.path[-1].rationale == "separate them first"
    chose = [e for e in exercise.events("red") if isinstance(e.event, Chose)]
    assert chose[-1].actor == "Sam" and chose[-1].role == "social_worker"
    # the conditional inject arrived in the same transaction as the choice
    assert "interpreter_alert" in state.inbox


def test_teammate_deciding_first_raises_scene_changed(
    live: tuple[Exercise, dict[str, str]],
) -> None:
    exercise, _ = live
    seen = exercise.snapshot("red")[0]
    ana = Seat(exercise.id, "red", "investigator", "Ana")
    sam = Seat(exercise.id, "red", "social_worker", "Sam")
    exercise.act(ana, "screen_individually", expected_seq=seen)
    with pytest.raises(SceneChanged, match="Ana") as info:
        exercise.act(sam, "screen_individually", "my reason", expected_seq=seen)
    assert info.value.state.scene == "screening"
    assert len([e for e in exercise.events("red") if isinstance(e.event, Chose)]) == 1


def test_timers_and_scheduled_injects_are_recorded_once(
    live: tuple[Exercise, dict[str, str]], db: Path
) -> None:
    exercise, _ = live
    other = ExerciseService.open(db).exercise(exercise.id)
    # pretend 12 minutes have passed: both handles tick, only one records
    for handle in (exercise, other, exercise):
        handle.tick(at=12.0)
    kinds = Counter(type(e.event) for e in exercise.events("red"))
    assert kinds[InjectDelivered] == 1  # journalist_call at 8m
    assert kinds[TimerFired] == 1  # quay → escalation at 10m
    assert exercise.state("red").scene == "escalation"


def test_skipped_inject_never_arrives_but_can_be_published(
    live: tuple[Exercise, dict[str, str]],
) -> None:
    exercise, _ = live
    assert exercise.skip("journalist_call", "red", "not tonight") == {"red": ""}
    exercise.tick(at=9.0)
    assert "journalist_call" not in exercise.state("red").inbox
    assert "journalist_call" in exercise.state("blue").inbox
    exercise.publish("journalist_call", "red")
    assert "journalist_call" in exercise.state("red").inbox
    with pytest.raises(ExerciseError, match="already delivered"):
        exercise.publish("journalist_call", "red")


def test_publish_to_all_reports_per_team(live: tuple[Exercise, dict[str, str]]) -> None:
    exercise, _ = live
    exercise.publish("transfer_order", "blue")
    outcome = exercise.publish("transfer_order")
    assert outcome["red"] == "" and "already delivered" in outcome["blue"]
    with pytest.raises(ExerciseError, match="did you mean 'transfer_order'"):
        exercise.publish("transfer_ordr")


def test_facilitator_move_adjust_observe_message(live: tuple[Exercise, dict[str, str]]) -> None:
    exercise, _ = live
    with pytest.raises(ExerciseError, match="reason"):
        exercise.move("red", "screening", " ")
    assert exercise.move("red", "screening", "skip the quay").scene == "screening"
    with pytest.raises(ExerciseError, match="-5 to 5"):
        exercise.adjust("red", "trust", 9, "x")
    assert exercise.adjust("red", "trust", 2, "calm, clear explanation").points["trust"] == 2
    exercise.observe("red", "strength", "asked about family abroad", "safety")
    with pytest.raises(ExerciseError, match="one of"):
        exercise.observe("red", "gossip", "x")
    # the service, not only the command line, refuses a channel that does not exist
    with pytest.raises(ExerciseError, match=r"'fax' is not a channel.*use one of: phone, email"):
        exercise.message("red", "Lab results attached.", channel="fax")
    with pytest.raises(ExerciseError, match=r"did you mean 'email'"):
        exercise.message("red", "Lab results attached.", channel="emial")
    exercise.message("red", "The ferry is delayed.", channel="sms", sender="Port control")
    kinds = [type(e.event) for e in exercise.events("red")]
    kinds = [kind for kind in kinds if kind is not InjectDelivered]
    assert kinds[-4:] == [Moved, ScoreAdjusted, Observed, MessageSent]
    # moving into screening made the conditional inject arrive
    assert "interpreter_alert" in exercise.state("red").inbox


def test_status_json_shape(live: tuple[Exercise, dict[str, str]]) -> None:
    exercise, _ = live
    data = exercise.status()
    assert data["state"] == "running" and set(data["teams"]) == {"red", "blue"}
    team = data["teams"]["red"]
    assert set(team) >= {"scene", "ended", "outcome", "vars", "case_file", "inbox", "path", "score"}
    assert team["score"]["competencies"]["safety"] == {"points": 0, "max": 3}


def test_replay_until(live: tuple[Exercise, dict[str, str]]) -> None:
    exercise, _ = live
    seat = Seat(exercise.id, "red", "investigator", "Ana")
    exercise.act(seat, "screen_individually")
    events = exercise.events("red")
    first = next(e.seq for e in events if isinstance(e.event, Chose))
    assert exercise.replay("red", first - 1).scene == "quay"
    assert exercise.replay("red", first).scene == "screening"
    assert exercise.replay("red") == exercise.state("red")


def _racer(db: str, exercise_id: str, role: str, name: str, barrier: object) -> None:
    exercise = ExerciseService.open(db).exercise(exercise_id)
    seat = Seat(exercise_id, "red", role, name)
    seen = exercise.snapshot("red")[0]
    barrier.wait()  # type: ignore[attr-defined]
    try:
        exercise.act(seat, "screen_individually", f"{name} acts", expected_seq=seen)
    except SceneChanged:
        os._exit(3)
    except ExerciseError:
        os._exit(4)
    os._exit(0)


def test_eight_participants_acting_at_once_on_one_team(
    live: tuple[Exercise, dict[str, str]], db: Path
) -> None:
    exercise, _ = live
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(8)
    roles = ["investigator", "social_worker"] * 4
    procs = [
        ctx.Process(target=_racer, args=(str(db), exercise.id, roles[i], f"p{i}", barrier))
        for i in range(8)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    codes = sorted(p.exitcode if p.exitcode is not None else -1 for p in procs)
    assert codes == [0, 3, 3, 3, 3, 3, 3, 3], codes
    events = exercise.events("red")
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert len([e for e in events if isinstance(e.event, Chose)]) == 1
    assert exercise.state("red").scene == "screening"


def _writer(db: str, exercise_id: str, team: str) -> None:
    exercise = ExerciseService.open(db).exercise(exercise_id)
    seat = Seat(exercise_id, team, "investigator", "w")
    while True:
        exercise.step_out(seat)
        exercise.adjust(team, "trust", 1, "loop")


def test_killed_writers_leave_a_consistent_database(
    live: tuple[Exercise, dict[str, str]], db: Path
) -> None:
    exercise, _ = live
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_writer, args=(str(db), exercise.id, team))
        for team in ("red", "blue", "red", "blue")
    ]
    for p in procs:
        p.start()
    time.sleep(3.0)
    for p in procs:
        os.kill(p.pid, signal.SIGKILL)  # type: ignore[arg-type]
        p.join()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    fresh = ExerciseService.open(db).exercise(exercise.id)
    for team in ("red", "blue"):
        events = fresh.events(team)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        adjustments = [e for e in events if isinstance(e.event, ScoreAdjusted)]
        assert fresh.state(team).points["trust"] == len(adjustments)
    assert fresh.move("red", "screening", "after the crash").scene == "screening"


def test_what_a_choice_sets_off_is_recorded_as_the_system(
    live: tuple[Exercise, dict[str, str]],
) -> None:
    exercise, _ = live
    exercise.act(Seat(exercise.id, "red", "investigator", "Ana"), "screen_individually")
    events = exercise.events("red")
    chose = next(e for e in events if isinstance(e.event, Chose))
    delivered = next(e for e in events if isinstance(e.event, InjectDelivered))
    assert chose.actor == "Ana" and delivered.actor == "system" and delivered.role is None
    seq, state = exercise.snapshot("red")
    assert seq == events[-1].seq and state.scene == "screening"


def test_status_reads_each_team_once_and_still_sees_what_it_delivers(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """status ticks (reading every team) and then folds every team: the fold uses the
    tick's read instead of reading the team again, unless the tick wrote to it."""
    service = ExerciseService.open(db, create=True)
    exercise, _ = service.create(SCENARIO, ["red", "blue", "green"])
    exercise.start()
    reads: Counter[str] = Counter()
    read = service.store.read

    def counted(exercise_id: str, stream: str | None = None, **kwargs: object) -> object:
        reads[str(stream)] += 1
        return read(exercise_id, stream, **kwargs)  # type: ignore[arg-type]

    service.store.read = counted  # type: ignore[method-assign,assignment]
    handle = service.exercise(exercise.id)
    before = handle.status()
    teams = {stream: n for stream, n in reads.items() if stream.startswith("team:")}
    assert teams == {"team:red": 1, "team:blue": 1, "team:green": 1}
    # an hour later the scheduled injects are due: status delivers them and shows them
    later = time.time() + 3600
    monkeypatch.setattr("simtrain.exercise.clock.time", type("Later", (), {"time": lambda: later}))
    reads.clear()
    after = handle.status()
    assert all(after["teams"][t]["seq"] > before["teams"][t]["seq"] for t in ("red", "blue"))
    assert reads["team:red"] == 2  # the tick's read, and the read after its own write
    now = handle.team_json("red")  # read afresh: status showed what the log holds
    assert {key: after["teams"]["red"][key] for key in now} == now
