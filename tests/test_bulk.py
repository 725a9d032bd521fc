"""The cyclic collector pause of bulk decoding (simtrain.bulk)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from simtrain.bulk import collector_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_paused_inside_and_back_after_even_on_an_error() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_nested_and_concurrent_pauses_end_with_the_last_one() -> None:
    entered, leave = threading.Event(), threading.Event()

    def other() -> None:
        with collector_paused():
            entered.set()
            leave.wait(5)

    with collector_paused():
        thread = threading.Thread(target=other)
        thread.start()
        assert entered.wait(5)
        with collector_paused():
            pass
        assert not gc.isenabled()  # the inner block ended, the outer one has not
    assert not gc.isenabled()  # the other thread is still inside its block
    leave.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
