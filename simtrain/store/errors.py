"""The two errors the store raises: plain sentences a person can act on."""

from __future__ import annotations


class StoreError(Exception):
    """The store refused or could not do something; the message is one or more plain sentences.

    Commands print the message as it is, never a traceback.
    """


class ConcurrencyError(StoreError):
    """Someone appended to the stream first: the caller's expected seq is stale.

    Nothing was written. Read the new events, decide again, and retry with ``actual``.
    """

    def __init__(self, exercise: str, stream: str, expected: int, actual: int) -> None:
        super().__init__(
            f"Stream '{stream}' of exercise '{exercise}' is at seq {actual}, not {expected}: "
            "someone else wrote to it first. Nothing was written; read the new events and "
            "try again."
        )
        self.exercise = exercise
        """The exercise whose stream moved on."""
        self.stream = stream
        """The stream that moved on."""
        self.expected = expected
        """The last seq the caller believed the stream had."""
        self.actual = actual
        """The stream's real last seq when the append was refused."""
