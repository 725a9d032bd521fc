"""The exercise clock: a pure fold of the clock stream, paused time not counted."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from simtrain.engine.events import (
    DebriefReleased,
    ExerciseEnded,
    ExercisePaused,
    ExerciseResumed,
    ExerciseStarted,
)
from simtrain.exercise.streams import Recorded

ClockStateName = Literal["created", "running", "paused", "ended"]


def now() -> float:
    """The wall time the service reads the clock at (one place, for tests to fix)."""
    return time.time()


@dataclass(frozen=True)
class ClockState:
    """The exercise clock at one moment."""

    state: ClockStateName
    minutes: float
    """Exercise minutes: time since start, paused time not counted."""
    debrief_released: bool


def clock_from_events(events: Iterable[Recorded], wall: float) -> ClockState:
    """Fold the clock stream into the clock at wall time ``wall``."""
    state: ClockStateName = "created"
    running_since: float | None = None
    banked = 0.0
    released = False
    for entry in events:
        event = entry.event
        if isinstance(event, ExerciseStarted) and state == "created":
            state, running_since = "running", entry.wall
        elif isinstance(event, ExercisePaused) and state == "running" and running_since is not None:
            banked += entry.wall - running_since
            state, running_since = "paused", None
        elif isinstance(event, ExerciseResumed) and state == "paused":
            state, running_since = "running", entry.wall
        elif isinstance(event, ExerciseEnded) and state != "ended":
            if running_since is not None:
                banked += entry.wall - running_since
            state, running_since = "ended", None
        elif isinstance(event, DebriefReleased):
            released = True
    seconds = banked + (max(0.0, wall - running_since) if running_since is not None else 0.0)
    return ClockState(state, seconds / 60.0, released)
