"""SQLite and PostgreSQL side by side, in one run, through the store and the service.

* **status**: ``simtrain status --json`` as a whole command (a fresh process, best of
  two) on an exercise of 100 teams × 2,000 events (benchmarks/workload.py builds it in
  SQLite; the same exercise is restored into PostgreSQL);
* **append throughput**: 8 writer processes, each appending one event per transaction
  (one choice, one commit) to its own team's stream of one exercise, for a fixed time;
* **propagation**: 60 seat processes in two groups standing for two hosts (each group the
  seats of one team of a running port-arrivals exercise, the roles in turn) follow the
  exercise as the trainee screen does: a ``TraineeSession`` waiting on the service's
  ``watch`` and building the seat's view (benchmarks/bench_live.py). One process makes
  decisions for the two teams in turn through the service; the figure is, for every
  decision and every seat of its team, the time from the decision's commit to that seat's
  view showing it: p50/p95/max per group and overall (target p95 ≤ 150 ms on
  PostgreSQL). SQLite's seats are woken by inotify on the file's folder; PostgreSQL's
  sleep on LISTEN.

PostgreSQL is a throwaway server started by this script (tests/pg_server.py) with fsync
ON, as in production, unless ``--url`` names one. SQLite runs with the store's own
settings (WAL, synchronous=NORMAL) in a temporary folder. Every figure is printed with
the load average as it comes, then all of them in one table (about 2-3 minutes in full;
``--quick``, a smaller run that checks the script works, well under one).

    python -m benchmarks.bench_backends [--quick] [--writers 8] [--seconds 5]
        [--watchers 60] [--decisions 30] [--gap 0.3] [--url postgresql://…]
        [--status-teams 100] [--status-events 2000] [--only-status]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_live import decide, latencies, seat_process
from benchmarks.machine import load_note
from simtrain.exercise import ExerciseService
from simtrain.store import NewEvent, StoreError, open_store

EXERCISE = "bench"
LIVE = "live"
"""The running exercise the seats follow (port-arrivals, two teams)."""
HOSTS = [("host A", "team000"), ("host B", "team001")]
"""The two groups of seats, standing for two hosts: each group follows one team."""
CTX = mp.get_context("forkserver")
# the seats and writers start from a process that has simtrain imported already: 60
# fresh interpreters importing it would take the machine's CPU for a minute
CTX.set_forkserver_preload(["benchmarks.bench_live", "simtrain.store.postgres"])


def _event(n: int, stream: str) -> NewEvent:
    payload = {"choice": "screen_individually", "i": n, "writer": stream, "note": "x" * 40}
    return NewEvent("chose", payload, float(n), "bench", "investigator")


def _prepare(target: str, teams: int) -> None:
    with open_store(target, create=True) as store:
        store.create_exercise(
            exercise_id=EXERCISE,
            title="bench",
            scenario_id="bench",
            scenario_text="x",
            teams=[f"t{i}" for i in range(teams)],
        )


def writer(target: str, stream: str, seconds: float, start: Barrier, out: Any) -> None:
    """Append one event per transaction to its own stream until time is up."""
    store = open_store(target)
    n = retries = 0
    start.wait()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            store.append(EXERCISE, stream, n, [_event(n, stream)])
            n += 1
        except StoreError:
            retries += 1
    out.put((n, retries))
    store.close()


def throughput(target: str, writers: int, seconds: float) -> tuple[float, int]:
    """Events per second over all writers, and the appends that had to be retried."""
    start = CTX.Barrier(writers + 1)
    out = CTX.Queue()
    procs = [
        CTX.Process(target=writer, args=(target, f"team:t{i}", seconds, start, out))
        for i in range(writers)
    ]
    for proc in procs:
        proc.start()
    start.wait()
    began = time.monotonic()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    took = time.monotonic() - began
    for proc in procs:
        proc.join()
    return sum(n for n, _ in results) / took, sum(r for _, r in results)


def propagation(
    target: str, seats: int, decisions: int, gap: float
) -> tuple[dict[str, list[float]], int]:
    """Seat processes in two groups standing for two hosts, each group the seats of one
    team, follow the live exercise as the trainee screen does (the service's ``watch``,
    the seat's view built on news) while one process makes ``decisions`` for the two
    teams in turn; for each group, every seat's ms from a decision's commit to its view
    showing it, and how many such views never came."""
    with ExerciseService.open(target) as service:
        role_ids = list(service.exercise(LIVE).scenario.roles)
    ready, out, stop = CTX.Queue(), CTX.Queue(), CTX.Event()
    procs = []
    for i in range(seats):
        team, role = HOSTS[i % 2][1], role_ids[i // 2 % len(role_ids)]
        args = (target, LIVE, team, role, i, ready, out, stop)
        procs.append(CTX.Process(target=seat_process, args=args))
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.get(timeout=600)
    made = decide(target, LIVE, [team for _, team in HOSTS], decisions, gap)
    time.sleep(1.0)  # the last decision reaches every seat
    stop.set()
    views = [out.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    lags: dict[str, list[float]] = {}
    missed = 0
    for host, team in HOSTS:
        found, lost = latencies(made, [(t, seen) for t, seen in views if t == team])
        lags[host], missed = found, missed + lost
    return lags, missed


def build_live(folder: Path, url: str) -> dict[str, str]:
    """The running exercise the seats follow, in a SQLite file and on the server."""
    from benchmarks import workload

    path = folder / "live.db"
    workload.build(path, len(HOSTS), 0, exercise_id=LIVE, running=True)
    with open_store(path) as sqlite, open_store(url, create=True) as server:
        server.restore_exercise(sqlite.export_exercise(LIVE))
    return {"sqlite": str(path), "postgresql": url}


def status_seconds(target: str) -> float:
    """``simtrain status --json`` of the bench exercise as a whole command, best of two."""
    from benchmarks.bench_commands import whole_command

    return whole_command(["status", "--db", target, "--exercise", "status", "--json"])[0]


def build_status(folder: Path, url: str, teams: int, events: int) -> dict[str, str]:
    """The status exercise in a SQLite file, and restored into the PostgreSQL database."""
    from benchmarks import workload

    path = folder / "status.db"
    workload.build(path, teams, events, exercise_id="status")
    with open_store(path) as sqlite, open_store(url, create=True) as server:
        server.restore_exercise(sqlite.export_exercise("status"))
    return {"sqlite": str(path), "postgresql": url}


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))]:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run that checks it works")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--watchers", type=int, default=60, help="seat processes, two groups")
    parser.add_argument("--decisions", type=int, default=30)
    parser.add_argument("--gap", type=float, default=0.3, help="seconds between decisions")
    parser.add_argument("--url", default=None, help="an empty PostgreSQL database to use")
    parser.add_argument("--status-teams", type=int, default=100)
    parser.add_argument("--status-events", type=int, default=2000)
    parser.add_argument("--only-status", action="store_true", help="only the status figures")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.watchers, args.decisions = 2.0, 12, 10
        args.status_teams, args.status_events = 10, 200

    server = None
    url = args.url
    if url is None:
        from tests.pg_server import start_server

        started = start_server(durable=True)
        if isinstance(started, str):
            raise SystemExit(f"no PostgreSQL server: {started}")
        server = started
        url = server.new_database()
    rows: dict[str, dict[str, str]] = {}

    def note(measure: str, backend: str, figure: str) -> None:
        rows.setdefault(measure, {})[backend] = figure
        print(f"{backend:10} {measure}: {figure} — {load_note()}", flush=True)

    began = time.monotonic()
    try:
        with tempfile.TemporaryDirectory() as folder:
            print(f"before: {load_note()}")
            status = f"status, {args.status_teams} teams x {args.status_events} events (s)"
            for name, target in build_status(
                Path(folder), url, args.status_teams, args.status_events
            ).items():
                note(status, name, f"{status_seconds(target):.2f}")
            if not args.only_status:
                backends = {"sqlite": str(Path(folder) / "bench.db"), "postgresql": url}
                append = f"append, {args.writers} writer processes (events/s)"
                for name, target in backends.items():
                    _prepare(target, args.writers)
                    rate, retries = throughput(target, args.writers, args.seconds)
                    note(append, name, f"{rate:.0f} ({retries} retried)")
                seats = f"{args.watchers} seats in 2 groups x {args.decisions} decisions"
                for name, target in build_live(Path(folder), url).items():
                    lags, missed = propagation(target, args.watchers, args.decisions, args.gap)
                    every = [lag for group in lags.values() for lag in group]
                    note(f"{seats}: views built", name, f"{len(every)} ({missed} missed)")
                    for host, group in [("both", every), *lags.items()]:
                        note(
                            f"propagation p50/p95/max ms, {host}",
                            name,
                            f"{_ms(group, 0.5)} / {_ms(group, 0.95)} / {max(group, default=0):.0f}",
                        )
    finally:
        if server is not None:
            server.close()
    width = max(len(measure) for measure in rows)
    print(f"\n{'':{width}}  {'sqlite':>22}  {'postgresql':>22}")
    for measure, figures in rows.items():
        print(
            f"{measure:{width}}  {figures.get('sqlite', '-'):>22}  "
            f"{figures.get('postgresql', '-'):>22}"
        )
    print(
        f"(target: propagation p95 <= 150 ms on PostgreSQL; took "
        f"{time.monotonic() - began:.0f} s; after: {load_note()})"
    )


if __name__ == "__main__":
    main()
