"""Pedagogy checks: honest endings, labels that do not give the answer away, trade-offs,
early endings and a duration that fits (``explore`` and ``validate --deep``)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from simtrain.cli import main
from simtrain.engine.explore import explore
from simtrain.engine.pedagogy import (
    MINUTES_PER_DECISION,
    deep_diagnostics,
    findings,
    label_figures,
)
from simtrain.scenario.compiled import Scenario
from simtrain.scenario.validate import load_text

from .conftest import FIXTURES

POINTS = """\
simtrain: 1
id: points
title: Points
content_warning: Practice.
duration: 10m
min_decisions: 2
rubric:
  id: four
  competencies:
    - {id: safety, name: Safety}
    - {id: trust, name: Trust}
    - {id: evidence, name: Evidence}
    - {id: rights, name: Rights}
roles: [{id: a, name: A}]
start: one
scenes:
  one:
    title: One
    choices:
      - {id: long_good, label: A long and careful good option, goto: two, assess: {safety: 2}}
      - {id: bad, label: Short bad one, goto: quick_end, assess: {safety: -2}}
  two:
    title: Two
    choices:
      - {id: good, label: Good, goto: three, assess: {trust: 1}}
      - {id: longer_bad, label: A much longer bad option, goto: three, assess: {trust: -1}}
  three:
    title: Three
    choices:
      - {id: trade, label: Trade, goto: done, assess: {evidence: 1, safety: -1}}
      - {id: harm, label: Harm them, goto: done, assess: {rights: -2}, critical: A harm.}
      - {id: weigh, label: Weigh it, goto: done, dilemma: Both sides have a case.}
  done: {title: Done, ending: {outcome: success}}
  quick_end: {title: Quick end, ending: {outcome: failure}}
"""


def scenario(text: str) -> Scenario:
    result = load_text(textwrap.dedent(text), "points.yaml")
    assert result.scenario is not None, [d.format() for d in result.diagnostics]
    return result.scenario


def test_explore_reports_criticals_and_decisions_per_ending() -> None:
    found = explore(scenario(POINTS))
    assert found.ending_criticals == {
        "done": {"min": 0, "max": 1},
        "quick_end": {"min": 0, "max": 0},
    }
    assert found.ending_decisions == {
        "done": {"min": 3, "max": 3},
        "quick_end": {"min": 1, "max": 1},
    }


def test_the_demo_success_can_follow_a_critical_error(demo: Scenario) -> None:
    found = explore(demo)
    # questioning on the quay, then naming her to the journalist, and still a success
    assert found.ending_criticals["referral_done"] == {"min": 0, "max": 2}
    assert found.ending_decisions["referral_done"]["min"] == 3


def test_labels_trade_offs_and_dilemmas_are_counted() -> None:
    figures = label_figures(scenario(POINTS))
    # 'one' gives it away (longest is best); 'two' does not; 'three' trades (and has a
    # dilemma, which is the facilitator's to score and not a scored option)
    assert (figures.decision_points, figures.give_aways) == (3, 1)
    assert figures.trade_offs == 2 and figures.dilemmas == 1


def test_findings_name_each_problem() -> None:
    s = scenario(POINTS)
    codes = {f.code: f.message for f in findings(s, explore(s))}
    assert set(codes) == {"success-after-critical", "early-ending", "duration-mismatch"}
    assert "'done' can be reached after 1 critical error:" in codes["success-after-critical"]
    assert (
        "ending 'quick_end' can be reached after 1 decision, before min_decisions (2)"
        in (codes["early-ending"])
    )
    minutes = 3 * MINUTES_PER_DECISION
    assert f"takes 3 decisions, about {minutes:.0f} minutes" in codes["duration-mismatch"]


def test_give_away_and_no_trade_off_are_warned_with_the_figure() -> None:
    text = POINTS.replace("label: Good,", "label: A good and very long option indeed,").replace(
        "assess: {evidence: 1, safety: -1}", "assess: {evidence: 1}"
    )
    text = text.replace("dilemma: Both sides have a case.", "assess: {rights: 1}")
    s = scenario(text)
    codes = {f.code: f.message for f in findings(s, explore(s))}
    assert codes["give-away-labels"].startswith("at 2 of 3 decision points (67%) the best")
    assert codes["no-trade-off"].startswith("none of the 3 decision points trades")


def test_validate_deep_adds_the_findings_at_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "points.yaml"
    path.write_text(POINTS, encoding="utf-8")
    plain = CliRunner().invoke(main, ["validate", str(path)])
    assert plain.exit_code == 0 and "0 errors, 0 warnings" in plain.output
    deep = CliRunner().invoke(main, ["validate", "--deep", "--json", str(path)])
    assert deep.exit_code == 0
    found = {(d["code"], d["line"]) for d in json.loads(deep.output)["files"][0]["diagnostics"]}
    assert found == {("duration-mismatch", 5), ("success-after-critical", 33), ("early-ending", 34)}
    capped = CliRunner().invoke(main, ["validate", "--deep", "--max-states", "2", str(path)])
    assert "the exploration stopped at 2 states" in capped.output


def test_explore_prints_and_reports_the_figures() -> None:
    text = CliRunner().invoke(main, ["explore", str(FIXTURES / "every_feature.yaml")]).output
    assert "referral_done (success): critical 0..2, decisions 3..8" in text
    assert "warning: the success ending 'referral_done' can be reached after 2 critical" in text
    data = json.loads(
        CliRunner().invoke(main, ["explore", "--json", str(FIXTURES / "every_feature.yaml")]).output
    )
    assert data["ending_criticals"]["returned"] == {"min": 1, "max": 3}
    assert data["pedagogy"]["typical_decisions"] == 3
    assert data["pedagogy"]["warnings"][0]["code"] == "success-after-critical"


def test_deep_diagnostics_explore_within_the_budget(demo: Scenario) -> None:
    found, diagnostics = deep_diagnostics(demo, 5)
    assert not found.complete and diagnostics[0].code == "explore-incomplete"


def test_the_search_tells_criticals_apart_only_as_far_as_conditions_compare_them() -> None:
    """``assets >= 4 and critical_errors == 0`` compares the count with 0, not 4: a key
    that told 0..5 criticals apart made follow-the-money's search three times larger."""
    from simtrain.engine.explore import critical_numbers

    assert critical_numbers("assets >= 4 and critical_errors == 0") == [0]
    assert critical_numbers("3 < critical_errors or money == 'frozen'") == [3]
    assert critical_numbers("critical_errors + 1 > 2 and assets >= 4") == [1, 2, 4]
