"""The command line: exit codes, sentences on stderr, JSON shapes (SPEC §4)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from simtrain.cli import main

from .conftest import FIXTURES

SCENARIO = str(FIXTURES / "every_feature.yaml")


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args))


def test_every_command_has_help() -> None:
    def walk(group: click.Group, prefix: list[str]) -> list[list[str]]:
        found = []
        for name, command in group.commands.items():
            found.append([*prefix, name])
            if isinstance(command, click.Group):
                found += walk(command, [*prefix, name])
        return found

    for path in walk(main, []):
        result = invoke(*path, "--help")
        assert result.exit_code == 0, path
        command: click.Command = main
        for name in path:
            assert isinstance(command, click.Group)
            command = command.commands[name]
        assert command.help, f"{' '.join(path)} has no help text"


def test_run_json_matches_spec() -> None:
    result = invoke(
        "run",
        SCENARIO,
        "screen_individually",
        "as:social_worker",
        "offer_rest",
        "refer_nrm",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scenario"] == "quay-demo" and data["scene"] == "referral_done"
    assert data["ended"] is True and data["outcome"] == "success"
    assert data["case_file"] == ["manifest", "medical"]
    assert data["inbox"] == ["interpreter_alert"]
    assert data["path"][0] | {} == data["path"][0]
    assert {k: data["path"][0][k] for k in ("scene", "choice", "role")} == {
        "scene": "quay",
        "choice": "screen_individually",
        "role": "investigator",
    }
    assert data["score"]["competencies"]["safety"] == {"points": 2, "max": 3}
    assert data["score"]["critical"] == []


def test_run_refused_step_exits_1_naming_step_and_reason() -> None:
    result = invoke("run", SCENARIO, "screen_individually", "send_back", "offer_rest")
    assert result.exit_code == 1
    assert "step 3 ('offer_rest') was refused" in result.stderr
    assert "Traceback" not in result.output


def test_run_invalid_scenario_exits_1_with_diagnostics() -> None:
    result = invoke("run", str(FIXTURES / "ten_defects.yaml"))
    assert result.exit_code == 1
    assert "ten_defects.yaml:20:15: error: goto 'screning'" in result.stderr


def test_usage_error_exits_2() -> None:
    assert invoke("graph", SCENARIO, "--format", "png").exit_code == 2
    assert invoke("nosuchcommand").exit_code == 2


def test_explore_json_and_paths_replay() -> None:
    result = invoke("explore", SCENARIO, "--json")
    data = json.loads(result.stdout)
    assert data["complete"] is True
    assert data["endings"] == {
        "referral_done": "success",
        "returned": "failure",
        "lost_contact": "partial",
    }
    assert data["unreachable_scenes"] == [] and data["traps"] == []
    assert data["score_range"]["safety"] == {"min": -2, "max": 3}
    for ending, steps in data["paths"].items():
        replayed = json.loads(invoke("run", SCENARIO, *steps, "--json").stdout)
        assert replayed["scene"] == ending


def test_explore_cap_reports_incomplete() -> None:
    data = json.loads(invoke("explore", SCENARIO, "--json", "--max-states", "3").stdout)
    assert data["complete"] is False and data["states"] == 3


def test_graph_formats_mark_endings_and_critical_choices() -> None:
    mermaid = invoke("graph", SCENARIO).stdout
    assert mermaid.startswith("flowchart TD")
    assert "★ question_on_quay" in mermaid and "ending: success" in mermaid
    dot = invoke("graph", SCENARIO, "--format", "dot").stdout
    assert dot.startswith('digraph "quay-demo"') and "doubleoctagon" in dot
    assert "★ send_back" in dot


def test_schema_is_draft_2020_12_from_the_model() -> None:
    schema = json.loads(invoke("schema").stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {"simtrain", "id", "title", "roles", "start", "scenes"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
    assert "content_warning" in schema["$defs"]["Scene"]["properties"]
    assert {"content_warning", "min_decisions"} <= set(schema["properties"])
    assert {"content_warning", "notes_for_roleplayers"} <= set(
        schema["$defs"]["Inject"]["properties"]
    )
    assert "notes_for_roleplayers" in schema["$defs"]["Scene"]["properties"]
    assert "dilemma" in schema["$defs"]["Choice"]["properties"]
    assert "characters" in schema["properties"]
    assert {"name", "card", "talks_to", "scenes"} == set(schema["$defs"]["Character"]["properties"])
    assert schema["$defs"]["Character"]["required"] == ["name", "scenes"]


def test_live_exercise_commands(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    missing = invoke("status", "--db", db, "--exercise", "x")
    assert missing.exit_code == 1 and "nothing was created" in missing.stderr
    assert not Path(db).exists()
    created = json.loads(
        invoke("exercise", "create", SCENARIO, "--db", db, "--team", "red", "--json").stdout
    )
    exercise, code = created["exercise"], created["teams"]["red"]["code"]
    assert len(code) == 6
    seat = ["--db", db, "--exercise", exercise, "--team", "red", "--role", "investigator"]
    early = invoke("act", *seat, "--code", code, "screen_individually")
    assert early.exit_code == 1 and "not started" in early.stderr
    assert invoke("exercise", "start", exercise, "--db", db).exit_code == 0
    wrong = invoke("act", *seat, "--code", "ZZZZZZ", "screen_individually")
    assert wrong.exit_code == 1 and "join code" in wrong.stderr
    acted = invoke("act", *seat, "--code", code, "screen_individually", "--json")
    assert json.loads(acted.stdout)["scene"] == "screening"
    status = json.loads(invoke("status", "--db", db, "--exercise", exercise, "--json").stdout)
    assert status["state"] == "running" and status["teams"]["red"]["scene"] == "screening"
    pause = invoke("exercise", "pause", exercise, "--db", db)
    # the exercise clock in the one format of the screens (h:mm:ss), not "0.0 min"
    assert pause.exit_code == 0 and re.fullmatch(
        rf"exercise {exercise} is paused at 0:0\d:\d\d\n", pause.stdout
    )
    text = invoke("status", "--db", db, "--exercise", exercise).stdout
    assert re.match(r".*: paused at 0:0\d:\d\d\n", text)
    paused = invoke("act", *seat, "--code", code, "offer_rest")
    assert paused.exit_code == 1 and "paused" in paused.stderr
    assert (
        "delivered" in invoke("inject", "--db", db, "--exercise", exercise, "transfer_order").stdout
    )
    moved = invoke(
        "move", "--db", db, "--exercise", exercise, "--team", "red", "--reason", "x", "scrning"
    )
    assert moved.exit_code == 1 and "did you mean 'screening'" in moved.stderr
    adjusted = invoke(
        "score",
        "--db",
        db,
        "--exercise",
        exercise,
        "--team",
        "red",
        "--note",
        "n",
        "--",
        "trust",
        "-1",
    )
    assert adjusted.exit_code == 0 and "trust is now 0" in adjusted.stdout
    note = ("note", "--db", db, "--exercise", exercise, "--team", "red")
    kindless = invoke(*note, "booked her despite the debt indicators")
    assert kindless.exit_code == 2 and "--kind" in kindless.stderr
    noted = invoke(*note, "--kind", "improvement", "booked her despite the debt indicators")
    assert noted.exit_code == 0
    listed = json.loads(invoke("exercise", "list", "--db", db, "--json").stdout)
    assert listed["exercises"][0]["state"] == "paused"


def test_serve_checks_the_database_and_the_port_before_listening(tmp_path: Path) -> None:
    not_db = tmp_path / "notdb.txt"
    not_db.write_text("hello\n")
    refused = invoke("serve", "--db", str(not_db))
    assert refused.exit_code == 1
    # the file name is kept as typed, not capitalised into "Notdb.txt"
    assert f"{not_db} is not a SQLite database" in refused.stderr
    assert "unexpected error" not in refused.stderr

    db = str(tmp_path / "ok.db")
    assert invoke("exercise", "create", SCENARIO, "--db", db, "--team", "red").exit_code == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = invoke("serve", "--db", db, "--port", str(port))
    assert busy.exit_code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in busy.stderr
    assert "unexpected error" not in busy.stderr


def test_help_loads_no_library_beyond_click() -> None:
    """`simtrain --help` answers in a blink: the command line imports what each command
    needs when it runs, so help never loads pydantic, SQLite or Textual (issue 13)."""
    code = (
        "import sys, simtrain.cli; "
        "heavy = ('pydantic', 'yaml', 'sqlite3', 'sqlite_utils', 'textual', 'rich'); "
        "print([m for m in sys.modules if m.split('.')[0] in heavy])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


STATUS_NEEDS_NONE_OF = (
    "difflib",  # "did you mean": only for a mistyped name
    "ctypes",  # inotify: only seats and watchers wait
    "importlib.resources",  # the shipped rubrics: only for a scenario read from its file
    "tempfile",
    "shutil",
    "random",
    "secrets",  # join codes and exercise ids: only where they are made
    "hmac",  # a join code checked
    "simtrain.engine.explore",  # the best scores are kept with the exercise
    "dataclasses",  # records are msgspec Structs: a class in microseconds, not a millisecond
)
"""Modules ``simtrain status`` (and ``replay``, ``exercise list``) used to import at
start-up without needing them (issue 13: ≤ 150 ms of imports for a command without a
screen). Each is imported where it is used."""


@pytest.mark.parametrize(
    ("command", "shows"),
    [
        (["status", "--exercise", "x", "--json"], lambda out: out["teams"]["red"]["scene"]),
        (["replay", "--exercise", "x", "--team", "red"], lambda out: out["scene"]),
        (["exercise", "list", "--json"], lambda out: out["exercises"][0]["exercise"] == "x"),
    ],
    ids=["status", "replay", "exercise-list"],
)
def test_commands_without_a_screen_import_only_what_they_need(
    tmp_path: Path, command: list[str], shows: Callable[[Any], object]
) -> None:
    """A module imported at the top of a module on the path of `status` (the engine, the
    store, the service) is paid by every command: these are imported where they are used."""
    db = str(tmp_path / "ex.db")
    created = invoke("exercise", "create", SCENARIO, "--db", db, "--team", "red", "--id", "x")
    assert created.exit_code == 0, created.output
    probe = (
        "import sys\n"
        "from simtrain.cli import main\n"
        f"main({[*command, '--db', db]!r}, standalone_mode=False)\n"
        f"print([m for m in {STATUS_NEEDS_NONE_OF!r} if m in sys.modules], file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert shows(json.loads(done.stdout))
    assert done.stderr.strip() == "[]"


def test_json_output_is_indented_for_reading_unless_it_is_large(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A person reads a small document; a large one (the status of 100 teams printing
    every decision) is written on one line, by the C encoder, several times faster."""
    from simtrain.cli import INDENTED_JSON_LIMIT, emit

    small = {"team": "red", "path": [{"scene": "s1", "clock": 1.5}], "bad": float("nan")}
    emit(small)
    out = capsys.readouterr().out
    assert out.count("\n") > 3 and json.loads(out) == {**small, "bad": None}
    large = {"rows": [{"n": i, "text": "x" * 60} for i in range(INDENTED_JSON_LIMIT // 60)]}
    emit(large)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and json.loads(out) == large


def test_say_and_mark_script_a_conversation(tmp_path: Path) -> None:
    from .conftest import character_scenario

    db = str(tmp_path / "c.db")
    path = str(character_scenario(tmp_path))
    created = json.loads(
        invoke(
            "exercise", "create", path, "--db", db, "--team", "red", "--id", "x", "--json"
        ).stdout
    )
    code, dara = created["teams"]["red"]["code"], created["characters"]["dara"]
    assert set(created["characters"]) == {"dara"} and len(dara) == 6
    plain = invoke("exercise", "create", SCENARIO, "--db", db, "--team", "red", "--json")
    assert json.loads(plain.stdout)["characters"] == {}
    assert invoke("exercise", "start", "x", "--db", db).exit_code == 0
    live = ["--db", db, "--exercise", "x", "--team", "red"]
    absent = invoke("say", *live, "--as", "dara", "Hello?")
    assert absent.exit_code == 1
    assert absent.stderr == (
        "simtrain: Ms Dara is not in team red's scene (“Night arrival at the quay”); the "
        "character is present in “Individual screening”\n"
    )
    seat = ["--role", "investigator", "--code", code]
    assert invoke("act", *live, *seat, "screen_individually").exit_code == 0
    said = invoke("say", *live, "--as", "dara", "--code", dara, "Who are you?")
    assert (said.exit_code, said.stdout) == (0, "1\n")
    worker = ["--role", "social_worker", "--code", code, "--name", "Asha"]
    assert invoke("say", *live, *worker, "I am Asha. May I sit?").stdout == "2\n"
    wrong = invoke("say", *live, *seat, "Tell me about the debt.")
    assert wrong.exit_code == 1
    assert "Ms Dara does not talk with the Border police investigator" in wrong.stderr
    bad_code = invoke("say", *live, "--as", "dara", "--code", "ZZZZZZ", "Hi")
    assert bad_code.exit_code == 1 and "does not open the role-player seat" in bad_code.stderr
    both = invoke("say", *live, "--as", "dara", *seat, "Hi")
    assert both.exit_code == 2 and "either --as" in both.stderr
    marked = invoke("mark", *live, "--line", "2", "--note", "asked first", "trust", "2")
    assert marked.exit_code == 0 and "line 2 marked; trust is now 3" in marked.stdout
    by_player = invoke(
        "mark", *live, "--line", "1", "--as", "dara", "--code", dara, "--", "safety", "-1"
    )
    assert by_player.exit_code == 0 and "safety is now 1" in by_player.stdout
    missing = invoke("mark", *live, "--line", "7", "trust", "1")
    assert (
        missing.exit_code == 1 and "no conversation line 7 (its lines are 1 to 2)" in missing.stderr
    )
    status = json.loads(invoke("status", "--db", db, "--exercise", "x", "--json").stdout)
    assert status["teams"]["red"]["score"]["competencies"]["trust"]["points"] == 3


def test_a_read_command_ends_quickly_with_all_its_output_and_the_right_code(
    tmp_path: Path,
) -> None:
    """status, replay and report end their process without tearing the heap down: the
    output is still whole, the exit code right, and the database fine for the next one."""
    db = str(tmp_path / "quick.db")
    assert (
        invoke(
            "exercise", "create", "port-arrivals", "--db", db, "--team", "red", "--id", "q"
        ).exit_code
        == 0
    )

    def simtrain(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "simtrain.cli", *args], capture_output=True, text=True
        )

    done = simtrain("status", "--db", db, "--exercise", "q", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["teams"]["red"]["scene"] == "quay"
    report = simtrain("report", "--db", db, "--exercise", "q", "--format", "html")
    assert report.returncode == 0 and report.stdout.rstrip().endswith("</html>")
    replayed = simtrain("replay", "--db", db, "--exercise", "q", "--team", "red")
    assert replayed.returncode == 0 and json.loads(replayed.stdout)["scene"] == "quay"
    refused = simtrain("status", "--db", db, "--exercise", "nope")
    assert refused.returncode == 1 and "no exercise 'nope'" in refused.stderr
    assert "Traceback" not in refused.stderr + done.stderr + report.stderr
    assert invoke("status", "--db", db, "--exercise", "q").exit_code == 0
