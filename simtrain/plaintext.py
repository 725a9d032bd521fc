"""Text from people and files made safe to store and to show on a terminal.

Anything a person types (a display name, a rationale, a message, a note) and anything read
back from a database may hold terminal control sequences: ``ESC ] 52 ; c ; … BEL`` writes
to the reader's clipboard, ``ESC [ 2 J`` clears their screen, a C1 byte such as ``\\x9b``
starts a sequence on some terminals, and Unicode bidirectional overrides make a name read
differently from what it is. None of it has a place in an exercise, so it is removed where
text enters (the store writes only clean strings) and again where it leaves (what the
store reads back, reports, command-line output), so an old or hand-edited file cannot
smuggle it through either.

Newlines and tabs are kept by :func:`clean_text` (messages have paragraphs); a display
name or a one-line field goes through :func:`clean_line`, which folds all whitespace.

Pure Python: no dependency beyond the standard library.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")

_ESCAPE_SEQUENCE_PATTERN = r"""
    \x1b\[[0-?]*[ -/]*[@-~]?              # CSI: ESC [ params intermediates final
    | \x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC, DCS, SOS, PM, APC … BEL/ST
    | \x9b[0-?]*[ -/]*[@-~]?              # 8-bit CSI
    | [\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?  # 8-bit string commands
    | \x1b[ -/]*[0-~]?                    # any other ESC sequence (ESC c, ESC ( B …)
"""
"""A terminal escape sequence, removed as a whole (its payload is no text anyone typed)."""


@cache
def _escape_sequence() -> re.Pattern[str]:
    """:data:`_ESCAPE_SEQUENCE_PATTERN`, compiled the first time a text holds a control
    character (most never do; compiling it was ~1 ms of every command's start-up)."""
    return re.compile(_ESCAPE_SEQUENCE_PATTERN, re.VERBOSE)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Control characters left after the sequences (C0 but newline and tab, DEL, C1) and the
Unicode direction marks and overrides that make text display in another order."""


def clean_text(text: str) -> str:
    """``text`` without terminal escape sequences or control characters; newlines (a
    ``\\r\\n`` or a lone ``\\r`` becomes ``\\n``) and tabs are kept."""
    if not _CONTROL.search(text):
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _escape_sequence().sub("", text))


def clean_line(text: str, limit: int | None = None) -> str:
    """One line of clean text: whitespace folded to single spaces, trimmed, and cut to
    ``limit`` characters."""
    line = " ".join(clean_text(text).split())
    return line if limit is None else line[:limit].rstrip()


def has_control(text: str) -> bool:
    """Whether ``text`` holds anything :func:`clean_text` would remove."""
    return _CONTROL.search(text) is not None


_JSON_ESCAPED = ("\\u00", "\\r", "\\b", "\\f")
"""How C0 characters appear in JSON text (\\r, \\b, \\f, or \\u00XX; newline and tab,
which stay, as \\n and \\t)."""
_JSON_UNESCAPED = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""The rest of :data:`_CONTROL`, which JSON text holds as it is."""


def json_has_control(text: str) -> bool:
    """Whether JSON text written with ``ensure_ascii=False`` may hold anything
    :func:`clean_text` would remove from one of its strings (it may say so of a clean
    text, a typed backslash before an r say, never miss one): when not, the text can be
    stored as it is. Four substring searches and one character class: a report of 100
    teams is megabytes of JSON, which one regular expression of alternatives walked at a
    third of the speed."""
    return any(escaped in text for escaped in _JSON_ESCAPED) or (
        _JSON_UNESCAPED.search(text) is not None
    )


def scrub(value: T) -> T:
    """``value`` with :func:`clean_text` applied to every string inside it (dict keys and
    values, list and tuple items); other values are returned as they are.

    A large clean document (a report of 100 teams) is returned as it is after one search
    of its JSON text, written at C speed, instead of a walk through every string in it.
    """
    if isinstance(value, dict | list | tuple):
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):  # not plain JSON: walk it
            return _scrub(value)  # type: ignore[no-any-return]
        if not json_has_control(text):
            return value
    return _scrub(value)  # type: ignore[no-any-return]


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_scrub(v) for v in value)
    return value
