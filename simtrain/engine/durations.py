"""Durations as people write them (``10m``, ``1h30m``, ``45s``) and back."""

from __future__ import annotations

from simtrain.scenario.runtime import duration_minutes

__all__ = ["duration_minutes", "format_minutes"]


def format_minutes(minutes: float) -> str:
    """``90.0`` → ``1h30m``; ``0.75`` → ``45s``; always a valid duration string."""
    seconds = round(minutes * 60)
    hours, rest = divmod(seconds, 3600)
    mins, secs = divmod(rest, 60)
    text = (
        (f"{hours}h" if hours else "") + (f"{mins}m" if mins else "") + (f"{secs}s" if secs else "")
    )
    return text or "0s"
