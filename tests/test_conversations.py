"""Conversations with characters (issue 17): lines, marks, presence, codes, audiences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simtrain.engine.events import LineMarked, Said
from simtrain.exercise import FACILITATOR, ROLEPLAYER, Created, ExerciseError, ExerciseService
from simtrain.exercise.conversations import LINE_LENGTH
from simtrain.views.audience import Audience
from simtrain.views.conversation import transcripts, transcripts_json
from simtrain.views.timeline import timeline

from .conftest import character_scenario


@pytest.fixture
def created(tmp_path: Path) -> Created:
    service = ExerciseService.open(tmp_path / "w.db", create=True)
    made = service.create_exercise(character_scenario(tmp_path), ["red", "blue"])
    made.exercise.start()
    return made


def _to_screening(made: Created, team: str = "red") -> None:
    exercise = made.exercise
    seat = exercise.headless_seat(team, made.teams[team], "investigator", "Ivo")
    exercise.act(seat, "screen_individually")


def test_create_gives_a_code_per_character_kept_only_as_a_hash(created: Created) -> None:
    code = created.characters["dara"]
    assert len(code) == 6
    stored = created.exercise.record.settings["character_codes"]["dara"]
    assert code not in str(stored) and stored["hash"].startswith("scrypt$")
    created.exercise.check_character_code("dara", code.lower())
    with pytest.raises(ExerciseError, match="does not open the role-player seat of Ms Dara"):
        created.exercise.check_character_code("dara", "WRONG1")
    with pytest.raises(ExerciseError, match=r"'dra' is not a character.*did you mean 'dara'"):
        created.exercise.check_character_code("dra", code)


def test_a_conversation_numbers_its_lines_and_a_mark_counts_in_the_score(
    created: Created,
) -> None:
    exercise = created.exercise
    _to_screening(created)
    before = exercise.state("red").points["trust"]
    seq = exercise.seq("red")
    assert exercise.speak_as("red", "dara", "Who are you?", by=ROLEPLAYER) == 1
    worker = exercise.headless_seat("red", created.teams["red"], "social_worker", "Asha")
    assert exercise.say(worker, "I am Asha, a social worker. May I sit down?") == 2
    state = exercise.mark("red", 2, "trust", 2, "asked permission first", character="dara")
    assert state.points["trust"] == before + 2
    assert [(m.line, m.competency, m.points, m.note) for m in state.marks] == [
        (2, "trust", 2, "asked permission first")
    ]
    assert exercise.replay("red").points == state.points  # through the one fold
    assert exercise.seq("red") == seq  # a mark changes nothing the team faces
    entries = exercise.conversation("red")
    assert [e.actor for e in entries] == [ROLEPLAYER, "Asha"]
    assert [(e.event.speaker, e.event.role) for e in entries if isinstance(e.event, Said)] == [
        ("Ms Dara", ""),
        ("Asha", "social_worker"),
    ]
    assert exercise.status()["teams"]["red"]["score"]["competencies"]["trust"]["points"] == (
        before + 2
    )


def test_who_may_talk_is_refused_in_a_plain_sentence(created: Created) -> None:
    exercise = created.exercise
    worker = exercise.headless_seat("red", created.teams["red"], "social_worker", "Asha")
    with pytest.raises(ExerciseError, match=r"no one in team red's scene .*Night arrival"):
        exercise.say(worker, "Hello?")
    with pytest.raises(
        ExerciseError, match=r"Ms Dara is not in team red's scene .*present in “Individual"
    ):
        exercise.speak_as("red", "dara", "Hello?")
    _to_screening(created)
    investigator = exercise.headless_seat("red", created.teams["red"], "investigator", "Ivo")
    with pytest.raises(
        ExerciseError, match="Ms Dara does not talk with the Border police investigator"
    ):
        exercise.say(investigator, "Tell me about the debt.")
    with pytest.raises(
        ExerciseError, match=r"does not talk with the .*talks with: Reception social worker"
    ):
        exercise.say(investigator, "Tell me.", "dara")
    with pytest.raises(ExerciseError, match="team blue's scene"):
        exercise.speak_as("blue", "dara", "Hello?")
    assert exercise.conversation("red") == []


def test_a_line_is_plain_capped_text_and_the_exercise_must_run(created: Created) -> None:
    exercise = created.exercise
    _to_screening(created)
    number = exercise.speak_as("red", "dara", "a\x1b]52;c;Zm9v\x07b \x1b[2J  c\n d")
    line = exercise.conversation("red")[number - 1].event
    assert isinstance(line, Said) and line.text == "ab c d"
    with pytest.raises(ExerciseError, match=f"at most {LINE_LENGTH} characters .*has 601"):
        exercise.speak_as("red", "dara", "x" * (LINE_LENGTH + 1))
    with pytest.raises(ExerciseError, match="the line is empty"):
        exercise.speak_as("red", "dara", "\x1b[2J  ")
    exercise.pause()
    with pytest.raises(ExerciseError, match="is paused"):
        exercise.speak_as("red", "dara", "Hello?")


def test_marks_are_checked(created: Created) -> None:
    exercise = created.exercise
    _to_screening(created)
    exercise.speak_as("red", "dara", "Hello.")
    with pytest.raises(ExerciseError, match=r"no conversation line 4 .*1 to 1"):
        exercise.mark("red", 4, "trust", 1)
    with pytest.raises(ExerciseError, match=r"team blue has no conversation line 1 .*no lines"):
        exercise.mark("blue", 1, "trust", 1)
    with pytest.raises(ExerciseError, match="did you mean 'trust'"):
        exercise.mark("red", 1, "trusst", 1)
    with pytest.raises(ExerciseError, match="from -5 to 5, not 0"):
        exercise.mark("red", 1, "trust", 0)
    exercise.mark("red", 1, "trust", -1, by=FACILITATOR)
    with pytest.raises(ExerciseError, match=r"already marked for Trust and transparency .-1."):
        exercise.mark("red", 1, "trust", 1)
    exercise.end()
    with pytest.raises(ExerciseError, match="has ended"):
        exercise.mark("red", 1, "safety", 1)


def test_each_reader_sees_its_own_conversations(created: Created) -> None:
    exercise = created.exercise
    _to_screening(created, "red")
    _to_screening(created, "blue")
    exercise.speak_as("red", "dara", "RED-LINE")
    exercise.speak_as("blue", "dara", "BLUE-LINE")
    exercise.mark("red", 1, "trust", 1, "MARK-NOTE")
    red = transcripts(exercise, "red", Audience.of_team("red"))
    assert [line.text for t in red for line in t.lines] == ["RED-LINE"]
    assert red[0].lines[0].marks[0].note == "MARK-NOTE"
    assert transcripts(exercise, "blue", Audience.of_team("red")) == []
    seat = Audience.seat("red", "investigator", released=False)
    unreleased = transcripts(exercise, "red", seat)
    assert unreleased[0].lines[0].text == "RED-LINE" and unreleased[0].lines[0].marks == []
    player = Audience.roleplayer("dara", exercise.teams_reached("dara"))
    assert exercise.teams_reached("dara") == ["red", "blue"]
    assert [t.team for team in ("red", "blue") for t in transcripts(exercise, team, player)] == [
        "red",
        "blue",
    ]
    marks = transcripts_json(transcripts(exercise, "red", player))[0]["lines"][0]["marks"]
    assert marks == [
        {
            "competency": "trust",
            "competency_name": "Trust and transparency",
            "points": 1,
            "note": "MARK-NOTE",
        }
    ]
    timeline_text = [e["text"] for e in timeline(exercise, "red", for_team=True)]
    assert "Line 1 — Ms Dara: “RED-LINE”" in timeline_text
    assert "Line 1 marked Trust and transparency +1: MARK-NOTE" in timeline_text


def test_a_roleplayer_reads_nothing_but_its_character(created: Created) -> None:
    player = Audience.roleplayer("dara", ["red"])
    assert player.reads_team("red") and not player.reads_team("blue")
    assert player.sees(Said(line=1, character="dara", text="x", clock=0))
    assert not player.sees(Said(line=1, character="other", text="x", clock=0))
    assert player.sees(LineMarked(1, "trust", 1, 0.0, "dara"))
    assert not player.sees_assessment and not player.private
    exercise = created.exercise
    for logged in exercise.events():
        if not isinstance(logged.event, Said | LineMarked):
            assert not player.sees(logged.event)


def test_reports_hold_each_teams_transcript_with_its_marks(created: Created) -> None:
    from simtrain.report import render_report

    exercise = created.exercise
    _to_screening(created, "red")
    _to_screening(created, "blue")
    worker = exercise.headless_seat("red", created.teams["red"], "social_worker", "Asha")
    exercise.speak_as("red", "dara", "Will he be told what I say?", by=ROLEPLAYER)
    exercise.say(worker, "No. <b>May I</b> ask *one* question?")
    exercise.mark("red", 2, "trust", 2, "asked permission first", character="dara")
    exercise.speak_as("blue", "dara", "BLUE-ONLY line")
    markdown = render_report(exercise, "md")
    assert "### Conversations" in markdown and "**With Ms Dara**" in markdown
    assert "- Line 1 · " in markdown and "**Ms Dara**: Will he be told what I say?" in markdown
    assert (
        "**Asha (Reception social worker)**: No. \\<b\\>May I\\</b\\> ask \\*one\\* question?"
        in (markdown)
    )
    assert "  - Marked: Trust and transparency +2 — asked permission first" in markdown
    assert "Points include marks on conversation lines: Trust and transparency +2." in markdown
    assert "BLUE-ONLY line" in markdown
    page = render_report(exercise, "html")
    assert "<h3>Conversations</h3>" in page and "&lt;b&gt;May I&lt;/b&gt;" in page
    assert "Marked: Trust and transparency" in page and "asked permission first" in page
    document = json.loads(render_report(exercise, "json"))
    red = document["teams"]["red"]
    assert red["conversations"][0]["lines"][1]["marks"][0]["points"] == 2
    assert red["score"]["competencies"]["trust"]["conversation"] == 2
    before = json.loads(render_report(exercise, "json", team="red"))
    assert "blue" not in before["teams"]
    lines = before["teams"]["red"]["conversations"][0]["lines"]
    assert lines[0]["text"] == "Will he be told what I say?"
    assert all(line["marks"] == [] for line in lines)  # marks are the assessment
    assert "Marked:" not in render_report(exercise, "md", team="red")
    exercise.release_debrief()
    after = render_report(exercise, "md", team="red")
    assert "Marked: Trust and transparency +2" in after and "BLUE-ONLY" not in after
