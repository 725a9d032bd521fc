"""The role-player's seat (``simtrain roleplay``, issue 17): the character's card, the
conversations with every team that has reached one of its scenes, what each team knows so
far (its scene and case file), a line to write to the chosen team, and marks on lines.

Nothing here gives other facilitator powers. Lines and names are typed by people: they
are shown as plain :class:`~textual.content.Content`, never parsed as markup.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Label, Markdown, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from simtrain.text import clock_text, sentence
from simtrain.tui.markdown import ScenarioMarkdown
from simtrain.tui.plain import PlainNotify
from simtrain.tui.talk import LineInput, Transcript, transcript_text
from simtrain.views.follow import RETRYING, Reconnected, Trouble
from simtrain.views.roleplay import RoleplaySession, RoleplayView, TeamDesk


def desk_markdown(desk: TeamDesk, name: str) -> str:
    """What a team knows so far, as Markdown (scenario text only: the scene and the case
    file; the team's own name is shown elsewhere, as plain text)."""
    here = f"**{name} is here**: you may speak." if desk.here else f"{name} is not in this scene."
    if desk.ended:
        here = "The team has reached an ending."
    parts = [here, "", f"### Scene: {desk.scene_title}", "", desk.scene_text or "", ""]
    parts.append("### Case file")
    parts.append("")
    if not desk.documents:
        parts.append("Nothing yet.")
    for title, body in desk.documents:
        parts += [f"**{title}**", "", body, ""]
    return "\n".join(parts)


class MarkDialog(ModalScreen[tuple[int, str, int, str] | None]):
    """Mark a line: its number, a competency, points (−5..5, not 0) and a note."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, line: int, competencies: list[tuple[str, str]]) -> None:
        super().__init__()
        self.line = line
        self.competencies = competencies

    def compose(self) -> ComposeResult:
        with Vertical(id="mark-dialog"):
            yield Label(Content.styled("Mark a line", "bold"))
            yield Input(str(self.line) if self.line else "", placeholder="line", id="mark-line")
            yield Select(
                [(Content(name), cid) for cid, name in self.competencies],
                prompt="competency",
                id="mark-competency",
            )
            yield Input("+1", placeholder="points, -5..5", id="mark-points")
            yield Input(placeholder="note for the debrief (optional)", id="mark-note")
            yield Label("", id="mark-problem")
            with Horizontal(id="mark-buttons"):
                yield Button("Mark", variant="primary", id="mark-ok")
                yield Button("Cancel", id="mark-cancel")

    def on_mount(self) -> None:
        titles = {
            "#mark-line": "Line",
            "#mark-competency": "Competency",
            "#mark-points": "Points",
            "#mark-note": "Note",
        }
        for selector, title in titles.items():
            self.query_one(selector).border_title = title
        self.query_one("#mark-competency", Select).focus()

    @on(Button.Pressed, "#mark-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#mark-ok")
    def _ok(self) -> None:
        problem = self.query_one("#mark-problem", Label)
        try:
            line = int(self.query_one("#mark-line", Input).value.strip())
            points = int(self.query_one("#mark-points", Input).value.strip())
        except ValueError:
            problem.update("The line and the points are whole numbers.")
            return
        competency = self.query_one("#mark-competency", Select).value
        if not isinstance(competency, str):
            problem.update("Choose a competency.")
            return
        self.dismiss((line, competency, points, self.query_one("#mark-note", Input).value))


class RoleplayScreen(Screen[None]):
    """The role-player's desk."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f4", "next_team", "Next team", priority=True),
        Binding("f3", "mark", "Mark a line", priority=True),
        Binding("f6", "card", "Card", priority=True),
        Binding("escape", "write", "Write"),
    ]

    class Updated(Message):
        """A new view of the seat."""

        def __init__(self, view: RoleplayView) -> None:
            super().__init__()
            self.view = view

    class Done(Message):
        """A line or a mark was recorded (``problem`` empty) or refused."""

        def __init__(self, problem: str, what: str) -> None:
            super().__init__()
            self.problem = problem
            self.what = what

    def __init__(self, session: RoleplaySession, view: RoleplayView, *, watch_timeout: float):
        super().__init__()
        self.session = session
        self.view = view
        self.watch_timeout = watch_timeout
        self.team: str | None = view.teams[0].team if view.teams else None
        self._stop = threading.Event()
        self._painted: RoleplayView | None = None
        self._desk_shown: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="rp-header")
        with Horizontal(id="rp-body"):
            with VerticalScroll(id="rp-card"):
                yield ScenarioMarkdown(id="rp-card-text")
            with Vertical(id="rp-desk"):
                yield OptionList(id="rp-teams")
                with VerticalScroll(id="rp-team-info"):
                    yield ScenarioMarkdown(id="rp-team-text")
                yield Transcript(id="rp-lines")
                yield LineInput(id="rp-input")
        yield Static(id="rp-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#rp-card-text", Markdown).update(self.view.card or "*No card.*")
        self._paint(self.view)
        self.query_one("#rp-input").focus()
        self._watch()

    def on_unmount(self) -> None:
        self._stop.set()

    def tell(self, text: str, severity: str = "information") -> None:
        """Show a sentence in the status line."""
        mark = {"warning": "▲ ", "error": "✖ "}.get(severity, "● ")
        self.query_one("#rp-status", Static).update(Content.assemble((mark, "bold"), text))

    def _paint(self, view: RoleplayView) -> None:
        was, self._painted = self._painted, view
        clock = view.clock
        header = Content.assemble(
            ("Role-player: ", "bold"),
            (view.name, "bold $accent"),
            f"  ·  exercise {view.exercise}  ·  {clock.state} {clock_text(clock.minutes)}",
        )
        self.query_one("#rp-header", Static).update(header)
        if self.team is None and view.teams:
            self.team = view.teams[0].team
        teams = self.query_one("#rp-teams", OptionList)
        options = [
            Option(
                Content.assemble(
                    ("● " if d.here else "  ", "bold $success"),
                    f"Team {d.team}",
                    (" — here" if d.here else " — elsewhere", "$text-muted"),
                    f"  ({len(d.lines)} line{'s' if len(d.lines) != 1 else ''})",
                ),
                id=d.team,
            )
            for d in view.teams
        ]
        if (
            was is None
            or [o.id for o in options] != [d.team for d in was.teams]
            or (was.teams != view.teams)
        ):
            highlighted = self.team
            teams.clear_options()
            if options:
                teams.add_options(options)
                index = next((i for i, d in enumerate(view.teams) if d.team == highlighted), 0)
                teams.highlighted = index
            else:
                teams.add_option(
                    Option(Content.styled("No team has reached your scenes yet.", "italic"))
                )
        self._show_desk()

    def _show_desk(self) -> None:
        desk = self.view.desk(self.team) if self.team else None
        field = self.query_one("#rp-input", LineInput)
        info = self.query_one("#rp-team-text", Markdown)
        if desk is None:
            info.update("Waiting for a team to reach one of your scenes.")
            self.query_one(Transcript).show(Content(""))
            field.disabled = True
            field.placeholder = "no team to talk with yet"
            return
        text = desk_markdown(desk, self.view.name)
        if self._desk_shown != (desk.team, text):
            info.update(text)
            self._desk_shown = (desk.team, text)
        self.query_one(Transcript).show(
            transcript_text(desk.lines, numbers=True)
            if desk.lines
            else Content.styled("Nothing said yet.", "$text-muted")
        )
        opened = field.disabled and desk.here
        field.disabled = not desk.here
        if opened and not isinstance(self.focused, Input):
            field.focus()  # the team has just come within reach: ready to answer it
        field.placeholder = (
            f"Say to team {desk.team} as {self.view.name}… (Enter)"
            if desk.here
            else f"team {desk.team} is not in your scene now"
        )

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def _watch(self) -> None:
        worker = get_current_worker()
        trouble = ""
        for news in self.session.follow(self._stop, self.watch_timeout):
            if worker.is_cancelled:
                return
            if isinstance(news, Trouble):
                if news.text != trouble:  # said once, not at every try
                    trouble = news.text
                    self.app.call_from_thread(
                        self.tell, f"{sentence(news.text)} {RETRYING}", "warning"
                    )
            elif isinstance(news, Reconnected):
                trouble = ""
                self.app.call_from_thread(self.tell, news.text)
            else:
                self.post_message(self.Updated(news))

    @on(Updated)
    def _updated(self, message: Updated) -> None:
        old, self.view = self.view, message.view
        known = {d.team for d in old.teams}
        for desk in message.view.teams:
            if desk.team not in known:
                self.tell(f"Team {desk.team} has reached your scene.")
        self._paint(message.view)

    @on(OptionList.OptionHighlighted, "#rp-teams")
    def _team_chosen(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and event.option.id != self.team:
            self.team = event.option.id
            self._show_desk()

    @on(Input.Submitted, "#rp-input")
    def _send(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text and self.team:
            self._say(self.team, text)

    @work(thread=True, group="act", exit_on_error=False)
    def _say(self, team: str, text: str) -> None:
        self.post_message(self.Done(self.session.say(team, text), "line"))

    @work(thread=True, group="act", exit_on_error=False)
    def _mark(self, team: str, line: int, competency: str, points: int, note: str) -> None:
        self.post_message(
            self.Done(self.session.mark(team, line, competency, points, note), "mark")
        )

    @on(Done)
    def _done(self, message: Done) -> None:
        if message.problem:
            self.tell(message.problem, "warning")
            return
        if message.what == "line":
            self.query_one("#rp-input", LineInput).value = ""
            self.tell(f"Said to team {self.team}.")
        else:
            self.tell(f"Line marked for team {self.team}.")
        self._refresh()

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def _refresh(self) -> None:
        self.post_message(self.Updated(self.session.view()))

    def action_next_team(self) -> None:
        """Talk with the next team that has reached the character."""
        teams = [d.team for d in self.view.teams]
        if not teams:
            return
        index = (teams.index(self.team) + 1) % len(teams) if self.team in teams else 0
        self.team = teams[index]
        self.query_one("#rp-teams", OptionList).highlighted = index
        self._show_desk()
        self.tell(f"Talking with team {self.team}.")

    def action_mark(self) -> None:
        """Mark a line of the chosen team's conversation (the last one, unless changed)."""
        desk = self.view.desk(self.team) if self.team else None
        if desk is None:
            self.tell("No team to mark yet.", "warning")
            return
        scenario = self.session.exercise.scenario
        competencies = [(c, scenario.competency_names[c]) for c in scenario.competencies]
        last = desk.lines[-1].number if desk.lines else 0
        team = desk.team

        def marked(answer: tuple[int, str, int, str] | None) -> None:
            if answer is not None:
                self._mark(team, *answer)

        self.app.push_screen(MarkDialog(last, competencies), marked)

    def action_card(self) -> None:
        """Move to the card (to scroll it)."""
        self.query_one("#rp-card").focus()

    def action_write(self) -> None:
        """Back to the line being written."""
        self.query_one("#rp-input").focus()


class RoleplayApp(PlainNotify, App[None]):
    """``simtrain roleplay``: one character's role-player seat."""

    CSS_PATH = "roleplay.tcss"
    TITLE = "simtrain role-player"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self, session: RoleplaySession, view: RoleplayView, *, watch_timeout: float = 1.0
    ) -> None:
        super().__init__()
        self.session = session
        self.first_view = view
        self.watch_timeout = watch_timeout

    def on_mount(self) -> None:
        self.push_screen(
            RoleplayScreen(self.session, self.first_view, watch_timeout=self.watch_timeout)
        )
