"""Append throughput of EventStore against plain sqlite3, with 8 concurrent writer processes.

Every side writes one event per ``BEGIN IMMEDIATE … COMMIT`` transaction (like real use:
one choice, one commit), with the store's pragmas, each writer process on its own stream
as each team has in an exercise, for a fixed time (at least 5 s a round, so WAL
checkpoints and lock waits are in the figure, not just a warm burst):

* ``plain``: the baseline, a bare INSERT of the same JSON into a plain table (an integer
  key, no other index, no trigger);
* ``schema``: the same bare INSERT into the store's own events table (its indexes and the
  trigger that keeps each stream's seq gapless), to tell the schema's cost from Python's;
* ``store``: ``EventStore.append`` (validation, scrubbing, JSON encoding, the
  optimistic-concurrency check, StoredEvent results).

    python -m benchmarks.bench_store_append [--quick] [--writers 8] [--seconds 5] [--rounds 3]

Prints events/s per side, per round and as medians, and the ratios to the baseline.
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

from benchmarks.machine import load_note
from simtrain.store import EventStore, NewEvent, StoreError
from simtrain.store.connection import BUSY_TIMEOUT_MS, CONNECTION_PRAGMAS, WAL_PRAGMA

EXERCISE = "bench"
INSERT = (
    "INSERT INTO events (exercise, stream, seq, kind, payload, clock, wall, actor, role) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _payload(i: int, stream: str) -> dict[str, object]:
    return {"choice": "screen_individually", "i": i, "writer": stream, "note": "x" * 40}


PLAIN_TABLE = (
    "CREATE TABLE plain (id INTEGER PRIMARY KEY, exercise TEXT, stream TEXT, seq INTEGER, "
    "kind TEXT, payload TEXT, clock REAL, wall REAL, actor TEXT, role TEXT)"
)
PLAIN_INSERT = INSERT.replace("INSERT INTO events", "INSERT INTO plain")
SIDES = ("plain", "schema", "store")


def store_writer(path: str, stream: str, seconds: float, start: Barrier, out: mp.Queue) -> None:
    """Append one event per transaction through EventStore.append until time is up."""
    store = EventStore.open(path)
    retries = n = 0
    start.wait()
    t0 = time.monotonic()
    deadline = t0 + seconds
    while time.monotonic() < deadline:
        event = NewEvent("chose", _payload(n, stream), float(n), "bench", "investigator")
        try:
            store.append(EXERCISE, stream, n, [event])  # its own stream: last seq is n
            n += 1
        except StoreError:
            retries += 1
    out.put((t0, time.monotonic(), n, retries))
    store.close()


def sql_writer(
    path: str, stream: str, seconds: float, start: Barrier, out: mp.Queue, sql: str
) -> None:
    """Insert one event per BEGIN IMMEDIATE … COMMIT with plain sqlite3 until time is up."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    for pragma in (*CONNECTION_PRAGMAS, WAL_PRAGMA):
        conn.execute(pragma)
    retries = n = 0
    start.wait()
    t0 = time.monotonic()
    deadline = t0 + seconds
    while time.monotonic() < deadline:
        row = (
            EXERCISE,
            stream,
            n + 1,
            "chose",
            json.dumps(_payload(n, stream)),
            float(n),
            time.time(),
            "bench",
            "investigator",
        )
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(sql, row)
            conn.execute("COMMIT")
            n += 1
        except sqlite3.OperationalError:
            retries += 1
            if conn.in_transaction:
                conn.execute("ROLLBACK")
    out.put((t0, time.monotonic(), n, retries))
    conn.close()


def run(side: str, writers: int, seconds: float) -> tuple[float, int]:
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
        if side == "plain":
            with sqlite3.connect(path) as conn:
                conn.execute(PLAIN_TABLE)
        ctx = mp.get_context("spawn")
        start = ctx.Barrier(writers + 1)
        out: mp.Queue = ctx.Queue()
        procs = []
        for i in range(writers):
            args: tuple[object, ...] = (path, f"team:w{i}", seconds, start, out)
            if side == "store":
                procs.append(ctx.Process(target=store_writer, args=args))
            else:
                sql = PLAIN_INSERT if side == "plain" else INSERT
                procs.append(ctx.Process(target=sql_writer, args=(*args, sql)))
        for proc in procs:
            proc.start()
        start.wait()
        results = [out.get() for _ in procs]
        for proc in procs:
            proc.join()
            if proc.exitcode != 0:
                raise SystemExit(f"a {side} writer failed with exit code {proc.exitcode}")
        written = sum(r[2] for r in results)
        table = "plain" if side == "plain" else "events"
        with sqlite3.connect(path) as conn:
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == written
    elapsed = max(r[1] for r in results) - min(r[0] for r in results)
    return written / elapsed, sum(r[3] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    print(
        f"{args.writers} writer processes for {args.seconds:.0f} s a run, one event per "
        f"transaction, SQLite {sqlite3.sqlite_version} ({load_note()})"
    )
    figures: dict[str, list[float]] = {side: [] for side in SIDES}
    for round_ in range(1, rounds + 1):
        # Rotate the order so no side always runs on a warmer (or busier) machine.
        order = SIDES[round_ % 3 :] + SIDES[: round_ % 3]
        line = []
        for side in order:
            rate, retries = run(side, args.writers, args.seconds)
            figures[side].append(rate)
            line.append(f"{side} {rate:7.0f} ev/s ({retries} retries)")
        print(f"round {round_}: " + "   ".join(line) + f"   [{load_note()}]")
    plain = statistics.median(figures["plain"])
    for side in SIDES:
        rate = statistics.median(figures[side])
        print(f"median {side:<7} {rate:8.0f} events/s = {rate / plain:6.1%} of the plain table")
    print("target: EventStore.append >= 50 % of the plain table")


if __name__ == "__main__":
    main()
