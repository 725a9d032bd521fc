"""What the machine was doing while a benchmark ran: quoted beside every figure."""

from __future__ import annotations

import os


def load_note() -> str:
    """The load averages and the core count, e.g. ``load 0.52 0.61 0.70 on 2 cores``."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"
