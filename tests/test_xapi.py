"""xAPI statements of a played exercise, and sending them to an LRS (issue 19)."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from simtrain.cli import main
from simtrain.exercise import ROLEPLAYER, ExerciseService
from simtrain.lrs import LrsError, send_statements
from simtrain.report import render_report

from .conftest import FIXTURES, character_scenario
from .test_report import Recorded, record

BASE = "https://academy.example.org/simtrain/"
IRI = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s]+$")
STATEMENT_KEYS = {
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
}
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


# -- the check of xAPI 1.0.3's required properties ---------------------------------------------


def check_uuid(value: Any, where: str) -> None:
    assert isinstance(value, str), where
    parsed = uuid.UUID(value)
    assert str(parsed) == value and parsed.variant == uuid.RFC_4122, where


def check_language_map(value: Any, where: str) -> None:
    assert isinstance(value, dict) and value, where
    for tag, text in value.items():
        assert re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", tag), where
        assert isinstance(text, str) and text, where


def check_extensions(value: Any, where: str) -> None:
    assert isinstance(value, dict), where
    assert all(IRI.match(key) for key in value), where


def check_agent(agent: Any, where: str, *, group_allowed: bool = True) -> None:
    assert isinstance(agent, dict), where
    kind = agent.get("objectType", "Agent")
    assert kind in (("Agent", "Group") if group_allowed else ("Agent",)), where
    ifis = [key for key in IFIS if key in agent]
    if kind == "Agent":
        assert len(ifis) == 1, f"{where}: an Agent has exactly one identifier"
    else:
        assert len(ifis) <= 1, where
        assert ifis or agent.get("member"), f"{where}: an anonymous group lists its members"
        for member in agent.get("member", []):
            check_agent(member, f"{where}.member", group_allowed=False)
    if "account" in agent:
        account = agent["account"]
        assert set(account) == {"homePage", "name"}, where
        assert IRI.match(account["homePage"]) and account["name"], where
    assert "mbox" not in agent, f"{where}: no e-mail unless given"


def check_activity(activity: Any, where: str) -> None:
    assert activity.get("objectType", "Activity") == "Activity", where
    assert IRI.match(activity["id"]), where
    definition = activity.get("definition", {})
    assert set(definition) <= {"name", "description", "type", "moreInfo", "extensions"}, where
    for key in ("name", "description"):
        if key in definition:
            check_language_map(definition[key], f"{where}.definition.{key}")
    if "type" in definition:
        assert IRI.match(definition["type"]), where


def check_statement(statement: dict[str, Any]) -> None:
    """The required properties of an xAPI 1.0.3 statement and the shapes of the optional
    ones simtrain writes (xAPI spec, part two, 2.4)."""
    where = statement.get("id", "a statement")
    assert set(statement) <= STATEMENT_KEYS, where
    for key in ("id", "actor", "verb", "object", "timestamp", "version"):
        assert key in statement, f"{where}: {key} missing"
    check_uuid(statement["id"], "id")
    check_agent(statement["actor"], f"{where}.actor")
    verb = statement["verb"]
    assert IRI.match(verb["id"]) and verb["id"].startswith("http://adlnet.gov/expapi/verbs/")
    check_language_map(verb["display"], f"{where}.verb.display")
    check_activity(statement["object"], f"{where}.object")
    timestamp = statement["timestamp"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", timestamp), where
    datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    assert statement["version"] == "1.0.3"
    if "result" in statement:
        result = statement["result"]
        assert set(result) <= {
            "score",
            "success",
            "completion",
            "response",
            "duration",
            "extensions",
        }
        if "score" in result:
            score = result["score"]
            assert set(score) <= {"scaled", "raw", "min", "max"} and score, where
            assert all(isinstance(v, int | float) for v in score.values()), where
            if "scaled" in score:
                assert -1 <= score["scaled"] <= 1, where
        for key in ("success", "completion"):
            if key in result:
                assert isinstance(result[key], bool), where
        if "response" in result:
            assert isinstance(result["response"], str), where
        if "extensions" in result:
            check_extensions(result["extensions"], f"{where}.result.extensions")
    if "context" in statement:
        context = statement["context"]
        allowed = {
            "registration",
            "instructor",
            "team",
            "contextActivities",
            "revision",
            "platform",
            "language",
            "statement",
            "extensions",
        }
        assert set(context) <= allowed, where
        if "registration" in context:
            check_uuid(context["registration"], f"{where}.context.registration")
        if "team" in context:
            assert context["team"]["objectType"] == "Group", where
            check_agent(context["team"], f"{where}.context.team")
        for kind, activities in context.get("contextActivities", {}).items():
            assert kind in ("parent", "grouping", "category", "other"), where
            assert isinstance(activities, list), where
            for activity in activities:
                check_activity(activity, f"{where}.context.{kind}")
        if "extensions" in context:
            check_extensions(context["extensions"], f"{where}.context.extensions")


# -- a played exercise -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    """test_report's two-team exercise, played again for these tests."""
    db = tmp_path_factory.mktemp("xapi") / "course.db"
    exercise = record(db)
    yield Recorded(db, exercise)
    exercise.store.close()


@pytest.fixture(scope="module")
def every(recorded: Recorded) -> list[dict[str, Any]]:
    return json.loads(render_report(recorded.exercise, "xapi", None, xapi_base=BASE))


def verbs(statements: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(actor, verb, object id after the scenario) of each statement."""
    prefix = BASE + "scenarios/quay-demo"
    return [
        (s["actor"]["name"], s["verb"]["display"]["en-US"], s["object"]["id"].removeprefix(prefix))
        for s in statements
    ]


def test_a_played_exercise_gives_valid_xapi_statements(every: list[dict[str, Any]]) -> None:
    assert every
    for statement in every:
        check_statement(statement)
    assert len({s["id"] for s in every}) == len(every)


def test_decisions_injects_and_endings_become_statements(every: list[dict[str, Any]]) -> None:
    red = [s for s in every if s["context"]["team"]["name"] == "red"]
    assert verbs(red) == [
        ("Amira", "answered", "/choices/note_indicators"),
        ("Sam", "answered", "/choices/screen_individually"),
        ("red", "experienced", "/injects/interpreter_alert"),
        ("Sam", "answered", "/choices/replace_interpreter"),
        ("Sam", "answered", "/choices/offer_rest"),
        ("red", "experienced", "/injects/birth_certificate"),
        ("red", "experienced", "/injects/journalist_call"),
        ("Amira", "answered", "/choices/refer_to_press_office"),
        ("Sam", "answered", "/choices/refer_nrm"),
        ("red", "completed", ""),
    ]
    press = red[7]
    assert press["object"]["definition"]["name"] == {"en": "Refer the caller to the press office"}
    assert press["result"]["score"] == {"raw": 2}
    assert press["result"]["extensions"][BASE + "extensions/competencies"] == {"rights": 2}
    assert press["context"]["contextActivities"]["parent"][0]["id"].endswith(
        "/injects/journalist_call"
    )
    assert press["actor"] == {
        "objectType": "Agent",
        "name": "Amira",
        "account": {"homePage": BASE, "name": "Amira"},
    }
    assert press["timestamp"] == "2023-11-14T22:22:20.000Z"  # the wall time of the event
    ending = red[-1]
    assert ending["actor"]["objectType"] == "Group"
    assert ending["result"]["success"] is True and ending["result"]["completion"] is True
    blue_ending = next(
        s
        for s in every
        if s["verb"]["display"]["en-US"] == "completed" and s["actor"]["name"] == "blue"
    )
    assert blue_ending["result"]["success"] is False
    assert blue_ending["result"]["extensions"][BASE + "extensions/outcome"] == "failure"
    critical = next(s for s in every if s["object"]["id"].endswith("/choices/send_back"))
    assert critical["result"]["extensions"][BASE + "extensions/critical"]


def test_ids_and_registrations_are_stable_and_one_per_team(
    recorded: Recorded, every: list[dict[str, Any]]
) -> None:
    again = json.loads(render_report(recorded.exercise, "xapi", None, xapi_base=BASE))
    assert again == every
    registrations: dict[str, set[str]] = {}
    for s in every:
        registrations.setdefault(s["context"]["team"]["name"], set()).add(
            s["context"]["registration"]
        )
    assert [len(r) for r in registrations.values()] == [1, 1]
    assert registrations["red"] != registrations["blue"]


def test_a_teams_statements_follow_its_report_visibility(
    recorded: Recorded, every: list[dict[str, Any]]
) -> None:
    blue = json.loads(render_report(recorded.exercise, "xapi", "blue", xapi_base=BASE))
    assert blue == [s for s in every if s["context"]["team"]["name"] == "blue"]
    text = json.dumps(blue)
    for private in ("Amira", "Sam", "PRIVATE-", "MOVE-REASON", "SKIP-REASON", "journalist_call"):
        assert private not in text


def test_before_the_release_a_team_gets_no_score(tmp_path: Path) -> None:
    service = ExerciseService.open(tmp_path / "x.db", create=True)
    exercise, codes = service.create(FIXTURES / "every_feature.yaml", ["red"], exercise_id="x1")
    exercise.start()
    amira = exercise.join("red", codes["red"], "investigator", "Amira")
    exercise.act(amira, "question_on_quay", "Quick.")
    team = json.loads(render_report(exercise, "xapi", "red"))
    facilitator = json.loads(render_report(exercise, "xapi", None))
    for statement in team:
        check_statement(statement)
    assert [s["verb"]["display"]["en-US"] for s in team] == ["answered"]
    assert "score" not in team[0]["result"]
    assert "critical" not in json.dumps(team) and "competencies" not in json.dumps(team)
    assert facilitator[0]["result"]["score"] == {"raw": -2}
    # the two versions are two statements: an LRS never mistakes one for the other
    assert team[0]["id"] != facilitator[0]["id"]
    assert team[0]["object"]["id"].startswith("https://simtrain.invalid/xapi/")
    service.close()


def test_a_conversation_line_a_role_player_marked_is_a_statement(tmp_path: Path) -> None:
    service = ExerciseService.open(tmp_path / "c.db", create=True)
    made = service.create_exercise(character_scenario(tmp_path), ["red"])
    exercise = made.exercise
    exercise.start()
    ivo = exercise.headless_seat("red", made.teams["red"], "investigator", "Ivo")
    exercise.act(ivo, "screen_individually")
    exercise.speak_as("red", "dara", "Who are you?", by=ROLEPLAYER)
    asha = exercise.headless_seat("red", made.teams["red"], "social_worker", "Asha")
    exercise.say(asha, "I am Asha, a social worker. May I sit down?")
    exercise.say(asha, "Tell me where you sleep.")  # said, never marked: no statement
    exercise.mark("red", 2, "trust", 2, "asked permission first", character="dara")
    facilitator = json.loads(render_report(exercise, "xapi", None, xapi_base=BASE))
    for statement in facilitator:
        check_statement(statement)
    responded = [s for s in facilitator if s["verb"]["display"]["en-US"] == "responded"]
    assert len(responded) == 1
    line = responded[0]
    assert line["verb"]["id"] == "http://adlnet.gov/expapi/verbs/responded"
    assert line["actor"]["account"] == {"homePage": BASE, "name": "Asha"}
    assert line["object"]["id"] == BASE + "scenarios/quay-demo/characters/dara"
    assert line["object"]["definition"]["name"] == {"en": "Ms Dara"}
    assert line["result"]["response"] == "I am Asha, a social worker. May I sit down?"
    assert line["result"]["score"] == {"raw": 2}
    assert line["result"]["extensions"] == {
        BASE + "extensions/competencies": {"trust": 2},
        BASE + "extensions/note": "asked permission first",
    }
    assert line["context"]["extensions"][BASE + "extensions/line"] == 2
    # a mark is assessment: the team reads it only once the debrief is released
    team = json.loads(render_report(exercise, "xapi", "red", xapi_base=BASE))
    assert "responded" not in [s["verb"]["display"]["en-US"] for s in team]
    exercise.release_debrief()
    team = json.loads(render_report(exercise, "xapi", "red", xapi_base=BASE))
    assert [s for s in team if s["verb"]["display"]["en-US"] == "responded"] == responded
    service.close()


# -- sending to an LRS -------------------------------------------------------------------------


class FakeLrs:
    """A statements endpoint that checks what the xAPI spec requires of a client and stores
    each statement id once, as an LRS does."""

    def __init__(self, auth: str) -> None:
        self.auth = auth
        self.stored: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, int]] = []
        self.fail_next = 0
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def answer(self, status: int, body: Any = None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                lrs.requests.append((self.command, status))

            def received(self) -> Any:
                length = int(self.headers["Content-Length"])
                return json.loads(self.rfile.read(length))

            def refused(self) -> bool:
                if self.headers.get("X-Experience-API-Version") != "1.0.3":
                    self.answer(400, {"error": "X-Experience-API-Version missing"})
                    return True
                if self.headers.get("Authorization") != lrs.auth:
                    self.answer(401, {"error": "bad credentials"})
                    return True
                if lrs.fail_next:
                    lrs.fail_next -= 1
                    self.answer(503, {"error": "busy"})
                    return True
                return False

            def do_POST(self) -> None:
                batch = self.received()
                if self.refused():
                    return
                assert isinstance(batch, list)
                for statement in batch:
                    check_statement(statement)
                if any(s["id"] in lrs.stored for s in batch):
                    self.answer(409, {"error": "statement id already exists"})
                    return
                lrs.stored.update({s["id"]: s for s in batch})
                self.answer(200, [s["id"] for s in batch])

            def do_PUT(self) -> None:
                statement = self.received()
                if self.refused():
                    return
                statement_id = parse_qs(urlsplit(self.path).query)["statementId"][0]
                assert statement_id == statement["id"]
                check_statement(statement)
                if statement_id in lrs.stored:
                    self.answer(409)
                    return
                lrs.stored[statement_id] = statement
                self.answer(204)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/xapi/statements"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def lrs() -> Iterator[FakeLrs]:
    server = FakeLrs("Basic a2V5OnNlY3JldA==")  # key:secret
    yield server
    server.close()


def test_statements_go_to_the_lrs_in_batches_with_the_header_and_auth(
    lrs: FakeLrs, every: list[dict[str, Any]]
) -> None:
    waits: list[float] = []
    lrs.fail_next = 2
    sent = send_statements(every, lrs.url, auth="key:secret", batch=4, sleep=waits.append)
    assert sent.stored == len(every) and sent.already == 0
    assert sent.batches == 4 and sent.retries == 2
    assert waits == [0.5, 1.0]  # exponential backoff
    assert list(lrs.stored) == [s["id"] for s in every]
    assert lrs.stored == {s["id"]: s for s in every}


def test_sending_again_never_stores_a_statement_twice(
    lrs: FakeLrs, every: list[dict[str, Any]], recorded: Recorded, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a first send that got through part of the way
    send_statements(every[:6], lrs.url, auth="key:secret", batch=4)
    monkeypatch.setenv("SIMTRAIN_LRS_AUTH", "key:secret")
    args = ["report", "--db", str(recorded.db), "--exercise", "aar-1", "--format", "xapi"]
    args += ["--xapi-base", BASE, "--send", lrs.url]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"sent {len(every)} statements to {lrs.url} in 1 batch "
        "(6 the LRS already had, not stored again)"
    ]
    assert len(lrs.stored) == len(every)
    assert [r for r in lrs.requests if r[0] == "PUT"].count(("PUT", 409)) == 6


def test_a_refusal_of_the_lrs_is_a_sentence(
    lrs: FakeLrs, every: list[dict[str, Any]], recorded: Recorded, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(LrsError, match=r"answered 401 .* \(check SIMTRAIN_LRS_AUTH\); 0 of"):
        send_statements(every, lrs.url, auth="key:wrong")
    monkeypatch.setenv("SIMTRAIN_LRS_AUTH", "key:wrong")
    args = ["report", "--db", str(recorded.db), "--exercise", "aar-1", "--format", "xapi"]
    result = CliRunner().invoke(main, [*args, "--send", lrs.url])
    assert result.exit_code == 1
    assert "answered 401" in result.output and "Traceback" not in result.output
    assert not lrs.stored
    with pytest.raises(LrsError, match="is not an LRS statements URL"):
        send_statements(every, "ftp://lrs/statements")


def test_an_lrs_that_cannot_be_reached_is_retried_then_named(every: list[dict[str, Any]]) -> None:
    waits: list[float] = []
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_port
    closed.server_close()  # nothing listens there now
    url = f"http://127.0.0.1:{port}/statements"
    with pytest.raises(LrsError, match=r"could not reach the LRS .*, 3 times; 0 of"):
        send_statements(every, url, attempts=3, sleep=waits.append)
    assert waits == [0.5, 1.0]


def test_send_and_base_go_with_the_xapi_format(recorded: Recorded) -> None:
    args = ["report", "--db", str(recorded.db), "--exercise", "aar-1", "--send", "http://x/"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "--send and --xapi-base go with --format xapi" in result.output
    args = ["report", "--db", str(recorded.db), "--exercise", "aar-1", "--format", "xapi"]
    result = CliRunner().invoke(main, [*args, "--xapi-base", "academy"])
    assert result.exit_code == 1
    assert "'academy' is not an IRI to put activity ids under" in result.output
