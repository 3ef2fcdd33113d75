"""Restricted evaluation of expressions and of assignment-only scripts."""
from __future__ import annotations

import ast
import functools
import operator
import re
import time
from collections import ChainMap
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

import simpleeval

from engine.errors import ScriptError, UndefinedName
from engine.time.school_time import DEFAULT_SCHOOL_TIME, SchoolTime
from engine.scripting.syntax import normalize

MAX_NODES = 50_000  # evaluation steps per expression or script
MAX_SECONDS = 0.25  # wall time per expression or script
MAX_SIZE = 10_000  # longest string, list or dict an expression may build
MAX_POWER_BITS = 4_096
MAX_BUILT = 200_000  # items built in total while evaluating one expression or script

CONSTANTS = {"true": True, "false": False, "null": None, "True": True, "False": False, "None": None}

# Attributes an expression may read: plain read-only methods that cannot build large values.
# Not ``format``/``format_map`` (format strings can walk attributes), not ``join``/``replace``/
# ``center`` and friends (they can build values far larger than their inputs).
ALLOWED_ATTRS: dict[type | None, set[str]] = {
    str: {"lower", "upper", "strip", "lstrip", "rstrip", "startswith", "endswith", "split", "find",
          "count", "isdigit", "isalpha", "isalnum", "isspace", "title", "capitalize", "casefold"},
    dict: {"get", "keys", "values", "items"},
    list: {"index", "count"},
    tuple: {"index", "count"},
    int: {"real", "imag"},
    float: {"real", "imag", "is_integer"},
}

# Statement kinds a script may use; everything else (loops, imports, defs, with, try) is refused.
SCRIPT_STATEMENTS = (ast.Assign, ast.AugAssign, ast.If, ast.Pass, ast.Expr)
# Expression nodes refused outright, before any evaluation.
REFUSED_NODES = (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom, ast.Starred, ast.SetComp)


def _limited(value: Any) -> Any:
    if isinstance(value, (str, list, tuple, dict, set, bytes)) and len(value) > MAX_SIZE:
        raise ScriptError(f"the expression builds a value longer than {MAX_SIZE} items")
    return value


def _safe_power(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int):
        if b < 0 or abs(a) <= 1:
            return a**b
        if b > MAX_POWER_BITS or b * abs(a).bit_length() > MAX_POWER_BITS:
            raise ScriptError(f"{a} ** {b} is too large to compute")
    elif abs(b) > MAX_POWER_BITS:
        raise ScriptError(f"{a} ** {b} is too large to compute")
    return a**b


def _safe_mult(a: Any, b: Any) -> Any:
    for seq, times in ((a, b), (b, a)):
        if hasattr(seq, "__len__") and isinstance(times, int) and len(seq) * times > MAX_SIZE:
            raise ScriptError(f"the expression builds a value longer than {MAX_SIZE} items")
    return a * b


def _safe_add(a: Any, b: Any) -> Any:
    return _limited(a + b)


# A width or precision in a format (f"{x:>{n}}", "%.*d" % ...) builds a value of that size before any
# size check could look at it, so it is checked first.
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?.")


def _check_width(numbers: list[str]) -> None:
    for n in numbers:
        if n == "*" or (n and int(n) > MAX_SIZE):
            raise ScriptError(f"the expression builds a value longer than {MAX_SIZE} items")


def _safe_mod(a: Any, b: Any) -> Any:
    if isinstance(a, str):
        for m in _PERCENT_SPEC.finditer(a):
            _check_width([g for g in m.groups() if g])
    return a % b


def _safe_lshift(a: Any, b: Any) -> Any:
    if isinstance(b, int) and b > MAX_POWER_BITS:
        raise ScriptError(f"{a} << {b} is too large to compute")
    return a << b


def _safe_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_SIZE:
        raise ScriptError(f"range() longer than {MAX_SIZE}")
    return r


OPERATORS = {
    ast.Add: _safe_add, ast.Sub: operator.sub, ast.Mult: _safe_mult, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Pow: _safe_power, ast.Mod: _safe_mod,
    ast.LShift: _safe_lshift, ast.RShift: operator.rshift, ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_, ast.BitXor: operator.xor,
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Gt: operator.gt, ast.Lt: operator.lt,
    ast.GtE: operator.ge, ast.LtE: operator.le, ast.Not: operator.not_, ast.USub: operator.neg,
    ast.UAdd: operator.pos, ast.Invert: operator.invert,
    ast.In: lambda x, y: x in y, ast.NotIn: lambda x, y: x not in y,
    ast.Is: operator.is_, ast.IsNot: operator.is_not,
}

BUILTINS: dict[str, Callable[..., Any]] = {
    "len": len, "min": min, "max": max, "sum": sum, "abs": abs, "round": round, "int": int,
    "float": float, "str": str, "bool": bool, "sorted": sorted, "any": any, "all": all,
    "range": _safe_range,
}


class _BudgetedEval(simpleeval.EvalWithCompoundTypes):
    """simpleeval with a node budget, a deadline and a size check on every intermediate value."""

    def __init__(self, names: Mapping[str, Any], functions: dict[str, Callable[..., Any]], source: str):
        super().__init__(operators=OPERATORS, functions=functions, names=names, allowed_attrs=ALLOWED_ATTRS)
        self.ATTR_INDEX_FALLBACK = False
        self.expr = source
        self.steps = 0
        self.built = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def _eval(self, node: ast.AST) -> Any:
        self.steps += 1
        if self.steps > MAX_NODES or (self.steps % 64 == 0 and time.monotonic() > self.deadline):
            raise ScriptError("the expression takes too long to evaluate")
        value = _limited(super()._eval(node))
        if isinstance(value, (str, list, tuple, dict, set)):
            self.built += len(value)
            if self.built > MAX_BUILT:
                raise ScriptError("the expression builds too much data")
        return value

    def _eval_formattedvalue(self, node: ast.FormattedValue) -> Any:
        if node.format_spec:
            spec = str(self._eval(node.format_spec))
            _check_width(re.findall(r"\d+", spec))
            return format(self._eval(node.value), spec)
        return self._eval(node.value)


@functools.lru_cache(maxsize=4096)
def _parse_expression(expression: str) -> ast.expr:
    source = normalize(expression)
    if not source:
        raise ScriptError("the expression is empty")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ScriptError(f"'{expression}' is not a valid expression: {exc.msg}") from None
    _check_nodes(tree, expression)
    return tree.body


@functools.lru_cache(maxsize=512)
def _parse_script(script: str) -> list[ast.stmt]:
    try:
        tree = ast.parse(script, mode="exec")
    except SyntaxError as exc:
        raise ScriptError(f"the script is not valid: {exc.msg} (line {exc.lineno})") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not isinstance(node, SCRIPT_STATEMENTS):
            raise ScriptError(
                f"line {node.lineno}: '{type(node).__name__}' statements are not allowed in scripts; "
                "only assignments and 'if' are"
            )
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if not all(isinstance(t, ast.Name) for t in targets):
                raise ScriptError(f"line {node.lineno}: a script may only assign plain names")
    _check_nodes(tree, script)
    return tree.body


def _check_nodes(tree: ast.AST, source: str) -> None:
    for node in ast.walk(tree):
        if isinstance(node, REFUSED_NODES):
            raise ScriptError(f"'{type(node).__name__}' is not allowed in '{source}'")
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
        if name.startswith("_"):
            raise ScriptError(f"names starting with '_' are not allowed ('{name}')")


def check_expression(expression: str) -> None:
    """Refuse an expression that could never be evaluated here; raise ``ScriptError`` with the reason."""
    _parse_expression(expression)


def check_script(script: str) -> None:
    """Refuse a script that uses anything but assignments and ``if``."""
    _parse_script(script)


class Evaluator:
    """Evaluates expressions against task data, with whitelisted helper functions.

    ``helpers`` are host functions such as ``add_working_days``; ``params`` are the procedure's named
    parameters. Names are looked up as constants, then case facts, then parameters, and task data last,
    so typed data can never change what one of the others means. ``school_time`` places the bare dates and naive
    times that expressions give (the school's time zone and office-day end); it is called only then,
    and without it the defaults of ``engine.time.school_time`` apply.
    """

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None,
                 params: Mapping[str, Any] | None = None, facts: Mapping[str, Any] | None = None,
                 school_time: Callable[[], SchoolTime] | None = None):
        self.functions = {**BUILTINS, **(helpers or {})}
        # Facts of the case (initiator, case number) come before parameters; both above task data.
        self.params: Mapping[str, Any] = ChainMap(dict(facts or {}), params if params is not None else {})
        self.school_time: Callable[[], SchoolTime] = school_time or (lambda: DEFAULT_SCHOOL_TIME)

    def evaluate(self, expression: str, data: Mapping[str, Any] | None = None,
                 extra: Mapping[str, Any] | None = None) -> Any:
        """Evaluate ``expression``; any failure becomes ``ScriptError`` naming the expression."""
        tree = _parse_expression(expression)
        # Case data comes last: what a person typed never stands in for a constant, a fact or a parameter.
        names = ChainMap(CONSTANTS, self.params, dict(extra or {}), dict(data or {}))
        try:
            return _BudgetedEval(names, self.functions, expression)._eval(tree)
        except ScriptError:
            raise
        except simpleeval.NameNotDefined as exc:
            raise UndefinedName(f"'{expression}': '{exc.name}' is not defined") from None
        except Exception as exc:  # an error in the procedure's own expression, reported as such
            raise ScriptError(f"'{expression}' failed: {exc}") from None

    def execute(self, script: str, context: MutableMapping[str, Any],
                extra: Mapping[str, Any] | None = None) -> None:
        """Run an assignment-only script against ``context``; on failure ``context`` is unchanged."""
        body = _parse_script(script)
        scratch = dict(context)
        evaluator = _BudgetedEval(
            ChainMap(CONSTANTS, self.params, dict(extra or {}), scratch), self.functions, script
        )
        try:
            self._run(body, scratch, evaluator)
        except ScriptError:
            raise
        except Exception as exc:
            raise ScriptError(f"script failed: {exc}") from None
        context.clear()
        context.update(scratch)

    def _run(self, body: list[ast.stmt], scratch: dict[str, Any], ev: _BudgetedEval) -> None:
        for stmt in body:
            if isinstance(stmt, ast.Assign):
                value = ev._eval(stmt.value)
                for target in stmt.targets:
                    scratch[target.id] = value  # type: ignore[attr-defined]
            elif isinstance(stmt, ast.AugAssign):
                name = stmt.target.id  # type: ignore[attr-defined]
                op = OPERATORS[type(stmt.op)]
                scratch[name] = _limited(op(ev._eval(stmt.target), ev._eval(stmt.value)))  # type: ignore[operator]
            elif isinstance(stmt, ast.If):
                self._run(stmt.body if ev._eval(stmt.test) else stmt.orelse, scratch, ev)
            elif isinstance(stmt, ast.Expr):
                ev._eval(stmt.value)
