"""A headless trainee seat in a process of its own, for process tests: it joins a team
and follows the exercise exactly as the trainee screen does (the session's ``follow``:
the service's watch, the seat's view built on news, its own retries while the database
is away), printing one JSON line per piece of news until its stdin closes.

    python -m tests.seat_watch DB EXERCISE TEAM ROLE CODE [WATCH_TIMEOUT]

Lines: ``{"view": seq, "scene": id, "decisions": [texts]}``, ``{"trouble": text}``,
``{"reconnected": text}``; the clock's ticks are left out. The first line is the view the
seat joined with.
"""

from __future__ import annotations

import json
import sys
import threading

from simtrain.exercise import ExerciseService
from simtrain.views.follow import Reconnected, Trouble
from simtrain.views.seat import SeatView
from simtrain.views.session import join_seat


def _line(data: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


def _view(view: SeatView) -> dict[str, object]:
    decisions = [entry.text for entry in view.timeline if entry.kind == "decision"]
    return {"view": view.seq, "scene": view.scene.id, "decisions": decisions}


def main(argv: list[str]) -> None:
    db, exercise, team, role, code = argv[:5]
    timeout = float(argv[5]) if len(argv) > 5 else 0.2
    stop = threading.Event()
    with ExerciseService.open(db) as service:
        session = join_seat(service, exercise, team, code, role, "Watcher")
        _line(_view(session.view()))

        def until_stdin_closes() -> None:
            sys.stdin.read()
            stop.set()

        threading.Thread(target=until_stdin_closes, daemon=True).start()
        for news in session.follow(stop, timeout):
            if isinstance(news, SeatView):
                _line(_view(news))
            elif isinstance(news, Trouble):
                _line({"trouble": news.text})
            elif isinstance(news, Reconnected):
                _line({"reconnected": news.text})
        session.leave()


if __name__ == "__main__":
    main(sys.argv[1:])
