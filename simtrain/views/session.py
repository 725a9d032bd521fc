"""One seat's calls to the exercise service, for the trainee UI's worker threads.

:class:`TraineeSession` makes the (blocking) service calls of one seat and builds its
:class:`~simtrain.views.seat.SeatView`; the UI runs them in worker threads.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from simtrain.engine.events import Chose, Joined, Left, Moved, TimerFired
from simtrain.engine.explore import Budget
from simtrain.exercise import (
    ClockState,
    Exercise,
    ExerciseError,
    ExerciseService,
    Recorded,
    SceneChanged,
    Seat,
)
from simtrain.exercise.clock import clock_from_events
from simtrain.exercise.presence import Presence
from simtrain.scenario.compiled import Scenario
from simtrain.text import sentence
from simtrain.views.follow import Reconnected, Trouble, follow
from simtrain.views.fork import fork_lines
from simtrain.views.lobby import RoleOption, role_options
from simtrain.views.seat import SeatLog, SeatView, seat_view

VIEWS_KEPT = 8
"""How many recent views a session remembers (to tell a seat what came first)."""
SEAT_POLL_S = 0.05
"""How often an open seat looks for news: 20 times a second. Each waking costs a seat
process CPU all day long (at the store's 50 a second, an idle seat used about 1 % of a
core); news still reaches the screen well within the 400 ms a class notices."""
ROSTER_KEPT_S = 5.0
"""How long at most a seat shows the roster it read (which roles no one holds) before
reading it again on news: a seat that joins or leaves says so in the log (the seat reads
it again at once), a lease that runs out is foreseen from the reading; only a seat whose
lease ran out and that renews it later says nothing (its role shows held again within
this long, on the next news)."""
TICK_EVERY_S = 1.0
"""How often at most a seat delivers what has fallen due for its team (timers, scheduled
injects): once a second, however much news wakes it."""


SEAT_FORK_BUDGET = Budget(max_states=50_000, max_seconds=10.0)
"""A trainee waits at most this long for fork here (the screen says when it stopped early)."""


SeatNews = SeatView | ClockState | Trouble | Reconnected
"""What :meth:`TraineeSession.follow` gives."""


@dataclass(frozen=True)
class ChoiceResult:
    """What became of a confirmed choice."""

    view: SeatView
    accepted: bool
    message: str = ""
    """Why it was refused, or what changed first; '' when accepted."""
    scene_changed: bool = False


class TraineeSession:
    """One seat's calls to the exercise service. Every method may block: call them from a
    worker thread, never from the UI's event loop."""

    def __init__(
        self,
        exercise: Exercise,
        seat: Seat,
        *,
        code: str = "",
        solo: bool = False,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.exercise = exercise
        self.seat = seat
        self.code = code
        """The team's join code (kept for a solo player who switches roles)."""
        self.solo = solo
        """A solo demo: one person plays every role and sees the debrief at the end."""
        self.wall = wall
        """The wall clock the exercise clock is read at (fixed in snapshot tests)."""
        self._events: list[Recorded] = []
        self._team_cursor = 0
        self._cursor = exercise.last_id()
        self._clock_log = exercise.clock_log()
        """The clock's stream as this seat knows it: read once, then kept up to date from
        what the watch brings (every stream's news after the cursor), so a woken view and
        the clock every second need no read of their own."""
        self._last: SeatView | None = None
        self._log = SeatLog()
        """What the views took from the team's log so far (each event is looked at once)."""
        self._views: dict[int, SeatView] = {}
        """The latest views by sequence number (a choice names the one it was made from)."""
        self._lock = threading.Lock()
        self._roster: tuple[list[str], float] | None = None
        """The open roles last read, and the Unix time until which they hold."""
        self._presence: Presence | None = None
        self._ticked_at = -TICK_EVERY_S
        """When this seat last delivered what had fallen due (monotonic seconds)."""

    def keep_present(self) -> None:
        """Keep the seat online on the roster (a heartbeat thread) until :meth:`leave`."""
        if self._presence is None:
            self._presence = Presence(self.exercise, self.seat).start()

    def leave(self) -> None:
        """The trainee quits: the heartbeat stops and the seat is recorded as gone."""
        if self._presence is not None:
            self._presence.stop()
            self._presence = None
        with contextlib.suppress(ExerciseError):
            self.exercise.leave(self.seat)

    @property
    def last_view(self) -> SeatView | None:
        """The view most recently built."""
        return self._last

    def clock(self) -> ClockState:
        """The exercise clock now."""
        return self.exercise.clock(wall=self.wall())

    def known_clock(self) -> ClockState:
        """The exercise clock now, from the clock events this seat's watch has brought
        (news of the clock wakes the watch like any other)."""
        return clock_from_events(self._clock_log, self.wall())

    def _note_clock(self, events: list[Recorded]) -> None:
        last = self._clock_log[-1].id if self._clock_log else 0
        self._clock_log.extend(e for e in events if e.team is None and e.id > last)

    def fork(self, at: int) -> list[str]:
        """Fork here, for the seat's team: at its ``at``-th decision, what it did beside
        the expert path from the same state, as lines (once the debrief is released, or
        in solo play). The search has :data:`SEAT_FORK_BUDGET`."""
        if not (self.solo or self.clock().debrief_released):
            raise ExerciseError(
                "fork here opens with the debrief, once the facilitator releases it"
            )
        scenario = self.exercise.scenario
        found = self.exercise.fork(self.seat.team, at, SEAT_FORK_BUDGET)
        return fork_lines(found.to_json(scenario), scenario, "your team")

    def view(
        self,
        *,
        tick: bool = True,
        clock: ClockState | None = None,
        news: Sequence[Recorded] = (),
    ) -> SeatView:
        """The seat's view now (anything already due is delivered first, unless ``tick``
        is False: the caller's watch has just delivered it), at ``clock`` if given (else
        the clock is read). ``news``: what the caller's watch has just brought (every
        stream's events after the seat's cursor): the team's among them are taken as
        they are, and the log is read again only for what they leave out."""
        with self._lock:  # the watch worker and a decision may build views at once
            team = self.seat.team
            mine = [e for e in news if e.team == team]
            # the watch folded its news into the exercise's state: no read, unless that
            # state is not as new as the news (folded elsewhere, or not taken)
            seq, state = self.exercise.snapshot(team, tick=tick, read=not mine)
            if mine and seq < mine[-1].seq:
                seq, state = self.exercise.snapshot(team, tick=False)
            taken = self._take(mine)
            if self._events_seq() < seq:
                taken += self._take(self.exercise.events(team, after_id=self._team_cursor))
            events = self._events if self._events_seq() == seq else self._events_to(seq)
            self._last = seat_view(
                self.exercise,
                self.seat,
                state,
                seq,
                events,
                clock or self.clock(),
                self._open_roles(taken),
                self._log,
            )
            self._views[seq] = self._last
            for old in sorted(self._views)[:-VIEWS_KEPT]:
                del self._views[old]
            return self._last

    def _events_seq(self) -> int:
        """The seq of the last event of the team's stream this seat holds."""
        return self._events[-1].seq if self._events else 0

    def _events_to(self, seq: int) -> list[Recorded]:
        return [e for e in self._events if e.seq <= seq]

    def _take(self, entries: Sequence[Recorded]) -> list[Recorded]:
        """Keep the team's ``entries`` that come next in its stream (the seat holds its
        stream from seq 1 without a gap; any others are read again); those it took."""
        last = self._events_seq()
        taken = []
        for entry in entries:
            if entry.seq == last + 1:
                taken.append(entry)
                last = entry.seq
        if taken:
            self._events.extend(taken)
            self._team_cursor = taken[-1].id
        return taken

    def _open_roles(self, news: Sequence[Recorded]) -> list[str]:
        """The roles no one holds in the team: read again when someone joined or left
        (``news``: the team's events the seat has just taken),
        when a lease held at the last reading may have run out, or after
        :data:`ROSTER_KEPT_S` (a seat whose lease ran out may renew it silently)."""
        moment = time.time()
        kept = self._roster
        if (
            kept is None
            or moment >= kept[1]
            or any(isinstance(e.event, Joined | Left) for e in news)
        ):
            roles, until = self.exercise.open_roles_until(self.seat.team, moment)
            kept = self._roster = (roles, min(until, moment + ROSTER_KEPT_S))
        return kept[0]

    def wait(self, timeout: float = 1.0) -> SeatView | None:
        """Wait up to ``timeout`` s for news of this team or the clock; the new view, or
        None when nothing this seat may see has changed meanwhile. News of other teams
        only moves the seat's cursor: it goes back to waiting for what is left of the
        ``timeout`` (a seat of a big exercise is woken by every team's commits)."""
        # a seat delivers what fell due for its own team only, and at most once a
        # second: every seat of a big exercise reading every team's log on every wake was
        # most of an idle seat's cost, and on a database server a round trip per read
        now = time.monotonic()
        deadline = now + timeout
        due = now - self._ticked_at >= TICK_EVERY_S
        if due:
            self._ticked_at = now
        team = self.seat.team
        while True:
            events = self.exercise.watch(
                self._cursor, timeout, poll=SEAT_POLL_S, teams=(team,), tick=due
            )
            if not events:
                return None
            self._note_clock(events)
            if any(e.team in (team, None) for e in events):
                break
            self._cursor = events[-1].id
            due = False
            timeout = deadline - time.monotonic()
            if timeout <= 0:
                return None
        # the watch delivered what was due (within 1 s) and brought any news of the clock
        view = self.view(tick=False, clock=self.known_clock(), news=events)
        # past the news only once its view is built: a read that fails half-way (the
        # server gone) leaves the cursor where it was, and the next wait reads it again
        self._cursor = events[-1].id
        return view

    def follow(self, stop: threading.Event, timeout: float = 1.0) -> Iterator[SeatNews]:
        """The seat's news until ``stop`` is set (see :func:`simtrain.views.follow.follow`):
        a new :class:`SeatView` when something it may see changed, else the clock about
        every ``timeout`` s; :class:`Trouble` while the exercise cannot be read, then
        :class:`Reconnected` and the whole view built afresh."""
        return follow(self.wait, self.view, stop, timeout, idle=self.known_clock)

    def choose(self, choice: str, rationale: str, expected_seq: int) -> ChoiceResult:
        """Make a choice with its rationale, as of the view built from ``expected_seq``."""
        before = self._views.get(expected_seq)
        try:
            state = self.exercise.act(self.seat, choice, rationale, expected_seq=expected_seq)
        except SceneChanged:
            view = self.view()
            text = came_first(
                self.exercise.scenario, self.seat, self._events, expected_seq, before, view, choice
            )
            return ChoiceResult(view, False, text, True)
        except ExerciseError as exc:
            return ChoiceResult(self.view(), False, sentence(str(exc)))
        if self.solo and state.ended and not self.clock().debrief_released:
            # alone, the player is also the facilitator who releases the debrief
            with contextlib.suppress(ExerciseError):
                self.exercise.release_debrief()
        return ChoiceResult(self.view(), True)

    def say(self, text: str, character: str | None = None) -> str:
        """Speak a line to the character in the scene (or ``character``); '' when it was
        recorded, else why not, as a sentence."""
        try:
            self.exercise.say(self.seat, text, character)
        except ExerciseError as exc:
            return sentence(str(exc))
        return ""

    def step_out(self) -> None:
        """Privately tell the facilitator this trainee has stepped out."""
        self.exercise.step_out(self.seat)

    def step_back(self) -> None:
        """Tell the facilitator this trainee is back."""
        self.exercise.step_back(self.seat)

    def roles(self) -> tuple[RoleOption, ...]:
        """The roles of the exercise's scenario."""
        return role_options(self.exercise.scenario)

    def switch_role(self, role: str) -> SeatView:
        """Solo play only: take another role of the same team."""
        if not self.solo:
            raise ExerciseError("only a solo player can switch roles; rejoin to change seat")
        present = self._presence is not None
        self.leave()
        self.seat = self.exercise.join(self.seat.team, self.code, role, self.seat.name)
        if present:
            self.keep_present()
        return self.view()


def came_first(
    scenario: Scenario,
    seat: Seat,
    events: Sequence[Recorded],
    since: int,
    seen: SeatView | None,
    after: SeatView,
    choice: str,
) -> str:
    """One plain sentence for a seat whose choice lost a race: what happened since the
    view it chose from (``seen``, built from sequence number ``since``), with people's and
    scenes' names, never ids, and only what did happen ("Asha already chose “Ask the Red
    Cross medics…”; your note is kept.")."""
    happened: list[str] = []
    for entry in events:
        if entry.seq <= since:
            continue
        event = entry.event
        if isinstance(event, Chose):
            if entry.actor == seat.name and entry.role == seat.role:
                continue
            made = scenario.choices.get(event.choice)
            if made is not None:
                happened.append(f"{entry.actor} already chose “{made.label}”")
        elif isinstance(event, Moved | TimerFired):
            scene = scenario.scenes.get(event.scene)
            title = scene.title if scene is not None else "another scene"
            happened.append(
                f"exercise control moved the team to “{title}”"
                if isinstance(event, Moved)
                else f"time ran out in “{title}”"
            )
    text = "; ".join(happened) or "your team's situation changed just before your choice"
    text = sentence(text).rstrip(".") + "; your note is kept."
    label = scenario.choices[choice].label if choice in scenario.choices else ""
    still = next((c for c in after.choices if c.id == choice and c.open and c.mine), None)
    if seen is not None and (seen.scene.id, seen.scene.visit) != (
        after.scene.id,
        after.scene.visit,
    ):
        text += f" The team is now in “{after.scene.title}”."
    elif still is not None:
        text += f" “{label}” is still on offer: pick it again to confirm it."
    return text


def join_seat(
    service: ExerciseService,
    exercise_id: str,
    team: str,
    code: str,
    role: str,
    name: str,
    *,
    wall: Callable[[], float] = time.time,
) -> TraineeSession:
    """Take a seat in an exercise (raises :class:`ExerciseError` with a sentence)."""
    exercise = service.exercise(exercise_id)
    seat = exercise.join(team, code.strip(), role, name)
    session = TraineeSession(exercise, seat, code=code.strip(), wall=wall)
    session.keep_present()
    return session
