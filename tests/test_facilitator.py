"""The facilitator console: projections, Pilot tests of every screen, snapshots."""

from __future__ import annotations

import io
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, OptionList, RadioButton, Select, Static

from facilitator.app import FacilitatorApp, run_facilitate
from facilitator.dashboard import ALERT_STYLE, DashboardScreen, inject_detail, team_detail
from facilitator.debrief import DebriefScreen
from facilitator.dialogs import (
    AdjustDialog,
    InjectDialog,
    MessageDialog,
    MoveDialog,
    ObserveDialog,
    TargetDialog,
)
from facilitator.picker import CodesScreen, CreateScreen
from facilitator.team import TeamScreen
from simtrain.engine.events import AlertAcknowledged, InjectSkipped, MessageSent, Observed
from simtrain.exercise import Exercise, ExerciseService
from simtrain.scenario.library import bundled_scenarios
from simtrain.text import delay_text, time_text
from simtrain.views.board import (
    STEPPED_OUT,
    Board,
    build_board,
    participants,
)
from tests.pilot import until

from .conftest import cued_scenario

FIXTURE = Path(__file__).parent / "fixtures" / "every_feature.yaml"
EXERCISE = "ex-test"
SIZE = (100, 30)


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, dict[str, str]]:
    """A database with one created (not started) exercise for teams red and blue."""
    path = tmp_path / "exercise.db"
    with ExerciseService.open(path, create=True) as service:
        _, codes = service.create(FIXTURE, ["red", "blue"], exercise_id=EXERCISE)
    return str(path), codes


@contextmanager
def other_process(path: str) -> Iterator[Exercise]:
    """Another handle on the same file, as a trainee's terminal would have."""
    with ExerciseService.open(path) as service:
        yield service.exercise(EXERCISE)


@asynccontextmanager
async def console(
    path: str, exercise: str | None = EXERCISE
) -> AsyncIterator[tuple[FacilitatorApp, Pilot[None]]]:
    """The console on ``path`` at 100x30; waits for the first board when an exercise is open."""
    service = ExerciseService.open(path)
    app = FacilitatorApp(service, service.exercise(exercise) if exercise else None, db="x.db")
    try:
        async with app.run_test(size=SIZE) as pilot:
            if exercise:
                await until(pilot, lambda: app.board is not None)
            yield app, pilot
    finally:
        app.wait_stopped()
        service.close()


def plain(widget: Static) -> str:
    """What a Static shows, as plain text (whatever Rich renderable it holds)."""
    console = Console(width=200, file=io.StringIO(), color_system=None)
    with console.capture() as captured:
        console.print(widget.content)
    return captured.get()


def board(app: FacilitatorApp) -> Board:
    """The console's current board (there is one once ``console`` has started)."""
    assert app.board is not None
    return app.board


def toasts(app: FacilitatorApp) -> list[str]:
    """Title and text of every notification raised so far."""
    return [f"{n.title}: {n.message}" for n in app._notifications]


# -- projections (no Textual) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "clock", "delay"),
    [
        (0.0, "00:00", "0s"),
        (0.75, "00:45", "45s"),
        (12.5, "12:30", "12m30s"),
        (61, "1:01:00", "1h01m"),
    ],
)
def test_clock_and_delay_formats(minutes: float, clock: str, delay: str) -> None:
    assert time_text(minutes) == clock
    assert delay_text(minutes) == delay


def test_online_means_connected_and_a_step_out_is_shown_apart(
    db: tuple[str, dict[str, str]],
) -> None:
    path, codes = db
    with other_process(path) as exercise:
        exercise.start()
        ana = exercise.join("red", codes["red"], "investigator", "Ana")
        ben = exercise.join("red", codes["red"], "social_worker", "Ben")
        exercise.step_out(ben)
        people = {
            p.name: (p.online, p.stepped_out_at is not None)
            for p in participants(exercise.events("red"), exercise.roster("red"))
        }
        assert people == {"Ana": (True, False), "Ben": (True, True)}
        exercise.step_back(ben)
        exercise.leave(ana)
        exercise.join("red", codes["red"], "investigator", "Ana")  # a rejoin is one person
        people = {
            p.name: (p.online, p.stepped_out_at is not None)
            for p in participants(exercise.events("red"), exercise.roster("red"))
        }
        assert people == {"Ana": (True, False), "Ben": (True, False)}
        board = build_board(exercise, exercise.events())
        # the step-out stays an alert until acknowledged, noting that Ben is back
        (alert,) = board.team("red").alerts
        assert alert.kind == STEPPED_OUT and "back at" in alert.text
        assert ana.name == "Ana"


def test_a_skipped_inject_published_later_shows_as_delivered(
    db: tuple[str, dict[str, str]],
) -> None:
    path, _ = db
    with other_process(path) as exercise:
        exercise.skip("birth_certificate", "red", "not needed")
        board = build_board(exercise, exercise.events())
        row = next(r for r in board.msel if r.inject == "birth_certificate")
        assert row.cell("red").status == "skipped" and row.cell("blue").status == "manual"
        exercise.publish("birth_certificate", "red")
        board = build_board(exercise, exercise.events())
        row = next(r for r in board.msel if r.inject == "birth_certificate")
        assert row.cell("red").status == "delivered" and row.cell("red").manual


def test_the_console_shows_roleplayer_cues_dilemmas_and_the_inject_warning(
    tmp_path: Path,
) -> None:
    with ExerciseService.open(tmp_path / "cued.db", create=True) as svc:
        exercise, _ = svc.create(cued_scenario(tmp_path), ["red"], exercise_id="cued")
        board = build_board(exercise, exercise.events())
        team = team_detail(board.team("red"), exercise.scenario.role_names).plain
        assert "Role-players: ROLEPLAYER-SCENE-CUE" in team
        assert "Dilemma (you score it): “Note the indicators you see” — DILEMMA-GUIDANCE" in team
        row = next(r for r in board.msel if r.inject == "journalist_call")
        detail = inject_detail(row, exercise.scenario.role_names).plain
        assert "Content warning (trainees see it first): INJECT-WARNING" in detail
        assert "Role-players: ROLEPLAYER-INJECT-CUE" in detail
        assert "INJECT-DILEMMA-GUIDANCE" in detail


# -- entry -----------------------------------------------------------------------------------


def test_a_missing_database_is_refused_and_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.db"
    with pytest.raises(SystemExit) as exited:
        run_facilitate(str(missing), None)
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "no database" in err and "simtrain exercise create" in err
    assert "Traceback" not in err
    assert not missing.exists()


def test_an_unknown_exercise_is_refused(
    db: tuple[str, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        run_facilitate(db[0], "ex-nope")
    assert exited.value.code == 1
    assert "ex-nope" in capsys.readouterr().err


async def test_create_an_exercise_and_hand_out_codes(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    ExerciseService.open(path, create=True).close()
    async with console(str(path), None) as (app, pilot):
        hint = app.screen.query_one("#picker-hint", Static)
        await until(pilot, lambda: "No exercise" in plain(hint))
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CreateScreen))
        scenarios = app.screen.query_one("#scenarios", OptionList)
        shipped = len(bundled_scenarios())
        await until(pilot, lambda: scenarios.option_count == shipped)
        # a typed path wins over the highlighted shipped scenario
        app.screen.query_one("#path", Input).value = str(FIXTURE)
        app.screen.query_one("#teams", Input).focus()
        await pilot.press("r", "e", "d", ",", "b", "l", "u", "e", "enter")
        await until(pilot, lambda: isinstance(app.screen, CodesScreen))
        screen = app.screen
        assert isinstance(screen, CodesScreen)
        codes = screen.codes
        assert set(codes) == {"red", "blue"}
        # query, not query_one: under load the screen is pushed before its table is mounted
        await until(
            pilot,
            lambda: [t.row_count for t in screen.query("#codes-table").results(DataTable)] == [2],
        )
        await pilot.press("enter")
        await until(pilot, lambda: app.board is not None)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert app.exercise is not None and app.exercise.teams == ("red", "blue")
        for team, code in codes.items():
            app.exercise.verify(team, code, "investigator")  # the codes open their teams


async def test_open_an_existing_exercise_from_the_list(db: tuple[str, dict[str, str]]) -> None:
    async with console(db[0], None) as (app, pilot):
        table = app.screen.query_one("#exercise-table", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")
        await until(pilot, lambda: app.board is not None)
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert app.exercise is not None and app.exercise.id == EXERCISE


# -- dashboard -------------------------------------------------------------------------------


async def test_clock_control_start_pause_resume_end(db: tuple[str, dict[str, str]]) -> None:
    async with console(db[0]) as (app, pilot):
        state = app.screen.query_one("#clock-state", Label)

        async def press_and_wait(key: str, expected: str) -> None:
            await pilot.press(key)
            await until(pilot, lambda: app.board is not None and app.board.clock.state == expected)

        await press_and_wait("s", "running")
        assert "RUNNING" in plain(state)
        await press_and_wait("p", "paused")
        assert "PAUSED" in plain(state)
        await press_and_wait("r", "running")
        await pilot.press("e")
        await pilot.press("n")  # the confirmation defaults to no
        await pilot.pause(0.2)
        assert app.board is not None and app.board.clock.state == "running"
        await pilot.press("e")
        await press_and_wait("y", "ended")
        assert "ENDED" in plain(state)
        await until(pilot, lambda: any("has ended" in t for t in toasts(app)))


async def test_publish_to_all_and_skip_for_one_team(db: tuple[str, dict[str, str]]) -> None:
    path, _ = db
    async with console(path) as (app, pilot):
        await pilot.press("s", "i")  # start, then the MSEL tab
        await until(pilot, lambda: app.board is not None and app.board.clock.state == "running")
        # journalist_call is the first line: publish it now to every team
        await pilot.press("n", "enter")
        await until(
            pilot,
            lambda: "journalist_call" in board(app).states["blue"].inbox,
        )
        assert "journalist_call" in board(app).states["red"].inbox
        detail = app.screen.query_one("#inject-detail", Static)
        assert "Facilitator only" in plain(detail)
        # birth_certificate (third line): skip it for red only, with a reason
        await pilot.press("down", "down", "x")
        await until(pilot, lambda: isinstance(app.screen, TargetDialog))
        await pilot.press("down", "enter")  # All teams, then red
        await until(pilot, lambda: app.focused is not None and app.focused.id == "reason")
        await pilot.press(*"late")
        await pilot.press("enter")
        await until(pilot, lambda: "birth_certificate" in board(app).states["red"].skipped)
        assert "birth_certificate" not in board(app).states["blue"].skipped
        table = app.screen.query_one("#msel-table", DataTable)
        assert str(table.get_cell("birth_certificate", "team:red")) == "skipped"
        # nobody is seated in blue: the call reached no one, and the console says so
        assert str(table.get_cell("journalist_call", "team:blue")) == "not delivered"
        events = board(app).team_events("red")
        skipped = [e.event for e in events if isinstance(e.event, InjectSkipped)]
        assert skipped[0].reason == "late"


async def test_an_alert_from_another_process_rings_and_sticks_until_acknowledged(
    db: tuple[str, dict[str, str]],
) -> None:
    path, codes = db
    async with console(path) as (app, pilot):
        rings: list[bool] = []
        app.bell = lambda: rings.append(True)  # type: ignore[method-assign]
        with other_process(path) as trainee:
            trainee.start()
            ana = trainee.join("blue", codes["blue"], "investigator", "Ana")
            trainee.act(ana, "question_on_quay", "no room free")
            trainee.step_out(ana)
        await until(pilot, lambda: len(board(app).alerts) == 2)
        await until(pilot, lambda: len(rings) >= 1)
        await until(pilot, lambda: any("CRITICAL ERROR" in t for t in toasts(app)))
        await until(pilot, lambda: any("STEP-OUT" in t for t in toasts(app)))
        table = app.screen.query_one("#team-table", DataTable)
        cell = table.get_cell("blue", "alert")
        assert isinstance(cell, Text) and str(cell).startswith("⚠ CRIT")
        assert any(str(span.style) == ALERT_STYLE for span in cell.spans)
        assert "⚠" not in str(table.get_cell("red", "alert"))
        # the cursor is on red, which has no alert: a acknowledges the alerting team's
        await pilot.press("a")
        await until(pilot, lambda: not board(app).alerts)
        await until(pilot, lambda: "⚠" not in str(table.get_cell("blue", "alert")))
        acks = [e for e in board(app).team_events("blue") if isinstance(e.event, AlertAcknowledged)]
        assert len(acks) == 2


async def test_an_ad_hoc_message(db: tuple[str, dict[str, str]]) -> None:
    async with console(db[0]) as (app, pilot):
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, MessageDialog))
        await pilot.pause()  # let the dialog's Select finish mounting before setting it
        app.screen.query_one("#channel", Select).value = "phone"
        await pilot.press(*"Hi")
        await pilot.press("enter")
        await until(
            pilot,
            lambda: any(isinstance(e.event, MessageSent) for e in board(app).team_events("red")),
        )
        events = board(app).team_events("red")
        (message,) = [e.event for e in events if isinstance(e.event, MessageSent)]
        assert message.channel == "phone"
        assert message.text == "Hi"
        assert not [e for e in board(app).team_events("blue") if isinstance(e.event, MessageSent)]


# -- a team up close -------------------------------------------------------------------------


async def test_team_screen_scores_observes_and_moves(db: tuple[str, dict[str, str]]) -> None:
    path, codes = db
    with other_process(path) as trainee:
        trainee.start()
        ana = trainee.join("red", codes["red"], "investigator", "Ana")
        trainee.act(ana, "note_indicators", "write it down")
    async with console(path) as (app, pilot):
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TeamScreen))
        timeline = app.screen.query_one("#timeline", Static)
        await until(pilot, lambda: "Note the indicators" in plain(timeline))

        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, AdjustDialog))
        app.screen.query_one("#comp", Select).value = "cooperation"
        app.screen.query_one("#points", Input).value = "0"
        app.screen.query_one("#note", Input).focus()
        await pilot.press(*"x", "enter")
        await until(pilot, lambda: "not 0" in plain(app.screen.query_one(".dialog-error", Label)))
        app.screen.query_one("#points", Input).value = "+2"
        await pilot.press("enter")
        await until(pilot, lambda: board(app).states["red"].points["cooperation"] == 2)
        assert board(app).states["red"].adjustments[0].note == "x"

        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, ObserveDialog))
        await pilot.press(*"calm", "enter")
        # no kind is chosen for the facilitator: Enter alone files nothing
        assert isinstance(app.screen, ObserveDialog)
        assert "choose its kind" in plain(app.screen.query_one(".dialog-error", Label))
        assert not any(isinstance(e.event, Observed) for e in board(app).team_events("red"))
        app.screen.query_one("#kind RadioButton", RadioButton).value = True
        app.screen.query_one("#text", Input).focus()
        await pilot.press("enter")
        await until(
            pilot,
            lambda: any(isinstance(e.event, Observed) for e in board(app).team_events("red")),
        )
        events = board(app).team_events("red")
        (seen,) = [e.event for e in events if isinstance(e.event, Observed)]
        assert (seen.category, seen.text, seen.competency) == ("strength", "calm", None)

        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, MoveDialog))
        app.screen.query_one("#scene", Select).value = "screening"
        app.screen.query_one("#reason", Input).focus()
        await pilot.press(*"time", "enter")
        await until(pilot, lambda: board(app).states["red"].scene == "screening")
        head = app.screen.query_one("#team-head", Static)
        await until(pilot, lambda: "Individual screening" in plain(head))
        await until(pilot, lambda: "moved the team" in plain(timeline))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))


# -- debrief ---------------------------------------------------------------------------------


async def test_release_the_debrief_and_step_through_decisions(
    db: tuple[str, dict[str, str]],
) -> None:
    path, codes = db
    with other_process(path) as trainee:
        trainee.start()
        ana = trainee.join("red", codes["red"], "investigator", "Ana")
        trainee.act(ana, "note_indicators")
        trainee.act(ana, "screen_individually", "away from him")
    async with console(path) as (app, pilot):
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DebriefScreen))
        head = app.screen.query_one("#debrief-head", Static)
        await until(pilot, lambda: "not released" in plain(head))
        await pilot.press("r", "y")
        await until(pilot, lambda: board(app).clock.debrief_released)
        await until(pilot, lambda: "released to trainees" in plain(head))
        with other_process(path) as check:
            assert check.clock().debrief_released

        replay = app.screen.query_one("#replay-text", Static)
        await pilot.press("t")  # red in depth; the replay starts at the latest decision
        await until(pilot, lambda: "decision 2 of 2" in plain(replay))
        assert "Individual screening" in plain(replay)
        await pilot.press("left")
        await until(pilot, lambda: "decision 1 of 2" in plain(replay))
        assert "Night arrival at the quay" in plain(replay)
        await pilot.press("left")
        await until(pilot, lambda: "before any of 2 decisions" in plain(replay))
        await pilot.press("right_square_bracket")  # blue has made no decision
        await until(pilot, lambda: "team blue" in plain(replay))


# -- snapshots -------------------------------------------------------------------------------


class FakeTime:
    """A wall clock the test moves by hand, so the exercise clock reads the same every run."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def played(db: tuple[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> str:
    """Red and blue 12:34 into the exercise, paused, with one critical error unacknowledged."""
    path, codes = db
    fake = FakeTime()
    monkeypatch.setattr(time, "time", fake)
    with other_process(path) as trainee:
        trainee.start()
        fake.now += 60
        ana = trainee.join("red", codes["red"], "investigator", "Ana")
        ben = trainee.join("red", codes["red"], "social_worker", "Ben")
        cleo = trainee.join("blue", codes["blue"], "investigator", "Cleo")
        fake.now += 90
        trainee.act(ana, "screen_individually", "separate first")
        fake.now += 60
        trainee.act(ben, "offer_rest", "she is exhausted")
        fake.now += 150
        trainee.act(cleo, "question_on_quay", "no room free")
        fake.now += 200  # 9:20: journalist_call (8m) is delivered to both teams
        trainee.tick()
        trainee.act(ana, "refer_to_press_office")
        fake.now += 194
        trainee.pause()  # 12:34
    return path


def test_dashboard_snapshot(played: str, snap_compare: Callable[..., bool]) -> None:
    """The dashboard at 100x30: a big paused clock at 12:34 with "PAUSED" and the red
    alert line "⚠ 1 alert — team blue"; the team table with red (2/2 online, Individual
    screening, 10:04 in scene, "Ana: Refer the caller…", 6/13) and blue drawn in red
    (ended in "They left with him", -2/13, 1 critical, "⚠ CRIT"); under it red's detail
    (Ana and Ben online, last decision) beside its per-competency bars; a CRITICAL ERROR
    toast for blue; the key bar with Resume, End, Acknowledge, Debrief."""
    service = ExerciseService.open(played)
    app = FacilitatorApp(service, service.exercise(EXERCISE), db="exercise.db")

    async def ready(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.board is not None)
        await pilot.pause(0.2)

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=ready)
    finally:
        app.wait_stopped()
        service.close()


def test_debrief_snapshot(played: str, snap_compare: Callable[..., bool]) -> None:
    """The debrief at 100x30, both teams side by side: red (not finished, in Individual
    screening, 3 decisions) with green bars on safety, trust, choice and rights, no
    critical error, the interpreter's alert unanswered and the press call answered in
    1m20s; blue (PARTIAL, 1 decision) with a red bar on safety, one critical error at
    06:00 and the press call never answered; the one-line heading says "paused at 12:34"
    and "not released yet (r)"."""
    service = ExerciseService.open(played)
    app = FacilitatorApp(service, service.exercise(EXERCISE), db="exercise.db")

    async def ready(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.board is not None)
        await pilot.press("d")
        app.clear_notifications()  # the alert toast would hide blue's responses
        await pilot.pause(0.3)

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=ready)
    finally:
        app.wait_stopped()
        service.close()


async def test_team_screen_publishes_and_skips_for_that_team(
    db: tuple[str, dict[str, str]],
) -> None:
    path, _ = db
    async with console(path) as (app, pilot):
        await pilot.press("s")
        await until(pilot, lambda: board(app).clock.state == "running")
        await pilot.press("enter")  # team red up close
        await until(pilot, lambda: isinstance(app.screen, TeamScreen))
        await pilot.press("n")  # publish: the first inject on the list
        await until(pilot, lambda: isinstance(app.screen, InjectDialog))
        await pilot.press("enter")
        await until(pilot, lambda: len(board(app).states["red"].inbox) == 1)
        assert board(app).states["blue"].inbox == ()
        await pilot.press("x")  # skip, with a reason
        await until(pilot, lambda: isinstance(app.screen, InjectDialog))
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.focused is app.screen.query_one("#reason", Input))
        await pilot.press(*"not today", "enter")
        await until(pilot, lambda: len(board(app).states["red"].skipped) == 1)
        events = board(app).team_events("red")
        skipped = [e.event for e in events if isinstance(e.event, InjectSkipped)]
        assert skipped[0].reason == "not today"
        assert board(app).states["blue"].skipped == frozenset()


# -- live role-players (issue 17) -------------------------------------------------------------


async def test_the_console_speaks_as_a_character_marks_a_line_and_debriefs_it(
    tmp_path: Path,
) -> None:
    from facilitator.dialogs import MarkLineDialog, SpeakDialog

    from .conftest import character_scenario

    path = str(tmp_path / "talk.db")
    with ExerciseService.open(path, create=True) as service:
        made = service.create_exercise(character_scenario(tmp_path), ["red"], exercise_id=EXERCISE)
    with other_process(path) as trainee:
        trainee.start()
        ivo = trainee.headless_seat("red", made.teams["red"], "investigator", "Ivo")
        trainee.act(ivo, "screen_individually")
        asha = trainee.headless_seat("red", made.teams["red"], "social_worker", "Asha")
        trainee.say(asha, "I am Asha. [bold]May[/bold] I sit?")
    async with console(path) as (app, pilot):
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TeamScreen))
        screen = app.screen

        def talk() -> str:
            return plain(screen.query_one("#team-talk", Static))

        await until(pilot, lambda: "Asha (Reception social worker): I am Asha. [bold]May" in talk())
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, SpeakDialog))
        await until(pilot, lambda: app.screen.query_one("#character", Select).value == "dara")
        await pilot.press(*"Yes. Sit down.", "enter")
        await until(pilot, lambda: "Ms Dara: Yes. Sit down." in talk())
        assert "  2. " in talk()
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, MarkLineDialog))
        assert app.screen.query_one("#line", Input).value == "2"
        app.screen.query_one("#line", Input).value = "1"
        app.screen.query_one("#comp", Select).value = "trust"
        app.screen.query_one("#points", Input).value = "+1"
        app.screen.query_one("#note", Input).focus()
        await pilot.press(*"asked first", "enter")
        await until(pilot, lambda: "✓ Trust and transparency +1 — asked first" in talk())
        assert board(app).states["red"].marks[0].line == 1
        await pilot.press("escape")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DebriefScreen))
        side = app.screen.query_one("#side-0").query_one(".panel-body", Static)
        await until(pilot, lambda: "Conversations" in plain(side))
        assert "✓ Trust and transparency +1 — asked first" in plain(side)
