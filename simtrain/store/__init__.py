"""The event store: one SQLite file shared by every simtrain process of an exercise.

Generic and engine-agnostic: it keeps exercises (with a full copy of their scenario),
teams' hashed join codes, and append-only streams of JSON events with optimistic
concurrency. It knows nothing about scenarios.
"""

from pathlib import Path

from simtrain.store.codes import generate_join_code, normalize_code
from simtrain.store.errors import ConcurrencyError, StoreError
from simtrain.store.eventstore import EventStore
from simtrain.store.protocol import Store
from simtrain.store.records import ExerciseRecord, NewEvent, SeatRecord, StoredEvent
from simtrain.store.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "ConcurrencyError",
    "EventStore",
    "ExerciseRecord",
    "NewEvent",
    "SeatRecord",
    "Store",
    "StoreError",
    "StoredEvent",
    "generate_join_code",
    "normalize_code",
    "open_store",
]


def open_store(target: str | Path, *, create: bool = False) -> Store:
    """Open the exercise database at ``target`` (a SQLite file path) as a :class:`Store`.

    The one place that chooses a backend from what a person typed after ``--db``.
    """
    return EventStore.open(target, create=create)
