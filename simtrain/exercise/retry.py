"""The one optimistic-concurrency loop of the service.

Every command reads a stream, decides, and appends with the sequence number it read. When
another writer appended first the store raises ConcurrencyError, and the command simply
runs again on the fresh log: the database, not a lock, decides who applied first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from simtrain.exercise.errors import Busy
from simtrain.store import ConcurrencyError

MAX_RETRIES = 50
T = TypeVar("T")


def append_with_retry(attempt: Callable[[], T], busy: str) -> T:
    """Run ``attempt`` (read, decide, append) until no other writer beats it; after
    :data:`MAX_RETRIES` lost races raise :class:`Busy` with the sentence ``busy``."""
    for _ in range(MAX_RETRIES):
        try:
            return attempt()
        except ConcurrencyError:
            continue
    raise Busy(busy)
