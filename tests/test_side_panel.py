"""The side panel's lists: an arriving message redraws only the rows that changed."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.widgets import OptionList

from simtrain.tui.frames import LineScrollBar
from simtrain.tui.widgets import InboxList
from simtrain.views.seat import InboxItem


def item(n: int, needs_response: bool = False) -> InboxItem:
    return InboxItem(
        key=f"message:{n}",
        channel="email",
        channel_name="Email",
        sender="Facilitator",
        subject=f"Update number {n} from the quay",
        body="Body",
        clock=60.0 * n,
        needs_response=needs_response,
    )


ITEMS = tuple(item(n, n % 2 == 0) for n in range(1, 6))


def newest_first(count: int) -> tuple[InboxItem, ...]:
    return tuple(reversed(ITEMS[:count]))


class Lists(App[None]):
    CSS = "InboxList { width: 40; height: 16; border: none; scrollbar-gutter: stable; }"

    def compose(self) -> ComposeResult:
        yield InboxList(id="live")
        yield InboxList(id="fresh")


def shown(inbox: InboxList) -> list[str]:
    """The text of every row as the screen has it (the widget's kept lines)."""
    size = inbox.size
    return [strip.text for strip in inbox.render_lines(Region(0, 0, size.width, size.height))]


async def test_news_on_top_restyles_only_its_own_rows_and_the_others_keep_their_lines(
    monkeypatch,
) -> None:
    """Issue 10: each arriving message restyled every row of the inbox (Textual keeps a
    widget's finished lines by position, and everything moved down a row). The rows that
    only moved now take their finished lines along; what the screen shows is exactly
    what a list drawn from scratch shows."""
    app = Lists()
    async with app.run_test(size=(90, 20)) as pilot:
        live = app.query_one("#live", InboxList)
        live.show(newest_first(3))
        await pilot.pause()
        drawn: list[int] = []
        original = OptionList.render_line

        def counting(self: OptionList, y: int):  # type: ignore[no-untyped-def]
            if self is live:
                drawn.append(y)
            return original(self, y)

        monkeypatch.setattr(OptionList, "render_line", counting)
        live.show(newest_first(4))
        await pilot.pause()
        monkeypatch.setattr(OptionList, "render_line", original)
        fresh = app.query_one("#fresh", InboxList)
        fresh.show(newest_first(4))
        await pilot.pause()
        assert shown(live) == shown(fresh)
        text = "\n".join(shown(live))
        assert text.index("number 4") < text.index("number 3") < text.index("number 1")
        # the new item's rows only: the highlight stays on the item it was on (the
        # newest before), so no other row is styled again
        assert live.get_option_index("message:4") == 0
        assert live.highlighted == live.get_option_index("message:3") == 1
        new = live.get_option_at_index(0)
        rows = len(live._get_option_render(new, live.get_visual_style("option-list--option")))
        assert sorted(drawn) == list(range(rows))


def many(count: int) -> tuple[InboxItem, ...]:
    return tuple(item(n) for n in range(count, 0, -1))


async def test_the_side_panel_scrollbar_draws_what_textuals_own_bar_draws() -> None:
    """Issue 10: Textual's scrollbar cost ~0.15 ms a row through a Rich console, and an
    arriving message moves the inbox's thumb; the side panel's bar draws its rows itself.
    Its rows are Textual's, segment for segment (glyphs, colours and click targets), at
    the top, part-way, at the end of a long list and while hovered."""
    app = Lists()
    async with app.run_test(size=(90, 20)) as pilot:
        live = app.query_one("#live", InboxList)
        live.show(many(30))
        await pilot.pause()
        bar = live.vertical_scrollbar
        assert isinstance(bar, LineScrollBar) and bar.display
        height = bar.size.height
        compared = 0
        for y, hovered in ((0, False), (7, False), (23, True), (10_000, False)):
            live.scroll_to(y=y, animate=False)
            bar.mouse_over = hovered
            await pilot.pause()
            crop = Region(0, 0, bar.size.width, height)
            ours = bar.render_lines(crop)
            textuals = ScrollBar.render_lines(bar, crop)
            assert [list(strip) for strip in ours] == [list(strip) for strip in textuals]
            assert len({strip.text + str(list(strip)) for strip in ours}) > 1  # a thumb
            compared += 1
        # a part of the bar (what a frame asks for when only some rows changed)
        part = Region(0, 3, bar.size.width, 4)
        assert [list(s) for s in bar.render_lines(part)] == [
            list(s) for s in ScrollBar.render_lines(bar, part)
        ]
        assert compared == 4
