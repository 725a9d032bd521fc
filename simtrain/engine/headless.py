"""Play one team without a screen: the steps of ``simtrain run`` (SPEC §4)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from simtrain.engine.durations import duration_minutes
from simtrain.engine.events import Chose, Event, InjectDelivered
from simtrain.engine.fold import Engine
from simtrain.engine.rules import Refused
from simtrain.engine.state import TeamState
from simtrain.scenario.runtime import DURATION_PATTERN

_DURATION = re.compile(DURATION_PATTERN)


@dataclass
class StepRefused(Exception):
    """A step of ``run`` that could not apply, with its position and the reason."""

    index: int
    step: str
    reason: str

    def __str__(self) -> str:
        return f"step {self.index} ('{self.step}') was refused: {self.reason}"


def play(engine: Engine, steps: Sequence[str]) -> TeamState:
    """Apply ``steps`` in order from the start; raise :class:`StepRefused` on the first
    step that cannot apply (see :func:`record`)."""
    return record(engine, steps)[0]


def record(engine: Engine, steps: Sequence[str]) -> tuple[TeamState, list[Event]]:
    """Apply ``steps`` in order from the start, as :func:`play` does; return the state and
    every event applied (what a live exercise would have logged for the team).

    Steps: a choice id; ``as:ROLE`` (act as that role from now on — the first role acts
    until then); ``wait:DURATION`` (advance the clock, firing timers and delivering
    scheduled injects as their time passes); ``inject:ID`` (publish an inject by hand).
    """
    scenario = engine.scenario
    state, events = engine.settle(engine.initial_state(), 0.0)
    role = scenario.roles[0]
    clock = 0.0
    for index, step in enumerate(steps, start=1):
        try:
            if step.startswith("as:"):
                wanted = step[3:]
                if wanted not in scenario.roles:
                    raise Refused(
                        f"'{wanted}' is not a role of this scenario (roles: "
                        + ", ".join(scenario.roles)
                        + ")"
                    )
                role = wanted
                continue
            if step.startswith("wait:"):
                text = step[5:]
                if not text or not _DURATION.match(text):
                    raise Refused(f"'{text}' is not a duration (use e.g. 45s, 10m, 1h30m)")
                clock += duration_minutes(text)
                state, produced = engine.settle(state, clock)
                events += produced
                continue
            if step.startswith("inject:"):
                event: Event = InjectDelivered(step[7:], clock, manual=True)
            else:
                event = Chose(step, role, clock, actor=role)
            state = engine.apply(state, event)
            state, produced = engine.settle(state, clock)
            events += [event, *produced]
        except Refused as exc:
            raise StepRefused(index, step, str(exc)) from None
    return state, events
