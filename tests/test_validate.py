"""The validator: every defect of SPEC §2 reported at its line, all in one run."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from simtrain.scenario.validate import load_file, load_text

from .conftest import FIXTURES


def codes(text: str) -> list[tuple[str, int, str]]:
    """(code, line, severity) for each diagnostic of a scenario text."""
    result = load_text(textwrap.dedent(text), "t.yaml")
    return [(d.code, d.line, d.severity) for d in result.diagnostics]


BASE = """\
simtrain: 1
id: t
title: T
content_warning: Practice only.
roles:
  - {id: a, name: A}
vars: {n: 0, flag: false, items: []}
documents:
  doc: {title: Doc}
start: s
scenes:
  s:
    title: S
    on_enter: {reveal: [doc]}
    choices:
      - id: c1
        label: C1
        goto: e
        assess: {safety: 1, trust: 1, choice: 1, identification: 1, evidence: 1,
                 cooperation: 1, rights: 1, sensitivity: 1}
  e:
    title: E
    ending: {outcome: success}
"""


def test_base_is_clean() -> None:
    assert codes(BASE) == []


def test_every_feature_demo_is_clean() -> None:
    result = load_file(FIXTURES / "every_feature.yaml")
    assert [d.format() for d in result.diagnostics] == []
    assert result.scenario is not None


def test_ten_defects_reported_at_their_lines() -> None:
    result = load_file(FIXTURES / "ten_defects.yaml")
    found = {(d.code, d.line) for d in result.diagnostics if d.severity == "error"}
    expected = {
        ("duplicate-id", 8),  # second role 'investigator'
        ("unknown-key", 16),  # titel
        ("unknown-scene", 20),  # goto screning
        ("unknown-role", 21),  # investigatr
        ("type-mismatch", 22),  # set trust: "high"
        ("bad-expression", 23),  # "trust >= "
        ("duplicate-id", 27),  # choice go twice
        ("unknown-competency", 30),  # safty
        ("dead-end", 31),  # scene dead
        ("bad-value", 35),  # outcome victory
        ("bad-value", 38),  # channel fax
        ("unknown-document", 40),  # reveal nothing
    }
    assert expected <= found, sorted(expected - found)
    assert not result.valid
    assert result.scenario is None


def test_diagnostic_format_names_file_line_column_and_hint() -> None:
    result = load_file(FIXTURES / "ten_defects.yaml")
    lines = [d.format() for d in result.diagnostics]
    assert any(
        line.endswith("error: goto 'screning' is not a scene (did you mean 'screening'?)")
        and ":20:" in line
        for line in lines
    ), lines
    assert any("unknown key 'titel'" in line and "did you mean 'title'" in line for line in lines)


@pytest.mark.parametrize(
    ("snippet", "replacement", "code"),
    [
        ("title: S\n", "title: S\n    title: again\n", "duplicate-key"),
        ("start: s", "start: nowhere", "unknown-scene"),
        ("goto: e\n", "goto: e\n        roles: [b]\n", "unknown-role"),
        ("goto: e\n", "goto: e\n        reveal: [nope]\n", "unknown-document"),
        ("goto: e\n", "goto: e\n        if: \"visited('x') > 0\"\n", "unknown-scene"),
        ("goto: e\n", "goto: e\n        if: \"chosen('zz')\"\n", "unknown-choice"),
        ("goto: e\n", "goto: e\n        if: \"has('zz')\"\n", "unknown-document"),
        ("goto: e\n", "goto: e\n        if: \"delivered('zz')\"\n", "unknown-inject"),
        ("goto: e\n", 'goto: e\n        if: "nn > 1"\n', "bad-expression"),
        ("goto: e\n", "goto: e\n        if: \"__import__('os')\"\n", "bad-expression"),
        ("goto: e\n", "goto: e\n        set: {n: true}\n", "type-mismatch"),
        ("goto: e\n", "goto: e\n        set: {n: 1.5}\n", "type-mismatch"),
        ("goto: e\n", "goto: e\n        add: {flag: 1}\n", "type-mismatch"),
        ("goto: e\n", "goto: e\n        add: {zz: 1}\n", "unknown-variable"),
        ("goto: e\n", "goto: e\n        once: maybe\n", "wrong-type"),
        ("safety: 1", "safety: 9", "bad-points"),
        ("id: t\n", "id: T!\n", "bad-id"),
        ("simtrain: 1", "simtrain: 2", "bad-value"),
        ("title: T\n", "", "missing-key"),
        (
            "  e:\n    title: E\n    ending: {outcome: success}\n",
            "  e:\n    title: E\n",
            "dead-end",
        ),
        (
            "ending: {outcome: success}",
            "ending: {outcome: success}\n    timer: {after: 10 min, goto: s}",
            "bad-duration",
        ),
    ],
)
def test_each_error_rule(snippet: str, replacement: str, code: str) -> None:
    assert snippet in BASE
    found = codes(BASE.replace(snippet, replacement, 1))
    assert code in [c for c, _, severity in found if severity == "error"], found


@pytest.mark.parametrize(
    ("snippet", "replacement", "code"),
    [
        ("documents:\n", "documents:\n  other: {title: Other}\n", "never-revealed"),
        ("safety: 1, ", "", "never-assessed"),
        (
            "  e:\n",
            "  lost:\n    title: L\n    choices: [{id: c9, label: x, goto: e}]\n  e:\n",
            "unreachable-scene",
        ),
        (
            "  e:\n",
            "  e2:\n    title: E2\n    ending: {outcome: failure}\n  e:\n",
            "unreachable-ending",
        ),
        ("goto: e\n", "goto: loop\n", "trap"),
        ("goto: e\n", 'goto: e\n        if: "1 > 2"\n', "never-enabled"),
    ],
)
def test_each_warning_rule(snippet: str, replacement: str, code: str) -> None:
    text = BASE.replace(snippet, replacement, 1)
    if code == "trap":
        text += "  loop:\n    title: Loop\n    choices: [{id: c2, label: again, goto: loop}]\n"
    found = codes(text)
    assert (code, "warning") in [(c, s) for c, _, s in found], found
    assert all(s == "warning" for _, _, s in found), found


def test_inject_objective_without_expected_warns() -> None:
    text = BASE + "injects:\n  - {id: i1, subject: S, objective: rights}\n"
    assert ("no-expected-action", "warning") in [(c, s) for c, _, s in codes(text)]


def test_yaml_syntax_error_has_position() -> None:
    found = codes("simtrain: 1\nid: [unclosed\n")
    assert found and found[0][0] == "yaml-syntax"


def test_python_object_tags_are_refused() -> None:
    text = BASE.replace("title: T", "title: !!python/object/apply:os.system ['echo hi']")
    assert "yaml-tag" in [c for c, _, _ in codes(text)]


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    result = load_text("\n".join(lines) + "\n", "bomb.yaml")
    assert result.diagnostics and result.diagnostics[0].code == "too-large"


def test_yes_no_values_get_a_quoting_hint() -> None:
    found = load_text(BASE.replace("label: C1", "label: no"), "t.yaml")
    assert any("quotes" in d.message for d in found.diagnostics)


def test_inline_rubric(tmp_path: Path) -> None:
    text = BASE.replace(
        "roles:",
        "rubric:\n  id: mine\n  competencies:\n    - {id: safety, name: Safety}\nroles:",
    )
    text = text.replace(
        "{safety: 1, trust: 1, choice: 1, identification: 1, evidence: 1,\n"
        "                 cooperation: 1, rights: 1, sensitivity: 1}",
        "{safety: 1}",
    )
    result = load_text(text, "t.yaml")
    assert result.diagnostics == []
    assert result.scenario is not None and result.scenario.competencies == ("safety",)


def test_cli_validate_json(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from simtrain.cli import main

    good = tmp_path / "good.yaml"
    good.write_text(BASE)
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE.replace("goto: e\n", "goto: x\n"))
    result = CliRunner().invoke(main, ["validate", "--json", str(tmp_path)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    by_path = {Path(f["path"]).name: f for f in data["files"]}
    assert by_path["good.yaml"]["valid"] is True
    assert by_path["bad.yaml"]["valid"] is False
    diagnostics = by_path["bad.yaml"]["diagnostics"]
    assert all(set(d) == {"severity", "line", "column", "code", "message"} for d in diagnostics)
    assert "unknown-scene" in [d["code"] for d in diagnostics]


def test_a_scenario_without_a_content_warning_is_warned_at_its_title() -> None:
    text = BASE.replace("content_warning: Practice only.\n", "")
    assert codes(text) == [("no-content-warning", 3, "warning")]


def test_a_hand_kept_critical_errors_variable_is_warned_and_conditions_read_the_engine() -> None:
    text = BASE.replace("vars: {n: 0,", "vars: {critical_errors: 0, n: 0,").replace(
        "        goto: e\n", '        goto: e\n        if: "critical_errors == 0"\n', 1
    )
    assert codes(text) == [("engine-counted", 7, "warning")]


def test_a_condition_on_critical_errors_alone_is_not_constant() -> None:
    text = BASE.replace(
        "        goto: e\n", '        goto: e\n        if: "critical_errors > 0"\n', 1
    )
    assert "never-enabled" not in {code for code, _, _ in codes(text)}


def test_new_keys_are_typed() -> None:
    text = BASE.replace("title: T\n", "title: T\nmin_decisions: 0\n", 1)
    assert codes(text) == [("bad-value", 4, "error")]
    ok = (
        BASE.replace("title: T\n", "title: T\nmin_decisions: 3\n", 1)
        .replace(
            "    title: S\n",
            "    title: S\n    notes_for_roleplayers: The actor waits.\n",
            1,
        )
        .replace("        goto: e\n", "        goto: e\n        dilemma: Weigh both.\n", 1)
    )
    assert codes(ok) == []


CHARACTER = """\
characters:
  witness:
    name: The witness
    card: "**You play** the witness."
    talks_to: [a]
    scenes: [s]
"""


def test_a_character_with_a_card_talks_to_roles_in_scenes() -> None:
    result = load_text(BASE + CHARACTER, "t.yaml")
    assert result.diagnostics == []
    scenario = result.scenario
    assert scenario is not None
    assert scenario.characters["witness"].name == "The witness"
    assert scenario.talks_to("witness") == ("a",)
    assert scenario.scene_characters == {"s": ("witness",)}


def test_character_references_and_keys_are_checked_with_did_you_mean() -> None:
    text = BASE + CHARACTER.replace("[a]", "[aa]").replace("[s]", "[ss]").replace(
        "    name:", "    colour: red\n    name:"
    )
    result = load_text(text, "t.yaml")
    messages = {(d.code, d.line): d.message for d in result.diagnostics}
    assert messages[("unknown-role", 29)] == "talks_to 'aa' is not a role (did you mean 'a'?)"
    assert messages[("unknown-scene", 30)] == "scene 'ss' is not a scene (did you mean 's'?)"
    assert "unknown key 'colour' in character 'witness'" in messages[("unknown-key", 26)]


def test_a_character_must_be_somewhere() -> None:
    text = BASE + CHARACTER.replace("    scenes: [s]\n", "")
    assert codes(text) == [("missing-key", 26, "error")]


@pytest.mark.parametrize(
    ("name", "character", "scene"),
    [
        ("port-arrivals", "sanela", "screening_tent"),
        ("morning-after", "mira", "free_recall"),
        ("follow-the-money", "accountant", "info_strategy"),
    ],
)
def test_the_family_scenarios_have_a_character_with_a_full_card(
    name: str, character: str, scene: str
) -> None:
    path = Path(__file__).parent.parent / "scenarios" / f"{name}.yaml"
    result = load_file(path)
    assert result.scenario is not None
    found = result.scenario.characters[character]
    assert scene in found.scenes
    for part in (
        "What you know" if name == "follow-the-money" else "Background",
        "disclose only when trust is earned",
        "Triggers to avoid",
        "How you react",
    ):
        assert part in found.card
