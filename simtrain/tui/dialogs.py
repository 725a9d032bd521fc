"""The small screens over the main one: reader, keys, quit, step-out and role switch."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from simtrain.tui.layout import choice_prompt
from simtrain.tui.markdown import ScenarioMarkdown
from simtrain.tui.plain import plain
from simtrain.tui.widgets import ContentWarning
from simtrain.views.lobby import RoleOption
from simtrain.views.seat import ChoiceView

KEYS: tuple[tuple[str, str], ...] = (
    ("1 – 9", "Pick the choice with that number (in the scene, or replying to a message)"),
    ("Enter", "Confirm the picked choice (after typing an optional one-line reason)"),
    ("Escape", "Cancel the picked choice, or close the window on top"),
    ("↑ ↓", "Move in a list; Enter opens or picks the highlighted line"),
    ("Tab", "Move between the choices, the side panel and other fields"),
    ("i", "Inbox: injects and messages for your role"),
    ("f", "Case file: the documents your role may read"),
    ("t", "Team: who is in your team, who decided what, and when"),
    ("c", "Back to the choices"),
    ("PgUp PgDn", "Scroll the scene (from anywhere on the main screen)"),
    ("Home End", "Top or bottom of the scene"),
    ("\\", "Hide or show the side panel (inbox, case file, team): more room for the scene"),
    ("b", "Your role's brief"),
    ("d", "The debrief (once the facilitator releases it)"),
    ("r", "Switch role (solo demo only: you play every role)"),
    (
        "F9",
        "Step out: blanks the screen and privately tells the facilitator; "
        "press F9 again to come back. Never scored.",
    ),
    ("F2", "Switch between the dark and the light theme"),
    ("?", "This list of keys"),
    ("q", "Quit (a live seat asks first)"),
)
"""Every key of the trainee UI, as the help screen lists them."""


class ReaderScreen(ModalScreen[int | None]):
    """A document, an inject, a message or the role brief; an inject that still needs a
    response offers its choices (dismisses with the number picked)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close"),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
    ]

    def __init__(
        self,
        title: str,
        body: str,
        meta: str = "",
        choices: tuple[ChoiceView, ...] = (),
        *,
        warning: str = "",
        solo: bool = False,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.meta = meta
        self.body = body
        self.choices = choices
        self.warning = warning
        """A content warning shown before the body ('' for none)."""
        self.solo = solo

    def compose(self) -> ComposeResult:
        with Vertical(id="reader"):
            yield Label(Content.styled(self.title_text, "bold"), id="reader-title")
            if self.meta:
                yield Label(plain(self.meta), id="reader-meta")
            if self.warning:
                yield ContentWarning(id="reader-warning")
            with VerticalScroll(id="reader-body"):
                yield ScenarioMarkdown(self.body or "*(no text)*")
            if self.choices:
                yield Label("Your team must respond: pick one", id="reader-respond")
                yield OptionList(
                    *(Option(choice_prompt(c), id=str(c.number)) for c in self.choices),
                    id="reader-choices",
                )
            yield Label("Escape closes", id="reader-hint")

    def on_mount(self) -> None:
        if self.warning:
            self.query_one(ContentWarning).show(self.warning, solo=self.solo, then="the message")
            self._hide_content(True)
            self.query_one("#warning-continue").focus()
        else:
            self._focus_content()

    def _hide_content(self, hidden: bool) -> None:
        for selector in ("#reader-body", "#reader-respond", "#reader-choices"):
            for widget in self.query(selector):
                widget.display = not hidden

    def _focus_content(self) -> None:
        if self.choices:
            self.query_one("#reader-choices", OptionList).focus()
        else:
            self.query_one("#reader-body", VerticalScroll).focus()

    @on(ContentWarning.Accepted)
    def _warning_accepted(self, event: ContentWarning.Accepted) -> None:
        event.stop()
        self.query_one(ContentWarning).display = False
        self._hide_content(False)
        self._focus_content()

    def action_pick(self, number: int) -> None:
        """Pick a response by its number (once any content warning is passed)."""
        warned = self.warning and self.query_one(ContentWarning).display
        if not warned and any(c.number == number for c in self.choices):
            self.dismiss(number)

    @on(OptionList.OptionSelected, "#reader-choices")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(int(event.option.id))


class HelpScreen(ModalScreen[None]):
    """Every key, in one list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Label(Content.styled("Keys", "bold"), id="help-title")
            with VerticalScroll(id="help-keys"):
                for key, meaning in KEYS:
                    with Horizontal(classes="help-row"):
                        yield Label(Content.styled(key, "bold"), classes="help-key")
                        yield Static(meaning, classes="help-meaning")
            yield Label("Escape closes", id="help-hint")

    def on_mount(self) -> None:
        self.query_one("#help-keys", VerticalScroll).focus()


class ConfirmQuitScreen(ModalScreen[bool]):
    """Asks before a live seat leaves the exercise."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(False)", "Stay"),
        Binding("y", "dismiss(True)", "Leave", show=False),
        Binding("n", "dismiss(False)", "Stay", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="quit"):
            yield Label(Content.styled("Leave the exercise?", "bold"))
            yield Static(
                "Your team keeps playing without you; you can join again with the same "
                "team code. Press y to leave, n or Escape to stay."
            )
            with Horizontal(id="quit-buttons"):
                yield Button("Stay (n)", id="stay", variant="primary")
                yield Button("Leave (y)", id="leave", variant="error")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "leave")


class StepOutScreen(Screen[None]):
    """The blank screen of a trainee who stepped out; F9 (or Enter) brings them back."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "app.step_out", "Come back")]

    def __init__(self, *, solo: bool = False) -> None:
        super().__init__()
        self.solo = solo

    def compose(self) -> ComposeResult:
        told = (
            ""
            if self.solo
            else " The facilitator has been told privately; nobody else sees it and it is "
            "never scored."
        )
        with Vertical(id="stepped-out"):
            yield Label(Content.styled("You have stepped out", "bold"), id="stepped-out-title")
            yield Static(
                f"Take the time you need.{told}\n\n"
                "When you are ready, press F9 or Enter to come back.",
                id="stepped-out-text",
            )
            yield Button("Come back", id="come-back", variant="primary")

    @on(Button.Pressed, "#come-back")
    async def _come_back(self, event: Button.Pressed) -> None:
        event.stop()
        await self.app.run_action("step_out")


class RoleSwitchScreen(ModalScreen[str | None]):
    """Solo play: pick the role to play next (dismisses with its id)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, roles: tuple[RoleOption, ...], current: str) -> None:
        super().__init__()
        self.roles = roles
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="roles"):
            yield Label(Content.styled("Play as which role?", "bold"))
            yield Static(
                "Alone, you play every role: a choice dimmed with another role's name "
                "becomes yours when you switch to that role."
            )
            yield OptionList(
                *(
                    Option(plain(r.name + ("  (now)" if r.id == self.current else "")), id=r.id)
                    for r in self.roles
                ),
                id="role-list",
            )

    def on_mount(self) -> None:
        self.query_one("#role-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#role-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
