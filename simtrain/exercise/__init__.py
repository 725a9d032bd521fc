"""The exercise service: the one API the CLI, the trainee UI and the facilitator console call.

It joins the pure engine to the event store. :class:`ExerciseService` opens a database and
hands out :class:`Exercise` handles; an exercise's commands (``commands.py``, each one
read-decide-append on one stream, retried by ``retry.py`` when another writer won the race)
and its queries (``queries.py``) are the only way the UIs and the CLI touch the log.
``streams.py`` lays out the streams and hands out :class:`Recorded` entries, which carry
the typed events of :mod:`simtrain.engine.events`; ``clock.py`` folds the exercise clock.
"""

from simtrain.engine.events import OBSERVATION_KINDS
from simtrain.exercise.clock import ClockState, ClockStateName, clock_from_events
from simtrain.exercise.commands import (
    JOIN_FAILURE_DELAY_S,
    JOIN_FAILURES_BEFORE_DELAY,
    Decision,
    Exercise,
)
from simtrain.exercise.errors import Busy, ExerciseError, SceneChanged
from simtrain.exercise.retry import MAX_RETRIES
from simtrain.exercise.service import Created, ExerciseService
from simtrain.exercise.streams import (
    FACILITATOR,
    LEASE_ENV,
    ROLEPLAYER,
    SYSTEM,
    Recorded,
    Seat,
    seat_lease,
)
from simtrain.store import ExerciseRecord, SeatRecord

__all__ = [
    "FACILITATOR",
    "JOIN_FAILURES_BEFORE_DELAY",
    "JOIN_FAILURE_DELAY_S",
    "LEASE_ENV",
    "MAX_RETRIES",
    "OBSERVATION_KINDS",
    "ROLEPLAYER",
    "SYSTEM",
    "Busy",
    "ClockState",
    "ClockStateName",
    "Created",
    "Decision",
    "Exercise",
    "ExerciseError",
    "ExerciseRecord",
    "ExerciseService",
    "Recorded",
    "SceneChanged",
    "Seat",
    "SeatRecord",
    "clock_from_events",
    "seat_lease",
]
