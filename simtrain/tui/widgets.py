"""The widgets of the trainee's main screen; each renders a part of a :class:`SeatView`.

Attributes down, messages up: the screen hands each widget the view (or the part it
shows); widgets tell the screen what the trainee did with the messages nested in them.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Label, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from simtrain.exercise import ClockState
from simtrain.text import clock_text, minute_text
from simtrain.tui.plain import plain
from simtrain.views.seat import (
    ChoiceView,
    DocumentView,
    InboxItem,
    ScoreLine,
    SeatView,
    TimelineEntry,
)

BANNERS: dict[str, str] = {
    "created": "Not started yet: read the scene, your brief (b) and your case file.",
    "paused": "⏸ PAUSED by the facilitator — choices wait until the exercise resumes.",
    "ended": "■ The exercise has ended: no more choices can be made.",
}
"""The banner shown while the clock is not running."""


class SeatHeader(Horizontal):
    """One line: scenario title, team, role and the exercise clock."""

    _clock_text = ""

    def compose(self) -> ComposeResult:
        yield Label(id="header-title")
        yield Label(id="header-clock")

    def show(self, view: SeatView) -> None:
        """Show the seat of ``view``."""
        who = f" ({view.name})" if view.name not in (view.role, view.role_name) else ""
        self.query_one("#header-title", Label).update(
            Content.assemble(
                (view.scenario_title, "bold"), f"  ·  team {view.team}  ·  {view.role_name}{who}"
            )
        )
        self.show_clock(view.clock)

    def show_clock(self, clock: ClockState) -> None:
        """Show the exercise clock."""
        mark = {"running": "▶", "paused": "⏸", "ended": "■"}.get(clock.state, "·")
        text = f"{mark} {clock_text(clock.minutes)}"
        if text != self._clock_text:  # the clock is read several times a second
            self._clock_text = text
            self.query_one("#header-clock", Label).update(text)


class Banner(Static):
    """A clear banner while the exercise is not running (hidden while it runs)."""

    def show_clock(self, clock: ClockState) -> None:
        """Show the banner that fits the clock's state."""
        text = BANNERS.get(clock.state, "")
        if clock.state == "ended" and clock.debrief_released:
            text += " Press d for your team's debrief."
        self.update(text)
        self.set_class(not text, "-hidden")
        for state in BANNERS:
            self.set_class(clock.state == state, f"-{state}")


class ContentWarning(Vertical):
    """A content warning (the exercise's, a scene's or a message's), shown before the
    text it warns of, with the option to continue."""

    class Accepted(Message):
        """The trainee chose to continue to the scene."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # built here, not in compose, so ``show`` works before this widget's children mount
        self._text = Static(id="warning-text", markup=False)
        self._hint = Static(id="warning-hint")
        self._button = Button("Continue to the scene", id="warning-continue", variant="primary")

    def compose(self) -> ComposeResult:
        yield Label("Content warning", id="warning-title")
        yield self._text
        yield self._button
        yield self._hint

    def show(self, text: str, *, solo: bool, then: str = "the scene") -> None:
        """Show the warning ``text`` (``solo``: nobody else is there to be told) before
        ``then`` (what the trainee continues to)."""
        self._text.update(text)
        self._button.label = f"Continue to {then}"
        told = "" if solo else "; the facilitator is told privately"
        self._hint.update(f"You may step out at any time with F9{told}.")

    @on(Button.Pressed, "#warning-continue")
    def _continue(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Accepted())


class ScenePanel(VerticalScroll):
    """The scene: title, Markdown text, the text for this role, or the ending reached."""

    _shown: dict[str, str]
    """The Markdown shown in each part (rendering it again costs a few hundred ms)."""

    def compose(self) -> ComposeResult:
        self._shown = {}
        yield Label(id="scene-title")
        yield ContentWarning(id="warning")
        yield Markdown(id="scene-text")
        yield Markdown(id="role-text")
        with Vertical(id="ending"):
            yield Label(id="ending-outcome")
            yield Markdown(id="ending-debrief")
            yield Static(id="ending-note")

    def _markdown(self, part: str, text: str) -> None:
        if self._shown.get(part) != text:
            self._shown[part] = text
            self.query_one(f"#{part}", Markdown).update(text)

    def show(
        self, view: SeatView, *, warn: bool, solo: bool = False, exercise_warning: bool = False
    ) -> None:
        """Show the scene of ``view``; with ``warn``, only its content warning (with
        ``exercise_warning``, the scenario's own, before the exercise begins)."""
        scene = view.scene
        title = view.scenario_title if exercise_warning else scene.title
        self.query_one("#scene-title", Label).update(Content.styled(title, "bold"))
        warning = self.query_one(ContentWarning)
        warning.display = warn
        if warn:
            if exercise_warning:
                warning.show(view.content_warning, solo=solo, then="the exercise")
            else:
                warning.show(scene.content_warning, solo=solo)
        self._markdown("scene-text", scene.text)
        self._markdown(
            "role-text",
            f"**For you, {view.role_name}:** {scene.role_text}" if scene.role_text else "",
        )
        ending = self.query_one("#ending", Vertical)
        if scene.ending is not None:
            self.query_one("#ending-outcome", Label).update(
                Content.styled("Outcome: " + scene.ending.outcome_name, "bold")
            )
            self._markdown("ending-debrief", scene.ending.debrief)
            self.query_one("#ending-note", Static).update(
                "Your scores and the feedback on each decision open when the facilitator "
                "releases the debrief."
                if view.debrief is None
                else "The debrief is open: press d."
            )
            for outcome in ("success", "partial", "failure"):
                ending.set_class(scene.ending.outcome == outcome, f"-{outcome}")
        self.query_one("#scene-text").display = not warn
        self.query_one("#role-text").display = not warn and bool(scene.role_text)
        ending.display = not warn and scene.ending is not None
        self.query_one("#ending-debrief").display = bool(scene.ending and scene.ending.debrief)
        self.scroll_home(animate=False)


def choice_prompt(choice: ChoiceView) -> Content:
    """How a choice reads in a list: its number, its label and who must make it."""
    number = f"{choice.number}. " if choice.number <= 9 else "   "
    if choice.mine:
        return Content.assemble((number, "bold"), choice.label)
    return Content.assemble(
        (number, "dim"), (choice.label, "dim"), (f"  — for the {choice.roles_text}", "italic")
    )


class ChoiceList(OptionList):
    """The choices on offer, numbered; other roles' choices dimmed with the role's name."""

    class Picked(Message):
        """The trainee picked the choice with this number (Enter on it)."""

        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    def show(self, choices: tuple[ChoiceView, ...], hint: str = "") -> None:
        """List ``choices`` (scene choices first, then the replies to injects), with a
        ``hint`` under the box."""
        highlighted = self.highlighted
        options: list[Option | None] = []
        group = ""
        for choice in choices:
            if choice.reply_to and choice.reply_to != group:
                group = choice.reply_to
                options.append(None)
                options.append(
                    Option(Content.styled(f"Reply to: {group}", "bold $accent"), disabled=True)
                )
            options.append(Option(choice_prompt(choice), id=str(choice.number)))
        self.set_options(options)
        self.border_title = "Choices" if choices else "No choices"
        self.border_subtitle = hint
        if (
            highlighted is not None
            and highlighted < self.option_count
            and not self.options[highlighted].disabled
        ):
            self.highlighted = highlighted
        elif choices:
            self.highlighted = next(
                (i for i, option in enumerate(self.options) if not option.disabled), None
            )

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Picked(int(event.option.id)))


class ConfirmBar(Vertical):
    """The picked choice, a one-line rationale, and how to confirm or cancel."""

    class Confirmed(Message):
        """The trainee confirmed the picked choice with this rationale."""

        def __init__(self, rationale: str) -> None:
            super().__init__()
            self.rationale = rationale

    def compose(self) -> ComposeResult:
        yield Static(id="confirm-choice")
        yield Input(
            placeholder="Why? One line, stored with the decision (optional)",
            id="rationale",
            max_length=500,
            compact=True,
        )
        yield Label("Enter confirms  ·  Escape cancels", id="confirm-hint")

    def ask(self, choice: ChoiceView, rationale: str) -> None:
        """Ask to confirm ``choice``, with ``rationale`` already typed in."""
        self.query_one("#confirm-choice", Static).update(
            Content.assemble(("Confirm ", "bold"), choice_prompt(choice))
        )
        field = self.query_one("#rationale", Input)
        field.value = rationale
        field.disabled = False
        self.display = True
        field.focus()

    @property
    def rationale(self) -> str:
        """The rationale typed so far."""
        return self.query_one("#rationale", Input).value

    def busy(self, waiting: bool) -> None:
        """Lock the field while the choice is being recorded."""
        self.query_one("#rationale", Input).disabled = waiting

    @on(Input.Submitted, "#rationale")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Confirmed(event.value))


def inbox_prompt(item: InboxItem) -> Content:
    """How an inbox item reads in the list (one needing a response is marked)."""
    return Content.assemble(
        ("● " if item.needs_response else "", "bold $warning"),
        (f"{minute_text(item.clock)} {item.channel_name}", "bold"),
        "  to answer" if item.needs_response else "",
        ("  content warning" if item.content_warning else "", "italic"),
        f"\n{item.sender}: " if item.sender else "\n",
        item.subject,
    )


def refill(option_list: OptionList, options: list[Option], empty: str) -> None:
    """Replace a list's lines, keeping the highlight near where it was; ``empty`` is the
    (disabled) line shown when there is nothing."""
    highlighted = option_list.highlighted
    option_list.set_options(options or [Option(empty, disabled=True)])
    if options:
        option_list.highlighted = min(highlighted or 0, len(options) - 1)


class InboxList(OptionList):
    """Injects and messages for this role, newest first; unanswered ones marked."""

    class Opened(Message):
        """The trainee opened the inbox item with this key."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def show(self, items: tuple[InboxItem, ...]) -> None:
        """List ``items``."""
        options = [Option(inbox_prompt(item), id=item.key) for item in items]
        refill(self, options, "Nothing has arrived yet.")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Opened(event.option.id))


class CaseFileList(OptionList):
    """The documents this role may read."""

    class Opened(Message):
        """The trainee opened the document with this id."""

        def __init__(self, document: str) -> None:
            super().__init__()
            self.document = document

    def show(self, documents: tuple[DocumentView, ...]) -> None:
        """List ``documents``."""
        refill(
            self, [Option(plain(d.title), id=d.id) for d in documents], "Your case file is empty."
        )

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Opened(event.option.id))


def timeline_text(members: tuple[str, ...], entries: tuple[TimelineEntry, ...]) -> Content:
    """The team's members and its timeline, newest last."""
    parts: list[str | tuple[str, str]] = [
        ("In your team: ", "bold"),
        ", ".join(members) or "nobody yet",
        "\n",
    ]
    for entry in entries:
        parts.append((f"\n{minute_text(entry.clock)} ", "bold"))
        parts.append((entry.text, "" if entry.kind == "decision" else "italic"))
        if entry.rationale:
            parts.append((f"\n      “{entry.rationale}”", "italic $text-muted"))
    return Content.assemble(*parts)


class TeamTimeline(VerticalScroll, can_focus=True):
    """Who decided what, and when (scrolls with the arrow keys when focused)."""

    def compose(self) -> ComposeResult:
        yield Static(id="timeline-text")

    def show(self, view: SeatView) -> None:
        """Show the team of ``view``."""
        self.query_one("#timeline-text", Static).update(timeline_text(view.members, view.timeline))
        self.scroll_end(animate=False)


def score_bar(line: ScoreLine, width: int = 18) -> Content:
    """A competency's points as a bar out of the best reachable."""
    best = max(line.best, 1)
    filled = max(0, min(width, round(width * line.points / best)))
    style = "$error" if line.points < 0 else "$success" if line.points >= line.best else "$warning"
    return Content.assemble(
        f"{line.name[:42]:<42} ",
        ("█" * filled, style),
        ("░" * (width - filled), "$text-muted"),
        f" {line.points:>3} / {line.best}",
    )
