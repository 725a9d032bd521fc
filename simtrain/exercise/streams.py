"""How the service lays out an exercise's log: streams, seats, actors, and the typed
entries it hands out.

Streams: ``clock`` holds the exercise-level events (start, pause, resume, end, debrief
release); ``team:<name>`` holds each team's events, the ones the engine folds (choices,
deliveries, timers, moves, adjustments, skips) and the ones it does not (joins, messages,
observations, step-outs, alerts acknowledged). Nobody outside the service sees a stream
name or a stored row: they get :class:`Recorded` entries carrying typed events.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable

from msgspec import Struct

from simtrain.engine.events import FOLDED, AnyEvent, Event, decode
from simtrain.store import StoredEvent

FACILITATOR = "facilitator"
"""The actor of facilitator actions."""
ROLEPLAYER = "role-player"
"""The actor of what a character's role-player seat records (lines, marks)."""
SYSTEM = "system"
"""The actor of what time and the scenario did (timers, scheduled injects)."""
CLOCK_STREAM = "clock"
_TEAM = "team:"

LEASE_ENV = "SIMTRAIN_SEAT_LEASE"
"""Environment variable: a seat's lease in seconds (tests shorten it)."""
DEFAULT_LEASE = 15.0
"""Seconds a seat stays online after its last heartbeat (or, headless, its last act)."""
TERMINAL, HEADLESS = "terminal", "headless"
"""Kinds of seat: a ``play`` or browser seat, or ``act``."""


def seat_lease() -> float:
    """The lease this process gives its seats: ``SIMTRAIN_SEAT_LEASE`` seconds, else 15."""
    try:
        lease = float(os.environ.get(LEASE_ENV, DEFAULT_LEASE))
    except ValueError:
        return DEFAULT_LEASE
    return max(0.2, lease) if math.isfinite(lease) else DEFAULT_LEASE


def iso_utc(wall: float) -> str:
    """A Unix time as ISO-8601 UTC to the second: ``2026-11-29T18:25:49Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(wall))


def team_stream(team: str) -> str:
    """The stream name of a team."""
    return f"{_TEAM}{team}"


class Seat(Struct, frozen=True):
    """A participant's place: one team, one role, a display name."""

    exercise: str
    team: str
    role: str
    name: str
    id: str = ""
    """The seat's row in the roster ('' for a seat that is not on it)."""


class Recorded(Struct, frozen=True):
    """One entry of an exercise's log: a typed event and who recorded it, when, where."""

    id: int
    """The exercise-wide cursor (increasing)."""
    team: str | None
    """The team whose stream holds it; None for the exercise clock's stream."""
    seq: int
    """Its number in its stream, from 1."""
    wall: float
    """Unix time it was recorded."""
    actor: str
    """A participant's name, ``facilitator`` or ``system``."""
    role: str | None
    """The participant's role, when a participant acted."""
    event: AnyEvent

    @property
    def clock(self) -> float:
        """Exercise minutes when it happened."""
        return self.event.clock


def recorded(stored: StoredEvent) -> Recorded:
    """A stored row as a typed log entry."""
    team = stored.stream.removeprefix(_TEAM) if stored.stream.startswith(_TEAM) else None
    event = decode(stored.kind, stored.payload, stored.clock)
    return Recorded(stored.id, team, stored.seq, stored.wall, stored.actor, stored.role, event)


FOLDED_KINDS = frozenset(cls.kind for cls in FOLDED)
"""The kinds the engine folds (a fold or a replay reads and decodes no other)."""


def folded(stored: Iterable[StoredEvent]) -> list[Event]:
    """The events of stored rows that the engine folds, in order. Only their rows are
    decoded: a fold skips the rest (messages, joins, notes) without building them."""
    return [
        event
        for row in stored
        if row.kind in FOLDED_KINDS
        and isinstance(event := decode(row.kind, row.payload, row.clock), FOLDED)
    ]
