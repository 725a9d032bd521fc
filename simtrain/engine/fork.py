"""Fork here: at one decision of a team's path, what the team did beside what an expert
would have done from the very same state.

The team's side is its own events from decision N on, written as ``simtrain run`` steps.
The expert's side is a search from the team's state just before decision N, over the
abstract states of :mod:`simtrain.engine.explore` (two states with the same key have the
same futures, so a re-enterable scene cannot make the search endless), for the path to an
ending with the fewest critical errors and then the highest total score.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from simtrain.bulk import collector_paused
from simtrain.engine import rules
from simtrain.engine.durations import format_minutes
from simtrain.engine.events import Chose, Event, InjectDelivered, TimerFired
from simtrain.engine.explore import (
    DEFAULT_BUDGET,
    Budget,
    Edge,
    SearchGraph,
    Value,
    _components,
    _moves,
    _peak_rss_mb,
    better,
    chunk_steps,
    search_graph,
    successor,
)
from simtrain.engine.fold import Engine
from simtrain.engine.rules import Refused
from simtrain.engine.state import Draft, TeamState
from simtrain.engine.summary import team_json
from simtrain.scenario.compiled import Scenario

_CHECK_EVERY = 100
"""States between two looks at the clock and the memory."""


class ForkRefused(ValueError):
    """A fork that cannot be made (the decision number is out of range), for a person."""


@dataclass
class Branch:
    """One side of a fork: the steps from decision N on, where they end, the score."""

    steps: list[str]
    ending: str | None
    state: TeamState

    def to_json(self, scenario: Scenario) -> dict[str, Any]:
        """``{steps, ending, score}``, the score being SPEC §4's object plus ``total``."""
        score = team_json(scenario, self.state)["score"]
        score["total"] = total_points(self.state)
        return {"steps": list(self.steps), "ending": self.ending, "score": score}


@dataclass
class Fork:
    """What ``simtrain fork`` prints: the team's continuation and the expert's."""

    at: int
    team: Branch
    expert: Branch
    complete: bool = True
    """False when the expert search ran out of budget (the path is then the best found)."""
    states: int = 0
    stopped: str | None = None
    """Which budget stopped an incomplete search, for a person."""
    before: TeamState | None = field(default=None, repr=False)
    """The team's state just before decision N."""

    def to_json(self, scenario: Scenario) -> dict[str, Any]:
        """``{at, team: {steps, ending, score}, expert: {..., complete, states, stopped}}``."""
        expert = self.expert.to_json(scenario) | {
            "complete": self.complete,
            "states": self.states,
            "stopped": self.stopped,
        }
        return {"at": self.at, "team": self.team.to_json(scenario), "expert": expert}


def total_points(state: TeamState | Draft) -> int:
    """Every competency's points summed."""
    return sum(state.points.values())


def fork(
    scenario: Scenario, events: Sequence[Event], at: int, budget: Budget | None = None
) -> Fork:
    """Fork a team's path (its folded events, as :meth:`Engine.replay` takes them) at its
    ``at``-th decision (1-based); raise :class:`ForkRefused` when it made fewer."""
    draft = _blank(scenario)
    before: TeamState | None = None
    later: list[Event] = []
    for event in events:
        if (
            before is None
            and isinstance(event, Chose)
            and len(draft.path) == at - 1
            and not rules.check(scenario, draft, event)
        ):
            before = draft.freeze()
        try:
            rules.step(scenario, draft, event)
        except Refused:
            continue
        if before is not None:
            later.append(event)
    made = len(draft.path)
    if before is None or at < 1:
        raise ForkRefused(
            f"decision {at} is out of range: the team made {made} decision"
            + ("s" if made != 1 else "")
            + (f"; choose one from 1 to {made}" if made else " so far")
        )
    final = draft.freeze()
    team = Branch(_event_steps(later, before.clock), final.scene if final.ended else None, final)
    with collector_paused():  # as in explore: many small objects, no cycles
        return _expert(scenario, before, at, team, budget or DEFAULT_BUDGET)


def _blank(scenario: Scenario) -> Draft:
    return Engine(scenario).initial_state().thaw()


def _event_steps(events: Sequence[Event], clock: float) -> list[str]:
    """A team's events as ``run`` steps: its choices (``as:ROLE`` before the first and
    wherever the role changes), injects published by hand, and a ``wait`` up to each timer
    or scheduled inject. A facilitator's move or score adjustment has no step."""
    steps: list[str] = []
    role: str | None = None
    for event in events:
        if isinstance(event, Chose):
            if event.role != role:
                role = event.role
                steps.append(f"as:{role}")
            steps.append(event.choice)
        elif isinstance(event, InjectDelivered) and event.manual:
            steps.append(f"inject:{event.inject}")
        elif isinstance(event, InjectDelivered | TimerFired) and event.clock > clock:
            steps.append(f"wait:{format_minutes(event.clock - clock)}")
            clock = event.clock
    return steps


def _expand(
    scenario: Scenario, graph: SearchGraph, draft: Draft
) -> tuple[dict[int, Edge], dict[int, Draft]]:
    """Every move from ``draft``: per successor key the best move there (fewest critical
    errors, then most points; the first of equals), and the first state reached there."""
    out: dict[int, Edge] = {}
    reached: dict[int, Draft] = {}
    crit, points = len(draft.critical), total_points(draft)
    key, number = graph.abstraction.key, graph.number
    for steps, action in _moves(scenario, draft, graph.abstraction.inert):
        child = successor(scenario, draft, action)
        child_key = number(key(child))
        delta = (len(child.critical) - crit, total_points(child) - points)
        known = out.get(child_key)
        if known is None:
            out[child_key] = Edge(delta, steps, action)
            reached[child_key] = child
        elif better(delta, known.delta):
            out[child_key] = Edge(delta, steps, action)
    return out, reached


def _expert(scenario: Scenario, before: TeamState, at: int, team: Branch, budget: Budget) -> Fork:
    """Search from ``before`` for the best path to an ending (see :func:`_best`),
    breadth-first over abstract states; the moves of a state some earlier fork expanded
    come from the scenario's :class:`SearchGraph` instead of the rules."""
    began, memory = time.monotonic(), _peak_rss_mb()
    graph = search_graph(scenario)
    abstraction = graph.abstraction
    start = before.thaw().flat()
    start_key = graph.number(abstraction.key(start))
    edges: dict[int, dict[int, Edge]] = {}
    ended: set[int] = set()
    seen: set[int] = {start_key}
    drafts: dict[int, Draft] = {start_key: start}
    parents: dict[int, tuple[int, Event | float]] = {}
    queue: deque[tuple[int, Draft | None]] = deque([(start_key, start)])
    stopped: str | None = None
    popped = 0

    def materialize(key: int) -> Draft:
        """A state of ``key`` (one reached through moves known from the graph), rebuilt
        from the nearest state the search holds along the way it came."""
        actions: list[Event | float] = []
        chain: list[int] = []
        while key not in drafts:
            chain.append(key)
            key, action = parents[key]
            actions.append(action)
        draft = drafts[key]
        for node, action in zip(reversed(chain), reversed(actions), strict=True):
            draft = drafts[node] = successor(scenario, draft, action)
        return draft

    while queue:
        popped += 1
        if popped % _CHECK_EVERY == 0:
            if budget.max_seconds is not None and time.monotonic() - began > budget.max_seconds:
                stopped = f"the time budget ran out ({budget.max_seconds:g} s)"
            elif _peak_rss_mb() - memory > budget.max_memory_mb:
                stopped = f"the memory budget ran out ({budget.max_memory_mb:g} MB)"
            if stopped:
                break
        key, state = queue.popleft()
        if key in graph.ended:
            ended.add(key)
            continue
        out = graph.moves.get(key)
        reached: dict[int, Draft] = {}
        if out is None:
            out, reached = _expand(scenario, graph, state or materialize(key))
            graph.remember(key, out)
        kept = out
        for child_key, edge in out.items():
            if child_key in seen:
                continue
            if len(seen) >= budget.max_states:
                stopped = stopped or f"the state budget ran out ({budget.max_states:,} states)"
                if kept is out:
                    kept = dict(out)
                kept.pop(child_key)
                continue
            seen.add(child_key)
            parents[child_key] = (key, edge.action)
            queue.append((child_key, reached.get(child_key)))
        edges[key] = kept
    route = _best(start_key, edges, ended)
    draft = before.thaw()
    chunks: list[list[str]] = []
    node = start_key
    for child in route:
        edge = edges[node][child]
        draft = successor(scenario, draft, edge.action)
        chunks.append(edge.steps)
        node = child
    final = draft.freeze()
    expert = Branch(
        chunk_steps(scenario, chunks, None), final.scene if final.ended and route else None, final
    )
    return Fork(at, team, expert, stopped is None, len(seen), stopped, before)


def _best(start: Any, edges: dict[Any, dict[Any, Edge]], ended: set[Any]) -> list[Any]:
    """The states after ``start`` on the best path to an ended state ([] when none).

    Best values are computed backwards over the strongly connected components (in reverse
    topological order); inside a cycle, a round of relaxation per member. Following the
    best successors cannot loop unless a loop earns points; then the walk finishes along
    the fewest moves to an ending.
    """
    value: dict[Any, Value] = {key: (0, 0) for key in ended}
    best_next: dict[Any, Any] = {}

    def relax(node: Any) -> bool:
        changed = False
        for child, edge in edges.get(node, {}).items():
            if child in value:
                candidate = (edge.delta[0] + value[child][0], edge.delta[1] + value[child][1])
                if better(candidate, value.get(node)):
                    value[node], best_next[node] = candidate, child
                    changed = True
        return changed

    for component in reversed(_components(start, edges)):
        for _ in range(len(component)):
            if not any([relax(node) for node in component]):
                break
    if start not in value or start in ended:
        return []
    distance: dict[Any, int] | None = None
    route: list[Any] = []
    visited = {start}
    node, shortest = start, False
    while node not in ended:
        following = best_next[node]
        # a loop that earns points would never end: leave it by the fewest moves that keep
        # the fewest critical errors
        shortest = shortest or following in visited
        if shortest:
            if distance is None:
                distance = _distances(edges, ended, value)
            following = min(
                (c for c in edges[node] if c in distance and _tight(edges, value, node, c)),
                key=distance.__getitem__,
            )
        visited.add(following)
        route.append(following)
        node = following
    return route


def _tight(
    edges: dict[Any, dict[Any, Edge]], value: dict[Any, Value], node: Any, child: Any
) -> bool:
    """Whether the move from ``node`` to ``child`` keeps the fewest critical errors."""
    return child in value and edges[node][child].delta[0] + value[child][0] == value[node][0]


def _distances(
    edges: dict[Any, dict[Any, Edge]], ended: set[Any], value: dict[Any, Value]
) -> dict[Any, int]:
    """Fewest moves from each state to an ended state, keeping the fewest critical errors."""
    reverse: dict[Any, list[Any]] = {}
    for source, targets in edges.items():
        for target in targets:
            reverse.setdefault(target, []).append(source)
    distance = dict.fromkeys(ended, 0)
    queue = deque(ended)
    while queue:
        node = queue.popleft()
        for prev in reverse.get(node, ()):
            if prev not in distance and prev in value and _tight(edges, value, prev, node):
                distance[prev] = distance[node] + 1
                queue.append(prev)
    return distance
