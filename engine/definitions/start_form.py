"""The form on a procedure's start event, which SpiffWorkflow's Camunda parser does not read.

Start data is checked against it exactly as a task's data is checked against the task's form: no
undeclared field, every constraint, nothing over its length. A start event without a form takes free
data, as a task without a form does (``forms.validate_form``).
"""

from __future__ import annotations

import functools
from typing import Any

from lxml import etree

from engine.definitions.forms import REQUIRED_WHEN, WITH_TIME, FormField, required_conditions
from engine.definitions.xml_input import parse_xml

_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}
_EVENT_DEFINITIONS = (
    "timerEventDefinition",
    "messageEventDefinition",
    "signalEventDefinition",
    "conditionalEventDefinition",
)


def start_form(definition: Any) -> list[FormField]:
    """The fields of the none start event of ``definition``'s process (empty when it has no form)."""
    return list(_fields(definition.process_key, definition.content_hash, definition.bpmn_xml))


@functools.lru_cache(maxsize=256)
def _fields(process_key: str, _content_hash: str, xml: str) -> tuple[FormField, ...]:
    tree, _ = parse_xml(xml.encode("utf-8"), process_key)
    if tree is None:
        return ()
    for process in tree.iterfind("bpmn:process", _NS):
        if process.get("id") != process_key:
            continue
        for event in process.iterfind("bpmn:startEvent", _NS):  # the process's own, not a subprocess's
            if any(event.find(f"bpmn:{d}", _NS) is not None for d in _EVENT_DEFINITIONS):
                continue
            return tuple(_field(f) for f in event.iterfind(".//camunda:formData/camunda:formField", _NS))
    return ()


def _field(f: etree._Element) -> FormField:
    rules = {c.get("name"): c.get("config") for c in f.iterfind("camunda:validation/camunda:constraint", _NS)}

    def number(name: str) -> float | None:
        return None if rules.get(name) is None else float(rules[name])  # type: ignore[arg-type]

    minlength, maxlength = number("minlength"), number("maxlength")
    props = {p.get("id"): (p.get("value") or "").strip()
             for p in f.iterfind("camunda:properties/camunda:property", _NS)}
    return FormField(
        id=f.get("id") or "",
        label=f.get("label") or f.get("id") or "",
        type=f.get("type") or "string",
        required="required" in rules,
        readonly="readonly" in rules,
        minlength=None if minlength is None else int(minlength),
        maxlength=None if maxlength is None else int(maxlength),
        min=number("min"),
        max=number("max"),
        values=[
            (v.get("id") or "", v.get("name") or v.get("id") or "") for v in f.iterfind("camunda:value", _NS)
        ],
        default=f.get("defaultValue"),
        with_time=(f.get("type") == "date" and props.get(WITH_TIME, "").lower() in ("true", "on", "yes", "1")),
        required_when=required_conditions(props.get(REQUIRED_WHEN, "")),
    )
