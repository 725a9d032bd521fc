"""The door to an exercise database: open it, create and list exercises, hand out handles."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from msgspec import Struct

from simtrain.exercise.clock import ClockState, clock_from_events, now
from simtrain.exercise.commands import Exercise
from simtrain.exercise.errors import ExerciseError
from simtrain.exercise.streams import CLOCK_STREAM, recorded, team_stream
from simtrain.scenario.compiled import CHECKS, Scenario, checked_values
from simtrain.store import ExerciseRecord, Store, StoreError, open_store
from simtrain.store.codes import generate_join_code, hash_code, new_salt


class Created(Struct, frozen=True):
    """A new exercise and its codes, in plaintext this once: one per team and one per
    character of the scenario (its role-player's seat)."""

    exercise: Exercise
    teams: dict[str, str]
    characters: dict[str, str]


class ExerciseService:
    """Opens a database and hands out :class:`Exercise` handles."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._exercises: dict[str, Exercise] = {}

    @classmethod
    def open(cls, db: str | Path, *, create: bool = False) -> ExerciseService:
        """Open (or with ``create``, create) an exercise database."""
        try:
            return cls(open_store(db, create=create))
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None

    def close(self) -> None:
        """Close the database."""
        self.store.close()

    def __enter__(self) -> ExerciseService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def create(
        self,
        scenario_path: str | Path,
        teams: Sequence[str],
        *,
        title: str | None = None,
        exercise_id: str | None = None,
    ) -> tuple[Exercise, dict[str, str]]:
        """Create an exercise from a scenario file; return it and the teams' join codes."""
        created = self.create_exercise(scenario_path, teams, title=title, exercise_id=exercise_id)
        return created.exercise, created.teams

    def create_exercise(
        self,
        scenario_path: str | Path,
        teams: Sequence[str],
        *,
        title: str | None = None,
        exercise_id: str | None = None,
    ) -> Created:
        """Create an exercise from a scenario file; return it with every code: the teams'
        join codes and a code per character for its role-player's seat (kept, like the
        teams' codes, only as salted hashes)."""
        from simtrain.scenario.validate import load_file  # pydantic: only to create

        result = load_file(scenario_path)
        if result.scenario is None:
            first = result.errors[0].format() if result.errors else "unknown problem"
            raise ExerciseError(
                f"{scenario_path} is not a valid scenario ({len(result.errors)} errors; "
                f"first: {first}); run 'simtrain validate {scenario_path}'"
            )
        scenario = result.scenario
        if not teams:
            raise ExerciseError("name at least one team (e.g. --team red --team blue)")
        best, exact = self._best_scores(scenario)
        characters = {character: generate_join_code() for character in scenario.characters}
        hashed = {}
        for character, code in characters.items():
            salt = new_salt()
            hashed[character] = {"salt": salt, "hash": hash_code(code, salt)}
        try:
            record, codes = self.store.create_exercise(
                exercise_id=exercise_id,
                title=title or scenario.title,
                scenario_id=scenario.id,
                scenario_text=scenario.text,
                teams=list(teams),
                # the best reachable scores need a search: do it once, keep it with the copy
                settings={
                    "scenario_path": str(scenario_path),
                    "scenario_checks": CHECKS,
                    "scenario_values": checked_values(scenario),
                    "best_scores": best,
                    "best_scores_exact": exact,
                    "character_codes": hashed,
                },
            )
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None
        return Created(self.exercise(record.id), codes, characters)

    def _best_scores(self, scenario: Scenario) -> tuple[dict[str, int], bool]:
        """The best reachable scores: from an earlier exercise of the very same scenario
        text when there is one (no second search), else searched within the budget."""
        for record in self.store.exercises():
            best = record.settings.get("best_scores")
            if record.scenario_sha256 == scenario.sha256 and isinstance(best, dict):
                exact = bool(record.settings.get("best_scores_exact", True))
                scenario.meta["best_scores"], scenario.meta["best_scores_exact"] = best, exact
                return best, exact
        from simtrain.engine.explore import best_score_bounds  # a search: only to create

        return best_score_bounds(scenario)

    def backup(self, target: str | Path) -> int:
        """A consistent copy of the whole database in the new file ``target``, made while
        seats keep playing; returns how many events it holds."""
        try:
            return self.store.backup(target)
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None

    def migrate(
        self, target: str | Path, exercise_ids: Sequence[str] = ()
    ) -> list[tuple[str, int, int]]:
        """Copy exercises (every one unless named) into the database ``target`` — a SQLite
        file (created if missing) or a PostgreSQL URL, whichever this one is not — join
        codes and roster included, then verify each by replaying every team on both sides.

        Each copy is one snapshot; events landing after it stay behind (pause or end the
        exercise first). Returns ``(exercise id, events, teams)`` per exercise copied.
        """
        copied: list[tuple[str, int, int]] = []
        with ExerciseService.open(target, create=True) as other:
            try:
                ids = list(exercise_ids) or [record.id for record in self.list()]
                for exercise_id in ids:
                    copy = self.store.export_exercise(exercise_id)
                    other.store.restore_exercise(copy)
                    here, there = self.exercise(exercise_id), other.exercise(exercise_id)
                    for team in copy.record.teams:
                        stream = team_stream(team)
                        until = max((e.seq for e in copy.events if e.stream == stream), default=0)
                        if here.replay(team, until) != there.replay(team, until):
                            raise ExerciseError(
                                f"Team '{team}' of exercise '{exercise_id}' replays differently "
                                f"in {other.store.location}; the copy there is not to be used."
                            )
                    copied.append((exercise_id, len(copy.events), len(copy.record.teams)))
            except StoreError as exc:
                raise ExerciseError(str(exc)) from None
        return copied

    def list(self) -> list[ExerciseRecord]:
        """Every exercise in the database, oldest first."""
        return self.store.exercises()

    def clock(self, exercise_id: str) -> ClockState:
        """An exercise's clock, read without loading its scenario (for lists)."""
        try:
            events = map(recorded, self.store.read(exercise_id, CLOCK_STREAM))
            return clock_from_events(events, now())
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None

    def exercise(self, exercise_id: str) -> Exercise:
        """A handle on one exercise (cached per service)."""
        handle = self._exercises.get(exercise_id)
        if handle is None:
            try:
                record = self.store.exercise(exercise_id)
            except StoreError as exc:
                raise ExerciseError(str(exc)) from None
            handle = self._exercises[exercise_id] = Exercise(self.store, record)
        return handle
