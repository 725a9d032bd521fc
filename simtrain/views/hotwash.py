"""The hot-wash: every team side by side at one phase of the scenario — where each team
is, the decisions it made in that phase, the facilitator's notes of the hot-wash — and
the phase's questions. The console draws it; nothing here is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from simtrain.engine.events import RATINGS, Observed, PlanItemAdded, Rated
from simtrain.engine.phases import hold_of, last_hold
from simtrain.exercise import Recorded
from simtrain.exercise.queries import latest_ratings, plan_rows
from simtrain.scenario.compiled import Scenario
from simtrain.text import time_text
from simtrain.views.board import Board


@dataclass(frozen=True)
class PhaseDecision:
    """One decision a team made in the phase."""

    n: int
    clock: float
    label: str
    who: str
    points: int
    critical: str


@dataclass(frozen=True)
class HotwashTeam:
    """One team's column."""

    team: str
    where: str
    """The scene the team is in now, and its phase when another."""
    status: str
    """'held', 'to be held', 'left', 'in the phase' or 'not there yet'."""
    decisions: tuple[PhaseDecision, ...]
    notes: tuple[str, ...]
    """The facilitator's notes of this phase's hot-wash for the team, oldest first."""
    points: int
    """The points of the phase's decisions, summed."""


@dataclass(frozen=True)
class Hotwash:
    """The hot-wash of one phase."""

    phase: str
    title: str
    questions: tuple[str, ...]
    teams: tuple[HotwashTeam, ...]
    position: tuple[int, int]
    """The phase's place among the scenario's phases (from 1) and how many there are."""


def default_phase(scenario: Scenario, board: Board) -> str | None:
    """The phase a hot-wash starts at: the one a hold waits for, else the latest phase a
    team has left, else the first (None: the scenario has no phases)."""
    if not scenario.phases:
        return None
    left: set[str] = set()
    for team, state in board.states.items():
        phase = last_hold(e.event for e in board.team_events(team))
        if phase:
            return phase
        current = scenario.scene_phase.get(state.scene)
        left |= {scenario.scene_phase[s] for s in state.visits if s in scenario.scene_phase}
        left.discard(current or "")
    order = list(scenario.phases)
    return max(left, key=order.index) if left else order[0]


def hotwash(scenario: Scenario, board: Board, phase_id: str) -> Hotwash:
    """Every team of ``board`` at phase ``phase_id``."""
    phase = scenario.phases[phase_id]
    scenes = set(phase.scenes)
    columns = []
    for row in board.teams:
        state = board.states[row.name]
        events = board.team_events(row.name)
        hold = hold_of(scenario, state, last_hold(e.event for e in events))
        visited = any(state.visits.get(s, 0) for s in scenes)
        if hold.held and hold.phase in ("", phase_id):
            status = "held"
        elif hold.phase == phase_id:
            status = "to be held"
        elif hold.current == phase_id:
            status = "in the phase"
        else:
            status = "left" if visited else "not there yet"
        names = scenario.role_names
        decisions = tuple(
            PhaseDecision(
                n,
                step.clock,
                scenario.choices[step.choice].label,
                step.actor or names.get(step.role, step.role),
                sum(scenario.choices[step.choice].assess.values()),
                scenario.choices[step.choice].critical or "",
            )
            for n, step in enumerate(state.path, 1)
            if step.scene in scenes
        )
        where = scenario.scenes[state.scene].title
        other = scenario.phases.get(hold.current or "")
        if other is not None and other.id != phase_id:
            where += f" (phase “{other.title}”)"
        notes = tuple(
            f"{time_text(e.event.clock)} {e.event.text}"
            for e in events
            if isinstance(e.event, Observed) and e.event.phase == phase_id
        )
        columns.append(
            HotwashTeam(row.name, where, status, decisions, notes, sum(d.points for d in decisions))
        )
    order = list(scenario.phases)
    return Hotwash(
        phase_id,
        phase.title,
        tuple(phase.questions),
        tuple(columns),
        (order.index(phase_id) + 1, len(order)),
    )


def review_lines(scenario: Scenario, events: Sequence[Recorded]) -> list[str]:
    """A team's after-action review so far, as lines for the console's debrief: each
    objective's rating (or 'not rated'), then the improvement plan's rows."""
    ratings = latest_ratings(events, scenario.competencies)
    lines = ["Objective ratings (v to rate):"]
    for objective in scenario.competencies:
        name = scenario.competency_names.get(objective, objective)
        entry = ratings.get(objective)
        if entry is None or not isinstance(entry.event, Rated):
            lines.append(f"  {name}: not rated")
            continue
        note = f" — {entry.event.note}" if entry.event.note else ""
        lines.append(f"  {name}: {entry.event.rating} ({RATINGS[entry.event.rating]}){note}")
    rows = plan_rows(events)
    lines.append("Improvement plan (i to add a row, x to remove one):")
    if not rows:
        lines.append("  no rows yet")
    for number, entry in enumerate(rows, 1):
        item = entry.event
        if isinstance(item, PlanItemAdded):
            lines.append(
                f"  {number}. {item.issue} → {item.action} ({item.responsible}, due {item.due})"
            )
    return lines
