"""The MSEL round trip: ``simtrain msel --format xlsx`` and ``--update-from`` (issue 19)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from simtrain.authoring import MSEL_COLUMNS, msel, new_scenario
from simtrain.cli import main
from simtrain.msel import MselError, msel_xlsx, update_from
from simtrain.scenario.validate import load_file, load_text

from .conftest import FIXTURES, load


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    """The starter scenario of ``simtrain new`` (full of the author's comments)."""
    path = tmp_path / "greenrow.yaml"
    path.write_text(new_scenario("greenrow"), encoding="utf-8")
    return path


def export_xlsx(scenario: Path) -> Path:
    target = scenario.with_suffix(".xlsx")
    result = invoke("msel", str(scenario), "--format", "xlsx", "-o", str(target))
    assert result.exit_code == 0, result.output
    return target


def edit_xlsx(path: Path, edits: dict[tuple[int, str], str]) -> None:
    """Edit cells (row as the spreadsheet numbers it, column name) as a person would."""
    book = load_workbook(path)
    sheet = book["MSEL"]
    header = [cell.value for cell in sheet[1]]
    for (row, column), value in edits.items():
        sheet.cell(row=row, column=header.index(column) + 1).value = value
    book.save(path)


NEW_ROW = {
    "id": "press_conference",
    "time or trigger": "manual",
    "from": "Talvik police press office",
    "to": "outreach",
    "channel": "phone",
    "subject": "Joint statement",
    "message": "Will the NGO join the press conference at noon?",
    "expected action": "Decline; say nothing about the workers.",
    "objective": "Legal and human-rights compliance",
    "notes": "Friendly, a little pushy.",
}


def test_an_edited_workbook_reads_back_into_the_yaml_keeping_the_authors_comments(
    starter: Path, tmp_path: Path
) -> None:
    """The issue's "done when": export to xlsx, edit a time, a recipient, add a row and
    mistype a role; reading it back names the typo and writes nothing; once fixed it gives
    the expected YAML, the author's comments and layout untouched."""
    original = starter.read_text(encoding="utf-8")
    workbook = export_xlsx(starter)
    rows = {
        row[0].value: row[0].row for row in load_workbook(workbook)["MSEL"].iter_rows(min_row=2)
    }
    assert list(rows) == ["journalist_call", "interpreter_link", "wage_records"]
    edits = {
        (rows["journalist_call"], "time or trigger"): "at 12m",
        (rows["journalist_call"], "to"): "Labour inspector, NGO outreach worker",
        (rows["wage_records"], "to"): "inspektor",
    }
    edits |= {(5, column): value for column, value in NEW_ROW.items()}
    edit_xlsx(workbook, edits)
    out = tmp_path / "out.yaml"

    refused = invoke("msel", str(starter), "--update-from", str(workbook), "-o", str(out))
    assert refused.exit_code == 1
    assert refused.output.splitlines() == [
        f"{workbook}, row 4, column 'to': 'inspektor' is not a role — did you mean 'inspector'?",
        f"simtrain: nothing was written to {out}",
    ]
    assert not out.exists()

    edit_xlsx(workbook, {(rows["wage_records"], "to"): "every role"})
    result = invoke("msel", str(starter), "--update-from", str(workbook), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "changed journalist_call: time or trigger 'at 10m' → 'at 12m'",
        "changed journalist_call: to 'Labour inspector' → 'Labour inspector, NGO outreach worker'",
        "new inject: press_conference (manual)",
        f"wrote {out}",
    ]
    expected = original.replace(
        "    at: 10m                     # published at this exercise time\n"
        "    to: [inspector]             # who receives it (default: every role)\n",
        "    at: 12m                     # published at this exercise time\n"
        "    to: [inspector, outreach]   # who receives it (default: every role)\n",
    )
    expected = expected.replace(
        "    # goto: foreman_arrives     # (optional) move the team to a scene on delivery\n",
        "    # goto: foreman_arrives     # (optional) move the team to a scene on delivery\n"
        "  - id: press_conference\n"
        "    to: [outreach]\n"
        "    channel: phone\n"
        "    from: Talvik police press office\n"
        "    subject: Joint statement\n"
        "    message: Will the NGO join the press conference at noon?\n"
        "    expected: Decline; say nothing about the workers.\n"
        "    objective: rights\n"
        "    notes_for_roleplayers: Friendly, a little pushy.\n",
    )
    assert expected != original
    assert out.read_text(encoding="utf-8") == expected
    updated = load_file(out).scenario
    assert updated is not None
    assert updated.injects["journalist_call"].at == "12m"
    assert updated.injects["press_conference"].at is None
    assert updated.injects["press_conference"].when is None


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", ["every_feature.yaml", "starter"])
def test_an_unedited_msel_gives_back_the_very_same_file(
    fmt: str, name: str, starter: Path, tmp_path: Path
) -> None:
    source = starter if name == "starter" else FIXTURES / name
    sheet = tmp_path / f"msel.{fmt}"
    assert invoke("msel", str(source), "--format", fmt, "-o", str(sheet)).exit_code == 0
    update = update_from(source, sheet)
    assert update.text == source.read_text(encoding="utf-8")
    assert update.report() == ["no change: the MSEL matches the scenario"]


def write_csv(
    path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = MSEL_COLUMNS
) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def exported_rows(scenario: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(msel(load(scenario), "csv"))))


def test_every_cell_error_is_reported_at_once_and_nothing_is_written(
    starter: Path, tmp_path: Path
) -> None:
    rows = exported_rows(starter)
    rows[0]["channel"] = "phnoe"
    rows[0]["objective"] = "evidense"
    rows[1]["time or trigger"] = "12 mins"
    rows[2]["time or trigger"] = "when visited('private_talk' >"
    rows.append({**rows[2], "id": "wage_records"})
    rows.append({**rows[2], "id": "Not An Id"})
    sheet = write_csv(tmp_path / "msel.csv", rows)
    with pytest.raises(MselError) as caught:
        update_from(starter, sheet)
    problems = caught.value.problems
    assert (
        problems[0]
        == f"{sheet}, row 2, column 'channel': 'phnoe' is not a channel — did you mean 'phone'?"
    )
    assert problems[1] == (
        f"{sheet}, row 2, column 'objective': 'evidense' is not a competency of the rubric — "
        "did you mean 'evidence'?"
    )
    assert problems[2] == (
        f"{sheet}, row 3, column 'time or trigger': '12 mins' is not a time or trigger; write "
        "'at 25m', 'when CONDITION', 'at 25m or when CONDITION' or 'manual'"
    )
    assert problems[3].startswith(
        f"{sheet}, row 4, column 'time or trigger': the condition \"visited('private_talk' >\" "
    ) or problems[3].startswith(
        f"{sheet}, row 4, column 'time or trigger': the condition 'visited('private_talk' >'"
    )
    assert problems[4] == f"{sheet}, row 5, column 'id': 'wage_records' is already on row 4"
    assert problems[5].startswith(f"{sheet}, row 6, column 'id': 'Not An Id' is not an id")
    assert len(problems) == 6
    out = tmp_path / "out.yaml"
    result = invoke("msel", str(starter), "--update-from", str(sheet), "-o", str(out))
    assert result.exit_code == 1
    assert not out.exists()
    assert "Traceback" not in result.output


def test_a_header_that_is_not_an_msels_is_refused_with_a_hint(
    starter: Path, tmp_path: Path
) -> None:
    columns = ("id", "time", "message")
    sheet = write_csv(tmp_path / "msel.csv", [{"id": "journalist_call"}], columns)
    with pytest.raises(MselError) as caught:
        update_from(starter, sheet)
    assert caught.value.problems == [
        f"{sheet}, row 1, column 2: 'time' is not an MSEL column — did you mean 'time or trigger'?"
    ]
    # a column of the facilitator's own is left out, with a note
    own = ("id", "message", "controller initials")
    rows = [
        {"id": r["id"], "message": r["message"], "controller initials": "AK"}
        for r in exported_rows(starter)
    ]
    rows[0]["message"] = ""
    with pytest.raises(MselError) as emptied:
        update_from(starter, write_csv(tmp_path / "own.csv", rows, own))
    assert emptied.value.problems == [
        f"{tmp_path / 'own.csv'}, row 2, column 'message': empty; an inject needs a message"
    ]
    rows[0]["message"] = "Who are the workers?"
    update = update_from(starter, write_csv(tmp_path / "own.csv", rows, own))
    assert update.notes == [
        f"{tmp_path / 'own.csv'}: column 'controller initials' is not an MSEL column; left out"
    ]
    assert "    message: Who are the workers?\n" in update.text
    no_id = write_csv(tmp_path / "noid.csv", [{"message": "x"}], ("message",))
    with pytest.raises(MselError, match="there is no 'id' column"):
        update_from(starter, no_id)
    with pytest.raises(MselError, match=r"must be a \.csv or \.xlsx file"):
        update_from(starter, tmp_path / "msel.ods")


def test_a_deleted_row_is_listed_and_removed_only_with_remove(
    starter: Path, tmp_path: Path
) -> None:
    rows = [r for r in exported_rows(starter) if r["id"] != "wage_records"]
    sheet = write_csv(tmp_path / "msel.csv", rows)
    kept = update_from(starter, sheet)
    assert "no row in the MSEL, kept (add --remove to delete): wage_records" in kept.report()
    assert kept.text == starter.read_text(encoding="utf-8")
    removed = update_from(starter, sheet, remove=True)
    assert "removed (no row in the MSEL): wage_records" in removed.report()
    scenario = load_text(removed.text).scenario
    assert scenario is not None and "wage_records" not in scenario.injects
    assert "# a timed inject" in removed.text  # the comments elsewhere stay


def test_a_change_that_would_make_the_scenario_invalid_is_refused(
    starter: Path, tmp_path: Path
) -> None:
    rows = exported_rows(starter)
    rows[1]["time or trigger"] = "when visited('privat_talk') > 0"
    sheet = write_csv(tmp_path / "msel.csv", rows)
    with pytest.raises(MselError) as caught:
        update_from(starter, sheet)
    assert any("privat_talk" in p and "private_talk" in p for p in caught.value.problems)
    assert caught.value.problems[-1].startswith(
        "with these changes the scenario would not be valid, so nothing was written"
    )


def test_texts_are_written_so_they_read_back_as_typed(starter: Path, tmp_path: Path) -> None:
    """A multi-line message becomes a block; a word YAML would read as true stays text; a
    CSV cell the export protected from spreadsheets loses its quote mark again."""
    rows = exported_rows(starter)
    rows[0]["message"] = "First line.\n\nSecond: with a colon # and a hash."
    rows[0]["subject"] = "yes"
    rows[0]["from"] = "'=Talvik Courier"
    rows[1]["to"] = "inspector,outreach"
    rows[1]["channel"] = "Phone"
    rows[2]["notes"] = "Hand it over in person if asked."
    sheet = write_csv(tmp_path / "msel.csv", rows)
    update = update_from(starter, sheet)
    scenario = load_text(update.text).scenario
    assert scenario is not None
    call = scenario.injects["journalist_call"]
    assert call.message == "First line.\n\nSecond: with a colon # and a hash.\n"
    assert call.subject == "yes"
    assert call.from_ == "=Talvik Courier"
    assert scenario.injects["interpreter_link"].to == ["inspector", "outreach"]
    assert scenario.injects["interpreter_link"].channel == "phone"
    assert scenario.injects["wage_records"].notes_for_roleplayers == (
        "Hand it over in person if asked."
    )
    assert "    message: |\n      First line.\n\n      Second: with a colon # and a hash.\n" in (
        update.text
    )


def test_workbook_cells_are_text_never_formulas(tmp_path: Path) -> None:
    text = (FIXTURES / "every_feature.yaml").read_text(encoding="utf-8")
    text = text.replace("    from: Sunvale Daily newsroom\n", '    from: "=HYPERLINK(1)"\n')
    scenario = load_text(text).scenario
    assert scenario is not None
    path = tmp_path / "m.xlsx"
    path.write_bytes(msel_xlsx(scenario))
    sheet = load_workbook(path)["MSEL"]
    assert [c.value for c in sheet[1]] == list(MSEL_COLUMNS)
    cell = sheet.cell(row=2, column=MSEL_COLUMNS.index("from") + 1)
    assert cell.value == "=HYPERLINK(1)"
    assert cell.data_type == "s"


def test_cli_asks_for_an_output_where_one_is_needed(starter: Path) -> None:
    xlsx = invoke("msel", str(starter), "--format", "xlsx")
    assert xlsx.exit_code == 1
    assert "add -o FILE.xlsx" in xlsx.output
    update = invoke("msel", str(starter), "--update-from", "x.csv")
    assert update.exit_code == 1
    assert "--update-from needs -o OUT.yaml" in update.output


def test_layout_the_yaml_library_would_rewrite_stays_as_the_author_wrote_it(
    starter: Path, tmp_path: Path
) -> None:
    """ruamel.yaml writes a flow mapping wrapped over two lines back on one; only the
    edited lines may change, so the author's wrapping elsewhere stays."""
    wrapped = "        assess: {cooperation: 2,\n                 identification: 1}\n"
    text = starter.read_text(encoding="utf-8").replace(
        "        assess: {cooperation: 2, identification: 1}\n", wrapped
    )
    starter.write_text(text, encoding="utf-8")
    rows = exported_rows(starter)
    rows[0]["time or trigger"] = "at 12m"
    update = update_from(starter, write_csv(tmp_path / "msel.csv", rows))
    assert wrapped in update.text
    assert update.text == text.replace(
        "    at: 10m                     # published", "    at: 12m                     # published"
    )


def test_a_csv_saved_with_semicolons_reads_too(starter: Path, tmp_path: Path) -> None:
    """A spreadsheet set to a European locale saves CSV with semicolons."""
    rows = exported_rows(starter)
    rows[0]["time or trigger"] = "at 12m"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MSEL_COLUMNS, delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    sheet = tmp_path / "msel.csv"
    sheet.write_text(buffer.getvalue(), encoding="utf-8-sig")
    update = update_from(starter, sheet)
    assert update.changed == ["journalist_call: time or trigger 'at 10m' → 'at 12m'"]
