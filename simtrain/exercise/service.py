"""The door to an exercise database: open it, create and list exercises, hand out handles."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from simtrain.engine.explore import best_score_bounds
from simtrain.exercise.clock import ClockState, clock_from_events, now
from simtrain.exercise.commands import Exercise
from simtrain.exercise.errors import ExerciseError
from simtrain.exercise.streams import CLOCK_STREAM, recorded
from simtrain.scenario.compiled import Scenario
from simtrain.scenario.validate import load_file
from simtrain.store import ExerciseRecord, Store, StoreError, open_store


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
        """Create an exercise from a scenario file; return it and the join codes."""
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
                    "best_scores": best,
                    "best_scores_exact": exact,
                },
            )
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None
        return self.exercise(record.id), codes

    def _best_scores(self, scenario: Scenario) -> tuple[dict[str, int], bool]:
        """The best reachable scores: from an earlier exercise of the very same scenario
        text when there is one (no second search), else searched within the budget."""
        for record in self.store.exercises():
            best = record.settings.get("best_scores")
            if record.scenario_sha256 == scenario.sha256 and isinstance(best, dict):
                exact = bool(record.settings.get("best_scores_exact", True))
                scenario.meta["best_scores"], scenario.meta["best_scores_exact"] = best, exact
                return best, exact
        return best_score_bounds(scenario)

    def backup(self, target: str | Path) -> int:
        """A consistent copy of the whole database in the new file ``target``, made while
        seats keep playing; returns how many events it holds."""
        try:
            return self.store.backup(target)
        except StoreError as exc:
            raise ExerciseError(str(exc)) from None

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
