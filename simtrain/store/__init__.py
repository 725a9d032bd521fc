"""The event store: one SQLite file shared by every simtrain process of an exercise.

Generic and engine-agnostic: it keeps exercises (with a full copy of their scenario),
teams' hashed join codes, and append-only streams of JSON events with optimistic
concurrency. It knows nothing about scenarios.
"""

from simtrain.store.codes import generate_join_code, normalize_code
from simtrain.store.errors import ConcurrencyError, StoreError
from simtrain.store.eventstore import EventStore
from simtrain.store.records import ExerciseRecord, NewEvent, StoredEvent
from simtrain.store.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "ConcurrencyError",
    "EventStore",
    "ExerciseRecord",
    "NewEvent",
    "StoreError",
    "StoredEvent",
    "generate_join_code",
    "normalize_code",
]
