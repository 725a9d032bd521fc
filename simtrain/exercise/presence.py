"""A seat's heartbeat: the thread that keeps a live seat online on the roster.

A seat is online while its lease runs (``SIMTRAIN_SEAT_LEASE`` seconds, 15 by default).
This thread renews it three times per lease, so a seat whose process dies, or whose
browser tab closes and takes the process with it, goes offline within one lease. A seat
that quits says so (:meth:`Exercise.leave`) and is offline at once. Heartbeats update the
roster in place and never add an event to the log.
"""

from __future__ import annotations

import contextlib
import threading

from simtrain.exercise.commands import Exercise
from simtrain.exercise.errors import ExerciseError
from simtrain.exercise.streams import Seat, seat_lease


class Presence:
    """Renews one seat's lease from a daemon thread until stopped."""

    def __init__(self, exercise: Exercise, seat: Seat, interval: float | None = None) -> None:
        self.exercise = exercise
        self.seat = seat
        self.interval = interval if interval is not None else seat_lease() / 3
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Presence:
        """Start the heartbeat (it dies with the process: it is a daemon thread)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._beat, name=f"presence-{self.seat.id}", daemon=True
            )
            self._thread.start()
        return self

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            # a busy or briefly unreadable file: the next beat tries again
            with contextlib.suppress(ExerciseError):
                if not self.exercise.renew(self.seat):
                    return  # the seat has left (quit, or a solo player changed role)

    def stop(self) -> None:
        """Stop renewing (the seat goes offline when its lease runs out)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
