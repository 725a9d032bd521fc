"""Exercise databases of a given size, for the benchmarks of live commands.

A team's log is what a class makes of a shipped scenario: its seats join, then it makes
choices the rules allow (picked at random, seeded), receives the injects and timers that
fall due, and the facilitator sends it round again when it reaches an ending, writes to
it, adjusts its score and notes what they see. Every event is one the rules accept, so a
fold does the work it does in a real exercise.

Simulating 200,000 events through the engine would take longer than the benchmark, so a
few distinct team logs are simulated and dealt round the teams (each team folds its own
copy; the cost of a fold does not depend on which copy it reads). The rows are written
through :meth:`EventStore.append`, one team per transaction, exactly as the service would
store them; the exercise clock is started long enough ago to cover every team's log and
then ended.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

from simtrain.engine.events import (
    AnyEvent,
    Chose,
    Event,
    ExerciseEnded,
    ExerciseStarted,
    Joined,
    MessageSent,
    Moved,
    Observed,
    ScoreAdjusted,
    encode,
)
from simtrain.engine.explore import Budget, best_score_bounds
from simtrain.engine.fold import Engine
from simtrain.exercise.streams import CLOCK_STREAM, team_stream
from simtrain.scenario.compiled import CHECKS, checked_values
from simtrain.scenario.library import bundled_path
from simtrain.scenario.validate import load_file
from simtrain.store import EventStore, NewEvent

SCENARIO = "port-arrivals"
STEP_MINUTES = 0.25
"""Exercise minutes between two events of a team."""
DISTINCT_LOGS = 4


Entry = tuple[AnyEvent, str, str | None]
"""An event of a team's log, its actor and role."""


def notes_log(engine: Engine, events: int, seed: int) -> list[Entry]:
    """The log the issue measured status with: the facilitator writing to the team and
    adjusting its score, turn about (no decision: the team's path stays empty)."""
    competencies = list(engine.scenario.competencies)
    log: list[Entry] = []
    for i in range(events):
        clock = i * STEP_MINUTES
        if i % 2:
            event: AnyEvent = ScoreAdjusted(competencies[i % len(competencies)], 1, clock, "n")
        else:
            event = MessageSent(subject="Update", text="hello", clock=clock)
        log.append((event, "facilitator", None))
    del seed
    return log


def play_log(engine: Engine, events: int, seed: int) -> list[Entry]:
    """``events`` events of a team playing round after round, every one allowed: about
    four in five are decisions, so the team's path holds some 1,600 steps at 2,000."""
    scenario = engine.scenario
    rng = random.Random(seed)
    roles = list(scenario.roles)
    competencies = list(scenario.competencies)
    log: list[Entry] = []
    state = engine.initial_state()
    clock = 0.0
    for role in roles:
        log.append((Joined(name=f"Trainee {role}", clock=clock), f"Trainee {role}", role))
    while len(log) < events:
        clock += STEP_MINUTES
        state, due = engine.settle(state, clock)
        log += [(event, "system", None) for event in due]
        roll = rng.random()
        event: Event
        if state.ended:
            event = Moved(scenario.start, clock, "Round again")
            state = engine.apply(state, event)
            log.append((event, "facilitator", None))
        elif roll < 0.06:
            text = f"Update {len(log)}: the harbour master asks for the arrival count."
            log.append((MessageSent(subject="Update", text=text, clock=clock), "facilitator", None))
        elif roll < 0.09:
            competency = rng.choice(competencies)
            event = ScoreAdjusted(competency, rng.choice((-1, 1, 2)), clock, "Seen in the room")
            state = engine.apply(state, event)
            log.append((event, "facilitator", None))
        elif roll < 0.12:
            text = "The team checked the interpreter's independence before the interview."
            log.append((Observed(category="strength", text=text, clock=clock), "facilitator", None))
        else:
            role = rng.choice(roles)
            allowed = [o for o in engine.options(state, role, clock) if o.enabled]
            if not allowed:
                continue  # nothing this role may do now; time runs on
            option = rng.choice(allowed)
            actor = f"Trainee {role}"
            event = Chose(option.choice.id, role, clock, actor=actor, rationale="It is safer.")
            state = engine.apply(state, event)
            log.append((event, actor, role))
    return log[:events]


WORKLOADS: dict[str, Callable[[Engine, int, int], list[Entry]]] = {
    "play": play_log,
    "notes": notes_log,
}
"""The kinds of team log a benchmark can ask for."""


def build(
    db: Path,
    teams: int,
    events: int,
    workload: str = "play",
    exercise_id: str = "bench",
    *,
    running: bool = False,
) -> float:
    """Create exercise ``exercise_id`` in ``db`` with ``teams`` teams of ``events`` events
    each (``workload``: a key of :data:`WORKLOADS`); return how many seconds it took.
    The exercise is ended, or with ``running`` still running."""
    started = time.perf_counter()
    path = bundled_path(SCENARIO)
    scenario = load_file(path).scenario
    assert scenario is not None
    engine = Engine(scenario)
    make = WORKLOADS[workload]
    logs = [make(engine, events, seed) for seed in range(min(teams, DISTINCT_LOGS))]
    # The service stores the best reachable scores with the exercise; status and report
    # read them from there. A short search (an upper bound, marked as such) is enough here.
    best, exact = best_score_bounds(scenario, Budget(max_states=500))
    last_clock = max((entry[0].clock for log in logs for entry in log), default=0.0)
    with EventStore.open(db, create=True) as store, _placeholder_join_codes():
        names = [f"team{i:03d}" for i in range(teams)]
        store.create_exercise(
            exercise_id=exercise_id,
            title=f"Benchmark: {teams} teams x {events} events",
            scenario_id=scenario.id,
            scenario_text=scenario.text,
            teams=names,
            settings={
                "scenario_path": str(path),
                "scenario_checks": CHECKS,  # as the service marks a copy it validated
                "scenario_values": checked_values(scenario),
                "best_scores": best,
                "best_scores_exact": exact,
            },
        )
        begun = time.time() - (last_clock + 1) * 60
        rows = [
            [
                NewEvent(*encode(event), event.clock, actor, role, begun + event.clock * 60)
                for event, actor, role in log
            ]
            for log in logs
        ]
        for i, name in enumerate(names):
            store.append(exercise_id, team_stream(name), 0, rows[i % len(rows)])
        end = last_clock + 1
        clock_rows = [
            NewEvent(*encode(ExerciseStarted(clock=0.0)), 0.0, "facilitator", None, begun),
        ]
        if not running:
            ended = encode(ExerciseEnded(clock=end))
            clock_rows.append(NewEvent(*ended, end, "facilitator", None, begun + end * 60))
        store.append(exercise_id, CLOCK_STREAM, 0, clock_rows)
    return time.perf_counter() - started


@contextlib.contextmanager
def _placeholder_join_codes() -> Iterator[None]:
    """Store a placeholder instead of each team's scrypt hash while building.

    Hashing a join code takes about 0.1 s by design (it must be slow to guess), so 100
    teams would spend 10 s of the benchmark on codes that no measured command checks.
    """
    with mock.patch("simtrain.store.eventstore.hash_code", lambda code, salt: "placeholder"):
        yield
