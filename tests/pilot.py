"""Waiting in Pilot tests, once for every screen test: poll a condition as a person looks
at the screen, never a fixed sleep."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

from textual.css.query import NoMatches
from textual.pilot import Pilot, WaitForScreenTimeout


async def until(pilot: Pilot[Any], check: Callable[[], object], timeout: float = 30.0) -> None:
    """Let the app run until ``check()`` holds, or fail after ``timeout`` seconds.

    A widget not mounted yet (``NoMatches``) counts as "not yet", and so does a screen
    too busy to settle within Textual's own wait: on a loaded machine both happen while
    the app is still getting there.
    """
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(NoMatches):
            if check():
                return
        assert time.monotonic() < deadline, "timed out waiting for the UI"
        with contextlib.suppress(WaitForScreenTimeout):
            await pilot.pause(0.05)
