"""The console's phases, holds and hot-wash, its ratings and improvement plan in the
debrief, and a held seat (issue 18): Pilot tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList, RadioButton, RadioSet, Select, Static

from facilitator.app import FacilitatorApp
from facilitator.debrief import DebriefScreen
from facilitator.dialogs import (
    HoldDialog,
    HotwashNoteDialog,
    PlanDialog,
    PlanRowDialog,
    RateDialog,
)
from facilitator.hotwash import HotwashScreen
from simtrain.engine.events import Observed
from simtrain.exercise import Exercise, ExerciseService, Seat
from simtrain.tui.app import TraineeApp
from simtrain.tui.debrief import DebriefScreen as TraineeDebrief
from simtrain.tui.play import PlayScreen
from simtrain.tui.widgets import Banner, StatusLine
from simtrain.views.board import Board, build_board, phase_changes
from simtrain.views.session import join_seat
from tests.pilot import until

from .test_debrief_service import phased_text

SIZE = (100, 30)


@pytest.fixture
def live(tmp_path: Path) -> tuple[Path, Exercise, dict[str, str]]:
    """A running exercise of the phased demo, teams red and blue."""
    scenario = tmp_path / "phased.yaml"
    scenario.write_text(phased_text(), encoding="utf-8")
    service = ExerciseService.open(tmp_path / "w.db", create=True)
    exercise, codes = service.create(scenario, ["red", "blue"], exercise_id="walk")
    exercise.start()
    return tmp_path / "w.db", exercise, codes


def plain(widget: Static) -> str:
    console = Console(width=200, record=True)
    console.print(widget.render())
    return console.export_text()


@asynccontextmanager
async def console(
    path: Path, size: tuple[int, int] = SIZE
) -> AsyncIterator[tuple[FacilitatorApp, Pilot[None]]]:
    service = ExerciseService.open(path)
    app = FacilitatorApp(service, service.exercise("walk"), db=str(path))
    try:
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: app.board is not None)
            yield app, pilot
    finally:
        app.wait_stopped()
        service.close()


def board(app: FacilitatorApp) -> Board:
    assert app.board is not None
    return app.board


def _seat(team: str, role: str = "investigator") -> Seat:
    return Seat("walk", team, role, "Asha")


def test_the_board_says_which_team_left_a_phase_and_that_it_is_held(live: tuple) -> None:
    _, exercise, _ = live
    exercise.hold_teams(phase="arrival")
    before = build_board(exercise, exercise.events())
    red = before.team("red")
    assert (red.phase, red.held, red.hold) == (
        "The arrival",
        False,
        "at the end of phase “The arrival”",
    )
    exercise.act(_seat("red"), "screen_individually")
    after = build_board(exercise, exercise.events())
    assert after.team("red").held and not after.team("blue").held
    assert phase_changes(before, after) == [
        "Team red has left phase “The arrival”, now in “The screening” — held for the hot-wash (w)."
    ]
    assert phase_changes(None, after) == []


async def test_hold_at_a_phase_end_then_hot_wash_with_a_note_and_release(live: tuple) -> None:
    path, exercise, _ = live
    async with console(path) as (app, pilot):
        await pilot.press("h")
        await until(pilot, lambda: len(app.screen.query(RadioButton)) == 3)
        assert isinstance(app.screen, HoldDialog)
        radios = list(app.screen.query_one("#when", RadioSet).query(RadioButton))
        assert [str(r.label) for r in radios] == [
            "Now",
            "At the end of phase “The arrival”",
            "At the end of phase “The screening”",
        ]
        radios[1].value = True
        app.screen.query_one("#ok", Button).press()
        await until(pilot, lambda: all(r.hold for r in board(app).teams))
        exercise.act(_seat("red"), "screen_individually")  # a trainee leaves the phase
        await until(pilot, lambda: board(app).team("red").held)
        assert not board(app).team("blue").held
        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, HotwashScreen))
        await until(
            pilot,
            lambda: (
                "Hot-wash — The arrival" in plain(app.screen.query_one("#hotwash-head", Static))
            ),
        )
        head = app.screen.query_one("#hotwash-head", Static)
        assert "1. Who was separated, and before or after the first question?" in plain(head)
        red = app.screen.query_one("#hotwash-0", Static)
        blue = app.screen.query_one("#hotwash-1", Static)
        assert "Team red  HELD" in plain(red) and "Screen each arrival individually" in plain(red)
        assert "Team blue  TO BE HELD" in plain(blue)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, HotwashNoteDialog))
        await until(pilot, lambda: app.screen.query_one("#text", Input))
        app.screen.query_one("#text", Input).value = "Separated <first>, then asked"
        await pilot.press("enter")
        await until(pilot, lambda: "Separated <first>, then asked" in plain(red))
        notes = [e.event for e in exercise.events("red") if isinstance(e.event, Observed)]
        assert notes[-1].phase == "arrival" and notes[-1].category == "note"
        await pilot.press("l")  # release them together
        await until(pilot, lambda: not any(r.hold for r in board(app).teams))
        await until(pilot, lambda: "Team red  LEFT" in plain(red))
    exercise.act(_seat("red", "social_worker"), "offer_rest")


async def test_the_hot_wash_fits_80_by_24(live: tuple) -> None:
    path, exercise, _ = live
    exercise.hold_teams("red")
    async with console(path, (80, 24)) as (app, pilot):
        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, HotwashScreen))
        await until(
            pilot, lambda: "Team red  HELD" in plain(app.screen.query_one("#hotwash-0", Static))
        )
        assert app.screen.query_one("#hotwash-1", Static).region.width >= 30


async def test_rate_and_plan_from_the_debrief(live: tuple) -> None:
    path, exercise, _ = live
    exercise.act(_seat("red"), "question_on_quay")
    exercise.end()
    async with console(path) as (app, pilot):
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DebriefScreen))
        await pilot.press("t", "v")
        await until(pilot, lambda: isinstance(app.screen, RateDialog))
        await until(pilot, lambda: app.screen.query_one("#note", Input))
        app.screen.query_one("#objective", Select).value = "safety"
        app.screen.query_one("#note", Input).value = "asked on the quay"
        app.screen.query_one("#ok", Button).press()
        await until(
            pilot, lambda: "choose a rating" in str(app.screen.query_one(".dialog-error").render())
        )
        next(b for b in app.screen.query(RadioButton) if b.name == "M").value = True
        app.screen.query_one("#ok", Button).press()
        await until(pilot, lambda: isinstance(app.screen, DebriefScreen))
        review = app.screen.query_one("#review-text", Static)
        await until(
            pilot,
            lambda: "M (performed with major challenges) — asked on the quay" in plain(review),
        )
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, PlanDialog))
        await until(pilot, lambda: app.screen.query_one("#due", Input))
        for field, value in {
            "issue": "Questioned on the quay",
            "action": "Separate before any question",
            "responsible": "investigator",
            "due": "31/03/2027",
        }.items():
            app.screen.query_one(f"#{field}", Input).value = value
        app.screen.query_one("#ok", Button).press()
        await until(pilot, lambda: isinstance(app.screen, DebriefScreen))
        # the service refuses the date, in a sentence; nothing is recorded
        await until(pilot, lambda: not exercise.plan("red") and len(app._notifications) > 0)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, PlanDialog))
        await until(pilot, lambda: app.screen.query_one("#due", Input))
        values = {"issue": "Questioned on the quay", "action": "Separate first",
                  "responsible": "investigator", "due": "2027-03-31"}  # fmt: skip
        for field, value in values.items():
            app.screen.query_one(f"#{field}", Input).value = value
        app.screen.query_one("#ok", Button).press()
        await until(
            pilot,
            lambda: (
                "1. Questioned on the quay → Separate first (Border police investigator, due "
                "2027-03-31)" in plain(review)
            ),
        )
        await pilot.press("x")  # and removed again
        await until(pilot, lambda: isinstance(app.screen, PlanRowDialog))
        await until(pilot, lambda: app.screen.query_one("#rows", OptionList).highlighted == 0)
        await pilot.press("enter")
        await until(pilot, lambda: "  no rows yet" in plain(review))
        assert exercise.plan("red") == []


async def test_a_held_seat_says_why_and_cannot_choose(live: tuple, tmp_path: Path) -> None:
    path, exercise, codes = live
    service = ExerciseService.open(path)
    session = join_seat(service, "walk", "red", codes["red"], "investigator", "Asha")
    app = TraineeApp(service, session=session, view=session.view(), watch_timeout=0.1)
    try:
        async with app.run_test(size=SIZE) as pilot:
            play = app.screen
            assert isinstance(play, PlayScreen)
            await until(pilot, lambda: play.warning_shown)
            while play.warning_shown:  # past the content warnings
                await pilot.press("enter")
                await pilot.pause(0.2)
            banner = app.screen.query_one(Banner)
            exercise.hold_teams("red")
            await until(pilot, lambda: "HELD by the facilitator" in str(banner.render()))
            assert "-paused" in banner.classes
            await pilot.press("1")
            status = app.screen.query_one(StatusLine)
            await until(pilot, lambda: "wait until the facilitator releases it" in plain(status))
            assert not exercise.state("red").path
            exercise.release_teams()
            await until(pilot, lambda: "-hidden" in banner.classes)
    finally:
        service.close()


async def test_the_trainee_debrief_forks_at_the_critical_error(live: tuple) -> None:
    path, exercise, codes = live
    exercise.act(_seat("red"), "note_indicators")
    exercise.act(_seat("red"), "question_on_quay")  # decision 2: a critical error
    exercise.end()
    exercise.release_debrief()
    service = ExerciseService.open(path)
    session = join_seat(service, "walk", "red", codes["red"], "investigator", "Asha")
    app = TraineeApp(service, session=session, view=session.view(), watch_timeout=0.1)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, TraineeDebrief))
            fork = app.screen.query_one("#debrief-fork", Static)
            assert "at decision 2: press f" in plain(fork)
            await pilot.press("f")
            await until(pilot, lambda: "the expert path: ending" in plain(fork))
            text = plain(fork)
            assert "Fork at decision 2 of your team:" in text
            assert "★ critical: question_on_quay" in text  # the team's side
            assert "0 critical errors" in text  # the expert's side
            await pilot.press("left_square_bracket")
            await until(pilot, lambda: "Fork at decision 1 of your team:" in plain(fork))
    finally:
        service.close()
