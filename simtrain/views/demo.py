"""The solo demo: a throw-away exercise on a bundled scenario with one seat, ready to play."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from simtrain.exercise import Exercise, ExerciseError, ExerciseService
from simtrain.scenario.library import DEMO, bundled_path, bundled_scenarios
from simtrain.views.session import TraineeSession

DEMO_TEAM = "demo"
"""The one team of a solo demo."""
DEMO_NAME = "You"
"""The display name of the solo demo player."""


def demo_scenario() -> Path:
    """The bundled scenario the solo demo plays (the tutorial, else the first shipped)."""
    try:
        return bundled_path(DEMO)
    except FileNotFoundError:
        shipped = bundled_scenarios()
        if not shipped:
            raise ExerciseError("no scenario ships with this installation of simtrain") from None
        return shipped[0]


def demo_folder() -> Path:
    """Where the solo demo keeps its database: the user's data folder, else a temp folder."""
    base = os.environ.get("XDG_DATA_HOME") or (
        os.environ.get("LOCALAPPDATA") if os.name == "nt" else None
    )
    candidates = [
        (Path(base) if base else Path.home() / ".local" / "share") / "simtrain",
        Path(tempfile.gettempdir()) / f"simtrain-{os.getpid()}",
    ]
    for folder in candidates:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    return Path(tempfile.mkdtemp(prefix="simtrain-"))


@dataclass
class Demo:
    """A solo demo ready to play: its database, its exercise and the player's seat."""

    service: ExerciseService
    session: TraineeSession
    db: Path
    scenario: Path


def _first_actor(exercise: Exercise) -> str:
    """The first role that has something to choose in the opening scene."""
    state = exercise.state(DEMO_TEAM)
    for role in exercise.scenario.roles:
        if any(o.enabled for o in exercise.engine.options(state, role, 0.0)):
            return role
    return exercise.scenario.roles[0]


def start_demo(
    folder: Path | None = None,
    scenario: Path | None = None,
    *,
    wall: Callable[[], float] = time.time,
) -> Demo:
    """Create a solo exercise on a bundled scenario, start its clock and take a seat."""
    folder = folder or demo_folder()
    path = scenario or demo_scenario()
    db = folder / "demo.db"
    service = ExerciseService.open(db, create=True)
    try:
        exercise, codes = service.create(path, [DEMO_TEAM])
        exercise.start()
        role = _first_actor(exercise)
        seat = exercise.join(DEMO_TEAM, codes[DEMO_TEAM], role, DEMO_NAME)
    except BaseException:
        service.close()
        raise
    session = TraineeSession(exercise, seat, code=codes[DEMO_TEAM], solo=True, wall=wall)
    return Demo(service, session, db, path)
