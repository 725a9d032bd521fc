"""The shipped scenarios: clean, fully explorable, and their best and worst paths."""

from __future__ import annotations

import pytest

from simtrain.engine.explore import explore
from simtrain.engine.fold import Engine
from simtrain.engine.headless import StepRefused, play
from simtrain.engine.pedagogy import findings
from simtrain.scenario.library import bundled_scenarios
from simtrain.scenario.validate import load_file

SHIPPED = {path.stem: path for path in bundled_scenarios()}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_scenario_is_clean_and_complete(name: str) -> None:
    result = load_file(SHIPPED[name])
    assert [d.format() for d in result.diagnostics] == []
    scenario = result.scenario
    assert scenario is not None
    found = explore(scenario)
    assert found.complete
    endings = {s for s, scene in scenario.scenes.items() if scene.ending is not None}
    assert set(found.endings) == endings
    assert found.unreachable_scenes == [] and found.traps == []
    assert found.never_enabled_choices == []
    # what `validate --deep` adds: no success after a critical error, no give-away labels,
    # trade-offs, no ending before min_decisions, a duration that fits the path
    assert [f"{f.code}: {f.message}" for f in findings(scenario, found)] == []
    engine = Engine(scenario)
    for ending, steps in found.paths.items():
        assert play(engine, steps).scene == ending


def test_family_scenarios_meet_the_size_bar() -> None:
    for name in ("port-arrivals", "follow-the-money", "morning-after"):
        if name not in SHIPPED:
            pytest.skip(f"{name} not shipped yet")
        scenario = load_file(SHIPPED[name]).scenario
        assert scenario is not None
        model = scenario.model
        assert len(model.scenes) >= 25 and len(model.roles) >= 5 and len(model.injects) >= 6
        outcomes = {s.ending.outcome for s in model.scenes.values() if s.ending}
        assert len([s for s in model.scenes.values() if s.ending]) >= 3 and len(outcomes) >= 2
        assert {i.at is not None for i in model.injects} == {True, False}
        assert any(i.when for i in model.injects)
        assert any(i.at is None and i.when is None for i in model.injects)
        assert any(i.choices for i in model.injects)
        assessed = {c for ch in scenario.choices.values() for c in ch.assess}
        assert assessed == set(scenario.competencies)
        assert len([c for c in scenario.choices.values() if c.critical]) >= 2
        for choice in scenario.choices.values():
            if choice.assess:
                assert choice.feedback.strip(), f"{name}: {choice.id} has no feedback"
        assert any(d.roles for d in model.documents.values())
        assert any(s.for_roles for s in model.scenes.values())


MORNING_BEST = (
    "plan_first as:psychologist risk_assessment independent_support as:interviewer "
    "offer_woman_interviewer as:prosecutor check_custody_evidence refer_press_office_no_id "
    "joint_recorded_interview book_registered_interpreter as:interviewer brief_on_role "
    "as:interpreter declare_conflicts interpreter_seating begin_session interpret_side_question "
    "as:interviewer explain_everything as:prosecutor explain_non_punishment as:lawyer "
    "explain_reflection_period as:interviewer ask_informed_consent open_invitation "
    "as:interpreter interpreter_new_year_note as:interviewer clarify_with_anchors "
    "card_as_evidence as:interpreter interpreter_exact_words as:interviewer explore_control_open "
    "pause_to_find_girl separate_girl_first as:guardian presume_child guardian_meets_alone "
    "plan_child_interview as:interpreter interpreter_child_register as:guardian "
    "let_specialist_lead confirm_child_case as:psychologist tell_mira_and_secure "
    "as:interpreter interpreter_reads_back as:psychologist closure_and_safety_plan "
    "as:prosecutor map_act_means_purpose sanda_status parallel_financial_investigation "
    "respect_withdrawal submit_corroborated_case"
).split()
MORNING_WORST = (
    "interview_now stop_and_reschedule as:psychologist risk_assessment as:prosecutor "
    "check_custody_evidence refer_press_office_no_id notes_only_interview book_duty_interpreter "
    "as:interviewer replace_duty_interpreter brief_on_role as:interpreter declare_conflicts "
    "begin_session answer_privately as:interviewer explain_everything as:prosecutor "
    "explain_non_punishment as:lawyer explain_reflection_period as:interviewer "
    "ask_informed_consent open_invitation as:interpreter interpreter_new_year_note "
    "as:interviewer clarify_with_anchors caution_for_forgery hand_to_migration"
).split()

PORT_BEST = (
    "medical_first separate_screening explain_mandate offer_female_staff "
    "note_forgery_indicator keep_crew_back presume_child as:social_worker other_minors "
    "explain_to_emir to_morning rest_medical_contact as:ngo ngo_introduction as:police "
    "steerers_screen as:social_worker front_desk decline_release replace_interpreter as:ngo "
    "consent_briefing as:police refer_first as:inspector hearing_from_recording as:ngo "
    "plan_joint_interview as:police free_recall note_inconsistency tarsk_flat close_interview "
    "end_session_referred as:ngo legal_aid_compensation asylum_now as:police sanela_phone "
    "as:social_worker "
    "risk_assessment_family request_transfer_exemption family_risk_plan act_on_farm "
    "accept_birth_certificate as:ngo protect_source as:inspector inspection_scope as:ngo "
    "convene_joint_planning as:prosecutor request_fiu apply_freezing_order as:social_worker "
    "child_protocol go_joint_visit as:inspector inspect_containers private_worker_interviews "
    "as:police search_office as:inspector back_pay_figures compare_wages as:police "
    "seize_passports as:prosecutor "
    "compensation_claim charge_with_corroboration"
).split()
PORT_WORST = (
    "question_on_quay accept_answer book_forgery_desk as:police keep_charge as:migration "
    "allow_crew_filming register_adult leave_in_hall as:social_worker play_down_broadcast "
    "as:migration front_desk release_to_uncle file_release_form as:social_worker "
    "keep_interpreter as:police conditional_support hold_condition as:migration mark_absconded "
    "doubt_birth_certificate as:inspector announce_inspection question_workers_in_yard"
).split()
TUTORIAL_BEST = (
    "say_good_morning as:mentor mentor_shows_supplies as:newcomer offer_water_and_charger "
    "explain_confidentiality wait:1m book_woman_interpreter go_on_the_round as:mentor "
    "mentor_walks_through_timeline as:newcomer respect_and_note treat_as_child"
).split()
TUTORIAL_WORST = (
    "say_good_morning send_to_front_desk promise_secrecy keep_booked_interpreter "
    "go_on_the_round insist_on_form mens_dormitory"
).split()

MONEY_BEST = (
    "as:fiu_analyst fiu_analyse_disseminate as:victims_lawyer lawyer_share_consented "
    "as:prosecutor lawyer_protection_agenda open_parallel_fin as:asset_recovery "
    "aro_registry_check as:prosecutor "
    "formal_channels as:financial_investigator utility_orders as:lead_investigator "
    "atm_cctv_secure surveillance_tanner as:victims_lawyer community_outreach to_analysis "
    "as:financial_investigator build_flow_chart treat_accounts_as_controlled "
    "fi_losses_per_worker as:prosecutor "
    "map_amp as:financial_investigator net_worth_mother as:asset_recovery "
    "plan_third_party_freeze aro_office_to_office as:financial_investigator fi_transfer_messages "
    "as:lead_investigator preserve_online_ads as:prosecutor egmont_and_jit as:fiu_analyst "
    "fiu_postpone_sale "
    "as:lead_investigator vet_interpreters family_risk_assessment as:victims_lawyer "
    "plan_support as:prosecutor sequence_freeze_first as:financial_investigator fi_log_cards "
    "as:lead_investigator separate_and_care "
    "as:victims_lawyer explain_roles_rights presume_minor as:prosecutor "
    "one_joint_interview_later as:financial_investigator fi_own_accounts as:lead_investigator "
    "go_joint_interview peace_free_recall "
    "as:victims_lawyer compensation_claims settlement_inform_and_report "
    "withdrawal_protect_via_jit as:prosecutor charge_on_money_trail as:financial_investigator "
    "fi_court_report as:asset_recovery aro_defend_freeze aro_manage_flats as:prosecutor "
    "victimless_strategy "
    "leak_protect_identity seek_confiscation_full"
).split()
MONEY_WORST = (
    "as:fiu_analyst fiu_hold_str as:victims_lawyer lawyer_reveal_caller as:prosecutor "
    "raid_this_week as:lead_investigator early_question_onsite onsite_recover "
    "treat_esra_adult as:prosecutor shelter_if_statement withdraw_condition "
    "press_statements_now as:lead_investigator challenge_dates as:victims_lawyer "
    "settlement_pass_on as:prosecutor withdrawal_end_support leak_confirm_details "
    "charge_on_testimony weak_go_trial"
).split()

FORGONE = {"follow-the-money": 1, "morning-after": 7, "port-arrivals": 16}
"""Points of the per-competency maxima the best path gives up by design: where an option
trades one competency for another (a woman interviewer on Monday costs evidence today; an
independent advocate costs trust; in port-arrivals, the dilemmas over where Anton sleeps, Emir's
wish to work and Sanela's wish to leave), no single path takes every competency's maximum.
In morning-after the recovery paths (fetching Mira back from the service station, the
honest closing after Dina goes missing) earn points a path without those failures never
needs."""

# name: (best steps, best ending, worst steps, worst ending, worst outcome, min criticals)
PATHS = {
    "morning-after": (MORNING_BEST, "end_case_built", MORNING_WORST, "removal_order", "failure", 2),
    "port-arrivals": (
        PORT_BEST,
        "ending_justice",
        PORT_WORST,
        "ending_nothing_found",
        "failure",
        2,
    ),
    "follow-the-money": (MONEY_BEST, "end_justice", MONEY_WORST, "end_collapse", "failure", 2),
    "tutorial": (TUTORIAL_BEST, "end_good", TUTORIAL_WORST, "end_learning", "partial", 0),
}


@pytest.mark.parametrize("name", sorted(PATHS))
def test_best_and_worst_paths(name: str) -> None:
    from simtrain.engine.explore import best_scores

    scenario = load_file(SHIPPED[name]).scenario
    assert scenario is not None
    engine = Engine(scenario)
    best_steps, best_end, worst_steps, worst_end, worst_outcome, criticals = PATHS[name]
    best = play(engine, best_steps)
    assert best.scene == best_end and best.outcome == "success"
    assert best.critical == ()
    top = best_scores(scenario)
    assert all(best.points[c] <= top[c] for c in top)
    assert sum(top.values()) - sum(best.points.values()) == FORGONE.get(name, 0)
    worst = play(engine, worst_steps)
    assert worst.scene == worst_end and worst.outcome == worst_outcome
    assert len(worst.critical) >= criticals
    assert sum(worst.points.values()) < sum(best.points.values()) / 2


def test_port_arrivals_success_needs_zero_critical_errors() -> None:
    """The review's finding: a team with critical errors was told it had succeeded."""
    scenario = load_file(SHIPPED["port-arrivals"]).scenario
    assert scenario is not None
    engine = Engine(scenario)
    # The best path, but the boy is X-rayed and left in the adult hall for the night (he
    # vanishes, and is found at the farm), and the workers are arrested at the farm until
    # the prosecutor steps in.
    steps = " ".join(PORT_BEST)
    for old, new in [
        (
            "presume_child as:social_worker other_minors explain_to_emir to_morning",
            "order_xray as:social_worker leave_in_hall",
        ),
        (
            "decline_release replace_interpreter",
            "decline_release report_missing_child replace_interpreter",
        ),
        (
            "go_joint_visit",
            "go_joint_visit as:social_worker protect_emir as:police arrest_undocumented_workers "
            "as:prosecutor apply_non_punishment",
        ),
        ("as:inspector inspect_containers private_worker_interviews as:police search_office ", ""),
        ("charge_with_corroboration", "charge_with_harm_done"),
    ]:
        assert old in steps
        steps = steps.replace(old, new)
    harmed = play(engine, steps.split())
    assert harmed.scene == "ending_harm_done" and harmed.outcome == "partial"
    assert [c.choice for c in harmed.critical] == ["leave_in_hall", "arrest_undocumented_workers"]
    ending = scenario.model.scenes["ending_harm_done"].ending
    assert ending is not None and "critical errors listed above" in ending.debrief
    with pytest.raises(StepRefused, match="charge_with_corroboration"):
        play(engine, [*steps.split()[:-1], "charge_with_corroboration"])


# The review's path (content review §2.1): four critical errors and a summoned witness, yet
# every money step right. It used to end in success; now it ends "with harm done".
MONEY_HARMED = (
    "as:fiu_analyst fiu_analyse_disseminate as:prosecutor open_parallel_fin as:asset_recovery "
    "aro_registry_check as:prosecutor formal_channels as:financial_investigator utility_orders "
    "as:lead_investigator atm_cctv_secure surveillance_tanner to_analysis "
    "as:financial_investigator build_flow_chart treat_accounts_as_controlled as:prosecutor "
    "map_amp as:financial_investigator net_worth_mother as:asset_recovery "
    "plan_third_party_freeze as:prosecutor egmont_and_jit bring_action_forward "
    "as:lead_investigator use_usual_interpreter as:victims_lawyer plan_support as:prosecutor "
    "sequence_freeze_first as:lead_investigator separate_and_care treat_esra_adult "
    "as:prosecutor shelter_if_statement withdraw_condition no_volunteers as:victims_lawyer "
    "compensation_claims settlement_inform_and_report as:prosecutor withdrawal_end_support "
    "charge_on_money_trail insist_talia leak_protect_identity seek_confiscation_after_harm"
).split()


def test_money_success_needs_no_critical_error() -> None:
    scenario = load_file(SHIPPED["follow-the-money"]).scenario
    assert scenario is not None
    engine = Engine(scenario)
    harmed = play(engine, MONEY_HARMED)
    assert harmed.scene == "end_justice_harm" and harmed.outcome == "partial"
    assert len(harmed.critical) == 4
    # the full-success option is not even offered to this team
    refused = [*MONEY_HARMED[:-1], "seek_confiscation_full"]
    with pytest.raises(StepRefused, match="condition does not hold"):
        play(engine, refused)


@pytest.mark.parametrize("name", ["port-arrivals", "follow-the-money", "morning-after"])
def test_success_is_gated_on_the_engine_count_of_critical_errors(name: str) -> None:
    """A flag of the author's own (port-arrivals' ``harm_done``, follow-the-money's
    ``harmed``) misses any critical choice that forgets to set it; the engine counts every
    one. Every way into a success ending reads ``critical_errors == 0``."""
    scenario = load_file(SHIPPED[name]).scenario
    assert scenario is not None
    model = scenario.model
    assert not {"harm_done", "harmed"} & set(model.vars)
    successes = {
        s for s, scene in model.scenes.items() if scene.ending and scene.ending.outcome == "success"
    }
    into = [c for c in scenario.choices.values() if c.goto in successes]
    assert into
    for choice in into:
        assert choice.if_ is not None and "critical_errors == 0" in choice.if_, choice.id


@pytest.mark.parametrize(
    ("name", "steps", "scene"),
    [
        # the review's two-decision exit: separate interviews, then "let migration run"
        ("morning-after", ["split_by_agency", "keep_separate_track"], "mira_left"),
        # a signed coached script used to end the exercise at decision three
        (
            "morning-after",
            ["interview_now", "push_on_early", "take_coached_statement"],
            "reflection_pause",
        ),
        # refer to the labour inspectorate, fine, then wait: used to end at decision three
        (
            "follow-the-money",
            [
                "as:fiu_analyst",
                "fiu_analyse_disseminate",
                "as:prosecutor",
                "refer_labour_tax",
                "labour_close_fine",
                "selfid_keep_waiting",
            ],
            "second_signal",
        ),
    ],
)
def test_early_failures_play_on(name: str, steps: list[str], scene: str) -> None:
    """Content review §3.2/§3.3: a team could be 'done' at minute 8. The consequence now
    plays out and the team continues; no ending comes before the declared minimum."""
    scenario = load_file(SHIPPED[name]).scenario
    assert scenario is not None
    state = play(Engine(scenario), steps)
    assert state.scene == scene and not state.ended
    assert scenario.model.min_decisions is not None and scenario.model.min_decisions >= 4


def test_follow_the_money_marks_its_dilemmas_and_warns_on_threats() -> None:
    from simtrain.engine.pedagogy import label_figures

    scenario = load_file(SHIPPED["follow-the-money"]).scenario
    assert scenario is not None
    assert scenario.model.content_warning
    assert label_figures(scenario).dilemmas >= 3
    injects = {i.id: i for i in scenario.model.injects}
    assert injects["witness_withdraws"].content_warning
    assert injects["esra_age"].content_warning


@pytest.mark.parametrize("name", ["port-arrivals", "follow-the-money", "morning-after"])
def test_family_scenarios_offer_phase_hot_washes(name: str) -> None:
    """Content review §4: the OSCE cycle debriefs after each phase, not only at the end.
    Three facilitator-published checkpoints per family scenario, each with questions for
    the team and guidance for the facilitator; they change nothing a rule reads."""
    from simtrain.engine.explore import inert_injects

    scenario = load_file(SHIPPED[name]).scenario
    assert scenario is not None
    checkpoints = [i for i in scenario.model.injects if i.id.startswith("hotwash_")]
    assert len(checkpoints) == 3
    for inject in checkpoints:
        assert inject.at is None and inject.when is None and not inject.choices
        assert inject.message.count("?") >= 3 and inject.expected
    assert {i.id for i in checkpoints} <= inert_injects(scenario)
