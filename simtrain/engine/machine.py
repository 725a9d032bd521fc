"""The scene graph as one ``transitions`` machine per scenario, with teams as its models.

Scenes are states; each scene choice is a ``choose`` transition guarded by the rules'
gate; each timer is a ``timeout`` transition. All choices share the trigger name
``choose`` (the guard picks the choice), so adding a team costs two trigger bindings
instead of one per choice. Auto-transitions are off, and the per-state ``is_<scene>``
helpers that ``transitions`` would add to every model are skipped: with 5,000 scenes and
50 teams they cost 250,000 bound partials and most of a second, and nothing here uses them.

The machine performs scene changes; the effects, scoring and every decision about what
is allowed come from :mod:`simtrain.engine.rules`, which ``explore`` also uses.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, cast

from transitions import EventData, Machine

from simtrain.engine import rules
from simtrain.engine.events import (
    Chose,
    Event,
    InjectDelivered,
    InjectSkipped,
    Moved,
    ScoreAdjusted,
    TimerFired,
)
from simtrain.engine.rules import Refused
from simtrain.engine.state import Draft, TeamState, blank_draft
from simtrain.scenario.compiled import Scenario


class _SceneMachine(Machine):
    """A Machine that does not add ``is_<state>`` helpers to each model."""

    def _add_model_to_state(self, state: Any, model: Any) -> None:
        return None


class TeamModel:
    """One team as a model of the scene machine; it owns the team's working draft."""

    def __init__(self, name: str, draft: Draft) -> None:
        self.name = name
        self.draft = draft

    @property
    def scene(self) -> str:
        """The machine's view of the current state: the draft's scene."""
        return self.draft.scene

    @scene.setter
    def scene(self, value: str) -> None:
        self.draft.scene = value

    # bound by the machine: choose(event=...), timeout(event=...)
    choose: Any
    timeout: Any


class _Guard:
    """Condition of one ``choose`` transition: this choice, and the rules allow it."""

    __slots__ = ("choice", "scenario")

    def __init__(self, scenario: Scenario, choice: str) -> None:
        self.scenario = scenario
        self.choice = choice

    def __call__(self, data: EventData) -> bool:
        event: Chose = data.kwargs["event"]
        if event.choice != self.choice:
            return False
        draft: Draft = cast(TeamModel, data.model).draft
        return not rules.refusal(self.scenario, draft, event.choice, event.role, event.clock)


class Engine:
    """The scenario's machine plus the pure operations the rest of simtrain calls."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._lock = threading.RLock()
        self.machine = _SceneMachine(
            model=None,
            states=list(scenario.scenes),
            initial=scenario.start,
            auto_transitions=False,
            send_event=True,
            model_attribute="scene",
        )
        for scene_id, scene in scenario.scenes.items():
            for choice in scene.choices:
                self.machine.add_transition(
                    "choose",
                    source=scene_id,
                    dest=choice.goto,  # None: an internal transition, the team stays
                    conditions=_Guard(scenario, choice.id),
                    before=self._before_choose,
                    after=self._after_move,
                )
            if scene.timer is not None:
                self.machine.add_transition(
                    "timeout",
                    source=scene_id,
                    dest=scene.timer.goto,
                    before=self._before_timeout,
                    after=self._after_move,
                )
        self._scratch = TeamModel("(scratch)", blank_draft(scenario))
        self.machine.add_model(self._scratch)
        self.teams: dict[str, TeamModel] = {}
        self._initial = self._make_initial()

    # -- machine callbacks -------------------------------------------------------------
    def _before_choose(self, data: EventData) -> None:
        draft = cast(TeamModel, data.model).draft
        rules.apply_choice(self.scenario, draft, data.kwargs["event"], move=False)

    def _before_timeout(self, data: EventData) -> None:
        cast(TeamModel, data.model).draft.timer_fired = True

    def _after_move(self, data: EventData) -> None:
        dest = data.transition.dest if data.transition is not None else None
        if dest is not None:
            draft = cast(TeamModel, data.model).draft
            rules.enter(self.scenario, draft, dest, data.kwargs["event"].clock)

    # -- stepping ------------------------------------------------------------------------
    def _make_initial(self) -> TeamState:
        draft = blank_draft(self.scenario)
        rules.enter(self.scenario, draft, self.scenario.start, 0.0)
        return draft.freeze()

    def initial_state(self) -> TeamState:
        """A team's state before any event: in the start scene at clock 0."""
        return self._initial

    def _step(self, model: TeamModel, event: Event) -> None:
        scenario = self.scenario
        draft = model.draft
        if isinstance(event, Chose) and event.choice in scenario.choice_scene:
            # the transition's guard is the rules' gate: no need to ask twice
            if draft.ended or not model.choose(event=event):
                raise Refused(
                    rules.refusal(scenario, draft, event.choice, event.role, event.clock)
                    or f"'{event.choice}' cannot be chosen now"
                )
            return
        reason = rules.check(scenario, draft, event)
        if reason:
            raise Refused(reason)
        if isinstance(event, Chose):
            rules.apply_choice(scenario, draft, event)
        elif isinstance(event, TimerFired):
            model.timeout(event=event)
        elif isinstance(event, InjectDelivered):
            rules.deliver(scenario, draft, event)
        elif isinstance(event, Moved):
            rules.move(scenario, draft, event)
        elif isinstance(event, ScoreAdjusted):
            rules.adjust(scenario, draft, event)
        elif isinstance(event, InjectSkipped):
            rules.skip(scenario, draft, event)

    def apply(self, state: TeamState, event: Event) -> TeamState:
        """The state after one event; raises :class:`Refused` (saying why) if not allowed."""
        with self._lock:
            self._scratch.draft = state.thaw()
            self._step(self._scratch, event)
            return self._scratch.draft.freeze()

    def replay(self, events: Iterable[Event], state: TeamState | None = None) -> TeamState:
        """Fold events into a state (from the initial state unless one is given)."""
        with self._lock:
            self._scratch.draft = (state or self._initial).thaw()
            for event in events:
                self._step(self._scratch, event)
            return self._scratch.draft.freeze()

    def settle(self, state: TeamState, now: float) -> tuple[TeamState, list[Event]]:
        """Apply every timer and inject that falls due up to ``now``; return them too.

        The events carry their own due times, so whoever settles a team — any process,
        at any moment — records the same events.
        """
        with self._lock:
            draft = state.thaw()
            self._scratch.draft = draft
            produced: list[Event] = []
            for _ in range(rules.MAX_CASCADE):
                event = rules.due(self.scenario, draft, now)
                if event is None:
                    break
                self._step(self._scratch, event)
                produced.append(event)
            if not produced:
                return state, produced
            return draft.freeze(), produced

    def refusal(self, state: TeamState, choice: str, role: str, clock: float) -> str:
        """Why ``role`` may not choose ``choice`` now ('' when it may)."""
        return rules.refusal(self.scenario, state.thaw(), choice, role, clock)

    def options(self, state: TeamState, role: str, clock: float) -> list[rules.Option]:
        """Every choice on offer to the team, as ``role`` sees it."""
        return rules.options(self.scenario, state.thaw(), role, clock)

    # -- live teams ------------------------------------------------------------------------
    def add_team(self, name: str, state: TeamState | None = None) -> TeamModel:
        """Register a team as a model of the machine (once); returns its model."""
        with self._lock:
            model = self.teams.get(name)
            if model is None:
                model = TeamModel(name, (state or self._initial).thaw())
                self.machine.add_model(model, initial=model.draft.scene)
                self.teams[name] = model
            elif state is not None:
                model.draft = state.thaw()
            return model

    def advance_team(self, name: str, event: Event) -> TeamState:
        """Apply an event to a registered team's own draft and return its new state."""
        with self._lock:
            model = self.teams[name]
            backup = model.draft
            model.draft = backup.freeze().thaw()
            try:
                self._step(model, event)
            except Refused:
                model.draft = backup
                raise
            return model.draft.freeze()
