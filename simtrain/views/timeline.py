"""A team's timeline: its log, event by event, described for a person.

The facilitator console's debrief screen steps through it decision by decision; with an
entry's ``seq``, ``Exercise.replay(team, seq)`` rebuilds the team's state right after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simtrain.engine.events import (
    RATINGS,
    AlertAcknowledged,
    Chose,
    InjectDelivered,
    InjectSkipped,
    Joined,
    JoinFailed,
    Left,
    LineMarked,
    MessageSent,
    Moved,
    Observed,
    PlanItemAdded,
    PlanItemRemoved,
    Rated,
    Said,
    ScoreAdjusted,
    SteppedBack,
    SteppedOut,
    TeamHeld,
    TeamReleased,
    TimerFired,
)
from simtrain.exercise import Exercise, Recorded
from simtrain.scenario.compiled import Scenario
from simtrain.text import assessment_text, duration_text
from simtrain.views.audience import Audience

if TYPE_CHECKING:
    from simtrain.engine.state import PathStep

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
    audience = Audience.of_team(team) if for_team else Audience.facilitator()
    exercise.check_team(team)
    scenario = exercise.scenario
    path = exercise.replay(team).path
    cursor = 0
    entries: list[dict[str, Any]] = []
    for logged in exercise.events(team):
        event = logged.event
        if not audience.sees(event):
            continue
        entry: dict[str, Any] = {
            "seq": logged.seq,
            "clock": round(event.clock, 2),
            "kind": event.kind,
            "who": logged.actor,
            "role": logged.role,
            "text": "",
        }
        if isinstance(event, Chose):
            step = path[cursor] if cursor < len(path) else None
            applied = _matches(step, event)
            if applied:
                cursor += 1
            entry.update(_decision(scenario, event, step if applied else None, applied))
        entry["text"] = describe(scenario, logged, audience)
        if entry.get("applied") is False:
            entry["text"] += " (not applied: the rules refuse it on replay)"
        entries.append(entry)
    return entries


def _matches(step: PathStep | None, event: Chose) -> bool:
    """Whether ``step`` is the path step this recorded choice produced."""
    return step is not None and step.choice == event.choice and abs(step.clock - event.clock) < 1e-6


def _decision(
    scenario: Scenario, event: Chose, step: PathStep | None, applied: bool
) -> dict[str, Any]:
    choice_id = event.choice
    choice = scenario.choices.get(choice_id)
    return {
        "choice": choice_id,
        "label": choice.label if choice else choice_id,
        "scene": step.scene if step else None,
        "inject": scenario.choice_inject.get(choice_id),
        "rationale": event.rationale,
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
    names = scenario.competency_names
    return names.get(competency or "", competency or "")


def describe(scenario: Scenario, logged: Recorded, audience: Audience) -> str:
    """One line saying what a logged event was, for a person of this audience."""
    event = logged.event
    role = scenario.role_names.get(logged.role or "", logged.role or "")
    if isinstance(event, Joined):
        return f"{event.name or logged.actor} joined as {role}"
    if isinstance(event, Chose):
        choice = scenario.choices.get(event.choice)
        label = choice.label if choice else event.choice
        text = f"{logged.actor or role} ({role}) chose “{label}”"
        if event.open_role:
            held = scenario.role_names.get(event.open_role, event.open_role)
            text += f" for the open role of {held}"
        if choice is not None:
            names = scenario.competency_names
            text += f" [{assessment_text(choice.assess, names)}]"
            if choice.critical:
                text += f" — critical error: {choice.critical}"
            text += _arrival(scenario, choice.goto)
        return text
    if isinstance(event, InjectDelivered):
        inject = scenario.injects.get(event.inject)
        if inject is None:
            return f"inject '{event.inject}' arrived"
        how = (
            "published by the facilitator"
            if event.manual
            else "on schedule"
            if inject.id in scenario.inject_at
            else "when its condition held"
        )
        sender = f", from {inject.from_}" if inject.from_ else ""
        text = f"Inject “{inject.subject}” arrived ({inject.channel}{sender}), {how}"
        if event.reached == ():
            text += " — no one was seated: not delivered"
        return text + _arrival(scenario, inject.goto)
    if isinstance(event, InjectSkipped):
        skipped = scenario.injects.get(event.inject)
        subject = skipped.subject if skipped else event.inject
        reason = event.reason or ""
        return f"The facilitator skipped inject “{subject}”" + (f": {reason}" if reason else "")
    if isinstance(event, TimerFired):
        scene_id = event.scene
        after, goto = scenario.timers.get(scene_id, (0.0, ""))
        return (
            f"Time ran out in {_scene(scenario, scene_id)} after {duration_text(after)}"
            + _arrival(scenario, goto)
        )
    if isinstance(event, Moved):
        text = f"The facilitator moved the team to {_scene(scenario, event.scene)}"
        reason = event.reason or ""
        return text + (f": {reason}" if reason and audience.private else "")
    if isinstance(event, ScoreAdjusted):
        points = event.points
        competency = _competency(scenario, event.competency)
        note = event.note or ""
        return f"The facilitator adjusted {competency} by {points:+d}" + (
            f": {note}" if note else ""
        )
    if isinstance(event, Said):
        character = scenario.characters.get(event.character)
        name = character.name if character else event.character
        if event.by_character:
            return f"Line {event.line} — {name}: “{event.text}”"
        speaker_role = scenario.role_names.get(event.role, event.role)
        return f"Line {event.line} — {event.speaker} ({speaker_role}) to {name}: “{event.text}”"
    if isinstance(event, LineMarked):
        competency = _competency(scenario, event.competency)
        note = f": {event.note}" if event.note else ""
        return f"Line {event.line} marked {competency} {event.points:+d}{note}"
    if isinstance(event, MessageSent):
        channel = event.channel or "message"
        sender = event.sender or "exercise control"
        return f"Message from {sender} ({channel}): {event.subject}"
    if isinstance(event, Observed):
        kind = OBSERVATION_LABELS.get(event.category, event.category)
        competency = _competency(scenario, event.competency)
        about = f" ({competency})" if competency else ""
        return f"The facilitator noted a {kind}{about}: {event.text}"
    if isinstance(event, TeamHeld):
        phase = scenario.phases.get(event.phase)
        if phase is None:
            return "The facilitator held the team"
        return f"The facilitator held the team at the end of phase “{phase.title}”"
    if isinstance(event, TeamReleased):
        return "The facilitator released the team"
    if isinstance(event, Rated):
        competency = _competency(scenario, event.objective)
        meaning = RATINGS.get(event.rating, "")
        return f"The facilitator rated {competency}: {event.rating} ({meaning})" + (
            f": {event.note}" if event.note else ""
        )
    if isinstance(event, PlanItemAdded):
        return (
            f"Improvement plan: {event.issue} → {event.action} "
            f"({event.responsible}, due {event.due})"
        )
    if isinstance(event, PlanItemRemoved):
        return "The facilitator removed a row of the improvement plan"
    if isinstance(event, Left):
        return f"{event.name or logged.actor} ({role}) left"
    if isinstance(event, SteppedOut):
        return f"{event.name or logged.actor} ({role}) asked to step out"
    if isinstance(event, SteppedBack):
        return f"{event.name or logged.actor} ({role}) is back"
    if isinstance(event, AlertAcknowledged):
        return "The facilitator acknowledged an alert"
    if isinstance(event, JoinFailed):
        return f"A wrong join code was tried for this team by “{event.name}” as {role}"
    return event.kind.replace("_", " ")
