"""Small text helpers shared by every report format: times, points, percentages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime


def clock_text(minutes: float | None) -> str:
    """Exercise time as ``mm:ss`` (``h:mm:ss`` from an hour on); ``—`` for none."""
    if minutes is None:
        return "—"
    total = round(minutes * 60)
    hours, rest = divmod(total, 3600)
    mins, secs = divmod(rest, 60)
    return f"{hours}:{mins:02d}:{secs:02d}" if hours else f"{mins:02d}:{secs:02d}"


def duration_text(minutes: float | None) -> str:
    """A span of exercise time for a person: ``45 s``, ``2 min 30 s``, ``1 h 5 min``."""
    if minutes is None:
        return "—"
    total = max(0, round(minutes * 60))
    hours, rest = divmod(total, 3600)
    mins, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    if mins:
        return f"{mins} min {secs} s" if secs else f"{mins} min"
    return f"{secs} s"


def percent(points: int, best: int) -> int | None:
    """``points`` as a whole percentage of ``best`` (None when nothing was on offer)."""
    return round(100 * points / best) if best > 0 else None


def percent_text(value: int | None) -> str:
    """A percentage for a table cell (``—`` when there is none)."""
    return "—" if value is None else f"{value}%"


def assessment_text(assessment: Mapping[str, int], names: Mapping[str, str]) -> str:
    """Rubric points of a decision, e.g. ``Safety +2, Trust −1`` (``none`` when empty)."""
    if not assessment:
        return "none"
    return ", ".join(f"{names.get(c, c)} {p:+d}" for c, p in assessment.items())


def wall_text(wall: float) -> str:
    """A Unix time as an ISO 8601 UTC timestamp (to the second)."""
    return datetime.fromtimestamp(wall, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def outcome_text(outcome: str | None, ended: bool) -> str:
    """The outcome for a person: ``success``, ``partial``, ``failure`` or ``not finished``."""
    if outcome:
        return outcome
    return "ended without outcome" if ended else "not finished"
