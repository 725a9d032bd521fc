"""The service's refusals: sentences for a person, never tracebacks."""

from __future__ import annotations

from simtrain.engine.state import TeamState


class ExerciseError(Exception):
    """A refused or impossible action, as a sentence for a person."""


class SceneChanged(ExerciseError):
    """A teammate (or the facilitator, or a timer) changed the team's state first."""

    def __init__(self, message: str, state: TeamState, seq: int = 0) -> None:
        super().__init__(message)
        self.state = state
        """The team's state now."""
        self.seq = seq
        """The team's public seq now (its count of state-changing events)."""


class Busy(ExerciseError):
    """Other writers kept winning the race for a stream; the caller may try again."""
