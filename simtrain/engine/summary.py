"""A team's state as the JSON object of ``run --json``, ``act --json`` and ``status``, and
what it could have earned on the path it played."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from msgspec import Struct

from simtrain.engine import rules
from simtrain.engine.events import Chose, Event
from simtrain.engine.fold import Engine
from simtrain.engine.rules import Refused
from simtrain.engine.state import TeamState
from simtrain.scenario.compiled import Scenario
from simtrain.scenario.runtime import Choice


def team_json(scenario: Scenario, state: TeamState) -> dict[str, Any]:
    """The fields SPEC §4 fixes, plus the exercise-time extras of each path step."""
    best = scenario.meta.get("best_scores")
    if not isinstance(best, dict):  # an exercise keeps them: the search only without one
        from simtrain.engine.explore import best_scores

        best = best_scores(scenario)
    return {
        "scenario": scenario.id,
        "scene": state.scene,
        "ended": state.ended,
        "outcome": state.outcome,
        "vars": {k: (list(v) if isinstance(v, list | tuple) else v) for k, v in state.vars.items()},
        "case_file": list(state.case_file),
        "inbox": list(state.inbox),
        "path": [
            {
                "scene": p.scene,
                "choice": p.choice,
                "role": p.role,
                "clock": round(p.clock, 3),
                "actor": p.actor,
                "rationale": p.rationale,
                "inject": p.inject,
                "open_role": p.open_role or None,
            }
            for p in state.path
        ],
        "score": {
            "competencies": {
                c: {"points": state.points.get(c, 0), "max": best.get(c, 0)}
                for c in scenario.competencies
            },
            "critical": [{"choice": c.choice, "message": c.message} for c in state.critical],
        },
    }


class PathBest(Struct, frozen=True):
    """What a team could have earned on the path it played.

    At each decision the team met, the best points on offer for each competency (over
    every option some role could take then, the one taken included), summed. A team
    stopped after four decisions is measured against those four, not the whole scenario.
    """

    competencies: dict[str, int]
    """Competency id → the sum of the best on offer at each decision."""
    top_decisions: frozenset[int]
    """1-based numbers of the decisions (in ``path``) that earned points and were the best
    total on offer when made."""
    state: TeamState
    """The team's state after the events (what ``Engine.replay`` with ``skip_refused``
    gives): the measuring fold is the replay."""


class Measure(Struct, frozen=True):
    """What :func:`measure` has counted so far along a team's log: kept beside the team's
    folded state (and saved with it), so a report reads it instead of replaying the log."""

    best: tuple[tuple[str, int], ...] = ()
    """Competency id and the sum of the best on offer at each decision so far (only the
    competencies some offered choice assessed)."""
    top: tuple[int, ...] = ()
    """1-based numbers of the decisions that earned points and were the best on offer."""

    def path_best(self, scenario: Scenario, state: TeamState) -> PathBest:
        """The :class:`PathBest` of a team in ``state`` measured this far."""
        best = dict.fromkeys(scenario.competencies, 0)
        best.update((c, v) for c, v in self.best if c in best)
        return PathBest(best, frozenset(self.top), state)

    def data(self) -> dict[str, Any]:
        """As plain JSON data (saved with the team's state)."""
        return {"best": dict(self.best), "top": list(self.top)}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Measure:
        """What :meth:`data` gave; a ``TypeError``, ``ValueError`` or ``AttributeError``
        for data of another shape."""
        best = tuple((str(c), int(v)) for c, v in data["best"].items())
        return cls(best, tuple(int(n) for n in data["top"]))


NO_MEASURE = Measure()
"""The measure of a team that has made no decision."""


def measure(
    engine: Engine,
    events: Iterable[Event],
    state: TeamState | None = None,
    so_far: Measure = NO_MEASURE,
) -> tuple[TeamState, Measure]:
    """Fold ``events`` into ``state`` (the initial state unless given) as
    ``Engine.replay(..., skip_refused=True)`` does, measuring at each choice what the team
    could have earned, on from what was measured ``so_far``."""
    scenario = engine.scenario
    choices = scenario.choices
    best: dict[str, int] = dict(so_far.best)
    top: list[int] = list(so_far.top)
    known = frozenset(scenario.competencies)
    totals: dict[str, int] = {}  # a choice's total points, summed once
    # one draft for the whole fold, as Engine.replay does: no copy per event
    draft = (state or engine.initial_state()).thaw()
    for event in events:
        if isinstance(event, Chose) and event.choice in choices:
            offered = {c.id: c for c in rules.open_choices(scenario, draft, event.clock)}
            taken = offered[event.choice] = choices[event.choice]
            # the best value on offer for each competency some offered choice assesses (a
            # choice that leaves one out counts as 0 on it); the others add 0
            highest: dict[str, int] = {}
            assessing: dict[str, int] = {}
            for choice in offered.values():
                for competency, value in choice.assess.items():
                    if competency in highest:
                        highest[competency] = max(highest[competency], value)
                        assessing[competency] += 1
                    else:
                        highest[competency], assessing[competency] = value, 1
            for competency, value in highest.items():
                if competency in known:
                    if assessing[competency] < len(offered):
                        value = max(value, 0)
                    best[competency] = best.get(competency, 0) + value
            total = _total(totals, taken)
            if total > 0 and total >= max(_total(totals, c) for c in offered.values()):
                top.append(len(draft.path) + 1)
        with contextlib.suppress(Refused):  # as Engine.replay with skip_refused
            rules.step(scenario, draft, event)
    return draft.freeze(), Measure(tuple(best.items()), tuple(top))


def _total(totals: dict[str, int], choice: Choice) -> int:
    """The total points of ``choice`` (kept in ``totals`` by choice id)."""
    found = totals.get(choice.id)
    if found is None:
        found = totals[choice.id] = sum(choice.assess.values())
    return found


def path_best(engine: Engine, events: Iterable[Event]) -> PathBest:
    """Replay a team's events, measuring at each choice what the team could have earned."""
    state, measured = measure(engine, events)
    return measured.path_best(engine.scenario, state)
