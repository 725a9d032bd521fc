"""Waking a waiting reader when another process commits to an SQLite file.

SQLite cannot tell one process that another committed; a reader has to look
(``PRAGMA data_version``). Looking often costs an idle seat CPU all day, looking seldom
makes news late. On Linux the kernel can tell instead: every commit writes the
database's ``-wal`` file, and ``inotify`` reports writes to files in a directory. A
waiter sleeps until something in the database's directory is written (or a fallback
interval passes, in case a write is never reported) and then looks once.

Elsewhere, or when inotify cannot be had (no libc, too many watches), :func:`changes`
gives None and the caller keeps polling.
"""

from __future__ import annotations

import os
import select
import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # ctypes is imported by the first wait: no command without a watcher pays it
    import ctypes

IN_MODIFY = 0x00000002
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000
WRITES = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE
"""What a commit (or a checkpoint, or a new ``-wal`` file) does to the directory."""

_libc: ctypes.CDLL | None = None
_unavailable = sys.platform != "linux"


def _libc_itself() -> ctypes.CDLL:
    """The C library: glibc's by its usual name, else wherever ``find_library`` says (it
    runs ``ldconfig``, and its module imports ``subprocess``: ~20 ms of every command's
    start-up and a process spawned by each seat, spent only where the name fails)."""
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        from ctypes.util import find_library

        return ctypes.CDLL(find_library("c"), use_errno=True)


def _inotify() -> ctypes.CDLL | None:
    global _libc, _unavailable
    if _unavailable:
        return None
    if _libc is None:
        import ctypes

        try:
            libc = _libc_itself()
            libc.inotify_init1.argtypes = [ctypes.c_int]
            libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        except (OSError, AttributeError):
            _unavailable = True
            return None
        _libc = libc
    return _libc


class DirectoryWrites:
    """An inotify watch on one directory: :meth:`wait` returns when a file in it is
    written, or after its timeout. Close it (or use ``with``) when done."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def wait(self, timeout: float) -> bool:
        """Sleep until a write in the directory (True) or ``timeout`` s (False)."""
        ready, _, _ = select.select([self._fd], [], [], max(timeout, 0.0))
        if not ready:
            return False
        self.forget()
        return True

    def forget(self) -> None:
        """Drop the writes reported so far (one wake for any number of writes; a watch
        kept between waits starts each wait from here)."""
        try:
            while os.read(self._fd, 65536):
                pass
        except BlockingIOError:
            pass

    def close(self) -> None:
        os.close(self._fd)

    def __enter__(self) -> DirectoryWrites:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def changes(database: Path) -> DirectoryWrites | None:
    """Watch for writes next to ``database`` (its ``-wal`` file is where commits land), or
    None where the kernel cannot tell us."""
    libc = _inotify()
    if libc is None:
        return None
    fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
    if fd < 0:
        return None
    directory = os.fsencode(database.resolve().parent)
    if libc.inotify_add_watch(fd, directory, WRITES) < 0:
        os.close(fd)
        return None
    return DirectoryWrites(fd)
