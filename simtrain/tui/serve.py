"""``simtrain serve``: the trainee UI in web browsers, through textual-serve.

Each browser tab starts its own trainee process behind the join screen, so each tab is
one seat. Only the trainee UI is served — never the facilitator console — and the server
binds the loopback address unless told otherwise.
"""

from __future__ import annotations

import errno
import shlex
import socket
import sys
from pathlib import Path

from textual_serve.server import Server

from simtrain.exercise import ExerciseError, ExerciseService

TITLE = "simtrain"
TEMPLATES = Path(__file__).resolve().parent / "templates"
"""simtrain's copy of textual-serve's page: it loads nothing from the internet (the page
asked a web-font service for its font; a class on a LAN has no internet), and picks a font
size that gives the trainee screen 80×24 in the browser window (800×600 and up)."""


def trainee_command(db: str | Path) -> str:
    """The shell command that runs one trainee seat (the join screen) on ``db``."""
    return shlex.join([sys.executable, "-m", "simtrain.tui.app", "--db", str(Path(db).resolve())])


def make_server(
    db: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    public_url: str | None = None,
) -> Server:
    """A textual-serve server that gives each browser tab a trainee seat on ``db``."""
    return Server(
        trainee_command(db),
        host=host,
        port=port,
        title=TITLE,
        public_url=public_url,
        templates_path=TEMPLATES,
    )


def check_ready(db: str, host: str, port: int) -> None:
    """Refuse, with an :class:`ExerciseError` sentence, what would make every browser seat
    fail: a database ``play`` could not open, or an address already in use."""
    ExerciseService.open(db).close()  # the same check `simtrain play --db` makes
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise ExerciseError(f"cannot serve on {host}: no such address on this machine") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        if hasattr(socket, "SO_REUSEADDR"):  # as the web server itself binds
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise ExerciseError(_bind_problem(host, port, exc)) from None


def _bind_problem(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use (another simtrain serve, or another "
            f"program); stop it or choose another port with --port"
        )
    if exc.errno == errno.EACCES:
        return f"this user may not open port {port}; choose a port above 1023 with --port"
    return f"cannot listen on {host} port {port}: {exc.strerror or exc}"


def run_serve(
    db: str, host: str = "127.0.0.1", port: int = 8000, public_url: str | None = None
) -> None:
    """Serve the trainee UI to browsers until interrupted (Ctrl+C)."""
    shown = public_url or f"http://{host}:{port}"
    print(f"Serving the trainee UI on {shown} (Ctrl+C stops it).", file=sys.stderr)
    if host not in ("127.0.0.1", "localhost", "::1") and public_url is None:
        print(
            f"Browsers on other machines need the address they can reach: add "
            f"--public-url http://<this machine's address>:{port}",
            file=sys.stderr,
        )
    try:
        make_server(db, host, port, public_url).serve()
    except OSError as exc:  # the port was taken between the check and the start
        raise ExerciseError(_bind_problem(host, port, exc)) from None
