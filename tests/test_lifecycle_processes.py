"""Pauses that hold (issue 12, hole 5): one process pausing and resuming, another acting.

The lifecycle check and the append are one transaction: a decision is written only if the
exercise clock it checked is still the exercise's clock, so no decision ever lands inside
a pause or after the end, and a decision's clock never runs behind a pause that the log
records before it. Workers come from a "forkserver" (see tests/test_store_processes.py).
"""

from __future__ import annotations

import multiprocessing as mp
import random
import time
import traceback
from multiprocessing.synchronize import Barrier
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path
from typing import Any

from simtrain.engine.events import Chose, ClockEvent
from simtrain.exercise import ExerciseError, ExerciseService, Recorded, clock_from_events
from simtrain.store import Store

CTX = mp.get_context("forkserver")
CTX.set_forkserver_preload(["simtrain.exercise", __name__])
HOTLINE = Path(__file__).parent / "fixtures" / "hotline.yaml"
EXERCISE = "desk"
TOGGLES = 30
"""Pauses (each followed by a resume) the facilitator's process makes at least; it goes on
until the actor has had decisions both applied and refused (a loaded machine may starve
one process for a while)."""
ENOUGH = 20
"""Decisions the actor must have made before the pauser ends the exercise."""


def slow_store(store: Store, seed: int) -> None:
    """Make every append of ``store`` start up to 3 ms late, as on a busy machine: the
    moment between checking the clock and writing, where a pause used to slip in."""
    append, think = store.append, random.Random(seed)

    def late_append(*args: Any, **kwargs: Any) -> Any:
        time.sleep(think.uniform(0, 0.003))
        return append(*args, **kwargs)

    store.append = late_append  # type: ignore[method-assign]


def pauser(path: str, start: Barrier, done: MpEvent, counts: Any, out: mp.Queue[Any]) -> None:
    """Pause and resume the exercise :data:`TOGGLES` times or more, then end it."""
    try:
        with ExerciseService.open(path) as service:
            exercise = service.exercise(EXERCISE)
            think = random.Random(1)
            start.wait()
            toggles, deadline = 0, time.monotonic() + 60
            while toggles < TOGGLES or (
                (counts[0] < ENOUGH or counts[1] == 0) and time.monotonic() < deadline
            ):
                time.sleep(think.uniform(0.002, 0.008))
                exercise.pause()
                time.sleep(think.uniform(0.002, 0.008))
                exercise.resume()
                toggles += 1
            time.sleep(0.005)
            exercise.end()
        out.put(("ok", "pauser", toggles))
    except BaseException:
        out.put(("error", "pauser", traceback.format_exc()))
    finally:
        done.set()


def actor(
    path: str, code: str, start: Barrier, done: MpEvent, counts: Any, out: mp.Queue[Any]
) -> None:
    """Log calls as fast as it can until the exercise has ended; count what was refused."""
    try:
        with ExerciseService.open(path) as service:
            slow_store(service.store, 2)
            exercise = service.exercise(EXERCISE)
            seat = exercise.join("red", code, "operator", "Ana")
            start.wait()
            applied = refused = 0
            while not done.is_set():
                try:
                    exercise.act(seat, "log_call")
                    applied += 1
                except ExerciseError as exc:
                    assert "paused" in str(exc) or "ended" in str(exc), str(exc)
                    refused += 1
                counts[0], counts[1] = applied, refused
        out.put(("ok", "actor", (applied, refused)))
    except BaseException:
        out.put(("error", "actor", traceback.format_exc()))


def test_no_decision_lands_in_a_pause_or_after_the_end(any_db: str) -> None:
    path = any_db
    with ExerciseService.open(path, create=True) as service:
        exercise, codes = service.create(HOTLINE, ["red"], exercise_id=EXERCISE)
        exercise.start()
    start, done, counts = CTX.Barrier(2), CTX.Event(), CTX.Array("i", 2)
    out: mp.Queue[Any] = CTX.Queue()
    procs = [
        CTX.Process(target=pauser, args=(path, start, done, counts, out)),
        CTX.Process(target=actor, args=(path, codes["red"], start, done, counts, out)),
    ]
    for proc in procs:
        proc.start()
    results = {
        name: (status, detail) for status, name, detail in (out.get(timeout=120) for _ in procs)
    }
    for proc in procs:
        proc.join(timeout=30)
    errors = [detail for status, detail in results.values() if status != "ok"]
    assert not errors, errors[0]
    applied, refused = results["actor"][1]
    assert applied >= ENOUGH and refused > 0  # both sides of the race really ran
    toggles = results["pauser"][1]

    with ExerciseService.open(path) as service:
        log = service.exercise(EXERCISE).events()
    clock_log: list[Recorded] = []
    minutes_at_last_clock_event = 0.0
    last_decision = 0.0
    decisions = 0
    for entry in log:
        if isinstance(entry.event, ClockEvent):
            clock_log.append(entry)
            minutes_at_last_clock_event = clock_from_events(clock_log, entry.wall).minutes
        elif isinstance(entry.event, Chose):
            decisions += 1
            state = clock_from_events(clock_log, entry.wall).state
            assert state == "running", f"decision {entry.id} landed while {state}"
            # its clock is not behind a pause, resume or decision the log holds before it
            assert entry.clock >= minutes_at_last_clock_event - 1e-4, entry  # 4 decimals kept
            assert entry.clock >= last_decision, entry
            last_decision = entry.clock
    assert decisions == applied
    assert len(clock_log) == 2 + 2 * toggles  # start, the toggles, the end
