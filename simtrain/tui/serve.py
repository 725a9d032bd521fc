"""``simtrain serve``: the trainee UI in web browsers, through textual-serve.

Each browser tab starts its own trainee process behind the join screen, so each tab is
one seat. Only the trainee UI is served — never the facilitator console — and the server
binds the loopback address unless told otherwise.

What textual-serve leaves open, :class:`SeatServer` closes (docs/security.md):

- **Other web pages.** A page on any site could open the websocket and get a seat (and
  a trainee process). Requests must name a host this server answers to (so a DNS
  rebinding name is refused), and a browser's ``Origin`` must be this server's own.
- **Seats without end.** Each websocket starts a process of about 60 MB: at most
  ``max_seats`` run at once; beyond that the page is a plain refusal.
- **Anyone on the network.** Bound beyond loopback, every page and websocket needs the
  access token printed at start (``/?token=…``, kept in a same-site cookie after the
  first page), unless ``--no-token`` was given explicitly.
"""

from __future__ import annotations

import errno
import hmac
import ipaddress
import os
import secrets
import shlex
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

from simtrain.exercise import ExerciseError, ExerciseService
from simtrain.text import split_password

TITLE = "simtrain"
TEMPLATES = Path(__file__).resolve().parent / "templates"
"""simtrain's copy of textual-serve's page: it loads nothing from the internet (the page
asked a web-font service for its font; a class on a LAN has no internet), and picks a font
size that gives the trainee screen 80×24 in the browser window (800×600 and up)."""
DEFAULT_MAX_SEATS = 40
"""Seats served at once unless ``--max-seats`` says otherwise (each is a process)."""
TOKEN_COOKIE = "simtrain_token"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def trainee_command(db: str | Path) -> str:
    """The shell command that runs one trainee seat (the join screen) on ``db``.

    A SQLite file is named by its absolute path. A server URL (``postgresql://…``) is
    passed without its password, which moves to ``PGPASSWORD`` in this process's
    environment (every seat inherits it), so no password shows in the process list.
    """
    if isinstance(db, str) and "://" in db:
        where, password = split_password(db)
        if password is not None:
            os.environ["PGPASSWORD"] = password
    else:
        where = str(Path(db).resolve())
    return shlex.join([sys.executable, "-m", "simtrain.tui.app", "--db", where])


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` serves this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _netlocs(host: str, port: int) -> set[str]:
    """``host:port`` as it may appear in a Host header (IPv6 in brackets; the port may be
    left out when it is the scheme's default)."""
    name = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return {f"{name}:{port}".lower(), *([name.lower()] if port in (80, 443) else [])}


def _page(title: str, text: str, status: int) -> web.Response:
    """A plain HTML page with one sentence (no script, nothing loaded from elsewhere)."""
    body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>simtrain</title></head>"
        f"<body style='font-family:sans-serif;max-width:40em;margin:4em auto'>"
        f"<h1>{title}</h1><p>{text}</p></body></html>"
    )
    return web.Response(text=body, status=status, content_type="text/html")


class SeatServer(Server):
    """textual-serve with an Origin and Host check, a seat cap and an access token."""

    def __init__(
        self,
        command: str,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        public_url: str | None = None,
        max_seats: int = DEFAULT_MAX_SEATS,
        token: str | None = None,
    ) -> None:
        super().__init__(
            command,
            host=host,
            port=port,
            title=TITLE,
            public_url=public_url,
            templates_path=TEMPLATES,
        )
        if max_seats < 1:
            raise ValueError("max_seats must be at least 1")
        self.max_seats = max_seats
        self.token = token
        """Required on every page and websocket when set (None: no token)."""
        self.seats = 0
        """Websockets (trainee processes) running now."""
        self.refused_seats = 0
        hosts = {urlsplit(self.public_url).netloc.lower()}
        if is_loopback(host):
            for name in LOOPBACK_NAMES:
                hosts |= _netlocs(name, port)
        elif host not in ("0.0.0.0", "::", ""):
            hosts |= _netlocs(host, port)
        self.hosts: frozenset[str] | None = (
            frozenset(hosts) if is_loopback(host) or public_url else None
        )
        """Host headers answered; None (bound to every address, no public URL): any, as
        the token guards that case."""

    # -- the checks ----------------------------------------------------------------------------
    def refusal(self, request: web.Request) -> web.Response | None:
        """Why ``request`` may not reach the trainee UI (a response), or None."""
        host = request.headers.get("Host", "").lower()
        if self.hosts is not None and host not in self.hosts:
            return _page("Unknown address", "This server does not answer to that name.", 403)
        origin = request.headers.get("Origin")
        if origin is not None:
            parts = urlsplit(origin)
            allowed = {urlsplit(self.public_url).netloc.lower(), host}
            if parts.scheme not in ("http", "https") or parts.netloc.lower() not in allowed:
                return _page(
                    "Refused", "Seats open only from this server's own page, not another.", 403
                )
        if self.token is not None and not self._token_ok(request):
            return _page(
                "Access token needed",
                "Open the address with the token the facilitator gave you "
                "(it ends in <code>?token=…</code>).",
                403,
            )
        return None

    def _token_ok(self, request: web.Request) -> bool:
        assert self.token is not None
        given = request.query.get("token") or request.cookies.get(TOKEN_COOKIE) or ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    def full(self) -> web.Response:
        """The plain page shown when every seat is taken."""
        self.refused_seats += 1
        return _page(
            "Every seat is taken",
            f"All {self.max_seats} seats of this server are in use. Ask your facilitator, "
            "or try again when someone leaves.",
            503,
        )

    # -- wiring into textual-serve ----------------------------------------------------------------
    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/static/"):
            return await handler(request)  # textual-serve's own script and fonts
        refused = self.refusal(request)
        if refused is not None:
            return refused
        if request.path == "/" and self.seats >= self.max_seats:
            return self.full()
        response = await handler(request)
        if self.token is not None and request.query.get("token"):
            # the page's websocket and later visits carry the token in a cookie that
            # other sites' pages never send
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="Strict")
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if self.seats >= self.max_seats:
            self.refused_seats += 1
            raise web.HTTPServiceUnavailable(text="Every seat is taken.")
        self.seats += 1
        try:
            return await super().handle_websocket(request)
        finally:
            self.seats -= 1

    async def on_startup(self, app: web.Application) -> None:
        """Say where the seats are (textual-serve's banner would print the command)."""


def make_server(
    db: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    public_url: str | None = None,
    *,
    max_seats: int = DEFAULT_MAX_SEATS,
    token: str | None = None,
) -> SeatServer:
    """A server that gives each browser tab a trainee seat on ``db``."""
    return SeatServer(
        trainee_command(db),
        host=host,
        port=port,
        public_url=public_url,
        max_seats=max_seats,
        token=token,
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
    db: str,
    host: str = "127.0.0.1",
    port: int = 8000,
    public_url: str | None = None,
    *,
    max_seats: int = DEFAULT_MAX_SEATS,
    no_token: bool = False,
) -> None:
    """Serve the trainee UI to browsers until interrupted (Ctrl+C).

    Bound beyond loopback, a fresh access token is required unless ``no_token``."""
    token = None if is_loopback(host) or no_token else secrets.token_urlsafe(18)
    server = make_server(db, host, port, public_url, max_seats=max_seats, token=token)
    shown = server.public_url + (f"/?token={token}" if token else "")
    print(
        f"Serving the trainee UI on {shown} (up to {max_seats} seats; Ctrl+C stops it).",
        file=sys.stderr,
    )
    if token:
        print(
            "Give trainees this whole address: without the token the page is refused.",
            file=sys.stderr,
        )
    elif not is_loopback(host):
        print(
            "Warning: --no-token: anyone who can reach this address can take a seat "
            "(they still need a team's join code).",
            file=sys.stderr,
        )
    if not is_loopback(host) and public_url is None:
        print(
            f"Browsers on other machines need the address they can reach: add "
            f"--public-url http://<this machine's address>:{port}",
            file=sys.stderr,
        )
    try:
        server.serve()
    except OSError as exc:  # the port was taken between the check and the start
        raise ExerciseError(_bind_problem(host, port, exc)) from None
