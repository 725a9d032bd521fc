"""The store under real concurrency: several OS processes on one database — a SQLite
file, and (the races, the kills, the watcher) a PostgreSQL database too.

Workers come from a "forkserver": a clean process that has imported the store but opened
no database, so each worker starts quickly with its own connection, as trainee terminals
and the facilitator console do. (Forking a process that holds an open SQLite connection
is unsafe; spawning a fresh interpreter per worker is safe but slow.)
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import random
import signal
import time
import traceback
from collections import Counter
from multiprocessing.synchronize import Barrier
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path
from typing import Any

import pytest

from simtrain.store import SCHEMA_VERSION, ConcurrencyError, EventStore, NewEvent, open_store

CTX = mp.get_context("forkserver")
CTX.set_forkserver_preload(["simtrain.store", __name__])
EXERCISE = "ex1"


def _new_store(path: str | Path) -> None:
    with open_store(path, create=True) as store:
        store.create_exercise(
            exercise_id=EXERCISE, title="t", scenario_id="s", scenario_text="x", teams=["red"]
        )


def _tick(worker: int, n: int, kind: str = "tick") -> NewEvent:
    return NewEvent(kind, {"worker": worker, "n": n}, float(n), actor=f"w{worker}")


# -- workers (module level so that worker processes can import them) --------------------


def same_stream_writer(
    path: str, worker: int, count: int, start: Barrier, out: mp.Queue[Any]
) -> None:
    """Read the last seq, think, append one event, retry on conflict; until ``count`` landed."""
    try:
        store = open_store(path)
        think = random.Random(worker)
        start.wait()
        conflicts = done = 0
        while done < count:
            last = store.last_seq(EXERCISE, "team:red")
            time.sleep(think.uniform(0, 0.001))  # folding state, deciding: others get ahead
            try:
                store.append(EXERCISE, "team:red", last, [_tick(worker, done)])
                done += 1
            except ConcurrencyError:
                conflicts += 1
        store.close()
        out.put(("ok", worker, conflicts))
    except BaseException:
        out.put(("error", worker, traceback.format_exc()))


def endless_writer(path: str, worker: int, running: MpEvent) -> None:
    """Append forever: to its own stream, to a shared one, and to two streams atomically."""
    store = open_store(path)
    own, n = f"team:w{worker}", 0
    running.set()
    while True:
        n += 1
        store.append(EXERCISE, own, store.last_seq(EXERCISE, own), [_tick(worker, n)])
        with contextlib.suppress(ConcurrencyError):
            store.append(EXERCISE, "clock", store.last_seq(EXERCISE, "clock"), [_tick(worker, n)])
        with contextlib.suppress(ConcurrencyError):
            store.append_many(
                EXERCISE,
                [
                    ("pair:a", store.last_seq(EXERCISE, "pair:a"), [_tick(worker, n, "half")]),
                    ("pair:b", store.last_seq(EXERCISE, "pair:b"), [_tick(worker, n, "half")]),
                ],
            )


def delayed_appender(path: str, start: MpEvent, delays: list[float]) -> None:
    """After ``start``, append one event after each delay."""
    store = open_store(path)
    start.wait()
    for n, delay in enumerate(delays):
        time.sleep(delay)
        store.append(EXERCISE, "team:red", n, [_tick(0, n)])
    store.close()


def opener(path: str, worker: int, start: Barrier, out: mp.Queue[Any]) -> None:
    """Open (creating if needed) at the same moment as others, then add an exercise."""
    try:
        start.wait()
        with EventStore.open(path, create=True) as store:
            store.create_exercise(
                exercise_id=f"ex{worker}",
                title="t",
                scenario_id="s",
                scenario_text="x",
                teams=["a"],
            )
        out.put(("ok", worker, ""))
    except BaseException:
        out.put(("error", worker, traceback.format_exc()))


# -- tests --------------------------------------------------------------------------------


def test_eight_processes_racing_on_one_stream_lose_and_duplicate_nothing(any_db: str) -> None:
    path, workers, count = any_db, 8, 40
    _new_store(path)
    start = CTX.Barrier(workers)
    out: mp.Queue[Any] = CTX.Queue()
    procs = [
        CTX.Process(target=same_stream_writer, args=(path, w, count, start, out))
        for w in range(workers)
    ]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    errors = [r[2] for r in results if r[0] != "ok"]
    assert not errors, errors[0]  # in particular no "database is locked"
    assert sum(r[2] for r in results) > 0  # the retry path really ran
    with open_store(path) as store:
        events = store.read(EXERCISE, "team:red")
        assert store.integrity_check() == "ok"
    assert [e.seq for e in events] == list(range(1, workers * count + 1))
    landed = Counter((e.payload["worker"], e.payload["n"]) for e in events)
    assert landed == Counter({(w, n): 1 for w in range(workers) for n in range(count)})
    assert [e.id for e in events] == sorted(e.id for e in events)


def test_writers_killed_mid_write_leave_a_sound_database(any_db: str) -> None:
    path = any_db
    _new_store(path)
    for _round in range(2):
        running = [CTX.Event() for _ in range(6)]
        procs = [
            CTX.Process(target=endless_writer, args=(path, w, running[w]), daemon=True)
            for w in range(6)
        ]
        for proc in procs:
            proc.start()
        for flag in running:
            assert flag.wait(timeout=60)
        time.sleep(0.4)  # let them write (and be in the middle of writes) for a while
        for proc in procs:
            assert proc.pid is not None
            os.kill(proc.pid, signal.SIGKILL)
        for proc in procs:
            proc.join(timeout=30)
            assert proc.exitcode == -signal.SIGKILL

        with open_store(path) as store:
            assert store.integrity_check() == "ok"
            events = store.read(EXERCISE)
            assert len(events) > 0
            streams: dict[str, list[int]] = {}
            for e in events:
                streams.setdefault(e.stream, []).append(e.seq)
            for stream, seqs in streams.items():
                assert seqs == list(range(1, len(seqs) + 1)), stream
            # append_many is all or nothing, even under SIGKILL.
            halves = {
                s: [(e.payload["worker"], e.payload["n"]) for e in events if e.stream == s]
                for s in ("pair:a", "pair:b")
            }
            assert halves["pair:a"] == halves["pair:b"]
            # And the store takes writes again.
            for stream in streams:
                last = store.last_seq(EXERCISE, stream)
                appended = store.append(EXERCISE, stream, last, [_tick(99, 0, "after")])
                assert appended[0].seq == last + 1


def test_wait_for_events_sees_another_process_promptly(any_db: str) -> None:
    path = any_db
    _new_store(path)
    start = CTX.Event()
    delays = [0.3, 0.25, 0.35]
    proc = CTX.Process(target=delayed_appender, args=(path, start, delays))
    proc.start()
    latencies = []
    with open_store(path) as store:
        cursor = store.last_id(EXERCISE)
        start.set()
        for _ in delays:
            got = store.wait_for_events(EXERCISE, cursor, timeout=30)
            seen = time.time()
            assert len(got) == 1
            # wall is taken inside the writer's transaction, just before its commit.
            latencies.append(seen - got[0].wall)
            cursor = got[-1].id
    proc.join(timeout=30)
    assert proc.exitcode == 0
    # Seen well before the watcher's 5 s timeout, i.e. by polling, not by giving up. The
    # propagation figure itself (p95 against the 150 ms target) is measured by
    # benchmarks/bench_live.py, not asserted here, so a busy CI machine cannot fail it.
    assert max(latencies) < 1.0, latencies


def test_processes_creating_the_same_new_file_at_once_all_succeed(tmp_path: Path) -> None:
    path, workers = tmp_path / "fresh.db", 4
    start = CTX.Barrier(workers)
    out: mp.Queue[Any] = CTX.Queue()
    procs = [CTX.Process(target=opener, args=(str(path), w, start, out)) for w in range(workers)]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    errors = [r[2] for r in results if r[0] != "ok"]
    assert not errors, errors[0]
    with EventStore.open(path) as store:
        assert sorted(e.id for e in store.exercises()) == [f"ex{w}" for w in range(workers)]
        meta = dict(store._conn.execute("SELECT key, value FROM meta").fetchall())
    assert meta == {"app": "simtrain", "schema_version": str(SCHEMA_VERSION)}


@pytest.fixture(autouse=True)
def _no_leftover_processes() -> Any:
    yield
    for child in CTX.active_children():
        child.kill()
        child.join(timeout=10)
