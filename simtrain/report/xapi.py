"""The exercise as xAPI 1.0.3 statements, for a Learning Record Store (LRS) or an LMS.

``statements(exercise, team, base)`` is what ``simtrain report --format xapi`` prints (a
JSON array): for each team,

- each decision: the participant ``answered`` the choice (the object), with the choice's
  assessment as the result's score (``raw``: its points) and, in the result's extensions,
  the points per competency and the critical error it was, if any;
- each inject the team received: every seat it reached ``experienced`` it (the team, as a
  group, when it reached no seat); an inject's response is a decision like any other,
  whose context names the inject as its parent;
- each mark a role-player (or the facilitator) gave a conversation line (issue 17): the
  seat who spoke it ``responded`` to the character (the object), the line as the
  result's response, the mark's points as its score and competency extension;
- its ending: the team ``completed`` the scenario, with ``success`` (the outcome is
  ``success``), ``completion`` and the outcome and total score in the result.

:meth:`_Team._statements_of` is where an event kind becomes statements.

Identity: actors are accounts (``homePage`` the base, ``name`` the seat's name) — never
an e-mail; a team is an identified group (its account name is the exercise and the team).
Each team's run of the exercise has one ``context.registration``, and every statement an
id, both UUIDs derived (uuid5) from the exercise, the team and the event, so that the same
exercise always gives the same statements, and sending them again never stores one twice.
Activity ids are IRIs under the base (``--xapi-base``, default :data:`DEFAULT_BASE`).

Visibility is the report's (:mod:`simtrain.views.audience`): a team's statements are those
of its version of the report. Before the debrief is released they hold no score,
assessment or critical error (and their ids differ from the assessed ones, so the two never
collide in an LRS); nothing facilitator-only is ever in a statement.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from simtrain.engine import rules
from simtrain.engine.events import FOLDED, Chose, InjectDelivered, Joined, LineMarked, Said
from simtrain.engine.rules import Refused
from simtrain.exercise import Exercise, ExerciseError, Recorded
from simtrain.views.audience import Audience

if TYPE_CHECKING:
    from simtrain.engine.state import Draft

__all__ = ["DEFAULT_BASE", "VERBS", "XAPI_VERSION", "statements"]

XAPI_VERSION = "1.0.3"
DEFAULT_BASE = "https://simtrain.invalid/xapi/"
"""Where activity ids and account home pages live unless ``--xapi-base`` says otherwise.
``.invalid`` never resolves: it marks ids that stand for nothing on the web; set the base
to a URL of your organisation (docs/running-an-exercise.md, "The learning record")."""
_ADL = "http://adlnet.gov/expapi/verbs/"
VERBS: dict[str, dict[str, Any]] = {
    verb: {"id": _ADL + verb, "display": {"en-US": verb}}
    for verb in ("answered", "experienced", "responded", "completed")
}
"""The ADL vocabulary verbs the statements use."""
_ACTIVITY = "http://adlnet.gov/expapi/activities/"
_BASE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#]+[^\s?#]*$")
"""An absolute IRI with an authority and no query or fragment (ids are appended to it)."""
_NAMESPACE = uuid.UUID("6f1c2b1e-58f4-5c1a-9d1e-73696d747261")
"""The namespace of every uuid5 simtrain derives (fixed: ids must never change)."""


def statements(
    exercise: Exercise, team: str | None = None, base: str = DEFAULT_BASE
) -> list[dict[str, Any]]:
    """Every statement of ``exercise`` (every team's, or with ``team`` that team's version),
    ordered by team, then as the events happened."""
    if not _BASE.match(base):
        raise ExerciseError(
            f"'{base}' is not an IRI to put activity ids under; give one such as "
            "https://training.example.org/simtrain/"
        )
    base = base if base.endswith("/") else base + "/"
    clock = exercise.clock()
    audience = (
        Audience.facilitator()
        if team is None
        else Audience.of_team(team, released=clock.debrief_released)
    )
    teams = [exercise.check_team(team)] if team is not None else list(exercise.teams)
    found: list[dict[str, Any]] = []
    for name in teams:
        found += _Team(exercise, name, base, audience).statements()
    return found


def timestamp(wall: float) -> str:
    """A Unix time as an xAPI timestamp (ISO 8601, UTC, milliseconds)."""
    return (
        datetime.fromtimestamp(wall, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


class _Team:
    """The statements of one team, as one reader may read them."""

    def __init__(self, exercise: Exercise, team: str, base: str, audience: Audience) -> None:
        self.exercise = exercise
        self.scenario = exercise.scenario
        self.team = team
        self.base = base
        self.audience = audience
        self.assessed = audience.sees_assessment
        self.scenario_iri = f"{base}scenarios/{self.scenario.id}"
        run = f"{base}|{exercise.id}|{exercise.record.created_wall!r}|{team}"
        self.registration = str(uuid.uuid5(_NAMESPACE, run))
        self.events = exercise.events(team)
        self.members: dict[str, dict[str, Any]] = {}
        self.lines: dict[int, Said] = {}
        """The team's conversation lines so far, by number."""

    # -- identities ------------------------------------------------------------------------

    def agent(self, name: str) -> dict[str, Any]:
        """A participant: an account under the base, named as the seat was."""
        agent = self.members.get(name)
        if agent is None:
            agent = self.members[name] = {
                "objectType": "Agent",
                "name": name,
                "account": {"homePage": self.base, "name": name},
            }
        return agent

    def group(self) -> dict[str, Any]:
        """The team: an identified group of the participants seen so far."""
        group: dict[str, Any] = {
            "objectType": "Group",
            "name": self.team,
            "account": {"homePage": self.base, "name": f"{self.exercise.id}/{self.team}"},
        }
        if self.members:
            group["member"] = list(self.members.values())
        return group

    def statement_id(self, entry: Recorded, part: str) -> str:
        """The same statement always gets the same id; an assessed statement and the one
        a team reads before the release differ, so they get two."""
        level = "assessed" if self.assessed else "seen"
        return str(uuid.uuid5(_NAMESPACE, f"{self.registration}|{entry.seq}|{part}|{level}"))

    # -- activities --------------------------------------------------------------------------

    def activity(self, path: str, kind: str, name: str, description: str = "") -> dict[str, Any]:
        definition: dict[str, Any] = {"name": {"en": name}, "type": _ACTIVITY + kind}
        if description:
            definition["description"] = {"en": description}
        return {"objectType": "Activity", "id": self.scenario_iri + path, "definition": definition}

    def scenario_activity(self) -> dict[str, Any]:
        summary = (self.scenario.model.summary or "").strip()
        return self.activity("", "simulation", self.scenario.title, summary)

    def scene_activity(self, scene_id: str) -> dict[str, Any]:
        scene = self.scenario.scenes.get(scene_id)
        return self.activity(f"/scenes/{scene_id}", "module", scene.title if scene else scene_id)

    def inject_activity(self, inject_id: str) -> dict[str, Any]:
        inject = self.scenario.injects[inject_id]
        return self.activity(f"/injects/{inject_id}", "media", inject.subject)

    def context(self, parent: dict[str, Any] | None, **extensions: Any) -> dict[str, Any]:
        activities: dict[str, Any] = {"grouping": [self.scenario_activity()]}
        if parent is not None:
            activities["parent"] = [parent]
        return {
            "registration": self.registration,
            "platform": "simtrain",
            "language": "en",
            "team": self.group(),
            "contextActivities": activities,
            "extensions": {
                self.base + "extensions/exercise": self.exercise.id,
                self.base + "extensions/team": self.team,
                **{self.base + f"extensions/{k}": v for k, v in extensions.items()},
            },
        }

    def statement(
        self,
        entry: Recorded,
        part: str,
        actor: dict[str, Any],
        verb: str,
        target: dict[str, Any],
        context: dict[str, Any],
        result: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        found: dict[str, Any] = {
            "id": self.statement_id(entry, part),
            "actor": actor,
            "verb": VERBS[verb],
            "object": target,
        }
        if result is not None:
            found["result"] = result
        found["context"] = context
        found["timestamp"] = timestamp(entry.wall)
        found["version"] = XAPI_VERSION
        return found

    # -- statements --------------------------------------------------------------------------

    def statements(self) -> list[dict[str, Any]]:
        engine = self.exercise.engine
        draft = engine.initial_state().thaw()
        found: list[dict[str, Any]] = []
        for entry in self.events:
            event = entry.event
            if isinstance(event, FOLDED):
                decisions, was_ended = len(draft.path), draft.ended
                try:
                    rules.step(self.scenario, draft, event)
                except Refused:
                    continue  # a refused event leaves no trace (as in every replay)
                found += self._statements_of(entry, draft, decisions, was_ended)
            elif isinstance(event, Joined):
                self.agent(event.name or entry.actor)  # a member of the team from now on
            elif isinstance(event, Said):
                self.lines[event.line] = event
            else:
                found += self._statements_of(entry, draft, len(draft.path), draft.ended)
        return found

    def _statements_of(
        self, entry: Recorded, draft: Draft, decisions: int, was_ended: bool
    ) -> Iterator[dict[str, Any]]:
        """The statements one log entry gives, ``draft`` the team's state after it."""
        event = entry.event
        if isinstance(event, Chose) and len(draft.path) > decisions:
            yield self._answered(entry, draft, len(draft.path))
        elif isinstance(event, InjectDelivered) and event.inject in draft.inbox:
            yield from self._experienced(entry, event)
        elif isinstance(event, LineMarked) and self.audience.sees(event):
            yield self._responded(entry, event)
        if draft.ended and not was_ended:
            yield self._completed(entry, draft)

    def _answered(self, entry: Recorded, draft: Draft, n: int) -> dict[str, Any]:
        step = draft.path[n - 1]
        choice = self.scenario.choices[step.choice]
        actor = self.agent(step.actor or entry.actor or f"{self.team} {step.role}")
        target = self.activity(f"/choices/{choice.id}", "interaction", choice.label)
        result: dict[str, Any] = {"response": choice.id, "completion": True}
        extensions: dict[str, Any] = {}
        if step.rationale:
            extensions[self.base + "extensions/rationale"] = step.rationale
        if self.assessed:
            result["score"] = {"raw": sum(choice.assess.values())}
            extensions[self.base + "extensions/competencies"] = dict(choice.assess)
            if choice.critical:
                extensions[self.base + "extensions/critical"] = choice.critical
        if extensions:
            result["extensions"] = extensions
        parent = (
            self.inject_activity(step.inject)
            if step.inject is not None
            else self.scene_activity(step.scene)
        )
        context = self.context(
            parent,
            decision=n,
            role=step.role,
            clock=round(step.clock, 2),
        )
        return self.statement(entry, "answered", actor, "answered", target, context, result)

    def _experienced(self, entry: Recorded, event: InjectDelivered) -> Iterator[dict[str, Any]]:
        inject = self.scenario.injects[event.inject]
        target = self.inject_activity(event.inject)
        context = self.context(
            None,
            channel=inject.channel,
            clock=round(event.clock, 2),
            manual=event.manual,
        )
        reached = event.reached or ()
        actors = [self.agent(name) for name in reached] or [self.group()]
        for index, actor in enumerate(actors):
            yield self.statement(
                entry, f"experienced/{index}", actor, "experienced", target, context
            )

    def _responded(self, entry: Recorded, mark: LineMarked) -> dict[str, Any]:
        line = self.lines.get(mark.line)
        character = self.scenario.characters.get(mark.character)
        name = character.name if character is not None else mark.character
        target = self.activity(f"/characters/{mark.character}", "interaction", name)
        spoken_by_seat = line is not None and not line.by_character
        actor = self.agent(line.speaker) if line is not None and spoken_by_seat else self.group()
        result: dict[str, Any] = {
            "score": {"raw": mark.points},
            "extensions": {self.base + "extensions/competencies": {mark.competency: mark.points}},
        }
        if line is not None:
            result["response"] = line.text
        if mark.note:
            result["extensions"][self.base + "extensions/note"] = mark.note
        extensions: dict[str, Any] = {"line": mark.line, "clock": round(mark.clock, 2)}
        if line is not None and line.role:
            extensions["role"] = line.role
        context = self.context(None, **extensions)
        return self.statement(entry, "responded", actor, "responded", target, context, result)

    def _completed(self, entry: Recorded, draft: Draft) -> dict[str, Any]:
        outcome = draft.outcome or ""
        result: dict[str, Any] = {"completion": True, "success": outcome == "success"}
        extensions: dict[str, Any] = {self.base + "extensions/outcome": outcome}
        if self.assessed:
            result["score"] = {"raw": sum(draft.points.values())}
            extensions[self.base + "extensions/competencies"] = dict(draft.points)
        result["extensions"] = extensions
        context = self.context(
            None,
            ending=draft.scene,
            clock=round(draft.entered_at, 2),
            decisions=len(draft.path),
        )
        target = self.scenario_activity()
        return self.statement(
            entry, "completed", self.group(), "completed", target, context, result
        )
