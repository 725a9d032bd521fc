"""The rules of in-character conversations (issue 17), as pure functions the service calls.

A character of the scenario is *present* for a team while the team is in one of the
character's scenes (and has not reached an ending); a team has *reached* the character once
it has entered one of them. Seats whose role the character talks to may speak with it while
it is present; its role-player (or the facilitator) speaks for it to any team it is present
for. Each refusal is one plain sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

from simtrain.engine.state import TeamState
from simtrain.exercise.errors import ExerciseError
from simtrain.plaintext import clean_line
from simtrain.scenario.compiled import Scenario
from simtrain.text import did_you_mean

LINE_LENGTH = 600
"""Longest conversation line, in characters (about five spoken sentences)."""
NOTE_LENGTH = 300
"""Longest note on a mark."""


def present(scenario: Scenario, state: TeamState) -> tuple[str, ...]:
    """The characters present in the team's scene now (none once the team has ended)."""
    if state.ended:
        return ()
    return scenario.scene_characters.get(state.scene, ())


def reached(scenario: Scenario, state: TeamState, character: str) -> bool:
    """Whether the team has entered one of the character's scenes."""
    return any(state.visits.get(scene, 0) for scene in scenario.characters[character].scenes)


def check_character(scenario: Scenario, character: str) -> str:
    """``character`` if the scenario has it; otherwise an ExerciseError with a hint."""
    if character not in scenario.characters:
        known = scenario.characters
        raise ExerciseError(
            f"'{character}' is not a character of this scenario{did_you_mean(character, known)}"
            + ("; characters: " + ", ".join(known) if known else "; it has no characters")
        )
    return character


def line_text(text: str) -> str:
    """A conversation line as it is stored: one line of plain text (control sequences
    removed, whitespace folded), refused when empty or longer than :data:`LINE_LENGTH`."""
    line = clean_line(text)
    if not line:
        raise ExerciseError("the line is empty: type what is said")
    if len(line) > LINE_LENGTH:
        raise ExerciseError(
            f"a conversation line is at most {LINE_LENGTH} characters (this one has "
            f"{len(line)}); say it in two lines"
        )
    return line


def _scene_titles(scenario: Scenario, scenes: Sequence[str]) -> str:
    return ", ".join(f"“{scenario.scenes[s].title}”" for s in dict.fromkeys(scenes))


def _not_present(scenario: Scenario, state: TeamState, team: str, character: str) -> str:
    who = scenario.characters[character]
    if state.ended:
        return f"team {team} has reached an ending; {who.name} is no longer there to talk with"
    return (
        f"{who.name} is not in team {team}'s scene (“{scenario.scenes[state.scene].title}”); "
        f"the character is present in {_scene_titles(scenario, who.scenes)}"
    )


def character_may_speak(scenario: Scenario, state: TeamState, team: str, character: str) -> None:
    """Refuse, with a sentence, a line the character would speak to a team it is not with."""
    if character not in present(scenario, state):
        raise ExerciseError(_not_present(scenario, state, team, character))


def seat_partner(
    scenario: Scenario, state: TeamState, team: str, role: str, character: str | None
) -> str:
    """The character a seat of ``role`` speaks with: ``character`` if given (refused when
    absent or when it does not talk to the role), else the one present character that
    talks to the role (refused when there is none, or more than one to choose from)."""
    role_name = scenario.role_names.get(role, role)
    if character is not None:
        check_character(scenario, character)
        who = scenario.characters[character]
        if role not in scenario.talks_to(character):
            talks = ", ".join(scenario.role_names[r] for r in scenario.talks_to(character))
            raise ExerciseError(
                f"{who.name} does not talk with the {role_name}; the character talks with: {talks}"
            )
        character_may_speak(scenario, state, team, character)
        return character
    here = present(scenario, state)
    if not here:
        scene = scenario.scenes[state.scene].title
        raise ExerciseError(
            f"no one in team {team}'s scene (“{scene}”) is there to talk with"
            if not state.ended
            else f"team {team} has reached an ending; there is no one left to talk with"
        )
    partners = [c for c in here if role in scenario.talks_to(c)]
    if not partners:
        names = " and ".join(scenario.characters[c].name for c in here)
        raise ExerciseError(f"{names} does not talk with the {role_name}")
    if len(partners) > 1:
        raise ExerciseError(
            "several characters are here; name the one you speak to: " + ", ".join(partners)
        )
    return partners[0]


def mark_points(points: int) -> int:
    """Refuse points outside -5..5, or 0."""
    if not -5 <= points <= 5 or points == 0:
        raise ExerciseError("a mark is a whole number of points from -5 to 5, not 0")
    return points


def mark_note(note: str) -> str:
    """A mark's note, one line of plain text, at most :data:`NOTE_LENGTH` characters."""
    return clean_line(note, NOTE_LENGTH)
