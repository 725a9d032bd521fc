"""The trainee's main screen: the scene, the choices, the inbox, the case file, the team.

It follows the exercise live: a worker thread waits on the service's watch API (which
also delivers whatever falls due) and posts each new view of the seat back to the screen.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane
from textual.worker import get_current_worker

from simtrain.exercise import ClockState, ExerciseError
from simtrain.text import minute_text, sentence
from simtrain.tui.debrief import DebriefScreen
from simtrain.tui.dialogs import ReaderScreen, RoleSwitchScreen, StepOutScreen
from simtrain.tui.widgets import (
    Banner,
    CaseFileList,
    ChoiceList,
    ConfirmBar,
    ContentWarning,
    InboxList,
    ScenePanel,
    SeatHeader,
    TeamTimeline,
)
from simtrain.views.seat import ChoiceView, Notice, SeatView, notices
from simtrain.views.session import ChoiceResult, TraineeSession

SIDE_FOCUS: dict[str, str] = {
    "inbox": "#inbox-list",
    "casefile": "#casefile-list",
    "team": "#timeline",
}
"""The widget that takes the focus in each tab of the side panel."""

EXERCISE_WARNING: tuple[str, int] = ("", 0)
"""The key under which the scenario's own content warning is acknowledged."""


class PlayScreen(Screen[None]):
    """One seat of a live exercise (or the solo demo)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "pick(1)", "Choose", key_display="1-9"),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(2, 10)),
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("i", "side('inbox')", "Inbox"),
        Binding("f", "side('casefile')", "Case file"),
        Binding("t", "side('team')", "Team"),
        Binding("c", "focus_choices", "Choices", show=False),
        Binding("b", "brief", "Brief"),
        Binding("d", "debrief", "Debrief"),
        Binding("r", "switch_role", "Switch role"),
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

    class Decided(Message):
        """What became of a confirmed choice (from a worker)."""

        def __init__(self, result: ChoiceResult) -> None:
            super().__init__()
            self.result = result

    def __init__(self, session: TraineeSession, view: SeatView, *, watch_timeout: float) -> None:
        super().__init__()
        self.session = session
        self.view = view
        self.watch_timeout = watch_timeout
        self.acknowledged: set[tuple[str, int]] = set()
        """Scene visits whose content warning the trainee has passed (and
        ``EXERCISE_WARNING`` once the scenario's own is passed)."""
        self.picked: ChoiceView | None = None
        self.draft = ""
        """Rationale text kept when a choice is cancelled or overtaken; never dropped."""
        self.deciding = False
        self.stepped_out = False
        self.missed: list[Notice] = []
        """Notices that arrived while the trainee was stepped out."""
        self._shown_scene: tuple[object, ...] | None = None
        self._trouble = ""
        self._bound_debrief: object | None = None
        self._stop = threading.Event()

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield SeatHeader(id="header")
        yield Banner(id="banner")
        with Horizontal(id="body"):
            with Vertical(id="scene-column"):
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
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ConfirmBar).display = False
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
        self.query_one(SeatHeader).show(view)
        self.query_one(Banner).show_clock(view.clock)
        pending = self.pending_warning
        warn = pending is not None
        key = (view.scene.id, view.scene.visit, pending, view.debrief is None, view.role)
        if key != self._shown_scene:
            self.query_one(ScenePanel).show(
                view,
                warn=warn,
                solo=self.session.solo,
                exercise_warning=pending == EXERCISE_WARNING,
            )
            self._shown_scene = key
        choices = self.query_one(ChoiceList)
        hint = ""
        if view.choices and not any(c.mine for c in view.choices):
            hint = "none is yours: " + (
                "press r to play another role" if self.session.solo else "another role must act"
            )
        choices.show(view.choices, hint)
        choices.display = self._choices_visible()
        self.query_one(InboxList).show(view.inbox)
        self.query_one(CaseFileList).show(view.documents)
        self.query_one(TeamTimeline).show(view)
        side = self.query_one(TabbedContent)
        pending = view.pending_responses
        inbox_label = f"Inbox {len(view.inbox)}" + (f" ●{pending}" if pending else "")
        side.get_tab("inbox").label = inbox_label
        side.get_tab("casefile").label = f"Case file {len(view.documents)}"
        if (view.debrief is None) != (self._bound_debrief is None):
            self.refresh_bindings()  # the debrief key appears once it is released
        self._bound_debrief = view.debrief

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
            self.query_one(ChoiceList).focus()
        else:
            self.query_one(ScenePanel).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide keys that do nothing here: role switching outside solo play, the debrief
        before it is released."""
        if action == "switch_role":
            return self.session.solo
        if action == "debrief":
            return self.view.debrief is not None
        return True

    # -- live updates ------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def _watch(self) -> None:
        """Follow the exercise: each new view of this seat, and the clock every second."""
        worker = get_current_worker()
        while not worker.is_cancelled and not self._stop.is_set():
            try:
                view = self.session.wait(self.watch_timeout)
                clock = self.session.clock() if view is None else view.clock
            except ExerciseError as exc:
                self.post_message(self.Trouble(str(exc)))
                self._stop.wait(self.watch_timeout)
                continue
            if worker.is_cancelled or self._stop.is_set():
                return
            if view is not None:
                self.post_message(self.Updated(view))
            else:
                self.post_message(self.Ticked(clock))

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
        if self.picked is not None and not self.deciding and self.picked not in view.choices:
            overtaken = next((c for c in view.choices if c.id == self.picked.id and c.mine), None)
            if overtaken is None:
                self._close_confirm(keep=True)
                self._tell(
                    Notice(
                        "The choice you picked is no longer on offer. Your note was kept: it "
                        "is filled in when you pick again.",
                        "warning",
                    )
                )
            else:
                self.picked = overtaken
        self._paint(view)
        if self.focused is None or not self.focused.display:
            self._focus_main()
        if view.debrief is not None and old.debrief is None and not self.session.solo:
            self._open_debrief()

    @on(Ticked)
    def _ticked(self, message: Ticked) -> None:
        self.query_one(SeatHeader).show_clock(message.clock)

    @on(Trouble)
    def _troubled(self, message: Trouble) -> None:
        if message.text != self._trouble:
            self._trouble = message.text
            self.notify(sentence(message.text), severity="error", timeout=8)

    def _tell(self, notice: Notice) -> None:
        if self.stepped_out:
            self.missed.append(notice)
            return
        if notice.bell:
            self.app.bell()
        self.notify(notice.text, severity=notice.severity, timeout=6)

    # -- choosing ----------------------------------------------------------------------------
    def action_pick(self, number: int) -> None:
        """Pick the choice with ``number`` (then confirm with Enter)."""
        view = self.view
        if self.deciding:
            return
        if self.warning_shown:
            self.notify(
                "Read the content warning first: press Enter to continue, or F9 to step out.",
                severity="warning",
            )
            return
        if view.ended:
            self.notify("Your team has reached an ending; there are no more choices.")
            return
        if view.clock.state == "ended":
            self.notify("The exercise has ended; no more choices can be made.")
            return
        choice = view.choice(number)
        if choice is None:
            self.notify(f"There is no choice {number} now.", severity="warning")
            return
        if not choice.mine:
            self.app.bell()
            self.notify(
                f"Only the {choice.roles_text} may choose “{choice.label}”. "
                "Tell them what you think: the team decides together.",
                severity="warning",
                timeout=6,
            )
            return
        if self.picked is not None:
            self.draft = self.query_one(ConfirmBar).rationale
        self.picked = choice
        self.query_one(ChoiceList).display = False
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
        self.query_one(ChoiceList).display = self._choices_visible()

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
                self.notify(f"Recorded: {picked.label}", timeout=4)
        elif result.scene_changed:
            self._close_confirm(keep=True)
            self._show_view(result.view, skip=result.message)
            self.notify(
                f"{result.message} Your note was kept: it is filled in when you pick again.",
                severity="warning",
                timeout=10,
            )
        else:
            self._show_view(result.view)
            self.notify(result.message, severity="error", timeout=8)
        self._focus_main()

    # -- panels and readers ------------------------------------------------------------------
    def action_side(self, tab: str) -> None:
        """Show a tab of the side panel and move into it."""
        self.query_one(TabbedContent).active = tab
        self.query_one(SIDE_FOCUS[tab]).focus()

    def action_focus_choices(self) -> None:
        """Back to the scene and its choices."""
        self._focus_main()

    @on(ContentWarning.Accepted)
    def _warning_accepted(self, message: ContentWarning.Accepted) -> None:
        pending = self.pending_warning
        if pending is not None:
            self.acknowledged.add(pending)
        self._paint(self.view)
        self._focus_main()

    @on(InboxList.Opened)
    def _open_item(self, message: InboxList.Opened) -> None:
        item = next((i for i in self.view.inbox if i.key == message.key), None)
        if item is None:
            return
        meta = (
            f"{item.channel_name} · {item.sender or 'unknown sender'} · {minute_text(item.clock)}"
        )
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
            self.notify("The debrief opens when the facilitator releases it.")
            return
        self._open_debrief()

    def _open_debrief(self) -> None:
        if self.view.debrief is not None and self.is_current:
            self.app.push_screen(DebriefScreen(self.view.debrief, self.view.team))

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
        self.app.call_from_thread(self.notify, f"You now play the {view.role_name}.")

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
            lines = "\n".join(f"• {notice.text}" for notice in missed[-6:])
            self.notify(f"While you were away:\n{lines}", timeout=12)

    @work(thread=True, group="seat", exit_on_error=False)
    def _record_step(self, *, out: bool) -> None:
        try:
            if out:
                self.session.step_out()
            else:
                self.session.step_back()
        except ExerciseError as exc:
            self.post_message(self.Trouble(str(exc)))
