"""Before the dashboard: pick an exercise of the database, or create one and hand out codes."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from simtrain.exercise import Exercise, ExerciseError
from simtrain.scenario.library import bundled_scenarios
from simtrain.scenario.validate import load_file
from simtrain.tui.plain import plain
from simtrain.views.lobby import exercise_list

if TYPE_CHECKING:
    from facilitator.app import FacilitatorApp


@dataclass(frozen=True)
class ExerciseLine:
    """One exercise of the database, as the picker lists it."""

    id: str
    title: str
    scenario: str
    teams: tuple[str, ...]
    state: str
    created: str


@dataclass(frozen=True)
class ShippedScenario:
    """A scenario file that ships with simtrain."""

    path: Path
    title: str
    summary: str
    roles: int


def shipped() -> list[ShippedScenario]:
    """The shipped scenarios with their titles (files that fail to load are left out)."""
    found = []
    for path in bundled_scenarios():
        scenario = load_file(path).scenario
        if scenario is not None:
            found.append(
                ShippedScenario(path, scenario.title, scenario.model.summary, len(scenario.roles))
            )
    return found


def team_names(text: str) -> list[str]:
    """Team names typed as ``red, blue`` or ``red blue``."""
    return [name for name in re.split(r"[,\s]+", text.strip()) if name]


class PickerScreen(Screen[None]):
    """The exercises of the database; open one, or create a new one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", show=True, priority=False),
        Binding("c", "create", "Create exercise"),
        Binding("q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        """A heading, the exercise table, the key bar."""
        yield Static(id="picker-head")
        yield DataTable(id="exercise-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="picker-hint")
        yield Footer()

    @property
    def facilitator(self) -> FacilitatorApp:
        """The app, typed."""
        return cast("FacilitatorApp", self.app)

    def on_mount(self) -> None:
        """List the exercises (in a worker: it reads the database)."""
        head = Text("simtrain facilitator", style="bold")
        head.append(f" — database {self.facilitator.db}\nPick the exercise to run, or create one.")
        self.query_one("#picker-head", Static).update(head)
        table = self.query_one("#exercise-table", DataTable)
        for key, label, width in (
            ("id", "Exercise", 10),
            ("title", "Title", 34),
            ("teams", "Teams", 18),
            ("state", "State", 11),
            ("created", "Created", 16),
        ):
            table.add_column(label, key=key, width=width)
        table.focus()
        self.load()

    def on_screen_resume(self) -> None:
        """Refresh the list when coming back from the create screen."""
        self.load()

    @work(thread=True, exclusive=True, group="picker")
    def load(self) -> None:
        """Read every exercise and its clock state."""
        service = self.facilitator.service
        try:
            lines = [
                ExerciseLine(
                    summary.id,
                    summary.title,
                    summary.scenario,
                    summary.teams,
                    summary.state,
                    time.strftime("%Y-%m-%d %H:%M", time.localtime(summary.created_wall)),
                )
                for summary in exercise_list(service)
            ]
        except ExerciseError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.show, lines)

    def show(self, lines: list[ExerciseLine]) -> None:
        """Fill the table (newest last, the cursor on it)."""
        table = self.query_one("#exercise-table", DataTable)
        table.clear()
        for line in lines:
            table.add_row(
                plain(line.id),
                plain(line.title),
                plain(", ".join(line.teams)),
                line.state,
                line.created,
                key=line.id,
            )
        if lines:
            table.move_cursor(row=len(lines) - 1)
            hint = "Enter: open the highlighted exercise · c: create a new one"
        else:
            hint = "No exercise in this database yet. Press c to create one."
        self.query_one("#picker-hint", Static).update(hint)

    @on(DataTable.RowSelected, "#exercise-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.open(str(event.row_key.value))

    def action_open(self) -> None:
        """Open the highlighted exercise."""
        table = self.query_one("#exercise-table", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self.open(str(key))

    @work(thread=True, exclusive=True, group="picker")
    def open(self, exercise_id: str) -> None:
        """Load the exercise (its scenario is parsed) and switch to the dashboard."""
        try:
            exercise = self.facilitator.service.exercise(exercise_id)
        except ExerciseError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.facilitator.open_exercise, exercise)

    def action_create(self) -> None:
        """Create a new exercise."""
        self.app.push_screen(CreateScreen())


class CreateScreen(Screen[None]):
    """Choose a scenario (shipped, or a path), name the teams, create."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "create", "Create"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._summaries: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        """Scenario list, path, teams, title, the Create button."""
        with VerticalScroll(id="create-form"):
            yield Label("Create an exercise", classes="form-title")
            yield Label("Scenario — a shipped one (↑↓) …")
            yield OptionList(id="scenarios")
            yield Static(id="scenario-summary")
            yield Input(placeholder="… or the path of a scenario file", id="path")
            yield Label("Teams — names separated by commas or spaces")
            yield Input(placeholder="e.g. red, blue", id="teams")
            yield Label("Title (optional; the scenario's title by default)")
            yield Input(id="title")
            yield Label("", id="create-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Create", variant="primary", id="create")
                yield Button("Back", id="back")
        yield Footer()

    @property
    def facilitator(self) -> FacilitatorApp:
        """The app, typed."""
        return cast("FacilitatorApp", self.app)

    def on_mount(self) -> None:
        """List the shipped scenarios (in a worker: each file is parsed)."""
        self.query_one("#scenarios", OptionList).focus()
        self.list_shipped()

    @work(thread=True, group="create")
    def list_shipped(self) -> None:
        """Parse the shipped scenarios for their titles."""
        scenarios = shipped()
        self.app.call_from_thread(self._show_shipped, scenarios)

    def _show_shipped(self, scenarios: list[ShippedScenario]) -> None:
        self._summaries = {str(item.path): item.summary.strip() for item in scenarios}
        options = self.query_one("#scenarios", OptionList)
        for item in scenarios:
            prompt = Text(item.title, style="bold")
            prompt.append(f"  {item.path.name} · {item.roles} roles", style="dim")
            options.add_option(Option(prompt, id=str(item.path)))
        if scenarios:
            options.highlighted = 0

    @on(OptionList.OptionHighlighted, "#scenarios")
    def _scenario_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        summary = self._summaries.get(event.option.id or "", "")
        self.query_one("#scenario-summary", Static).update(Text(summary, style="italic"))

    @on(OptionList.OptionSelected, "#scenarios")
    def _scenario_chosen(self) -> None:
        self.query_one("#teams", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "path" and event.value.strip():
            self.query_one("#teams", Input).focus()
        else:
            self.action_create()

    @on(Button.Pressed, "#create")
    def _create_pressed(self) -> None:
        self.action_create()

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Back to the exercise list."""
        self.dismiss()

    def scenario_path(self) -> str | None:
        """The typed path, else the highlighted shipped scenario."""
        typed = self.query_one("#path", Input).value.strip()
        if typed:
            return typed
        options = self.query_one("#scenarios", OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def action_create(self) -> None:
        """Check the form and create the exercise in a worker."""
        path = self.scenario_path()
        teams = team_names(self.query_one("#teams", Input).value)
        error = self.query_one("#create-error", Label)
        if path is None:
            error.update("Choose a shipped scenario or type the path of a scenario file.")
            return
        if not Path(path).is_file():
            error.update(plain(f"There is no file at {path}."))
            self.query_one("#path", Input).focus()
            return
        if not teams:
            error.update("Name at least one team, e.g. red, blue.")
            self.query_one("#teams", Input).focus()
            return
        error.update("Creating…")
        self.create(path, teams, self.query_one("#title", Input).value.strip() or None)

    @work(thread=True, exclusive=True, group="create")
    def create(self, path: str, teams: list[str], title: str | None) -> None:
        """Create the exercise and show its join codes."""
        try:
            exercise, codes = self.facilitator.service.create(path, teams, title=title)
        except ExerciseError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self._created, exercise, codes)

    def _refused(self, text: str) -> None:
        self.query_one("#create-error", Label).update(plain(text))

    def _created(self, exercise: Exercise, codes: dict[str, str]) -> None:
        self.app.switch_screen(CodesScreen(exercise, codes))


class CodesScreen(Screen[None]):
    """The join codes of a new exercise, to hand to each team."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open the dashboard", priority=True),
        Binding("escape", "back", "Back to the list"),
    ]

    def __init__(self, exercise: Exercise, codes: dict[str, str]) -> None:
        super().__init__()
        self.exercise = exercise
        """The new exercise."""
        self.codes = codes
        """Join code per team."""

    @property
    def facilitator(self) -> FacilitatorApp:
        """The app, typed."""
        return cast("FacilitatorApp", self.app)

    def compose(self) -> ComposeResult:
        """The exercise, one line per team with its code, what to tell trainees."""
        with Vertical(id="codes"):
            yield Label(plain(f"Exercise {self.exercise.id} created"), classes="form-title")
            yield Static(id="codes-intro")
            yield DataTable(id="codes-table", show_cursor=False)
            yield Static(id="codes-howto")
        yield Footer()

    def on_mount(self) -> None:
        """Fill the codes."""
        scenario = self.exercise.scenario
        intro = Text(f"{self.exercise.record.title}\n", style="bold")
        roles = ", ".join(f"{r} ({scenario.role_names[r]})" for r in scenario.roles)
        intro.append(f"Roles: {roles}")
        self.query_one("#codes-intro", Static).update(intro)
        table = self.query_one("#codes-table", DataTable)
        table.add_column("Team", key="team", width=16)
        table.add_column("Join code", key="code", width=12)
        for team, code in self.codes.items():
            table.add_row(Text(team, style="bold"), Text(code, style="bold reverse"), key=team)
        howto = Text("Hand each team its code. Each trainee starts the trainee console with:\n")
        team, code = next(iter(self.codes.items()))
        howto.append(
            f"  simtrain play --db {self.facilitator.db} --exercise {self.exercise.id} "
            f"--team {team} --code {code} --role ROLE --name NAME\n",
            style="bold",
        )
        howto.append("(with their own team, code and role).\n")
        howto.append(
            "Write the codes down now: they are stored only as hashes and cannot be shown again.\n",
            style="bold yellow",
        )
        howto.append("Enter: open the dashboard (the clock starts when you press s).")
        self.query_one("#codes-howto", Static).update(howto)

    def action_open(self) -> None:
        """Run the new exercise."""
        self.facilitator.open_exercise(self.exercise)

    def action_back(self) -> None:
        """Back to the list of exercises."""
        self.dismiss()
