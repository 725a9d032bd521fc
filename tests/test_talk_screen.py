"""The conversation panel of the trainee screen (issue 17): it opens when a character is
in the scene, a seat whose role the character talks to writes, teammates read live."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import TabbedContent, Tabs

from simtrain.engine.events import Said
from simtrain.exercise import ROLEPLAYER, Created, ExerciseService
from simtrain.tui.app import TraineeApp
from simtrain.tui.play import PlayScreen
from simtrain.tui.talk import LineInput, TalkPanel, Transcript
from simtrain.views.session import join_seat
from tests.pilot import until

from .conftest import character_scenario

WATCH = 0.1


@pytest.fixture
def made(tmp_path: Path) -> Iterator[Created]:
    control = ExerciseService.open(tmp_path / "w.db", create=True)
    created = control.create_exercise(character_scenario(tmp_path), ["red"], exercise_id="ex")
    created.exercise.start()
    yield created
    control.close()


def seat_app(made: Created, db: Path, role: str, name: str) -> TraineeApp:
    service = ExerciseService.open(db)
    session = join_seat(service, "ex", "red", made.teams["red"], role, name)
    return TraineeApp(service, session=session, view=session.view(), watch_timeout=WATCH)


def transcript(screen: PlayScreen) -> str:
    return str(screen.query_one(Transcript).query_one("#transcript-text").render())


async def into_play(pilot) -> PlayScreen:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: isinstance(pilot.app.screen, PlayScreen))
    screen = pilot.app.screen
    assert isinstance(screen, PlayScreen)
    while screen.warning_shown:
        await pilot.press("enter")
        await pilot.pause()
    return screen


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_two_seats_talk_with_a_character_live(
    made: Created, tmp_path: Path, size: tuple[int, int]
) -> None:
    db = tmp_path / "w.db"
    exercise = made.exercise
    worker_app = seat_app(made, db, "social_worker", "Asha")
    other_app = seat_app(made, db, "investigator", "Ivo")
    async with worker_app.run_test(size=size) as pilot, other_app.run_test(size=size) as other:
        worker = await into_play(pilot)
        investigator = await into_play(other)
        panel = worker.query_one(TalkPanel)
        assert "No one here" in str(panel.query_one("#talk-who").render())
        assert panel.query_one(LineInput).disabled
        # the team reaches the screening room, where Ms Dara is: the Talk tab opens
        exercise.act(
            exercise.headless_seat("red", made.teams["red"], "investigator", "Ivo"),
            "screen_individually",
        )
        await until(pilot, lambda: worker.query_one(TabbedContent).active == "talk")
        await until(other, lambda: investigator.query_one(TabbedContent).active == "talk")
        tabs = worker.query_one(Tabs)
        await pilot.pause()
        for tab in tabs.query("Tab"):
            assert tabs.region.contains_region(tab.region), tab  # every tab label whole
        label = str(tabs.query_one("#--content-tab-talk").render())
        assert label == ("Talk" if size[0] < 160 else "Talk ●")
        exercise.speak_as("red", "dara", "Who are you? Will he know?", by=ROLEPLAYER)
        await until(pilot, lambda: "Will he know?" in transcript(worker))
        await until(other, lambda: "Will he know?" in transcript(investigator))
        # the social worker writes; the investigator reads along, and cannot write
        await pilot.press("k")
        assert isinstance(worker.focused, LineInput) and not worker.focused.disabled
        await pilot.press(*"I am Asha. [b]May[/b] I sit?")
        await pilot.press("enter")
        await until(pilot, lambda: worker.query_one(LineInput).value == "")
        await until(
            other,
            lambda: (
                "Asha (Reception social worker): I am Asha. [b]May[/b] I sit?"
                in transcript(investigator)
            ),
        )
        blocked = investigator.query_one(LineInput)
        assert blocked.disabled and "talks with the Reception social worker" in blocked.placeholder
        line = exercise.conversation("red")[-1].event
        assert isinstance(line, Said)
        assert line.text == "I am Asha. [b]May[/b] I sit?" and line.speaker == "Asha"
        # F9 still steps out while the conversation is open
        await pilot.press("f9")
        await until(pilot, lambda: pilot.app.screen is not worker)
