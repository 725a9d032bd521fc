"""The PostgreSQL layout of a simtrain database, its version marker and its migrations.

The same tables as the SQLite file (see :mod:`simtrain.store.schema`), and the same rules
enforced by the server itself, whoever writes:

- ``UNIQUE (exercise, stream, seq)`` and a trigger refusing any seq other than the
  stream's last seq + 1: streams are gapless;
- triggers refusing ``UPDATE``, ``DELETE`` and ``TRUNCATE`` on ``events``: append-only;
- ids are taken by the insert trigger while it holds the exercise's row lock (kept until
  ``COMMIT``), so one exercise's ids are taken, and become visible, in commit order: a
  reader at cursor 6 can never later find an event 5 that was still committing.

A database carries ``simtrain_meta`` with ``app = 'simtrain'`` and ``schema_version = N``,
the number of :data:`MIGRATIONS` applied. Opening applies the missing ones in one
transaction under an advisory lock, so concurrent openers apply each exactly once and a
failed migration changes nothing (PostgreSQL's DDL is transactional).
"""

from __future__ import annotations

from typing import Any

from simtrain.store.errors import StoreError
from simtrain.store.schema import APP, SEQ_CONFLICT

NOTIFY_CHANNEL = "simtrain_events"
"""Every commit that appends events notifies this channel with the exercise id."""

_MIGRATION_LOCK = 0x51_77_A1_17
"""The advisory lock key that serialises migrations of one database."""


def _event_follows(create: str, last_seq: str) -> str:
    """The insert trigger's function: the exercise's lock, the gapless check (with
    ``last_seq``, the query that puts the stream's last seq into ``last_seq``), the id."""
    return f"""
{create} FUNCTION simtrain_event_follows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
BEGIN
    -- One writer per exercise until its COMMIT, so ids are taken in commit order.
    PERFORM 1 FROM exercises WHERE id = NEW.exercise FOR NO KEY UPDATE;
    {last_seq}
    IF NEW.seq IS DISTINCT FROM coalesce(last_seq, 0) + 1 THEN
        RAISE EXCEPTION '{SEQ_CONFLICT}';
    END IF;
    NEW.id := nextval('events_id_seq');
    -- delivered at COMMIT, once per transaction and exercise
    PERFORM pg_notify('{NOTIFY_CHANNEL}', NEW.exercise);
    RETURN NEW;
END $$;
"""


_MAX_SEQ = (
    "SELECT max(seq) INTO last_seq FROM events\n"
    "        WHERE exercise = NEW.exercise AND stream = NEW.stream;"
)
"""Version 1's lookup (see version 4)."""
_LAST_SEQ = (
    "SELECT seq INTO last_seq FROM events\n"
    "        WHERE exercise = NEW.exercise AND stream = NEW.stream ORDER BY seq DESC LIMIT 1;"
)

_V1 = f"""
CREATE TABLE exercises (
    id text PRIMARY KEY,
    title text NOT NULL,
    scenario_id text NOT NULL,
    scenario_text text NOT NULL,
    scenario_sha256 text NOT NULL,
    created_wall double precision NOT NULL,
    settings text NOT NULL
);
CREATE TABLE teams (
    exercise text NOT NULL REFERENCES exercises (id),
    name text NOT NULL,
    position integer NOT NULL,
    code_hash text NOT NULL,
    code_salt text NOT NULL,
    PRIMARY KEY (exercise, name)
);
CREATE SEQUENCE events_id_seq AS bigint;
CREATE TABLE events (
    id bigint PRIMARY KEY,
    exercise text NOT NULL REFERENCES exercises (id),
    stream text NOT NULL,
    seq bigint NOT NULL CHECK (seq >= 1),
    kind text NOT NULL,
    payload text NOT NULL,
    clock double precision NOT NULL,
    wall double precision NOT NULL,
    actor text NOT NULL,
    role text,
    UNIQUE (exercise, stream, seq)
);
ALTER SEQUENCE events_id_seq OWNED BY events.id;
CREATE INDEX events_exercise_id ON events (exercise, id);

{_event_follows("CREATE", _MAX_SEQ)}
CREATE TRIGGER events_seq_follows BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION simtrain_event_follows();

CREATE FUNCTION simtrain_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END $$;
CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION simtrain_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION simtrain_append_only();
"""

_V2 = """
CREATE TABLE seats (
    id text PRIMARY KEY,
    position bigserial,
    exercise text NOT NULL REFERENCES exercises (id),
    team text NOT NULL,
    name text NOT NULL,
    role text NOT NULL,
    kind text NOT NULL,
    joined_wall double precision NOT NULL,
    seen_wall double precision NOT NULL,
    expires_wall double precision NOT NULL,
    left_wall double precision
);
CREATE INDEX seats_exercise_team ON seats (exercise, team);
"""
"""Version 2: the roster, state rather than history (a heartbeat updates a row in place)."""

_V3 = """
CREATE TABLE saved_states (
    exercise text NOT NULL REFERENCES exercises (id),
    stream text NOT NULL,
    seq bigint NOT NULL CHECK (seq >= 1),
    key text NOT NULL,
    state text NOT NULL,
    PRIMARY KEY (exercise, stream)
);
"""
"""Version 3: saved states, a cache beside the log (see :mod:`simtrain.store.schema`)."""

_V4 = _event_follows("CREATE OR REPLACE", _LAST_SEQ)
"""Version 4: the insert trigger reads a stream's last seq as one index entry. Its
``max(seq)`` ran as a generic plan (plpgsql caches one) that aggregated the whole stream,
so each append cost the stream's length: restoring 20,000 events took 19 s."""

MIGRATIONS: list[str] = [_V1, _V2, _V3, _V4]
"""Every schema change ever made, oldest first; never reorder or remove an entry."""

TRIGGERS = ("events_seq_follows", "events_no_change", "events_no_truncate")
"""The triggers the integrity check expects on ``events``."""


def inspect(conn: Any, where: str, *, create: bool) -> int:
    """The database's schema version (0 when empty); refuses databases that are not ours."""
    tables = {
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
    }
    if not tables:
        if not create:
            raise StoreError(f"The database {where} is empty: it holds no simtrain exercises.")
        return 0
    meta: dict[str, str] = {}
    if "simtrain_meta" in tables:
        meta = {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM simtrain_meta")}
    if meta.get("app") != APP:
        shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        raise StoreError(
            f"The database {where} belongs to another program (it has the tables {shown} "
            "but no simtrain marker). simtrain will not change it; use a database of its own."
        )
    try:
        version = int(meta.get("schema_version", ""))
    except ValueError:
        raise StoreError(
            f"The database {where} has a damaged simtrain marker (schema_version is "
            f"{meta.get('schema_version')!r}). Restore it from a backup."
        ) from None
    if version > len(MIGRATIONS):
        raise StoreError(
            f"The database {where} was written by a newer simtrain (schema version "
            f"{version}; this simtrain knows up to {len(MIGRATIONS)}). Upgrade simtrain."
        )
    return version


def prepare(conn: Any, where: str, *, create: bool) -> None:
    """Check that the database is simtrain's (or empty and ``create``), then migrate it.

    ``conn`` is a psycopg connection in autocommit mode."""
    if inspect(conn, where, create=create) == len(MIGRATIONS):
        return
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        # another process may have migrated between the check and the lock
        version = inspect(conn, where, create=True)
        if version == 0:
            conn.execute("CREATE TABLE simtrain_meta (key text PRIMARY KEY, value text NOT NULL)")
            conn.execute("INSERT INTO simtrain_meta (key, value) VALUES ('app', %s)", (APP,))
        for migration in MIGRATIONS[version:]:
            conn.execute(migration)
        conn.execute(
            "INSERT INTO simtrain_meta (key, value) VALUES ('schema_version', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            (str(len(MIGRATIONS)),),
        )
