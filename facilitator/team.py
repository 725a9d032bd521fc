"""A team up close: its timeline, state, inbox and people; move, score, observe, message."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Static, TabbedContent, TabPane

from facilitator.actions import acknowledge, send_message
from facilitator.dialogs import (
    AdjustDialog,
    AdjustRequest,
    InjectDialog,
    InjectPick,
    MarkLineDialog,
    MarkRequest,
    MessageDialog,
    MessageRequest,
    MoveDialog,
    MoveRequest,
    ObserveDialog,
    ObserveRequest,
    SpeakDialog,
    SpeakRequest,
)
from facilitator.widgets import ExerciseScreen, ScoreBars, transcripts_text
from simtrain.engine.events import (
    AlertAcknowledged,
    Chose,
    InjectDelivered,
    InjectSkipped,
    Joined,
    JoinFailed,
    MessageSent,
    Moved,
    Observed,
    ScoreAdjusted,
    SteppedBack,
    SteppedOut,
    TimerFired,
)
from simtrain.exercise.conversations import present
from simtrain.text import time_text
from simtrain.tui.plain import plain
from simtrain.views.board import (
    Board,
    Entry,
    inbox,
    team_debrief,
    timeline,
    vars_text,
)
from simtrain.views.conversation import Transcript

if TYPE_CHECKING:
    pass

ICONS = {
    Chose.kind: "▶",
    InjectDelivered.kind: "✉",
    InjectSkipped.kind: "⨯",
    TimerFired.kind: "⏱",
    Moved.kind: "⇢",
    ScoreAdjusted.kind: "±",
    Joined.kind: "+",
    MessageSent.kind: "✎",
    Observed.kind: "◆",
    SteppedOut.kind: "⚠",
    SteppedBack.kind: "↩",
    AlertAcknowledged.kind: "✓",
    JoinFailed.kind: "⚠",
}
"""A mark per kind of timeline entry."""


def timeline_text(entries: list[Entry]) -> Table | Text:
    """The timeline: one headline per event with its details indented under it."""
    if not entries:
        return Text("Nothing has happened for this team yet.", style="dim")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=5, style="cyan")
    grid.add_column(width=1)
    grid.add_column(ratio=1)
    for entry in entries:
        style = "bold red" if entry.critical else ("bold" if entry.kind == Chose.kind else "")
        grid.add_row(
            time_text(entry.clock), ICONS.get(entry.kind, "·"), Text(entry.headline, style)
        )
        for line in entry.details:
            critical = line.startswith("CRITICAL")
            grid.add_row("", "", Text(line, style="bold red" if critical else "dim"))
    return grid


class TeamScreen(ExerciseScreen):
    """One team in full, with the facilitator's overrides."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("g", "move", "Move"),
        Binding("c", "adjust", "Score"),
        Binding("o", "observe", "Observe"),
        Binding("m", "message", "Message"),
        Binding("a", "acknowledge", "Acknowledge"),
        Binding("n", "publish", "Publish"),
        Binding("x", "skip", "Skip"),
        Binding("v", "speak", "Speak as"),
        Binding("k", "mark_line", "Mark line"),
    ]

    def __init__(self, team: str) -> None:
        super().__init__()
        self.team = team
        """The team shown."""
        self._shown_event = -1
        self._conversations: tuple[Transcript, ...] = ()

    def compose(self) -> ComposeResult:
        """Heading, timeline on the left, state on the right, key bar."""
        yield Static(id="team-head")
        with Horizontal(id="team-body"):
            with VerticalScroll(id="timeline-scroll"):
                yield Static(id="timeline")
            with TabbedContent(id="team-tabs"):
                with TabPane("Score", id="tab-score"), VerticalScroll():
                    yield ScoreBars(id="team-scores")
                    yield Static(id="team-adjustments")
                with TabPane("State", id="tab-state"), VerticalScroll():
                    yield Static(id="team-state")
                with TabPane("Inbox", id="tab-inbox"), VerticalScroll():
                    yield Static(id="team-inbox")
                with TabPane("People", id="tab-people"), VerticalScroll():
                    yield Static(id="team-people")
                with TabPane("Talk", id="tab-talk"), VerticalScroll():
                    yield Static(id="team-talk")
        yield Footer()

    def on_mount(self) -> None:
        """Follow the app's board; the timeline takes the keyboard."""
        self.query_one("#timeline-scroll").focus()
        self.watch(self.facilitator, "board", self.show_board)

    def show_board(self, board: Board | None) -> None:
        """Draw the team from a new picture of the exercise."""
        if board is None:
            return
        scenario = self.exercise.scenario
        row = board.team(self.team)
        state = board.states[self.team]
        head = Text()
        head.append(f"Team {self.team}", style="bold")
        head.append(f" — {row.scene_title}")
        if row.ended:
            head.append(f" · ENDED ({row.outcome})", style="bold")
        else:
            head.append(f" · {time_text(row.in_scene)} in scene")
        count = len(state.path)
        head.append(f" · score {row.points}/{row.best} · {count} decision{'s' * (count != 1)}")
        if row.critical_count:
            head.append(f" · {row.critical_count} critical", style="bold red")
        head.append(f" · clock {time_text(board.clock.minutes)} ({board.clock.state})")
        for alert in row.alerts:
            head.append(f"\n⚠ {time_text(alert.clock)} {alert.by}: {alert.text}", style="red")
        if row.alerts:
            head.append("  (a: acknowledge)", style="bold red")
        self.query_one("#team-head", Static).update(head)
        self.set_class(bool(row.alerts), "-alert")
        if board.last_event_id == self._shown_event:
            return
        self._shown_event = board.last_event_id
        events = board.team_events(self.team)
        scroll = self.query_one("#timeline-scroll", VerticalScroll)
        at_end = scroll.scroll_y >= scroll.max_scroll_y
        self.query_one("#timeline", Static).update(timeline_text(timeline(scenario, events)))
        if at_end:
            self.call_after_refresh(scroll.scroll_end, animate=False)
        debrief = team_debrief(scenario, self.team, state, events)
        self._conversations = debrief.conversations
        self.query_one("#team-talk", Static).update(
            transcripts_text(debrief.conversations) or "No conversation with a character yet."
        )
        self.query_one("#team-scores", ScoreBars).scores = debrief.scores
        extra = Text()
        for line in debrief.adjustments:
            extra.append(f"\nAdjusted {line}")
        for line in debrief.observations:
            extra.append(f"\n{line}", style="italic")
        self.query_one("#team-adjustments", Static).update(extra)
        titles = {d: doc.title for d, doc in scenario.model.documents.items()}
        state_text = Text("Variables\n", style="bold")
        state_text.append("\n".join(vars_text(state)) or "none")
        state_text.append("\n\nCase file\n", style="bold")
        state_text.append(
            "\n".join(
                f"{titles.get(d, d)} ({', '.join(scenario.document_roles(d))})"
                for d in state.case_file
            )
            or "empty"
        )
        if state.pending:
            state_text.append("\n\nAwaiting a response\n", style="bold")
            state_text.append("\n".join(scenario.injects[i].subject for i in state.pending))
        self.query_one("#team-state", Static).update(state_text)
        self.query_one("#team-inbox", Static).update(
            plain("\n".join(inbox(scenario, state, events)) or "The inbox is empty.")
        )
        people = Text()
        for person in row.participants:
            if not person.online:
                status = "offline"
            elif person.stepped_out_at is not None:
                status = f"stepped out at {time_text(person.stepped_out_at)}"
            else:
                status = "online"
            people.append(f"{person.name}", style="bold")
            people.append(
                f" — {scenario.role_names.get(person.role, person.role)}; joined at "
                f"{time_text(person.joined_at)}; {status}\n"
            )
        if row.open_roles and not row.ended:
            people.append(
                f"\nOpen roles: {', '.join(row.open_roles)} — any member may take their "
                "choices; injects to them reach the whole team.",
                style="yellow",
            )
        if row.stuck:
            people.append(f"\nStuck: {row.stuck}.", style="bold yellow")
        self.query_one("#team-people", Static).update(people or "Nobody has joined yet.")

    # -- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Acknowledge only when the team has an alert; nothing but Back once ended."""
        board = self.facilitator.board
        if action == "acknowledge":
            return bool(board and board.team(self.team).alerts)
        if action == "speak":
            return bool(self.exercise.scenario.characters) and not (
                board and board.clock.state == "ended"
            )
        if action in ("move", "adjust", "observe", "message", "publish", "skip", "mark_line"):
            return not (board and board.clock.state == "ended")
        return True

    def action_back(self) -> None:
        """Back to the dashboard."""
        self.dismiss()

    def action_move(self) -> None:
        """Move the team to a scene, with a reason."""
        exercise, team = self.exercise, self.team
        scenes = [(sid, scene.title) for sid, scene in exercise.scenario.scenes.items()]
        board = self.facilitator.board
        current = board.states[team].scene if board else ""

        def chosen(request: MoveRequest | None) -> None:
            if request is None:
                return

            def call() -> str:
                state = exercise.move(team, request.scene, request.reason)
                title = exercise.scenario.scenes[state.scene].title
                return f"Team {team} moved to “{title}”."

            self.facilitator.perform("Move", call)

        self.app.push_screen(MoveDialog(team, scenes, current), chosen)

    def action_adjust(self) -> None:
        """Add or remove points on a competency, with a note."""
        exercise, team = self.exercise, self.team
        board = self.facilitator.board
        points = dict(board.states[team].points) if board else {}
        competencies = [
            (c.id, f"{c.name} (now {points.get(c.id, 0)})")
            for c in exercise.scenario.rubric.competencies
        ]

        def chosen(request: AdjustRequest | None) -> None:
            if request is None:
                return

            def call() -> str:
                state = exercise.adjust(team, request.competency, request.points, request.note)
                now = state.points.get(request.competency, 0)
                return (
                    f"Team {team}: {request.points:+d} {request.competency} "
                    f"(now {now}). Note kept for the debrief."
                )

            self.facilitator.perform("Score", call)

        self.app.push_screen(AdjustDialog(team, competencies), chosen)

    def action_speak(self) -> None:
        """Speak as a character of the scenario to this team (as its role-player would)."""
        exercise, team = self.exercise, self.team
        scenario = exercise.scenario
        board = self.facilitator.board
        here = present(scenario, board.states[team]) if board else ()
        characters = [
            (c, f"{scenario.characters[c].name}" + (" — here" if c in here else " — not here"))
            for c in sorted(scenario.characters, key=lambda c: c not in here)
        ]

        def chosen(request: SpeakRequest | None) -> None:
            if request is None:
                return

            def call() -> str:
                line = exercise.speak_as(team, request.character, request.text)
                name = scenario.characters[request.character].name
                return f"Line {line} said to team {team} as {name}."

            self.facilitator.perform("Speak", call)

        self.app.push_screen(SpeakDialog(team, characters), chosen)

    def action_mark_line(self) -> None:
        """Mark a conversation line of this team with a competency and points (they count
        in the score like an assessed choice)."""
        exercise, team = self.exercise, self.team
        competencies = [(c.id, c.name) for c in exercise.scenario.rubric.competencies]
        last = max((line.number for t in self._conversations for line in t.lines), default=0)

        def chosen(request: MarkRequest | None) -> None:
            if request is None:
                return

            def call() -> str:
                state = exercise.mark(
                    team, request.line, request.competency, request.points, request.note
                )
                now = state.points.get(request.competency, 0)
                return (
                    f"Team {team}: line {request.line} marked {request.points:+d} "
                    f"{request.competency} (now {now})."
                )

            self.facilitator.perform("Mark", call)

        self.app.push_screen(MarkLineDialog(team, last, competencies), chosen)

    def action_observe(self) -> None:
        """Record a strength, an area for improvement or a note."""
        exercise, team = self.exercise, self.team
        competencies = [(c.id, c.name) for c in exercise.scenario.rubric.competencies]

        def chosen(request: ObserveRequest | None) -> None:
            if request is None:
                return

            def call() -> str:
                exercise.observe(team, request.kind, request.text, request.competency)
                return f"Observation recorded for team {team}."

            self.facilitator.perform("Observation", call)

        self.app.push_screen(ObserveDialog(team, competencies), chosen)

    def action_message(self) -> None:
        """Send the team an ad-hoc message."""
        exercise = self.exercise

        def written(request: MessageRequest | None) -> None:
            if request is not None:
                self.facilitator.perform("Message", lambda: send_message(exercise, request))

        self.app.push_screen(MessageDialog(exercise.teams, self.team), written)

    def action_acknowledge(self) -> None:
        """Acknowledge the team's alerts."""
        board = self.facilitator.board
        if board is None or not board.team(self.team).alerts:
            return
        exercise, team = self.exercise, self.team
        ids = [a.event_id for a in board.team(team).alerts]
        self.facilitator.perform("Acknowledge", lambda: acknowledge(exercise, team, ids))

    def _inject_choices(self, *, skipping: bool) -> list[tuple[str, str]]:
        board = self.facilitator.board
        if board is None:
            return []
        row_cells = [(row, row.cell(self.team)) for row in board.msel]
        wanted = {"scheduled", "due", "conditional", "manual"}
        if not skipping:
            wanted.add("skipped")  # a skipped inject can still be published by hand
        return [
            (row.inject, f"{row.subject} — {row.schedule} ({cell.short})")
            for row, cell in row_cells
            if cell.status in wanted
        ]

    def action_publish(self) -> None:
        """Publish an inject to this team now."""
        exercise, team = self.exercise, self.team
        self._inject_for_team(
            "Publish", "published", lambda pick: exercise.publish(pick.inject, team)
        )

    def action_skip(self) -> None:
        """Skip an inject for this team."""
        exercise, team = self.exercise, self.team
        self._inject_for_team(
            "Skip", "skipped", lambda pick: exercise.skip(pick.inject, team, pick.reason)
        )

    def _inject_for_team(self, verb: str, done: str, run: Callable[[InjectPick], object]) -> None:
        """Ask which inject (and, when skipping, why), then run the action for this team."""
        exercise, team, skipping = self.exercise, self.team, verb == "Skip"

        def chosen(pick: InjectPick | None) -> None:
            if pick is None:
                return

            def call() -> str:
                run(pick)
                return f"“{exercise.scenario.injects[pick.inject].subject}” {done} for {team}."

            self.facilitator.perform(verb, call)

        title = f"{verb} an inject {'for' if skipping else 'to'} team {team}"
        self.app.push_screen(
            InjectDialog(
                title, self._inject_choices(skipping=skipping), ok=verb, ask_reason=skipping
            ),
            chosen,
        )
