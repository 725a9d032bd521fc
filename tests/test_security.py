"""The trust boundary (issue 12): hostile text, who may act when, and how the file is kept.

Each test here failed on the code before the fix it guards; docs/security.md lists which
promise each one holds.
"""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSServerHandshakeError
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner, Result
from msgspec.structs import astuple
from rich.console import Console
from textual.widgets import Static
from textual.widgets._toast import Toast

from facilitator.app import FacilitatorApp
from facilitator.team import TeamScreen
from simtrain.cli import main
from simtrain.engine.events import JoinFailed
from simtrain.exercise import (
    JOIN_FAILURE_DELAY_S,
    ExerciseError,
    ExerciseService,
    SceneChanged,
    Seat,
)
from simtrain.plaintext import clean_line, clean_text, scrub
from simtrain.tui.app import TraineeApp
from simtrain.tui.play import PlayScreen
from simtrain.tui.serve import SeatServer, make_server
from simtrain.tui.widgets import StatusLine
from simtrain.views.board import JOIN_FAILURES, build_board
from simtrain.views.session import join_seat
from simtrain.views.timeline import timeline
from tests.pilot import until

FIXTURE = Path(__file__).parent / "fixtures" / "every_feature.yaml"
EXERCISE = "quay"
MARKUP_NAMES = ["bad [/] x", "[@click=app.quit]"]
"""Invalid markup (crashed every screen that showed it) and a markup action."""
CLIPBOARD = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
"""OSC 52: writes to the clipboard of the terminal that shows it."""
CLEAR = "\x1b[2J"
"""CSI 2 J: clears the screen of the terminal that shows it."""


@pytest.fixture
def db(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A running exercise 'quay' with teams red and blue, and its join codes."""
    path = tmp_path / "ex.db"
    with ExerciseService.open(path, create=True) as svc:
        exercise, codes = svc.create(FIXTURE, ["red", "blue"], exercise_id=EXERCISE)
        exercise.start()
    return path, codes


def rendered(widget: Static) -> str:
    """What a Static shows, as plain text."""
    console = Console(width=200, file=io.StringIO(), color_system=None)
    with console.capture() as captured:
        console.print(widget.render())
    return captured.get()


def recorded(app: TraineeApp | FacilitatorApp) -> list[str]:
    """Every notification the app raises from now on (title and message); they are still
    shown, so a toast that cannot be drawn fails the test."""
    texts: list[str] = []
    notify = app.notify

    def spy(message: str, **kwargs: Any) -> None:
        texts.append(f"{kwargs.get('title', '')}: {message}")
        notify(message, **kwargs)

    app.notify = spy  # type: ignore[method-assign]
    return texts


def shown(app: TraineeApp | FacilitatorApp) -> list[str]:
    """The text of every toast on the screen, as drawn."""
    return [str(toast.render()) for toast in app.screen.query(Toast)]


def hostile_act(path: Path, code: str, name: str, choice: str = "question_on_quay") -> None:
    """Another process joins team red under ``name`` and makes ``choice``."""
    with ExerciseService.open(path) as other:
        exercise = other.exercise(EXERCISE)
        seat = exercise.join("red", code, "investigator", name)
        exercise.act(seat, choice, rationale=f"because {name}")


# -- hole 1: text is text, never markup ----------------------------------------------------------


@pytest.mark.parametrize("name", MARKUP_NAMES)
async def test_a_markup_name_shows_as_written_on_a_teammates_screen(
    db: tuple[Path, dict[str, str]], name: str
) -> None:
    path, codes = db
    service = ExerciseService.open(path)
    try:
        session = join_seat(service, EXERCISE, "red", codes["red"], "social_worker", "Ben")
        app = TraineeApp(service, session=session, view=session.view(), watch_timeout=0.1)
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, PlayScreen))
            status = app.screen.query_one(StatusLine)
            hostile_act(path, codes["red"], name)
            await until(pilot, lambda: "chose" in status.text)
            # the news is drawn (a markup error would raise in render) and reads as written
            await until(
                pilot, lambda: f"{name} (Border police investigator) chose" in str(status.render())
            )
            await pilot.press("t")
            timeline = app.screen.query_one("#timeline-text", Static)
            await until(pilot, lambda: f"{name} (Border" in rendered(timeline))
            assert app.is_running  # [@click=app.quit] did not become an action
    finally:
        service.close()


@pytest.mark.parametrize("name", MARKUP_NAMES)
async def test_a_markup_name_shows_as_written_on_the_console(
    db: tuple[Path, dict[str, str]], name: str
) -> None:
    path, codes = db
    service = ExerciseService.open(path)
    app = FacilitatorApp(service, service.exercise(EXERCISE), db=str(path))
    toasts = recorded(app)
    try:
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await until(pilot, lambda: app.board is not None)
            hostile_act(path, codes["red"], name)
            await until(pilot, lambda: any("CRITICAL" in t for t in toasts))
            # the toast is drawn (render() raised the markup error) and reads as written
            await until(
                pilot,
                lambda: any(
                    f"{name} (Border police investigator): critical error" in t for t in shown(app)
                ),
            )
            app.push_screen(TeamScreen("red"))
            await until(pilot, lambda: app.screen.query("#team-people"))
            people = app.screen.query_one("#team-people", Static)
            await until(pilot, lambda: name in rendered(people))
            assert app.is_running
    finally:
        app.wait_stopped()
        service.close()


# -- hole 2: no terminal control sequence crosses the boundary -----------------------------------


def test_control_sequences_are_removed_and_text_is_kept() -> None:
    assert clean_text(f"{CLIPBOARD}Ana") == "Ana"
    assert clean_text(f"{CLEAR}Bob\x07") == "Bob"
    assert clean_text("two\r\nlines\tand a tab") == "two\nlines\tand a tab"
    assert clean_text("\x9b31mred\u202eevil") == "redevil"
    assert clean_line("  a\n b  ", 40) == "a b"
    assert clean_text("bad [/] x — ünïcode ✓") == "bad [/] x — ünïcode ✓"
    assert scrub({"k\x1b": ["\x1b[2Jx", 3, None]}) == {"k": ["x", 3, None]}


def test_a_name_with_escapes_reaches_nobody(db: tuple[Path, dict[str, str]]) -> None:
    path, codes = db
    hostile_act(path, codes["red"], f"{CLIPBOARD}Ana{CLEAR}")
    with ExerciseService.open(path) as svc:
        exercise = svc.exercise(EXERCISE)
        events = exercise.events("red")
        assert {e.actor for e in events} == {"Ana"}
        assert all("\x1b" not in str(v) for e in events for v in astuple(e.event))
        assert exercise.state("red").path[0].rationale == "because Ana"


def raw_event(path: Path, actor: str, payload: dict[str, object]) -> None:
    """Write a decision the way an older simtrain (or a hand edit) could have: no cleaning."""
    conn = sqlite3.connect(path)
    with conn:
        seq = conn.execute(
            "SELECT coalesce(max(seq), 0) FROM events WHERE stream = 'team:red'"
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO events (exercise, stream, seq, kind, payload, clock, wall, actor, role) "
            "VALUES (?, 'team:red', ?, 'chose', ?, 1.0, ?, ?, 'investigator')",
            (EXERCISE, seq + 1, json.dumps(payload), time.time(), actor),
        )
    conn.close()


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "html"])
def test_reports_on_stdout_hold_no_control_sequence(
    db: tuple[Path, dict[str, str]], fmt: str
) -> None:
    path, _ = db
    raw_event(
        path,
        f"{CLIPBOARD}Mallory",
        {
            "choice": "note_indicators",
            "role": "investigator",
            "actor": f"{CLIPBOARD}Mallory",
            "rationale": f"{CLEAR}why\x07",
        },
    )
    result = CliRunner().invoke(
        main, ["report", "--db", str(path), "--exercise", EXERCISE, "--format", fmt]
    )
    assert result.exit_code == 0, result.output
    assert "Mallory" in result.output
    assert not any(c in result.output for c in "\x1b\x07\x9b")


def test_a_refusal_quoting_typed_text_holds_no_control_sequence(
    db: tuple[Path, dict[str, str]],
) -> None:
    path, codes = db
    result = CliRunner().invoke(
        main,
        [
            "act",
            "--db",
            str(path),
            "--exercise",
            EXERCISE,
            "--team",
            f"red{CLIPBOARD}",
            "--role",
            "investigator",
            "--code",
            codes["red"],
            "note_indicators",
        ],
    )
    assert result.exit_code == 1
    assert "has no team 'red" in result.output
    assert "\x1b" not in result.output


# -- hole 3: the file is its owner's ---------------------------------------------------------------


def test_a_new_database_and_its_wal_are_private(tmp_path: Path) -> None:
    path = tmp_path / "ex.db"
    with ExerciseService.open(path, create=True) as svc:
        svc.create(FIXTURE, ["red"], exercise_id=EXERCISE)[0].start()
        # while it is open, the -wal and -shm files exist: they hold the latest events
        sides = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
        assert all(side.exists() for side in sides)
        for name in (path, *sides):
            assert stat.S_IMODE(name.stat().st_mode) == 0o600, name


@pytest.mark.parametrize("side", ["", "-wal"])
def test_a_database_others_can_write_is_refused_with_a_sentence(
    db: tuple[Path, dict[str, str]], side: str
) -> None:
    path, _ = db
    target = path.with_name(path.name + side)
    target.touch()
    target.chmod(0o666)
    result = CliRunner().invoke(main, ["status", "--db", str(path), "--exercise", EXERCISE])
    assert result.exit_code == 1
    assert f"{target} can be written by other users (mode 0666)" in result.output
    assert f"chmod 600 {target}" in result.output
    assert "Traceback" not in result.output


# -- hole 9: backups -----------------------------------------------------------------------------

WRITER = """
import sys, time
from pathlib import Path
from simtrain.store import EventStore, NewEvent
store = EventStore.open(sys.argv[1])
stop = Path(sys.argv[2])
seq = 0
while not stop.exists():
    store.append("quay", "load", seq, [NewEvent("note", {"n": seq + 1}, 0.0, "writer")])
    seq += 1
    Path(sys.argv[3]).write_text(str(seq))
store.close()
"""


def events_in(path: Path) -> list[tuple[str, int]]:
    """(stream, seq) of every event of a copy, checking it opens as a simtrain database."""
    from simtrain.store import EventStore

    with EventStore.open(path) as store:
        assert store.integrity_check() == "ok"
        return [(e.stream, e.seq) for e in store.read(EXERCISE)]


def test_a_backup_holds_what_the_wal_holds_while_seats_keep_writing(
    db: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    path, codes = db
    # a plain copy of the file alone misses what is still in the -wal of an open database
    with ExerciseService.open(path) as holder:
        holder.exercise(EXERCISE).join("red", codes["red"], "investigator", "Ana")
        naive = tmp_path / "naive.db"
        shutil.copyfile(path, naive)
        assert len(events_in(naive)) < len(events_in(path))

    stop, progress = tmp_path / "stop", tmp_path / "progress"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(stop), str(progress)])
    try:
        deadline = time.monotonic() + 30
        while not progress.exists() or int(progress.read_text() or 0) < 20:
            assert time.monotonic() < deadline and writer.poll() is None, "the writer did not start"
            time.sleep(0.02)
        copies = []
        for n in range(3):
            copy = tmp_path / f"copy{n}.db"
            result = CliRunner().invoke(main, ["backup", "--db", str(path), "-o", str(copy)])
            assert result.exit_code == 0, result.output
            copies.append(copy)
    finally:
        stop.touch()
        writer.wait(30)
    assert writer.returncode == 0
    seen = 0
    for copy in copies:
        events = events_in(copy)
        load = [seq for stream, seq in events if stream == "load"]
        assert load == list(range(1, len(load) + 1))  # a snapshot: no gap, nothing torn
        assert len(load) >= seen  # later copies hold at least what earlier ones held
        seen = len(load)
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert not copy.with_name(copy.name + "-wal").exists()
    assert seen >= 20


def test_a_backup_never_overwrites_and_says_when_a_server_cannot_be_reached(
    db: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    path, _ = db
    runner = CliRunner()
    result = runner.invoke(main, ["backup", "--db", str(path), "-o", str(path)])
    assert result.exit_code == 1 and "already exists" in result.output
    # a PostgreSQL database is copied to SQLite too (tests/test_cli_postgres.py); port 1
    # of this machine has no server
    url = "postgresql://simtrain:secret@127.0.0.1:1/simtrain"
    result = runner.invoke(main, ["backup", "--db", url, "-o", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and "Cannot reach the PostgreSQL server" in result.output
    assert "secret" not in result.output and not (tmp_path / "x.db").exists()


# -- hole 7: browser seats -------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def served(
    db: Path, *, max_seats: int = 40, token: str | None = None, host: str = "127.0.0.1"
) -> AsyncIterator[tuple[SeatServer, TestClient]]:
    """The seat server on ``db``, in this process, with a client on its port."""
    port = free_port()
    server = make_server(db, host, port, max_seats=max_seats, token=token)
    async with TestClient(TestServer(await server._make_app(), port=port)) as client:
        yield server, client


async def test_a_seat_opens_only_from_this_servers_own_page(
    db: tuple[Path, dict[str, str]],
) -> None:
    path, _ = db
    async with served(path) as (server, client):
        evil = {"Origin": "http://evil.example"}
        page = await client.get("/", headers=evil)
        assert page.status == 403
        with pytest.raises(WSServerHandshakeError) as refused:
            await client.ws_connect("/ws", headers=evil)
        assert refused.value.status == 403
        # a DNS-rebinding name for 127.0.0.1 is not this server's name
        rebound = await client.get("/", headers={"Host": f"evil.example:{server.port}"})
        assert rebound.status == 403
        ok = await client.get("/", headers={"Origin": f"http://127.0.0.1:{server.port}"})
        assert ok.status == 200 and f"ws://127.0.0.1:{server.port}/ws" in await ok.text()
        assert server.seats == 0


async def test_beyond_loopback_every_page_and_seat_needs_the_token(
    db: tuple[Path, dict[str, str]],
) -> None:
    path, _ = db
    async with served(path, token="s3cret", host="0.0.0.0") as (server, client):
        assert (await client.get("/")).status == 403
        assert (await client.get("/?token=wrong")).status == 403
        with pytest.raises(WSServerHandshakeError) as refused:
            await client.ws_connect("/ws")
        assert refused.value.status == 403
        page = await client.get("/?token=s3cret")
        assert page.status == 200
        assert page.cookies["simtrain_token"]["samesite"] == "Strict"
        # the page's own websocket carries the token in the cookie it was given
        assert (await client.get("/")).status == 200
        assert server.seats == 0


@contextmanager
def serve_process(db: Path, *options: str) -> Iterator[tuple[int, str]]:
    """``simtrain serve`` on ``db`` in its own process: its port and the address it prints."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simtrain.cli",
            "serve",
            "--db",
            str(db),
            "--port",
            str(port),
            *options,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        first = server.stderr.readline()
        address = first.split()[first.split().index("on") + 1]
        deadline = time.monotonic() + 20
        while True:  # until it answers at all (any status)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/static/", timeout=2).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
                time.sleep(0.2)
        yield port, address
    finally:
        server.terminate()
        server.wait(timeout=10)


def status_of(url: str) -> tuple[int, str]:
    """The HTTP status and body of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_seats_beyond_the_cap_get_a_plain_refusal(db: tuple[Path, dict[str, str]]) -> None:
    path, _ = db
    with serve_process(path, "--max-seats", "1") as (port, _):
        base = f"http://127.0.0.1:{port}"

        async def two_seats() -> tuple[int, int]:
            import aiohttp

            async with aiohttp.ClientSession() as session:
                first = await session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=80&height=24")
                await first.receive(timeout=30)  # the seat's process is running
                try:
                    await session.ws_connect(f"ws://127.0.0.1:{port}/ws")
                    second = 101
                except WSServerHandshakeError as exc:
                    second = exc.status
                full, text = status_of(base + "/")
                assert "All 1 seats of this server are in use" in text
                await first.close()
                return second, full

        assert asyncio.run(two_seats()) == (503, 503)
        deadline = time.monotonic() + 30
        while status_of(base + "/")[0] != 200:  # the seat is given back
            assert time.monotonic() < deadline, "the seat was not given back"
            time.sleep(0.1)


def test_serve_beyond_loopback_prints_a_token_address_and_refuses_without_it(
    db: tuple[Path, dict[str, str]],
) -> None:
    path, _ = db
    with serve_process(path, "--host", "0.0.0.0") as (port, address):
        assert address.startswith(f"http://0.0.0.0:{port}/?token=")
        assert status_of(f"http://127.0.0.1:{port}/")[0] == 403
        token = address.split("token=")[1]
        assert status_of(f"http://127.0.0.1:{port}/?token={token}")[0] == 200
    with serve_process(path, "--host", "0.0.0.0", "--no-token") as (port, address):
        assert "token" not in address
        assert status_of(f"http://127.0.0.1:{port}/")[0] == 200


# -- hole 6: a stale screen cannot act ------------------------------------------------------------

HOTLINE = Path(__file__).parent / "fixtures" / "hotline.yaml"
"""A scenario whose one choice stays in the scene and can be made again and again."""


@pytest.fixture
def hotline(tmp_path: Path) -> tuple[Path, str]:
    """A running exercise 'desk' of the hotline scenario with one team, and its code."""
    path = tmp_path / "desk.db"
    with ExerciseService.open(path, create=True) as svc:
        exercise, codes = svc.create(HOTLINE, ["red"], exercise_id="desk")
        exercise.start()
    return path, codes["red"]


def act_json(
    path: Path, exercise: str, code: str, choice: str, *options: str, role: str = "operator"
) -> Result:
    """``simtrain act --json`` as team red's ``role``."""
    command = ["act", "--db", str(path), "--exercise", exercise, "--team", "red"]
    command += ["--role", role, "--code", code, "--json", *options, choice]
    return CliRunner().invoke(main, command)


def test_seq_counts_only_what_changes_the_teams_state(db: tuple[Path, dict[str, str]]) -> None:
    path, codes = db
    status = ["status", "--db", str(path), "--exercise", EXERCISE, "--json"]
    with ExerciseService.open(path) as svc:
        exercise = svc.exercise(EXERCISE)
        exercise.join("red", codes["red"], "investigator", "Ana")
        exercise.message("red", "a word from control", subject="Hello")
        exercise.observe("red", "note", "quiet start")
    teams = json.loads(CliRunner().invoke(main, status).output)["teams"]
    assert teams["red"]["seq"] == 0 and teams["blue"]["seq"] == 0  # joins, notes: nothing
    result = act_json(path, EXERCISE, codes["red"], "screen_individually", role="social_worker")
    assert result.exit_code == 0, result.output
    # the choice, and the conditional inject it set off
    assert json.loads(result.output)["seq"] == 2
    with ExerciseService.open(path) as svc:
        svc.exercise(EXERCISE).adjust("red", "trust", 1, "kept calm")
    teams = json.loads(CliRunner().invoke(main, status).output)["teams"]
    assert teams["red"]["seq"] == 3 and teams["blue"]["seq"] == 0


def test_act_with_a_stale_seq_is_refused_with_the_new_state(hotline: tuple[Path, str]) -> None:
    path, code = hotline
    first = act_json(path, "desk", code, "log_call", "--seq", "0")
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["seq"] == 1
    # a second screen that still shows seq 0 tries the same choice: it stays in the scene,
    # so without --seq it would simply apply again
    stale = act_json(path, "desk", code, "log_call", "--seq", "0", "--name", "Bo")
    assert stale.exit_code == 1
    shown = json.loads(stale.stdout)
    assert shown["seq"] == 1 and [step["actor"] for step in shown["path"]] == ["operator"]
    assert "moved on since seq 0 (now 1)" in stale.stderr
    assert "operator (operator) chose 'log_call' first" in stale.stderr
    # deciding again on what it now sees applies
    again = act_json(path, "desk", code, "log_call", "--seq", "1")
    assert again.exit_code == 0 and json.loads(again.output)["seq"] == 2
    ahead = act_json(path, "desk", code, "log_call", "--seq", "7")
    assert ahead.exit_code == 1 and "at seq 2, not 7" in ahead.stderr


def test_twenty_screens_acting_on_one_seq_apply_once(hotline: tuple[Path, str]) -> None:
    path, code = hotline
    start = threading.Barrier(20)

    def screen(n: int) -> str:
        with ExerciseService.open(path) as svc:
            exercise = svc.exercise("desk")
            exercise.verify("red", code, "operator")
            start.wait()
            try:
                exercise.act(Seat("desk", "red", "operator", f"screen {n}"), "log_call", seen_seq=0)
            except SceneChanged as exc:
                assert exc.seq == 1 and exc.state.vars["calls"] == 1
                return "refused"
            return "applied"

    with ThreadPoolExecutor(20) as pool:
        outcomes = Counter(pool.map(screen, range(20)))
    assert outcomes == Counter({"applied": 1, "refused": 19})
    with ExerciseService.open(path) as svc:
        assert svc.exercise("desk").state("red").vars["calls"] == 1


# -- hole 8: wrong join codes ---------------------------------------------------------------------


def test_wrong_codes_are_recorded_and_slow_down_after_five_in_a_minute(
    db: tuple[Path, dict[str, str]],
) -> None:
    path, codes = db
    with ExerciseService.open(path) as svc:
        exercise = svc.exercise(EXERCISE)
        waits: list[float] = []
        exercise.join_delay = waits.append  # type: ignore[method-assign,assignment]
        for n in range(6):
            with pytest.raises(ExerciseError, match="does not open team 'red'"):
                exercise.join("red", "WRONG1", "investigator", f"guess{n}")
        # five failures wait for nothing; the sixth attempt waited first
        assert waits == [JOIN_FAILURE_DELAY_S]
        failed = [e for e in exercise.events("red") if isinstance(e.event, JoinFailed)]
        assert [e.actor for e in failed] == [f"guess{n}" for n in range(6)]
        assert all(e.role == "investigator" and e.wall > 0 for e in failed)
        # a delay, never a lockout: the right code still opens the team, after the wait
        exercise.join("red", codes["red"], "investigator", "Ana")
        assert waits == [JOIN_FAILURE_DELAY_S] * 2
        # another team is not slowed by red's failures
        exercise.join("blue", codes["blue"], "investigator", "Ben")
        assert len(waits) == 2
        # a minute later the failures no longer count
        assert exercise.recent_join_failures("red", wall=time.time() + 61) == 0


def test_a_headless_act_with_a_wrong_code_is_recorded_outside_the_teams_seq(
    db: tuple[Path, dict[str, str]],
) -> None:
    path, _ = db
    result = act_json(
        path, EXERCISE, "NOPE42", "note_indicators", "--name", "Eve", role="investigator"
    )
    assert result.exit_code == 1 and "join code" in result.stderr
    with ExerciseService.open(path) as svc:
        exercise = svc.exercise(EXERCISE)
        [failed] = [e for e in exercise.events("red") if isinstance(e.event, JoinFailed)]
        assert failed.event == JoinFailed(name="Eve", clock=failed.clock)
        assert (failed.actor, failed.role) == ("Eve", "investigator")
        assert exercise.seq("red") == 0  # not a state change: no screen is made stale
        # the facilitator's timeline lists it; the team's version never does
        texts = [entry["text"] for entry in timeline(exercise, "red")]
        assert "A wrong join code was tried for this team by “Eve” as Border police" in texts[-1]
        assert not timeline(exercise, "red", for_team=True)


def test_repeated_wrong_codes_raise_one_alert_on_the_board(
    db: tuple[Path, dict[str, str]],
) -> None:
    path, _ = db
    with ExerciseService.open(path) as svc:
        exercise = svc.exercise(EXERCISE)
        for name in ("x", "y"):
            with pytest.raises(ExerciseError):
                exercise.join("red", "WRONG1", "investigator", name)
        assert not build_board(exercise, exercise.events()).alerts  # two could be typos
        with pytest.raises(ExerciseError):
            exercise.join("red", "WRONG1", "investigator", "z")
        [alert] = build_board(exercise, exercise.events()).alerts
        assert alert.kind == JOIN_FAILURES and alert.team == "red"
        assert "3 wrong join codes" in alert.text and "“x”, “y”, “z”" in alert.text
        exercise.acknowledge("red", alert.event_id)
        assert not build_board(exercise, exercise.events()).alerts
        with pytest.raises(ExerciseError):
            exercise.join("red", "WRONG1", "investigator", "w")
        assert not build_board(exercise, exercise.events()).alerts  # counted afresh


async def test_repeated_wrong_codes_alert_the_console(db: tuple[Path, dict[str, str]]) -> None:
    path, _ = db
    service = ExerciseService.open(path)
    app = FacilitatorApp(service, service.exercise(EXERCISE), db=str(path))
    try:
        async with app.run_test(size=(120, 30), notifications=True) as pilot:
            await until(pilot, lambda: app.board is not None)
            with ExerciseService.open(path) as other:
                guesser = other.exercise(EXERCISE)
                for name in ("x", "y", "z"):
                    with pytest.raises(ExerciseError):
                        guesser.join("red", "WRONG1", "investigator", name)
            await until(
                pilot,
                lambda: any(
                    "Team red — FAILED JOIN ATTEMPTS" in t and "3 wrong join codes" in t
                    for t in shown(app)
                ),
            )
            assert app.board is not None and app.board.team("red").alerts
    finally:
        app.wait_stopped()
        service.close()


# -- hole 4: trainees see the answers only after the debrief -------------------------------------


def assessment_keys(data: object) -> set[str]:
    """Every key anywhere in ``data`` that carries the assessment."""
    found: set[str] = set()
    if isinstance(data, dict):
        found |= {k for k in data if k in ("score", "assess", "feedback", "critical", "vars")}
        for value in data.values():
            found |= assessment_keys(value)
    elif isinstance(data, list):
        for value in data:
            found |= assessment_keys(value)
    return found


def test_act_json_is_the_seats_view_until_the_debrief_is_released(
    db: tuple[Path, dict[str, str]],
) -> None:
    path, codes = db
    with ExerciseService.open(path) as svc:
        exercise = svc.exercise(EXERCISE)
        exercise.publish("journalist_call", "red")  # to the investigator only
        investigator = exercise.join("red", codes["red"], "investigator", "Ana")
        exercise.act(investigator, "confirm_name", "she asked kindly")  # a critical error
    code = codes["red"]
    first = act_json(path, EXERCISE, code, "screen_individually", role="social_worker")
    assert first.exit_code == 0, first.output
    seen = json.loads(first.output)
    assert not assessment_keys(seen), seen
    assert seen["seq"] == 4 and seen["scene"] == "screening" and seen["ended"] is False
    # the manifest is the investigator's; the journalist called the investigator
    assert seen["case_file"] == ["medical"]
    assert seen["inbox"] == ["interpreter_alert"]
    answer, own = seen["path"]
    assert (answer["actor"], answer["choice"], answer["rationale"]) == ("Ana", None, "")
    assert own["choice"] == "screen_individually" and own["role"] == "social_worker"
    # the investigator's own seat reads its documents and its call, still without scores
    again = act_json(path, EXERCISE, code, "offer_rest", role="investigator")
    assert again.exit_code == 1 and "only the Reception social worker" in again.stderr
    ana = act_json(path, EXERCISE, code, "replace_interpreter", role="investigator")
    theirs = json.loads(ana.output)
    assert theirs["case_file"] == ["manifest", "medical"]
    assert theirs["inbox"] == ["journalist_call", "interpreter_alert"]
    assert theirs["path"][0]["choice"] == "confirm_name" and not assessment_keys(theirs)
    # once the facilitator releases the debrief, scores and feedback appear
    assert (
        CliRunner().invoke(main, ["exercise", "debrief", EXERCISE, "--db", str(path)]).exit_code
        == 0
    )
    after = json.loads(act_json(path, EXERCISE, code, "offer_rest", role="social_worker").output)
    assert after["score"]["critical"][0]["choice"] == "confirm_name"
    assert after["path"][0]["feedback"] == "There is no off the record for identity."
    assert after["path"][0]["choice"] == "confirm_name" and "trust" in after["vars"]


@pytest.mark.parametrize("fmt", ["md", "html", "json", "csv"])
def test_a_teams_report_before_the_debrief_holds_only_what_the_team_saw(
    db: tuple[Path, dict[str, str]], fmt: str
) -> None:
    path, codes = db
    answers = [
        "There is no off the record for identity.",  # feedback
        "Disclosing a presumed victim",  # the critical error
        "Refer to the press officer",  # the inject's expected action
        "ADJUSTED-FOR-CALM",  # the facilitator's adjustment note
        "STRENGTH-SEEN",  # an observed strength
    ]
    with ExerciseService.open(path) as svc:
        exercise = svc.exercise(EXERCISE)
        exercise.publish("journalist_call", "red")
        ana = exercise.join("red", codes["red"], "investigator", "Ana")
        exercise.act(ana, "confirm_name", "she asked kindly")
        exercise.adjust("red", "trust", 1, "ADJUSTED-FOR-CALM")
        exercise.observe("red", "strength", "STRENGTH-SEEN")
    report = ["report", "--db", str(path), "--exercise", EXERCISE, "--format", fmt]
    before = CliRunner().invoke(main, [*report, "--team", "red"])
    assert before.exit_code == 0, before.output
    for answer in answers:
        assert answer not in before.output, answer
    # what the team did see is there: its decision, its rationale, the call it received
    assert "Confirm her first name, off the record" in before.output
    assert "she asked kindly" in before.output
    if fmt != "csv":
        assert "Request for comment" in before.output
    if fmt == "json":
        document = json.loads(before.output)
        assert document["assessment_released"] is False
        assert not assessment_keys(document["teams"]["red"])
    # the facilitator's report holds the answers at any time; the team's once released
    assert "There is no off the record" in CliRunner().invoke(main, report).output
    assert (
        CliRunner().invoke(main, ["exercise", "debrief", EXERCISE, "--db", str(path)]).exit_code
        == 0
    )
    after = CliRunner().invoke(main, [*report, "--team", "red"]).output
    assert "There is no off the record for identity." in after
    if fmt != "csv":  # the CSV lists decisions: feedback and critical error, not the rest
        assert all(answer in after.replace("&#x27;", "'") for answer in answers)


@pytest.mark.parametrize(
    "hidden",
    ["\x1b]52;c;aGk=\x07", "\x1b[2J", "\x9b31m", "\r", "\x7f", "\u202e", "\x00", "\x0c"],
)
def test_scrub_finds_a_control_sequence_deep_in_a_large_clean_document(hidden: str) -> None:
    """A report of many teams is checked in one pass; one sequence anywhere in it (a key,
    a value, a tuple) is still removed, and a clean document comes back as it is."""
    clean = {
        "teams": [{"name": f"team {i}", "path": [("a", 1.5), ("b\n\tc", None)]} for i in range(500)]
    }
    assert scrub(clean) is clean
    dirty = {"teams": [*clean["teams"], {f"note{hidden}": [("x", f"said {hidden}C:\\road")]}]}
    left = clean_text(hidden)  # nothing, or a newline for a lone carriage return
    assert left in ("", "\n")
    assert scrub(dirty)["teams"][-1] == {f"note{left}": [("x", f"said {left}C:\\road")]}


def test_act_with_a_seq_is_refused_when_time_moved_the_team_on(
    db: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, codes = db
    status = ["status", "--db", str(path), "--exercise", EXERCISE, "--json"]
    seen = json.loads(CliRunner().invoke(main, status).output)["teams"]["red"]["seq"]
    # nine minutes later the journalist's 8-minute call is due, not yet recorded by anyone
    later = time.time() + 9 * 60
    monkeypatch.setattr("simtrain.exercise.clock.time", type("Later", (), {"time": lambda: later}))
    result = act_json(
        path, EXERCISE, codes["red"], "note_indicators", "--seq", str(seen), role="investigator"
    )
    assert result.exit_code == 1 and "time ran on" in result.stderr
    shown = json.loads(result.stdout)
    assert shown["inbox"] == ["journalist_call"] and shown["seq"] == seen + 1
    assert shown["path"] == []  # the choice was not made on a view the call had changed


def test_a_carriage_return_written_by_hand_among_clean_rows_is_scrubbed(
    db: tuple[Path, dict[str, str]],
) -> None:
    """A read searches all its rows at once; the one suspect row is still cleaned, and a
    carriage return (stored in JSON as ``\\r``) counts as suspect."""
    path, codes = db
    hostile_act(path, codes["red"], "Ana")
    raw_event(
        path,
        "Mallory",
        {"choice": "note_indicators", "role": "investigator", "rationale": "over\rwritten"},
    )
    with ExerciseService.open(path) as svc:
        events = svc.exercise(EXERCISE).events("red")
    rationales = [getattr(e.event, "rationale", "") for e in events]
    assert "over\nwritten" in rationales
    assert not any("\r" in text for text in rationales)
