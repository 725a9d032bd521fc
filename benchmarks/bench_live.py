"""Propagation in a live exercise: a decision recorded by one process, seen on other seats.

Prints figures; not a test. Run: ``python -m benchmarks.bench_live [--quick] [--seats 8]``.

One process plays a team of port-arrivals through the service (``Exercise.act``, and the
facilitator's ``move`` back to the start when the team reaches an ending). SEATS other
processes each hold a seat of that team the way the trainee screen does: a
:class:`~simtrain.views.session.TraineeSession` waiting on the service's ``watch`` and
building the seat's view (the role-filtered :class:`~simtrain.views.seat.SeatView`) when
its team's log moves. The figure is, for every decision and every seat, the time from the
decision's commit (its recorded wall time) to the moment that seat's new view, showing
the decision, is built: p50, p95, max (target p95 ≤ 150 ms). Only the drawing of the
screen is left out; ``bench_seats.py`` measures whole seat processes on terminals.

The whole ``status`` command is measured by ``bench_commands.py``, the append throughput
by ``bench_store_append.py``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import workload
from benchmarks.machine import load_note
from simtrain.engine.events import Chose, Moved
from simtrain.exercise import ExerciseService, Seat
from simtrain.views.session import TraineeSession

EXERCISE = "bench"
TEAM = "team000"


def seat_process(
    db: str, exercise_id: str, team: str, role: str, index: int, ready: Any, out: Any, stop: Any
) -> None:
    """One seat: wait on the watch, build the seat's view, note when each view is built."""
    service = ExerciseService.open(db)
    exercise = service.exercise(exercise_id)
    session = TraineeSession(exercise, Seat(exercise_id, team, role, f"Seat {index}"))
    session.view()  # the screen's first view, as a seat has when the exercise runs
    ready.put(index)
    seen: list[tuple[int, float]] = []
    while not stop.is_set():
        view = session.wait(0.5)
        if view is not None:
            seen.append((view.seq, time.time()))
    out.put((team, seen))
    service.close()


def decide(
    db: str, exercise_id: str, teams: list[str], decisions: int, gap: float
) -> list[tuple[str, int, float]]:
    """Play the teams in turn: ``decisions`` recorded one by one; (team, seq, commit
    wall) of each."""
    service = ExerciseService.open(db)
    exercise = service.exercise(exercise_id)
    scenario = exercise.scenario
    made: list[tuple[str, int, float]] = []
    start = exercise.last_id()
    cursors = dict.fromkeys(teams, start)
    turn = 0
    while len(made) < decisions:
        team = teams[turn % len(teams)]
        turn += 1
        state = exercise.state(team)
        clock = exercise.clock().minutes
        if state.ended:
            exercise.move(team, scenario.start, "Round again")
        else:
            option = next(
                (
                    (o, role)
                    for role in scenario.roles
                    for o in exercise.engine.options(state, role, clock)
                    if o.enabled
                ),
                None,
            )
            if option is None:
                raise SystemExit(f"no choice on offer in scene {state.scene}")
            choice, role = option
            exercise.act(Seat(exercise_id, team, role, "Decider"), choice.choice.id)
        for entry in exercise.events(team, after_id=cursors[team]):
            cursors[team] = entry.id
            if isinstance(entry.event, Chose | Moved):
                made.append((team, entry.seq, entry.wall))
        time.sleep(gap)
    service.close()
    return made


def latencies(
    made: list[tuple[str, int, float]], views: list[tuple[str, list[tuple[int, float]]]]
) -> tuple[list[float], int]:
    """For every decision and every seat of its team, the ms from its commit to the first
    view of that seat showing it; and how many such views never came."""
    found: list[float] = []
    missed = 0
    for team, seen in views:
        for decided, seq, wall in made:
            if decided != team:
                continue
            at = next((t for s, t in seen if s >= seq), None)
            if at is None:
                missed += 1
            else:
                found.append((at - wall) * 1000)
    return found, missed


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 seats, 15 decisions")
    parser.add_argument("--seats", type=int, default=8)
    parser.add_argument("--decisions", type=int, default=30)
    parser.add_argument("--gap", type=float, default=0.3, help="seconds between decisions")
    args = parser.parse_args()
    seats, decisions = (4, 15) if args.quick else (args.seats, args.decisions)
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "live.db")
        workload.build(Path(db), 2, 0, running=True)
        roles = ExerciseService.open(db).exercise(EXERCISE).scenario.roles
        ctx = mp.get_context("spawn")
        ready, out, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
        procs = [
            ctx.Process(
                target=seat_process,
                args=(db, EXERCISE, TEAM, roles[i % len(roles)], i, ready, out, stop),
            )
            for i in range(seats)
        ]
        for proc in procs:
            proc.start()
        for _ in procs:
            ready.get(timeout=300)
        made = decide(db, EXERCISE, [TEAM], decisions, args.gap)
        time.sleep(1.0)  # the last decision reaches every seat
        stop.set()
        views = [out.get(timeout=60) for _ in procs]
        for proc in procs:
            proc.join(timeout=30)
    lags, missed = latencies(made, views)
    print(
        f"decision committed -> seat view built in another process, {seats} seat processes "
        f"x {len(made)} decisions ({len(lags)} observations, {missed} missed): "
        f"p50 {statistics.median(lags):.0f} ms, p95 {pct(lags, 95):.0f} ms, "
        f"max {max(lags):.0f} ms (target p95 <= 150 ms; {load_note()})"
    )


if __name__ == "__main__":
    main()
