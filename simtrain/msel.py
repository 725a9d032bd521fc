"""The master events list as a spreadsheet, there and back.

Facilitators keep the MSEL in a spreadsheet and change it up to the morning of the
exercise. :func:`msel_xlsx` writes it as an Excel workbook (the text formats are in
:mod:`simtrain.authoring`); :func:`update_from` reads an edited CSV or workbook back into
the scenario: a changed time or trigger, sender, recipients, channel, subject, message,
expected action, objective, notes or content warning updates the inject with that id; a
row with a new id becomes a new inject; an inject whose row was deleted is reported and
removed only when asked.

Nothing is written unless every row reads: each cell error is a sentence naming the file,
row and column, with a did-you-mean where one is close. The scenario text is rewritten with
ruamel.yaml in round-trip mode, so the author's comments and layout elsewhere stay as
they were; the result is loaded again with simtrain's own (safe) loader and validated,
and refused if it is not a valid scenario. ruamel.yaml is used for this rewrite only:
scenarios are always loaded by :mod:`simtrain.scenario.validate`.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
)
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from simtrain.authoring import (
    FORMULA_START,
    MSEL_COLUMNS,
    MSEL_FORMATS,
    msel,
    msel_rows,
    trigger_text,
)
from simtrain.plaintext import clean_text
from simtrain.scenario.channels import CHANNELS
from simtrain.scenario.compiled import Scenario
from simtrain.scenario.expressions import ExpressionError, compile_expression
from simtrain.scenario.runtime import DURATION_PATTERN, ID_PATTERN
from simtrain.scenario.validate import ScenarioFileError, load_text, read_scenario_text

__all__ = ["MselError", "MselUpdate", "msel_file", "msel_xlsx", "read_sheet", "update_from"]

READ_ONLY = ("dilemmas",)
"""Columns printed for the facilitator but not read back (dilemmas live on choices)."""
FIELDS: dict[str, str] = {
    "from": "from",
    "to": "to",
    "channel": "channel",
    "subject": "subject",
    "message": "message",
    "expected action": "expected",
    "objective": "objective",
    "notes": "notes_for_roleplayers",
    "content warning": "content_warning",
}
"""Each MSEL column read back (besides ``id`` and ``time or trigger``) and its key in the
scenario."""
KEY_ORDER = (
    "id",
    "at",
    "when",
    "to",
    "channel",
    "from",
    "subject",
    "message",
    "expected",
    "objective",
    "content_warning",
    "notes_for_roleplayers",
)
"""Where a key the author had not written goes among an inject's keys."""
SHEET_NAME = "MSEL"
MANUAL = ("", "manual", "by hand")
"""What ``time or trigger`` says of an inject published only by hand."""
_ID = re.compile(ID_PATTERN)
_DURATION = DURATION_PATTERN.strip("^$")
_TRIGGER = re.compile(
    rf"^(?:(?:at\s+)?(?P<at>{_DURATION})(?:\s+or\s+when\s+(?P<or_when>.+))?|when\s+(?P<when>.+))$",
    re.DOTALL,
)


class MselError(Exception):
    """The edited MSEL cannot be read back: every problem, one sentence each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass
class MselUpdate:
    """What :func:`update_from` made of an edited MSEL."""

    text: str
    """The scenario's new YAML text (valid)."""
    changed: list[str] = field(default_factory=list)
    """One line per changed cell: ``journalist_call: time or trigger 'at 8m' → 'at 12m'``."""
    added: list[str] = field(default_factory=list)
    """Ids of the new injects."""
    new: list[str] = field(default_factory=list)
    """Each new inject and when it is published: ``ferry_delay (manual)``."""
    missing: list[str] = field(default_factory=list)
    """Ids of the injects with no row in the MSEL."""
    notes: list[str] = field(default_factory=list)
    """Sentences worth a look that do not stop the update (a new id close to a missing one)."""
    removed: bool = False
    """Whether the missing injects were removed (``--remove``)."""

    def report(self) -> list[str]:
        """What changed, for a person: one line each."""
        lines = [f"changed {line}" for line in self.changed]
        lines += [f"new inject: {line}" for line in self.new]
        if self.missing:
            ids = ", ".join(self.missing)
            lines.append(
                f"removed (no row in the MSEL): {ids}"
                if self.removed
                else f"no row in the MSEL, kept (add --remove to delete): {ids}"
            )
        lines += self.notes
        if not (self.changed or self.added or self.removed):
            lines.append("no change: the MSEL matches the scenario")
        return lines


# -- writing ---------------------------------------------------------------------------------


def msel_file(scenario: Scenario, fmt: str) -> bytes:
    """The master events list in ``fmt`` (csv, md or xlsx) as the bytes of a file."""
    if fmt == "xlsx":
        return msel_xlsx(scenario)
    if fmt not in MSEL_FORMATS:
        raise ValueError(f"unknown MSEL format {fmt!r}: use csv, md or xlsx.")
    return msel(scenario, fmt).encode("utf-8")


def msel_xlsx(scenario: Scenario) -> bytes:
    """The master events list as an Excel workbook: one sheet, a header row, one row per
    inject in publication order. Every cell is text (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = SHEET_NAME
    rows = msel_rows(scenario)
    widths = {"message": 60, "expected action": 40, "notes": 40, "dilemmas": 40}
    for column, name in enumerate(MSEL_COLUMNS, 1):
        cell = sheet.cell(row=1, column=column, value=name)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = widths.get(name, 22)
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, row in enumerate(rows, 2):
        for column, name in enumerate(MSEL_COLUMNS, 1):
            cell = sheet.cell(row=number, column=column)
            cell.value = _excel_text(row[name])
            cell.data_type = "s"  # text, even when it starts with '='
            cell.alignment = wrap
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _excel_text(text: str) -> str:
    """Text an Excel cell can hold (no control characters)."""
    return _EXCEL_ILLEGAL.sub("", clean_text(text))


# -- reading the sheet -------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One row of an edited MSEL: its number as the spreadsheet shows it (the header is
    row 1) and its cells by column."""

    number: int
    cells: dict[str, str]


def read_sheet(path: Path) -> tuple[list[str], list[Row], list[str]]:
    """The MSEL columns, the non-empty rows and the columns left out (a column of the
    facilitator's own, far from any MSEL column) of an MSEL in CSV or Excel form; raises
    :class:`MselError` for a file that cannot be read or a header that is not an MSEL's
    (a column close to an MSEL column is taken for a typo in it)."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise MselError(
            [f"{path}: an edited MSEL must be a .csv or .xlsx file (exported by simtrain msel)"]
        )
    try:
        table = _csv_table(path) if suffix == ".csv" else _xlsx_table(path)
    except FileNotFoundError:
        raise MselError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError) as exc:
        raise MselError([f"{path}: cannot be read as an MSEL ({exc})"]) from None
    if not table:
        raise MselError([f"{path}: the file is empty; expected a header row: id, …"])
    header = [" ".join(_text(h).split()).lower() for h in table[0]]
    problems = []
    ignored = []
    for index, name in enumerate(header):
        if name and name not in MSEL_COLUMNS:
            hint = _hint(name, MSEL_COLUMNS)
            if hint:
                problems.append(
                    f"{path}, row 1, column {index + 1}: '{name}' is not an MSEL column{hint}"
                )
            else:
                ignored.append(name)
                header[index] = ""
    if "id" not in header:
        problems.append(f"{path}, row 1: there is no 'id' column; the MSEL starts with id")
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    problems += [f"{path}, row 1: column '{h}' appears twice" for h in repeated]
    if problems:
        raise MselError(problems)
    rows = []
    for number, values in enumerate(table[1:], 2):
        cells = {
            name: _unprotect(_text(value))
            for name, value in zip(header, values, strict=False)
            if name
        }
        if any(v.strip() for v in cells.values()):
            rows.append(Row(number, cells))
    return [h for h in header if h], rows, ignored


def _csv_table(path: Path) -> list[list[Any]]:
    """The cells of a CSV file, comma-separated or, as a spreadsheet set to a European
    locale saves it, semicolon- or tab-separated (told by the header row)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _xlsx_table(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except InvalidFileException as exc:
        raise ValueError(str(exc)) from None
    try:
        sheet = book[SHEET_NAME] if SHEET_NAME in book.sheetnames else book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _text(value: Any) -> str:
    """A cell as text (a number typed into a cell, a time Excel recognised)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | time):
        hours, minutes = value.hour, value.minute
        return f"{hours}h{minutes}m" if hours else f"{minutes}m"
    return clean_text(str(value)).replace("\r\n", "\n")


def _unprotect(text: str) -> str:
    """A cell without the ``'`` the CSV export put before a formula-like start."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


# -- reading the cells -------------------------------------------------------------------------


def _hint(word: str, candidates: Iterable[str]) -> str:
    """`` — did you mean 'x'?`` when a candidate is close to ``word``."""
    word, options = word.lower()[:100], list(candidates)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close and len(word) >= 3:  # 'time' for 'time or trigger'
        close = [c for c in options if c.startswith(word)][:1]
    return f" — did you mean '{close[0]}'?" if close else ""


class _CellError(Exception):
    """One cell does not read; the message is the problem (the caller names the cell)."""


class _Cells:
    """Reads the cells of an MSEL against one scenario."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.roles = {r.id: r.id for r in scenario.model.roles}
        self.roles |= {r.name.lower(): r.id for r in scenario.model.roles}
        self.competencies = {c: c for c in scenario.competencies}
        self.competencies |= {n.lower(): c for c, n in scenario.competency_names.items()}
        self.variables = list(scenario.model.vars)

    def trigger(self, cell: str) -> tuple[str | None, str | None]:
        """``at`` and ``when`` of ``at 10m``, ``10m``, ``when …``, ``at 10m or when …``,
        or ``manual``."""
        text = " ".join(cell.split())
        if text.lower() in MANUAL:
            return None, None
        match = _TRIGGER.match(text)
        if match is None:
            raise _CellError(
                f"'{text}' is not a time or trigger; write 'at 25m', 'when CONDITION', "
                "'at 25m or when CONDITION' or 'manual'"
            )
        at, when = match["at"], match["or_when"] or match["when"]
        if when is not None:
            try:
                compile_expression(when, self.variables)
            except ExpressionError as exc:
                raise _CellError(f"the condition '{when}' does not read: {exc}") from None
        return at, when

    def recipients(self, cell: str) -> list[str] | None:
        """Role ids from role ids or names separated by commas; None for every role."""
        text = " ".join(cell.split())
        if text.lower() in ("", "every role", "all", "everyone"):
            return None
        parts = [p.strip() for p in text.split(",")]
        found: list[str] = []
        start = 0
        while start < len(parts):
            # a role name may itself hold a comma: take the longest run of parts that names one
            for end in range(len(parts), start, -1):
                role = self.roles.get(", ".join(parts[start:end]).lower())
                if role is not None:
                    found.append(role)
                    start = end
                    break
            else:
                word = parts[start]
                if not word:
                    raise _CellError("an empty name between commas; separate roles by commas")
                raise _CellError(f"'{word}' is not a role{_hint(word, self.roles)}")
        return list(dict.fromkeys(found))

    def channel(self, cell: str) -> str:
        word = "_".join(cell.strip().lower().replace("-", " ").split())
        if word not in CHANNELS:
            shown = [c.replace("_", " ") for c in CHANNELS]
            hint = _hint(word.replace("_", " "), shown)
            raise _CellError(
                f"'{cell.strip()}' is not a channel{hint}"
                if hint
                else f"'{cell.strip()}' is not a channel; use one of: {', '.join(shown)}"
            )
        return word

    def objective(self, cell: str) -> str | None:
        text = " ".join(cell.split())
        if not text:
            return None
        found = self.competencies.get(text.lower())
        if found is None:
            hint = _hint(text, self.competencies)
            raise _CellError(f"'{text}' is not a competency of the rubric{hint}")
        return found


# -- the rewrite -------------------------------------------------------------------------------


INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 4, 0), (4, 6, 4), (3, 3, 0))
"""Common (mapping, sequence, offset) indentations of YAML files, tried in turn."""


def _round_trip(text: str) -> tuple[YAML, Any, str]:
    """A round-trip YAML handler set to the file's own indentation, the file's document,
    and that document written back unchanged.

    The indentation is the first one under which the unchanged document is written back
    exactly as the author wrote it, else the one that keeps the most lines as they were."""
    _, indent, offset = load_yaml_guess_indent(text)
    guessed = ((indent or 2) - (offset or 0), indent or 2, offset or 0)
    handler = YAML()  # round-trip mode: keeps comments, key order, quoting and block styles
    handler.preserve_quotes = True
    handler.width = 4096  # never re-wrap a long line
    document = handler.load(text)
    lines = set(text.splitlines())
    best: tuple[int, tuple[int, int, int], str] | None = None
    for mapping, sequence, off in dict.fromkeys((guessed, *INDENTS)):
        if mapping < 1 or sequence < off + 2:
            continue
        handler.indent(mapping=mapping, sequence=sequence, offset=off)
        written = _dump(handler, document)
        if written == text:
            return handler, handler.load(text), written
        kept = len(lines & set(written.splitlines()))
        if best is None or kept > best[0]:
            best = (kept, (mapping, sequence, off), written)
    assert best is not None  # the guess is always tried
    mapping, sequence, off = best[1]
    handler.indent(mapping=mapping, sequence=sequence, offset=off)
    # writing moves comments about in the document it writes: start afresh from the text
    unchanged = _dump(handler, handler.load(text))
    return handler, handler.load(text), unchanged


def _splice(original: str, unchanged: str, changed: str) -> str:
    """``original`` with the edits that turn ``unchanged`` into ``changed`` applied to it.

    ``unchanged`` and ``changed`` are ruamel.yaml's writing of the document before and
    after the edits; where ruamel.yaml writes some part of the file differently from its
    author (a flow list wrapped over several lines comes back on one), only the edited
    lines are carried over, so the rest stays as the author wrote it. When an edit falls
    where the two writings differ, ``changed`` is returned whole."""
    if original == unchanged:
        return changed
    source, before, after = (t.splitlines(keepends=True) for t in (original, unchanged, changed))
    where: dict[int, int] = {}  # a line of ``unchanged`` → the same line of ``original``
    matcher = difflib.SequenceMatcher(None, before, source, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            where[block.a + k] = block.b + k
    edits: list[tuple[int, int, list[str]]] = []
    edit = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in edit.get_opcodes():
        if tag == "equal":
            continue
        if i1 < i2:
            first = where.get(i1)
            if first is None or any(where.get(i) != first + i - i1 for i in range(i1, i2)):
                return changed
            start, stop = first, first + i2 - i1
        elif i1 in where:
            start = stop = where[i1]
        elif i1 - 1 in where:
            start = stop = where[i1 - 1] + 1
        else:
            return changed
        edits.append((start, stop, after[j1:j2]))
    for start, stop, lines in reversed(edits):
        source[start:stop] = lines
    return "".join(source)


def _dump(handler: YAML, document: Any) -> str:
    output = io.StringIO()
    handler.dump(document, output)
    return output.getvalue()


def _scalar(text: str) -> Any:
    """A string as the YAML scalar that simtrain's loader reads back as that same string:
    a block for several lines, plain when that is unambiguous, else double-quoted."""
    if "\n" in text:
        return LiteralScalarString(text.rstrip() + "\n")
    try:
        plain = yaml.safe_load(text) == text and text == text.strip()
    except yaml.YAMLError:
        plain = False
    return text if plain else DoubleQuotedScalarString(text)


def _flow(items: list[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _put(node: CommentedMap, key: str, value: Any) -> None:
    """Set ``key`` in an inject's mapping; a key the author had not written goes after the
    keys that come before it in :data:`KEY_ORDER`; ``None`` removes it."""
    if value is None:
        if key in node:
            del node[key]
        return
    if key in node:
        node[key] = value
        return
    before = KEY_ORDER[: KEY_ORDER.index(key)]
    keys = list(node.keys())
    position = max((keys.index(k) + 1 for k in before if k in node), default=0)
    node.insert(position, key, value)


def update_from(
    scenario_path: str | Path, sheet_path: str | Path, *, remove: bool = False
) -> MselUpdate:
    """The scenario at ``scenario_path`` updated from the edited MSEL at ``sheet_path``.

    Raises :class:`MselError` with every problem found (nothing is returned then): a cell
    that does not read, a file that is not an MSEL, a scenario that is invalid before or
    would be after."""
    scenario_path, sheet_path = Path(scenario_path), Path(sheet_path)
    try:
        text = read_scenario_text(scenario_path)
    except ScenarioFileError as exc:
        raise MselError([f"{scenario_path}: {exc.message}"]) from None
    loaded = load_text(text, str(scenario_path))
    if loaded.scenario is None:
        raise MselError(
            [d.format() for d in loaded.errors]
            + [f"{scenario_path} is not a valid scenario; fix it before updating its MSEL"]
        )
    scenario = loaded.scenario
    columns, rows, ignored = read_sheet(sheet_path)
    exported = {row["id"]: row for row in msel_rows(scenario)}
    reader = _Cells(scenario)
    problems: list[str] = []
    notes = [f"{sheet_path}: column '{name}' is not an MSEL column; left out" for name in ignored]
    seen: dict[str, int] = {}
    in_sheet = {row.cells.get("id", "").strip() for row in rows}
    gone = [i for i in scenario.injects if i not in in_sheet]
    # (inject id, {scenario key: value or None}, [change lines]) for each row that changes
    edits: list[tuple[str, dict[str, Any], list[str]]] = []
    added: list[str] = []

    def cell_problem(row: Row, column: str, message: str) -> None:
        problems.append(f"{sheet_path}, row {row.number}, column '{column}': {message}")

    for row in rows:
        inject_id = row.cells.get("id", "").strip()
        if not inject_id:
            cell_problem(row, "id", "empty; give each inject an id (a-z, 0-9 and _)")
            continue
        if not _ID.match(inject_id):
            cell_problem(
                row,
                "id",
                f"'{inject_id}' is not an id: use a-z, 0-9 and _, starting with a letter",
            )
            continue
        if inject_id in seen:
            cell_problem(row, "id", f"'{inject_id}' is already on row {seen[inject_id]}")
            continue
        seen[inject_id] = row.number
        before = exported.get(inject_id)
        is_new = before is None
        if is_new:
            hint = _hint(inject_id, gone)
            if hint:  # perhaps a typo in an existing id rather than a new inject
                notes.append(
                    f"{sheet_path}, row {row.number}: '{inject_id}' is a new inject{hint} "
                    "(its row is missing; ids are never renamed)"
                )
            if not row.cells.get("message", "").strip():
                cell_problem(row, "message", f"empty; the new inject '{inject_id}' needs one")
        values: dict[str, Any] = {}
        changes: list[str] = []
        for column in columns:
            if column in ("id", *READ_ONLY):
                continue
            cell = row.cells.get(column, "")
            old = before[column] if before is not None else ""
            if cell.strip() == old.strip():
                continue
            try:
                if column == "time or trigger":
                    values["at"], values["when"] = reader.trigger(cell)
                elif column == "to":
                    roles = reader.recipients(cell)
                    values["to"] = _flow(roles) if roles is not None else None
                elif column == "channel":
                    values["channel"] = reader.channel(cell) if cell.strip() else None
                elif column == "objective":
                    values["objective"] = reader.objective(cell)
                elif column == "message" and not cell.strip():
                    raise _CellError("empty; an inject needs a message")
                else:
                    stripped = cell.strip()
                    values[FIELDS[column]] = _scalar(stripped) if stripped else None
            except _CellError as exc:
                cell_problem(row, column, str(exc))
                continue
            if not is_new:
                changes.append(f"{inject_id}: {column} {_short(old)} → {_short(cell)}")
        if is_new:
            added.append(inject_id)
            at, when = values.get("at"), values.get("when")
            kind = trigger_text(at, when)
            edits.append((inject_id, values, [f"{inject_id} ({kind})"]))
        elif values:
            edits.append((inject_id, values, changes))
    if problems:
        raise MselError(problems)

    try:
        handler, document, unchanged = _round_trip(text)
    except RuamelError as exc:  # our loader read it, so this is unlikely
        raise MselError([f"{scenario_path}: cannot be rewritten ({exc})"]) from None
    injects = document.get("injects")
    if injects is None:
        injects = document["injects"] = CommentedSeq()
    nodes = {node["id"]: node for node in injects}
    if added and injects:
        _keep_trailing_comment(injects)
    for inject_id, values, _ in edits:
        node = nodes.get(inject_id)
        if node is None:
            node = CommentedMap()
            node["id"] = inject_id
            injects.append(node)
        for key in KEY_ORDER[1:]:
            if key in values:
                _put(node, key, values[key])
    if remove:
        for inject_id in gone:
            injects.remove(nodes[inject_id])
    written = _dump(handler, document)
    new_text = _splice(text, unchanged, written)
    if new_text != written and yaml.safe_load(new_text) != yaml.safe_load(written):
        new_text = written  # never trade the author's layout for a wrong file
    result = load_text(new_text, str(scenario_path))
    if result.scenario is None:
        raise MselError(
            [d.format() for d in result.errors]
            + [
                "with these changes the scenario would not be valid, so nothing was written "
                "(the lines above are those of the updated text)"
            ]
        )
    return MselUpdate(
        text=new_text,
        changed=[line for i, _, lines in edits if i not in added for line in lines],
        added=added,
        new=[line for i, _, lines in edits if i in added for line in lines],
        missing=gone,
        notes=notes,
        removed=remove and bool(gone),
    )


def _keep_trailing_comment(injects: CommentedSeq) -> None:
    """Keep comment lines indented under the last inject with it when injects are added
    after it (ruamel.yaml holds them at the end of the list, which would put them after the
    new ones). Done only where it is safe: the last key's value is on its own line."""
    last = injects[-1]
    trailing = injects.ca.end or []
    if not isinstance(last, CommentedMap) or not last or not trailing:
        return
    key = list(last.keys())[-1]
    value = last[key]
    block = isinstance(value, CommentedMap | CommentedSeq) and not value.fa.flow_style()
    if (
        block
        or isinstance(value, LiteralScalarString | FoldedScalarString)
        or last.ca.items.get(key)
    ):
        return
    indent = min(getattr(t, "column", 0) for t in trailing)
    if indent == 0:
        return  # a comment for the end of the file, not for the last inject
    text = "".join(" " * t.column + t.value for t in trailing)
    last.ca.items[key] = [None, None, CommentToken("\n" + text, CommentMark(0), None), None]
    injects.ca.end = []


def _short(text: str, limit: int = 120) -> str:
    """A cell's text on one line, cut to ``limit`` characters, quoted."""
    line = " ".join(text.split())
    if not line:
        return "(empty)"
    return f"'{line[: limit - 1]}…'" if len(line) > limit else f"'{line}'"
