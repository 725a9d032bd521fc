"""Search every state a team can reach, to check a scenario before anyone plays it.

Breadth-first over team states. From each state a team can: make any choice some role
may make now, wait until the next timer or scheduled inject falls due, or receive a
manual inject by hand. Conditional injects are delivered as soon as they hold, as in
play. The search uses :mod:`simtrain.engine.rules` directly — the same dispatcher the
engine's fold calls — and keeps, for every ending, the shortest step list that reaches it, in
the step language of ``simtrain run``.
"""

from __future__ import annotations

import re
import resource
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from simtrain.bulk import collector_paused
from simtrain.engine import rules
from simtrain.engine.durations import format_minutes
from simtrain.engine.events import Chose, Event, InjectDelivered
from simtrain.engine.layered import DraftMap, DraftSet
from simtrain.engine.state import Draft, TeamState, blank_draft
from simtrain.scenario.compiled import Scenario
from simtrain.scenario.expressions import CRITICAL_ERRORS

DEFAULT_MAX_STATES = 100_000
"""States searched before ``explore`` stops (about 5 KB each: ~500 MB at most)."""
DEFAULT_MAX_SECONDS = 25.0
"""Seconds of searching before ``simtrain explore`` stops. Only the command has a time
budget: a library search (best scores) must give the same answer on a busy machine."""
DEFAULT_MAX_MEMORY_MB = 400
"""Megabytes the search may add to the process before it stops."""
_CHECK_EVERY = 100
"""States between two looks at the clock and the memory."""


@dataclass(frozen=True)
class Budget:
    """How far a search may go; the first limit reached stops it (``complete: false``)."""

    max_states: int = DEFAULT_MAX_STATES
    max_seconds: float | None = None
    max_memory_mb: float = DEFAULT_MAX_MEMORY_MB


DEFAULT_BUDGET = Budget()
"""The budget of ``simtrain explore`` and of the best-score search alike."""


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far, in megabytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


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
    ending_criticals: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per ending, the fewest and most critical errors with which a team reaches it."""
    ending_decisions: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per ending, the fewest and most decisions (choices) on the way to it."""
    stopped: str | None = None
    """Why an incomplete search stopped (which budget ran out), for a person."""

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
            "ending_criticals": self.ending_criticals,
            "ending_decisions": self.ending_decisions,
            "paths": self.paths,
            "stopped": self.stopped,
        }


_COMPARED = re.compile(
    rf"\b{CRITICAL_ERRORS}\s*(?:==|!=|<=|>=|<|>)\s*(\d+)|(\d+)\s*(?:==|!=|<=|>=|<|>)\s*{CRITICAL_ERRORS}\b"
)


def critical_numbers(source: str) -> list[int]:
    """The numbers a condition compares the critical-error count with.

    ``assets >= 4 and critical_errors == 0`` compares the count with 0 only; the 4 is
    another variable's. Where the count is used in any other way (arithmetic), every
    number in the condition is taken, which is always safe.
    """
    compared = _COMPARED.findall(source)
    if len(compared) == len(re.findall(rf"\b{CRITICAL_ERRORS}\b", source)):
        return [int(left or right) for left, right in compared]
    return [int(n) for n in re.findall(r"\d+", source)]


class _Abstraction:
    """Which parts of a team's state can change what happens next.

    Two states that agree on these parts have the same futures, so the search visits them
    once. Variables, documents, visit counts and past choices matter only where an
    expression reads them (or, for a ``once`` choice, where its scene can be entered
    again); the score never changes the future and is tracked beside the states.
    """

    def __init__(self, scenario: Scenario) -> None:
        expressions = [*scenario.conditions.values(), *scenario.inject_when.values()]
        refs: dict[str, set[str]] = {
            "visited": set(),
            "chosen": set(),
            "has": set(),
            "delivered": set(),
        }
        variables: set[str] = set()
        numbers: list[int] | None = None
        for expression in expressions:
            variables |= expression.variables
            if CRITICAL_ERRORS in expression.builtins:
                numbers = (numbers or [0]) + critical_numbers(expression.source)
            for ref in expression.references:
                if ref.function in refs:
                    refs[ref.function].add(ref.argument)
        self.variables = tuple(v for v in scenario.var_defaults if v in variables)
        self.visits = tuple(sorted(refs["visited"]))
        read = itemgetter(*self.variables) if self.variables else None
        self._read_vars: Callable[[Mapping[str, Any]], tuple[Any, ...]] = (
            (lambda values: ())
            if read is None
            else (lambda values: (read(values),))
            if len(self.variables) == 1
            else read
        )
        self.documents = frozenset(refs["has"])
        self.inert = inert_injects(scenario) - refs["delivered"]
        reenterable = _reenterable(scenario)
        self.chosen = frozenset(refs["chosen"]) | {
            c.id
            for c in scenario.choices.values()
            if c.once
            and c.id in scenario.choice_scene
            and scenario.choice_scene[c.id] in reenterable
        }
        # an answered inject's responses never come back, so only references matter there
        self.once_by_scene: dict[str, frozenset[str]] = {}
        for scene_id, scene in scenario.scenes.items():
            self.once_by_scene[scene_id] = frozenset(c.id for c in scene.choices if c.once)
        self._relevant_chosen = {
            scene_id: self.chosen | once for scene_id, once in self.once_by_scene.items()
        }
        """Per scene, the choices whose having been made can change what follows there."""
        self.timers = scenario.timers
        self.critical_cap = 0 if numbers is None else max(numbers) + 1
        """Critical-error counts the key tells apart: none when no condition reads the
        count (it is then tracked beside the states, as the score is); otherwise up to one
        more than the largest number in such a condition, so that a critical choice a
        team can repeat does not make the search endless."""

    def _values(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The variables that conditions read, lists as tuples (a key must hash)."""
        found = self._read_vars(values)
        if list in map(type, found):
            found = tuple(tuple(v) if isinstance(v, list) else v for v in found)
        return found

    @staticmethod
    def is_ended(key: tuple[Any, ...]) -> bool:
        """Whether ``key`` is the key of a state at an ending."""
        return len(key) == 2 and key[0] == "ended"

    def key(self, d: Draft) -> tuple[Any, ...]:
        """The part of ``d`` that decides its future."""
        if d.ended:
            return ("ended", d.scene)
        scene = d.scene
        timed = scene in self.timers
        return (
            scene,
            d.entered_at if timed else None,
            d.timer_fired if timed else None,
            d.clock,
            self._values(d.vars),
            self.documents.intersection(d.case_file),
            frozenset(d.inbox).difference(self.inert),
            frozenset(d.pending),
            _counts(d.visits, self.visits),
            _among(d.chosen, self._relevant_chosen[scene]),
            min(len(d.critical), self.critical_cap),
        )


def _counts(visits: Mapping[str, int], scenes: tuple[str, ...]) -> tuple[int, ...]:
    """How often each of ``scenes`` was visited (0 for never)."""
    if isinstance(visits, DraftMap):
        return visits.counts(scenes)
    return tuple([visits.get(s, 0) for s in scenes])


def _among(chosen: AbstractSet[str], wanted: frozenset[str]) -> frozenset[str]:
    """The members of ``wanted`` in ``chosen``."""
    if isinstance(chosen, DraftSet):
        return chosen.among(wanted)
    return wanted.intersection(chosen)


def inert_injects(scenario: Scenario) -> frozenset[str]:
    """Manual injects that cannot change a team's future: no effects, no responses.

    A facilitator publishes them for live play (a role-player at the door, a phone call to
    be acted out) and scores the team's response by hand. Delivering one changes nothing a
    rule reads, so ``explore`` does not try it in every state (which would double the
    search for each one), unless a condition reads ``delivered()`` of it.
    """
    return frozenset(
        inject_id
        for inject_id, inject in scenario.injects.items()
        if inject.at is None
        and inject.when is None
        and not (inject.choices or inject.set or inject.add or inject.reveal or inject.goto)
    )


def _reenterable(scenario: Scenario) -> set[str]:
    """Scenes a team can enter more than once: on a cycle of the scene graph, or the
    target of an inject (which can move a team at any time)."""
    edges: dict[str, set[str]] = {s: set() for s in scenario.scenes}
    for choice_id, scene_id in scenario.choice_scene.items():
        goto = scenario.choices[choice_id].goto
        if goto is not None:
            edges[scene_id].add(goto)
    for scene_id, (_, goto) in scenario.timers.items():
        edges[scene_id].add(goto)
    targets = [i.goto for i in scenario.injects.values()]
    targets += [scenario.choices[c].goto for c in scenario.choice_inject]
    result = {s for s in targets if s is not None}
    # a scene is on a cycle when its strongly connected component has more than one
    # scene, or it leads to itself: one linear pass (Tarjan) instead of a search per scene
    root = "\x00every scene"
    graph: dict[Any, Any] = {root: dict.fromkeys(scenario.scenes), **edges}
    for component in _components(root, graph):
        if len(component) > 1 or component[0] in edges.get(component[0], ()):
            result.update(component)
    result.discard(root)
    return result


def initial_draft(scenario: Scenario) -> Draft:
    """The team in its start scene at clock 0, with anything already due delivered."""
    draft = blank_draft(scenario)
    rules.enter(scenario, draft, scenario.start, 0.0)
    rules.settle(scenario, draft, 0.0)
    return draft


def _moves(
    scenario: Scenario, draft: Draft, inert: frozenset[str] = frozenset()
) -> list[tuple[list[str], Event | float]]:
    """Each thing a team can do next: (steps, event) or (steps, clock to wait until);
    ``inert`` manual injects are left out (see :func:`inert_injects`)."""
    moves: list[tuple[list[str], Event | float]] = []
    if draft.ended:
        return moves
    clock = draft.clock
    for choice, _inject in rules.offered(scenario, draft):
        # an offered choice is open to every role that may choose it or to none
        # (rules.refusal: only the role list depends on the role), so the first role acts
        roles = scenario.choice_roles(choice.id)
        if roles and not rules.closed(scenario, draft, choice, clock):
            moves.append(([f"as:{roles[0]}", choice.id], Chose(choice.id, roles[0], clock)))
    due = rules.next_due_time(scenario, draft)
    if due is not None and due > clock:
        moves.append(([f"wait:{format_minutes(due - clock)}"], due))
    for inject_id, inject in scenario.injects.items():
        if inject.at is None and inject.when is None and inject_id not in draft.inbox:
            if inject_id in inert:
                continue
            moves.append(([f"inject:{inject_id}"], InjectDelivered(inject_id, clock, True)))
    return moves


def successor(scenario: Scenario, draft: Draft, action: Event | float) -> Draft:
    """A copy of ``draft`` after one of its :func:`_moves` (an event, or a clock to wait
    until), with everything then due settled; ``draft`` itself is left as it was."""
    child = draft.copy()
    if isinstance(action, float):
        rules.settle(scenario, child, action)
    else:
        # moves are generated from the rules that check them: no need to ask again
        rules.perform(scenario, child, action)
        rules.settle(scenario, child, child.clock)
    return child


Value = tuple[int, int]
"""(critical errors, total points) from a state to an ending."""


def better(a: Value, b: Value | None) -> bool:
    """Fewer critical errors, then more points."""
    return b is None or a[0] < b[0] or (a[0] == b[0] and a[1] > b[1])


@dataclass(slots=True)
class Edge:
    delta: Value
    steps: list[str]
    action: Event | float


GRAPH_LIMIT = 100_000
"""States one scenario's :class:`SearchGraph` keeps (about 2 KB each with their moves,
so some 200 MB at most): past it, the searches under way add nothing more, and the next
one starts a new graph (the shipped scenarios have 7,000-16,000 states)."""
_GRAPHS_KEPT = 4
"""Scenarios whose search graphs a process keeps (the least recently forked goes first)."""


class SearchGraph:
    """Every abstract state any fork of one scenario has expanded in this process, with
    its moves: successor key → the best move there (its critical errors and points, its
    steps). Two states with the same key have the same moves to the same keys earning the
    same points (see :class:`~simtrain.engine.explore._Abstraction`), so the moves found
    from one team's state serve every later fork that reaches that key: a report's forks,
    a console's or a seat's debrief search each state of the scenario once, not once per
    fork. A state's moves are kept only once all of them are known; a fork's own answer
    (``complete``, ``states``, ``stopped``) is still that of the search it made."""

    def __init__(self, scenario: Scenario) -> None:
        self.abstraction = _Abstraction(scenario)
        self.ids: dict[Any, int] = {}
        """Each state key met so far, by a small number: the searches work on numbers,
        which hash at once where a key (a tuple of sets) is hashed anew on every look-up."""
        self.ended: set[int] = set()
        """The numbers of the keys of states at an ending."""
        self.moves: dict[int, dict[int, Edge]] = {}
        self._lock = threading.Lock()

    def number(self, key: Any) -> int:
        """The number of a state key (a new one the first time it is met)."""
        found = self.ids.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self.ids.setdefault(key, len(self.ids))
            if self.abstraction.is_ended(key):
                self.ended.add(found)
            return found

    def remember(self, node: int, out: dict[int, Edge]) -> None:
        """Keep the moves of the state ``node`` (all of them), within :data:`GRAPH_LIMIT`;
        the first found stay (a later search of the same state finds the same moves)."""
        if len(self.moves) < GRAPH_LIMIT:
            self.moves.setdefault(node, out)


_GRAPHS: dict[str, SearchGraph] = {}
_GRAPHS_LOCK = threading.Lock()
_GRAPH_META = "fork_search_graph"
"""Where a scenario with no source text (built in code) keeps its own graph."""


def search_graph(scenario: Scenario) -> SearchGraph:
    """The process's :class:`SearchGraph` of ``scenario``: shared by every scenario
    object of the same text (its SHA-256), or kept on the object when it has no text."""
    if not scenario.text:
        kept = scenario.meta.get(_GRAPH_META)
        if isinstance(kept, SearchGraph):
            return kept
        graph = SearchGraph(scenario)
        scenario.meta[_GRAPH_META] = graph
        return graph
    with _GRAPHS_LOCK:
        found: SearchGraph | None = _GRAPHS.pop(scenario.sha256, None)
        full = found is not None and len(found.ids) >= GRAPH_LIMIT
        graph = found if found is not None and not full else SearchGraph(scenario)
        _GRAPHS[scenario.sha256] = graph
        while len(_GRAPHS) > _GRAPHS_KEPT:
            del _GRAPHS[next(iter(_GRAPHS))]
        return graph


def explore(
    scenario: Scenario,
    max_states: int | None = None,
    *,
    budget: Budget | None = None,
) -> Exploration:
    """Breadth-first search of the team states reachable from the start, within a budget
    of states, seconds and memory (see :class:`Budget`); a search that runs out says
    ``complete: false`` and which limit stopped it.

    States are identified by what decides their future (see :class:`_Abstraction`). The
    points an action earns do not depend on how the team got there, so the score bounds
    are longest and shortest paths over the resulting state graph, computed afterwards.
    """
    budget = budget or DEFAULT_BUDGET
    if max_states is not None:
        budget = Budget(max_states, budget.max_seconds, budget.max_memory_mb)
    # tens of thousands of states, each a few containers, while all of them live: the
    # cyclic collector's passes over that heap took a third of the time (nothing here
    # makes cycles; reference counting frees as usual)
    with collector_paused():
        return _explore(scenario, budget)


def _explore(scenario: Scenario, budget: Budget) -> Exploration:
    began = time.monotonic()
    memory_at_start = _peak_rss_mb()
    stopped: str | None = None
    # the fork search graph numbers the states (numbers hash faster than keys) and keeps
    # every state's moves as found here, for the forks this process may make later
    graph = search_graph(scenario)
    abstraction, number = graph.abstraction, graph.number
    key_of = abstraction.key
    start = initial_draft(scenario).flat()
    start_key = number(key_of(start))
    competencies = scenario.competencies
    parents: dict[int, tuple[int, list[str]] | None] = {start_key: None}
    edges: Edges = {}
    queue: deque[tuple[int, Draft]] = deque([(start_key, start)])
    visited_scenes: set[str] = set()
    enabled: set[str] = set()
    ending_keys: dict[str, int] = {}
    endings: dict[str, str] = {}
    scene_of: dict[int, str] = {start_key: start.scene}
    ended_keys: set[int] = set()
    complete = True
    popped = 0
    while queue:
        popped += 1
        if popped % _CHECK_EVERY == 0:
            seconds = budget.max_seconds
            if seconds is not None and time.monotonic() - began > seconds:
                stopped = f"the time budget ran out ({seconds:g} s)"
            elif _peak_rss_mb() - memory_at_start > budget.max_memory_mb:
                stopped = f"the memory budget ran out ({budget.max_memory_mb:g} MB)"
            if stopped is not None:
                complete = False
                break
        key, state = queue.popleft()
        visited_scenes.update(state.visits)
        if state.ended:
            ended_keys.add(key)
            if state.scene not in ending_keys:
                ending_keys[state.scene] = key
                endings[state.scene] = state.outcome or ""
            continue
        out = edges.setdefault(key, {})
        before = _tally(state, competencies)
        crit, points = len(state.critical), sum(state.points.values())
        moves: dict[int, Edge] = {}
        for steps, action in _moves(scenario, state, abstraction.inert):
            if isinstance(action, Chose):
                enabled.add(action.choice)
            child = successor(scenario, state, action)
            child_key = number(key_of(child))
            delta = tuple(a - b for a, b in zip(_tally(child, competencies), before, strict=True))
            known = out.get(child_key)
            out[child_key] = (
                (delta, delta)
                if known is None
                else (tuple(map(min, known[0], delta)), tuple(map(max, known[1], delta)))
            )
            value = (len(child.critical) - crit, sum(child.points.values()) - points)
            best = moves.get(child_key)
            if best is None or better(value, best.delta):
                moves[child_key] = Edge(value, steps, action)
            if child_key in parents:
                continue
            if len(parents) >= budget.max_states:
                complete = False
                stopped = stopped or f"the state budget ran out ({budget.max_states:,} states)"
                out.pop(child_key)
                continue
            parents[child_key] = (key, steps)
            scene_of[child_key] = child.scene
            queue.append((child_key, child))
        graph.remember(key, moves)
    traps: set[str] = set()
    if complete:
        traps = _traps(edges, ended_keys, scene_of)
    ordered = {s: endings[s] for s in scenario.scenes if s in endings}
    low, high = _score_bounds(start_key, _tally(start, competencies), edges)
    width = len(competencies)
    lows = tuple(min(v[i] for v in low.values()) for i in range(width))
    highs = tuple(max(v[i] for v in high.values()) for i in range(width))
    score_range = {c: {"min": lows[i], "max": highs[i]} for i, c in enumerate(competencies)}

    def bounds(index: int) -> dict[str, dict[str, int]]:
        return {
            s: {"min": low[ending_keys[s]][index], "max": high[ending_keys[s]][index]}
            for s in ordered
        }

    return Exploration(
        states=len(parents),
        complete=complete,
        endings=ordered,
        unreachable_scenes=[s for s in scenario.scenes if s not in visited_scenes],
        never_enabled_choices=[c for c in scenario.choices if c not in enabled],
        traps=[s for s in scenario.scenes if s in traps],
        score_range=score_range,
        paths={s: _steps_to(scenario, parents, ending_keys[s]) for s in ordered},
        ending_criticals=bounds(width),
        ending_decisions=bounds(width + 1),
        stopped=stopped,
    )


def _tally(state: TeamState | Draft, competencies: tuple[str, ...]) -> tuple[int, ...]:
    """What the search sums along paths: the points per competency, then the critical
    errors and the decisions made."""
    return (*(state.points[c] for c in competencies), len(state.critical), len(state.path))


Edges = dict[int, dict[int, tuple[tuple[int, ...], tuple[int, ...]]]]
"""state → successor → (lowest, highest) points an action between them earns."""


def _score_bounds(
    start: Any, points: tuple[int, ...], edges: Edges
) -> tuple[dict[Any, tuple[int, ...]], dict[Any, tuple[int, ...]]]:
    """Per state and per summed quantity, the lowest and highest sum reachable along any
    path from ``start``.

    Longest/shortest paths over the strongly connected components in topological order;
    inside a cycle (rare: choices that undo each other) edges are relaxed once per member,
    which counts each loop at most that often.
    """
    low: dict[Any, tuple[int, ...]] = {start: points}
    high: dict[Any, tuple[int, ...]] = {start: points}

    def relax(node: Any, child: Any) -> None:
        d_low, d_high = edges[node][child]
        cand_low = tuple(a + b for a, b in zip(low[node], d_low, strict=True))
        cand_high = tuple(a + b for a, b in zip(high[node], d_high, strict=True))
        if child in low:
            low[child] = tuple(map(min, low[child], cand_low))
            high[child] = tuple(map(max, high[child], cand_high))
        else:
            low[child], high[child] = cand_low, cand_high

    for component in _components(start, edges):
        members = set(component)
        cyclic = len(component) > 1 or component[0] in edges.get(component[0], {})
        for _ in range(len(component) if cyclic else 0):
            for node in component:
                if node in low:
                    for child in edges.get(node, {}):
                        if child in members:
                            relax(node, child)
        for node in component:
            if node in low:
                for child in edges.get(node, {}):
                    if child not in members:
                        relax(node, child)
    return low, high


def _components(start: Any, edges: Mapping[Any, Mapping[Any, Any]]) -> list[list[Any]]:
    """Strongly connected components reachable from ``start``, in topological order
    (Tarjan's algorithm, iterative so that long scenarios cannot overflow the stack)."""
    index: dict[Any, int] = {}
    lowlink: dict[Any, int] = {}
    on_stack: set[Any] = set()
    stack: list[Any] = []
    result: list[list[Any]] = []
    counter = 0
    work: list[tuple[Any, Any]] = [(start, iter(edges.get(start, {})))]
    index[start] = lowlink[start] = counter
    counter += 1
    stack.append(start)
    on_stack.add(start)
    while work:
        node, children = work[-1]
        advanced = False
        for child in children:
            if child not in index:
                index[child] = lowlink[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(edges.get(child, {}))))
                advanced = True
                break
            if child in on_stack:
                lowlink[node] = min(lowlink[node], index[child])
        if advanced:
            continue
        work.pop()
        if work:
            parent = work[-1][0]
            lowlink[parent] = min(lowlink[parent], lowlink[node])
        if lowlink[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            result.append(component)
    result.reverse()
    return result


def _traps(successors: Edges, ended: set[Any], scene_of: dict[Any, str]) -> set[str]:
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
    return chunk_steps(scenario, chunks[::-1], scenario.roles[0])


def chunk_steps(scenario: Scenario, chunks: list[list[str]], role: str | None) -> list[str]:
    """Moves (each a ``_moves`` step list) as ``run`` steps, ``role`` acting first: an
    ``as:ROLE`` only where the acting role must change (``None``: before the first choice
    too, so that the steps apply whoever acted before them)."""
    result: list[str] = []
    for steps in chunks:
        if steps[0].startswith("as:"):
            wanted, choice = steps[0][3:], steps[1]
            if role is None or role not in scenario.choice_roles(choice):
                role = wanted
                result.append(steps[0])
            result.append(choice)
        else:
            result.extend(steps)
    return result


_BEST_BY_CONTENT: dict[str, tuple[dict[str, int], bool]] = {}
"""Best scores already found in this process, by the scenario text's SHA-256."""


def best_scores(scenario: Scenario, budget: Budget | None = None) -> dict[str, int]:
    """The best sum per competency reachable along any path (see :func:`best_score_bounds`)."""
    return best_score_bounds(scenario, budget)[0]


def best_score_bounds(
    scenario: Scenario, budget: Budget | None = None
) -> tuple[dict[str, int], bool]:
    """The best sum per competency reachable along any path, and whether it is exact.

    Found by :func:`explore` within the same budget as ``simtrain explore``; when the
    search cannot finish, the sum of every positive point on offer stands in and the
    second value is False: it is then an upper bound, and reports say so. Cached on the
    scenario and, by the scenario text's hash, for the whole process (a second exercise
    of the same scenario costs nothing).
    """
    cached = scenario.meta.get("best_scores")
    if isinstance(cached, dict):
        return cached, bool(scenario.meta.get("best_scores_exact", True))
    found = _BEST_BY_CONTENT.get(scenario.sha256) if scenario.text else None
    if found is None:
        result = explore(scenario, budget=budget or DEFAULT_BUDGET)
        if result.complete:
            best = {c: r["max"] for c, r in result.score_range.items()}
        else:
            best = dict.fromkeys(scenario.competencies, 0)
            for choice in scenario.choices.values():
                for competency, points in choice.assess.items():
                    if points > 0:
                        best[competency] += points
        found = (best, result.complete)
        if scenario.text:
            _BEST_BY_CONTENT[scenario.sha256] = found
    scenario.meta["best_scores"], scenario.meta["best_scores_exact"] = found
    return found
