"""The seat's terminal driver: its input thread sleeps until a key comes (issue 10, idle
CPU), and still tells Esc from the start of an escape sequence."""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Iterator

import pytest
from textual import constants, events
from textual.app import App
from textual.message import Message

from simtrain.tui.app import TraineeApp
from simtrain.tui.driver import InputLoop, QuietLinuxDriver, WakingEvent


class Terminal:
    """An input loop reading a pipe as if it were the terminal."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        self.stop = WakingEvent()
        self.events: queue.Queue[Message] = queue.Queue()
        self.loop = InputLoop(self.read_fd, self.stop, self.events.put)
        self.thread = threading.Thread(target=self.loop.run, daemon=True)
        self.thread.start()

    def type(self, data: str) -> None:
        os.write(self.write_fd, data.encode())

    def next_event(self) -> Message:
        return self.events.get(timeout=5)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for fd in (self.read_fd, self.write_fd):
            os.close(fd)
        self.stop.close()


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    term = Terminal()
    try:
        yield term
    finally:
        term.close()


def test_an_idle_input_thread_does_not_wake(terminal: Terminal) -> None:
    # Textual's own loop looks at the terminal every 0.1 s: three times in this wait
    assert terminal.loop.timeout() is None
    time.sleep(0.3)
    assert terminal.loop.wakes == 0
    terminal.type("q")
    key = terminal.next_event()
    assert isinstance(key, events.Key) and key.key == "q"
    assert terminal.loop.wakes == 1


def test_stopping_wakes_the_thread_at_once(terminal: Terminal) -> None:
    started = time.monotonic()
    terminal.stop.set()
    terminal.thread.join(timeout=5)
    assert not terminal.thread.is_alive()
    assert time.monotonic() - started < 2  # it blocks with no timeout: only the pipe wakes it


def test_a_lone_escape_is_delivered_after_the_escape_delay(terminal: Terminal) -> None:
    terminal.type("\x1b")
    key = terminal.next_event()
    assert isinstance(key, events.Key) and key.key == "escape"
    # waiting for the sequence's next byte had a timeout; with none pending it sleeps again
    assert terminal.loop.timeout() is None


@pytest.mark.parametrize(
    ("typed", "key"),
    [("\x1b[A", "up"), ("\x1b[B", "down"), ("\x1b[20~", "f9"), ("\x1b[6~", "pagedown")],
)
def test_escape_sequences_are_keys_not_escapes(terminal: Terminal, typed: str, key: str) -> None:
    terminal.type(typed)
    event = terminal.next_event()
    assert isinstance(event, events.Key) and event.key == key
    assert terminal.events.empty()


def test_a_mouse_click_arrives_as_mouse_events(terminal: Terminal) -> None:
    terminal.type("\x1b[<0;10;5M\x1b[<0;10;5m")
    down, up = terminal.next_event(), terminal.next_event()
    assert isinstance(down, events.MouseDown) and (down.x, down.y) == (9, 4)
    assert isinstance(up, events.MouseUp)


def test_escape_then_a_key_typed_later_are_two_keys(terminal: Terminal) -> None:
    terminal.type("\x1b")
    assert terminal.next_event().key == "escape"  # type: ignore[attr-defined]
    terminal.type("1")
    assert terminal.next_event().key == "1"  # type: ignore[attr-defined]


def test_the_trainee_app_uses_the_quiet_driver_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = TraineeApp.__new__(TraineeApp)
    monkeypatch.setattr(constants, "DRIVER", None)
    assert app.get_driver_class() is QuietLinuxDriver
    # a browser seat (textual-serve names its driver) keeps Textual's choice
    monkeypatch.setattr(constants, "DRIVER", "textual.drivers.web_driver:WebDriver")
    assert app.get_driver_class().__name__ == "WebDriver"


class Recorder:
    """A terminal's output stream that records each write and the thread it came from."""

    def __init__(self) -> None:
        self.writes: list[tuple[int, str]] = []
        self.flushes = 0

    def write(self, text: str) -> int:
        self.writes.append((threading.get_ident(), text))
        return len(text)

    def flush(self) -> None:
        self.flushes += 1


async def test_a_frame_goes_to_the_terminal_in_one_write_from_the_drawing_thread() -> None:
    """Issue 10: each piece of a frame went through Textual's writer thread (a thread
    switch per frame that thirty busy seats waited for in turn). What is written reaches
    the terminal at the flush that ends it, whole, in order, from the caller's thread."""
    driver = QuietLinuxDriver(App())
    out = Recorder()
    driver._file = out  # type: ignore[assignment]
    for piece in ("\x1b[?2026h", "frame", "\x1b[?2026l"):
        driver.write(piece)
    assert out.writes == []
    driver.flush()
    driver.flush()  # nothing new: nothing sent
    assert out.writes == [(threading.get_ident(), "\x1b[?2026hframe\x1b[?2026l")]
    assert out.flushes == 1
    driver.exit_event.close()  # type: ignore[attr-defined]
