"""What the machine was doing while a benchmark ran: quoted beside every figure."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO


def load_note() -> str:
    """The load averages and the core count, e.g. ``load 0.52 0.61 0.70 on 2 cores``."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


TIME = Path("/usr/bin/time")
"""GNU time: it reports its child's own peak memory."""


BYTECODE = Path(tempfile.gettempdir()) / "simtrain-bench-bytecode"
"""Where the measured commands keep their compiled bytecode (see :func:`as_installed`)."""


def as_installed() -> dict[str, str]:
    """The environment a measured command runs in: this one, with Python's bytecode cache
    on. An installed simtrain has its modules compiled (``pip install`` writes the
    ``.pyc`` files, and Python writes them on first import); a shell with
    ``PYTHONDONTWRITEBYTECODE=1`` instead makes every command compile simtrain's ~50
    modules from source, some 0.2-0.4 s that no user waits for. The cache is kept
    outside the source tree (``PYTHONPYCACHEPREFIX``) and filled once by
    :func:`compile_once`."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(BYTECODE)
    return env


def compile_once(python: str, *packages: Path) -> None:
    """Compile ``packages`` into the bytecode cache of :func:`as_installed`."""
    command = [python, "-m", "compileall", "-q", *map(str, packages)]
    subprocess.run(command, env=as_installed(), check=True, stdout=subprocess.DEVNULL)


def run_measured(command: list[str], stdout: IO[bytes] | int | None = None) -> tuple[float, float]:
    """Run ``command`` to completion: (wall seconds, its peak memory in MB).

    The peak comes from GNU time, which forks the command from its own small process:
    a child of this (large) benchmark process would report this process's memory, as
    ``ru_maxrss`` survives exec. Without GNU time the figure is that upper bound.
    The command runs with the bytecode cache on (:func:`as_installed`). Raises
    SystemExit if the command fails.
    """
    with tempfile.NamedTemporaryFile("r") as peak:
        launcher = [str(TIME), "-f", "%M", "-o", peak.name] if TIME.exists() else []
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*launcher, *command], stdout=stdout, stderr=subprocess.PIPE, env=as_installed()
        )
        _, status, usage = os.wait4(proc.pid, 0)
        took = time.perf_counter() - start
        assert proc.stderr is not None
        errors = proc.stderr.read()
        proc.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(command)} failed: {errors[-2000:]!r}")
        kilobytes = int(peak.read().split()[-1]) if launcher else usage.ru_maxrss
    return took, kilobytes / 1024
