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
* injects published to every team: CPU per arriving inject for the seats addressed.
"""

from __future__ import annotations

import argparse
import fcntl
import os
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

from simtrain.exercise import Exercise, ExerciseService  # noqa: E402
from simtrain.scenario.library import bundled_path  # noqa: E402

SCENARIO = "port-arrivals"
SIZE = (100, 30)
ROLES_PER_TEAM = 5
KEEP = 256 * 1024
"""Bytes of each screen's output kept for looking for a marker."""


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
        with self.lock:
            return marker in self.output

    def clear(self) -> None:
        with self.lock:
            self.output.clear()


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
    """Drain every terminal (as a terminal would), keeping the latest output of each."""
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
            with seat.lock:
                seat.output += data
                if len(seat.output) > KEEP:
                    del seat.output[: len(seat.output) - KEEP]


def wait_all(seats: list[SeatProcess], marker: bytes, timeout: float) -> dict[int, float]:
    """When each seat drew ``marker`` (monotonic time), polled every 2 ms."""
    seen: dict[int, float] = {}
    deadline = time.monotonic() + timeout
    while len(seen) < len(seats) and time.monotonic() < deadline:
        now = time.monotonic()
        for seat in seats:
            if seat.index not in seen and seat.seen(marker):
                seen[seat.index] = now
        time.sleep(0.002)
    return seen


def cpu(seats: list[SeatProcess]) -> dict[int, int]:
    return {seat.index: seat.cpu_ns() for seat in seats}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(seat_count: int, rounds: int, idle_s: float) -> None:
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

            spent_inject: list[float] = []
            for inject in [i for i in exercise.scenario.injects][:rounds]:
                addressed = [s for s in seats if s.role in exercise.scenario.inject_roles(inject)]
                c0, start = cpu(seats), time.monotonic()
                exercise.publish(inject)
                time.sleep(2.0)
                c1, end = cpu(seats), time.monotonic()
                for seat in addressed:
                    i = seat.index
                    spent_inject.append(max(c1[i] - c0[i] - idle[i] * (end - start), 0) / 1e6)
            if spent_inject:
                print(
                    f"CPU per arriving inject per addressed seat: median "
                    f"{statistics.median(spent_inject):.1f} ms, p95 {pct(spent_inject, 95):.1f} ms"
                )
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
    args = parser.parse_args()
    if args.quick:
        args.seats, args.rounds, args.idle = 10, 3, 5.0
    run(args.seats, args.rounds, args.idle)


if __name__ == "__main__":
    main()
