"""Who may read what: the team check, and what a team's own version leaves out.

The rules (docs/report-schema.md, "A team's version", says the same for readers):

- Step-outs and step-backs are a participant's private welfare signal: no report and no
  timeline ever says who stepped out or when. The facilitator's report gives only how
  many step-outs each team had; a team's version does not even give that.
- Alert acknowledgements are console bookkeeping; they appear nowhere.
- Facilitator-only (absent from a team's version): private notes (observations of kind
  ``note``); an inject's ``objective`` (the competency it secretly tests) and its
  ``trigger`` (when the master events list fires it); injects the team never received
  (skipped, with the skip reason, or not delivered); the reason given for moving a team;
  the step-out count; every other team, and the comparison of teams.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simtrain.engine.events import InjectSkipped
from simtrain.exercise import ALERT_ACK, OBSERVATION, STEP_BACK, STEP_OUT

if TYPE_CHECKING:
    from simtrain.store import StoredEvent

PRIVATE_NOTE = "note"
"""The observation kind that only the facilitator reads."""
NEVER_SHOWN = frozenset({STEP_OUT, STEP_BACK, ALERT_ACK})
"""Event kinds no timeline lists (a step-out's who and when stay private)."""
FACILITATOR_ONLY_KINDS = frozenset({InjectSkipped.kind})
"""Event kinds a team's timeline leaves out."""


def team_sees(event: StoredEvent) -> bool:
    """Whether a team's own version may show this event of its log."""
    if event.kind in NEVER_SHOWN or event.kind in FACILITATOR_ONLY_KINDS:
        return False
    return not (event.kind == OBSERVATION and event.payload.get("kind") == PRIVATE_NOTE)
