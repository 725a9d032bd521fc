"""The join screen's lobby: the exercises of a database a trainee could join, and roles."""

from __future__ import annotations

from dataclasses import dataclass

from simtrain.exercise import ExerciseError, ExerciseService
from simtrain.scenario.compiled import Scenario


@dataclass(frozen=True)
class RoleOption:
    """A role a trainee may take (its brief, which may hold what only that role knows, is
    shown only to a seat of that role)."""

    id: str
    name: str


@dataclass(frozen=True)
class ExerciseOption:
    """An exercise of a database, as the join screen lists it."""

    id: str
    title: str
    state: str
    teams: tuple[str, ...]
    roles: tuple[RoleOption, ...]


def role_options(scenario: Scenario) -> tuple[RoleOption, ...]:
    """The roles of a scenario, in order."""
    return tuple(RoleOption(r.id, r.name) for r in scenario.model.roles)


def lobby(service: ExerciseService) -> list[ExerciseOption]:
    """Every exercise of the database a trainee could join (ended ones last)."""
    found: list[ExerciseOption] = []
    for record in service.list():
        try:
            exercise = service.exercise(record.id)
        except ExerciseError:
            continue
        found.append(
            ExerciseOption(
                record.id,
                record.title,
                exercise.clock().state,
                exercise.teams,
                role_options(exercise.scenario),
            )
        )
    found.sort(key=lambda option: option.state == "ended")
    return found
