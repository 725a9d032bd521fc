"""Fork-here benchmarks: what a report, a console's or a seat's debrief waits for.

Prints figures; it is not a test. Run: ``python -m benchmarks.bench_forks``.

* ``explore`` of each shipped scenario: states, seconds (wall and CPU);
* a fork at decision 1 of a port-arrivals team (the largest search a fork makes): in a
  new process (cold), again in the same process (its search graph known), and after an
  ``explore`` of the scenario (as after ``exercise create`` in the same process);
* the report of a played two-team port-arrivals exercise with critical errors: the
  document built twice in one process (a console asking again), and the whole
  ``simtrain report --format html`` command in a new process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import compile_once, load_note, run_measured  # noqa: E402
from simtrain.engine.events import Chose  # noqa: E402
from simtrain.engine.fold import Engine  # noqa: E402
from simtrain.engine.headless import record  # noqa: E402
from simtrain.exercise import ExerciseService, Seat  # noqa: E402
from simtrain.report.document import build_report  # noqa: E402
from simtrain.scenario.validate import load_file  # noqa: E402
from tests.test_fork import PATH  # noqa: E402

SCENARIOS = ROOT / "scenarios"
PORT = SCENARIOS / "port-arrivals.yaml"
RED = PATH
"""A team that makes three critical errors (decisions 9, 15 and 16): the fork tests' path."""
BLUE = RED[:9]
"""A team that stops after eight decisions, none critical (its report forks at its
lowest-scoring decision)."""

_FORK_SNIPPET = """
import sys, time
from simtrain.engine.fold import Engine
from simtrain.engine.fork import fork
from simtrain.engine.headless import record
from simtrain.scenario.validate import load_file
scenario = load_file(sys.argv[1]).scenario
scenario.meta["best_scores"] = dict.fromkeys(scenario.competencies, 0)
_, events = record(Engine(scenario), sys.argv[2:])
for label in ("cold", "known"):
    wall, cpu = time.perf_counter(), time.process_time()
    found = fork(scenario, events, 1)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label} {found.states} {wall:.2f} {cpu:.2f}")
"""


def timed_explore() -> None:
    """``explore`` of each shipped scenario, each in a process of its own."""
    for path in sorted(SCENARIOS.glob("*.yaml")):
        code = (
            "import sys, time\n"
            "from simtrain.engine.explore import explore\n"
            "from simtrain.scenario.validate import load_file\n"
            "s = load_file(sys.argv[1]).scenario\n"
            "w, c = time.perf_counter(), time.process_time()\n"
            "r = explore(s)\n"
            "print(r.states, f'{time.perf_counter() - w:.2f}', f'{time.process_time() - c:.2f}')\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
        ).stdout.split()
        print(f"  explore {path.stem}: {out[0]} states, {out[1]} s ({out[2]} s CPU)")


def timed_forks() -> None:
    """A fork at decision 1 of :data:`RED`: cold, known, and after explore."""
    out = subprocess.run(
        [sys.executable, "-c", _FORK_SNIPPET, str(PORT), *RED],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in out.splitlines():
        label, states, wall, cpu = line.split()
        print(f"  fork at decision 1, {label} graph: {states} states, {wall} s ({cpu} s CPU)")
    scenario = load_file(PORT).scenario
    assert scenario is not None
    from simtrain.engine.explore import explore
    from simtrain.engine.fork import fork

    _, events = record(Engine(scenario), RED)
    start = time.perf_counter()
    explore(scenario)
    explored = time.perf_counter() - start
    start = time.perf_counter()
    found = fork(scenario, events, 1)
    print(
        f"  fork at decision 1 after explore ({explored:.2f} s): {found.states} states, "
        f"{time.perf_counter() - start:.2f} s"
    )


def played(db: Path) -> None:
    """Create the two-team exercise and play :data:`RED` and :data:`BLUE` in it."""
    with ExerciseService.open(db, create=True) as service:
        exercise, codes = service.create(PORT, ["red", "blue"], exercise_id="bench")
        exercise.start()
        for team, steps in (("red", RED), ("blue", BLUE)):
            _, events = record(Engine(exercise.scenario), steps)
            seats: dict[str, Seat] = {}
            for event in events:
                if isinstance(event, Chose):
                    seat = seats.get(event.role) or exercise.headless_seat(
                        team, codes[team], event.role
                    )
                    seats[event.role] = seat
                    exercise.act(seat, event.choice)


def timed_report(db: Path) -> None:
    """The report's document twice in one process, then the command in a new one."""
    service = ExerciseService.open(db)
    exercise = service.exercise("bench")
    for label in ("first", "second"):
        start, cpu = time.perf_counter(), time.process_time()
        document = build_report(exercise)
        cpu = time.process_time() - cpu
        forks = [f for team in document["teams"].values() for f in team.get("forks", [])]
        states = sum(f["expert"].get("states", 0) for f in forks)
        print(
            f"  report document, {label} in this process: {time.perf_counter() - start:.2f} s "
            f"({cpu:.2f} s CPU; {len(forks)} forks, {states} states searched)"
        )
    service.close()
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        command = [sys.executable, "-m", "simtrain.cli", "report", "--db", str(db)]
        command += ["--exercise", "bench"]
        command += ["--format", "html", "-o", str(page)]
        for label in ("first", "second"):
            wall, peak = run_measured(command, stdout=subprocess.DEVNULL)
            print(f"  simtrain report --format html, {label} run: {wall:.2f} s, {peak:.0f} MB")


def main() -> None:
    os.environ["PYTHONPATH"] = str(ROOT)  # the commands measured run this tree's simtrain
    compile_once(sys.executable, ROOT / "simtrain")
    print(f"fork benchmarks ({load_note()})")
    timed_explore()
    timed_forks()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "forks.db"
        played(db)
        timed_report(db)
    print(f"({load_note()})")


if __name__ == "__main__":
    main()
