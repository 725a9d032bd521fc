"""The debrief screen: critical errors first, scores per competency, feedback per decision."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Label, Markdown, Static

from simtrain.tui.widgets import score_bar
from simtrain.views.seat import DebriefView


def _points(points: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{name} {value:+d}" for name, value in points)


class DebriefScreen(Screen[None]):
    """The team's debrief, once the facilitator has released it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Back"),
        Binding("d", "dismiss", "Back", show=False),
    ]

    def __init__(self, debrief: DebriefView, team: str) -> None:
        super().__init__()
        self.debrief = debrief
        self.team = team

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
                yield Markdown(debrief.ending_text, id="debrief-ending")
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
                    yield Markdown(decision.feedback, classes="feedback")
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
