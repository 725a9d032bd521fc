"""Turn pydantic's validation errors into diagnostics people can act on.

Pydantic reports every shape problem in one pass (unknown and missing keys, wrong types,
bad ids and durations); here each one is anchored to the YAML node it is about and worded
for a trainer, with a "did you mean" hint for unknown keys.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from simtrain.scenario.diagnostics import Diagnostic
from simtrain.scenario.model import (
    Character,
    Choice,
    Competency,
    Document,
    Effects,
    Ending,
    Inject,
    Role,
    Rubric,
    ScenarioModel,
    Scene,
    Timer,
)
from simtrain.scenario.yamlsource import position_of
from simtrain.text import did_you_mean

_ANY = object()
# Which model describes the mapping found at a path (wildcards match any key or index).
_CONTEXTS: list[tuple[tuple[Any, ...], type[BaseModel], str]] = [
    ((), ScenarioModel, "the scenario"),
    (("roles", _ANY), Role, "role"),
    (("documents", _ANY), Document, "document"),
    (("scenes", _ANY), Scene, "scene"),
    (("scenes", _ANY, "on_enter"), Effects, "on_enter"),
    (("scenes", _ANY, "timer"), Timer, "timer"),
    (("scenes", _ANY, "ending"), Ending, "ending"),
    (("scenes", _ANY, "choices", _ANY), Choice, "choice"),
    (("injects", _ANY), Inject, "inject"),
    (("injects", _ANY, "choices", _ANY), Choice, "choice"),
    (("characters", _ANY), Character, "character"),
    (("rubric",), Rubric, "rubric"),
    (("rubric", "competencies", _ANY), Competency, "competency"),
]
_TYPE_WORDS = {
    bool: "true/false",
    int: "a whole number",
    float: "a number",
    str: "text",
    list: "a list",
    dict: "a mapping",
    type(None): "empty",
}


def _context(path: tuple[Any, ...]) -> tuple[type[BaseModel], str] | None:
    for pattern, model, name in _CONTEXTS:
        if len(pattern) == len(path) and all(
            p is _ANY or p == s for p, s in zip(pattern, path, strict=True)
        ):
            return model, name
    return None


def _keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _what(raw: Any, path: tuple[Any, ...]) -> str:
    """A short name for the thing at ``path``: "scene 'quay'", "choice 'x'"..."""
    context = _context(path)
    if context is None:
        return "'" + ".".join(str(p) for p in path) + "'" if path else "the scenario"
    _, name = context
    node = raw
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return name
    if isinstance(node, dict) and isinstance(node.get("id"), str):
        return f"{name} '{node['id']}'"
    if path and isinstance(path[-1], str) and name in ("scene", "document", "character"):
        return f"{name} '{path[-1]}'"
    return name


def _data_path(raw: Any, loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], bool]:
    """The part of pydantic's ``loc`` that names real data (union member tags dropped).

    Returns the path and whether its last step exists in the data.
    """
    node = raw
    path: list[Any] = []
    exists = True
    for index, step in enumerate(loc):
        last = index == len(loc) - 1
        in_dict = isinstance(node, dict) and step in node
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if in_dict or in_list:
            node = node[step]
            path.append(step)
        elif last:
            path.append(step)
            exists = False
        # else: a union member tag such as 'Rubric' or 'list[str]': skip it
    return tuple(path), exists


def _type_word(value: Any) -> str:
    return _TYPE_WORDS.get(type(value), type(value).__name__)


def shape_diagnostics(raw: Any, exc: ValidationError, file: str) -> list[Diagnostic]:
    """One diagnostic per problem pydantic found, most specific first, no duplicates."""
    found: dict[tuple[Any, ...], Diagnostic] = {}
    paths_with_children: set[tuple[Any, ...]] = set()
    entries = []
    for error in exc.errors(include_url=False):
        path, exists = _data_path(raw, tuple(error["loc"]))
        entries.append((path, exists, error))
        for cut in range(len(path)):
            paths_with_children.add(path[:cut])
    for path, exists, error in entries:
        kind = error["type"]
        if path in found:
            continue
        if path in paths_with_children and kind not in ("extra_forbidden", "missing"):
            # a union branch failed as a whole while another branch has precise errors
            continue
        found[path] = _one(raw, path, exists, error, file)
    return list(found.values())


def _one(raw: Any, path: tuple[Any, ...], exists: bool, error: Any, file: str) -> Diagnostic:
    kind: str = error["type"]
    value = error.get("input")
    parent = path[:-1]
    name = path[-1] if path else ""
    where = _what(raw, parent)
    if kind == "extra_forbidden":
        context = _context(parent)
        hint = did_you_mean(str(name), _keys(context[0])) if context else ""
        line, column = position_of(raw, path, key=True)
        return Diagnostic(
            "error", line, column, "unknown-key", f"unknown key '{name}' in {where}{hint}", file
        )
    if kind == "missing":
        line, column = position_of(raw, parent)
        return Diagnostic(
            "error", line, column, "missing-key", f"{where} needs the key '{name}'", file
        )
    line, column = position_of(raw, path)
    value = _shown(value)
    field = f"'{name}'" if isinstance(name, str) else f"item {name + 1}"
    subject = f"{field} of {where}" if path else "the scenario"
    if kind == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        if "h(" in pattern:
            message = f"{subject} is '{value}', which is not a duration (use e.g. 45s, 10m, 1h30m)"
            code = "bad-duration"
        elif "-" in pattern:
            message = (
                f"'{value}' is not a valid id for {subject} (lowercase letters, digits, '_' "
                "and '-', starting with a letter)"
            )
            code = "bad-id"
        else:
            message = (
                f"'{value}' is not a valid id for {subject} (lowercase letters, digits and "
                "'_', starting with a letter)"
            )
            code = "bad-id"
        return Diagnostic("error", line, column, code, message, file)
    if kind == "literal_error":
        quoted = repr(value) if isinstance(error.get("input"), str) else value
        expected = error.get("ctx", {}).get("expected", "")
        return Diagnostic(
            "error",
            line,
            column,
            "bad-value",
            f"{subject} is {quoted}; it must be one of {expected}",
            file,
        )
    if kind in ("too_short", "too_long"):
        return Diagnostic("error", line, column, "too-few", f"{subject} must not be empty", file)
    if kind == "greater_than_equal" and name == "min_decisions":
        return Diagnostic(
            "error",
            line,
            column,
            "bad-value",
            f"{subject} is {value}; it must be a whole number of decisions, at least 1",
            file,
        )
    if kind in ("greater_than_equal", "less_than_equal"):
        return Diagnostic(
            "error",
            line,
            column,
            "bad-points",
            f"{subject} is {value}; points must be whole numbers from -5 to 5",
            file,
        )
    if parent and parent[-1] in ("vars", "set"):
        wanted = "a number, true/false, text or a list of texts"
    elif parent and parent[-1] == "add":
        wanted = "a number (or a text to append to a list variable)"
    else:
        wanted = _expected_word(kind)
    got = _type_word(value)
    hint = ""
    if isinstance(value, bool) and wanted == "text":
        hint = " (YAML reads yes/no/on/off/true/false as true/false: put the text in quotes)"
    return Diagnostic(
        "error",
        line,
        column,
        "wrong-type",
        f"{subject} must be {wanted}, not {got}{hint}",
        file,
    )


def _shown(value: Any) -> Any:
    """A value as a message quotes it: text and containers cut to a readable length."""
    if isinstance(value, str | list | dict):
        text = repr(value) if not isinstance(value, str) else value
        return text if len(text) <= 60 else text[:57] + "..."
    return value


def _expected_word(kind: str) -> str:
    if kind.startswith("string"):
        return "text"
    if kind.startswith("int"):
        return "a whole number"
    if kind.startswith("float"):
        return "a number"
    if kind.startswith("bool"):
        return "true or false"
    if kind.startswith("list"):
        return "a list"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "a mapping"
    return "of another type"
