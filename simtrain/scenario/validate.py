"""Load and validate scenario files: every problem in one run, each at its line and column.

Two passes over the marked YAML: pydantic checks the shape (keys, types, ids), then
:class:`Checker` checks what a schema cannot — references, duplicate ids, expressions,
dead ends, type mismatches and the reachability warnings of SPEC §2. Both passes always
run, so a file with ten different defects gets ten diagnostics.
"""

from __future__ import annotations

import gc
import os
import stat
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simtrain.scenario.compiled import Scenario, compile_scenario, shipped_rubrics
from simtrain.scenario.diagnostics import Diagnostic, sort_key
from simtrain.scenario.expressions import (
    CRITICAL_ERRORS,
    FUNCTIONS,
    EvaluationError,
    Expression,
    ExpressionError,
    compile_expression,
)
from simtrain.scenario.model import ScenarioModel
from simtrain.scenario.runtime import scenario_of
from simtrain.scenario.shape import shape_diagnostics
from simtrain.scenario.yamlsource import YamlSyntaxError, load_marked, position_of
from simtrain.text import did_you_mean

Path_ = tuple[Any, ...]
_KIND_WORD = {"scene": "scene", "choice": "choice", "document": "document", "inject": "inject"}


@dataclass
class LoadResult:
    """The outcome of loading one file: the scenario (when valid) and every diagnostic."""

    path: str
    scenario: Scenario | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not any(d.severity == "error" for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        """Only the errors."""
        return [d for d in self.diagnostics if d.severity == "error"]


def load_text(text: str, path: str = "<scenario>") -> LoadResult:
    """Validate scenario text; compile it when there is no error."""
    try:
        raw, problems = load_marked(text)
    except YamlSyntaxError as exc:
        p = exc.problem
        return LoadResult(
            path, None, [Diagnostic("error", p.line, p.column, p.code, p.message, path)]
        )
    diagnostics = [Diagnostic("error", p.line, p.column, p.code, p.message, path) for p in problems]
    if not isinstance(raw, dict):
        diagnostics.append(
            Diagnostic(
                "error",
                1,
                1,
                "not-a-scenario",
                "a scenario file must be a YAML mapping starting with 'simtrain: 1'",
                path,
            )
        )
        return LoadResult(path, None, diagnostics)
    model: ScenarioModel | None = None
    enabled = gc.isenabled()
    gc.disable()  # see yamlsource.load_marked: nothing here needs the cyclic collector
    try:
        try:
            model = ScenarioModel.model_validate(raw)
        except ValidationError as exc:
            # a value the YAML reader already refused is not reported again by its shape
            refused = {(p.line, p.column) for p in problems}
            diagnostics.extend(
                d for d in shape_diagnostics(raw, exc, path) if (d.line, d.column) not in refused
            )
        checker = Checker(raw, path)
        diagnostics.extend(checker.run())
        diagnostics.sort(key=sort_key)
        scenario = None
        if model is not None and not any(d.severity == "error" for d in diagnostics):
            # the models only judge the file: the engine runs on plain records built from it
            scenario = compile_scenario(
                scenario_of(raw), path=path, text=text, expressions=checker.compiled
            )
    finally:
        if enabled:
            gc.enable()
    return LoadResult(path, scenario, diagnostics)


DEFAULT_MAX_BYTES = 20 * 1024 * 1024
"""The largest scenario file read (20 MB; ``SIMTRAIN_MAX_SCENARIO_MB`` changes it)."""


def max_scenario_bytes() -> int:
    """The size limit in force: ``SIMTRAIN_MAX_SCENARIO_MB`` when set to a number, else 20 MB."""
    setting = os.environ.get("SIMTRAIN_MAX_SCENARIO_MB", "").strip()
    try:
        megabytes = float(setting) if setting else 0.0
    except ValueError:
        megabytes = 0.0
    return int(megabytes * 1024 * 1024) if megabytes > 0 else DEFAULT_MAX_BYTES


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def read_scenario_text(path: str | Path, max_bytes: int | None = None) -> str:
    """The text of a scenario file, refusing what cannot be one with a sentence.

    Opens without blocking (a FIFO named ``x.yaml`` cannot hang us), refuses anything that
    is not a regular file (devices such as ``/dev/zero``, FIFOs, sockets, folders), and
    files over the size limit — checked before reading and again while reading, so a file
    that grows meanwhile cannot get past it. Raises :class:`ScenarioFileError`.
    """
    limit = max_scenario_bytes() if max_bytes is None else max_bytes
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ScenarioFileError("no-file", "no such file") from None
    except IsADirectoryError:
        raise ScenarioFileError("not-a-file", "this is a folder, not a scenario file") from None
    except OSError as exc:
        raise ScenarioFileError("unreadable", f"cannot read the file: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioFileError("not-a-file", "this is a folder, not a scenario file")
        if not stat.S_ISREG(info.st_mode):
            kind = (
                "a FIFO (named pipe)"
                if stat.S_ISFIFO(info.st_mode)
                else "a device"
                if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                else "not a regular file"
            )
            raise ScenarioFileError(
                "not-a-file",
                f"this is {kind}, not a regular file; a scenario must be a plain file",
            )
        if info.st_size > limit:
            raise ScenarioFileError(
                "too-big",
                f"the file is {_megabytes(info.st_size)}, over the {_megabytes(limit)} limit "
                "for a scenario (set SIMTRAIN_MAX_SCENARIO_MB to allow more)",
            )
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise ScenarioFileError(
                    "too-big",
                    f"the file is over the {_megabytes(limit)} limit for a scenario "
                    "(set SIMTRAIN_MAX_SCENARIO_MB to allow more)",
                )
    except OSError as exc:
        raise ScenarioFileError("unreadable", f"cannot read the file: {exc.strerror}") from None
    finally:
        os.close(fd)
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as exc:
        data = b"".join(chunks)
        line = data.count(b"\n", 0, exc.start) + 1
        hint = (
            " (it looks like UTF-16: save it as UTF-8)"
            if data[:2] in (b"\xff\xfe", b"\xfe\xff")
            else ""
        )
        raise ScenarioFileError(
            "not-text", f"the file is not UTF-8 text (first bad byte on line {line}){hint}"
        ) from None


class ScenarioFileError(Exception):
    """A file that cannot be read as a scenario's text; ``code`` and a sentence say why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def load_file(path: str | Path, max_bytes: int | None = None) -> LoadResult:
    """Validate a scenario file: every problem is a diagnostic, never an exception.

    An unreadable file, a device, a file over the size limit — and even a bug of ours
    met while checking it — is one error about this file, so that checking many files
    always reports on every one of them.
    """
    name = str(path)
    try:
        text = read_scenario_text(path, max_bytes)
    except ScenarioFileError as exc:
        return LoadResult(name, None, [Diagnostic("error", 1, 1, exc.code, exc.message, name)])
    try:
        return load_text(text, name)
    except Exception as exc:  # a bug of ours: say so about this file, keep going
        return LoadResult(
            name,
            None,
            [
                Diagnostic(
                    "error",
                    1,
                    1,
                    "internal-error",
                    f"simtrain could not check this file ({type(exc).__name__}: {exc}); "
                    "please report it with the file",
                    name,
                )
            ],
        )


def scenario_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files to validate: each file given, and every *.yaml / *.yml below each folder."""
    found: list[Path] = []
    for item in paths:
        p = Path(item)
        if p.is_dir():
            found.extend(sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml")))
        else:
            found.append(p)
    return found


def _dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _items(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        yield from value.items()


def _strs(value: Any) -> Iterator[tuple[int, str]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield index, item


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    return "other"


class Checker:
    """Checks references, ids, expressions and reachability on the marked raw data.

    It tolerates any shape (the shape pass reports those problems), so both passes can
    always run and every defect is reported in one go.
    """

    def __init__(self, raw: dict[str, Any], path: str) -> None:
        self.raw = raw
        self.file = path
        self.out: list[Diagnostic] = []
        self.scenes: dict[str, Any] = {
            k: v for k, v in _items(raw.get("scenes")) if isinstance(v, dict)
        }
        self.documents = {k for k, _ in _items(raw.get("documents"))}
        self.vars: dict[str, Any] = dict(_items(raw.get("vars")))
        # ids as ordered dicts: the order of the file, and O(1) membership for references
        self.roles: dict[str, None] = dict.fromkeys(
            r["id"] for _, r in _dicts(raw.get("roles")) if isinstance(r.get("id"), str)
        )
        self.injects: dict[str, None] = dict.fromkeys(
            i["id"] for _, i in _dicts(raw.get("injects")) if isinstance(i.get("id"), str)
        )
        self.competencies = self._competencies()
        # (path, choice) for every choice, scene choices and inject responses alike
        self.choices: list[tuple[Path_, dict[str, Any]]] = []
        for scene_id, scene in self.scenes.items():
            for i, choice in _dicts(scene.get("choices")):
                self.choices.append((("scenes", scene_id, "choices", i), choice))
        for i, inject in _dicts(raw.get("injects")):
            for j, choice in _dicts(inject.get("choices")):
                self.choices.append((("injects", i, "choices", j), choice))
        self.compiled: dict[str, Expression] = {}
        """Each condition compiled once, by its text (compile_scenario reuses them)."""
        self.samples = _samples(self.vars)
        self.probes: dict[str, list[object]] = {}
        """Each condition's outcome on the samples, by its text (evaluated once)."""
        self.never: set[str] = set()
        """Choices whose condition is constantly false (found by check_expressions)."""
        self.choice_ids = {c["id"] for _, c in self.choices if isinstance(c.get("id"), str)}

    # -- helpers -------------------------------------------------------------------
    def report(
        self, severity: str, path: Path_, code: str, message: str, *, key: bool = False
    ) -> None:
        """Add a diagnostic anchored at ``path``."""
        line, column = position_of(self.raw, path, key=key)
        self.out.append(Diagnostic(severity, line, column, code, message, self.file))  # type: ignore[arg-type]

    def _competencies(self) -> dict[str, None] | None:
        rubric = self.raw.get("rubric", "trauma-informed")
        if isinstance(rubric, str):
            shipped = shipped_rubrics()
            if rubric in shipped:
                return dict.fromkeys(c.id for c in shipped[rubric].competencies)
            self.report(
                "error",
                ("rubric",),
                "unknown-rubric",
                f"rubric '{rubric}' is not a shipped rubric{did_you_mean(rubric, shipped)}; "
                "name one of " + ", ".join(sorted(shipped)) + " or write the rubric inline",
            )
            return None
        if isinstance(rubric, dict):
            ids = [c.get("id") for _, c in _dicts(rubric.get("competencies"))]
            self._unique(ids, ("rubric", "competencies"), "competency")
            return dict.fromkeys(i for i in ids if isinstance(i, str))
        return None

    def _unique(self, ids: list[Any], base: Path_, kind: str) -> None:
        seen: dict[str, int] = {}
        for index, item in enumerate(ids):
            if not isinstance(item, str):
                continue
            if item in seen:
                first = position_of(self.raw, (*base, seen[item], "id"))
                self.report(
                    "error",
                    (*base, index, "id"),
                    "duplicate-id",
                    f"duplicate {kind} id '{item}' (first defined at line {first[0]})",
                )
            else:
                seen[item] = index

    def ref(self, path: Path_, value: Any, known: Collection[str], kind: str, code: str) -> None:
        """Report ``value`` (at ``path``) unless it is one of ``known`` (a set or a dict:
        one O(1) lookup per reference, so checking stays linear in the file's size)."""
        if not isinstance(value, str):
            return
        pool = known
        if value not in pool:
            self.report(
                "error",
                path,
                code,
                f"{_describe_ref(path)} '{value}' is not a {kind}{did_you_mean(value, pool)}",
            )

    # -- the checks ----------------------------------------------------------------
    def run(self) -> list[Diagnostic]:
        """Run every check; return the diagnostics."""
        self.check_ids()
        self.check_refs()
        self.check_effects()
        self.check_expressions()
        self.check_scenes()
        self.check_phases()
        self.check_coverage()
        self.check_reachability()
        self.check_care()
        return self.out

    def check_care(self) -> None:
        """A scenario-level content warning, and no hand-kept count of critical errors."""
        if not self.raw.get("content_warning"):
            self.report(
                "warning",
                ("title",) if "title" in self.raw else (),
                "no-content-warning",
                "the scenario has no content_warning: write one at the top level (what the "
                "exercise deals with, that anyone may step out with F9); trainees see it "
                "before the first scene",
                key=True,
            )
        if CRITICAL_ERRORS in self.vars:
            self.report(
                "warning",
                ("vars", CRITICAL_ERRORS),
                "engine-counted",
                f"'{CRITICAL_ERRORS}' is counted by the engine (one per choice with "
                f"critical:), and conditions read the engine's count: remove it from vars "
                f"and every add: {{{CRITICAL_ERRORS}: …}}",
                key=True,
            )

    def check_ids(self) -> None:
        """Duplicate role, inject and choice ids."""
        self._unique([r.get("id") for _, r in _dicts(self.raw.get("roles"))], ("roles",), "role")
        self._unique(
            [i.get("id") for _, i in _dicts(self.raw.get("injects"))], ("injects",), "inject"
        )
        seen: dict[str, Path_] = {}
        for path, choice in self.choices:
            cid = choice.get("id")
            if not isinstance(cid, str):
                continue
            if cid in seen:
                line = position_of(self.raw, (*seen[cid], "id"))[0]
                self.report(
                    "error",
                    (*path, "id"),
                    "duplicate-id",
                    f"duplicate choice id '{cid}' (first defined at line {line}); "
                    "choice ids are unique in the whole scenario",
                )
            else:
                seen[cid] = path

    def check_refs(self) -> None:
        """start, goto, reveal, roles, to, for_roles, objective, assess and the characters'
        talks_to and scenes references."""
        raw = self.raw
        scenes = self.scenes
        self.ref(("start",), raw.get("start"), scenes, "scene", "unknown-scene")
        for doc_id, doc in _items(raw.get("documents")):
            if isinstance(doc, dict):
                for i, role in _strs(doc.get("roles")):
                    self.ref(
                        ("documents", doc_id, "roles", i), role, self.roles, "role", "unknown-role"
                    )
        for scene_id, scene in self.scenes.items():
            base: Path_ = ("scenes", scene_id)
            for role, _ in _items(scene.get("for_roles")):
                if role not in self.roles:
                    self.report(
                        "error",
                        (*base, "for_roles", role),
                        "unknown-role",
                        f"for_roles names '{role}', which is not a role"
                        f"{did_you_mean(role, self.roles)}",
                        key=True,
                    )
            timer = scene.get("timer")
            if isinstance(timer, dict):
                self.ref(
                    (*base, "timer", "goto"), timer.get("goto"), scenes, "scene", "unknown-scene"
                )
            on_enter = scene.get("on_enter")
            if isinstance(on_enter, dict):
                for i, doc in _strs(on_enter.get("reveal")):
                    self.ref(
                        (*base, "on_enter", "reveal", i),
                        doc,
                        self.documents,
                        "document",
                        "unknown-document",
                    )
        for character_id, character in _items(raw.get("characters")):
            if isinstance(character, dict):
                base = ("characters", character_id)
                for j, role in _strs(character.get("talks_to")):
                    self.ref((*base, "talks_to", j), role, self.roles, "role", "unknown-role")
                for j, scene_id in _strs(character.get("scenes")):
                    self.ref((*base, "scenes", j), scene_id, scenes, "scene", "unknown-scene")
        for i, inject in _dicts(raw.get("injects")):
            base = ("injects", i)
            self.ref((*base, "goto"), inject.get("goto"), scenes, "scene", "unknown-scene")
            for j, role in _strs(inject.get("to")):
                self.ref((*base, "to", j), role, self.roles, "role", "unknown-role")
            for j, doc in _strs(inject.get("reveal")):
                self.ref((*base, "reveal", j), doc, self.documents, "document", "unknown-document")
            if self.competencies is not None:
                self.ref(
                    (*base, "objective"),
                    inject.get("objective"),
                    self.competencies,
                    "competency of the rubric",
                    "unknown-competency",
                )
        for path, choice in self.choices:
            self.ref((*path, "goto"), choice.get("goto"), scenes, "scene", "unknown-scene")
            for j, role in _strs(choice.get("roles")):
                self.ref((*path, "roles", j), role, self.roles, "role", "unknown-role")
            for j, doc in _strs(choice.get("reveal")):
                self.ref((*path, "reveal", j), doc, self.documents, "document", "unknown-document")
            if self.competencies is not None:
                for comp, _ in _items(choice.get("assess")):
                    if comp not in self.competencies:
                        self.report(
                            "error",
                            (*path, "assess", comp),
                            "unknown-competency",
                            f"assess names '{comp}', which is not a competency of the rubric"
                            f"{did_you_mean(comp, self.competencies)}",
                            key=True,
                        )

    def check_effects(self) -> None:
        """set/add name declared variables and keep their type."""
        holders: list[Path_] = [path for path, _ in self.choices]
        holders += [("injects", i) for i, _ in _dicts(self.raw.get("injects"))]
        holders += [("scenes", s, "on_enter") for s in self.scenes]
        for path in holders:
            holder = self._at(path)
            if not isinstance(holder, dict):
                continue
            for name, value in _items(holder.get("set")):
                self._effect(path, "set", name, value)
            for name, value in _items(holder.get("add")):
                self._effect(path, "add", name, value)

    def _effect(self, path: Path_, op: str, name: str, value: Any) -> None:
        where = (*path, op, name)
        if name not in self.vars:
            self.report(
                "error",
                where,
                "unknown-variable",
                f"{op} names '{name}', which is not declared under vars"
                f"{did_you_mean(name, self.vars)}; declare it there with an initial value",
                key=True,
            )
            return
        current = self.vars[name]
        want, got = _type_name(current), _type_name(value)
        if op == "set":
            if (
                isinstance(current, int)
                and not isinstance(current, bool)
                and isinstance(value, float)
            ):
                self.report(
                    "error",
                    where,
                    "type-mismatch",
                    f"set gives the whole-number variable '{name}' a fraction ({value})",
                )
            elif want != got:
                self.report(
                    "error",
                    where,
                    "type-mismatch",
                    f"set gives '{name}' {got}, but it holds {want} (initial value {current!r})",
                )
        else:
            if want == "number" and got == "number":
                if isinstance(current, int) and isinstance(value, float):
                    self.report(
                        "error",
                        where,
                        "type-mismatch",
                        f"add gives the whole-number variable '{name}' a fraction ({value})",
                    )
            elif want == "list" and got == "text":
                pass
            else:
                self.report(
                    "error",
                    where,
                    "type-mismatch",
                    f"add cannot add {got} to '{name}', which holds {want}: add works on "
                    "numbers, or appends a text to a list",
                )

    def _at(self, path: Path_) -> Any:
        node: Any = self.raw
        for step in path:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def check_expressions(self) -> None:
        """Every ``if`` and ``when`` parses and names things that exist."""
        known: dict[str, Collection[str]] = {
            "scene": self.scenes,
            "choice": self.choice_ids,
            "document": self.documents,
            "inject": self.injects,
        }
        variables = [v for v in self.vars if isinstance(v, str)]
        targets: list[tuple[Path_, Any]] = [((*p, "if"), c.get("if")) for p, c in self.choices]
        targets += [
            (("injects", i, "when"), inj.get("when")) for i, inj in _dicts(self.raw.get("injects"))
        ]
        for path, source in targets:
            if not isinstance(source, str):
                continue
            try:
                expression = self.compiled.get(source)
                if expression is None:
                    expression = compile_expression(source, variables)
                    self.compiled[source] = expression
            except ExpressionError as exc:
                self.report(
                    "error",
                    path,
                    "bad-expression",
                    f"in the expression {source!r}: {exc.message} (at character {exc.column + 1})",
                )
                continue
            for ref in expression.references:
                kind = FUNCTIONS[ref.function]
                pool = known[kind]
                if ref.argument not in pool:
                    self.report(
                        "error",
                        path,
                        f"unknown-{kind}",
                        f"{ref.function}('{ref.argument}') in {source!r}: '{ref.argument}' is "
                        f"not a {_KIND_WORD[kind]}{did_you_mean(ref.argument, pool)}",
                    )
            self._probe(path, source, expression)

    def _probe(self, path: Path_, source: str, expression: Any) -> None:
        """Evaluate a condition on sample team states to warn about one that can never be
        true, always stops with an error (``trust / 0 > 1``), or compares values of
        different types (``trust >= 'two'``) — each silently disables its choice in play."""
        outcomes = self.probes.get(source)
        if outcomes is None:
            outcomes = self.probes[source] = _outcomes(expression, self.samples)
        if not outcomes:
            return
        errors = [o for o in outcomes if isinstance(o, EvaluationError)]
        holder = self._at(path[:-1])
        owner = holder.get("id") if isinstance(holder, dict) else None
        is_choice = path[-1] == "if"
        if len(errors) == len(outcomes):
            if is_choice:
                self.never.add(str(owner))
                what = f"choice '{owner}' can never be enabled"
            else:
                what = f"inject '{owner}' is never published on its condition"
            self.report(
                "warning",
                path,
                "always-errors",
                f"{what}: its condition {source!r} always stops with an error in play "
                f"({errors[0].message})",
            )
            return
        mismatch = next((e for e in errors if _is_type_error(e)), None)
        if mismatch is not None:
            self.report(
                "warning",
                path,
                "type-mismatch",
                f"the condition {source!r} mixes types: {mismatch.message} (a variable keeps "
                "the type of its initial value under vars); the condition then stops with an "
                "error and counts as false",
            )
            return
        constant = not expression.variables and not expression.references
        if constant and not expression.builtins and not any(outcomes) and path[0] == "scenes":
            self.never.add(str(owner))
            self.report(
                "warning",
                path,
                "never-enabled",
                f"choice '{owner}' can never be enabled: its condition {source!r} is always false",
            )

    def check_scenes(self) -> None:
        """Dead ends, choices on endings, choices no role can make."""
        for scene_id, scene in self.scenes.items():
            base = ("scenes", scene_id)
            choices = scene.get("choices")
            has_choices = isinstance(choices, list) and len(choices) > 0
            if scene.get("ending") is None and not has_choices and scene.get("timer") is None:
                self.report(
                    "error",
                    base,
                    "dead-end",
                    f"scene '{scene_id}' is a dead end: give it choices, a timer or an ending",
                    key=True,
                )
            if scene.get("ending") is not None and has_choices:
                for i, choice in _dicts(choices):
                    self.report(
                        "warning",
                        (*base, "choices", i),
                        "never-enabled",
                        f"choice '{choice.get('id')}' can never be enabled: scene '{scene_id}' "
                        "is an ending, and a team that reaches an ending is done",
                    )
        for path, choice in self.choices:
            if choice.get("roles") == []:
                self.report(
                    "warning",
                    (*path, "roles"),
                    "never-enabled",
                    f"choice '{choice.get('id')}' can never be enabled: its roles list is empty",
                )

    def check_phases(self) -> None:
        """Phase ids unique, their scenes real, each scene in at most one phase."""
        phases = list(_dicts(self.raw.get("phases")))
        self._unique([p.get("id") for _, p in phases], ("phases",), "phase")
        owner: dict[str, tuple[str, Path_]] = {}
        for i, phase in phases:
            for j, scene in _strs(phase.get("scenes")):
                path: Path_ = ("phases", i, "scenes", j)
                self.ref(path, scene, self.scenes, "scene", "unknown-scene")
                if scene not in self.scenes:
                    continue
                first = owner.get(scene)
                if first is None:
                    owner[scene] = (str(phase.get("id")), path)
                    continue
                line = position_of(self.raw, first[1])[0]
                self.report(
                    "error",
                    path,
                    "scene-in-two-phases",
                    f"scene '{scene}' is already in phase '{first[0]}' (line {line}); a scene "
                    "belongs to at most one phase",
                )

    def check_coverage(self) -> None:
        """Documents never revealed, competencies never assessed, objectives without actions."""
        revealed: set[str] = set()
        for _, choice in self.choices:
            revealed.update(d for _, d in _strs(choice.get("reveal")))
        for _, inject in _dicts(self.raw.get("injects")):
            revealed.update(d for _, d in _strs(inject.get("reveal")))
        for scene in self.scenes.values():
            on_enter = scene.get("on_enter")
            if isinstance(on_enter, dict):
                revealed.update(d for _, d in _strs(on_enter.get("reveal")))
        for doc_id in self.documents:
            if doc_id not in revealed:
                self.report(
                    "warning",
                    ("documents", doc_id),
                    "never-revealed",
                    f"document '{doc_id}' is never revealed: no on_enter, choice or inject "
                    "reveals it, so no team will ever see it",
                    key=True,
                )
        if self.competencies is not None:
            assessed: set[str] = set()
            for _, choice in self.choices:
                assessed.update(k for k, _ in _items(choice.get("assess")))
            rubric = self.raw.get("rubric", "trauma-informed")
            for index, comp in enumerate(self.competencies):
                if comp not in assessed:
                    path: Path_ = (
                        ("rubric", "competencies", index, "id")
                        if isinstance(rubric, dict)
                        else ("rubric",)
                    )
                    self.report(
                        "warning",
                        path if "rubric" in self.raw else (),
                        "never-assessed",
                        f"competency '{comp}' is never assessed: no choice has assess: "
                        f"{{{comp}: …}}, so the debrief cannot score it",
                    )
        for i, inject in _dicts(self.raw.get("injects")):
            if inject.get("objective") and not inject.get("expected"):
                self.report(
                    "warning",
                    ("injects", i, "objective"),
                    "no-expected-action",
                    f"inject '{inject.get('id')}' has an objective but no expected action: "
                    "write under expected what the team should do, for the facilitator",
                )

    def check_reachability(self) -> None:
        """Unreachable scenes and endings, and scenes from which no ending can be reached."""
        start = self.raw.get("start")
        if not isinstance(start, str) or start not in self.scenes:
            return
        edges: dict[str, set[str]] = {s: set() for s in self.scenes}
        anywhere: set[str] = set()  # scenes an inject can force from any scene
        for scene_id, scene in self.scenes.items():
            if scene.get("ending") is not None:
                continue
            for _, choice in _dicts(scene.get("choices")):
                if choice.get("id") in self.never:
                    continue
                goto = choice.get("goto")
                if isinstance(goto, str) and goto in self.scenes:
                    edges[scene_id].add(goto)
            timer = scene.get("timer")
            if isinstance(timer, dict) and timer.get("goto") in self.scenes:
                edges[scene_id].add(timer["goto"])
        for _, inject in _dicts(self.raw.get("injects")):
            for target in [inject.get("goto")] + [
                c.get("goto") for _, c in _dicts(inject.get("choices"))
            ]:
                if isinstance(target, str) and target in self.scenes:
                    anywhere.add(target)
        for scene_id, scene in self.scenes.items():
            if scene.get("ending") is None:
                edges[scene_id] |= anywhere
        reachable = _closure([start], edges)
        reverse: dict[str, set[str]] = {s: set() for s in self.scenes}
        for source, targets in edges.items():
            for target in targets:
                reverse[target].add(source)
        endings = [s for s, scene in self.scenes.items() if scene.get("ending") is not None]
        can_end = _closure(endings, reverse)
        for scene_id, scene in self.scenes.items():
            if scene_id in reachable:
                if scene_id not in can_end:
                    self.report(
                        "warning",
                        ("scenes", scene_id),
                        "trap",
                        f"no ending can be reached from scene '{scene_id}': a team that gets "
                        "there can never finish",
                        key=True,
                    )
                continue
            if scene.get("ending") is not None:
                self.report(
                    "warning",
                    ("scenes", scene_id),
                    "unreachable-ending",
                    f"ending '{scene_id}' is reached by no path from '{start}'",
                    key=True,
                )
            else:
                self.report(
                    "warning",
                    ("scenes", scene_id),
                    "unreachable-scene",
                    f"scene '{scene_id}' cannot be reached from the start scene '{start}'",
                    key=True,
                )


def _closure(roots: Iterable[str], edges: dict[str, set[str]]) -> set[str]:
    seen = set(roots)
    queue = deque(seen)
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _describe_ref(path: Path_) -> str:
    last = path[-1]
    if isinstance(last, int):
        last = path[-2]
    return {
        "start": "start",
        "goto": "goto",
        "reveal": "reveal",
        "roles": "role",
        "to": "to",
        "objective": "objective",
        "talks_to": "talks_to",
        "scenes": "scene",
    }.get(str(last), str(last))


def _outcomes(expression: Expression, samples: list[_Sample]) -> list[object]:
    """The condition's truth (or its EvaluationError) on each sample; empty when the
    variables have a broken shape (the shape pass reports those)."""
    outcomes: list[object] = []
    for sample in samples:
        try:
            outcomes.append(bool(expression.evaluate(sample)))
        except EvaluationError as exc:
            outcomes.append(exc)
        except Exception:
            return []
    return outcomes


def _is_type_error(error: EvaluationError) -> bool:
    """Whether an evaluation error comes from values of the wrong types (not from values
    that merely happen to be out of range, such as a division by zero)."""
    return error.message.startswith("cannot compare") or " needs " in error.message


def _sample_value(value: Any, round_: int) -> Any:
    """A value of the same type as ``value`` for sample ``round_`` (0 is the value itself)."""
    if round_ == 0:
        return value
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return type(value)((7, -3)[round_ - 1])
    if isinstance(value, str):
        return ("sample", "")[round_ - 1]
    if isinstance(value, list):
        return (["sample"], [])[round_ - 1]
    return value


class _Sample:
    """A made-up team state for probing conditions: variables of their declared types,
    functions answering no/0 in the first sample and yes/1 in the others."""

    def __init__(self, variables: dict[str, Any], round_: int) -> None:
        self.values = {k: _sample_value(v, round_) for k, v in variables.items()}
        self.yes = round_ > 0
        self.elapsed = (0.0, 30.0, 90.0)[round_]
        self.critical_errors = round_

    def var(self, name: str) -> object:
        return self.values[name]

    def visited(self, scene: str) -> int:
        return int(self.yes)

    def chosen(self, choice: str) -> bool:
        return self.yes

    def has(self, document: str) -> bool:
        return self.yes

    def delivered(self, inject: str) -> bool:
        return self.yes


def _samples(variables: dict[str, Any]) -> list[_Sample]:
    return [_Sample(variables, round_) for round_ in range(3)]
