"""The trainee's main screen on the longest scenes of the shipped scenarios, at 80×24,
100×30 and 160×48: every choice shown whole, news that never covers them, keys that are
always there (Pilot and snapshot tests, issue 10)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Label, Static
from textual.widgets._toast import Toast

from simtrain.engine.events import ExerciseStarted
from simtrain.exercise import LEASE_ENV, Exercise, ExerciseService
from simtrain.scenario.library import bundled_path
from simtrain.text import subject_of
from simtrain.tui.app import TraineeApp
from simtrain.tui.layout import ITEM_PADDING, choice_entries, rows
from simtrain.tui.play import PlayScreen
from simtrain.tui.widgets import (
    CaseFileList,
    ChoiceEntry,
    ChoiceList,
    InboxList,
    KeysBar,
    ScenePanel,
    StatusLine,
    TeamTimeline,
    reflow,
)
from simtrain.views.seat import ChoiceView
from simtrain.views.session import join_seat
from tests.pilot import until
from tests.test_side_panel import layouts

SIZES = [(80, 24), (100, 30), (160, 48)]
WATCH = 0.1
LONGEST = [
    ("port-arrivals", "interview_planning", "social_worker"),
    ("port-arrivals", "case_conference", "police"),
    ("morning-after", "evaluate", None),
    ("follow-the-money", "action_planning", None),
]
"""The scenes with the most choice text of the shipped scenarios (None: the first role)."""


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], tuple[Path, str]]:
    """One database per shipped scenario with an exercise 'ex' (team 'red', not started),
    made once: creating one searches the scenario's best scores, which takes seconds."""
    made: dict[str, tuple[Path, str]] = {}

    def template(scenario: str) -> tuple[Path, str]:
        if scenario not in made:
            path = tmp_path_factory.mktemp("templates") / f"{scenario}.db"
            with ExerciseService.open(path, create=True) as service:
                _, codes = service.create(bundled_path(scenario), ["red"], exercise_id="ex")
            made[scenario] = (path, codes["red"])
        return made[scenario]

    return template


class Live:
    """A running exercise of a shipped scenario with one team, 'red'."""

    def __init__(self, template: Path, code: str, folder: Path) -> None:
        self.db = folder / template.name
        shutil.copyfile(template, self.db)
        self.code = code
        self.control_service = ExerciseService.open(self.db)
        self.exercise = self.control_service.exercise("ex")
        self.exercise.start()
        self.seat_service = ExerciseService.open(self.db)

    def app(
        self, role: str | None, name: str = "Asha", wall: Callable[[], float] | None = None
    ) -> TraineeApp:
        role = role or self.exercise.scenario.roles[0]
        extra = {"wall": wall} if wall else {}
        session = join_seat(self.seat_service, "ex", "red", self.code, role, name, **extra)
        return TraineeApp(
            self.seat_service, session=session, view=session.view(), watch_timeout=WATCH
        )

    def hold_other_roles(self, role: str) -> None:
        """Seat someone (headless, for an hour) in every role but ``role``: no role is
        open, so the seat sees the others' choices as theirs, dimmed."""
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(LEASE_ENV, "3600")
            for other in self.exercise.scenario.roles:
                if other != role:
                    self.exercise.headless_seat("red", self.code, other, f"Seat {other}")

    def close(self) -> None:
        self.seat_service.close()
        self.control_service.close()


@pytest.fixture
def live(
    tmp_path: Path, templates: Callable[[str], tuple[Path, str]]
) -> Iterator[Callable[[str], Live]]:
    made: list[Live] = []

    def make(scenario: str) -> Live:
        made.append(Live(*templates(scenario), tmp_path))
        return made[-1]

    yield make
    for each in made:
        each.close()


async def into_scene(pilot: Pilot) -> PlayScreen:
    """Wait for the main screen and pass a content warning, if the scene has one."""
    await until(pilot, lambda: isinstance(pilot.app.screen, PlayScreen))
    screen = pilot.app.screen
    assert isinstance(screen, PlayScreen)
    if screen.warning_shown:
        await pilot.press("enter")
    await until(pilot, lambda: screen.query_one(ChoiceList).display)
    await pilot.pause()
    return screen


def drawn(box: ChoiceList, entry: ChoiceEntry) -> str:
    """The words the box draws on the rows of ``entry`` (they must be in its window)."""
    top = round(box.scroll_y)
    lines = [box.render_line(row - top).text for row in range(entry.y, entry.bottom)]
    return " ".join(" ".join(lines).split())


def in_window(box: ChoiceList, entry: ChoiceEntry) -> bool:
    """Whether all the rows of ``entry`` are in the box's window."""
    top = round(box.scroll_y)
    return top <= entry.y and entry.bottom <= top + box.scrollable_content_region.height


async def every_choice_whole(pilot: Pilot, screen: PlayScreen) -> int:
    """Scroll to each choice and check it is drawn whole inside the box; the number of
    choices that were not visible before scrolling (the box said how many)."""
    box = screen.query_one(ChoiceList)
    inside = box.scrollable_content_region
    assert inside.height + 2 == box.region.height == box.plan.height
    items = [item for item in box.items if item.number]
    assert len(items) == len([c for c in screen.view.choices])
    hidden = sum(1 for item in items if not in_window(box, item))
    subtitle = str(box.border_subtitle)
    if hidden:
        assert f"{hidden} more ↓" in subtitle
    else:
        assert "more" not in subtitle
    for item in items:
        region = Region(0, item.y, inside.width, item.height)
        box.scroll_to_region(region, animate=False, immediate=True)
        await pilot.pause()
        assert item.height == rows(item.prompt, inside.width - ITEM_PADDING), item.prompt
        assert in_window(box, item), item.prompt
        assert drawn(box, item) == " ".join(item.prompt.plain.split()), item.prompt
    return hidden


@pytest.mark.parametrize(("scenario", "scene", "role"), LONGEST)
async def test_every_choice_is_shown_whole_on_the_longest_scenes(
    live, scenario: str, scene: str, role: str | None
) -> None:
    ex = live(scenario)
    ex.exercise.move("red", scene, "test")
    app = ex.app(role)
    async with app.run_test(size=SIZES[0]) as pilot:
        screen = await into_scene(pilot)
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.pause()
            hidden = await every_choice_whole(pilot, screen)
            if size == (160, 48):
                assert hidden == 0, size  # these scenes' choices all fit at 160×48


async def test_the_minors_wing_shows_option_2_and_a_resize_rewraps(live) -> None:
    """Issue 10: at 100×30 the box was three rows high and option 2 never visible; after
    resizing to 60×20, option 1 lost its last words."""
    ex = live("port-arrivals")
    ex.exercise.move("red", "child_placement", "test")
    app = ex.app("social_worker")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await into_scene(pilot)
        numbers = [i.number for i in screen.query_one(ChoiceList).items]
        assert len(numbers) >= 2 and numbers == sorted(numbers)
        assert await every_choice_whole(pilot, screen) == 0
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await pilot.pause()
        await every_choice_whole(pilot, screen)


async def test_news_goes_to_the_status_line_never_over_the_choices(live) -> None:
    """Issue 10: toasts sat over the choices just as new options appeared."""
    ex = live("port-arrivals")
    app = ex.app("police")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await into_scene(pilot)
        # a manual inject (a timed one is already delivered at the start)
        ex.exercise.publish("tv_crew", "red")
        status = screen.query_one(StatusLine)
        await until(pilot, lambda: status.text)
        ex.exercise.move("red", "screening_tent", "test")
        await until(pilot, lambda: screen.view.scene.id == "screening_tent")
        await pilot.pause()
        assert not app.screen.query(Toast)
        for covered in ("#scene-column", "#choices", "#scene"):
            assert not status.region.overlaps(screen.query_one(covered).region)


async def test_80_by_24_scrolls_the_scene_and_keeps_the_keys_and_the_seat(live) -> None:
    """Issue 10: at 80×24 PageDown did not scroll the scene, the footer dropped q and ?, the
    header cut the trainee's own role and name."""
    ex = live("port-arrivals")
    ex.exercise.move("red", "interview_planning", "test")
    ex.hold_other_roles("social_worker")
    app = ex.app("social_worker", name="Asha Verhoeven-Lindqvist")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await into_scene(pilot)
        assert app.focused is screen.query_one(ChoiceList)
        scene = screen.query_one(ScenePanel)
        assert scene.max_scroll_y > 0
        await pilot.press("pagedown")
        assert scene.scroll_y > 0
        await pilot.press("home")
        assert scene.scroll_y == 0
        await pilot.press("end")
        assert scene.scroll_y == scene.max_scroll_y
        keys = screen.query_one(KeysBar)
        assert str(keys.render()) == "F9 Step out ? Keys q Quit"  # packed below 100 columns
        assert app.screen.region.contains_region(keys.region)
        who = screen.query_one("#header-who", Label)
        text = "team red  ·  Reception social worker (Asha Verhoeven-Lindqvist)"
        assert str(who.render()) == text and who.size.width >= len(text)
        await pilot.press("backslash")
        assert not screen.query_one("#side").display
        assert screen.query_one("#scene-column").size.width == 80
        await pilot.press("backslash")
        assert screen.query_one("#side").display


async def test_a_wide_screen_keeps_a_reading_width(live) -> None:
    """Issue 10: at 200 columns the lines had no reading width."""
    ex = live("port-arrivals")
    app = ex.app("social_worker")
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await into_scene(pilot)
        assert screen.query_one(ScenePanel).size.width <= 100
        assert screen.query_one(ChoiceList).size.width <= 100
        assert screen.query_one("#side").outer_size.width == 56


# -- snapshots -------------------------------------------------------------------------------


def fixed_wall(exercise: Exercise, minutes: float) -> Callable[[], float]:
    started = next(e.wall for e in exercise.events() if isinstance(e.event, ExerciseStarted))
    return lambda: started + minutes * 60


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_the_longest_scene(live, size: tuple[int, int], snap_compare) -> None:
    """'Planning the interview' of port-arrivals for the social worker, clock 0:42:10:
    every one of its six choices whole in the Choices box (at 80×24 the box scrolls and its
    bottom border says how many more); the status line and the F9/?/q keys above the
    footer; the side panel at its width for the size (30, 30, 48)."""
    ex = live("port-arrivals")
    ex.exercise.move("red", "interview_planning", "test")
    ex.hold_other_roles("social_worker")
    app = ex.app("social_worker", wall=fixed_wall(ex.exercise, 42 + 10 / 60))

    async def settle(pilot: Pilot) -> None:
        await into_scene(pilot)

    assert snap_compare(app, terminal_size=size, run_before=settle)


# -- texts ------------------------------------------------------------------------------------


def test_a_content_warning_loses_the_yaml_line_breaks_but_keeps_paragraphs() -> None:
    """Issue 10: content warnings kept the YAML's line breaks, mid-sentence."""
    assert reflow("Scenes of\nexploitation of  a child.\n\nStep out with F9.\n") == (
        "Scenes of exploitation of a child.\n\nStep out with F9."
    )


def test_a_message_without_a_subject_gets_its_first_sentence_or_whole_words() -> None:
    """Issue 10: a message with no subject got one cut mid-word at 60 characters."""
    assert subject_of("Call the prosecutor. She has news.") == "Call the prosecutor."
    long = "The harbour master has found the boat's owner listed under a company in Estrava"
    subject = subject_of(long)
    assert subject == "The harbour master has found the boat's owner listed under…"
    assert len(subject) <= 60 and long.startswith(subject[:-1])


REPLY_INJECTS = ["tv_crew", "boy_vanishes", "family_threat", "birth_certificate_arrives"]
"""Injects of port-arrivals to the police that each add replies to the choice list."""


def drawn_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The rows of the choice box's window drawn, in order, from now on."""
    called: list[int] = []
    original = ChoiceList.render_line

    def recording(self: ChoiceList, y: int) -> object:
        called.append(y)
        return original(self, y)

    monkeypatch.setattr(ChoiceList, "render_line", recording)
    return called


async def test_an_injects_replies_lay_the_screen_out_only_when_the_box_grows(
    live: Callable[[str], Live], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each inject that needs a reply added its entries to the Choices box: as one widget
    an entry, each new one laid the screen out (~10 ms a seat, on every seat at once) and
    was styled through the CSS machinery, and the entries already there were drawn again.
    Now the screen is laid out only when the box grows (and once when its scrollbar
    appears); replies that join a box already at its tallest cost no layout; a row of the
    box is drawn again only when it shows something else; every entry is still whole,
    with stable numbers (the entries shown are the list's, in order)."""
    ex = live("port-arrivals")
    app = ex.app("police")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await into_scene(pilot)
        box = screen.query_one(ChoiceList)
        inbox = screen.query_one(InboxList)
        counted = layouts(monkeypatch)
        rendered = drawn_rows(monkeypatch)
        at_tallest = 0
        for inject in REPLY_INJECTS:
            subject = ex.exercise.scenario.injects[inject].subject
            before, scrolled, height = len(counted), box.plan.scrolls, box.plan.height
            window = box.scrollable_content_region.height
            shown_before, focused = box._shown_rows(), box.has_focus
            inbox_bar = inbox.show_vertical_scrollbar
            rendered.clear()
            ex.exercise.publish(inject, "red")

            def replied(s: str = subject) -> bool:
                return any(c.reply_to == s for c in box.choices)

            await until(pilot, replied)
            await pilot.pause(0.3)
            await pilot.pause()
            grew = box.plan.height != height
            at_tallest += not grew
            # (a scrollbar appearing is placed by a layout: the box's, once a scene; the
            # inbox's, once a seat)
            appeared = int(box.plan.scrolls and not scrolled)
            appeared += int(inbox.show_vertical_scrollbar and not inbox_bar)
            assert len(counted) - before == grew + appeared, inject
            if not grew and box.has_focus == focused:
                # the same window (and look): only its rows that changed are drawn again
                after = box._shown_rows()
                changed = {y for y in range(window) if shown_before[y] != after[y]}
                assert set(rendered) == changed, inject
            assert len(box.items) == len(choice_entries(box.choices))
            heading = next(i for i in box.items if i.prompt.plain == f"Reply to: {subject}")
            assert not heading.number
            shown = [(i.number, i.prompt) for i in box.items]
            assert shown == [(c.number if c else 0, p) for c, p in choice_entries(box.choices)]
        assert at_tallest  # (the last replies joined a box already at its tallest)
        await every_choice_whole(pilot, screen)


class Box(App[None]):
    CSS = "#choices { height: 14; border: round white; scrollbar-gutter: stable; }"

    def __init__(self) -> None:
        super().__init__()
        self.picked: list[int] = []

    def compose(self) -> ComposeResult:
        yield ChoiceList(id="choices")

    def on_choice_list_picked(self, message: ChoiceList.Picked) -> None:
        self.picked.append(message.number)


def replies(count: int, subject: str) -> tuple[ChoiceView, ...]:
    """``count`` replies to one inject, numbered from 1."""
    return tuple(
        ChoiceView(n, f"r{n}", f"Reply {n}", True, "Police", inject="i", reply_to=subject)
        for n in range(1, count + 1)
    )


async def test_the_choice_box_draws_its_entries_at_their_rows_and_picks_by_click() -> None:
    """The box is one widget drawing its entries as lines: each entry on its own rows,
    the heading above an inject's replies, the highlight on the choice it names (Down
    moves it), and a click on any row of a choice picks it; a click on a heading, none."""
    app = Box()
    long = "A reply long enough to take two rows"
    second = tuple(
        ChoiceView(n, f"r{n}", long, True, "Police", inject="j", reply_to="Second") for n in (4, 5)
    )
    async with app.run_test(size=(40, 20)) as pilot:
        box = app.query_one(ChoiceList)
        box.show(replies(3, "First") + second)
        await pilot.pause()
        entries = box.items
        assert [e.number for e in entries] == [0, 1, 2, 3, 0, 4, 5]
        assert [e.height for e in entries] == [1, 1, 1, 1, 1, 2, 2]
        assert [e.y for e in entries] == [0, 1, 2, 3, 4, 5, 7]
        assert [drawn(box, e) for e in entries] == [
            "Reply to: First",
            "1. Reply 1",
            "2. Reply 2",
            "3. Reply 3",
            "Reply to: Second",
            f"4. {long}",
            f"5. {long}",
        ]
        assert box.highlighted == 1
        box.focus()
        await pilot.press("down")
        assert box.highlighted == 2
        await pilot.click(ChoiceList, offset=(3, 1 + entries[6].y + 1))  # its second row
        await pilot.click(ChoiceList, offset=(3, 1 + entries[4].y))  # a heading
        await pilot.pause()
        assert app.picked == [5]


def scene_choices(scene: str, count: int) -> tuple[ChoiceView, ...]:
    """``count`` choices of one scene (two rows each in the test box), numbered from 1."""
    label = f"A choice of the {scene} scene, long enough to take two rows"
    return tuple(ChoiceView(n, f"{scene}{n}", label, True, "Police") for n in range(1, count + 1))


async def test_another_scenes_choices_are_read_from_the_top() -> None:
    """The walk-through at 80×24: a trainee who had moved down the quay's choices found
    the next scene's box scrolled to the same number, its first choice cut at the top.
    Another scene's list starts at the top with its first choice highlighted; replies
    joining the list keep the highlight and the window where the trainee left them."""
    app = Box()
    async with app.run_test(size=(40, 12)) as pilot:
        box = app.query_one(ChoiceList)
        box.focus()
        box.show(scene_choices("quay", 5))
        await pilot.pause()
        assert box.plan.scrolls
        for _ in range(4):
            await pilot.press("down")
        assert box.highlighted == 5 and box.scroll_y > 0
        assert str(box.border_title).endswith(" more ↑")
        news = tuple(
            ChoiceView(n, f"r{n}", f"Reply {n}", True, "Police", inject="i", reply_to="News")
            for n in (6, 7)
        )
        box.show(scene_choices("quay", 5) + news)
        await pilot.pause()
        assert box.highlighted == 5 and box.scroll_y > 0
        box.show(scene_choices("booth", 5))
        await pilot.pause()
        assert box.highlighted == 1 and box.scroll_y == 0
        assert in_window(box, box.items[0]) and box.border_title == "Choices"


async def test_the_highlight_moves_on_screen_when_its_choice_is_taken(monkeypatch) -> None:
    """A teammate takes the highlighted once-choice: it stays in place, dimmed, and the
    highlight moves to the next open choice, whose rows are drawn again (a row is drawn
    again only when its entry, line or look changed, and the look must count)."""
    app = Box()
    async with app.run_test(size=(40, 20)) as pilot:
        box = app.query_one(ChoiceList)
        choices = scene_choices("quay", 3)
        box.show(choices)
        await pilot.pause()
        assert box.highlighted == 1
        rendered = drawn_rows(monkeypatch)
        taken = ChoiceView(1, "quay1", choices[0].label, True, "Police", done_by="Asha")
        box.show((taken, *choices[1:]))
        await pilot.pause()
        second = box.items[1]
        assert box.highlighted == 2
        assert set(range(second.y, second.bottom)) <= set(rendered)
        assert set(range(box.items[0].y, box.items[0].bottom)) <= set(rendered)


async def test_the_case_file_and_team_tabs_are_drawn_when_opened(
    live: Callable[[str], Live], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A revealed document refilled the case file's list, and a teammate's decision set
    the timeline's text (a layout of the screen), on every seat it reached, whatever tab
    was open. Drawn when their tab opens (and while it is open), with all that came."""
    ex = live("port-arrivals")
    app = ex.app("social_worker")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await into_scene(pilot)
        drawn = {kind: calls_of(monkeypatch, kind, "show") for kind in (CaseFileList, TeamTimeline)}
        ex.exercise.publish("transfer_order", "red")
        title = "Reception Directorate — transfer order RD-118"
        await until(pilot, lambda: any(d.title == title for d in screen.view.documents))
        ben = join_seat(ex.control_service, "ex", "red", ex.code, "police", "Ben")
        ben.choose("medical_first", "", ben.view().seq)
        await until(pilot, lambda: len(screen.view.timeline) > 1)
        await pilot.pause(0.2)
        assert not drawn[CaseFileList] and not drawn[TeamTimeline]
        await pilot.press("f")
        await until(pilot, lambda: bool(drawn[CaseFileList]))
        listed = screen.query_one(CaseFileList)
        assert any(title in str(o.prompt) for o in listed.options)
        await pilot.press("t")
        await until(pilot, lambda: bool(drawn[TeamTimeline]))
        assert "Ben" in str(screen.query_one("#timeline-text", Static).render())


def calls_of(monkeypatch: pytest.MonkeyPatch, cls: type, name: str) -> list[object]:
    """The instances of ``cls`` whose method ``name`` is called, from now on."""
    called: list[object] = []
    original = getattr(cls, name)

    def recording(self: object, *args: object, **kwargs: object) -> object:
        called.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, recording)
    return called
