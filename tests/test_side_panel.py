"""The side panel's lists: an arriving message redraws only the rows that changed."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import OptionList

from simtrain.tui.widgets import InboxList
from simtrain.views.seat import InboxItem

ITEMS = tuple(
    InboxItem(
        key=f"message:{n}",
        channel="email",
        channel_name="Email",
        sender="Facilitator",
        subject=f"Update number {n} from the quay",
        body="Body",
        clock=60.0 * n,
        needs_response=n % 2 == 0,
    )
    for n in range(1, 6)
)


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
        # the new item's rows and those of the one that lost the highlight; not the rows
        # of the two that only moved, nor the blank rows below
        top_two = live.get_option_index("message:4"), live.get_option_index("message:3")
        assert top_two == (0, 1)
        rows = sum(
            len(
                live._get_option_render(
                    live.get_option_at_index(i), live.get_visual_style("option-list--option")
                )
            )
            for i in top_two
        )
        assert sorted(drawn) == list(range(rows))
