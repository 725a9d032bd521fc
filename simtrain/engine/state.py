"""A team's state: immutable data, plus the mutable draft the rules work on.

``TeamState`` is what the rest of simtrain sees; it is never changed in place. The rules
thaw it into a ``Draft``, change the draft, and freeze a new state — so applying one event
costs one copy, and replaying thousands costs one copy in all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from types import MappingProxyType
from typing import Any, NamedTuple

from msgspec import Struct

from simtrain.engine.layered import (
    DraftMap,
    DraftSeq,
    DraftSet,
    LayeredMap,
    LayeredSeq,
    LayeredSet,
)
from simtrain.scenario.compiled import Scenario


class PathStep(NamedTuple):
    """One decision the team made.

    The records of a state are named tuples, not dataclasses: a saved state (see
    :mod:`simtrain.engine.saved`) rebuilds every step of every team's path, and a tuple
    is built several times faster than a frozen dataclass (1,600 steps a team, 100 teams:
    0.8 s of ``status`` went to building them)."""

    scene: str
    choice: str
    role: str
    clock: float
    actor: str = ""
    rationale: str = ""
    inject: str | None = None
    """Set when the choice answered an inject."""
    open_role: str = ""
    """The role no one held that the choice was taken for ('' when the actor's own)."""


class Critical(NamedTuple):
    """A critical error and the choice that caused it."""

    choice: str
    message: str
    clock: float


class Adjustment(NamedTuple):
    """A facilitator's score adjustment."""

    competency: str
    points: int
    note: str
    clock: float


class Mark(NamedTuple):
    """A mark on one of the team's conversation lines: it counts in the score."""

    line: int
    competency: str
    points: int
    note: str
    clock: float
    character: str = ""


class TeamState(Struct, frozen=True):
    """Everything that is true of one team at one point of an exercise."""

    scene: str
    entered_at: float
    """Clock when the team entered the current scene (this visit)."""
    clock: float
    """Clock of the last event applied."""
    vars: Mapping[str, Any]
    case_file: tuple[str, ...]
    inbox: tuple[str, ...]
    pending: tuple[str, ...]
    """Delivered injects whose response choices are still open."""
    skipped: frozenset[str]
    """Injects the facilitator skipped: they never arrive on their own."""
    visits: Mapping[str, int]
    chosen: AbstractSet[str]
    path: Sequence[PathStep]
    timer_fired: bool
    """Whether the current scene's timer has fired during this visit."""
    points: Mapping[str, int]
    critical: tuple[Critical, ...]
    adjustments: tuple[Adjustment, ...]
    ended: bool
    outcome: str | None
    marks: tuple[Mark, ...] = ()
    """Marks on the team's conversation lines, in the order they were made."""

    def thaw(self) -> Draft:
        """A mutable copy to apply events to."""
        return Draft(
            scene=self.scene,
            entered_at=self.entered_at,
            clock=self.clock,
            vars=dict(self.vars),
            case_file=list(self.case_file),
            inbox=list(self.inbox),
            pending=list(self.pending),
            skipped=set(self.skipped),
            visits=_thaw_map(self.visits),
            chosen=_thaw_set(self.chosen),
            path=_thaw_seq(self.path),
            timer_fired=self.timer_fired,
            points=dict(self.points),
            critical=list(self.critical),
            adjustments=list(self.adjustments),
            ended=self.ended,
            outcome=self.outcome,
            marks=list(self.marks),
        )


class Draft:
    """The mutable working copy of a team's state (what the rules change in place)."""

    __slots__ = (
        "adjustments",
        "case_file",
        "chosen",
        "clock",
        "critical",
        "ended",
        "entered_at",
        "inbox",
        "marks",
        "outcome",
        "path",
        "pending",
        "points",
        "scene",
        "skipped",
        "timer_fired",
        "vars",
        "visits",
    )

    def __init__(
        self,
        *,
        scene: str,
        entered_at: float,
        clock: float,
        vars: dict[str, Any],
        case_file: list[str],
        inbox: list[str],
        pending: list[str],
        skipped: set[str],
        visits: dict[str, int],
        chosen: set[str],
        path: list[PathStep],
        timer_fired: bool,
        points: dict[str, int],
        critical: list[Critical],
        adjustments: list[Adjustment],
        ended: bool,
        outcome: str | None,
        marks: list[Mark] | None = None,
    ) -> None:
        self.scene = scene
        self.entered_at = entered_at
        self.clock = clock
        self.vars = vars
        self.case_file = case_file
        self.inbox = inbox
        self.pending = pending
        self.skipped = skipped
        self.visits = visits
        self.chosen = chosen
        self.path = path
        self.timer_fired = timer_fired
        self.points = points
        self.critical = critical
        self.adjustments = adjustments
        self.ended = ended
        self.outcome = outcome
        self.marks = marks if marks is not None else []

    def copy(self) -> Draft:
        """An independent draft in the same state: what a search branches from, at a
        fraction of the cost of ``freeze().thaw()`` (no read-only wrappers in between).
        Values are shared where the rules only ever replace them (a variable's list)."""
        new = object.__new__(Draft)
        new.scene = self.scene
        new.entered_at = self.entered_at
        new.clock = self.clock
        new.vars = self.vars.copy()
        new.case_file = self.case_file.copy()
        new.inbox = self.inbox.copy()
        new.pending = self.pending.copy()
        new.skipped = self.skipped.copy()
        new.visits = self.visits.copy()
        new.chosen = self.chosen.copy()
        new.path = self.path.copy()
        new.timer_fired = self.timer_fired
        new.points = self.points.copy()
        new.critical = self.critical.copy()
        new.adjustments = self.adjustments.copy()
        new.ended = self.ended
        new.outcome = self.outcome
        new.marks = self.marks.copy()
        return new

    def flat(self) -> Draft:
        """A copy whose visits, choices and path are a plain ``dict``, ``set`` and
        ``list``: what a search starts from. It copies a draft for every move it tries,
        and plain containers copy at C speed, where the layered ones pay a Python call
        per copy (layering pays off along one long history, not across many short ones)."""
        new = self.copy()
        new.visits = dict(self.visits.items())
        new.chosen = set(iter(self.chosen))
        new.path = list(iter(self.path))
        return new

    def freeze(self) -> TeamState:
        """An immutable snapshot of the draft."""
        return TeamState(
            scene=self.scene,
            entered_at=self.entered_at,
            clock=self.clock,
            vars=MappingProxyType(dict(self.vars)),
            case_file=tuple(self.case_file),
            inbox=tuple(self.inbox),
            pending=tuple(self.pending),
            skipped=frozenset(self.skipped),
            visits=_freeze(self.visits),
            chosen=_freeze(self.chosen),
            path=_freeze(self.path),
            timer_fired=self.timer_fired,
            points=MappingProxyType(dict(self.points)),
            critical=tuple(self.critical),
            adjustments=tuple(self.adjustments),
            ended=self.ended,
            outcome=self.outcome,
            marks=tuple(self.marks),
        )


def blank_draft(scenario: Scenario) -> Draft:
    """A team before it enters the start scene (the rules then enter it)."""
    return Draft(
        scene=scenario.start,
        entered_at=0.0,
        clock=0.0,
        vars=dict(scenario.var_defaults),
        case_file=[],
        inbox=[],
        pending=[],
        skipped=set(),
        visits=DraftMap({}, {}),
        chosen=DraftSet(frozenset(), ()),
        path=DraftSeq((), ()),
        timer_fired=False,
        points=dict.fromkeys(scenario.competencies, 0),
        critical=[],
        adjustments=[],
        ended=False,
        outcome=None,
    )


# Visits, choices and the path only grow: they are layered (see simtrain.engine.layered), so
# that thawing and freezing cost O(recent changes), not O(everything the team did).


def _thaw_map(value: Mapping[str, int]) -> DraftMap[int]:
    if isinstance(value, LayeredMap):
        return value.thaw()
    return DraftMap(dict(value), {})


def _thaw_set(value: AbstractSet[str]) -> DraftSet:
    if isinstance(value, LayeredSet):
        return value.thaw()
    return DraftSet(frozenset(value), ())


def _thaw_seq(value: Sequence[PathStep]) -> DraftSeq[PathStep]:
    if isinstance(value, LayeredSeq):
        return value.thaw()
    return DraftSeq(tuple(value), ())


def _freeze(value: Any) -> Any:
    """The frozen, layered form of a draft's visits, choices or path."""
    if isinstance(value, DraftMap | DraftSet | DraftSeq):
        return value.freeze()
    if isinstance(value, dict):
        return LayeredMap(dict(value), {})
    if isinstance(value, set):
        return LayeredSet(frozenset(value), frozenset())
    return LayeredSeq(tuple(value), ())
