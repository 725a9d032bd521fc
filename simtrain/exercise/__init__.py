"""The exercise service: the one API the CLI, the trainee UI and the facilitator console call.

It joins the pure engine to the event store. :class:`ExerciseService` opens a database and
hands out :class:`Exercise` handles; an exercise's commands (``commands.py``, each one
read-decide-append on one stream, retried by ``retry.py`` when another writer won the race)
and its queries (``queries.py``) are the only way the UIs and the CLI touch the log.
``streams.py`` lays out the streams and kinds, ``clock.py`` folds the exercise clock.
"""

from simtrain.exercise.clock import ClockState, ClockStateName, clock_from_events
from simtrain.exercise.commands import Exercise
from simtrain.exercise.errors import Busy, ExerciseError, SceneChanged
from simtrain.exercise.retry import MAX_RETRIES
from simtrain.exercise.service import ExerciseService
from simtrain.exercise.streams import (
    ALERT_ACK,
    CLOCK_STREAM,
    DEBRIEF,
    ENDED,
    FACILITATOR,
    JOINED,
    MESSAGE,
    OBSERVATION,
    OBSERVATION_KINDS,
    PAUSED,
    RESUMED,
    STARTED,
    STEP_BACK,
    STEP_OUT,
    SYSTEM,
    Seat,
    team_stream,
)
from simtrain.store import ExerciseRecord, StoredEvent

__all__ = [
    "ALERT_ACK",
    "CLOCK_STREAM",
    "DEBRIEF",
    "ENDED",
    "FACILITATOR",
    "JOINED",
    "MAX_RETRIES",
    "MESSAGE",
    "OBSERVATION",
    "OBSERVATION_KINDS",
    "PAUSED",
    "RESUMED",
    "STARTED",
    "STEP_BACK",
    "STEP_OUT",
    "SYSTEM",
    "Busy",
    "ClockState",
    "ClockStateName",
    "Exercise",
    "ExerciseError",
    "ExerciseRecord",
    "ExerciseService",
    "SceneChanged",
    "Seat",
    "StoredEvent",
    "clock_from_events",
    "team_stream",
]
