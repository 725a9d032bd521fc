"""What one seat of a live exercise may see: role-filtered view data over the Exercise API.

This module is the trainee's security boundary, and it imports no Textual. A
:class:`SeatView` holds only what the seat's role may know: its own team; the documents
its role may read; the injects addressed to its role and the messages addressed to it;
the scene text plus the ``for_roles`` text of its own role. It never carries the
facilitator's notes or observations, an inject's ``expected`` or ``objective``, or any
score, assessment or feedback before the facilitator releases the debrief. The trainee
UI renders these views and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from simtrain.engine.events import (
    Chose,
    InjectDelivered,
    Joined,
    LineMarked,
    MessageSent,
    Moved,
    Observed,
    Said,
    TeamHeld,
    TeamReleased,
    TimerFired,
)
from simtrain.engine.explore import best_scores
from simtrain.engine.phases import hold_of, last_hold
from simtrain.engine.state import TeamState
from simtrain.exercise import ClockState, Exercise, Recorded, Seat
from simtrain.exercise.conversations import present
from simtrain.scenario.channels import CHANNEL_NAMES
from simtrain.scenario.compiled import Scenario
from simtrain.views.audience import Audience
from simtrain.views.conversation import LineView, transcripts_from

OUTCOME_NAMES: dict[str, str] = {
    "success": "Success",
    "partial": "Partial success",
    "failure": "Failure",
}
"""How each ending outcome is named on screen."""

Severity = Literal["information", "warning", "error"]


# -- view data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EndingView:
    """The ending a team reached, as the trainee sees it at once."""

    outcome: str
    outcome_name: str
    debrief: str


@dataclass(frozen=True)
class SceneView:
    """The team's current scene as this role sees it."""

    id: str
    title: str
    text: str
    role_text: str
    """The ``for_roles`` text meant for this role only ('' if none)."""
    content_warning: str
    visit: int
    """How many times the team has entered this scene (a warning is shown once per visit)."""
    ending: EndingView | None


@dataclass(frozen=True)
class ChoiceView:
    """A choice on offer, numbered as the trainee picks it."""

    number: int
    id: str
    label: str
    mine: bool
    """Whether this seat's role may make it; otherwise it is shown dimmed."""
    roles_text: str
    """The names of the roles that may make it ("Prosecutor or Police investigator")."""
    inject: str | None = None
    """The inject this choice answers, if it is a response."""
    reply_to: str = ""
    """The subject of that inject."""
    open_role: str = ""
    """Set when this seat may make it only because no one holds its role: the sentence
    to show with it ("for the Police investigator — no one holds this role")."""
    done_by: str = ""
    """For a ``once`` choice the team already made: who made it ("Asha (Social worker)", or
    "you" on the seat that made it).
    It stays in its place, dimmed, so the numbers of the others never move."""

    @property
    def open(self) -> bool:
        """Whether it can still be picked (by someone)."""
        return not self.done_by


@dataclass(frozen=True)
class DocumentView:
    """A document of the case file this role may read."""

    id: str
    title: str
    body: str


@dataclass(frozen=True)
class InboxItem:
    """An inject or a facilitator's message addressed to this role."""

    key: str
    """``inject:<id>`` or ``message:<event id>``."""
    channel: str
    channel_name: str
    sender: str
    subject: str
    body: str
    clock: float
    needs_response: bool
    choices: tuple[ChoiceView, ...] = ()
    """The response choices, when the team must still answer it."""
    content_warning: str = ""
    """Shown before the message ('' if none)."""
    open_role: str = ""
    """Set when it reached this seat only because no one holds the role it is addressed
    to: the sentence to show with it."""


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the team timeline: who decided what, and when."""

    clock: float
    kind: Literal["joined", "decision", "timer", "moved"]
    text: str
    rationale: str = ""
    own: bool = False
    """Made by this seat (no need to tell the trainee about it)."""


@dataclass(frozen=True)
class TalkView:
    """The team's conversations with the scenario's characters, as this seat sees them."""

    present: tuple[tuple[str, str], ...] = ()
    """(id, name) of each character in the team's scene now."""
    partners: tuple[str, ...] = ()
    """The present characters this seat's role may speak with."""
    lines: tuple[LineView, ...] = ()
    """The team's lines with every character, oldest first (marks once released)."""
    hint: str = ""
    """Why this seat cannot speak now ('' when it can)."""

    def name(self, character: str) -> str:
        """A present character's name (its id if it is not present)."""
        return dict(self.present).get(character, character)


@dataclass(frozen=True)
class ScoreLine:
    """The team's points on one competency and the best reachable."""

    competency: str
    name: str
    points: int
    best: int


@dataclass(frozen=True)
class CriticalView:
    """A critical error of the team, with the decision that caused it."""

    label: str
    message: str
    who: str


@dataclass(frozen=True)
class DecisionFeedback:
    """One decision of the team with its feedback and points, for the debrief."""

    label: str
    who: str
    rationale: str
    feedback: str
    points: tuple[tuple[str, int], ...]
    """(competency name, points) for each competency it was assessed on."""
    critical: str


@dataclass(frozen=True)
class AdjustmentView:
    """A facilitator's score adjustment and the note written for the team."""

    competency_name: str
    points: int
    note: str


@dataclass(frozen=True)
class ObservationView:
    """A strength or an area for improvement the facilitator recorded for the team."""

    kind: str
    """``strength`` or ``improvement`` (private notes never reach a seat)."""
    text: str
    competency_name: str


@dataclass(frozen=True)
class DebriefView:
    """The team's debrief, only built once the facilitator has released it."""

    outcome: str | None
    outcome_name: str
    ending_text: str
    scores: tuple[ScoreLine, ...]
    critical: tuple[CriticalView, ...]
    decisions: tuple[DecisionFeedback, ...]
    adjustments: tuple[AdjustmentView, ...]
    observations: tuple[ObservationView, ...] = ()


@dataclass(frozen=True)
class SeatView:
    """Everything the seat's screen shows at one moment."""

    exercise: str
    scenario_title: str
    team: str
    role: str
    role_name: str
    role_brief: str
    name: str
    seq: int
    """The team stream's sequence number this view was built from (for ``expected_seq``)."""
    clock: ClockState
    scene: SceneView
    choices: tuple[ChoiceView, ...]
    documents: tuple[DocumentView, ...]
    inbox: tuple[InboxItem, ...]
    """Newest first."""
    timeline: tuple[TimelineEntry, ...]
    """Oldest first."""
    members: tuple[str, ...]
    """Who has joined the team ("Ana — Police investigator")."""
    ended: bool
    debrief: DebriefView | None = None
    content_warning: str = ""
    """The scenario's own warning, shown before the first scene ('' if none)."""
    talk: TalkView = TalkView()
    """The conversations with characters (issue 17)."""
    held: str = ""
    """Why the team cannot decide now: the facilitator holds it for a hot-wash ('' when
    it is not held)."""

    def choice(self, number: int) -> ChoiceView | None:
        """The choice shown with ``number``, if any."""
        return next((c for c in self.choices if c.number == number), None)

    @property
    def pending_responses(self) -> int:
        """How many inbox items still need the team's response."""
        return sum(1 for item in self.inbox if item.needs_response)


# -- building a view ---------------------------------------------------------------------------


def _roles_text(scenario: Scenario, roles: Sequence[str]) -> str:
    return " or ".join(scenario.role_names.get(r, r) for r in roles) or "no role"


def open_role_note(scenario: Scenario, roles: Sequence[str]) -> str:
    """``for the Police investigator — no one holds this role``."""
    which = "these roles" if len(roles) > 1 else "this role"
    return f"for the {_roles_text(scenario, roles)} — no one holds {which}"


def _choices(
    exercise: Exercise, state: TeamState, audience: Audience, minutes: float, name: str = ""
) -> tuple[ChoiceView, ...]:
    """Choices this role may make, plus those another role may make now (dimmed), plus the
    ``once`` choices the team already made in this scene (dimmed, with who made them).

    A scene choice's number is its place in the scene, so numbers never move while the
    team is there: a choice another condition hides leaves its number unused. The replies
    to injects come after the scene's choices. Choices nobody may make now and the
    responses to injects not addressed to this role are left out.
    The choices of a role no one holds in the team (the audience's ``open_roles``) are this
    seat's to make too, marked so, and so are the replies to injects that reached the whole team
    because no one holds their roles.
    """
    scenario = exercise.scenario
    role = audience.role or ""
    slots = {c.id: n for n, c in enumerate(scenario.scenes[state.scene].choices, 1)}
    replies = len(slots)
    done = {step.choice: step for step in state.path}
    shown: list[ChoiceView] = []
    for option in exercise.engine.options(state, role, minutes):
        if option.inject is not None and not audience.receives_inject(scenario, option.inject):
            continue
        choice = option.choice
        done_by = ""
        note = ""
        if option.enabled:
            mine = True
        elif choice.once and choice.id in state.chosen and choice.id in done:
            step = done[choice.id]
            own = step.actor == name and step.role == role
            done_by = (
                "you" if own else f"{step.actor} ({scenario.role_names.get(step.role, step.role)})"
            )
            mine = role in option.roles
        elif role not in option.roles and option.roles:
            taker = next((r for r in option.roles if r in audience.open_roles), option.roles[0])
            if exercise.engine.refusal(state, choice.id, taker, minutes):
                continue
            mine = taker in audience.open_roles
            if mine:
                note = open_role_note(scenario, [taker])
        else:
            continue
        if option.inject is None:
            number = slots[choice.id]
        else:
            replies += 1
            number = replies
        shown.append(
            ChoiceView(
                number=number,
                id=choice.id,
                label=choice.label,
                mine=mine,
                roles_text=_roles_text(scenario, option.roles),
                inject=option.inject,
                reply_to=scenario.injects[option.inject].subject if option.inject else "",
                done_by=done_by,
                open_role=note,
            )
        )
    return tuple(shown)


def _scene(scenario: Scenario, state: TeamState, role: str) -> SceneView:
    scene = scenario.scenes[state.scene]
    ending = None
    if scene.ending is not None:
        outcome = scene.ending.outcome
        ending = EndingView(outcome, OUTCOME_NAMES.get(outcome, outcome), scene.ending.debrief)
    return SceneView(
        id=state.scene,
        title=scene.title,
        text=scene.text,
        role_text=scene.for_roles.get(role, ""),
        content_warning=scene.content_warning or "",
        visit=state.visits.get(state.scene, 0),
        ending=ending,
    )


def _inbox(
    scenario: Scenario,
    state: TeamState,
    audience: Audience,
    log: SeatLog,
    choices: Sequence[ChoiceView],
    open_for_answers: bool = True,
) -> tuple[InboxItem, ...]:
    """Injects addressed to the role and messages addressed to it, newest first.

    Once the exercise has ended nothing can be answered, so nothing is marked to answer.
    """
    items = list(log.messages)
    for inject_id in state.inbox:
        if not audience.receives_inject(scenario, inject_id):
            continue
        to = scenario.inject_roles(inject_id)
        note = open_role_note(scenario, to) if audience.only_as_open_role(to) else ""
        inject = scenario.injects[inject_id]
        order, clock = log.arrived.get(inject_id, (0, state.clock))
        answers = tuple(c for c in choices if c.inject == inject_id)
        needs = open_for_answers and inject_id in state.pending
        items.append(
            (
                order,
                InboxItem(
                    key=f"inject:{inject_id}",
                    channel=inject.channel,
                    channel_name=CHANNEL_NAMES.get(inject.channel, inject.channel),
                    sender=inject.from_,
                    subject=inject.subject,
                    body=inject.message,
                    clock=clock,
                    needs_response=needs,
                    choices=answers if needs else (),
                    content_warning=inject.content_warning or "",
                    open_role=note,
                ),
            )
        )
    items.sort(key=lambda pair: pair[0], reverse=True)
    return tuple(item for _, item in items)


def _message_item(entry_id: int, event: MessageSent) -> InboxItem:
    """A facilitator's message as an inbox item."""
    channel = event.channel or "email"
    return InboxItem(
        key=f"message:{entry_id}",
        channel=channel,
        channel_name=CHANNEL_NAMES.get(channel, channel),
        sender=event.sender or "Exercise control",
        subject=event.subject or "",
        body=event.text or "",
        clock=event.clock,
        needs_response=False,
    )


class SeatLog:
    """What a seat's view takes from its team's log, kept from one view to the next: each
    view looks only at the events that came since the last (walking the whole log on every
    arriving message was most of a woken seat's view), and at all of them again when the
    reader changes (a role opens or is taken, the debrief is released) or the log given
    is not the one it kept up with.

    It holds, in log order: the messages the seat may read, when each inject arrived, the
    timeline and the team's members, the facilitator's hold, the conversation events."""

    def __init__(self) -> None:
        self._start(None)

    def _start(self, reader: tuple[Audience, Seat] | None) -> None:
        """Start afresh, for ``reader``."""
        self._reader = reader
        self._seen = 0
        self._last_id = 0
        self.arrived: dict[str, tuple[int, float]] = {}
        """When each inject first arrived: (event id, exercise minutes)."""
        self.messages: list[tuple[int, InboxItem]] = []
        """The messages this seat may read, with their event ids."""
        self.timeline: list[TimelineEntry] = []
        self.members: dict[tuple[str, str], str] = {}
        self.hold: str | None = None
        """The facilitator's hold the log leaves in place (see ``last_hold``)."""
        self.talk: list[Recorded] = []
        """The conversation lines and their marks."""
        self._lines: tuple[LineView, ...] | None = None

    def update(
        self, scenario: Scenario, seat: Seat, audience: Audience, events: Sequence[Recorded]
    ) -> None:
        """Take the team's log ``events`` (all of them, oldest first) as ``seat`` reads
        it: only those after the ones it took last time when it is the same log and reader."""
        seen = self._seen
        if (
            self._reader != (audience, seat)
            or len(events) < seen
            or (seen and events[seen - 1].id != self._last_id)
        ):
            self._start((audience, seat))
            seen = 0
        for entry in events[seen:]:
            self._take(scenario, seat, audience, entry)
        self._seen = len(events)
        self._last_id = events[-1].id if events else 0

    def lines(self, scenario: Scenario, team: str, audience: Audience) -> tuple[LineView, ...]:
        """The team's conversation lines the reader sees, oldest first."""
        if self._lines is None:
            self._lines = tuple(
                sorted(
                    (
                        line
                        for t in transcripts_from(scenario, team, audience, self.talk)
                        for line in t.lines
                    ),
                    key=lambda line: line.number,
                )
            )
        return self._lines

    def _take(self, scenario: Scenario, seat: Seat, audience: Audience, entry: Recorded) -> None:
        event = entry.event
        if isinstance(event, InjectDelivered):
            self.arrived.setdefault(event.inject, (entry.id, event.clock))
        elif isinstance(event, MessageSent):
            if audience.sees(event):
                self.messages.append((entry.id, _message_item(entry.id, event)))
        elif isinstance(event, TeamHeld | TeamReleased):
            self.hold = last_hold((event,), self.hold)
        elif isinstance(event, Said | LineMarked):
            self.talk.append(entry)
            self._lines = None
        elif isinstance(event, Joined | Chose | TimerFired | Moved) and audience.sees(event):
            self._note(scenario, seat, audience, entry)

    def _note(self, scenario: Scenario, seat: Seat, audience: Audience, entry: Recorded) -> None:
        """A timeline line for a join, a decision, a timer or a move."""
        event = entry.event
        names = scenario.role_names
        role = entry.role or ""
        own = entry.actor == seat.name and role == seat.role
        who = "You" if own else entry.actor
        if isinstance(event, Joined):
            self.members[(entry.actor, role)] = f"{entry.actor} — {names.get(role, role)}"
            self.timeline.append(
                TimelineEntry(
                    event.clock, "joined", f"{who} joined as {names.get(role, role)}", own=own
                )
            )
        elif isinstance(event, Chose):
            choice_id = event.choice
            choice = scenario.choices.get(choice_id)
            if choice is None:
                return
            inject = scenario.choice_inject.get(choice_id)
            if inject is not None and not audience.receives_inject(scenario, inject):
                text = (
                    f"{who} ({names.get(role, role)}) answered a message addressed to the "
                    f"{_roles_text(scenario, scenario.inject_roles(inject))}"
                )
                rationale = ""
            else:
                text = f"{who} ({names.get(role, role)}) chose “{choice.label}”"
                rationale = event.rationale or ""
            self.timeline.append(TimelineEntry(event.clock, "decision", text, rationale, own))
        elif isinstance(event, TimerFired):
            scene = scenario.scenes.get(event.scene)
            title = scene.title if scene else "the scene"
            self.timeline.append(
                TimelineEntry(event.clock, "timer", f"Time ran out in “{title}”: events moved on")
            )
        elif isinstance(event, Moved):
            scene = scenario.scenes.get(event.scene)
            title = scene.title if scene else "another scene"
            self.timeline.append(
                TimelineEntry(event.clock, "moved", f"Exercise control moved the team to “{title}”")
            )


def _debrief(
    scenario: Scenario, state: TeamState, audience: Audience, events: Sequence[Recorded] = ()
) -> DebriefView:
    """Scores, critical errors, feedback, and the facilitator's strengths and areas for
    improvement (what the audience may see of them: never the private notes); built only
    for an audience that sees the assessment."""
    best = best_scores(scenario)
    names = scenario.competency_names
    scores = tuple(
        ScoreLine(c, names[c], state.points.get(c, 0), best.get(c, 0))
        for c in scenario.competencies
        if best.get(c, 0) > 0 or state.points.get(c, 0) != 0
    )
    role_names = scenario.role_names

    def who(actor: str, role: str) -> str:
        role_name = role_names.get(role, role)
        return role_name if actor in ("", role, role_name) else f"{actor} ({role_name})"

    by_choice = {step.choice: step for step in state.path}
    critical = tuple(
        CriticalView(
            scenario.choices[c.choice].label if c.choice in scenario.choices else c.choice,
            c.message,
            who(by_choice[c.choice].actor, by_choice[c.choice].role)
            if c.choice in by_choice
            else "",
        )
        for c in state.critical
    )
    decisions = []
    for step in state.path:
        choice = scenario.choices.get(step.choice)
        if choice is None:
            continue
        decisions.append(
            DecisionFeedback(
                label=choice.label,
                who=who(step.actor, step.role),
                rationale=step.rationale,
                feedback=choice.feedback,
                points=tuple((names.get(c, c), p) for c, p in choice.assess.items()),
                critical=choice.critical or "",
            )
        )
    adjustments = tuple(
        AdjustmentView(names.get(a.competency, a.competency), a.points, a.note)
        for a in state.adjustments
    )
    observations = tuple(
        ObservationView(
            e.category,
            e.text or "",
            names.get(e.competency or "", ""),
        )
        for e in (entry.event for entry in events)
        if isinstance(e, Observed) and audience.sees(e)
    )
    scene = scenario.scenes[state.scene]
    ending_text = scene.ending.debrief if scene.ending is not None and state.ended else ""
    outcome = state.outcome if state.ended else None
    return DebriefView(
        outcome=outcome,
        outcome_name=OUTCOME_NAMES.get(outcome, outcome) if outcome else "Not finished",
        ending_text=ending_text,
        scores=scores,
        critical=critical,
        decisions=tuple(decisions),
        adjustments=adjustments,
        observations=observations,
    )


def seat_view(
    exercise: Exercise,
    seat: Seat,
    state: TeamState,
    seq: int,
    events: Sequence[Recorded],
    clock: ClockState,
    open_roles: Sequence[str] = (),
    log: SeatLog | None = None,
) -> SeatView:
    """The view of one seat, from its team's state, its team's events, the clock and the
    roles no one holds in its team.

    ``events`` are the team stream's events up to ``seq``. ``log``: what the seat's last
    view took from them (a :class:`SeatLog` the caller keeps from view to view; brought up
    to date here), so that only the events since are looked at. Computing a released
    debrief may take a few seconds the first time on a large scenario (the best reachable
    score).
    """
    scenario = exercise.scenario
    role = seat.role
    audience = Audience.seat(
        seat.team, role, released=clock.debrief_released, open_roles=open_roles
    )
    choices = _choices(exercise, state, audience, clock.minutes, seat.name)
    allowed = [d for d in state.case_file if audience.may_read(scenario, d)]
    documents = tuple(
        DocumentView(d, scenario.model.documents[d].title, scenario.model.documents[d].body)
        for d in allowed
    )
    if log is None:
        log = SeatLog()
    log.update(scenario, seat, audience, events)
    role_model = next(r for r in scenario.model.roles if r.id == role)
    return SeatView(
        exercise=exercise.id,
        scenario_title=scenario.title,
        team=seat.team,
        role=role,
        role_name=role_model.name,
        role_brief=role_model.brief,
        name=seat.name,
        seq=seq,
        clock=clock,
        scene=_scene(scenario, state, role),
        choices=choices,
        documents=documents,
        inbox=_inbox(scenario, state, audience, log, choices, clock.state != "ended"),
        timeline=tuple(log.timeline),
        members=tuple(log.members.values()),
        ended=state.ended,
        debrief=_debrief(scenario, state, audience, events) if audience.sees_assessment else None,
        content_warning=scenario.model.content_warning or "",
        held=_held(scenario, state, log.hold),
        talk=_talk(exercise, seat, state, audience, log),
    )


def _talk(
    exercise: Exercise,
    seat: Seat,
    state: TeamState,
    audience: Audience,
    log: SeatLog,
) -> TalkView:
    """Who is here to talk with, whether this seat may, and what the team has said."""
    scenario = exercise.scenario
    here = present(scenario, state)
    partners = tuple(c for c in here if seat.role in scenario.talks_to(c))
    hint = ""
    if here and not partners:
        names = " and ".join(scenario.characters[c].name for c in here)
        talks = sorted({r for c in here for r in scenario.talks_to(c)}, key=scenario.roles.index)
        hint = f"{names} talks with the {_roles_text(scenario, talks)}; you can read along"
    return TalkView(
        present=tuple((c, scenario.characters[c].name) for c in here),
        partners=partners,
        lines=log.lines(scenario, seat.team, audience),
        hint=hint,
    )


# -- what changed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """Something the trainee should be told as it happens."""

    text: str
    severity: Severity = "information"
    bell: bool = False


_CLOCK_NOTICES: dict[tuple[str, str], tuple[str, Severity]] = {
    ("created", "running"): ("The exercise has started.", "information"),
    ("running", "paused"): ("The facilitator has paused the exercise.", "warning"),
    ("paused", "running"): ("The exercise has resumed.", "information"),
}


def notices(old: SeatView, new: SeatView) -> list[Notice]:
    """What happened between two views of the same seat, as sentences for the trainee.

    Decisions the seat made itself are left out: the screen already confirmed them.
    """
    found: list[Notice] = []
    change = (old.clock.state, new.clock.state)
    if change in _CLOCK_NOTICES:
        text, severity = _CLOCK_NOTICES[change]
        found.append(Notice(text, severity))
    elif new.clock.state == "ended" and old.clock.state != "ended":
        found.append(Notice("The exercise has ended.", "warning"))
    old_items = {item.key for item in old.inbox}
    for item in reversed(new.inbox):
        if item.key not in old_items:
            tail = " — your team must respond" if item.needs_response else ""
            head = f"{item.channel_name} from {item.sender}" if item.sender else item.channel_name
            text = head if item.subject == head else f"{head}: {item.subject}"
            found.append(Notice(text + tail, bell=True))
    if len(new.timeline) >= len(old.timeline):
        for entry in new.timeline[len(old.timeline) :]:
            if not entry.own:
                found.append(Notice(entry.text))
    old_documents = {d.id for d in old.documents}
    for document in new.documents:
        if document.id not in old_documents:
            found.append(Notice(f"New in your case file: {document.title}"))
    if new.ended and not old.ended and new.scene.ending is not None:
        found.append(Notice(f"Your team has reached an ending: {new.scene.ending.outcome_name}."))
    if new.debrief is not None and old.debrief is None:
        found.append(Notice("The debrief is open: press d for your team's scores and feedback."))
    if new.talk.present and not old.talk.present:
        names = " and ".join(name for _, name in new.talk.present)
        found.append(Notice(f"{names} is here: press k to talk", bell=True))
    heard = {line.number for line in old.talk.lines}
    for line in new.talk.lines:
        if line.number not in heard and not (line.speaker == new.name and line.role == new.role):
            found.append(Notice(f"{line.who}: {line.text}", bell=line.by_character))
    return found


def _held(scenario: Scenario, state: TeamState, phase: str | None) -> str:
    """The banner of a held team ('' when it is not held by the log's last ``phase``)."""
    hold = hold_of(scenario, state, phase)
    if not hold.held:
        return ""
    return (
        f"⏸ HELD by the facilitator{hold.where(scenario)} for a hot-wash — your team's "
        "choices wait until the facilitator releases it."
    )
