"""Trainee seats under load (issue 10): real seat processes, each in its own terminal.

Prints figures; not a test. Run: ``python -m benchmarks.bench_seats [--quick] [--seats 30]``.

It creates a port-arrivals exercise with one team per five seats, starts SEATS real
``python -m simtrain.tui.app`` processes, each on a pseudo-terminal of 100×30 that this
script reads (as a terminal would), and then measures, reading each seat process's own
CPU time from ``/proc/PID/task/*/schedstat`` (nanoseconds, every thread):

* idle: CPU per seat while nothing happens (target ≤ 0.5 % of a core each);
* RSS of each seat once settled (target ≤ 55 MB);
* ad-hoc messages to every team, one round at a time: how long until the message's
  subject is on every screen (target p95 ≤ 400 ms with 30 seats on 2 cores), and each
  seat's CPU per arriving message, above its idle rate (target median ≤ 10 ms);
* injects published to every team, one at a time, once every seat has passed the
  exercise's content warning (a trainee reads the scene, its choices on screen): how long
  until each addressed seat's screen shows the inject (its subject in the inbox, read
  from the seat's terminal cells as a terminal draws them: the status line may tell a
  later notice of the same inject), and the CPU per arriving inject of each addressed
  seat, above its idle rate.
  Injects already delivered (the scheduled start) are refused by the service and left out.
"""

from __future__ import annotations

import argparse
import codecs
import fcntl
import os
import re
import selectors
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.cells import cell_len  # noqa: E402

from simtrain.exercise import Exercise, ExerciseService  # noqa: E402
from simtrain.scenario.library import bundled_path  # noqa: E402
from simtrain.tui.layout import side_width  # noqa: E402

SCENARIO = "port-arrivals"
SIZE = (100, 30)
ROLES_PER_TEAM = 5
KEEP = 256 * 1024
"""Bytes of each screen's output kept for looking for a marker."""


TOKEN = re.compile(
    r"\x1b\[([0-?]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[^\[\]]"
    r"|[\r\n\x07]|[^\x1b\r\n\x07]+"
)
"""What a seat writes: CSI sequences (cursor moves, colours, modes), OSC strings, other
escapes, line controls, text."""
NOT_TEXT = re.compile(r"[\u2500-\u259f\s]+")
"""Box drawing, block elements (borders, scrollbars) and blanks: not a row's words."""


class Terminal:
    """The cells of a seat's screen, as a terminal draws what Textual writes: cursor
    moves and text (colours are left out). Enough to read what is on screen where."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.rows = [[" "] * width for _ in range(height)]
        self.x = self.y = 0
        self.version = 0
        """Counts the writes (a reader looks again only when it changed)."""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""

    def feed(self, data: bytes) -> None:
        text = self._pending + self._decoder.decode(data)
        self._pending = ""
        end = 0
        for match in TOKEN.finditer(text):
            if match.start() != end:
                break  # an escape sequence cut by the read: kept for the next one
            end = match.end()
            token = match.group(0)
            if match.group(2) == "H":
                row, _, col = (match.group(1) or "1;1").partition(";")
                self.y, self.x = int(row or 1) - 1, int(col or 1) - 1
            elif token == "\r":
                self.x = 0
            elif token == "\n":
                self.y += 1
            elif not token.startswith("\x1b") and token != "\x07":
                self._write(token)
        self._pending = text[end:]
        self.version += 1

    def _write(self, text: str) -> None:
        if not 0 <= self.y < self.height:
            return
        row = self.rows[self.y]
        for char in text:
            if self.x < self.width:
                row[self.x] = char
            self.x += cell_len(char) or 1

    def column_text(self, left: int) -> str:
        """The words shown right of column ``left``, row after row, as one line (the
        side panel's text, wrapped lines joined again)."""
        return " ".join(NOT_TEXT.sub(" ", " ".join("".join(r[left:]) for r in self.rows)).split())


@dataclass
class SeatProcess:
    """One seat: its process, its terminal and what it has drawn."""

    index: int
    team: str
    role: str
    process: subprocess.Popen[bytes]
    master: int
    output: bytearray = field(default_factory=bytearray)
    lock: threading.Lock = field(default_factory=threading.Lock)
    screen: Terminal = field(default_factory=lambda: Terminal(*SIZE))
    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    """What the seat wrote since :meth:`clear`, each read with the time it arrived."""
    fed: int = 0
    """How many of ``chunks`` the screen has drawn."""
    looked: int = 0
    """How many bytes of ``output`` were searched for the marker looked for."""

    def cpu_ns(self) -> int:
        """CPU time of every thread of the process so far (ns)."""
        total = 0
        tasks = Path(f"/proc/{self.process.pid}/task")
        for task in tasks.iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (FileNotFoundError, ProcessLookupError, ValueError):
                continue  # a thread that ended meanwhile
        return total

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def seen(self, marker: bytes) -> bool:
        """Whether ``marker`` arrived since :meth:`clear` (each byte searched once)."""
        with self.lock:
            found = marker in self.output[max(0, self.looked - len(marker)) :]
            self.looked = len(self.output)
            return found

    def arrived(self, marker: bytes) -> float | None:
        """When the read that completed ``marker`` arrived (monotonic time), if it did."""
        with self.lock:
            written = bytearray()
            for at, data in self.chunks:
                written += data
                if marker in written[-(len(data) + len(marker)) :]:
                    return at
        return None

    def clear(self) -> None:
        """Start looking afresh; the screen draws what came before first."""
        self.catch_up()
        with self.lock:
            self.output.clear()
            self.chunks.clear()
            self.fed = self.looked = 0

    def catch_up(self, until: str = "") -> float | None:
        """Draw what the seat wrote on the screen, read by read; stop at the first read
        after which the side panel shows ``until`` and say when it arrived."""
        with self.lock:
            while self.fed < len(self.chunks):
                at, data = self.chunks[self.fed]
                self.screen.feed(data)
                self.fed += 1
                if until and self._side_panel_shows(until):
                    return at
        return None

    def _side_panel_shows(self, text: str) -> bool:
        """Whether the side panel (the inbox) shows ``text`` now, wrapped or not."""
        shown = self.screen.column_text(SIZE[0] - side_width(SIZE[0]))
        return " ".join(text.split()) in shown


def start_seat(index: int, db: Path, exercise: str, team: str, role: str, code: str) -> SeatProcess:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    env.pop("TEXTUAL", None)
    seat = ["--team", team, "--role", role, "--code", code, "--name", f"Seat{index}"]
    process = subprocess.Popen(
        [sys.executable, "-m", "simtrain.tui.app", "--db", str(db), "--exercise", exercise, *seat],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    os.close(slave)
    os.set_blocking(master, False)
    return SeatProcess(index, team, role, process, master)


def read_screens(seats: list[SeatProcess], stop: threading.Event) -> None:
    """Drain every terminal as a terminal would, keeping each read with the time it
    arrived. Nothing more is done here: what a trainee's terminal does with the bytes
    happens on the trainee's machine, so this process draws the screens (a terminal
    emulator in Python) only off the clock, from the reads kept, and never competes with
    the seats for the CPU while a measured update is on its way."""
    selector = selectors.DefaultSelector()
    for seat in seats:
        selector.register(seat.master, selectors.EVENT_READ, seat)
    while not stop.is_set():
        for key, _ in selector.select(timeout=0.2):
            seat = key.data
            try:
                data = os.read(seat.master, 65536)
            except (BlockingIOError, OSError):
                continue
            at = time.monotonic()
            with seat.lock:
                seat.output += data
                seat.chunks.append((at, data))
                excess = len(seat.output) - KEEP
                if excess > 0:
                    del seat.output[:excess]
                    seat.looked = max(0, seat.looked - excess)


def wait_all(seats: list[SeatProcess], marker: bytes, timeout: float) -> dict[int, float]:
    """When each seat's output brought ``marker``: the arrival time of the read that
    completed it (looked for every 20 ms; the times are the reads', not the looks')."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < len(seats) and time.monotonic() < deadline:
        seen.update(seat.index for seat in seats if seat.index not in seen and seat.seen(marker))
        time.sleep(0.02)
    arrived = {seat.index: seat.arrived(marker) for seat in seats if seat.index in seen}
    return {index: at for index, at in arrived.items() if at is not None}


def pass_warnings(seats: list[SeatProcess], timeout: float) -> int:
    """Press Enter on every seat, past the exercise's content warning to the scene and its
    choices (as a trainee would); how many seats then draw their Choices box."""
    for seat in seats:
        seat.clear()
        os.write(seat.master, b"\r")
    return len(wait_all(seats, b"Choices", timeout))


def wait_shown(seats: list[SeatProcess], text: str, timeout: float) -> dict[int, float]:
    """When each seat's side panel showed ``text``: the arrival time of the read after
    which its screen shows it. The screens are drawn off the clock: once 3 s have passed
    (the seats done with the update and idle but for the clock), then every second until
    each shows it or ``timeout``."""
    seen: dict[int, float] = {}
    start = time.monotonic()
    time.sleep(3.0)
    while True:
        for seat in seats:
            if seat.index not in seen:
                at = seat.catch_up(until=text)
                if at is not None:
                    seen[seat.index] = at
        if len(seen) == len(seats) or time.monotonic() - start > timeout:
            return seen
        time.sleep(1.0)


def cpu(seats: list[SeatProcess]) -> dict[int, int]:
    return {seat.index: seat.cpu_ns() for seat in seats}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(seat_count: int, rounds: int, idle_s: float, each: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "seats.db"
        service = ExerciseService.open(db, create=True)
        teams = [f"t{i}" for i in range((seat_count + ROLES_PER_TEAM - 1) // ROLES_PER_TEAM)]
        exercise: Exercise
        exercise, codes = service.create(bundled_path(SCENARIO), teams, exercise_id="bench")
        exercise.start()
        roles = exercise.scenario.roles
        seats: list[SeatProcess] = []
        stop = threading.Event()
        reader: threading.Thread | None = None
        try:
            started = time.monotonic()
            for i in range(seat_count):
                team = teams[i // ROLES_PER_TEAM]
                role = roles[i % ROLES_PER_TEAM % len(roles)]
                seats.append(start_seat(i, db, "bench", team, role, codes[team]))
            reader = threading.Thread(target=read_screens, args=(seats, stop), daemon=True)
            reader.start()
            up = wait_all(seats, b"F9", timeout=300)
            print(
                f"{len(up)}/{seat_count} seats drawn after {time.monotonic() - started:.1f} s "
                f"({SIZE[0]}×{SIZE[1]}, {len(teams)} teams of {SCENARIO})"
            )
            time.sleep(5)  # let start-up work finish before measuring

            before, t0 = cpu(seats), time.monotonic()
            time.sleep(idle_s)
            after, t1 = cpu(seats), time.monotonic()
            idle = {i: (after[i] - before[i]) / (t1 - t0) for i in after}  # ns per s
            idle_pct = [v / 1e7 for v in idle.values()]
            print(
                f"idle CPU per seat over {idle_s:.0f} s: median {statistics.median(idle_pct):.2f} %"
                f", max {max(idle_pct):.2f} % of a core (target ≤ 0.5 %)"
            )
            rss = [seat.rss_mb() for seat in seats]
            print(
                f"RSS per seat: median {statistics.median(rss):.1f} MB, "
                f"max {max(rss):.1f} MB (target ≤ 55 MB)"
            )

            latencies: list[float] = []
            per_message: dict[int, list[float]] = {seat.index: [] for seat in seats}
            for n in range(rounds):
                marker = f"BENCHMARK{n:03d}Q"
                for seat in seats:
                    seat.clear()
                c0, start = cpu(seats), time.monotonic()
                for team in teams:
                    exercise.message(
                        team, f"Round {n}: a check that every screen is live.", subject=marker
                    )
                seen = wait_all(seats, marker.encode(), timeout=30)
                time.sleep(0.5)  # let each seat finish the work the message set off
                c1, end = cpu(seats), time.monotonic()
                latencies.extend((at - start) * 1000 for at in seen.values())
                for i in c1:
                    spent = c1[i] - c0[i] - idle[i] * (end - start)
                    per_message[i].append(max(spent, 0) / 1e6)
                missing = seat_count - len(seen)
                if missing:
                    print(f"round {n}: {missing} seats did not show the message within 30 s")
                time.sleep(1.0)
            medians = [statistics.median(v) for v in per_message.values()]
            print(
                f"ad-hoc message to every team, {rounds} rounds: on every screen after p50 "
                f"{pct(latencies, 50):.0f} ms, p95 {pct(latencies, 95):.0f} ms, max "
                f"{max(latencies):.0f} ms (target p95 ≤ 400 ms)"
            )
            print(
                f"CPU per arriving message per seat: median {statistics.median(medians):.1f} ms,"
                f" worst seat's median {max(medians):.1f} ms (target median ≤ 10 ms)"
            )

            shown = pass_warnings(seats, timeout=60)
            if shown < seat_count:
                print(f"{seat_count - shown} seats did not show their choices after Enter")
            time.sleep(3)  # let the scene's drawing finish before measuring
            scenario = exercise.scenario
            spent_inject: list[float] = []
            inject_latencies: list[float] = []
            published = 0
            for inject in scenario.injects:
                if published == rounds:
                    break
                c0, start = cpu(seats), time.monotonic()
                refused = exercise.publish(inject)
                reached = {team for team, why in refused.items() if not why}
                roles = scenario.inject_roles(inject)
                addressed = [s for s in seats if s.team in reached and s.role in roles]
                if not addressed:
                    continue  # already delivered (the scheduled start): not an arrival
                published += 1
                seen = wait_shown(addressed, scenario.injects[inject].subject, timeout=30)
                time.sleep(max(0.0, start + 2.0 - time.monotonic()))
                c1, end = cpu(seats), time.monotonic()
                these = [(at - start) * 1000 for at in seen.values()]
                inject_latencies.extend(these)
                if each and these:
                    costs = [(c1[s.index] - c0[s.index]) / 1e6 for s in addressed]
                    print(
                        f"  {inject}: {len(addressed)} seats, shown after p50 "
                        f"{pct(these, 50):.0f} ms, max {max(these):.0f} ms; CPU per seat "
                        f"median {statistics.median(costs):.1f} ms"
                    )
                for seat in addressed:
                    i = seat.index
                    spent_inject.append(max(c1[i] - c0[i] - idle[i] * (end - start), 0) / 1e6)
                missing = len(addressed) - len(seen)
                if missing:
                    print(f"inject {inject}: {missing} addressed seats did not show it in 30 s")
                time.sleep(1.0)
            if inject_latencies:
                print(
                    f"inject to every addressed screen, {published} injects "
                    f"({len(inject_latencies)} arrivals): p50 {pct(inject_latencies, 50):.0f} ms,"
                    f" p95 {pct(inject_latencies, 95):.0f} ms, max {max(inject_latencies):.0f} ms"
                    " (target p95 ≤ 400 ms)"
                )
            if spent_inject:
                print(
                    f"CPU per arriving inject per addressed seat: median "
                    f"{statistics.median(spent_inject):.1f} ms, p95 {pct(spent_inject, 95):.1f} ms"
                )
            print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        finally:
            stop.set()
            for seat in seats:
                if seat.process.poll() is None:
                    os.killpg(seat.process.pid, signal.SIGTERM)
            for seat in seats:
                try:
                    seat.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(seat.process.pid, signal.SIGKILL)
                    seat.process.wait()
                os.close(seat.master)
            if reader is not None:
                reader.join(timeout=2)
            service.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle measuring")
    parser.add_argument("--quick", action="store_true", help="10 seats, 3 rounds, 5 s idle")
    parser.add_argument("--each", action="store_true", help="a line for each inject too")
    args = parser.parse_args()
    if args.quick:
        args.seats, args.rounds, args.idle = 10, 3, 5.0
    run(args.seats, args.rounds, args.idle, args.each)


if __name__ == "__main__":
    main()
