"""The README's facilitator and trainee commands, unchanged but for ``--db postgresql://…``
(or ``SIMTRAIN_DB``), against the test run's PostgreSQL server: create, start, act from
separate processes at once, inject, status, report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from simtrain.cli import main
from simtrain.tui.serve import trainee_command
from tests.pg_server import PgServer

from .conftest import FIXTURES

SCENARIO = str(FIXTURES / "every_feature.yaml")


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def test_the_acceptance_commands_run_on_a_postgresql_url(
    pg_server: PgServer, tmp_path: Path
) -> None:
    url = pg_server.new_database()
    created = invoke("exercise", "create", SCENARIO, "--db", url, "--team", "red", "--team",
                     "blue", "--id", "drill", "--json")  # fmt: skip
    assert created.exit_code == 0, created.stderr
    codes = {team: data["code"] for team, data in json.loads(created.stdout)["teams"].items()}
    # SIMTRAIN_DB stands for --db wherever --db is required
    env = {"SIMTRAIN_DB": url}
    assert invoke("exercise", "start", "drill", env=env).exit_code == 0

    # two teams act at once from their own processes, as seats on two hosts would
    acts = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from simtrain.cli import main; main(prog_name='simtrain')",
                "act",
                "--db",
                url,
                "--exercise",
                "drill",
                "--team",
                team,
                "--role",
                "investigator",
                "--code",
                codes[team],
                "screen_individually",
                "--json",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for team in ("red", "blue")
    ]
    for process in acts:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert json.loads(out)["scene"] == "screening"

    injected = invoke("inject", "--exercise", "drill", "transfer_order", env=env)
    assert injected.exit_code == 0 and "delivered" in injected.stdout
    status = json.loads(invoke("status", "--exercise", "drill", "--json", env=env).stdout)
    assert status["state"] == "running"
    # both teams' choices landed, and the inject took both on to its scene
    assert {team["scene"] for team in status["teams"].values()} == {"escalation"}
    report = tmp_path / "report.html"
    done = invoke("report", "--exercise", "drill", "--format", "html", "-o", str(report), env=env)
    assert done.exit_code == 0, done.stderr
    assert "transfer" in report.read_text(encoding="utf-8").lower()

    # a self-contained SQLite copy of the server's exercise answers the same
    copy = str(tmp_path / "copy.db")
    copied = invoke("backup", "-o", copy, env=env)
    assert copied.exit_code == 0 and pg_server.password not in copied.stdout
    again = json.loads(invoke("status", "--db", copy, "--exercise", "drill", "--json").stdout)
    assert again["teams"] == status["teams"]  # scenes, inboxes, the roster's open roles


def test_create_hints_the_start_command_without_the_password(pg_server: PgServer) -> None:
    url = pg_server.new_database()
    created = invoke("exercise", "create", SCENARIO, "--db", url, "--team", "red", "--id", "x")
    assert created.exit_code == 0, created.stderr
    assert pg_server.password not in created.stdout
    # the URL as typed (its options kept: here the test's own schema), less the password
    bare = url.replace(f":{pg_server.password}@", "@")
    assert f"exercise start x --db '{bare}'" in created.stdout


def test_a_refused_login_is_one_sentence_without_the_password(pg_server: PgServer) -> None:
    url = pg_server.url("simtrain", password="not-the-password")
    refused = invoke("status", "--db", url, "--exercise", "drill")
    assert refused.exit_code == 1
    assert "refused the login of user 'simtrain'" in refused.stderr
    assert "not-the-password" not in refused.stderr and "Traceback" not in refused.stderr


def test_serve_hands_seats_the_url_without_its_password(pg_server: PgServer) -> None:
    before = os.environ.get("PGPASSWORD")
    try:
        command = trainee_command(pg_server.url("simtrain"))
        assert pg_server.password not in command
        assert f"postgresql://simtrain@127.0.0.1:{pg_server.port}/simtrain" in command
        assert os.environ["PGPASSWORD"] == pg_server.password
    finally:
        if before is None:
            os.environ.pop("PGPASSWORD", None)
        else:
            os.environ["PGPASSWORD"] = before


def test_migrate_store_copies_an_exercise_there_and_back(
    pg_server: PgServer, tmp_path: Path
) -> None:
    db, url, back = str(tmp_path / "course.db"), pg_server.new_database(), str(tmp_path / "b.db")
    created = invoke("exercise", "create", SCENARIO, "--db", db, "--team", "red", "--team",
                     "blue", "--id", "drill", "--json")  # fmt: skip
    code = json.loads(created.stdout)["teams"]["red"]["code"]
    assert invoke("exercise", "start", "drill", "--db", db).exit_code == 0
    seat = ["--exercise", "drill", "--team", "red", "--role", "investigator", "--code", code]
    assert invoke("act", "--db", db, *seat, "screen_individually").exit_code == 0
    assert invoke("exercise", "pause", "drill", "--db", db).exit_code == 0
    before = json.loads(invoke("status", "--db", db, "--exercise", "drill", "--json").stdout)

    there = invoke("migrate-store", "--from", db, "--to", url)
    assert there.exit_code == 0, there.stderr
    assert "copied drill: " in there.stdout and "replays the same" in there.stdout
    moved = json.loads(invoke("status", "--db", url, "--exercise", "drill", "--json").stdout)
    assert moved["teams"] == before["teams"] and moved["state"] == "paused"
    # the join codes came along: the team goes on on the server
    assert invoke("exercise", "resume", "drill", "--db", url).exit_code == 0
    acted = invoke("act", "--db", url, *seat, "offer_rest", "--json")
    assert acted.exit_code == 0, acted.stderr

    again = invoke("migrate-store", "--from", db, "--to", url)
    assert again.exit_code == 1 and "Exercise 'drill' already exists" in again.stderr

    home = invoke("migrate-store", "--from", url, "--to", back, "--exercise", "drill")
    assert home.exit_code == 0, home.stderr
    after = json.loads(invoke("status", "--db", back, "--exercise", "drill", "--json").stdout)
    server = json.loads(invoke("status", "--db", url, "--exercise", "drill", "--json").stdout)
    assert after["teams"] == server["teams"] != before["teams"]
