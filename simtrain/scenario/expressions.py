"""Safe condition expressions: the ``if`` of a choice and the ``when`` of an inject.

A condition is parsed with :func:`ast.parse`, checked node by node against a strict
whitelist and compiled into nested closures. Nothing is ever handed to Python's ``eval``,
``exec`` or ``compile``-to-bytecode, so a scenario file cannot run code, read attributes
or exhaust memory through a condition.
"""

from __future__ import annotations

import ast
import keyword
import math
import operator
import re
import warnings
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any, Final, Protocol

from msgspec import Struct

from simtrain.text import did_you_mean

__all__ = [
    "CRITICAL_ERRORS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_SOURCE_LENGTH",
    "MAX_STRING",
    "Context",
    "EvaluationError",
    "Expression",
    "ExpressionError",
    "Reference",
    "compile_expression",
]

FUNCTIONS: Final[Mapping[str, str]] = MappingProxyType(
    {"visited": "scene", "chosen": "choice", "has": "document", "delivered": "inject"}
)
"""The functions a condition may call, each with the kind of id its one argument names."""

MAX_SOURCE_LENGTH: Final = 2000
"""Longest accepted condition, in characters."""

MAX_DEPTH: Final = 50
"""Deepest accepted nesting of brackets and operators."""

MAX_STRING: Final = 10_000
"""Longest string or list a condition may build while it is evaluated."""

_MAX_LITERAL_INT: Final = 10**15
"""Largest integer literal (in absolute value) a condition may contain."""

_MAX_INT: Final = 2**63 - 1
"""Largest integer result: what SQLite can store, where team variables end up."""

_EXAMPLE_IDS: Final[Mapping[str, str]] = MappingProxyType(
    {"scene": "quay", "choice": "screen_individually", "document": "manifest", "inject": "call"}
)
"""An example id per kind, for error messages."""

_BOOLEAN_NAMES: Final[Mapping[str, bool]] = MappingProxyType(
    {"true": True, "false": False, "True": True, "False": False}
)
"""Built-in names for the booleans; they cannot be shadowed by team variables."""

CRITICAL_ERRORS: Final = "critical_errors"
"""The built-in number of critical errors a team has made, counted by the engine."""

_BUILTIN_NAMES: Final = frozenset({"elapsed", CRITICAL_ERRORS, *_BOOLEAN_NAMES})
"""Every built-in name."""


class ExpressionError(ValueError):
    """A condition that cannot be compiled; raised while a scenario is loaded."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        """What is wrong, as a sentence for the scenario author."""
        self.column = column
        """0-based offset in the source where the problem is."""

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[ExpressionError], tuple[str, int]]:
        return (type(self), (self.message, self.column))


class EvaluationError(ValueError):
    """A condition that failed while evaluated (wrong types, division by zero, too large)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        """What went wrong, as a sentence."""

    def __str__(self) -> str:
        return self.message


class Context(Protocol):
    """The team state a condition reads; the engine implements it."""

    def var(self, name: str) -> object:
        """The value of a team variable; raises ``KeyError`` if it has none."""
        ...

    def visited(self, scene: str) -> int:
        """How many times the team entered a scene."""
        ...

    def chosen(self, choice: str) -> bool:
        """Whether the team has made a choice."""
        ...

    def has(self, document: str) -> bool:
        """Whether a document is in the team's case file."""
        ...

    def delivered(self, inject: str) -> bool:
        """Whether an inject has been delivered to the team."""
        ...

    @property
    def elapsed(self) -> float:
        """Exercise minutes so far."""
        ...

    @property
    def critical_errors(self) -> int:
        """How many critical errors the team has made (choices with ``critical:``)."""
        ...


_Eval = Callable[[Context], object]
"""A compiled (sub)expression."""


class Reference(Struct, frozen=True):
    """One call in a condition, e.g. ``visited('screening')``, for load-time checks."""

    function: str
    """The function called: a key of :data:`FUNCTIONS`."""
    argument: str
    """The id passed to it."""
    column: int
    """0-based offset of the call in the source."""


class Expression(Struct, frozen=True):
    """A compiled condition, cheap to evaluate many times."""

    source: str
    """The condition as written."""
    variables: frozenset[str]
    """The team variables it reads."""
    references: tuple[Reference, ...]
    """Its function calls, in source order."""
    builtins: frozenset[str]
    """The built-in names it reads that change during play (``elapsed``,
    ``critical_errors``)."""
    _evaluate: _Eval
    """The compiled code: left out of comparisons, the hash and the repr (two compilations
    of one condition are equal)."""

    def _compared(self) -> tuple[object, ...]:
        return (self.source, self.variables, self.references, self.builtins)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Expression):
            return NotImplemented
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        return hash(self._compared())

    def __repr__(self) -> str:
        return (
            f"Expression(source={self.source!r}, variables={self.variables!r}, "
            f"references={self.references!r}, builtins={self.builtins!r})"
        )

    def evaluate(self, ctx: Context) -> object:
        """The value of the condition for a team; raises :class:`EvaluationError`."""
        try:
            return self._evaluate(ctx)
        except LookupError as error:
            raise EvaluationError(_missing(error)) from None

    def test(self, ctx: Context) -> bool:
        """Whether the condition holds for a team; raises :class:`EvaluationError`."""
        try:
            return bool(self._evaluate(ctx))
        except LookupError as error:
            raise EvaluationError(_missing(error)) from None


def compile_expression(source: str, variables: Collection[str]) -> Expression:
    """Compile a condition over the given team variables; raises :class:`ExpressionError`."""
    if not isinstance(source, str):
        raise ExpressionError(f"a condition must be text in quotes, not {type(source).__name__}", 0)
    if not source.strip():
        raise ExpressionError("the condition is empty", 0)
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(
            f"the condition is too long ({len(source)} characters; "
            f"the limit is {MAX_SOURCE_LENGTH})",
            MAX_SOURCE_LENGTH,
        )
    text = _prescan(source)
    body = text.lstrip(" \t\f")
    compiler = _Compiler(source, body, len(text) - len(body), variables)
    evaluate = compiler.compile(compiler.parse(), 0)
    return Expression(
        source=source,
        variables=frozenset(compiler.used),
        references=tuple(sorted(compiler.references, key=lambda ref: ref.column)),
        builtins=frozenset(compiler.builtins),
        _evaluate=evaluate,
    )


# --- before parsing -------------------------------------------------------------------

_STRING_PREFIXES: Final = frozenset({"r", "u", "b", "br", "rb", "f", "fr", "rf"})
_OPERAND_KEYWORDS: Final = frozenset({"True", "False", "None"})


def _prescan(source: str) -> str:
    """Reject deep nesting before the parser sees it; return the text to parse.

    CPython's parser recurses once per bracket and per prefix operator, so those are
    counted here, in one pass that skips string literals. Line breaks outside strings
    and comments become spaces (same length, so columns stay valid), which lets an
    author spread a condition over several lines of a YAML block.
    """
    chars = list(source)
    enclosing: list[int] = []
    base = run = 0
    expect_operand = True
    i, n = 0, len(source)

    def deeper(position: int) -> None:
        if base + run > MAX_DEPTH:
            raise ExpressionError(_TOO_DEEP, position)

    while i < n:
        c = source[i]
        if c in "\r\n":
            chars[i] = " "
            i += 1
        elif c in " \t\f":
            i += 1
        elif c == "\\" and source[i + 1 : i + 2] in ("\n", "\r"):
            i += 3 if source.startswith("\r\n", i + 1) else 2
        elif c == "#":
            while i < n and source[i] not in "\r\n":
                i += 1
            i += 2 if source.startswith("\r\n", i) else 1
        elif c in "'\"":
            i = _skip_string(source, i)
            expect_operand = False
        elif c.isdigit() or (c == "." and source[i + 1 : i + 2].isdigit()):
            i += 1
            while i < n and (source[i].isalnum() or source[i] in "._"):
                i += 1
            expect_operand = False
        elif c == "_" or c.isalpha():
            start = i
            while i < n and (source[i].isalnum() or source[i] == "_"):
                i += 1
            word = source[start:i]
            if i < n and source[i] in "'\"" and word.lower() in _STRING_PREFIXES:
                if "f" in word.lower():
                    raise ExpressionError("f-strings are not allowed", start)
                i = _skip_string(source, i)
                expect_operand = False
            elif word == "not" and expect_operand:
                run += 1
                deeper(start)
            elif keyword.iskeyword(word) and word not in _OPERAND_KEYWORDS:
                run = 0
                expect_operand = True
            else:
                expect_operand = False
        elif c in "([{":
            enclosing.append(base)
            base += run + 1
            run = 0
            deeper(i)
            expect_operand = True
            i += 1
        elif c in ")]}":
            if enclosing:
                base = enclosing.pop()
            run = 0
            expect_operand = False
            i += 1
        elif c in "-+~" and expect_operand:
            run += 1
            deeper(i)
            i += 1
        else:
            run = 0
            expect_operand = True
            i += 1
    return "".join(chars)


def _skip_string(source: str, start: int) -> int:
    """Index just past the string literal opening at ``start`` (the end if unterminated)."""
    quote = source[start]
    closing = quote * 3 if source.startswith(quote * 3, start) else quote
    i, n = start + len(closing), len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            i += 2
        elif source.startswith(closing, i):
            return i + len(closing)
        elif len(closing) == 1 and c in "\r\n":
            return n  # unterminated: leave the rest as it is for the parser to report
        else:
            i += 1
    return n


# --- parsing and checking -------------------------------------------------------------

_TOO_DEEP: Final = f"the condition is nested too deeply (more than {MAX_DEPTH} levels)"
_DETECTED_AT = re.compile(r" \(detected at line \d+\)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

_BINARY: Final[Mapping[type[ast.operator], str]] = MappingProxyType(
    {
        ast.Add: "+",
        ast.Sub: "-",
        ast.Mult: "*",
        ast.Div: "/",
        ast.Pow: "**",
        ast.FloorDiv: "//",
        ast.Mod: "%",
        ast.MatMult: "@",
        ast.LShift: "<<",
        ast.RShift: ">>",
        ast.BitOr: "|",
        ast.BitXor: "^",
        ast.BitAnd: "&",
    }
)
_COMPARISON: Final[Mapping[type[ast.cmpop], str]] = MappingProxyType(
    {
        ast.Eq: "==",
        ast.NotEq: "!=",
        ast.Lt: "<",
        ast.LtE: "<=",
        ast.Gt: ">",
        ast.GtE: ">=",
        ast.In: "in",
        ast.NotIn: "not in",
        ast.Is: "is",
        ast.IsNot: "is",
    }
)
_FORBIDDEN: Final[Mapping[type[ast.expr], str]] = MappingProxyType(
    {
        ast.Attribute: "attribute access ('.') is not allowed",
        ast.Subscript: "indexing and slicing ('[...]' after a value) are not allowed",
        ast.Lambda: "'lambda' is not allowed",
        ast.IfExp: "'if ... else' inside a condition is not allowed; use 'and' / 'or'",
        ast.NamedExpr: "assignment (':=') is not allowed",
        ast.Dict: "dictionaries ('{...}') are not allowed",
        ast.Set: "sets ('{...}') are not allowed; use a list: ['a', 'b']",
        ast.ListComp: "comprehensions ('for' inside brackets) are not allowed",
        ast.SetComp: "comprehensions ('for' inside brackets) are not allowed",
        ast.DictComp: "comprehensions ('for' inside brackets) are not allowed",
        ast.GeneratorExp: "comprehensions ('for' inside brackets) are not allowed",
        ast.JoinedStr: "f-strings are not allowed",
        ast.FormattedValue: "f-strings are not allowed",
        ast.Starred: "'*' unpacking is not allowed",
        ast.Await: "'await' is not allowed",
        ast.Yield: "'yield' is not allowed",
        ast.YieldFrom: "'yield' is not allowed",
        ast.Slice: "slices are not allowed",
    }
)


class _Compiler:
    """Parses one condition, checks it against the whitelist and builds its closures."""

    def __init__(self, source: str, body: str, offset: int, variables: Collection[str]) -> None:
        self.source = source
        self.body = body
        """The text handed to the parser: the prescanned source without leading blanks."""
        self.offset = offset
        """Where ``body`` starts in ``source``."""
        self.variables = frozenset(variables) - _BUILTIN_NAMES
        self.used: set[str] = set()
        self.builtins: set[str] = set()
        self.references: list[Reference] = []
        self.constants: dict[_Eval, object] = {}
        """The value of every compiled node that is a literal."""
        self.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(body)]

    # positions

    def column(self, lineno: int, col_offset: int) -> int:
        """Source offset of an AST position (whose column counts UTF-8 bytes)."""
        start = self.line_starts[min(lineno, len(self.line_starts)) - 1]
        line = self.body[start:]
        if not line.isascii():
            col_offset = len(line.encode("utf-8")[:col_offset].decode("utf-8", "ignore"))
        return self.offset + start + col_offset

    def start(self, node: ast.AST) -> int:
        """Source offset where a node starts."""
        return self.column(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> int:
        """Source offset just past a node."""
        return self.column(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def between(self, symbol: str, left: ast.AST, right: ast.AST) -> int:
        """Source offset of an operator written between two operands."""
        found = self.source.find(symbol, self.end(left), self.start(right))
        return found if found >= 0 else self.end(left)

    def error(self, message: str, node: ast.AST) -> ExpressionError:
        """An error located at the start of a node."""
        return ExpressionError(message, self.start(node))

    # parsing

    def parse(self) -> ast.expr:
        """The AST of the condition; raises ExpressionError for anything unparsable."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. invalid escapes: not errors here
                return ast.parse(self.body, mode="eval").body
        except SyntaxError as error:
            raise self.syntax_error(error) from None
        except UnicodeEncodeError as error:
            raise ExpressionError(
                "the condition contains a character that is not valid text",
                self.offset + error.start,
            ) from None
        except (RecursionError, MemoryError, ValueError):
            raise ExpressionError("the condition is too complex to read", 0) from None

    def syntax_error(self, error: SyntaxError) -> ExpressionError:
        """A parser error in the author's terms, with its column."""
        message = _DETECTED_AT.sub("", error.msg or "invalid syntax")
        if "null bytes" in message:
            return ExpressionError(
                "the condition contains a null character", max(self.source.find("\0"), 0)
            )
        if error.lineno and error.offset:
            start = self.line_starts[min(error.lineno, len(self.line_starts)) - 1]
            column = self.offset + start + error.offset - 1
        else:
            message = "the condition ends too early"
            column = len(self.source.rstrip())
        return ExpressionError(f"syntax error: {message}", max(0, min(column, len(self.source))))

    # compiling

    def compile(self, node: ast.expr, depth: int) -> _Eval:
        """Check one node and everything below it; return its closure."""
        if isinstance(node, ast.Constant):
            return self.literal(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if depth >= MAX_DEPTH:
            raise self.error(_TOO_DEEP, node)
        depth += 1
        if isinstance(node, ast.BoolOp):
            return _boolean(
                isinstance(node.op, ast.And), [self.compile(v, depth) for v in node.values]
            )
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, depth)
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth)
        if isinstance(node, ast.Compare):
            return self.comparison(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, (ast.List, ast.Tuple)):
            return self.sequence(node, depth)
        raise self.forbidden(node)

    def forbidden(self, node: ast.expr) -> ExpressionError:
        """The error for a construct outside the language."""
        if isinstance(node, ast.Attribute):
            while isinstance(node.value, ast.Attribute):
                node = node.value  # report the first '.' of a chain
            column = self.source.find(".", self.end(node.value))
            return ExpressionError(
                f"attribute access ('.{_short(node.attr)}') is not allowed",
                column if column >= 0 else self.start(node),
            )
        if isinstance(node, ast.Subscript):
            column = self.source.find("[", self.end(node.value))
            return ExpressionError(
                _FORBIDDEN[ast.Subscript], column if column >= 0 else self.start(node)
            )
        message = _FORBIDDEN.get(type(node), "this kind of expression is not allowed")
        return self.error(message, node)

    def constant(self, value: object) -> _Eval:
        """A closure returning a literal value, remembered as a constant."""

        def literal(ctx: Context) -> object:
            return value

        self.constants[literal] = value
        return literal

    def literal(self, node: ast.Constant) -> _Eval:
        """A number, string or boolean written in the condition."""
        value = node.value
        if isinstance(value, bool | str):
            return self.constant(value)
        if isinstance(value, int):
            if abs(value) > _MAX_LITERAL_INT:
                text = self.source[self.start(node) : self.end(node)]
                raise self.error(
                    f"the number {_short(text)} is too large (the limit is 10**15)", node
                )
            return self.constant(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.error("the number is too large", node)
            return self.constant(value)
        if value is None:
            raise self.error("'None' is not allowed; use false or a comparison", node)
        if value is Ellipsis:
            raise self.error("'...' is not allowed", node)
        if isinstance(value, bytes):
            raise self.error("bytes literals (b'...') are not allowed", node)
        raise self.error("complex numbers are not allowed", node)

    def name(self, node: ast.Name) -> _Eval:
        """A built-in name or a team variable."""
        name = node.id
        if name in ("elapsed", CRITICAL_ERRORS):
            self.builtins.add(name)
            return operator.attrgetter(name)
        if name in _BOOLEAN_NAMES:
            return self.constant(_BOOLEAN_NAMES[name])
        if name in self.variables:
            self.used.add(name)
            return operator.methodcaller("var", name)
        if name in FUNCTIONS:
            raise self.error(f"'{name}' is a function: write {_call_example(name)}", node)
        hint = did_you_mean(name, sorted(self.variables), limit=3) or did_you_mean(
            name, ("elapsed", CRITICAL_ERRORS, "false", "true"), limit=3
        )
        raise self.error(f"unknown variable '{_short(name)}'{hint}", node)

    def unary(self, node: ast.UnaryOp, depth: int) -> _Eval:
        """``not``, unary minus and unary plus."""
        if isinstance(node.op, ast.Invert):
            raise self.error("'~' is not allowed", node)
        operand = self.compile(node.operand, depth)
        if isinstance(node.op, ast.Not):
            return _negation(operand)
        value = self.constants.get(operand)
        if _is_number(value):  # fold -5 into a literal, so lists may hold negative numbers
            folded = -value if isinstance(node.op, ast.USub) else value  # type: ignore[operator]
            return self.constant(folded)
        return _apply1(_negate if isinstance(node.op, ast.USub) else _plus, operand)

    def binary(self, node: ast.BinOp, depth: int) -> _Eval:
        """``+ - * /``."""
        symbol = _BINARY.get(type(node.op), "?")
        if symbol not in _ARITHMETIC:
            raise ExpressionError(
                f"'{symbol}' is not allowed; arithmetic is + - * / only",
                self.between(symbol, node.left, node.right),
            )
        return self.apply(
            _ARITHMETIC[symbol], self.compile(node.left, depth), self.compile(node.right, depth)
        )

    def comparison(self, node: ast.Compare, depth: int) -> _Eval:
        """``== != < <= > >= in not in``, possibly chained."""
        operands = [node.left, *node.comparators]
        for index, op in enumerate(node.ops):
            symbol = _COMPARISON.get(type(op), "?")
            if symbol not in _COMPARE:
                raise ExpressionError(
                    f"'{symbol}' is not allowed; use '==' or '!='",
                    self.between(symbol, operands[index], operands[index + 1]),
                )
        tests = [_COMPARE[_COMPARISON[type(op)]] for op in node.ops]
        fns = [self.compile(operand, depth) for operand in operands]
        if len(tests) == 1:
            return self.apply(tests[0], fns[0], fns[1])
        return _chain(fns[0], list(zip(tests, fns[1:], strict=True)))

    def apply(self, function: Callable[[Any, Any], object], left: _Eval, right: _Eval) -> _Eval:
        """A binary closure, with a literal right operand bound once."""
        if right in self.constants:
            return _apply2_constant(function, left, self.constants[right])
        return _apply2(function, left, right)

    def call(self, node: ast.Call, depth: int) -> _Eval:
        """``visited('id')`` and the other functions of :data:`FUNCTIONS`."""
        func = node.func
        if not isinstance(func, ast.Name):
            self.compile(func, depth)  # a forbidden callee gets its own message
            raise self.error(f"only {_function_list()} can be called", node)
        name = func.id
        if name not in FUNCTIONS:
            if name in self.variables or name in _BUILTIN_NAMES:
                raise self.error(f"'{name}' is not a function; only {_function_list()} are", func)
            hint = did_you_mean(name, sorted(FUNCTIONS), limit=3)
            raise self.error(f"unknown function '{_short(name)}'{hint}", func)
        kind = FUNCTIONS[name]
        usage = f"{name}() takes one {kind} id in quotes, like {_call_example(name)}"
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                raise self.error("'*' unpacking is not allowed", argument)
        if node.keywords:
            keyword_node = node.keywords[0]
            what = "'**' unpacking is" if keyword_node.arg is None else "keyword arguments are"
            raise self.error(f"{what} not allowed: {usage}", keyword_node)
        if len(node.args) != 1:
            where = node.args[1] if node.args else node
            raise self.error(usage, where)
        argument = node.args[0]
        if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
            raise self.error(usage, argument)
        self.references.append(Reference(name, argument.value, self.start(node)))
        return operator.methodcaller(name, argument.value)

    def sequence(self, node: ast.List | ast.Tuple, depth: int) -> _Eval:
        """A list of literals, e.g. the right side of ``x in ['a', 'b']``."""
        values = []
        for item in node.elts:
            fn = self.compile(item, depth)
            value = self.constants.get(fn, self)  # self: sentinel for "not a literal"
            if value is self or isinstance(value, tuple):
                raise self.error(
                    "list items must be literals: numbers, quoted strings, true or false", item
                )
            values.append(value)
        return self.constant(tuple(values))


# --- evaluation -----------------------------------------------------------------------
# Operands are typed Any: these functions check types themselves, at run time.

_NUMBER_TYPES: Final = frozenset({int, float})
_SCALAR_TYPES: Final = frozenset({int, float, str, bool})


def _kind(value: object) -> str:
    """The language's name for a value's type."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "list"
    return type(value).__name__


def _is_number(value: object) -> bool:
    """Whether a value is a number (booleans are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _describe(value: Any) -> str:
    """A value as an error message shows it."""
    kind = _kind(value)
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "number":
        if isinstance(value, int) and abs(value) > 10**100:
            return "a number beyond 10**100"
        return f"number {_short(repr(value))}"
    if kind == "string":
        return f"string {_short(repr(value[:50]))}"
    if kind == "list":
        return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}"
    return f"a value of type {kind}"


def _finite(value: Any, symbol: str) -> object:
    """An arithmetic result, if it is within range."""
    if isinstance(value, float):
        if math.isfinite(value):
            return value
    elif -_MAX_INT <= value <= _MAX_INT:
        return value
    raise EvaluationError(f"the result of '{symbol}' is too large")


def _add(a: Any, b: Any) -> object:
    """``a + b``: numbers, or two strings, or two lists."""
    if type(a) in _NUMBER_TYPES and type(b) in _NUMBER_TYPES:
        return _finite(a + b, "+")
    kind = _kind(a)
    if kind == _kind(b):
        if kind == "number":
            return _finite(a + b, "+")
        if kind in ("string", "list"):
            size = len(a) + len(b)
            if size > MAX_STRING:
                raise EvaluationError(
                    f"'+' would make a {kind} of {size} "
                    f"{'characters' if kind == 'string' else 'items'} "
                    f"(the limit is {MAX_STRING})"
                )
            return str(a) + str(b) if kind == "string" else (*a, *b)
    raise EvaluationError(
        f"'+' needs two numbers, two strings or two lists, not {_describe(a)} and {_describe(b)}"
    )


def _arithmetic(symbol: str, function: Callable[[Any, Any], Any]) -> Callable[[Any, Any], object]:
    """A checked numbers-only operator (``-``, ``*``)."""

    def apply(a: Any, b: Any) -> object:
        if (type(a) in _NUMBER_TYPES and type(b) in _NUMBER_TYPES) or (
            _is_number(a) and _is_number(b)
        ):
            return _finite(function(a, b), symbol)
        why = " (repeating strings or lists is not allowed)" if symbol == "*" else ""
        raise EvaluationError(
            f"'{symbol}' needs two numbers, not {_describe(a)} and {_describe(b)}{why}"
        )

    return apply


def _divide(a: Any, b: Any) -> object:
    """``a / b`` on numbers, always a float."""
    if not (_is_number(a) and _is_number(b)):
        raise EvaluationError(f"'/' needs two numbers, not {_describe(a)} and {_describe(b)}")
    if b == 0:
        raise EvaluationError("division by zero")
    try:
        return _finite(a / b, "/")
    except OverflowError:
        raise EvaluationError("the result of '/' is too large") from None


def _negate(a: Any) -> object:
    """Unary minus on a number."""
    if _is_number(a):
        return _finite(-a, "-")
    raise EvaluationError(f"'-' needs a number, not {_describe(a)}")


def _plus(a: Any) -> object:
    """Unary plus on a number."""
    if _is_number(a):
        return a
    raise EvaluationError(f"'+' needs a number, not {_describe(a)}")


def _ordering(symbol: str, compare: Callable[[Any, Any], Any]) -> Callable[[Any, Any], bool]:
    """A checked ordering (``<`` etc.): two numbers or two strings."""

    def check(a: Any, b: Any) -> bool:
        ta = type(a)
        tb = type(b)
        if (ta in _NUMBER_TYPES and tb in _NUMBER_TYPES) or (ta is str and tb is str):
            return compare(a, b)  # type: ignore[no-any-return]
        kind = _kind(a)
        if kind == _kind(b) and kind in ("number", "string"):
            return bool(compare(a, b))
        raise EvaluationError(f"cannot compare {_describe(a)} with {_describe(b)} using '{symbol}'")

    return check


def _equality(symbol: str, equal: bool) -> Callable[[Any, Any], bool]:
    """A checked ``==`` or ``!=``: both sides must be of the same kind."""

    def check(a: Any, b: Any) -> bool:
        ta = type(a)
        if ta is type(b) and ta in _SCALAR_TYPES:
            return (a == b) is equal
        kind = _kind(a)
        if kind != _kind(b) or kind not in ("number", "string", "boolean", "list"):
            raise EvaluationError(
                f"cannot compare {_describe(a)} with {_describe(b)} using '{symbol}'"
            )
        return _same(a, b) is equal

    return check


def _same(a: Any, b: Any) -> bool:
    """Equality that never raises and never equates values of different kinds."""
    ta = type(a)
    tb = type(b)
    if (ta is tb and ta in _SCALAR_TYPES) or (ta in _NUMBER_TYPES and tb in _NUMBER_TYPES):
        return bool(a == b)
    kind = _kind(a)
    if kind != _kind(b):
        return False
    if kind == "list":
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if kind in ("number", "string", "boolean"):
        return bool(a == b)
    return a is b


def _membership(symbol: str, inside: bool) -> Callable[[Any, Any], bool]:
    """A checked ``in`` or ``not in``: string in string, or value in list."""

    def check(a: Any, b: Any) -> bool:
        tb = type(b)
        if tb is tuple or tb is list:
            ta = type(a)
            if ta is str:  # a string equals only strings: Python's 'in' is exact here
                return (a in b) is inside
            if ta in _NUMBER_TYPES:
                plain = True  # every item a plain number, string or boolean
                for item in b:
                    kind = type(item)
                    if kind in _NUMBER_TYPES:
                        if item == a:
                            return inside
                    elif kind not in _SCALAR_TYPES:
                        plain = False
                if plain:
                    return not inside
            for item in b:
                if _same(a, item):
                    return inside
            return not inside
        if tb is str and type(a) is str:
            return (a in b) is inside
        container = _kind(b)
        if container == "list":
            return any(_same(a, item) for item in b) is inside
        if container == "string":
            if _kind(a) == "string":
                return (str(a) in str(b)) is inside
            raise EvaluationError(
                f"'{symbol}' a string needs a string on the left, not {_describe(a)}"
            )
        raise EvaluationError(
            f"'{symbol}' needs a list or a string on the right, not {_describe(b)}"
        )

    return check


_ARITHMETIC: Final[Mapping[str, Callable[[Any, Any], object]]] = MappingProxyType(
    {
        "+": _add,
        "-": _arithmetic("-", operator.sub),
        "*": _arithmetic("*", operator.mul),
        "/": _divide,
    }
)
_COMPARE: Final[Mapping[str, Callable[[Any, Any], bool]]] = MappingProxyType(
    {
        "==": _equality("==", True),
        "!=": _equality("!=", False),
        "<": _ordering("<", operator.lt),
        "<=": _ordering("<=", operator.le),
        ">": _ordering(">", operator.gt),
        ">=": _ordering(">=", operator.ge),
        "in": _membership("in", True),
        "not in": _membership("not in", False),
    }
)


# --- closures -------------------------------------------------------------------------
# Built by small factories so that each closure captures only what it uses.


def _boolean(conjunction: bool, fns: list[_Eval]) -> _Eval:
    """``and`` / ``or``: short-circuiting, always a boolean."""
    if len(fns) == 2:
        first, second = fns
        if conjunction:

            def both(ctx: Context) -> object:
                return bool(first(ctx)) and bool(second(ctx))

            return both

        def either(ctx: Context) -> object:
            return bool(first(ctx)) or bool(second(ctx))

        return either
    parts = tuple(fns)

    def many(ctx: Context) -> object:
        for part in parts:
            if bool(part(ctx)) is not conjunction:
                return not conjunction
        return conjunction

    return many


def _negation(operand: _Eval) -> _Eval:
    """``not``."""

    def negation(ctx: Context) -> object:
        return not operand(ctx)

    return negation


def _apply1(function: Callable[[Any], object], operand: _Eval) -> _Eval:
    """A checked unary operator."""

    def unary(ctx: Context) -> object:
        return function(operand(ctx))

    return unary


def _apply2(function: Callable[[Any, Any], object], left: _Eval, right: _Eval) -> _Eval:
    """A checked binary operator."""

    def binary(ctx: Context) -> object:
        return function(left(ctx), right(ctx))

    return binary


def _apply2_constant(function: Callable[[Any, Any], object], left: _Eval, right: object) -> _Eval:
    """A checked binary operator whose right operand is a literal."""

    def binary(ctx: Context) -> object:
        return function(left(ctx), right)

    return binary


def _chain(first: _Eval, rest: list[tuple[Callable[[Any, Any], bool], _Eval]]) -> _Eval:
    """A chained comparison ``a < b <= c``: each operand evaluated at most once."""
    links = tuple(rest)

    def chain(ctx: Context) -> object:
        left = first(ctx)
        for test, fn in links:
            right = fn(ctx)
            if not test(left, right):
                return False
            left = right
        return True

    return chain


# --- messages -------------------------------------------------------------------------


def _short(text: str, limit: int = 40) -> str:
    """Text cut to a readable length for a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _call_example(function: str) -> str:
    """A well-formed call of one of :data:`FUNCTIONS`."""
    return f"{function}('{_EXAMPLE_IDS[FUNCTIONS[function]]}')"


def _function_list() -> str:
    """The callable functions, as prose."""
    names = [f"{name}()" for name in FUNCTIONS]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _missing(error: LookupError) -> str:
    """The message for a name the team state does not know at run time."""
    what = repr(error.args[0]) if error.args else "a name"
    return f"the team state has no value for {_short(what)}"
