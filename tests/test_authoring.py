"""The authoring kit: the starter scenario of ``simtrain new`` and the MSEL of ``simtrain msel``."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import yaml

from simtrain.authoring import MSEL_COLUMNS, msel, msel_rows, new_scenario
from simtrain.engine.explore import explore
from simtrain.engine.fold import Engine
from simtrain.engine.headless import play
from simtrain.scenario.compiled import Scenario
from simtrain.scenario.model import Rubric
from simtrain.scenario.validate import load_text

from .conftest import FIXTURES, cued_scenario

IDS = ["port-arrivals", "a", "x_1-b", "null", "yes", "on-call", "a-very-long-id-for-a-scenario"]


def starter(scenario_id: str = "starter") -> Scenario:
    """The starter scenario, loaded; it must have no diagnostic at all."""
    result = load_text(new_scenario(scenario_id), f"{scenario_id}.yaml")
    assert [d.format() for d in result.diagnostics] == []
    assert result.scenario is not None
    return result.scenario


def variant(replacements: dict[str, str]) -> Scenario:
    """The every-feature fixture with some text replaced; it must stay valid."""
    text = (FIXTURES / "every_feature.yaml").read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    result = load_text(text, "variant.yaml")
    assert result.scenario is not None, [d.format() for d in result.diagnostics]
    return result.scenario


# -- simtrain new ------------------------------------------------------------------------


@pytest.mark.parametrize("scenario_id", IDS)
def test_starter_loads_with_zero_diagnostics(scenario_id: str) -> None:
    scenario = starter(scenario_id)
    assert scenario.id == scenario_id
    assert scenario.title[:1].isupper()


def test_starter_opens_with_the_schema_modeline() -> None:
    first = new_scenario("demo").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./simtrain.schema.json"


@pytest.mark.parametrize("bad", ["", "Port", "1st", "_x", "-x", "a b", "a.b", "a/b", "ÿ", "x\n"])
def test_invalid_id_is_refused_with_a_sentence(bad: str) -> None:
    with pytest.raises(ValueError, match=r"is not a valid scenario id: use lower-case letters"):
        new_scenario(bad)


def test_starter_shows_every_main_feature() -> None:
    s = starter()
    model = s.model
    assert len(s.roles) >= 2
    kinds = {type(v) for v in s.var_defaults.values()}
    assert {int, bool, list} <= kinds
    assert any(d.roles for d in model.documents.values())
    scenes = list(s.scenes.values())
    assert any(sc.for_roles for sc in scenes)
    assert any(sc.on_enter for sc in scenes)
    assert any(sc.timer for sc in scenes)
    assert any(sc.content_warning for sc in scenes)
    outcomes = {sc.ending.outcome for sc in scenes if sc.ending}
    assert {"success", "failure"} <= outcomes
    choices = list(s.choices.values())
    for used in (
        lambda c: c.roles,
        lambda c: c.if_,
        lambda c: c.once,
        lambda c: c.set,
        lambda c: c.add,
        lambda c: c.reveal,
        lambda c: c.assess,
        lambda c: c.critical,
        lambda c: c.feedback,
    ):
        assert any(used(c) for c in choices)
    injects = list(s.injects.values())
    assert any(i.at for i in injects)
    assert any(i.when for i in injects)
    assert any(i.at is None and i.when is None for i in injects)
    assert any(i.choices for i in injects)
    assert all(i.expected and i.objective for i in injects)


def test_starter_explores_completely_and_every_ending_replays() -> None:
    s = starter()
    result = explore(s)
    assert result.complete and result.states < 1000
    assert set(result.endings) == {k for k, sc in s.scenes.items() if sc.ending}
    assert result.unreachable_scenes == []
    assert result.never_enabled_choices == []
    assert result.traps == []
    engine = Engine(s)
    for ending, steps in result.paths.items():
        assert play(engine, steps).scene == ending


# -- simtrain msel -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_rows(demo: Scenario) -> list[dict[str, str]]:
    """The MSEL rows of the every-feature fixture."""
    return msel_rows(demo)


def test_rows_in_publication_order_with_triggers(fixture_rows: list[dict[str, str]]) -> None:
    assert [(r["id"], r["time or trigger"]) for r in fixture_rows] == [
        ("journalist_call", "at 8m"),
        ("interpreter_alert", "when visited('screening') > 0"),
        ("birth_certificate", "manual"),
        ("transfer_order", "manual"),
    ]


def test_rows_name_roles_and_competencies(fixture_rows: list[dict[str, str]]) -> None:
    first, second = fixture_rows[0], fixture_rows[1]
    assert first["to"] == "Border police investigator"
    assert second["to"] == "every role"
    assert first["objective"] == "Legal and human-rights compliance"
    assert second["objective"] == "Cultural, gender and child sensitivity"
    assert second["channel"] == "in person"
    assert first["from"] == "Sunvale Daily newsroom"
    assert first["expected action"].startswith("Refer to the press officer")
    assert fixture_rows[2]["objective"] == ""


def test_timed_injects_sort_by_time_then_conditional_then_manual() -> None:
    """Timed by time (whatever the file order); conditional ones keep their file order."""
    s = variant(
        {
            "  - id: birth_certificate\n": "  - id: birth_certificate\n    at: 1h30m\n",
            "  - id: transfer_order\n": "  - id: transfer_order\n    at: 2m\n",
            "    at: 8m\n": "    when: elapsed > 1\n",
        }
    )
    assert [r["id"] for r in msel_rows(s)] == [
        "transfer_order",
        "birth_certificate",
        "journalist_call",
        "interpreter_alert",
    ]


def test_inject_with_time_and_condition_shows_both() -> None:
    s = variant({"    at: 8m\n": "    at: 8m\n    when: \"visited('escalation') > 0\"\n"})
    assert msel_rows(s)[0]["time or trigger"] == "at 8m or when visited('escalation') > 0"


def test_csv_round_trips_through_the_csv_module(demo: Scenario) -> None:
    text = msel(demo, "csv")
    assert text.splitlines()[0] == ",".join(MSEL_COLUMNS)
    assert list(csv.DictReader(io.StringIO(text))) == msel_rows(demo)


TRICKY = 'Line one, with a comma and a | pipe.\n\nLine two says "hi"; a<b stays text.'


def tricky() -> Scenario:
    """The fixture with a multi-line message full of characters that need quoting."""
    message = "    message: All arrivals are to be moved tonight.\n"
    block = "    message: |\n" + "".join(f"      {line}\n" for line in TRICKY.split("\n"))
    return variant({message: block.replace("      \n", "\n")})


def test_csv_keeps_multi_line_messages() -> None:
    rows = list(csv.DictReader(io.StringIO(msel(tricky(), "csv"))))
    assert rows[-1]["id"] == "transfer_order"
    assert rows[-1]["message"] == TRICKY


def test_markdown_table_header_and_order(demo: Scenario) -> None:
    text = msel(demo, "md")
    lines = text.splitlines()
    assert lines[0] == "# MSEL — Night arrival at the quay (feature demo) (quay-demo)"
    table = [line for line in lines if line.startswith("|")]
    assert table[0] == "| " + " | ".join(MSEL_COLUMNS) + " |"
    assert set(table[1]) <= {"|", "-", " "}
    assert [row.split(" | ")[0].lstrip("| ") for row in table[2:]] == [
        "journalist_call",
        "interpreter_alert",
        "birth_certificate",
        "transfer_order",
    ]


def test_markdown_escapes_pipes_and_newlines() -> None:
    text = msel(tricky(), "md")
    row = next(line for line in text.splitlines() if line.startswith("| transfer_order"))
    cells = re.split(r"(?<!\\)\|", row)[1:-1]
    assert len(cells) == len(MSEL_COLUMNS)
    message = cells[MSEL_COLUMNS.index("message")].strip()
    assert message == (
        'Line one, with a comma and a \\| pipe.<br><br>Line two says "hi"; a&lt;b stays text.'
    )


def test_markdown_without_injects_says_so() -> None:
    text = (FIXTURES / "every_feature.yaml").read_text(encoding="utf-8")
    result = load_text(text[: text.index("injects:")], "none.yaml")
    assert result.scenario is not None
    out = msel(result.scenario, "md")
    assert "This scenario has no injects." in out
    assert msel(result.scenario, "csv").strip() == ",".join(MSEL_COLUMNS)


def test_msel_prints_facilitator_notes_for_injects_and_scenes(tmp_path: Path) -> None:
    result = load_text(cued_scenario(tmp_path).read_text(encoding="utf-8"), "cued.yaml")
    assert result.scenario is not None
    call = next(r for r in msel_rows(result.scenario) if r["id"] == "journalist_call")
    # each column holds one key of the inject, so an edited spreadsheet reads back
    assert call["notes"] == "ROLEPLAYER-INJECT-CUE: the journalist is persistent."
    assert call["content warning"] == "INJECT-WARNING: the caller asks for a victim's name."
    assert call["dilemmas"].startswith(
        "Dilemma, facilitator-scored (no single right answer): “Refer the caller to the press"
    )
    text = msel(result.scenario, "md")
    assert "Content warning shown before the first scene: EXERCISE-WARNING" in text
    scenes = text[text.index("## Scenes: role-player cues and facilitator-scored dilemmas") :]
    assert "| Night arrival at the quay | Role-players: ROLEPLAYER-SCENE-CUE" in scenes
    assert "Dilemma, facilitator-scored (no single right answer): “Note the indicators" in scenes


def test_msel_columns_start_with_id_then_the_hseep_ones() -> None:
    assert MSEL_COLUMNS[:10] == (
        "id",
        "time or trigger",
        "from",
        "to",
        "channel",
        "subject",
        "message",
        "expected action",
        "objective",
        "notes",
    )


def test_csv_cells_that_look_like_formulas_are_text() -> None:
    s = variant({"    from: Sunvale Daily newsroom\n": '    from: "=HYPERLINK(1)"\n'})
    rows = list(csv.DictReader(io.StringIO(msel(s, "csv"))))
    assert rows[0]["from"] == "'=HYPERLINK(1)"


def test_unknown_format_is_refused(demo: Scenario) -> None:
    with pytest.raises(ValueError, match="use csv or md"):
        msel(demo, "html")


# -- docs/authoring.md -------------------------------------------------------------------

GUIDE = Path(__file__).parent.parent / "docs" / "authoring.md"


def fenced(language: str) -> list[str]:
    """The fenced code blocks of the authoring guide in ``language``."""
    text = GUIDE.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


def test_guide_complete_example_validates_clean() -> None:
    examples = [b for b in fenced("yaml") if b.startswith("simtrain: 1")]
    assert examples
    for block in examples:
        result = load_text(block, "guide.yaml")
        assert [d.format() for d in result.diagnostics] == []


def test_guide_inline_rubric_is_a_rubric() -> None:
    blocks = [b for b in fenced("yaml") if b.startswith("rubric:\n")]
    assert blocks
    for block in blocks:
        Rubric.model_validate(yaml.safe_load(block)["rubric"])


def test_guide_quotes_the_real_msel(demo: Scenario) -> None:
    assert msel(demo, "md") in fenced("markdown")
