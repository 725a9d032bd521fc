"""The exercise lifecycle as a ``transitions`` machine, and the exercise clock folded over it.

States: ``created`` → ``running`` ⇄ ``paused`` → ``ended`` (``end`` from any open state).
The machine is a table, built once and shared (``model=None``: no model is ever added,
nothing is bound per exercise or per event): the fold and the service ask it what a
trigger does in a state. Its guards are internal transitions (``dest=None``) of the same
table, so every rule of the lifecycle is read in one place:

- ``release`` (the debrief) is allowed in every state and changes none;
- ``act`` (a participant's choice) only while ``running``;
- ``intervene`` (a facilitator's action on a team) in any state but ``ended``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, cast

from msgspec import Struct
from transitions import Machine

from simtrain.engine.events import (
    AnyEvent,
    DebriefReleased,
    ExerciseEnded,
    ExercisePaused,
    ExerciseResumed,
    ExerciseStarted,
)

LifecycleState = Literal["created", "running", "paused", "ended"]
Trigger = Literal["start", "pause", "resume", "end", "release", "act", "intervene"]

STATES: tuple[LifecycleState, ...] = ("created", "running", "paused", "ended")
_OPEN: list[str] = ["created", "running", "paused"]

LIFECYCLE = Machine(
    model=None,
    states=list(STATES),
    initial="created",
    auto_transitions=False,
    transitions=[
        {"trigger": "start", "source": "created", "dest": "running"},
        {"trigger": "pause", "source": "running", "dest": "paused"},
        {"trigger": "resume", "source": "paused", "dest": "running"},
        {"trigger": "end", "source": _OPEN, "dest": "ended"},
        {"trigger": "release", "source": list(STATES), "dest": None},
        {"trigger": "act", "source": "running", "dest": None},
        {"trigger": "intervene", "source": _OPEN, "dest": None},
    ],
)
"""The lifecycle's table: which trigger leads where from which state."""

TRIGGERS: dict[type, Trigger] = {
    ExerciseStarted: "start",
    ExercisePaused: "pause",
    ExerciseResumed: "resume",
    ExerciseEnded: "end",
    DebriefReleased: "release",
}
"""The trigger each clock-stream event fires."""


def allows(state: LifecycleState, trigger: Trigger) -> bool:
    """Whether ``trigger`` may fire in ``state``."""
    return bool(LIFECYCLE.get_transitions(trigger, source=state))


def after(state: LifecycleState, trigger: Trigger) -> LifecycleState | None:
    """The state ``trigger`` leads to from ``state`` (None when it may not fire there)."""
    found = LIFECYCLE.get_transitions(trigger, source=state)
    if not found:
        return None
    return cast(LifecycleState, found[0].dest or state)


class ClockState(Struct, frozen=True):
    """The exercise clock at one moment."""

    state: LifecycleState
    minutes: float
    """Exercise minutes: time since start, paused time not counted."""
    debrief_released: bool


def fold_clock(events: Iterable[tuple[AnyEvent, float]], wall: float) -> ClockState:
    """The clock at wall time ``wall`` from the clock stream's (event, wall time) pairs.

    An event its state does not allow (a second start, a pause while paused) changes
    nothing, exactly as the service would have refused to record it.
    """
    state: LifecycleState = "created"
    running_since: float | None = None
    banked = 0.0
    released = False
    for event, at in events:
        trigger = TRIGGERS.get(type(event))
        if trigger is None:
            continue
        new = after(state, trigger)
        if new is None:
            continue
        if running_since is not None and new != "running":
            banked += at - running_since
            running_since = None
        elif new == "running" and state != "running":
            running_since = at
        released = released or trigger == "release"
        state = new
    seconds = banked + (max(0.0, wall - running_since) if running_since is not None else 0.0)
    return ClockState(state, seconds / 60.0, released)
