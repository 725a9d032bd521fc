"""Phases, holds, HSEEP ratings and the improvement plan: the scenario format, the
service's commands and refusals, and the command line (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simtrain.cli import main
from simtrain.engine.events import PlanItemAdded, Rated, TeamHeld, decode, encode
from simtrain.exercise import Exercise, ExerciseError, ExerciseService, Seat
from simtrain.scenario.validate import load_text

from .conftest import FIXTURES


def phased_text(phases: list[dict[str, object]] | None = None) -> str:
    """The every-feature demo with two phases: the arrival (the quay and the escalation)
    and the screening."""
    data = yaml.safe_load((FIXTURES / "every_feature.yaml").read_text(encoding="utf-8"))
    data["phases"] = phases or [
        {
            "id": "arrival",
            "title": "The arrival",
            "scenes": ["quay", "escalation"],
            "questions": ["Who was separated, and before or after the first question?"],
        },
        {"id": "screening", "title": "The screening", "scenes": ["screening"]},
    ]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@pytest.fixture
def phased(tmp_path: Path) -> Path:
    path = tmp_path / "phased.yaml"
    path.write_text(phased_text(), encoding="utf-8")
    return path


@pytest.fixture
def live(tmp_path: Path, phased: Path) -> tuple[Exercise, dict[str, str], Path]:
    db = tmp_path / "w.db"
    service = ExerciseService.open(db, create=True)
    exercise, codes = service.create(phased, ["red", "blue"], exercise_id="walk")
    exercise.start()
    return exercise, codes, db


def _seat(team: str, role: str = "investigator") -> Seat:
    return Seat("walk", team, role, "Asha")


# -- the scenario format ------------------------------------------------------------------------


def test_phases_compile_with_each_scenes_phase() -> None:
    scenario = load_text(phased_text()).scenario
    assert scenario is not None
    assert list(scenario.phases) == ["arrival", "screening"]
    phase = scenario.phase_of("escalation")
    assert phase is not None and phase.title == "The arrival"
    assert scenario.phase_of("referral_done") is None


def test_a_phase_naming_an_unknown_scene_is_refused_with_a_hint() -> None:
    result = load_text(phased_text([{"id": "a", "title": "A", "scenes": ["screning"]}]))
    messages = [d.message for d in result.errors]
    assert any(
        "'screning' is not a scene" in m and "did you mean 'screening'" in m for m in messages
    )


def test_a_scene_in_two_phases_is_refused() -> None:
    result = load_text(
        phased_text(
            [
                {"id": "a", "title": "A", "scenes": ["quay"]},
                {"id": "b", "title": "B", "scenes": ["screening", "quay"]},
            ]
        )
    )
    errors = [d for d in result.errors if d.code == "scene-in-two-phases"]
    assert len(errors) == 1
    assert "scene 'quay' is already in phase 'a'" in errors[0].message
    assert errors[0].line > 0


def test_duplicate_phase_ids_are_refused() -> None:
    result = load_text(
        phased_text(
            [
                {"id": "a", "title": "A", "scenes": ["quay"]},
                {"id": "a", "title": "B", "scenes": ["screening"]},
            ]
        )
    )
    assert any("duplicate phase id 'a'" in d.message for d in result.errors)


@pytest.mark.parametrize("name", ["port-arrivals", "morning-after", "follow-the-money"])
def test_the_family_scenarios_have_phases_with_questions(name: str) -> None:
    root = Path(__file__).parent.parent / "scenarios"
    scenario = load_text((root / f"{name}.yaml").read_text(encoding="utf-8")).scenario
    assert scenario is not None
    assert len(scenario.phases) == 3
    assert all(len(p.questions) >= 3 for p in scenario.phases.values())
    assert scenario.phase_of(scenario.start) is not None


# -- events -------------------------------------------------------------------------------------


def test_the_new_events_round_trip() -> None:
    for event in (
        TeamHeld(phase="arrival", clock=1.0),
        Rated(objective="safety", rating="S", note="late separation", clock=2.0),
        PlanItemAdded(issue="i", action="a", responsible="Police", due="2027-01-31", clock=3.0),
    ):
        kind, payload = encode(event)
        assert decode(kind, payload, event.clock) == event


# -- holds --------------------------------------------------------------------------------------


def test_a_phase_hold_takes_hold_when_the_team_leaves_the_phase(live: tuple) -> None:
    exercise, _, _ = live
    exercise.hold_teams(phase="arrival")
    assert exercise.status()["teams"]["red"]["held"] is False
    assert exercise.status()["teams"]["red"]["hold_at"] == "arrival"
    # the choice that leaves the phase is still made; the next one is refused
    exercise.act(_seat("red"), "screen_individually")
    status = exercise.status()
    assert status["state"] == "running"
    assert status["teams"]["red"]["held"] is True
    assert status["teams"]["red"]["phase"] == "screening"
    assert status["teams"]["blue"]["held"] is False
    with pytest.raises(
        ExerciseError, match="held by the facilitator at the end of phase “The arrival”"
    ):
        exercise.act(_seat("red", "social_worker"), "offer_rest")
    # the other team plays on
    exercise.act(_seat("blue"), "note_indicators")
    exercise.release_teams()
    assert exercise.status()["teams"]["red"]["held"] is False
    exercise.act(_seat("red", "social_worker"), "offer_rest")


def test_a_hold_without_a_phase_holds_at_once_and_release_needs_a_hold(live: tuple) -> None:
    exercise, _, _ = live
    with pytest.raises(ExerciseError, match="team 'red' is not held"):
        exercise.release_teams("red")
    with pytest.raises(ExerciseError, match="no team is held"):
        exercise.release_teams()
    exercise.hold_teams("blue")
    assert exercise.hold("blue").held and not exercise.hold("red").held
    with pytest.raises(ExerciseError, match="team 'blue' is held"):
        exercise.act(_seat("blue"), "note_indicators")
    assert exercise.release_teams() == {"blue": ""}


def test_holding_an_unknown_phase_says_which_exist(live: tuple) -> None:
    exercise, _, _ = live
    with pytest.raises(ExerciseError, match=r"did you mean 'arrival'.*phases: arrival, screening"):
        exercise.hold_teams(phase="arival")


def test_hold_and_release_from_the_command_line(live: tuple) -> None:
    _, codes, db = live
    runner = CliRunner()
    base = ["--db", str(db), "--exercise", "walk"]
    held = runner.invoke(main, ["hold", *base, "--team", "red"])
    assert held.exit_code == 0 and "red: held" in held.output
    act = runner.invoke(
        main,
        [
            "act",
            *base,
            "--team",
            "red",
            "--role",
            "investigator",
            "--code",
            codes["red"],
            "note_indicators",
        ],
    )
    assert act.exit_code == 1
    assert "held by the facilitator" in act.stderr and "Traceback" not in act.output
    status = json.loads(runner.invoke(main, ["status", *base, "--json"]).stdout)
    assert status["teams"]["red"]["held"] is True and status["state"] == "running"
    released = runner.invoke(main, ["release", *base])
    assert released.exit_code == 0 and "red: released" in released.output
    bad = runner.invoke(main, ["hold", *base, "--phase", "screnning"])
    assert bad.exit_code == 1 and "did you mean 'screening'" in bad.stderr


# -- ratings and the improvement plan ------------------------------------------------------------


def test_ratings_keep_the_latest_per_objective_and_refuse_unknown_ones(live: tuple) -> None:
    exercise, _, _ = live
    exercise.rate("red", "safety", "s", "separated late")
    exercise.rate("red", "safety", "P", "")
    ratings = exercise.ratings("red")
    assert [(o, e.event.rating) for o, e in ratings.items()] == [("safety", "P")]
    with pytest.raises(ExerciseError, match="did you mean 'safety'"):
        exercise.rate("red", "safty", "P")
    with pytest.raises(ExerciseError, match=r"use one of P .*U \(unable to be performed\)"):
        exercise.rate("red", "safety", "X")


def test_ratings_and_plan_stay_open_after_the_end(live: tuple) -> None:
    exercise, _, _ = live
    exercise.end()
    exercise.rate("red", "safety", "M", "asked on the quay")
    exercise.plan_add(
        "red",
        issue="Questioned on the quay",
        action="Separate first",
        responsible="investigator",
        due="2027-02-28",
    )
    (row,) = exercise.plan("red")
    assert row.event.responsible == "Border police investigator"  # a role id reads as its name


def test_the_plan_validates_its_date_and_who_is_responsible(live: tuple) -> None:
    exercise, _, _ = live
    fields = {"issue": "No interpreter", "action": "Book one", "responsible": "Labour inspectorate"}
    with pytest.raises(
        ExerciseError, match="'31/01/2027' is not a due date: write it as YYYY-MM-DD"
    ):
        exercise.plan_add("red", **fields, due="31/01/2027")
    with pytest.raises(ExerciseError, match="is not a due date"):
        exercise.plan_add("red", **fields, due="2027-02-30")
    with pytest.raises(ExerciseError, match="does not name who is responsible"):
        exercise.plan_add("red", **{**fields, "responsible": "-"}, due="2027-01-31")
    with pytest.raises(ExerciseError, match="the action is empty"):
        exercise.plan_add("red", **{**fields, "action": "  "}, due="2027-01-31")
    exercise.plan_add("red", **fields, due="2027-01-31")
    exercise.plan_add("red", **{**fields, "issue": "Second"}, due="2027-03-31")
    exercise.plan_remove("red", 1)
    assert [r.event.issue for r in exercise.plan("red")] == ["Second"]
    with pytest.raises(ExerciseError, match="no improvement-plan row 2; rows: 1 to 1"):
        exercise.plan_remove("red", 2)


def test_rate_and_plan_from_the_command_line(live: tuple) -> None:
    _, _, db = live
    runner = CliRunner()
    base = ["--db", str(db), "--exercise", "walk", "--team", "red"]
    rated = runner.invoke(main, ["rate", *base, "safety", "S", "--note", "late"])
    assert rated.exit_code == 0 and "safety rated S" in rated.output
    bad = runner.invoke(main, ["rate", *base, "safty", "S"])
    assert bad.exit_code == 1 and "did you mean 'safety'" in bad.stderr
    add = [
        "plan", "add", *base, "--issue", "Late separation", "--action", "Separate on arrival",
        "--responsible", "Border police", "--due", "2027-01-31",
    ]  # fmt: skip
    assert runner.invoke(main, add).exit_code == 0
    listed = runner.invoke(main, ["plan", "list", *base])
    assert (
        "1. Late separation → Separate on arrival (Border police, due 2027-01-31)" in listed.output
    )
    late = runner.invoke(main, [*add[:-1], "tomorrow"])
    assert late.exit_code == 1 and "YYYY-MM-DD" in late.stderr
    assert runner.invoke(main, ["plan", "remove", *base, "1"]).exit_code == 0
    assert "no improvement plan yet" in runner.invoke(main, ["plan", "list", *base]).output
