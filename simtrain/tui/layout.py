"""How the trainee's main screen shares its space: the side panel, the reading width, and
the height of the choice list, so that every choice on offer is shown whole.

Pure functions of the screen size and the prompts (no widgets), so that a fast test can
check every scene of every shipped scenario at every supported size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from textual.content import Content

from simtrain.tui.plain import plain
from simtrain.views.seat import ChoiceView

READING_WIDTH = 100
"""The widest the scene and its choices grow (columns, borders included): longer lines
are hard to read, so on a wide terminal the extra room goes to the side panel and margins."""
SIDE_MIN = 30
SIDE_MAX = 56
"""The side panel's width (inbox, case file, team) grows with the screen between these."""
MIN_SCENE_ROWS = 6
"""Rows the scene keeps above the choices (it scrolls for the rest)."""
CHROME_ROWS = 4
"""Rows of the screen outside the scene column: the header, the status line's two, the
footer."""
BORDER = 2
"""The choice box's border: one row (or column) on each side."""
ITEM_PADDING = 2
"""Each choice's padding, one column on each side."""
SCROLLBAR = 1
"""The choice box's scrollbar gutter, always kept (``scrollbar-gutter: stable``): were it
to appear only when needed, the text would narrow, rewrap and outgrow the box."""


def side_width(screen_width: int) -> int:
    """The side panel's width on a screen ``screen_width`` columns wide."""
    return max(SIDE_MIN, min(SIDE_MAX, screen_width - READING_WIDTH, screen_width * 3 // 10))


def column_width(screen_width: int, side: bool = True) -> int:
    """The scene column's width (with the side panel shown, or collapsed)."""
    return screen_width - (side_width(screen_width) if side else 0)


def box_width(column: int) -> int:
    """The choice box's width in a scene column ``column`` wide (the reading width cap)."""
    return min(column, READING_WIDTH)


def text_width(box: int) -> int:
    """The width a choice's text wraps to in a box ``box`` columns wide."""
    return box - BORDER - SCROLLBAR - ITEM_PADDING


@lru_cache(maxsize=512)
def choice_prompt(choice: ChoiceView) -> Content:
    """How a choice reads in the list: its number, its label and who must (or did) make it
    (remembered: each view lists every choice again, and the same prompt is then found in
    the caches of its measured rows and its drawing)."""
    number = f"{choice.number}. " if choice.number <= 9 else "   "
    if choice.done_by:
        return Content.assemble(
            (number + choice.label, "dim strike"),
            ("  ✓ done by ", "$success"),
            (choice.done_by, "$success"),
        )
    label = plain(choice.label)
    if choice.mine:
        if choice.open_role:  # another role's choice, this seat's because no one holds it
            return Content.assemble(
                (number, "bold"), label, plain(f"  — {choice.open_role}").stylize("italic $warning")
            )
        return Content.assemble((number, "bold"), label)
    return Content.assemble(
        (number, "dim"),
        label.stylize("dim"),
        plain(f"  — for the {choice.roles_text}").stylize("italic"),
    )


@lru_cache(maxsize=128)
def reply_heading(subject: str) -> Content:
    """The line above the replies to one inject."""
    return plain(f"Reply to: {subject}").stylize("bold $accent")


def choice_entries(choices: Sequence[ChoiceView]) -> list[tuple[ChoiceView | None, Content]]:
    """The lines of the choice list in order: a heading (``None``) before each inject's
    replies, then each choice with its prompt."""
    entries: list[tuple[ChoiceView | None, Content]] = []
    group = ""
    for choice in choices:
        if choice.reply_to and choice.reply_to != group:
            group = choice.reply_to
            entries.append((None, reply_heading(group)))
        entries.append((choice, choice_prompt(choice)))
    return entries


@lru_cache(maxsize=512)
def rows(prompt: Content, width: int) -> int:
    """How many rows ``prompt`` takes wrapped to ``width`` columns (remembered: a seat
    sizes the same prompts at the same width again and again)."""
    return max(1, len(prompt.wrap(max(1, width))))


@dataclass(frozen=True)
class ChoicePlan:
    """The choice box's height and the rows each of its entries takes."""

    height: int
    """The box's height, border included."""
    rows: tuple[int, ...]
    """The rows of each entry (heading or choice), at the width it is drawn."""
    scrolls: bool
    """Whether the entries do not all fit and the box scrolls ("3 more ↓")."""

    @property
    def content(self) -> int:
        """The rows of all entries together."""
        return sum(self.rows)


def plan_choices(prompts: Sequence[Content], width: int, column_height: int) -> ChoicePlan:
    """Size the choice box of a scene column ``column_height`` rows high: every entry at
    its full height for a box ``width`` columns wide. All of them when they fit with
    :data:`MIN_SCENE_ROWS` left for the scene; otherwise the box scrolls, and is still
    tall enough for the tallest entry to be read whole."""
    if not prompts:
        return ChoicePlan(BORDER + 1, (), False)
    heights = tuple(rows(p, text_width(width)) for p in prompts)
    room = max(column_height - MIN_SCENE_ROWS, 1)
    if sum(heights) + BORDER <= room:
        return ChoicePlan(sum(heights) + BORDER, heights, False)
    tallest = max(heights) + BORDER
    return ChoicePlan(min(max(room, tallest), column_height), heights, True)


def hidden_below(plan: ChoicePlan, choices: Sequence[bool], top: int) -> int:
    """How many choices (entries marked True in ``choices``) are not shown whole below the
    window of a box scrolled to row ``top``."""
    bottom = top + plan.height - BORDER
    y = 0
    hidden = 0
    for height, is_choice in zip(plan.rows, choices, strict=True):
        if is_choice and y + height > bottom:
            hidden += 1
        y += height
    return hidden
