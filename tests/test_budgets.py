"""Every command stays bounded: explore stops at its budget and says why; best scores are
searched once per scenario text and marked as upper bounds when the search is cut short."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from simtrain.cli import main
from simtrain.engine import explore as explore_module
from simtrain.engine.explore import Budget, best_score_bounds, explore
from simtrain.exercise import ExerciseService
from simtrain.report import build_report, render_markdown
from simtrain.scenario.validate import load_text


def many_once_choices(count: int = 14) -> str:
    """One scene with ``count`` once-only choices: 2**count states to search."""
    choices = "\n".join(
        f"      - {{id: note_{i}, label: Note {i}, once: true, assess: {{safety: 1}}}}"
        for i in range(count)
    )
    return (
        "simtrain: 1\nid: many-notes\ntitle: Many notes\nroles: [{id: lead, name: Lead}]\n"
        f"start: desk\nscenes:\n  desk:\n    title: Desk\n    choices:\n{choices}\n"
        "      - {id: leave, label: Leave, goto: out}\n"
        "  out: {title: Out, ending: {outcome: success}}\n"
    )


@pytest.fixture
def huge(tmp_path: Path) -> Path:
    path = tmp_path / "many.yaml"
    path.write_text(many_once_choices())
    return path


def test_explore_stops_at_the_state_budget_and_says_so(huge: Path) -> None:
    scenario = load_text(huge.read_text()).scenario
    assert scenario is not None
    found = explore(scenario, budget=Budget(max_states=300))
    assert not found.complete
    assert found.states <= 300
    assert found.stopped == "the state budget ran out (300 states)"
    assert found.to_json()["stopped"] == found.stopped


def test_explore_stops_at_the_time_budget(huge: Path) -> None:
    scenario = load_text(huge.read_text()).scenario
    assert scenario is not None
    found = explore(scenario, budget=Budget(max_seconds=0.001))
    assert not found.complete
    assert found.stopped == "the time budget ran out (0.001 s)"


def test_explore_command_reports_why_it_stopped(huge: Path) -> None:
    result = CliRunner().invoke(main, ["explore", str(huge), "--max-states", "200", "--json"])
    data = json.loads(result.stdout)
    assert data["complete"] is False
    assert "state budget" in data["stopped"]
    result = CliRunner().invoke(main, ["explore", str(huge), "--max-states", "200"])
    assert "INCOMPLETE: the state budget ran out (200 states)" in result.output


def test_best_scores_of_a_cut_short_search_are_an_upper_bound(huge: Path) -> None:
    scenario = load_text(huge.read_text(), str(huge)).scenario
    assert scenario is not None
    best, exact = best_score_bounds(scenario, Budget(max_states=200))
    assert not exact
    assert best["safety"] == 14  # every positive point on offer


def test_best_scores_are_searched_once_per_scenario_text(monkeypatch, huge: Path) -> None:
    text = (Path(__file__).parent / "fixtures" / "every_feature.yaml").read_text()
    first = load_text(text, "a.yaml").scenario
    assert first is not None
    expected = best_score_bounds(first)
    monkeypatch.setattr(explore_module, "explore", lambda *a, **k: pytest.fail("searched again"))
    again = load_text(text, "b.yaml").scenario  # another copy of the same text
    assert again is not None
    assert best_score_bounds(again) == expected


def test_a_second_exercise_of_the_same_scenario_costs_no_search(
    monkeypatch, tmp_path: Path, huge: Path
) -> None:
    service = ExerciseService.open(tmp_path / "ex.db", create=True)
    monkeypatch.setattr(explore_module, "DEFAULT_BUDGET", Budget(max_states=200))
    exercise, _ = service.create(huge, ["red"], exercise_id="first")
    assert exercise.record.settings["best_scores_exact"] is False
    explore_module._BEST_BY_CONTENT.clear()  # as in a new process: only the database knows
    monkeypatch.setattr(explore_module, "explore", lambda *a, **k: pytest.fail("searched again"))
    second, _ = service.create(huge, ["blue"], exercise_id="second")
    assert second.record.settings["best_scores"] == exercise.record.settings["best_scores"]
    report = build_report(second)
    assert report["rubric"]["best_is_upper_bound"] is True
    assert "The best possible scores are upper bounds" in render_markdown(report)
    service.close()


def test_shipped_scenarios_report_exact_best_scores(tmp_path: Path) -> None:
    service = ExerciseService.open(tmp_path / "ex.db", create=True)
    fixture = Path(__file__).parent / "fixtures" / "every_feature.yaml"
    exercise, _ = service.create(fixture, ["red"])
    report = build_report(exercise)
    assert report["rubric"]["best_is_upper_bound"] is False
    assert "upper bounds" not in render_markdown(report)
    service.close()
