"""The store contract: what the exercise service needs from any backend.

:class:`~simtrain.store.eventstore.EventStore` (one SQLite file) is the embedded
default; a server-backed store (PostgreSQL) plugs in behind the same protocol. Every
backend passes the one contract test suite in ``tests/store_contract.py``; what only one
backend does (SQLite pragmas, the WAL, file permissions) is tested in its own file.

The contract, in short:

- **Exercises** are created once with a full copy of their scenario and one join code per
  team; codes are returned once in plaintext and kept only as salted hashes.
- **Streams** (a string per team such as ``"team:red"``, one for the clock…) are
  append-only lists numbered ``seq`` 1, 2, 3… without gaps. :meth:`Store.append_many`
  writes every batch or none, and refuses with :class:`ConcurrencyError` (writing
  nothing) when a stream is not at the seq the caller last saw, or when a stream the
  append rests on (``unchanged``) has moved.
- **Ids** are a cursor over the whole exercise that only grows in commit order, so a
  reader that remembers the last id it saw never misses or repeats an event.
- **Errors** are :class:`StoreError` with plain sentences (an unknown exercise gets a
  "did you mean"); a backend's own exceptions never escape.
- **Text** comes back as written, except that control sequences never leave the store.
- **The roster** (seats and their leases) is state, not history: renewing a lease
  updates a seat in place and never adds an event or moves a stream.
- **Saved states** are a cache beside the log (a team's folded state after some seq, so
  a reader folds only the events after it): opaque text under a key the caller chooses;
  never exported, copied by ``backup`` with the rest of the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, runtime_checkable

from simtrain.store.records import (
    ExerciseCopy,
    ExerciseRecord,
    NewEvent,
    SeatRecord,
    StoredEvent,
)


@runtime_checkable
class Store(Protocol):
    """An open exercise database, shared by every process of an exercise."""

    @property
    def location(self) -> str:
        """Where the data lives, for messages: a file path or a server address (no password)."""
        ...

    def close(self) -> None:
        """Release the connection; the store is unusable afterwards."""
        ...

    def __enter__(self) -> Store: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    # -- exercises -------------------------------------------------------------------

    def create_exercise(
        self,
        *,
        exercise_id: str | None,
        title: str,
        scenario_id: str,
        scenario_text: str,
        teams: Sequence[str],
        settings: dict[str, Any] | None = None,
    ) -> tuple[ExerciseRecord, dict[str, str]]:
        """Record a new exercise; return it and the plaintext join codes ``{team: code}``."""
        ...

    def exercises(self) -> list[ExerciseRecord]:
        """Every exercise, oldest first."""
        ...

    def exercise(self, exercise_id: str) -> ExerciseRecord:
        """One exercise, or a :class:`StoreError` with a "did you mean" hint."""
        ...

    def check_code(self, exercise_id: str, team: str, code: str) -> bool:
        """Whether ``code`` is the team's join code (case, spaces and dashes ignored)."""
        ...

    # -- the roster ------------------------------------------------------------------

    def seat_arrive(
        self,
        exercise_id: str,
        seat_id: str,
        *,
        team: str,
        name: str,
        role: str,
        kind: str,
        lease: float,
    ) -> bool:
        """Record a seat as present for ``lease`` seconds from now; True when it (re)joined
        (new, or back after leaving or after its lease ran out), False when still online."""
        ...

    def seat_renew(self, seat_id: str, lease: float) -> bool:
        """A heartbeat: extend a seat's lease; False if the seat has left (or never was)."""
        ...

    def seat_leave(self, seat_id: str) -> bool:
        """The seat quits; False if it had already left (or never was)."""
        ...

    def seats(self, exercise_id: str) -> list[SeatRecord]:
        """Every seat of an exercise that ever joined, in order of first joining."""
        ...

    # -- events ----------------------------------------------------------------------

    def append(
        self,
        exercise_id: str,
        stream: str,
        expected_seq: int,
        events: Sequence[NewEvent],
        *,
        unchanged: Sequence[tuple[str, int]] = (),
    ) -> list[StoredEvent]:
        """Append to one stream whose last seq the caller saw as ``expected_seq``.

        ``unchanged``: ``(stream, seq)`` pairs the caller's decision rests on (the exercise
        clock it checked): each must still be at that seq in the writing transaction, or
        :class:`ConcurrencyError` and nothing written."""
        ...

    def append_many(
        self,
        exercise_id: str,
        batches: Sequence[tuple[str, int, Sequence[NewEvent]]],
        *,
        unchanged: Sequence[tuple[str, int]] = (),
    ) -> list[StoredEvent]:
        """Append ``(stream, expected_seq, events)`` batches in one transaction
        (``unchanged`` as for :meth:`append`)."""
        ...

    def last_seq(self, exercise_id: str, stream: str) -> int:
        """The seq of the stream's last event; 0 when it is empty."""
        ...

    def read(
        self,
        exercise_id: str,
        stream: str | None = None,
        *,
        after_id: int = 0,
        until_seq: int | None = None,
    ) -> list[StoredEvent]:
        """Events with id > ``after_id`` (of one stream, up to ``until_seq``), by id."""
        ...

    def read_kinds(
        self,
        exercise_id: str,
        stream: str,
        kinds: Sequence[str],
        *,
        until_seq: int | None = None,
        limit: int | None = None,
        newest: bool = False,
        since_seq: int = 1,
    ) -> list[StoredEvent]:
        """The stream's events whose kind is one of ``kinds`` (from ``since_seq`` up to
        ``until_seq``), by seq: with ``limit``, only the first ``limit`` of them (with
        ``newest``, the last ``limit``, still in seq order). A report reads the kinds its
        sections need, and the ends of long lists, this way instead of every event of a
        team; ``since_seq`` spares it the part of the stream before the first it needs."""
        ...

    def last_id(self, exercise_id: str) -> int:
        """The id of the exercise's newest event (0 if none)."""
        ...

    def wait_for_events(
        self, exercise_id: str, after_id: int, timeout: float, poll: float = ...
    ) -> list[StoredEvent]:
        """Events after the cursor, waiting up to ``timeout`` s for some (``[]`` if none)."""
        ...

    # -- saved states (a cache beside the log) ---------------------------------------

    def save_states(
        self, exercise_id: str, key: str, states: Sequence[tuple[str, int, str]]
    ) -> int:
        """Keep ``(stream, seq, state)`` rows: ``state`` (text the caller encoded) is what
        the stream's events up to ``seq`` fold into, valid under ``key``. One row per
        stream, written in one transaction: a row replaces the stream's row of the same
        or a lower seq (or of another key), never a newer one under the same key; a seq
        the stream has not reached is not kept. Returns how many rows were kept."""
        ...

    def saved_states(self, exercise_id: str, key: str) -> dict[str, tuple[int, str]]:
        """The states kept under ``key`` for the exercise's streams: ``{stream: (seq,
        state)}`` (rows under another key are left out)."""
        ...

    # -- maintenance -----------------------------------------------------------------

    def integrity_check(self) -> str:
        """``"ok"``, or the problems the backend's own check found."""
        ...

    def export_exercise(self, exercise_id: str) -> ExerciseCopy:
        """The whole exercise, read as one consistent snapshot, to restore elsewhere."""
        ...

    def restore_exercise(self, copy: ExerciseCopy) -> None:
        """Write an exported exercise in one transaction (its events get this store's ids,
        in the same order); refuses an exercise id that is already here."""
        ...

    def backup(self, target: str | Path) -> int:
        """A consistent copy of every exercise in the new SQLite file ``target``, taken
        while others keep appending; returns the number of events copied."""
        ...
