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
from simtrain.store.records import ExerciseCopy, ExerciseRecord, NewEvent, SeatRecord, StoredEvent
from simtrain.store.rows import read_json
from simtrain.store.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "ConcurrencyError",
    "EventStore",
    "ExerciseCopy",
    "ExerciseRecord",
    "NewEvent",
    "SeatRecord",
    "Store",
    "StoreError",
    "StoredEvent",
    "generate_join_code",
    "is_server_url",
    "normalize_code",
    "open_store",
    "read_json",
]


SERVER_SCHEMES = ("postgresql://", "postgres://")
"""How a ``--db`` value names a database on a PostgreSQL server rather than a SQLite file."""


def is_server_url(target: str | Path) -> bool:
    """Whether ``target`` names a PostgreSQL database (``postgresql://…``), not a file."""
    return isinstance(target, str) and target.startswith(SERVER_SCHEMES)


def open_store(target: str | Path, *, create: bool = False) -> Store:
    """Open the exercise database at ``target`` as a :class:`Store`: a SQLite file path,
    or a ``postgresql://USER@HOST[:PORT]/DATABASE`` URL.

    The one place that chooses a backend from what a person typed after ``--db``.
    """
    if is_server_url(target):
        try:
            from simtrain.store.postgres import PostgresStore
        except ImportError:
            raise StoreError(
                "A postgresql:// database needs the PostgreSQL driver, which is not "
                "installed: pip install 'simtrain[postgres]'."
            ) from None
        return PostgresStore.open(str(target), create=create)
    return EventStore.open(target, create=create)
