"""The rules of SPEC §3 as pure functions over a scenario and a draft.

:func:`step` is the one dispatcher of events: the engine's fold
(:mod:`simtrain.engine.fold`) and ``explore`` both call it, so there is one implementation
of the semantics. Nothing here reads a clock or does I/O; time is always
passed in.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct

from simtrain.engine.events import (
    Chose,
    Event,
    InjectDelivered,
    InjectSkipped,
    LineMarked,
    Moved,
    ScoreAdjusted,
    TimerFired,
)
from simtrain.engine.state import Adjustment, Critical, Draft, Mark, PathStep
from simtrain.scenario.compiled import Scenario
from simtrain.scenario.expressions import EvaluationError
from simtrain.scenario.runtime import Choice

MAX_CASCADE = 1000
"""Most clock-driven events settled in one go (guards against timer loops)."""


class Refused(Exception):
    """An action that the rules do not allow; the message says why, for a person."""


class _View:
    """The expression context over a draft at a given time."""

    __slots__ = ("draft", "elapsed")

    def __init__(self, draft: Draft, elapsed: float) -> None:
        self.draft = draft
        self.elapsed = elapsed

    def var(self, name: str) -> object:
        return self.draft.vars[name]

    def visited(self, scene: str) -> int:
        return self.draft.visits.get(scene, 0)

    def chosen(self, choice: str) -> bool:
        return choice in self.draft.chosen

    def has(self, document: str) -> bool:
        return document in self.draft.case_file

    def delivered(self, inject: str) -> bool:
        return inject in self.draft.inbox

    @property
    def critical_errors(self) -> int:
        return len(self.draft.critical)


def condition_holds(scenario: Scenario, draft: Draft, choice_id: str, clock: float) -> bool:
    """Whether a choice's ``if`` holds (no ``if`` holds; an evaluation error does not)."""
    expression = scenario.conditions.get(choice_id)
    if expression is None:
        return True
    try:
        return expression.test(_View(draft, clock))
    except EvaluationError:
        return False


class Option(Struct, frozen=True):
    """A choice as a given role sees it now."""

    choice: Choice
    inject: str | None
    enabled: bool
    reason: str
    """Empty when enabled; otherwise why not, for a person."""
    roles: tuple[str, ...]


def offered(scenario: Scenario, draft: Draft) -> list[tuple[Choice, str | None]]:
    """The choices on offer: the scene's, then each pending inject's responses."""
    if draft.ended:
        return []
    result: list[tuple[Choice, str | None]] = [
        (c, None) for c in scenario.scenes[draft.scene].choices
    ]
    for inject_id in draft.pending:
        result.extend((c, inject_id) for c in scenario.injects[inject_id].choices)
    return result


def refusal(scenario: Scenario, draft: Draft, choice_id: str, role: str, clock: float) -> str:
    """Why ``role`` may not make ``choice_id`` now, or ``''`` when it may."""
    if draft.ended:
        return f"the team has reached an ending ('{draft.scene}'); no further choices apply"
    choice = scenario.choices.get(choice_id)
    if choice is None:
        return f"'{choice_id}' is not a choice of this scenario"
    inject_id = scenario.choice_inject.get(choice_id)
    if inject_id is None:
        if scenario.choice_scene[choice_id] != draft.scene:
            return (
                f"choice '{choice_id}' belongs to scene '{scenario.choice_scene[choice_id]}', "
                f"but the team is in scene '{draft.scene}'"
            )
    elif inject_id not in draft.pending:
        if inject_id in draft.inbox:
            return f"inject '{inject_id}' has already been answered"
        return f"choice '{choice_id}' answers inject '{inject_id}', which has not arrived"
    return _gate(scenario, draft, choice, role, clock)


def _gate(scenario: Scenario, draft: Draft, choice: Choice, role: str, clock: float) -> str:
    roles = scenario.choice_roles(choice.id)
    if role not in roles:
        names = " or ".join(scenario.role_names.get(r, r) for r in roles) or "no role"
        return f"only the {names} may choose '{choice.id}'"
    return closed(scenario, draft, choice, clock)


def closed(scenario: Scenario, draft: Draft, choice: Choice, clock: float) -> str:
    """Why nobody may take an offered choice now, whatever their role ('' when open)."""
    if choice.once and choice.id in draft.chosen:
        return f"'{choice.id}' can be chosen only once, and the team already chose it"
    if not condition_holds(scenario, draft, choice.id, clock):
        return f"'{choice.id}' is not available now (its condition does not hold)"
    return ""


def open_choices(scenario: Scenario, draft: Draft, clock: float) -> list[Choice]:
    """The choices on offer that some role may take now (what :func:`options` enables for
    at least one role, asked once instead of once per role)."""
    return [
        choice
        for choice, _ in offered(scenario, draft)
        if scenario.choice_roles(choice.id) and not closed(scenario, draft, choice, clock)
    ]


def options(scenario: Scenario, draft: Draft, role: str, clock: float) -> list[Option]:
    """Every choice on offer with whether ``role`` may take it now, and why not."""
    return [
        Option(
            choice,
            inject,
            not (reason := _gate(scenario, draft, choice, role, clock)),
            reason,
            scenario.choice_roles(choice.id),
        )
        for choice, inject in offered(scenario, draft)
    ]


def _effects(
    scenario: Scenario,
    draft: Draft,
    set_: dict[str, Any],
    add: dict[str, Any],
    reveal: list[str],
) -> None:
    """set, add, reveal — in that order (SPEC §2 Effects)."""
    if set_:
        for name, value in set_.items():
            draft.vars[name] = list(value) if isinstance(value, list) else value
    if add:
        for name, value in add.items():
            current = draft.vars[name]
            if isinstance(current, list):
                draft.vars[name] = [*current, value]
            else:
                draft.vars[name] = current + value
    for document in reveal:
        if document not in draft.case_file:
            draft.case_file.append(document)


def enter(scenario: Scenario, draft: Draft, scene_id: str, clock: float) -> None:
    """The team enters a scene: a new visit, its on_enter effects, and maybe the end."""
    draft.scene = scene_id
    draft.entered_at = clock
    draft.timer_fired = False
    draft.visits[scene_id] = draft.visits.get(scene_id, 0) + 1
    scene = scenario.scenes[scene_id]
    if scene.on_enter is not None:
        effects = scene.on_enter
        _effects(scenario, draft, effects.set, effects.add, effects.reveal)
    if scene.ending is not None:
        draft.ended = True
        draft.outcome = scene.ending.outcome
        draft.pending.clear()


def apply_choice(scenario: Scenario, draft: Draft, event: Chose) -> None:
    """Record a choice, apply its effects, and follow its goto."""
    choice = scenario.choices[event.choice]
    inject_id = scenario.choice_inject.get(event.choice)
    draft.clock = max(draft.clock, event.clock)
    draft.chosen.add(choice.id)
    draft.path.append(
        PathStep(
            scene=draft.scene,
            choice=choice.id,
            role=event.role,
            clock=event.clock,
            actor=event.actor,
            rationale=event.rationale,
            inject=inject_id,
            open_role=event.open_role,
        )
    )
    if inject_id is not None and inject_id in draft.pending:
        draft.pending.remove(inject_id)
    for competency, points in choice.assess.items():
        draft.points[competency] = draft.points.get(competency, 0) + points
    if choice.critical:
        draft.critical.append(Critical(choice.id, choice.critical, event.clock))
    _effects(scenario, draft, choice.set, choice.add, choice.reveal)
    if choice.goto is not None:
        enter(scenario, draft, choice.goto, event.clock)


def deliver(scenario: Scenario, draft: Draft, event: InjectDelivered) -> None:
    """An inject arrives: inbox, effects, open responses, and its goto last."""
    inject = scenario.injects[event.inject]
    draft.clock = max(draft.clock, event.clock)
    draft.inbox.append(inject.id)
    _effects(scenario, draft, inject.set, inject.add, inject.reveal)
    if inject.choices:
        draft.pending.append(inject.id)
    if inject.goto is not None:
        enter(scenario, draft, inject.goto, event.clock)


def skip(scenario: Scenario, draft: Draft, event: InjectSkipped) -> None:
    """The facilitator skips an inject: it will not be delivered on its own."""
    draft.clock = max(draft.clock, event.clock)
    draft.skipped.add(event.inject)


def fire_timer(scenario: Scenario, draft: Draft, event: TimerFired) -> None:
    """The scene's timer fires: the team moves on."""
    draft.clock = max(draft.clock, event.clock)
    draft.timer_fired = True
    enter(scenario, draft, scenario.timers[draft.scene][1], event.clock)


def move(scenario: Scenario, draft: Draft, event: Moved) -> None:
    """The facilitator moves the team (it enters the scene as by a goto)."""
    draft.clock = max(draft.clock, event.clock)
    draft.ended = False
    draft.outcome = None
    enter(scenario, draft, event.scene, event.clock)


def adjust(scenario: Scenario, draft: Draft, event: ScoreAdjusted) -> None:
    """The facilitator adds (or removes) points on one competency."""
    draft.clock = max(draft.clock, event.clock)
    draft.points[event.competency] = draft.points.get(event.competency, 0) + event.points
    draft.adjustments.append(Adjustment(event.competency, event.points, event.note, event.clock))


def mark(scenario: Scenario, draft: Draft, event: LineMarked) -> None:
    """A conversation line is marked: its points count like an assessed choice's."""
    draft.clock = max(draft.clock, event.clock)
    draft.points[event.competency] = draft.points.get(event.competency, 0) + event.points
    draft.marks.append(
        Mark(event.line, event.competency, event.points, event.note, event.clock, event.character)
    )


def check(scenario: Scenario, draft: Draft, event: Event) -> str:
    """Why ``event`` cannot apply to ``draft``, or ``''`` when it can."""
    if isinstance(event, Chose):
        # a choice taken for an open role is checked against that role
        return refusal(scenario, draft, event.choice, event.acting_role, event.clock)
    if isinstance(event, InjectDelivered):
        if event.inject not in scenario.injects:
            return f"'{event.inject}' is not an inject of this scenario"
        if draft.ended:
            return "the team has reached an ending; injects no longer apply to it"
        if event.inject in draft.inbox:
            return f"inject '{event.inject}' was already delivered to this team"
        return ""
    if isinstance(event, InjectSkipped):
        if event.inject not in scenario.injects:
            return f"'{event.inject}' is not an inject of this scenario"
        if event.inject in draft.inbox:
            return f"inject '{event.inject}' was already delivered to this team"
        if event.inject in draft.skipped:
            return f"inject '{event.inject}' is already skipped for this team"
        return ""
    if isinstance(event, TimerFired):
        if draft.ended or event.scene != draft.scene or draft.timer_fired:
            return f"no timer is running in scene '{event.scene}'"
        if draft.scene not in scenario.timers:
            return f"scene '{draft.scene}' has no timer"
        return ""
    if isinstance(event, Moved):
        return "" if event.scene in scenario.scenes else f"'{event.scene}' is not a scene"
    if isinstance(event, ScoreAdjusted | LineMarked):
        if event.competency not in scenario.competencies:
            return f"'{event.competency}' is not a competency of the rubric"
        return ""
    return f"unknown event {event!r}"  # pragma: no cover - the union is closed


def due(scenario: Scenario, draft: Draft, now: float) -> Event | None:
    """The next clock- or condition-driven event at or before ``now``, if any.

    Conditional injects come first (at the current time), then the earliest of the
    scene's timer and the scheduled injects, each happening at its own due time, so the
    result never depends on when a process happened to look.
    """
    if draft.ended:
        return None
    event = _when(scenario, draft, draft.clock)
    if event is not None:
        return event
    best: tuple[float, int, Event] | None = None
    timer = scenario.timers.get(draft.scene)
    if timer is not None and not draft.timer_fired:
        when = draft.entered_at + timer[0]
        if when <= now:
            best = (when, 1, TimerFired(draft.scene, max(when, draft.clock)))
    for inject_id, minutes in scenario.inject_at.items():
        if (
            minutes <= now
            and inject_id not in draft.inbox
            and inject_id not in draft.skipped
            and (best is None or (minutes, 0) < best[:2])
        ):
            best = (minutes, 0, InjectDelivered(inject_id, max(minutes, draft.clock)))
    if best is not None:
        return best[2]
    return _when(scenario, draft, now) if now > draft.clock else None


def _when(scenario: Scenario, draft: Draft, clock: float) -> Event | None:
    """The first conditional inject (in MSEL order) whose condition holds at ``clock``."""
    if not scenario.inject_when:
        return None
    view = _View(draft, clock)
    for inject_id, expression in scenario.inject_when.items():
        if inject_id in draft.inbox or inject_id in draft.skipped:
            continue
        try:
            if expression.test(view):
                return InjectDelivered(inject_id, clock)
        except EvaluationError:
            continue
    return None


def next_due_time(scenario: Scenario, draft: Draft) -> float | None:
    """When the next timer or scheduled inject falls due (for ``explore``'s waits)."""
    if draft.ended:
        return None
    times = [
        m for i, m in scenario.inject_at.items() if i not in draft.inbox and i not in draft.skipped
    ]
    timer = scenario.timers.get(draft.scene)
    if timer is not None and not draft.timer_fired:
        times.append(draft.entered_at + timer[0])
    return max(min(times), draft.clock) if times else None


def step(scenario: Scenario, draft: Draft, event: Event) -> None:
    """Apply any event with the rules alone (``explore`` uses this; raises Refused)."""
    reason = check(scenario, draft, event)
    if reason:
        raise Refused(reason)
    perform(scenario, draft, event)


def perform(scenario: Scenario, draft: Draft, event: Event) -> None:
    """Apply an event already known to be allowed (:func:`check` says ``''``), without
    asking again: for a search that generates only allowed moves (``explore``'s moves
    come from :func:`offered` and :func:`closed`, the very rules :func:`check` applies)."""
    if isinstance(event, Chose):
        apply_choice(scenario, draft, event)
    elif isinstance(event, InjectDelivered):
        deliver(scenario, draft, event)
    elif isinstance(event, TimerFired):
        fire_timer(scenario, draft, event)
    elif isinstance(event, Moved):
        move(scenario, draft, event)
    elif isinstance(event, InjectSkipped):
        skip(scenario, draft, event)
    elif isinstance(event, LineMarked):
        mark(scenario, draft, event)
    else:
        adjust(scenario, draft, event)


def settle(scenario: Scenario, draft: Draft, now: float) -> list[Event]:
    """Apply, with the rules alone, everything that falls due up to ``now``."""
    produced: list[Event] = []
    for _ in range(MAX_CASCADE):
        event = due(scenario, draft, now)
        if event is None:
            break
        step(scenario, draft, event)
        produced.append(event)
    return produced
