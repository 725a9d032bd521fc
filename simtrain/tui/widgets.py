"""The widgets of the trainee's main screen; each renders a part of a :class:`SeatView`.

Attributes down, messages up: the screen hands each widget the view (or the part it
shows); widgets tell the screen what the trainee did with the messages nested in them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import ClassVar, Self

from rich.cells import cell_len
from rich.segment import Segment
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.visual import Padding
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Static, Tab
from textual.widgets.option_list import Option, OptionDoesNotExist

from simtrain.exercise import ClockState
from simtrain.text import clock_text
from simtrain.tui.frames import LineScrolled, refresh_changed_rows
from simtrain.tui.layout import (
    BORDER,
    ITEM_PADDING,
    ChoicePlan,
    box_width,
    choice_entries,
    choice_prompt,
    hidden_below,
    plan_choices,
    rows,
    text_width,
)
from simtrain.tui.markdown import ScenarioMarkdown
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
    """One line: the scenario and team (cut first when narrow), the trainee's role and name
    (never cut), and the exercise clock."""

    _clock_text = ""
    _seat: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        yield Label(id="header-title")
        yield Label(id="header-who")
        yield ClockFace(id="header-clock")

    def show(self, view: SeatView) -> None:
        """Show the seat of ``view``."""
        seat = (view.scenario_title, view.team, view.role_name, view.name)
        if seat != self._seat:
            self._seat = seat
            who = f" ({view.name})" if view.name not in (view.role, view.role_name) else ""
            self.query_one("#header-title", Label).update(
                Content.styled(view.scenario_title, "bold")
            )
            self.query_one("#header-who", Label).update(
                Content.assemble(f"team {view.team}  ·  ", (view.role_name, "bold"), who)
            )
        self.show_clock(view.clock)

    def show_clock(self, clock: ClockState) -> None:
        """Show the exercise clock."""
        mark = {"running": "▶", "paused": "⏸", "ended": "■"}.get(clock.state, "·")
        text = f"{mark} {clock_text(clock.minutes)}"
        if text != self._clock_text:  # the clock is read several times a second
            self._clock_text = text
            self.query_one(ClockFace).show(text)


class ClockFace(Widget):
    """The exercise clock, drawn as one line of its own width (it changes every second
    all day: a label would read its text as markup and lay itself out each time, which
    was most of what an idle seat cost)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""

    def show(self, text: str) -> None:
        """Show ``text``, right-aligned."""
        if text != self.text:
            self.text = text
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        style = self.rich_style
        if y or width <= 0:
            return Strip.blank(width, style)
        text = self.text
        while cell_len(text) > width:
            text = text[1:]
        return Strip([Segment(" " * (width - cell_len(text)) + text, style)], width)


INBOX_LABEL_WIDEST = "Inbox ●9"
"""The Inbox tab's widest usual label (a count of messages to answer): the tab is as wide
with or without a count."""


def size_tab(tab: Tab, widest: str) -> None:
    """Make ``tab`` as wide as its ``widest`` label, whatever it shows (labels drawn in
    place, see :func:`relabel`; tabs that do not move when a count appears)."""
    tab.styles.width = cell_len(widest) + tab.styles.gutter.width


def relabel(tab: Tab, label: str) -> None:
    """Set a tab's ``label``. In a tab sized for it (:func:`size_tab`) it is drawn in
    place: Textual's own setter lays the whole screen out again and slides the tabs'
    underline for 0.3 s (~10 ms and a dozen frames of every seat an inject reaches, for
    a count in a tab)."""
    width = tab.styles.width
    if width is None or width.is_auto or cell_len(label) > tab.content_size.width:
        tab.label = label
        return
    tab._label = Content(label)
    Static.update(tab, tab._label, layout=False)  # (Tab.update moves the underline)


STATUS_ROWS = 2
"""Rows the layout reserves for the status line from the start: most notices of an
arriving inject ("Email from …: … — your team must respond") take two rows at 80 to 100
columns, and a line that grew for the first of them laid the whole screen out and drew it
again (~40 ms of a seat's CPU, at once on every seat the inject reached). A longer notice
has its rows while it is shown."""


class StatusLine(Static):
    """What just happened, in a line the layout reserves above the footer: it never
    covers the scene or the choices, and stays until the next news."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.history: list[str] = []
        """Every text shown, oldest first (what the trainee was told)."""
        self.text = ""
        self._content = Content("")
        self._severity = ""
        self.styles.min_height = STATUS_ROWS

    def tell(self, text: str, severity: str = "information") -> None:
        """Show ``text`` (a sentence) with the look of its ``severity``."""
        self.history.append(text)
        mark = {"warning": "▲ ", "error": "✖ "}.get(severity, "● ")
        content = Content.assemble((mark, "bold"), plain(text))
        # lay the screen out again only when the rows of the line change (it costs more
        # than everything else an arriving message does): the reserved rows hold most
        # notices, a longer one has its rows for as long as it is shown
        width = self.content_region.width
        relayout = width <= 0 or max(rows(content, width), STATUS_ROWS) != max(
            rows(self._content, width), STATUS_ROWS
        )
        self.text, self._content = text, content
        # drawn in the frame of the news it tells (a seat's frames draw the changed lines
        # only, so this line and an inbox row far above it cost two lines, not the screen)
        self.update(content, layout=relayout)
        if severity != self._severity:
            self._severity = severity
            for level in ("information", "warning", "error"):
                self.set_class(severity == level, f"-{level}")


def keys_bar(gap: str = "  ") -> Content:
    """The keys that are always on screen (and clickable in a browser)."""
    return Content.from_markup(
        f"[@click=app.step_out][b $accent]F9[/] Step out[/]{gap}"
        f"[@click=app.help][b $accent]?[/] Keys[/]{gap}"
        "[@click=app.request_quit][b $accent]q[/] Quit[/]"
    )


class KeysBar(Static):
    """F9 Step out, ? Keys, q Quit: always visible, whatever the footer has room for."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(keys_bar(), id=id)

    def pack(self, compact: bool) -> None:
        """Closer together in a narrow window, so the footer beside it keeps more keys."""
        self.update(keys_bar(" " if compact else "  "))
        self.set_class(compact, "-compact")


class Banner(Static):
    """A clear banner while the exercise is not running (hidden while it runs)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)  # a phase title is the scenario's text

    def show_clock(self, clock: ClockState, held: str = "") -> None:
        """Show the banner that fits the clock's state or, while it runs, the team's hold
        (``held`` says why the team waits; it looks like a pause)."""
        text = BANNERS.get(clock.state, "")
        look = clock.state
        if clock.state == "ended" and clock.debrief_released:
            text += " Press d for your team's debrief."
        elif clock.state == "running" and held:
            text, look = held, "paused"
        self.update(text)
        self.set_class(not text, "-hidden")
        for state in BANNERS:
            self.set_class(look == state, f"-{state}")


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


class ScenePanel(LineScrolled, VerticalScroll):
    """The scene: title, Markdown text, the text for this role, or the ending reached."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: dict[str, str] = {}
        """The Markdown shown in each part (rendering it again costs a few hundred ms)."""
        # built here, not in compose, so ``show`` works before the children mount
        self._title = Label(id="scene-title")
        self._warning = ContentWarning(id="warning")
        self._parts = {
            "scene-text": ScenarioMarkdown(id="scene-text"),
            "role-text": ScenarioMarkdown(id="role-text"),
            "ending-debrief": ScenarioMarkdown(id="ending-debrief"),
        }
        self._outcome = Label(id="ending-outcome")
        self._note = Static(id="ending-note")
        self._ending = Vertical(self._outcome, self._parts["ending-debrief"], self._note)
        self._ending.id = "ending"

    def compose(self) -> ComposeResult:
        yield self._title
        yield self._warning
        yield self._parts["scene-text"]
        yield self._parts["role-text"]
        yield self._ending

    def _markdown(self, part: str, text: str) -> None:
        if self._shown.get(part) != text:
            self._shown[part] = text
            self._parts[part].update(text)

    def show(
        self, view: SeatView, *, warn: bool, solo: bool = False, exercise_warning: bool = False
    ) -> None:
        """Show the scene of ``view``; with ``warn``, only its content warning (with
        ``exercise_warning``, the scenario's own, before the exercise begins)."""
        scene = view.scene
        title = view.scenario_title if exercise_warning else scene.title
        self._title.update(Content.styled(title, "bold"))
        self._warning.display = warn
        if warn:
            if exercise_warning:
                self._warning.show(reflow(view.content_warning), solo=solo, then="the exercise")
            else:
                self._warning.show(reflow(scene.content_warning), solo=solo)
        self._markdown("scene-text", scene.text)
        self._markdown(
            "role-text",
            f"**For you, {view.role_name}:** {scene.role_text}" if scene.role_text else "",
        )
        ending = self._ending
        if scene.ending is not None:
            self._outcome.update(Content.styled("Outcome: " + scene.ending.outcome_name, "bold"))
            self._markdown("ending-debrief", scene.ending.debrief)
            self._note.update(
                "Your scores and the feedback on each decision open when the facilitator "
                "releases the debrief."
                if view.debrief is None
                else "The debrief is open: press d."
            )
            for outcome in ("success", "partial", "failure"):
                ending.set_class(scene.ending.outcome == outcome, f"-{outcome}")
        self._parts["scene-text"].display = not warn
        self._parts["role-text"].display = not warn and bool(scene.role_text)
        ending.display = not warn and scene.ending is not None
        self._parts["ending-debrief"].display = bool(scene.ending and scene.ending.debrief)
        self.scroll_home(animate=False)


def reflow(text: str) -> str:
    """Text as paragraphs: the line breaks of a YAML block inside a paragraph become
    spaces (the screen wraps at its own width); blank lines still part paragraphs."""
    paragraphs = (" ".join(p.split()) for p in text.replace("\r", "").split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


@dataclass(frozen=True, slots=True)
class ChoiceEntry:
    """One entry of the choice list: a choice (``number`` > 0) or the heading above an
    inject's replies (0), and the rows of the list it takes (``height`` rows from ``y``)."""

    number: int
    prompt: Content
    y: int
    height: int

    @property
    def bottom(self) -> int:
        """The row below the entry."""
        return self.y + self.height


DRAWN_ENTRIES_KEPT = 256
"""Drawn entries the choice list keeps (a few strips each), by prompt, look and width."""


class ChoiceList(LineScrolled, ScrollView, can_focus=True):
    """The choices on offer, numbered; each shown whole (the box is sized by
    :func:`~simtrain.tui.layout.plan_choices`); when they cannot all fit, the box scrolls and
    its bottom border says how many more there are.

    It draws its entries as lines (Textual's line API): an inject's replies joining the
    list change its length, not the screen's layout, unless the box must grow; the rows
    that show what they showed before are not drawn again. (As one widget per entry, each
    new entry asked Textual to lay the whole screen out, and was styled and drawn through
    the CSS machinery: about half of what an inject with replies cost every seat.)"""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "choice-list--entry",
        "choice-list--highlighted",
        "choice-list--hover",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("enter", "select", "Pick", show=False),
    ]

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
    """(The rows of its entries: a longer list scrolls in the same box, nothing to lay out.
    Whether the box scrolls still lays it out, its scrollbar appearing.)"""

    class Picked(Message):
        """The trainee picked the choice with this number (Enter on it, or a click)."""

        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.choices: tuple[ChoiceView, ...] = ()
        self.highlighted: int | None = None
        """The number of the highlighted choice."""
        self.hint = ""
        self.plan = ChoicePlan(BORDER + 1, (), False)
        self._prompts: list[Content] = []
        self._numbers: list[int] = []
        self._entries: list[ChoiceEntry] = []
        self._starts: list[int] = []
        """The first row of each entry (for finding the entry at a row)."""
        self._width = 0
        """The width the entries are wrapped to (text and padding)."""
        self._hovered: int | None = None
        """The index of the entry under the mouse."""
        self._laid: tuple[int, list[int], list[Content]] = (0, [], [])
        """What the entries were placed for: the width, the numbers and the prompts."""
        self._scene: tuple[str, ...] = ()
        """The ids of the scene's own choices listed (another list starts at the top)."""
        self._paint_width: int | None = None
        """The width of the lines being painted (None between paints)."""
        self._drawn: LRUCache[tuple[Content, Style, int], list[Strip]]
        self._drawn = LRUCache(maxsize=DRAWN_ENTRIES_KEPT)

    @property
    def items(self) -> list[ChoiceEntry]:
        """The entries, in order, with the rows each takes."""
        return list(self._entries)

    def show(self, choices: tuple[ChoiceView, ...], hint: str = "") -> bool:
        """List ``choices`` (scene choices first, then the replies to injects) with a
        ``hint`` under the box; True when anything changed."""
        if choices == self.choices and hint == self.hint:
            return False
        before = self._shown_rows()
        self.choices, self.hint = choices, hint
        entries = choice_entries(choices)
        self._prompts = [prompt for _, prompt in entries]
        self._numbers = [choice.number if choice else 0 for choice, _ in entries]
        numbers = [c.number for c in choices if c.open]
        scene = tuple(c.id for c in choices if c.inject is None)
        if scene != self._scene:  # another scene's choices: read from the top
            self._scene = scene
            self.highlighted = None
            self.scroll_to(y=0, animate=False, immediate=True)
        if self.highlighted not in numbers:
            self.highlighted = numbers[0] if numbers else None
        self.fit()
        self._redraw(before)  # (the rows whose entry, line or look changed)
        return True

    def fit(self) -> None:
        """Size the box for the scene column it is in (its parent)."""
        column = self._column()
        width = box_width(column.width)
        longer = self._lay_out(text_width(width) + ITEM_PADDING)
        plan = plan_choices(self._prompts, width, column.height)
        grows = False
        replanned = plan != self.plan
        if replanned:
            self.plan = plan
            if self.styles.height is None or self.styles.height.cells != plan.height:
                self.styles.height = plan.height  # (lays the screen out: the box's size)
                grows = True
        if longer and not grows:
            self._scroll_update(self.virtual_size)  # the same box: its scrollbar follows
        if replanned:
            self._show_highlighted()  # (a resize or other entries: it stays in view)
        self._borders()

    def _column(self) -> Size:
        parent = self.parent
        return parent.size if isinstance(parent, Widget) else self.size

    def _lay_out(self, width: int) -> bool:
        """Place the entries at ``width``; True when the list's length changed (its
        scrollbar is then brought up to date by the caller: by the layout when the box
        changes size, or at once). The caller redraws what changed: :meth:`show` the rows
        that show something else, a resize the whole box."""
        laid = (width, self._numbers, self._prompts)
        if laid == self._laid:
            return False
        self._laid = laid
        self._width = width
        inner = max(1, width - ITEM_PADDING)
        entries: list[ChoiceEntry] = []
        y = 0
        for number, prompt in zip(self._numbers, self._prompts, strict=True):
            height = rows(prompt, inner)
            entries.append(ChoiceEntry(number, prompt, y, height))
            y += height
        self._entries = entries
        self._starts = [entry.y for entry in entries]
        if self._hovered is not None and self._hovered >= len(entries):
            self._hovered = None
        size = Size(width, y)
        longer = size != self.virtual_size
        if longer:  # (set quietly: the rows that changed are drawn, not the whole box)
            self.set_reactive(ChoiceList.virtual_size, size)
        return longer

    def _shown_rows(self) -> list[tuple[Content, int, str] | None]:
        """What each row in the box's window shows: the entry's prompt, its line, its look."""
        top = round(self.scroll_y)
        window = self.scrollable_content_region.height if self.size.height else 0
        shown: list[tuple[Content, int, str] | None] = []
        for row in range(top, top + window):
            index = self._entry_at(row)
            if index is None:
                shown.append(None)
            else:
                entry = self._entries[index]
                shown.append((entry.prompt, row - entry.y, self._look(index)))
        return shown

    def _redraw(self, before: list[tuple[Content, int, str] | None]) -> None:
        refresh_changed_rows(self, before, self._shown_rows())

    def _entry_at(self, row: int) -> int | None:
        """The index of the entry on ``row`` of the list (None below the last)."""
        if row < 0 or not self._entries or row >= self._entries[-1].bottom:
            return None
        return bisect_right(self._starts, row) - 1

    def _look(self, index: int) -> str:
        number = self._entries[index].number
        if number and number == self.highlighted:
            return "choice-list--highlighted"
        if number and index == self._hovered:
            return "choice-list--hover"
        return ""

    def render_lines(self, crop: Region) -> list[Strip]:
        width = self.scrollable_content_region.width
        # (a box not sized by its column, resized: its entries rewrap)
        if self.size.width and width != self._width and self._lay_out(width):
            self._scroll_update(self.virtual_size)
        self._paint_width = width  # (looked up once a paint, not once a line)
        try:
            return super().render_lines(crop)
        finally:
            self._paint_width = None

    def render_line(self, y: int) -> Strip:
        row = round(self.scroll_y) + y
        index = self._entry_at(row)
        width = self._paint_width or self.scrollable_content_region.width
        if index is None:
            return Strip.blank(width, self.get_visual_style("choice-list--entry").rich_style)
        entry = self._entries[index]
        look = self._look(index)
        style = self.get_visual_style("choice-list--entry", *([look] if look else []))
        key = (entry.prompt, style, width)
        strips = self._drawn.get(key)
        if strips is None:
            visual = Padding(entry.prompt, Spacing(0, 1, 0, 1))
            strips = [
                strip.extend_cell_length(width, style.rich_style)
                for strip in visual.to_strips(self, visual, width, None, style)
            ]
            self._drawn[key] = strips
        line = row - entry.y
        return strips[line] if line < len(strips) else Strip.blank(width, style.rich_style)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._borders()

    def _borders(self) -> None:
        """The box's title, with how many choices are above its window ("Choices · 2 more
        ↑"), and its bottom border: how many are below ("3 more ↓") and the hint."""
        top = round(self.scroll_y)
        above = sum(1 for e in self._entries if e.number and e.y < top) if top else 0
        title = "Choices" if self.choices else "No choices"
        if above:
            title += f"  ·  {above} more ↑"
        if title != self.border_title:
            self.border_title = title  # (repaints the box: a scroll does, or a new list)
        more = 0
        is_choice = [bool(number) for number in self._numbers]
        if self.plan.scrolls and len(self.plan.rows) == len(is_choice):
            more = hidden_below(self.plan, is_choice, round(self.scroll_y))
        parts = [f"{more} more ↓" if more else "", self.hint]
        subtitle = "  ·  ".join(p for p in parts if p)
        if subtitle == (self.border_subtitle or ""):
            return
        if not self.size.height:
            self.border_subtitle = subtitle
            return
        # Textual's setter repaints the whole box; the subtitle is on its bottom border row
        self._border_subtitle = self.render_str(subtitle).expand_tabs(4).split()[0]
        # (the row below the content, in the content's coordinates)
        self.refresh(Region(-self.styles.gutter.left, self.size.height, self.outer_size.width, 1))

    def _highlighted_entry(self) -> ChoiceEntry | None:
        return next((e for e in self._entries if e.number and e.number == self.highlighted), None)

    def _hover(self, index: int | None) -> None:
        if index is not None and not self._entries[index].number:
            index = None  # a heading is not a choice
        if index != self._hovered:
            before = self._shown_rows()
            self._hovered = index
            self._redraw(before)

    def _entry_under(self, event: events.MouseEvent) -> int | None:
        """The index of the entry under the mouse (None off the entries)."""
        offset = event.get_content_offset(self)
        return None if offset is None else self._entry_at(round(self.scroll_y) + offset.y)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover(self._entry_under(event))

    def on_leave(self, event: events.Leave) -> None:
        self._hover(None)

    def on_click(self, event: events.Click) -> None:
        index = self._entry_under(event)
        if index is not None and self._entries[index].number:
            self.post_message(self.Picked(self._entries[index].number))

    def action_move(self, step: int) -> None:
        """Highlight the next (or previous) choice that is still on offer."""
        numbers = [c.number for c in self.choices if c.open]
        if not numbers:
            return
        before = self._shown_rows()
        if self.highlighted not in numbers:
            self.highlighted = numbers[0]
        else:
            index = numbers.index(self.highlighted) + step
            self.highlighted = numbers[max(0, min(len(numbers) - 1, index))]
        self._redraw(before)
        self._show_highlighted()
        self._borders()

    def _show_highlighted(self) -> None:
        """Scroll the highlighted choice into the box's window, if it is not."""
        entry = self._highlighted_entry()
        top = round(self.scroll_y)
        window = self.scrollable_content_region.height
        if entry is not None and not (top <= entry.y and entry.bottom <= top + window):
            region = Region(0, entry.y, self._width, entry.height)
            self.scroll_to_region(region, animate=False, immediate=True)

    def action_select(self) -> None:
        """Pick the highlighted choice."""
        if self.highlighted is not None:
            self.post_message(self.Picked(self.highlighted))


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
        (f"{clock_text(item.clock)} {item.channel_name}", "bold"),
        "  to answer" if item.needs_response else "",
        ("  content warning" if item.content_warning else "", "italic"),
        f"\n{item.sender}: " if item.sender else "\n",
        item.subject,
        (f"\n{item.open_role}", "italic $warning") if item.open_role else "",
    )


def inbox_option(item: InboxItem) -> Option:
    """An inbox item's line in the list."""
    return Option(inbox_prompt(item), id=item.key)


def refill(option_list: OptionList, options: list[Option], empty: str) -> None:
    """Replace a list's lines; ``empty`` is the (disabled) line shown when there is
    nothing. The highlight stays on the item it was on (a message arriving above it must
    not slide another one under the trainee's Enter), else as near where it was as can be."""
    highlighted = option_list.highlighted
    kept = None
    if highlighted is not None and highlighted < option_list.option_count:
        kept = option_list.options[highlighted].id
    option_list.set_options(options or [Option(empty, disabled=True)])
    if options:
        same = (i for i, option in enumerate(options) if kept is not None and option.id == kept)
        option_list.highlighted = next(same, min(highlighted or 0, len(options) - 1))


DRAWN_KEPT = 512
"""Drawn options a side-panel list keeps (each a few strips)."""
OPTION_ID = "side_option"
"""The meta key a drawn side-panel line carries: its option's id."""


class SidePanelList(LineScrolled, OptionList):
    """A list of the side panel that redraws only what changed.

    Its size is set by the panel and its scrollbar gutter is always kept, so a longer list
    never needs the screen laid out again. An arriving message adds one line at the top:
    the lines already there keep their options, so their measured heights and drawn strips
    are reused (Textual's own cache is keyed by position and emptied on every refill, and
    redrawing the whole list was most of what an arriving message cost a seat)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._drawn: LRUCache[tuple[Option, Style, Spacing, int], list[Strip]]
        self._drawn = LRUCache(maxsize=DRAWN_KEPT)
        self._measured: LRUCache[tuple[Option, int], int] = LRUCache(maxsize=DRAWN_KEPT)
        """Measured height of each option at a width."""
        self._known: dict[Hashable, Option] = {}
        """The options on show, by what each shows."""
        self._quiet = False
        """True while a refill runs (its whole-list repaints are left out)."""
        self._paint_geometry: tuple[Spacing, int] | None = None
        """Padding and width of the lines being painted (None between paints)."""

    def fill(self, entries: Iterable[tuple[Hashable, Callable[[], Option]]], empty: str) -> None:
        """Show one option per entry, ``(what it shows, how to make its option)``, or
        ``empty`` when there are none; an entry shown before keeps its option (and with it
        its measured height and drawing); nothing is redrawn when nothing changed."""
        known, self._known = self._known, {}
        options: list[Option] = []
        for shows, make in entries:
            option = known.get(shows)
            self._known[shows] = option = make() if option is None else option
            options.append(option)
        unchanged = len(options) == self.option_count and all(
            a is b for a, b in zip(options, self.options, strict=True)
        )
        if options and unchanged:
            return
        if not self.is_mounted or not self.scrollable_content_region:
            refill(self, options, empty)
            return
        # repaint only the rows that show something else: a message added to a short
        # inbox moves the lines above the blank rest, not the whole list
        before = self._rows()
        self._quiet = True
        try:
            if not self._prepend(options):
                refill(self, options, empty)
        finally:
            self._quiet = False
        after = self._rows()
        refresh_changed_rows(self, before, after)
        self._reuse_drawn_rows(before, after)

    def _prepend(self, options: list[Option]) -> bool:
        """Show ``options`` when they are new ones above every option shown, in the same
        order (news arriving at the top of a list seen from its top): the options shown
        keep their places in OptionList's books, shifted, and the highlight stays on its
        item without a message. False (and nothing done) for any other change, which
        :func:`refill` makes. Textual's own refill empties its books and adds every option
        again, re-laid out and highlighted anew: most of what showing a message cost."""
        shown = self._options
        added = len(options) - len(shown)
        if (
            not shown
            or added <= 0
            or self.scroll_offset.y
            or any(a is not b for a, b in zip(options[added:], shown, strict=True))
        ):
            return False
        new = options[:added]
        ids = [option.id for option in new if option.id is not None]
        if any(option_id in self._id_to_option for option_id in ids) or len(set(ids)) < len(ids):
            return False  # refill raises its own error for a duplicate id
        highlighted = self.highlighted
        shown[:0] = new
        self._option_to_index.clear()
        self._option_to_index.update((option, index) for index, option in enumerate(shown))
        self._id_to_option.update((option.id, option) for option in new if option.id)
        self._line_cache.clear()  # laid out again from the measured heights
        if highlighted is not None:
            self.set_reactive(OptionList.highlighted, highlighted + added)
        # laid out here, while the refill is quiet: the list's new length asks Textual to
        # repaint every row, and fill repaints the rows that changed instead
        self._update_lines()
        return True

    def _reuse_drawn_rows(
        self,
        before: list[tuple[Option, int, bool, bool, bool] | None],
        after: list[tuple[Option, int, bool, bool, bool] | None],
    ) -> None:
        """A row that shows what another row showed before the refill takes that row's
        finished line (Textual keeps them by position) instead of being styled again: a
        row's line depends only on its option, line, state and the width, all unchanged."""
        cache = self._styles_cache
        top = self.content_offset.y
        was = {shown: y for y, shown in enumerate(before) if shown is not None}
        drawn = {y: cache._cache.get(top + y) for y in was.values()}
        for y, shown in enumerate(after):
            source = was.get(shown) if shown is not None else None
            if source is None or source == y:
                continue
            strip = drawn.get(source)
            if strip is not None:
                cache._cache[top + y] = strip
                cache._dirty_lines.discard(top + y)

    def _rows(self) -> list[tuple[Option, int, bool, bool, bool] | None]:
        """What each visible row shows: option, its line, disabled, highlighted, hovered."""
        self._update_lines()
        lines = self._line_cache.lines
        top = self.scroll_offset.y
        rows: list[tuple[Option, int, bool, bool, bool] | None] = []
        for y in range(top, top + self.scrollable_content_region.height):
            if y >= len(lines):
                rows.append(None)
                continue
            index, line = lines[y]
            option = self.options[index]
            hovered = index == self._mouse_hovering_over
            rows.append((option, line, option.disabled, index == self.highlighted, hovered))
        return rows

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        # while a refill runs, OptionList asks to repaint everything; fill repaints the
        # rows that changed instead
        if self._quiet and not (regions or layout or recompose):
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def render_lines(self, crop: Region) -> list[Strip]:
        # measure once per paint, not once per line (OptionList asks again for every line)
        self._update_lines()
        self._paint_geometry = (
            self.get_component_styles("option-list--option").padding,
            self.scrollable_content_region.width,
        )
        try:
            return Widget.render_lines(self, crop)
        finally:
            self._paint_geometry = None

    def _update_lines(self) -> None:
        # OptionList's own version measures every option again after each refill (its
        # line map is emptied), wrapping each text: most of what an arriving message cost
        # a long inbox. Heights are kept per option and width instead.
        if self._paint_geometry is not None or not self.scrollable_content_region:
            return
        cache = self._line_cache
        lines = cache.lines
        first = lines[-1][0] + 1 if lines else 0
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        if first < len(self.options):
            inner = width - self.get_component_styles("option-list--option").padding.width
            for index, option in enumerate(self.options[first:], first):
                key = (option, inner)
                height = self._measured.get(key)
                if height is None:
                    visual = self._get_visual(option)
                    # (OptionList passes its styles just so; Textual's hint is narrower)
                    height = visual.get_height(self.styles, inner)  # type: ignore[arg-type]
                    height += option._divider
                    self._measured[key] = height
                cache.index_to_line[index] = len(lines)
                cache.heights[index] = height
                lines.extend((index, line) for line in range(height))
        last_divider = bool(self.options) and self.options[-1]._divider
        size = Size(width, len(lines) - (1 if last_divider else 0))
        if size != self.virtual_size:
            self.virtual_size = size
            self._scroll_update(size)

    def _get_option_render(self, option: Option, style: Style) -> list[Strip]:
        # drawn once per option, style and width; the click target is the option's id, not
        # its position, so a line that moves down the list keeps its drawing
        padding, width = self._paint_geometry or (
            self.get_component_styles("option-list--option").padding,
            self.scrollable_content_region.width,
        )
        key = (option, style, padding, width)
        strips = self._drawn.get(key)
        if strips is None:
            visual = self._get_visual(option)
            if padding:
                visual = Padding(visual, padding)
            meta = {OPTION_ID: option.id}
            strips = [
                strip.extend_cell_length(width, style.rich_style).apply_meta(meta)
                for strip in visual.to_strips(self, visual, width, None, style)
            ]
            self._drawn[key] = strips
        return strips

    def _index_at(self, meta: dict[str, object]) -> int | None:
        option_id = meta.get(OPTION_ID)
        if not isinstance(option_id, str):
            return None
        try:
            return self.get_option_index(option_id)
        except OptionDoesNotExist:
            return None

    async def _on_click(self, event: events.Click) -> None:
        index = self._index_at(event.style.meta)
        if index is not None and not self.options[index].disabled:
            self.highlighted = index
            self.action_select()

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        event.prevent_default()  # OptionList's own handler reads a position we do not draw
        self._mouse_hovering_over = self._index_at(event.style.meta)


class InboxList(SidePanelList):
    """Injects and messages for this role, newest first; unanswered ones marked."""

    class Opened(Message):
        """The trainee opened the inbox item with this key."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def show(self, items: tuple[InboxItem, ...]) -> None:
        """List ``items``."""
        entries = ((item, partial(inbox_option, item)) for item in items)
        self.fill(entries, "Nothing has arrived yet.")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Opened(event.option.id))


class CaseFileList(SidePanelList):
    """The documents this role may read."""

    class Opened(Message):
        """The trainee opened the document with this id."""

        def __init__(self, document: str) -> None:
            super().__init__()
            self.document = document

    def show(self, documents: tuple[DocumentView, ...]) -> None:
        """List ``documents``."""
        self.fill(
            (((d.id, d.title), partial(Option, plain(d.title), id=d.id)) for d in documents),
            "Your case file is empty.",
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
        parts.append((f"\n{clock_text(entry.clock)} ", "bold"))
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
