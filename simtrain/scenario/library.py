"""The scenarios that ship with simtrain, found wherever simtrain is installed."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEMO = "tutorial"
"""The scenario ``simtrain play`` runs when given no arguments."""


def bundled_dir() -> Path:
    """The folder that holds the shipped scenario files."""
    return Path(str(resources.files("simtrain.bundled")))


def bundled_scenarios() -> list[Path]:
    """Every shipped scenario file, sorted by name."""
    return sorted(bundled_dir().glob("*.yaml"))


def bundled_path(name: str) -> Path:
    """The shipped scenario called ``name`` (with or without ``.yaml``)."""
    stem = name.removesuffix(".yaml")
    path = bundled_dir() / f"{stem}.yaml"
    if not path.exists():
        names = ", ".join(p.stem for p in bundled_scenarios())
        raise FileNotFoundError(f"no shipped scenario called '{stem}' (shipped: {names})")
    return path


def resolve(name_or_path: str) -> Path:
    """A scenario argument: a file path if it exists, else the name of a shipped one."""
    path = Path(name_or_path)
    if path.exists():
        return path
    return bundled_path(name_or_path)
