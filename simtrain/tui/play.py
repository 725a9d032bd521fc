"""The trainee's main screen: the scene, the choices, the inbox, the case file, the team.

It follows the exercise live: a worker thread waits on the service's watch API (which
also delivers whatever falls due) and posts each new view of the seat back to the screen.
"""

from __future__ import annotations

import threading
import time
from typing import ClassVar, TypeVar, cast

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, TabbedContent, TabPane
from textual.worker import get_current_worker

from simtrain.exercise import ClockState, ExerciseError
from simtrain.text import clock_text, sentence
from simtrain.tui.debrief import DebriefScreen
from simtrain.tui.dialogs import ReaderScreen, RoleSwitchScreen, StepOutScreen
from simtrain.tui.frames import SpanCompositor
from simtrain.tui.layout import side_width
from simtrain.tui.talk import TalkPanel
from simtrain.tui.widgets import (
    INBOX_LABEL_WIDEST,
    Banner,
    CaseFileList,
    ChoiceList,
    ConfirmBar,
    ContentWarning,
    InboxList,
    KeysBar,
    ScenePanel,
    SeatHeader,
    StatusLine,
    TeamTimeline,
    relabel,
    size_tab,
)
from simtrain.views.follow import RETRYING
from simtrain.views.follow import Trouble as SeatTrouble
from simtrain.views.seat import ChoiceView, Notice, SeatView, notices
from simtrain.views.session import ChoiceResult, TraineeSession

W = TypeVar("W", bound=Widget)

SIDE_FOCUS: dict[str, str] = {
    "inbox": "#inbox-list",
    "casefile": "#casefile-list",
    "team": "#timeline",
    "talk": "#talk-input",
}
"""The widget that takes the focus in each tab of the side panel."""

WIDE_SIDE = 34
"""A side panel this wide holds the four tabs with their full names."""

EXERCISE_WARNING: tuple[str, int] = ("", 0)
"""The key under which the scenario's own content warning is acknowledged."""


def _who(done_by: str) -> str:
    """Who made a spent choice, at the start of a sentence."""
    return "You" if done_by == "you" else done_by


def gone_sentence(picked: ChoiceView, old: SeatView, view: SeatView) -> str:
    """What to tell a trainee whose picked choice went away before they confirmed it."""
    done = next((c for c in view.choices if c.id == picked.id and c.done_by), None)
    if done is not None:
        return f"{_who(done.done_by)} already chose “{picked.label}”; your note is kept."
    if (old.scene.id, old.scene.visit) != (view.scene.id, view.scene.visit):
        return (
            f"The team is now in “{view.scene.title}”, so “{picked.label}” is no longer on "
            "offer; your note is kept."
        )
    return f"“{picked.label}” is no longer on offer; your note is kept."


class SceneColumn(Vertical):
    """The scene, its choices and the confirm bar; sizes the choice box when it resizes."""

    def on_resize(self, event: events.Resize) -> None:
        self.fit()

    def fit(self) -> None:
        """Give the choice box the rows its choices need at the column's width."""
        if self.size.height:
            self.query_one(ChoiceList).fit()


WARNING_SETTLE_S = 0.4
"""How long after a warning passes an Enter still counts as the tap that passed it."""


class PlayScreen(Screen[None]):
    """One seat of a live exercise (or the solo demo)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "pick(1)", "Choose", key_display="1-9"),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(2, 10)),
        Binding("escape", "cancel", "Cancel", show=False),
        # Enter passes a content warning here, in key order: two quick Enters pass two
        # warnings, where the button's own press (a message, handled later) lost one
        Binding("enter", "continue_warning", show=False, priority=True),
        Binding("i", "side('inbox')", "Inbox"),
        Binding("f", "side('casefile')", "Case file"),
        Binding("t", "side('team')", "Team"),
        Binding("k", "side('talk')", "Talk"),
        Binding("c", "focus_choices", "Choices", show=False),
        Binding("b", "brief", "Brief"),
        Binding("d", "debrief", "Debrief"),
        # short labels: with F9, ? and q beside them, every key fits a 100-column footer
        Binding("r", "switch_role", "Role"),
        Binding("backslash", "toggle_side", "Panel", key_display="\\"),
        Binding("pageup", "scroll_scene('page_up')", "Scroll up", show=False, priority=True),
        Binding("pagedown", "scroll_scene('page_down')", "Scroll down", show=False, priority=True),
        Binding("home", "scroll_scene('home')", "Top", show=False, priority=True),
        Binding("end", "scroll_scene('end')", "Bottom", show=False, priority=True),
        # the app's keys, shown by the keys bar instead of the footer (which may lack room)
        Binding("f9", "app.step_out", "Step out", show=False, priority=True),
        Binding("q", "app.request_quit", "Quit", show=False),
        Binding("question_mark", "app.help", "Keys", show=False),
    ]

    class Updated(Message):
        """A new view of the seat (from a worker)."""

        def __init__(self, view: SeatView, quiet: bool = False) -> None:
            super().__init__()
            self.view = view
            self.quiet = quiet

    class Ticked(Message):
        """The exercise clock, read again (from the watch worker)."""

        def __init__(self, clock: ClockState) -> None:
            super().__init__()
            self.clock = clock

    class Trouble(Message):
        """A service call failed (from a worker)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Reconnected(Message):
        """The watch reads the exercise again after trouble (from the worker)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Spoken(Message):
        """A line the trainee said was recorded (``problem`` empty) or refused."""

        def __init__(self, problem: str) -> None:
            super().__init__()
            self.problem = problem

    class Decided(Message):
        """What became of a confirmed choice (from a worker)."""

        def __init__(self, result: ChoiceResult) -> None:
            super().__init__()
            self.result = result

    def __init__(self, session: TraineeSession, view: SeatView, *, watch_timeout: float) -> None:
        super().__init__()
        self._compositor = SpanCompositor()  # a frame draws only the lines that changed
        self.session = session
        self.view = view
        self.watch_timeout = watch_timeout
        self.acknowledged: set[tuple[str, int]] = set()
        """Scene visits whose content warning the trainee has passed (and
        ``EXERCISE_WARNING`` once the scenario's own is passed)."""
        self._warning_passed_at = -1e9
        """When the last content warning was passed (monotonic seconds)."""
        self.picked: ChoiceView | None = None
        self.draft = ""
        """Rationale text kept when a choice is cancelled or overtaken; never dropped."""
        self.deciding = False
        self.stepped_out = False
        self.missed: list[Notice] = []
        """Notices that arrived while the trainee was stepped out."""
        self._shown_scene: tuple[object, ...] | None = None
        self._painted: SeatView | None = None
        self._labels: dict[str, str] = {}
        self._side_drawn: dict[str, object] = {}
        """What the case file and team tabs last drew (see :meth:`_show_side_tab`)."""
        self._widgets: dict[type[Widget], Widget] = {}
        self._trouble = ""
        self._bound_debrief: object | None = None
        self._talk_tab = True
        """Whether the Talk tab is shown (hidden until a character is in the scene)."""
        self._stop = threading.Event()

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield SeatHeader(id="header")
        yield Banner(id="banner")
        with Horizontal(id="body"):
            with SceneColumn(id="scene-column"):
                yield ScenePanel(id="scene")
                yield ChoiceList(id="choices")
                yield ConfirmBar(id="confirm")
            with TabbedContent(id="side"):
                with TabPane("Inbox", id="inbox"):
                    yield InboxList(id="inbox-list")
                with TabPane("Case file", id="casefile"):
                    yield CaseFileList(id="casefile-list")
                with TabPane("Team", id="team"):
                    yield TeamTimeline(id="timeline")
                with TabPane("Talk", id="talk"):
                    yield TalkPanel(id="talk-panel")
        yield StatusLine(id="status")
        with Horizontal(id="footer-row"):
            yield Footer()
            yield KeysBar(id="keys")

    def on_resize(self, event: events.Resize) -> None:
        self.query_one("#side").styles.width = side_width(event.size.width)
        # below 100 columns the footer packs its keys closer, so more of them fit whole
        compact = event.size.width < 100
        self.query_one(Footer).compact = compact
        self.query_one(KeysBar).pack(compact)

    def one(self, kind: type[W]) -> W:
        """The screen's widget of ``kind``, looked up once: the screen is composed once,
        and each arriving view asked for half a dozen of them (a walk of the DOM each,
        ~0.3 ms of every message)."""
        found = self._widgets.get(kind)
        if found is None:
            found = self._widgets[kind] = self.query_one(kind)
        return cast(W, found)

    @property
    def status(self) -> StatusLine:
        """The line where news and answers are shown."""
        return self.one(StatusLine)

    def say(self, text: str, severity: str = "information") -> None:
        """Tell the trainee something in the status line (never over the scene)."""
        self.status.tell(text, severity)

    def on_mount(self) -> None:
        self.query_one(ConfirmBar).display = False
        size_tab(self.one(TabbedContent).get_tab("inbox"), INBOX_LABEL_WIDEST)
        self._paint(self.view)
        self._focus_main()
        self._watch()
        if self.view.debrief is not None and not self.session.solo:
            self.call_after_refresh(self._open_debrief)

    def on_unmount(self) -> None:
        self._stop.set()

    @property
    def pending_warning(self) -> tuple[str, int] | None:
        """The content warning waiting for the trainee, by its key: the exercise's own
        (``("", 0)``) before anything else, then the scene visit's."""
        view = self.view
        if view.content_warning and EXERCISE_WARNING not in self.acknowledged:
            return EXERCISE_WARNING
        scene = view.scene
        if scene.content_warning and (scene.id, scene.visit) not in self.acknowledged:
            return (scene.id, scene.visit)
        return None

    @property
    def warning_shown(self) -> bool:
        """Whether a content warning is waiting for the trainee."""
        return self.pending_warning is not None

    def _paint(self, view: SeatView) -> None:
        """Show ``view``, repainting only the parts that differ from what is on screen (an
        arriving message changes the inbox line and its counter, not the whole screen)."""
        was = self._painted
        self._painted = view
        self.one(SeatHeader).show(view)
        if was is None or (was.clock.state, was.clock.debrief_released, was.held) != (
            view.clock.state,
            view.clock.debrief_released,
            view.held,
        ):
            self.one(Banner).show_clock(view.clock, view.held)
        pending = self.pending_warning
        warn = pending is not None
        key = (view.scene.id, view.scene.visit, pending, view.debrief is None, view.role)
        if key != self._shown_scene:
            self.one(ScenePanel).show(
                view,
                warn=warn,
                solo=self.session.solo,
                exercise_warning=pending == EXERCISE_WARNING,
            )
            self._shown_scene = key
        choices = self.one(ChoiceList)
        hint = ""
        if view.choices and not any(c.mine and c.open for c in view.choices):
            hint = "none is yours: " + (
                "press r to play another role" if self.session.solo else "another role must act"
            )
        choices.show(view.choices, hint)  # (sized for the column by itself)
        visible = self._choices_visible()
        if choices.display != visible:
            choices.display = visible
        if was is None or was.inbox != view.inbox:
            self.one(InboxList).show(view.inbox)
        self._show_side_tab()
        side = self.one(TabbedContent)
        talking = bool(view.talk.present or view.talk.lines)
        if was is None or was.talk != view.talk:
            self.one(TalkPanel).show(view.talk)
            # the Talk tab is there once a character is (and stays for the transcript)
            if talking != self._talk_tab:
                self._talk_tab = talking
                (side.show_tab if talking else side.hide_tab)("talk")
                self.refresh_bindings()
        if view.talk.present and (was is None or not was.talk.present):
            side.active = "talk"  # a character is here: the conversation opens
        waiting = view.pending_responses
        # short enough that the three tabs fit the narrowest side panel (new documents and
        # messages are announced in the status line)
        # four tabs fit a narrow side panel only with a short name for the case file
        narrow = self._talk_tab and side_width(self.app.size.width) < WIDE_SIDE
        labels = {
            "inbox": f"Inbox ●{waiting}" if waiting else "Inbox",
            "casefile": "Case" if narrow else "Case file",
            "talk": "Talk ●" if view.talk.present and not narrow else "Talk",
        }
        for tab, label in labels.items():
            if self._labels.get(tab) != label:
                self._labels[tab] = label
                relabel(side.get_tab(tab), label)
        if (view.debrief is None) != (self._bound_debrief is None):
            self.refresh_bindings()  # the debrief key appears once it is released
        self._bound_debrief = view.debrief

    def _show_side_tab(self) -> None:
        """Bring the case file or the team's timeline up to date while its tab is the one
        on show: a document revealed, or a teammate's decision, while another tab is open
        costs nothing until the trainee opens it (the timeline's text laid the whole
        screen out, and the case file refilled its list, on every seat it reached)."""
        view = self._painted
        tab = self.one(TabbedContent).active
        if view is None or tab not in ("casefile", "team"):
            return
        shows = view.documents if tab == "casefile" else (view.members, view.timeline)
        if self._side_drawn.get(tab, self) != shows:
            self._side_drawn[tab] = shows
            if tab == "casefile":
                self.one(CaseFileList).show(view.documents)
            else:
                self.one(TeamTimeline).show(view)

    @on(TabbedContent.TabActivated)
    def _side_tab_opened(self, event: TabbedContent.TabActivated) -> None:
        self._show_side_tab()

    def _choices_visible(self) -> bool:
        view = self.view
        return (
            not self.warning_shown
            and not view.ended
            and view.clock.state != "ended"
            and self.picked is None
        )

    def _focus_main(self) -> None:
        if self.warning_shown:
            self.query_one("#warning-continue").focus()
        elif self.picked is not None:
            self.query_one("#rationale").focus()
        elif not self.view.ended and self.view.choices:
            self.one(ChoiceList).focus()
        else:
            self.one(ScenePanel).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide keys that do nothing here: role switching outside solo play, the debrief
        before it is released."""
        if action == "continue_warning":
            # only while a warning is up and nothing else (the side panel) has the keys, or
            # just after the last one passed: a double-tapped Enter must not pick choice 1
            focused = self.focused
            settling = time.monotonic() - self._warning_passed_at < WARNING_SETTLE_S
            return (self.warning_shown or settling) and (
                focused is None
                or focused.id == "warning-continue"
                or isinstance(focused, ChoiceList | ScenePanel)
            )
        if action == "switch_role":
            return self.session.solo
        if action == "side" and parameters == ("talk",):
            return self._talk_tab
        if action == "debrief":
            return self.view.debrief is not None
        return True

    # -- live updates ------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def _watch(self) -> None:
        """Follow the exercise: each new view of this seat, and the clock every second."""
        worker = get_current_worker()
        for news in self.session.follow(self._stop, self.watch_timeout):
            if worker.is_cancelled:
                return
            if isinstance(news, SeatView):
                self.post_message(self.Updated(news))
            elif isinstance(news, ClockState):
                self.post_message(self.Ticked(news))
            elif isinstance(news, SeatTrouble):
                self.post_message(self.Trouble(f"{sentence(news.text)} {RETRYING}"))
            else:
                self.post_message(self.Reconnected(news.text))

    @on(Updated)
    def _updated(self, message: Updated) -> None:
        self._show_view(message.view, quiet=message.quiet)

    def _show_view(self, view: SeatView, *, quiet: bool = False, skip: str = "") -> None:
        old, self.view = self.view, view
        self._trouble = ""
        if not quiet:
            for notice in notices(old, view):
                if not skip or notice.text not in skip:
                    self._tell(notice)
        # (while a decision is being recorded, its own outcome decides what happens to it)
        picked = self.picked
        if picked is not None and not self.deciding and picked not in view.choices:
            overtaken = next(
                (c for c in view.choices if c.id == picked.id and c.mine and c.open), None
            )
            if overtaken is None:
                self._close_confirm(keep=True)  # forgets the pick: word it from ``picked``
                self._tell(Notice(gone_sentence(picked, old, view), "warning"))
            else:
                self.picked = overtaken
        self._paint(view)
        if self.focused is None or not self.focused.display:
            self._focus_main()
        if view.debrief is not None and old.debrief is None and not self.session.solo:
            self._open_debrief()

    @on(Ticked)
    def _ticked(self, message: Ticked) -> None:
        self.one(SeatHeader).show_clock(message.clock)

    @on(Trouble)
    def _troubled(self, message: Trouble) -> None:
        if message.text != self._trouble:
            self._trouble = message.text
            self.say(sentence(message.text), "error")

    @on(Reconnected)
    def _reconnected(self, message: Reconnected) -> None:
        self._trouble = ""
        self.say(message.text)

    def _tell(self, notice: Notice) -> None:
        if self.stepped_out:
            self.missed.append(notice)
            return
        if notice.bell:
            self.app.bell()
        self.say(notice.text, notice.severity)

    # -- choosing ----------------------------------------------------------------------------
    def action_pick(self, number: int) -> None:
        """Pick the choice with ``number`` (then confirm with Enter)."""
        view = self.view
        if self.deciding:
            return
        if self.warning_shown:
            self.say(
                "Read the content warning first: press Enter to continue, or F9 to step out.",
                "warning",
            )
            return
        if view.ended:
            self.say("Your team has reached an ending; there are no more choices.")
            return
        if view.clock.state == "ended":
            self.say("The exercise has ended; no more choices can be made.")
            return
        if view.held and view.clock.state == "running":
            self.app.bell()
            self.say(view.held.removeprefix("⏸ "), "warning")
            return
        choice = view.choice(number)
        if choice is None:
            self.say(f"There is no choice {number} now.", "warning")
            return
        if choice.done_by:
            self.say(
                f"{_who(choice.done_by)} already chose “{choice.label}”; "
                "it can be chosen only once.",
                "warning",
            )
            return
        if not choice.mine:
            self.app.bell()
            self.say(
                f"Only the {choice.roles_text} may choose “{choice.label}”. "
                "Tell them what you think: the team decides together.",
                "warning",
            )
            return
        if self.picked is not None:
            self.draft = self.query_one(ConfirmBar).rationale
        self.picked = choice
        self.one(ChoiceList).display = False
        self.query_one(ConfirmBar).ask(choice, self.draft)

    @on(ChoiceList.Picked)
    def _choice_picked(self, message: ChoiceList.Picked) -> None:
        self.action_pick(message.number)

    def action_cancel(self) -> None:
        """Cancel the picked choice (its rationale text is kept for later)."""
        if self.picked is not None and not self.deciding:
            self._close_confirm(keep=True)
            self._focus_main()

    def _close_confirm(self, *, keep: bool) -> None:
        bar = self.query_one(ConfirmBar)
        self.draft = bar.rationale if keep else ""
        bar.display = False
        self.picked = None
        self.one(ChoiceList).display = self._choices_visible()

    @on(ConfirmBar.Confirmed)
    def _confirmed(self, message: ConfirmBar.Confirmed) -> None:
        if self.picked is None or self.deciding:
            return
        self.deciding = True
        self.draft = message.rationale
        self.query_one(ConfirmBar).busy(True)
        self._decide(self.picked.id, message.rationale, self.view.seq)

    @work(thread=True, group="seat", exit_on_error=False)
    def _decide(self, choice: str, rationale: str, seq: int) -> None:
        try:
            result = self.session.choose(choice, rationale, seq)
        except ExerciseError as exc:
            result = ChoiceResult(self.view, False, str(exc))
        self.post_message(self.Decided(result))

    @on(Decided)
    def _decided(self, message: Decided) -> None:
        result = message.result
        self.deciding = False
        bar = self.query_one(ConfirmBar)
        bar.busy(False)
        picked = self.picked
        if result.accepted:
            self._close_confirm(keep=False)
            self._show_view(result.view)
            if picked is not None:
                self.say(f"Recorded: {picked.label}")
        elif result.scene_changed:
            self._close_confirm(keep=True)
            self._show_view(result.view, skip=result.message)
            self.say(result.message, "warning")
        else:
            self._show_view(result.view)
            self.say(result.message, "error")
        self._focus_main()

    # -- panels and readers ------------------------------------------------------------------
    def action_side(self, tab: str) -> None:
        """Show a tab of the side panel and move into it."""
        self.one(TabbedContent).active = tab
        self.query_one(SIDE_FOCUS[tab]).focus()

    def action_toggle_side(self) -> None:
        """Hide the side panel for more room, or show it again."""
        side = self.one(TabbedContent)
        side.display = not side.display
        focused = self.focused
        if not side.display and focused is not None and side in focused.ancestors_with_self:
            self._focus_main()

    def action_scroll_scene(self, where: str) -> None:
        """Scroll the scene from anywhere; Home and End still move in a field being typed."""
        focused = self.focused
        if isinstance(focused, Input) and where in ("home", "end"):
            focused.action_home() if where == "home" else focused.action_end()
            return
        scene = self.one(ScenePanel)
        {
            "page_up": lambda: scene.scroll_page_up(animate=False),
            "page_down": lambda: scene.scroll_page_down(animate=False),
            "home": lambda: scene.scroll_home(animate=False),
            "end": lambda: scene.scroll_end(animate=False),
        }[where]()

    def action_focus_choices(self) -> None:
        """Back to the scene and its choices."""
        self._focus_main()

    def action_continue_warning(self) -> None:
        """Pass the content warning on screen (Enter); an Enter that comes a moment after
        the last warning passed is the same double tap, and does nothing."""
        if self.warning_shown:
            self._warning_accepted(ContentWarning.Accepted())

    @on(ContentWarning.Accepted)
    def _warning_accepted(self, message: ContentWarning.Accepted) -> None:
        pending = self.pending_warning
        if pending is not None:
            self.acknowledged.add(pending)
            self._warning_passed_at = time.monotonic()
        self._paint(self.view)
        self._focus_main()

    @on(TalkPanel.Send)
    def _send_line(self, message: TalkPanel.Send) -> None:
        self._speak(message.text)

    @work(thread=True, exclusive=True, group="talk", exit_on_error=False)
    def _speak(self, text: str) -> None:
        self.post_message(self.Spoken(self.session.say(text)))

    @on(Spoken)
    def _spoken(self, message: Spoken) -> None:
        if message.problem:
            self.say(message.problem, "warning")
        else:
            self.one(TalkPanel).sent()

    @on(InboxList.Opened)
    def _open_item(self, message: InboxList.Opened) -> None:
        item = next((i for i in self.view.inbox if i.key == message.key), None)
        if item is None:
            return
        meta = f"{item.channel_name} · {item.sender or 'unknown sender'} · {clock_text(item.clock)}"
        if item.needs_response and not item.choices:
            meta += " · another role must respond"
        self.app.push_screen(
            ReaderScreen(
                item.subject,
                item.body,
                meta,
                item.choices,
                warning=item.content_warning,
                solo=self.session.solo,
            ),
            self._reader_closed,
        )

    @on(CaseFileList.Opened)
    def _open_document(self, message: CaseFileList.Opened) -> None:
        document = next((d for d in self.view.documents if d.id == message.document), None)
        if document is not None:
            self.app.push_screen(ReaderScreen(document.title, document.body, "Case file"))

    def _reader_closed(self, number: int | None) -> None:
        if number is not None:
            self.action_pick(number)

    def action_brief(self) -> None:
        """Read this role's brief."""
        view = self.view
        self.app.push_screen(ReaderScreen(view.role_name, view.role_brief, "Your role's brief"))

    def action_debrief(self) -> None:
        """Open the debrief, once released."""
        if self.view.debrief is None:
            self.say("The debrief opens when the facilitator releases it.")
            return
        self._open_debrief()

    def _open_debrief(self) -> None:
        if self.view.debrief is not None and self.is_current:
            self.app.push_screen(
                DebriefScreen(self.view.debrief, self.view.team, self.session.fork)
            )

    # -- solo role switching -------------------------------------------------------------------
    def action_switch_role(self) -> None:
        """Solo play: choose which role to play next."""
        if self.session.solo:
            self.app.push_screen(
                RoleSwitchScreen(self.session.roles(), self.view.role), self._role_chosen
            )

    def _role_chosen(self, role: str | None) -> None:
        if role is not None and role != self.view.role:
            self._switch(role)

    @work(thread=True, group="seat", exit_on_error=False)
    def _switch(self, role: str) -> None:
        try:
            view = self.session.switch_role(role)
        except ExerciseError as exc:
            self.post_message(self.Trouble(str(exc)))
            return
        self.post_message(self.Updated(view, quiet=True))
        self.app.call_from_thread(self.say, f"You now play the {view.role_name}.")

    # -- stepping out ----------------------------------------------------------------------------
    def step_out(self) -> None:
        """Blank the screen and privately alert the facilitator."""
        if self.stepped_out:
            return
        self.stepped_out = True
        self.app.push_screen(StepOutScreen(solo=self.session.solo))
        self._record_step(out=True)

    def step_back(self) -> None:
        """Come back from stepping out; say what happened meanwhile."""
        if not self.stepped_out:
            return
        self.stepped_out = False
        if isinstance(self.app.screen, StepOutScreen):
            self.app.pop_screen()
        self._record_step(out=False)
        missed, self.missed = self.missed, []
        if missed:
            latest = missed[-1].text
            more = f" (and {len(missed) - 1} more: see the inbox and the team tab)"
            self.say(f"While you were away: {latest}" + (more if len(missed) > 1 else ""))

    @work(thread=True, group="seat", exit_on_error=False)
    def _record_step(self, *, out: bool) -> None:
        try:
            if out:
                self.session.step_out()
            else:
                self.session.step_back()
        except ExerciseError as exc:
            self.post_message(self.Trouble(str(exc)))
