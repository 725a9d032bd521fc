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

from simtrain.engine.events import (
    AlertAcknowledged,
    AnyEvent,
    InjectSkipped,
    Observed,
    SteppedBack,
    SteppedOut,
)

PRIVATE_NOTE = "note"
"""The observation category that only the facilitator reads."""
NEVER_SHOWN = (SteppedOut, SteppedBack, AlertAcknowledged)
"""Event types no timeline lists (a step-out's who and when stay private)."""
FACILITATOR_ONLY = (InjectSkipped,)
"""Event types a team's timeline leaves out."""


def never_shown(event: AnyEvent) -> bool:
    """Whether no timeline (not even the facilitator's report) lists this event."""
    return isinstance(event, NEVER_SHOWN)


def team_sees(event: AnyEvent) -> bool:
    """Whether a team's own version may show this event of its log."""
    if never_shown(event) or isinstance(event, FACILITATOR_ONLY):
        return False
    return not (isinstance(event, Observed) and event.category == PRIVATE_NOTE)
