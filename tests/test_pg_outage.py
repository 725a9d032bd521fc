"""The PostgreSQL server killed mid-exercise and started again (issue 15), with real
processes: ``simtrain act`` from two hosts' worth of processes, live seats that follow the
exercise as the trainee screen does, and the trainee screen itself. Commands during the
outage refuse in one sentence; the seats say the exercise is out of reach, come back by
themselves and catch up; every acknowledged decision is in the log exactly once."""

from __future__ import annotations

import itertools
import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from simtrain.engine.events import Chose
from simtrain.exercise import ExerciseService
from simtrain.tui.app import TraineeApp
from simtrain.tui.roleplay import RoleplayApp, RoleplayScreen
from simtrain.tui.widgets import StatusLine
from simtrain.views.follow import Reconnected
from simtrain.views.roleplay import RoleplaySession
from simtrain.views.session import join_seat
from tests.pg_server import PgServer
from tests.pilot import until

from .conftest import FIXTURES, ROOT, character_scenario

SCENARIO = FIXTURES / "every_feature.yaml"
TEAMS = ["red", "green"]
"""Two hosts' worth of processes: one group acts and watches for each team."""
CLI = [sys.executable, "-c", "from simtrain.cli import main; main(prog_name='simtrain')"]


def act(url: str, codes: dict[str, str], team: str, choice: str) -> subprocess.Popen[str]:
    """A ``simtrain act`` process of the team's investigator."""
    return subprocess.Popen(
        [*CLI, "act", "--db", url, "--exercise", "drill", "--team", team, "--role",
         "investigator", "--code", codes[team], choice, "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finish(processes: dict[str, subprocess.Popen[str]]) -> dict[str, tuple[int, str, str]]:
    """Each process's exit code, stdout and stderr, by team."""
    done = {}
    for team, process in processes.items():
        out, err = process.communicate(timeout=120)
        done[team] = (process.returncode, out, err)
    return done


class Seat:
    """A headless seat process (tests/seat_watch.py) and the lines it has printed."""

    def __init__(self, url: str, team: str, code: str, timeout: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.seat_watch", url, "drill", team, "social_worker",
             code, str(timeout)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        self.lines: list[dict[str, Any]] = []
        self._news: queue.Queue[dict[str, Any]] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._news.put(json.loads(line))

    def until(self, check: Any, timeout: float = 60) -> dict[str, Any]:
        """Wait for a line (new or already read) for which ``check`` holds."""
        for line in self.lines:
            if check(line):
                return line
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"the seat never printed what was awaited: {self.lines}"
            try:
                line = self._news.get(timeout=remaining)
            except queue.Empty:
                continue
            self.lines.append(line)
            if check(line):
                return line

    def close(self) -> str:
        """Stop the seat (its stdin closes); its stderr."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)
        assert self.process.stderr is not None
        return self.process.stderr.read()


@pytest.fixture
def seats() -> Iterator[list[Seat]]:
    started: list[Seat] = []
    yield started
    for seat in started:
        if seat.process.poll() is None:
            seat.process.kill()
            seat.process.wait()


def test_a_server_killed_mid_exercise_loses_nothing_acknowledged_and_seats_come_back(
    pg_server: PgServer, seats: list[Seat]
) -> None:
    url = pg_server.new_database()
    with ExerciseService.open(url, create=True) as service:
        created = service.create_exercise(SCENARIO, TEAMS, exercise_id="drill")
        created.exercise.start()
    codes = created.teams
    # one live seat per host, on a team that host acts for; the red seat retries slowly,
    # so the decisions made after the restart may land before it is back (it catches up)
    seats.append(Seat(url, "red", codes["red"], timeout=2.0))
    seats.append(Seat(url, "green", codes["green"], timeout=0.2))

    acknowledged: dict[str, list[str]] = {team: [] for team in TEAMS}
    for team, (code, _, err) in finish(
        {team: act(url, codes, team, "note_indicators") for team in TEAMS}
    ).items():
        assert code == 0, err
        acknowledged[team].append("note_indicators")
    for seat in seats:
        seat.until(lambda line: len(line.get("decisions", ())) == 1)

    pg_server.stop("immediate")  # killed: no clean shutdown, connections cut
    try:
        # one process per host tries to act while the server is away
        refused = finish({team: act(url, codes, team, "screen_individually") for team in TEAMS})
        for seat in seats:
            trouble = seat.until(lambda line: "trouble" in line)["trouble"]
            assert "PostgreSQL server at postgresql://simtrain@127.0.0.1" in trouble
            assert pg_server.password not in trouble
    finally:
        pg_server.start()
    for team, (code, out, err) in refused.items():
        assert code == 1, (team, out, err)
        assert "Cannot reach the PostgreSQL server at postgresql://simtrain@127.0.0.1" in err
        assert len(err.strip().splitlines()) == 1, err  # one sentence, no traceback
        assert pg_server.password not in err and out == ""

    for team, (code, out, err) in finish(
        {team: act(url, codes, team, "screen_individually") for team in TEAMS}
    ).items():
        assert code == 0, err
        assert json.loads(out)["scene"] == "screening"
        acknowledged[team].append("screen_individually")

    # the seats came back by themselves and show both decisions, each once
    for seat in seats:
        seat.until(lambda line: "reconnected" in line)
        last = seat.until(lambda line: line.get("scene") == "screening")
        assert len(last["decisions"]) == 2, last
        assert last["decisions"][0] != last["decisions"][1]
        shown = [line["view"] for line in seat.lines if "view" in line]
        assert shown == sorted(shown)  # never back to an older view
        assert seat.lines.index(seat.until(lambda line: "trouble" in line)) < seat.lines.index(
            seat.until(lambda line: "reconnected" in line)
        )
        err = seat.close()
        assert seat.process.returncode == 0 and "Traceback" not in err, err

    # every acknowledged decision is in the log exactly once, and replays to the same
    with ExerciseService.open(url) as service:
        exercise = service.exercise("drill")
        for team in TEAMS:
            chosen = [e.event.choice for e in exercise.events(team) if isinstance(e.event, Chose)]
            assert chosen == acknowledged[team], team
            state = exercise.replay(team)
            assert state.scene == "screening"
            assert [step.choice for step in state.path] == acknowledged[team]
        assert service.store.integrity_check() == "ok"


async def test_the_trainee_screen_says_the_server_is_away_and_comes_back_by_itself(
    pg_server: PgServer, tmp_path: Path
) -> None:
    url = pg_server.new_database()
    with ExerciseService.open(url, create=True) as control:
        created = control.create_exercise(SCENARIO, ["red"], exercise_id="drill")
        created.exercise.start()
        code = created.teams["red"]
        seat_service = ExerciseService.open(url)
        session = join_seat(seat_service, "drill", "red", code, "social_worker", "Asha")
        app = TraineeApp(seat_service, session=session, view=session.view(), watch_timeout=0.1)
        try:
            async with app.run_test(size=(100, 30)) as pilot:
                status = app.screen.query_one(StatusLine)
                pg_server.stop("immediate")
                try:
                    await until(pilot, lambda: "keeps trying by itself" in status.text)
                    # which sentence depends on when the watch looked: the connection
                    # lost, the server unreachable, or (shutting down) refusing connections
                    assert any(
                        reason in status.text
                        for reason in (
                            "Cannot reach the PostgreSQL server",
                            "Lost the connection",
                            "is starting up or shutting down",
                        )
                    )
                    assert pg_server.password not in status.text
                finally:
                    pg_server.start()
                await until(pilot, lambda: status.text == Reconnected().text)
                # and it follows the exercise again: a teammate's decision reaches it
                teammate = created.exercise.join("red", code, "investigator", "Ben")
                created.exercise.act(teammate, "screen_individually")
                await until(pilot, lambda: app.screen.view.scene.id == "screening")  # type: ignore[attr-defined]
        finally:
            session.leave()
            seat_service.close()


async def test_the_roleplayer_screen_says_once_the_server_is_away_and_when_it_is_back(
    pg_server: PgServer, tmp_path: Path
) -> None:
    url = pg_server.new_database()
    with ExerciseService.open(url, create=True) as control:
        created = control.create_exercise(
            character_scenario(tmp_path), ["red"], exercise_id="drill"
        )
        created.exercise.start()
        service = ExerciseService.open(url)
        session = RoleplaySession.open(
            service.exercise("drill"), "dara", created.characters["dara"]
        )
        app = RoleplayApp(session, session.view(), watch_timeout=0.1)
        try:
            async with app.run_test(size=(100, 30)) as pilot:
                await until(pilot, lambda: isinstance(app.screen, RoleplayScreen))
                screen = app.screen
                assert isinstance(screen, RoleplayScreen)
                told: list[str] = []
                tell = screen.tell

                def record(text: str, severity: str = "information") -> None:
                    told.append(text)
                    tell(text, severity)

                screen.tell = record  # type: ignore[method-assign]
                pg_server.stop("immediate")
                try:
                    await until(pilot, lambda: any("keeps trying" in t for t in told))
                    await pilot.pause(0.5)  # several retries fail meanwhile
                finally:
                    pg_server.start()
                await until(pilot, lambda: Reconnected().text in told)
                troubles = [t for t in told if "keeps trying" in t]
                # told when the reason changes (lost, cannot reach, starting up…), not at
                # every retry
                assert troubles and all(a != b for a, b in itertools.pairwise(troubles))
                assert all(pg_server.password not in t for t in told)
                # and it follows again: the team reaches the character's scene
                created.exercise.act(
                    created.exercise.headless_seat(
                        "red", created.teams["red"], "investigator", "I"
                    ),
                    "screen_individually",
                )
                await until(pilot, lambda: [d.team for d in screen.view.teams] == ["red"])
        finally:
            service.close()
