"""The scenario format (version 1) as pydantic models.

The same models validate loaded YAML and generate the JSON Schema that editors use, so
the two can never disagree. Keys are strict (``extra="forbid"``). Cross-references
(gotos, reveals, roles...) are checked afterwards in :mod:`simtrain.scenario.validate`.
The engine runs on the plain records of :mod:`simtrain.scenario.runtime`, built from a
file once it has validated here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)

from simtrain.scenario.channels import Channel
from simtrain.scenario.runtime import (
    DURATION_PATTERN,
    ID_PATTERN,
    SCENARIO_ID_PATTERN,
    Outcome,
    headline,
)

Id = Annotated[str, Field(pattern=ID_PATTERN)]
ScenarioId = Annotated[str, Field(pattern=SCENARIO_ID_PATTERN)]
Duration = Annotated[str, Field(pattern=DURATION_PATTERN, examples=["10m", "1h30m", "45s"])]
Points = Annotated[int, Field(ge=-5, le=5)]
Value = StrictBool | StrictInt | StrictFloat | StrictStr | list[StrictStr]
"""A variable's value: int, float, bool, string or list of strings."""
AddValue = StrictInt | StrictFloat | StrictStr


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Role(_Strict):
    """A role a participant plays in a team."""

    id: Id
    name: StrictStr
    brief: StrictStr = ""


class Document(_Strict):
    """An item that can enter a team's case file."""

    title: StrictStr
    body: StrictStr = ""
    roles: list[Id] | None = Field(
        default=None, description="Who can read it (default: every role)."
    )


class Effects(_Strict):
    """What happens on entering a scene: set, add, reveal (in that order)."""

    set: dict[Id, Value] = Field(default_factory=dict)
    add: dict[Id, AddValue] = Field(default_factory=dict)
    reveal: list[Id] = Field(default_factory=list)


class Timer(_Strict):
    """Moves a team that has not left the scene after a while."""

    after: Duration
    goto: Id


class Ending(_Strict):
    """Marks a scene as an ending."""

    outcome: Outcome
    debrief: StrictStr = ""


class Choice(_Strict):
    """A decision offered in a scene or as the response to an inject."""

    id: Id
    label: StrictStr
    roles: list[Id] | None = Field(
        default=None, description="Who may choose it (default: every role)."
    )
    if_: StrictStr | None = Field(default=None, alias="if", description="Condition expression.")
    goto: Id | None = Field(default=None, description="Next scene; omit to stay.")
    once: StrictBool = False
    set: dict[Id, Value] = Field(default_factory=dict)
    add: dict[Id, AddValue] = Field(default_factory=dict)
    reveal: list[Id] = Field(default_factory=list)
    assess: dict[Id, Points] = Field(default_factory=dict)
    critical: StrictStr | None = Field(
        default=None,
        description="A sentence: choosing this is a critical error (the engine counts it "
        "in critical_errors).",
    )
    feedback: StrictStr = ""
    dilemma: StrictStr | None = Field(
        default=None,
        description="Marks the option as one side of a facilitator-scored dilemma (no single "
        "right answer): what a good rationale weighs, for the facilitator only (MSEL, console).",
    )


class Scene(_Strict):
    """One situation the team is in."""

    title: StrictStr
    text: StrictStr = ""
    content_warning: StrictStr | None = Field(
        default=None,
        description="Shown to trainees before the scene text, with the option to continue.",
    )
    notes_for_roleplayers: StrictStr | None = Field(
        default=None,
        description="Facilitator-only cues for live role-players (MSEL and console); never "
        "shown to a seat.",
    )
    for_roles: dict[Id, StrictStr] = Field(default_factory=dict)
    on_enter: Effects | None = None
    timer: Timer | None = None
    choices: list[Choice] = Field(default_factory=list)
    ending: Ending | None = None


class Inject(_Strict):
    """A scripted event of the master events list (MSEL)."""

    id: Id
    at: Duration | None = Field(default=None, description="Publish at this exercise time.")
    when: StrictStr | None = Field(
        default=None, description="Publish when this condition first holds."
    )
    to: list[Id] | None = Field(default=None, description="Receiving roles (default: every role).")
    channel: Channel = "email"
    from_: StrictStr = Field(default="", alias="from")
    subject: StrictStr = Field(
        default="",
        description="A subject line; optional (an SMS or a radio call has none): screens "
        "then show the channel and the sender, e.g. 'Text message from Inspector Mara'.",
    )
    message: StrictStr = ""
    expected: StrictStr = ""
    content_warning: StrictStr | None = Field(
        default=None,
        description="Shown to the receiving trainees before the message, with the option to "
        "continue.",
    )
    notes_for_roleplayers: StrictStr | None = Field(
        default=None,
        description="Facilitator-only cues for live role-players (MSEL and console); never "
        "shown to a seat.",
    )
    objective: Id | None = None
    set: dict[Id, Value] = Field(default_factory=dict)
    add: dict[Id, AddValue] = Field(default_factory=dict)
    reveal: list[Id] = Field(default_factory=list)
    goto: Id | None = None
    choices: list[Choice] = Field(default_factory=list)

    @model_validator(mode="after")
    def _headline(self) -> Inject:
        """Without a subject, the channel and the sender stand in for it everywhere."""
        if not self.subject:
            object.__setattr__(self, "subject", headline(self.channel, self.from_))
        return self


class Character(_Strict):
    """A person of the case a live role-player plays, in conversation with the teams."""

    name: StrictStr
    card: StrictStr = Field(
        default="",
        description="Markdown for the role-player only: background, what they know, what "
        "they disclose only when trust is earned, triggers to avoid, how they react to good "
        "and bad practice. Never shown to a seat.",
    )
    talks_to: list[Id] | None = Field(
        default=None,
        description="The roles whose seats may speak with the character (default: every role).",
    )
    scenes: list[Id] = Field(
        min_length=1,
        description="The scenes where the character is present: a team in one of them can "
        "talk with the character.",
    )


class Competency(_Strict):
    """One competency of a rubric."""

    id: Id
    name: StrictStr
    description: StrictStr = ""


class Rubric(_Strict):
    """The competencies decisions are scored against."""

    id: ScenarioId
    name: StrictStr = ""
    description: StrictStr = ""
    competencies: list[Competency] = Field(min_length=1)


class Phase(_Strict):
    """A stretch of the scenario a team goes through, with the questions of its hot-wash
    (the short debrief held when teams leave it)."""

    id: Id
    title: StrictStr
    scenes: list[Id] = Field(min_length=1, description="The scenes of the phase, in order.")
    questions: list[StrictStr] = Field(
        default_factory=list,
        description="Questions for the hot-wash when a team leaves the phase.",
    )


class ScenarioModel(_Strict):
    """A whole scenario file."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        title="simtrain scenario",
        json_schema_extra={"$comment": "simtrain scenario format, version 1"},
    )

    simtrain: Literal[1]
    id: ScenarioId
    title: StrictStr
    summary: StrictStr = ""
    content_warning: StrictStr | None = Field(
        default=None,
        description="Shown to every trainee before the first scene, with the option to step "
        "out; validate warns when a scenario has none.",
    )
    duration: Duration | None = None
    min_decisions: StrictInt | None = Field(
        default=None,
        ge=1,
        description="The fewest team decisions a meaningful run takes; explore and validate "
        "--deep warn when an ending is reachable sooner.",
    )
    rubric: ScenarioId | Rubric = "trauma-informed"
    roles: list[Role] = Field(min_length=1)
    vars: dict[Id, Value] = Field(default_factory=dict)
    documents: dict[Id, Document] = Field(default_factory=dict)
    start: Id
    scenes: dict[Id, Scene] = Field(min_length=1)
    injects: list[Inject] = Field(default_factory=list)
    characters: dict[Id, Character] = Field(
        default_factory=dict,
        description="The people of the case that live role-players play, by id.",
    )
    phases: list[Phase] = Field(
        default_factory=list,
        description="Optional phases (a scene belongs to at most one); the facilitator can "
        "hold teams at a phase's end and run a hot-wash with its questions.",
    )


def json_schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of a scenario file, from the loader's own model."""
    schema = ScenarioModel.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
    }
