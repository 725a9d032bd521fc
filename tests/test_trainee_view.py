"""The trainee's view data: what one seat may see, and the session's calls (no Textual)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from simtrain.cli import main
from simtrain.engine.events import SteppedBack, SteppedOut
from simtrain.exercise import LEASE_ENV, Exercise, ExerciseService, Seat
from simtrain.text import clock_text, sentence, subject_of
from simtrain.views.demo import start_demo
from simtrain.views.lobby import lobby
from simtrain.views.seat import ChoiceView, SeatLog, SeatView, notices
from simtrain.views.session import TraineeSession, join_seat

from .conftest import CUE_MARKERS, cued_scenario

FIXTURE = Path(__file__).parent / "fixtures" / "every_feature.yaml"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ExerciseService]:
    """An open database in the test's folder."""
    svc = ExerciseService.open(tmp_path / "ex.db", create=True)
    yield svc
    svc.close()


@pytest.fixture
def live(service: ExerciseService) -> tuple[Exercise, dict[str, str]]:
    """A running exercise of the every-feature scenario with teams red and blue."""
    exercise, codes = service.create(FIXTURE, ["red", "blue"], exercise_id="quay")
    exercise.start()
    return exercise, codes


def seat(service: ExerciseService, codes: dict[str, str], role: str, name: str) -> TraineeSession:
    """A seat of team red."""
    return join_seat(service, "quay", "red", codes["red"], role, name)


@pytest.mark.parametrize(
    ("minutes", "clock"),
    [(0.0, "0:00:00"), (1 + 52 / 60, "0:01:52"), (12.5, "0:12:30"), (68.25, "1:08:15")],
)
def test_the_trainee_screen_has_one_time_format(minutes: float, clock: str) -> None:
    """Issue 10: 1 min 52 s read "0:01" (hours and minutes, taken for m:ss) beside the
    clock's "0:01:52"; every moment on the trainee screen is now h:mm:ss."""
    assert clock_text(minutes) == clock


def test_sentence_capitalises_and_ends_with_a_full_stop() -> None:
    assert sentence("exercise 'x' is paused") == "Exercise 'x' is paused."
    assert sentence("Done!") == "Done!"
    # a file name or an id at the start is kept as typed
    assert sentence("notdb.txt is not a SQLite database") == "notdb.txt is not a SQLite database."
    assert sentence("port_log is empty") == "port_log is empty."


def test_documents_and_role_text_follow_the_role(service, live) -> None:
    _, codes = live
    investigator = seat(service, codes, "investigator", "Ana").view()
    social = seat(service, codes, "social_worker", "Ben").view()
    assert [d.id for d in investigator.documents] == ["manifest"]
    assert social.documents == ()
    assert investigator.scene.role_text == ""
    assert "teenager keeps looking" in social.scene.role_text
    assert social.scene.content_warning.startswith("The people in this scene")


def test_an_inject_reaches_only_the_roles_it_is_addressed_to(service, live) -> None:
    exercise, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    ben = seat(service, codes, "social_worker", "Ben")
    exercise.publish("journalist_call", "red")
    mine = ana.view()
    theirs = ben.view()
    assert [i.key for i in mine.inbox] == ["inject:journalist_call"]
    item = mine.inbox[0]
    assert item.needs_response and item.channel_name == "Phone call"
    assert [c.id for c in item.choices] == ["refer_to_press_office", "confirm_name"]
    assert theirs.inbox == ()
    assert all(c.inject is None for c in theirs.choices)
    assert "trafficking victim" not in repr(theirs)


def test_messages_reach_the_roles_named(service, live) -> None:
    exercise, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    ben = seat(service, codes, "social_worker", "Ben")
    exercise.message("red", "Shelter has two beds free.", roles=["social_worker"])
    exercise.message("red", "Briefing at 10.", subject="Briefing")
    assert [i.subject for i in ben.view().inbox] == ["Briefing", "Shelter has two beds free."]
    assert [i.subject for i in ana.view().inbox] == ["Briefing"]


def test_another_roles_choice_is_dimmed_and_an_unmet_condition_hidden(service, live) -> None:
    _, codes = live
    seat(service, codes, "investigator", "Ana")  # the role is held: its choices are Ana's
    view = seat(service, codes, "social_worker", "Ben").view()
    by_id = {c.id: c for c in view.choices}
    assert [c.number for c in view.choices] == [1, 2, 3]
    assert not by_id["question_on_quay"].mine
    assert by_id["question_on_quay"].roles_text == "Border police investigator"
    assert by_id["screen_individually"].mine
    ben = seat(service, codes, "social_worker", "Ben2")
    ben.choose("screen_individually", "", ben.view().seq)
    screening = ben.view()
    assert "refer_nrm" not in {c.id for c in screening.choices}  # trust too low yet


def test_nothing_of_the_facilitator_or_the_scoring_leaks_before_the_debrief(service, live) -> None:
    exercise, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    exercise.publish("journalist_call", "red")
    ana.choose("confirm_name", "they asked nicely", ana.view().seq)
    exercise.observe("red", "improvement", "OBSERVATION-TEXT about Ana")
    exercise.observe("red", "note", "PRIVATE-NOTE for the facilitator only")
    exercise.adjust("red", "trust", 1, "ADJUSTMENT-NOTE for the debrief")
    exercise.move("red", "escalation", "MOVE-REASON kept for the record")
    before = repr(ana.view())
    secrets = [
        "OBSERVATION-TEXT",
        "PRIVATE-NOTE",
        "ADJUSTMENT-NOTE",
        "MOVE-REASON",
        "Refer to the press officer",  # the inject's expected response
        "There is no off the record",  # the choice's feedback
        "Disclosing a presumed victim",  # its critical message
        "'rights'",
    ]
    for secret in secrets:
        assert secret not in before, secret
    exercise.release_debrief()
    after = ana.view()
    assert after.debrief is not None
    shown = repr(after)
    assert "There is no off the record" in shown and "ADJUSTMENT-NOTE" in shown
    assert "OBSERVATION-TEXT" in shown  # an area for improvement is debrief material
    for secret in ("PRIVATE-NOTE", "MOVE-REASON", "Refer to the press officer"):
        assert secret not in shown, secret


def test_roleplayer_cues_and_dilemma_guidance_never_reach_a_seat(tmp_path: Path) -> None:
    with ExerciseService.open(tmp_path / "cued.db", create=True) as svc:
        exercise, codes = svc.create(cued_scenario(tmp_path), ["red"], exercise_id="cued")
        exercise.start()
        exercise.publish("journalist_call", "red")
        ana = join_seat(svc, "cued", "red", codes["red"], "investigator", "Ana")
        before = ana.view()
        assert before.content_warning.startswith("EXERCISE-WARNING")
        call = next(i for i in before.inbox if i.key == "inject:journalist_call")
        assert call.content_warning.startswith("INJECT-WARNING")
        ana.choose("refer_to_press_office", "", before.seq)
        ana.choose("screen_individually", "", ana.view().seq)
        exercise.release_debrief()
        for shown in (repr(before), repr(ana.view())):
            for marker in CUE_MARKERS:
                assert marker not in shown, marker
        acted = CliRunner().invoke(
            main,
            [
                "act",
                "--db",
                str(tmp_path / "cued.db"),
                "--exercise",
                "cued",
                "--team",
                "red",
                "--role",
                "social_worker",
                "--code",
                codes["red"],
                "offer_rest",
                "--json",
            ],
        )
        assert acted.exit_code == 0, acted.output
        seat_json = acted.output
        for marker in CUE_MARKERS:
            assert marker not in seat_json, marker


def test_a_response_to_another_roles_inject_is_not_described(service, live) -> None:
    exercise, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    ben = seat(service, codes, "social_worker", "Ben")
    exercise.publish("journalist_call", "red")
    ana.choose("refer_to_press_office", "press office rule", ana.view().seq)
    mine = ana.view().timeline[-1]
    theirs = ben.view().timeline[-1]
    assert mine.own and "Refer the caller to the press office" in mine.text
    assert "answered a message addressed to the Border police investigator" in theirs.text
    assert "press" not in theirs.text and theirs.rationale == ""


def test_the_debrief_lists_critical_errors_scores_and_feedback(service, live) -> None:
    exercise, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    ana.choose("question_on_quay", "", ana.view().seq)
    exercise.release_debrief()
    debrief = ana.view().debrief
    assert debrief is not None
    assert [c.label for c in debrief.critical] == [
        "Question the woman on the quay, with the man beside her"
    ]
    assert debrief.critical[0].who == "Ana (Border police investigator)"
    safety = next(s for s in debrief.scores if s.competency == "safety")
    assert (safety.points, safety.best) == (-2, 3)
    assert debrief.decisions[0].feedback.startswith("She cannot speak freely")
    assert debrief.outcome is None and debrief.outcome_name == "Not finished"


def test_notices_say_what_others_did(service, live) -> None:
    exercise, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    ben = seat(service, codes, "social_worker", "Ben")
    first = ana.view()
    ben.choose("screen_individually", "", ben.view().seq)
    exercise.pause()
    texts = [n.text for n in notices(first, ana.view())]
    assert "The facilitator has paused the exercise." in texts
    assert any(t.startswith("Ben (Reception social worker) chose") for t in texts)
    assert "New in your case file: Medical triage note" in texts
    assert any(n.bell for n in notices(first, ana.view()) if "interpreter" in n.text.lower())


def test_own_decisions_are_not_announced(service, live) -> None:
    _, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    first = ana.view()
    result = ana.choose("note_indicators", "", first.seq)
    assert result.accepted
    assert notices(first, result.view) == []


def test_a_teammate_deciding_first_is_reported_with_the_new_state(service, live) -> None:
    _, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    ben = seat(service, codes, "social_worker", "Ben")
    seen = ana.view()
    ben.choose("screen_individually", "", ben.view().seq)
    result = ana.choose("question_on_quay", "my reasons", seen.seq)
    assert not result.accepted and result.scene_changed
    assert result.message == (
        "Ben already chose “Screen each arrival individually, away from the group leaders”; "
        "your note is kept. The team is now in “Individual screening”."
    )
    assert result.view.scene.id == "screening"


def test_a_once_choice_a_teammate_made_stays_in_place_and_numbers_never_move(service, live) -> None:
    """Issue 10: the spent choice vanished and the others were renumbered, so a trainee
    pressing 2 for one choice confirmed another."""
    _, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    ben = seat(service, codes, "social_worker", "Ben")
    before = {c.number: c.id for c in ana.view().choices}
    assert before == {1: "note_indicators", 2: "screen_individually", 3: "question_on_quay"}
    assert ben.choose("note_indicators", "", ben.view().seq).accepted
    after = ana.view()
    assert {c.number: c.id for c in after.choices} == before
    done = after.choice(1)
    assert done is not None and done.done_by == "Ben (Reception social worker)"
    assert not done.open and all(c.open for c in after.choices if c.number != 1)
    # the one who made it reads "you", not their own name (issue 10)
    mine = ben.view().choice(1)
    assert mine is not None and mine.done_by == "you"


def test_a_race_loser_is_told_only_what_happened_with_names(service, live) -> None:
    """Issue 10: "Asha (social_worker) chose 'medical_first' first first — the scene has
    changed": ids, doubled words, and a scene change that did not happen."""
    _, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    ben = seat(service, codes, "social_worker", "Ben")
    seen = ana.view()
    ben.choose("note_indicators", "", ben.view().seq)
    ana.view()  # the watcher has already shown the newer state: the sentence still holds
    lost = ana.choose("note_indicators", "me too", seen.seq)
    assert not lost.accepted and lost.scene_changed
    assert lost.message == "Ben already chose “Note the indicators you see”; your note is kept."
    other = ana.choose("question_on_quay", "", seen.seq)
    assert other.message == (
        "Ben already chose “Note the indicators you see”; your note is kept. “Question the "
        "woman on the quay, with the man beside her” is still on offer: pick it again to "
        "confirm it."
    )


def test_a_choice_while_paused_is_refused_with_a_sentence(service, live) -> None:
    exercise, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    exercise.pause()
    result = ana.choose("note_indicators", "", ana.view().seq)
    assert not result.accepted and not result.scene_changed
    assert result.message == ("Exercise 'quay' is paused; wait for the facilitator to resume.")


def test_step_out_and_back_are_recorded(service, live) -> None:
    exercise, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    ana.step_out()
    ana.step_back()
    kinds = [type(e.event) for e in exercise.events("red")][-2:]
    assert kinds == [SteppedOut, SteppedBack]
    assert "step" not in " ".join(e.text for e in ana.view().timeline).lower()


def test_wait_ignores_other_teams(service, live) -> None:
    exercise, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    ana.view()
    exercise.publish("birth_certificate", "blue")
    assert ana.wait(0.2) is None
    exercise.publish("birth_certificate", "red")
    view = ana.wait(0.5)
    assert view is not None and view.inbox[0].subject == "A birth certificate arrived"


def test_lobby_lists_exercises_with_teams_and_roles(service, live) -> None:
    [option] = lobby(service)
    assert (option.id, option.state, option.teams) == ("quay", "running", ("red", "blue"))
    assert [r.id for r in option.roles] == ["investigator", "social_worker"]


def test_solo_demo_starts_running_and_releases_its_debrief_at_the_end(tmp_path: Path) -> None:
    demo = start_demo(tmp_path, FIXTURE)
    try:
        session = demo.session
        assert session.solo and session.seat.role == "investigator"
        assert session.clock().state == "running"
        view = session.view()
        result = session.choose("question_on_quay", "", view.seq)
        assert result.accepted and result.view.debrief is None  # not an ending yet
        session.switch_role("social_worker")
        assert session.seat.role == "social_worker"
        result = session.choose("separate_now", "", session.view().seq)
        result = session.choose("offer_rest", "", result.view.seq)
        session.switch_role("investigator")
        result = session.choose("send_back", "", session.view().seq)
        assert result.view.ended and result.view.debrief is not None
    finally:
        demo.service.close()


def test_switching_roles_is_for_solo_play_only(service, live) -> None:
    _, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    with pytest.raises(Exception, match="only a solo player"):
        ana.switch_role("social_worker")


def test_a_session_can_be_built_on_a_known_seat(service, live) -> None:
    exercise, _ = live
    session = TraineeSession(exercise, Seat("quay", "red", "investigator", "Ana"))
    assert session.view().name == "Ana"


def test_the_view_module_imports_no_textual() -> None:
    code = (
        "import sys, simtrain.views.session, simtrain.views.demo; print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_nothing_is_marked_to_answer_once_the_exercise_has_ended(service, live) -> None:
    exercise, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    exercise.publish("journalist_call", "red")
    item = next(i for i in ana.view().inbox if i.key == "inject:journalist_call")
    assert item.needs_response and item.choices
    exercise.end()
    item = next(i for i in ana.view().inbox if i.key == "inject:journalist_call")
    assert not item.needs_response and item.choices == ()


def test_a_message_without_a_subject_gets_its_first_sentence_or_whole_words() -> None:
    """Issue 10: a message with no subject got one cut mid-word at 60 characters."""
    assert subject_of("Call the prosecutor. She has news.") == "Call the prosecutor."
    long = "The harbour master has found the boat's owner listed under a company in Estrava"
    subject = subject_of(long)
    assert subject == "The harbour master has found the boat's owner listed under…"
    assert len(subject) <= 60 and long.startswith(subject[:-1])


def test_an_inject_without_a_subject_shows_its_channel_and_sender(service: ExerciseService) -> None:
    from simtrain.views.board import msel

    path = Path(__file__).parent / "fixtures" / "no_subject.yaml"
    exercise, codes = service.create(path, ["red"], exercise_id="sms")
    exercise.start()
    session = join_seat(service, "sms", "red", codes["red"], "lead", "Ana")
    before = session.view()
    exercise.publish("text_from_mara", "red")
    exercise.publish("radio_check", "red")
    view = session.view()
    assert [i.subject for i in view.inbox] == ["Radio", "Text message from Inspector Mara"]
    texts = [n.text for n in notices(before, view)]
    assert "Text message from Inspector Mara" in texts  # not "…: Text message from …"
    assert "Radio" in texts
    rows = msel(exercise.scenario, {}, {}, 0.0)
    assert [r.subject for r in rows] == ["Text message from Inspector Mara", "Radio"]


def test_a_seat_delivers_what_fell_due_for_its_own_team_only(
    service: ExerciseService, live: tuple[Exercise, dict[str, str]], monkeypatch
) -> None:
    """Issue 10: each seat's wait delivered due timers and injects for every team, on
    every wake, reading every team's log: a 30-seat class read six logs per seat per
    second, and on PostgreSQL each read is a round trip.
    A seat now looks after its own team; the console, status and reports still deliver
    for all (every read of the whole exercise ticks every team)."""
    _, codes = live
    session = seat(service, codes, "investigator", "Ana")
    ticked: list[object] = []
    original = session.exercise.tick

    def spy(**kwargs: object) -> int:
        ticked.append(kwargs.get("teams"))
        return original(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(session.exercise, "tick", spy)
    session.wait(0.01)
    session.wait(0.01)  # and at most once a second, however often news wakes it
    assert ticked == [("red",)]
    monkeypatch.setattr("simtrain.views.session.TICK_EVERY_S", 0.0)
    session.wait(0.01)
    assert ticked == [("red",), ("red",)]
    ticked.clear()
    session.exercise.watch(0, 0.01)
    assert ticked == [None]


def test_a_woken_seat_knows_the_clock_from_its_watch_without_reading_it_again(
    service: ExerciseService, live: tuple[Exercise, dict[str, str]], monkeypatch
) -> None:
    """Issue 15: each read is a round trip on PostgreSQL, and 60 woken seats each read the
    clock's stream again for their view, and once a second for the clock. The watch
    brings the clock's news like any other, so the seat keeps the clock from it."""
    control, codes = live
    session = seat(service, codes, "investigator", "Ana")
    read: list[object] = []
    original = session.exercise.clock

    def spy(**kwargs: object) -> object:
        if "wall" in kwargs:  # the seat's own reads (the service ticks read it too)
            read.append(kwargs)
        return original(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(session.exercise, "clock", spy)
    control.pause()
    view = session.wait(5.0)
    assert view is not None and view.clock.state == "paused"
    assert session.known_clock().state == "paused"
    control.resume()
    view = session.wait(5.0)
    assert view is not None and view.clock.state == "running"
    assert session.known_clock().state == "running"
    assert read == []  # neither the woken views nor the known clock read it


def _count_store_calls(session: TraineeSession, monkeypatch) -> dict[str, int]:
    """Count the seat's reads of the store, by method (its watch's read included)."""
    calls: dict[str, int] = {}
    store = session.exercise.store
    for name in ("read", "read_kinds", "seats", "last_id", "saved_states"):
        original = getattr(store, name)

        def spy(*args: object, _original=original, _name=name, **kwargs: object) -> object:
            calls[_name] = calls.get(_name, 0) + 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(store, name, spy)
    return calls


def test_an_arriving_message_costs_the_seat_one_read(service, live, monkeypatch, tmp_path) -> None:
    """Issue 10 (speed): a woken seat read its news three times (the watch, the fold of
    its team's state, the team's events) and the roster once more, for every message;
    the watch's read now feeds the fold and the seat's log, and the roster is kept."""
    exercise, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    ana.view()
    control = ExerciseService.open(tmp_path / "ex.db")  # a store of its own, as elsewhere
    monkeypatch.setattr("simtrain.views.session.TICK_EVERY_S", float("inf"))  # no due reads
    calls = _count_store_calls(ana, monkeypatch)
    for n in range(3):
        control.exercise("quay").message("red", "To the office.", subject=f"Quay office {n}")
        view = ana.wait(5.0)
        assert view is not None and view.inbox[0].subject == f"Quay office {n}"
    control.close()
    assert calls == {"read": 3}
    assert view is not None and view.seq == exercise.snapshot("red")[0]
    with ExerciseService.open(tmp_path / "ex.db") as other:  # all read afresh: the same
        assert TraineeSession(other.exercise("quay"), ana.seat).view(clock=view.clock) == view


def test_a_view_after_the_seats_own_decision_takes_what_the_watch_left_out(service, live) -> None:
    """The watch worker builds its view from the news it brought while the trainee's own
    decision (the UI thread) may have gone further: the view holds both, in order."""
    exercise, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    first = ana.view()
    cursor = exercise.last_id()
    exercise.message("red", "Report to the quay office.", subject="Quay office")
    news = ana.exercise.watch(cursor, 5.0, teams=("red",), tick=False)
    assert ana.choose("note_indicators", "", first.seq).accepted
    view = ana.view(tick=False, news=news)
    assert view.seq == exercise.snapshot("red")[0]
    assert view.inbox[0].subject == "Quay office"
    assert any(e.kind == "decision" and e.own for e in view.timeline)
    seqs = [e.seq for e in ana._events]
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_roster_change_still_reaches_a_woken_seat(service, live, monkeypatch) -> None:
    """The seat keeps the roster it read between pieces of news; a join, a leave and a
    lease running out still reach its view with the next news."""
    exercise, codes = live
    sam = seat(service, codes, "social_worker", "Sam")

    def on_the_quay(view: SeatView | None) -> ChoiceView:
        assert view is not None
        return {c.id: c for c in view.choices}["question_on_quay"]

    assert on_the_quay(sam.view()).open_role  # no investigator: Sam may question
    monkeypatch.setenv(LEASE_ENV, "1.0")
    ivo = exercise.join("red", codes["red"], "investigator", "Ivo")  # no heartbeat
    assert not on_the_quay(sam.wait(5.0)).mine
    deadline = time.monotonic() + 10
    while exercise.roster("red")[-1].online(time.time()) and time.monotonic() < deadline:
        time.sleep(0.05)
    exercise.message("red", "Report to the quay office.", subject="Quay office")
    assert on_the_quay(sam.wait(5.0)).open_role  # Ivo's lease ran out: open again
    monkeypatch.setenv(LEASE_ENV, "600")
    exercise.leave(ivo)
    ida = exercise.join("red", codes["red"], "investigator", "Ida")
    assert not on_the_quay(sam.wait(5.0)).mine
    exercise.leave(ida)
    assert on_the_quay(sam.wait(5.0)).open_role


def test_news_of_another_team_does_not_end_a_seats_wait(service, live, tmp_path) -> None:
    """Issue 10 (speed): every commit of another team woke each seat's wait, which gave
    up, and the screen took a clock tick for nothing (six teams: five times a round).
    The seat now waits on for what is left of its time."""
    exercise, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    ana.view()
    exercise.publish("birth_certificate", "blue")
    control = ExerciseService.open(tmp_path / "ex.db")
    later = threading.Timer(
        0.3, lambda: control.exercise("quay").publish("birth_certificate", "red")
    )
    later.start()
    try:
        view = ana.wait(5.0)
    finally:
        later.join()
        control.close()
    assert view is not None and view.inbox[0].subject == "A birth certificate arrived"


def test_a_woken_view_looks_at_each_event_once_and_equals_one_built_afresh(
    service, live, monkeypatch, tmp_path
) -> None:
    """Issue 10 (speed): each view walked the team's whole log again (inbox, timeline,
    hold, conversations) for every arriving message. The seat now keeps what its views
    took from the log (``SeatLog``) and looks at the new events only, and at all of them
    again when what it may see changes (a role is taken, the debrief is released)."""
    _, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    ana.view()
    taken: list[int] = []
    original = SeatLog._take

    def spy(self: SeatLog, scenario, seat, audience, entry) -> None:  # type: ignore[no-untyped-def]
        taken.append(entry.id)
        original(self, scenario, seat, audience, entry)

    monkeypatch.setattr(SeatLog, "_take", spy)
    with ExerciseService.open(tmp_path / "ex.db") as other:
        control = other.exercise("quay")

        def afresh(view: SeatView) -> SeatView:
            return TraineeSession(other.exercise("quay"), ana.seat).view(clock=view.clock)

        def woken() -> tuple[SeatView, list[int]]:
            taken.clear()
            view = ana.wait(5.0)
            assert view is not None
            looked_at = list(taken)
            assert afresh(view) == view
            return view, looked_at

        to_ben = control.message("red", "Only for the social worker.", roles=["social_worker"])
        mine = f"message:{to_ben.id}"
        view, looked_at = woken()  # no one holds the social worker's role: it reaches Ana
        assert looked_at == [to_ben.id] and view.inbox[0].key == mine
        ben = control.join("red", codes["red"], "social_worker", "Ben")
        view, looked_at = woken()  # the role is taken: the whole log again, without it
        assert all(item.key != mine for item in view.inbox) and len(looked_at) > 2
        control.hold_teams("red")
        view, looked_at = woken()
        assert view.held and len(looked_at) == 1
        control.release_teams("red")
        assert not woken()[0].held
        result = ana.choose("note_indicators", "my reasons", ana.view().seq)
        assert result.accepted and afresh(result.view) == result.view
        control.leave(ben)
        control.release_debrief()
        view, _ = woken()
        assert view.debrief is not None and view.inbox[0].key == mine


def test_a_message_leaves_the_folded_state_as_it_was(service, live, tmp_path) -> None:
    """A message, a join or a note changes nothing the engine folds: the watch that brings
    one keeps the team's state as it is (it copied the state for every message)."""
    _, codes = live
    ana = seat(service, codes, "investigator", "Ana")
    seq, before = ana.exercise.snapshot("red", tick=False)
    with ExerciseService.open(tmp_path / "ex.db") as other:
        other.exercise("quay").message("red", "To the office.", subject="Quay office")
    news = ana.exercise.watch(ana.exercise.last_id() - 1, 5.0, tick=False)
    assert [type(e.event).__name__ for e in news] == ["MessageSent"]
    after_seq, after = ana.exercise.snapshot("red", tick=False, read=False)
    assert after_seq == seq + 1 and after is before
