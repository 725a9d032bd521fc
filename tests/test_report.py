"""After-action reports and timelines, on an exercise recorded through the service."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from simtrain.cli import main
from simtrain.engine.explore import best_scores
from simtrain.engine.saved import state_key
from simtrain.exercise import ROLEPLAYER, Exercise, ExerciseError, ExerciseService
from simtrain.plaintext import scrub
from simtrain.report import build_report, render_report, timeline
from simtrain.report.webpage import LIST_ENDS, render_html
from simtrain.store import Store, StoredEvent

from .conftest import FIXTURES, character_scenario

SCENARIO = FIXTURES / "every_feature.yaml"
T0 = 1_700_000_000.0

# Text only the facilitator may read: none of it may reach a team's version.
RED_NOTE = "PRIVATE-RED Sam looked shaken after the quay; check in."
BLUE_NOTE = "PRIVATE-BLUE Lee rushed every decision."
MOVE_REASON = "MOVE-REASON restart the screening with a vetted interpreter"
SKIP_REASON = "SKIP-REASON blue is behind; keep the press call for the second run"
SCRIPT = '<script>alert("x")</script> irregular entry, so we return her'
FORMULA = "=1+1 she must be moved"


class FakeTime:
    """``time`` with a wall clock the test moves; everything else is the real module."""

    def __init__(self) -> None:
        self.now = T0

    def time(self) -> float:
        """The fake wall clock."""
        return self.now

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@dataclass
class Recorded:
    """A finished exercise and where it lives."""

    db: Path
    exercise: Exercise


def record(db: Path) -> Exercise:
    """Play a two-team exercise that touches every part of the report, at fixed times."""
    fake = FakeTime()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("simtrain.exercise.clock.time", fake)
        mp.setattr("simtrain.store.eventstore.time", fake)

        def at(minutes: float) -> None:
            fake.now = T0 + minutes * 60

        service = ExerciseService.open(db, create=True)
        exercise, codes = service.create(SCENARIO, ["red", "blue"], exercise_id="aar-1")
        exercise.start()
        at(0.5)
        amira = exercise.join("red", codes["red"], "investigator", "Amira")
        sam = exercise.join("red", codes["red"], "social_worker", "Sam")
        lee = exercise.join("blue", codes["blue"], "investigator", "Lee")
        kim = exercise.join("blue", codes["blue"], "social_worker", "Kim")
        at(1)
        exercise.act(amira, "note_indicators", "The man answers for everyone; write it down.")
        at(1.5)
        exercise.act(lee, "question_on_quay", "Quickest way to get her story.")
        at(2)
        exercise.act(sam, "screen_individually", "Separate them before any question.")
        at(3)
        exercise.act(sam, "replace_interpreter", "He knows the man; we need a vetted one.")
        exercise.act(kim, "separate_now", FORMULA)
        at(4)
        exercise.act(sam, "offer_rest")
        exercise.move("blue", "screening", MOVE_REASON)
        at(4.5)
        exercise.publish("birth_certificate", "red")
        at(5)
        exercise.skip("journalist_call", "blue", SKIP_REASON)
        at(6)
        exercise.act(lee, "send_back", SCRIPT)
        at(9)
        exercise.act(amira, "refer_to_press_office", "Nothing about her identity leaves this room.")
        at(9.5)
        exercise.step_out(sam)
        at(10)
        exercise.step_back(sam)
        at(10.5)
        exercise.act(sam, "refer_nrm", "Reasonable grounds are enough.")
        at(11)
        exercise.adjust("red", "safety", 1, "Calm, clear separation plan.")
        exercise.adjust("blue", "trust", -1, "Promised a permit in exchange for a statement.")
        at(11.5)
        exercise.observe(
            "red", "strength", "Investigator and social worker split the work well.", "cooperation"
        )
        exercise.observe(
            "red", "improvement", "Explain the limits of confidentiality first.", "trust"
        )
        exercise.observe("red", "note", RED_NOTE)
        exercise.observe("blue", "strength", "Kim kept calm under pressure.")
        exercise.observe("blue", "note", BLUE_NOTE)
        at(12)
        exercise.message("red", "The press office is on 555-0100.", subject="Press office")
        at(13)
        exercise.end()
        exercise.release_debrief()  # a team's version holds its scores from now on
        return exercise


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    db = tmp_path_factory.mktemp("report") / "course.db"
    exercise = record(db)
    yield Recorded(db, exercise)
    exercise.store.close()


@pytest.fixture(scope="module")
def full(recorded: Recorded) -> dict[str, Any]:
    """The facilitator's report as parsed JSON."""
    return json.loads(render_report(recorded.exercise, "json", None))


@pytest.fixture(scope="module")
def blue(recorded: Recorded) -> dict[str, Any]:
    """Team blue's version as parsed JSON."""
    return json.loads(render_report(recorded.exercise, "json", "blue"))


def test_the_report_reads_each_teams_log_once(
    recorded: Recorded, full: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report, its forks, ratings and plan share one read of each team's log (at 100
    teams of 2,000 events each further read cost seconds), and say the same."""
    with ExerciseService.open(recorded.db) as service:
        exercise = service.exercise(recorded.exercise.id)
        reads: list[str | None] = []
        read = service.store.read

        def counting(exercise_id: str, stream: str | None = None, **kwargs: Any) -> Any:
            reads.append(stream)
            return read(exercise_id, stream, **kwargs)

        monkeypatch.setattr(service.store, "read", counting)
        document = build_report(exercise)
    team_reads = [s for s in reads if s is not None and s.startswith("team:")]
    assert sorted(team_reads) == ["team:blue", "team:red"]
    assert document["teams"] == full["teams"]


def test_the_forks_of_one_report_stop_when_its_time_for_forks_is_spent(
    recorded: Recorded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FORK_SECONDS bounds the whole report (each fork used to get at least half a
    second, so 300 forks of 100 teams took minutes): past it a fork says it was not
    searched and how to search it, in every format."""
    from simtrain.report import document

    monkeypatch.setattr(document, "FORK_SECONDS", 0.0)
    report = build_report(recorded.exercise)
    forks = [f for t in report["teams"].values() for f in t["forks"]]
    assert forks and all("not searched" in f["error"] for f in forks)
    assert all(f"--at {f['at']}" in f["error"] for f in forks)
    assert "not searched" in render_report(recorded.exercise, "md", None)


# -- JSON: the document every format is rendered from -----------------------------------------


def test_json_top_level_and_exercise(full: dict[str, Any], recorded: Recorded) -> None:
    assert list(full) == [
        "report",
        "audience",
        "team",
        "exercise",
        "scenario",
        "rubric",
        "teams",
        "comparison",
        "improvement_plan",
        "assessment_released",
    ]
    assert full["report"] == 1 and full["audience"] == "facilitator" and full["team"] is None
    assert full["exercise"] | {"created": None} == {
        "id": "aar-1",
        "title": "Night arrival at the quay (feature demo)",
        "created": None,
        "state": "ended",
        "clock": 13.0,
        "debrief_released": True,
        "teams": ["red", "blue"],
    }
    assert full["scenario"]["id"] == "quay-demo"
    best = best_scores(recorded.exercise.scenario)
    assert {c["id"]: c["best"] for c in full["rubric"]["competencies"]} == best
    assert list(full["teams"]) == ["red", "blue"]


def test_json_scores_are_points_best_and_percent(full: dict[str, Any], recorded: Recorded) -> None:
    best = best_scores(recorded.exercise.scenario)
    red = full["teams"]["red"]["score"]["competencies"]
    expected_red = {
        "safety": 3,
        "trust": 1,
        "choice": 1,
        "identification": 1,
        "evidence": 0,
        "cooperation": 2,
        "rights": 3,
        "sensitivity": 2,
    }
    assert {c: v["points"] for c, v in red.items()} == expected_red
    # measured against what red could have earned on the path it played (each decision's
    # best option on offer), not the whole scenario's maximum
    assert red["safety"] | {"name": ""} == {
        "name": "",
        "points": 3,
        "decisions": 2,
        "adjustments": 1,
        "conversation": 0,
        "best": best["safety"],
        "path_best": 4,
        "percent": 75,
        "note": "",
    }
    for competency, score in red.items():
        assert score["best"] == best[competency]
        assert score["decisions"] <= score["path_best"]
        if score["path_best"] > 0:
            assert score["percent"] == round(100 * score["points"] / score["path_best"])
        else:
            assert score["percent"] is None
    total = full["teams"]["red"]["score"]["total"]
    assert total["points"] == sum(expected_red.values()) and total["best"] == sum(best.values())
    assert total["path_best"] == sum(v["path_best"] for v in red.values())
    blue = full["teams"]["blue"]["score"]["competencies"]
    assert {c: v["points"] for c, v in blue.items() if v["points"]} == {
        "safety": -1,
        "trust": -1,
        "evidence": -1,
        "rights": -2,
        "sensitivity": -1,
    }
    # below zero is never a negative percentage without a word of why
    for score in blue.values():
        assert score["percent"] is None or score["percent"] >= 0
        if score["points"] < 0:
            assert score["note"].startswith("below zero: the team's decisions")


def test_json_outcome_path_and_critical_errors(full: dict[str, Any]) -> None:
    red, blue = full["teams"]["red"], full["teams"]["blue"]
    assert (red["outcome"], red["ended"], red["finished_at"]) == ("success", True, 10.5)
    assert red["scene"] == {"id": "referral_done", "title": "Referral completed"}
    assert red["ending_debrief"] == "The team separated, stabilised and referred."
    assert [p["name"] for p in red["participants"]] == ["Amira", "Sam"]
    assert [(d["n"], d["clock"], d["choice"], d["actor"]) for d in red["decisions"]] == [
        (1, 1.0, "note_indicators", "Amira"),
        (2, 2.0, "screen_individually", "Sam"),
        (3, 3.0, "replace_interpreter", "Sam"),
        (4, 4.0, "offer_rest", "Sam"),
        (5, 9.0, "refer_to_press_office", "Amira"),
        (6, 10.5, "refer_nrm", "Sam"),
    ]
    second = red["decisions"][1]
    assert second["rationale"] == "Separate them before any question."
    assert second["assessment"] == {"safety": 2, "trust": 1}
    assert second["feedback"].startswith("Separating people")
    assert second["role_name"] == "Reception social worker" and second["critical"] is None
    assert red["decisions"][2]["inject"] == "interpreter_alert"
    assert red["critical"] == []

    assert blue["outcome"] == "failure"
    assert [(c["clock"], c["choice"], c["decision"], c["actor"]) for c in blue["critical"]] == [
        (1.5, "question_on_quay", 1, "Lee"),
        (6.0, "send_back", 3, "Lee"),
    ]
    assert blue["critical"][0]["message"].startswith("Questioning a possible victim")
    assert blue["critical"][1]["rationale"] == SCRIPT
    assert blue["scene_changes"] == [
        {
            "clock": 4.0,
            "cause": "facilitator",
            "scene": "screening",
            "scene_title": "Individual screening",
            "reason": MOVE_REASON,
        }
    ]


def test_json_injects_with_delivery_response_and_expected(full: dict[str, Any]) -> None:
    red = {i["inject"]: i for i in full["teams"]["red"]["injects"]}
    call = red["journalist_call"]
    assert (call["status"], call["delivered_at"], call["manual"]) == ("delivered", 8.0, False)
    assert call["response"]["choice"] == "refer_to_press_office"
    assert call["response"]["actor"] == "Amira" and call["response_minutes"] == 1.0
    assert call["expected"].startswith("Refer to the press officer")
    assert (call["objective"], call["trigger"]) == ("rights", "at 8m")
    assert red["interpreter_alert"]["delivered_at"] == 2.0
    assert red["interpreter_alert"]["response_minutes"] == 1.0
    birth = red["birth_certificate"]
    assert (birth["manual"], birth["asks_response"], birth["response"]) == (True, False, None)
    assert red["transfer_order"]["status"] == "not_delivered"
    blue = {i["inject"]: i for i in full["teams"]["blue"]["injects"]}
    assert blue["journalist_call"]["status"] == "skipped"
    assert blue["journalist_call"]["skipped_at"] == 5.0
    assert blue["journalist_call"]["skip_reason"] == SKIP_REASON
    assert blue["interpreter_alert"]["response"] is None


def test_json_facilitator_record_and_step_outs(full: dict[str, Any]) -> None:
    red, blue = full["teams"]["red"], full["teams"]["blue"]
    assert red["adjustments"] == [
        {
            "competency": "safety",
            "competency_name": "Safety and do-no-harm",
            "points": 1,
            "note": "Calm, clear separation plan.",
            "clock": 11.0,
        }
    ]
    assert [o["kind"] for o in red["observations"]] == ["strength", "improvement", "note"]
    assert red["observations"][2]["text"] == RED_NOTE
    assert red["messages"][0]["subject"] == "Press office"
    assert (red["step_outs"], blue["step_outs"]) == (1, 0)
    text = json.dumps(full)
    assert "step_out" not in text.replace("step_outs", "")  # no who or when, only a count


def test_json_comparison_strengths_and_plan(full: dict[str, Any]) -> None:
    rows = {r["team"]: r for r in full["comparison"]}
    assert (rows["red"]["decisions"], rows["red"]["critical"]) == (6, 0)
    assert (rows["blue"]["decisions"], rows["blue"]["critical"]) == (3, 2)
    assert rows["red"]["competencies"]["safety"]["points"] == 3
    red = full["teams"]["red"]
    assert red["strengths"][0] == {
        "text": "Investigator and social worker split the work well.",
        "competency": "cooperation",
        "source": "facilitator",
    }
    assert red["improvements"][0]["source"] == "facilitator"
    # well-scored decisions are strengths too, not only the facilitator's observations
    earned = [s for s in red["strengths"] if s["source"] == "decision"]
    assert earned and all("the best on offer then" in s["text"] for s in earned)
    assert any("“Screen each arrival individually" in s["text"] for s in earned)
    blue_areas = [i for i in full["teams"]["blue"]["improvements"] if i["source"] == "critical"]
    assert len(blue_areas) == 2 and "01:30" in blue_areas[0]["text"]
    plan = full["improvement_plan"]
    assert {p["team"] for p in plan} == {"red", "blue"}
    assert all(p["recommendation"] == p["owner"] == p["due"] == "" for p in plan)
    assert len(plan) == len(red["improvements"]) + len(full["teams"]["blue"]["improvements"])


# -- a team's version ------------------------------------------------------------------------


def test_team_version_json_holds_one_team_and_no_facilitator_only_field(
    blue: dict[str, Any],
) -> None:
    assert blue["audience"] == "team" and blue["team"] == "blue"
    assert "comparison" not in blue
    assert blue["exercise"]["teams"] == ["blue"] and list(blue["teams"]) == ["blue"]
    team = blue["teams"]["blue"]
    assert "step_outs" not in team
    assert [o["kind"] for o in team["observations"]] == ["strength"]
    assert all("reason" not in change for change in team["scene_changes"])
    assert [i["inject"] for i in team["injects"]] == ["interpreter_alert"]  # only what arrived
    for inject in team["injects"]:
        assert not {"objective", "objective_name", "trigger", "skipped_at", "skip_reason"} & set(
            inject
        )
    assert {p["team"] for p in blue["improvement_plan"]} == {"blue"}
    # what the team is given in its debrief stays: feedback, assessment, adjustments
    assert team["decisions"][0]["feedback"] and team["decisions"][0]["assessment"]
    assert team["adjustments"][0]["note"].startswith("Promised a permit")


@pytest.mark.parametrize("fmt", ["md", "html", "json", "csv"])
def test_team_version_leaks_nothing_in_any_format(recorded: Recorded, fmt: str) -> None:
    full = render_report(recorded.exercise, fmt, None)
    team = render_report(recorded.exercise, fmt, "blue")
    private = ["Amira", "Sam", BLUE_NOTE, RED_NOTE, MOVE_REASON, SKIP_REASON]
    if fmt != "csv":  # the CSV holds decisions only: none of these were ever in it
        for text in private:
            assert text in full or text.replace('"', "&quot;") in full, text
    for text in private:
        assert text not in team, text
    assert "Lee" in team
    if fmt in ("md", "html"):
        assert "Comparison of teams" in full and "Comparison of teams" not in team
        assert "Step-outs" in full and "Step-outs" not in team
        assert "Team red" not in team


# -- Markdown --------------------------------------------------------------------------------


def test_markdown_sections_in_order_with_numbers(recorded: Recorded, full: dict[str, Any]) -> None:
    text = render_report(recorded.exercise, "md", None)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[0] == "# After-action report: Night arrival at the quay (feature demo)"
    assert headings[1:10] == [
        "## Team red",
        "### Score",
        "### Critical errors",
        "### Fork here",
        "### Path",
        "### Injects",
        "### Facilitator's adjustments, observations and notes",
        "## Team blue",
        "### Score",
    ]
    assert headings[-6:] == [
        "## Comparison of teams",
        "## Strengths and areas for improvement",
        "### Team red",
        "### Team blue",
        "## Objective ratings",
        "## Improvement plan",
    ]
    safety = full["teams"]["red"]["score"]["competencies"]["safety"]
    assert (
        f"| Safety and do-no-harm | 3 | {safety['path_best']} | {safety['percent']}% | "
        f"{safety['best']} | +1 |"
    ) in text
    assert "Percentages are of what the team could have earned on the path it played" in text
    assert "Safety and do-no-harm: below zero: the team's decisions" in text  # blue's
    blue = text[text.index("## Team blue") :]
    assert blue.index("### Critical errors") < blue.index("### Path")
    assert "1. **01:30** — Questioning a possible victim" in blue
    assert "chosen by Lee (Border police investigator)" in blue
    assert "**Step-outs:** 1" in text and "**Step-outs:** 0" in text
    assert (
        "| Team | Issue / area for improvement | Corrective action | "
        "Responsible (agency or role) | Due date |"
    ) in text
    assert "\\<script\\>" in text and "<script>" not in text  # typed text is escaped


def test_markdown_path_interleaves_scene_changes(recorded: Recorded) -> None:
    text = render_report(recorded.exercise, "md", None)
    blue = text[text.index("## Team blue") : text.index("## Comparison")]
    path = blue[blue.index("### Path") : blue.index("### Injects")]
    lines = [line for line in path.splitlines() if line.startswith("- **")]
    assert [line[4:9] for line in lines] == ["01:30", "03:00", "04:00", "06:00"]
    assert "the facilitator moved the team" in lines[2] and MOVE_REASON in lines[2]


def test_competencies_the_scenario_cannot_score_are_named_once(recorded: Recorded) -> None:
    red = render_report(recorded.exercise, "md", "red")
    assert "| Evidence and financial investigation |" not in red
    assert "Not assessed in this scenario: Evidence and financial investigation." in red
    # blue lost a point on it, so the facilitator's report keeps its row for every team
    full = render_report(recorded.exercise, "md", None)
    assert full.count("| Evidence and financial investigation | 0 | 0 | — | 0 |  |") == 1
    assert "| Evidence and financial investigation | -1 | 0 | — (see below) | 0 |  |" in full


# -- HTML ------------------------------------------------------------------------------------


class _TagChecker(HTMLParser):
    """Checks that every opened element is closed in order (void elements excepted)."""

    VOID = frozenset({"meta", "br", "hr", "img", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        return None

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def test_html_is_one_self_contained_well_formed_page(recorded: Recorded) -> None:
    page = render_report(recorded.exercise, "html", None)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    checker = _TagChecker()
    checker.feed(page)
    assert checker.errors == [] and checker.stack == []
    for external in ("<link", "src=", "@import", "url(", "https://"):
        assert external not in page
    assert page.count("http://") == page.count('xmlns="http://www.w3.org/2000/svg"')
    assert "@media print" in page
    assert page.count("<svg") == 3  # one chart per team, one comparing them
    assert "&lt;script&gt;" in page and "<script" not in page
    assert 'id="team-red"' in page and 'href="#team-blue"' in page
    assert "Questioning a possible victim" in page
    assert page.count("contenteditable") >= 5 * 3  # the blank plan rows to fill in


def test_html_team_version_has_one_chart(recorded: Recorded) -> None:
    page = render_report(recorded.exercise, "html", "red")
    assert page.count("<svg") == 1 and "Version for team red" in page
    assert "Team blue" not in page and "Kim" not in page


# -- CSV -------------------------------------------------------------------------------------


def test_csv_has_one_row_per_decision(recorded: Recorded, full: dict[str, Any]) -> None:
    decisions = render_report(recorded.exercise, "csv", None).split("\n\n")[0]
    rows = list(csv.DictReader(io.StringIO(decisions)))
    assert len(rows) == 6 + 3
    assert [(r["team"], r["n"], r["choice"]) for r in rows[:2]] == [
        ("red", "1", "note_indicators"),
        ("red", "2", "screen_individually"),
    ]
    second = rows[1]
    assert (second["clock"], second["time"], second["actor"]) == ("2.0", "02:00", "Sam")
    assert (
        second["assess_safety"],
        second["assess_trust"],
        second["points"],
        second["assess_rights"],
    ) == (
        "2",
        "1",
        "3",
        "0",
    )
    competencies = [c["id"] for c in full["rubric"]["competencies"]]
    assert list(rows[0])[-len(competencies) :] == [f"assess_{c}" for c in competencies]
    kim = next(r for r in rows if r["actor"] == "Kim")
    assert kim["rationale"] == "'" + FORMULA  # not run as a formula by a spreadsheet
    send_back = next(r for r in rows if r["choice"] == "send_back")
    assert send_back["critical"] == "Sending a presumed victim back."


def test_csv_team_version_holds_only_that_team(recorded: Recorded) -> None:
    decisions = render_report(recorded.exercise, "csv", "red").split("\n\n")[0]
    rows = list(csv.DictReader(io.StringIO(decisions)))
    assert {r["team"] for r in rows} == {"red"} and len(rows) == 6


# -- timeline --------------------------------------------------------------------------------


def test_timeline_lists_team_events_for_a_person(recorded: Recorded) -> None:
    entries = timeline(recorded.exercise, "red")
    kinds = [e["kind"] for e in entries]
    assert "step_out" not in kinds and "step_back" not in kinds
    assert kinds[:3] == ["joined", "joined", "chose"]
    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(seqs)
    first = entries[0]
    assert first["text"] == "Amira joined as Border police investigator"
    decisions = [e for e in entries if e["kind"] == "chose"]
    assert len(decisions) == 6 and all(d["applied"] for d in decisions)
    screen = decisions[1]
    assert (screen["who"], screen["role"], screen["clock"]) == ("Sam", "social_worker", 2.0)
    assert screen["label"].startswith("Screen each arrival")
    assert screen["rationale"] == "Separate them before any question."
    assert screen["assessment"] == {"safety": 2, "trust": 1} and screen["critical"] is None
    assert screen["feedback"].startswith("Separating people")
    assert "the team moved to “Individual screening”" in screen["text"]
    assert "reached the ending “Referral completed” (success)" in decisions[-1]["text"]
    delivered = [e for e in entries if e["kind"] == "inject_delivered"]
    assert [e["clock"] for e in delivered] == [2.0, 4.5, 8.0]
    assert "published by the facilitator" in delivered[1]["text"]
    assert any(e["text"].endswith(RED_NOTE) for e in entries)
    # each entry's seq rebuilds the state right after it
    state = recorded.exercise.replay("red", screen["seq"])
    assert state.scene == "screening" and len(state.path) == 2


def test_timeline_for_a_team_leaves_out_private_entries(recorded: Recorded) -> None:
    entries = timeline(recorded.exercise, "blue", for_team=True)
    texts = " ".join(e["text"] for e in entries)
    assert BLUE_NOTE not in texts and MOVE_REASON not in texts and SKIP_REASON not in texts
    assert "inject_skipped" not in {e["kind"] for e in entries}
    critical = [e for e in entries if e.get("critical")]
    assert [e["choice"] for e in critical] == ["question_on_quay", "send_back"]
    facilitator = timeline(recorded.exercise, "blue")
    assert any(MOVE_REASON in e["text"] for e in facilitator)
    assert any(SKIP_REASON in e["text"] for e in facilitator)


# -- refusals, read-only, edge cases, the command ---------------------------------------------


def test_bad_team_and_format_are_refused_with_a_sentence(recorded: Recorded) -> None:
    with pytest.raises(ExerciseError, match=r"no team 'blu' \(did you mean 'blue'\?\)"):
        render_report(recorded.exercise, "md", "blu")
    with pytest.raises(ExerciseError, match="not a report format"):
        render_report(recorded.exercise, "pdf", None)
    with pytest.raises(ExerciseError, match="no team 'green'"):
        timeline(recorded.exercise, "green")


def test_reports_never_write_to_the_log(recorded: Recorded) -> None:
    before = recorded.exercise.last_id()
    for fmt in ("md", "html", "json", "csv"):
        render_report(recorded.exercise, fmt, None)
    timeline(recorded.exercise, "red")
    assert recorded.exercise.last_id() == before


def test_an_exercise_nobody_played_still_reports(tmp_path: Path) -> None:
    service = ExerciseService.open(tmp_path / "empty.db", create=True)
    exercise, _ = service.create(SCENARIO, ["solo"])
    report = build_report(exercise)
    solo = report["teams"]["solo"]
    assert (solo["outcome"], solo["ended"], solo["decisions"], solo["critical"]) == (
        None,
        False,
        [],
        [],
    )
    assert solo["score"]["total"]["points"] == 0
    for fmt in ("md", "html", "json", "csv"):
        assert render_report(exercise, fmt, None)
    assert "No decisions were made." in render_report(exercise, "md", None)
    service.close()


def test_a_long_record_shows_its_ends_on_the_page_and_all_of_it_in_md_and_json(
    tmp_path: Path,
) -> None:
    service = ExerciseService.open(tmp_path / "long.db", create=True)
    exercise, _ = service.create(SCENARIO, ["solo"])
    exercise.start()
    for i in range(1, 206):
        exercise.message("solo", f"message {i:03d}!")
    for i in range(1, 202):
        exercise.adjust("solo", "safety", 1, f"adjustment {i:03d}!")
    page = render_report(exercise, "html", None)
    shown = [i for i in range(1, 206) if f"message {i:03d}!" in page]
    assert shown == [*range(1, 101), *range(106, 206)]
    assert "Messages 101–105 of 205 are left out of this page" in page
    adjusted = [i for i in range(1, 202) if f"adjustment {i:03d}!" in page]
    assert adjusted == [*range(1, 101), *range(102, 202)]
    assert "Adjustment 101 of 201 is left out of this page" in page
    checker = _TagChecker()
    checker.feed(page)
    assert checker.errors == [] and checker.stack == []
    markdown = render_report(exercise, "md", None)
    assert all(f"message {i:03d}!" in markdown for i in range(1, 206))
    assert "left out" not in markdown
    solo = json.loads(render_report(exercise, "json", None))["teams"]["solo"]
    assert (len(solo["messages"]), len(solo["adjustments"])) == (205, 201)
    service.close()


def _page_of_the_whole_log(exercise: Exercise, team: str | None) -> str:
    """The HTML page rendered from the full document (every event of every team read)."""
    return render_html(scrub(build_report(exercise, team)))


@pytest.mark.parametrize("team", [None, "red", "blue"])
def test_the_page_built_from_saved_states_is_the_page_of_the_whole_log(
    recorded: Recorded, team: str | None
) -> None:
    assert render_report(recorded.exercise, "html", team) == _page_of_the_whole_log(
        recorded.exercise, team
    )


class _CountingStore:
    """A store that counts the events it hands out (every other call passes through)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.events = 0

    def _counted(self, events: list[StoredEvent]) -> list[StoredEvent]:
        self.events += len(events)
        return events

    def read(self, *args: Any, **kwargs: Any) -> list[StoredEvent]:
        return self._counted(self.store.read(*args, **kwargs))

    def read_kinds(self, *args: Any, **kwargs: Any) -> list[StoredEvent]:
        return self._counted(self.store.read_kinds(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@pytest.mark.parametrize("released", [True, False])
def test_a_long_log_is_paged_from_its_saved_state_and_the_ends_of_its_lists(
    tmp_path: Path, released: bool
) -> None:
    """The page of a long log reads the team's saved state and the ends of its long lists,
    not every event, and shows exactly what the page of the whole log shows."""
    service = ExerciseService.open(tmp_path / "long.db", create=True)
    made = service.create_exercise(character_scenario(tmp_path), ["red", "blue"])
    exercise = made.exercise
    exercise.start()
    # no decision, so no fork (a fork replays every folded event of its team)
    exercise.move("red", "screening", "Straight to the screening room")
    worker = exercise.headless_seat("red", made.teams["red"], "social_worker", "Asha")
    exercise.speak_as("red", "dara", "Who are you?", by=ROLEPLAYER)
    exercise.say(worker, "A social worker. You are safe here.")
    exercise.mark("red", 2, "trust", 1, "calm", character="dara")
    for i in range(1, 206):
        exercise.message("red", f"message {i:03d}!")
        exercise.adjust("red", "trust", 1, f"adjustment {i:03d}!")
    exercise.observe("red", "strength", "Kept calm.", "trust")
    exercise.rate("red", "trust", "S", "steady")
    exercise.plan_add(
        "red", issue="Interpreters", action="Vet them", responsible="investigator", due="2027-01-31"
    )
    exercise.status()  # saves each team's state, as a console or seat does
    for i in range(206, 210):  # the tail, folded on from the saved state
        exercise.message("red", f"message {i:03d}!")
    exercise.adjust("red", "trust", -1, "adjustment 206!")
    exercise.end()
    if released:
        exercise.release_debrief()
    whole = _page_of_the_whole_log(exercise, None)
    team_whole = _page_of_the_whole_log(exercise, "red")
    fresh = ExerciseService.open(tmp_path / "long.db").exercise(exercise.id)
    counting = _CountingStore(fresh.store)
    fresh.store = counting  # type: ignore[assignment]
    page = render_report(fresh, "html", None)
    assert page == whole
    assert "Messages 101–109 of 209 are left out of this page" in page
    assert "Adjustments 101–106 of 206 are left out of this page" in page
    assert "Who are you?" in page and "Vet them" in page and "Kept calm." in page
    # the events after the saved state, the ends of the messages, the other kinds the
    # sections show (the whole log is over 420 events)
    assert counting.events < 2 * LIST_ENDS + 30 < len(exercise.events("red"))
    assert render_report(fresh, "html", "red") == team_whole
    service.close()


def test_a_control_sequence_in_a_saved_state_never_reaches_the_page(tmp_path: Path) -> None:
    """Saved states are read back as the store has them: a hand-edited one holding a
    control sequence is cleaned before the page is written."""
    service = ExerciseService.open(tmp_path / "edited.db", create=True)
    exercise, _ = service.create(SCENARIO, ["solo"])
    exercise.start()
    exercise.adjust("solo", "safety", 1, "calm plan")
    for i in range(100):
        exercise.message("solo", f"message {i}")
    exercise.status()  # saves the team's state
    key = state_key(exercise.record.scenario_sha256)
    ((seq, text),) = service.store.saved_states(exercise.id, key).values()
    data = json.loads(text)
    data["state"]["adjustments"][0][2] = "calm\x1b[2J\x1b]52;c;ZXZpbA==\x07 plan"
    service.store.save_states(exercise.id, key, [("team:solo", seq, json.dumps(data))])
    fresh = ExerciseService.open(tmp_path / "edited.db").exercise(exercise.id)
    page = render_report(fresh, "html", None)
    assert "calm plan" in page
    assert not any(c in page for c in "\x1b\x07\x9b")
    service.close()


def test_report_command_writes_each_format(recorded: Recorded, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "blue.html"
    args = ["report", "--db", str(recorded.db), "--exercise", "aar-1", "--format", "html"]
    result = runner.invoke(main, [*args, "--team", "blue", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Version for team blue" in out.read_text(encoding="utf-8")
    result = runner.invoke(main, [*args[:-1], "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["exercise"]["id"] == "aar-1"
    result = runner.invoke(main, [*args, "--team", "green"])
    assert result.exit_code == 1 and "no team 'green'" in result.output


def test_report_imports_no_textual() -> None:
    code = "import sys, simtrain.report; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
