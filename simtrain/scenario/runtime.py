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

from msgspec import Struct, field

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
    if_: str | None = None
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
    from_: str = ""
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
# ``raw`` below is what the YAML reader built from a file that validated: every required key
# is there and every value has its type. Containers are copied into plain dicts and lists
# (the reader's carry the source positions, which a running exercise does not need).

Raw = Mapping[str, Any]


def _ids(value: Any) -> list[str] | None:
    return None if value is None else list(value)


def _strings(value: Any) -> list[str]:
    return list(value) if value else []


def _table(value: Any) -> dict[str, Any]:
    """A mapping of ids to plain values (lists copied)."""
    if not value:
        return {}
    return {k: list(v) if isinstance(v, list) else v for k, v in value.items()}


def _aliased(raw: Raw, key: str, name: str, default: Any) -> Any:
    """The value under ``key`` (the file's spelling) or ``name`` (the field's)."""
    if key in raw:
        return raw[key]
    return raw.get(name, default)


def choice_of(raw: Raw) -> Choice:
    """A choice record from its file values."""
    get = raw.get
    return Choice(
        id=raw["id"],
        label=raw["label"],
        roles=_ids(get("roles")),
        if_=_aliased(raw, "if", "if_", None),
        goto=get("goto"),
        once=get("once", False),
        set=_table(get("set")),
        add=_table(get("add")),
        reveal=_strings(get("reveal")),
        assess=_table(get("assess")),
        critical=get("critical"),
        feedback=get("feedback", ""),
        dilemma=get("dilemma"),
    )


def _effects(raw: Raw | None) -> Effects | None:
    if raw is None:
        return None
    return Effects(
        set=_table(raw.get("set")), add=_table(raw.get("add")), reveal=_strings(raw.get("reveal"))
    )


def scene_of(raw: Raw) -> Scene:
    """A scene record from its file values."""
    get = raw.get
    timer = get("timer")
    ending = get("ending")
    return Scene(
        title=raw["title"],
        text=get("text", ""),
        content_warning=get("content_warning"),
        notes_for_roleplayers=get("notes_for_roleplayers"),
        for_roles=_table(get("for_roles")),
        on_enter=_effects(get("on_enter")),
        timer=None if timer is None else Timer(after=timer["after"], goto=timer["goto"]),
        choices=[choice_of(c) for c in get("choices") or ()],
        ending=None
        if ending is None
        else Ending(outcome=ending["outcome"], debrief=ending.get("debrief", "")),
    )


def inject_of(raw: Raw) -> Inject:
    """An inject record from its file values (a missing subject gets its headline)."""
    get = raw.get
    channel = get("channel", "email")
    sender = _aliased(raw, "from", "from_", "")
    return Inject(
        id=raw["id"],
        at=get("at"),
        when=get("when"),
        to=_ids(get("to")),
        channel=channel,
        from_=sender,
        subject=get("subject") or headline(channel, sender),
        message=get("message", ""),
        expected=get("expected", ""),
        content_warning=get("content_warning"),
        notes_for_roleplayers=get("notes_for_roleplayers"),
        objective=get("objective"),
        set=_table(get("set")),
        add=_table(get("add")),
        reveal=_strings(get("reveal")),
        goto=get("goto"),
        choices=[choice_of(c) for c in get("choices") or ()],
    )


def rubric_of(raw: Raw) -> Rubric:
    """A rubric record from its file values."""
    return Rubric(
        id=raw["id"],
        name=raw.get("name", ""),
        description=raw.get("description", ""),
        competencies=[
            Competency(id=c["id"], name=c["name"], description=c.get("description", ""))
            for c in raw["competencies"]
        ],
    )


def scenario_of(raw: Raw) -> ScenarioData:
    """The records of a whole scenario file that validated."""
    get = raw.get
    rubric = get("rubric", "trauma-informed")
    return ScenarioData(
        simtrain=raw["simtrain"],
        id=raw["id"],
        title=raw["title"],
        summary=get("summary", ""),
        content_warning=get("content_warning"),
        duration=get("duration"),
        min_decisions=get("min_decisions"),
        rubric=rubric if isinstance(rubric, str) else rubric_of(rubric),
        roles=[Role(id=r["id"], name=r["name"], brief=r.get("brief", "")) for r in raw["roles"]],
        vars=_table(get("vars")),
        documents={
            key: Document(title=d["title"], body=d.get("body", ""), roles=_ids(d.get("roles")))
            for key, d in (get("documents") or {}).items()
        },
        start=raw["start"],
        scenes={key: scene_of(s) for key, s in raw["scenes"].items()},
        injects=[inject_of(i) for i in get("injects") or ()],
        characters={
            key: Character(
                name=c["name"],
                card=c.get("card", ""),
                talks_to=_ids(c.get("talks_to")),
                scenes=list(c["scenes"]),
            )
            for key, c in (get("characters") or {}).items()
        },
        phases=[
            Phase(
                id=p["id"],
                title=p["title"],
                scenes=list(p["scenes"]),
                questions=_strings(p.get("questions")),
            )
            for p in get("phases") or ()
        ],
    )
