"""Seat leases kept beside an SQLite database instead of in it (issue 10: idle seats).

Every live seat renews its lease three times per lease. Written into the database, each
renewal was a commit, and every commit wakes every seat of every exercise in the file
(they sleep until the database's ``-wal`` file is written, :mod:`simtrain.store.wakeup`):
thirty seats made six wakes a second for each of them, for nothing they show. A lease is
now the modification time of one empty file per seat in the folder ``<database>-seats``
(its expiry, set with ``utime``); the folder's files are not the directory the seats
watch, so a renewal wakes nobody. The ``seats`` table keeps who sits where, the joins
and the leaves; the roster reads each live seat's expiry from both and keeps the later.

Where the folder cannot be written (or a seat's file is missing, say it joined with an
older simtrain) a renewal is written to the table as before. A folder or file that is not
the database owner's own, or that others may write, is ignored: whoever can write it
could make a seat look online.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from pathlib import Path

SUFFIX = "-seats"
"""The folder beside the database: ``ex.db`` keeps its leases in ``ex.db-seats``."""

STALE_S = 3600.0
"""How long after its lease ran out a seat's file is removed by the next seat to arrive."""

_PLAIN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")


class LeaseFiles:
    """The lease files of one database's seats."""

    def __init__(self, database: Path) -> None:
        self.folder = database.with_name(database.name + SUFFIX)

    def _file(self, seat_id: str) -> Path:
        name = seat_id if _PLAIN_ID.match(seat_id) else hashlib.sha256(seat_id.encode()).hexdigest()
        return self.folder / name

    def start(self, seat_id: str, expires: float) -> None:
        """A seat arrived: its file, expiring at Unix time ``expires`` (best effort: without
        it the seat's renewals go to the database). The files of seats whose lease ran
        out over :data:`STALE_S` ago go (a seat killed without leaving keeps its file)."""
        with contextlib.suppress(OSError):
            self.folder.mkdir(mode=0o700, exist_ok=True)
            self._prune(expires - STALE_S)
            path = self._file(seat_id)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            os.utime(path, (expires, expires))

    def renew(self, seat_id: str, expires: float) -> bool:
        """Move the seat's expiry to ``expires``; False when it has no file (it left, or
        its renewals go to the database)."""
        try:
            os.utime(self._file(seat_id), (expires, expires))
        except OSError:
            return False
        return True

    def _prune(self, before: float) -> None:
        """Remove the files whose expiry is older than Unix time ``before``. A seat still
        running whose file went renews through the database, as one without a file does."""
        with os.scandir(self.folder) as entries:
            for entry in entries:
                with contextlib.suppress(OSError):
                    if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < before:
                        os.unlink(entry.path)

    def end(self, seat_id: str) -> None:
        """The seat left: its file goes (a renewal after this finds none)."""
        with contextlib.suppress(OSError):
            self._file(seat_id).unlink()

    def expiries(self, seat_ids: list[str]) -> dict[str, float]:
        """The expiry each of ``seat_ids`` has in its file, for those that have one the
        owner alone may write."""
        if not seat_ids or not self._trusted(self.folder):
            return {}
        found: dict[str, float] = {}
        for seat_id in seat_ids:
            try:
                info = os.stat(self._file(seat_id))
            except OSError:
                continue
            if _private(info):
                found[seat_id] = info.st_mtime
        return found

    @staticmethod
    def _trusted(folder: Path) -> bool:
        try:
            info = os.stat(folder)
        except OSError:
            return False
        return stat.S_ISDIR(info.st_mode) and _private(info)


def _private(info: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (always so where there are no
    POSIX owners)."""
    if os.name != "posix":
        return True
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
