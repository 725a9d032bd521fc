"""How the service lays out an exercise's log: streams, event kinds, seats, actors.

Streams: ``clock`` holds the exercise-level events (start, pause, resume, end, debrief
release); ``team:<name>`` holds each team's events, the ones the engine folds (choices,
deliveries, timers, moves, adjustments, skips) and the ones it does not (joins, messages,
observations, step-outs, alerts acknowledged).
"""

from __future__ import annotations

from dataclasses import dataclass

FACILITATOR = "facilitator"
"""The actor of facilitator actions."""
SYSTEM = "system"
"""The actor of what time and the scenario did (timers, scheduled injects)."""
CLOCK_STREAM = "clock"

# Team-stream event kinds the engine does not fold
JOINED = "joined"
MESSAGE = "message"
OBSERVATION = "observation"
STEP_OUT = "step_out"
STEP_BACK = "step_back"
ALERT_ACK = "alert_ack"
# Clock-stream kinds
STARTED, PAUSED, RESUMED, ENDED, DEBRIEF = (
    "exercise_started",
    "exercise_paused",
    "exercise_resumed",
    "exercise_ended",
    "debrief_released",
)
OBSERVATION_KINDS = ("strength", "improvement", "note")


def team_stream(team: str) -> str:
    """The stream name of a team."""
    return f"team:{team}"


@dataclass(frozen=True)
class Seat:
    """A participant's place: one team, one role, a display name."""

    exercise: str
    team: str
    role: str
    name: str
