"""A terminal driver whose input thread sleeps until there is input.

Textual's Linux driver looks at the terminal ten times a second whether or not anything
was typed: it needs a clock for one thing only, telling the Esc key from the start of an
escape sequence (an arrow key, F9, a mouse report), which arrive as the same first byte.
Those ten wakes a second were a fifth of what an idle seat cost. This driver's input
thread blocks until the terminal has bytes; only while an escape sequence is half-read
does it wait with a timeout, the parser's own (Textual's ``ESCAPE_DELAY``), after which
the lone Esc is delivered as Textual would. Stopping the thread (quitting, Ctrl+Z) wakes
it through a pipe.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import threading
from codecs import getincrementaldecoder
from collections.abc import Callable

from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

FALLBACK_POLL_S = 0.1
"""How often to look when the parser's timeout cannot be read (Textual's own interval)."""


class WakingEvent(threading.Event):
    """A threading event that also makes a pipe readable when set, so a thread blocked in
    ``select`` on that pipe wakes up to see it."""

    def __init__(self) -> None:
        super().__init__()
        self.wake_fd, self._write_fd = os.pipe()
        os.set_blocking(self.wake_fd, False)
        os.set_blocking(self._write_fd, False)

    def set(self) -> None:
        super().set()
        # a full pipe is readable already; a closed one went with the driver
        with contextlib.suppress(OSError):
            os.write(self._write_fd, b"!")

    def drain(self) -> None:
        """Forget the wakes so far."""
        try:
            while os.read(self.wake_fd, 512):
                pass
        except OSError:  # nothing more to read (or the pipe is closed)
            pass

    def close(self) -> None:
        """Close the pipe (once the thread that reads it has stopped)."""
        for fd in (self.wake_fd, self._write_fd):
            with contextlib.suppress(OSError):  # closed already
                os.close(fd)


class InputLoop:
    """Reads a terminal's bytes from ``fileno`` and hands each parsed event to
    ``deliver``, until ``stop`` is set; between keys it sleeps in ``select`` with no
    timeout unless an escape sequence is pending."""

    def __init__(
        self,
        fileno: int,
        stop: WakingEvent,
        deliver: Callable[[Message], None],
        *,
        debug: bool = False,
    ) -> None:
        self.fileno = fileno
        self.stop = stop
        self.deliver = deliver
        self.parser = XTermParser(debug)
        self.wakes = 0
        """How many times the thread woke up (input, a timeout or a stop)."""

    def timeout(self) -> float | None:
        """How long to sleep: until the pending escape sequence times out, else for ever."""
        if not hasattr(self.parser, "_timeout_time"):
            return FALLBACK_POLL_S  # a Textual that keeps it elsewhere: poll as it does
        pending = self.parser._timeout_time
        if pending is None:
            return None
        return max(0.0, float(pending) - get_time())

    def run(self) -> None:
        """Read and deliver until stopped."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ, "input")
        selector.register(self.stop.wake_fd, selectors.EVENT_READ, "stop")
        decode = getincrementaldecoder("utf-8")().decode
        feed, tick, deliver = self.parser.feed, self.parser.tick, self.deliver
        reading = True
        try:
            while not self.stop.is_set():
                ready = selector.select(self.timeout())
                self.wakes += 1
                for key, _ in ready:
                    if key.data == "stop":
                        self.stop.drain()
                        continue
                    data = decode(os.read(self.fileno, 4096))
                    if not data:  # end of input (stdin is not a terminal): stop looking
                        if reading:
                            selector.unregister(self.fileno)
                            reading = False
                        continue
                    for event in feed(data):
                        deliver(event)
                for event in tick():
                    deliver(event)
        finally:
            selector.close()
            try:
                for event in feed(""):
                    deliver(event)
            except (EOFError, ParseError):
                pass


class QuietLinuxDriver(LinuxDriver):
    """Textual's Linux driver with an input thread that sleeps until there is input, and
    frames written by the thread that draws them."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.exit_event = WakingEvent()
        self._out: list[str] = []

    def write(self, data: str) -> None:
        """Keep ``data`` for the next :meth:`flush` (Textual flushes after each frame and
        after each run of control sequences)."""
        self._out.append(data)

    def flush(self) -> None:
        """Send what was written since the last flush to the terminal, in one write from
        the calling thread. Textual's driver hands each piece of a frame (three per frame)
        to a writer thread instead: every arriving message cost a seat two more thread
        switches, which thirty busy seats on two cores each waited for in turn. A
        terminal that stops reading blocks the seat here, as Textual's blocks once its
        queue is full."""
        terminal = self._file
        if self._out and terminal is not None:  # (None: Python was started without one)
            text = "".join(self._out)
            self._out.clear()
            terminal.write(text)
            terminal.flush()

    def run_input_thread(self) -> None:
        """Wait for input and dispatch events (replaces Textual's 10 Hz loop)."""
        stop = self.exit_event
        assert isinstance(stop, WakingEvent)
        stop.drain()  # a stop from an earlier thread (before Ctrl+Z) is over
        InputLoop(self.fileno, stop, self.process_message, debug=self._debug).run()

    def close(self) -> None:
        super().close()
        if isinstance(self.exit_event, WakingEvent):
            self.exit_event.close()
