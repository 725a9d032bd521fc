"""The events a team's state is folded from: small frozen dataclasses.

Each has a ``kind`` (the name stored in the event log) and a JSON payload form. Events
the engine does not fold (joins, notes, step-outs...) live only in the store.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class Chose:
    """A participant chose a scene choice or an inject response."""

    kind: ClassVar[str] = "chose"
    choice: str
    role: str
    clock: float
    actor: str = ""
    rationale: str = ""


@dataclass(frozen=True, slots=True)
class InjectDelivered:
    """An inject reached the team (scheduled, conditional, or published by hand)."""

    kind: ClassVar[str] = "inject_delivered"
    inject: str
    clock: float
    manual: bool = False


@dataclass(frozen=True, slots=True)
class TimerFired:
    """The team lingered in a scene past its timer."""

    kind: ClassVar[str] = "timer_fired"
    scene: str
    clock: float


@dataclass(frozen=True, slots=True)
class Moved:
    """The facilitator moved the team to a scene."""

    kind: ClassVar[str] = "moved"
    scene: str
    clock: float
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ScoreAdjusted:
    """The facilitator adjusted a competency score."""

    kind: ClassVar[str] = "score_adjusted"
    competency: str
    points: int
    clock: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class InjectSkipped:
    """The facilitator skipped an inject for the team: it will not arrive on its own."""

    kind: ClassVar[str] = "inject_skipped"
    inject: str
    clock: float
    reason: str = ""


Event = Chose | InjectDelivered | InjectSkipped | TimerFired | Moved | ScoreAdjusted
"""Everything the fold understands."""

EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (Chose, InjectDelivered, InjectSkipped, TimerFired, Moved, ScoreAdjusted)
}


def to_payload(event: Event) -> dict[str, Any]:
    """The JSON payload of an event (its fields except the clock, which has its own column)."""
    data = asdict(event)
    data.pop("clock")
    return data


def from_record(kind: str, payload: dict[str, Any], clock: float) -> Event | None:
    """Rebuild an engine event from a stored row, or None for kinds the fold ignores."""
    cls = EVENT_TYPES.get(kind)
    if cls is None:
        return None
    names = {f.name for f in fields(cls)}
    data = {k: v for k, v in payload.items() if k in names}
    data["clock"] = clock
    return cls(**data)
