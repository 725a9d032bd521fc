"""What the facilitator sees, computed from the exercise service: no Textual here.

Every function reads a scenario, team states and stored events and returns small frozen
records the screens render: the team board, the master events list, alerts, a team's
timeline and its debrief. Keeping this pure lets the console stay a thin view, and lets
these projections move into the service later without change.

"Online" means connected: the seat is on the exercise's roster and its lease runs (its
process renews it; a seat that quits, is killed or whose browser closes goes offline
within one lease). A seat that stepped out is online but away.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simtrain.engine.events import (
    AlertAcknowledged,
    Chose,
    InjectDelivered,
    InjectSkipped,
    Joined,
    JoinFailed,
    Left,
    MessageSent,
    Observed,
    SteppedBack,
    SteppedOut,
)
from simtrain.engine.explore import best_scores
from simtrain.engine.phases import hold_of, last_hold
from simtrain.engine.state import PathStep, TeamState
from simtrain.exercise import ClockState, Exercise, Recorded, SeatRecord
from simtrain.scenario.channels import CHANNEL_NAMES
from simtrain.scenario.compiled import Scenario
from simtrain.scenario.runtime import Choice
from simtrain.text import delay_text, time_text
from simtrain.views.audience import Audience
from simtrain.views.conversation import Transcript, transcripts_from
from simtrain.views.timeline import describe

LIVE_CONSOLE = Audience.facilitator()
"""The console reads a team's log as the facilitator does."""

CRITICAL = "critical"
"""Alert kind: a decision flagged as a critical error."""
STEPPED_OUT = "stepped_out"
"""Alert kind: a participant asked to step out."""
JOIN_FAILURES = "join_failures"
"""Alert kind: wrong join codes were tried for the team, again and again."""
JOIN_FAILURES_ALERT = 3
"""Wrong join codes for one team, not yet acknowledged, that raise an alert (one or two
are typos)."""
ALERT_TITLES = {
    CRITICAL: "CRITICAL ERROR",
    STEPPED_OUT: "STEP-OUT REQUEST",
    JOIN_FAILURES: "FAILED JOIN ATTEMPTS",
}
"""How each kind of alert is announced."""
ALERT_MARKS = {CRITICAL: "⚠ CRIT", STEPPED_OUT: "⚠ OUT", JOIN_FAILURES: "⚠ CODE"}
"""The board cell of a team's most pressing alert kind (in this order)."""
STUCK_AFTER = 10.0
"""Exercise minutes without a decision after which a running team is flagged."""
OBSERVATION_LABELS = {"strength": "Strength", "improvement": "Area for improvement", "note": "Note"}
"""How each kind of observation is titled."""


def schedule_text(scenario: Scenario, inject: str) -> str:
    """When an inject arrives on its own: ``at 8m``, ``when <condition>`` or ``manual``."""
    model = scenario.injects[inject]
    if model.at is not None:
        return f"at {model.at}"
    if model.when is not None:
        return f"when {model.when}"
    return "manual only"


def who(actor: str, role: str | None) -> str:
    """``Ana (police)``, or just the actor when no role is known."""
    return f"{actor} ({role})" if role else actor


@dataclass(frozen=True)
class Participant:
    """A person seated in a team."""

    name: str
    role: str
    joined_at: float
    online: bool
    stepped_out_at: float | None
    """Exercise minutes of the step-out still in force (None when present)."""


@dataclass(frozen=True)
class Alert:
    """Something the facilitator must see: a critical error, a step-out request, or wrong
    join codes tried again and again."""

    event_id: int
    """The event that raised it (acknowledging it acknowledges the alert)."""
    team: str
    kind: str
    """:data:`CRITICAL`, :data:`STEPPED_OUT` or :data:`JOIN_FAILURES`."""
    text: str
    clock: float
    by: str


@dataclass(frozen=True)
class TeamRow:
    """One line of the team board."""

    name: str
    participants: tuple[Participant, ...]
    scene: str
    scene_title: str
    in_scene: float
    """Minutes the team has spent in its current scene."""
    last_decision: str
    """The label of the last choice made ('' before any)."""
    last_by: str
    points: int
    best: int
    per_competency: tuple[tuple[str, int, int], ...]
    """(competency id, points, best reachable) in rubric order."""
    critical_count: int
    alerts: tuple[Alert, ...]
    ended: bool
    outcome: str | None
    roleplayer_notes: str = ""
    """The current scene's cues for live role-players (facilitator only)."""
    dilemmas: tuple[Dilemma, ...] = ()
    """The current scene's facilitator-scored options."""
    open_roles: tuple[str, ...] = ()
    """Names of the scenario's roles no one online holds in the team."""
    needs: tuple[str, ...] = ()
    """Names of the roles that can take a choice in the current scene."""
    stuck: str = ""
    """Why the team looks stuck ('' when it does not), as a sentence for the console."""
    phase: str = ""
    """The title of the phase the team is in ('' outside every phase)."""
    phase_id: str = ""
    held: bool = False
    """Whether the facilitator's hold stops the team from deciding now."""
    hold: str = ""
    """The facilitator's hold, for a person: 'now', 'at the end of phase “…”', or ''
    when there is none."""

    @property
    def online(self) -> tuple[Participant, ...]:
        """The participants online now."""
        return tuple(p for p in self.participants if p.online)


@dataclass(frozen=True)
class InjectCell:
    """An inject's status for one team."""

    status: str
    """``delivered``, ``answering`` (delivered, response open), ``skipped``, ``closed``
    (the team has ended), ``scheduled``, ``due``, ``conditional`` or ``manual``."""
    clock: float | None = None
    """When it was delivered or skipped."""
    countdown: float | None = None
    """Minutes until a scheduled inject falls due."""
    manual: bool = False
    """Delivered by hand rather than on schedule."""
    answer: str = ""
    """The team's response (choice label) and who gave it, once answered."""
    reached: tuple[str, ...] | None = None
    """Who was seated to read it when it arrived (None: not recorded, as in older logs)."""

    @property
    def unread(self) -> bool:
        """Recorded while no one was seated in the team and never answered: it reached no
        one, so it is shown as not delivered (and no response is awaited from anyone)."""
        return self.reached == () and not self.answer

    @property
    def short(self) -> str:
        """The cell text of the MSEL table."""
        if self.unread:
            return "not delivered"
        if self.status in ("delivered", "answering"):
            mark = "✓" if self.status == "delivered" else "✉"
            return f"{mark} {time_text(self.clock or 0.0)}"
        if self.status == "skipped":
            return "skipped"
        if self.status == "closed":
            return "–"
        if self.status == "scheduled":
            return f"in {time_text(self.countdown or 0.0)}"
        if self.status == "due":
            return "due now"
        if self.status == "conditional":
            return "waiting"
        return "ready"

    @property
    def long(self) -> str:
        """A sentence for the inject detail pane."""
        at = time_text(self.clock or 0.0)
        how = "by hand" if self.manual else "on schedule"
        if self.unread:
            return f"not delivered: recorded at {at} ({how}), but no one was seated to read it"
        if self.reached:
            how += ", read by " + ", ".join(self.reached)
        if self.status == "delivered":
            return f"delivered at {at} ({how})" + (f"; {self.answer}" if self.answer else "")
        if self.status == "answering":
            return f"delivered at {at} ({how}); response still open"
        if self.status == "skipped":
            return f"skipped at {at}"
        if self.status == "closed":
            return "not delivered; the team has reached an ending"
        if self.status == "scheduled":
            return f"pending; due in {time_text(self.countdown or 0.0)}"
        if self.status == "due":
            return "pending; due now (arrives at the next tick)"
        if self.status == "conditional":
            return "pending; arrives when its condition holds"
        return "pending; arrives only when published"


@dataclass(frozen=True)
class Dilemma:
    """An option the facilitator scores (no single right answer), with what to weigh."""

    label: str
    guidance: str


def dilemmas(choices: Iterable[Choice]) -> tuple[Dilemma, ...]:
    """The facilitator-scored options among ``choices``."""
    return tuple(Dilemma(c.label, c.dilemma) for c in choices if c.dilemma)


@dataclass(frozen=True)
class MselRow:
    """One inject of the master events list, with its status per team."""

    inject: str
    subject: str
    schedule: str
    channel: str
    sender: str
    to: tuple[str, ...]
    message: str
    expected: str
    objective: str
    """The competency's name ('' when none)."""
    cells: tuple[tuple[str, InjectCell], ...]
    """(team, status) in team order."""
    content_warning: str = ""
    roleplayer_notes: str = ""
    """Cues for live role-players (facilitator only)."""
    dilemmas: tuple[Dilemma, ...] = ()
    """Response options the facilitator scores."""

    def cell(self, team: str) -> InjectCell:
        """The status for one team."""
        return dict(self.cells)[team]


@dataclass(frozen=True)
class Board:
    """Everything on the dashboard at one moment."""

    exercise: str
    title: str
    clock: ClockState
    taken_at: float = field(compare=False)
    """Wall time (Unix seconds) the clock was read at (not compared: a board read a second
    later with nothing new is the same board)."""
    teams: tuple[TeamRow, ...]
    msel: tuple[MselRow, ...]
    states: Mapping[str, TeamState]
    events: tuple[Recorded, ...]
    """Every logged event of the exercise, oldest first."""

    @property
    def alerts(self) -> tuple[Alert, ...]:
        """Every unacknowledged alert, oldest first."""
        return tuple(sorted((a for t in self.teams for a in t.alerts), key=lambda a: a.event_id))

    @property
    def last_event_id(self) -> int:
        """The newest event id (0 when none)."""
        return self.events[-1].id if self.events else 0

    def team(self, name: str) -> TeamRow:
        """The row of one team."""
        for row in self.teams:
            if row.name == name:
                return row
        raise KeyError(name)

    def team_events(self, team: str) -> list[Recorded]:
        """The events of one team's stream."""
        return [e for e in self.events if e.team == team]


def participants(
    events: Iterable[Recorded],
    roster: Sequence[SeatRecord] | None = None,
    wall: float | None = None,
) -> tuple[Participant, ...]:
    """The people of one team in joining order. With the ``roster`` (the team's seats),
    online means connected at Unix time ``wall``; without it, joined and not left. Step
    outs come from the step-out and step-back events either way."""
    people: dict[tuple[str, str], Participant] = {}
    for entry in events:
        event = entry.event
        if not isinstance(event, Joined | Left | SteppedOut | SteppedBack):
            continue
        name = event.name or entry.actor
        key = (name, entry.role or "")
        known = people.get(key)
        if isinstance(event, Joined):
            joined = known.joined_at if known is not None else event.clock
            people[key] = Participant(name, entry.role or "", joined, True, None)
        elif known is not None and isinstance(event, Left):
            people[key] = Participant(name, known.role, known.joined_at, False, None)
        elif known is not None:
            out = isinstance(event, SteppedOut)
            people[key] = Participant(
                name, known.role, known.joined_at, known.online, event.clock if out else None
            )
    if roster is None:
        return tuple(people.values())
    now = time.time() if wall is None else wall
    seated: dict[tuple[str, str], Participant] = {}
    for seat in roster:
        key = (seat.name, seat.role)
        known = people.get(key)
        online = seat.online(now) or (key in seated and seated[key].online)
        seated[key] = Participant(
            seat.name,
            seat.role,
            known.joined_at if known is not None else 0.0,
            online,
            known.stepped_out_at if known is not None and online else None,
        )
    return tuple(seated.values())


def open_alerts(scenario: Scenario, team: str, events: Sequence[Recorded]) -> tuple[Alert, ...]:
    """The team's alerts the facilitator has not acknowledged yet."""
    acknowledged = {e.event.alert for e in events if isinstance(e.event, AlertAcknowledged)}
    alerts: list[Alert] = []
    back: dict[str, float] = {}
    for entry in reversed(events):
        if isinstance(entry.event, SteppedBack):
            back.setdefault(entry.actor, entry.clock)
    for entry in events:
        event = entry.event
        if entry.id in acknowledged:
            continue
        if isinstance(event, Chose):
            choice = scenario.choices.get(event.choice)
            if choice is not None and choice.critical:
                alerts.append(
                    Alert(
                        entry.id,
                        team,
                        CRITICAL,
                        f"critical error: {choice.critical} (chose “{choice.label}”)",
                        event.clock,
                        who(entry.actor, _role_name(scenario, entry.role)),
                    )
                )
        elif isinstance(event, SteppedOut):
            name = event.name or entry.actor
            returned = back.get(entry.actor)
            text = "asked to step out"
            if returned is not None and returned >= event.clock:
                text += f" (back at {time_text(returned)})"
            alerts.append(
                Alert(
                    entry.id,
                    team,
                    STEPPED_OUT,
                    text,
                    event.clock,
                    who(name, _role_name(scenario, entry.role)),
                )
            )
    failed = _join_failures(team, events, acknowledged)
    return tuple(alerts) if failed is None else tuple(sorted([*alerts, failed], key=_by_id))


def _by_id(alert: Alert) -> int:
    return alert.event_id


def _join_failures(team: str, events: Sequence[Recorded], acknowledged: set[int]) -> Alert | None:
    """One alert for the wrong join codes tried for the team since the facilitator last
    acknowledged such an alert, once there are :data:`JOIN_FAILURES_ALERT` of them."""
    failures = [e for e in events if isinstance(e.event, JoinFailed)]
    seen = max((e.id for e in failures if e.id in acknowledged), default=0)
    failures = [e for e in failures if e.id > seen]
    if len(failures) < JOIN_FAILURES_ALERT:
        return None
    names = list(dict.fromkeys(f"“{e.actor}”" for e in failures))
    last = failures[-1]
    text = (
        f"{len(failures)} wrong join codes since {time_text(failures[0].clock)} "
        f"(names given: {', '.join(names[:5])}{', …' if len(names) > 5 else ''}); "
        "after 5 in a minute each attempt for this team waits 3 s"
    )
    return Alert(last.id, team, JOIN_FAILURES, text, last.clock, "Join screen")


def phase_changes(old: Board | None, new: Board) -> list[str]:
    """A sentence per team that has left a phase between two boards (none on the first),
    saying whether a hold now stops it."""
    if old is None:
        return []
    before = {row.name: row for row in old.teams}
    found = []
    for row in new.teams:
        was = before.get(row.name)
        if was is None or not was.phase_id or was.phase_id == row.phase_id:
            continue
        now = f"now in “{row.phase}”" if row.phase else f"now in “{row.scene_title}”"
        held = " — held for the hot-wash (w)" if row.held else ""
        found.append(f"Team {row.name} has left phase “{was.phase}”, {now}{held}.")
    return found


def alert_mark(alerts: Sequence[Alert]) -> str:
    """The board cell for a team's open alerts ('' when none)."""
    kinds = {a.kind for a in alerts}
    return next((mark for kind, mark in ALERT_MARKS.items() if kind in kinds), "")


def _role_name(scenario: Scenario, role: str | None) -> str | None:
    """A role's name for people to read (None stays None)."""
    return scenario.role_names.get(role, role) if role else None


def _who_chose(step: PathStep | None, names: Mapping[str, str]) -> str:
    """Who made a decision, with the role's name ('' for no decision)."""
    if step is None:
        return ""
    return who(step.actor or step.role, names.get(step.role, step.role) if step.actor else None)


def stuck_reason(
    ended: bool,
    clock: ClockState,
    online: int,
    needs: Sequence[str],
    idle: float,
    stuck_after: float,
) -> str:
    """Why a team looks stuck: no one online, no one online who can choose anything in
    its scene (and which role it needs), or no decision for ``stuck_after`` minutes ('' when
    none of these holds). ``needs`` are the names of the roles that can choose now."""
    if ended or clock.state != "running":
        return ""
    if not online:
        wanted = f" (the scene needs the {' or '.join(needs)})" if needs else ""
        return f"no one is online{wanted}"
    if not needs:
        return "no one can choose anything in this scene: move the team (g on its screen)"
    if idle >= stuck_after:
        return f"no decision for {int(idle)} min"
    return ""


def team_row(
    scenario: Scenario,
    team: str,
    state: TeamState,
    events: Sequence[Recorded],
    now: float,
    *,
    roster: Sequence[SeatRecord] | None = None,
    wall: float | None = None,
    clock: ClockState | None = None,
    needs: Sequence[str] = (),
    stuck_after: float = STUCK_AFTER,
) -> TeamRow:
    """The board line of one team at exercise time ``now`` (and Unix time ``wall``).

    ``roster`` is the team's seats; ``needs`` the roles that can take a choice in the
    team's scene now; a running team is flagged after ``stuck_after`` minutes without a
    decision.
    """
    best = best_scores(scenario)
    per = tuple((c, state.points.get(c, 0), best.get(c, 0)) for c in scenario.competencies)
    last = state.path[-1] if state.path else None
    people = participants(events, roster, wall)
    hold = hold_of(scenario, state, last_hold(e.event for e in events))
    phase = scenario.phases.get(hold.current or "")
    held = {p.role for p in people if p.online}
    names = scenario.role_names
    since = last.clock if last else state.entered_at
    stuck = ""
    if clock is not None:
        stuck = stuck_reason(
            state.ended,
            clock,
            sum(1 for p in people if p.online),
            [names.get(r, r) for r in needs],
            max(0.0, now - since),
            stuck_after,
        )
    return TeamRow(
        name=team,
        participants=people,
        scene=state.scene,
        scene_title=scenario.scenes[state.scene].title,
        in_scene=0.0 if state.ended else max(0.0, now - state.entered_at),
        last_decision=scenario.choices[last.choice].label if last else "",
        last_by=_who_chose(last, names),
        points=sum(p for _, p, _ in per),
        best=sum(b for _, _, b in per),
        per_competency=per,
        critical_count=len(state.critical),
        alerts=open_alerts(scenario, team, events),
        ended=state.ended,
        outcome=state.outcome,
        roleplayer_notes=scenario.scenes[state.scene].notes_for_roleplayers or "",
        dilemmas=dilemmas(scenario.scenes[state.scene].choices),
        open_roles=tuple(names.get(r, r) for r in scenario.roles if r not in held),
        needs=tuple(names.get(r, r) for r in needs),
        stuck="" if hold.held else stuck,
        phase=phase.title if phase is not None else "",
        phase_id=hold.current or "",
        held=hold.held,
        hold="" if hold.phase is None else (hold.where(scenario).strip() or "now"),
    )


def inject_cell(
    scenario: Scenario,
    inject: str,
    state: TeamState,
    events: Sequence[Recorded],
    now: float,
) -> InjectCell:
    """One inject's status for one team (a skipped inject may still be published later)."""
    skipped: InjectSkipped | None = None
    for entry in events:
        event = entry.event
        if not isinstance(event, InjectSkipped | InjectDelivered) or event.inject != inject:
            continue
        if isinstance(event, InjectSkipped):
            skipped = event
        else:
            manual, reached = event.manual, event.reached
            if inject in state.pending:
                return InjectCell("answering", event.clock, manual=manual, reached=reached)
            answer = next((p for p in state.path if p.inject == inject), None)
            text = ""
            if answer is not None:
                text = (
                    f"answered at {time_text(answer.clock)} by "
                    f"{_who_chose(answer, scenario.role_names)}: "
                    f"“{scenario.choices[answer.choice].label}”"
                )
            return InjectCell("delivered", event.clock, manual=manual, answer=text, reached=reached)
    if skipped is not None:
        return InjectCell("skipped", skipped.clock)
    if state.ended:
        return InjectCell("closed")
    at = scenario.inject_at.get(inject)
    if at is not None:
        left = at - now
        return InjectCell("scheduled", countdown=left) if left > 0 else InjectCell("due")
    if inject in scenario.inject_when:
        return InjectCell("conditional")
    return InjectCell("manual")


def msel(
    scenario: Scenario,
    states: Mapping[str, TeamState],
    events_by_team: Mapping[str, Sequence[Recorded]],
    now: float,
) -> tuple[MselRow, ...]:
    """The master events list with each inject's status per team."""
    names = scenario.competency_names
    rows: list[MselRow] = []
    for inject_id, model in scenario.injects.items():
        rows.append(
            MselRow(
                inject=inject_id,
                subject=model.subject,
                schedule=schedule_text(scenario, inject_id),
                channel=model.channel,
                sender=model.from_,
                to=scenario.inject_roles(inject_id),
                message=model.message,
                expected=model.expected,
                objective=names.get(model.objective or "", model.objective or ""),
                cells=tuple(
                    (
                        team,
                        inject_cell(scenario, inject_id, state, events_by_team[team], now),
                    )
                    for team, state in states.items()
                ),
                content_warning=model.content_warning or "",
                roleplayer_notes=model.notes_for_roleplayers or "",
                dilemmas=dilemmas(model.choices),
            )
        )
    return tuple(rows)


def build_board(
    exercise: Exercise, events: Sequence[Recorded], stuck_after: float = STUCK_AFTER
) -> Board:
    """Read every team's state and the clock and assemble the dashboard.

    ``events`` are the exercise's stored events so far (the caller keeps them, appending
    what :meth:`Exercise.watch` returns). Blocking: call it from a worker thread.
    """
    scenario = exercise.scenario
    states = {team: exercise.state(team) for team in exercise.teams}
    taken_at = time.time()
    clock = exercise.clock(wall=taken_at)
    roster = exercise.roster()
    by_team: dict[str, list[Recorded]] = {team: [] for team in exercise.teams}
    for entry in events:
        if entry.team in by_team:
            by_team[entry.team].append(entry)
    now = clock.minutes
    return Board(
        exercise=exercise.id,
        title=exercise.record.title,
        clock=clock,
        taken_at=taken_at,
        teams=tuple(
            team_row(
                scenario,
                team,
                states[team],
                by_team[team],
                now,
                roster=[s for s in roster if s.team == team],
                wall=taken_at,
                clock=clock,
                needs=exercise.scene_roles(states[team], now),
                stuck_after=stuck_after,
            )
            for team in exercise.teams
        ),
        msel=msel(scenario, states, by_team, now),
        states=states,
        events=tuple(events),
    )


# -- a team up close ------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line of a team's timeline."""

    event_id: int
    seq: int
    clock: float
    kind: str
    headline: str
    details: tuple[str, ...] = ()
    critical: bool = False


def timeline(scenario: Scenario, events: Sequence[Recorded]) -> list[Entry]:
    """A team's story, event by event, for the facilitator's eyes: each event's line as
    every timeline words it (:func:`simtrain.views.timeline.describe`), with what the
    console adds beneath — the rationale, the feedback, the expected action, the replies
    on offer, who read an inject, a message's text. Step-outs are listed here, live, for
    the facilitator's care of the person; no report ever lists them."""
    entries: list[Entry] = []
    delivered: dict[str, float] = {}
    for logged in events:
        event = logged.event
        head = describe(scenario, logged, LIVE_CONSOLE)
        details: list[str] = []
        critical = False
        if isinstance(event, Chose):
            choice = scenario.choices.get(event.choice)
            if choice is None:
                continue
            inject_id = scenario.choice_inject.get(choice.id)
            if inject_id is not None:
                took = event.clock - delivered.get(inject_id, event.clock)
                details.append(
                    f"Answering “{scenario.injects[inject_id].subject}” after {delay_text(took)}"
                )
            if event.rationale:
                details.append(f"Rationale: {event.rationale}")
            critical = bool(choice.critical)
            if choice.feedback:
                details.append(f"Feedback: {choice.feedback}")
        elif isinstance(event, InjectDelivered):
            inject = scenario.injects.get(event.inject)
            if inject is None:
                continue
            delivered[inject.id] = event.clock
            if event.reached:
                details.append("Read by: " + ", ".join(event.reached))
            if inject.expected:
                details.append(f"Expected: {inject.expected}")
            if inject.choices:
                details.append("Responses: " + "; ".join(f"“{c.label}”" for c in inject.choices))
        elif isinstance(event, MessageSent) and event.text:
            details.append(event.text)
        entries.append(
            Entry(logged.id, logged.seq, event.clock, event.kind, head, tuple(details), critical)
        )
    return entries


def inbox(scenario: Scenario, state: TeamState, events: Sequence[Recorded]) -> list[str]:
    """The team's inbox as lines: injects it received and ad-hoc messages, in order."""
    lines: list[str] = []
    for entry in events:
        event = entry.event
        if isinstance(event, InjectDelivered):
            inject = scenario.injects.get(event.inject)
            if inject is not None:
                state_note = " (response open)" if inject.id in state.pending else ""
                channel = CHANNEL_NAMES.get(inject.channel, inject.channel)
                lines.append(
                    f"{time_text(event.clock)} {channel} from {inject.from_ or '—'}: "
                    f"{inject.subject}{state_note}"
                )
        elif isinstance(event, MessageSent):
            lines.append(
                f"{time_text(event.clock)} {CHANNEL_NAMES.get(event.channel, event.channel)} "
                f"from {event.sender}: "
                f"{event.subject} (ad hoc)"
            )
    return lines


# -- debrief --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetencyScore:
    """A team's points on one competency against the best reachable."""

    competency: str
    name: str
    points: int
    best: int


@dataclass(frozen=True)
class Response:
    """How a team answered one inject."""

    inject: str
    subject: str
    delivered_at: float
    answered_at: float | None
    answer: str
    by: str
    needs_answer: bool
    closed: bool = False
    """The team reached an ending, so an open response can no longer come."""
    unread: bool = False
    """Recorded while no one was seated in the team: it reached no one."""

    @property
    def delay(self) -> float | None:
        """Minutes from delivery to the answer (None when unanswered)."""
        return None if self.answered_at is None else self.answered_at - self.delivered_at

    @property
    def text(self) -> str:
        """One line for the debrief."""
        if self.unread and self.answered_at is None:
            at = time_text(self.delivered_at)
            return f"{self.subject}: not delivered — no one was seated at {at}"
        if not self.needs_answer:
            at = time_text(self.delivered_at)
            return f"{self.subject}: delivered at {at}, no response needed"
        if self.delay is None:
            return f"{self.subject}: " + ("never answered" if self.closed else "no response yet")
        return f"{self.subject}: answered in {delay_text(self.delay)} — “{self.answer}”"


@dataclass(frozen=True)
class TeamDebrief:
    """What the debrief shows for one team."""

    team: str
    scene_title: str
    ended: bool
    outcome: str | None
    ending_text: str
    scores: tuple[CompetencyScore, ...]
    critical: tuple[str, ...]
    responses: tuple[Response, ...]
    adjustments: tuple[str, ...]
    observations: tuple[str, ...]
    decisions: int
    conversations: tuple[Transcript, ...] = ()
    """The team's conversations with the scenario's characters, with every mark."""


def team_debrief(
    scenario: Scenario, team: str, state: TeamState, events: Sequence[Recorded]
) -> TeamDebrief:
    """Assemble one team's debrief from its state and events."""
    best = best_scores(scenario)
    names = scenario.competency_names
    scene = scenario.scenes[state.scene]
    by_choice = {p.choice: p for p in state.path}
    critical = tuple(
        f"{time_text(c.clock)} {c.message} — “{scenario.choices[c.choice].label}”"
        + (
            f" ({who(by_choice[c.choice].actor or by_choice[c.choice].role, None)})"
            if c.choice in by_choice
            else ""
        )
        for c in state.critical
    )
    responses: list[Response] = []
    for entry in events:
        event = entry.event
        if not isinstance(event, InjectDelivered):
            continue
        inject = scenario.injects.get(event.inject)
        if inject is None:
            continue
        step = next((p for p in state.path if p.inject == inject.id), None)
        responses.append(
            Response(
                inject=inject.id,
                subject=inject.subject,
                delivered_at=event.clock,
                answered_at=step.clock if step else None,
                answer=scenario.choices[step.choice].label if step else "",
                by=_who_chose(step, scenario.role_names),
                needs_answer=bool(inject.choices),
                closed=state.ended,
                unread=event.reached == (),
            )
        )
    observations = tuple(
        f"{OBSERVATION_LABELS.get(e.category, 'Note')}: {e.text}"
        for e in (entry.event for entry in events)
        if isinstance(e, Observed)
    )
    return TeamDebrief(
        team=team,
        scene_title=scene.title,
        ended=state.ended,
        outcome=state.outcome,
        ending_text=scene.ending.debrief if scene.ending else "",
        scores=tuple(
            CompetencyScore(c, names.get(c, c), state.points.get(c, 0), best.get(c, 0))
            for c in scenario.competencies
        ),
        critical=critical,
        responses=tuple(responses),
        adjustments=tuple(
            f"{'+' if a.points > 0 else ''}{a.points} {names.get(a.competency, a.competency)}: "
            f"{a.note}"
            for a in state.adjustments
        ),
        observations=observations,
        decisions=len(state.path),
        conversations=tuple(transcripts_from(scenario, team, Audience.facilitator(), events)),
    )


def decision_events(events: Sequence[Recorded]) -> list[Recorded]:
    """A team's decisions (:class:`Chose` events) in order: the steps of a replay."""
    return [e for e in events if isinstance(e.event, Chose)]


def vars_text(state: TeamState) -> list[str]:
    """``name = value`` lines of a team's variables."""
    lines = []
    for name, value in state.vars.items():
        shown: Any = list(value) if isinstance(value, list | tuple) else value
        lines.append(f"{name} = {shown!r}" if isinstance(shown, str) else f"{name} = {shown}")
    return lines
