"""A team's conversations with the scenario's characters, as transcripts for one reader.

The trainee screen, the role-player seat, the facilitator console and every report read
conversations through :func:`transcripts`; the :class:`~simtrain.views.audience.Audience`
decides which lines and marks the reader sees (a team its own, a role-player its
character's, marks only for readers of the assessment).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from simtrain.engine.events import LineMarked, Said
from simtrain.exercise import Exercise, Recorded
from simtrain.scenario.compiled import Scenario
from simtrain.views.audience import Audience


@dataclass(frozen=True, slots=True)
class MarkView:
    """A mark on a line: a competency, points, a note."""

    competency: str
    competency_name: str
    points: int
    note: str


@dataclass(slots=True)
class LineView:
    """One line of a conversation."""

    number: int
    clock: float
    character: str
    speaker: str
    role: str
    """The seat's role id ('' when the character spoke)."""
    role_name: str
    text: str
    marks: list[MarkView] = field(default_factory=list)

    @property
    def by_character(self) -> bool:
        """Whether the character spoke."""
        return not self.role

    @property
    def who(self) -> str:
        """The speaker as a transcript names them: "Asha (Police investigator)"."""
        return f"{self.speaker} ({self.role_name})" if self.role else self.speaker


@dataclass(slots=True)
class Transcript:
    """One team's conversation with one character."""

    team: str
    character: str
    character_name: str
    lines: list[LineView] = field(default_factory=list)

    @property
    def points(self) -> dict[str, int]:
        """The marks' points per competency id."""
        total: dict[str, int] = {}
        for line in self.lines:
            for mark in line.marks:
                total[mark.competency] = total.get(mark.competency, 0) + mark.points
        return total


def transcripts(
    exercise: Exercise,
    team: str,
    audience: Audience,
    events: Sequence[Recorded] | None = None,
) -> list[Transcript]:
    """The team's conversations this reader may see, one per character in the order they
    began, each line with the marks the reader may see (``events``: the team's log, when
    the caller has read it already)."""
    if not audience.reads_team(team):
        return []
    log = exercise.events(team) if events is None else events
    return transcripts_from(exercise.scenario, team, audience, log)


def transcripts_from(
    scenario: Scenario, team: str, audience: Audience, events: Sequence[Recorded]
) -> list[Transcript]:
    """:func:`transcripts` from the team's log already read (``events``)."""
    if not audience.reads_team(team):
        return []
    found: dict[str, Transcript] = {}
    lines: dict[int, LineView] = {}
    for logged in events:
        event = logged.event
        if not isinstance(event, Said | LineMarked) or not audience.sees(event):
            continue
        if isinstance(event, Said):
            character = scenario.characters.get(event.character)
            transcript = found.get(event.character)
            if transcript is None:
                name = character.name if character else event.character
                transcript = found[event.character] = Transcript(team, event.character, name)
            line = LineView(
                number=event.line,
                clock=event.clock,
                character=event.character,
                speaker=event.speaker,
                role=event.role,
                role_name=scenario.role_names.get(event.role, event.role),
                text=event.text,
            )
            lines[event.line] = line
            transcript.lines.append(line)
        elif event.line in lines:
            lines[event.line].marks.append(
                MarkView(
                    event.competency,
                    scenario.competency_names.get(event.competency, event.competency),
                    event.points,
                    event.note,
                )
            )
    return list(found.values())


def transcripts_json(transcripts_: list[Transcript]) -> list[dict[str, Any]]:
    """The transcripts as report JSON (docs/report-schema.md, ``conversations``)."""
    return [
        {
            "character": t.character,
            "name": t.character_name,
            "lines": [
                {
                    "line": line.number,
                    "clock": round(line.clock, 2),
                    "speaker": line.speaker,
                    "role": line.role or None,
                    "role_name": line.role_name,
                    "text": line.text,
                    "marks": [
                        {
                            "competency": m.competency,
                            "competency_name": m.competency_name,
                            "points": m.points,
                            "note": m.note,
                        }
                        for m in line.marks
                    ],
                }
                for line in t.lines
            ],
        }
        for t in transcripts_
    ]
