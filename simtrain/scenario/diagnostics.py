"""Diagnostics: what the validator says about a file, with where it says it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a scenario file, anchored to a YAML node."""

    severity: Severity
    line: int
    column: int
    code: str
    message: str
    path: str = "<scenario>"

    def format(self) -> str:
        """``file:line:col: severity: message``, the form editors and people both read."""
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"

    def to_json(self) -> dict[str, object]:
        """The JSON object of ``validate --json``."""
        return {
            "severity": self.severity,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }


def sort_key(diagnostic: Diagnostic) -> tuple[int, int, int]:
    """Order diagnostics by position, errors before warnings at the same place."""
    return (diagnostic.line, diagnostic.column, 0 if diagnostic.severity == "error" else 1)
