"""Safe YAML loading that remembers where every node came from.

PyYAML's C parser composes the node tree (fast, and with marks); we then build plain
Python values ourselves instead of using a constructor, so that we can

* keep the line and column of every key and value (for diagnostics),
* report duplicate mapping keys (PyYAML silently keeps the last one),
* keep mapping keys as the text the author typed (``no:`` stays ``"no"``),
* never build arbitrary Python objects (only the YAML core types exist here),
* refuse alias bombs ("billion laughs") instead of expanding them.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # the C parser is much faster; fall back to the pure-Python one where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Position = tuple[int, int]
"""A 1-based (line, column) pair."""

MAX_NODES = 2_000_000
"""How many nodes (aliases expanded) a document may hold before we refuse it."""

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_FLOAT = "tag:yaml.org,2002:float"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


class MarkedDict(dict[str, Any]):
    """A mapping that remembers the position of itself, each key and each value."""

    __slots__ = ("key_positions", "position", "value_positions")

    def __init__(self, position: Position) -> None:
        super().__init__()
        self.position = position
        self.key_positions: dict[str, Position] = {}
        self.value_positions: dict[str, Position] = {}


class MarkedList(list[Any]):
    """A sequence that remembers the position of itself and each item."""

    __slots__ = ("item_positions", "position")

    def __init__(self, position: Position) -> None:
        super().__init__()
        self.position = position
        self.item_positions: list[Position] = []


@dataclass(frozen=True)
class SourceProblem:
    """A problem found while reading the YAML text (syntax, duplicate key...)."""

    line: int
    column: int
    code: str
    message: str


class YamlSyntaxError(Exception):
    """The text is not YAML we can read at all."""

    def __init__(self, problem: SourceProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _pos(node: Node) -> Position:
    mark = node.start_mark
    return (mark.line + 1, mark.column + 1)


class _Builder:
    """Turns a composed node tree into MarkedDict/MarkedList/scalars."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.problems: list[SourceProblem] = []
        self.count = 0
        self.seen: dict[int, Any] = {}

    def build(self, node: Node) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlSyntaxError(
                SourceProblem(
                    *_pos(node),
                    "too-large",
                    "the document is too large once its aliases are expanded "
                    f"(more than {MAX_NODES:,} nodes); remove repeated aliases",
                )
            )
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        key = id(node)
        if key in self.seen:  # an alias: count its size again, share the value
            value = self.seen[key]
            self.count += _size(value)
            return value
        if isinstance(node, MappingNode):
            value = self.mapping(node)
        elif isinstance(node, SequenceNode):
            value = self.sequence(node)
        else:  # pragma: no cover - PyYAML only has these three
            raise TypeError(node)
        self.seen[key] = value
        return value

    def scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _INT:
            return SafeConstructor.construct_yaml_int(self.loader, node)
        if tag == _BOOL:
            return _BOOLS[node.value.lower()]
        if tag == _NULL:
            return None
        if tag == _FLOAT:
            return SafeConstructor.construct_yaml_float(self.loader, node)
        if tag.startswith("tag:yaml.org,2002:"):
            # timestamps, binary...: the safe constructor knows them; we want them as text
            return node.value
        self.problems.append(
            SourceProblem(
                *_pos(node),
                "yaml-tag",
                f"the tag '{tag}' is not allowed in a scenario (only plain YAML values are)",
            )
        )
        return node.value

    def sequence(self, node: SequenceNode) -> MarkedList:
        result = MarkedList(_pos(node))
        if node.tag != _SEQ:
            self._bad_tag(node)
        positions = result.item_positions
        for item in node.value:
            positions.append(_pos(item))
            result.append(self.build(item))
        return result

    def mapping(self, node: MappingNode) -> MarkedDict:
        result = MarkedDict(_pos(node))
        if node.tag != _MAP:
            self._bad_tag(node)
        if any(k.tag == "tag:yaml.org,2002:merge" for k, _ in node.value):
            self.loader.flatten_mapping(node)
        key_positions = result.key_positions
        value_positions = result.value_positions
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problems.append(
                    SourceProblem(
                        *_pos(key_node),
                        "yaml-key",
                        "a mapping key must be a plain word, not a list or a mapping",
                    )
                )
                continue
            key = key_node.value
            if key in result:
                first = key_positions[key]
                self.problems.append(
                    SourceProblem(
                        *_pos(key_node),
                        "duplicate-key",
                        f"duplicate key '{key}' (first defined at line {first[0]}); "
                        "YAML would silently keep only the last one",
                    )
                )
                continue
            key_positions[key] = _pos(key_node)
            value_positions[key] = _pos(value_node)
            result[key] = self.build(value_node)
        return result

    def _bad_tag(self, node: Node) -> None:
        self.problems.append(
            SourceProblem(
                *_pos(node),
                "yaml-tag",
                f"the tag '{node.tag}' is not allowed in a scenario (only plain YAML values are)",
            )
        )


def _size(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_size(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_size(v) for v in value)
    return 1


def load_marked(text: str) -> tuple[Any, list[SourceProblem]]:
    """Parse one YAML document into marked values plus the problems found on the way.

    Raises YamlSyntaxError when the text cannot be parsed at all.
    """
    loader = _Loader(text)
    enabled = gc.isenabled()
    # Building many small containers triggers the cyclic GC again and again although
    # nothing here can form a cycle that needs it; pausing it halves the load time.
    gc.disable()
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            what = exc.problem or exc.context or "invalid YAML"
            raise YamlSyntaxError(
                SourceProblem(line, column, "yaml-syntax", f"YAML syntax error: {what}")
            ) from None
        except yaml.YAMLError as exc:
            raise YamlSyntaxError(
                SourceProblem(1, 1, "yaml-syntax", f"YAML syntax error: {exc}")
            ) from None
        if node is None:
            return None, []
        builder = _Builder(loader)
        value = builder.build(node)
        return value, builder.problems
    finally:
        loader.dispose()
        if enabled:
            gc.enable()


def position_of(root: Any, path: tuple[Any, ...], *, key: bool = False) -> Position:
    """The position of the node at ``path`` (keys and indexes) below ``root``.

    With ``key=True`` and a path ending in a mapping key, the key's own position. Walks as
    deep as the path exists and returns the deepest position found.
    """
    node = root
    best: Position = getattr(root, "position", (1, 1))
    for index, step in enumerate(path):
        last = index == len(path) - 1
        if isinstance(node, MarkedDict) and isinstance(step, str) and step in node:
            if last and key:
                return node.key_positions[step]
            best = node.value_positions[step]
            node = node[step]
        elif isinstance(node, MarkedList) and isinstance(step, int) and 0 <= step < len(node):
            best = node.item_positions[step]
            node = node[step]
        else:
            break
    return best
