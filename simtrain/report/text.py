"""Small text helpers shared by every report format: points, percentages, outcomes."""

from __future__ import annotations

from datetime import UTC, datetime

UPPER_BOUND_NOTE = (
    "The best possible scores are upper bounds: this scenario has more paths than the "
    "search could cover within its budget, so they add up every positive point on offer, "
    "and the shares of the best may understate how well a team did."
)
"""Said once in a report whose best possible scores are upper bounds, not exact."""


WITHHELD = (
    "The version for team {team} before the debrief: what your team decided and received. "
    "Scores, feedback and the facilitator's observations are added once the facilitator "
    "releases the debrief."
)
"""The note at the top of a team's version whose assessment is not released yet."""


def percent(points: int, best: int) -> int | None:
    """``points`` as a whole percentage of ``best`` (None when nothing was on offer)."""
    return round(100 * points / best) if best > 0 else None


def percent_text(value: int | None) -> str:
    """A percentage for a table cell (``—`` when there is none)."""
    return "—" if value is None else f"{value}%"


def wall_text(wall: float) -> str:
    """A Unix time as an ISO 8601 UTC timestamp (to the second)."""
    return datetime.fromtimestamp(wall, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def outcome_text(outcome: str | None, ended: bool) -> str:
    """The outcome for a person: ``success``, ``partial``, ``failure`` or ``not finished``."""
    if outcome:
        return outcome
    return "ended without outcome" if ended else "not finished"
