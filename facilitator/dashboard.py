"""The dashboard: the clock, every team at a glance, and the master events list (MSEL)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, ClassVar, cast

from rich.console import Console
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane
from textual.widgets.data_table import ColumnKey

from facilitator.actions import acknowledge, hold, outcome_sentence, release, send_message
from facilitator.debrief import DebriefScreen
from facilitator.dialogs import (
    ConfirmDialog,
    HoldDialog,
    HoldRequest,
    MessageDialog,
    MessageRequest,
    Target,
    TargetDialog,
)
from facilitator.hotwash import HotwashScreen
from facilitator.team import TeamScreen
from facilitator.widgets import ExerciseClock, ExerciseScreen, ScoreBars
from simtrain.text import time_text
from simtrain.views.board import (
    Board,
    CompetencyScore,
    Dilemma,
    InjectCell,
    MselRow,
    TeamRow,
    alert_mark,
)
from simtrain.views.seat import CHANNEL_NAMES, OUTCOME_NAMES

if TYPE_CHECKING:
    pass

ALERT_STYLE = "bold white on dark_red"
"""How a team row with an unacknowledged alert is drawn."""
TEAM_COLUMNS = (
    ("team", "Team", 0.1),
    ("people", "People", 0.42),
    ("scene", "Scene", 0.28),
    ("in_scene", "In scene", 8),
    ("last", "Last decision", 0.3),
    ("score", "Score", 7),
    ("alert", "Flags", 12),
)
"""(key, heading, width) of the team board; a fraction is a share of the width left over."""
NARROW = 100
"""Below this many columns the board leaves out the last decision (it is in the pane
under the board)."""
CELL_STYLES = {
    "delivered": "green",
    "answering": "yellow",
    "skipped": "dim",
    "closed": "dim",
    "due": "bold yellow",
}
"""How each inject status is coloured in the MSEL."""


def team_columns(width: int) -> list[tuple[str, str, int]]:
    """The board's columns for a screen ``width`` cells wide (the text columns stretch to
    fill it; a narrow screen drops the last decision)."""
    columns = [c for c in TEAM_COLUMNS if width >= NARROW or c[0] != "last"]
    fixed = sum(w for _, _, w in columns if isinstance(w, int))
    shares = sum(w for _, _, w in columns if isinstance(w, float))
    spare = max(24, width - fixed - 2 * len(columns) - 3)
    return [
        (key, heading, w if isinstance(w, int) else max(4, int(spare * w / shares)))
        for key, heading, w in columns
    ]


def wrapped(text: str, width: int, style: str = "", lines: int = 3) -> Text:
    """``text`` wrapped to ``width`` cells on at most ``lines`` lines (… when cut)."""
    out = Text(text, style=style)
    parts = list(out.wrap(Console(width=max(4, width)), max(4, width)))
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1].truncate(max(1, width - 1))
        parts[-1].append("…")
    return Text("\n").join(parts)


def people_text(row: TeamRow, role_names: Mapping[str, str], width: int) -> Text:
    """Each seat: ● online, ◐ stepped out, ○ gone, its name, and its role's name (never an
    id) on the same line when both fit, else on the next; a name too long is shortened
    with "…", never the role."""
    if not row.participants:
        return Text("nobody yet", style="dim")
    text = Text()
    for index, person in enumerate(row.participants):
        if index:
            text.append("\n")
        role = role_names.get(person.role, person.role)
        if not person.online:
            mark, style = "○", "dim"
        elif person.stepped_out_at is not None:
            mark, style = "◐", "yellow"
        else:
            mark, style = "●", "green"
        line = f"{mark} {person.name} · {role}"
        if len(line) <= width:
            text.append(line, style=style)
            continue
        name = f"{mark} {person.name}"
        if len(name) > width:
            name = name[: max(1, width - 1)] + "…"
        text.append(name + "\n", style=style)
        lines = wrapped(role, width - 2, style, 2).split("\n")
        text.append_text(Text("\n").join(Text("  ", style=style) + line for line in lines))
    return text


def flags_text(row: TeamRow) -> Text:
    """Alerts, critical errors, open roles and a stuck team, one short word each."""
    text = Text()
    words: list[tuple[str, str]] = []
    if row.alerts:
        words.append((alert_mark(row.alerts), "bold"))
    if row.critical_count:
        words.append((f"{row.critical_count} critical", "bold red"))
    if row.held:
        words.append(("⏸ HELD", "bold magenta"))
    elif row.hold:
        words.append(("hold armed", "magenta"))
    if row.stuck:
        words.append(("⏸ STUCK", "bold yellow"))
    if row.open_roles and not row.ended:
        count = len(row.open_roles)
        words.append((f"{count} open role{'s' if count != 1 else ''}", "yellow"))
    for index, (word, style) in enumerate(words):
        if index:
            text.append("\n")
        text.append(word, style=style)
    return text


def team_cells(
    row: TeamRow, widths: Mapping[str, int], role_names: Mapping[str, str]
) -> dict[str, Text]:
    """The cells of one team on the board by column key (highlighted while an alert is
    open); long text wraps onto a second and third line instead of being cut."""
    if row.ended:
        scene = f"■ {row.scene_title} ({OUTCOME_NAMES.get(row.outcome or '', row.outcome)})"
        in_scene = "ended"
    else:
        scene, in_scene = row.scene_title, time_text(row.in_scene)
    last = f"{row.last_by.split(' (')[0]}: {row.last_decision}" if row.last_decision else "—"
    cells = {
        "team": wrapped(row.name, widths.get("team", 8), "bold", 2),
        "people": people_text(row, role_names, widths.get("people", 20)),
        "scene": wrapped(scene, widths.get("scene", 20)),
        "in_scene": Text(in_scene),
        "last": wrapped(last, widths.get("last", 20)),
        "score": Text(f"{row.points}/{row.best}"),
        "alert": flags_text(row),
    }
    if row.alerts:
        for cell in cells.values():
            cell.stylize(ALERT_STYLE)
    return cells


def team_detail(row: TeamRow, role_names: Mapping[str, str]) -> Text:
    """The pane under the board: the highlighted team's people, open roles, what holds it
    up, alerts and last decision."""
    text = Text()
    text.append(f"Team {row.name}", style="bold")
    text.append(f" — {row.scene_title}")
    if row.ended:
        text.append(f" (ending: {OUTCOME_NAMES.get(row.outcome or '', row.outcome)})", "bold")
    else:
        text.append(f", {time_text(row.in_scene)} in this scene")
    text.append(f" · score {row.points}/{row.best}")
    if row.critical_count:
        text.append(f" · {row.critical_count} critical", style="bold red")
    if row.phase:
        text.append(f" · phase “{row.phase}”")
    if row.held:
        text.append(
            f"\n⏸ Held {row.hold}: it cannot decide until you release it (l).", "bold magenta"
        )
    elif row.hold:
        text.append(f"\nTo be held {row.hold} (l releases the hold).", style="magenta")
    if row.stuck:
        text.append(f"\n⏸ Stuck: {row.stuck}.", style="bold yellow")
    text.append("\nPeople: ")
    if not row.participants:
        text.append("nobody has joined yet", style="dim")
    for index, person in enumerate(row.participants):
        if index:
            text.append(" · ")
        role = role_names.get(person.role, person.role)
        if not person.online:
            text.append(f"○ {person.name} ({role}) offline", style="dim")
        elif person.stepped_out_at is not None:
            away = time_text(person.stepped_out_at)
            text.append(f"◐ {person.name} ({role}) stepped out at {away}", style="yellow")
        else:
            text.append(f"● {person.name} ({role})", style="green")
    if row.open_roles and not row.ended:
        text.append("\nOpen roles: ", style="yellow")
        text.append(", ".join(row.open_roles), style="yellow")
        text.append(
            " — no one holds them: any member may take their choices, and injects to them "
            "reach the whole team.",
            style="dim",
        )
    if row.needs and not row.ended and set(row.needs) <= set(row.open_roles):
        # no one online holds a role this scene's choices are for: someone must take it
        text.append(
            f"\nThis scene's choices are for the {' or '.join(row.needs)}: no one online "
            "holds these roles, so any member may take them.",
            style="yellow",
        )
    if row.last_decision:
        text.append(f"\nLast decision: {row.last_by} — “{row.last_decision}”")
    if not row.ended:
        facilitator_notes(text, row.roleplayer_notes, row.dilemmas)
    if row.alerts:
        text.append("\nAlerts (press a to acknowledge):", style="bold red")
        for alert in row.alerts:
            text.append(f"\n ⚠ {time_text(alert.clock)} {alert.by}: {alert.text}", style="red")
    text.append("\nEnter: the team up close · ?: every key", style="dim")
    return text


def facilitator_notes(text: Text, notes: str, dilemmas: tuple[Dilemma, ...]) -> None:
    """Append role-player cues and facilitator-scored dilemmas (never shown to seats)."""
    if notes:
        text.append("\nRole-players: ", style="bold magenta")
        text.append(notes.strip())
    for dilemma in dilemmas:
        text.append("\nDilemma (you score it): ", style="bold magenta")
        text.append(f"“{dilemma.label}” — {dilemma.guidance.strip()}")


def inject_cell_text(cell: InjectCell) -> Text:
    """An MSEL cell, coloured by status (one that reached no one in red)."""
    return Text(cell.short, style="bold red" if cell.unread else CELL_STYLES.get(cell.status, ""))


def inject_detail(row: MselRow, role_names: Mapping[str, str]) -> Text:
    """The pane under the MSEL: the inject in full, for the facilitator only."""
    text = Text()
    text.append(row.subject, style="bold")
    sender = f" from {row.sender}" if row.sender else ""
    channel = CHANNEL_NAMES.get(row.channel, row.channel)
    to = ", ".join(role_names.get(r, r) for r in row.to)
    text.append(f" — {channel}{sender} → {to}")
    text.append(f"\nSchedule: {row.schedule}   (id {row.inject})", style="dim")
    if row.message:
        text.append(f"\n“{row.message.strip()}”")
    text.append("\nFacilitator only — ", style="bold magenta")
    text.append("expected: ", style="bold")
    text.append(row.expected or "(none given)")
    if row.objective:
        text.append("\nObjective: ", style="bold")
        text.append(row.objective)
    if row.content_warning:
        text.append("\nContent warning (trainees see it first): ", style="bold")
        text.append(row.content_warning)
    facilitator_notes(text, row.roleplayer_notes, row.dilemmas)
    for team, cell in row.cells:
        text.append(f"\n{team}: ", style="bold")
        text.append(cell.long, style=CELL_STYLES.get(cell.status, ""))
    text.append("\nn: publish now · x: skip · m: ad-hoc message", style="dim")
    return text


class DashboardScreen(ExerciseScreen):
    """The exercise at a glance: clock, team board, MSEL; every action two keys away."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start", "Start"),
        Binding("p", "pause", "Pause"),
        Binding("r", "resume", "Resume"),
        Binding("e", "end", "End"),
        Binding("t", "tab('teams')", "Teams"),
        Binding("i", "tab('msel')", "Injects"),
        Binding("a", "acknowledge", "Acknowledge"),
        Binding("n", "publish", "Publish"),
        Binding("x", "skip", "Skip"),
        Binding("m", "message", "Message"),
        Binding("h", "hold", "Hold", show=False),
        Binding("l", "release", "Release"),
        Binding("w", "hotwash", "Hot-wash"),
        Binding("d", "debrief", "Debrief"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._board_width = 0

    def compose(self) -> ComposeResult:
        """Clock on top, the two tabs, the key bar."""
        yield ExerciseClock(id="clock")
        with TabbedContent(id="tabs"):
            with TabPane("Teams", id="teams"):
                yield DataTable(id="team-table", cursor_type="row", zebra_stripes=True)
                with Horizontal(id="team-detail-row"):
                    yield Static(id="team-detail")
                    yield ScoreBars(id="team-detail-scores")
            with TabPane("Injects (MSEL)", id="msel"):
                yield DataTable(id="msel-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="inject-scroll"):
                    yield Static(id="inject-detail")
        yield Footer()

    def on_mount(self) -> None:
        """Set up the tables and follow the app's board."""
        teams = self.query_one("#team-table", DataTable)
        for key, heading, width in team_columns(self.app.size.width):
            teams.add_column(heading, width=width, key=key)
        self._board_width = self.app.size.width
        self._msel_columns(self.app.size.width)
        teams.focus()
        self.watch(self.facilitator, "board", self.show_board)

    # -- drawing -------------------------------------------------------------------------

    def show_board(self, board: Board | None) -> None:
        """Draw a new picture of the exercise."""
        if board is None:
            self.query_one("#team-detail", Static).update(
                "Reading the exercise… The first look at a scenario works out the best "
                "score reachable on each competency; on a large scenario this takes a few "
                "seconds."
            )
            return
        clock = self.query_one(ExerciseClock)
        clock.taken_at = board.taken_at
        clock.clock = board.clock
        alerts = board.alerts
        count = len(board.teams)
        caption = f"{board.title} · {board.exercise} · {count} team{'s' if count != 1 else ''}"
        if board.clock.debrief_released:
            caption += " · debrief released"
        warning = ""
        if alerts:
            teams = ", ".join(sorted({a.team for a in alerts}))
            warning = f"⚠ {len(alerts)} alert{'s' if len(alerts) > 1 else ''} — team {teams}"
        clock.show(caption, warning)
        self._fill_teams(board)
        self._fill_msel(board)
        self.refresh_bindings()

    def on_resize(self) -> None:
        """Give the board's text columns the room the terminal has."""
        width = self.app.size.width
        if width == self._board_width:
            return
        self._board_width = width
        table = self.query_one("#team-table", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        for key, heading, column_width in team_columns(width):
            table.add_column(heading, width=column_width, key=key)
        msel = self.query_one("#msel-table", DataTable)
        msel_row = msel.cursor_row
        msel.clear(columns=True)
        self._msel_columns(width)
        if self.facilitator.board is not None:
            self._fill_teams(self.facilitator.board)
            table.move_cursor(row=row)
            self._fill_msel(self.facilitator.board)
            msel.move_cursor(row=msel_row)

    def _msel_columns(self, width: int) -> None:
        """The MSEL's columns for a terminal ``width`` wide: every team's column shown, the
        inject and its schedule in what they leave."""
        msel = self.query_one("#msel-table", DataTable)
        subject, schedule = self._msel_widths(width)
        msel.add_column("Inject", width=subject, key="subject")
        msel.add_column("Schedule", width=schedule, key="schedule")
        for team in self.exercise.teams:
            msel.add_column(team, width=max(13, len(team)), key=f"team:{team}")

    def _msel_widths(self, width: int) -> tuple[int, int]:
        """Widths of the MSEL's Inject and Schedule columns: what the teams leave."""
        teams = sum(max(13, len(t)) + 2 for t in self.exercise.teams)
        spare = max(30, width - teams - 4 - 3)
        return spare * 3 // 5, spare - spare * 3 // 5

    def _fill_teams(self, board: Board) -> None:
        """Redraw the board's rows (a row is as tall as its longest cell: one line per
        seat, wrapped scene titles), keeping the cursor on the same team."""
        table = self.query_one("#team-table", DataTable)
        widths = {key: width for key, _, width in team_columns(self._board_width)}
        names = self.exercise.scenario.role_names
        rows = [(row.name, team_cells(row, widths, names)) for row in board.teams]
        heights = [max(len(cell.plain.splitlines()) or 1 for cell in c.values()) for _, c in rows]
        if [r.height for r in table.ordered_rows] == heights and len(table.columns) == len(widths):
            for name, cells in rows:  # same shape: update in place
                for key in widths:
                    table.update_cell(name, key, cells[key])
        else:
            selected = self.selected_team()
            table.clear()
            for (name, cells), height in zip(rows, heights, strict=True):
                table.add_row(*(cells[key] for key in widths), key=name, height=height)
            if selected is not None and selected in table.rows:
                table.move_cursor(row=table.get_row_index(selected))
        self._show_team_detail()

    def _fill_msel(self, board: Board) -> None:
        table = self.query_one("#msel-table", DataTable)
        for row in board.msel:
            cells = [inject_cell_text(cell) for _, cell in row.cells]
            if row.inject not in table.rows:
                column = table.columns
                subject = wrapped(row.subject, column[ColumnKey("subject")].width, lines=2)
                schedule = wrapped(row.schedule, column[ColumnKey("schedule")].width, lines=2)
                table.add_row(subject, schedule, *cells, key=row.inject, height=None)
            else:
                for (team, _), cell in zip(row.cells, cells, strict=True):
                    table.update_cell(row.inject, f"team:{team}", cell)
        self._show_inject_detail()

    def selected_team(self) -> str | None:
        """The team under the board's cursor."""
        table = self.query_one("#team-table", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def selected_inject(self) -> str | None:
        """The inject under the MSEL's cursor."""
        table = self.query_one("#msel-table", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _show_team_detail(self) -> None:
        board, team = self.facilitator.board, self.selected_team()
        if board is not None and team is not None:
            row = board.team(team)
            names = self.exercise.scenario.role_names
            self.query_one("#team-detail", Static).update(team_detail(row, names))
            names = {c.id: c.name for c in self.exercise.scenario.rubric.competencies}
            self.query_one("#team-detail-scores", ScoreBars).scores = tuple(
                CompetencyScore(c, names.get(c, c), points, best)
                for c, points, best in row.per_competency
            )

    def _show_inject_detail(self) -> None:
        board, inject = self.facilitator.board, self.selected_inject()
        if board is not None and inject is not None:
            row = next(r for r in board.msel if r.inject == inject)
            names = self.exercise.scenario.role_names
            self.query_one("#inject-detail", Static).update(inject_detail(row, names))

    @on(DataTable.RowHighlighted, "#team-table")
    def _team_highlighted(self) -> None:
        self._show_team_detail()
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#msel-table")
    def _inject_highlighted(self) -> None:
        self._show_inject_detail()

    @on(DataTable.RowSelected, "#team-table")
    def _team_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(TeamScreen(str(event.row_key.value)))

    @on(DataTable.RowSelected, "#msel-table")
    def _inject_selected(self) -> None:
        self.action_publish()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        table_id = "#msel-table" if event.pane.id == "msel" else "#team-table"
        self.query_one(table_id, DataTable).focus()
        self.refresh_bindings()

    # -- which keys apply now ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show only the keys that make sense in the current state and tab."""
        board = self.facilitator.board
        state = board.clock.state if board else "created"
        tabs = self.query("#tabs")
        on_msel = bool(tabs) and cast(TabbedContent, tabs.first()).active == "msel"
        return {
            "start": state == "created",
            "pause": state == "running",
            "resume": state == "paused",
            "end": state != "ended",
            "acknowledge": bool(board and board.alerts),
            "publish": on_msel and state != "ended",
            "skip": on_msel and state != "ended",
            "message": state != "ended",
            "hold": state != "ended",
            "release": state != "ended" and bool(board and any(r.hold for r in board.teams)),
            "hotwash": bool(self.exercise.scenario.phases),
        }.get(action, True)

    # -- actions -------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        """Show the Teams or the Injects tab."""
        self.query_one("#tabs", TabbedContent).active = tab

    def _clock(self, label: str, change: Callable[[], object], sentence: str) -> None:
        def call() -> str:
            change()
            return sentence

        self.facilitator.perform(label, call)

    def action_start(self) -> None:
        """Start the exercise clock."""
        self._clock("Start", self.exercise.start, "The exercise has started; trainees can act.")

    def action_pause(self) -> None:
        """Pause the clock (trainees cannot act while paused)."""
        self._clock("Pause", self.exercise.pause, "Paused. Trainees wait until you resume (r).")

    def action_resume(self) -> None:
        """Restart the clock."""
        self._clock("Resume", self.exercise.resume, "Resumed; the clock runs again.")

    def action_end(self) -> None:
        """End the exercise, after confirmation."""

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._clock(
                    "End", self.exercise.end, "The exercise has ended. Press d for the debrief."
                )

        self.app.push_screen(
            ConfirmDialog(
                "End the exercise for good? Trainees can no longer act, and it cannot be "
                "restarted.",
                "End exercise",
            ),
            confirmed,
        )

    def action_acknowledge(self) -> None:
        """Acknowledge the highlighted team's alerts (or the oldest alert's team)."""
        board = self.facilitator.board
        if board is None or not board.alerts:
            self.notify("There is no alert to acknowledge.")
            return
        selected = self.selected_team()
        alerts = board.team(selected).alerts if selected else ()
        team = selected if alerts and selected else board.alerts[0].team
        exercise, ids = self.exercise, [a.event_id for a in board.team(team).alerts]
        self.facilitator.perform("Acknowledge", lambda: acknowledge(exercise, team, ids))

    def action_publish(self) -> None:
        """Publish the highlighted inject now, to one team or all."""
        exercise = self.exercise
        self._inject_to_teams(
            "Publish",
            "published",
            lambda row, target: exercise.publish(row.inject, target.team),
            expected_shown=True,
        )

    def action_skip(self) -> None:
        """Skip the highlighted inject for one team or all (it will not arrive on its own)."""
        exercise = self.exercise
        self._inject_to_teams(
            "Skip",
            "skipped",
            lambda row, target: exercise.skip(row.inject, target.team, target.reason),
            ask_reason=True,
        )

    def _inject_to_teams(
        self,
        verb: str,
        done: str,
        run: Callable[[MselRow, Target], dict[str, str]],
        *,
        ask_reason: bool = False,
        expected_shown: bool = False,
    ) -> None:
        """Ask which teams (and why, if asked), then run the action on the highlighted
        inject and report per team."""
        row = self._inject_row()
        if row is None:
            return

        def chosen(target: Target | None) -> None:
            if target is not None:
                self.facilitator.perform(
                    verb, lambda: outcome_sentence(row.subject, done, run(row, target))
                )

        title = f"{verb} “{row.subject}”" + (" now" if verb == "Publish" else "")
        self.app.push_screen(
            TargetDialog(
                title,
                [(team, cell.long) for team, cell in row.cells],
                ok=verb,
                ask_reason=ask_reason,
                detail=f"Expected: {row.expected}" if expected_shown and row.expected else "",
            ),
            chosen,
        )

    def _inject_row(self) -> MselRow | None:
        board, inject = self.facilitator.board, self.selected_inject()
        if board is None or inject is None:
            self.notify("This scenario has no injects.")
            return None
        return next(r for r in board.msel if r.inject == inject)

    def action_message(self) -> None:
        """Send an ad-hoc message to one team or all."""
        exercise = self.exercise
        on_teams = self.query_one("#tabs", TabbedContent).active == "teams"

        def written(request: MessageRequest | None) -> None:
            if request is not None:
                self.facilitator.perform("Message", lambda: send_message(exercise, request))

        self.app.push_screen(
            MessageDialog(exercise.teams, self.selected_team() if on_teams else None), written
        )

    def action_debrief(self) -> None:
        """Open the debrief."""
        self.app.push_screen(DebriefScreen())

    def action_hold(self) -> None:
        """Hold teams for a hot-wash: now, or once each has left a phase."""
        board, exercise = self.facilitator.board, self.exercise
        rows = board.teams if board else ()

        def chosen(request: HoldRequest | None) -> None:
            if request is not None:
                self.facilitator.perform("Hold", lambda: hold(exercise, request))

        selected = self.selected_team()
        current = board.team(selected).phase_id if board and selected else ""
        self.app.push_screen(
            HoldDialog(
                [(r.name, r.scene_title + (f" · {r.phase}" if r.phase else "")) for r in rows],
                [(p.id, p.title) for p in exercise.scenario.phases.values()],
                phase=current or None,
            ),
            chosen,
        )

    def action_release(self) -> None:
        """Release every held team together (and any hold not reached yet)."""
        exercise = self.exercise
        self.facilitator.perform("Release", lambda: release(exercise))

    def action_hotwash(self) -> None:
        """Open the hot-wash: every team side by side at a phase, with its questions."""
        self.app.push_screen(HotwashScreen())
