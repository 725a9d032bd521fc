"""Shared fixtures: paths and loaded scenarios."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from simtrain.engine.fold import Engine
from simtrain.scenario.compiled import Scenario
from simtrain.scenario.validate import load_file
from tests.pg_server import PgServer, start_server

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


def load(path: Path) -> Scenario:
    """Load a scenario that must be valid."""
    result = load_file(path)
    assert result.scenario is not None, [d.format() for d in result.diagnostics]
    return result.scenario


@pytest.fixture(scope="session")
def demo() -> Scenario:
    """The every-feature demo scenario."""
    return load(FIXTURES / "every_feature.yaml")


@pytest.fixture
def engine(demo: Scenario) -> Engine:
    """A fresh engine on the demo scenario."""
    return Engine(demo)


def cued_scenario(folder: Path) -> Path:
    """The every-feature demo with the facilitator-only and warning keys filled in, each
    with a marker text a test can look for: an exercise warning, an inject warning,
    role-player cues on a scene and an inject, and two facilitator-scored dilemmas."""
    data = yaml.safe_load((FIXTURES / "every_feature.yaml").read_text(encoding="utf-8"))
    data["content_warning"] = "EXERCISE-WARNING: this exercise concerns trafficking."
    quay = data["scenes"]["quay"]
    quay["notes_for_roleplayers"] = "ROLEPLAYER-SCENE-CUE: the man answers before she can."
    quay["choices"][0]["dilemma"] = "DILEMMA-GUIDANCE: weigh speed against trust."
    call = data["injects"][0]
    call["content_warning"] = "INJECT-WARNING: the caller asks for a victim's name."
    call["notes_for_roleplayers"] = "ROLEPLAYER-INJECT-CUE: the journalist is persistent."
    call["choices"][0]["dilemma"] = "INJECT-DILEMMA-GUIDANCE: no single right answer."
    path = folder / "cued.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


CARD_MARKER = "CARD-MARKER"
"""Text of the character card of :func:`character_scenario`: no seat may ever see it."""


def character_scenario(folder: Path, *, cued: bool = False) -> Path:
    """The every-feature demo (with ``cued``, :func:`cued_scenario`'s) with a character,
    Ms Dara, present in the screening scene, who talks to the social worker only (issue
    17)."""
    source = cued_scenario(folder) if cued else FIXTURES / "every_feature.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["characters"] = {
        "dara": {
            "name": "Ms Dara",
            "card": f"{CARD_MARKER}: **You play Dara**; disclose the debt only when trusted.",
            "talks_to": ["social_worker"],
            "scenes": ["screening"],
        }
    }
    path = folder / "characters.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


CUE_MARKERS = (
    "ROLEPLAYER-SCENE-CUE",
    "DILEMMA-GUIDANCE",
    "ROLEPLAYER-INJECT-CUE",
    "INJECT-DILEMMA-GUIDANCE",
)
"""The facilitator-only texts of :func:`cued_scenario`: no seat may ever see them."""


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server for the session (tests/pg_server.py): skipped, with the reason,
    where none can be had, and a failure instead in CI (CI=true), which must test it."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        started: PgServer | str = "psycopg is not installed (pip install -e '.[postgres]')"
    else:
        started = start_server()
    if isinstance(started, str):
        if os.environ.get("CI"):
            pytest.fail(f"CI must test the PostgreSQL store, but: {started}")
        pytest.skip(f"no PostgreSQL server: {started}")
    try:
        yield started
    finally:
        started.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An exercise database on each backend in turn, for tests of processes sharing one:
    a SQLite file, then a fresh PostgreSQL database on the session's server."""
    if request.param == "sqlite":
        return str(tmp_path / "shared.db")
    server: PgServer = request.getfixturevalue("pg_server")
    return server.new_database()
