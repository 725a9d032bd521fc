"""The scenario's parts as the engine runs them: plain frozen records, no pydantic.

:mod:`simtrain.scenario.model` holds the scenario format as pydantic models: they validate
a file (with the shape diagnostics built from their errors) and generate the JSON Schema.
Running an exercise needs none of that: a seat, the console and ``status`` load the copy
of the scenario stored with the exercise, which was validated when the exercise was
created. Importing pydantic and building the models' validators cost a seat some 20 MB
of its memory and every command a few hundred milliseconds of start-up, so the engine
works on these records instead, built straight from a valid file's YAML values.

Every record has the fields of its pydantic model, under the same names (``if_`` and
``from_`` for the keys ``if`` and ``from``) and with the same defaults;
``tests/test_scenario_runtime.py`` checks the two stay in step. The records are msgspec
Structs (as the log's events are): defined at import in microseconds each, where a
frozen dataclass took over a millisecond of every command's start-up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from msgspec import Struct, convert, field
from msgspec.structs import force_setattr

from simtrain.scenario.channels import CHANNEL_NAMES, Channel

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
"""Ids of roles, variables, documents, scenes, choices, injects and competencies."""
SCENARIO_ID_PATTERN = r"^[a-z][a-z0-9_-]*$"
"""Ids of scenarios and rubrics, which may also contain '-'."""
DURATION_PATTERN = r"^(\d+h(\d+m)?(\d+s)?|\d+m(\d+s)?|\d+s)$"
"""Durations such as 45s, 10m, 1h30m."""

Value = bool | int | float | str | list[str]
"""A variable's value: int, float, bool, string or list of strings."""
AddValue = int | float | str
Outcome = Literal["success", "partial", "failure"]

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def duration_minutes(text: str) -> float:
    """Minutes in a duration string such as ``1h30m`` (90.0) or ``45s`` (0.75)."""
    match = _DURATION.match(text)
    if not match or not text:
        raise ValueError(f"not a duration: {text!r}")
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 60 + minutes + seconds / 60


class Role(Struct, frozen=True, kw_only=True):
    """A role a participant plays in a team."""

    id: str
    name: str
    brief: str = ""


class Document(Struct, frozen=True, kw_only=True):
    """An item that can enter a team's case file."""

    title: str
    body: str = ""
    roles: list[str] | None = None
    """Who can read it (None: every role)."""


class Effects(Struct, frozen=True, kw_only=True):
    """What happens on entering a scene: set, add, reveal (in that order)."""

    set: dict[str, Value] = field(default_factory=dict)
    add: dict[str, AddValue] = field(default_factory=dict)
    reveal: list[str] = field(default_factory=list)


class Timer(Struct, frozen=True, kw_only=True):
    """Moves a team that has not left the scene after a while."""

    after: str
    goto: str


class Ending(Struct, frozen=True, kw_only=True):
    """Marks a scene as an ending."""

    outcome: Outcome
    debrief: str = ""


class Choice(Struct, frozen=True, kw_only=True):
    """A decision offered in a scene or as the response to an inject."""

    id: str
    label: str
    roles: list[str] | None = None
    if_: str | None = field(default=None, name="if")
    goto: str | None = None
    once: bool = False
    set: dict[str, Value] = field(default_factory=dict)
    add: dict[str, AddValue] = field(default_factory=dict)
    reveal: list[str] = field(default_factory=list)
    assess: dict[str, int] = field(default_factory=dict)
    critical: str | None = None
    feedback: str = ""
    dilemma: str | None = None


class Scene(Struct, frozen=True, kw_only=True):
    """One situation the team is in."""

    title: str
    text: str = ""
    content_warning: str | None = None
    notes_for_roleplayers: str | None = None
    for_roles: dict[str, str] = field(default_factory=dict)
    on_enter: Effects | None = None
    timer: Timer | None = None
    choices: list[Choice] = field(default_factory=list)
    ending: Ending | None = None


class Inject(Struct, frozen=True, kw_only=True):
    """A scripted event of the master events list (MSEL)."""

    id: str
    at: str | None = None
    when: str | None = None
    to: list[str] | None = None
    channel: Channel = "email"
    from_: str = field(default="", name="from")
    subject: str = ""
    """Without a subject in the file, the channel and the sender (see :func:`headline`)."""
    message: str = ""
    expected: str = ""
    content_warning: str | None = None
    notes_for_roleplayers: str | None = None
    objective: str | None = None
    set: dict[str, Value] = field(default_factory=dict)
    add: dict[str, AddValue] = field(default_factory=dict)
    reveal: list[str] = field(default_factory=list)
    goto: str | None = None
    choices: list[Choice] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.subject:  # without a subject, the channel and the sender stand in
            force_setattr(self, "subject", headline(self.channel, self.from_))


def headline(channel: str, sender: str) -> str:
    """What stands for a missing subject: the channel and the sender."""
    name = CHANNEL_NAMES[channel]
    return f"{name} from {sender}" if sender else name


class Character(Struct, frozen=True, kw_only=True):
    """A person of the case a live role-player plays, in conversation with the teams."""

    name: str
    card: str = ""
    talks_to: list[str] | None = None
    scenes: list[str]


class Competency(Struct, frozen=True, kw_only=True):
    """One competency of a rubric."""

    id: str
    name: str
    description: str = ""


class Rubric(Struct, frozen=True, kw_only=True):
    """The competencies decisions are scored against."""

    id: str
    name: str = ""
    description: str = ""
    competencies: list[Competency]


class Phase(Struct, frozen=True, kw_only=True):
    """A stretch of the scenario a team goes through, with its hot-wash questions."""

    id: str
    title: str
    scenes: list[str]
    questions: list[str] = field(default_factory=list)


class ScenarioData(Struct, frozen=True, kw_only=True):
    """A whole scenario file."""

    simtrain: int
    id: str
    title: str
    summary: str = ""
    content_warning: str | None = None
    duration: str | None = None
    min_decisions: int | None = None
    rubric: str | Rubric = "trauma-informed"
    roles: list[Role]
    vars: dict[str, Value] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    start: str
    scenes: dict[str, Scene]
    injects: list[Inject] = field(default_factory=list)
    characters: dict[str, Character] = field(default_factory=dict)
    phases: list[Phase] = field(default_factory=list)


# -- building records from a valid file's values ------------------------------------------
# ``raw`` below is what the YAML reader built from a file that validated (or what
# ``msgspec.to_builtins`` made of these records): every required key is there and every
# value has its type. ``msgspec.convert`` builds the records from it, copying containers
# into plain dicts and lists (the reader's carry source positions no exercise needs).

Raw = Mapping[str, Any]

_FIELD_SPELLING = {"if_": "if", "from_": "from"}
"""The models also take a field's own name for the keys ``if`` and ``from``."""


def _file_spelling(item: Raw) -> Raw:
    """A choice or an inject with ``if``/``from`` as the file spells them (a key written
    both ways keeps the file's spelling, as the models do)."""
    if not any(name in item for name in _FIELD_SPELLING):
        return item
    spelled = {k: v for k, v in item.items() if k not in _FIELD_SPELLING}
    for name, key in _FIELD_SPELLING.items():
        if name in item and key not in item:
            spelled[key] = item[name]
    return spelled


def _with_choices(item: Raw) -> Raw:
    choices = item.get("choices")
    if not choices:
        return item
    return {**item, "choices": [_file_spelling(c) for c in choices]}


def choice_of(raw: Raw) -> Choice:
    """A choice record from its file values."""
    return convert(_file_spelling(raw), Choice)


def inject_of(raw: Raw) -> Inject:
    """An inject record from its file values (a missing subject gets its headline)."""
    return convert(_with_choices(_file_spelling(raw)), Inject)


def rubric_of(raw: Raw) -> Rubric:
    """A rubric record from its file values."""
    return convert(raw, Rubric)


def scenario_of(raw: Raw) -> ScenarioData:
    """The records of a whole scenario file that validated."""
    spelled = {
        **raw,
        "scenes": {key: _with_choices(scene) for key, scene in raw["scenes"].items()},
        "injects": [_with_choices(_file_spelling(i)) for i in raw.get("injects") or ()],
    }
    return convert(spelled, ScenarioData)
