"""The hot-wash: all teams side by side at one phase, its questions on top; notes per
team; hold every team at the phase's end and release them together."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import HorizontalScroll, VerticalScroll
from textual.widgets import Footer, Static

from facilitator.actions import hold, hotwash_note, release
from facilitator.dialogs import HoldRequest, HotwashNoteDialog, NoteRequest
from facilitator.widgets import ExerciseScreen
from simtrain.text import time_text
from simtrain.views.board import Board
from simtrain.views.hotwash import Hotwash, HotwashTeam, default_phase, hotwash

STATUS_STYLES = {
    "held": "bold magenta",
    "to be held": "magenta",
    "left": "green",
    "in the phase": "yellow",
    "not there yet": "dim",
}
"""How each team's status in the phase is drawn."""


def hotwash_head(view: Hotwash) -> Text:
    """The phase, its place among the phases, and its questions."""
    text = Text()
    text.append(f"Hot-wash — {view.title}", style="bold")
    text.append(f"  (phase {view.position[0]} of {view.position[1]}; [ ] other phases)", "dim")
    if not view.questions:
        text.append("\nThis phase has no questions: ask what the team decided, and why.")
    for number, question in enumerate(view.questions, 1):
        text.append(f"\n{number}. {question}")
    return text


def team_column(column: HotwashTeam) -> Text:
    """One team: where it is, its status, the phase's decisions, the notes."""
    text = Text()
    text.append(f"Team {column.team}", style="bold")
    text.append(f"  {column.status.upper()}", style=STATUS_STYLES.get(column.status, ""))
    text.append(f"\nNow: {column.where}")
    text.append(f"\nDecisions in this phase ({column.points:+d} points):", style="bold")
    if not column.decisions:
        text.append("\n  none", style="dim")
    for decision in column.decisions:
        style = "red" if decision.critical else ""
        text.append(f"\n {decision.n:>2}. {decision.label}", style=style)
        text.append(f" — {decision.who}, {time_text(decision.clock)}", style="dim")
        if decision.critical:
            text.append(f"\n     ✗ critical: {decision.critical}", style="bold red")
    text.append("\nNotes:", style="bold")
    if not column.notes:
        text.append("\n  none yet (o)", style="dim")
    for note in column.notes:
        text.append(f"\n  • {note}")
    return text


class HotwashScreen(ExerciseScreen):
    """All teams side by side at one phase, for the hot-wash."""

    KEYS_TITLE = "Hot-wash"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("left_square_bracket", "phase(-1)", "Prev phase"),
        Binding("right_square_bracket", "phase(1)", "Next phase"),
        Binding("o", "note", "Note"),
        Binding("h", "hold", "Hold at its end"),
        Binding("l", "release", "Release all"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.phase: str | None = None
        """The phase shown (chosen on the first board)."""

    def compose(self) -> ComposeResult:
        """Questions on top, one column per team, key bar."""
        yield Static(id="hotwash-head")
        with HorizontalScroll(id="hotwash-teams"):
            for index, _ in enumerate(self.exercise.teams):
                with VerticalScroll(classes="side"):
                    yield Static(id=f"hotwash-{index}")
        yield Footer()

    def on_mount(self) -> None:
        """Follow the app's board."""
        self.watch(self.facilitator, "board", self.show_board)

    def show_board(self, board: Board | None) -> None:
        """Draw the phase from a new picture of the exercise."""
        if board is None:
            return
        scenario = self.exercise.scenario
        if self.phase is None:
            self.phase = default_phase(scenario, board)
        if self.phase is None:
            self.query_one("#hotwash-head", Static).update(
                Text(
                    "This scenario has no phases: a hot-wash follows the phases of the "
                    "scenario (docs/authoring.md, “Phases”). Esc goes back."
                )
            )
            return
        view = hotwash(scenario, board, self.phase)
        self.query_one("#hotwash-head", Static).update(hotwash_head(view))
        for index, column in enumerate(view.teams):
            self.query_one(f"#hotwash-{index}", Static).update(team_column(column))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Phase keys only with phases; no hold once the exercise has ended."""
        board = self.facilitator.board
        ended = board is not None and board.clock.state == "ended"
        if action in ("phase", "note", "hold"):
            return self.phase is not None and not (action == "hold" and ended)
        if action == "release":
            return not ended
        return True

    def action_back(self) -> None:
        """Back to the dashboard."""
        self.dismiss()

    def action_phase(self, delta: int) -> None:
        """Show the previous or next phase."""
        phases = list(self.exercise.scenario.phases)
        if self.phase is None or not phases:
            return
        self.phase = phases[(phases.index(self.phase) + delta) % len(phases)]
        self.show_board(self.facilitator.board)

    def action_note(self) -> None:
        """Record a note of this hot-wash about one team (private to you)."""
        if self.phase is None:
            return
        phase, exercise = self.phase, self.exercise
        title = exercise.scenario.phases[phase].title

        def written(request: NoteRequest | None) -> None:
            if request is not None:
                self.facilitator.perform("Note", lambda: hotwash_note(exercise, phase, request))

        self.app.push_screen(HotwashNoteDialog(exercise.teams, title), written)

    def action_hold(self) -> None:
        """Hold every team once it has left this phase (those past it at once)."""
        if self.phase is None:
            return
        exercise, request = self.exercise, HoldRequest(None, self.phase)
        self.facilitator.perform("Hold", lambda: hold(exercise, request))

    def action_release(self) -> None:
        """Release every held team together: they may decide again."""
        exercise = self.exercise
        self.facilitator.perform("Release", lambda: release(exercise))
