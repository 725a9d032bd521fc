"""What a role-player's seat shows, and its calls to the exercise (issue 17).

A role-player plays one character of the scenario. Through
:meth:`~simtrain.views.audience.Audience.roleplayer` it reads the character's card, its
conversations with every team that has reached one of the character's scenes, and what
each of those teams knows so far (its scene and case file) — nothing else: no facilitator
notes, no expected actions, no scores, no other conversation. No Textual here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

from simtrain.exercise import ROLEPLAYER, ClockState, Exercise, ExerciseError
from simtrain.exercise.conversations import present
from simtrain.text import sentence
from simtrain.views.audience import Audience
from simtrain.views.conversation import LineView, transcripts
from simtrain.views.follow import Reconnected, Trouble, follow

SEAT_POLL_S = 0.25
"""How often the seat looks for other processes' lines."""


@dataclass(frozen=True)
class TeamDesk:
    """One team the character is in conversation with, as its role-player sees it."""

    team: str
    here: bool
    """Whether the character is in the team's scene now (the role-player may speak)."""
    scene_title: str
    scene_text: str
    documents: tuple[tuple[str, str], ...]
    """(title, body) of each document in the team's case file, in the order it arrived."""
    lines: tuple[LineView, ...]
    """The team's conversation with this character, oldest first, with its marks."""
    ended: bool = False


@dataclass(frozen=True)
class RoleplayView:
    """Everything the role-player's screen shows at one moment."""

    exercise: str
    character: str
    name: str
    card: str
    clock: ClockState
    teams: tuple[TeamDesk, ...]
    """The teams that have reached one of the character's scenes, in creation order."""

    def desk(self, team: str) -> TeamDesk | None:
        """The desk of ``team``, if it has reached the character."""
        return next((d for d in self.teams if d.team == team), None)


def roleplay_view(exercise: Exercise, character: str) -> RoleplayView:
    """The role-player's view of ``character`` now."""
    scenario = exercise.scenario
    reached = exercise.teams_reached(character)
    audience = Audience.roleplayer(character, reached)
    desks = []
    for team in reached:
        state = exercise.state(team)
        scene = scenario.scenes[state.scene]
        documents = tuple(
            (scenario.model.documents[d].title, scenario.model.documents[d].body)
            for d in state.case_file
            if audience.may_read(scenario, d)
        )
        lines = tuple(line for t in transcripts(exercise, team, audience) for line in t.lines)
        desks.append(
            TeamDesk(
                team=team,
                here=character in present(scenario, state),
                scene_title=scene.title,
                scene_text=scene.text,
                documents=documents,
                lines=lines,
                ended=state.ended,
            )
        )
    model = scenario.characters[character]
    return RoleplayView(
        exercise=exercise.id,
        character=character,
        name=model.name,
        card=model.card,
        clock=exercise.clock(),
        teams=tuple(desks),
    )


class RoleplaySession:
    """A role-player's calls to the exercise service, once its code was checked. Every
    method may block: call them from a worker thread, never from a UI's event loop."""

    def __init__(self, exercise: Exercise, character: str) -> None:
        self.exercise = exercise
        self.character = character
        self._cursor = exercise.last_id()
        self._lock = threading.Lock()

    @classmethod
    def open(cls, exercise: Exercise, character: str, code: str) -> RoleplaySession:
        """The seat of ``character``'s role-player (raises ExerciseError with a sentence
        when the code does not open it)."""
        exercise.check_character_code(character, code.strip())
        return cls(exercise, character)

    def view(self) -> RoleplayView:
        """The role-player's view now."""
        with self._lock:
            return roleplay_view(self.exercise, self.character)

    def wait(self, timeout: float = 1.0) -> RoleplayView | None:
        """Wait up to ``timeout`` s for news; the new view, or None when nothing changed."""
        events = self.exercise.watch(self._cursor, timeout, poll=SEAT_POLL_S)
        if not events:
            return None
        view = self.view()
        self._cursor = events[-1].id  # past the news once its view is built
        return view

    def follow(
        self, stop: threading.Event, timeout: float = 1.0
    ) -> Iterator[RoleplayView | Trouble | Reconnected]:
        """The role-player's news until ``stop`` is set (see
        :func:`simtrain.views.follow.follow`): a new view on news; :class:`Trouble` while
        the exercise cannot be read, then :class:`Reconnected` and the view afresh."""
        return follow(self.wait, self.view, stop, timeout)

    def say(self, team: str, text: str) -> str:
        """Speak a line as the character to ``team``; '' when recorded, else why not."""
        try:
            self.exercise.speak_as(team, self.character, text, by=ROLEPLAYER)
        except ExerciseError as exc:
            return sentence(str(exc))
        return ""

    def mark(self, team: str, line: int, competency: str, points: int, note: str) -> str:
        """Mark a line of this character's conversation with ``team``; '' when recorded,
        else why not."""
        try:
            self.exercise.mark(
                team, line, competency, points, note, character=self.character, by=ROLEPLAYER
            )
        except ExerciseError as exc:
            return sentence(str(exc))
        return ""
