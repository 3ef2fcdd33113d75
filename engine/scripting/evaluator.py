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
MAX_INT_BITS = 4_096  # largest whole number (about 1,200 digits) an expression may hold or compute
MAX_POWER_BITS = MAX_INT_BITS
MAX_BUILT = 200_000  # items built in total while evaluating one expression or script
# Items a value holds counting everything inside it (a list shared ten thousand times counts ten thousand
# times): comparing, sorting or printing a value costs at most this much, whatever one call is asked.
MAX_WEIGHT = 200_000
MAX_ROUND_DIGITS = 400
MAX_SOURCE_CHARS = 10_000  # longest expression or script a procedure file may hold
MAX_DEPTH = 60  # nesting of an expression's syntax tree (brackets, operators inside operators)

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


_VIEWS = (type({}.keys()), type({}.values()), type({}.items()))
_SIZED = (str, list, tuple, dict, set, frozenset, bytes, *_VIEWS)
TOO_LARGE_NUMBER = f"the expression computes a number larger than {MAX_INT_BITS} bits (about 1,200 digits)"


def _limited(value: Any) -> Any:
    if isinstance(value, _SIZED) and len(value) > MAX_SIZE:
        raise ScriptError(f"the expression builds a value longer than {MAX_SIZE} items")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise ScriptError(TOO_LARGE_NUMBER)
    return value


def _bits(x: Any) -> int:
    return abs(int(x)).bit_length() if isinstance(x, int) else 0


def _safe_power(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int):
        if b < 0 or abs(a) <= 1:
            if b < 0 and abs(a) > 1 and -b > MAX_INT_BITS:
                return 0.0  # the float it would be rounds to zero anyway
            return a**b
        if b > MAX_INT_BITS or b * abs(a).bit_length() > MAX_INT_BITS:
            raise ScriptError(f"{_brief(a)} ** {_brief(b)} is too large to compute")
    elif isinstance(b, (int, float)) and abs(b) > MAX_INT_BITS:
        raise ScriptError(f"{_brief(a)} ** {_brief(b)} is too large to compute")
    return a**b


def _brief(x: Any) -> str:
    return str(x) if isinstance(x, (int, float)) and _bits(x) <= 64 else "a large number"


def _safe_mult(a: Any, b: Any) -> Any:
    # Checked before computing: the product itself is what would take the time and the memory.
    if isinstance(a, int) and isinstance(b, int) and _bits(a) + _bits(b) > MAX_INT_BITS + 1:
        raise ScriptError(TOO_LARGE_NUMBER)
    for seq, times in ((a, b), (b, a)):
        if isinstance(seq, _SIZED) and isinstance(times, int) and len(seq) * times > MAX_SIZE:
            raise ScriptError(f"the expression builds a value longer than {MAX_SIZE} items")
        if isinstance(seq, (list, tuple)) and isinstance(times, int) and times > 1 and any(
                isinstance(item, _SIZED) and not isinstance(item, str) for item in seq):
            # [[...]] * n shares one list n times: cheap to build, but every comparison or print
            # of it walks n copies. Refused rather than counted.
            raise ScriptError("only lists of plain values (text, numbers) can be repeated with *")
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
    if isinstance(a, int) and isinstance(b, int) and a and b > 0 and _bits(a) + b > MAX_INT_BITS:
        raise ScriptError(f"{_brief(a)} << {_brief(b)} is too large to compute")
    return a << b


def _safe_range(*args: int) -> range:
    r = range(*args)
    if r.stop - r.start > MAX_SIZE * max(1, abs(r.step)) or len(r) > MAX_SIZE:
        raise ScriptError(f"range() longer than {MAX_SIZE}")
    return r


def _safe_sum(items: Any, start: Any = 0) -> Any:
    # sum() of lists or tuples (sum(x, [])) copies the running total at every item: quadratic.
    if isinstance(start, bool) or not isinstance(start, (int, float)):
        raise ScriptError("sum() adds numbers only")
    total = start
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            raise ScriptError("sum() adds numbers only")
        total = _limited(total + item)
    return total


def _safe_round(number: Any, ndigits: Any = None) -> Any:
    # round(x, -n) computes 10 ** n first.
    if isinstance(ndigits, int) and abs(ndigits) > MAX_ROUND_DIGITS:
        raise ScriptError(f"round() takes at most {MAX_ROUND_DIGITS} digits")
    return round(number) if ndigits is None else round(number, ndigits)


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
    "len": len, "min": min, "max": max, "sum": _safe_sum, "abs": abs, "round": _safe_round, "int": int,
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
        # Weight of each container seen, by id; the container is kept so its id stays its own.
        self._weights: dict[int, tuple[Any, int]] = {}

    def _eval(self, node: ast.AST) -> Any:
        self.steps += 1
        if self.steps > MAX_NODES or (self.steps % 64 == 0 and time.monotonic() > self.deadline):
            raise ScriptError("the expression takes too long to evaluate")
        value = _limited(super()._eval(node))
        if isinstance(value, _SIZED):
            self.built += len(value)
            if self.built > MAX_BUILT:
                raise ScriptError("the expression builds too much data")
            if not isinstance(value, str) and self._weight(value, 0) > MAX_WEIGHT:
                raise ScriptError(f"the expression builds a value holding more than {MAX_WEIGHT} items in all")
        return value

    def _check_disallowed_items(self, item: Any) -> None:
        # simpleeval walks every result, every container in it again and again (a list shared 9,000
        # times inside another took 90 s); containers are walked once, by ``_weight``, instead.
        if not isinstance(item, _SIZED):
            super()._check_disallowed_items(item)

    def _weight(self, value: Any, depth: int) -> int:
        """Items in ``value`` counting everything nested in it; each container is walked once.

        Also refuses what simpleeval refuses inside containers: modules and forbidden functions.
        """
        if isinstance(value, str):
            return 1 + len(value)
        if isinstance(value, int):
            return 1 + value.bit_length() // 32
        if not isinstance(value, _SIZED):
            super()._check_disallowed_items(value)
            return 1
        known = self._weights.get(id(value))
        if known is not None:
            return known[1]
        if depth > 100:
            raise ScriptError("the expression builds values nested too deeply")
        if isinstance(value, _VIEWS):
            value = list(value)
        items = value.items() if isinstance(value, dict) else value
        total = 1
        for item in items:
            total += self._weight(item, depth + 1)
            if total > MAX_WEIGHT:
                break
        self._weights[id(value)] = (value, total)
        return total

    def _eval_formattedvalue(self, node: ast.FormattedValue) -> Any:
        if node.format_spec:
            spec = str(self._eval(node.format_spec))
            _check_width(re.findall(r"\d+", spec))
            return format(self._eval(node.value), spec)
        return self._eval(node.value)


def _parse(source: str, mode: str, shown: str) -> ast.AST:
    """``ast.parse`` within limits: Python's parser answers a very long or deeply nested text with
    MemoryError or RecursionError, which must be a refusal, never a crash."""
    if len(source) > MAX_SOURCE_CHARS:
        raise ScriptError(f"the {shown} is {len(source)} characters long; at most {MAX_SOURCE_CHARS} are allowed")
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        where = f" (line {exc.lineno})" if mode == "exec" else ""
        what = f"'{source}' is not a valid expression" if mode == "eval" else "the script is not valid"
        raise ScriptError(f"{what}: {exc.msg}{where}") from None
    except (MemoryError, RecursionError):
        raise ScriptError(f"the {shown} is nested too deeply") from None
    _check_depth(tree, shown)
    return tree


def _check_depth(tree: ast.AST, shown: str) -> None:
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ScriptError(f"the {shown} is nested too deeply (more than {MAX_DEPTH} levels); "
                              "split it into simpler parts")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


@functools.lru_cache(maxsize=4096)
def _parse_expression(expression: str) -> ast.expr:
    source = normalize(expression)
    if not source:
        raise ScriptError("the expression is empty")
    tree = _parse(source, "eval", "expression")
    _check_nodes(tree, expression)
    return tree.body  # type: ignore[attr-defined,no-any-return]


@functools.lru_cache(maxsize=512)
def _parse_script(script: str) -> list[ast.stmt]:
    tree = _parse(script, "exec", "script")
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
    return tree.body  # type: ignore[attr-defined,no-any-return]


def _check_nodes(tree: ast.AST, source: str) -> None:
    for node in ast.walk(tree):
        if isinstance(node, REFUSED_NODES):
            raise ScriptError(f"'{type(node).__name__}' is not allowed in '{source}'")
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
        if name.startswith("_"):
            raise ScriptError(f"names starting with '_' are not allowed ('{name}')")


def check_expression(expression: str) -> None:
    """Refuse an expression that could never be evaluated here; raise ``ScriptError`` with the reason.

    Beyond syntax, the parts that depend on no case (``2 ** 100000``, ``'x' * 10 ** 6``,
    ``add_working_days(10 ** 9)``) are computed now, within the same limits: one that can only fail
    is refused at deploy rather than found at the first case.
    """
    _constant_problems(_parse_expression(expression), expression)


def check_script(script: str) -> None:
    """Refuse a script that uses anything but assignments and ``if``, or a part that can only fail."""
    for stmt in _parse_script(script):
        _constant_problems(stmt, script)


# Nodes a case-independent part may consist of; calls only to the built-in functions.
_CONSTANT_NODES = (ast.Constant, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Tuple,
                   ast.List, ast.Set, ast.Dict, ast.operator, ast.unaryop, ast.boolop, ast.cmpop,
                   ast.expr_context, ast.Subscript, ast.Slice, ast.JoinedStr, ast.FormattedValue)


def _is_constant(node: ast.AST) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            if n.id not in CONSTANTS and n.id not in BUILTINS:
                return False
        elif isinstance(n, ast.Call):
            if not (isinstance(n.func, ast.Name) and n.func.id in BUILTINS):
                return False
        elif not isinstance(n, (*_CONSTANT_NODES, ast.keyword)):
            return False
    return True


def _constant_problems(tree: ast.AST, source: str) -> None:
    from engine.time.school_calendar import MAX_WORKING_DAYS  # the helper's bound, known before any case

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.expr) and not isinstance(node, (ast.Constant, ast.Name)) and _is_constant(node):
            try:
                _BudgetedEval(CONSTANTS, dict(BUILTINS), source)._eval(node)
            except ScriptError as exc:
                raise ScriptError(f"'{ast.unparse(node)}' can never be evaluated: {exc}") from None
            except Exception:  # noqa: S112 - an ordinary failure (1/0) is the case's to report
                pass
            continue
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "add_working_days" and len(node.args) == 1 and _is_constant(node.args[0])):
            try:
                n = _BudgetedEval(CONSTANTS, dict(BUILTINS), source)._eval(node.args[0])
            except Exception:  # noqa: S112 - reported by the walk below, or by the case
                n = 0
            if isinstance(n, (int, float)) and not 0 <= n <= MAX_WORKING_DAYS:
                raise ScriptError(f"add_working_days({_brief(n)}) can never be computed: "
                                  f"it counts 0 to {MAX_WORKING_DAYS} working days")
        stack.extend(ast.iter_child_nodes(node))


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
        except simpleeval.IterableTooLong:
            raise ScriptError(f"'{expression}' repeats more than {simpleeval.MAX_COMPREHENSION_LENGTH} "
                              "times") from None
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
        except simpleeval.IterableTooLong:
            raise ScriptError(f"the script repeats more than {simpleeval.MAX_COMPREHENSION_LENGTH} "
                              "times") from None
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
