"""Facilitator actions over the exercise service that each return a sentence for a toast.

They block (they write to the database): the screens run them through
:meth:`FacilitatorApp.perform`, in a worker thread. A refusal raises the service's
:class:`~simtrain.exercise.ExerciseError`, whose message the toast shows.
"""

from __future__ import annotations

from collections.abc import Sequence

from facilitator.dialogs import (
    HoldRequest,
    MessageRequest,
    NoteRequest,
    PlanRequest,
    RateRequest,
)
from simtrain.exercise import Exercise, ExerciseError


def send_message(exercise: Exercise, request: MessageRequest) -> str:
    """Send an ad-hoc message to the requested team (or every team)."""
    teams = [request.team] if request.team else list(exercise.teams)
    for team in teams:
        exercise.message(
            team,
            request.text,
            channel=request.channel,
            sender=request.sender,
            subject=request.subject,
        )
    return f"Message sent to {', '.join(teams)} ({request.channel}, from {request.sender})."


def acknowledge(exercise: Exercise, team: str, event_ids: Sequence[int]) -> str:
    """Acknowledge a team's alerts (by the id of the event that raised each).

    Returns no sentence: the row losing its highlight (and the alert toasts going away)
    is the confirmation.
    """
    for event_id in event_ids:
        exercise.acknowledge(team, event_id)
    return ""


def outcome_sentence(subject: str, verb: str, outcome: dict[str, str]) -> str:
    """A sentence about a publish or skip for several teams; refuses if no team got it."""
    done = [team for team, why in outcome.items() if not why]
    failed = [f"not for {team}: {why}" for team, why in outcome.items() if why]
    if not done:
        raise ExerciseError("; ".join(failed) or f"“{subject}” was not {verb}")
    sentence = f"“{subject}” {verb} for {', '.join(done)}"
    return sentence + (" — " + "; ".join(failed) if failed else "") + "."


def hold(exercise: Exercise, request: HoldRequest) -> str:
    """Hold the requested teams, now or at the end of a phase."""
    outcome = exercise.hold_teams(request.team, request.phase)
    phase = exercise.scenario.phases.get(request.phase or "")
    when = f"once it has left “{phase.title}”" if phase is not None else "now"
    done = [team for team, why in outcome.items() if not why]
    failed = [f"not {team}: {why}" for team, why in outcome.items() if why]
    if not done:
        raise ExerciseError("; ".join(failed))
    sentence = f"Held {when}: {', '.join(done)}"
    return sentence + (" — " + "; ".join(failed) if failed else "") + "."


def release(exercise: Exercise, team: str | None = None) -> str:
    """Release every held team together (or one): they may decide again."""
    outcome = exercise.release_teams(team)
    done = [name for name, why in outcome.items() if not why]
    return f"Released {', '.join(done)}: they may decide again."


def hotwash_note(exercise: Exercise, phase: str, request: NoteRequest) -> str:
    """Record a note of a phase's hot-wash about one team (a private note; open after the
    end too)."""
    exercise.observe(request.team, "note", request.text, phase=phase, after_end=True)
    return f"Note recorded for team {request.team}."


def rate(exercise: Exercise, team: str, request: RateRequest) -> str:
    """Rate a team on an objective."""
    exercise.rate(team, request.objective, request.rating, request.note)
    name = exercise.scenario.competency_names.get(request.objective, request.objective)
    return f"Team {team}: {name} rated {request.rating}."


def add_plan_row(exercise: Exercise, team: str, request: PlanRequest) -> str:
    """Add a row to a team's improvement plan."""
    exercise.plan_add(
        team,
        issue=request.issue,
        action=request.action,
        responsible=request.responsible,
        due=request.due,
    )
    return f"Team {team}: improvement plan row {len(exercise.plan(team))} added."


def remove_plan_row(exercise: Exercise, team: str, row: int) -> str:
    """Remove a row of a team's improvement plan (its number in the plan, from 1)."""
    exercise.plan_remove(team, row)
    return f"Team {team}: improvement plan row {row} removed."
