"""The role-player's seat (issue 17): the card, each team that reached the character, a
line written to the chosen team, a marked line; nothing beyond the character."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Markdown, OptionList, Select

from simtrain.engine.events import Said
from simtrain.exercise import ROLEPLAYER, Created, ExerciseError, ExerciseService
from simtrain.tui.roleplay import MarkDialog, RoleplayApp, RoleplayScreen
from simtrain.tui.talk import LineInput, Transcript
from simtrain.views.roleplay import RoleplaySession
from tests.pilot import until

from .conftest import CARD_MARKER, CUE_MARKERS, character_scenario

WATCH = 0.1


@pytest.fixture
def made(tmp_path: Path) -> Iterator[Created]:
    control = ExerciseService.open(tmp_path / "w.db", create=True)
    created = control.create_exercise(
        character_scenario(tmp_path), ["red", "blue"], exercise_id="ex"
    )
    created.exercise.start()
    yield created
    control.close()


def to_screening(made: Created, team: str) -> None:
    exercise = made.exercise
    exercise.act(
        exercise.headless_seat(team, made.teams[team], "investigator", "Ivo"),
        "screen_individually",
    )


def shown(screen: RoleplayScreen) -> str:
    return str(screen.query_one(Transcript).query_one("#transcript-text").render())


def test_a_wrong_code_opens_no_seat(made: Created) -> None:
    with pytest.raises(ExerciseError, match="does not open the role-player seat of Ms Dara"):
        RoleplaySession.open(made.exercise, "dara", "ZZZZZZ")


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_roleplayer_talks_with_a_chosen_team_and_marks_a_line(
    made: Created, tmp_path: Path, size: tuple[int, int]
) -> None:
    exercise = made.exercise
    to_screening(made, "red")
    service = ExerciseService.open(tmp_path / "w.db")
    session = RoleplaySession.open(service.exercise("ex"), "dara", made.characters["dara"])
    app = RoleplayApp(session, session.view(), watch_timeout=WATCH)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: isinstance(pilot.app.screen, RoleplayScreen))
        screen = pilot.app.screen
        assert isinstance(screen, RoleplayScreen)
        card = screen.query_one("#rp-card-text", Markdown)
        assert CARD_MARKER in card.source
        teams = screen.query_one("#rp-teams", OptionList)
        assert [teams.get_option_at_index(i).id for i in range(teams.option_count)] == ["red"]
        # blue reaches the character's scene: it appears, the seat says so
        to_screening(made, "blue")
        await until(pilot, lambda: teams.option_count == 2)
        assert "Team blue has reached your scene" in str(screen.query_one("#rp-status").render())
        # a trainee of red speaks; the role-player answers red
        worker = exercise.headless_seat("red", made.teams["red"], "social_worker", "Asha")
        exercise.say(worker, "Hello, I am Asha. [red]Can[/red] I sit?")
        await until(pilot, lambda: "[red]Can[/red] I sit?" in shown(screen))
        await pilot.press(*"Yes. Will he know?")
        await pilot.press("enter")
        await until(pilot, lambda: screen.query_one(LineInput).value == "")
        await until(pilot, lambda: "Ms Dara: Yes. Will he know?" in shown(screen))
        # F4: the next team, blue, with nothing said yet
        await pilot.press("f4")
        assert screen.team == "blue" and "Nothing said yet" in shown(screen)
        await pilot.press(*"BLUE-LINE")
        await pilot.press("enter")
        await until(pilot, lambda: "BLUE-LINE" in shown(screen))
        # back to red; F3 marks its last line (2) for trust
        await pilot.press("f4")
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(pilot.app.screen, MarkDialog))
        dialog = pilot.app.screen
        dialog.query_one("#mark-competency", Select).value = "trust"
        dialog.query_one("#mark-line", Input).value = "1"
        dialog.query_one("#mark-note", Input).value = "introduced herself first"
        await pilot.click("#mark-ok")
        await until(
            pilot, lambda: "✓ Trust and transparency +1 — introduced herself" in shown(screen)
        )
    red = [e.event for e in exercise.conversation("red")]
    assert [(e.line, e.speaker) for e in red if isinstance(e, Said)] == [
        (1, "Asha"),
        (2, "Ms Dara"),
    ]
    assert [e.actor for e in exercise.conversation("red")][1] == ROLEPLAYER
    assert [m.line for m in exercise.state("red").marks] == [1]
    blue = [e.event for e in exercise.conversation("blue")]
    assert [e.text for e in blue if isinstance(e, Said)] == ["BLUE-LINE"]
    service.close()


def test_the_roleplayer_reads_no_facilitator_notes_and_no_assessment(tmp_path: Path) -> None:
    with ExerciseService.open(tmp_path / "c.db", create=True) as service:
        cued = service.create_exercise(character_scenario(tmp_path, cued=True), ["red"])
        cued.exercise.start()
        to_screening(cued, "red")
        cued.exercise.publish("journalist_call", "red")
        cued.exercise.observe("red", "note", "PRIVATE-NOTE about red")
        session = RoleplaySession.open(cued.exercise, "dara", cued.characters["dara"])
        flat = repr(session.view())
    assert CARD_MARKER in flat
    for secret in (*CUE_MARKERS, "PRIVATE-NOTE", "Separating people from possible controllers"):
        assert secret not in flat


async def test_the_join_screen_offers_the_roleplayer_seat(made: Created, tmp_path: Path) -> None:
    """The browser seat (serve runs the trainee app's join screen): a role-player picks
    "Role-player: Ms Dara" as the role and types the character's code."""
    from simtrain.tui.app import TraineeApp

    to_screening(made, "red")
    service = ExerciseService.open(tmp_path / "w.db")
    app = TraineeApp(service, watch_timeout=WATCH)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.screen.query_one("#exercise", Select).value == "ex")
        screen = app.screen
        await until(pilot, lambda: screen.query_one("#team", Select).value == "red")
        options = [str(prompt) for prompt, _ in screen.query_one("#role", Select)._options]
        assert "Role-player: Ms Dara" in options
        screen.query_one("#role", Select).value = "role-player:dara"
        screen.query_one("#code", Input).value = "ZZZZZZ"
        await pilot.click("#join-button")
        await until(
            pilot,
            lambda: (
                "does not open the role-player seat"
                in str(screen.query_one("#join-error").render())
            ),
        )
        screen.query_one("#code", Input).value = made.characters["dara"]
        # Textual's button ignores a click while it still shows the last one (its "-active"
        # moment, 0.2 s); on a loaded machine the refusal can come back sooner than that
        button = screen.query_one("#join-button")
        await until(pilot, lambda: not button.has_class("-active"))
        await pilot.click("#join-button")
        await until(pilot, lambda: isinstance(app.screen, RoleplayScreen))
        assert CARD_MARKER in app.screen.query_one("#rp-card-text", Markdown).source
    service.close()


async def test_the_line_takes_the_keys_once_the_first_team_arrives(
    made: Created, tmp_path: Path
) -> None:
    """Opened before any team reached the character, the seat's field was disabled and
    never took the keys: the role-player's first answer went nowhere."""
    service = ExerciseService.open(tmp_path / "w.db")
    session = RoleplaySession.open(service.exercise("ex"), "dara", made.characters["dara"])
    app = RoleplayApp(session, session.view(), watch_timeout=WATCH)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(pilot.app.screen, RoleplayScreen))
        screen = pilot.app.screen
        assert isinstance(screen, RoleplayScreen)
        assert screen.query_one(LineInput).disabled
        to_screening(made, "red")
        await until(pilot, lambda: not screen.query_one(LineInput).disabled)
        await until(pilot, lambda: isinstance(screen.focused, LineInput))
        await pilot.press(*"Hello?", "enter")
        await until(pilot, lambda: "Ms Dara: Hello?" in shown(screen))
        teams = screen.query_one("#rp-teams", OptionList)
        assert "(1 line)" in str(teams.get_option_at_index(0).prompt)
    service.close()
