"""Hostile and broken scenario files: each gets one clear sentence at its line and column.

The corpus lives in tests/fixtures/hostile/ (aliases, nesting, sizes, encodings, tags,
numbers, expressions); FIFOs, devices and oversized files are made by the tests. No file
may stop the validator with an internal error, and one bad file never hides the
diagnostics of the others.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from simtrain.cli import main
from simtrain.scenario import validate as validate_module
from simtrain.scenario.validate import load_file, load_text

from .conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"

# file → (line, column, code, the sentence it must say)
EXPECTED: dict[str, tuple[int, int, str, str]] = {
    "recursive_alias.yaml": (
        1,
        8,
        "recursive-alias",
        "the alias '*a' is used inside its own anchor '&a', which would make an endless value",
    ),
    "recursive_merge.yaml": (2, 7, "recursive-alias", "the alias '*b' is used inside its own"),
    "merge_of_a_number.yaml": (
        1,
        6,
        "bad-merge",
        "'<<' (a YAML merge) must be given a mapping or a list of mappings",
    ),
    "bool_maybe.yaml": (
        1,
        11,
        "bad-value",
        "'maybe' (tagged !!bool) cannot be read as true/false",
    ),
    "int_abc.yaml": (
        1,
        11,
        "bad-number",
        "'abc' (tagged !!int) cannot be read as a whole number: it is not a whole number",
    ),
    "huge_integer.yaml": (1, 11, "bad-number", "numbers must fit in 64 bits"),
    "int_over_64_bits.yaml": (
        1,
        11,
        "bad-number",
        "'9223372036854775808' cannot be read as a whole number: it is too large",
    ),
    "hex_over_64_bits.yaml": (1, 11, "bad-number", "numbers must fit in 64 bits"),
    "python_name.yaml": (
        1,
        11,
        "yaml-tag",
        "the tag '!!python/name:os.system' is not allowed in a scenario",
    ),
    "python_object.yaml": (
        1,
        11,
        "yaml-tag",
        "the tag '!!python/object/apply:os.system' is not allowed",
    ),
    "python_key.yaml": (1, 3, "yaml-tag", "the tag '!!python/name:os.system' is not allowed"),
    "timestamp_tag.yaml": (1, 11, "yaml-tag", "the tag '!!timestamp' is not allowed"),
    "binary_tag.yaml": (1, 11, "yaml-tag", "the tag '!!binary' is not allowed"),
    "set_tag.yaml": (1, 11, "yaml-tag", "the tag '!!set' is not allowed"),
    "omap_tag.yaml": (1, 11, "yaml-tag", "the tag '!!omap' is not allowed"),
    "local_tag.yaml": (1, 11, "yaml-tag", "the tag '!scenario' is not allowed"),
    "nan.yaml": (1, 11, "bad-number", "scenario numbers must be finite (no .inf or .nan)"),
    "negative_infinity.yaml": (1, 11, "bad-number", "'-.inf' cannot be read as a number"),
    "float_overflow.yaml": (1, 11, "bad-number", "'1e999' (tagged !!float) cannot be read"),
    "billion_laughs.yaml": (
        7,
        8,
        "too-large",
        "the document is too large once its aliases are expanded",
    ),
    "deep_flow.yaml": (1, 1010, "yaml-syntax", "exceeded maximum nesting depth"),
    "deep_block.yaml": (65, 129, "too-deep", "the YAML nests more than 64 levels deep"),
    "undefined_alias.yaml": (
        1,
        11,
        "unknown-alias",
        "the alias '*nowhere' names no anchor defined before it",
    ),
    "two_documents.yaml": (2, 1, "yaml-syntax", "the file holds more than one document"),
    "control_character.yaml": (
        2,
        9,
        "not-text",
        "the text holds the control character U+0007, which YAML does not allow",
    ),
    "list_as_key.yaml": (1, 3, "yaml-key", "a mapping key must be a plain word"),
    "duplicate_key.yaml": (2, 1, "duplicate-key", "duplicate key 'simtrain' (first defined at"),
    "empty.yaml": (1, 1, "not-a-scenario", "a scenario file must be a YAML mapping"),
    "not_a_mapping.yaml": (1, 1, "not-a-scenario", "a scenario file must be a YAML mapping"),
    "syntax_error.yaml": (2, 8, "yaml-syntax", "YAML syntax error: mapping values are not"),
    "utf16.yaml": (1, 1, "not-text", "not UTF-8 text (first bad byte on line 1) (it looks like"),
    "latin1.yaml": (1, 1, "not-text", "the file is not UTF-8 text (first bad byte on line 2)"),
    "conditions.yaml": (
        14,
        35,
        "always-errors",
        "choice 'div' can never be enabled: its condition 'trust / 0 > 1' always stops with "
        "an error in play (division by zero)",
    ),
}


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def test_the_corpus_and_the_table_agree() -> None:
    assert sorted(p.name for p in HOSTILE.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hostile_file_gets_its_sentence(name: str) -> None:
    line, column, code, sentence = EXPECTED[name]
    result = load_file(HOSTILE / name)
    found = [d for d in result.diagnostics if d.code == code]
    assert found, [d.format() for d in result.diagnostics]
    assert (found[0].line, found[0].column) == (line, column)
    assert sentence in found[0].message
    assert not any(d.code == "internal-error" for d in result.diagnostics)
    if name != "conditions.yaml":
        assert not result.valid


def test_the_whole_corpus_in_one_validate_reports_on_every_file() -> None:
    result = invoke("validate", "--json", str(HOSTILE), str(FIXTURES / "every_feature.yaml"))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    data = json.loads(
        result.stdout,  # type: ignore[attr-defined]
        parse_constant=lambda c: pytest.fail(f"{c} is not JSON"),
    )
    files = {Path(f["path"]).name: f for f in data["files"]}
    assert set(files) == {*EXPECTED, "every_feature.yaml"}
    assert files["every_feature.yaml"]["valid"]
    for name, (_, _, code, _) in EXPECTED.items():
        assert code in {d["code"] for d in files[name]["diagnostics"]}, name
    assert "unexpected error" not in result.output  # type: ignore[attr-defined]


def test_a_value_the_reader_refused_is_not_reported_twice_by_the_shape_pass() -> None:
    result = load_file(HOSTILE / "huge_integer.yaml")
    at = [d for d in result.diagnostics if (d.line, d.column) == (1, 11)]
    assert [d.code for d in at] == ["bad-number"]
    assert all(len(d.message) < 200 for d in result.diagnostics)


def test_conditions_that_always_fail_or_mix_types_are_warnings() -> None:
    result = load_file(HOSTILE / "conditions.yaml")
    by_choice = {d.line: d for d in result.diagnostics if d.severity == "warning"}
    assert by_choice[15].code == "always-errors"
    assert "cannot compare number 0 with string 'two'" in by_choice[15].message
    assert by_choice[17].code == "type-mismatch"
    assert "mixes types" in by_choice[17].message
    assert 16 not in by_choice  # '10 / trust' fails only while trust is 0: no warning
    assert result.valid


def test_plain_yaml_still_reads_as_before() -> None:
    value = load_text(
        "simtrain: 1\nbase: &b {title: T, text: x}\nscene: {<<: *b, text: mine}\n"
        "date: 2001-12-14\nno: 0x1F\nratio: 1_000.5\nsexagesimal: 1:30\n",
    )
    raw, _ = validate_module.load_marked(
        "base: &b {title: T, text: x}\nscene: {<<: *b, text: mine}\n"
        "date: 2001-12-14\nno: 0x1F\nratio: 1_000.5\nsexagesimal: 1:30\nequals: =\n"
    )
    assert raw["scene"] == {"title": "T", "text": "mine"}
    assert raw["date"] == "2001-12-14"  # a date stays text, not a timestamp
    assert raw["no"] == 31  # a key 'no' stays the word 'no'
    assert raw["ratio"] == 1000.5
    assert raw["sexagesimal"] == 90
    assert raw["equals"] == "="
    assert not any(d.code == "yaml-tag" for d in value.diagnostics)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "x.yaml"
    os.mkfifo(fifo)
    result = load_file(fifo)
    assert [d.code for d in result.diagnostics] == ["not-a-file"]
    assert "a FIFO (named pipe), not a regular file" in result.diagnostics[0].message
    # also when it is found in a folder next to a good file
    (tmp_path / "good.yaml").write_text((FIXTURES / "every_feature.yaml").read_text())
    out = invoke("validate", str(tmp_path))
    assert out.exit_code == 1  # type: ignore[attr-defined]
    assert "x.yaml:1:1: error: this is a FIFO" in out.output  # type: ignore[attr-defined]
    assert "2 files checked" in out.output  # type: ignore[attr-defined]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_refused_without_reading_it() -> None:
    assert stat.S_ISCHR(os.stat("/dev/zero").st_mode)
    result = load_file("/dev/zero")
    assert [d.code for d in result.diagnostics] == ["not-a-file"]
    assert "this is a device, not a regular file" in result.diagnostics[0].message


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("simtrain: 1\n" + "# padding\n" * 300_000)  # 3 MB
    monkeypatch.setenv("SIMTRAIN_MAX_SCENARIO_MB", "2")
    result = load_file(big)
    assert [d.code for d in result.diagnostics] == ["too-big"]
    assert "over the 2.0 MB limit" in result.diagnostics[0].message
    assert "SIMTRAIN_MAX_SCENARIO_MB" in result.diagnostics[0].message
    monkeypatch.setenv("SIMTRAIN_MAX_SCENARIO_MB", "4")
    assert load_file(big).diagnostics[0].code != "too-big"
    assert validate_module.DEFAULT_MAX_BYTES == 20 * 1024 * 1024


def test_a_bug_while_checking_one_file_is_a_diagnostic_for_that_file(monkeypatch) -> None:
    real = validate_module.load_text

    def broken(text: str, path: str = "<scenario>") -> object:
        if path.endswith("nan.yaml"):
            raise RuntimeError("boom")
        return real(text, path)

    monkeypatch.setattr(validate_module, "load_text", broken)
    result = invoke("validate", str(HOSTILE / "nan.yaml"), str(FIXTURES / "every_feature.yaml"))
    out = result.output  # type: ignore[attr-defined]
    assert "nan.yaml:1:1: error: simtrain could not check this file (RuntimeError: boom)" in out
    assert "2 files checked" in out
    assert "unexpected error" not in out


def test_json_output_never_holds_nan(tmp_path: Path) -> None:
    scenario = tmp_path / "grow.yaml"
    scenario.write_text(
        "simtrain: 1\nid: grow\ntitle: Grow\nroles: [{id: lead, name: Lead}]\n"
        "vars: {x: 1.0e+308}\nstart: a\nscenes:\n  a:\n    title: A\n    choices:\n"
        "      - {id: grow, label: Grow, add: {x: 1.0e+308}, assess: {safety: 1}}\n"
        "      - {id: out, label: Out, goto: b}\n  b: {title: B, ending: {outcome: success}}\n"
    )
    result = invoke("run", str(scenario), "grow", "--json")
    data = json.loads(
        result.stdout,  # type: ignore[attr-defined]
        parse_constant=lambda c: pytest.fail(f"{c} is not JSON"),
    )
    assert data["vars"]["x"] is None
