"""Live-exercise benchmarks (issue: the SQLite event store and the exercise service).

Prints figures; not a test. Run: ``python benchmarks/bench_live.py [--watchers 60]``.

* propagation: one process publishes injects and choices through the service; N watcher
  processes (each standing in for a trainee screen, using ``Exercise.watch``) record when
  they see each event: p50, p95 and max latency (target p95 ≤ 150 ms);
* ``status`` of an exercise with 20 teams × 500 events each, in a fresh process (the cold
  case a CLI call meets) and again warm (target ≤ 200 ms).

The append throughput against raw sqlite3 is measured by ``bench_store_append.py``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simtrain.exercise import ExerciseService, Seat  # noqa: E402
from simtrain.store import EventStore, NewEvent  # noqa: E402

SCENARIO = ROOT / "tests" / "fixtures" / "every_feature.yaml"


def watcher(
    db: str, exercise_id: str, start_after: int, expected: int, out: object, ready: object
) -> None:
    """Follow the exercise like a trainee screen; report (event id, latency) pairs."""
    exercise = ExerciseService.open(db).exercise(exercise_id)
    cursor = start_after
    ready.put(1)  # type: ignore[attr-defined]
    seen: list[tuple[int, float]] = []
    deadline = time.time() + 120
    while len(seen) < expected and time.time() < deadline:
        for event in exercise.store.wait_for_events(exercise_id, cursor, 1.0):
            seen.append((event.id, time.time() - event.wall))
            cursor = event.id
    out.put(seen)  # type: ignore[attr-defined]


def propagation(watchers: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        service = ExerciseService.open(db, create=True)
        exercise, codes = service.create(SCENARIO, [f"t{i}" for i in range(10)])
        exercise.start()
        start_after = exercise.last_id()
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        ready = ctx.Queue()
        expected = rounds * 2
        procs = [
            ctx.Process(target=watcher, args=(db, exercise.id, start_after, expected, queue, ready))
            for _ in range(watchers)
        ]
        for p in procs:
            p.start()
        for _ in procs:  # every watcher has started and opened the database
            ready.get(timeout=300)
        time.sleep(1.0)
        for i in range(rounds):
            team = f"t{i % 10}"
            exercise.message(team, f"update {i}", sender="Exercise control")
            time.sleep(0.1)
            if i % 2:
                exercise.adjust(team, "trust", 1, "bench")
            else:
                seat = Seat(exercise.id, team, "investigator", "bench")
                exercise.step_out(seat)
            time.sleep(0.1)
        latencies: list[float] = []
        for _ in procs:
            latencies += [lat for _, lat in queue.get(timeout=180)]
        for p in procs:
            p.join()
        latencies.sort()
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        print(
            f"propagation to {watchers} watcher processes, {expected} events each "
            f"({len(latencies)} observations): p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms (target p95 <= 150 ms)"
        )
        del codes


def status_bench() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "status.db")
        service = ExerciseService.open(db, create=True)
        exercise, _ = service.create(SCENARIO, [f"team{i:02d}" for i in range(20)])
        exercise.start()
        store = EventStore.open(db)
        for team in exercise.teams:
            stream = f"team:{team}"
            seq = store.last_seq(exercise.id, stream)
            batch = []
            for i in range(500):
                if i % 2:
                    batch.append(
                        NewEvent(
                            "score_adjusted",
                            {"competency": "trust", "points": 1, "note": "n"},
                            float(i) / 100,
                            "facilitator",
                        )
                    )
                else:
                    batch.append(
                        NewEvent(
                            "message",
                            {"text": "hello", "channel": "email"},
                            float(i) / 100,
                            "facilitator",
                        )
                    )
            store.append(exercise.id, stream, seq, batch)
        store.close()
        code = (
            "import sys, time; sys.path.insert(0, %r)\n"
            "from simtrain.exercise import ExerciseService\n"
            "t0 = time.perf_counter()\n"
            "ex = ExerciseService.open(%r).exercise(%r)\n"
            "data = ex.status()\n"
            "t1 = time.perf_counter()\n"
            "ex.status()\n"
            "t2 = time.perf_counter()\n"
            "print(f'{(t1 - t0) * 1000:.0f} {(t2 - t1) * 1000:.0f}')\n"
        ) % (str(ROOT), db, exercise.id)
        runs = []
        for _ in range(3):
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            )
            runs.append([float(x) for x in out.stdout.split()])
        cold = min(r[0] for r in runs)
        warm = min(r[1] for r in runs)
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "simtrain.cli",
                "status",
                "--db",
                db,
                "--exercise",
                exercise.id,
                "--json",
            ],
            check=True,
            capture_output=True,
        )
        whole = time.perf_counter() - start
        print(
            f"status, 20 teams x 500 events: {cold:.0f} ms cold (open + fold everything), "
            f"{warm:.0f} ms warm (target <= 200 ms); whole 'simtrain status' command "
            f"{whole * 1000:.0f} ms including interpreter start-up"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--watchers", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    status_bench()
    propagation(args.watchers, args.rounds)


if __name__ == "__main__":
    main()
