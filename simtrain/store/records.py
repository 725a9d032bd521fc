"""Frozen rows going into and coming out of the store.

msgspec Structs rather than dataclasses: built faster, and each class is defined at import
in microseconds where a dataclass took about a millisecond of every command's start-up."""

from __future__ import annotations

from typing import Any

from msgspec import Struct


class NewEvent(Struct, frozen=True):
    """An event to append; the store gives it its exercise, stream, seq and id."""

    kind: str
    """What happened, e.g. ``"chose"``; the store does not interpret it."""
    payload: dict[str, Any]
    """A JSON object (str keys; str, number, bool, None, list and dict values)."""
    clock: float
    """Exercise clock in minutes when it happened."""
    actor: str
    """Who did it: a participant's name, ``"facilitator"`` or ``"system"``."""
    role: str | None = None
    """The participant's role, when a participant acted."""
    wall: float | None = None
    """Unix time; None means the moment the append commits."""


class StoredEvent(Struct, frozen=True):
    """An event as recorded; ``id`` is the global cursor, ``seq`` counts 1.. within a stream.

    Reads build one per row, hundreds of thousands for a report: a frozen Struct is built
    as fast as a mutable one (a frozen dataclass cost seven times as much, each field set
    through ``object.__setattr__``, so this one used to be left mutable)."""

    id: int
    exercise: str
    stream: str
    seq: int
    kind: str
    payload: dict[str, Any]
    clock: float
    wall: float
    actor: str
    role: str | None


class ExerciseRecord(Struct, frozen=True):
    """One exercise: the scenario it runs (a full copy) and its teams in creation order."""

    id: str
    title: str
    scenario_id: str
    scenario_text: str
    """The scenario YAML exactly as it was when the exercise was created."""
    scenario_sha256: str
    """Hex SHA-256 of ``scenario_text`` encoded as UTF-8."""
    created_wall: float
    settings: dict[str, Any]
    teams: tuple[str, ...]


class SeatRecord(Struct, frozen=True):
    """A seat of the roster: who sits where, since when, and until when its lease runs."""

    id: str
    team: str
    name: str
    role: str
    kind: str
    """``terminal`` (a ``play`` or browser seat) or ``headless`` (``act``)."""
    joined_wall: float
    """Unix time of the latest (re)joining."""
    seen_wall: float
    """Unix time of the latest heartbeat (or act)."""
    expires_wall: float
    """The lease: the seat counts as online until this Unix time unless it left."""
    left_wall: float | None
    """Unix time the seat quit, or None."""

    def online(self, wall: float) -> bool:
        """Whether the seat is connected at Unix time ``wall``."""
        return self.left_wall is None and wall < self.expires_wall


class ExerciseCopy(Struct, frozen=True):
    """One exercise whole, to move between stores: its record, its teams' join-code
    hashes, its events in id order and its roster (``migrate-store``, ``backup``)."""

    record: ExerciseRecord
    codes: tuple[tuple[str, str, str], ...]
    """``(team, code_hash, code_salt)`` in team order: the join codes keep working."""
    events: tuple[StoredEvent, ...]
    """In id order; the receiving store gives them its own ids, in the same order."""
    seats: tuple[SeatRecord, ...]
