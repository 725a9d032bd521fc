"""What a trainee's headless command prints: ``simtrain act --json`` as the seat's view.

``act`` is a trainee's command, so it prints what that seat may see, decided by the one
visibility policy (:class:`~simtrain.views.audience.Audience`), never the team's full
state: before the facilitator releases the debrief, the team's ``seq``, its scene and
ending, the case-file documents the role may read, the injects addressed to the role, and
the team's decisions without assessments or feedback; the answer a teammate gave to a
message addressed to other roles shows who answered and when, not what. Once the debrief
is released the seat also gets the team's variables, its ``score`` and, for each
decision, its points, feedback and critical error. ``run`` (the trainer's tool) and
``status --json`` (the facilitator's) keep the team's full state.
"""

from __future__ import annotations

from typing import Any

from simtrain.engine.summary import team_json
from simtrain.exercise import Exercise, Seat
from simtrain.views.audience import Audience


def seat_json(exercise: Exercise, seat: Seat) -> dict[str, Any]:
    """The JSON ``simtrain act --json`` prints for ``seat``, as the seat may see it now."""
    scenario = exercise.scenario
    seq, state = exercise.seq_and_state(seat.team)
    open_roles = exercise.open_roles(seat.team)
    audience = Audience.seat(
        seat.team, seat.role, released=exercise.clock().debrief_released, open_roles=open_roles
    )
    full = team_json(scenario, state)
    path: list[dict[str, Any]] = []
    for step in full["path"]:
        inject = step["inject"]
        if (
            not audience.sees_assessment
            and inject
            and not audience.receives_inject(scenario, inject)
        ):
            # a reply to a message this role never received: who and when, not what
            step = {**step, "choice": None, "inject": None, "rationale": ""}
        elif audience.sees_assessment:
            choice = scenario.choices[step["choice"]]
            step = {
                **step,
                "assess": dict(choice.assess),
                "feedback": choice.feedback,
                "critical": choice.critical,
            }
        path.append(step)
    data: dict[str, Any] = {
        "seq": seq,
        "scenario": full["scenario"],
        "team": seat.team,
        "role": seat.role,
        "scene": full["scene"],
        "ended": full["ended"],
        "outcome": full["outcome"],
        "case_file": [d for d in full["case_file"] if audience.may_read(scenario, d)],
        "inbox": [i for i in full["inbox"] if audience.receives_inject(scenario, i)],
        "path": path,
        "debrief_released": audience.released,
        "open_roles": open_roles,
    }
    if audience.sees_assessment:
        data["vars"] = full["vars"]
        data["score"] = full["score"]
    return data
