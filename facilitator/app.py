"""The facilitator console: the Textual app, its live feed, and ``run_facilitate``.

One worker thread follows the exercise with :meth:`Exercise.watch` (which also delivers
whatever fell due, so timers stay honest while trainees are idle), rebuilds the
:class:`~simtrain.views.board.Board` when something changed, and posts it to the app. The
screens watch ``app.board``. Every facilitator action runs in its own worker thread and
reports back as a toast; alerts (critical errors, step-out requests) ring the bell.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.worker import get_current_worker

from facilitator.dashboard import DashboardScreen
from facilitator.keys import KeysScreen, console_commands, screen_keys, screen_title
from facilitator.picker import PickerScreen
from simtrain.exercise import Exercise, ExerciseError, ExerciseService, Recorded
from simtrain.tui.plain import PlainNotify
from simtrain.views.board import (
    ALERT_TITLES,
    STUCK_AFTER,
    Alert,
    Board,
    build_board,
    phase_changes,
)

WATCH_TIMEOUT = 0.5
"""Seconds one :meth:`Exercise.watch` call waits; also how fast the feed notices a stop."""
ALERT_TIMEOUT = 30.0
"""Seconds an alert toast stays up (the team's row stays highlighted until acknowledged)."""


class FacilitatorApp(PlainNotify, App[None]):
    """The console: pick or create an exercise, then run it from the dashboard."""

    CSS_PATH = "facilitator.tcss"
    TITLE = "simtrain facilitator"
    MODES = {"picker": PickerScreen, "dashboard": DashboardScreen}  # noqa: RUF012 - Textual API
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Keys", key_display="?"),
    ]

    board: var[Board | None] = var(None)
    """The latest picture of the exercise (None until the first one arrives)."""

    class BoardUpdated(Message):
        """The live feed has a new picture of the exercise."""

        def __init__(self, board: Board) -> None:
            super().__init__()
            self.board = board

    class FeedProblem(Message):
        """The live feed could not read the exercise (it keeps trying)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(
        self,
        service: ExerciseService,
        exercise: Exercise | None = None,
        *,
        db: str = "",
        stuck_after: float = STUCK_AFTER,
    ) -> None:
        super().__init__()
        self.service = service
        """The open database."""
        self.exercise: Exercise | None = exercise
        """The exercise being run (None while picking one)."""
        self.db = db or service.store.location
        """The database file, as the facilitator named it."""
        self.stuck_after = stuck_after
        """Exercise minutes without a decision after which a running team is flagged."""
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()
        self._announced: set[int] = set()
        self._feed_failing = False

    def on_mount(self) -> None:
        """Open the exercise given on the command line, or the picker."""
        if self.exercise is not None:
            self.open_exercise(self.exercise)
        else:
            self.switch_mode("picker")

    def on_unmount(self) -> None:
        """Ask the live feed to stop."""
        self._stop.set()

    # -- the console explains itself -----------------------------------------------------

    def action_help(self) -> None:
        """List every key of this screen, with what each does (Ctrl+P: the command palette)."""
        if isinstance(self.screen, KeysScreen):
            return
        self.push_screen(KeysScreen(screen_keys(self.screen), screen_title(self.screen)))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette: Textual's own commands, then every console action."""
        yield from super().get_system_commands(screen)
        yield from console_commands(screen)

    # -- the live feed -------------------------------------------------------------------

    def open_exercise(self, exercise: Exercise) -> None:
        """Run ``exercise``: start following it and show the dashboard."""
        self.exercise = exercise
        self.sub_title = f"{exercise.record.title} · {exercise.id}"
        self._stop.clear()
        self._stopped.clear()
        self._follow(exercise)
        self.switch_mode("dashboard")

    def wait_stopped(self, timeout: float = 2.0) -> bool:
        """Stop the live feed and wait for its thread to finish (True when it has)."""
        self._stop.set()
        return self._stopped.wait(timeout)

    @work(thread=True, group="feed", exit_on_error=False)
    def _follow(self, exercise: Exercise) -> None:
        """Follow the exercise until the app stops; post a board whenever it changes."""
        worker = get_current_worker()
        events: list[Recorded] = []
        last: Board | None = None
        loaded = False
        try:
            while not self._stop.is_set() and not worker.is_cancelled:
                try:
                    if not loaded:
                        events = exercise.events()
                        loaded = True
                    else:
                        cursor = events[-1].id if events else 0
                        events.extend(exercise.watch(cursor, WATCH_TIMEOUT))
                    board = build_board(exercise, events, self.stuck_after)
                except ExerciseError as exc:
                    if self._stop.is_set():
                        break
                    self.post_message(self.FeedProblem(str(exc)))
                    self._stop.wait(1.0)
                    continue
                if board != last:
                    last = board
                    self.post_message(self.BoardUpdated(board))
        finally:
            self._stopped.set()

    @on(BoardUpdated)
    def _board_updated(self, message: BoardUpdated) -> None:
        first = self.board is None
        before = {a.event_id for a in self.board.alerts} if self.board else set()
        now = {a.event_id for a in message.board.alerts}
        fresh = [a for a in message.board.alerts if a.event_id not in self._announced]
        self._announced.update(a.event_id for a in fresh)
        self._feed_failing = False
        for sentence in phase_changes(self.board, message.board):
            self.notify(sentence, title="Phase")
        self.board = message.board
        if before - now:
            # alerts were acknowledged (here or in another console): their toasts go too
            self.clear_notifications()
        if fresh:
            self.announce(fresh, first)

    @on(FeedProblem)
    def _feed_problem(self, message: FeedProblem) -> None:
        if not self._feed_failing:
            self._feed_failing = True
            self.notify(
                f"{message.text}. Retrying every second.",
                title="Cannot read the exercise",
                severity="error",
            )

    def announce(self, alerts: list[Alert], backlog: bool) -> None:
        """Raise a toast per new alert (one summary for a backlog) and ring the bell."""
        if backlog and len(alerts) > 1:
            teams = sorted({a.team for a in alerts})
            self.notify(
                f"{len(alerts)} alerts wait for you (teams {', '.join(teams)}). "
                "Select the team and press a to acknowledge.",
                title="Unacknowledged alerts",
                severity="error",
                timeout=ALERT_TIMEOUT,
            )
        else:
            for alert in alerts:
                kind = ALERT_TITLES.get(alert.kind, alert.kind)
                self.notify(
                    f"{alert.by}: {alert.text}",
                    title=f"Team {alert.team} — {kind}",
                    severity="error",
                    timeout=ALERT_TIMEOUT,
                )
        self.bell()

    # -- actions -------------------------------------------------------------------------

    def perform(self, label: str, call: Callable[[], str]) -> None:
        """Run one service action in a worker thread; its sentence (or refusal) is toasted."""
        self.run_worker(
            partial(self._perform, label, call),
            thread=True,
            group="actions",
            exit_on_error=False,
        )

    def _perform(self, label: str, call: Callable[[], str]) -> None:
        try:
            done = call()
        except ExerciseError as exc:
            self._toast(str(exc), f"{label}: refused", "error")
            return
        self._toast(done, label, "information")

    def _toast(self, text: str, title: str, severity: str) -> None:
        if not text:
            return
        # RuntimeError: the app closed while the action ran; nobody is left to tell
        with contextlib.suppress(RuntimeError):
            self.call_from_thread(
                partial(self.notify, text, title=title, severity=severity)  # type: ignore[arg-type]
            )


def run_facilitate(db: str, exercise: str | None, stuck_after: float = STUCK_AFTER) -> None:
    """Run the facilitator console on database ``db`` (and exercise ``exercise``, if given).

    Problems opening them are printed on stderr as sentences, with exit status 1.
    """
    try:
        service = ExerciseService.open(db)
    except ExerciseError as exc:
        hint = ""
        if "://" not in db and not Path(db).exists():
            hint = (
                " Create an exercise first with: simtrain exercise create SCENARIO "
                f"--db {db} --team NAME --team NAME"
            )
        print(f"{exc}{hint}", file=sys.stderr)
        sys.exit(1)
    try:
        handle = service.exercise(exercise) if exercise else None
    except ExerciseError as exc:
        service.close()
        print(str(exc), file=sys.stderr)
        sys.exit(1)
    app = FacilitatorApp(service, handle, db=db, stuck_after=stuck_after)
    try:
        app.run()
    finally:
        app.wait_stopped()
        service.close()
