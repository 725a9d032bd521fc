"""A validated scenario, indexed and with its expressions compiled, ready for the engine."""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Mapping
from functools import cache
from typing import Any

from msgspec import Struct, field, to_builtins

from simtrain.scenario.expressions import Expression, compile_expression
from simtrain.scenario.runtime import (
    Character,
    Choice,
    Inject,
    Phase,
    Rubric,
    ScenarioData,
    Scene,
    Value,
    duration_minutes,
    rubric_of,
    scenario_of,
)

CHECKS = 1
"""The version of the checks a scenario stored with an exercise passed (kept in the
exercise's settings as ``scenario_checks``). A stored copy that passed these very checks
loads through :func:`load_checked` without validating again; raise this number when
validation (:mod:`simtrain.scenario.validate`) starts refusing something the engine cannot
run, so that copies stored before are checked again."""


@cache
def shipped_rubrics() -> Mapping[str, Rubric]:
    """The rubrics that ship with simtrain, by id (package data under simtrain/rubrics)."""
    # only where a scenario is read from its file: a stored one has its rubric (and
    # importlib.resources pulls tempfile, shutil and random into every command's start-up)
    from importlib import resources

    import yaml

    found: dict[str, Rubric] = {}
    for entry in resources.files("simtrain.rubrics").iterdir():
        if entry.name.endswith(".yaml"):
            rubric = rubric_of(yaml.safe_load(entry.read_text(encoding="utf-8")))
            found[rubric.id] = rubric
    return found


class Scenario(Struct, frozen=True, eq=False):
    """Everything the engine needs about one scenario, looked up in O(1)."""

    def __repr__(self) -> str:
        return f"<Scenario {self.model.id!r} from {self.path}>"

    model: ScenarioData
    rubric: Rubric
    path: str
    text: str
    sha256: str
    roles: tuple[str, ...]
    role_names: Mapping[str, str]
    scenes: Mapping[str, Scene]
    choices: Mapping[str, Choice]
    choice_scene: Mapping[str, str]
    """Scene that offers each scene choice."""
    choice_inject: Mapping[str, str]
    """Inject that offers each response choice."""
    conditions: Mapping[str, Expression]
    """Compiled ``if`` of each choice that has one."""
    injects: Mapping[str, Inject]
    inject_at: Mapping[str, float]
    """Minutes at which each ``at`` inject is due."""
    inject_when: Mapping[str, Expression]
    timers: Mapping[str, tuple[float, str]]
    """Per scene with a timer: (minutes after entering, scene to go to)."""
    competencies: tuple[str, ...]
    competency_names: Mapping[str, str]
    """The rubric's name of each competency."""
    var_defaults: Mapping[str, Value]
    characters: Mapping[str, Character] = field(default_factory=dict)
    """The people of the case live role-players play, by id (file order)."""
    scene_characters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The characters present in each scene that has any (file order)."""
    phases: Mapping[str, Phase] = field(default_factory=dict)
    """The scenario's phases by id, in file order."""
    scene_phase: Mapping[str, str] = field(default_factory=dict)
    """The phase each scene in a phase belongs to."""
    meta: dict[str, object] = field(default_factory=dict)
    """Caches of derived facts (e.g. the best reachable score), filled lazily."""

    @property
    def id(self) -> str:
        """The scenario id."""
        return self.model.id

    @property
    def title(self) -> str:
        """The scenario title."""
        return self.model.title

    @property
    def start(self) -> str:
        """The first scene."""
        return self.model.start

    def choice_roles(self, choice_id: str) -> tuple[str, ...]:
        """The roles allowed to make a choice (an inject response defaults to its ``to``)."""
        choice = self.choices[choice_id]
        if choice.roles is not None:
            return tuple(choice.roles)
        inject_id = self.choice_inject.get(choice_id)
        if inject_id is not None and self.injects[inject_id].to is not None:
            return tuple(self.injects[inject_id].to or ())
        return self.roles

    def document_roles(self, document_id: str) -> tuple[str, ...]:
        """The roles allowed to read a document."""
        roles = self.model.documents[document_id].roles
        return self.roles if roles is None else tuple(roles)

    def talks_to(self, character_id: str) -> tuple[str, ...]:
        """The roles whose seats may speak with a character (default: every role)."""
        roles = self.characters[character_id].talks_to
        return self.roles if roles is None else tuple(roles)

    def phase_of(self, scene: str) -> Phase | None:
        """The phase a scene belongs to (None outside every phase)."""
        phase = self.scene_phase.get(scene)
        return None if phase is None else self.phases[phase]

    def inject_roles(self, inject_id: str) -> tuple[str, ...]:
        """The roles that receive an inject."""
        to = self.injects[inject_id].to
        return self.roles if to is None else tuple(to)


def compile_scenario(
    model: ScenarioData,
    *,
    path: str = "<scenario>",
    text: str = "",
    expressions: Mapping[str, Expression] | None = None,
    rubric: Rubric | None = None,
) -> Scenario:
    """Index a validated model. Assumes validation passed (references exist, expressions parse).

    ``expressions`` are conditions the validator already compiled, by their text;
    ``rubric``, the rubric to score with when it is known (a stored exercise's), else the
    scenario's own or the shipped one it names.
    """
    if rubric is None:
        rubric = (
            model.rubric if isinstance(model.rubric, Rubric) else shipped_rubrics()[model.rubric]
        )
    variables = list(model.vars)
    choices: dict[str, Choice] = {}
    choice_scene: dict[str, str] = {}
    choice_inject: dict[str, str] = {}
    conditions: dict[str, Expression] = {}
    timers: dict[str, tuple[float, str]] = {}
    compiled: dict[str, Expression] = dict(expressions or {})

    def condition(source: str) -> Expression:
        expression = compiled.get(source)
        if expression is None:
            expression = compiled[source] = compile_expression(source, variables)
        return expression

    for scene_id, scene in model.scenes.items():
        if scene.timer is not None:
            timers[scene_id] = (duration_minutes(scene.timer.after), scene.timer.goto)
        for choice in scene.choices:
            choices[choice.id] = choice
            choice_scene[choice.id] = scene_id
            if choice.if_ is not None:
                conditions[choice.id] = condition(choice.if_)
    injects = {inject.id: inject for inject in model.injects}
    inject_at: dict[str, float] = {}
    inject_when: dict[str, Expression] = {}
    for inject in model.injects:
        if inject.at is not None:
            inject_at[inject.id] = duration_minutes(inject.at)
        if inject.when is not None:
            inject_when[inject.id] = condition(inject.when)
        for choice in inject.choices:
            choices[choice.id] = choice
            choice_inject[choice.id] = inject.id
            if choice.if_ is not None:
                conditions[choice.id] = condition(choice.if_)
    scene_characters: dict[str, tuple[str, ...]] = {}
    for character_id, character in model.characters.items():
        for scene_id in dict.fromkeys(character.scenes):
            scene_characters[scene_id] = (*scene_characters.get(scene_id, ()), character_id)
    return Scenario(
        model=model,
        rubric=rubric,
        path=path,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        roles=tuple(role.id for role in model.roles),
        role_names={role.id: role.name for role in model.roles},
        scenes=model.scenes,
        choices=choices,
        choice_scene=choice_scene,
        choice_inject=choice_inject,
        conditions=conditions,
        injects=injects,
        inject_at=inject_at,
        inject_when=inject_when,
        timers=timers,
        competencies=tuple(c.id for c in rubric.competencies),
        competency_names={c.id: c.name for c in rubric.competencies},
        var_defaults=dict(model.vars),
        characters=dict(model.characters),
        scene_characters=scene_characters,
        phases={phase.id: phase for phase in model.phases},
        scene_phase={scene: phase.id for phase in model.phases for scene in phase.scenes},
    )


def checked_values(scenario: Scenario) -> dict[str, Any]:
    """What an exercise keeps beside its scenario's text once the text has validated: the
    records' values and the rubric they are scored with, as plain JSON values. Every later
    command and seat builds the scenario from these with :func:`load_checked`, without
    reading YAML or validating again (and the exercise keeps the rubric it was created
    with, whatever a later simtrain ships)."""
    return {"scenario": to_builtins(scenario.model), "rubric": to_builtins(scenario.rubric)}


def load_checked(values: Mapping[str, Any], text: str, path: str) -> Scenario | None:
    """The scenario of an exercise from :func:`checked_values` and its text. None when the
    values do not make a scenario (then validate the text)."""
    enabled = gc.isenabled()
    gc.disable()  # many small records and no cycles: see yamlsource.load_marked
    try:
        return compile_scenario(
            scenario_of(values["scenario"]),
            path=path,
            text=text,
            rubric=rubric_of(values["rubric"]),
        )
    except (KeyError, TypeError, AttributeError, ValueError):
        return None
    finally:
        if enabled:
            gc.enable()
