"""A team's folded state as plain JSON data, to keep in the store beside its log.

Folding a long log costs the reader every event (200,000 for ``status`` of 100 teams of
2,000). The service keeps each team's state as it was after some event ``seq`` (see
:meth:`simtrain.store.Store.save_states`), and a reader folds only the events after it.
A saved state is a cache, never the truth: the log is. It is only used under the same
:func:`state_key` it was saved with — the scenario's text and the very code of the rules
that folded it — so a scenario edited into a new exercise, or a simtrain whose rules fold
differently, ignores it and folds the log again.

Pure: plain data in and out; the store sees only JSON text.
"""

from __future__ import annotations

import hashlib
from functools import cache, partial
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from simtrain.engine.layered import LayeredMap, LayeredSeq, LayeredSet
from simtrain.engine.state import Adjustment, Critical, Mark, PathStep, TeamState

FORMAT = 3
"""The layout of a saved row (:func:`state_data` and what the service keeps beside it);
part of the key, so a new layout ignores old rows, which are folded again and saved anew.
2: each row also holds the team's measure (what it could have earned at each decision,
the report's ``path_best``) and how many events of each kind its stream holds; 3: with
the seq of the first of each kind."""

_RULES_SOURCES = ("engine", "scenario")
"""The packages whose code decides what a log folds into (the rules, the events, the
scenario's compiled form and its expressions)."""


@cache
def rules_fingerprint() -> str:
    """A hash of the code that folds a log: its own source files (every ``.py`` of
    :mod:`simtrain.engine` and :mod:`simtrain.scenario`), so that any change to the rules
    — a release or a developer's edit — invalidates states saved by the old code."""
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    root = Path(__file__).resolve().parent.parent
    for package in _RULES_SOURCES:
        for source in sorted((root / package).glob("*.py")):
            digest.update(source.name.encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()[:32]


def state_key(scenario_sha256: str) -> str:
    """What a saved state of a team playing the scenario of that hash is valid for."""
    return f"{rules_fingerprint()}:{scenario_sha256}"


def state_data(state: TeamState) -> dict[str, Any]:
    """The state as plain JSON data (lists for tuples; path steps and records as rows)."""
    return {
        "scene": state.scene,
        "entered_at": state.entered_at,
        "clock": state.clock,
        "vars": dict(state.vars),
        "case_file": list(state.case_file),
        "inbox": list(state.inbox),
        "pending": list(state.pending),
        "skipped": sorted(state.skipped),
        "visits": dict(state.visits),
        "chosen": sorted(state.chosen),
        # the records are named tuples: each is written as a JSON list of its fields
        "path": list(state.path),
        "timer_fired": state.timer_fired,
        "points": dict(state.points),
        "critical": list(state.critical),
        "adjustments": list(state.adjustments),
        "ended": state.ended,
        "outcome": state.outcome,
        "marks": list(state.marks),
    }


def state_from_data(data: dict[str, Any]) -> TeamState:
    """The state :func:`state_data` gave; a ``KeyError``, ``TypeError`` or ``ValueError``
    for data of another shape (the caller then folds the log instead)."""
    return TeamState(
        scene=_text(data["scene"]),
        entered_at=float(data["entered_at"]),
        clock=float(data["clock"]),
        vars=MappingProxyType(dict(data["vars"])),
        case_file=tuple(data["case_file"]),
        inbox=tuple(data["inbox"]),
        pending=tuple(data["pending"]),
        skipped=frozenset(data["skipped"]),
        visits=LayeredMap(dict(data["visits"]), {}),
        chosen=LayeredSet(frozenset(data["chosen"]), frozenset()),
        path=LayeredSeq(_records(PathStep, data["path"]), ()),
        timer_fired=bool(data["timer_fired"]),
        points=MappingProxyType(dict(data["points"])),
        critical=_records(Critical, data["critical"]),
        adjustments=_records(Adjustment, data["adjustments"]),
        ended=bool(data["ended"]),
        outcome=data["outcome"],
        marks=_records(Mark, data["marks"]),
    )


R = TypeVar("R", bound=tuple[Any, ...])


def _records(record: type[R], rows: list[Any]) -> tuple[R, ...]:
    """Saved rows as records (named tuples), built without a Python call per row: a saved
    path holds thousands of steps, and ``status`` rebuilds every team's. A row of another
    length than the record's is a ``ValueError``, as any damaged saved state is."""
    width = len(record._fields)  # type: ignore[attr-defined]
    if rows and set(map(len, rows)) != {width}:  # one pass at C speed
        raise ValueError(f"a saved {record.__name__} has {width} fields")
    return tuple(map(partial(tuple.__new__, record), rows))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, not {type(value).__name__}")
    return value
