"""Conversations with characters on screen (issue 17): the transcript and the line being
typed, shared by the trainee's Talk panel and the role-player's seat.

Every line is text someone typed: it is shown as :class:`~textual.content.Content` built
from plain strings, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from simtrain.exercise.conversations import LINE_LENGTH
from simtrain.text import clock_text
from simtrain.views.conversation import LineView
from simtrain.views.seat import TalkView


def transcript_text(lines: Sequence[LineView], *, numbers: bool = False) -> Content:
    """Lines of a conversation, oldest first, each with the marks the reader may see."""
    parts: list[str | tuple[str, str]] = []
    for line in lines:
        if parts:
            parts.append("\n")
        head = f"{line.number}. " if numbers else ""
        parts.append((f"{head}{clock_text(line.clock)} ", "$text-muted"))
        parts.append((line.who, "bold $accent" if line.by_character else "bold"))
        parts.append(": ")
        parts.append(line.text)
        for mark in line.marks:
            note = f" — {mark.note}" if mark.note else ""
            parts.append(
                (f"\n    ✓ {mark.competency_name} {mark.points:+d}{note}", "italic $text-muted")
            )
    return Content.assemble(*parts)


class Transcript(VerticalScroll, can_focus=True):
    """A conversation's lines (scrolls with the arrow keys when focused; follows the
    newest line)."""

    def compose(self) -> ComposeResult:
        yield Static(id="transcript-text")

    def show(self, text: Content) -> None:
        """Show ``text`` and scroll to its end."""
        self.query_one("#transcript-text", Static).update(text)
        self.scroll_end(animate=False)


class LineInput(Input):
    """Where a line is typed (Enter sends it); capped at the service's line length."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(max_length=LINE_LENGTH, id=id)


class TalkPanel(Vertical):
    """The trainee's side of the conversations: who is here, what was said, and (for a
    seat whose role the character talks to) the line being typed."""

    class Send(Message):
        """The trainee pressed Enter on a line to say."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def compose(self) -> ComposeResult:
        yield Static(id="talk-who")
        yield Transcript(id="talk-lines")
        yield LineInput(id="talk-input")

    def show(self, talk: TalkView) -> None:
        """Show the conversations of ``talk``."""
        who = self.query_one("#talk-who", Static)
        field = self.query_one("#talk-input", LineInput)
        if talk.present:
            names = " and ".join(name for _, name in talk.present)
            who.update(Content.assemble(("Here: ", "bold"), names))
        else:
            who.update(Content.assemble(("No one here to talk with.", "italic $text-muted")))
        can = bool(talk.partners)
        field.disabled = not can
        field.placeholder = (
            f"Say to {talk.name(talk.partners[0])}… (Enter)"
            if can
            else talk.hint or "no one here to talk with"
        )
        lines = transcript_text(talk.lines)
        self.query_one(Transcript).show(
            lines if talk.lines else Content.assemble(("Nothing said yet.", "$text-muted"))
        )

    @on(Input.Submitted, "#talk-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text:
            self.post_message(self.Send(text))

    def sent(self) -> None:
        """The line was recorded: clear the field for the next one."""
        self.query_one("#talk-input", LineInput).value = ""
