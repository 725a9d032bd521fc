"""The debrief: every team side by side, one team in depth, and a decision-by-decision replay."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, HorizontalScroll, Vertical, VerticalScroll
from textual.widgets import ContentSwitcher, Footer, Static

from facilitator.actions import add_plan_row, rate, remove_plan_row
from facilitator.dialogs import (
    ConfirmDialog,
    PlanDialog,
    PlanRequest,
    PlanRowDialog,
    RateDialog,
    RateRequest,
)
from facilitator.widgets import ExerciseScreen, ScoreBars, transcripts_text
from simtrain.engine.events import RATINGS, Chose, PlanItemAdded
from simtrain.engine.explore import DEFAULT_MAX_SECONDS, Budget, best_scores
from simtrain.engine.state import TeamState
from simtrain.exercise import Exercise, ExerciseError, Recorded
from simtrain.exercise.queries import plan_rows
from simtrain.text import time_text
from simtrain.views.board import (
    Board,
    CompetencyScore,
    TeamDebrief,
    decision_events,
    team_debrief,
    vars_text,
    who,
)
from simtrain.views.fork import fork_lines
from simtrain.views.hotwash import review_lines

if TYPE_CHECKING:
    pass

OUTCOME_STYLES = {"success": "bold green", "partial": "bold yellow", "failure": "bold red"}
"""How each ending outcome is coloured."""


def debrief_head(debrief: TeamDebrief) -> Text:
    """The team, its outcome (or where it stands) and its decision count."""
    text = Text(f"Team {debrief.team}\n", style="bold")
    if debrief.ended:
        outcome = debrief.outcome or "ended"
        text.append(outcome.upper(), style=OUTCOME_STYLES.get(outcome, "bold"))
        text.append(f" — {debrief.scene_title}")
    else:
        text.append("not finished", style="italic")
        text.append(f" — now in “{debrief.scene_title}”")
    plural = "s" if debrief.decisions != 1 else ""
    text.append(f"\n{debrief.decisions} decision{plural}", style="dim")
    return text


def debrief_body(debrief: TeamDebrief, *, full: bool) -> Text:
    """Critical errors, inject response times, adjustments and observations."""
    text = Text()
    if full and debrief.ending_text:
        text.append(debrief.ending_text.strip() + "\n\n", style="italic")
    text.append(f"Critical errors ({len(debrief.critical)})\n", style="bold")
    if not debrief.critical:
        text.append("none\n", style="dim")
    for line in debrief.critical:
        text.append(f"★ {line}\n", style="red")
    text.append("\nResponses to injects\n", style="bold")
    if not debrief.responses:
        text.append("no inject delivered\n", style="dim")
    for response in debrief.responses:
        text.append(f"• {response.text}\n")
    if debrief.adjustments:
        text.append("\nFacilitator adjustments\n", style="bold")
        for line in debrief.adjustments:
            text.append(f"• {line}\n")
    if debrief.observations:
        text.append("\nObservations\n", style="bold")
        for line in debrief.observations:
            text.append(f"• {line}\n")
    if debrief.conversations:
        text.append("\nConversations\n", style="bold")
        text.append_text(transcripts_text(debrief.conversations))
    return text


class DebriefPanel(Vertical):
    """One team's debrief: outcome, per-competency bars, errors, response times."""

    def __init__(self, *, full: bool, id: str | None = None, classes: str = "") -> None:
        super().__init__(id=id, classes=classes)
        self.full = full
        """Whether to include the ending's debrief text."""
        # built here, not in compose, so ``show`` works before the children have mounted
        self._head = Static(classes="panel-head")
        self._bars = ScoreBars(classes="panel-scores")
        self._body = Static(classes="panel-body")

    def compose(self) -> ComposeResult:
        """Heading, bars, body."""
        yield self._head
        yield self._bars
        yield self._body

    def show(self, debrief: TeamDebrief) -> None:
        """Draw a team's debrief."""
        self._head.update(debrief_head(debrief))
        self._bars.scores = debrief.scores
        self._body.update(debrief_body(debrief, full=self.full))


def replay_text(
    exercise: Exercise, team: str, step: int, decisions: list[Recorded], state: TeamState
) -> Text:
    """What the replay pane says about decision ``step`` (0: before any decision)."""
    scenario = exercise.scenario
    text = Text()
    text.append(f"Replay of team {team}: ", style="bold")
    if step == 0:
        text.append(f"the start, before any of {len(decisions)} decisions\n")
    else:
        entry = decisions[step - 1]
        event = entry.event
        assert isinstance(event, Chose)  # decisions hold Chose events only
        choice = scenario.choices[event.choice]
        text.append(f"decision {step} of {len(decisions)}\n")
        text.append(f"{time_text(event.clock)} ", style="cyan")
        text.append(f"{who(entry.actor, entry.role)} chose “{choice.label}”\n", style="bold")
        step_info = state.path[-1] if state.path else None
        if step_info is not None:
            text.append(f"in “{scenario.scenes[step_info.scene].title}”\n", style="dim")
        if event.rationale:
            text.append(f"Rationale: {event.rationale}\n")
        if choice.assess:
            points = ", ".join(f"{p:+d} {c}" for c, p in choice.assess.items())
            text.append(f"Assessment: {points}\n")
        if choice.critical:
            text.append(f"CRITICAL: {choice.critical}\n", style="bold red")
        if choice.feedback:
            text.append(f"Feedback: {choice.feedback}\n", style="italic")
    text.append("\nAfter it: ", style="bold")
    text.append(f"“{scenario.scenes[state.scene].title}”")
    if state.ended:
        text.append(f" (ending: {state.outcome})")
    text.append(f" · case file {len(state.case_file)} · inbox {len(state.inbox)}\n")
    text.append("Variables: " + "; ".join(vars_text(state)), style="dim")
    return text


class DebriefScreen(ExerciseScreen):
    """After-action review for the facilitator; releases the trainees' own debrief."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("r", "release", "Release to trainees"),
        Binding("a", "all_teams", "All teams"),
        Binding("t", "one_team", "One team"),
        Binding("left_square_bracket", "team(-1)", "Prev team"),
        Binding("right_square_bracket", "team(1)", "Next team"),
        # priority: the focused scroll pane would take the arrows for scrolling otherwise
        Binding("left", "step(-1)", "Step back", priority=True),
        Binding("right", "step(1)", "Step on", priority=True),
        Binding("f", "fork", "Fork here"),
        Binding("v", "rate", "Rate"),
        Binding("i", "plan", "Plan row"),
        Binding("x", "unplan", "Remove plan row", show=False),
        Binding("home", "step_to(0)", "First", show=False, priority=True),
        Binding("end", "step_to(-1)", "Last", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.team_index = 0
        """The team shown in the one-team view."""
        self.step = -1
        """Decision shown in the replay (0: the start; -1: the latest)."""
        self._shown_event = -1
        self._fork_shown: tuple[str, int] | None = None
        """The team and decision the fork pane speaks of (None: empty)."""

    @property
    def team(self) -> str:
        """The team of the one-team view."""
        return self.exercise.teams[self.team_index]

    def compose(self) -> ComposeResult:
        """Heading, the two views, key bar."""
        yield Static(id="debrief-head")
        with ContentSwitcher(initial="all-teams", id="debrief-views"):
            with HorizontalScroll(id="all-teams"):
                for index, _ in enumerate(self.exercise.teams):
                    with VerticalScroll(classes="side"):
                        yield DebriefPanel(full=False, id=f"side-{index}")
            with Horizontal(id="one-team"):
                with VerticalScroll(id="team-debrief-scroll"):
                    yield DebriefPanel(full=True, id="team-debrief")
                with VerticalScroll(id="replay"):
                    yield Static(id="replay-text")
                    yield ScoreBars(id="replay-scores")
                    yield Static(id="fork-text")
                    yield Static(id="review-text")
        yield Footer()

    def on_mount(self) -> None:
        """Follow the app's board."""
        self.watch(self.facilitator, "board", self.show_board)

    def show_board(self, board: Board | None) -> None:
        """Draw every team's debrief from a new picture of the exercise."""
        if board is None:
            return
        head = Text("Debrief", style="bold")
        head.append(f" — {board.title} · {board.clock.state} at ")
        head.append(f"{time_text(board.clock.minutes)} · ")
        if board.clock.debrief_released:
            head.append("released to trainees", style="bold green")
        else:
            head.append("not released yet (r)", style="yellow")
        self.query_one("#debrief-head", Static).update(head)
        self.refresh_bindings()
        if board.last_event_id == self._shown_event:
            return  # only the clock moved
        self._shown_event = board.last_event_id
        for index, team in enumerate(self.exercise.teams):
            self.query_one(f"#side-{index}", DebriefPanel).show(self._debrief(board, team))
        self.query_one("#team-debrief", DebriefPanel).show(self._debrief(board, self.team))
        if self._one_team():
            self._replay_current()
        self._show_review(board)

    def _show_review(self, board: Board) -> None:
        """The team's ratings and improvement plan so far, under the replay."""
        lines = review_lines(self.exercise.scenario, board.team_events(self.team))
        text = Text("\n")
        for line in lines:
            text.append(line + "\n", style="" if line.startswith("  ") else "bold")
        self.query_one("#review-text", Static).update(text)

    def _debrief(self, board: Board, team: str) -> TeamDebrief:
        return team_debrief(
            self.exercise.scenario, team, board.states[team], board.team_events(team)
        )

    def _one_team(self) -> bool:
        switcher = self.query(ContentSwitcher)
        return bool(switcher) and switcher.first().current == "one-team"

    def _decisions(self) -> list[Recorded]:
        board = self.facilitator.board
        return decision_events(board.team_events(self.team)) if board else []

    # -- replay --------------------------------------------------------------------------

    def _shown_step(self, decisions: list[Recorded]) -> int:
        """The decision the replay shows (0: the start)."""
        return len(decisions) if self.step < 0 else min(self.step, len(decisions))

    def _replay_current(self) -> None:
        decisions = self._decisions()
        step = self._shown_step(decisions)
        until = decisions[step - 1].seq if step else 0
        if self._fork_shown not in (None, (self.team, step)):
            self._fork_shown = None  # the fork spoke of another decision
            self.query_one("#fork-text", Static).update("")
        self._replay(self.team, step, until, decisions)

    @work(thread=True, exclusive=True, group="replay", exit_on_error=False)
    def _replay(self, team: str, step: int, until: int, decisions: list[Recorded]) -> None:
        """Rebuild the team's state after decision ``step`` (a database read)."""
        try:
            state = self.exercise.replay(team, until=until)
        except ExerciseError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._show_replay, team, step, decisions, state)

    def _show_replay(
        self, team: str, step: int, decisions: list[Recorded], state: TeamState
    ) -> None:
        if team != self.team:
            return
        scenario = self.exercise.scenario
        best = best_scores(scenario)
        names = scenario.competency_names
        self.query_one("#replay-text", Static).update(
            replay_text(self.exercise, team, step, decisions, state)
        )
        self.query_one("#replay-scores", ScoreBars).scores = tuple(
            CompetencyScore(c, names.get(c, c), state.points.get(c, 0), best.get(c, 0))
            for c in scenario.competencies
        )

    # -- fork here -----------------------------------------------------------------------

    def action_fork(self) -> None:
        """Show the expert's best continuation from the state the team was in just before
        the decision shown, beside what the team did from there (searched in the background)."""
        step = self._shown_step(self._decisions())
        if step == 0:
            self.notify("Step to a decision first (← →): the fork starts at the decision shown.")
            return
        self._fork_shown = (self.team, step)
        self.query_one("#fork-text", Static).update(
            Text(f"\nFork here: searching the expert path from decision {step}…", style="italic")
        )
        self._fork(self.team, step)

    @work(thread=True, exclusive=True, group="fork", exit_on_error=False)
    def _fork(self, team: str, step: int) -> None:
        """Search the expert path (up to explore's time budget) off the screen's thread."""
        try:
            found = self.exercise.fork(team, step, Budget(max_seconds=DEFAULT_MAX_SECONDS))
        except ExerciseError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        data = found.to_json(self.exercise.scenario)
        self.app.call_from_thread(self._show_fork, team, step, data)

    def _show_fork(self, team: str, step: int, data: dict[str, Any]) -> None:
        if self._fork_shown != (team, step):
            return  # the facilitator moved on meanwhile
        lines = fork_lines(data, self.exercise.scenario, f"team {team}")
        text = Text("\n" + lines[0] + "\n", style="bold")
        for line in lines[1:]:
            style = "green" if line.startswith("the expert") else ""
            text.append(line + "\n", style="red" if "★" in line else style)
        self.query_one("#fork-text", Static).update(text)

    # -- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show the keys of the current view; Release only until it is done."""
        board = self.facilitator.board
        one = self._one_team()
        if action == "release":
            return not (board and board.clock.debrief_released)
        if action in ("step", "step_to", "fork", "rate", "plan", "unplan"):
            return one
        if action == "all_teams":
            return one
        if action == "one_team":
            return not one
        return True

    def action_back(self) -> None:
        """Back to the dashboard."""
        self.dismiss()

    def action_rate(self) -> None:
        """Rate this team on an objective (HSEEP: P, S, M or U), with a note."""
        exercise, team = self.exercise, self.team
        names = exercise.scenario.competency_names
        objectives = [(o, names.get(o, o)) for o in exercise.objectives()]

        def chosen(request: RateRequest | None) -> None:
            if request is not None:
                self.facilitator.perform("Rate", lambda: rate(exercise, team, request))

        self.app.push_screen(RateDialog(team, objectives, list(RATINGS.items())), chosen)

    def action_plan(self) -> None:
        """Add a row to this team's improvement plan (issue, action, who, due date)."""
        exercise, team = self.exercise, self.team

        def chosen(request: PlanRequest | None) -> None:
            if request is not None:
                self.facilitator.perform("Plan", lambda: add_plan_row(exercise, team, request))

        self.app.push_screen(PlanDialog(team), chosen)

    def action_unplan(self) -> None:
        """Remove a row of this team's improvement plan."""
        exercise, team, board = self.exercise, self.team, self.facilitator.board
        rows = plan_rows(board.team_events(team)) if board else []
        lines = [
            f"{e.event.issue} → {e.event.action} ({e.event.responsible}, due {e.event.due})"
            for e in rows
            if isinstance(e.event, PlanItemAdded)
        ]

        def chosen(row: int | None) -> None:
            if row is not None:
                self.facilitator.perform("Plan", lambda: remove_plan_row(exercise, team, row))

        self.app.push_screen(PlanRowDialog(team, lines), chosen)

    def action_release(self) -> None:
        """Let trainees see their own team's debrief, after confirmation."""
        exercise = self.exercise

        def call() -> str:
            exercise.release_debrief()
            return "Debrief released: each trainee now sees their own team's debrief."

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.facilitator.perform("Release debrief", call)

        self.app.push_screen(
            ConfirmDialog(
                "Release the debrief? Each trainee then sees their team's scores, critical "
                "errors and the feedback on every decision.",
                "Release",
            ),
            confirmed,
        )

    def action_all_teams(self) -> None:
        """Every team side by side."""
        self.query_one(ContentSwitcher).current = "all-teams"
        self.refresh_bindings()

    def action_one_team(self) -> None:
        """The current team in depth, with the replay."""
        self.query_one(ContentSwitcher).current = "one-team"
        self.query_one("#replay").focus()
        self.step = -1
        self._redraw_team()

    def action_team(self, delta: int) -> None:
        """Show the previous or next team in depth."""
        self.team_index = (self.team_index + delta) % len(self.exercise.teams)
        self.step = -1
        if not self._one_team():
            self.query_one(ContentSwitcher).current = "one-team"
        self._redraw_team()

    def action_step(self, delta: int) -> None:
        """Step back or on through the team's decisions."""
        count = len(self._decisions())
        current = count if self.step < 0 else self.step
        self.step = max(0, min(count, current + delta))
        self._replay_current()

    def action_step_to(self, step: int) -> None:
        """Jump to the start (0) or the latest decision (-1)."""
        self.step = step
        self._replay_current()

    def _redraw_team(self) -> None:
        board = self.facilitator.board
        if board is not None:
            self.query_one("#team-debrief", DebriefPanel).show(self._debrief(board, self.team))
            self._replay_current()
            self._show_review(board)
        self.refresh_bindings()
