"""The after-action report as data: the JSON document every format is rendered from.

Everything comes from the exercise's log through the service (``events``, ``replay``,
``clock``, ``record``, ``scenario``); nothing is written. The field names are the
contract documented in docs/report-schema.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from simtrain.bulk import collector_paused
from simtrain.engine.events import (
    FOLDED,
    RATINGS,
    AnyEvent,
    Event,
    InjectDelivered,
    InjectSkipped,
    Joined,
    LineMarked,
    MessageSent,
    Moved,
    Observed,
    PlanItemAdded,
    PlanItemRemoved,
    Rated,
    Said,
    SteppedOut,
    TimerFired,
)
from simtrain.engine.explore import Budget, best_score_bounds
from simtrain.engine.summary import PathBest, path_best
from simtrain.exercise import Exercise, ExerciseError, Recorded
from simtrain.report.text import percent, percent_text, wall_text
from simtrain.scenario.compiled import Scenario
from simtrain.text import assessment_text, time_text
from simtrain.views.audience import Audience
from simtrain.views.conversation import transcripts, transcripts_json

if TYPE_CHECKING:
    from simtrain.engine.state import PathStep, TeamState

REPORT_VERSION = 1
"""Bumped only when a field is renamed or removed (new fields keep the version)."""
STRENGTH_PERCENT = 75
"""A competency scored at or above this share of what the team could have earned on the
path it played is a strength."""
IMPROVEMENT_PERCENT = 40
"""A competency scored below this share (or below zero) is an area for improvement."""
TOP_DECISIONS = 5
"""At most this many well-scored decisions are listed among a team's strengths."""
PERCENT_BASIS = (
    "Percentages are of what the team could have earned on the path it played: at each "
    "decision it met, the best points on offer."
)
"""The sentence every format prints beside its percentages."""
FORKS_PER_TEAM = 3
"""At most this many forks per team (its first critical errors)."""
FORK_SECONDS = 20.0
"""The time all the forks of one report may take together: each fork gets an even share
of what is left (the report says which searches stopped early)."""
FORK_MIN_SECONDS = 0.5
"""Each fork's share is at least this, while the report's :data:`FORK_SECONDS` last: past
them a fork is not searched, and says so (a report of 100 teams took minutes when every
fork of its 300 was given this much)."""
FORK_STATES = 20_000
"""The state budget of each fork of a report."""
SECTION_KINDS: tuple[str, ...] = tuple(
    cls.kind
    for cls in (
        Joined,
        Observed,
        Said,
        LineMarked,
        Rated,
        PlanItemAdded,
        PlanItemRemoved,
        SteppedOut,
        TimerFired,
        Moved,
        InjectDelivered,
        InjectSkipped,
    )
)
"""The kinds of a team's log a section reads besides its folded state and its messages
(participants, observations, conversations, ratings, the plan, step-outs, scene changes
and injects). A report built with ``ends`` reads only these, every one of them, and the
ends of the messages: a team's decisions and adjustments come from its folded state."""


def build_report(
    exercise: Exercise, team: str | None = None, *, ends: int | None = None
) -> dict[str, Any]:
    """The report of every team (the facilitator's) or, with ``team``, that team's version.

    Before the debrief is released a team's version holds only what the team already saw:
    no scores, critical errors, assessments, feedback, expected actions, adjustments,
    observations, strengths or improvement plan (``assessment_released`` is false).

    With ``ends`` (what the HTML page shows), each team's messages and adjustments hold
    only their first and last ``ends`` entries, and the team's ``left_out`` says how many
    lie between them: the team is read from its saved state (with what it could have
    earned at each decision, measured as each decision was folded) and the kinds of
    events its sections need (:data:`SECTION_KINDS`), not from every event of its log.
    Everything else is what the full report holds."""
    with collector_paused():  # every event of every team, decoded and described
        document = _build_report(exercise, team, ends)
    if ends is not None:
        for section in document["teams"].values():
            _keep_the_ends_of_the_path(section, ends)
        exercise.save_folded()  # a cache: the next report folds fewer events
    return document


def path_entries(
    decisions: list[dict[str, Any]], scene_changes: list[dict[str, Any]]
) -> list[tuple[float, int, dict[str, Any]]]:
    """A team's path as the page shows it: its decisions (kind 0) and scene changes
    (kind 1) in time order, a decision first at the same moment."""
    return sorted(
        [(d["clock"], 0, d) for d in decisions] + [(c["clock"], 1, c) for c in scene_changes],
        key=lambda entry: (entry[0], entry[1]),
    )


def _keep_the_ends_of_the_path(section: dict[str, Any], ends: int) -> None:
    """Keep in a team's section only the decisions and scene changes among the first and
    last ``ends`` entries of its path (:func:`path_entries`), and say in ``left_out``
    how many entries lie between them (everything else was built from the whole path)."""
    entries = path_entries(section["decisions"], section["scene_changes"])
    if len(entries) <= 2 * ends:
        return
    kept = {id(item) for _, _, item in entries[:ends] + entries[-ends:]}
    for key in ("decisions", "scene_changes"):
        section[key] = [item for item in section[key] if id(item) in kept]
    section.setdefault("left_out", {})["path"] = len(entries) - 2 * ends


class _TeamLog:
    """What a team's section reads of its log: its entries (every one, or with ``ends``
    those of :data:`SECTION_KINDS` and the ends of its messages), its state with what it
    could have earned (``measured``), and its folded events, read only when a fork needs
    them."""

    def __init__(self, exercise: Exercise, team: str, ends: int | None) -> None:
        self.exercise, self.team, self.ends = exercise, team, ends or 0
        self.left_out: dict[str, int] = {}
        self.seq: int | None = None
        self._folded: list[Event] | None = None
        if ends is None:  # one read of the log; the fold that measures its path is its replay
            self.entries = exercise.events(team)
            self._folded = [e.event for e in self.entries if isinstance(e.event, FOLDED)]
            self.measured = path_best(exercise.engine, self._folded)
            return
        found = exercise.measured(team)
        self.seq, self.measured = found.seq, found.best
        self.entries = []
        sections = [kind for kind in SECTION_KINDS if found.kinds.get(kind)]
        if sections:  # from the first of them: a log's early part may hold none
            since = min(found.first[kind] for kind in sections)
            self.entries = exercise.read_kinds(team, sections, self.seq, since_seq=since)
        messages = found.kinds.get(MessageSent.kind, 0)
        if messages:
            kind, since = (MessageSent.kind,), found.first[MessageSent.kind]
            if messages <= 2 * ends:
                self.entries += exercise.read_kinds(team, kind, self.seq, since_seq=since)
            else:  # the first and last of them, and how many lie between
                self.entries += exercise.read_kinds(team, kind, self.seq, ends, since_seq=since)
                self.entries += exercise.read_kinds(team, kind, self.seq, ends, newest=True)
                self.left_out["messages"] = messages - 2 * ends
            self.entries.sort(key=lambda entry: entry.seq)
        if len(self.measured.state.adjustments) > 2 * ends:
            self.left_out["adjustments"] = len(self.measured.state.adjustments) - 2 * ends

    def adjustments(self) -> Sequence[Any]:
        """The team's adjustments (their ends when some are left out)."""
        adjustments = self.measured.state.adjustments
        if "adjustments" not in self.left_out:
            return adjustments
        return (*adjustments[: self.ends], *adjustments[-self.ends :])

    def folded(self) -> list[Event]:
        """The team's folded events (what a fork replays), read once when first asked."""
        if self._folded is None:
            self._folded = self.exercise.folded_events(self.team, self.seq)
        return self._folded


def _build_report(exercise: Exercise, team: str | None, ends: int | None) -> dict[str, Any]:
    teams = [exercise.check_team(team)] if team is not None else list(exercise.teams)
    scenario = exercise.scenario
    best, exact = best_score_bounds(scenario)
    clock = exercise.clock()
    audience = (
        Audience.facilitator()
        if team is None
        else Audience.of_team(team, released=clock.debrief_released)
    )
    private = audience.private
    logs = {name: _TeamLog(exercise, name, ends) for name in teams}
    forks = _ForkBudget(exercise, sum(_fork_count(log.measured.state) for log in logs.values()))
    team_reports = {
        name: _team(exercise, name, best, audience, forks, log) for name, log in logs.items()
    }
    document: dict[str, Any] = {
        "report": REPORT_VERSION,
        "audience": "facilitator" if private else "team",
        "team": team,
        "exercise": {
            "id": exercise.id,
            "title": exercise.record.title,
            "created": wall_text(exercise.record.created_wall),
            "state": clock.state,
            "clock": round(clock.minutes, 2),
            "debrief_released": clock.debrief_released,
            "teams": teams,
        },
        "scenario": {
            "id": scenario.id,
            "title": scenario.title,
            "summary": scenario.model.summary,
            "duration": scenario.model.duration,
        },
        "rubric": {
            "id": scenario.rubric.id,
            "name": scenario.rubric.name,
            "competencies": [
                {
                    "id": c.id,
                    "name": c.name,
                    "description": c.description,
                    "best": best.get(c.id, 0),
                }
                for c in scenario.rubric.competencies
            ],
            "best_is_upper_bound": not exact,
        },
        "teams": team_reports,
    }
    if not audience.sees_assessment:
        for competency in document["rubric"]["competencies"]:
            del competency["best"]
        del document["rubric"]["best_is_upper_bound"]
        document["assessment_released"] = False
        return document
    if private:
        document["comparison"] = [_comparison_row(name, t) for name, t in team_reports.items()]
    document["improvement_plan"] = [
        {
            "team": name,
            "area": row["issue"],
            "recommendation": row["action"],
            "owner": row["responsible"],
            "due": row["due"],
            "source": "facilitator",
        }
        for name, t in team_reports.items()
        for row in t["plan"]
    ] + [
        {
            "team": name,
            "area": item["text"],
            "recommendation": "",
            "owner": "",
            "due": "",
            "source": "improvement",
        }
        for name, t in team_reports.items()
        for item in t["improvements"]
    ]
    document["assessment_released"] = True
    return document


def assessed(report: dict[str, Any]) -> list[str]:
    """Competency ids the tables and charts show: those the scenario can score, and any a
    team has points on. The others are named once as not assessed."""
    return [
        c["id"]
        for c in report["rubric"]["competencies"]
        if c["best"] > 0
        or any(t["score"]["competencies"][c["id"]]["points"] for t in report["teams"].values())
    ]


def not_assessed(report: dict[str, Any]) -> list[str]:
    """Names of the competencies this scenario does not assess (see :func:`assessed`)."""
    shown = set(assessed(report))
    return [c["name"] for c in report["rubric"]["competencies"] if c["id"] not in shown]


def _team(
    exercise: Exercise,
    team: str,
    best: dict[str, int],
    audience: Audience,
    forks: _ForkBudget,
    log: _TeamLog,
) -> dict[str, Any]:
    """One team's section of the report, as ``audience`` may read it, from what was read
    of its ``log`` (the forks, ratings and plan read no more)."""
    private = audience.private
    scenario = exercise.scenario
    events, measured = log.entries, log.measured
    typed = [e.event for e in events]
    state = measured.state
    names = scenario.competency_names
    decisions = [_decision(scenario, n, step) for n, step in enumerate(state.path, 1)]
    conversations = transcripts_json(transcripts(exercise, team, audience, events))
    if not audience.sees_assessment:
        return (
            _seen_so_far(scenario, team, events, state, decisions)
            | {"conversations": conversations}
            | _left_out(log, "messages")
        )
    score = _score(scenario, state, best, measured, names)
    critical = _critical(state, decisions)
    observations = [
        {
            "kind": e.category,
            "text": e.text,
            "competency": e.competency,
            "clock": round(e.clock, 2),
        }
        for e in typed
        if isinstance(e, Observed) and audience.sees(e)
    ]
    report: dict[str, Any] = {
        **_where_it_stands(scenario, team, state, events),
        "score": score,
        "critical": critical,
        "decisions": decisions,
        "scene_changes": _scene_changes(scenario, typed, private=private),
        "injects": _injects(scenario, typed, state, decisions, private=private),
        "adjustments": [
            {
                "competency": a.competency,
                "competency_name": names.get(a.competency, a.competency),
                "points": a.points,
                "note": a.note,
                "clock": round(a.clock, 2),
            }
            for a in log.adjustments()
        ],
        "observations": observations,
        "messages": _messages(typed),
        "conversations": conversations,
    }
    if private:
        report["step_outs"] = sum(1 for e in typed if isinstance(e, SteppedOut))
    report["strengths"], report["improvements"] = _strengths_and_improvements(
        score, critical, observations, names, _top_decisions(decisions, measured, names)
    )
    report["forks"] = [
        forks.fork(team, at, why, log.folded) for at, why in _fork_points(critical, decisions)
    ]
    report["ratings"] = _ratings(exercise, team, names, events)
    report |= _left_out(log, "messages", "adjustments")
    report["plan"] = [
        {
            "row": n,
            "issue": e.event.issue,
            "action": e.event.action,
            "responsible": e.event.responsible,
            "due": e.event.due,
        }
        for n, e in enumerate(exercise.plan(team, events), 1)
        if isinstance(e.event, PlanItemAdded)
    ]
    return report


def _left_out(log: _TeamLog, *lists: str) -> dict[str, Any]:
    """``left_out``: how many entries of each of ``lists`` a report built with ``ends``
    left out of the middle (no key when none was)."""
    found = {name: log.left_out[name] for name in lists if name in log.left_out}
    return {"left_out": found} if found else {}


def _ratings(
    exercise: Exercise, team: str, names: Mapping[str, str], events: list[Recorded]
) -> list[dict[str, Any]]:
    """The team's HSEEP rating of each objective rated (the latest of each), from its log
    ``events`` already read."""
    found = []
    for objective, entry in exercise.ratings(team, events).items():
        if isinstance(entry.event, Rated):
            found.append(
                {
                    "objective": objective,
                    "objective_name": names.get(objective, objective),
                    "rating": entry.event.rating,
                    "meaning": RATINGS.get(entry.event.rating, ""),
                    "note": entry.event.note,
                    "clock": round(entry.event.clock, 2),
                }
            )
    return found


def _fork_points(
    critical: list[dict[str, Any]], decisions: list[dict[str, Any]]
) -> list[tuple[int, str]]:
    """Where a team's report forks: at the decisions that caused its first critical
    errors, else at its lowest-scoring decision (the earliest of equals)."""
    caused = sorted({c["decision"] for c in critical if c["decision"] is not None})
    if caused:
        return [(n, "critical") for n in caused[:FORKS_PER_TEAM]]
    if not decisions:
        return []
    lowest = min(decisions, key=lambda d: (sum(d["assessment"].values()), d["n"]))
    return [(lowest["n"], "lowest")]


def _fork_count(state: TeamState) -> int:
    """How many forks the section of a team in ``state`` will hold (to share the time
    budget fairly)."""
    if state.critical:
        return min(len(state.critical), FORKS_PER_TEAM)
    return 1 if state.path else 0


class _ForkBudget:
    """The forks of one report, sharing :data:`FORK_SECONDS` between them."""

    def __init__(self, exercise: Exercise, count: int) -> None:
        self.exercise = exercise
        self.left = max(count, 1)
        self.began = time.monotonic()

    def fork(
        self, team: str, at: int, why: str, events: Callable[[], Sequence[Event]]
    ) -> dict[str, Any]:
        """``fork --json`` at decision ``at`` of ``team`` (whose folded events ``events``
        gives, read only if the fork is searched), with ``reason`` and the ``difference``
        in total points (the expert's minus the team's)."""
        remaining = FORK_SECONDS - (time.monotonic() - self.began)
        share = min(max(remaining / self.left, FORK_MIN_SECONDS), remaining)
        self.left = max(self.left - 1, 1)
        if share <= 0:  # the report's time for forks is spent: say so, and how to get it
            return {
                "at": at,
                "reason": why,
                "error": (
                    f"not searched: this report's {FORK_SECONDS:g} seconds for forks went to "
                    f"earlier ones; 'simtrain fork --exercise {self.exercise.id} --team {team} "
                    f"--at {at}' searches it"
                ),
            }
        budget = Budget(max_states=FORK_STATES, max_seconds=share)
        try:
            found = self.exercise.fork(team, at, budget, events=events())
            data = found.to_json(self.exercise.scenario)
        except ExerciseError as exc:  # the log changed under the report: say so
            return {"at": at, "reason": why, "error": str(exc)}
        data["reason"] = why
        data["difference"] = data["expert"]["score"]["total"] - data["team"]["score"]["total"]
        scenario = self.exercise.scenario
        for side in (data["team"], data["expert"]):
            ending = scenario.scenes.get(side["ending"] or "")
            side["ending_title"] = ending.title if ending is not None else None
            side["labels"] = [
                scenario.choices[step].label for step in side["steps"] if step in scenario.choices
            ]
        return data


def _where_it_stands(
    scenario: Scenario, team: str, state: TeamState, events: list[Recorded]
) -> dict[str, Any]:
    """The head of a team's section in every version: where the team is, how it ended,
    who took part."""
    ending = scenario.scenes[state.scene].ending if state.ended else None
    return {
        "team": team,
        "outcome": state.outcome,
        "ended": state.ended,
        "scene": {"id": state.scene, "title": scenario.scenes[state.scene].title},
        "finished_at": round(state.entered_at, 2) if state.ended else None,
        "ending_debrief": ending.debrief if ending is not None else None,
        "participants": _participants(scenario, events),
    }


ASSESSMENT_KEYS = ("assessment", "feedback", "critical")
"""What a decision carries that a team reads only once the debrief is released."""


def _seen_so_far(
    scenario: Scenario,
    team: str,
    events: list[Recorded],
    state: TeamState,
    decisions: list[dict[str, Any]],
) -> dict[str, Any]:
    """A team's section before the debrief is released: what the team has already seen
    (its decisions, the scenes it went through, the injects and messages it received),
    nothing of the assessment."""
    typed = [e.event for e in events]
    seen = [{k: v for k, v in d.items() if k not in ASSESSMENT_KEYS} for d in decisions]
    injects = _injects(scenario, typed, state, decisions, private=False)
    return {
        **_where_it_stands(scenario, team, state, events),
        "decisions": seen,
        "scene_changes": _scene_changes(scenario, typed, private=False),
        "injects": [{k: v for k, v in i.items() if k != "expected"} for i in injects],
        "messages": _messages(typed),
    }


def _messages(typed: list[AnyEvent]) -> list[dict[str, Any]]:
    return [
        {
            "clock": round(e.clock, 2),
            "channel": e.channel,
            "from": e.sender,
            "subject": e.subject,
            "text": e.text,
        }
        for e in typed
        if isinstance(e, MessageSent)
    ]


def _participants(scenario: Scenario, events: list[Recorded]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for event in events:
        if isinstance(event.event, Joined) and event.role:
            name = event.event.name or event.actor
            seen.setdefault(
                (name, event.role),
                {
                    "name": name,
                    "role": event.role,
                    "role_name": scenario.role_names.get(event.role, event.role),
                },
            )
    return list(seen.values())


def _decision(scenario: Scenario, n: int, step: PathStep) -> dict[str, Any]:
    choice = scenario.choices[step.choice]
    scene = scenario.scenes.get(step.scene)
    return {
        "n": n,
        "clock": round(step.clock, 2),
        "scene": step.scene,
        "scene_title": scene.title if scene else step.scene,
        "inject": step.inject,
        "choice": step.choice,
        "label": choice.label,
        "actor": step.actor,
        "role": step.role,
        "role_name": scenario.role_names.get(step.role, step.role),
        "rationale": step.rationale,
        "assessment": dict(choice.assess),
        "feedback": choice.feedback,
        "critical": choice.critical,
    }


def _score(
    scenario: Scenario,
    state: TeamState,
    best: dict[str, int],
    measured: PathBest,
    names: Mapping[str, str],
) -> dict[str, Any]:
    adjusted: dict[str, int] = dict.fromkeys(scenario.competencies, 0)
    for adjustment in state.adjustments:
        adjusted[adjustment.competency] = adjusted.get(adjustment.competency, 0) + adjustment.points
    marked: dict[str, int] = dict.fromkeys(scenario.competencies, 0)
    for mark in state.marks:
        marked[mark.competency] = marked.get(mark.competency, 0) + mark.points
    competencies: dict[str, Any] = {}
    for c in scenario.competencies:
        points = state.points.get(c, 0)
        on_path = measured.competencies.get(c, 0)
        competencies[c] = {
            "name": names.get(c, c),
            "points": points,
            "decisions": points - adjusted.get(c, 0) - marked.get(c, 0),
            "adjustments": adjusted.get(c, 0),
            "conversation": marked.get(c, 0),
            "best": best.get(c, 0),
            "path_best": on_path,
            **_share(points, on_path, adjusted.get(c, 0) + marked.get(c, 0)),
        }
    total_points = sum(v["points"] for v in competencies.values())
    total_path = sum(v["path_best"] for v in competencies.values())
    return {
        "competencies": competencies,
        "total": {
            "points": total_points,
            "best": sum(v["best"] for v in competencies.values()),
            "path_best": total_path,
            **_share(total_points, total_path, sum(adjusted.values()) + sum(marked.values())),
        },
    }


def _share(points: int, path_best: int, adjustments: int) -> dict[str, Any]:
    """``percent`` of what could have been earned on the path (never below 0) and the
    ``note`` that explains a figure below zero or above 100%."""
    share = percent(points, path_best)
    note = ""
    if points < 0:
        note = (
            f"below zero: the team's decisions{' and adjustments' if adjustments else ''} "
            f"cost {-points} point{'s' if points != -1 else ''} more than they earned"
        )
        share = 0 if share is not None else None
    elif share is not None and share > 100:
        note = "above 100% through the facilitator's adjustments or conversation marks"
    return {"percent": share, "note": note}


def _top_decisions(
    decisions: list[dict[str, Any]], measured: PathBest, names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Strengths from the decisions that earned points and were the best on offer."""
    top = [d for d in decisions if d["n"] in measured.top_decisions]
    top.sort(key=lambda d: -sum(d["assessment"].values()))
    return [
        {
            "text": f"Decision {d['n']} at {time_text(d['clock'])}: “{d['label']}” — the best "
            f"on offer then ({assessment_text(d['assessment'], names)})",
            "competency": max(d["assessment"], key=d["assessment"].__getitem__),
            "source": "decision",
        }
        for d in sorted(top[:TOP_DECISIONS], key=lambda d: d["n"])
    ]


def _critical(state: TeamState, decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each critical error with the decision that caused it (the earliest one unclaimed)."""
    unclaimed: dict[tuple[str, float], list[dict[str, Any]]] = {}
    for d in reversed(decisions):  # each list ends with its earliest decision
        unclaimed.setdefault((d["choice"], d["clock"]), []).append(d)
    found: list[dict[str, Any]] = []
    for error in state.critical:
        candidates = unclaimed.get((error.choice, round(error.clock, 2)))
        cause = candidates.pop() if candidates else None
        found.append(
            {
                "message": error.message,
                "clock": round(error.clock, 2),
                "choice": error.choice,
                "decision": cause["n"] if cause else None,
                "label": cause["label"] if cause else error.choice,
                "actor": cause["actor"] if cause else "",
                "role": cause["role"] if cause else None,
                "role_name": cause["role_name"] if cause else "",
                "scene_title": cause["scene_title"] if cause else "",
                "rationale": cause["rationale"] if cause else "",
            }
        )
    return found


def _scene_changes(
    scenario: Scenario, events: list[AnyEvent], *, private: bool
) -> list[dict[str, Any]]:
    """Scene changes no decision made: timers, the facilitator's moves, injects' gotos."""
    changes: list[dict[str, Any]] = []

    def add(clock: float, cause: str, scene: str, reason: str | None = None) -> None:
        entry: dict[str, Any] = {
            "clock": round(clock, 2),
            "cause": cause,
            "scene": scene,
            "scene_title": scenario.scenes[scene].title if scene in scenario.scenes else scene,
        }
        if reason is not None and private:
            entry["reason"] = reason
        changes.append(entry)

    for event in events:
        if isinstance(event, TimerFired):
            timer = scenario.timers.get(event.scene)
            if timer is not None:
                add(event.clock, "timer", timer[1])
        elif isinstance(event, Moved):
            add(event.clock, "facilitator", event.scene, event.reason or "")
        elif isinstance(event, InjectDelivered):
            inject = scenario.injects.get(event.inject)
            if inject is not None and inject.goto:
                add(event.clock, "inject", inject.goto)
    return changes


def _trigger(scenario: Scenario, inject_id: str) -> str:
    inject = scenario.injects[inject_id]
    if inject.at is not None and inject.when is not None:
        return f"at {inject.at} or when {inject.when}"
    if inject.at is not None:
        return f"at {inject.at}"
    if inject.when is not None:
        return f"when {inject.when}"
    return "by hand"


def _injects(
    scenario: Scenario,
    events: list[AnyEvent],
    state: TeamState,
    decisions: list[dict[str, Any]],
    *,
    private: bool,
) -> list[dict[str, Any]]:
    """Each inject: when it arrived, the expected action, and the team's response."""
    delivered: dict[str, InjectDelivered] = {}
    skipped: dict[str, InjectSkipped] = {}
    for event in events:
        if isinstance(event, InjectDelivered) and event.inject in state.inbox:
            delivered.setdefault(event.inject, event)
        elif isinstance(event, InjectSkipped) and event.inject in state.skipped:
            skipped.setdefault(event.inject, event)
    names = scenario.competency_names
    found: list[dict[str, Any]] = []
    for inject_id, inject in scenario.injects.items():
        arrival = delivered.get(inject_id)
        if arrival is None and not private:
            continue  # a team never learns of injects it did not receive
        response = next((d for d in decisions if d["inject"] == inject_id), None)
        status = "delivered" if arrival else "skipped" if inject_id in skipped else "not_delivered"
        entry: dict[str, Any] = {
            "inject": inject_id,
            "subject": inject.subject,
            "channel": inject.channel,
            "from": inject.from_,
            "to": list(scenario.inject_roles(inject_id)),
            "status": status,
            "delivered_at": round(arrival.clock, 2) if arrival else None,
            "manual": arrival.manual if arrival else False,
            "reached": list(arrival.reached) if arrival and arrival.reached is not None else None,
            "expected": inject.expected,
            "asks_response": bool(inject.choices),
            "response": (
                {
                    key: response[key]
                    for key in ("n", "choice", "label", "actor", "role", "role_name", "clock")
                }
                if response
                else None
            ),
            "response_minutes": (
                round(response["clock"] - arrival.clock, 2) if response and arrival else None
            ),
        }
        if private:
            entry["objective"] = inject.objective
            entry["objective_name"] = names.get(inject.objective or "")
            entry["trigger"] = _trigger(scenario, inject_id)
            skip = skipped.get(inject_id)
            entry["skipped_at"] = round(skip.clock, 2) if skip and not arrival else None
            entry["skip_reason"] = (skip.reason or "") if skip and not arrival else None
        found.append(entry)
    return found


def _strengths_and_improvements(
    score: dict[str, Any],
    critical: list[dict[str, Any]],
    observations: list[dict[str, Any]],
    names: Mapping[str, str],
    top_decisions: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The facilitator's observations first, then what the decisions, scores and errors
    show (scores measured against what the team could have earned on its path)."""
    strengths: list[dict[str, Any]] = []
    improvements: list[dict[str, Any]] = []
    for o in observations:
        item = {"text": o["text"], "competency": o["competency"], "source": "facilitator"}
        if o["kind"] == "strength":
            strengths.append(item)
        elif o["kind"] == "improvement":
            improvements.append(item)
    strengths += top_decisions
    for error in critical:
        improvements.append(
            {
                "text": f"Critical error at {time_text(error['clock'])}: {error['message']} "
                f"(decision: “{error['label']}”)",
                "competency": None,
                "source": "critical",
            }
        )
    for cid, c in score["competencies"].items():
        if c["path_best"] <= 0 and c["points"] >= 0:
            continue  # nothing on this competency was on offer along the team's path
        figures = _figures(c["points"], c["path_best"], c["percent"])
        if c["points"] > 0 and c["percent"] is not None and c["percent"] >= STRENGTH_PERCENT:
            strengths.append(
                {"text": f"{names[cid]}: {figures}", "competency": cid, "source": "score"}
            )
        elif c["points"] < 0 or (c["percent"] is not None and c["percent"] < IMPROVEMENT_PERCENT):
            improvements.append(
                {"text": f"{names[cid]}: {figures}", "competency": cid, "source": "score"}
            )
    return strengths, improvements


def _figures(points: int, path_best: int, share: int | None) -> str:
    """``2 of the 3 points it could have earned on its path (67%)``, or a sentence saying
    why a score is below zero."""
    if points < 0:
        spent = -points
        return (
            f"{points:+d} — its decisions cost {spent} point{'s' if spent != 1 else ''} more "
            f"than they earned (the best on its path was {path_best:+d})"
        )
    return (
        f"{points} of the {path_best} point{'s' if path_best != 1 else ''} it could have "
        f"earned on the path it played ({percent_text(share)})"
    )


def _comparison_row(team: str, report: dict[str, Any]) -> dict[str, Any]:
    return {
        "team": team,
        "outcome": report["outcome"],
        "finished_at": report["finished_at"],
        "decisions": len(report["decisions"]),
        "critical": len(report["critical"]),
        "points": report["score"]["total"]["points"],
        "best": report["score"]["total"]["best"],
        "path_best": report["score"]["total"]["path_best"],
        "percent": report["score"]["total"]["percent"],
        "competencies": {
            cid: {
                "points": c["points"],
                "best": c["best"],
                "path_best": c["path_best"],
                "percent": c["percent"],
            }
            for cid, c in report["score"]["competencies"].items()
        },
    }
