"""The exercise service: the one API the CLI, the trainee UI and the facilitator console call.

It joins the pure engine to the event store. Every action is an event appended with
optimistic concurrency, so two people acting at once never both apply, and timers and
scheduled injects are recorded exactly once by whichever process notices them first.

Streams: ``clock`` holds the exercise-level events (start, pause, resume, end, debrief
release); ``team:<name>`` holds each team's events, the ones the engine folds (choices,
deliveries, timers, moves, adjustments, skips) and the ones it does not (joins, messages,
observations, step-outs, alerts acknowledged).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from simtrain.engine.events import (
    Chose,
    Event,
    InjectDelivered,
    InjectSkipped,
    Moved,
    ScoreAdjusted,
    from_record,
    to_payload,
)
from simtrain.engine.explore import best_scores
from simtrain.engine.machine import Engine
from simtrain.engine.rules import Refused
from simtrain.engine.state import TeamState
from simtrain.engine.summary import team_json
from simtrain.plaintext import clean_line
from simtrain.scenario.compiled import Scenario
from simtrain.scenario.diagnostics import did_you_mean
from simtrain.scenario.validate import load_file, load_text
from simtrain.store import (
    ConcurrencyError,
    EventStore,
    ExerciseRecord,
    NewEvent,
    StoredEvent,
    StoreError,
)

ClockStateName = Literal["created", "running", "paused", "ended"]
FACILITATOR = "facilitator"
SYSTEM = "system"
CLOCK_STREAM = "clock"
MAX_RETRIES = 50

# Team-stream event kinds the engine does not fold
JOINED = "joined"
MESSAGE = "message"
OBSERVATION = "observation"
STEP_OUT = "step_out"
STEP_BACK = "step_back"
ALERT_ACK = "alert_ack"
# Clock-stream kinds
STARTED, PAUSED, RESUMED, ENDED, DEBRIEF = (
    "exercise_started",
    "exercise_paused",
    "exercise_resumed",
    "exercise_ended",
    "debrief_released",
)
OBSERVATION_KINDS = ("strength", "improvement", "note")


class ExerciseError(Exception):
    """A refused or impossible action, as a sentence for a person."""


class SceneChanged(ExerciseError):
    """A teammate (or the facilitator, or a timer) changed the team's state first."""

    def __init__(self, message: str, state: TeamState) -> None:
        super().__init__(message)
        self.state = state


def team_stream(team: str) -> str:
    """The stream name of a team."""
    return f"team:{team}"


@dataclass(frozen=True)
class ClockState:
    """The exercise clock at one moment."""

    state: ClockStateName
    minutes: float
    """Exercise minutes: time since start, paused time not counted."""
    debrief_released: bool


def clock_from_events(events: Iterable[StoredEvent], wall: float) -> ClockState:
    """Fold the clock stream into the clock at wall time ``wall``."""
    state: ClockStateName = "created"
    running_since: float | None = None
    banked = 0.0
    released = False
    for event in events:
        if event.kind == STARTED and state == "created":
            state, running_since = "running", event.wall
        elif event.kind == PAUSED and state == "running" and running_since is not None:
            banked += event.wall - running_since
            state, running_since = "paused", None
        elif event.kind == RESUMED and state == "paused":
            state, running_since = "running", event.wall
        elif event.kind == ENDED and state != "ended":
            if running_since is not None:
                banked += event.wall - running_since
            state, running_since = "ended", None
        elif event.kind == DEBRIEF:
            released = True
    seconds = banked + (max(0.0, wall - running_since) if running_since is not None else 0.0)
    return ClockState(state, seconds / 60.0, released)


@dataclass(frozen=True)
class Seat:
    """A participant's place: one team, one role, a display name."""

    exercise: str
    team: str
    role: str
    name: str


@dataclass(frozen=True)
class _TeamCache:
    seq: int
    state: TeamState
    cursor: int
    """Global id of the last event folded."""


class ExerciseService:
    """Opens a database and hands out :class:`Exercise` handles."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._exercises: dict[str, Exercise] = {}

    @classmethod
    def open(cls, db: str | Path, *, create: bool = False) -> ExerciseService:
        """Open (or with ``create``, create) an exercise database."""
        try:
            return cls(EventStore.open(db, create=create))
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None

    def close(self) -> None:
        """Close the database."""
        self.store.close()

    def __enter__(self) -> ExerciseService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def create(
        self,
        scenario_path: str | Path,
        teams: Sequence[str],
        *,
        title: str | None = None,
        exercise_id: str | None = None,
    ) -> tuple[Exercise, dict[str, str]]:
        """Create an exercise from a scenario file; return it and the join codes."""
        result = load_file(scenario_path)
        if result.scenario is None:
            first = result.errors[0].format() if result.errors else "unknown problem"
            raise ExerciseError(
                f"{scenario_path} is not a valid scenario ({len(result.errors)} errors; "
                f"first: {first}); run 'simtrain validate {scenario_path}'"
            )
        scenario = result.scenario
        if not teams:
            raise ExerciseError("name at least one team (e.g. --team red --team blue)")
        try:
            record, codes = self.store.create_exercise(
                exercise_id=exercise_id,
                title=title or scenario.title,
                scenario_id=scenario.id,
                scenario_text=scenario.text,
                teams=list(teams),
                # the best reachable scores need a search: do it once, keep it with the copy
                settings={
                    "scenario_path": str(scenario_path),
                    "best_scores": best_scores(scenario),
                },
            )
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None
        return self.exercise(record.id), codes

    def backup(self, target: str | Path) -> int:
        """A consistent copy of the whole database in the new file ``target``, made while
        seats keep playing; returns how many events it holds."""
        try:
            return self.store.backup(target)
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None

    def list(self) -> list[ExerciseRecord]:
        """Every exercise in the database, oldest first."""
        return self.store.exercises()

    def clock(self, exercise_id: str) -> ClockState:
        """An exercise's clock, read without loading its scenario (for lists)."""
        try:
            return clock_from_events(self.store.read(exercise_id, CLOCK_STREAM), time.time())
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None

    def exercise(self, exercise_id: str) -> Exercise:
        """A handle on one exercise (cached per service)."""
        handle = self._exercises.get(exercise_id)
        if handle is None:
            try:
                record = self.store.exercise(exercise_id)
            except StoreError as exc:
                raise ExerciseError(str(exc)) from None
            handle = self._exercises[exercise_id] = Exercise(self.store, record)
        return handle


class Exercise:
    """One live exercise: clock, teams, actions and views."""

    def __init__(self, store: EventStore, record: ExerciseRecord) -> None:
        self.store = store
        self.record = record
        result = load_text(record.scenario_text, f"<exercise {record.id}>")
        if result.scenario is None:  # the copy was valid when created; refuse clearly
            raise ExerciseError(
                f"the scenario stored with exercise '{record.id}' no longer validates "
                "with this version of simtrain"
            )
        self.scenario: Scenario = result.scenario
        best = record.settings.get("best_scores")
        if isinstance(best, dict):
            self.scenario.meta["best_scores"] = best
        self.engine = Engine(self.scenario)
        self._cache: dict[str, _TeamCache] = {}
        self._lock = threading.RLock()

    # -- basics ----------------------------------------------------------------------------
    @property
    def id(self) -> str:
        """The exercise id."""
        return self.record.id

    @property
    def teams(self) -> tuple[str, ...]:
        """Team names in creation order."""
        return self.record.teams

    def check_team(self, team: str) -> str:
        """``team`` if the exercise has it; otherwise an ExerciseError with a hint."""
        return self._team(team)

    def _team(self, team: str) -> str:
        if team not in self.record.teams:
            raise ExerciseError(
                f"exercise '{self.id}' has no team '{team}'{did_you_mean(team, self.teams)}; "
                "teams: " + ", ".join(self.teams)
            )
        return team

    def _role(self, role: str) -> str:
        if role not in self.scenario.roles:
            raise ExerciseError(
                f"'{role}' is not a role of this scenario{did_you_mean(role, self.scenario.roles)}"
                "; roles: " + ", ".join(self.scenario.roles)
            )
        return role

    def clock(self, wall: float | None = None) -> ClockState:
        """The exercise clock now (or at ``wall``)."""
        events = self._read(CLOCK_STREAM)
        return clock_from_events(events, time.time() if wall is None else wall)

    def _read(self, stream: str | None = None, after_id: int = 0) -> list[StoredEvent]:
        try:
            return self.store.read(self.id, stream, after_id=after_id)
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None

    def _append(self, stream: str, expected: int, events: Sequence[NewEvent]) -> list[StoredEvent]:
        try:
            return self.store.append(self.id, stream, expected, events)
        except ConcurrencyError:
            raise
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None

    # -- clock control (facilitator) -------------------------------------------------------
    def _clock_event(self, kind: str, allowed: tuple[ClockStateName, ...], verb: str) -> ClockState:
        for _ in range(MAX_RETRIES):
            events = self._read(CLOCK_STREAM)
            now = clock_from_events(events, time.time())
            if now.state not in allowed:
                raise ExerciseError(
                    f"cannot {verb} exercise '{self.id}': it is {now.state}"
                    + (" (create a new exercise to run it again)" if now.state == "ended" else "")
                )
            seq = events[-1].seq if events else 0
            try:
                self._append(
                    CLOCK_STREAM, seq, [NewEvent(kind, {}, round(now.minutes, 4), FACILITATOR)]
                )
            except ConcurrencyError:
                continue
            if kind in (PAUSED, ENDED):
                self.tick(at=now.minutes)
            return self.clock()
        raise ExerciseError("the exercise is too busy right now; try again")

    def start(self) -> ClockState:
        """Start the clock."""
        return self._clock_event(STARTED, ("created",), "start")

    def pause(self) -> ClockState:
        """Stop the clock (participants cannot act while paused)."""
        return self._clock_event(PAUSED, ("running",), "pause")

    def resume(self) -> ClockState:
        """Restart the clock after a pause."""
        return self._clock_event(RESUMED, ("paused",), "resume")

    def end(self) -> ClockState:
        """Close the exercise for good."""
        return self._clock_event(ENDED, ("created", "running", "paused"), "end")

    def release_debrief(self) -> ClockState:
        """Let trainees see their team's scores and the feedback on their decisions."""
        return self._clock_event(
            DEBRIEF, ("created", "running", "paused", "ended"), "release the debrief of"
        )

    def _facilitator_allowed(self) -> ClockState:
        now = self.clock()
        if now.state == "ended":
            raise ExerciseError(f"exercise '{self.id}' has ended; facilitator actions are closed")
        return now

    # -- team state ------------------------------------------------------------------------
    def _fold(self, team: str) -> _TeamCache:
        """The team's state from its stream, folding only events this process has not
        seen yet."""
        with self._lock:
            cache = self._cache.get(team) or _TeamCache(0, self.engine.initial_state(), 0)
            new = self._read(team_stream(team), cache.cursor)
            if not new:
                return cache
            events = [
                event
                for stored in new
                if (event := from_record(stored.kind, stored.payload, stored.clock)) is not None
            ]
            try:
                state = self.engine.replay(events, cache.state)
            except Refused:  # an event recorded under other rules: keep the log, skip it
                state = cache.state
                for event in events:
                    with contextlib.suppress(Refused):
                        state = self.engine.apply(state, event)
            seq = new[-1].seq
            cache = self._cache[team] = _TeamCache(seq, state, new[-1].id)
            return cache

    def state(self, team: str) -> TeamState:
        """The team's current state, with anything already due delivered first."""
        self._team(team)
        self.tick(teams=[team])
        return self._fold(team).state

    def _settle_and_append(
        self,
        team: str,
        build: Any,
        *,
        expected_seq: int | None = None,
        seen_message: str = "",
    ) -> TeamState:
        """Read the team, let ``build(state, now)`` produce events, append; retry on races.

        ``build`` returns (events, actor, role) or raises ExerciseError/Refused. With
        ``expected_seq``, a race that moved the team on raises SceneChanged instead.
        """
        stream = team_stream(team)
        for _ in range(MAX_RETRIES):
            cache = self._fold(team)
            if expected_seq is not None and cache.seq != expected_seq:
                changed = self._decisions_since(team, expected_seq)
                if changed:
                    raise SceneChanged(seen_message or f"the scene changed: {changed}", cache.state)
            clock = self.clock()
            due_state, due = self.engine.settle(cache.state, clock.minutes)
            try:
                events, actor, role = build(due_state, clock)
            except Refused as exc:
                raise ExerciseError(str(exc)) from None
            records = [self._record(e, SYSTEM, None) for e in due]
            records += [
                e if isinstance(e, NewEvent) else self._record(e, actor, role) for e in events
            ]
            if not records:
                return cache.state
            try:
                self._append(stream, cache.seq, records)
            except ConcurrencyError:
                continue  # someone else appended first: read again (and re-check above)
            return self._fold(team).state
        raise ExerciseError("the team is too busy right now; try again")

    def _decisions_since(self, team: str, seq: int) -> str:
        """A sentence about state-changing events after ``seq`` ('' if none)."""
        later = [e for e in self._read(team_stream(team)) if e.seq > seq]
        for event in later:
            if event.kind == Chose.kind:
                who = event.actor or event.role or "a teammate"
                return f"{who} ({event.role}) chose '{event.payload.get('choice')}' first"
            if event.kind == Moved.kind:
                return "the facilitator moved the team to another scene"
            if event.kind in ("timer_fired", InjectDelivered.kind):
                return "time ran on and the situation moved"
        return ""

    def _record(self, event: Event, actor: str, role: str | None) -> NewEvent:
        return NewEvent(event.kind, to_payload(event), round(event.clock, 4), actor, role)

    def tick(self, *, teams: Sequence[str] | None = None, at: float | None = None) -> int:
        """Deliver everything that has fallen due (timers, scheduled and conditional
        injects) for each team; return how many events were recorded.

        Any process may call this at any time: each event is appended with the stream's
        expected sequence number, so it is recorded exactly once whoever gets there first.
        """
        clock = self.clock()
        if clock.state not in ("running", "paused", "ended") and at is None:
            return 0
        now = clock.minutes if at is None else at
        count = 0
        for team in teams or self.teams:
            for _ in range(MAX_RETRIES):
                cache = self._fold(team)
                _, due = self.engine.settle(cache.state, now)
                if not due:
                    break
                try:
                    self._append(
                        team_stream(team), cache.seq, [self._record(e, SYSTEM, None) for e in due]
                    )
                    count += len(due)
                    break
                except ConcurrencyError:
                    continue
        return count

    # -- participants ----------------------------------------------------------------------
    def join(self, team: str, code: str, role: str, name: str) -> Seat:
        """Take a seat: the code must match the team, the role must exist."""
        self._team(team)
        self._role(role)
        name = display_name(name, role)
        try:
            ok = self.store.check_code(self.id, team, code)
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None
        if not ok:
            raise ExerciseError(f"that join code does not open team '{team}'; check the code")
        seat = Seat(self.id, team, role, name)

        def build(state: TeamState, clock: ClockState) -> tuple[list[Any], str, str]:
            joined = NewEvent(JOINED, {"name": name}, round(clock.minutes, 4), name, role)
            return [joined], name, role

        self._settle_and_append(team, build)
        return seat

    def verify(self, team: str, code: str, role: str) -> None:
        """Check a seat's code and role without recording anything (headless ``act``)."""
        self._team(team)
        self._role(role)
        try:
            ok = self.store.check_code(self.id, team, code)
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None
        if not ok:
            raise ExerciseError(f"that join code does not open team '{team}'; check the code")

    def act(
        self,
        seat: Seat,
        choice: str,
        rationale: str = "",
        *,
        expected_seq: int | None = None,
    ) -> TeamState:
        """A participant's choice. With ``expected_seq`` (the state the screen showed), a
        teammate's earlier decision raises :class:`SceneChanged` carrying the new state."""
        team = self._team(seat.team)
        self._role(seat.role)
        seat = Seat(seat.exercise, seat.team, seat.role, display_name(seat.name, seat.role))
        rationale = clean_line(rationale, 500)

        def build(state: TeamState, clock: ClockState) -> tuple[list[Any], str, str]:
            if clock.state != "running":
                raise ExerciseError(_not_running(self.id, clock.state))
            event = Chose(choice, seat.role, clock.minutes, actor=seat.name, rationale=rationale)
            after = self.engine.apply(state, event)
            _, more = self.engine.settle(after, clock.minutes)
            # what the choice set off (a conditional inject...) is the system's doing
            return [event, *(self._record(e, SYSTEM, None) for e in more)], seat.name, seat.role

        return self._settle_and_append(team, build, expected_seq=expected_seq)

    def step_out(self, seat: Seat) -> None:
        """The participant steps out (a private alert to the facilitator; never scored)."""
        self._note_event(seat.team, STEP_OUT, {"name": seat.name}, seat.name, seat.role)

    def step_back(self, seat: Seat) -> None:
        """The participant is back."""
        self._note_event(seat.team, STEP_BACK, {"name": seat.name}, seat.name, seat.role)

    def _note_event(
        self, team: str, kind: str, payload: dict[str, Any], actor: str, role: str | None
    ) -> StoredEvent:
        self._team(team)
        stream = team_stream(team)
        for _ in range(MAX_RETRIES):
            seq = self.store.last_seq(self.id, stream)
            clock = self.clock()
            try:
                return self._append(
                    stream, seq, [NewEvent(kind, payload, round(clock.minutes, 4), actor, role)]
                )[0]
            except ConcurrencyError:
                continue
        raise ExerciseError("the team is too busy right now; try again")

    # -- facilitator actions ----------------------------------------------------------------
    def publish(self, inject: str, team: str | None = None) -> dict[str, str]:
        """Publish an inject now to one team or all; returns {team: '' or why not}."""

        def build(state: TeamState, clock: ClockState) -> tuple[list[Any], str, None]:
            event = InjectDelivered(inject, clock.minutes, manual=True)
            after = self.engine.apply(state, event)  # raises Refused, saying why
            _, more = self.engine.settle(after, clock.minutes)
            return [event, *(self._record(e, SYSTEM, None) for e in more)], FACILITATOR, None

        return self._inject_action(inject, team, build)

    def skip(self, inject: str, team: str | None = None, reason: str = "") -> dict[str, str]:
        """Skip an inject for one team or all: it will not arrive on its own."""

        def build(state: TeamState, clock: ClockState) -> tuple[list[Any], str, None]:
            event = InjectSkipped(inject, clock.minutes, reason)
            self.engine.apply(state, event)  # raises Refused, saying why
            return [event], FACILITATOR, None

        return self._inject_action(inject, team, build)

    def _inject_action(self, inject: str, team: str | None, build: Any) -> dict[str, str]:
        """Run a facilitator's inject action for one team (refusal raised) or every team
        (refusals reported per team)."""
        if inject not in self.scenario.injects:
            raise ExerciseError(
                f"'{inject}' is not an inject of this scenario"
                f"{did_you_mean(inject, self.scenario.injects)}"
            )
        self._facilitator_allowed()
        targets = [self._team(team)] if team else list(self.teams)
        outcome: dict[str, str] = {}
        for name in targets:
            try:
                self._settle_and_append(name, build)
                outcome[name] = ""
            except ExerciseError as exc:
                outcome[name] = str(exc)
        if team and outcome[team]:
            raise ExerciseError(outcome[team])
        return outcome

    def message(
        self,
        team: str,
        text: str,
        *,
        channel: str = "email",
        sender: str = "Exercise control",
        subject: str = "",
        roles: Sequence[str] | None = None,
    ) -> StoredEvent:
        """An ad-hoc message to a team, for what the scenario did not foresee."""
        self._facilitator_allowed()
        if not text.strip():
            raise ExerciseError("the message is empty")
        for role in roles or ():
            self._role(role)
        payload = {
            "channel": channel,
            "from": sender,
            "subject": subject or text.strip().splitlines()[0][:60],
            "text": text.strip(),
            "to": list(roles) if roles else None,
        }
        return self._note_event(team, MESSAGE, payload, FACILITATOR, None)

    def move(self, team: str, scene: str, reason: str) -> TeamState:
        """Move a team to a scene (a facilitator override; the reason is recorded)."""
        self._facilitator_allowed()
        if scene not in self.scenario.scenes:
            raise ExerciseError(
                f"'{scene}' is not a scene of this scenario"
                f"{did_you_mean(scene, self.scenario.scenes)}"
            )
        if not reason.strip():
            raise ExerciseError("give a reason for moving the team (it goes in the record)")
        return self._settle_and_append(
            self._team(team),
            lambda state, clock: ([Moved(scene, clock.minutes, reason.strip())], FACILITATOR, None),
        )

    def adjust(self, team: str, competency: str, points: int, note: str) -> TeamState:
        """Adjust a team's competency score, with a note for the debrief."""
        self._facilitator_allowed()
        if competency not in self.scenario.competencies:
            raise ExerciseError(
                f"'{competency}' is not a competency of the rubric"
                f"{did_you_mean(competency, self.scenario.competencies)}"
            )
        if not -5 <= points <= 5 or points == 0:
            raise ExerciseError("an adjustment is a whole number from -5 to 5, not 0")
        if not note.strip():
            raise ExerciseError("add a note saying why (the team reads it in the debrief)")
        return self._settle_and_append(
            self._team(team),
            lambda state, clock: (
                [ScoreAdjusted(competency, points, clock.minutes, note.strip())],
                FACILITATOR,
                None,
            ),
        )

    def observe(
        self, team: str, kind: str, text: str, competency: str | None = None
    ) -> StoredEvent:
        """Record an observation: a strength, an area for improvement, or a note."""
        self._facilitator_allowed()
        if kind not in OBSERVATION_KINDS:
            raise ExerciseError(
                f"an observation is one of {', '.join(OBSERVATION_KINDS)}, not '{kind}'"
            )
        if competency is not None and competency not in self.scenario.competencies:
            raise ExerciseError(f"'{competency}' is not a competency of the rubric")
        if not text.strip():
            raise ExerciseError("the observation is empty")
        payload = {"kind": kind, "text": text.strip(), "competency": competency}
        return self._note_event(team, OBSERVATION, payload, FACILITATOR, None)

    def acknowledge(self, team: str, event_id: int) -> StoredEvent:
        """The facilitator has seen an alert (a critical error or a step-out)."""
        return self._note_event(team, ALERT_ACK, {"event": event_id}, FACILITATOR, None)

    # -- reading ---------------------------------------------------------------------------
    def events(self, team: str | None = None, after_id: int = 0) -> list[StoredEvent]:
        """Stored events of one team (or the whole exercise) after a cursor."""
        stream = team_stream(self._team(team)) if team else None
        return self._read(stream, after_id)

    def last_id(self) -> int:
        """The newest event id of the exercise (a cursor for :meth:`watch`)."""
        return self.store.last_id(self.id)

    def watch(self, after_id: int, timeout: float = 1.0) -> list[StoredEvent]:
        """Block up to ``timeout`` seconds for events after ``after_id``; deliver anything
        that fell due meanwhile (so an open screen keeps timers honest)."""
        self.tick()
        try:
            return self.store.wait_for_events(self.id, after_id, timeout)
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None

    def replay(self, team: str, until: int | None = None) -> TeamState:
        """The team's state rebuilt from its log after event ``until`` (its sequence
        number in the team's stream; ``None``: all of them)."""
        state = self.engine.initial_state()
        for stored in self._read(team_stream(self._team(team))):
            if until is not None and stored.seq > until:
                break
            event = from_record(stored.kind, stored.payload, stored.clock)
            if event is not None:
                with contextlib.suppress(Refused):
                    state = self.engine.apply(state, event)
        return state

    def snapshot(self, team: str) -> tuple[int, TeamState]:
        """The team's latest sequence number and the state it belongs to, read together
        (pass the number back as ``act(expected_seq=...)``)."""
        self._team(team)
        self.tick(teams=[team])
        cache = self._fold(team)
        return cache.seq, cache.state

    def team_seq(self, team: str) -> int:
        """The sequence number of the team's latest event (for ``act(expected_seq=...)``)."""
        return self._fold(self._team(team)).seq

    def team_json(self, team: str) -> dict[str, Any]:
        """The team's object of ``status --json`` / ``act --json``."""
        return team_json(self.scenario, self.state(team))

    def status(self) -> dict[str, Any]:
        """The JSON of ``status --json``: the clock and every team's live state."""
        self.tick()
        clock = self.clock()
        return {
            "exercise": self.id,
            "title": self.record.title,
            "scenario": self.scenario.id,
            "state": clock.state,
            "clock": round(clock.minutes, 2),
            "debrief_released": clock.debrief_released,
            "teams": {
                team: team_json(self.scenario, self._fold(team).state) for team in self.teams
            },
        }


def display_name(name: str, role: str) -> str:
    """A participant's name as others will see it: one line of plain text, at most 40
    characters, no control sequences; the role's id when nothing is left."""
    return clean_line(name, 40) or role


def _not_running(exercise: str, state: str) -> str:
    return {
        "created": f"exercise '{exercise}' has not started yet; wait for the facilitator",
        "paused": f"exercise '{exercise}' is paused; wait for the facilitator to resume",
        "ended": f"exercise '{exercise}' has ended; no more choices can be made",
    }.get(state, f"exercise '{exercise}' is {state}")
