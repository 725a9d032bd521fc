"""The vocabulary of the exercise log: one small frozen record per event kind.

Each class has a ``kind`` (the name stored in the log) and one JSON payload form, written
by :func:`encode` and read back by :func:`decode`; this module is the only place a kind is
spelled. Three families:

- :data:`Event`: what a team's state is folded from (choices, deliveries, timers, moves,
  adjustments, skips, marks on conversation lines);
- :data:`TeamNote`: what a team's stream also records but the fold ignores (joins,
  leavings, messages, observations, step-outs and -backs, acknowledged alerts, wrong join
  codes, holds and releases, objective ratings, improvement-plan rows, conversation
  lines);
- :data:`ClockEvent`: the exercise clock's stream (start, pause, resume, end, release of
  the debrief).

The records are msgspec Structs rather than dataclasses: a read builds one per event
(hundreds of thousands for a report) at a sixth of a frozen dataclass's cost, and the
module defines its classes at import in microseconds each where a dataclass took a
millisecond (every command's start-up).

Adding a kind: a class here, a branch in :func:`encode`/:func:`decode` comes for free
(registration in :data:`EVENT_TYPES`), then the views that show it.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from msgspec import Struct
from msgspec.structs import asdict


class Chose(Struct, frozen=True):
    """A participant chose a scene choice or an inject response."""

    kind: ClassVar[str] = "chose"
    choice: str
    role: str
    clock: float
    actor: str = ""
    rationale: str = ""
    open_role: str = ""
    """In a live exercise: the role no one held that this choice was taken for (any
    member may take an open role's choices). Recorded so replay needs no roster."""

    @property
    def acting_role(self) -> str:
        """The role the rules check: the open role taken, else the actor's own."""
        return self.open_role or self.role


class InjectDelivered(Struct, frozen=True):
    """An inject reached the team (scheduled, conditional, or published by hand)."""

    kind: ClassVar[str] = "inject_delivered"
    inject: str
    clock: float
    manual: bool = False
    reached: tuple[str, ...] | None = None
    """In a live exercise: the names of the seats online it reached (its roles' seats, or
    the whole team's when no one holds its roles); ``()`` when it reached no one. None
    where there is no roster (``run``, ``explore``, older logs)."""


class TimerFired(Struct, frozen=True):
    """The team lingered in a scene past its timer."""

    kind: ClassVar[str] = "timer_fired"
    scene: str
    clock: float


class Moved(Struct, frozen=True):
    """The facilitator moved the team to a scene."""

    kind: ClassVar[str] = "moved"
    scene: str
    clock: float
    reason: str = ""


class ScoreAdjusted(Struct, frozen=True):
    """The facilitator adjusted a competency score."""

    kind: ClassVar[str] = "score_adjusted"
    competency: str
    points: int
    clock: float
    note: str = ""


class InjectSkipped(Struct, frozen=True):
    """The facilitator skipped an inject for the team: it will not arrive on its own."""

    kind: ClassVar[str] = "inject_skipped"
    inject: str
    clock: float
    reason: str = ""


class LineMarked(Struct, frozen=True):
    """A role-player or the facilitator marked a conversation line of the team with a
    competency and points: they count in the score like an assessed choice."""

    kind: ClassVar[str] = "line_marked"
    line: int
    """The team's conversation line (its number, from 1: see :class:`Said`)."""
    competency: str
    points: int
    clock: float
    character: str = ""
    """The character of the conversation the line belongs to."""
    note: str = ""


Event = Chose | InjectDelivered | InjectSkipped | TimerFired | Moved | ScoreAdjusted | LineMarked
"""Everything the fold understands."""

FOLDED: tuple[type[Event], ...] = (
    Chose,
    InjectDelivered,
    InjectSkipped,
    TimerFired,
    Moved,
    ScoreAdjusted,
    LineMarked,
)

STATE_CHANGING: tuple[type[Event], ...] = (Chose, InjectDelivered, TimerFired, Moved, ScoreAdjusted)
"""What a team's ``seq`` counts (``act --json``, ``status --json``, ``act --seq``): the
events that change what the team faces or has earned. A skip is left out (it changes
nothing the team sees now: an inject simply does not arrive), and so is everything the
fold ignores (joins, messages, notes, presence). A mark on a conversation line is left out
too: it changes nothing the team faces, and a role-player marking lines while a trainee
confirms a choice must not make that choice stale."""


# -- what a team's stream records besides the fold --------------------------------------------


class Joined(Struct, frozen=True, kw_only=True):
    """A participant took a seat of the team."""

    kind: ClassVar[str] = "joined"
    name: str = ""
    seat: str = ""
    """The seat's id on the roster ('' in logs older than the roster)."""
    clock: float


class Left(Struct, frozen=True, kw_only=True):
    """A participant quit their seat (a seat whose process died is not recorded: it goes
    offline when its lease runs out)."""

    kind: ClassVar[str] = "left"
    name: str = ""
    seat: str = ""
    clock: float


class MessageSent(Struct, frozen=True, kw_only=True):
    """The facilitator sent the team an ad-hoc message (``to``: roles, None for all)."""

    kind: ClassVar[str] = "message"
    payload_names: ClassVar[dict[str, str]] = {"sender": "from"}
    channel: str = "email"
    sender: str = "Exercise control"
    subject: str = ""
    text: str = ""
    to: tuple[str, ...] | None = None
    clock: float


ObservationCategory = Literal["strength", "improvement", "note"]
OBSERVATION_KINDS: tuple[ObservationCategory, ...] = ("strength", "improvement", "note")
"""What an observation may be: a strength, an area for improvement, or a private note."""


class Observed(Struct, frozen=True, kw_only=True):
    """The facilitator recorded an observation of the team."""

    kind: ClassVar[str] = "observation"
    payload_names: ClassVar[dict[str, str]] = {"category": "kind"}
    category: str = "note"
    """One of :data:`OBSERVATION_KINDS`."""
    text: str = ""
    competency: str | None = None
    phase: str = ""
    """The phase whose hot-wash it was noted in ('' when not in a hot-wash)."""
    clock: float


class TeamHeld(Struct, frozen=True, kw_only=True):
    """The facilitator held the team: with ``phase``, once it has left that phase (at
    once if it already has); without, at once. A held team cannot decide until released;
    the exercise runs on."""

    kind: ClassVar[str] = "team_held"
    phase: str = ""
    clock: float


class TeamReleased(Struct, frozen=True, kw_only=True):
    """The facilitator released a held team (or a hold not yet reached)."""

    kind: ClassVar[str] = "team_released"
    clock: float


Rating = Literal["P", "S", "M", "U"]
RATINGS: dict[str, str] = {
    "P": "performed without challenges",
    "S": "performed with some challenges",
    "M": "performed with major challenges",
    "U": "unable to be performed",
}
"""The HSEEP objective ratings and what each means."""


class Rated(Struct, frozen=True, kw_only=True):
    """The facilitator rated the team on an objective (HSEEP: P, S, M or U). A later
    rating of the same objective replaces the earlier one."""

    kind: ClassVar[str] = "rating"
    objective: str = ""
    rating: str = "P"
    """One of :data:`RATINGS`."""
    note: str = ""
    clock: float


class PlanItemAdded(Struct, frozen=True, kw_only=True):
    """A row of the team's improvement plan: the issue, the corrective action, who is
    responsible (a role or an agency) and the due date (``YYYY-MM-DD``)."""

    kind: ClassVar[str] = "plan_item"
    issue: str = ""
    action: str = ""
    responsible: str = ""
    due: str = ""
    clock: float


class PlanItemRemoved(Struct, frozen=True, kw_only=True):
    """The facilitator removed a row of the improvement plan (``item``: the id of the
    event that added it)."""

    kind: ClassVar[str] = "plan_item_removed"
    item: int = 0
    clock: float


class SteppedOut(Struct, frozen=True, kw_only=True):
    """A participant privately asked to step out (a welfare signal; never scored)."""

    kind: ClassVar[str] = "step_out"
    name: str = ""
    clock: float


class SteppedBack(Struct, frozen=True, kw_only=True):
    """A participant who stepped out is back."""

    kind: ClassVar[str] = "step_back"
    name: str = ""
    clock: float


class AlertAcknowledged(Struct, frozen=True, kw_only=True):
    """The facilitator has seen an alert: the id of the event that raised it."""

    kind: ClassVar[str] = "alert_ack"
    payload_names: ClassVar[dict[str, str]] = {"alert": "event"}
    alert: int = 0
    clock: float


class JoinFailed(Struct, frozen=True, kw_only=True):
    """Someone tried to join the team (or act for it) with a wrong join code: the name and
    role they gave (the entry's role). Facilitator-only; never part of the team's ``seq``."""

    kind: ClassVar[str] = "join_failed"
    name: str = ""
    clock: float


class Said(Struct, frozen=True, kw_only=True):
    """A line of an in-character conversation between the team and a character of the
    scenario, spoken by the character (its role-player or the facilitator) or by a seat."""

    kind: ClassVar[str] = "said"
    line: int
    """The team's conversation line number, from 1 (every character's lines together)."""
    character: str
    speaker: str = ""
    """Who spoke: the character's name, or the seat's display name."""
    role: str = ""
    """The seat's role; '' when the character spoke."""
    text: str = ""
    clock: float

    @property
    def by_character(self) -> bool:
        """Whether the character spoke (not a seat of the team)."""
        return not self.role


TeamNote = (
    Joined
    | Left
    | MessageSent
    | Observed
    | SteppedOut
    | SteppedBack
    | AlertAcknowledged
    | JoinFailed
    | TeamHeld
    | TeamReleased
    | Rated
    | PlanItemAdded
    | PlanItemRemoved
    | Said
)
"""A team-stream event the fold ignores."""


# -- the clock stream ---------------------------------------------------------------------------


class ExerciseStarted(Struct, frozen=True, kw_only=True):
    """The facilitator started the exercise clock."""

    kind: ClassVar[str] = "exercise_started"
    clock: float


class ExercisePaused(Struct, frozen=True, kw_only=True):
    """The facilitator paused the exercise (nobody may act)."""

    kind: ClassVar[str] = "exercise_paused"
    clock: float


class ExerciseResumed(Struct, frozen=True, kw_only=True):
    """The facilitator resumed a paused exercise."""

    kind: ClassVar[str] = "exercise_resumed"
    clock: float


class ExerciseEnded(Struct, frozen=True, kw_only=True):
    """The facilitator closed the exercise for good."""

    kind: ClassVar[str] = "exercise_ended"
    clock: float


class DebriefReleased(Struct, frozen=True, kw_only=True):
    """The facilitator let the trainees see their scores and feedback."""

    kind: ClassVar[str] = "debrief_released"
    clock: float


ClockEvent = ExerciseStarted | ExercisePaused | ExerciseResumed | ExerciseEnded | DebriefReleased
"""An event of the exercise clock's stream."""


class Unknown(Struct, frozen=True):
    """A kind this version of simtrain does not know (written by a newer one): kept, shown
    by name, never folded."""

    name: str
    payload: dict[str, Any]
    clock: float

    @property
    def kind(self) -> str:
        """The stored kind."""
        return self.name


AnyEvent = Event | TeamNote | ClockEvent | Unknown
"""Anything the log may hold."""

EVENT_TYPES: dict[str, type[Event | TeamNote | ClockEvent]] = {
    cls.kind: cls
    for cls in (
        *FOLDED,
        Joined,
        Left,
        MessageSent,
        Observed,
        SteppedOut,
        SteppedBack,
        AlertAcknowledged,
        JoinFailed,
        TeamHeld,
        TeamReleased,
        Rated,
        PlanItemAdded,
        PlanItemRemoved,
        Said,
        ExerciseStarted,
        ExercisePaused,
        ExerciseResumed,
        ExerciseEnded,
        DebriefReleased,
    )
}
"""Every known kind and its class."""


def _payload_fields(cls: type[Event | TeamNote | ClockEvent]) -> dict[str, str]:
    """Each payload key ``cls`` reads and the field it fills: the stored name, and the
    field's own name too."""
    names = {name: name for name in cls.__struct_fields__ if name != "clock"}
    return names | {key: name for name, key in getattr(cls, "payload_names", {}).items()}


_PAYLOAD_FIELDS = {kind: (cls, _payload_fields(cls)) for kind, cls in EVENT_TYPES.items()}
"""Each kind's class and the keys it reads, worked out once: decoding runs for every
event of every fold."""
_PLAIN_KEYS = {
    kind: frozenset(name for name in cls.__struct_fields__ if name != "clock")
    for kind, cls in EVENT_TYPES.items()
    if not getattr(cls, "payload_names", None) and cls not in (MessageSent, InjectDelivered)
}
"""The kinds whose payload keys are their field names as they are (no renamed key, no
list read as a tuple): a payload of known keys only is passed to the class directly."""


def to_payload(event: Event | TeamNote | ClockEvent) -> dict[str, Any]:
    """The JSON payload of an event (its fields except the clock, which has its own column)."""
    data = asdict(event)
    data.pop("clock")
    names: dict[str, str] = getattr(event, "payload_names", {})
    for field, key in names.items():
        data[key] = data.pop(field)
    if isinstance(event, MessageSent) and event.to is not None:
        data["to"] = list(event.to)
    if isinstance(event, InjectDelivered):
        if event.reached is None:
            data.pop("reached")  # no roster: no key
        else:
            data["reached"] = list(event.reached)
    if isinstance(event, Chose) and not event.open_role:
        data.pop("open_role")  # the usual case: no open role, no key
    if isinstance(event, Observed) and not event.phase:
        data.pop("phase")  # outside a hot-wash: no key
    return data


def encode(event: AnyEvent) -> tuple[str, dict[str, Any]]:
    """The stored form of an event: its kind and its JSON payload."""
    if isinstance(event, Unknown):
        return event.name, dict(event.payload)
    return event.kind, to_payload(event)


def decode(kind: str, payload: dict[str, Any], clock: float) -> AnyEvent:
    """Rebuild an event from its stored kind, payload and clock (:class:`Unknown` for a kind
    this version does not know). Missing payload keys take the field defaults."""
    known = _PAYLOAD_FIELDS.get(kind)
    if known is None:
        return Unknown(kind, dict(payload), clock)
    cls, field_of = known
    plain = _PLAIN_KEYS.get(kind)
    if plain is not None and payload.keys() <= plain and "clock" not in payload:
        return cls(**payload, clock=clock)
    # a payload key this version does not know (a newer simtrain's) is left out
    data = {field_of[k]: v for k, v in payload.items() if k in field_of}
    if cls is MessageSent and data.get("to") is not None:
        data["to"] = tuple(data["to"])
    if cls is InjectDelivered and data.get("reached") is not None:
        data["reached"] = tuple(data["reached"])
    data["clock"] = clock
    return cls(**data)


def from_record(kind: str, payload: dict[str, Any], clock: float) -> Event | None:
    """Rebuild an engine event from a stored row, or None for kinds the fold ignores."""
    event = decode(kind, payload, clock)
    return event if isinstance(event, FOLDED) else None
