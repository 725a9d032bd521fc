"""The pure engine: rules of SPEC §3, the one fold, the lifecycle, replay determinism."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simtrain.engine import lifecycle, rules
from simtrain.engine.events import (
    AnyEvent,
    Chose,
    DebriefReleased,
    ExerciseEnded,
    ExercisePaused,
    ExerciseResumed,
    ExerciseStarted,
    InjectDelivered,
    Moved,
    ScoreAdjusted,
    TimerFired,
)
from simtrain.engine.explore import _moves, explore, initial_draft
from simtrain.engine.fold import Engine
from simtrain.engine.headless import StepRefused, play
from simtrain.engine.lifecycle import LifecycleState, Trigger
from simtrain.engine.rules import Refused
from simtrain.engine.state import TeamState
from simtrain.engine.summary import path_best
from simtrain.scenario.compiled import Scenario
from simtrain.scenario.validate import load_text


def test_initial_state_enters_start(engine: Engine) -> None:
    state = engine.initial_state()
    assert state.scene == "quay"
    assert state.case_file == ("manifest",)
    assert state.visits == {"quay": 1}
    assert not state.ended


def test_choice_applies_effects_in_order_and_moves(engine: Engine) -> None:
    state = engine.apply(engine.initial_state(), Chose("screen_individually", "investigator", 1.0))
    assert state.scene == "screening"
    assert state.vars["separated"] is True
    assert state.vars["status"] == "screening"
    assert state.vars["trust"] == 1
    assert state.case_file == ("manifest", "medical")  # on_enter of screening
    assert state.points["safety"] == 2 and state.points["trust"] == 1
    assert state.path[0].scene == "quay" and state.path[0].choice == "screen_individually"
    assert state.entered_at == 1.0


def test_add_appends_to_a_list_variable_without_touching_the_old_state(engine: Engine) -> None:
    before = engine.initial_state()
    after = engine.apply(before, Chose("note_indicators", "investigator", 0.0))
    assert after.vars["notes"] == ["man answers for others"]
    assert before.vars["notes"] == []
    assert after.scene == "quay"  # no goto: stays


@pytest.mark.parametrize(
    ("steps", "choice", "role", "reason"),
    [
        ([], "offer_rest", "investigator", "belongs to scene 'screening'"),
        ([], "question_on_quay", "social_worker", "only the Border police investigator"),
        (["note_indicators"], "note_indicators", "investigator", "only once"),
        (["screen_individually"], "refer_nrm", "investigator", "condition does not hold"),
        (["screen_individually", "send_back"], "refer_nrm", "investigator", "reached an ending"),
        ([], "nope", "investigator", "is not a choice"),
        ([], "refer_to_press_office", "investigator", "has not arrived"),
    ],
)
def test_refusals_say_why_and_change_nothing(
    engine: Engine, steps: list[str], choice: str, role: str, reason: str
) -> None:
    state = play(engine, steps)
    with pytest.raises(Refused, match=reason):
        engine.apply(state, Chose(choice, role, 0.0))
    assert engine.refusal(state, choice, role, 0.0)


def test_timer_fires_once_per_visit_at_its_own_time(engine: Engine) -> None:
    state, produced = engine.settle(engine.initial_state(), 9.0)
    assert state.scene == "quay"
    # at 8m the journalist calls; the 10m timer has not fired yet
    assert [type(e) for e in produced] == [InjectDelivered]
    state, produced = engine.settle(state, 30.0)
    # 10m: quay timer → escalation; 15m: escalation timer → lost_contact (an ending)
    assert [(type(e).__name__, e.clock) for e in produced] == [
        ("TimerFired", 10.0),
        ("TimerFired", 15.0),
    ]
    assert state.scene == "lost_contact" and state.ended and state.outcome == "partial"


def test_settling_twice_gives_nothing_new(engine: Engine) -> None:
    state, first = engine.settle(engine.initial_state(), 12.0)
    again, second = engine.settle(state, 12.0)
    assert first and second == [] and again is state


def test_when_inject_delivered_once_when_condition_holds(engine: Engine) -> None:
    state = play(engine, ["screen_individually"])
    assert state.inbox == ("interpreter_alert",)
    assert state.vars["status"] == "interpreter flagged"  # set on delivery
    assert state.pending == ("interpreter_alert",)
    state = engine.apply(state, Chose("replace_interpreter", "investigator", 0.0))
    assert state.pending == ()
    assert state.path[-1].inject == "interpreter_alert"
    with pytest.raises(Refused, match="already been answered"):
        engine.apply(state, Chose("replace_interpreter", "investigator", 0.0))


def test_inject_responses_default_to_the_inject_roles(demo: Scenario) -> None:
    assert demo.choice_roles("refer_to_press_office") == ("investigator",)
    engine = Engine(demo)
    state = play(engine, ["wait:8m"])
    assert "journalist_call" in state.pending
    with pytest.raises(Refused, match="only the"):
        engine.apply(state, Chose("confirm_name", "social_worker", 8.0))
    state = engine.apply(state, Chose("confirm_name", "investigator", 8.0))
    assert [c.choice for c in state.critical] == ["confirm_name"]
    assert state.points["rights"] == -2


def test_manual_inject_with_goto_moves_the_team(engine: Engine) -> None:
    state = play(engine, ["inject:transfer_order"])
    assert state.scene == "escalation"
    with pytest.raises(StepRefused, match="already delivered"):
        play(engine, ["inject:transfer_order", "inject:transfer_order"])


def test_ending_stops_timers_and_injects(engine: Engine) -> None:
    state = play(engine, ["screen_individually", "send_back"])
    assert state.ended and state.outcome == "failure"
    later, produced = engine.settle(state, 500.0)
    assert produced == [] and later is state
    with pytest.raises(Refused):
        engine.apply(state, InjectDelivered("transfer_order", 1.0, True))


def test_facilitator_move_and_adjustment(engine: Engine) -> None:
    state = engine.apply(engine.initial_state(), Moved("screening", 2.0, "skip ahead"))
    assert state.scene == "screening" and state.visits["screening"] == 1
    state = engine.apply(state, ScoreAdjusted("trust", 2, 3.0, "good rapport"))
    assert state.points["trust"] == 2
    assert state.adjustments[0].note == "good rapport"
    with pytest.raises(Refused, match="not a competency"):
        engine.apply(state, ScoreAdjusted("luck", 1, 3.0))


def test_stale_timer_event_is_refused(engine: Engine) -> None:
    state = play(engine, ["screen_individually"])
    with pytest.raises(Refused, match="no timer"):
        engine.apply(state, TimerFired("quay", 10.0))


def test_run_steps_and_refusal_names_the_step(engine: Engine) -> None:
    state = play(engine, ["screen_individually", "as:social_worker", "offer_rest", "refer_nrm"])
    assert state.ended and state.outcome == "success"
    with pytest.raises(StepRefused) as info:
        play(engine, ["screen_individually", "as:social_worker", "send_back"])
    assert info.value.index == 3 and "only the Border police investigator" in info.value.reason
    with pytest.raises(StepRefused, match="not a duration"):
        play(engine, ["wait:soon"])
    with pytest.raises(StepRefused, match="not a role"):
        play(engine, ["as:captain"])


@st.composite
def event_sequences(draw: st.DrawFn, scenario: Scenario) -> tuple[list[object], TeamState]:
    """Random valid event sequences, built by walking the rules' own move list."""
    draft = initial_draft(scenario)
    events: list[object] = list(rules.settle(scenario, draft, 0.0))
    for _ in range(draw(st.integers(0, 12))):
        moves = _moves(scenario, draft)
        if not moves:
            break
        _, action = draw(st.sampled_from(moves))
        if isinstance(action, float):
            produced = rules.settle(scenario, draft, action)
        else:
            rules.step(scenario, draft, action)
            produced = [action, *rules.settle(scenario, draft, draft.clock)]
        events.extend(produced)
        if draw(st.booleans()):
            adjust = ScoreAdjusted(draw(st.sampled_from(scenario.competencies)), 1, draft.clock)
            rules.step(scenario, draft, adjust)
            events.append(adjust)
    return events, draft.freeze()


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_replay_is_deterministic_and_matches_step_by_step(data: st.DataObject) -> None:
    from tests.conftest import FIXTURES, load

    scenario = load(FIXTURES / "every_feature.yaml")
    events, walked = data.draw(event_sequences(scenario))
    engine = Engine(scenario)
    once = engine.replay(events)  # type: ignore[arg-type]
    twice = Engine(scenario).replay(events)  # type: ignore[arg-type]
    stepwise = engine.initial_state()
    for event in events:
        stepwise = engine.apply(stepwise, event)  # type: ignore[arg-type]
    assert once == twice == stepwise == walked  # the engine folds exactly as the rules walk


LIFECYCLE_CASES = [
    ("created", "start", "running"),
    ("created", "pause", None),
    ("created", "act", None),
    ("created", "intervene", "created"),
    ("running", "pause", "paused"),
    ("running", "start", None),
    ("running", "act", "running"),
    ("paused", "resume", "running"),
    ("paused", "act", None),
    ("paused", "end", "ended"),
    ("ended", "resume", None),
    ("ended", "intervene", None),
    ("ended", "release", "ended"),
]


@pytest.mark.parametrize(("state", "trigger", "then"), LIFECYCLE_CASES)
def test_the_lifecycle_machine(state: LifecycleState, trigger: Trigger, then: str | None) -> None:
    assert lifecycle.after(state, trigger) == then
    assert lifecycle.allows(state, trigger) == (then is not None)


def test_the_clock_counts_running_time_and_ignores_what_its_state_refuses() -> None:
    events: list[tuple[AnyEvent, float]] = [
        (ExerciseStarted(clock=0.0), 100.0),
        (ExerciseStarted(clock=0.0), 130.0),  # a second start changes nothing
        (ExercisePaused(clock=1.0), 160.0),
        (DebriefReleased(clock=1.0), 200.0),
        (ExerciseResumed(clock=1.0), 400.0),
    ]
    clock = lifecycle.fold_clock(events, 430.0)
    assert (clock.state, clock.minutes, clock.debrief_released) == ("running", 1.5, True)
    ended = lifecycle.fold_clock([*events, (ExerciseEnded(clock=2.0), 460.0)], 9999.0)
    assert (ended.state, ended.minutes) == ("ended", 2.0)


def test_core_does_not_import_textual() -> None:
    code = (
        "import sys, simtrain.scenario.validate, simtrain.engine.fold, "
        "simtrain.engine.explore, simtrain.cli; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'sqlite_utils')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pure_core_is_mypy_strict_clean() -> None:
    """STYLE: mypy strict on the pure core (scenario and engine)."""
    pytest.importorskip("mypy")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "simtrain/scenario", "simtrain/engine"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert result.returncode == 0, result.stdout[-3000:]


COUNTED = """\
simtrain: 1
id: counted
title: Counted
content_warning: Practice.
roles: [{id: a, name: A}]
start: s
scenes:
  s:
    title: S
    choices:
      - {id: harm, label: Harm, critical: A harm., assess: {safety: -1}}
      - {id: finish, label: Finish, goto: good, if: "critical_errors == 0"}
      - {id: finish_harmed, label: Finish, goto: harmed, if: "critical_errors >= 2"}
  good: {title: G, ending: {outcome: success}}
  harmed: {title: H, ending: {outcome: partial}}
"""


def test_the_engine_counts_critical_errors_for_conditions_and_explore_keeps_them_apart() -> None:
    result = load_text(COUNTED, "counted.yaml")
    assert result.scenario is not None, [d.format() for d in result.diagnostics]
    engine = Engine(result.scenario)
    assert play(engine, ["harm"]).critical[0].message == "A harm."
    with pytest.raises(StepRefused):
        play(engine, ["harm", "finish"])
    assert play(engine, ["harm", "harm", "finish_harmed"]).scene == "harmed"
    found = explore(result.scenario)
    assert found.complete and set(found.endings) == {"good", "harmed"}
    assert found.paths["harmed"] == ["harm", "harm", "finish_harmed"]


def test_explore_does_not_try_inert_manual_injects_in_every_state() -> None:
    """A role-play inject with no effects and no responses cannot change the future."""
    from simtrain.engine.explore import inert_injects

    base = """
simtrain: 1
id: inert
title: Inert
content_warning: Practice.
roles: [{id: a, name: A}]
start: s
scenes:
  s:
    title: S
    choices:
      - {id: go, label: Go, goto: t}
      - {id: stay, label: Stay, once: true, assess: {safety: 1}, feedback: Fine.}
  t: {title: T, ending: {outcome: success}}
"""
    plain = load_text(base, "inert.yaml").scenario
    with_actor = load_text(
        base + "injects:\n  - {id: knock, subject: A knock, message: Someone at the door.}\n",
        "inert.yaml",
    ).scenario
    assert plain is not None and with_actor is not None
    assert inert_injects(with_actor) == {"knock"}
    assert explore(with_actor).states == explore(plain).states


def test_path_best_folds_what_replay_folds(demo: Scenario) -> None:
    """The report measures a team's path and rebuilds its state in one fold: the state is
    the replay's, refused events skipped alike."""
    engine = Engine(demo)
    events = []
    state = engine.initial_state()
    for _ in range(12):
        options = [o for r in demo.roles for o in engine.options(state, r, 1.0) if o.enabled]
        if not options:
            break
        event = Chose(options[0].choice.id, options[0].roles[0], 1.0)
        state = engine.apply(state, event)
        events += [event, event]  # a repeat is refused once the choice moved the team on
    measured = path_best(engine, events)
    assert measured.state == engine.replay(events, skip_refused=True)
    assert len(measured.state.path) >= 1
