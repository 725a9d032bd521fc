"""The after-action report ends with the objective ratings and the improvement plan in
every format, and forks each team's path at its critical errors (issue 18)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from simtrain.exercise import Exercise, ExerciseService, Seat
from simtrain.report import build_report, render_report

from .conftest import FIXTURES


@pytest.fixture
def debriefed(tmp_path: Path) -> Exercise:
    """Red made a critical error (questioned on the quay); blue screened first. Red is
    rated and has a plan row; the exercise has ended."""
    service = ExerciseService.open(tmp_path / "w.db", create=True)
    exercise, _ = service.create(FIXTURES / "every_feature.yaml", ["red", "blue"], exercise_id="x")
    exercise.start()
    exercise.act(Seat("x", "red", "investigator", "Lee"), "question_on_quay")
    exercise.act(Seat("x", "blue", "investigator", "Kim"), "screen_individually")
    exercise.rate("red", "safety", "M", "questioned <b>before</b> separating")
    exercise.plan_add(
        "red",
        issue="Questioning before separation",
        action="=Separate, then screen",
        responsible="Border police",
        due="2027-03-31",
    )
    exercise.end()
    return exercise


def test_the_json_report_holds_ratings_plan_and_a_fork_at_the_critical_error(
    debriefed: Exercise,
) -> None:
    report = build_report(debriefed)
    red = report["teams"]["red"]
    assert red["ratings"] == [
        {
            "objective": "safety",
            "objective_name": "Safety and do-no-harm",
            "rating": "M",
            "meaning": "performed with major challenges",
            "note": "questioned <b>before</b> separating",
            "clock": red["ratings"][0]["clock"],
        }
    ]
    first = report["improvement_plan"][0]
    assert first == {
        "team": "red",
        "area": "Questioning before separation",
        "recommendation": "=Separate, then screen",
        "owner": "Border police",
        "due": "2027-03-31",
        "source": "facilitator",
    }
    assert all(r["source"] == "improvement" for r in report["improvement_plan"][1:])
    (fork,) = red["forks"]
    assert fork["at"] == 1 and fork["reason"] == "critical"
    assert len(fork["team"]["score"]["critical"]) == 1
    assert fork["expert"]["score"]["critical"] == [] and fork["expert"]["complete"]
    assert fork["difference"] > 0
    assert fork["expert"]["ending_title"] and fork["expert"]["labels"]
    # without a critical error, the fork is at the lowest-scoring decision
    (blue,) = report["teams"]["blue"]["forks"]
    assert blue["reason"] == "lowest" and blue["at"] == 1


def test_markdown_and_html_end_with_ratings_and_the_plan(debriefed: Exercise) -> None:
    text = render_report(debriefed, "md")
    assert text.index("## Objective ratings") < text.index("## Improvement plan")
    assert "| red | Safety and do-no-harm | **M** — performed with major challenges |" in text
    assert "questioned \\<b\\>before\\</b\\> separating" in text  # typed text stays text
    assert (
        "| red | Questioning before separation | =Separate, then screen | Border police "
        "| 2027-03-31 |" in text
    )
    fork = text[text.index("### Fork here") :]
    assert "At decision 1, “" in fork and "(a critical error)" in fork
    assert "Difference: +" in fork
    page = render_report(debriefed, "html")
    assert '<section class="ratings" id="ratings"><h2>Objective ratings</h2>' in page
    assert "questioned &lt;b&gt;before&lt;/b&gt; separating" in page
    assert "<td>Questioning before separation</td>" in page and "2027-03-31" in page
    assert "<h3>Fork here</h3>" in page and "The expert path" in page


def test_the_csv_ends_with_a_ratings_table_and_the_plan(debriefed: Exercise) -> None:
    sections = render_report(debriefed, "csv").split("\n\n")
    assert len(sections) == 3
    ratings = list(csv.DictReader(io.StringIO(sections[1])))
    assert [(r["team"], r["objective"], r["rating"]) for r in ratings] == [("red", "safety", "M")]
    plan = list(csv.DictReader(io.StringIO(sections[2])))
    assert plan[0]["issue"] == "Questioning before separation"
    assert plan[0]["action"] == "'=Separate, then screen"  # never run as a formula
    assert (plan[0]["responsible"], plan[0]["due"], plan[0]["source"]) == (
        "Border police",
        "2027-03-31",
        "facilitator",
    )


def test_a_team_reads_ratings_plan_and_forks_only_after_the_release(debriefed: Exercise) -> None:
    before = json.loads(render_report(debriefed, "json", "red"))
    assert "ratings" not in before["teams"]["red"] and "forks" not in before["teams"]["red"]
    assert "improvement_plan" not in before
    assert "\n\n" not in render_report(debriefed, "csv", "red").strip()
    debriefed.release_debrief()
    after = json.loads(render_report(debriefed, "json", "red"))
    assert after["teams"]["red"]["ratings"][0]["rating"] == "M"
    assert after["teams"]["red"]["forks"][0]["reason"] == "critical"
    assert {r["team"] for r in after["improvement_plan"]} == {"red"}
