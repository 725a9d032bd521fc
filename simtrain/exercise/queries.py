"""The reading half of an exercise handle: the clock, team states, events, JSON views.

Reads keep timers honest: :meth:`ExerciseQueries.state`, ``snapshot``, ``status`` and
``watch`` first deliver whatever has fallen due (via the command ``tick``).
"""

from __future__ import annotations

import contextlib
import json
import math
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from simtrain.bulk import collector_paused
from simtrain.engine.events import (
    STATE_CHANGING,
    Chose,
    Event,
    InjectDelivered,
    JoinFailed,
    Moved,
    PlanItemAdded,
    PlanItemRemoved,
    Rated,
    Said,
    TeamHeld,
    TeamReleased,
    TimerFired,
)
from simtrain.engine.fold import Engine
from simtrain.engine.phases import Hold, hold_of, last_hold
from simtrain.engine.saved import state_data, state_from_data, state_key
from simtrain.engine.state import TeamState
from simtrain.engine.summary import NO_MEASURE, Measure, PathBest, measure, team_json
from simtrain.exercise import conversations
from simtrain.exercise.clock import ClockState, clock_from_events, now
from simtrain.exercise.errors import ExerciseError
from simtrain.exercise.streams import (
    CLOCK_STREAM,
    FOLDED_KINDS,
    Recorded,
    folded,
    iso_utc,
    recorded,
    team_stream,
)
from simtrain.scenario.compiled import CHECKS, Scenario, load_checked
from simtrain.store import ExerciseRecord, SeatRecord, Store, StoredEvent, StoreError, read_json
from simtrain.store.codes import verify_code
from simtrain.text import did_you_mean

if TYPE_CHECKING:  # a fork searches: its modules load when one is asked for
    from simtrain.engine.explore import Budget
    from simtrain.engine.fork import Fork

_HOLD_KINDS = (TeamHeld.kind, TeamReleased.kind)
JOIN_FAILURE_WINDOW_S = 60.0
"""How far back wrong join codes count towards slowing a team's attempts."""
SAVE_STATE_EVERY = 100
"""A team's folded state is saved in the store once this many events of its stream have
been folded since its last saved state: readers then fold only the events after it."""


_STATE_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
"""Saved states are written compact (they are read back by machines only)."""


def stored_scenario(record: ExerciseRecord) -> Scenario:
    """The scenario stored with an exercise. A copy that passed this version's checks when
    the exercise was created loads from the values kept with it, without validating again
    (and without importing YAML or the validator's pydantic models: a seat's memory, every
    command's start-up); any other is validated, and refused with a sentence when it no
    longer validates."""
    path = f"<exercise {record.id}>"
    values = record.settings.get("scenario_values")
    if record.settings.get("scenario_checks") == CHECKS and isinstance(values, dict):
        scenario = load_checked(values, record.scenario_text, path)
        if scenario is not None and scenario.sha256 == record.scenario_sha256:
            return scenario
    from simtrain.scenario.validate import load_text  # pydantic: only when needed

    result = load_text(record.scenario_text, path)
    if result.scenario is None:  # the copy was valid when created; refuse clearly
        raise ExerciseError(
            f"the scenario stored with exercise '{record.id}' no longer validates "
            "with this version of simtrain"
        )
    return result.scenario


class _TeamCache(Struct, frozen=True):
    seq: int
    """The team stream's last sequence number (every event of the stream)."""
    state: TeamState
    cursor: int
    """Global id of the last event folded."""
    changes: int = 0
    """How many state-changing events the stream holds: the team's public ``seq``."""
    hold: str | None = None
    """The facilitator's hold on the team: None when there is none, '' for a hold at
    once, else the phase at whose end the team is held."""
    measure: Measure = NO_MEASURE
    """What the team could have earned at each decision folded (the report's
    ``path_best``), measured as each decision is folded and saved with the state."""
    kinds: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """For each kind of event the stream holds up to ``seq``: how many, and the seq of the
    first (a report reads only the ends of long lists, no kind the log has none of, and
    nothing before the first event it needs)."""


class Measured(Struct, frozen=True):
    """A team's log as a report needs it, from the team's saved state on (see
    :meth:`ExerciseQueries.measured`)."""

    seq: int
    """The team stream's last sequence number it was read to."""
    best: PathBest
    """Its folded state, with what it could have earned at each decision."""
    kinds: Mapping[str, int]
    """How many events of each kind the stream holds up to ``seq``."""
    first: Mapping[str, int]
    """The seq of the first event of each kind the stream holds."""


class ExerciseQueries(ABC):
    """One live exercise, read side: what its clock, teams and log say now."""

    def __init__(self, store: Store, record: ExerciseRecord) -> None:
        self.store = store
        self.record = record
        self.scenario: Scenario = stored_scenario(record)
        best = record.settings.get("best_scores")
        if isinstance(best, dict):
            self.scenario.meta["best_scores"] = best
            self.scenario.meta["best_scores_exact"] = bool(
                record.settings.get("best_scores_exact", True)
            )
        self.engine = Engine(self.scenario)
        self._cache: dict[str, _TeamCache] = {}
        self._lock = threading.RLock()
        self._state_key = state_key(record.scenario_sha256)
        self._saved: dict[str, tuple[int, str]] | None = None
        """The store's saved states, read once per handle (only needed before a team's
        first fold; later folds start from the cache)."""
        self._unsaved: dict[str, _TeamCache] = {}
        """Folds that went :data:`SAVE_STATE_EVERY` events past the team's saved state."""
        self._fresh: set[str] = set()
        """Teams read during the :meth:`status` under way and not written since: its tick
        has just read each team, so its own fold does not read the team again."""

    @abstractmethod
    def tick(self, *, teams: Sequence[str] | None = None, at: float | None = None) -> int:
        """Deliver what has fallen due (a command, written by :class:`Exercise`; reads call it
        so an open screen keeps timers honest)."""

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

    def clock_log(self) -> list[Recorded]:
        """The exercise clock's stream (started, paused, resumed, ended, released…)."""
        return self._log(CLOCK_STREAM)

    def clock(self, wall: float | None = None) -> ClockState:
        """The exercise clock now (or at ``wall``)."""
        return clock_from_events(self._log(CLOCK_STREAM), now() if wall is None else wall)

    def recent_join_failures(self, team: str, wall: float | None = None) -> int:
        """Wrong join codes tried for ``team`` in the :data:`JOIN_FAILURE_WINDOW_S` seconds
        before now (or before the Unix time ``wall``)."""
        since = (now() if wall is None else wall) - JOIN_FAILURE_WINDOW_S
        return sum(
            1
            for entry in self._log(team_stream(self._team(team)))
            if isinstance(entry.event, JoinFailed) and entry.wall >= since
        )

    def _clock_read(self) -> tuple[ClockState, int]:
        """The exercise clock now and the clock stream's last seq it was read at (a
        command appends on condition that the clock stream is still there)."""
        events = self._log(CLOCK_STREAM)
        return clock_from_events(events, now()), events[-1].seq if events else 0

    def _read(self, stream: str | None = None, after_id: int = 0) -> list[StoredEvent]:
        try:
            return self.store.read(self.id, stream, after_id=after_id)
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None

    def _log(self, stream: str | None = None, after_id: int = 0) -> list[Recorded]:
        with collector_paused():  # a long log is thousands of new objects
            return [recorded(stored) for stored in self._read(stream, after_id)]

    # -- team state ------------------------------------------------------------------------
    def _fold(self, team: str, *, fresh: bool = False, read: bool = True) -> _TeamCache:
        """The team's state from its stream, folding only events this process has not
        seen yet (on a first fold, only those after the team's saved state). ``fresh``:
        a read of this very call (see :attr:`_fresh`) is recent enough. ``read`` False:
        what this handle has folded is recent enough (its watch has just brought the
        team's news: see :meth:`_absorb`), unless it has folded nothing of the team yet."""
        with self._lock, collector_paused():
            if ((fresh and team in self._fresh) or not read) and team in self._cache:
                return self._cache[team]
            cache = self._cache.get(team) or self._saved_cache(team)
            new = self._read(team_stream(team), cache.cursor)
            self._fresh.add(team)
            return self._fold_rows(team, cache, new)

    def _fold_rows(self, team: str, cache: _TeamCache, new: Sequence[StoredEvent]) -> _TeamCache:
        """``cache`` with the team's events ``new`` folded in: they are the stream's next
        events (seq ``cache.seq + 1`` on), in order."""
        if not new:
            self._cache[team] = cache
            return cache
        # an event recorded under other rules stays in the log and is skipped
        events = folded(new)
        # a message, a join, a note: nothing to fold (measuring nothing still copies the state)
        state, measured = (
            measure(self.engine, events, cache.state, cache.measure)
            if events
            else (cache.state, cache.measure)
        )
        changes = cache.changes + sum(isinstance(e, STATE_CHANGING) for e in events)
        holds = [recorded(row).event for row in new if row.kind in _HOLD_KINDS]
        hold = last_hold(holds, cache.hold)
        kinds = dict(cache.kinds)
        for row in new:
            count, first = kinds.get(row.kind, (0, row.seq))
            kinds[row.kind] = (count + 1, first)
        cache = self._cache[team] = _TeamCache(
            new[-1].seq, state, new[-1].id, changes, hold, measured, kinds
        )
        saved = self._saved.get(team_stream(team), (0, ""))[0] if self._saved else 0
        if cache.seq - saved >= SAVE_STATE_EVERY:
            self._unsaved[team] = cache
        return cache

    def _absorb(self, rows: Sequence[StoredEvent]) -> None:
        """Fold what a watch has just read into the teams this handle keeps folded, so
        that a view built on the news reads nothing again (one read per wake). A team's
        rows are taken only when they are the next of its stream (its seq numbers run on
        from the folded ones, without a gap); otherwise its next fold reads as usual."""
        kept = {team_stream(team) for team in list(self._cache)}
        if not any(row.stream in kept for row in rows):
            return  # another team's news
        with self._lock, collector_paused():
            for team, cache in list(self._cache.items()):
                stream = team_stream(team)
                new = [row for row in rows if row.stream == stream and row.seq > cache.seq]
                if new and all(row.seq == cache.seq + n for n, row in enumerate(new, 1)):
                    self._fold_rows(team, cache, new)

    def _saved_cache(self, team: str) -> _TeamCache:
        """The team's saved state as a cache to fold on from (the initial state when none
        was saved under this handle's key, or it cannot be read)."""
        if self._saved is None:
            # a cache: a store that cannot give it (a file of an older schema opened by a
            # process that has not migrated it, say) only costs the fold of the whole log
            try:
                self._saved = self.store.saved_states(self.id, self._state_key)
            except StoreError:
                self._saved = {}
        found = self._saved.get(team_stream(team))
        if found is not None:
            seq, text = found
            try:
                data = read_json(text)
                state = state_from_data(data["state"])
                hold = data["hold"]
                if hold is not None and not isinstance(hold, str):
                    raise TypeError("a hold is a phase id, '' or null")
                measured = Measure.from_data(data["measure"])
                kinds = {
                    str(kind): (int(count), int(first))
                    for kind, (count, first) in data["kinds"].items()
                }
                cursor, changes = int(data["cursor"]), int(data["changes"])
                return _TeamCache(seq, state, cursor, changes, hold, measured, kinds)
            except (ValueError, TypeError, KeyError, AttributeError):
                # a damaged row is only a lost shortcut: fold the log, and save it again
                del self._saved[team_stream(team)]
        return _TeamCache(0, self.engine.initial_state(), 0)

    def save_folded(self) -> None:
        """Save the states of teams folded far past their saved state, in one write, so
        that the next reader folds less (a cache: a failure to write it costs the next
        reader time, nothing else)."""
        with self._lock:
            unsaved, self._unsaved = self._unsaved, {}
            if not unsaved:
                return
            rows = [
                (
                    team_stream(team),
                    cache.seq,
                    _STATE_JSON(
                        {
                            "cursor": cache.cursor,
                            "changes": cache.changes,
                            "hold": cache.hold,
                            "measure": cache.measure.data(),
                            "kinds": {k: list(v) for k, v in cache.kinds.items()},
                            "state": state_data(cache.state),
                        }
                    ),
                )
                for team, cache in unsaved.items()
            ]
            with contextlib.suppress(StoreError):
                self.store.save_states(self.id, self._state_key, rows)
                saved = self._saved if self._saved is not None else {}
                self._saved = saved | {stream: (seq, text) for stream, seq, text in rows}

    def measured(self, team: str) -> Measured:
        """The team's log as a report needs it: its folded state with what the team could
        have earned at each decision (the report's ``path_best``; equal to
        :func:`simtrain.engine.summary.path_best` of the whole log) and how many events
        of each kind it holds, from its saved state and the events after it. The log as
        it is: nothing due is delivered."""
        cache = self._fold(self._team(team))
        best = cache.measure.path_best(self.scenario, cache.state)
        counts = {kind: count for kind, (count, _) in cache.kinds.items()}
        firsts = {kind: first for kind, (_, first) in cache.kinds.items()}
        return Measured(cache.seq, best, counts, firsts)

    def read_kinds(
        self,
        team: str,
        kinds: Sequence[str],
        until_seq: int,
        limit: int | None = None,
        *,
        newest: bool = False,
        since_seq: int = 1,
    ) -> list[Recorded]:
        """The team's log entries of ``kinds`` from its stream's ``since_seq`` up to
        ``until_seq``: with ``limit``, only the first ``limit`` of them (with ``newest``,
        the last)."""
        rows = self._rows_of_kinds(
            team, kinds, until_seq=until_seq, limit=limit, newest=newest, since_seq=since_seq
        )
        with collector_paused():
            return [recorded(row) for row in rows]

    def _rows_of_kinds(self, team: str, kinds: Sequence[str], **bounds: Any) -> list[StoredEvent]:
        """The store's :meth:`~simtrain.store.Store.read_kinds` of the team's stream."""
        try:
            return self.store.read_kinds(self.id, team_stream(self._team(team)), kinds, **bounds)
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None

    def state(self, team: str) -> TeamState:
        """The team's current state, with anything already due delivered first."""
        self._team(team)
        self.tick(teams=[team])
        return self._fold(team).state

    def _decisions_since(self, team: str, seq: int) -> str:
        """A sentence about what moved the team on after its stream's ``seq`` ('' if
        nothing did: a join or a message changes nothing a screen decided on)."""
        return _what_changed(e for e in self._log(team_stream(team)) if e.seq > seq)

    def _changes_after(self, team: str, seen: int) -> str:
        """A sentence about the team's state-changing events after the ``seen``-th one
        (its public ``seq``; '' if there are none)."""
        changes = [e for e in self._log(team_stream(team)) if isinstance(e.event, STATE_CHANGING)]
        later = changes[seen:]
        if not later:
            return ""
        return _what_changed(later) or "the facilitator adjusted the team's score"

    # -- reading ---------------------------------------------------------------------------
    def events(self, team: str | None = None, after_id: int = 0) -> list[Recorded]:
        """The log of one team (or the whole exercise) after a cursor."""
        stream = team_stream(self._team(team)) if team else None
        return self._log(stream, after_id)

    def last_id(self) -> int:
        """The newest event id of the exercise (a cursor for :meth:`watch`)."""
        return self.store.last_id(self.id)

    def watch(
        self,
        after_id: int,
        timeout: float = 1.0,
        poll: float | None = None,
        teams: Sequence[str] | None = None,
        tick: bool = True,
    ) -> list[Recorded]:
        """Block up to ``timeout`` seconds for events after ``after_id``; first deliver
        anything that fell due for ``teams`` (every team unless given; so an open screen
        keeps timers honest), unless ``tick`` is False. ``poll``: how often to look for
        other processes' commits (the store's default unless given)."""
        if tick:
            self.tick(teams=teams)
        try:
            if poll is None:
                found = self.store.wait_for_events(self.id, after_id, timeout)
            else:
                found = self.store.wait_for_events(self.id, after_id, timeout, poll)
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None
        self._absorb(found)
        return [recorded(e) for e in found]

    def replay(self, team: str, until: int | None = None) -> TeamState:
        """The team's state rebuilt from its log after event ``until`` (its sequence
        number in the team's stream; ``None``: all of them)."""
        return self.engine.replay(self.folded_events(team, until), skip_refused=True)

    def folded_events(self, team: str, until: int | None = None) -> list[Event]:
        """The events of the team's log the engine folds (up to its stream's seq
        ``until``; ``None``: all of them), as :meth:`fork` and replays take them."""
        return folded(self._rows_of_kinds(team, tuple(FOLDED_KINDS), until_seq=until))

    def fork(
        self,
        team: str,
        at: int,
        budget: Budget | None = None,
        *,
        events: Sequence[Event] | None = None,
    ) -> Fork:
        """Fork here: what the team did from its ``at``-th decision (1-based in its path)
        beside the expert's best continuation from the state it was in just before it
        (see :func:`simtrain.engine.fork.fork`); a decision out of range is refused.
        ``events``: the team's folded events when the caller has just read them (a
        report), instead of reading the log again."""
        from simtrain.engine.fork import ForkRefused, fork

        if events is None:
            events = self.folded_events(team)
        try:
            return fork(self.scenario, list(events), at, budget)
        except ForkRefused as exc:
            raise ExerciseError(f"team '{team}': {exc}") from None

    # -- phases, holds, ratings and the improvement plan ------------------------------------
    def hold(self, team: str) -> Hold:
        """The facilitator's hold on a team, and whether it holds the team now."""
        self._team(team)
        self.tick(teams=[team])
        return _hold_of(self.scenario, self._fold(team))

    def ratings(self, team: str, entries: Sequence[Recorded] | None = None) -> dict[str, Recorded]:
        """The team's HSEEP rating of each objective rated so far (the latest of each), in
        the order of :meth:`objectives`. ``entries``: the team's log when the caller has
        just read it (a report), instead of reading it again."""
        return latest_ratings(self.events(team) if entries is None else entries, self.objectives())

    def objectives(self) -> list[str]:
        """What a team is rated on: each rubric competency (the objectives injects test
        name competencies too), those an inject tests first."""
        tested = {i.objective for i in self.scenario.injects.values() if i.objective}
        return [c for c in self.scenario.competencies if c in tested] + [
            c for c in self.scenario.competencies if c not in tested
        ]

    def plan(self, team: str, entries: Sequence[Recorded] | None = None) -> list[Recorded]:
        """The team's improvement plan: the rows added and not removed, oldest first (each
        row's ``id`` is what removes it). ``entries`` as for :meth:`ratings`."""
        return plan_rows(self.events(team) if entries is None else entries)

    def snapshot(self, team: str, *, tick: bool = True, read: bool = True) -> tuple[int, TeamState]:
        """The team's latest sequence number and the state it belongs to, read together
        (pass the number back as ``act(expected_seq=...)``); anything due is delivered
        first unless ``tick`` is False (the caller has just done so). ``read`` False: the
        state as this handle last folded it, without reading the log (the caller's
        :meth:`watch` has just brought and folded the team's news; a caller that needs
        the news it saw checks the seq it gets)."""
        self._team(team)
        if tick:
            self.tick(teams=[team])
        cache = self._fold(team, read=read)
        return cache.seq, cache.state

    def seq(self, team: str) -> int:
        """The team's public ``seq``: how many state-changing events it has (see
        :data:`simtrain.engine.events.STATE_CHANGING`), anything due delivered first."""
        return self.seq_and_state(team)[0]

    def seq_and_state(self, team: str) -> tuple[int, TeamState]:
        """The team's public ``seq`` and the state it belongs to, read together (pass the
        number back as ``act(seen_seq=...)``), anything due delivered first."""
        self._team(team)
        self.tick(teams=[team])
        cache = self._fold(team)
        return cache.changes, cache.state

    def team_json(self, team: str) -> dict[str, Any]:
        """The team's object of ``status --json`` / ``act --json``, with its ``seq``."""
        self._team(team)
        self.tick(teams=[team])
        return _with_seq(self.scenario, self._fold(team))

    def status(self) -> dict[str, Any]:
        """The JSON of ``status --json``: the clock and every team's live state."""
        with collector_paused():  # every team's saved state and path: many objects
            return self._status()

    def _status(self) -> dict[str, Any]:
        self._fresh.clear()
        try:
            self.tick()  # reads every team (when the clock runs) and writes what is due
            clock = self.clock()
            roster, moment = self.roster(), time.time()  # one read of the roster for all
            teams = {
                team: _with_seq(self.scenario, self._fold(team, fresh=True))
                | self._seats_json([s for s in roster if s.team == team], moment)
                for team in self.teams
            }
        finally:
            self._fresh.clear()
        self.save_folded()
        return {
            "exercise": self.id,
            "title": self.record.title,
            "scenario": self.scenario.id,
            "state": clock.state,
            "clock": round(clock.minutes, 2),
            "debrief_released": clock.debrief_released,
            "teams": teams,
        }

    # -- conversations with characters (issue 17) ---------------------------------------------
    def conversation(self, team: str) -> list[Recorded]:
        """The team's conversation lines (every character's), in order; each entry's event
        is a :class:`Said` whose ``line`` numbers it."""
        return [e for e in self._log(team_stream(self._team(team))) if isinstance(e.event, Said)]

    def present_characters(self, team: str) -> tuple[str, ...]:
        """The characters present in the team's scene now (anything due delivered first)."""
        return conversations.present(self.scenario, self.state(team))

    def teams_reached(self, character: str) -> list[str]:
        """The teams that have entered one of the character's scenes, in creation order."""
        conversations.check_character(self.scenario, character)
        return [
            team
            for team in self.teams
            if conversations.reached(self.scenario, self.state(team), character)
        ]

    def check_character_code(self, character: str, code: str) -> None:
        """Refuse, with a sentence, a role-player's code that does not open ``character``
        (checked against the salted hash kept with the exercise, like a team's code)."""
        conversations.check_character(self.scenario, character)
        stored = self.record.settings.get("character_codes", {}).get(character)
        if not isinstance(stored, dict) or not verify_code(
            code, str(stored.get("hash", "")), str(stored.get("salt", ""))
        ):
            name = self.scenario.characters[character].name
            raise ExerciseError(f"that code does not open the role-player seat of {name}")

    # -- the roster -------------------------------------------------------------------------
    def reached_no_one(self, team: str, inject: str) -> bool:
        """Whether the inject was recorded for the team while no one there was seated: it
        reached no one, so it was not delivered to a person (False if it never arrived or
        the log predates the roster)."""
        deliveries = [
            entry.event
            for entry in self.events(team)
            if isinstance(entry.event, InjectDelivered) and entry.event.inject == inject
        ]
        return bool(deliveries) and deliveries[-1].reached == ()

    def roster(self, team: str | None = None) -> list[SeatRecord]:
        """Every seat that ever joined (one team's, or all), in order of first joining."""
        try:
            seats = self.store.seats(self.id)
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None
        return [s for s in seats if team is None or s.team == team]

    def open_roles(self, team: str, wall: float | None = None) -> list[str]:
        """The scenario's roles no one holds in a team, in scenario order: any member of
        the team may take their choices, and injects to them reach the whole team."""
        return self.open_roles_until(team, wall)[0]

    def open_roles_until(self, team: str, wall: float | None = None) -> tuple[list[str], float]:
        """:meth:`open_roles` now (or at ``wall``), and the Unix time until which they stay
        so unless a seat joins, leaves or comes back after its lease ran out: the first
        moment a lease held now runs out (infinity when no one is online)."""
        moment = time.time() if wall is None else wall
        online = [s for s in self.roster(self._team(team)) if s.online(moment)]
        held = {s.role for s in online}
        until = min((s.expires_wall for s in online), default=math.inf)
        return [role for role in self.scenario.roles if role not in held], until

    def open_role_warnings(self) -> list[str]:
        """A sentence per team with open roles: who may take their choices instead."""
        names = self.scenario.role_names
        found = []
        for team in self.teams:
            open_roles = self.open_roles(team)
            if not open_roles:
                continue
            roles = ", ".join(names.get(r, r) for r in open_roles)
            if len(open_roles) == len(self.scenario.roles):
                found.append(f"team {team} has no one online yet (roles: {roles})")
            else:
                found.append(
                    f"in team {team} no one holds {roles}: any member of the team may take "
                    "their choices, and injects to them reach the whole team"
                )
        return found

    def scene_roles(self, state: TeamState, minutes: float) -> list[str]:
        """The roles that can take at least one choice on offer to a team now."""
        return [
            role
            for role in self.scenario.roles
            if any(o.enabled for o in self.engine.options(state, role, minutes))
        ]

    def _seats_json(self, seats: Sequence[SeatRecord], moment: float) -> dict[str, Any]:
        """``seats`` (one team's roster) and ``open_roles`` for ``status --json``, as they
        are at Unix time ``moment``."""
        held = {s.role for s in seats if s.online(moment)}
        return {
            "seats": [
                {
                    "name": s.name,
                    "role": s.role,
                    "online": s.online(moment),
                    "since": iso_utc(s.joined_wall),
                }
                for s in seats
            ],
            "open_roles": [role for role in self.scenario.roles if role not in held],
        }


def latest_ratings(entries: Iterable[Recorded], order: Sequence[str]) -> dict[str, Recorded]:
    """The latest rating of each objective among a team's ``entries``, objectives in
    ``order`` first."""
    latest: dict[str, Recorded] = {}
    for entry in entries:
        if isinstance(entry.event, Rated):
            latest[entry.event.objective] = entry
    return {o: latest[o] for o in [*order, *latest] if o in latest}


def plan_rows(entries: Iterable[Recorded]) -> list[Recorded]:
    """The improvement-plan rows among a team's ``entries`` that were added and not
    removed, oldest first."""
    rows: dict[int, Recorded] = {}
    for entry in entries:
        if isinstance(entry.event, PlanItemAdded):
            rows[entry.id] = entry
        elif isinstance(entry.event, PlanItemRemoved):
            rows.pop(entry.event.item, None)
    return list(rows.values())


def _hold_of(scenario: Scenario, cache: _TeamCache) -> Hold:
    """The team's hold as the cache has it (see :func:`simtrain.engine.phases.hold_of`)."""
    return hold_of(scenario, cache.state, cache.hold)


def _with_seq(scenario: Scenario, cache: _TeamCache) -> dict[str, Any]:
    """The team's JSON object with its public ``seq`` first, both from one read, then
    its phase and hold (docs/extensions.md)."""
    hold = _hold_of(scenario, cache)
    return {
        "seq": cache.changes,
        **team_json(scenario, cache.state),
        "phase": hold.current,
        "held": hold.held,
        "hold_at": hold.phase or None,
    }


def _what_changed(entries: Iterable[Recorded]) -> str:
    """A sentence about the first of ``entries`` that moved the team on ('' if none did;
    an adjustment of the score moves no screen on)."""
    for entry in entries:
        event = entry.event
        if isinstance(event, Chose):
            who = entry.actor or entry.role or "a teammate"
            return f"{who} ({entry.role}) chose '{event.choice}' first"
        if isinstance(event, Moved):
            return "the facilitator moved the team to another scene"
        if isinstance(event, TimerFired | InjectDelivered):
            return "time ran on and the situation moved"
    return ""
