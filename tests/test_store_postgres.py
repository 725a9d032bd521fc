"""The store contract run against the PostgreSQL backend on a throwaway server, and what
only that backend does: URLs and their errors, the server's own guards, LISTEN/NOTIFY,
ids in commit order, and a server that goes away mid-exercise."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from simtrain.store import NewEvent, Store, StoreError, open_store
from tests.pg_server import PgServer
from tests.store_contract import StoreContract, event


class TestPostgresStore(StoreContract):
    """A fresh database on the session's server per test (the same ``where``, the same
    database)."""

    @pytest.fixture(autouse=True)
    def _server(self, pg_server: PgServer) -> None:
        self.server = pg_server
        self.urls: dict[Path, str] = {}

    def open_store(self, where: Path, *, create: bool) -> Store:
        if where not in self.urls:
            self.urls[where] = self.server.new_database()
        return open_store(self.urls[where], create=create)


# -- what only the PostgreSQL store does --------------------------------------------------


@pytest.fixture
def url(pg_server: PgServer) -> str:
    return pg_server.new_database()


@pytest.fixture
def pg_store(url: str) -> Iterator[Store]:
    with open_store(url, create=True) as opened:
        opened.create_exercise(
            exercise_id="ex1", title="t", scenario_id="s", scenario_text="x", teams=["red"]
        )
        yield opened


def test_location_names_the_server_and_database_without_the_password(
    pg_server: PgServer, pg_store: Store
) -> None:
    assert pg_store.location == f"postgresql://simtrain@127.0.0.1:{pg_server.port}/simtrain"
    assert pg_server.password not in repr(pg_store)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("password", r"refused the login of user 'simtrain': wrong or missing password"),
        ("port", r"Cannot reach the PostgreSQL server at postgresql://simtrain@127\.0\.0\.1:"),
        ("dbname", r"There is no database postgresql://simtrain@127\.0\.0\.1:\d+/nope on"),
        ("query", r"is not a PostgreSQL address simtrain can read"),
    ],
)
def test_a_wrong_address_or_login_is_a_sentence_without_the_password(
    pg_server: PgServer, change: str, message: str
) -> None:
    url = {
        "password": pg_server.url("simtrain", password="wrong-secret"),
        "port": pg_server.url("simtrain").replace(f":{pg_server.port}/", f":{_closed_port()}/"),
        "dbname": pg_server.url("nope"),
        "query": pg_server.url("simtrain") + "?colour=blue",
    }[change]
    with pytest.raises(StoreError, match=message) as refused:
        open_store(url)
    assert "wrong-secret" not in str(refused.value)
    assert pg_server.password not in str(refused.value)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_empty_database_is_refused_without_create_and_another_programs_too(
    pg_server: PgServer, url: str
) -> None:
    with pytest.raises(StoreError, match="is empty: it holds no simtrain exercises"):
        open_store(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
    with pytest.raises(StoreError, match=r"another program \(it has the tables invoices"):
        open_store(url, create=True)


def test_the_server_itself_keeps_streams_gapless_and_append_only(url: str, pg_store: Store) -> None:
    pg_store.append("ex1", "team:red", 0, [event(n=1)])
    insert = (
        "INSERT INTO events (exercise, stream, seq, kind, payload, clock, wall, actor) "
        "VALUES ('ex1', 'team:red', %s, 'chose', '{}', 1, 1, 'Ana')"
    )
    with psycopg.connect(url, autocommit=True) as conn:
        for statement, params, refusal in [
            (insert, (3,), "seq must be the last seq of its stream plus 1"),
            (insert, (1,), "seq must be the last seq of its stream plus 1"),
            ("UPDATE events SET kind = 'x'", (), "append-only"),
            ("DELETE FROM events", (), "append-only"),
            ("TRUNCATE events", (), "append-only"),
        ]:
            with pytest.raises(psycopg.Error, match=refusal):
                conn.execute(statement, params or None)
    assert [e.seq for e in pg_store.read("ex1")] == [1]
    assert pg_store.integrity_check() == "ok"


def test_ids_are_taken_in_commit_order(url: str, pg_store: Store) -> None:
    """A transaction that took its id first but commits late holds back the next writer,
    so a reader that saw id N can never later find an event below N."""
    with psycopg.connect(url, autocommit=True) as slow:
        slow.execute("BEGIN")
        (slow_id,) = slow.execute(
            "INSERT INTO events (exercise, stream, seq, kind, payload, clock, wall, actor) "
            "VALUES ('ex1', 'team:red', 1, 'chose', '{}', 1, 1, 'Ana') RETURNING id"
        ).fetchone()  # type: ignore[misc]
        done: list[int] = []
        writer = threading.Thread(
            target=lambda: done.extend(
                e.id for e in pg_store.append("ex1", "clock", 0, [event(n=2)])
            )
        )
        writer.start()
        writer.join(0.5)
        assert writer.is_alive()  # waits for the exercise's lock
        slow.execute("COMMIT")
        writer.join(30)
    assert done and done[0] > slow_id
    assert [e.id for e in pg_store.read("ex1")] == [slow_id, done[0]]


def test_a_watcher_is_woken_by_another_connections_commit(url: str, pg_store: Store) -> None:
    with open_store(url) as other:
        writer = threading.Timer(0.2, lambda: other.append("ex1", "team:red", 0, [event()]))
        started = time.monotonic()
        writer.start()
        try:
            got = pg_store.wait_for_events("ex1", 0, timeout=20, poll=60)
        finally:
            writer.join()
    assert [(e.stream, e.seq) for e in got] == [("team:red", 1)]
    # woken by NOTIFY, not by the 5 s safety re-read (nor the ignored 60 s poll)
    assert time.monotonic() - started < 4.5


def test_a_server_that_goes_away_is_a_sentence_and_nothing_acknowledged_is_lost(
    pg_server: PgServer, url: str, pg_store: Store
) -> None:
    acknowledged = pg_store.append("ex1", "team:red", 0, [event(n=1), event(n=2)])
    pg_server.stop("immediate")  # as if killed: no clean shutdown
    try:
        with pytest.raises(StoreError, match="PostgreSQL server at postgresql://simtrain@") as gone:
            pg_store.append("ex1", "team:red", 2, [event(n=3)])
        assert "Traceback" not in str(gone.value)
        with pytest.raises(StoreError, match="PostgreSQL server"):
            pg_store.wait_for_events("ex1", acknowledged[-1].id, timeout=0.2)
    finally:
        pg_server.start()
    # the same store reconnects; the refused append wrote nothing, so seq 2 is still right
    written = pg_store.append("ex1", "team:red", 2, [event(n=3)])
    assert pg_store.read("ex1") == acknowledged + written
    assert pg_store.wait_for_events("ex1", acknowledged[-1].id, timeout=5) == written
    assert pg_store.integrity_check() == "ok"


def test_backup_copies_every_exercise_into_a_sqlite_file_that_keeps_the_codes(
    tmp_path: Path, url: str
) -> None:
    with open_store(url, create=True) as store:
        _, codes = store.create_exercise(
            exercise_id="ex1", title="t", scenario_id="s", scenario_text="x", teams=["red", "b"]
        )
        store.append("ex1", "team:red", 0, [event(n=1), event(n=2)])
        store.append("ex1", "clock", 0, [NewEvent("started", {}, 0.0, "facilitator")])
        assert store.backup(tmp_path / "copy.db") == 3
        with pytest.raises(StoreError, match="already exists"):
            store.backup(tmp_path / "copy.db")
        with open_store(tmp_path / "copy.db") as copy:
            assert copy.exercises() == store.exercises()
            assert [e.payload for e in copy.read("ex1")] == [e.payload for e in store.read("ex1")]
            assert copy.check_code("ex1", "red", codes["red"])
            assert copy.integrity_check() == "ok"


def test_a_streams_last_seq_is_read_as_one_index_entry_however_long_the_stream(
    url: str, pg_store: Store
) -> None:
    """An append reads its stream's last seq (in the insert trigger, and in the store's
    own check) from the index's last entry, not by going through the whole stream: a
    max() run as a cached generic plan made every append cost the stream's length, so
    ``migrate-store`` of 20,000 events took 19 s."""
    from simtrain.store.postgres import _LAST_ID_SQL, _LAST_SEQ_SQL, _LAST_SEQS_SQL

    pg_store.append("ex1", "team:red", 0, [event(n=n) for n in range(300)])
    with psycopg.connect(url, autocommit=True) as conn:

        def entries_read() -> int:
            conn.execute("SELECT pg_stat_force_next_flush()")
            row = conn.execute(
                "SELECT sum(idx_tup_read) FROM pg_stat_user_indexes WHERE relname = 'events'"
            ).fetchone()
            return int(row[0] or 0) if row else 0

        before = entries_read()
        for seq in range(301, 321):  # past the five runs after which plans are cached
            conn.execute(_LAST_SEQ_SQL, ("ex1", "team:red"))
            conn.execute(_LAST_SEQS_SQL, ("ex1", ["team:red", "clock"]))
            conn.execute(_LAST_ID_SQL, ("ex1",))
            conn.execute(
                "INSERT INTO events (exercise, stream, seq, kind, payload, clock, wall, actor) "
                "VALUES ('ex1', 'team:red', %s, 'chose', '{}', 1, 1, 'Ana')",
                (seq,),
            )
        read = entries_read() - before
    # 20 rounds of four lookups: a few entries each, where a whole stream is 300
    assert read < 20 * 4 * 5, read


def test_a_server_starting_up_is_a_sentence_of_its_own() -> None:
    from simtrain.store.postgres import _translate

    refused = psycopg.OperationalError(
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
        "FATAL:  the database system is not yet accepting connections"
    )
    message = str(_translate(refused, "postgresql://simtrain@db/courses"))
    assert message == (
        "The PostgreSQL server at postgresql://simtrain@db/courses is starting up or "
        "shutting down and takes no connections yet; try again in a moment."
    )


def test_a_lost_connection_claims_nothing_it_cannot_know() -> None:
    """A connection lost during COMMIT leaves the outcome unknown, and a seat that only
    reads showed "Nothing of this command was written" to a trainee who had sent
    nothing. The sentence says what is known: the connection is lost and simtrain
    reconnects."""
    from simtrain.store.postgres import _translate

    error = _translate(
        psycopg.OperationalError("server closed the connection unexpectedly"),
        "postgresql://simtrain@db.example/simtrain",
    )
    assert str(error) == (
        "Lost the connection to the PostgreSQL server at postgresql://simtrain@db.example/"
        "simtrain (server closed the connection unexpectedly); simtrain reconnects on the "
        "next try."
    )
