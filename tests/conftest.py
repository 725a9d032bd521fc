"""Shared fixtures: paths and loaded scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

from simtrain.engine.machine import Engine
from simtrain.scenario.compiled import Scenario
from simtrain.scenario.validate import load_file

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
