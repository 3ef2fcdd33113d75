"""Restricted evaluation: the known sandbox escapes and resource bombs are refused, nothing they did is kept,
and Camunda Modeler's syntax works.
"""
from __future__ import annotations

import copy
import json
import tracemalloc

import pytest

from engine.errors import InstanceError, ScriptError
from engine.scripting import Evaluator, SchoolScriptEnvironment, check_expression, check_script

DATA = {"x": 1, "name": "Li", "items": [1, 2, 3], "form": {"approved": True}}
PEAK_BYTES = 20 * 1024 * 1024  # far below any of the values the bombs below would build


@pytest.fixture
def ev() -> Evaluator:
    return Evaluator()


def refused(ev: Evaluator, expression: str, data: dict | None = None) -> ScriptError:
    """Evaluate ``expression`` expecting a refusal; the data it saw must be unchanged afterwards."""
    data = copy.deepcopy(DATA) if data is None else data
    before = copy.deepcopy(data)
    with pytest.raises(ScriptError) as info:
        ev.evaluate(expression, data)
    assert data == before
    return info.value


ESCAPES = {
    "__import__": ("__import__('os').system('id')", "names starting with '_' are not allowed ('__import__')"),
    "subclasses walk": ("().__class__.__base__.__subclasses__()", "names starting with '_' are not allowed"),
    "format attribute walk": ('"{0.__class__}".format(x)', "(format)"),
    "format_map": ('"{x.__class__}".format_map(form)', "format_map"),
    "f-string attribute walk": ('f"{x.__class__.__mro__}"', "names starting with '_' are not allowed"),
    "f-string spec injection": ("f\"{x:{'}{0.__class__}'}}\"", "Invalid format specifier"),
    "lambda": ("(lambda: 1)()", "'Lambda' is not allowed"),
    "walrus": ("(y := 1)", "'NamedExpr' is not allowed"),
    "getattr": ("getattr(x, 'real')", "'getattr' not defined"),
    "type()": ("type(x)", "'type' not defined"),
    "open()": ("open('/etc/passwd')", "'open' not defined"),
    "str.join": ("','.join(items)", "'.join' access not allowed"),
    "set comprehension": ("{i for i in items}", "'SetComp' is not allowed"),
    "starred": ("[*items]", "'Starred' is not allowed"),
}


@pytest.mark.parametrize("expression, reason", ESCAPES.values(), ids=ESCAPES.keys())
def test_sandbox_escapes_are_refused(ev, expression, reason):
    err = refused(ev, expression)
    assert reason in str(err)


STATEMENTS = ["x = 1", "import os", "del x", "x += 1", "def f(): pass", "while True: pass", "assert x"]


@pytest.mark.parametrize("text", STATEMENTS)
def test_statements_are_not_expressions(ev, text):
    err = refused(ev, text)
    assert f"'{text}' is not a valid expression" in str(err)
    with pytest.raises(ScriptError):
        check_expression(text)  # refused at deployment already, not only when a case reaches it


BOMBS = {
    "9**9**9": ("9**9**9", "is too large to compute"),
    "huge power of a variable": ("x * 10**5000", "is too large to compute"),
    "'a'*10**9": ("'a' * 10**9", "the expression builds a value longer than 10000 items"),
    "list repetition": ("items * 10**8", "the expression builds a value longer than 10000 items"),
    "nested comprehension": ("[i for i in range(9999) for j in range(9999)]", "repeats more than 10000 times"),
    "comprehension of big lists": ("[[1] * 9999 for i in range(9999)]", "builds too much data"),
    "sum(range(10**12))": ("sum(range(10**12))", "range() longer than 10000"),
    "max(range(10**9))": ("max(range(10**9))", "range() longer than 10000"),
    "shift": ("1 << 10**6", "is too large to compute"),
    "doubling": ("name * 5000 + name * 5000", "the expression builds a value longer than 10000 items"),
    "f-string width": ("f'{x:>{10**8}}'", "the expression builds a value longer than 10000 items"),
    "f-string precision": ("f'{x:.100000000f}'", "the expression builds a value longer than 10000 items"),
    "%-format width": ("'%100000000d' % x", "the expression builds a value longer than 10000 items"),
    "%-format star width": ("'%*d' % (10**8, x)", "the expression builds a value longer than 10000 items"),
    "%-format precision": ("'%.100000000f' % x", "the expression builds a value longer than 10000 items"),
    # One operator or built-in call that would run for seconds on its own (issue #10): refused before it.
    "growing product": ("3**2000 * 3**2000 * 3**2000", "a number larger than 4096 bits"),
    "number from text, then power": ("int('9' * 1000) ** 9", "is too large to compute"),
    "sum of lists": ("sum([[1] * 9999 for i in range(10)], [])", "sum() adds numbers only"),
    "round to minus 10**8 digits": ("round(x, -10**8)", "round() takes at most 400 digits"),
    "repeated nested list": ("[items] * 10000 == [items] * 10000", "only lists of plain values"),
    "shared list printed": ("len(str([t for t in [[list(range(9000))]] for i in range(9000)]))",
                            "more than 200000 items in all"),
}


@pytest.mark.parametrize("expression, reason", BOMBS.values(), ids=BOMBS.keys())
def test_resource_bombs_are_refused_before_building_anything_large(ev, expression, reason, monkeypatch):
    # The size limits are under test, not the wall-clock budget: tracemalloc slows evaluation down, and on
    # a busy machine the deadline would otherwise refuse some bombs first, with another reason.
    monkeypatch.setattr("engine.scripting.evaluator.MAX_SECONDS", 60.0)
    tracemalloc.start()
    try:
        err = refused(ev, expression)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reason in str(err)
    assert peak < PEAK_BYTES, f"built {peak // 2**20} MB before refusing"


def test_ordinary_formatting_still_works(ev):
    assert ev.evaluate("f'{x:>5}|{name}'", DATA) == "    1|Li"
    assert ev.evaluate("f'{x:08.2f}'", DATA) == "00001.00"
    assert ev.evaluate("'%s has %d items (100%%)' % (name, len(items))", DATA) == "Li has 3 items (100%)"
    assert ev.evaluate("name.upper() + str(sum(items))", DATA) == "LI6"
    assert ev.evaluate("form.get('approved') and 'yes' or 'no'", DATA) == "yes"


def test_an_undefined_name_says_which(ev):
    err = refused(ev, "score > 5")
    assert str(err) == "'score > 5': 'score' is not defined"


def test_task_data_never_stands_in_for_a_parameter_a_fact_or_a_constant():
    ev = Evaluator(params={"limit": 10, "x": 99}, facts={"initiator": "ann"})
    assert ev.evaluate("x < limit", {"x": 1}) is False  # the parameter wins over data of the same name
    assert ev.evaluate("initiator", {"initiator": "bob"}) == "ann"
    assert ev.evaluate("true", {"true": False}) is True
    assert ev.evaluate("score + limit", {"score": 1, "limit": 3000}) == 11


# --- Camunda Modeler syntax -----------------------------------------------------------------------

CAMUNDA = [
    ("${a > 1 && !b}", {"a": 2, "b": False}, True),
    ("${a > 1 && !b}", {"a": 2, "b": True}, False),
    ("${a > 5 || b}", {"a": 2, "b": True}, True),
    ("${a > 5 || b}", {"a": 2, "b": False}, False),
    ("${a != 2}", {"a": 2}, False),  # '!=' is not a negation
    ("${approved == true}", {"approved": True}, True),
    ("${approved == true}", {"approved": False}, False),
    ("${approved == false}", {"approved": False}, True),
    ("${reason == null}", {"reason": None}, True),
    ("${true && !false}", {}, True),
    ("${note == '&& || !'}", {"note": "&& || !"}, True),  # operators inside strings stay as written
    ("  ${ owner }  ", {"owner": "ann"}, "ann"),
    ("#{a + 1}", {"a": 1}, 2),
]


@pytest.mark.parametrize("expression, data, expected", CAMUNDA)
def test_camunda_expressions(ev, expression, data, expected):
    assert ev.evaluate(expression, data) == expected


@pytest.mark.parametrize("literal", ["P7D", "PT2H", "P1Y2M", "2026-11-23T08:00", "2026-11-23",
                                     "R3/PT1H", "R/2026-11-23T08:00/P1W", " P7D "])
def test_bare_iso_literals_are_returned_as_strings(literal):
    env = SchoolScriptEnvironment(Evaluator())
    assert env.evaluate(literal, {}) == literal.strip()


def test_text_that_only_looks_like_a_duration_is_evaluated_and_refused():
    env = SchoolScriptEnvironment(Evaluator())
    with pytest.raises(ScriptError, match="'P7X' is not defined"):
        env.evaluate("P7X", {})
    assert env.evaluate("P7X", {"P7X": "a variable"}) == "a variable"


# --- scripts ---------------------------------------------------------------------------------------

REFUSED_SCRIPTS = {
    "while": ("while True:\n    x = 1", "line 1: 'While' statements are not allowed in scripts"),
    "for": ("total = 0\nfor i in items:\n    total += i", "line 2: 'For' statements are not allowed"),
    "import": ("import os", "'Import' statements are not allowed"),
    "from-import": ("from os import path", "'ImportFrom' statements are not allowed"),
    "def": ("def f():\n    return 1", "'FunctionDef' statements are not allowed"),
    "class": ("class A:\n    pass", "'ClassDef' statements are not allowed"),
    "try": ("try:\n    x = 1\nexcept Exception:\n    x = 2", "'Try' statements are not allowed"),
    "with": ("with x:\n    pass", "'With' statements are not allowed"),
    "del": ("del x", "'Delete' statements are not allowed"),
    "global": ("global x", "'Global' statements are not allowed"),
    "attribute assignment": ("form.approved = False", "a script may only assign plain names"),
    "item assignment": ("items[0] = 99", "a script may only assign plain names"),
    "tuple assignment": ("a, b = 1, 2", "a script may only assign plain names"),
    "nested in if": ("if x:\n    import os", "'Import' statements are not allowed"),
    "underscore name": ("_secret = 1", "names starting with '_' are not allowed"),
    "syntax error": ("x = = 1", "the script is not valid"),
}


@pytest.mark.parametrize("script, reason", REFUSED_SCRIPTS.values(), ids=REFUSED_SCRIPTS.keys())
def test_scripts_may_only_assign_and_branch(ev, script, reason):
    context = copy.deepcopy(DATA)
    with pytest.raises(ScriptError) as info:
        ev.execute(script, context)
    assert reason in str(info.value)
    assert context == DATA
    with pytest.raises(ScriptError):
        check_script(script)  # the same refusal happens at deployment


def test_a_script_assigns_and_branches(ev):
    context = copy.deepcopy(DATA)
    script = "total = sum(items)\nif total > 5:\n    size = 'big'\nelse:\n    size = 'small'\nx += 1"
    ev.execute(script, context)
    assert context == {**DATA, "total": 6, "size": "big", "x": 2}


@pytest.mark.parametrize("script", [
    "total = 5\nitems += [4]\nboom = undefined",
    "x = 100\nname = 'changed'\ny = 9**9**9",
    "x = 100\nif x > 5:\n    z = items * 10**8",
    "x += 1\nq = 1 / 0",
])
def test_a_failing_script_leaves_the_data_as_it_was(ev, script):
    context = copy.deepcopy(DATA)
    items = context["items"]
    with pytest.raises(ScriptError):
        ev.execute(script, context)
    assert context == DATA
    assert context["items"] is items and items == [1, 2, 3]  # not even mutated in place


def test_scripts_do_not_run_unless_the_file_allows_them(ev):
    context = {"x": 1}
    with pytest.raises(ScriptError, match="scripts are not enabled for this procedure file"):
        SchoolScriptEnvironment(ev, allow_scripts=False).execute("x = 2", context)
    assert context == {"x": 1}
    assert SchoolScriptEnvironment(ev, allow_scripts=True).execute("x = 2", context) is True
    assert context == {"x": 2}


# --- end to end: a condition failing while a case runs --------------------------------------------


def test_a_gateway_condition_failing_at_run_time_keeps_the_task_open(harness):
    harness.deploy("gateway.bpmn")
    harness.user("ann", "office")
    iid = harness.start("gateway", "ann")
    task = harness.task("ann", "Decide")
    version = harness.instance(iid).version

    with pytest.raises(InstanceError) as info:
        harness.complete(task["id"], "ann", {"blocked": False})  # 'score' is missing
    assert "the procedure failed at 'gw'" in str(info.value)
    assert "${score > 5 && !blocked}" in str(info.value)

    # nothing of the attempt was stored: same task, same instance version, no completion in history
    assert harness.task("ann", "Decide")["id"] == task["id"]
    assert harness.instance(iid).version == version
    view = harness.show(iid)
    assert view["status"] == "running"
    assert [h["kind"] for h in view["history"]] == ["instance.started"]

    # with the data fixed, the same person can retry and the case moves on
    harness.complete(task["id"], "ann", {"score": 7, "blocked": False})
    assert harness.task_names("ann") == ["Approve"]
    history = harness.show(iid)["history"]
    completed = [json.loads(h["detail"]) for h in history if h["kind"] == "task.completed"]
    assert [c["data"] for c in completed] == [{"score": 7, "blocked": False}]


def test_a_gateway_takes_the_default_flow_when_the_condition_is_false(harness):
    harness.deploy("gateway.bpmn")
    harness.user("ann", "office")
    harness.start("gateway", "ann")
    harness.do("ann", "Decide", {"score": 9, "blocked": True})
    assert harness.task_names("ann") == ["Reject"]


def test_a_failing_condition_says_what_is_wrong(harness):
    harness.deploy("gateway.bpmn")
    harness.user("ann", "office")
    harness.start("gateway", "ann")
    with pytest.raises(InstanceError, match="'score' is not defined"):
        harness.do("ann", "Decide", {"blocked": False})
