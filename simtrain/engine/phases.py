"""Phases and holds, by the rules alone: which phase a team is in, and whether the
facilitator's hold stops it from deciding now.

A hold is recorded as events of the team's stream (:class:`TeamHeld`, :class:`TeamReleased`);
the fold ignores them, and everything that asks whether a team is held — the service
before a decision, ``status --json``, a seat, the console — asks :func:`hold_of`.
"""

from __future__ import annotations

from collections.abc import Iterable

from msgspec import Struct

from simtrain.engine.events import AnyEvent, TeamHeld, TeamReleased
from simtrain.engine.state import TeamState
from simtrain.scenario.compiled import Scenario


class Hold(Struct, frozen=True):
    """A team's hold: ``phase`` is None when there is none, '' for a hold at once, else
    the phase at whose end the team is to be held; ``held`` whether it holds now."""

    phase: str | None
    held: bool
    current: str | None
    """The phase the team is in now (None outside every phase)."""

    def where(self, scenario: Scenario) -> str:
        """' at the end of phase “Title”' for a phase hold ('' otherwise)."""
        phase = scenario.phases.get(self.phase or "")
        return f" at the end of phase “{phase.title}”" if phase is not None else ""

    def sentence(self, team: str, scenario: Scenario) -> str:
        """Why the team cannot decide, for a person ('' when it is not held)."""
        if not self.held:
            return ""
        return (
            f"team '{team}' is held by the facilitator{self.where(scenario)} (a hot-wash); "
            "wait until the facilitator releases the team"
        )


def last_hold(events: Iterable[AnyEvent], hold: str | None = None) -> str | None:
    """The hold ``events`` leave in place, starting from ``hold``: None when there is
    none, '' for a hold at once, else a phase id."""
    for event in events:
        if isinstance(event, TeamHeld):
            hold = event.phase
        elif isinstance(event, TeamReleased):
            hold = None
    return hold


def hold_of(scenario: Scenario, state: TeamState, phase: str | None) -> Hold:
    """Whether a hold holds the team in ``state``: a hold at once does; a hold at a
    phase's end does once the team has been in that phase and is no longer in it (an
    ended team is never held)."""
    current = scenario.scene_phase.get(state.scene)
    if phase is None or state.ended:
        return Hold(phase, False, current)
    if phase == "" or phase not in scenario.phases:
        return Hold(phase, True, current)
    visited = any(state.visits.get(s, 0) for s in scenario.phases[phase].scenes)
    return Hold(phase, visited and current != phase, current)
