"""Rows in and out of a store, shared by every backend: checking what a caller hands in
(exercise ids, team names, settings, events) and turning stored text back into records.

Private to :mod:`simtrain.store`; the backends import these helpers so that SQLite and
PostgreSQL refuse the same inputs with the same sentences.
"""

from __future__ import annotations

import json
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any, Self

import msgspec

from simtrain.plaintext import clean_line, clean_text, has_control, json_has_control, scrub
from simtrain.store.errors import StoreError
from simtrain.store.records import ExerciseCopy, ExerciseRecord, NewEvent, StoredEvent
from simtrain.text import did_you_mean

_ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_EXERCISE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_TEAM_NAME = re.compile(
    r"[^\s\x00-\x1f\x7f-\x9f](?:[^\x00-\x1f\x7f-\x9f]{0,62}[^\s\x00-\x1f\x7f-\x9f])?"
)

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_decode = json.JSONDecoder().raw_decode
_fast_decode = msgspec.json.Decoder().decode


def read_json(text: str) -> Any:
    """The compact JSON the store writes (payloads, settings, saved states) as Python
    values, read by msgspec at about three times the speed of Python's own reader: a
    report reads hundreds of thousands of payloads, ``status`` a hundred saved states of
    tens of kilobytes. What msgspec refuses (an integer past 64 bits, text after the
    value: a row edited by hand) is read by Python's reader as before."""
    try:
        return _fast_decode(text)
    except msgspec.DecodeError:
        return _decode(text)[0]


_EncodedEvent = tuple[str, str, float, float | None, str, str | None]
"""kind, payload JSON, clock, wall or None, actor, role."""


def _checked_exercise_id(exercise_id: str) -> str:
    if not _EXERCISE_ID.fullmatch(exercise_id):
        raise StoreError(
            f"'{exercise_id}' is not a usable exercise id: use up to 64 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit."
        )
    return exercise_id


def _new_exercise_id() -> str:
    """A short random exercise id such as ``"ex-k7qf3m"`` (the caller checks it is unused)."""
    import secrets  # with random and base64: only where an exercise is created

    return "ex-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(6))


def _hint(wanted: str, known: list[str], what: str) -> str:
    """The end of a "no such thing" sentence: a close match, or what there is."""
    hint = did_you_mean(wanted, known)
    if hint:
        return hint + "."
    if not known:
        return f"; it has no {what} yet."
    shown = ", ".join(known[:8]) + (", …" if len(known) > 8 else "")
    return f"; its {what}: {shown}."


def _no_exercise(exercise_id: str, location: str, known: list[str]) -> StoreError:
    """ "There is no exercise 'x' in LOCATION (did you mean …)", the same for every backend."""
    message = f"There is no exercise '{exercise_id}' in {location}"
    return StoreError(message + _hint(exercise_id, known, "exercises"))


def _no_team(exercise_id: str, team: str, known: list[str]) -> StoreError:
    """ "Exercise 'x' has no team 'y' (did you mean …)"."""
    message = f"Exercise '{exercise_id}' has no team '{team}'"
    return StoreError(message + _hint(team, known, "teams"))


def _already_there(exercise_id: str, location: str, outcome: str) -> StoreError:
    """An exercise id already taken; ``outcome`` says what happened instead."""
    return StoreError(f"Exercise '{exercise_id}' already exists in {location}; {outcome}")


class _StoreBase(ABC):
    """What every backend does the same way: ``with``, and :meth:`append` as one batch of
    :meth:`append_many` (which each backend implements)."""

    @abstractmethod
    def close(self) -> None:
        """Release the backend's connection."""

    @abstractmethod
    def append_many(
        self,
        exercise_id: str,
        batches: Sequence[tuple[str, int, Sequence[NewEvent]]],
        *,
        unchanged: Sequence[tuple[str, int]] = (),
    ) -> list[StoredEvent]:
        """Append several streams' batches in one transaction (see the Store protocol)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def append(
        self,
        exercise_id: str,
        stream: str,
        expected_seq: int,
        events: Sequence[NewEvent],
        *,
        unchanged: Sequence[tuple[str, int]] = (),
    ) -> list[StoredEvent]:
        """Append events to a stream whose last seq the caller saw as ``expected_seq``.

        The events get seq ``expected_seq + 1``, ``+ 2``…; all are written or none. If
        the stream's last seq is not ``expected_seq`` (someone else appended first),
        raises :class:`ConcurrencyError` and writes nothing. No events: nothing happens.

        ``unchanged``: ``(stream, seq)`` pairs the caller's decision rests on (such as the
        exercise clock it checked): each stream must still be at that seq when the events
        are written, checked in the same transaction; otherwise ConcurrencyError, nothing
        written.
        """
        return self.append_many(exercise_id, ((stream, expected_seq, events),), unchanged=unchanged)


def _checked_team_names(teams: Sequence[str]) -> tuple[str, ...]:
    if isinstance(teams, str):
        raise TypeError("teams must be a sequence of names, not one string")
    names = tuple(teams)
    if not names:
        raise StoreError("An exercise needs at least one team.")
    seen: dict[str, str] = {}
    for name in names:
        if not isinstance(name, str) or not _TEAM_NAME.fullmatch(name):
            raise StoreError(
                f"{name!r} is not a usable team name: use 1 to 64 characters, without "
                "leading or trailing spaces."
            )
        folded = name.casefold()
        if folded in seen:
            twin = seen[folded]
            same = "twice" if twin == name else f"and '{twin}' (names differ only by case)"
            raise StoreError(f"Team '{name}' is named {same}; give every team its own name.")
        seen[folded] = name
    return names


def _encode_settings(settings: dict[str, Any] | None) -> str:
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        raise TypeError(f"settings must be a dict, not {type(settings).__name__}")
    try:
        return _dumps(settings)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"exercise settings are not plain JSON: {exc}") from exc


def _save_states_sql(mark: str) -> str:
    """The upsert of one saved state, with the driver's placeholder ``mark``: parameters
    exercise, stream, seq, key, state, then exercise, stream, seq again (kept only when
    the stream has reached ``seq``; replaces a row of the same or a lower seq, or of
    another key)."""
    values = ", ".join([mark] * 5)
    return (
        f"INSERT INTO saved_states (exercise, stream, seq, key, state) SELECT {values} "
        f"WHERE (SELECT max(seq) FROM events WHERE exercise = {mark} AND stream = {mark}) "
        f">= {mark} ON CONFLICT (exercise, stream) DO UPDATE SET seq = excluded.seq, "
        "key = excluded.key, state = excluded.state "
        "WHERE excluded.seq >= saved_states.seq OR excluded.key <> saved_states.key"
    )


def _saved_state_rows(
    exercise_id: str, key: str, states: Sequence[tuple[str, int, str]]
) -> list[tuple[Any, ...]]:
    """The parameters of :func:`_save_states_sql` for each ``(stream, seq, state)``."""
    if not isinstance(key, str) or not key:
        raise ValueError(f"a saved state needs a key (a non-empty string), not {key!r}")
    rows = []
    for stream, seq, state in states:
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
            raise ValueError(f"the seq of a saved state must be an int >= 1, not {seq!r}")
        if not isinstance(stream, str) or not isinstance(state, str):
            raise TypeError("a saved state's stream and state must be strings")
        rows.append((exercise_id, stream, seq, key, state, exercise_id, stream, seq))
    return rows


_SAVED_STATES_TEMPLATE = (
    "SELECT stream, seq, state FROM saved_states WHERE exercise = {0} AND key = {0}"
)
"""The saved states of one exercise under one key, with the driver's placeholder."""


_READ_COLUMNS = "id, stream, seq, kind, payload, clock, wall, actor, role"
"""The columns every read of events returns, in the order :func:`_stored_events` takes."""
_NO_SEQ_LIMIT = 2**62
"""A seq beyond any stream's last (``read_kinds`` without ``until_seq``)."""


def _read_kinds_sql(
    mark: str,
    exercise_id: str,
    stream: str,
    kinds: Sequence[str],
    until_seq: int | None,
    limit: int | None,
    newest: bool,
    since_seq: int = 1,
) -> tuple[str, tuple[Any, ...]] | None:
    """The statement of :meth:`Store.read_kinds` with the driver's placeholder ``mark``
    and its parameters (``None`` when it can find nothing: no kinds, a limit of 0). Rows
    come in seq order, except with ``newest`` (reversed by the caller)."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ValueError(f"limit must be an int >= 0, not {limit!r}")
    for name, seq in (("until_seq", until_seq), ("since_seq", since_seq)):
        if seq is not None and (isinstance(seq, bool) or not isinstance(seq, int)):
            raise ValueError(f"{name} must be an int, not {seq!r}")
    kinds = list(kinds)
    if not kinds or limit == 0:
        return None
    sql = (
        f"SELECT {_READ_COLUMNS} FROM events WHERE exercise = {mark} AND stream = {mark} "
        f"AND seq >= {mark} AND seq <= {mark} AND kind IN ({', '.join([mark] * len(kinds))}) "
        f"ORDER BY seq{' DESC' if newest else ''}"
    )
    until = _NO_SEQ_LIMIT if until_seq is None else until_seq
    params: tuple[Any, ...] = (exercise_id, stream, since_seq, until, *kinds)
    if limit is not None:
        sql += f" LIMIT {mark}"
        params += (limit,)
    return sql, params


def _checked_seq(expected: int) -> int:
    if isinstance(expected, bool) or not isinstance(expected, int) or expected < 0:
        raise ValueError(f"expected_seq must be an int >= 0, not {expected!r}")
    return expected


def _encode(event: NewEvent) -> _EncodedEvent:
    """Validate an event and turn its payload into JSON text, before taking any lock."""
    if not isinstance(event, NewEvent):
        raise TypeError(f"expected a NewEvent, not {type(event).__name__}")
    kind, payload, clock, actor, role, wall = (
        event.kind,
        event.payload,
        event.clock,
        event.actor,
        event.role,
        event.wall,
    )
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"an event needs a kind (a non-empty string), not {kind!r}")
    if not isinstance(payload, dict):
        raise TypeError(f"the payload of a {kind!r} event must be a dict")
    try:
        # no terminal control sequence is ever stored: they would reach other people's
        # screens. The text is written once and searched; only a suspect one is scrubbed.
        payload_json = _dumps(payload)
        if json_has_control(payload_json):
            payload_json = _dumps(scrub(payload))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the payload of a {kind!r} event is not plain JSON: {exc}") from exc
    if isinstance(clock, bool) or not isinstance(clock, int | float) or not math.isfinite(clock):
        raise ValueError(f"the clock of a {kind!r} event must be a finite number, not {clock!r}")
    if isinstance(actor, str):
        actor = clean_text(actor)
    if not isinstance(actor, str) or not actor:
        raise ValueError(f"a {kind!r} event needs an actor (a non-empty string)")
    if role is not None and not isinstance(role, str):
        raise ValueError(f"the role of a {kind!r} event must be a string or None")
    if wall is not None and (
        isinstance(wall, bool) or not isinstance(wall, int | float) or not math.isfinite(wall)
    ):
        raise ValueError(f"the wall time of a {kind!r} event must be a finite number or None")
    return kind, payload_json, float(clock), None if wall is None else float(wall), actor, role


def _appended(
    exercise_id: str,
    encoded: Sequence[tuple[str, int, Sequence[_EncodedEvent]]],
    ids: Sequence[int],
    now: float,
) -> list[StoredEvent]:
    """The records of events just appended as ``(stream, expected_seq, encoded events)``
    batches that received ``ids`` in order, committed at wall time ``now``."""
    stored: list[StoredEvent] = []
    next_id = iter(ids)
    for stream, expected, rows in encoded:
        for seq, (kind, payload, clock, wall, actor, role) in enumerate(rows, expected + 1):
            stored.append(
                StoredEvent(
                    next(next_id),
                    exercise_id,
                    stream,
                    seq,
                    kind,
                    read_json(payload),
                    clock,
                    now if wall is None else wall,
                    actor,
                    role,
                )
            )
    return stored


def _stored_events(exercise_id: str, rows: Iterable[Sequence[Any]]) -> list[StoredEvent]:
    """Records from ``(id, stream, seq, kind, payload, clock, wall, actor, role)`` rows.

    Rows written by an older simtrain or by hand may hold control characters: none leaves
    the store. The payloads and actors of the whole read are searched once each (joined by
    newlines, which neither search flags) rather than row by row; only a read with a
    suspect text looks at each row and scrubs the ones that need it."""
    rows = rows if isinstance(rows, list) else list(rows)
    decode = read_json
    suspect = json_has_control("\n".join([row[4] for row in rows])) or has_control(
        "\n".join([row[7] for row in rows])
    )
    return [
        StoredEvent(id_, exercise_id, st, seq, kind, decode(payload), clock, wall, actor, role)
        if not (suspect and (json_has_control(payload) or has_control(actor)))
        else _scrubbed(id_, exercise_id, st, seq, kind, payload, clock, wall, actor, role)
        for id_, st, seq, kind, payload, clock, wall, actor, role in rows
    ]


def _scrubbed(
    id_: int,
    exercise_id: str,
    stream: str,
    seq: int,
    kind: str,
    payload: str,
    clock: float,
    wall: float,
    actor: str,
    role: str | None,
) -> StoredEvent:
    """A stored row whose text may hold control characters, with them removed."""
    return StoredEvent(
        id_,
        exercise_id,
        stream,
        seq,
        kind,
        scrub(read_json(payload)),
        clock,
        wall,
        clean_text(actor),
        role,
    )


def _exercise_record(row: tuple[Any, ...], teams: Sequence[str]) -> ExerciseRecord:
    return ExerciseRecord(
        id=row[0],
        title=clean_line(row[1]),
        scenario_id=row[2],
        scenario_text=row[3],
        scenario_sha256=row[4],
        created_wall=row[5],
        settings=read_json(row[6]),
        teams=tuple(teams),
    )


_RESTORED_COLUMNS = {
    "exercises": (
        "id", "title", "scenario_id", "scenario_text", "scenario_sha256", "created_wall",
        "settings",
    ),
    "teams": ("exercise", "name", "position", "code_hash", "code_salt"),
    "seats": (
        "id", "exercise", "team", "name", "role", "kind", "joined_wall", "seen_wall",
        "expires_wall", "left_wall",
    ),
}  # fmt: skip


def _restore_sql(mark: str) -> dict[str, str]:
    """The INSERT for each table a restored exercise writes besides its events, with the
    driver's placeholder ``mark``."""
    return {
        table: f"INSERT INTO {table} ({', '.join(columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
        for table, columns in _RESTORED_COLUMNS.items()
    }


def _copy_rows(
    copy: ExerciseCopy,
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows of an exported exercise: its exercise row, team rows, event rows
    ``(exercise, stream, seq, kind, payload, clock, wall, actor, role)`` in order, and
    seat rows, in the columns of :func:`_restore_sql`."""
    record, exercise_id = copy.record, copy.record.id
    exercise_row = (
        exercise_id, record.title, record.scenario_id, record.scenario_text,
        record.scenario_sha256, record.created_wall, _dumps(record.settings),
    )  # fmt: skip
    team_rows = [
        (exercise_id, name, position, code_hash, salt)
        for position, (name, code_hash, salt) in enumerate(copy.codes)
    ]
    event_rows = [
        (exercise_id, e.stream, e.seq, e.kind, _dumps(e.payload), e.clock, e.wall, e.actor, e.role)
        for e in copy.events
    ]
    seat_rows = [
        (s.id, exercise_id, s.team, s.name, s.role, s.kind, s.joined_wall, s.seen_wall,
         s.expires_wall, s.left_wall)
        for s in copy.seats
    ]  # fmt: skip
    return exercise_row, team_rows, event_rows, seat_rows
