"""Building many objects at once without the cyclic garbage collector in the way.

Python's cyclic collector runs after every few hundred new container objects, and each
of its full passes walks every live object. A command that decodes 100 teams' saved
states or reads 200,000 events builds millions of small tuples and dicts while millions
already live, so the collector walked the same heap over and over: with it paused,
rebuilding 160,000 path steps took 0.1 s instead of 0.6–0.9 s, and the report of 100
teams × 2,000 events about half its time (docs/benchmarks.md). Nothing is leaked:
reference counting still frees every object as usual, and any cycle made meanwhile is
collected once the collector is back.

Pure: no simtrain import; safe to nest and to enter from several threads at once (the
collector comes back when the last one leaves, if it was on when the first came in).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the ``with`` block (see the module)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
