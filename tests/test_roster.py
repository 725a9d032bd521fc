"""The roster: who holds a seat, whether they are still there, and the open-role rule.

Presence is tested with real processes: a ``simtrain play`` seat in a pseudo-terminal
that is killed, one that quits, and ``simtrain act`` seats, with leases of a few seconds.
"""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from simtrain.cli import main
from simtrain.engine.events import Chose, Left
from simtrain.exercise import LEASE_ENV, Exercise, ExerciseService, Seat
from simtrain.views.session import join_seat

from .conftest import FIXTURES

SCENARIO = FIXTURES / "every_feature.yaml"
LEASE = 1.0
"""Seconds: the lease every seat of these tests gets."""


@pytest.fixture(autouse=True)
def short_lease(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LEASE_ENV, str(LEASE))


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Exercise, dict[str, str], Path]]:
    db = tmp_path / "course.db"
    service = ExerciseService.open(db, create=True)
    exercise, codes = service.create(SCENARIO, ["red", "blue"], exercise_id="ex1")
    exercise.start()
    yield exercise, codes, db
    service.close()


def wait_for(
    condition: Callable[[], object], timeout: float = 30.0, what: Callable[[], object] = str
) -> None:
    """Poll until ``condition`` holds (other processes get there in their own time);
    ``what()`` says what was seen instead when it never does."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting; saw {what()}")
        time.sleep(0.05)


def status(db: Path) -> dict:
    result = CliRunner().invoke(main, ["status", "--db", str(db), "--exercise", "ex1", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def seats(db: Path, team: str) -> list[dict]:
    return status(db)["teams"][team]["seats"]


def play(db: Path, code: str, role: str, name: str) -> tuple[subprocess.Popen[bytes], int]:
    """A real ``simtrain play`` seat in a pseudo-terminal; returns it and the pty's fd."""
    main_fd, seat_fd = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "simtrain.tui.app", "--db", str(db), "--exercise", "ex1"),
            *("--team", "red", "--role", role, "--code", code, "--name", name),
        ],
        stdin=seat_fd,
        stdout=seat_fd,
        stderr=seat_fd,
        env=env,
        start_new_session=True,
    )
    os.close(seat_fd)
    return process, main_fd


def online(db: Path) -> list[str]:
    return [s["name"] for s in seats(db, "red") if s["online"]]


def idle(seconds: float, *fds: int, until: Callable[[], bool] = lambda: False) -> None:
    """Let ``seconds`` pass (or ``until`` hold) while reading what the seats draw."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not until():
        drain(*fds)
        time.sleep(0.05)


def drained(*fds: int) -> bool:
    """:func:`drain`, for use inside a condition (always true)."""
    drain(*fds)
    return True


def drain(*fds: int) -> None:
    """Read what the seats drew, so none blocks on a full terminal."""
    import select

    for fd in fds:
        while select.select([fd], [], [], 0)[0]:
            try:
                if not os.read(fd, 65536):
                    break
            except OSError:
                break


def test_status_lists_every_seat_with_its_role_and_when_it_joined(live, monkeypatch) -> None:
    monkeypatch.setenv(LEASE_ENV, "600")  # no heartbeat here: online must not run out
    exercise, codes, db = live
    before = time.time()
    ana = exercise.join("red", codes["red"], "investigator", "Ana")
    exercise.join("red", codes["red"], "social_worker", "Ben")
    listed = seats(db, "red")
    assert [(s["name"], s["role"], s["online"]) for s in listed] == [
        ("Ana", "investigator", True),
        ("Ben", "social_worker", True),
    ]
    since = datetime.fromisoformat(listed[0]["since"].replace("Z", "+00:00"))
    assert listed[0]["since"].endswith("Z") and since.timestamp() >= int(before)
    assert seats(db, "blue") == [] and status(db)["teams"]["blue"]["open_roles"] == [
        "investigator",
        "social_worker",
    ]
    exercise.leave(ana)
    listed = seats(db, "red")
    assert listed[0]["online"] is False  # a seat that left stays listed
    assert status(db)["teams"]["red"]["open_roles"] == ["investigator"]
    assert isinstance(exercise.events("red")[-1].event, Left)


def test_heartbeats_never_move_a_teams_stream(live) -> None:
    exercise, codes, _ = live
    session = join_seat(
        ExerciseService(exercise.store), "ex1", "red", codes["red"], "investigator", "Ana"
    )
    seq = exercise.events("red")[-1].seq
    assert exercise.renew(session.seat)
    wait_for(
        lambda: exercise.roster("red")[0].seen_wall > exercise.roster("red")[0].joined_wall + LEASE
    )
    assert exercise.events("red")[-1].seq == seq
    session.leave()
    assert not exercise.renew(session.seat)


def by_name(db: Path) -> dict[str, dict]:
    """Team red's seats by the name they joined with."""
    return {seat["name"]: seat for seat in seats(db, "red")}


def test_a_killed_seat_goes_offline_and_a_quitting_seat_records_leaving(live, monkeypatch) -> None:
    # a lease a loaded machine cannot outlast by starving a heartbeat (one every 2 s): a
    # seat process that gets little CPU while it starts up must not flap offline
    lease = 6.0
    monkeypatch.setenv(LEASE_ENV, str(lease))
    _, codes, db = live
    killed, killed_fd = play(db, codes["red"], "investigator", "Ana")
    quitting, quitting_fd = play(db, codes["red"], "social_worker", "Ben")
    try:
        wait_for(
            lambda: drained(killed_fd, quitting_fd) and len(online(db)) == 2,
            timeout=90,
            what=lambda: seats(db, "red"),
        )
        # the heartbeat keeps both online well past one lease
        idle(lease * 2, killed_fd, quitting_fd)
        assert [s["online"] for s in seats(db, "red")] == [True, True]

        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait(timeout=10)
        wait_for(
            lambda: drained(quitting_fd) and not by_name(db)["Ana"]["online"],
            timeout=lease * 10,
            what=lambda: seats(db, "red"),
        )
        assert by_name(db)["Ben"]["online"]  # the two seats join in either order
        assert status(db)["teams"]["red"]["open_roles"] == ["investigator"]

        for _ in range(20):  # q, then y once the question is up (slow on a loaded machine)
            os.write(quitting_fd, b"q")
            idle(1.0, quitting_fd)
            os.write(quitting_fd, b"y")
            idle(2.0, quitting_fd, until=lambda: quitting.poll() is not None)
            if quitting.poll() is not None:
                break
        assert quitting.wait(timeout=30) == 0
        assert [s["online"] for s in seats(db, "red")] == [False, False]
        with ExerciseService.open(db) as service:
            kinds = [e.event.kind for e in service.exercise("ex1").events("red")]
        assert kinds.count("joined") == 2 and kinds.count("left") == 1  # killed: no goodbye
    finally:
        for process in (killed, quitting):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        os.close(killed_fd)
        os.close(quitting_fd)


def test_an_act_seat_is_online_for_the_lease_after_its_last_act(live, monkeypatch) -> None:
    lease = 3.0  # long enough for the status read right after the act on a loaded machine
    monkeypatch.setenv(LEASE_ENV, str(lease))
    _, codes, db = live
    act = ["act", "--db", str(db), "--exercise", "ex1", "--team", "red", "--code", codes["red"]]
    done = CliRunner().invoke(
        main, [*act, "--role", "investigator", "--name", "Ana", "note_indicators"]
    )
    assert done.exit_code == 0, done.output
    assert [(s["name"], s["online"]) for s in seats(db, "red")] == [("Ana", True)]
    wait_for(lambda: not seats(db, "red")[0]["online"], timeout=lease * 10)
    again = CliRunner().invoke(
        main, [*act, "--role", "investigator", "--name", "Ana", "screen_individually"]
    )
    assert again.exit_code == 0, again.output
    assert [(s["name"], s["online"]) for s in seats(db, "red")] == [("Ana", True)]
    with ExerciseService.open(db) as service:
        kinds = [e.event.kind for e in service.exercise("ex1").events("red")]
    # back after the lease ran out: a second join, one seat on the roster
    assert kinds.count("joined") == 2


def test_an_open_roles_choice_can_be_taken_by_any_member_and_replays(live, monkeypatch) -> None:
    monkeypatch.setenv(LEASE_ENV, "600")  # presence here is not about time running out
    exercise, codes, _ = live
    ben = exercise.headless_seat("red", codes["red"], "social_worker", "Ben")
    # no one holds the investigator's role: Ben may take its choices, and it is recorded
    state = exercise.act(ben, "question_on_quay")
    assert state.path[-1].role == "social_worker"
    chose = [e.event for e in exercise.events("red") if isinstance(e.event, Chose)][-1]
    assert chose.open_role == "investigator"
    step = exercise.team_json("red")["path"][-1]
    assert (step["role"], step["open_role"]) == ("social_worker", "investigator")
    assert exercise.replay("red") == exercise.state("red")
    # once someone holds the role, it is theirs again
    exercise.headless_seat("red", codes["red"], "investigator", "Ana")
    assert exercise.open_roles("red") == []


def test_run_keeps_the_role_rule() -> None:
    result = CliRunner().invoke(
        main, ["run", str(SCENARIO), "as:social_worker", "question_on_quay"]
    )
    assert result.exit_code == 1 and "only the" in result.stderr


def test_a_database_from_before_the_roster_opens_and_gets_one(tmp_path: Path) -> None:
    import sqlite3

    from simtrain.store import schema

    db = tmp_path / "old.db"
    monkeypatch = pytest.MonkeyPatch()
    with monkeypatch.context() as patch:  # the simtrain of schema version 1
        patch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
        with ExerciseService.open(db, create=True) as service:
            exercise, codes = service.create(SCENARIO, ["red"], exercise_id="ex1")
            exercise.start()
            exercise.act(Seat("ex1", "red", "investigator", "Ana"), "note_indicators")
    with ExerciseService.open(db) as service:
        exercise = service.exercise("ex1")
        assert exercise.state("red").path[-1].choice == "note_indicators"
        assert exercise.roster("red") == []
        exercise.join("red", codes["red"], "investigator", "Ana")
        assert [s.name for s in exercise.roster("red")] == ["Ana"]
    conn = sqlite3.connect(db)
    version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    conn.close()
    assert int(version) == schema.SCHEMA_VERSION


def test_starting_warns_about_every_open_role(tmp_path: Path) -> None:
    db = tmp_path / "course.db"
    runner = CliRunner()
    created = runner.invoke(
        main,
        ["exercise", "create", str(SCENARIO), "--db", str(db), "--team", "red", "--json"],
    )
    assert created.exit_code == 0, created.output
    exercise_id = json.loads(created.stdout)["exercise"]
    started = runner.invoke(main, ["exercise", "start", exercise_id, "--db", str(db)])
    assert started.exit_code == 0, started.output
    assert "team red has no one online yet" in started.stderr


def test_a_seat_sees_an_open_roles_choices_and_injects_marked(live, monkeypatch) -> None:
    monkeypatch.setenv(LEASE_ENV, "600")  # presence here is not about time running out
    exercise, codes, _ = live
    service = ExerciseService(exercise.store)
    ben = join_seat(service, "ex1", "red", codes["red"], "social_worker", "Ben")
    try:
        view = ben.view()
        taken = {c.id: c for c in view.choices}["question_on_quay"]
        assert taken.mine
        assert taken.open_role == "for the Border police investigator — no one holds this role"
        # the call to the investigator reaches Ben, marked, and says whom it reached
        exercise.publish("journalist_call", "red")
        item = next(i for i in ben.view().inbox if i.key == "inject:journalist_call")
        assert item.open_role.endswith("no one holds this role")
        delivered = [e.event for e in exercise.events("red") if e.event.kind == "inject_delivered"]
        assert delivered[-1].reached == ("Ben",)
        # Ana takes the investigator's seat: the choice and the call are hers again
        ana = join_seat(service, "ex1", "red", codes["red"], "investigator", "Ana")
        view = ben.view()
        assert not {c.id: c for c in view.choices}["question_on_quay"].mine
        assert "inject:journalist_call" not in [i.key for i in view.inbox]
        ana.leave()
    finally:
        ben.leave()


def test_an_inject_that_reached_no_one_says_so(live) -> None:
    exercise, _, _ = live
    exercise.publish("journalist_call", "red")
    delivered = [e.event for e in exercise.events("red") if e.event.kind == "inject_delivered"]
    assert delivered[-1].reached == ()


def test_publishing_to_a_team_with_no_one_seated_says_not_delivered(live, monkeypatch) -> None:
    monkeypatch.setenv(LEASE_ENV, "600")
    exercise, codes, db = live
    exercise.headless_seat("red", codes["red"], "investigator", "Ana")
    result = CliRunner().invoke(
        main, ["inject", "--db", str(db), "--exercise", "ex1", "journalist_call"]
    )
    assert result.exit_code == 0, result.output
    assert "red: delivered" in result.stdout
    assert "blue: not delivered — no one in the team is seated" in result.stdout
