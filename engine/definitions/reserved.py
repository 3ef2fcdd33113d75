"""Names no form can set: the constants, the facts of the case, the helpers and the procedure's parameters.

A field called ``reply_days`` or ``initiator`` would otherwise change a deadline or who gets a task.
Expressions also look these names up before the case's data (``engine.scripting.evaluator``), so even a
key that got into the data could not stand in for one; refusing it says so to whoever typed it. A file whose form declares such a field is
refused at deploy, and data carrying such a key (a task or start without a form takes free data) is
refused when submitted.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from engine.definitions.params import declared_params
from engine.definitions.xml_input import parse_xml
from engine.errors import InvalidInput, Problem
from engine.scripting.evaluator import BUILTINS, CONSTANTS
from engine.scripting.helpers import make_helpers

_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}
# What every expression knows of its case; ``received_at`` (when it was received) and ``done_by`` (who
# completed each task) are the engine's, so deadlines from receipt and "not the author" rules hold.
FACTS = frozenset({"initiator", "instance_id", "case_number", "received_at", "done_by"})
HELPERS = frozenset(make_helpers(None, lambda: None, lambda: None)) | frozenset(BUILTINS)  # type: ignore[arg-type]


def reserved_names(definition: Any) -> dict[str, str]:
    """Each reserved name with what it is, for the sentence that refuses it."""
    out = {name: "a constant" for name in CONSTANTS}
    out.update({name: "a fact of the case" for name in FACTS})
    out.update({name: "a function expressions call" for name in HELPERS})
    out.update({name: "a parameter of this procedure" for name in declared_params(definition)})
    return out


def check_data(definition: Any, data: dict[str, Any]) -> None:
    """:raises InvalidInput: ``data`` sets a reserved name; nothing is stored."""
    reserved = reserved_names(definition)
    clash = {k: f"'{k}' is {reserved[k]}; a form cannot set it" for k in data if k in reserved}
    if clash:
        raise InvalidInput("the form has errors: " + "; ".join(clash.values()), clash)


def field_problems(xml: bytes, process_key: str, properties: dict[str, Any], file_name: str) -> list[Problem]:
    """A refusal for each form field (a task's or the start event's) named like a reserved name."""
    tree, _ = parse_xml(xml, file_name)
    if tree is None:
        return []
    reserved = reserved_names(SimpleNamespace(properties=properties))
    out = []
    for process in tree.iterfind("bpmn:process", _NS):
        if process.get("id") != process_key:
            continue
        for f in process.iterfind(".//camunda:formData/camunda:formField", _NS):
            fid = f.get("id") or ""
            if fid in reserved:
                owner = (
                    f.getparent().getparent().getparent()
                )  # formField < formData < extensionElements < element
                out.append(
                    Problem(
                        file_name,
                        f.sourceline,
                        owner.get("id"),
                        f"form field '{fid}' is named like {reserved[fid]}: a form could then change "
                        f"it; give the field another id",
                    )
                )
    return out
