"""Small widgets of the console: the big exercise clock and per-competency score bars."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Digits, Label

from simtrain.exercise import ClockState, Exercise
from simtrain.text import time_text
from simtrain.tui.plain import plain
from simtrain.views.board import CompetencyScore
from simtrain.views.conversation import Transcript

if TYPE_CHECKING:
    from facilitator.app import FacilitatorApp

STATE_LABELS = {
    "created": "NOT STARTED",
    "running": "RUNNING",
    "paused": "PAUSED",
    "ended": "ENDED",
}
"""How each clock state is shown."""


class ExerciseClock(Horizontal):
    """The exercise clock in large digits, with its state; ticks every second while running."""

    clock: reactive[ClockState | None] = reactive(None, init=False)
    """The clock as last read from the service."""
    taken_at: reactive[float] = reactive(0.0, init=False)
    """Wall time the clock was read at (Unix seconds)."""

    def compose(self) -> ComposeResult:
        """The digits, then the state and a caption."""
        yield Digits("00:00", id="clock-digits")
        with Vertical(id="clock-info"):
            yield Label("", id="clock-state")
            yield Label("", id="clock-caption")
            yield Label("", id="clock-alerts")

    def on_mount(self) -> None:
        """Tick once a second."""
        self.set_interval(1.0, self._tick)

    def minutes(self) -> float:
        """Exercise minutes now, extrapolated from the last reading while running."""
        if self.clock is None:
            return 0.0
        if self.clock.state != "running":
            return self.clock.minutes
        return self.clock.minutes + max(0.0, time.time() - self.taken_at) / 60.0

    def _tick(self) -> None:
        self.query_one("#clock-digits", Digits).update(time_text(self.minutes()))

    def watch_clock(self, clock: ClockState | None) -> None:
        """Show a new reading."""
        self._tick()
        state = clock.state if clock else "created"
        label = self.query_one("#clock-state", Label)
        label.update(STATE_LABELS[state])
        for name in STATE_LABELS:
            label.set_class(name == state, f"-{name}")
        self.set_class(state == "paused", "-paused")

    def show(self, caption: str, alerts: str) -> None:
        """Set the caption line and the alert line (empty: no alert)."""
        self.query_one("#clock-caption", Label).update(plain(caption))
        alert_label = self.query_one("#clock-alerts", Label)
        alert_label.update(plain(alerts))
        alert_label.set_class(bool(alerts), "-alert")


def short_name(name: str, width: int) -> str:
    """A competency's name in ``width`` cells: whole if it fits, else its first word
    ("Safety and do-no-harm" → "Safety"), never cut without an ellipsis."""
    if len(name) > width:
        name = name.split()[0].rstrip(",;:") if name.split() else name
    if len(name) > width:
        name = name[: max(1, width - 1)] + "…"
    return name.ljust(width)


def score_lines(scores: Sequence[CompetencyScore], width: int) -> Text:
    """Bars of points against the best reachable, one competency a line, in ``width`` cells."""
    text = Text()
    name_width = max(6, min(15, width // 3))
    number_width = 7
    bar_width = max(3, width - name_width - number_width - 2)
    for index, score in enumerate(scores):
        if index:
            text.append("\n")
        text.append(short_name(score.name or score.competency, name_width) + " ", style="bold")
        scale = max(score.best, abs(score.points), 1)
        filled = round(bar_width * abs(score.points) / scale)
        if score.points < 0:
            text.append("▇" * filled, style="red")
        else:
            text.append("▇" * filled, style="green")
        text.append("░" * (bar_width - filled), style="dim")
        number = f"{score.points:+d}/{score.best}" if score.points else f"0/{score.best}"
        text.append(" " + number.rjust(number_width - 1), style="red" if score.points < 0 else "")
    return text


class ScoreBars(Widget):
    """Per-competency bars: points against the best reachable along any path."""

    scores: reactive[tuple[CompetencyScore, ...]] = reactive(tuple, layout=True)
    """The scores to draw, in rubric order."""

    def render(self) -> Text:
        """Draw the bars to fit the widget's width."""
        if not self.scores:
            return Text("no scores yet", style="dim")
        return score_lines(self.scores, self.size.width)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        """One line per competency."""
        return max(1, len(self.scores))


class ExerciseScreen(Screen[None]):
    """A console screen that works on the app's open exercise."""

    @property
    def facilitator(self) -> FacilitatorApp:
        """The app, typed."""
        return cast("FacilitatorApp", self.app)

    @property
    def exercise(self) -> Exercise:
        """The exercise being run (these screens open only once one is)."""
        exercise = self.facilitator.exercise
        assert exercise is not None, f"{type(self).__name__} opens only with an exercise"
        return exercise


def transcripts_text(conversations: Sequence[Transcript]) -> Text:
    """A team's conversations with characters, each line numbered (for marking) and
    followed by its marks; what people typed is appended as plain text, never markup."""
    text = Text()
    for talk in conversations:
        text.append(f"With {talk.character_name}\n", style="bold")
        for line in talk.lines:
            text.append(f"{line.number:>3}. {time_text(line.clock)} ", style="dim")
            text.append(line.who, style="bold cyan" if line.by_character else "bold")
            text.append(f": {line.text}\n")
            for mark in line.marks:
                note = f" — {mark.note}" if mark.note else ""
                text.append(
                    f"       ✓ {mark.competency_name} {mark.points:+d}{note}\n", style="italic"
                )
    return text
