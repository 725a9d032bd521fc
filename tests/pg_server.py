"""A throwaway PostgreSQL server for one test session (one per xdist worker).

Found from the Debian ``postgresql`` package (``/usr/lib/postgresql/N/bin``) or ``PATH``.
PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` system
user (``runuser``), in a private temporary folder. It listens on 127.0.0.1 on a free port
with password (scram) logins, so the tests see what a real deployment sees; ``fsync`` is
off because the data is thrown away (a killed server still loses nothing committed: only
an operating-system crash would). Each test gets a fresh database of its own.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

USER = "simtrain"
DATABASE = "simtrain"


def _bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    found_versions = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    newest = sorted(found_versions, key=lambda b: (len(b.parent.name), b.parent.name))
    return newest[-1] if newest else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgServer:
    """A running server: ``url(dbname)`` for clients, ``new_database()`` per test."""

    bindir: Path
    folder: Path
    port: int
    password: str
    runas: list[str]
    durable: bool = False
    """fsync on, as in production (benchmarks); off for tests, whose data is thrown away."""
    databases: int = 0
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.folder / "server.log"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, dbname: str, *, password: str | None = None) -> str:
        secret = self.password if password is None else password
        return f"postgresql://{USER}:{secret}@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.runas, *args], capture_output=True, text=True, timeout=120, check=False
        )

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c max_connections=300"
        if not self.durable:
            options += " -F -c full_page_writes=off -c shared_buffers=16MB"
        done = self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
            "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip
        if done.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {done.stdout}{done.stderr}{log[-2000:]}")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def new_database(self) -> str:
        """A new empty simtrain database; returns its URL.

        A schema of its own in one shared database (an instant ``CREATE SCHEMA``, where
        ``CREATE DATABASE`` costs most of a second), chosen by the URL's search_path."""
        import psycopg

        self.databases += 1
        name = f"test_{os.getpid()}_{self.databases}"
        with psycopg.connect(self.url(DATABASE), autocommit=True) as admin:
            admin.execute(f'CREATE SCHEMA "{name}"')
        return self.url(DATABASE) + f"?options=-csearch_path%3D{name}"

    def close(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reap_orphans(bindir: Path, runas: list[str]) -> None:
    """Stop the servers of test sessions that died without their teardown (a killed
    pytest worker): each folder names the process that started its server."""
    for owner in Path(tempfile.gettempdir()).glob("simtrain-pg-*/owner"):
        try:
            pid = int(owner.read_text())
        except (OSError, ValueError):
            continue
        if _alive(pid):
            continue
        folder = owner.parent
        subprocess.run(
            [*runas, str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "stop"],
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def start_server(*, durable: bool = False) -> PgServer | str:
    """A started server, or the reason there can be none on this machine."""
    bindir = _bindir()
    if bindir is None:
        return "PostgreSQL is not installed (no initdb; apt-get install postgresql)"
    runas: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run PostgreSQL as"
        runas = ["runuser", "-u", "postgres", "--"]
    _reap_orphans(bindir, runas)
    folder = Path(tempfile.mkdtemp(prefix="simtrain-pg-"))
    (folder / "owner").write_text(str(os.getpid()))
    password = secrets.token_hex(12)
    pwfile = folder / "pw"
    pwfile.write_text(password + "\n")
    if owner is not None:
        for path in (folder, pwfile):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    os.chmod(folder, 0o700)
    server = PgServer(bindir, folder, _free_port(), password, runas, durable)
    done = server._run(
        str(bindir / "initdb"), "-D", str(server.data), "-U", USER, f"--pwfile={pwfile}",
        "-A", "scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync",
    )  # fmt: skip
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        return f"initdb failed: {done.stderr.strip()[-500:]}"
    for attempt in range(3):
        try:
            server.start()
            break
        except RuntimeError as exc:
            if attempt == 2:
                with contextlib.suppress(Exception):
                    server.close()
                return str(exc)
            server.port = _free_port()
    import psycopg

    with psycopg.connect(server.url("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {DATABASE}")
    return server
