"""The project's own rules, checked on every run: every package ships, the layers hold,
and ruff and mypy are clean (strict on the core). A failure here names the rule broken."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

CORE = [
    "simtrain/scenario",
    "simtrain/engine",
    "simtrain/store",
    "simtrain/exercise",
    "simtrain/views",
    "simtrain/text.py",
    "simtrain/plaintext.py",
]
"""Checked with mypy --strict: the core, the store, the service and its read models."""


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_every_python_package_is_shipped_by_a_plain_install() -> None:
    """`pip install .` (the README's first command) installs only the packages listed in
    pyproject.toml: a package missing there is missing on every fresh machine."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("simtrain", "facilitator")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_the_layer_contracts_hold() -> None:
    result = run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_ruff_check_and_format_are_clean() -> None:
    check = run(sys.executable, "-m", "ruff", "check", ".")
    assert check.returncode == 0, check.stdout + check.stderr
    formatted = run(sys.executable, "-m", "ruff", "format", "--check", ".")
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(["--strict", *CORE], id="strict-core"),
        pytest.param(["simtrain", "facilitator", "tests", "benchmarks"], id="everything"),
    ],
)
def test_mypy_is_clean(arguments: list[str], request: pytest.FixtureRequest) -> None:
    # one cache per run kind: the two runs may go in parallel (pytest -n 2)
    cache = ROOT / ".mypy_cache" / request.node.callspec.id
    result = run(sys.executable, "-m", "mypy", "--cache-dir", str(cache), *arguments)
    assert result.returncode == 0, result.stdout + result.stderr
