"""Following a live exercise from a seat, through trouble: the loop every seat's screen
runs in its worker thread (the trainee's and the role-player's).

A seat waits on the service's watch and builds its view on news. When the exercise
cannot be read (its database server is away, say) the loop says so once per try and tries
again by itself; the first read that works says so and rebuilds the whole view, so what
landed meanwhile is on the screen. The seat's own cursor makes sure nothing is missed or
shown twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from simtrain.exercise import ExerciseError

RETRYING = "This screen keeps trying by itself."
"""What a screen adds to a :class:`Trouble`: the person at the seat need not do anything."""

V = TypeVar("V")
T = TypeVar("T")


@dataclass(frozen=True)
class Trouble:
    """The seat could not read the exercise; ``text`` says why (a sentence)."""

    text: str


@dataclass(frozen=True)
class Reconnected:
    """The seat reads the exercise again after :class:`Trouble`."""

    text: str = "Back in touch with the exercise; your screen is up to date."


def follow(
    wait: Callable[[float], V | None],
    rebuild: Callable[[], V],
    stop: threading.Event,
    timeout: float,
    idle: Callable[[], T] | None = None,
) -> Iterator[V | T | Trouble | Reconnected]:
    """News until ``stop`` is set: what ``wait(timeout)`` gives when it is a new view,
    else ``idle()`` (if given) about every ``timeout`` s. A read that fails gives
    :class:`Trouble` and is tried again ``timeout`` s later; the first one that works
    again gives :class:`Reconnected` and then ``rebuild()``'s view."""
    troubled = False
    while not stop.is_set():
        try:
            news: V | T | None = rebuild() if troubled else wait(timeout)
            if news is None and idle is not None:
                news = idle()
        except ExerciseError as exc:
            troubled = True
            yield Trouble(str(exc))
            stop.wait(timeout)
            continue
        if stop.is_set():
            return
        if troubled:
            troubled = False
            yield Reconnected()
        if news is not None:
            yield news
