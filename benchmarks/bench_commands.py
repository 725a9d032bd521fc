"""The commands a facilitator waits for, as whole commands: ``status``, ``report`` and
``replay`` over exercises of 5 to 100 teams and 100 to 2,000 events a team.
``--databases DIR`` keeps the built workloads between runs.

Prints figures; not a test. Run: ``python -m benchmarks.bench_commands [--quick]``.

Each figure is a whole command as a user types it (``simtrain status --json``,
``simtrain report --format html``, ``simtrain replay``), in a fresh process: interpreter
start-up, imports, opening the database, loading the scenario stored with the exercise,
reading and folding the log, printing. Each is run twice (once with ``--quick``) and the
faster run is quoted, with its peak memory (GNU time's figure for the command alone).

* growth of ``status`` and ``report`` with teams (5 → 100 at 2,000 events a team) and
  with events (100 → 2,000 a team at 100 teams): the time per event should stay flat;
* targets at 100 teams × 2,000 events: ``status`` ≤ 0.5 s, ``report --format html``
  ≤ 1.5 s;
* replay of one team as users get it (read from SQLite, decoded, folded) against the
  engine's fold of the same events already in memory: target ≤ 3×;
* start-up: ``simtrain --help`` and ``status`` of a small exercise as whole commands
  against a bare interpreter, and the import time ``python -X importtime`` counts for
  each (target ≤ 0.15 s of imports; no Textual or Rich for commands without a screen).

The commands run with Python's bytecode cache on, kept in a temporary directory and
filled before the first figure, as an installed simtrain has its modules compiled (a
shell with ``PYTHONDONTWRITEBYTECODE=1`` would otherwise charge every command for
compiling simtrain's modules from source). At 100 × 2,000 the report is also measured
in-process, in parts: the document with its forks and without them, and the HTML.

Two kinds of team log (see :mod:`benchmarks.workload`): ``play``, teams playing round
after round (four events in five are decisions, so ``status`` prints every decision of
every team's path), and ``notes``, the facilitator's messages and score adjustments, turn
about (the workload the issue measured ``status`` with). ``--quick`` measures only the
100 × 2,000 point of each and the replay.
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import simtrain
from benchmarks import workload
from benchmarks.machine import as_installed, compile_once, load_note, run_measured
from simtrain.engine.events import FOLDED
from simtrain.exercise import ExerciseService
from simtrain.report import document
from simtrain.report.document import build_report
from simtrain.report.webpage import LIST_ENDS, render_html

RUNS = {"full": 2, "quick": 1}
"""How many times each command is run (the fastest is quoted), by mode."""
runs = RUNS["full"]


def whole_command(args: list[str]) -> tuple[float, float, int]:
    """Run ``simtrain ARGS`` in a fresh process: (seconds, peak RSS in MB, output bytes)."""
    best, peak, size = float("inf"), 0.0, 0
    for _ in range(runs):
        with tempfile.TemporaryFile() as out:
            took, mb = run_measured([sys.executable, "-m", "simtrain.cli", *args], out)
            size = out.tell()
        best, peak = min(best, took), max(peak, mb)
    return best, peak, size


def measure_point(db: Path, teams: int, events: int) -> str:
    """status and report of one exercise, as one line of figures.

    ``status`` is measured twice: ``cold``, the first one on a log written without any
    saved team state (as after an upgrade: it folds every event of every team, then saves
    each team's state), and then as users get it in an exercise, where seats and the
    console keep each team's saved state within 100 events of its log."""
    base = ["--db", str(db), "--exercise", "bench"]
    forget_saved_states(db)
    with tempfile.TemporaryFile() as out:
        command = [sys.executable, "-m", "simtrain.cli", "status", *base, "--json"]
        cold, _ = run_measured(command, out)
    status, status_mb, status_size = whole_command(["status", *base, "--json"])
    report, report_mb, report_size = whole_command(["report", *base, "--format", "html"])
    total = teams * events
    return (
        f"{teams:>5} teams x {events:>5} events = {total:>7,} | status cold {cold:6.2f} s, "
        f"then {status:6.2f} s "
        f"({status / total * 1e6:5.1f} us/event, {status_mb:4.0f} MB, "
        f"{status_size / 1e6:5.1f} MB out) | report html {report:6.2f} s "
        f"({report / total * 1e6:5.1f} us/event, {report_mb:4.0f} MB, "
        f"{report_size / 1e6:5.1f} MB out)"
    )


def forget_saved_states(db: Path) -> None:
    """Drop the saved team states of a database built by an earlier run (``--databases``),
    so that the cold ``status`` folds every event again, as on a fresh one."""
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("DELETE FROM saved_states")


def report_parts(db: Path) -> None:
    """The HTML report of one exercise in-process, in parts, each in a fresh handle (as a
    command gets it): the page's document (saved states and the ends of long lists) with
    its forks and without them (the forks have 20 s of their own), the whole document
    (what md, json and csv are rendered from) without forks, and the HTML."""
    service = ExerciseService.open(db)

    def built(ends: int | None) -> tuple[float, dict[str, object]]:
        exercise = service.exercise("bench")
        start = time.perf_counter()
        report = build_report(exercise, ends=ends)
        return time.perf_counter() - start, report

    forked, _ = built(LIST_ENDS)
    with mock.patch.object(document, "FORK_SECONDS", 0.0):
        bare, page_document = built(LIST_ENDS)
        whole, _ = built(None)
    start = time.perf_counter()
    page = render_html(page_document)
    rendered = time.perf_counter() - start
    print(
        f"  report in-process: the page's document {forked:.2f} s with its forks, {bare:.2f} s "
        f"without them (the whole log's, for md/json, {whole:.2f} s without them); HTML "
        f"rendered in {rendered:.2f} s ({len(page.encode()) / 1e6:.1f} MB)"
    )
    service.close()


def replay_ratio(db: Path) -> None:
    """One team's replay read from SQLite against the engine's fold of the same events."""
    service = ExerciseService.open(db)
    exercise = service.exercise("bench")
    team = exercise.teams[0]
    events = [e.event for e in exercise.events(team) if isinstance(e.event, FOLDED)]
    engine = exercise.engine
    record = service.store.exercise("bench")

    def pure() -> object:
        return engine.replay(events, skip_refused=True)

    def handle() -> object:
        return type(exercise)(service.store, record)

    def from_sqlite() -> float:
        # a fresh handle each time, as each command gets: nothing cached from the last run;
        # it is built outside the timing (it loads the scenario once per process)
        fresh = type(exercise)(service.store, record)
        start = time.perf_counter()
        fresh.replay(team)
        return time.perf_counter() - start

    assert pure() == type(exercise)(service.store, record).replay(team)
    fold, opened = best_of(pure), best_of(handle)
    stored = min(from_sqlite() for _ in range(5))
    print(
        f"replay of one team ({len(events):,} folded events of {len(exercise.events(team)):,}): "
        f"from SQLite {stored * 1000:.1f} ms, engine fold of the same events "
        f"{fold * 1000:.1f} ms: {stored / fold:.1f}x (target <= 3x); loading the stored "
        f"scenario once per process {opened * 1000:.0f} ms"
    )
    took, peak, _ = whole_command(
        ["replay", "--db", str(db), "--exercise", "bench", "--team", team]
    )
    print(f"whole 'simtrain replay --team {team}' command: {took:.2f} s, {peak:.0f} MB peak")
    service.close()


def best_of(func: object, repeat: int = 5) -> float:
    """The fastest of ``repeat`` calls of ``func``, in seconds."""
    assert callable(func)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def import_time(args: list[str]) -> tuple[float, list[str], list[str]]:
    """Seconds of imports ``python -X importtime`` counts for ``simtrain ARGS``, the UI
    libraries among them, and the top-level modules imported, in order."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "simtrain.cli", *args],
        capture_output=True,
        text=True,
        check=True,
        env=as_installed(),
    )
    total, ui, names = 0, set(), []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if name.strip().split(".")[0] in ("textual", "rich"):
            ui.add(name.strip().split(".")[0])
        if cumulative.strip().isdigit() and not name.startswith("  "):
            total += int(cumulative)  # a top-level import: its figure includes its children
            names.append(name.strip())
    return total / 1e6, sorted(ui), names


_IMPORT_CLOCK = """
import importlib, sys, time
names = sys.argv[1:]
start = time.perf_counter()
for name in names:
    importlib.import_module(name)
print(time.perf_counter() - start)
"""


def import_wall(names: list[str]) -> float:
    """Seconds a fresh interpreter takes to import ``names`` (what a command imports),
    by the clock and without ``-X importtime``'s own overhead, which inflates every figure
    it prints; the interpreter's own start-up (``site``, encodings) is not counted, as it
    is in ``python -c pass``. The fastest of five runs."""
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", _IMPORT_CLOCK, *names],
                capture_output=True,
                text=True,
                check=True,
                env=as_installed(),
            ).stdout
        )
        for _ in range(5)
    ]
    return min(runs)


def startup(tmp: Path) -> None:
    """Whole start-up of commands that need no screen, against a bare interpreter."""
    db = tmp / "small.db"
    workload.build(db, 2, 20, "notes")
    bare = best_process([sys.executable, "-c", "pass"])
    print(f"start-up ({load_note()}): bare 'python -c pass' {bare * 1000:.0f} ms")
    for args in (["--help"], ["status", "--db", str(db), "--exercise", "bench", "--json"]):
        took, peak, _ = whole_command(args)
        imports, ui, names = import_time(args)
        wall = import_wall(names)
        print(
            f"  simtrain {args[0]:<7} whole command {took * 1000:4.0f} ms, {peak:3.0f} MB; "
            f"imports {wall * 1000:4.0f} ms by the clock (target <= 150 ms), "
            f"{imports * 1000:4.0f} ms under -X importtime; UI libraries imported: "
            + (", ".join(ui) or "none")
        )
    db.unlink()


def best_process(command: list[str]) -> float:
    """The fastest of ``runs`` runs of any command line, in seconds."""
    return min(run_measured(command)[0] for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="only 100 teams x 2,000 events")
    parser.add_argument(
        "--workload", choices=[*workload.WORKLOADS, "both"], default="both", help="team logs"
    )
    parser.add_argument(
        "--databases",
        type=Path,
        help="build each workload's database in this folder once and reuse it on later runs "
        "(a full 100 x 2,000 build takes minutes; delete them when benchmarks/workload.py or "
        "what 'exercise create' stores changes, or they measure an older exercise); by "
        "default they are built in a temporary folder and removed",
    )
    args = parser.parse_args()
    kinds = list(workload.WORKLOADS) if args.workload == "both" else [args.workload]
    global runs
    runs = RUNS["quick" if args.quick else "full"]
    if args.quick:
        points = [(100, 2000)]
    else:
        points = [(5, 2000), (25, 2000), (100, 100), (100, 500), (100, 2000)]
    root = Path(simtrain.__file__).parent
    compile_once(sys.executable, root, root.parent / "facilitator")
    with tempfile.TemporaryDirectory() as tmp:
        startup(Path(tmp))
        where = args.databases or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        print(f"simtrain status / report as whole commands ({load_note()})")
        for kind in kinds:
            print(f"workload '{kind}':")
            for teams, events in points:
                db = where / f"{kind}-{teams}-{events}.db"
                note = "reused"
                if not db.exists():
                    note = f"built in {workload.build(db, teams, events, kind):.0f} s"
                print(f"  {measure_point(db, teams, events)}   [{note}]")
            report_parts(where / f"{kind}-100-2000.db")
            if kind == "play":
                replay_ratio(where / f"{kind}-100-2000.db")
            if args.databases is None:
                for teams, events in points:
                    (where / f"{kind}-{teams}-{events}.db").unlink()
    print(f"targets at 100 x 2,000: status <= 0.5 s, report html <= 1.5 s ({load_note()})")


if __name__ == "__main__":
    main()
