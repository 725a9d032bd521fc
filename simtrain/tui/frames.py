"""Frames that draw only the lines that changed (issue 10: the seat's CPU per update).

Textual's compositor repaints a changed part of the screen by asking every widget whose
*clip* overlaps the box around all changes for *all* its lines: a direct child of the
screen is clipped by the whole screen, so the clock ticking in the header's corner had
the screen, the body, the status line and the footer row draw every line they have, and
an inbox row plus the status line at the bottom asked for every line in between. This
compositor asks each widget only for the lines where the update's spans cross what is
visible of it and no widget in front of it covers them; the terminal gets the bytes
Textual's own update would send (a test compares them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import cast

from rich.color import Color
from rich.segment import Segment
from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget

Span = tuple[int, int, int]
"""A line's changed cells: (y, first x, x past the last)."""


def runs(rows: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Sorted distinct ``rows`` as runs of consecutive numbers: (first, count)."""
    remaining = iter(rows)
    first = previous = next(remaining, None)
    if first is None or previous is None:
        return
    for row in remaining:
        if row != previous + 1:
            yield first, previous - first + 1
            first = row
        previous = row
    yield first, previous - first + 1


def refresh_changed_rows(widget: Widget, before: Sequence[object], after: Sequence[object]) -> None:
    """Repaint the rows of a scrolling ``widget``'s window that show something else
    ``after`` a change than ``before`` it (what each row shows, top down): one region per
    run of rows; the whole widget when its window changed height meanwhile."""
    if len(before) != len(after):
        widget.refresh()
        return
    changed = (y for y, (old, new) in enumerate(zip(before, after, strict=True)) if old != new)
    width = 0
    for first, count in runs(changed):
        width = width or widget.scrollable_content_region.width
        widget.refresh(Region(0, first, width, count))


class SpanCompositor(Compositor):
    """A compositor whose partial updates draw each widget only where the update's spans
    cross it (full updates, screenshots and exports are Textual's own)."""

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[Span] | None = None

    def render_partial_update(self) -> ChopsUpdate | None:
        if self._dirty_regions:
            self._spans = list(self._regions_to_spans(self._dirty_regions))
        try:
            return super().render_partial_update()
        finally:
            self._spans = None

    def _get_renders(
        self, crop: Region | None = None
    ) -> Iterable[tuple[Region, Region, list[Strip]]]:
        spans = self._spans
        if spans is None or crop is None:
            yield from super()._get_renders(crop)
            return
        # front to back: a span a widget covers from edge to edge is drawn by it (the
        # compositor keeps the first strip for each cut), so nothing behind it is asked
        uncovered = list(spans)
        for widget, (region, clip) in self.visible_widgets.items():
            if not uncovered:
                break
            x, y, width, height = region.intersection(clip)
            if not (width and height):
                continue
            right, bottom = x + width, y + height
            crossed: set[int] = set()
            hidden: list[Span] = []
            for span in uncovered:
                line, x1, x2 = span
                if y <= line < bottom and x1 < right and x < x2:
                    crossed.add(line)
                    if x <= x1 and x2 <= right:
                        hidden.append(span)
            if not crossed:
                continue
            for span in hidden:
                uncovered.remove(span)
            for first, count in runs(sorted(crossed)):
                band = Region(x, first, width, count)
                lines = Region(x - region.x, first - region.y, width, count)
                yield region, band, widget.render_lines(lines)


class LineScrollBar(ScrollBar):
    """A vertical scrollbar that draws its rows itself: one segment each, the very
    segments (glyphs, colours, click targets) Textual's bar has.

    Textual renders a bar as a Rich renderable, through a console and the widget's style
    cache, at ~0.15 ms a row: an arriving message that moves the inbox's thumb cost a
    seat more than the message's own lines. A test keeps the two drawings identical.

    A bar that grows with its list (the choice box) does not lay the screen out again:
    Textual's own asks for a second layout whenever a layout changed its size."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def render_lines(self, crop: Region) -> list[Strip]:
        width, height = self.size
        bar = self.render()
        assert isinstance(bar, ScrollBarRender)
        style = bar.style
        assert not isinstance(style, str)  # ScrollBar.render gives a Style
        segments = bar.render_bar(
            size=height,
            virtual_size=bar.virtual_size,
            window_size=bar.window_size,
            position=bar.position,
            thickness=width,
            vertical=True,
            back_color=style.bgcolor or Color.parse("#555555"),
            bar_color=style.color or Color.parse("bright_magenta"),
        ).segments
        base = self.visual_style.rich_style  # under each segment's own, as Textual's
        filters = self.get_line_filters()  # (NO_COLOR's monochrome, ANSI colours)
        background = self.background_colors[1] if filters else None
        blank = Segment(" " * width)
        strips: dict[int, Strip] = {}  # a bar repeats a few segments: one strip each
        lines = []
        for y in range(crop.y, crop.bottom):
            segment: Segment = segments[y] if y < len(segments) else blank
            strip = strips.get(id(segment))
            if strip is None:
                text, own, _ = segment
                strip = Strip([Segment(text, base + own if own else base)], width)
                for line_filter in filters:
                    assert background is not None
                    strip = strip.apply_filter(line_filter, background)
                strips[id(segment)] = strip
            lines.append(strip.crop(crop.x, crop.right))
        return lines


class LineScrolled:
    """For a scrolling widget whose vertical scrollbar is a :class:`LineScrollBar`: the
    side panel's lists (their thumb moves with every message), the choice box and the
    scene (their bars grow and shrink when an inject's replies join the box). Put it
    before the Textual class: ``class ScenePanel(LineScrolled, VerticalScroll)``."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The bar, made the first time as Textual's own property makes its bar."""
        widget = cast(Widget, self)
        bar = widget._vertical_scrollbar
        if bar is None:
            bar = LineScrollBar(
                vertical=True, name="vertical", thickness=widget.scrollbar_size_vertical
            )
            bar.display = False
            widget._vertical_scrollbar = bar
            widget.app._start_widget(widget, bar)
        return bar
