"""Who may read what: the one visibility policy every view, report and JSON output uses.

An :class:`Audience` is the reader: the facilitator, a team (its version of the report),
or one seat (a team and a role, on a trainee screen or ``simtrain act --json``). Views
ask it, and never decide by themselves, whether a reader sees an event, an inject, a
document or the assessment. The rules (docs/report-schema.md, "A team's version", says
the same for readers):

- Step-outs and step-backs are a participant's private welfare signal: no report and no
  timeline ever says who stepped out or when. The facilitator's report gives only how
  many step-outs each team had; a team's version does not even give that.
- Alert acknowledgements are console bookkeeping; they appear nowhere.
- Facilitator-only (absent from a team's version and from every seat): private notes
  (observations of kind ``note``); an inject's ``objective`` (the competency it secretly
  tests) and its ``trigger`` (when the master events list fires it); injects the team
  never received (skipped, with the skip reason, or not delivered); the reason given for
  moving a team; the step-out count; wrong join codes tried for the team (with the name
  given); every other team, and the comparison of teams.
- A seat reads only its own team; of the case file, the documents its role may read; of
  the injects, those addressed to its role; of the messages, those addressed to the
  whole team or to its role. Injects and messages addressed only to roles no one holds
  in the team (open roles) reach every seat of it. The assessment (scores, critical
  errors, feedback, the facilitator's strengths and areas for improvement, the objective
  ratings and the improvement plan, the marks on conversation lines) reaches a seat only
  once the facilitator has released the debrief. A hold and its release are seen by
  everyone in the team.
- A team's conversations with the scenario's characters (issue 17) are the team's own:
  every seat of the team reads them live, no other team ever does.
- A role-player plays one character: of the log it reads only that character's
  conversation lines and its marks, and only with the teams that have reached one of the
  character's scenes; of those teams, their scene and case file. Nothing else: no
  facilitator notes, expected actions, assessments of decisions, other conversations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from simtrain.engine.events import (
    AlertAcknowledged,
    AnyEvent,
    InjectSkipped,
    JoinFailed,
    LineMarked,
    MessageSent,
    Observed,
    PlanItemAdded,
    PlanItemRemoved,
    Rated,
    Said,
    ScoreAdjusted,
    SteppedBack,
    SteppedOut,
)

if TYPE_CHECKING:
    from simtrain.scenario.compiled import Scenario

PRIVATE_NOTE = "note"
"""The observation category that only the facilitator reads."""
NEVER_SHOWN = (SteppedOut, SteppedBack, AlertAcknowledged)
"""Event types no timeline lists (a step-out's who and when stay private)."""
FACILITATOR_ONLY = (InjectSkipped, JoinFailed)
"""Event types a team's timeline leaves out."""
ASSESSMENT = (ScoreAdjusted, Observed, Rated, PlanItemAdded, PlanItemRemoved, LineMarked)
"""Event types that are the assessment (the HSEEP ratings, the improvement plan and the
marks on conversation lines included): a seat reads them only after the release."""

ReaderKind = Literal["facilitator", "team", "seat", "roleplayer"]


@dataclass(frozen=True, slots=True)
class Audience:
    """One reader of an exercise. Build it with :meth:`facilitator`, :meth:`of_team`,
    :meth:`seat` or :meth:`roleplayer`."""

    kind: ReaderKind
    team: str | None = None
    """The reader's team (None for the facilitator, who reads every team)."""
    role: str | None = None
    """The seat's role (None unless ``kind == "seat"``)."""
    released: bool = False
    """Whether the facilitator has released the debrief (it matters for seats)."""
    open_roles: tuple[str, ...] = ()
    """The roles no one holds in the seat's team now: what is addressed only to them
    reaches the whole team (docs/running-an-exercise.md, "Open roles")."""
    character: str | None = None
    """The character a role-player plays (None unless ``kind == "roleplayer"``)."""
    teams: tuple[str, ...] = ()
    """A role-player's teams: those that have reached one of the character's scenes."""

    @classmethod
    def facilitator(cls) -> Audience:
        """The facilitator: every team, every private note."""
        return cls("facilitator")

    @classmethod
    def of_team(cls, team: str, *, released: bool = True) -> Audience:
        """A team's version of the report, handed to the team at its debrief; before the
        debrief is released (``released=False``) it holds only what the team already saw."""
        return cls("team", team=team, released=released)

    @classmethod
    def seat(
        cls, team: str, role: str, *, released: bool, open_roles: Sequence[str] = ()
    ) -> Audience:
        """One trainee seat: a team and a role, before or after the debrief's release, in a
        team where ``open_roles`` are held by no one."""
        return cls("seat", team=team, role=role, released=released, open_roles=tuple(open_roles))

    @classmethod
    def roleplayer(cls, character: str, teams: Sequence[str]) -> Audience:
        """The role-player of ``character``, in conversation with ``teams`` (those that
        have reached one of its scenes)."""
        return cls("roleplayer", character=character, teams=tuple(teams))

    @property
    def private(self) -> bool:
        """Whether this reader reads what only the facilitator reads (see the module)."""
        return self.kind == "facilitator"

    @property
    def sees_assessment(self) -> bool:
        """Scores, critical errors, feedback and the facilitator's observations."""
        return self.private or self.released

    def reads_team(self, team: str) -> bool:
        """Whether this reader may read anything of ``team``."""
        if self.kind == "roleplayer":
            return team in self.teams
        return self.private or team == self.team

    def sees(self, event: AnyEvent) -> bool:
        """Whether this reader may see this event of a team's log."""
        if isinstance(event, NEVER_SHOWN):
            return False
        if self.private:
            return True
        if self.kind == "roleplayer":
            return isinstance(event, Said | LineMarked) and event.character == self.character
        if isinstance(event, FACILITATOR_ONLY):
            return False
        if isinstance(event, Observed) and event.category == PRIVATE_NOTE:
            return False
        if isinstance(event, ASSESSMENT) and not self.sees_assessment:
            return False
        if isinstance(event, MessageSent) and self.role is not None and event.to:
            return self._addressed(event.to)
        return True

    def receives_inject(self, scenario: Scenario, inject_id: str) -> bool:
        """Whether this reader gets the inject (a seat: when addressed to its role, or only
        to roles no one holds in its team)."""
        return self.role is None or self._addressed(scenario.inject_roles(inject_id))

    def _addressed(self, to: Sequence[str]) -> bool:
        """Whether what is addressed to the roles ``to`` reaches this seat: its role is
        among them, or no one holds any of them."""
        return self.role in to or (bool(to) and all(r in self.open_roles for r in to))

    def only_as_open_role(self, roles: Sequence[str]) -> bool:
        """Whether what is addressed to ``roles`` reaches this seat only because no one
        holds them (it is to be marked so)."""
        return self.role is not None and self.role not in roles and self._addressed(roles)

    def may_read(self, scenario: Scenario, document_id: str) -> bool:
        """Whether this reader may open a case-file document the team holds."""
        return self.role is None or self.role in scenario.document_roles(document_id)
