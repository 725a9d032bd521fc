"""Saved team states: a reader folds only the events after a team's saved state, and gets
exactly what folding the whole log gives; a damaged or foreign saved state is ignored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from benchmarks import workload
from simtrain.engine import explore
from simtrain.engine.events import FOLDED
from simtrain.engine.fold import Engine
from simtrain.engine.saved import state_data, state_from_data, state_key
from simtrain.engine.state import Adjustment, Critical, Mark, PathStep, TeamState
from simtrain.engine.summary import measure, path_best, team_json
from simtrain.exercise import ExerciseService
from simtrain.exercise.queries import SAVE_STATE_EVERY
from simtrain.plaintext import scrub
from simtrain.report import build_report, document, render_report
from simtrain.report.webpage import render_html
from simtrain.scenario.library import bundled_path
from simtrain.scenario.validate import load_file

EVENTS = 3 * SAVE_STATE_EVERY
"""Events per team: enough for a saved state well before the end of the log."""


@pytest.fixture(scope="module")
def engine() -> Engine:
    scenario = load_file(bundled_path(workload.SCENARIO)).scenario
    assert scenario is not None
    # team_json reads the best scores; this test needs none searched
    scenario.meta["best_scores"] = dict.fromkeys(scenario.competencies, 10)
    return Engine(scenario)


@pytest.fixture(autouse=True)
def _own_best_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    """workload.build searches the best scores with a small budget: keep its upper bound
    out of the process-wide cache other tests of the same scenario read."""
    monkeypatch.setattr(explore, "_BEST_BY_CONTENT", {})


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "course.db"
    workload.build(path, 2, EVENTS, "play")
    return path


def _status(db: Path) -> dict[str, Any]:
    """``status --json`` as a fresh process gets it (a new handle, nothing cached)."""
    with ExerciseService.open(db) as service:
        return service.exercise("bench").status()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_saved_state_folds_on_exactly_as_the_whole_log(engine: Engine, seed: int) -> None:
    log = [event for event, _, _ in workload.play_log(engine, EVENTS, seed)]
    events = [e for e in log if isinstance(e, FOLDED)]
    for cut in (0, 1, len(events) // 2, len(events)):
        before = engine.replay(events[:cut], skip_refused=True)
        text = json.dumps(state_data(before), ensure_ascii=False, allow_nan=False)
        restored = state_from_data(json.loads(text))
        assert restored == before
        whole = engine.replay(events, skip_refused=True)
        on = engine.replay(events[cut:], restored, skip_refused=True)
        assert on == whole
        assert team_json(engine.scenario, on) == team_json(engine.scenario, whole)
        assert len(whole.path) > 100  # the play log makes real decisions


@pytest.mark.parametrize("seed", [0, 1])
def test_a_measure_folds_on_exactly_as_the_whole_log_measures(engine: Engine, seed: int) -> None:
    """What a team could have earned at each decision, measured in pieces (a saved state,
    then the events after it), is what one measure of the whole log gives."""
    log = [event for event, _, _ in workload.play_log(engine, EVENTS, seed)]
    events = [e for e in log if isinstance(e, FOLDED)]
    whole = path_best(engine, events)
    assert len(whole.top_decisions) > 10 and sum(whole.competencies.values()) > 0
    for cut in (0, 1, len(events) // 2, len(events)):
        state, so_far = measure(engine, events[:cut])
        state, measured = measure(
            engine,
            events[cut:],
            state,
            type(so_far).from_data(json.loads(json.dumps(so_far.data()))),
        )
        assert measured.path_best(engine.scenario, state) == whole


def test_a_report_reads_what_each_team_could_earn_from_its_saved_state(db: Path) -> None:
    _status(db)  # saves every team's state, measure included
    with ExerciseService.open(db) as service:
        exercise = service.exercise("bench")
        whole = path_best(exercise.engine, exercise.folded_events("team000"))
        key = state_key(exercise.record.scenario_sha256)
        seq, text = service.store.saved_states("bench", key)["team:team000"]
        data = json.loads(text)
        assert data["kinds"]["chose"][0] > 100 and data["kinds"]["joined"][1] == 1
        # doctor the saved measure: a reader that uses it (rather than replaying the whole
        # log) reports the doctored figure
        data["measure"]["best"] = {c: v + 1000 for c, v in data["measure"]["best"].items()}
        service.store.save_states("bench", key, [("team:team000", seq, json.dumps(data))])
    with ExerciseService.open(db) as service:
        measured = service.exercise("bench").measured("team000")
    assert measured.seq == seq
    assert measured.best.state == whole.state
    assert measured.best.top_decisions == whole.top_decisions
    assert all(
        measured.best.competencies[c] == v + 1000 for c, v in whole.competencies.items() if v
    )
    # a row of the previous format (no measure) is folded again
    del data["measure"]
    with ExerciseService.open(db) as service:
        service.store.save_states("bench", key, [("team:team000", seq, json.dumps(data))])
    with ExerciseService.open(db) as service:
        assert service.exercise("bench").measured("team000").best == whole


def test_the_page_of_a_long_path_is_the_page_of_the_whole_log(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A path of hundreds of decisions: the page's document keeps only the decisions and
    scene changes at the ends of the path, and the page is the one of the whole log."""
    monkeypatch.setattr(document, "FORK_SECONDS", 0.0)  # the same (no) forks on both sides
    _status(db)
    with ExerciseService.open(db) as service:
        exercise = service.exercise("bench")
        page_document = build_report(exercise, ends=100)
        whole = build_report(exercise)
        team = page_document["teams"]["team000"]
        assert len(team["decisions"]) + len(team["scene_changes"]) == 200
        assert team["left_out"]["path"] == (
            len(whole["teams"]["team000"]["decisions"])
            + len(whole["teams"]["team000"]["scene_changes"])
            - 200
        )
        assert page_document["comparison"] == whole["comparison"]
        page = render_report(exercise, "html", None)
        assert page == render_html(scrub(whole))
    assert "Entries 101–" in page


def test_status_saves_team_states_and_the_next_reader_folds_only_the_tail(db: Path) -> None:
    first = _status(db)
    with ExerciseService.open(db) as service:
        exercise = service.exercise("bench")
        saved = service.store.saved_states("bench", state_key(exercise.record.scenario_sha256))
        assert set(saved) == {"team:team000", "team:team001"}
        last = service.store.last_seq("bench", "team:team000")
        assert saved["team:team000"][0] == last
        # doctor the saved state's count of state-changing events: a reader that uses it
        # (rather than folding the whole log again) reports the doctored figure
        seq, text = saved["team:team000"]
        data = json.loads(text)
        data["changes"] += 1000
        service.store.save_states(
            "bench", state_key(exercise.record.scenario_sha256), [("team:team000", seq, "x")]
        )
        service.store.save_states("bench", "another key", [("team:team000", seq, json.dumps(data))])
    assert _status(db) == first  # a damaged row, then a row under another key: ignored
    with ExerciseService.open(db) as service:
        key = state_key(service.exercise("bench").record.scenario_sha256)
        assert service.store.saved_states("bench", key)["team:team000"] == (seq, text)  # mended
    with ExerciseService.open(db) as service:
        key = state_key(service.exercise("bench").record.scenario_sha256)
        service.store.save_states("bench", key, [("team:team000", seq, json.dumps(data))])
    doctored = _status(db)
    assert doctored["teams"]["team000"]["seq"] == first["teams"]["team000"]["seq"] + 1000
    assert doctored["teams"]["team001"] == first["teams"]["team001"]


def test_events_after_the_saved_state_are_folded_on(tmp_path: Path) -> None:
    db = tmp_path / "running.db"
    workload.build(db, 2, EVENTS, "play", running=True)
    with ExerciseService.open(db) as service:
        exercise = service.exercise("bench")
        exercise.status()  # saves every team's state
        before = exercise.team_json("team000")
        exercise.adjust("team000", exercise.scenario.competencies[0], 3, "after the save")
        after = exercise.team_json("team000")
    competency = after["score"]["competencies"][exercise.scenario.competencies[0]]
    assert (
        competency["points"]
        == before["score"]["competencies"][exercise.scenario.competencies[0]]["points"] + 3
    )
    fresh = _status(db)["teams"]["team000"]
    assert fresh["score"] == after["score"] and fresh["seq"] == after["seq"]
    with ExerciseService.open(db) as service:
        assert service.exercise("bench").replay("team000") == service.exercise("bench").state(
            "team000"
        )


def test_every_field_of_a_team_state_is_saved(engine: Engine) -> None:
    """A field added to TeamState must be added to the saved form too (this fails until
    it is), or saved states would lose it."""
    names = {f.name for f in msgspec.structs.fields(TeamState)}
    assert set(state_data(engine.initial_state())) == names


def test_every_kind_of_record_survives_the_saved_form(engine: Engine) -> None:
    state = msgspec.structs.replace(
        engine.initial_state(),
        vars={"trust": 2, "ratio": 0.5, "flag": True, "notes": ["a", "b"], "who": "Ü"},
        path=(PathStep("quay", "c1", "investigator", 1.25, "Ana", "why", "inj", "medic"),),
        critical=(Critical("c1", "harm", 1.25),),
        adjustments=(Adjustment("safety", -2, "note", 3.0),),
        marks=(Mark(4, "safety", 1, "kind words", 5.5, "mira"),),
        ended=True,
        outcome="partial",
    )
    text = json.dumps(state_data(state), ensure_ascii=False, allow_nan=False)
    assert state_from_data(json.loads(text)) == state


def test_a_state_key_names_the_scenario_and_the_rules() -> None:
    one, other = state_key("a" * 64), state_key("b" * 64)
    assert one != other and one.endswith("a" * 64)
    assert one.split(":")[0] == other.split(":")[0]  # the same code of the rules
