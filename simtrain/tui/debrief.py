"""The debrief screen: critical errors first, scores per competency, feedback per decision."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from simtrain.exercise import ExerciseError
from simtrain.tui.markdown import ScenarioMarkdown
from simtrain.tui.widgets import score_bar
from simtrain.views.seat import DebriefView


def fork_start(debrief: DebriefView) -> int:
    """The decision fork here opens at: the team's first critical error, else its
    lowest-scoring decision (1-based; 0 when it made none)."""
    decisions = debrief.decisions
    for number, decision in enumerate(decisions, 1):
        if decision.critical:
            return number
    if not decisions:
        return 0
    totals = [sum(value for _, value in d.points) for d in decisions]
    return totals.index(min(totals)) + 1


def _points(points: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{name} {value:+d}" for name, value in points)


class DebriefScreen(Screen[None]):
    """The team's debrief, once the facilitator has released it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Back"),
        Binding("d", "dismiss", "Back", show=False),
        Binding("f", "fork", "Fork here"),
        Binding("left_square_bracket", "fork_step(-1)", "Earlier decision", show=False),
        Binding("right_square_bracket", "fork_step(1)", "Later decision", show=False),
    ]

    def __init__(
        self,
        debrief: DebriefView,
        team: str,
        fork: Callable[[int], list[str]] | None = None,
    ) -> None:
        super().__init__()
        self.debrief = debrief
        self.team = team
        self.fork = fork
        """Fork here at a decision (it blocks: called from a worker thread)."""
        self.fork_at = fork_start(debrief)
        """The decision fork here shows (1-based)."""

    def compose(self) -> ComposeResult:
        debrief = self.debrief
        with VerticalScroll(id="debrief"):
            yield Label(Content.styled(f"Debrief — team {self.team}", "bold"), id="debrief-title")
            yield Label(
                Content.assemble(("Outcome: ", "bold"), debrief.outcome_name),
                id="debrief-outcome",
                classes=f"-{debrief.outcome or 'open'}",
            )
            if debrief.ending_text:
                yield ScenarioMarkdown(debrief.ending_text, id="debrief-ending")
            if debrief.critical:
                with Vertical(id="debrief-critical"):
                    yield Label(Content.styled("Critical errors", "bold"), classes="section")
                    for error in debrief.critical:
                        yield Static(
                            Content.assemble(
                                ("✖ ", "bold $error"),
                                (error.label, "bold"),
                                f" — {error.who}\n  " if error.who else "\n  ",
                                error.message,
                            ),
                            classes="critical",
                        )
            if self.fork is not None and self.fork_at:
                yield Label(Content.styled("Fork here", "bold"), classes="section")
                yield Static(
                    f"What an expert would have done from the state your team was in at "
                    f"decision {self.fork_at}: press f ([ ] for another decision).",
                    id="debrief-fork",
                    markup=False,
                )
            yield Label(Content.styled("Scores", "bold"), classes="section")
            for line in debrief.scores:
                yield Static(score_bar(line), classes="score")
            yield Label(Content.styled("Your team's decisions", "bold"), classes="section")
            if not debrief.decisions:
                yield Static("The team made no decisions.", classes="decision")
            for number, decision in enumerate(debrief.decisions, 1):
                yield Label(
                    Content.styled(f"{number}. {decision.label}", "bold"), classes="decision-title"
                )
                parts: list[str | tuple[str, str]] = [decision.who]
                if decision.rationale:
                    parts.append((f" — “{decision.rationale}”", "italic"))
                if decision.points:
                    parts.append((f"\n{_points(decision.points)}", "$text-muted"))
                if decision.critical:
                    parts.append((f"\nCritical: {decision.critical}", "bold $error"))
                yield Static(Content.assemble(*parts), classes="decision")
                if decision.feedback:
                    yield ScenarioMarkdown(decision.feedback, classes="feedback")
            if debrief.adjustments or debrief.observations:
                yield Label(Content.styled("From the facilitator", "bold"), classes="section")
                for observation in debrief.observations:
                    about = (
                        f" ({observation.competency_name})" if observation.competency_name else ""
                    )
                    yield Static(
                        Content.assemble(
                            (
                                "Strength" if observation.kind == "strength" else "To improve",
                                "bold $success" if observation.kind == "strength" else "bold",
                            ),
                            f"{about} — {observation.text}",
                        ),
                        classes="decision",
                    )
                for adjustment in debrief.adjustments:
                    yield Static(
                        Content.assemble(
                            (f"{adjustment.competency_name} {adjustment.points:+d}", "bold"),
                            f" — {adjustment.note}",
                        ),
                        classes="decision",
                    )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#debrief", VerticalScroll).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Fork here only where it can be searched and there is a decision."""
        if action in ("fork", "fork_step"):
            return self.fork is not None and bool(self.fork_at)
        return True

    def action_fork(self) -> None:
        """Show what an expert would have done from the state your team was in before the
        decision (its steps, ending and score beside yours)."""
        if self.fork is None or not self.fork_at:
            return
        label = self.debrief.decisions[self.fork_at - 1].label
        self.query_one("#debrief-fork", Static).update(
            f"Searching the expert path from decision {self.fork_at} (“{label}”)…"
        )
        self._fork(self.fork_at)

    def action_fork_step(self, delta: int) -> None:
        """Fork at the decision before or after the one shown."""
        count = len(self.debrief.decisions)
        if count:
            self.fork_at = min(max(1, self.fork_at + delta), count)
            self.action_fork()

    @work(thread=True, exclusive=True, group="fork")
    def _fork(self, at: int) -> None:
        assert self.fork is not None
        try:
            lines = self.fork(at)
        except ExerciseError as exc:
            lines = [str(exc)]
        self.app.call_from_thread(self._show_fork, at, lines)

    def _show_fork(self, at: int, lines: list[str]) -> None:
        if at == self.fork_at:  # the trainee may have moved on meanwhile
            self.query_one("#debrief-fork", Static).update("\n".join(lines))
