"""Modal dialogs: each asks for what one facilitator action needs and returns a request.

Dialogs only collect and check input; the screen that opened one performs the action
through the exercise service, so every refusal still comes from the service itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, RadioButton, RadioSet, Select
from textual.widgets.option_list import Option

from simtrain.scenario.channels import CHANNELS
from simtrain.tui.plain import plain

"""The channels a message can come through (as in the scenario format)."""
ALL = "*all*"
"""The option value that means every team."""


@dataclass(frozen=True)
class Target:
    """A team (None: every team) and, when asked for, a reason."""

    team: str | None
    reason: str = ""


@dataclass(frozen=True)
class InjectPick:
    """An inject picked for one team, with a reason when skipping."""

    inject: str
    reason: str = ""


@dataclass(frozen=True)
class MessageRequest:
    """An ad-hoc message to one team or all."""

    team: str | None
    channel: str
    sender: str
    subject: str
    text: str


@dataclass(frozen=True)
class MoveRequest:
    """Move a team to a scene, with the reason that goes into the record."""

    scene: str
    reason: str


@dataclass(frozen=True)
class AdjustRequest:
    """Add or remove points on one competency, with a note for the debrief."""

    competency: str
    points: int
    note: str


@dataclass(frozen=True)
class ObserveRequest:
    """An observation about a team."""

    kind: str
    text: str
    competency: str | None


@dataclass(frozen=True)
class SpeakRequest:
    """A line a character says to a team, spoken by the facilitator."""

    character: str
    text: str


@dataclass(frozen=True)
class MarkRequest:
    """A mark on one of a team's conversation lines."""

    line: int
    competency: str
    points: int
    note: str


RequestT = TypeVar("RequestT")
"""What a dialog returns."""


class Dialog(ModalScreen[RequestT | None], Generic[RequestT]):
    """A centred dialog; Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def action_cancel(self) -> None:
        """Close without doing anything."""
        self.dismiss(None)

    def error(self, text: str) -> None:
        """Show why the input cannot be used yet."""
        self.query_one(".dialog-error", Label).update(plain(text))

    def filled(self, field_id: str, missing: str) -> str:
        """The text of the input ``field_id``, trimmed; when it is empty, '' after saying
        ``missing`` and putting the cursor there."""
        field = self.query_one(f"#{field_id}", Input)
        text = field.value.strip()
        if not text:
            self.error(missing)
            field.focus()
        return text

    def buttons(self, ok: str) -> ComposeResult:
        """The error line and the OK / Cancel buttons."""
        yield Label("", classes="dialog-error")
        with Horizontal(classes="dialog-buttons"):
            yield Button(ok, variant="primary", id="ok")
            yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.submit()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.submit()

    def submit(self) -> None:
        """Check the input and dismiss with a request; each dialog overrides this (the
        base dialog asks nothing, so it closes as cancelled)."""
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; y confirms, n or Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str) -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(classes="dialog"):
            yield Label(plain(self.question), classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", variant="error", id="yes")
                yield Button("Cancel (n)", id="no")

    def on_mount(self) -> None:
        """Cancel is the safe default."""
        self.query_one("#no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        """Close with the answer."""
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class _PickDialog(Dialog[RequestT]):
    """A list to pick one line from (Enter picks), then an optional reason."""

    LIST_ID: ClassVar[str] = "picks"
    NOTHING_PICKED: ClassVar[str] = "choose a line"
    EMPTY: ClassVar[str] = "there is nothing to choose"
    """Said when the list has no line."""

    def __init__(self, title: str, *, ok: str, ask_reason: bool, detail: str = "") -> None:
        super().__init__(title)
        self.ok = ok
        self.ask_reason = ask_reason
        self.detail = detail
        """A line under the title ('' for none)."""

    def lines(self) -> list[tuple[str, str]]:
        """(id, text) of each line to pick from, in order."""
        return []

    def compose(self) -> ComposeResult:
        """The title, the lines, then the reason (when asked for) and the buttons."""
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            if self.detail:
                yield Label(plain(self.detail), classes="dialog-detail")
            yield OptionList(
                *(Option(plain(text), id=i) for i, text in self.lines()), id=self.LIST_ID
            )
            if self.ask_reason:
                yield Input(placeholder="Reason (optional, kept in the record)", id="reason")
            yield from self.buttons(self.ok)

    def on_mount(self) -> None:
        """Start on the first line (or say there is none)."""
        options = self.query_one(f"#{self.LIST_ID}", OptionList)
        if options.option_count:
            options.highlighted = 0
        else:
            self.error(self.EMPTY)
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self) -> None:
        if self.ask_reason:
            self.query_one("#reason", Input).focus()
        else:
            self.submit()

    def picked(self) -> tuple[str, str] | None:
        """(the highlighted line's id, the reason), or None after saying what is missing."""
        options = self.query_one(f"#{self.LIST_ID}", OptionList)
        if options.highlighted is None:
            self.error(self.NOTHING_PICKED)
            return None
        option_id = options.get_option_at_index(options.highlighted).id or ""
        reason = self.query_one("#reason", Input).value.strip() if self.ask_reason else ""
        return option_id, reason


class TargetDialog(_PickDialog[Target]):
    """Pick every team or one team (Enter on a line), optionally with a reason."""

    LIST_ID = "targets"
    NOTHING_PICKED = "choose a team, or All teams"

    def __init__(
        self,
        title: str,
        teams: Sequence[tuple[str, str]],
        *,
        ok: str,
        ask_reason: bool = False,
        detail: str = "",
    ) -> None:
        super().__init__(title, ok=ok, ask_reason=ask_reason, detail=detail)
        self.teams = teams
        """(team, its status for this action) in order."""

    def lines(self) -> list[tuple[str, str]]:
        """ "All teams" (where the dialog starts), then each team with its status."""
        return [
            (ALL, "All teams"),
            *((team, f"{team:<12} {status}") for team, status in self.teams),
        ]

    def submit(self) -> None:
        """Dismiss with the highlighted target."""
        picked = self.picked()
        if picked is not None:
            team, reason = picked
            self.dismiss(Target(None if team == ALL else team, reason))


class InjectDialog(_PickDialog[InjectPick]):
    """Pick an inject for one team (Enter on a line), optionally with a reason."""

    LIST_ID = "injects"
    NOTHING_PICKED = "choose an inject"
    EMPTY = "no inject is left for this team"

    def __init__(
        self, title: str, injects: Sequence[tuple[str, str]], *, ok: str, ask_reason: bool
    ) -> None:
        super().__init__(title, ok=ok, ask_reason=ask_reason)
        self.injects = injects
        """(inject id, what to show) in MSEL order."""

    def lines(self) -> list[tuple[str, str]]:
        """The injects."""
        return list(self.injects)

    def submit(self) -> None:
        """Dismiss with the highlighted inject."""
        picked = self.picked()
        if picked is not None:
            self.dismiss(InjectPick(*picked))


class MessageDialog(Dialog[MessageRequest]):
    """Write an ad-hoc message: team, channel, sender, subject and text."""

    def __init__(self, teams: Sequence[str], team: str | None) -> None:
        super().__init__("Message a team")
        self.teams = teams
        self.team = team

    def compose(self) -> ComposeResult:
        """The fields of a message."""
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            with Horizontal(classes="dialog-row"):
                yield Select(
                    [("All teams", ALL), *((plain(t), t) for t in self.teams)],
                    value=self.team or ALL,
                    allow_blank=False,
                    id="team",
                )
                yield Select(
                    [(c.replace("_", " "), c) for c in CHANNELS],
                    value="email",
                    allow_blank=False,
                    id="channel",
                )
            yield Input(value="Exercise control", placeholder="From", id="sender")
            yield Input(placeholder="Subject (optional)", id="subject")
            yield Input(placeholder="Message text", id="text")
            yield from self.buttons("Send")

    def on_mount(self) -> None:
        """Start on the text."""
        self.query_one("#text", Input).focus()

    def submit(self) -> None:
        """Dismiss with the message, if it has text."""
        text = self.filled("text", "write the message text")
        if not text:
            return
        team = self.query_one("#team", Select).value
        self.dismiss(
            MessageRequest(
                team=None if team == ALL else str(team),
                channel=str(self.query_one("#channel", Select).value),
                sender=self.query_one("#sender", Input).value.strip() or "Exercise control",
                subject=self.query_one("#subject", Input).value.strip(),
                text=text,
            )
        )


class MoveDialog(Dialog[MoveRequest]):
    """Choose a scene and say why."""

    def __init__(self, team: str, scenes: Sequence[tuple[str, str]], current: str) -> None:
        super().__init__(f"Move team {team} to a scene")
        self.scenes = scenes
        """(scene id, title) in scenario order."""
        self.current = current

    def compose(self) -> ComposeResult:
        """The scene list and the reason."""
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield Select(
                [(plain(f"{title} ({sid})"), sid) for sid, title in self.scenes],
                prompt="Scene",
                id="scene",
            )
            yield Input(placeholder="Reason (required, kept in the record)", id="reason")
            yield from self.buttons("Move")

    def on_mount(self) -> None:
        """Open on the scene list."""
        self.query_one("#scene", Select).focus()

    def submit(self) -> None:
        """Dismiss with the move, if a scene and a reason are given."""
        scene = self.query_one("#scene", Select).value
        reason = self.query_one("#reason", Input).value.strip()
        if scene == Select.NULL:
            self.error("choose the scene to move the team to")
            return
        if scene == self.current:
            self.error("the team is already in that scene")
            return
        if not reason:
            self.error("give a reason (it goes in the record)")
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(MoveRequest(str(scene), reason))


def competency_fields(competencies: Sequence[tuple[str, str]]) -> ComposeResult:
    """A competency list (``(id, what to show)`` in rubric order) and a points field: what
    every dialog that scores something asks."""
    yield Select(
        [(plain(text), cid) for cid, text in competencies],
        prompt="Competency",
        id="comp",
    )
    yield Input(placeholder="Points: -5 to 5, e.g. +1 or -2", id="points")


class AdjustDialog(Dialog[AdjustRequest]):
    """Choose a competency, points from -5 to 5, and a note."""

    def __init__(self, team: str, competencies: Sequence[tuple[str, str]]) -> None:
        super().__init__(f"Adjust team {team}'s score")
        self.competencies = competencies
        """(competency id, what to show) in rubric order."""

    def compose(self) -> ComposeResult:
        """Competency, points and note."""
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield from competency_fields(self.competencies)
            yield Input(placeholder="Note for the debrief (required)", id="note")
            yield from self.buttons("Adjust")

    def on_mount(self) -> None:
        """Open on the competency list."""
        self.query_one("#comp", Select).focus()

    def submit(self) -> None:
        """Dismiss with the adjustment, if it is complete."""
        comp = self.query_one("#comp", Select).value
        raw = self.query_one("#points", Input).value.strip()
        note = self.query_one("#note", Input).value.strip()
        if comp == Select.NULL:
            self.error("choose a competency")
            return
        try:
            points = int(raw)
        except ValueError:
            self.error("points are a whole number from -5 to 5, e.g. +1 or -2")
            self.query_one("#points", Input).focus()
            return
        if not -5 <= points <= 5 or points == 0:
            self.error("points are a whole number from -5 to 5, not 0")
            self.query_one("#points", Input).focus()
            return
        if not note:
            self.error("add a note saying why (the team reads it in the debrief)")
            self.query_one("#note", Input).focus()
            return
        self.dismiss(AdjustRequest(str(comp), points, note))


class ObserveDialog(Dialog[ObserveRequest]):
    """Record a strength, an area for improvement or a private note.

    The kind has no default: a warning filed as a strength by a hasty Enter would land
    under the team's strengths in the debrief and the report.
    """

    KINDS = (
        ("strength", "Strength (the team reads it in the debrief)"),
        ("improvement", "Area for improvement (the team reads it in the debrief)"),
        ("note", "Private note (for you only)"),
    )

    def __init__(self, team: str, competencies: Sequence[tuple[str, str]]) -> None:
        super().__init__(f"Observation about team {team}")
        self.competencies = competencies

    def compose(self) -> ComposeResult:
        """Kind (none chosen yet), optional competency, text."""
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield Label("What kind of observation is it?", classes="dialog-detail")
            with RadioSet(id="kind"):
                for kind, label in self.KINDS:
                    yield RadioButton(label, value=False, name=kind)
            yield Select(
                [(plain(text), cid) for cid, text in self.competencies],
                prompt="Competency (optional)",
                id="comp",
            )
            yield Input(placeholder="What you observed", id="text")
            yield from self.buttons("Record")

    def on_mount(self) -> None:
        """Open on the text; the kind must still be chosen."""
        self.query_one("#text", Input).focus()

    def submit(self) -> None:
        """Dismiss with the observation, once it has a kind and text."""
        text = self.filled("text", "write what you observed")
        if not text:
            return
        pressed = self.query_one("#kind", RadioSet).pressed_button
        if pressed is None or not pressed.name:
            self.error("choose its kind: a strength, an area for improvement, or a private note")
            self.query_one("#kind", RadioSet).focus()
            return
        comp = self.query_one("#comp", Select).value
        self.dismiss(ObserveRequest(pressed.name, text, None if comp == Select.NULL else str(comp)))


class SpeakDialog(Dialog[SpeakRequest]):
    """Speak as a character of the scenario to a team (the characters present in the
    team's scene first)."""

    def __init__(self, team: str, characters: Sequence[tuple[str, str]]) -> None:
        super().__init__(f"Speak as a character to team {team}")
        self.characters = characters
        """(character id, what to show), present ones first."""

    def compose(self) -> ComposeResult:
        """Character and line."""
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield Select(
                [(plain(text), cid) for cid, text in self.characters],
                prompt="Character",
                id="character",
            )
            yield Input(placeholder="What the character says", id="line", max_length=600)
            yield from self.buttons("Say")

    def on_mount(self) -> None:
        """Open on the line, to the first character (one in the team's scene, if any)."""
        if self.characters:
            self.query_one("#character", Select).value = self.characters[0][0]
        self.query_one("#line", Input).focus()

    def submit(self) -> None:
        """Dismiss with the line, if it is complete."""
        character = self.query_one("#character", Select).value
        text = self.query_one("#line", Input).value.strip()
        if character == Select.NULL:
            self.error("choose a character")
            return
        if not text:
            self.error("type what the character says")
            return
        self.dismiss(SpeakRequest(str(character), text))


class MarkLineDialog(Dialog[MarkRequest]):
    """Mark a conversation line: its number, a competency, points and a note."""

    def __init__(self, team: str, line: int, competencies: Sequence[tuple[str, str]]) -> None:
        super().__init__(f"Mark a line of team {team}'s conversations")
        self.line = line
        self.competencies = competencies

    def compose(self) -> ComposeResult:
        """Line, competency, points and note."""
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield Input(str(self.line or ""), placeholder="Line number", id="line")
            yield from competency_fields(self.competencies)
            yield Input(placeholder="Note for the debrief (optional)", id="note")
            yield from self.buttons("Mark")

    def on_mount(self) -> None:
        """Open on the competency list."""
        self.query_one("#comp", Select).focus()

    def submit(self) -> None:
        """Dismiss with the mark, if it is complete."""
        comp = self.query_one("#comp", Select).value
        if comp == Select.NULL:
            self.error("choose a competency")
            return
        try:
            line = int(self.query_one("#line", Input).value.strip())
            points = int(self.query_one("#points", Input).value.strip())
        except ValueError:
            self.error("the line and the points are whole numbers, e.g. 3 and +1")
            return
        note = self.query_one("#note", Input).value.strip()
        self.dismiss(MarkRequest(line, str(comp), points, note))


@dataclass(frozen=True)
class HoldRequest:
    """Hold one team or every team (None), at once or at the end of a phase (None: now)."""

    team: str | None
    phase: str | None


class HoldDialog(Dialog[HoldRequest]):
    """Which teams to hold, and when: now, or once each has left a phase."""

    def __init__(
        self,
        teams: Sequence[tuple[str, str]],
        phases: Sequence[tuple[str, str]],
        *,
        team: str | None = None,
        phase: str | None = None,
    ) -> None:
        super().__init__("Hold teams for a hot-wash")
        self.teams = teams
        """(team, where it is) in order."""
        self.phases = phases
        """(phase id, title) in order."""
        self.team = team
        self.phase = phase

    def compose(self) -> ComposeResult:
        """The teams, then when."""
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield Label(
                "A held team cannot decide until you release it; the exercise runs on.",
                classes="dialog-detail",
            )
            yield Select(
                [("All teams", ALL)] + [(plain(f"{t} — {where}"), t) for t, where in self.teams],
                value=self.team or ALL,
                allow_blank=False,
                id="team",
            )
            with RadioSet(id="when"):
                yield RadioButton("Now", value=self.phase is None, name="")
                for phase, title in self.phases:
                    yield RadioButton(
                        plain(f"At the end of phase “{title}”"),
                        value=phase == self.phase,
                        name=phase,
                    )
            yield from self.buttons("Hold")

    def on_mount(self) -> None:
        """Open on the team list."""
        self.query_one("#team", Select).focus()

    def submit(self) -> None:
        """Dismiss with the hold."""
        team = self.query_one("#team", Select).value
        pressed = self.query_one("#when", RadioSet).pressed_button
        phase = pressed.name if pressed is not None and pressed.name else None
        self.dismiss(HoldRequest(None if team == ALL else str(team), phase))


@dataclass(frozen=True)
class NoteRequest:
    """A note of the hot-wash about one team."""

    team: str
    text: str


class HotwashNoteDialog(Dialog[NoteRequest]):
    """A note about one team, in a phase's hot-wash (a private note of the facilitator)."""

    def __init__(self, teams: Sequence[str], phase: str, team: str | None = None) -> None:
        super().__init__(f"Hot-wash note — {phase}")
        self.teams = teams
        self.team = team or teams[0]

    def compose(self) -> ComposeResult:
        """Team and text."""
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield Select(
                [(plain(t), t) for t in self.teams], value=self.team, allow_blank=False, id="team"
            )
            yield Input(placeholder="What the team said or decided (a private note)", id="text")
            yield from self.buttons("Record")

    def on_mount(self) -> None:
        """Open on the text."""
        self.query_one("#text", Input).focus()

    def submit(self) -> None:
        """Dismiss with the note, once it has text."""
        text = self.filled("text", "write the note")
        if not text:
            return
        self.dismiss(NoteRequest(str(self.query_one("#team", Select).value), text))


@dataclass(frozen=True)
class RateRequest:
    """An HSEEP rating of one objective."""

    objective: str
    rating: str
    note: str


class RateDialog(Dialog[RateRequest]):
    """Rate a team on an objective: P, S, M or U (HSEEP), with a note."""

    def __init__(
        self, team: str, objectives: Sequence[tuple[str, str]], ratings: Sequence[tuple[str, str]]
    ) -> None:
        super().__init__(f"Rate team {team} on an objective")
        self.objectives = objectives
        """(objective id, what to show) in order."""
        self.ratings = ratings
        """(letter, meaning) in order."""

    def compose(self) -> ComposeResult:
        """Objective, rating (none chosen yet), note."""
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield Select(
                [(plain(text), oid) for oid, text in self.objectives],
                prompt="Objective",
                id="objective",
            )
            with RadioSet(id="rating"):
                for letter, meaning in self.ratings:
                    yield RadioButton(f"{letter} — {meaning}", value=False, name=letter)
            yield Input(placeholder="Note (what you saw; optional)", id="note")
            yield from self.buttons("Rate")

    def on_mount(self) -> None:
        """Open on the objective list."""
        self.query_one("#objective", Select).focus()

    def submit(self) -> None:
        """Dismiss with the rating, once it has an objective and a letter."""
        objective = self.query_one("#objective", Select).value
        if objective == Select.NULL:
            self.error("choose an objective")
            self.query_one("#objective", Select).focus()
            return
        pressed = self.query_one("#rating", RadioSet).pressed_button
        if pressed is None or not pressed.name:
            self.error("choose a rating: P, S, M or U")
            self.query_one("#rating", RadioSet).focus()
            return
        note = self.query_one("#note", Input).value.strip()
        self.dismiss(RateRequest(str(objective), pressed.name, note))


@dataclass(frozen=True)
class PlanRequest:
    """A row of the improvement plan."""

    issue: str
    action: str
    responsible: str
    due: str


class PlanDialog(Dialog[PlanRequest]):
    """Add a row to a team's improvement plan (the service checks the date and who)."""

    FIELDS = (
        ("issue", "Issue or area for improvement"),
        ("action", "Corrective action"),
        ("responsible", "Responsible: a role or an agency, e.g. Labour inspectorate"),
        ("due", "Due date, YYYY-MM-DD"),
    )

    def __init__(self, team: str, issue: str = "") -> None:
        super().__init__(f"Improvement plan of team {team}: add a row")
        self.issue = issue

    def compose(self) -> ComposeResult:
        """One line per field."""
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            for name, placeholder in self.FIELDS:
                yield Input(
                    value=self.issue if name == "issue" else "", placeholder=placeholder, id=name
                )
            yield from self.buttons("Add")

    def on_mount(self) -> None:
        """Open on the first empty field."""
        self.query_one("#action" if self.issue else "#issue", Input).focus()

    def submit(self) -> None:
        """Dismiss with the row, once every field is filled in."""
        values: dict[str, str] = {}
        for name, placeholder in self.FIELDS:
            missing = f"fill in: {placeholder.split(',')[0].split(':')[0].lower()}"
            values[name] = self.filled(name, missing)
            if not values[name]:
                return
        self.dismiss(PlanRequest(**values))


class PlanRowDialog(_PickDialog[int]):
    """Pick a row of a team's improvement plan to remove (Enter on a line)."""

    LIST_ID = "rows"
    NOTHING_PICKED = "choose a row"
    EMPTY = "the plan has no rows yet (i adds one)"

    def __init__(self, team: str, rows: Sequence[str]) -> None:
        super().__init__(
            f"Remove a row of team {team}'s improvement plan", ok="Remove", ask_reason=False
        )
        self.rows = rows
        """Each row as a line, in plan order."""

    def lines(self) -> list[tuple[str, str]]:
        """The rows, numbered."""
        return [(str(n), f"{n}. {text}") for n, text in enumerate(self.rows, 1)]

    def submit(self) -> None:
        """Dismiss with the highlighted row's number."""
        picked = self.picked()
        if picked is not None:
            self.dismiss(int(picked[0]))
