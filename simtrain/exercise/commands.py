"""The writing half of an exercise handle: every action a person or time takes.

Each command is one read-decide-append on one stream, appended with the sequence number it
read (one transaction); a lost race runs it again through :func:`append_with_retry`, so two
people acting at once never both apply, and timers and scheduled injects are recorded
exactly once by whichever process notices them first.
"""

from __future__ import annotations

import datetime
import time
import uuid
from collections.abc import Callable, Sequence

from msgspec import Struct
from msgspec.structs import replace

from simtrain.engine import lifecycle
from simtrain.engine.events import (
    OBSERVATION_KINDS,
    RATINGS,
    STATE_CHANGING,
    AlertAcknowledged,
    AnyEvent,
    Chose,
    ClockEvent,
    DebriefReleased,
    Event,
    ExerciseEnded,
    ExercisePaused,
    ExerciseResumed,
    ExerciseStarted,
    InjectDelivered,
    InjectSkipped,
    Joined,
    JoinFailed,
    Left,
    LineMarked,
    MessageSent,
    Moved,
    Observed,
    PlanItemAdded,
    PlanItemRemoved,
    Rated,
    Said,
    ScoreAdjusted,
    SteppedBack,
    SteppedOut,
    TeamHeld,
    TeamNote,
    TeamReleased,
    encode,
)
from simtrain.engine.rules import Refused
from simtrain.engine.state import TeamState
from simtrain.exercise import conversations
from simtrain.exercise.clock import ClockState, clock_from_events, now
from simtrain.exercise.errors import Busy, ExerciseError, SceneChanged
from simtrain.exercise.queries import ExerciseQueries, _hold_of
from simtrain.exercise.retry import append_with_retry
from simtrain.exercise.streams import (
    CLOCK_STREAM,
    FACILITATOR,
    HEADLESS,
    SYSTEM,
    TERMINAL,
    Recorded,
    Seat,
    recorded,
    seat_lease,
    team_stream,
)
from simtrain.plaintext import clean_line
from simtrain.scenario.channels import CHANNELS
from simtrain.store import ConcurrencyError, NewEvent, StoredEvent, StoreError
from simtrain.text import did_you_mean, subject_of


class Decision(Struct, frozen=True):
    """What a command appends to a team's stream: ``events`` by ``actor`` (in ``role``),
    then ``consequences`` (what they set off, such as a conditional inject) by the system."""

    events: Sequence[AnyEvent]
    actor: str
    role: str | None = None
    consequences: Sequence[Event] = ()


Build = Callable[[TeamState, ClockState], Decision]
"""A command's decision from the team's settled state and the clock; raises
ExerciseError or Refused to refuse."""

TEAM_BUSY = "the team is too busy right now; try again"

JOIN_FAILURES_BEFORE_DELAY = 5
"""Wrong codes for one team within the window after which each attempt waits."""
JOIN_FAILURE_DELAY_S = 3.0
"""How long each attempt for that team then waits before its code is checked."""


class Exercise(ExerciseQueries):
    """One live exercise: clock, teams, actions and views."""

    def _append(
        self,
        stream: str,
        expected: int,
        events: Sequence[NewEvent],
        unchanged: Sequence[tuple[str, int]] = (),
    ) -> list[StoredEvent]:
        self._fresh.clear()  # what this handle writes, its next fold reads
        try:
            return self.store.append(self.id, stream, expected, events, unchanged=unchanged)
        except ConcurrencyError:
            raise
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None

    def _with_readers(self, team: str, events: Sequence[AnyEvent]) -> list[AnyEvent]:
        """Inject deliveries with ``reached``: the names of the seats online that it
        reached (its roles' seats, or the whole team's when no one holds its roles). An
        inject that reached no one was not delivered to a person, whatever the log says."""
        if not any(isinstance(event, InjectDelivered) for event in events):
            return list(events)
        moment = time.time()
        online = [s for s in self.roster(team) if s.online(moment)]
        held = {s.role for s in online}
        marked: list[AnyEvent] = []
        for event in events:
            if isinstance(event, InjectDelivered) and event.inject in self.scenario.injects:
                to = self.scenario.inject_roles(event.inject)
                whole_team = not any(r in held for r in to)
                reached = tuple(s.name for s in online if whole_team or s.role in to)
                event = replace(event, reached=reached)
            marked.append(event)
        return marked

    # -- clock control (facilitator) -------------------------------------------------------
    def _clock_event(self, kind: type[ClockEvent], verb: str) -> ClockState:
        def attempt() -> ClockState:
            events = self._log(CLOCK_STREAM)
            clock = clock_from_events(events, now())
            if not lifecycle.allows(clock.state, lifecycle.TRIGGERS[kind]):
                raise ExerciseError(
                    f"cannot {verb} exercise '{self.id}': it is {clock.state}"
                    + (" (create a new exercise to run it again)" if clock.state == "ended" else "")
                )
            seq = events[-1].seq if events else 0
            self._append(CLOCK_STREAM, seq, [self._record(kind(clock=clock.minutes), FACILITATOR)])
            return clock

        before = append_with_retry(attempt, "the exercise is too busy right now; try again")
        if kind in (ExercisePaused, ExerciseEnded):
            self.tick(at=before.minutes)
        return self.clock()

    def start(self) -> ClockState:
        """Start the clock."""
        return self._clock_event(ExerciseStarted, "start")

    def pause(self) -> ClockState:
        """Stop the clock (participants cannot act while paused)."""
        return self._clock_event(ExercisePaused, "pause")

    def resume(self) -> ClockState:
        """Restart the clock after a pause."""
        return self._clock_event(ExerciseResumed, "resume")

    def end(self) -> ClockState:
        """Close the exercise for good."""
        return self._clock_event(ExerciseEnded, "end")

    def release_debrief(self) -> ClockState:
        """Let trainees see their team's scores and the feedback on their decisions."""
        return self._clock_event(DebriefReleased, "release the debrief of")

    def _facilitator_allowed(self) -> ClockState:
        """Refuse early (before checking the arguments) once the exercise has ended; the
        command checks again in the transaction that records it."""
        clock = self.clock()
        self._check_lifecycle("intervene", clock)
        return clock

    def _check_lifecycle(self, needs: lifecycle.Trigger | None, clock: ClockState) -> None:
        """Refuse, with a sentence, what the exercise's state does not allow now."""
        if needs is None or lifecycle.allows(clock.state, needs):
            return
        if needs == "act":
            raise ExerciseError(_not_running(self.id, clock.state))
        raise ExerciseError(f"exercise '{self.id}' has ended; facilitator actions are closed")

    # -- team stream -----------------------------------------------------------------------
    def _settle_and_append(
        self,
        team: str,
        build: Build,
        *,
        expected_seq: int | None = None,
        seen_seq: int | None = None,
        seen_message: str = "",
        needs: lifecycle.Trigger | None = None,
    ) -> TeamState:
        """Read the team, let ``build(state, now)`` produce events, append; retry on races.

        With ``expected_seq`` (the team stream's seq a screen was built from) or
        ``seen_seq`` (the team's public seq its caller saw), a race that moved the team on
        raises SceneChanged instead. ``needs``: what the exercise's state must allow
        (``act``, ``intervene``), checked on the clock that is still the exercise's clock
        when the events are written: a pause or the end landing meanwhile makes the
        attempt run again, and refuse.
        """
        stream = team_stream(team)

        def attempt() -> TeamState:
            cache = self._fold(team)
            if expected_seq is not None and cache.seq != expected_seq:
                changed = self._decisions_since(team, expected_seq)
                if changed:
                    raise SceneChanged(
                        seen_message or f"the scene changed: {changed}", cache.state, cache.changes
                    )
            if seen_seq is not None and cache.changes != seen_seq:
                raise SceneChanged(
                    self._stale(team, seen_seq, cache.changes), cache.state, cache.changes
                )
            clock, clock_seq = self._clock_read()
            self._check_lifecycle(needs, clock)
            if needs == "act":
                held = _hold_of(self.scenario, cache).sentence(team, self.scenario)
                if held:
                    raise ExerciseError(held)
            due_state, due = self.engine.settle(cache.state, clock.minutes)
            if seen_seq is not None and any(isinstance(e, STATE_CHANGING) for e in due):
                # a timer or a scheduled inject fell due since the caller looked: the
                # situation moved on (the next read records it)
                raise SceneChanged(
                    f"team '{team}' moved on since seq {seen_seq}: time ran on and the "
                    "situation moved; nothing was recorded — look at the new state and "
                    "decide again",
                    due_state,
                    cache.changes,
                )
            try:
                decision = build(due_state, clock)
            except Refused as exc:
                raise ExerciseError(str(exc)) from None
            records = [self._record(e, SYSTEM) for e in self._with_readers(team, due)]
            records += [
                self._record(e, decision.actor, decision.role)
                for e in self._with_readers(team, decision.events)
            ]
            records += [
                self._record(e, SYSTEM) for e in self._with_readers(team, decision.consequences)
            ]
            if not records:
                return cache.state
            # someone else appending to the team, or any clock event (a pause, the end)
            # landing first raises ConcurrencyError: read again (re-check above)
            self._append(stream, cache.seq, records, [(CLOCK_STREAM, clock_seq)])
            return self._fold(team).state

        return append_with_retry(attempt, TEAM_BUSY)

    def _record(self, event: AnyEvent, actor: str, role: str | None = None) -> NewEvent:
        kind, payload = encode(event)
        return NewEvent(kind, payload, round(event.clock, 4), actor, role)

    def tick(self, *, teams: Sequence[str] | None = None, at: float | None = None) -> int:
        """Deliver everything that has fallen due (timers, scheduled and conditional
        injects) for each team; return how many events were recorded.

        Any process may call this at any time: each event is appended with the stream's
        expected sequence number, so it is recorded exactly once whoever gets there first.
        """
        clock = self.clock()
        if clock.state not in ("running", "paused", "ended") and at is None:
            return 0
        minutes = clock.minutes if at is None else at
        count = 0
        for team in teams or self.teams:

            def attempt(team: str = team) -> int:
                cache = self._fold(team)
                _, due = self.engine.settle(cache.state, minutes)
                if due:
                    records = [self._record(e, SYSTEM) for e in self._with_readers(team, due)]
                    self._append(team_stream(team), cache.seq, records)
                return len(due)

            try:
                count += append_with_retry(attempt, TEAM_BUSY)
            except Busy:  # a reader is not refused: the next read delivers it
                continue
        self.save_folded()
        return count

    # -- participants ----------------------------------------------------------------------
    def join(self, team: str, code: str, role: str, name: str) -> Seat:
        """Take a seat: the code must match the team, the role must exist. The seat is on
        the roster, online while its process renews the lease (:meth:`renew`)."""
        name = display_name(name, role)
        self.verify(team, code, role, name)
        seat = Seat(self.id, team, role, name, uuid.uuid4().hex)
        self._arrive(seat, TERMINAL)
        return seat

    def headless_seat(self, team: str, code: str, role: str, name: str = "") -> Seat:
        """The seat of ``act``: checked like a join; on the roster under its team, role and
        name, online for a lease after each act (a join is recorded when it comes back)."""
        name = display_name(name, role)
        self.verify(team, code, role, name)
        seat = Seat(self.id, team, role, name, f"act:{self.id}:{team}:{role}:{name}")
        self._arrive(seat, HEADLESS)
        return seat

    def _arrive(self, seat: Seat, kind: str) -> None:
        try:
            rejoined = self.store.seat_arrive(
                self.id,
                seat.id,
                team=seat.team,
                name=seat.name,
                role=seat.role,
                kind=kind,
                lease=seat_lease(),
            )
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None
        if rejoined:
            self._note_event(
                seat.team, lambda m: Joined(name=seat.name, seat=seat.id, clock=m), seat
            )

    def renew(self, seat: Seat) -> bool:
        """A seat's heartbeat: online for another lease. False once the seat has left.
        Heartbeats stay out of the event log: they never move a team's stream."""
        try:
            return self.store.seat_renew(seat.id, seat_lease())
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None

    def leave(self, seat: Seat) -> None:
        """The seat quits: offline at once, and the leaving is recorded."""
        try:
            left = self.store.seat_leave(seat.id)
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None
        if left:
            self._note_event(seat.team, lambda m: Left(name=seat.name, seat=seat.id, clock=m), seat)

    def verify(self, team: str, code: str, role: str, name: str = "") -> None:
        """Check a seat's code and role (:meth:`join`, and headless ``act`` each time).

        A wrong code is recorded for the facilitator (:class:`JoinFailed`: the team, the
        name and role given, the time). After :data:`JOIN_FAILURES_BEFORE_DELAY` of them
        within a minute for one team, every further attempt for that team waits
        :data:`JOIN_FAILURE_DELAY_S` before its code is checked: guessing slows
        down, while a team whose code someone keeps mistyping is delayed, never locked out,
        and other teams are not slowed.
        """
        self._team(team)
        self._role(role)
        if self.recent_join_failures(team) >= JOIN_FAILURES_BEFORE_DELAY:
            self.join_delay(JOIN_FAILURE_DELAY_S)
        try:
            ok = self.store.check_code(self.id, team, code)
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None
        if not ok:
            name = display_name(name, role)
            guest = Seat(self.id, team, role, name)
            self._note_event(team, lambda m: JoinFailed(name=name, clock=m), guest)
            raise ExerciseError(f"that join code does not open team '{team}'; check the code")

    def join_delay(self, seconds: float) -> None:
        """How an attempt after repeated wrong codes waits (tests replace it)."""
        time.sleep(seconds)

    def act(
        self,
        seat: Seat,
        choice: str,
        rationale: str = "",
        *,
        expected_seq: int | None = None,
        seen_seq: int | None = None,
    ) -> TeamState:
        """A participant's choice. With ``expected_seq`` (the team stream's seq the screen
        showed) or ``seen_seq`` (the team's public seq, as ``act --seq`` gives it), a
        decision, delivery, timer, move or adjustment that landed after it raises
        :class:`SceneChanged` carrying the new state; nothing is recorded."""
        team = self._team(seat.team)
        self._role(seat.role)
        seat = replace(seat, name=display_name(seat.name, seat.role))
        rationale = clean_line(rationale, 500)
        # a seat on the roster may take the choices of a role no one holds in its team
        open_roles = self.open_roles(team) if seat.id else []

        def build(state: TeamState, clock: ClockState) -> Decision:
            event = Chose(
                choice,
                seat.role,
                clock.minutes,
                actor=seat.name,
                rationale=rationale,
                open_role=self._open_role_for(choice, seat.role, open_roles),
            )
            after = self.engine.apply(state, event)
            _, more = self.engine.settle(after, clock.minutes)
            # what the choice set off (a conditional inject...) is the system's doing
            return Decision([event], seat.name, seat.role, more)

        return self._settle_and_append(
            team, build, expected_seq=expected_seq, seen_seq=seen_seq, needs="act"
        )

    def _stale(self, team: str, seen: int, now_at: int) -> str:
        """Why an ``act --seq`` that saw the team at ``seen`` (now at ``now_at``) is refused."""
        if seen > now_at:
            return (
                f"team '{team}' is at seq {now_at}, not {seen}: pass the seq that "
                "'simtrain status --json' or the last 'act --json' printed"
            )
        return (
            f"team '{team}' moved on since seq {seen} (now {now_at}): "
            f"{self._changes_after(team, seen)}; nothing was recorded — look at the new "
            "state and decide again"
        )

    def _open_role_for(self, choice: str, role: str, open_roles: Sequence[str]) -> str:
        """The open role a seat of ``role`` takes ``choice`` for ('' if its own role may)."""
        allowed = self.scenario.choice_roles(choice) if choice in self.scenario.choices else ()
        if not allowed or role in allowed:
            return ""
        return next((r for r in allowed if r in open_roles), "")

    def step_out(self, seat: Seat) -> None:
        """The participant steps out (a private alert to the facilitator; never scored)."""
        self._note_event(seat.team, lambda m: SteppedOut(name=seat.name, clock=m), seat)

    def step_back(self, seat: Seat) -> None:
        """The participant is back."""
        self._note_event(seat.team, lambda m: SteppedBack(name=seat.name, clock=m), seat)

    def _note_event(
        self,
        team: str,
        note: Callable[[float], TeamNote],
        seat: Seat | None = None,
        needs: lifecycle.Trigger | None = None,
    ) -> Recorded:
        """Append what ``note(exercise minutes)`` says, by ``seat`` (else the facilitator),
        if the exercise's state allows ``needs`` when it is written."""
        self._team(team)
        stream = team_stream(team)
        actor, role = (seat.name, seat.role) if seat else (FACILITATOR, None)

        def attempt() -> Recorded:
            seq = self.store.last_seq(self.id, stream)
            clock, clock_seq = self._clock_read()
            self._check_lifecycle(needs, clock)
            record = self._record(note(clock.minutes), actor, role)
            return recorded(self._append(stream, seq, [record], [(CLOCK_STREAM, clock_seq)])[0])

        return append_with_retry(attempt, TEAM_BUSY)

    # -- facilitator actions ----------------------------------------------------------------
    def publish(self, inject: str, team: str | None = None) -> dict[str, str]:
        """Publish an inject now to one team or all; returns {team: '' or why not}."""

        def build(state: TeamState, clock: ClockState) -> Decision:
            event = InjectDelivered(inject, clock.minutes, manual=True)
            after = self.engine.apply(state, event)  # raises Refused, saying why
            _, more = self.engine.settle(after, clock.minutes)
            return Decision([event], FACILITATOR, None, more)

        return self._inject_action(inject, team, build)

    def skip(self, inject: str, team: str | None = None, reason: str = "") -> dict[str, str]:
        """Skip an inject for one team or all: it will not arrive on its own."""

        def build(state: TeamState, clock: ClockState) -> Decision:
            event = InjectSkipped(inject, clock.minutes, reason)
            self.engine.apply(state, event)  # raises Refused, saying why
            return Decision([event], FACILITATOR)

        return self._inject_action(inject, team, build)

    def _inject_action(self, inject: str, team: str | None, build: Build) -> dict[str, str]:
        """Run a facilitator's inject action for one team (refusal raised) or every team
        (refusals reported per team)."""
        if inject not in self.scenario.injects:
            raise ExerciseError(
                f"'{inject}' is not an inject of this scenario"
                f"{did_you_mean(inject, self.scenario.injects)}"
            )
        self._facilitator_allowed()
        return self._each_team(
            team, lambda name: self._settle_and_append(name, build, needs="intervene")
        )

    def message(
        self,
        team: str,
        text: str,
        *,
        channel: str = "email",
        sender: str = "Exercise control",
        subject: str = "",
        roles: Sequence[str] | None = None,
    ) -> Recorded:
        """An ad-hoc message to a team, for what the scenario did not foresee."""
        self._facilitator_allowed()
        if not text.strip():
            raise ExerciseError("the message is empty")
        if channel not in CHANNELS:
            raise ExerciseError(
                f"'{channel}' is not a channel{did_you_mean(channel, CHANNELS)}; "
                f"use one of: {', '.join(CHANNELS)}"
            )
        for role in roles or ():
            self._role(role)
        return self._note_event(
            team,
            lambda minutes: MessageSent(
                channel=channel,
                sender=sender,
                subject=subject.strip() or subject_of(text),
                text=text.strip(),
                to=tuple(roles) if roles else None,
                clock=minutes,
            ),
            needs="intervene",
        )

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
            lambda state, clock: Decision(
                [Moved(scene, clock.minutes, reason.strip())], FACILITATOR
            ),
            needs="intervene",
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
            lambda state, clock: Decision(
                [ScoreAdjusted(competency, points, clock.minutes, note.strip())], FACILITATOR
            ),
            needs="intervene",
        )

    def observe(
        self,
        team: str,
        kind: str,
        text: str,
        competency: str | None = None,
        *,
        phase: str = "",
        after_end: bool = False,
    ) -> Recorded:
        """Record an observation: a strength, an area for improvement, or a note; with
        ``phase``, noted in that phase's hot-wash. With ``after_end``, also once the
        exercise has ended (the debrief: the console's hot-wash and debrief screens)."""
        if not after_end:
            self._facilitator_allowed()
        if phase:
            self._phase(phase)
        if kind not in OBSERVATION_KINDS:
            raise ExerciseError(
                f"an observation is one of {', '.join(OBSERVATION_KINDS)}, not '{kind}'"
            )
        if competency is not None and competency not in self.scenario.competencies:
            raise ExerciseError(f"'{competency}' is not a competency of the rubric")
        if not text.strip():
            raise ExerciseError("the observation is empty")
        return self._note_event(
            team,
            lambda minutes: Observed(
                category=kind, text=text.strip(), competency=competency, phase=phase, clock=minutes
            ),
            needs=None if after_end else "intervene",
        )

    # -- phases and holds -----------------------------------------------------------------
    def _phase(self, phase: str) -> str:
        if phase not in self.scenario.phases:
            known = self.scenario.phases
            raise ExerciseError(
                f"'{phase}' is not a phase of this scenario{did_you_mean(phase, known)}"
                + ("; phases: " + ", ".join(known) if known else "; it has no phases")
            )
        return phase

    def hold_teams(self, team: str | None = None, phase: str | None = None) -> dict[str, str]:
        """Hold one team or every team: at once, or with ``phase`` once it has left that
        phase. A held team cannot decide until released; the exercise runs on. Returns
        {team: '' or why not} (a single team's refusal is raised)."""
        self._facilitator_allowed()
        if phase is not None:
            self._phase(phase)

        def one(name: str) -> None:
            if self.state(name).ended:
                raise ExerciseError(
                    f"team '{name}' has reached an ending; there is nothing to hold"
                )
            self._note_event(
                name, lambda m: TeamHeld(phase=phase or "", clock=m), needs="intervene"
            )

        return self._each_team(team, one)

    def release_teams(self, team: str | None = None) -> dict[str, str]:
        """Release one held team, or every team held or waiting for a hold (together: one
        command). Returns {team: '' or why not}; a single team's refusal is raised."""
        self._facilitator_allowed()

        def one(name: str) -> None:
            if self.hold(name).phase is None:
                raise ExerciseError(f"team '{name}' is not held")
            self._note_event(name, lambda m: TeamReleased(clock=m), needs="intervene")

        targets = None if team else [t for t in self.teams if self.hold(t).phase is not None]
        if targets == []:
            raise ExerciseError("no team is held")
        return self._each_team(team, one, targets)

    def _each_team(
        self, team: str | None, one: Callable[[str], object], targets: Sequence[str] | None = None
    ) -> dict[str, str]:
        """Run ``one`` for a team (its refusal raised) or for each of ``targets`` (every
        team by default; refusals reported per team)."""
        names = [self._team(team)] if team else list(self.teams if targets is None else targets)
        outcome: dict[str, str] = {}
        for name in names:
            try:
                one(name)
                outcome[name] = ""
            except ExerciseError as exc:
                if team:
                    raise
                outcome[name] = str(exc)
        return outcome

    # -- the after-action review: ratings and the improvement plan ---------------------------
    def rate(self, team: str, objective: str, rating: str, note: str = "") -> Recorded:
        """Rate a team on an objective (HSEEP: P, S, M or U), with a note; a later rating
        of the objective replaces it. Open during the exercise and after its end."""
        objectives = self.objectives()
        if objective not in objectives:
            raise ExerciseError(
                f"'{objective}' is not an objective of this exercise"
                f"{did_you_mean(objective, objectives)}; objectives: " + ", ".join(objectives)
            )
        letter = rating.strip().upper()
        if letter not in RATINGS:
            raise ExerciseError(
                f"'{rating}' is not a rating; use one of "
                + ", ".join(f"{k} ({v})" for k, v in RATINGS.items())
            )
        text = clean_line(note, 500)
        return self._note_event(
            team, lambda m: Rated(objective=objective, rating=letter, note=text, clock=m)
        )

    def plan_add(
        self, team: str, *, issue: str, action: str, responsible: str, due: str
    ) -> Recorded:
        """Add a row to a team's improvement plan. ``responsible`` is a role of the scenario
        (its id or name; stored as its name) or an agency's name; ``due`` a date
        ``YYYY-MM-DD``."""
        fields = {"issue": clean_line(issue, 500), "action": clean_line(action, 500)}
        for name, value in fields.items():
            if not value:
                raise ExerciseError(f"the {name} is empty; say what it is in one line")
        who = clean_line(responsible, 80)
        who = self.scenario.role_names.get(who, who)
        if len(who) < 2 or not any(ch.isalpha() for ch in who):
            raise ExerciseError(
                f"'{responsible}' does not name who is responsible: give a role ("
                + ", ".join(self.scenario.roles)
                + ") or an agency's name, e.g. 'Labour inspectorate'"
            )
        when = due.strip()
        try:
            if len(when) != 10:
                raise ValueError(when)
            datetime.date.fromisoformat(when)
        except ValueError:
            raise ExerciseError(
                f"'{due}' is not a due date: write it as YYYY-MM-DD, e.g. 2027-03-31"
            ) from None
        return self._note_event(
            team,
            lambda m: PlanItemAdded(
                issue=fields["issue"],
                action=fields["action"],
                responsible=who,
                due=when,
                clock=m,
            ),
        )

    def plan_remove(self, team: str, item: int) -> Recorded:
        """Remove a row of a team's improvement plan (``item``: its number in
        :meth:`plan`, from 1)."""
        rows = self.plan(team)
        if not 1 <= item <= len(rows):
            raise ExerciseError(
                f"team '{team}' has no improvement-plan row {item}"
                + (f"; rows: 1 to {len(rows)}" if rows else "; its plan is empty")
            )
        event_id = rows[item - 1].id
        return self._note_event(team, lambda m: PlanItemRemoved(item=event_id, clock=m))

    # -- conversations with characters (issue 17) ---------------------------------------------
    def say(self, seat: Seat, text: str, character: str | None = None) -> int:
        """A seat speaks to a character present in its team's scene (the one there that
        talks to its role, unless ``character`` names it); returns the line's number."""
        team = self._team(seat.team)
        self._role(seat.role)
        name = display_name(seat.name, seat.role)
        line = conversations.line_text(text)

        def said(state: TeamState, number: int) -> Said:
            partner = conversations.seat_partner(self.scenario, state, team, seat.role, character)
            return Said(
                line=number, character=partner, speaker=name, role=seat.role, text=line, clock=0
            )

        return self._say(team, said, name, seat.role)

    def speak_as(self, team: str, character: str, text: str, *, by: str = FACILITATOR) -> int:
        """The character speaks to a team it is present for (its role-player, ``by`` the
        facilitator unless said otherwise); returns the line's number."""
        team = self._team(team)
        conversations.check_character(self.scenario, character)
        line = conversations.line_text(text)
        name = self.scenario.characters[character].name

        def said(state: TeamState, number: int) -> Said:
            conversations.character_may_speak(self.scenario, state, team, character)
            return Said(line=number, character=character, speaker=name, text=line, clock=0)

        return self._say(team, said, by, None)

    def _say(
        self,
        team: str,
        said: Callable[[TeamState, int], Said],
        actor: str,
        role: str | None,
    ) -> int:
        """Append the line ``said(settled state, its number)`` while the exercise runs."""
        number = 0

        def build(state: TeamState, clock: ClockState) -> Decision:
            nonlocal number
            number = len(self.conversation(team)) + 1
            event = replace(said(state, number), clock=clock.minutes)
            return Decision([event], actor, role)

        self._settle_and_append(team, build, needs="act")
        return number

    def mark(
        self,
        team: str,
        line: int,
        competency: str,
        points: int,
        note: str = "",
        *,
        character: str | None = None,
        by: str = FACILITATOR,
    ) -> TeamState:
        """Mark one of the team's conversation lines with a competency and points, which
        count in its score like an assessed choice. A role-player (``character``) marks
        only lines of its own conversations; a line takes one mark per competency."""
        team = self._team(team)
        self._facilitator_allowed()
        if character is not None:
            conversations.check_character(self.scenario, character)
        if competency not in self.scenario.competencies:
            raise ExerciseError(
                f"'{competency}' is not a competency of the rubric"
                f"{did_you_mean(competency, self.scenario.competencies)}"
            )
        conversations.mark_points(points)
        note = conversations.mark_note(note)

        def build(state: TeamState, clock: ClockState) -> Decision:
            lines = {
                e.event.line: e.event for e in self.conversation(team) if isinstance(e.event, Said)
            }
            target = lines.get(line)
            if target is None:
                count = len(lines)
                raise ExerciseError(
                    f"team {team} has no conversation line {line}"
                    + (f" (its lines are 1 to {count})" if count else " (it has no lines yet)")
                )
            if character is not None and target.character != character:
                raise ExerciseError(
                    f"line {line} of team {team} is not part of "
                    f"{self.scenario.characters[character].name}'s conversation"
                )
            for done in state.marks:
                if done.line == line and done.competency == competency:
                    raise ExerciseError(
                        f"line {line} of team {team} is already marked for "
                        f"{self.scenario.competency_names[competency]} ({done.points:+d})"
                    )
            event = LineMarked(line, competency, points, clock.minutes, target.character, note)
            return Decision([event], by)

        return self._settle_and_append(team, build, needs="intervene")

    def acknowledge(self, team: str, event_id: int) -> Recorded:
        """The facilitator has seen an alert (a critical error or a step-out)."""
        return self._note_event(team, lambda m: AlertAcknowledged(alert=event_id, clock=m))


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
