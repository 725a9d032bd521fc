"""The one fold: a team's state from its scenario and its events, by the rules alone.

:func:`simtrain.engine.rules.step` is the only dispatcher of events in simtrain. The
:class:`Engine` applies it to frozen states for the service (its cache, its commands and
its replays) and for ``simtrain run``; ``explore`` calls it on working drafts directly,
which is the same code without the copies.

Why not ``transitions`` for scenes: the scene graph is not where the state machine is.
Scene changes come from six kinds of event (choices, inject responses and deliveries with
a ``goto``, timers, the facilitator's moves), and what is allowed depends on roles,
conditions over variables, ``once`` and pending injects — all of which live in the rules.
A machine carried only two of the six and needed the rules as its guard, a lock and a
scratch model; docs/architecture.md records the measurement. The exercise lifecycle, a
true four-state machine, is a ``transitions`` machine: :mod:`simtrain.engine.lifecycle`.
"""

from __future__ import annotations

from collections.abc import Iterable

from simtrain.engine import rules
from simtrain.engine.events import Event
from simtrain.engine.rules import Refused
from simtrain.engine.state import TeamState, blank_draft
from simtrain.scenario.compiled import Scenario


class Engine:
    """The pure operations on a team's state the rest of simtrain calls."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        draft = blank_draft(scenario)
        rules.enter(scenario, draft, scenario.start, 0.0)
        self._initial = draft.freeze()

    def initial_state(self) -> TeamState:
        """A team's state before any event: in the start scene at clock 0."""
        return self._initial

    def apply(self, state: TeamState, event: Event) -> TeamState:
        """The state after one event; raises :class:`Refused` (saying why) if not allowed."""
        draft = state.thaw()
        rules.step(self.scenario, draft, event)
        return draft.freeze()

    def replay(
        self,
        events: Iterable[Event],
        state: TeamState | None = None,
        *,
        skip_refused: bool = False,
    ) -> TeamState:
        """Fold events into a state (from the initial state unless one is given).

        A refused event raises :class:`Refused`; with ``skip_refused`` it is left out
        instead (a log recorded under other rules still replays: the rules check before
        they change anything, so a refused event leaves no trace).
        """
        draft = (state or self._initial).thaw()
        for event in events:
            try:
                rules.step(self.scenario, draft, event)
            except Refused:
                if not skip_refused:
                    raise
        return draft.freeze()

    def settle(self, state: TeamState, now: float) -> tuple[TeamState, list[Event]]:
        """Apply every timer and inject that falls due up to ``now``; return them too.

        The events carry their own due times, so whoever settles a team — any process,
        at any moment — records the same events.
        """
        draft = state.thaw()
        produced = rules.settle(self.scenario, draft, now)
        return (draft.freeze() if produced else state), produced

    def refusal(self, state: TeamState, choice: str, role: str, clock: float) -> str:
        """Why ``role`` may not choose ``choice`` now ('' when it may)."""
        return rules.refusal(self.scenario, state.thaw(), choice, role, clock)

    def options(self, state: TeamState, role: str, clock: float) -> list[rules.Option]:
        """Every choice on offer to the team, as ``role`` sees it."""
        return rules.options(self.scenario, state.thaw(), role, clock)
