"""The exercise clock as the service reads it: the lifecycle fold over the clock stream."""

from __future__ import annotations

import time
from collections.abc import Iterable

from simtrain.engine.lifecycle import ClockState, LifecycleState, fold_clock
from simtrain.exercise.streams import Recorded

ClockStateName = LifecycleState
"""created, running, paused or ended."""

__all__ = ["ClockState", "ClockStateName", "clock_from_events", "now"]


def now() -> float:
    """The wall time the service reads the clock at (one place, for tests to fix)."""
    return time.time()


def clock_from_events(events: Iterable[Recorded], wall: float) -> ClockState:
    """Fold the clock stream into the clock at wall time ``wall``."""
    return fold_clock(((entry.event, entry.wall) for entry in events), wall)
