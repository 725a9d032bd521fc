"""The exercise clock: a pure fold of the clock stream, paused time not counted."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from simtrain.exercise.streams import DEBRIEF, ENDED, PAUSED, RESUMED, STARTED
from simtrain.store import StoredEvent

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


def clock_from_events(events: Iterable[StoredEvent], wall: float) -> ClockState:
    """Fold the clock stream into the clock at wall time ``wall``."""
    state: ClockStateName = "created"
    running_since: float | None = None
    banked = 0.0
    released = False
    for event in events:
        if event.kind == STARTED and state == "created":
            state, running_since = "running", event.wall
        elif event.kind == PAUSED and state == "running" and running_since is not None:
            banked += event.wall - running_since
            state, running_since = "paused", None
        elif event.kind == RESUMED and state == "paused":
            state, running_since = "running", event.wall
        elif event.kind == ENDED and state != "ended":
            if running_since is not None:
                banked += event.wall - running_since
            state, running_since = "ended", None
        elif event.kind == DEBRIEF:
            released = True
    seconds = banked + (max(0.0, wall - running_since) if running_since is not None else 0.0)
    return ClockState(state, seconds / 60.0, released)
