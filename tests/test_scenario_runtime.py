"""The engine's plain scenario records: in step with the pydantic models that validate a
file, built equal to what those models read, and a stored copy loads without pydantic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pydantic
import pytest
import yaml
from pydantic_core import PydanticUndefined

from simtrain.exercise.errors import ExerciseError
from simtrain.exercise.queries import stored_scenario
from simtrain.exercise.service import ExerciseService
from simtrain.scenario import model, runtime
from simtrain.scenario.compiled import CHECKS, shipped_rubrics
from simtrain.scenario.library import bundled_scenarios
from simtrain.scenario.validate import load_file
from simtrain.scenario.yamlsource import load_marked

FIXTURES = Path(__file__).parent / "fixtures"
PAIRS = [
    (runtime.Role, model.Role),
    (runtime.Document, model.Document),
    (runtime.Effects, model.Effects),
    (runtime.Timer, model.Timer),
    (runtime.Ending, model.Ending),
    (runtime.Choice, model.Choice),
    (runtime.Scene, model.Scene),
    (runtime.Inject, model.Inject),
    (runtime.Character, model.Character),
    (runtime.Competency, model.Competency),
    (runtime.Rubric, model.Rubric),
    (runtime.Phase, model.Phase),
    (runtime.ScenarioData, model.ScenarioModel),
]
FILES = [*bundled_scenarios(), FIXTURES / "every_feature.yaml", FIXTURES / "no_subject.yaml"]


def _default(value: Any, factory: Any) -> Any:
    if factory not in (None, msgspec.NODEFAULT):
        return factory()
    return msgspec.NODEFAULT if value is PydanticUndefined else value


@pytest.mark.parametrize(("record", "schema"), PAIRS, ids=lambda c: c.__name__)
def test_every_record_has_its_models_fields_and_defaults(record: Any, schema: Any) -> None:
    fields = {f.name: f for f in msgspec.structs.fields(record)}
    assert list(fields) == list(schema.model_fields)
    for name, info in schema.model_fields.items():
        wanted = _default(info.default, info.default_factory)
        got = _default(fields[name].default, fields[name].default_factory)
        assert got == wanted, f"{record.__name__}.{name}"


def _plain(value: Any) -> Any:
    """Records and models alike as plain values, with the type of every leaf."""
    if isinstance(value, pydantic.BaseModel):
        return {k: _plain(getattr(value, k)) for k in type(value).model_fields}
    if isinstance(value, msgspec.Struct):
        return {name: _plain(getattr(value, name)) for name in value.__struct_fields__}
    if isinstance(value, dict):
        assert type(value) is dict  # the reader's marked containers are not kept
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        assert type(value) is list
        return [_plain(v) for v in value]
    return (type(value).__name__, value)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_records_hold_what_the_models_read(path: Path) -> None:
    raw, problems = load_marked(path.read_text(encoding="utf-8"))
    assert problems == []
    assert _plain(runtime.scenario_of(raw)) == _plain(model.ScenarioModel.model_validate(raw))


def test_field_names_are_read_under_either_spelling() -> None:
    choice = runtime.choice_of({"id": "a", "label": "A", "if_": "x > 1"})
    inject = runtime.inject_of({"id": "i", "channel": "sms", "from_": "Mara"})
    assert choice.if_ == "x > 1"
    assert (inject.from_, inject.subject) == ("Mara", "Text message from Mara")


def test_shipped_rubrics_validate_and_build_alike() -> None:
    for rubric in shipped_rubrics().values():
        text = (Path(runtime.__file__).parent.parent / "rubrics" / f"{rubric.id}.yaml").read_text()
        assert _plain(rubric) == _plain(model.Rubric.model_validate(yaml.safe_load(text)))


# -- the copy stored with an exercise --------------------------------------------------------


def _created(tmp_path: Path) -> tuple[ExerciseService, str]:
    service = ExerciseService.open(tmp_path / "x.db", create=True)
    exercise, _ = service.create(bundled_scenarios()[0], ["red"], exercise_id="x")
    return service, exercise.id


def test_an_exercise_remembers_that_its_copy_passed_the_checks(tmp_path: Path) -> None:
    service, _ = _created(tmp_path)
    (record,) = service.store.exercises()
    assert record.settings["scenario_checks"] == CHECKS
    scenario = stored_scenario(record)
    assert scenario.sha256 == record.scenario_sha256
    # the values kept with it make the very scenario the file makes
    made = load_file(bundled_scenarios()[0]).scenario
    assert made is not None
    assert _plain(scenario.model) == _plain(made.model)
    assert _plain(scenario.rubric) == _plain(made.rubric)
    assert scenario.conditions.keys() == made.conditions.keys()
    service.close()


def test_an_exercise_keeps_the_rubric_it_was_created_with(tmp_path: Path) -> None:
    service, _ = _created(tmp_path)
    (record,) = service.store.exercises()
    service.close()
    values = json.loads(json.dumps(record.settings["scenario_values"]))
    values["rubric"]["competencies"][0]["name"] = "Renamed since"
    kept = msgspec.structs.replace(record, settings={**record.settings, "scenario_values": values})
    assert stored_scenario(kept).competency_names[values["rubric"]["competencies"][0]["id"]] == (
        "Renamed since"
    )


def test_a_copy_checked_before_or_altered_since_is_validated_again(tmp_path: Path) -> None:
    service, _ = _created(tmp_path)
    (record,) = service.store.exercises()
    service.close()
    older = msgspec.structs.replace(record, settings={})
    assert stored_scenario(older).model == stored_scenario(record).model
    broken = record.scenario_text.replace("start:", "start: nowhere_at_all\nunknown_key:", 1)
    altered = msgspec.structs.replace(record, scenario_text=broken)
    with pytest.raises(ExerciseError, match="no longer validates"):
        stored_scenario(altered)


def test_a_command_on_an_exercise_reads_neither_yaml_nor_pydantic(tmp_path: Path) -> None:
    service, exercise_id = _created(tmp_path)
    service.close()
    probe = (
        "import json, sys\n"
        "from simtrain.exercise.service import ExerciseService\n"
        f"service = ExerciseService.open({str(tmp_path / 'x.db')!r})\n"
        f"exercise = service.exercise({exercise_id!r})\n"
        "status = exercise.status()\n"
        "loaded = [name in sys.modules for name in ('pydantic', 'yaml')]\n"
        "print(json.dumps([exercise.scenario.id, *loaded]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) == [bundled_scenarios()[0].stem, False, False]
