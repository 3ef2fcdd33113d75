"""What a procedure file may contain: refuse at deployment what the engine would not run.

Every check returns ``Problem``s with the file, line and element id, so an administrator sees all the
reasons at once instead of fixing one and discovering the next.
"""
from __future__ import annotations

import math
from collections.abc import Iterator

from lxml import etree

from engine.errors import Problem, ScriptError, UndefinedName
from engine.definitions.forms import FIELD_TYPES, INT64, MAX_TEXT_CHARS, VALIDATION_CONSTRAINTS
from engine.people.assignment import EXCLUDE_PROPERTY
from engine.scripting import Evaluator, check_expression, check_script, is_expression
from engine.time.literals import is_cron, is_iso_literal
from engine.time.timer_math import literal_problem
from engine.definitions.public import public_field_problems

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN, "camunda": CAMUNDA}

REFUSED_ELEMENTS = {
    "serviceTask": "service tasks call other systems and schoolflow has no connectors; "
    "model the work as a user task",
    "businessRuleTask": "decision tables (business rule tasks) are not supported yet",
    "dataStoreReference": "data stores are not supported; keep case data in forms",
    "dataStore": "data stores are not supported; keep case data in forms",
    "complexGateway": "complex gateways are not supported; use an exclusive or inclusive gateway",
    "linkEventDefinition": "link events are not supported; connect the flow directly",
    "compensateEventDefinition": "compensation events are not supported",
}
REFUSED_CAMUNDA_ELEMENTS = {
    "executionListener": "listeners run Java or scripts and are not run by schoolflow",
    "taskListener": "listeners run Java or scripts and are not run by schoolflow",
    "inputOutput": "input/output mappings are not run by schoolflow; use form fields",
    "connector": "connectors are not run by schoolflow",
}
REFUSED_CAMUNDA_ATTRIBUTES = {
    "class": "Java classes are not run by schoolflow",
    "delegateExpression": "Java delegates are not run by schoolflow",
}
EXPRESSION_ELEMENTS = ("conditionExpression", "loopCardinality", "completionCondition", "loopCondition")
TIMER_ELEMENTS = ("timeDate", "timeDuration", "timeCycle")
TIMER_KINDS = {"timeDate": "date", "timeDuration": "duration", "timeCycle": "cycle"}


def _element_id(el: etree._Element) -> str | None:
    while el is not None:
        if el.get("id"):
            return el.get("id")
        el = el.getparent()
    return None


def _problem(file_name: str, el: etree._Element, message: str) -> Problem:
    return Problem(file_name, el.sourceline, _element_id(el), message)


def policy_problems(tree: etree._ElementTree, file_name: str, allow_scripts: bool) -> list[Problem]:
    """All reasons to refuse the file that the BPMN schema and SpiffWorkflow's parser do not catch."""
    return list(_unsupported(tree, file_name, allow_scripts)) + list(_expressions(tree, file_name)) + list(
        _user_tasks(tree, file_name)
    ) + list(_excluded_people(tree, file_name)) + list(public_field_problems(tree, file_name))


def _unsupported(tree: etree._ElementTree, f: str, allow_scripts: bool) -> Iterator[Problem]:
    for tag, why in REFUSED_ELEMENTS.items():
        for el in tree.iterfind(f".//bpmn:{tag}", NS):
            yield _problem(f, el, why)
    for tag, why in REFUSED_CAMUNDA_ELEMENTS.items():
        for el in tree.iterfind(f".//camunda:{tag}", NS):
            yield _problem(f, el, why)
    for el in tree.iter():
        for attr, why in REFUSED_CAMUNDA_ATTRIBUTES.items():
            if el.get(f"{{{CAMUNDA}}}{attr}") is not None:
                yield _problem(f, el, why)
    for el in tree.iterfind(".//bpmn:sendTask", NS):
        if not el.get("messageRef"):
            yield _problem(f, el, "a send task needs a message; to tell someone something, use a user task")
    for el in tree.iterfind(".//bpmn:scriptTask", NS):
        if not allow_scripts:
            yield _problem(f, el, "script tasks are disabled for this file; an administrator can deploy it "
                                  "with scripts allowed (--allow-scripts)")
            continue
        fmt = (el.get("scriptFormat") or "python").lower()
        script = el.findtext("bpmn:script", default="", namespaces=NS)
        if fmt != "python":
            yield _problem(f, el, f"script format '{fmt}' is not supported; write restricted Python")
        try:
            check_script(script)
        except ScriptError as exc:
            yield _problem(f, el, f"the script is refused: {exc}")


def _expressions(tree: etree._ElementTree, f: str) -> Iterator[Problem]:
    for tag in EXPRESSION_ELEMENTS:
        for el in tree.iterfind(f".//bpmn:{tag}", NS):
            yield from _check(f, el, el.text or "", what=tag)
    for tag in TIMER_ELEMENTS:
        for el in tree.iterfind(f".//bpmn:{tag}", NS):
            text = (el.text or "").strip()
            if not text:
                yield _problem(f, el, f"the timer's {tag} is empty")
            elif tag == "timeCycle" and is_cron(text):
                continue
            elif is_iso_literal(text):
                problem = literal_problem(TIMER_KINDS[tag], text)
                if problem:
                    yield _problem(f, el, f"the timer's {tag} can never be used: {problem}")
            else:
                yield from _check(f, el, text, what=tag)


def _check(f: str, el: etree._Element, text: str, what: str) -> Iterator[Problem]:
    try:
        check_expression(text)
    except ScriptError as exc:
        yield _problem(f, el, f"the {what} is refused: {exc}")


def _user_tasks(tree: etree._ElementTree, f: str) -> Iterator[Problem]:
    for el in tree.iterfind(".//bpmn:userTask", NS):
        for attr in ("assignee", "candidateUsers", "candidateGroups", "dueDate", "priority"):
            value = el.get(f"{{{CAMUNDA}}}{attr}")
            if value is None:
                continue
            if is_expression(value):
                yield from _check(f, el, value, what=f"camunda:{attr}")
            elif attr == "dueDate" and not is_iso_literal(value):
                yield _problem(f, el, f"camunda:dueDate '{value}' is neither an expression such as "
                                      "${add_working_days(7)} nor an ISO date or duration such as P7D")
            elif attr == "dueDate" and literal_problem("date", value):
                yield _problem(f, el, f"camunda:dueDate can never be used: {literal_problem('date', value)}")
            elif attr == "priority" and not value.strip().lstrip("-").isdigit():
                yield _problem(f, el, f"camunda:priority '{value}' is not a whole number")
        for field in el.iterfind(".//camunda:formData/camunda:formField", NS):
            yield from _form_field(f, field)
    for el in tree.iterfind(".//bpmn:startEvent", NS):  # start data is checked against this form too
        for field in el.iterfind(".//camunda:formData/camunda:formField", NS):
            yield from _form_field(f, field)


def _form_field(f: str, field: etree._Element) -> Iterator[Problem]:
    fid, ftype = field.get("id") or "", field.get("type") or ""
    if not fid.isidentifier() or fid.startswith("_"):
        yield _problem(f, field, f"form field id '{fid}' must be a name of letters, digits and '_' "
                                 "not starting with '_'")
    if ftype not in FIELD_TYPES:
        yield _problem(f, field, f"form field '{fid}' has type '{ftype}'; "
                                 f"allowed types are {', '.join(sorted(FIELD_TYPES))}")
    if ftype == "enum" and field.find("camunda:value", NS) is None:
        yield _problem(f, field, f"enum field '{fid}' lists no values")
    for c in field.iterfind("camunda:validation/camunda:constraint", NS):
        name, config = c.get("name") or "", c.get("config")
        if name not in VALIDATION_CONSTRAINTS:
            yield _problem(f, c, f"constraint '{name}' on field '{fid}' is not supported; "
                                 f"use {', '.join(sorted(VALIDATION_CONSTRAINTS))}")
        elif VALIDATION_CONSTRAINTS[name] and not _is_number(config):
            yield _problem(f, c, f"constraint '{name}' on field '{fid}' needs a number, not '{config}'")
        elif name in ("minlength", "maxlength") and not _is_whole(config, 0, MAX_TEXT_CHARS):
            yield _problem(f, c, f"constraint '{name}' on field '{fid}' needs a whole number from 0 to "
                                 f"{MAX_TEXT_CHARS} (the longest text a field takes), not '{config}'")
        elif name in ("min", "max") and not (-1e18 <= float(config or "") <= 1e18):
            yield _problem(f, c, f"constraint '{name}' on field '{fid}' needs a number between "
                                 f"-10^18 and 10^18, not '{config}'")


def _is_number(text: str | None) -> bool:
    """A finite number: ``nan`` and ``inf`` parse as floats but make every comparison meaningless."""
    try:
        return math.isfinite(float(text or ""))
    except ValueError:
        return False


def _is_whole(text: str | None, low: int, high: int) -> bool:
    value = float(text or "")
    return value.is_integer() and low <= value <= high


def _excluded_people(tree: etree._ElementTree, f: str) -> Iterator[Problem]:
    """``excludeUsers`` is read for every task of every case: one that cannot work breaks them all."""
    props = tree.xpath("//bpmn:process/bpmn:extensionElements/camunda:properties/camunda:property[@name=$n]",
                       namespaces=NS, n=EXCLUDE_PROPERTY)
    for prop in props:
        value = (prop.get("value") or "").strip()
        if is_expression(value):
            problems = list(_check(f, prop, value, what=EXCLUDE_PROPERTY))
            if problems:
                yield from problems
                continue
            # Evaluated with no case at all: it fails on the first name it reads (UndefinedName), so any
            # other failure, or an answer that is not names, happens the same way in every case.
            try:
                result = Evaluator().evaluate(value)
            except UndefinedName:
                continue
            except ScriptError as exc:
                yield _problem(f, prop, f"{EXCLUDE_PROPERTY} can never be evaluated: {exc}")
                continue
            if result is not None and not isinstance(result, str) and not (
                    isinstance(result, (list, tuple)) and all(isinstance(n, str) for n in result)):
                yield _problem(f, prop, f"{EXCLUDE_PROPERTY} '{value}' must give a name or a list of names, "
                                        f"not {result!r}")
        elif "${" in value or "#{" in value:
            yield _problem(f, prop, f"{EXCLUDE_PROPERTY} '{value}' looks like an expression but is not "
                                    "one; write ${name_of_a_field}")
