"""Start data: checked against the start event's form exactly like a task's answers.

With a start form (``start_form``), a field that is wrong, missing or not on it is refused. A start event
without a form takes free data, as a task without a form does, but not a field that another form of the
procedure asks for: those are answered by the task that asks (a public result shown on the tracking page,
say), never supplied by whoever starts the case. Names that are the procedure's or the engine's (its
parameters, the case facts, constants, helpers) are refused by ``reserved.check_data`` on top.
"""
from __future__ import annotations

from typing import Any

from engine.definitions.forms import validate_form
from engine.definitions.start_form import start_form
from engine.definitions.xml_input import parse_xml
from engine.errors import InvalidInput

_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}
_ANSWERED: dict[tuple[str, str], frozenset[str]] = {}  # per immutable definition version


def validate_start_data(definition: Any, data: Any) -> dict[str, Any]:
    """Check start data against ``definition``'s start form; returns the cleaned values.

    :raises InvalidInput: a field is wrong, missing or not on the start form (one message per field); or,
        without a start form, the data names a field another form of the procedure asks for.
    """
    fields = start_form(definition)
    if fields:
        return validate_form(fields, data)
    cleaned = validate_form([], data)
    answered = _answered(definition)
    errors = {k: "is answered by a form of this procedure, not given at the start" for k in cleaned
              if k in answered}
    if errors:
        raise InvalidInput("the start data has errors: " + "; ".join(f"{k}: {v}" for k, v in errors.items()),
                           errors)
    return cleaned


def _answered(definition: Any) -> frozenset[str]:
    """The field ids of every form of the procedure (it has no start form when this is asked)."""
    key = (definition.process_key, definition.content_hash)
    if key not in _ANSWERED:
        tree, _ = parse_xml(definition.bpmn_xml.encode("utf-8"), definition.process_key)
        ids: set[str] = set()
        for process in (tree.iterfind("bpmn:process", _NS) if tree is not None else ()):
            if process.get("id") == definition.process_key:
                ids = {f.get("id") or "" for f in process.iterfind(".//camunda:formData/camunda:formField", _NS)}
        _ANSWERED[key] = frozenset(ids)
    return _ANSWERED[key]
