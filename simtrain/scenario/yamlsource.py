"""Safe YAML loading that remembers where every node came from.

libyaml's C parser emits events (fast, and with marks); we build plain Python values from
them ourselves instead of composing a node tree and running a constructor, so that we can

* keep the line and column of every key and value (for diagnostics),
* report duplicate mapping keys (PyYAML silently keeps the last one),
* keep mapping keys as the text the author typed (``no:`` stays ``"no"``),
* never build arbitrary Python objects: only the core schema's tags (str, int, float,
  bool, null, seq, map) are read; every other tag is a diagnostic,
* refuse what a hostile file could use against us with one sentence each: alias bombs
  ("billion laughs") and recursive aliases, nesting deeper than any scenario needs,
  integers beyond 64 bits, non-finite numbers, malformed tagged values and merges,
* stop as soon as a document grows past :data:`MAX_NODES`, before it fills memory.
"""

from __future__ import annotations

import gc
import math
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.resolver import Resolver

try:  # the C parser is much faster; fall back to the pure-Python one where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Position = tuple[int, int]
"""A 1-based (line, column) pair."""

MAX_NODES = 2_000_000
"""How many nodes (aliases expanded) a document may hold before we refuse it."""
MAX_DEPTH = 64
"""How deep mappings and lists may nest (a scenario needs about eight levels)."""
MAX_NUMBER_TEXT = 64
"""Longest text read as a number (a 64-bit integer has at most 20 digits)."""
INT_MIN, INT_MAX = -(2**63), 2**63 - 1

_PREFIX = "tag:yaml.org,2002:"
_STR = _PREFIX + "str"
_INT = _PREFIX + "int"
_BOOL = _PREFIX + "bool"
_NULL = _PREFIX + "null"
_FLOAT = _PREFIX + "float"
_SEQ = _PREFIX + "seq"
_MAP = _PREFIX + "map"
_MERGE = _PREFIX + "merge"
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
_NULLS = {"", "~", "null"}
_CORE_SCALARS = {_STR, _INT, _BOOL, _NULL, _FLOAT}
# PyYAML's implicit resolvers for plain scalars, minus timestamps and '=' (those stay text)
_IMPLICIT: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    first: [(tag, rx) for tag, rx in pairs if tag in _CORE_SCALARS or tag == _MERGE]
    for first, pairs in Resolver.yaml_implicit_resolvers.items()
}
_IMPLICIT = {first: pairs for first, pairs in _IMPLICIT.items() if pairs}


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


def _pos(event: Any) -> Position:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1)


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _tag_word(tag: str) -> str:
    return "!!" + tag[len(_PREFIX) :] if tag.startswith(_PREFIX) else tag


class _Number(ValueError):
    """A scalar that cannot be the number (or true/false, or null) it claims to be."""


def _to_int(text: str) -> int:
    value = text.replace("_", "")
    if len(value) > MAX_NUMBER_TEXT:
        raise _Number("it is too large: numbers must fit in 64 bits")
    sign = 1
    if value[:1] == "-":
        sign, value = -1, value[1:]
    elif value[:1] == "+":
        value = value[1:]
    try:
        if value == "0":
            number = 0
        elif value.startswith("0b"):
            number = int(value[2:], 2)
        elif value.startswith("0x"):
            number = int(value[2:], 16)
        elif value.startswith("0o"):
            number = int(value[2:], 8)
        elif value.startswith("0") and value.isdigit():
            number = int(value, 8)
        elif ":" in value:
            number = 0
            for part in value.split(":"):
                number = number * 60 + int(part)
        else:
            number = int(value)
    except ValueError:
        raise _Number("it is not a whole number") from None
    number *= sign
    if not INT_MIN <= number <= INT_MAX:
        raise _Number("it is too large: numbers must fit in 64 bits")
    return number


def _to_float(text: str) -> float:
    value = text.replace("_", "").lower()
    if len(value) > MAX_NUMBER_TEXT:
        raise _Number("it is too long to be a number")
    sign = 1.0
    if value[:1] == "-":
        sign, value = -1.0, value[1:]
    elif value[:1] == "+":
        value = value[1:]
    try:
        if ":" in value:
            number = 0.0
            for part in value.split(":"):
                number = number * 60 + float(part)
        elif value in (".inf", ".nan"):
            number = math.inf
        else:
            number = float(value)
    except ValueError:
        raise _Number("it is not a number") from None
    if not math.isfinite(number):
        raise _Number("scenario numbers must be finite (no .inf or .nan)")
    return sign * number


def _resolve(value: str) -> str:
    """The core-schema tag of a plain scalar (PyYAML's YAML 1.1 rules)."""
    pairs = _IMPLICIT.get(value[:1])
    if pairs:
        for tag, regexp in pairs:
            if regexp.match(value):
                return tag
    return _STR


class _Frame:
    """A mapping or sequence under construction."""

    __slots__ = ("anchor", "key", "key_pos", "merges", "start", "value")

    def __init__(self, value: MarkedDict | MarkedList, anchor: str | None, start: int) -> None:
        self.value: MarkedDict | MarkedList = value
        self.anchor = anchor
        self.start = start
        self.key: str | None = None
        """In a mapping: the key whose value comes next (None: a key comes next)."""
        self.key_pos: Position = (0, 0)
        self.merges: list[tuple[Position, Any]] = []


_SKIP = "\x00skip"
"""Stands for a key whose value is to be read and dropped (an invalid or repeated key)."""
_MERGE_KEY = "\x00merge"


class _Builder:
    """Turns libyaml's event stream into MarkedDict/MarkedList/scalars."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.problems: list[SourceProblem] = []
        self.count = 0
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.building: set[str] = set()

    def problem(self, position: Position, code: str, message: str) -> None:
        self.problems.append(SourceProblem(*position, code, message))

    def too_large(self, position: Position) -> YamlSyntaxError:
        return YamlSyntaxError(
            SourceProblem(
                *position,
                "too-large",
                "the document is too large once its aliases are expanded "
                f"(more than {MAX_NODES:,} nodes); remove repeated aliases",
            )
        )

    def scalar(self, event: ScalarEvent) -> Any:
        tag = event.tag
        text: str = event.value
        if tag is None:
            if not event.implicit[0]:
                return text  # quoted or block text
            tag = _resolve(text)
            if tag is _STR:
                return text
        elif tag == "!":
            return text
        try:
            if tag == _STR:
                return text
            if tag == _INT:
                return _to_int(text)
            if tag == _FLOAT:
                return _to_float(text)
            if tag == _BOOL:
                flag = _BOOLS.get(text.lower())
                if flag is None:
                    raise _Number("it is not true/false (write true or false)")
                return flag
            if tag == _NULL:
                if text.lower() not in _NULLS:
                    raise _Number("it is not empty (write ~ or null, or nothing)")
                return None
            if tag == _MERGE:
                return text
        except _Number as exc:
            word = {_INT: "a whole number", _FLOAT: "a number", _BOOL: "true/false"}.get(
                tag, "empty"
            )
            explicit = f" (tagged {_tag_word(tag)})" if event.tag else ""
            self.problem(
                _pos(event),
                "bad-number" if tag in (_INT, _FLOAT) else "bad-value",
                f"'{_short(text)}'{explicit} cannot be read as {word}: {exc}",
            )
            return text
        self.bad_tag(event)
        return text

    def bad_tag(self, event: Any) -> None:
        self.problem(
            _pos(event),
            "yaml-tag",
            f"the tag '{_tag_word(event.tag)}' is not allowed in a scenario (only plain YAML "
            "values are: text, numbers, true/false, lists and mappings)",
        )

    def key(self, frame: _Frame, event: Any) -> None:
        """Read a mapping key event; sets ``frame.key`` (``_SKIP`` when unusable)."""
        value = frame.value
        position = _pos(event)
        frame.key_pos = position
        if isinstance(event, ScalarEvent):
            tag = event.tag
            if tag is not None and tag != "!" and tag not in _CORE_SCALARS and tag != _MERGE:
                self.bad_tag(event)
            text: str = event.value
            if (tag is None and event.implicit[0] and text == "<<") or tag == _MERGE:
                frame.key = _MERGE_KEY
                return
            self.named_key(frame, text, position)
            return
        if isinstance(event, AliasEvent):
            target = self.anchors.get(event.anchor or "")
            if target is not None and isinstance(target[0], str):
                self.named_key(frame, target[0], position)
                return
        self.problem(
            position, "yaml-key", "a mapping key must be a plain word, not a list or a mapping"
        )
        frame.key = _SKIP
        if isinstance(event, MappingStartEvent | SequenceStartEvent):
            self.skip_container()
        assert isinstance(value, MarkedDict)

    def named_key(self, frame: _Frame, text: str, position: Position) -> None:
        value = frame.value
        assert isinstance(value, MarkedDict)
        if text in value:
            first = value.key_positions[text]
            self.problem(
                position,
                "duplicate-key",
                f"duplicate key '{_short(text)}' (first defined at line {first[0]}); "
                "YAML would silently keep only the last one",
            )
            frame.key = _SKIP
            return
        frame.key = text

    def skip_container(self) -> None:
        """Read and drop the rest of a container used as a key (counting its nodes)."""
        depth = 1
        get = self.loader.get_event
        while depth:
            event = get()
            self.count += 1
            if self.count > MAX_NODES:
                raise self.too_large(_pos(event))
            if isinstance(event, MappingStartEvent | SequenceStartEvent):
                depth += 1
            elif isinstance(event, MappingEndEvent | SequenceEndEvent):
                depth -= 1

    def attach(self, frame: _Frame | None, position: Position, value: Any) -> Any:
        """Put a finished value into its parent; returns it when there is no parent."""
        if frame is None:
            return value
        parent = frame.value
        if isinstance(parent, MarkedList):
            parent.item_positions.append(position)
            parent.append(value)
            return None
        key = frame.key
        frame.key = None
        if key == _MERGE_KEY:
            frame.merges.append((position, value))
        elif key != _SKIP and key is not None:
            parent.key_positions[key] = frame.key_pos
            parent.value_positions[key] = position
            parent[key] = value
        return None

    def finish_mapping(self, frame: _Frame) -> MarkedDict:
        """Apply ``<<`` merges: merged keys first, the mapping's own keys win."""
        own = frame.value
        assert isinstance(own, MarkedDict)
        if not frame.merges:
            return own
        sources: list[MarkedDict] = []
        for position, value in frame.merges:
            if value is None and self.problems:
                continue  # a broken alias, already reported
            items = value if isinstance(value, list) else [value]
            if not items or not all(isinstance(item, MarkedDict) for item in items):
                self.problem(
                    position,
                    "bad-merge",
                    "'<<' (a YAML merge) must be given a mapping or a list of mappings",
                )
                continue
            sources.extend(items)
        merged = MarkedDict(own.position)
        for source in [own, *sources]:
            for key, item in source.items():
                if key not in merged:
                    merged[key] = item
                    merged.key_positions[key] = source.key_positions[key]
                    merged.value_positions[key] = source.value_positions[key]
        return merged

    def build(self) -> Any:
        """Read one document's events into values (the DocumentStart is already read)."""
        get = self.loader.get_event
        stack: list[_Frame] = []
        frame: _Frame | None = None
        while True:
            event = get()
            if frame is not None and frame.key is None and isinstance(frame.value, MarkedDict):
                if isinstance(event, MappingEndEvent):
                    stack.pop()
                    value = self.finish_mapping(frame)
                    done = frame
                    frame = stack[-1] if stack else None
                    self.close(done, value)
                    result = self.attach(frame, done.value.position, value)
                    if frame is None:
                        return result
                    continue
                self.key(frame, event)
                continue
            self.count += 1
            if self.count > MAX_NODES:
                raise self.too_large(_pos(event))
            cls = type(event)
            if cls is ScalarEvent:
                value = self.scalar(event)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1)
                result = self.attach(frame, _pos(event), value)
                if frame is None:
                    return result
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                if len(stack) >= MAX_DEPTH:
                    raise YamlSyntaxError(
                        SourceProblem(
                            *_pos(event),
                            "too-deep",
                            f"the YAML nests more than {MAX_DEPTH} levels deep here; a "
                            "scenario needs far fewer",
                        )
                    )
                if cls is MappingStartEvent:
                    container: MarkedDict | MarkedList = MarkedDict(_pos(event))
                    if event.tag is not None and event.tag not in ("!", _MAP):
                        self.bad_tag(event)
                else:
                    container = MarkedList(_pos(event))
                    if event.tag is not None and event.tag not in ("!", _SEQ):
                        self.bad_tag(event)
                if event.anchor is not None:
                    self.building.add(event.anchor)
                frame = _Frame(container, event.anchor, self.count)
                stack.append(frame)
            elif cls is SequenceEndEvent:
                done = stack.pop()
                frame = stack[-1] if stack else None
                self.close(done, done.value)
                result = self.attach(frame, done.value.position, done.value)
                if frame is None:
                    return result
            elif cls is AliasEvent:
                value = self.alias(event)
                result = self.attach(frame, _pos(event), value)
                if frame is None:
                    return result
            else:  # pragma: no cover - libyaml emits nothing else inside a document
                raise YamlSyntaxError(
                    SourceProblem(*_pos(event), "yaml-syntax", f"unexpected {cls.__name__}")
                )

    def close(self, frame: _Frame, value: Any) -> None:
        if frame.anchor is not None:
            self.building.discard(frame.anchor)
            self.anchors[frame.anchor] = (value, self.count - frame.start + 1)

    def alias(self, event: AliasEvent) -> Any:
        name = event.anchor or ""
        if name in self.building:
            self.problem(
                _pos(event),
                "recursive-alias",
                f"the alias '*{_short(name)}' is used inside its own anchor '&{_short(name)}', "
                "which would make an endless value",
            )
            return None
        found = self.anchors.get(name)
        if found is None:
            self.problem(
                _pos(event),
                "unknown-alias",
                f"the alias '*{_short(name)}' names no anchor defined before it",
            )
            return None
        value, size = found
        self.count += size - 1
        if self.count > MAX_NODES:
            raise self.too_large(_pos(event))
        return value


def _line_column(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _syntax(exc: yaml.YAMLError, text: str) -> SourceProblem:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        return SourceProblem(line, column, "yaml-syntax", f"YAML syntax error: {what}")
    if isinstance(exc, yaml.reader.ReaderError):
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
        return SourceProblem(
            *_line_column(text, exc.position),
            "not-text",
            f"the text holds the control character U+{code:04X}, which YAML does not allow; "
            "remove it (or write it as an escape inside double quotes)",
        )
    return SourceProblem(1, 1, "yaml-syntax", f"YAML syntax error: {exc}")


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
            loader.get_event()  # StreamStart
            if loader.check_event(yaml.StreamEndEvent):
                return None, []
            loader.get_event()  # DocumentStart
            builder = _Builder(loader)
            value = builder.build()
            loader.get_event()  # DocumentEnd
            if not loader.check_event(yaml.StreamEndEvent):
                event = loader.peek_event()
                raise YamlSyntaxError(
                    SourceProblem(
                        *_pos(event),
                        "yaml-syntax",
                        "YAML syntax error: the file holds more than one document ('---'); "
                        "a scenario is one document",
                    )
                )
        except yaml.YAMLError as exc:
            raise YamlSyntaxError(_syntax(exc, text)) from None
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
