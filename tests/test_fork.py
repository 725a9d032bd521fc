"""Fork here (issue 18): at a decision of a team's path, what the team did beside the expert's
best continuation from the very same state."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from simtrain.cli import main
from simtrain.engine.events import Chose
from simtrain.engine.explore import Budget
from simtrain.engine.fold import Engine
from simtrain.engine.fork import ForkRefused, fork
from simtrain.engine.headless import play, record
from simtrain.exercise import ExerciseService, Seat
from simtrain.scenario.compiled import Scenario
from simtrain.scenario.validate import load_text

from .conftest import FIXTURES, ROOT, load

PORT = ROOT / "scenarios" / "port-arrivals.yaml"
PATH = (
    "separate_screening note_forgery_indicator keep_crew_back presume_child to_morning "
    "front_desk decline_release as:social_worker replace_interpreter separate_agency_interviews "
    "as:inspector continue_third_interview as:ngo keep_line_open accept_birth_certificate "
    "convene_joint_planning go_joint_visit as:migration arrest_undocumented_workers "
    "proceed_with_removals"
).split()
"""A team in port-arrivals that ends with two critical errors in a row: decision 15
arrests the workers for irregular work, decision 16 removes them from the country."""
ARREST = 15


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args))


def _port() -> Scenario:
    """port-arrivals, with its best scores stubbed: they take a 20-second search of the
    whole scenario that has nothing to do with forks (each score's ``max``)."""
    scenario = load(PORT)
    scenario.meta["best_scores"] = dict.fromkeys(scenario.competencies, 30)
    return scenario


def _prefix(steps: list[str], at: int) -> list[str]:
    """The steps before the ``at``-th choice."""
    choices = [i for i, s in enumerate(steps) if not s.startswith(("as:", "wait:", "inject:"))]
    return steps[: choices[at - 1]]


def test_the_expert_path_avoids_the_critical_error_and_scores_higher() -> None:
    scenario = _port()
    engine = Engine(scenario)
    final, events = record(engine, PATH)
    assert final.path[ARREST - 1].choice == "arrest_undocumented_workers"
    found = fork(scenario, events, ARREST)
    data = found.to_json(scenario)
    assert set(data) == {"at", "team", "expert"} and data["at"] == ARREST
    team, expert = data["team"], data["expert"]
    # the team's side is what the team did, from decision N on
    assert team["steps"] == ["as:migration", "arrest_undocumented_workers", "proceed_with_removals"]
    assert team["ending"] == "ending_workers_removed" == final.scene
    assert team["score"]["total"] == sum(final.points.values())
    assert play(engine, _prefix(PATH, ARREST) + team["steps"]).points == final.points
    # the expert's side avoids the arrest, reaches an ending and scores higher
    assert expert["complete"] is True
    assert "arrest_undocumented_workers" not in expert["steps"]
    critical = [c["choice"] for c in expert["score"]["critical"]]
    assert critical == ["separate_agency_interviews"]  # the one made before decision 15
    assert len(critical) < len(team["score"]["critical"])
    assert expert["score"]["total"] > team["score"]["total"]
    assert expert["ending"] in scenario.scenes and scenario.scenes[expert["ending"]].ending
    # and its steps, played after the team's first 14 decisions, reach that very state
    replayed = play(engine, _prefix(PATH, ARREST) + expert["steps"])
    assert replayed.scene == expert["ending"] and replayed.ended
    assert sum(replayed.points.values()) == expert["score"]["total"]
    assert set(expert["score"]["competencies"]) == set(scenario.competencies)


def test_a_decision_out_of_range_is_refused_with_a_sentence() -> None:
    scenario = _port()
    _, events = record(Engine(scenario), PATH)
    for at in (0, 17, -1):
        with pytest.raises(
            ForkRefused, match="the team made 16 decisions; choose one from 1 to 16"
        ):
            fork(scenario, events, at)


CYCLE = """
simtrain: 1
id: cycle
title: Cycle
content_warning: Practice.
roles: [{id: a, name: A}]
start: hub
scenes:
  hub:
    title: Hub
    choices:
      - {id: ask_again, label: Ask again, goto: side, assess: {trust: 1}}
      - {id: rush, label: Rush, goto: bad, critical: Rushed., assess: {safety: 3}}
      - {id: refer, label: Refer, goto: good, assess: {safety: 1}}
  side:
    title: Side
    choices:
      - {id: back, label: Back, goto: hub}
      - {id: wander, label: Wander, goto: side}
  good: {title: G, ending: {outcome: success}}
  bad: {title: B, ending: {outcome: failure}}
"""


def test_a_scenario_with_cycles_terminates_and_avoids_the_critical_error() -> None:
    scenario = load_text(CYCLE, "cycle.yaml").scenario
    assert scenario is not None
    steps = ["ask_again", "back", "ask_again", "wander", "back", "rush"]
    _, events = record(Engine(scenario), steps)
    found = fork(scenario, events, 2, Budget(max_states=1_000))
    assert found.complete
    assert found.team.steps == ["as:a", "back", "ask_again", "wander", "back", "rush"]
    assert found.team.ending == "bad"
    assert found.expert.ending == "good"
    assert found.expert.steps[-1] == "refer" and not found.expert.state.critical
    assert play(Engine(scenario), ["ask_again", *found.expert.steps]).scene == "good"


def test_an_exhausted_budget_says_the_search_is_incomplete() -> None:
    scenario = _port()
    _, events = record(Engine(scenario), PATH)
    found = fork(scenario, events, 9, Budget(max_states=20))
    data = found.to_json(scenario)["expert"]
    assert data["complete"] is False and "state budget" in data["stopped"]


def test_run_fork_prints_both_sides() -> None:
    fixture = str(FIXTURES / "every_feature.yaml")
    result = invoke("run", fixture, "screen_individually", "send_back", "--fork", "2", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["team"]["steps"] == ["as:investigator", "send_back"]
    assert [c["choice"] for c in data["team"]["score"]["critical"]] == ["send_back"]
    assert data["expert"]["score"]["critical"] == []
    assert data["expert"]["score"]["total"] > data["team"]["score"]["total"]
    text = invoke("run", fixture, "screen_individually", "send_back", "--fork", "2")
    assert text.exit_code == 0 and "the expert path: ending" in text.stdout
    refused = invoke("run", fixture, "screen_individually", "--fork", "3")
    assert refused.exit_code == 1
    assert "--fork 3: decision 3 is out of range: the team made 1 decision" in refused.stderr
    assert "Traceback" not in refused.output


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """A running port-arrivals exercise whose team red played :data:`PATH` (the best
    scores, a 20-second search unrelated to forks, are stubbed)."""
    monkeypatch.setattr(
        "simtrain.engine.explore.best_score_bounds",
        lambda scenario, *_: (dict.fromkeys(scenario.competencies, 30), True),
    )
    db = str(tmp_path / "ex.db")
    with ExerciseService.open(db, create=True) as service:
        exercise, codes = service.create(PORT, ["red", "blue"])
        exercise.start()
        _, events = record(Engine(exercise.scenario), PATH)
        seats: dict[str, Seat] = {}
        for event in events:
            if isinstance(event, Chose):
                role = event.role
                seat = seats.get(role) or exercise.headless_seat("red", codes["red"], role)
                seats[role] = seat
                exercise.act(seat, event.choice)
        return db, exercise.id


def test_fork_command_on_a_live_exercise(live: tuple[str, str]) -> None:
    db, exercise_id = live
    base = ("fork", "--db", db, "--exercise", exercise_id, "--team", "red")
    result = invoke(*base, "--at", str(ARREST), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["at"] == ARREST
    assert data["team"]["steps"] == [
        "as:migration",
        "arrest_undocumented_workers",
        "proceed_with_removals",
    ]
    assert data["team"]["ending"] == "ending_workers_removed"
    assert "arrest_undocumented_workers" not in data["expert"]["steps"]
    assert data["expert"]["score"]["total"] > data["team"]["score"]["total"]
    assert len(data["expert"]["score"]["critical"]) < len(data["team"]["score"]["critical"])
    text = invoke(*base, "--at", str(ARREST))
    assert text.exit_code == 0
    assert "what the team did: ending ending_workers_removed (failure)" in text.stdout
    for args, sentence in (
        (("--at", "17"), "team 'red': decision 17 is out of range"),
        (("--at", "1", "--team", "blu"), "has no team 'blu'"),
    ):
        refused = invoke(*base, *args)
        assert refused.exit_code == 1 and sentence in refused.stderr, refused.output
        assert "Traceback" not in refused.output
    empty = invoke("fork", "--db", db, "--exercise", exercise_id, "--team", "blue", "--at", "1")
    assert empty.exit_code == 1 and "the team made 0 decisions so far" in empty.stderr


async def test_fork_here_in_the_debrief_screen(tmp_path: Path) -> None:
    """In the console's debrief, `f` at a decision shows the expert path beside the team's."""
    from textual.widgets import Static

    from facilitator.app import FacilitatorApp
    from facilitator.debrief import DebriefScreen
    from tests.pilot import until

    path = tmp_path / "exercise.db"
    with ExerciseService.open(path, create=True) as service:
        exercise, codes = service.create(FIXTURES / "every_feature.yaml", ["red", "blue"])
        exercise.start()
        ana = exercise.join("red", codes["red"], "investigator", "Ana")
        exercise.act(ana, "note_indicators")
        exercise.act(ana, "question_on_quay")
        exercise_id = exercise.id

    def plain(widget: Static) -> str:
        return str(widget.render())

    service = ExerciseService.open(path)
    app = FacilitatorApp(service, service.exercise(exercise_id), db="x.db")
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            await until(pilot, lambda: app.board is not None)
            await pilot.press("d")
            await until(pilot, lambda: isinstance(app.screen, DebriefScreen))
            await pilot.press("t")
            replay = app.screen.query_one("#replay-text", Static)
            fork_text = app.screen.query_one("#fork-text", Static)
            await until(pilot, lambda: "decision 2 of 2" in plain(replay))
            await pilot.press("f")
            await until(pilot, lambda: "the expert path: ending" in plain(fork_text))
            shown = plain(fork_text)
            assert "Fork at decision 2 of team red" in shown
            assert "steps: as:investigator question_on_quay" in shown
            assert "critical errors: team 1, expert 0" in shown
            await pilot.press("left")  # another decision: the fork no longer applies
            await until(pilot, lambda: "decision 1 of 2" in plain(replay))
            await until(pilot, lambda: plain(fork_text) == "")
            await pilot.press("left", "f")  # the start is no decision
            await until(pilot, lambda: "before any of 2 decisions" in plain(replay))
            assert plain(fork_text) == ""
    finally:
        app.wait_stopped()
        service.close()


# -- one search graph per scenario (forks share what earlier searches found) -----------------


def _no_expansion(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any application of the rules inside a fork search fail the test."""

    def refuse(*_: object) -> None:
        raise AssertionError("the fork applied the rules to a state already searched")

    monkeypatch.setattr("simtrain.engine.fork._expand", refuse)


def test_a_second_fork_of_the_scenario_searches_nothing_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A report forks each team at up to three decisions, a console or a seat at each
    decision asked: each fork used to search the states the previous one had searched.
    Now the moves of a searched state are kept for the scenario, and a later fork that
    reaches it walks them; its answer is the very one a fresh search gives."""
    scenario = _port()
    _, events = record(Engine(scenario), PATH)
    first = fork(scenario, events, 12)
    again = _port()  # another object of the same text (another report, another seat)
    _no_expansion(monkeypatch)
    for at in (12, 13, ARREST):
        found = fork(again, events, at)
        assert found.complete and found.stopped is None
        if at == 12:
            assert found.to_json(again) == first.to_json(scenario)
            assert found.states == first.states  # the same states, searched again for free
    later = fork(again, events, ARREST).to_json(again)
    assert "arrest_undocumented_workers" not in later["expert"]["steps"]


def _cold(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget every search graph of this process (as a new process would start)."""
    monkeypatch.setattr("simtrain.engine.explore._GRAPHS", {})


def test_a_fork_after_explore_searches_nothing_and_agrees_with_a_fresh_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`exercise create` explores the whole scenario for its best scores: the forks made
    afterwards in that process (the console's debrief) reuse that exploration."""
    from simtrain.engine.explore import explore

    fixture = FIXTURES / "every_feature.yaml"
    _cold(monkeypatch)
    scenario = load(fixture)
    _, events = record(Engine(scenario), ["screen_individually", "send_back"])
    expected = [fork(scenario, events, at).to_json(scenario) for at in (1, 2)]
    _cold(monkeypatch)
    assert explore(scenario).complete
    _no_expansion(monkeypatch)
    assert [fork(scenario, events, at).to_json(scenario) for at in (1, 2)] == expected


def test_a_search_cut_short_keeps_what_it_found_and_a_later_one_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fork stopped by its budget says so; the next fork with more budget finishes the
    search (reusing what the first found) and is complete, with the fresh search's path."""
    scenario = load(FIXTURES / "every_feature.yaml")
    _, events = record(Engine(scenario), ["screen_individually", "send_back"])
    _cold(monkeypatch)
    reference = fork(scenario, events, 1).to_json(scenario)
    _cold(monkeypatch)
    cut = fork(scenario, events, 1, Budget(max_states=5))
    assert not cut.complete and "state budget" in (cut.stopped or "")
    whole = fork(scenario, events, 1)
    assert whole.complete
    assert whole.to_json(scenario) == reference
