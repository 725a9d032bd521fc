"""Small pure text helpers every layer shares: exercise times, durations, did-you-mean.

One place per format, so the trainee screen, the console and the reports never disagree
about how a time is written. It imports nothing from simtrain (the pure core uses it too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import unquote, urlsplit, urlunsplit


def _seconds(minutes: float) -> int:
    """Whole seconds of ``minutes`` (rounded; negatives clamp to 0)."""
    return max(0, round(minutes * 60))


def clock_text(minutes: float) -> str:
    """The ticking exercise clock: ``12.5`` → ``0:12:30`` (``h:mm:ss``, truncated)."""
    seconds = max(0, int(minutes * 60 + 1e-6))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def time_text(minutes: float | None) -> str:
    """A moment of the exercise as ``mm:ss`` (``h:mm:ss`` from an hour on): ``12.5`` →
    ``12:30``; ``—`` for none. Reports and the console use it (docs/report-schema.md
    fixes it)."""
    if minutes is None:
        return "—"
    hours, rest = divmod(_seconds(minutes), 3600)
    mins, secs = divmod(rest, 60)
    return f"{hours}:{mins:02d}:{secs:02d}" if hours else f"{mins:02d}:{secs:02d}"


def duration_text(minutes: float | None) -> str:
    """A span of exercise time in words: ``45 s``, ``2 min 30 s``, ``1 h 5 min``; ``—``
    for none."""
    if minutes is None:
        return "—"
    hours, rest = divmod(_seconds(minutes), 3600)
    mins, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    if mins:
        return f"{mins} min {secs} s" if secs else f"{mins} min"
    return f"{secs} s"


def delay_text(minutes: float) -> str:
    """A span of exercise time, compact: ``45s``, ``3m05s``, ``1h02m``."""
    seconds = _seconds(minutes)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def assessment_text(assessment: Mapping[str, int], names: Mapping[str, str]) -> str:
    """Rubric points of a decision, e.g. ``Safety +2, Trust −1`` (``none`` when empty)."""
    if not assessment:
        return "none"
    return ", ".join(f"{names.get(c, c)} {p:+d}" for c, p in assessment.items())


def did_you_mean(word: str, candidates: Iterable[str], *, limit: int = 1) -> str:
    """`` (did you mean 'x'?)`` when up to ``limit`` candidates are close to ``word``
    (`` (did you mean 'x', 'y' or 'z'?)``), else ``''``."""
    import difflib  # only where a name was mistyped: not in every command's start-up

    close = difflib.get_close_matches(word[:100], list(candidates), n=limit, cutoff=0.6)
    if not close:
        return ""
    quoted = [f"'{match}'" for match in close]
    listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f" (did you mean {listed}?)"


def sentence(text: str) -> str:
    """A message as a sentence: capital first letter, full stop at the end."""
    text = text.strip()
    if not text:
        return text
    first = text.split(maxsplit=1)[0].rstrip(",;:")
    if first.isalpha() and first.islower():
        # only a plain word: a file name ("notdb.txt") or an id is kept as typed
        text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


SUBJECT_LENGTH = 60
"""The longest subject made from a message's text."""


def subject_of(text: str) -> str:
    """A subject for a message sent without one: its first sentence, or its first words
    up to :data:`SUBJECT_LENGTH` characters with "…" (never cut inside a word)."""
    first = " ".join(text.strip().splitlines()[0].split()) if text.strip() else ""
    for end in (". ", "? ", "! "):
        if end in first:
            first = first[: first.index(end) + 1]
            break
    if len(first) <= SUBJECT_LENGTH:
        return first
    cut = first[: SUBJECT_LENGTH - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:—-") + "…"


def split_password(url: str) -> tuple[str, str | None]:
    """A database URL without its password, and the password (``None`` if it has none):
    ``postgresql://ana:s3cret@db/x?sslmode=require`` → ``postgresql://ana@db/x?sslmode=require``
    and ``s3cret``. Anything else comes back unchanged."""
    if "://" not in url:
        return url, None
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    user, host = parts.netloc.rsplit("@", 1)
    bare = urlunsplit(parts._replace(netloc=f"{user.split(':', 1)[0]}@{host}"))
    return bare, unquote(parts.password)
