"""Search every state a team can reach, to check a scenario before anyone plays it.

Breadth-first over team states. From each state a team can: make any choice some role
may make now, wait until the next timer or scheduled inject falls due, or receive a
manual inject by hand. Conditional injects are delivered as soon as they hold, as in
play. The search uses :mod:`simtrain.engine.rules` directly — the same rules the scene
machine calls — and keeps, for every ending, the shortest step list that reaches it, in
the step language of ``simtrain run``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from simtrain.engine import rules
from simtrain.engine.durations import format_minutes
from simtrain.engine.events import Chose, Event, InjectDelivered
from simtrain.engine.rules import Refused
from simtrain.engine.state import Draft, TeamState, blank_draft
from simtrain.scenario.compiled import Scenario

DEFAULT_MAX_STATES = 200_000


@dataclass
class Exploration:
    """What ``explore`` found."""

    states: int
    complete: bool
    endings: dict[str, str]
    unreachable_scenes: list[str]
    never_enabled_choices: list[str]
    traps: list[str]
    score_range: dict[str, dict[str, int]]
    paths: dict[str, list[str]] = field(default_factory=dict)
    """Shortest ``run`` steps that reach each ending."""

    def to_json(self) -> dict[str, Any]:
        """The JSON of ``explore --json`` (SPEC §4), plus the paths to each ending."""
        return {
            "states": self.states,
            "complete": self.complete,
            "endings": self.endings,
            "unreachable_scenes": self.unreachable_scenes,
            "never_enabled_choices": self.never_enabled_choices,
            "traps": self.traps,
            "score_range": self.score_range,
            "paths": self.paths,
        }


def _key(d: Draft) -> tuple[Any, ...]:
    """Everything about a draft that can change what happens next (and the score)."""
    return (
        d.scene,
        d.entered_at,
        d.clock,
        tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in d.vars.items()),
        frozenset(d.case_file),
        frozenset(d.inbox),
        tuple(d.pending),
        frozenset(d.visits.items()),
        frozenset(d.chosen),
        d.timer_fired,
        tuple(d.points.values()),
        d.ended,
    )


def initial_draft(scenario: Scenario) -> Draft:
    """The team in its start scene at clock 0, with anything already due delivered."""
    draft = blank_draft(scenario)
    rules.enter(scenario, draft, scenario.start, 0.0)
    rules.settle(scenario, draft, 0.0)
    return draft


def _moves(scenario: Scenario, draft: Draft) -> list[tuple[list[str], Event | float]]:
    """Each thing a team can do next: (steps, event) or (steps, clock to wait until)."""
    moves: list[tuple[list[str], Event | float]] = []
    clock = draft.clock
    for choice, _inject in rules.offered(scenario, draft):
        for role in scenario.choice_roles(choice.id):
            if not rules.refusal(scenario, draft, choice.id, role, clock):
                moves.append(([f"as:{role}", choice.id], Chose(choice.id, role, clock)))
                break
    due = rules.next_due_time(scenario, draft)
    if due is not None and due > clock:
        moves.append(([f"wait:{format_minutes(due - clock)}"], due))
    for inject_id, inject in scenario.injects.items():
        if inject.at is None and inject.when is None and inject_id not in draft.inbox:
            moves.append(([f"inject:{inject_id}"], InjectDelivered(inject_id, clock, True)))
    return moves


def explore(scenario: Scenario, max_states: int = DEFAULT_MAX_STATES) -> Exploration:
    """Breadth-first search of the team states reachable from the start."""
    start = initial_draft(scenario)
    start_key = _key(start)
    parents: dict[Any, tuple[Any, list[str]] | None] = {start_key: None}
    successors: dict[Any, list[Any]] = {}
    queue: deque[tuple[Any, TeamState]] = deque([(start_key, start.freeze())])
    visited_scenes: set[str] = set()
    enabled: set[str] = set()
    ending_keys: dict[str, Any] = {}
    endings: dict[str, str] = {}
    scene_of: dict[Any, str] = {start_key: start.scene}
    ended_keys: set[Any] = set()
    lows = dict(start.points)
    highs = dict(start.points)
    complete = True
    while queue:
        key, state = queue.popleft()
        draft = state.thaw()
        visited_scenes.update(draft.visits)
        for competency, points in draft.points.items():
            lows[competency] = min(lows[competency], points)
            highs[competency] = max(highs[competency], points)
        if draft.ended:
            ended_keys.add(key)
            if draft.scene not in ending_keys:
                ending_keys[draft.scene] = key
                endings[draft.scene] = draft.outcome or ""
            continue
        nexts: list[Any] = []
        for steps, action in _moves(scenario, draft):
            child = state.thaw()
            try:
                if isinstance(action, float):
                    rules.settle(scenario, child, action)
                else:
                    if isinstance(action, Chose):
                        enabled.add(action.choice)
                    rules.step(scenario, child, action)
                    rules.settle(scenario, child, child.clock)
            except Refused:  # pragma: no cover - moves are generated from the same rules
                continue
            child_key = _key(child)
            nexts.append(child_key)
            if child_key in parents:
                continue
            if len(parents) >= max_states:
                complete = False
                continue
            parents[child_key] = (key, steps)
            scene_of[child_key] = child.scene
            queue.append((child_key, child.freeze()))
        successors[key] = nexts
    traps: set[str] = set()
    if complete:
        traps = _traps(successors, ended_keys, scene_of)
    ordered = {s: endings[s] for s in scenario.scenes if s in endings}
    return Exploration(
        states=len(parents),
        complete=complete,
        endings=ordered,
        unreachable_scenes=[s for s in scenario.scenes if s not in visited_scenes],
        never_enabled_choices=[c for c in scenario.choices if c not in enabled],
        traps=[s for s in scenario.scenes if s in traps],
        score_range={c: {"min": lows[c], "max": highs[c]} for c in scenario.competencies},
        paths={s: _steps_to(scenario, parents, ending_keys[s]) for s in ordered},
    )


def _traps(successors: dict[Any, list[Any]], ended: set[Any], scene_of: dict[Any, str]) -> set[str]:
    """Scenes of states from which no ending state can be reached."""
    reverse: dict[Any, list[Any]] = {}
    for source, targets in successors.items():
        for target in targets:
            reverse.setdefault(target, []).append(source)
    good = set(ended)
    queue = deque(ended)
    while queue:
        for prev in reverse.get(queue.popleft(), ()):
            if prev not in good:
                good.add(prev)
                queue.append(prev)
    return {scene_of[k] for k in successors if k not in good}


def _steps_to(
    scenario: Scenario, parents: dict[Any, tuple[Any, list[str]] | None], key: Any
) -> list[str]:
    """The shortest step list to ``key``, with ``as:ROLE`` only where the actor must change."""
    chunks: list[list[str]] = []
    entry = parents[key]
    while entry is not None:
        parent, steps = entry
        chunks.append(steps)
        entry = parents[parent]
    result: list[str] = []
    role = scenario.roles[0]
    for steps in reversed(chunks):
        if steps[0].startswith("as:"):
            wanted, choice = steps[0][3:], steps[1]
            if role not in scenario.choice_roles(choice):
                role = wanted
                result.append(steps[0])
            result.append(choice)
        else:
            result.extend(steps)
    return result


def best_scores(scenario: Scenario, max_states: int = 50_000) -> dict[str, int]:
    """The best sum per competency reachable along any path (cached on the scenario).

    Found by :func:`explore`; when the search cannot finish within ``max_states``, the
    sum of every positive point on offer stands in as an upper bound.
    """
    cached = scenario.meta.get("best_scores")
    if isinstance(cached, dict):
        return cached
    result = explore(scenario, max_states)
    if result.complete:
        best = {c: r["max"] for c, r in result.score_range.items()}
    else:
        best = dict.fromkeys(scenario.competencies, 0)
        for choice in scenario.choices.values():
            for competency, points in choice.assess.items():
                if points > 0:
                    best[competency] += points
    scenario.meta["best_scores"] = best
    return best
