"""The exercises of a database: the one list the command line, the facilitator's picker
and the trainees' join screen (with the roles a trainee may take) all show."""

from __future__ import annotations

from msgspec import Struct

from simtrain.exercise import ExerciseError, ExerciseService
from simtrain.scenario.compiled import Scenario


class ExerciseSummary(Struct, frozen=True):
    """One exercise of a database and where its clock stands."""

    id: str
    title: str
    scenario: str
    """The scenario's id."""
    teams: tuple[str, ...]
    state: str
    """created, running, paused, ended, or ``unreadable`` when its clock cannot be read."""
    minutes: float
    """The exercise clock, in minutes."""
    created_wall: float


def exercise_list(service: ExerciseService) -> list[ExerciseSummary]:
    """Every exercise of the database, oldest first, with its clock (read without loading
    its scenario, so a long list stays quick)."""
    found: list[ExerciseSummary] = []
    for record in service.list():
        state: str
        try:
            clock = service.clock(record.id)
            state, minutes = clock.state, clock.minutes
        except ExerciseError:
            state, minutes = "unreadable", 0.0
        found.append(
            ExerciseSummary(
                record.id,
                record.title,
                record.scenario_id,
                record.teams,
                state,
                minutes,
                record.created_wall,
            )
        )
    return found


class RoleOption(Struct, frozen=True):
    """A role a trainee may take (its brief, which may hold what only that role knows, is
    shown only to a seat of that role)."""

    id: str
    name: str


class ExerciseOption(Struct, frozen=True):
    """An exercise of a database, as the join screen lists it."""

    id: str
    title: str
    state: str
    teams: tuple[str, ...]
    roles: tuple[RoleOption, ...]
    characters: tuple[RoleOption, ...] = ()
    """The scenario's characters (id, name): a role-player joins as one, with its code."""


def role_options(scenario: Scenario) -> tuple[RoleOption, ...]:
    """The roles of a scenario, in order."""
    return tuple(RoleOption(r.id, r.name) for r in scenario.model.roles)


def lobby(service: ExerciseService) -> list[ExerciseOption]:
    """Every exercise of the database a trainee could join (ended ones last)."""
    found: list[ExerciseOption] = []
    for summary in exercise_list(service):
        try:
            exercise = service.exercise(summary.id)
        except ExerciseError:
            continue
        found.append(
            ExerciseOption(
                summary.id,
                summary.title,
                summary.state,
                summary.teams,
                role_options(exercise.scenario),
                tuple(RoleOption(c, m.name) for c, m in exercise.scenario.characters.items()),
            )
        )
    found.sort(key=lambda option: option.state == "ended")
    return found
