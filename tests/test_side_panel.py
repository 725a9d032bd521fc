"""The side panel's lists: an arriving message redraws only the rows that changed."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.filter import Monochrome
from textual.geometry import Region
from textual.screen import Screen
from textual.scrollbar import ScrollBar
from textual.widgets import OptionList, TabbedContent, TabPane
from textual.widgets._tabs import Underline

from simtrain.tui.frames import LineScrollBar
from simtrain.tui.widgets import INBOX_LABEL_WIDEST, InboxList, StatusLine, relabel, size_tab
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
        # with NO_COLOR's filter (and Textual's ANSI one) the same: filters apply to it too
        app._filters.append(Monochrome())
        app.screen.refresh()
        await pilot.pause()
        crop = Region(0, 0, bar.size.width, height)
        grey = [list(s) for s in bar.render_lines(crop)]
        assert grey == [list(s) for s in ScrollBar.render_lines(bar, crop)]
        assert grey != [list(s) for s in textuals]


class Tabbed(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with TabbedContent(id="side"):
            with TabPane("Inbox", id="inbox"):
                yield InboxList()
            with TabPane("Team", id="team"):
                yield InboxList()


def layouts(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """Counts each time a screen is laid out again."""
    counted: list[int] = []
    original = Screen._refresh_layout

    def counting(self: Screen, *args, **kwargs):  # type: ignore[no-untyped-def]
        counted.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counting)
    return counted


async def test_a_count_in_the_inbox_tab_is_drawn_in_place(monkeypatch) -> None:
    """Issue 10: each inject to answer changed the Inbox tab's label, and Textual's label
    setter laid the whole screen out again and slid the tabs' underline for 0.3 s (~10 ms
    and a dozen frames of every seat it reached). The label keeps its width with or
    without a count, and a label of the same width is drawn in place."""
    app = Tabbed()
    async with app.run_test(size=(60, 12)) as pilot:
        tab = app.query_one("#side", TabbedContent).get_tab("inbox")
        size_tab(tab, INBOX_LABEL_WIDEST)
        underline = app.query_one(Underline)
        await pilot.pause(0.5)
        span = (underline.highlight_start, underline.highlight_end)
        counted = layouts(monkeypatch)
        for waiting in (1, 2, 0):
            label = f"Inbox ●{waiting}" if waiting else "Inbox"
            relabel(tab, label)
            await pilot.pause()
            assert tab.label.plain == label
            drawn = tab.render_lines(Region(0, 0, tab.outer_size.width, 1))[0].text
            assert drawn.strip() == label
        assert counted == []
        assert (underline.highlight_start, underline.highlight_end) == span
        relabel(tab, "Inbox ●10")  # wider than the tab: laid out as Textual does
        await pilot.pause(0.5)
        assert counted and tab.label.plain == "Inbox ●10"


async def test_the_status_line_has_two_rows_from_the_start(monkeypatch) -> None:
    """Issue 10: an inject's notice often takes two rows and a message's one; each change
    of height laid the screen out again (and the first two-row notice of an inject did it
    on every seat the inject reached, at once). The layout reserves two rows from the
    start; only a longer notice (and the return from it) lays the screen out."""
    app = Tabbed()
    async with app.run_test(size=(60, 12)) as pilot:
        status = app.query_one(StatusLine)
        await pilot.pause()
        assert status.size.height == 2
        counted = layouts(monkeypatch)
        status.tell("A much longer notice from the exercise control " * 2)  # two rows
        await pilot.pause()
        for n in range(3):
            status.tell(f"Short news {n}.")
            await pilot.pause()
        assert status.size.height == 2 and not counted
        status.tell("A notice of three rows from the exercise control, " * 3)
        await pilot.pause()
        longer = len(counted)
        assert status.size.height == 3 and longer
        status.tell("Short again.")
        await pilot.pause()
        assert status.size.height == 2 and len(counted) > longer
        assert status.history[-1] == "Short again."
