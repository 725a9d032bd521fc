"""The after-action report as CSV: one row per decision, for spreadsheets."""

from __future__ import annotations

import csv
import io
from typing import Any

from simtrain.text import time_text

FIXED_COLUMNS = (
    "exercise",
    "team",
    "n",
    "clock",
    "time",
    "scene",
    "scene_title",
    "inject",
    "choice",
    "label",
    "actor",
    "role",
    "role_name",
    "rationale",
    "critical",
    "feedback",
    "points",
)
"""The columns before one per competency, ``assess_<id>``: the decision's points on it
(prefixed, because a competency may be called ``choice``)."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str | int | float:
    """A cell; text that a spreadsheet would run as a formula is prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = " ".join(str(value).split())
    return "'" + text if text.startswith(_FORMULA_START) else text


def _assessment(decision: dict[str, Any], competencies: list[str]) -> list[str | int | float]:
    """The critical error, feedback, total points and points per competency of a decision;
    empty cells in a team's version before the debrief is released (not zeros: nothing
    is said about the scores yet)."""
    if "assessment" not in decision:
        return [""] * (3 + len(competencies))
    points = decision["assessment"]
    return [
        _cell(decision["critical"]),
        _cell(decision["feedback"]),
        sum(points.values()),
        *(points.get(c, 0) for c in competencies),
    ]


def render_csv(report: dict[str, Any]) -> str:
    """A header row, then one row per decision of each team in the report, in order."""
    competencies = [c["id"] for c in report["rubric"]["competencies"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*FIXED_COLUMNS, *(f"assess_{c}" for c in competencies)])
    exercise = report["exercise"]["id"]
    for name, team in report["teams"].items():
        for d in team["decisions"]:
            writer.writerow(
                [
                    _cell(exercise),
                    _cell(name),
                    d["n"],
                    d["clock"],
                    _cell(time_text(d["clock"])),
                    _cell(d["scene"]),
                    _cell(d["scene_title"]),
                    _cell(d["inject"]),
                    _cell(d["choice"]),
                    _cell(d["label"]),
                    _cell(d["actor"]),
                    _cell(d["role"]),
                    _cell(d["role_name"]),
                    _cell(d["rationale"]),
                    *_assessment(d, competencies),
                ]
            )
    if report.get("assessment_released", True):
        _after_action(writer, report)
    return buffer.getvalue()


RATING_COLUMNS = ("exercise", "team", "objective", "objective_name", "rating", "meaning", "note")
"""The columns of the ratings table that follows the decisions."""
PLAN_COLUMNS = ("exercise", "team", "issue", "action", "responsible", "due", "source")
"""The columns of the improvement plan that ends the file."""


def _after_action(writer: Any, report: dict[str, Any]) -> None:
    """After the decisions, a blank row and the objective ratings, then a blank row and
    the improvement plan, each under its own header row (docs/report-schema.md, CSV)."""
    exercise = report["exercise"]["id"]
    writer.writerow([])
    writer.writerow(RATING_COLUMNS)
    for name, team in report["teams"].items():
        for r in team["ratings"]:
            writer.writerow(
                [_cell(v) for v in (exercise, name, r["objective"], r["objective_name"],
                                    r["rating"], r["meaning"], r["note"])]
            )  # fmt: skip
    writer.writerow([])
    writer.writerow(PLAN_COLUMNS)
    for row in report["improvement_plan"]:
        writer.writerow(
            [_cell(v) for v in (exercise, row["team"], row["area"], row["recommendation"],
                                row["owner"], row["due"], row["source"])]
        )  # fmt: skip
