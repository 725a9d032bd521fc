"""SQLite and PostgreSQL side by side, in one run, through the Store protocol.

* **append throughput**: 8 writer processes, each appending one event per transaction
  (one choice, one commit) to its own team's stream of one exercise, for a fixed time;
* **propagation**: watcher processes (standing for seats; on one machine, two hosts'
  groups would be alike) wait with ``wait_for_events`` while one process appends an event
  every ``--interval`` s;
  each watcher notes how long after the event's wall time it had it in hand. SQLite's
  watchers poll (``PRAGMA data_version``, every 20 ms); PostgreSQL's sleep on LISTEN.

PostgreSQL is a throwaway server started by this script (tests/pg_server.py) with fsync
ON, as in production, unless ``--url`` names one. SQLite runs with the store's own
settings (WAL, synchronous=NORMAL) in a temporary folder.

    python -m benchmarks.bench_backends [--quick] [--writers 8] [--seconds 5]
        [--watchers 60] [--events 40] [--interval 0.1] [--url postgresql://…]
        [--status-teams 100] [--status-events 2000]

* **status**: ``simtrain status --json`` as a whole command (a fresh process, best of
  two) on an exercise of 100 teams × 2,000 events (benchmarks/workload.py builds it in
  SQLite; the same exercise is restored into PostgreSQL).

Prints events/s, p50/p95/max lag and status seconds per backend, with the load average.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.machine import load_note
from simtrain.store import NewEvent, StoreError, open_store

EXERCISE = "bench"
CTX = mp.get_context("forkserver")


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


def watcher(target: str, expected: int, ready: Any, out: Any) -> None:
    """Wait for ``expected`` events; report each one's lag behind its wall time (s)."""
    store = open_store(target)
    cursor = store.last_id(EXERCISE)
    ready.put(1)
    lags: list[float] = []
    deadline = time.monotonic() + 300
    while len(lags) < expected and time.monotonic() < deadline:
        for event in store.wait_for_events(EXERCISE, cursor, timeout=5):
            lags.append(time.time() - event.wall)
            cursor = event.id
    out.put(lags)
    store.close()


def propagation(target: str, watchers: int, events: int, interval: float) -> list[float]:
    """Every watcher's lag for every event, in seconds."""
    ready, out = CTX.Queue(), CTX.Queue()
    procs = [
        CTX.Process(target=watcher, args=(target, events, ready, out)) for _ in range(watchers)
    ]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.get(timeout=300)
    with open_store(target) as store:
        seq = store.last_seq(EXERCISE, "clock")
        for n in range(events):
            time.sleep(interval)
            store.append(EXERCISE, "clock", seq + n, [NewEvent("tick", {"n": n}, 0.0, "system")])
    lags = [lag for _ in procs for lag in out.get(timeout=600)]
    for proc in procs:
        proc.join()
    return lags


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
    ordered = sorted(values)
    return f"{1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 s, 16 watchers, 20 events")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--watchers", type=int, default=60)
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--url", default=None, help="an empty PostgreSQL database to use")
    parser.add_argument("--status-teams", type=int, default=100)
    parser.add_argument("--status-events", type=int, default=2000)
    parser.add_argument("--only-status", action="store_true", help="only the status figures")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.watchers, args.events = 3.0, 16, 20

    server = None
    url = args.url
    if url is None:
        from tests.pg_server import start_server

        started = start_server(durable=True)
        if isinstance(started, str):
            raise SystemExit(f"no PostgreSQL server: {started}")
        server = started
        url = server.new_database()
    try:
        with tempfile.TemporaryDirectory() as folder:
            backends = {"sqlite": str(Path(folder) / "bench.db"), "postgresql": url}
            print(f"before: {load_note()}")
            status_dbs = build_status(Path(folder), url, args.status_teams, args.status_events)
            for name, target in status_dbs.items():
                print(
                    f"{name:10} status of {args.status_teams} teams x {args.status_events} "
                    f"events: {status_seconds(target):.2f} s — {load_note()}"
                )
            if args.only_status:
                return
            for name, target in backends.items():
                _prepare(target, args.writers)
                rate, retries = throughput(target, args.writers, args.seconds)
                print(
                    f"{name:10} append: {rate:7.0f} events/s with {args.writers} writer "
                    f"processes ({retries} retried) — {load_note()}"
                )
            for name, target in backends.items():
                lags = propagation(target, args.watchers, args.events, args.interval)
                print(
                    f"{name:10} propagation to {args.watchers} watcher processes, "
                    f"{len(lags)} deliveries: p50 {_ms(lags, 0.5)} ms, "
                    f"p95 {_ms(lags, 0.95)} ms, max {1000 * max(lags):.0f} ms, "
                    f"mean {1000 * statistics.fmean(lags):.0f} ms — {load_note()}"
                )
    finally:
        if server is not None:
            server.close()


if __name__ == "__main__":
    main()
