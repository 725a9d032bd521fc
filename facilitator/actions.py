"""Facilitator actions over the exercise service that each return a sentence for a toast.

They block (they write to the database): the screens run them through
:meth:`FacilitatorApp.perform`, in a worker thread. A refusal raises the service's
:class:`~simtrain.exercise.ExerciseError`, whose message the toast shows.
"""

from __future__ import annotations

from collections.abc import Sequence

from facilitator.dialogs import MessageRequest
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
