"""The console knows who is in the room: seats with role names, open roles, stuck teams,
an inject that reached no one, at 80×24 as at 100×30."""

from __future__ import annotations

import html
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from facilitator.app import FacilitatorApp
from simtrain.exercise import LEASE_ENV, ExerciseService
from simtrain.report import render_report
from simtrain.views.board import build_board

from .test_facilitator import board, until

FIXTURE = Path(__file__).parent / "fixtures" / "every_feature.yaml"


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, dict[str, str]]:
    """A running exercise: in team red only Ben, the social worker; team blue is empty."""
    monkeypatch.setenv(LEASE_ENV, "600")  # Ben stays online however slow the machine
    path = tmp_path / "course.db"
    with ExerciseService.open(path, create=True) as service:
        exercise, codes = service.create(FIXTURE, ["red", "blue"], exercise_id="ex1")
        exercise.start()
        exercise.headless_seat("red", codes["red"], "social_worker", "Ben")
    return str(path), codes


@asynccontextmanager
async def console(
    path: str, size: tuple[int, int], stuck_after: float = 10.0
) -> AsyncIterator[tuple[FacilitatorApp, Pilot[None]]]:
    service = ExerciseService.open(path)
    app = FacilitatorApp(service, service.exercise("ex1"), stuck_after=stuck_after)
    try:
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: app.board is not None)
            await until(pilot, lambda: app.screen.query_one("#team-table", DataTable).row_count)
            yield app, pilot
    finally:
        app.wait_stopped()
        service.close()


def _export(app: FacilitatorApp) -> str:
    """Everything on the screen, as text (from the SVG screenshot)."""
    svg = app.export_screenshot()
    return html.unescape("".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))).replace("\xa0", " ")


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_board_shows_seats_by_role_name_and_open_roles(course, size) -> None:
    path, _ = course
    async with console(path, size) as (app, pilot):
        await until(pilot, lambda: "1 open role" in _export(app))
        text = _export(app)
        assert "Reception social" in text  # the role's name, wrapped at 80 columns
        assert "Ben (Reception social worker)" in _plain(
            app.screen.query_one("#team-detail", Static)
        )
        assert "social_worker" not in text  # role names, never ids
        assert "2 teams" in text
        assert "1 open role" in text
        detail = app.screen.query_one("#team-detail", Static)
        assert "Open roles: Border police investigator" in _plain(detail)
        # team blue: nobody at all, and a running exercise: it is flagged as stuck
        assert "⏸ STUCK" in text and "nobody yet" in text


async def test_a_team_without_decisions_for_n_minutes_is_flagged(course) -> None:
    path, _ = course
    async with console(path, (100, 30), stuck_after=0.001) as (app, pilot):
        await until(pilot, lambda: board(app).team("red").stuck.startswith("no decision for"))
        assert board(app).team("blue").stuck.startswith("no one is online")
        assert "Border police investigator" in board(app).team("blue").stuck


def test_an_inject_that_reached_no_one_is_not_delivered(course) -> None:
    path, _ = course
    with ExerciseService.open(path) as service:
        exercise = service.exercise("ex1")
        exercise.publish("journalist_call")
        board = build_board(exercise, exercise.events())
        row = next(r for r in board.msel if r.inject == "journalist_call")
        # red's Ben holds no investigator seat, but the role is open: the call reached him
        assert row.cell("red").status == "answering" and not row.cell("red").unread
        # blue has nobody: the call reached no one, so it is not waiting for a response
        assert row.cell("blue").unread and row.cell("blue").short == "not delivered"
        assert "no one was seated" in row.cell("blue").long
        report = render_report(exercise, "md", None)
    assert "not delivered: no one was seated" in report


def _plain(widget: Static) -> str:
    console = Console(width=200, file=io.StringIO(), color_system=None)
    with console.capture() as captured:
        console.print(widget.content)
    return captured.get()


async def test_one_team_is_one_team(tmp_path: Path) -> None:
    path = tmp_path / "solo.db"
    with ExerciseService.open(path, create=True) as service:
        service.create(FIXTURE, ["red"], exercise_id="ex1")
    async with console(str(path), (80, 24)) as (app, pilot):
        await until(pilot, lambda: "1 team" in _export(app))
        assert "1 teams" not in _export(app)


async def test_a_narrowed_terminal_keeps_every_teams_column_in_view(course) -> None:
    """At 100 columns and then narrowed to 80, the MSEL still shows both teams' columns."""
    path, _ = course
    async with console(path, (100, 30)) as (app, pilot):
        await pilot.press("i")
        await pilot.resize_terminal(80, 24)
        msel = app.screen.query_one("#msel-table", DataTable)

        def fits() -> bool:
            return sum(c.get_render_width(msel) for c in msel.columns.values()) <= 80

        await until(pilot, lambda: app.size.width == 80 and msel.row_count and fits())
        header = _export(app)
        assert "red" in header and "blue" in header
