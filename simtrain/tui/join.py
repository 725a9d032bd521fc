"""The join screen: pick an exercise, a team, a role; give the team's code and a name."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Select, Static

from simtrain.exercise import ExerciseError, ExerciseService
from simtrain.text import sentence
from simtrain.tui.plain import plain
from simtrain.views.lobby import ExerciseOption, lobby
from simtrain.views.roleplay import RoleplaySession, RoleplayView
from simtrain.views.seat import SeatView
from simtrain.views.session import TraineeSession, join_seat

WAITING: list[tuple[str, str]] = [("Loading…", "")]
"""What a list shows until the exercises are read."""


@dataclass(frozen=True)
class JoinDefaults:
    """What the command line already said (each field may be missing)."""

    exercise: str | None = None
    team: str | None = None
    role: str | None = None
    code: str | None = None
    name: str | None = None


ROLEPLAYER = "role-player:"
"""The role value that opens a character's role-player seat instead of a trainee's."""


class JoinScreen(Screen[None]):
    """Lists the database's exercises and takes a seat in one."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+r", "reload", "Reload the list")]

    class Joined(Message):
        """The trainee has a seat (posted to the app, which opens the main screen)."""

        def __init__(self, session: TraineeSession, view: SeatView) -> None:
            super().__init__()
            self.session = session
            self.view = view

    class RoleplayJoined(Message):
        """A role-player has its character's seat (posted to the app)."""

        def __init__(self, session: RoleplaySession, view: RoleplayView) -> None:
            super().__init__()
            self.session = session
            self.view = view

    class Listed(Message):
        """The exercises of the database (from a worker)."""

        def __init__(self, exercises: list[ExerciseOption], error: str = "") -> None:
            super().__init__()
            self.exercises = exercises
            self.error = error

    class Failed(Message):
        """Joining was refused (from a worker)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(
        self,
        service: ExerciseService,
        defaults: JoinDefaults,
        *,
        wall: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.defaults = defaults
        self.wall = wall
        self.exercises: list[ExerciseOption] = []
        self.joining = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="join"):
            yield Label(Content.styled("Join an exercise", "bold"), id="join-title")
            yield Static(
                "Your facilitator gives you the team's join code. Tab moves between fields; "
                "Enter on a list opens it. A role-player picks “Role-player: …” as the role "
                "and types the character's code (no team or name needed).",
                id="join-help",
            )
            with Grid(id="join-form"):
                yield Label("Exercise")
                yield Select[str](WAITING, allow_blank=False, id="exercise", compact=True)
                yield Label("Team")
                yield Select[str](WAITING, allow_blank=False, id="team", compact=True)
                yield Label("Join code")
                yield Input(
                    self.defaults.code or "", placeholder="e.g. K7QF3M", id="code", compact=True
                )
                yield Label("Role")
                yield Select[str](WAITING, allow_blank=False, id="role", compact=True)
                yield Label("Your name")
                yield Input(
                    self.defaults.name or "",
                    placeholder="How your team sees you",
                    id="name",
                    max_length=40,
                    compact=True,
                )
            yield Static(
                "Once you have joined, press b to read your role's brief and ? for every key.",
                id="join-hint",
            )
            yield Button("Join", id="join-button", variant="primary")
            yield Static(id="join-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#exercise", Select).focus()
        self.action_reload()

    def action_reload(self) -> None:
        """Read the list of exercises again."""
        self._list()

    @work(thread=True, exclusive=True, group="lobby", exit_on_error=False)
    def _list(self) -> None:
        try:
            self.post_message(self.Listed(lobby(self.service)))
        except ExerciseError as exc:
            self.post_message(self.Listed([], str(exc)))

    @on(Listed)
    def _listed(self, message: Listed) -> None:
        self.exercises = message.exercises
        select = self.query_one("#exercise", Select)
        if message.error or not message.exercises:
            select.set_options([("No exercise to join", "")])
            self._error(
                message.error
                or "This database holds no exercise yet; ask your facilitator, then press "
                "ctrl+r to look again."
            )
            return
        select.set_options(
            [(plain(f"{e.title} — {e.id} ({e.state})"), e.id) for e in message.exercises]
        )
        wanted = self.defaults.exercise
        ids = [e.id for e in message.exercises]
        if wanted in ids:
            select.value = wanted
        if wanted is not None and wanted not in ids:
            self._error(f"There is no exercise '{wanted}' in this database; pick one of the list.")

    def _exercise(self) -> ExerciseOption | None:
        value = self.query_one("#exercise", Select).value
        return next((e for e in self.exercises if e.id == value), None)

    @on(Select.Changed, "#exercise")
    def _exercise_changed(self, event: Select.Changed) -> None:
        exercise = self._exercise()
        team = self.query_one("#team", Select)
        role = self.query_one("#role", Select)
        if exercise is None:
            return
        team.set_options([(plain(t), t) for t in exercise.teams])
        role.set_options(
            [(plain(r.name), r.id) for r in exercise.roles]
            + [
                (plain(f"Role-player: {c.name}"), f"{ROLEPLAYER}{c.id}")
                for c in exercise.characters
            ]
        )
        if self.defaults.team in exercise.teams:
            team.value = self.defaults.team
        if self.defaults.role in [r.id for r in exercise.roles]:
            role.value = self.defaults.role
        if exercise.state == "ended":
            self._error("That exercise has ended: you can look, but no choice can be made.")
        else:
            self._error("")

    @on(Input.Submitted)
    @on(Button.Pressed, "#join-button")
    def _join(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        if self.joining:
            return
        exercise = self._exercise()
        team = self.query_one("#team", Select).value
        role = self.query_one("#role", Select).value
        code = self.query_one("#code", Input).value.strip()
        name = self.query_one("#name", Input).value.strip()
        if isinstance(role, str) and role.startswith(ROLEPLAYER) and exercise is not None:
            if not code:
                self._error("Please give the character's role-player code.")
                return
            self.joining = True
            self._error("Opening the role-player seat…")
            self._take_roleplay(exercise.id, role.removeprefix(ROLEPLAYER), code)
            return
        missing = [
            label
            for label, ok in (
                ("the exercise", exercise is not None),
                ("your team", isinstance(team, str) and bool(team)),
                ("the join code", bool(code)),
                ("your role", isinstance(role, str) and bool(role)),
                ("your name", bool(name)),
            )
            if not ok
        ]
        if missing:
            self._error("Please give " + ", ".join(missing) + ".")
            return
        assert exercise is not None and isinstance(team, str) and isinstance(role, str)
        self.joining = True
        self._error("Joining…")
        self._take_seat(exercise.id, team, code, role, name)

    @work(thread=True, exclusive=True, group="join", exit_on_error=False)
    def _take_seat(self, exercise: str, team: str, code: str, role: str, name: str) -> None:
        try:
            session = join_seat(
                self.service, exercise, team, code, role, name, wall=self.wall or time.time
            )
            view = session.view()
        except ExerciseError as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.app.post_message(self.Joined(session, view))

    @work(thread=True, exclusive=True, group="join", exit_on_error=False)
    def _take_roleplay(self, exercise: str, character: str, code: str) -> None:
        try:
            session = RoleplaySession.open(self.service.exercise(exercise), character, code)
            view = session.view()
        except ExerciseError as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.app.post_message(self.RoleplayJoined(session, view))

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.joining = False
        self._error(sentence(message.text))

    def _error(self, text: str) -> None:
        self.query_one("#join-error", Static).update(text)
