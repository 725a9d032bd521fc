"""Condition expressions: the language, its compile and run-time errors, and hostile input."""

from __future__ import annotations

import operator
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simtrain.scenario.expressions import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_SOURCE_LENGTH,
    MAX_STRING,
    EvaluationError,
    Expression,
    ExpressionError,
    Reference,
    compile_expression,
)

VARIABLES = ("trust", "score", "name", "tags", "flag", "count", "empty", "huge", "long", "many")
"""The team variables every test compiles against (``ghost`` is declared only on purpose)."""


def _values() -> dict[str, object]:
    return {
        "trust": 2,
        "score": 1.5,
        "name": "Ana",
        "tags": ["urgent", "minor"],
        "flag": True,
        "count": 0,
        "empty": "",
        "huge": 10**15,
        "long": "x" * (MAX_STRING // 2 + 1),
        "many": ["x"] * (MAX_STRING // 2 + 1),
    }


@dataclass
class FakeContext:
    """A team state in memory that records what an expression asked for."""

    values: dict[str, object] = field(default_factory=_values)
    visits: dict[str, int] = field(default_factory=lambda: {"screening": 2})
    choices: set[str] = field(default_factory=lambda: {"ask"})
    documents: set[str] = field(default_factory=lambda: {"manifest"})
    injects: set[str] = field(default_factory=lambda: {"call"})
    minutes: float = 12.5
    criticals: int = 0
    calls: list[str] = field(default_factory=list)

    def var(self, name: str) -> object:
        self.calls.append(f"var:{name}")
        return self.values[name]

    def visited(self, scene: str) -> int:
        self.calls.append(f"visited:{scene}")
        return self.visits.get(scene, 0)

    def chosen(self, choice: str) -> bool:
        self.calls.append(f"chosen:{choice}")
        return choice in self.choices

    def has(self, document: str) -> bool:
        self.calls.append(f"has:{document}")
        return document in self.documents

    def delivered(self, inject: str) -> bool:
        self.calls.append(f"delivered:{inject}")
        return inject in self.injects

    @property
    def elapsed(self) -> float:
        return self.minutes

    @property
    def critical_errors(self) -> int:
        return self.criticals


def evaluate(source: str, ctx: FakeContext | None = None) -> object:
    """Compile against VARIABLES and evaluate against a fresh (or the given) context."""
    return compile_expression(source, VARIABLES).evaluate(ctx or FakeContext())


# --- the language -----------------------------------------------------------------------

LANGUAGE = [
    # literals
    ("1", 1),
    ("2.5", 2.5),
    ("1e3", 1000.0),
    ("'a'", "a"),
    ('"a b"', "a b"),
    ("'it\\'s'", "it's"),
    ("'é' + 'ß'", "éß"),
    ("true", True),
    ("True", True),
    ("false", False),
    ("False", False),
    ("-3", -3),
    ("+3", 3),
    ("[1, 'a', true, -2]", (1, "a", True, -2)),
    ("('a', 'b')", ("a", "b")),
    ("[]", ()),
    # names
    ("trust", 2),
    ("name", "Ana"),
    ("tags", ["urgent", "minor"]),
    ("elapsed", 12.5),
    # arithmetic
    ("1 + 2", 3),
    ("5 - 7", -2),
    ("3 * 4", 12),
    ("7 / 2", 3.5),
    ("6 / 3", 2.0),
    ("trust + score", 3.5),
    ("elapsed * 2", 25.0),
    ("-trust", -2),
    ("+score", 1.5),
    ("- -trust", 2),
    ("'ab' + 'cd'", "abcd"),
    ("name + '!'", "Ana!"),
    ("tags + ['new']", ("urgent", "minor", "new")),
    ("[1] + [2]", (1, 2)),
    ("huge + huge", 2 * 10**15),
    # precedence and grouping
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("10 - 4 - 3", 3),
    ("12 / 2 / 3", 2.0),
    ("-2 * 3", -6),
    ("2 * -3", -6),
    ("1 + 2 == 3", True),
    ("not 1 == 2", True),
    ("not true and false", False),
    ("true or false and false", True),
    ("(true or false) and false", False),
    ("not (trust > 1 and flag)", False),
    ("'a' + 'b' in 'xaby'", True),
    # comparisons
    ("1 == 1", True),
    ("2 == 2.0", True),
    ("1 != 2", True),
    ("'a' != 'a'", False),
    ("1 < 2", True),
    ("2 <= 2", True),
    ("3 > 4", False),
    ("3 >= 3.5", False),
    ("'a' < 'b'", True),
    ("'b' >= 'a'", True),
    ("true == true", True),
    ("true != false", True),
    ("[1, 2] == [1, 2]", True),
    ("tags == ['urgent', 'minor']", True),
    ("tags != ['minor', 'urgent']", True),
    ("[1] == [true]", False),
    ("[] != [1]", True),
    ("elapsed >= 10", True),
    # chained comparisons
    ("1 < trust < 3", True),
    ("1 < trust < 2", False),
    ("1 < 2 > 1", True),
    ("1 == 1 == 1.0", True),
    ("3 > trust >= 2 > score", True),
    ("3 > trust >= 2 > 1.5 > score", False),
    # membership
    ("'rg' in 'urgent'", True),
    ("'x' not in name", True),
    ("'' in empty", True),
    ("'urgent' in tags", True),
    ("'x' in tags", False),
    ("'x' not in tags", True),
    ("trust in [1, 2, 3]", True),
    ("trust not in (1, 3)", True),
    ("2.0 in [2]", True),
    ("true in [1]", False),
    ("1 in [true]", False),
    ("name in ['Ana', 'Bo']", True),
    # and / or / not always give booleans
    ("true and false", False),
    ("true or false", True),
    ("not true", False),
    ("not 0", True),
    ("not name", False),
    ("not empty", True),
    ("1 and 'x'", True),
    ("0 or ''", False),
    ("count or trust", True),
    ("true and true and false", False),
    ("false or false or 1", True),
    ("false or false or 0", False),
    # functions
    ("visited('screening')", 2),
    ("visited('quay')", 0),
    ("chosen('ask')", True),
    ("chosen('other')", False),
    ("has('manifest')", True),
    ("has('passport')", False),
    ("delivered('call')", True),
    ("delivered('later')", False),
    ("visited('screening') > 1 and has('manifest')", True),
    ("trust >= 2 and not chosen('x')", True),
    # layout: YAML block scalars bring line breaks and indentation
    ("  trust\n", 2),
    ("trust >= 2 and\n  flag\n", True),
    ("(trust\n + 1)", 3),
    ("trust # a comment", 2),
    ("trust + \\\n 1", 3),
]


@pytest.mark.parametrize(("source", "expected"), LANGUAGE)
def test_language(source: str, expected: object) -> None:
    value = evaluate(source)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [("tags", True), ("empty", False), ("count", False), ("score", True), ("[]", False)],
)
def test_test_is_truthiness(source: str, expected: bool) -> None:
    assert compile_expression(source, VARIABLES).test(FakeContext()) is expected


@pytest.mark.parametrize(
    ("source", "calls"),
    [
        ("false and chosen('x')", []),
        ("true or visited('x')", []),
        ("chosen('ask') or has('x')", ["chosen:ask"]),
        ("chosen('no') and has('x')", ["chosen:no"]),
        ("has('a') or has('b') or has('manifest') or has('c')", ["has:a", "has:b", "has:manifest"]),
        ("1 > 2 < visited('x')", []),
        ("1 < visited('screening') < 5", ["visited:screening"]),
        ("false and 1 / 0", []),
        ("trust > 5 and name < 1", ["var:trust"]),
    ],
)
def test_short_circuit(source: str, calls: list[str]) -> None:
    ctx = FakeContext()
    compile_expression(source, VARIABLES).evaluate(ctx)
    assert ctx.calls == calls


def test_builtin_names_cannot_be_shadowed() -> None:
    expression = compile_expression("true and not false and elapsed > 1", ["true", "elapsed"])
    ctx = FakeContext()
    assert expression.evaluate(ctx) is True
    assert expression.variables == frozenset()
    assert ctx.calls == []


def test_critical_errors_is_the_engines_count_even_over_a_variable_of_that_name() -> None:
    expression = compile_expression("critical_errors == 0", ["critical_errors", "trust"])
    assert expression.variables == frozenset()
    assert expression.builtins == {"critical_errors"}
    assert expression.evaluate(FakeContext(criticals=0)) is True
    ctx = FakeContext(criticals=2, values={"critical_errors": 0})
    assert expression.evaluate(ctx) is False and ctx.calls == []
    assert compile_expression("elapsed > 1", []).builtins == {"elapsed"}
    assert compile_expression("trust > 1", VARIABLES).builtins == frozenset()


def test_variables_and_references() -> None:
    source = "visited('screening') > trust and not chosen('ask') or 'x' in tags or has('ask')"
    expression = compile_expression(source, VARIABLES)
    assert expression.source == source
    assert expression.variables == {"trust", "tags"}
    assert expression.references == (
        Reference("visited", "screening", 0),
        Reference("chosen", "ask", 37),
        Reference("has", "ask", 69),
    )


def test_reference_columns_count_characters_not_bytes() -> None:
    expression = compile_expression("'été' == name or\n delivered('call')", VARIABLES)
    assert expression.references == (Reference("delivered", "call", 18),)


def test_expressions_compare_by_source_and_are_hashable() -> None:
    first = compile_expression("trust > 1", VARIABLES)
    second = compile_expression("trust > 1", VARIABLES)
    assert first == second
    assert {first: 1}[second] == 1
    assert "trust > 1" in repr(first)


def test_public_constants() -> None:
    assert dict(FUNCTIONS) == {
        "visited": "scene",
        "chosen": "choice",
        "has": "document",
        "delivered": "inject",
    }
    with pytest.raises(TypeError):
        FUNCTIONS["eval"] = "code"  # type: ignore[index]
    assert (MAX_SOURCE_LENGTH, MAX_DEPTH, MAX_STRING) == (2000, 50, 10_000)


# --- compile errors ---------------------------------------------------------------------

COMPILE_ERRORS = [
    # shape of the source
    ("", "the condition is empty", 0),
    ("   \n", "the condition is empty", 0),
    ("x" * (MAX_SOURCE_LENGTH + 1), "too long (2001 characters; the limit is 2000)", 2000),
    ("trust >", "syntax error: the condition ends too early", 7),
    ("trust >= = 2", "syntax error", 9),
    ("(trust", "'(' was never closed", 0),
    ("'abc", "unterminated string literal", 0),
    ("'a\nb'", "unterminated string literal", 0),
    ("trust and\x00", "null character", 9),
    ("name == '\ud800'", "not valid text", 9),
    ("trust 1", "syntax error: invalid syntax", 6),
    # nesting
    ("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1), "nested too deeply", MAX_DEPTH),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nested too deeply", MAX_DEPTH),
    ("not " * (MAX_DEPTH + 1) + "flag", "nested too deeply", 4 * MAX_DEPTH),
    ("-" * (MAX_DEPTH + 1) + "1", "nested too deeply", MAX_DEPTH),
    ("(-" * 26 + "1" + ")" * 26, "nested too deeply", 50),
    ("+".join(["1"] * (MAX_DEPTH + 2)), "nested too deeply", 0),
    # names
    ("trsut > 1", "unknown variable 'trsut' (did you mean 'trust'?)", 0),
    ("trust > 1 and nmae == 'x'", "unknown variable 'nmae' (did you mean 'name'?)", 14),
    ("'é' + trsut", "unknown variable 'trsut'", 6),
    ("'日本' == nmae", "unknown variable 'nmae'", 8),
    ("\n\n  trust +\n  trsut\n", "unknown variable 'trsut'", 14),
    ("'''a\r\nb''' + trsut", "unknown variable 'trsut'", 13),
    ("(trust +\n\n   x.y)", "attribute access ('.y')", 14),
    ("elapsd > 1", "unknown variable 'elapsd' (did you mean 'elapsed'?)", 0),
    ("ture", "(did you mean 'true'?)", 0),
    ("__builtins__", "unknown variable '__builtins__'", 0),
    ("visited", "'visited' is a function: write visited('quay')", 0),
    # calls
    ("visted('quay')", "unknown function 'visted' (did you mean 'visited'?)", 0),
    ("open('x')", "unknown function 'open'", 0),
    ("__import__('os')", "unknown function '__import__'", 0),
    ("trust('x')", "'trust' is not a function", 0),
    ("true('x')", "'true' is not a function", 0),
    ("'x'('y')", "only visited(), chosen(), has() and delivered() can be called", 0),
    ("visited()", "visited() takes one scene id in quotes, like visited('quay')", 0),
    ("visited(trust)", "visited() takes one scene id in quotes", 8),
    ("visited('a', 'b')", "visited() takes one scene id in quotes", 13),
    ("chosen(1)", "chosen() takes one choice id in quotes", 7),
    ("has('a' + 'b')", "has() takes one document id in quotes", 4),
    ("delivered(inject='x')", "keyword arguments are not allowed: delivered() takes", 10),
    ("visited(*tags)", "'*' unpacking is not allowed", 8),
    ("visited(**tags)", "'**' unpacking is not allowed", 8),
    ("visited(x for x in tags)", "visited() takes one scene id", 7),
    # constructs outside the language
    ("trust.real", "attribute access ('.real') is not allowed", 5),
    ("().__class__.__bases__", "attribute access ('.__class__') is not allowed", 2),
    ("'x'.join(tags)", "attribute access ('.join') is not allowed", 3),
    ("tags[0]", "indexing and slicing", 4),
    ("name[::-1]", "indexing and slicing", 4),
    ("lambda: 1", "'lambda' is not allowed", 0),
    ("[t for t in tags]", "comprehensions", 0),
    ("{t for t in tags}", "comprehensions", 0),
    ("{t: 1 for t in tags}", "comprehensions", 0),
    ("(t for t in tags)", "comprehensions", 0),
    ("trust if flag else 0", "'if ... else' inside a condition is not allowed", 0),
    ("(x := 1)", "assignment (':=') is not allowed", 1),
    ("{'a': 1}", "dictionaries", 0),
    ("{1, 2}", "sets ('{...}') are not allowed", 0),
    ("f'{trust}'", "f-strings are not allowed", 0),
    ("trust == RF'x'", "f-strings are not allowed", 9),
    ("2 ** 3", "'**' is not allowed", 2),
    ("9**9**9", "'**' is not allowed", 1),
    ("'a' * 10**9", "'**' is not allowed", 8),
    ("7 // 2", "'//' is not allowed", 2),
    ("7 % 2", "'%' is not allowed", 2),
    ("1 << 2", "'<<' is not allowed", 2),
    ("1 >> 2", "'>>' is not allowed", 2),
    ("1 | 2", "'|' is not allowed", 2),
    ("1 & 2", "'&' is not allowed", 2),
    ("1 ^ 2", "'^' is not allowed", 2),
    ("tags @ tags", "'@' is not allowed", 5),
    ("~1", "'~' is not allowed", 0),
    ("trust is 2", "'is' is not allowed; use '==' or '!='", 6),
    ("trust is not 2", "'is' is not allowed", 6),
    ("None", "'None' is not allowed", 0),
    ("...", "'...' is not allowed", 0),
    ("b'x'", "bytes literals", 0),
    ("1j", "complex numbers", 0),
    ("*tags", "syntax error", 0),
    # literals
    ("1000000000000001", "the number 1000000000000001 is too large", 0),
    ("-1000000000000001", "too large", 1),
    ("1e999", "the number is too large", 0),
    ("[trust]", "list items must be literals", 1),
    ("[[1]]", "list items must be literals", 1),
    ("name in ['a', name]", "list items must be literals", 14),
]


@pytest.mark.parametrize(("source", "message", "column"), COMPILE_ERRORS)
def test_compile_errors(source: str, message: str, column: int) -> None:
    with pytest.raises(ExpressionError) as raised:
        compile_expression(source, VARIABLES)
    assert message in raised.value.message
    assert str(raised.value) == raised.value.message
    assert raised.value.column == column


@pytest.mark.parametrize(
    "source",
    [
        "(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH,
        "not " * MAX_DEPTH + "flag",
        "-" * MAX_DEPTH + "1",
        "+".join(["1"] * (MAX_DEPTH + 1)),
        " or ".join(["flag"] * 200),
        "trust" + " < trust" * 200,
    ],
    ids=["brackets", "not", "minus", "additions", "or", "comparisons"],
)
def test_nesting_up_to_the_limit_is_fine(source: str) -> None:
    compile_expression(source, VARIABLES).evaluate(FakeContext())


def test_unknown_variable_message_is_exact() -> None:
    with pytest.raises(
        ExpressionError, match=r"^unknown variable 'trsut' \(did you mean 'trust'\?\)$"
    ):
        compile_expression("trsut >= 2", ["trust", "name"])


def test_source_must_be_text() -> None:
    with pytest.raises(ExpressionError, match="must be text"):
        compile_expression(3, VARIABLES)  # type: ignore[arg-type]


def test_errors_are_value_errors_and_survive_pickling() -> None:
    error = ExpressionError("bad", 4)
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, ExpressionError)
    assert (copy.message, copy.column, str(copy)) == ("bad", 4, "bad")
    failure = pickle.loads(pickle.dumps(EvaluationError("worse")))
    assert isinstance(failure, EvaluationError) and isinstance(failure, ValueError)
    assert (failure.message, str(failure)) == ("worse", "worse")


# --- evaluation errors ------------------------------------------------------------------

EVALUATION_ERRORS = [
    ("'a' < 1", "cannot compare string 'a' with number 1 using '<'"),
    ("name > trust", "cannot compare string 'Ana' with number 2 using '>'"),
    ("true < false", "cannot compare true with false using '<'"),
    ("tags <= tags", "cannot compare a list of 2 items with a list of 2 items using '<='"),
    ("1 < 2 < 'x'", "cannot compare number 2 with string 'x' using '<'"),
    ("trust == 'x'", "cannot compare number 2 with string 'x' using '=='"),
    ("flag != 1", "cannot compare true with number 1 using '!='"),
    ("visited('quay') == false", "cannot compare number 0 with false using '=='"),
    ("1 / 0", "division by zero"),
    ("score / count", "division by zero"),
    ("1 / 0.0", "division by zero"),
    ("'a' * 3", "'*' needs two numbers, not string 'a' and number 3"),
    ("'a' * 1000000000", "repeating strings or lists is not allowed"),
    ("tags * 2", "'*' needs two numbers"),
    ("'a' - 'b'", "'-' needs two numbers"),
    ("'a' / 2", "'/' needs two numbers"),
    ("1 + 'a'", "'+' needs two numbers, two strings or two lists, not number 1 and string 'a'"),
    ("true + 1", "'+' needs two numbers"),
    ("tags + 'x'", "'+' needs two numbers"),
    ("-name", "'-' needs a number, not string 'Ana'"),
    ("+flag", "'+' needs a number, not true"),
    ("1 in 'abc'", "'in' a string needs a string on the left, not number 1"),
    ("'a' in 1", "'in' needs a list or a string on the right, not number 1"),
    ("'a' not in trust", "'not in' needs a list or a string on the right"),
    ("long + long", f"'+' would make a string of {MAX_STRING + 2} characters"),
    ("many + many", f"'+' would make a list of {MAX_STRING + 2} items"),
    ("huge * huge * huge", "the result of '*' is too large"),
    ("huge * huge * huge * -huge", "the result of '*' is too large"),
    ("1e308 * 10", "the result of '*' is too large"),
    ("1e308 + 1e308", "the result of '+' is too large"),
    ("1e308 / 1e-308", "the result of '/' is too large"),
]


@pytest.mark.parametrize(("source", "message"), EVALUATION_ERRORS)
def test_evaluation_errors(source: str, message: str) -> None:
    expression = compile_expression(source, VARIABLES)
    for method in (expression.evaluate, expression.test):
        with pytest.raises(EvaluationError) as raised:
            method(FakeContext())
        assert message in raised.value.message
        assert str(raised.value) == raised.value.message


def test_a_variable_without_a_value_is_an_evaluation_error() -> None:
    expression = compile_expression("ghost > 1", [*VARIABLES, "ghost"])
    with pytest.raises(EvaluationError, match="no value for 'ghost'"):
        expression.test(FakeContext())


def test_values_of_unknown_types_are_refused() -> None:
    ctx = FakeContext(values={"trust": None})
    for source in ("trust == 1", "trust < 1", "trust + 1", "'a' in trust", "-trust"):
        with pytest.raises(EvaluationError, match="NoneType"):
            compile_expression(source, ["trust"]).evaluate(ctx)


# --- properties over hostile input ------------------------------------------------------


def check_safe(source: str) -> Expression | None:
    """The contract for any text: an Expression or an ExpressionError, and then a value or an
    EvaluationError. Any other exception fails the test."""
    try:
        expression = compile_expression(source, VARIABLES)
    except ExpressionError as error:
        assert error.message
        assert 0 <= error.column <= len(source)
        return None
    assert expression.variables <= set(VARIABLES)
    assert all(ref.function in FUNCTIONS for ref in expression.references)
    try:
        expression.evaluate(FakeContext())
        assert isinstance(expression.test(FakeContext()), bool)
    except EvaluationError as error:
        assert error.message
    return expression


HOSTILE = [
    "().__class__.__bases__[0].__subclasses__()",
    "__import__('os').system('echo pwned')",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "9**9**9**9",
    "'a'*10**9",
    "(lambda: 0).__code__",
    "lambda: __import__('os')",
    "[x for x in range(10**9)]",
    "eval('1')",
    "exec('import os')",
    "compile('1', '', 'eval')",
    "open('/etc/passwd').read()",
    "getattr(trust, '__class__')",
    "globals()",
    "__builtins__['eval']",
    "visited.__globals__",
    "chosen('x').__class__",
    "trust.__add__(1)",
    "f'{__import__(\"os\")}'",
    "'%s' % trust",
    "'{0.__class__}'.format(trust)",
    "(yield)",
    "await trust",
    "breakpoint()",
    "type(trust)",
    "'a' * 1000000000",
    "tags * 1000000000",
    "-" * 1999 + "1",
    "(" * 1000 + ")" * 1000,
    "not " * 499 + "x",
    "1" + "+1" * 999,
    "2" + "**2" * 666,
    "x" + ".a" * 999,
    "x" + "[0]" * 666,
    "lambda:" * 285 + "1",
    "a if b else " * 180 + "c",
    "f" + "()" * 999,
    "'" + "a" * 1998 + "'",
    "a" * 2000,
    "1" * 2000,
    "0x" + "f" * 1998,
    "'\\N{LATIN SMALL LETTER A}'",
    "'\\x00' in name",
    "\x00",
    "\ufeff" + "trust",
    "'''a\nb''' + trsut",
]


@pytest.mark.parametrize("source", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_inputs(source: str) -> None:
    check_safe(source)


# a generous deadline: it catches a hang, not a busy CI machine
_SETTINGS = settings(max_examples=200, deadline=2000)

TOKENS = [
    *VARIABLES,
    "elapsed",
    "true",
    "False",
    "None",
    "visited",
    "chosen",
    "has",
    "delivered",
    "'screening'",
    "'a'",
    '"b"',
    "0",
    "1",
    "-1",
    "2.5",
    "1e308",
    "10**9",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "__class__",
    "__import__",
    "'os'",
    "+",
    "-",
    "*",
    "/",
    "**",
    "//",
    "%",
    "==",
    "!=",
    "<",
    ">=",
    "in",
    "not",
    "and",
    "or",
    "is",
    "if",
    "else",
    "for",
    "lambda",
    ":=",
    "~",
    "@",
    "f'",
    "'",
    "\\",
    "#",
    "\n",
    "é",
]


@_SETTINGS
@given(st.text(max_size=300))
def test_any_text_is_compiled_or_refused(source: str) -> None:
    check_safe(source)


@_SETTINGS
@given(st.text(alphabet="()[]{}'\"-+*/<>=!:.,#\\ \n\t0123456789_eflnotadrsuvxyz", max_size=400))
def test_grammar_characters_are_compiled_or_refused(source: str) -> None:
    check_safe(source)


@_SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=60), st.sampled_from([" ", ""]))
def test_token_soup_is_compiled_or_refused(tokens: list[str], separator: str) -> None:
    check_safe(separator.join(tokens))


WRAPPERS = [
    ("(", ")"),
    ("[", "]"),
    ("{", "}"),
    ("not ", ""),
    ("-", ""),
    ("+", ""),
    ("- ", ""),
    ("~", ""),
    ("not (", ")"),
    ("-(", ")"),
    ("visited(", ")"),
    ("f(", ")"),
    ("[1, ", "]"),
    ("1 + ", ""),
    ("(1 + ", ")"),
    ("2 ** ", ""),
    ("lambda: ", ""),
    ("x.", ""),
    ("f'{", "}'"),
]
SUFFIXES = [".__class__", "[0]", "()", " + 1", " ** 9", " and trust", " < 1", " * 'a'", " + name"]


@_SETTINGS
@given(
    st.sampled_from(WRAPPERS),
    st.integers(1, 3000),
    st.sampled_from(["trust", "1", "'a'", "x", "tags"]),
)
def test_deep_nesting_is_refused_quickly(wrapper: tuple[str, str], depth: int, core: str) -> None:
    opening, closing = wrapper
    source = opening * depth + core + closing * depth
    if check_safe(source) is not None:
        assert depth <= MAX_DEPTH


@_SETTINGS
@given(
    st.sampled_from(["trust", "1", "'a'", "()", "tags"]),
    st.sampled_from(SUFFIXES),
    st.integers(1, 1500),
)
def test_long_chains_are_compiled_or_refused(core: str, suffix: str, count: int) -> None:
    check_safe(core + suffix * count)


@_SETTINGS
@given(st.integers(0, 30_000), st.sampled_from(["'{}'", "{}", "'{}' in name", "trust == {}"]))
def test_long_strings_and_identifiers(size: int, template: str) -> None:
    check_safe(template.format("a" * size))


# Well-formed expressions of every kind: they compile, and then evaluate or fail cleanly.

LEAVES = st.one_of(
    st.integers(-(10**15), 10**15).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(alphabet="ab'\\\" é", max_size=5).map(repr),
    st.sampled_from(["true", "false", "True", "False", "elapsed", "[]", "['a', 1, true]"]),
    st.sampled_from(VARIABLES),
    st.sampled_from(["visited('screening')", "chosen('ask')", "has('manifest')", "delivered('x')"]),
)
BINARY = ["+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "and", "or"]


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(BINARY), children).map(
            lambda parts: f"({parts[0]} {parts[1]} {parts[2]})"
        ),
        children.map(lambda child: f"(not {child})"),
        children.map(lambda child: f"(-{child})"),
        st.tuples(children, children, children).map(lambda parts: "{} < {} <= {}".format(*parts)),
    )


@_SETTINGS
@given(st.recursive(LEAVES, _extend, max_leaves=20))
def test_well_formed_expressions_compile_and_evaluate_safely(source: str) -> None:
    try:
        compile_expression(source, VARIABLES)
    except ExpressionError as error:
        assert "nested too deeply" in error.message or "too long" in error.message
        return
    check_safe(source)


# An oracle: integer and boolean expressions whose value Python computes from the tree.
# A value of None means "this must raise EvaluationError" (an integer result out of range).

Typed = tuple[str, object]
_LIMIT = 2**63 - 1
_INT_OPS: dict[str, Callable[[int, int], int]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}
_COMPARE_OPS: dict[str, Callable[[int, int], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _arith(left: Typed, symbol: str, right: Typed) -> Typed:
    a, b = left[1], right[1]
    value = None
    if isinstance(a, int) and isinstance(b, int):
        result = _INT_OPS[symbol](a, b)
        value = result if abs(result) <= _LIMIT else None
    return f"({left[0]} {symbol} {right[0]})", value


def _compare(left: Typed, symbol: str, right: Typed) -> Typed:
    a, b = left[1], right[1]
    value = None
    if isinstance(a, int) and isinstance(b, int):
        value = _COMPARE_OPS[symbol](a, b)
    return f"({left[0]} {symbol} {right[0]})", value


def _logic(left: Typed, symbol: str, right: Typed) -> Typed:
    a, b = left[1], right[1]
    if a is None:
        value = None
    elif symbol == "and":
        value = b if a else False
    else:
        value = True if a else b
    return f"({left[0]} {symbol} {right[0]})", value


INTEGERS: st.SearchStrategy[Typed] = st.recursive(
    st.one_of(
        st.integers(-1000, 1000).map(lambda v: (str(v), v)),
        st.sampled_from(
            [("trust", 2), ("count", 0), ("visited('screening')", 2), ("huge", 10**15)]
        ),
    ),
    lambda children: st.one_of(
        st.builds(_arith, children, st.sampled_from(sorted(_INT_OPS)), children),
        children.map(lambda c: (f"(-{c[0]})", None if c[1] is None else -c[1])),  # type: ignore[operator]
    ),
    max_leaves=8,
)
BOOLEANS: st.SearchStrategy[Typed] = st.recursive(
    st.one_of(
        st.sampled_from([("true", True), ("False", False), ("flag", True), ("chosen('x')", False)]),
        st.builds(_compare, INTEGERS, st.sampled_from(sorted(_COMPARE_OPS)), INTEGERS),
    ),
    lambda children: st.one_of(
        st.builds(_logic, children, st.sampled_from(["and", "or"]), children),
        children.map(lambda c: (f"(not {c[0]})", None if c[1] is None else not c[1])),
    ),
    max_leaves=6,
)


@_SETTINGS
@given(st.one_of(INTEGERS, BOOLEANS))
def test_results_match_a_reference_evaluator(case: Typed) -> None:
    source, expected = case
    expression = compile_expression(source, VARIABLES)
    if expected is None:
        with pytest.raises(EvaluationError, match="too large"):
            expression.evaluate(FakeContext())
    else:
        value = expression.evaluate(FakeContext())
        assert value == expected
        assert type(value) is type(expected)
