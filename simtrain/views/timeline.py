"""A team's timeline: its log, event by event, described for a person.

The facilitator console's debrief screen steps through it decision by decision; with an
entry's ``seq``, ``Exercise.replay(team, seq)`` rebuilds the team's state right after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simtrain.engine.events import (
    Chose,
    InjectDelivered,
    InjectSkipped,
    Moved,
    ScoreAdjusted,
    TimerFired,
)
from simtrain.exercise import JOINED, MESSAGE, OBSERVATION, Exercise
from simtrain.scenario.compiled import Scenario
from simtrain.text import assessment_text, duration_text
from simtrain.views.audience import NEVER_SHOWN, team_sees

if TYPE_CHECKING:
    from simtrain.engine.state import PathStep
    from simtrain.store import StoredEvent

OBSERVATION_LABELS = {
    "strength": "strength",
    "improvement": "area for improvement",
    "note": "private note",
}
"""How each observation kind reads in a sentence."""


def timeline(exercise: Exercise, team: str, *, for_team: bool = False) -> list[dict[str, Any]]:
    """One entry per event of the team's log, in order.

    Each entry has ``seq``, ``clock``, ``kind``, ``who``, ``role`` and ``text`` (one line
    for a person); a decision (``kind == "chose"``) adds ``choice``, ``label``, ``scene``,
    ``inject``, ``rationale``, ``assessment``, ``feedback``, ``critical`` and ``applied``.
    Step-outs, step-backs and alert acknowledgements are never listed. With ``for_team``,
    what only the facilitator reads is left out too (see :mod:`simtrain.views.audience`).
    """
    exercise.check_team(team)
    scenario = exercise.scenario
    path = exercise.replay(team).path
    cursor = 0
    entries: list[dict[str, Any]] = []
    for event in exercise.events(team):
        if event.kind in NEVER_SHOWN or (for_team and not team_sees(event)):
            continue
        entry: dict[str, Any] = {
            "seq": event.seq,
            "clock": round(event.clock, 2),
            "kind": event.kind,
            "who": event.actor,
            "role": event.role,
            "text": "",
        }
        if event.kind == Chose.kind:
            step = path[cursor] if cursor < len(path) else None
            applied = _matches(step, event)
            if applied:
                cursor += 1
            entry.update(_decision(scenario, event, step if applied else None, applied))
        entry["text"] = describe(scenario, event, for_team=for_team)
        if entry.get("applied") is False:
            entry["text"] += " (not applied: the rules refuse it on replay)"
        entries.append(entry)
    return entries


def _matches(step: PathStep | None, event: StoredEvent) -> bool:
    """Whether ``step`` is the path step this recorded choice produced."""
    return (
        step is not None
        and step.choice == event.payload.get("choice")
        and abs(step.clock - event.clock) < 1e-6
    )


def _decision(
    scenario: Scenario, event: StoredEvent, step: PathStep | None, applied: bool
) -> dict[str, Any]:
    choice_id = str(event.payload.get("choice", ""))
    choice = scenario.choices.get(choice_id)
    return {
        "choice": choice_id,
        "label": choice.label if choice else choice_id,
        "scene": step.scene if step else None,
        "inject": scenario.choice_inject.get(choice_id),
        "rationale": str(event.payload.get("rationale", "")),
        "assessment": dict(choice.assess) if choice else {},
        "feedback": choice.feedback if choice else "",
        "critical": choice.critical if choice else None,
        "applied": applied,
    }


def _scene(scenario: Scenario, scene_id: str) -> str:
    scene = scenario.scenes.get(scene_id)
    return f"“{scene.title}”" if scene else f"'{scene_id}'"


def _arrival(scenario: Scenario, scene_id: str | None) -> str:
    """``; the team reached the ending … (outcome)`` or ``; the team moved to …``."""
    if not scene_id or scene_id not in scenario.scenes:
        return ""
    ending = scenario.scenes[scene_id].ending
    if ending is not None:
        return f"; the team reached the ending {_scene(scenario, scene_id)} ({ending.outcome})"
    return f"; the team moved to {_scene(scenario, scene_id)}"


def _competency(scenario: Scenario, competency: str | None) -> str:
    names = {c.id: c.name for c in scenario.rubric.competencies}
    return names.get(competency or "", competency or "")


def describe(scenario: Scenario, event: StoredEvent, *, for_team: bool = False) -> str:
    """One line saying what a logged event was, for a person."""
    p = event.payload
    role = scenario.role_names.get(event.role or "", event.role or "")
    if event.kind == JOINED:
        return f"{p.get('name') or event.actor} joined as {role}"
    if event.kind == Chose.kind:
        choice = scenario.choices.get(str(p.get("choice")))
        label = choice.label if choice else str(p.get("choice"))
        text = f"{event.actor or role} ({role}) chose “{label}”"
        if choice is not None:
            names = {c.id: c.name for c in scenario.rubric.competencies}
            text += f" [{assessment_text(choice.assess, names)}]"
            if choice.critical:
                text += f" — critical error: {choice.critical}"
            text += _arrival(scenario, choice.goto)
        return text
    if event.kind == InjectDelivered.kind:
        inject = scenario.injects.get(str(p.get("inject")))
        if inject is None:
            return f"inject '{p.get('inject')}' arrived"
        how = (
            "published by the facilitator"
            if p.get("manual")
            else "on schedule"
            if inject.id in scenario.inject_at
            else "when its condition held"
        )
        sender = f", from {inject.from_}" if inject.from_ else ""
        text = f"Inject “{inject.subject}” arrived ({inject.channel}{sender}), {how}"
        return text + _arrival(scenario, inject.goto)
    if event.kind == InjectSkipped.kind:
        inject = scenario.injects.get(str(p.get("inject")))
        subject = inject.subject if inject else str(p.get("inject"))
        reason = str(p.get("reason") or "")
        return f"The facilitator skipped inject “{subject}”" + (f": {reason}" if reason else "")
    if event.kind == TimerFired.kind:
        scene_id = str(p.get("scene"))
        after, goto = scenario.timers.get(scene_id, (0.0, ""))
        return (
            f"Time ran out in {_scene(scenario, scene_id)} after {duration_text(after)}"
            + _arrival(scenario, goto)
        )
    if event.kind == Moved.kind:
        text = f"The facilitator moved the team to {_scene(scenario, str(p.get('scene')))}"
        reason = str(p.get("reason") or "")
        return text + (f": {reason}" if reason and not for_team else "")
    if event.kind == ScoreAdjusted.kind:
        points = int(p.get("points", 0))
        competency = _competency(scenario, str(p.get("competency")))
        note = str(p.get("note") or "")
        return f"The facilitator adjusted {competency} by {points:+d}" + (
            f": {note}" if note else ""
        )
    if event.kind == MESSAGE:
        channel = p.get("channel") or "message"
        return f"Message from {p.get('from') or 'exercise control'} ({channel}): {p.get('subject')}"
    if event.kind == OBSERVATION:
        kind = OBSERVATION_LABELS.get(str(p.get("kind")), str(p.get("kind")))
        competency = _competency(scenario, p.get("competency"))
        about = f" ({competency})" if competency else ""
        return f"The facilitator noted a {kind}{about}: {p.get('text')}"
    return event.kind.replace("_", " ")
