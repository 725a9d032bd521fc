"""The trainee terminal app (``simtrain play``): a solo demo, a direct seat, or a join screen.

Also runnable as ``python -m simtrain.tui.app --db FILE`` (what ``simtrain serve`` starts
for each browser tab).
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Sequence
from pathlib import PurePath
from typing import ClassVar, NoReturn

from textual import constants, on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.driver import Driver

from simtrain.exercise import ExerciseError, ExerciseService
from simtrain.text import sentence
from simtrain.tui.dialogs import ConfirmQuitScreen, HelpScreen
from simtrain.tui.join import JoinDefaults, JoinScreen
from simtrain.tui.plain import PlainNotify
from simtrain.tui.play import PlayScreen
from simtrain.tui.roleplay import RoleplayScreen
from simtrain.views.demo import start_demo
from simtrain.views.seat import SeatView
from simtrain.views.session import TraineeSession, join_seat

HEAP_SETTLE_S = 2.0
"""Seconds after a seat's screen is built before its heap is set aside."""


class TraineeApp(PlainNotify, App[None]):
    """The trainee UI: the join screen, then one seat's main screen."""

    CSS_PATH: ClassVar[list[str | PurePath]] = ["trainee.tcss", "roleplay.tcss"]
    TITLE = "simtrain"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f9", "step_out", "Step out", priority=True),
        Binding("ctrl+q", "request_quit", "Quit", show=False, priority=True),
        Binding("q", "request_quit", "Quit"),
        Binding("question_mark", "help", "Keys", key_display="?"),
        Binding("f2", "toggle_theme", "Light/dark", show=False),
    ]

    def __init__(
        self,
        service: ExerciseService,
        *,
        session: TraineeSession | None = None,
        view: SeatView | None = None,
        join: JoinDefaults | None = None,
        watch_timeout: float = 1.0,
        wall: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.session = session
        self.first_view = view
        self.join_defaults = join or JoinDefaults()
        self.watch_timeout = watch_timeout
        """How long each wait on the exercise's watch API lasts (at most 1 s)."""
        self.wall = wall
        self.settle_heap = False
        """Whether to set the heap aside once the seat is built (a seat process's own app;
        never in tests, where many apps share one process)."""

    def get_driver_class(self) -> type[Driver]:
        """On a Linux terminal, a driver whose input thread sleeps until a key comes
        (Textual's looks at the terminal ten times a second); a browser seat's driver, or
        one named in TEXTUAL_DRIVER, as Textual chooses."""
        if constants.DRIVER is None and sys.platform == "linux":
            from simtrain.tui.driver import QuietLinuxDriver

            return QuietLinuxDriver
        return super().get_driver_class()

    def _heap_settled(self) -> None:
        # Everything built so far (Textual, the scenario, the screen) lives as long as the
        # seat: frozen, the garbage collector stops walking it on every collection, which
        # was a quarter of what an arriving message cost.
        gc.collect()
        gc.freeze()

    def _settle_heap_soon(self) -> None:
        if self.settle_heap:
            self.set_timer(HEAP_SETTLE_S, self._heap_settled)

    def on_mount(self) -> None:
        self._settle_heap_soon()
        if self.session is not None:
            view = self.first_view or self.session.last_view
            if view is not None:
                self.push_screen(self._play_screen(self.session, view))
                return
        self.push_screen(JoinScreen(self.service, self.join_defaults, wall=self.wall))

    def _play_screen(self, session: TraineeSession, view: SeatView) -> PlayScreen:
        return PlayScreen(session, view, watch_timeout=self.watch_timeout)

    @on(JoinScreen.Joined)
    def _joined(self, message: JoinScreen.Joined) -> None:
        self.session = message.session
        self.switch_screen(self._play_screen(message.session, message.view))
        self._settle_heap_soon()

    @on(JoinScreen.RoleplayJoined)
    def _roleplay_joined(self, message: JoinScreen.RoleplayJoined) -> None:
        self.switch_screen(
            RoleplayScreen(message.session, message.view, watch_timeout=self.watch_timeout)
        )

    @property
    def play_screen(self) -> PlayScreen | None:
        """The seat's main screen, once the trainee has a seat."""
        return next((s for s in self.screen_stack if isinstance(s, PlayScreen)), None)

    def action_step_out(self) -> None:
        """Step out (blank the screen, alert the facilitator privately), or come back."""
        play = self.play_screen
        if play is None:
            self.notify("You have not joined an exercise yet; there is nothing to step out of.")
        elif play.stepped_out:
            play.step_back()
        else:
            play.step_out()

    def action_request_quit(self) -> None:
        """Quit; a live seat asks first."""
        if isinstance(self.screen, ConfirmQuitScreen):
            return
        play = self.play_screen
        if play is None or play.session.solo:
            self.exit()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.exit()

        self.push_screen(ConfirmQuitScreen(), answered)

    def action_help(self) -> None:
        """Show every key."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        """Switch between the dark and the light theme."""
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"


def _fail(message: str) -> NoReturn:
    """A plain sentence on stderr and exit code 1."""
    print(f"simtrain: {sentence(message)}", file=sys.stderr)
    sys.exit(1)


def _run_demo() -> None:
    """A solo demo on the bundled scenario, in its own database."""
    print("Setting up a solo demo exercise…", file=sys.stderr, flush=True)
    try:
        demo = start_demo()
    except (ExerciseError, OSError) as exc:
        _fail(str(exc))
    try:
        view = demo.session.view()
        app = TraineeApp(demo.service, session=demo.session, view=view)
        app.settle_heap = True
        app.run()
    finally:
        demo.service.close()
    print(
        f"Your demo run is saved in {demo.db} (exercise {demo.session.exercise.id}). "
        "Run 'simtrain play' again for a fresh one."
    )


def run_play(
    db: str | None,
    exercise: str | None,
    team: str | None,
    role: str | None,
    code: str | None,
    name: str | None,
) -> None:
    """``simtrain play``: no arguments, a solo demo; a full seat, straight in; else the join
    screen of the database."""
    if all(value is None for value in (db, exercise, team, role, code, name)):
        _run_demo()
        return
    if db is None:
        _fail(
            "name the exercise database with --db, or run 'simtrain play' with no options "
            "for a solo demo"
        )
    try:
        service = ExerciseService.open(db)
    except ExerciseError as exc:
        _fail(str(exc))
    try:
        if exercise and team and role and code:
            try:
                handle = service.exercise(exercise)
                shown = name or handle.scenario.role_names.get(role, role)
                session = join_seat(service, exercise, team, code, role, shown)
                view = session.view()
            except ExerciseError as exc:
                _fail(str(exc))
            _run_seat(TraineeApp(service, session=session, view=view))
        else:
            defaults = JoinDefaults(exercise, team, role, code, name)
            _run_seat(TraineeApp(service, join=defaults))
    finally:
        service.close()


def _run_seat(app: TraineeApp) -> None:
    """Run the app; a trainee who quits is recorded as gone (a killed process, or a closed
    browser tab, goes offline when its lease runs out instead)."""
    app.settle_heap = True
    try:
        app.run()
    finally:
        if app.session is not None:
            app.session.leave()


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m simtrain.tui.app``: the same options as ``simtrain play``."""
    parser = argparse.ArgumentParser(
        prog="python -m simtrain.tui.app", description="The simtrain trainee terminal UI."
    )
    parser.add_argument("--db", help="exercise database")
    parser.add_argument("--exercise", help="the exercise id")
    parser.add_argument("--team", help="your team")
    parser.add_argument("--role", help="your role")
    parser.add_argument("--code", help="your team's join code")
    parser.add_argument("--name", help="your display name")
    args = parser.parse_args(argv)
    run_play(args.db, args.exercise, args.team, args.role, args.code, args.name)


if __name__ == "__main__":
    main()
