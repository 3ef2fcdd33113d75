"""What a person may put into a case's data: the start form, and names no form may take.

Case data is what people type; everything else an expression reads is the procedure's or the engine's:
the constants (``true``, ``None``…), the case facts (``initiator``, ``instance_id``, ``case_number``),
the procedure's parameters (``param.NAME``) and the helpers and built-ins. Two guards keep typed data from
standing in for those:

- at deployment, a form field (start event or task) named like any of them is refused with its line;
- at run time the evaluator looks names up in that order and case data last
  (``engine.scripting.evaluator``), so a key that reaches the data anyway (a form without fields takes
  free data) changes nothing an expression sees.

Start data is checked against the start event's form exactly like a task's answers
(``forms.validate_form``). A start event without a form takes free data, but not a field that a form of
the procedure asks for: those are answered by the task that asks (a public result shown on the tracking
page, say), never supplied by whoever starts the case.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

from engine.definitions.forms import FormField, validate_form
from engine.definitions.params import PARAM_PREFIX
from engine.definitions.xml_input import parse_xml
from engine.errors import InvalidInput, Problem
from engine.scripting.evaluator import BUILTINS, CONSTANTS
from engine.scripting.helpers import make_helpers

FACT_NAMES = frozenset({"initiator", "instance_id", "case_number"})
HELPER_NAMES = frozenset(make_helpers(None, lambda: None, lambda: None)) | frozenset(BUILTINS)  # type: ignore[arg-type]
_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}
_EVENT_DEFINITIONS = ("timerEventDefinition", "messageEventDefinition", "signalEventDefinition",
                      "conditionalEventDefinition", "errorEventDefinition", "escalationEventDefinition")


def reserved_names(param_names: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
    """Names no form field may take, each with what it already is."""
    out = {n: "a constant" for n in CONSTANTS}
    out.update({n: "a case fact the engine sets" for n in FACT_NAMES})
    out.update({n: "a function expressions call" for n in HELPER_NAMES})
    out.update({n: "a parameter of this procedure" for n in param_names})
    return out


def reserved_field_problems(tree: etree._ElementTree, file_name: str) -> Iterator[Problem]:
    """A problem for each form field whose id is a constant, case fact, helper or parameter name."""
    for process in tree.iterfind("bpmn:process", _NS):
        params = {p.get("name", "")[len(PARAM_PREFIX):]
                  for p in process.iterfind("bpmn:extensionElements/camunda:properties/camunda:property", _NS)
                  if p.get("name", "").startswith(PARAM_PREFIX)}
        reserved = reserved_names(params)
        for f in process.iterfind(".//camunda:formData/camunda:formField", _NS):
            what = reserved.get(f.get("id") or "")
            if what:
                yield Problem(file_name, f.sourceline, f.get("id"),
                              f"form field '{f.get('id')}' is named like {what}: answers would stand in for "
                              "it; give the field another id")


_FORMS: dict[tuple[str, str], tuple[list[FormField] | None, frozenset[str]]] = {}


def _forms(definition: Any) -> tuple[list[FormField] | None, frozenset[str]]:
    """(the start event's fields or None without a start form, every field id of the other forms)."""
    key = (definition.process_key, definition.content_hash)
    if key not in _FORMS:
        tree, _ = parse_xml(definition.bpmn_xml.encode("utf-8"), definition.process_key)
        start: list[FormField] | None = None
        others: set[str] = set()
        for process in (tree.iterfind("bpmn:process", _NS) if tree is not None else ()):
            if process.get("id") != definition.process_key:
                continue
            starts = [s for s in process.iterfind("bpmn:startEvent", _NS)
                      if not any(s.find(f"bpmn:{d}", _NS) is not None for d in _EVENT_DEFINITIONS)]
            start_fields = [f for s in starts[:1] for f in s.iterfind(".//camunda:formData/camunda:formField", _NS)]
            if start_fields:
                start = [_field(f) for f in start_fields]
            others = {f.get("id") or "" for f in process.iterfind(".//camunda:formData/camunda:formField", _NS)
                      if f not in start_fields}
        _FORMS[key] = (start, frozenset(others))
    return _FORMS[key]


def validate_start_data(definition: Any, data: Any) -> dict[str, Any]:
    """Check start data against ``definition``'s start form; returns the cleaned values.

    :raises InvalidInput: a field is wrong, missing or not on the start form (one message per field); or,
        without a start form, the data names a field another form of the procedure asks for.
    """
    start, others = _forms(definition)
    if start is not None:
        return validate_form(start, data)
    cleaned = validate_form([], data)
    errors = {k: "is answered by a form of this procedure, not given at the start" for k in cleaned if k in others}
    if errors:
        raise InvalidInput("the start data has errors: " + "; ".join(f"{k}: {v}" for k, v in errors.items()),
                           errors)
    return cleaned


def _field(el: etree._Element) -> FormField:
    rules = {c.get("name") or "": c.get("config") for c in el.iterfind("camunda:validation/camunda:constraint", _NS)}
    return FormField(
        id=el.get("id") or "", label=el.get("label") or el.get("id") or "", type=el.get("type") or "string",
        required="required" in rules, readonly="readonly" in rules,
        minlength=_number(rules.get("minlength"), int), maxlength=_number(rules.get("maxlength"), int),
        min=_number(rules.get("min"), float), max=_number(rules.get("max"), float),
        values=[(v.get("id") or "", v.get("name") or v.get("id") or "") for v in el.iterfind("camunda:value", _NS)],
        default=el.get("defaultValue"),
    )


def _number(text: str | None, kind: type) -> Any:
    # Deployment refused constraints that are not finite numbers; a stored older version might still
    # have one, and then it constrains nothing rather than breaking every start.
    try:
        return None if text is None else kind(float(text))
    except (ValueError, OverflowError):
        return None
