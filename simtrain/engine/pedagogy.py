"""Checks of what a scenario teaches, beyond whether it runs.

A scenario can validate cleanly and explore completely and still teach the wrong lesson:
a success ending a team reaches after critical errors, options whose length gives the
answer away, no decision that costs one competency to gain another, an exercise that can
end before it has started, a declared duration no real team can keep. These checks find
those. They need an exploration (:func:`simtrain.engine.explore.explore`) for the
path-dependent ones; ``explore`` prints them and ``validate --deep`` reports them as
warnings.
"""

from __future__ import annotations

from dataclasses import dataclass

from simtrain.engine.explore import DEFAULT_MAX_STATES, Exploration, explore
from simtrain.scenario.compiled import Scenario
from simtrain.scenario.diagnostics import Diagnostic
from simtrain.scenario.runtime import Choice, duration_minutes
from simtrain.scenario.yamlsource import load_marked, position_of

MINUTES_PER_DECISION = 3.5
"""Exercise minutes a team of several roles needs per decision: read the scene and the
inbox, discuss, agree, enter a rationale. Calibrated on the shipped scenarios as real
six-person teams play them (32 decisions took 110–130 minutes)."""

SHORT_FACTOR = 0.5
"""A typical path shorter than this share of the declared duration leaves a team idle."""

GIVE_AWAY_LIMIT = 0.40
"""The share of decision points above which long labels give the answer away."""


@dataclass(frozen=True)
class Finding:
    """One pedagogy warning."""

    code: str
    message: str
    where: tuple[str | int, ...]
    """Where it applies in the scenario file (a YAML path; ``()`` for the whole file)."""


@dataclass(frozen=True)
class DecisionPoint:
    """A scene or an inject that offers a scored choice between options."""

    where: tuple[str | int, ...]
    options: tuple[Choice, ...]


@dataclass(frozen=True)
class LabelFigures:
    """How a scenario's options are scored against how they read."""

    decision_points: int
    """Scenes and injects with at least two options whose total scores differ."""
    give_aways: int
    """Decision points where an option with the longest label scores best."""
    trade_offs: int
    """Decision points where an option gains on one competency and loses on another, or
    that the facilitator scores as a dilemma."""
    dilemmas: int
    """Decision points with options marked ``dilemma`` (facilitator-scored)."""

    @property
    def give_away_share(self) -> float:
        """Give-aways as a share of decision points (0 when there are none)."""
        return self.give_aways / self.decision_points if self.decision_points else 0.0


def decision_points(scenario: Scenario) -> list[DecisionPoint]:
    """Every scene and inject offering two or more options whose total scores differ
    (options marked ``dilemma`` are the facilitator's to score and do not count)."""
    found: list[DecisionPoint] = []
    holders: list[tuple[tuple[str | int, ...], list[Choice]]] = [
        (("scenes", scene_id), scene.choices) for scene_id, scene in scenario.scenes.items()
    ]
    holders += [(("injects", i), inject.choices) for i, inject in enumerate(scenario.model.injects)]
    for where, choices in holders:
        scored = tuple(c for c in choices if not c.dilemma)
        totals = {sum(c.assess.values()) for c in scored}
        if len(scored) >= 2 and len(totals) >= 2:
            found.append(DecisionPoint(where, scored))
    return found


def _mixed(choice: Choice) -> bool:
    points = choice.assess.values()
    return any(p > 0 for p in points) and any(p < 0 for p in points)


def label_figures(scenario: Scenario) -> LabelFigures:
    """The give-away and trade-off figures of a scenario."""
    points = decision_points(scenario)
    give_aways = 0
    trade_offs = 0
    for point in points:
        best = max(sum(c.assess.values()) for c in point.options)
        longest = max(len(c.label) for c in point.options)
        if any(len(c.label) == longest and sum(c.assess.values()) == best for c in point.options):
            give_aways += 1
        if any(_mixed(c) for c in point.options):
            trade_offs += 1
    holders = [s.choices for s in scenario.scenes.values()]
    holders += [i.choices for i in scenario.injects.values()]
    dilemmas = sum(1 for choices in holders if any(c.dilemma for c in choices))
    return LabelFigures(len(points), give_aways, trade_offs + dilemmas, dilemmas)


def typical_decisions(scenario: Scenario, found: Exploration) -> int | None:
    """The decisions on the shortest path to a success ending (None without one)."""
    counts = [
        found.ending_decisions[e]["min"]
        for e, outcome in found.endings.items()
        if outcome == "success" and e in found.ending_decisions
    ]
    return min(counts) if counts else None


def findings(scenario: Scenario, found: Exploration) -> list[Finding]:
    """Every pedagogy warning for a scenario, given its exploration."""
    out: list[Finding] = []
    for ending, outcome in found.endings.items():
        worst = found.ending_criticals.get(ending, {}).get("max", 0)
        if outcome == "success" and worst > 0:
            out.append(
                Finding(
                    "success-after-critical",
                    f"the success ending '{ending}' can be reached after {worst} critical "
                    f"error{'s' * (worst != 1)}: its debrief would praise a team for practice "
                    "it violated; gate it on 'critical_errors == 0' and route the rest to an "
                    "ending whose debrief names the harm",
                    ("scenes", ending),
                )
            )
    figures = label_figures(scenario)
    if figures.give_away_share > GIVE_AWAY_LIMIT:
        out.append(
            Finding(
                "give-away-labels",
                f"at {figures.give_aways} of {figures.decision_points} decision points "
                f"({figures.give_away_share:.0%}) the best-scoring option is also the longest "
                f"label (limit {GIVE_AWAY_LIMIT:.0%}): trainees can read the answer off the "
                "screen; write options of similar length and register",
                ("title",),
            )
        )
    if figures.decision_points and not figures.trade_offs:
        out.append(
            Finding(
                "no-trade-off",
                f"none of the {figures.decision_points} decision points trades one "
                "competency against another (every option is all-positive or all-negative): "
                "add options that help one competency and cost another, or facilitator-scored "
                "dilemmas",
                ("title",),
            )
        )
    least = scenario.model.min_decisions
    if least is not None:
        for ending in found.endings:
            fewest = found.ending_decisions.get(ending, {}).get("min")
            if fewest is not None and fewest < least:
                out.append(
                    Finding(
                        "early-ending",
                        f"ending '{ending}' can be reached after {fewest} decision"
                        f"{'s' * (fewest != 1)}, before min_decisions ({least}): let the "
                        "consequence play out and the team continue instead",
                        ("scenes", ending),
                    )
                )
    duration = scenario.model.duration
    typical = typical_decisions(scenario, found)
    if duration is not None and typical is not None:
        declared = duration_minutes(duration)
        needed = typical * MINUTES_PER_DECISION
        if needed > declared or needed < declared * SHORT_FACTOR:
            longer = needed > declared
            out.append(
                Finding(
                    "duration-mismatch",
                    f"the shortest path to success takes {typical} decisions, about "
                    f"{needed:.0f} minutes at {MINUTES_PER_DECISION:g} minutes a team "
                    f"decision, but duration is {duration}: "
                    + (
                        "trim the path or declare the honest duration"
                        if longer
                        else "the team will sit idle; declare a shorter duration"
                    ),
                    ("duration",),
                )
            )
    return out


def deep_diagnostics(
    scenario: Scenario, max_states: int = DEFAULT_MAX_STATES
) -> tuple[Exploration, list[Diagnostic]]:
    """``validate --deep``: explore the scenario within ``max_states`` and report every
    pedagogy finding as a warning at its line of the scenario file."""
    found = explore(scenario, max_states)
    raw, _ = load_marked(scenario.text)
    out: list[Diagnostic] = []

    def warn(code: str, message: str, where: tuple[str | int, ...]) -> None:
        line, column = position_of(raw, where, key=bool(where) and where[0] != "injects")
        out.append(Diagnostic("warning", line, column, code, message, scenario.path))

    if not found.complete:
        warn(
            "explore-incomplete",
            f"the exploration stopped at {found.states} states (the budget): the path checks "
            "cover only what it reached; raise --max-states or shrink the search "
            "(docs/authoring.md §10)",
            ("title",),
        )
    for finding in findings(scenario, found):
        warn(finding.code, finding.message, finding.where)
    return found, out
