"""Append throughput of EventStore against raw sqlite3, with 8 concurrent writer processes.

Both sides write the same rows into the same schema with the same pragmas, one event per
``BEGIN IMMEDIATE … COMMIT`` transaction (like real use: one choice, one commit). Each
writer process has its own stream, as each team has in an exercise. The store side goes
through ``EventStore.append`` (validation, JSON encoding, the optimistic-concurrency
check, StoredEvent results); the raw side is a bare INSERT of the same JSON.

    python benchmarks/bench_store_append.py [--writers 8] [--events 2000] [--rounds 3]

Prints events/s for both, per round and as medians, and the ratio store / raw.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sqlite3
import statistics
import sys
import tempfile
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simtrain.store import EventStore, NewEvent, StoreError
from simtrain.store.connection import BUSY_TIMEOUT_MS, CONNECTION_PRAGMAS, WAL_PRAGMA

EXERCISE = "bench"
INSERT = (
    "INSERT INTO events (exercise, stream, seq, kind, payload, clock, wall, actor, role) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _payload(i: int, stream: str) -> dict[str, object]:
    return {"choice": "screen_individually", "i": i, "writer": stream, "note": "x" * 40}


def store_writer(path: str, stream: str, n: int, start: Barrier, out: mp.Queue) -> None:
    """Append n events one per transaction through EventStore.append."""
    store = EventStore.open(path)
    retries = 0
    start.wait()
    t0 = time.monotonic()
    for i in range(n):
        event = NewEvent("chose", _payload(i, stream), float(i), "bench", "investigator")
        while True:
            try:
                store.append(EXERCISE, stream, i, [event])  # its own stream: last seq is i
                break
            except StoreError:
                retries += 1
    out.put((t0, time.monotonic(), retries))
    store.close()


def raw_writer(path: str, stream: str, n: int, start: Barrier, out: mp.Queue) -> None:
    """Insert n events one per BEGIN IMMEDIATE … COMMIT with plain sqlite3."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    for pragma in (*CONNECTION_PRAGMAS, WAL_PRAGMA):
        conn.execute(pragma)
    retries = 0
    start.wait()
    t0 = time.monotonic()
    for i in range(n):
        row = (
            EXERCISE,
            stream,
            i + 1,
            "chose",
            json.dumps(_payload(i, stream)),
            float(i),
            time.time(),
            "bench",
            "investigator",
        )
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(INSERT, row)
                conn.execute("COMMIT")
                break
            except sqlite3.OperationalError:
                retries += 1
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
    out.put((t0, time.monotonic(), retries))
    conn.close()


def run(kind: str, writers: int, events: int) -> tuple[float, int]:
    """One measured run on a fresh database: (events per second, lock retries)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.db")
        with EventStore.open(path, create=True) as store:
            store.create_exercise(
                exercise_id=EXERCISE,
                title="bench",
                scenario_id="bench",
                scenario_text="simtrain: 1\n",
                teams=["red"],
            )
        ctx = mp.get_context("spawn")
        start = ctx.Barrier(writers + 1)
        out: mp.Queue = ctx.Queue()
        target = store_writer if kind == "store" else raw_writer
        procs = [
            ctx.Process(target=target, args=(path, f"team:w{i}", events, start, out))
            for i in range(writers)
        ]
        for proc in procs:
            proc.start()
        start.wait()
        results = [out.get() for _ in procs]
        for proc in procs:
            proc.join()
            if proc.exitcode != 0:
                raise SystemExit(f"a {kind} writer failed with exit code {proc.exitcode}")
        with EventStore.open(path) as store:
            assert store.last_id(EXERCISE) == writers * events
    elapsed = max(r[1] for r in results) - min(r[0] for r in results)
    return writers * events / elapsed, sum(r[2] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--events", type=int, default=2000, help="events per writer")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{args.writers} writer processes x {args.events} events, one event per "
        f"transaction, SQLite {sqlite3.sqlite_version}"
    )
    figures: dict[str, list[float]] = {"raw": [], "store": []}
    for round_ in range(1, args.rounds + 1):
        # Alternate the order so neither side always runs on a warmer machine.
        order = ("raw", "store") if round_ % 2 else ("store", "raw")
        line = []
        for kind in order:
            rate, retries = run(kind, args.writers, args.events)
            figures[kind].append(rate)
            line.append(f"{kind} {rate:8.0f} ev/s (lock retries {retries})")
        print(f"round {round_}: " + "   ".join(line))
    raw = statistics.median(figures["raw"])
    store = statistics.median(figures["store"])
    print(f"median raw sqlite3:      {raw:8.0f} events/s")
    print(f"median EventStore.append {store:8.0f} events/s")
    print(f"ratio store / raw:       {store / raw:8.1%}  (target >= 50 %)")


if __name__ == "__main__":
    main()
