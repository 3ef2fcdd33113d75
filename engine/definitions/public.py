"""The form fields a procedure shows to the person a case is about (``publicFields``).

A procedure declares them on its process, in the standard Camunda extension that Camunda Modeler edits
in its "Extension properties" panel::

    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="publicFields" value="feedback_content,satisfaction"/>
    </camunda:properties></bpmn:extensionElements>

Nothing else of a case's data is ever shown on the tracking page; a listed field appears there once a
form has given it a value. Deployment refuses a file whose list names a field no form of that process has.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from lxml import etree

from engine.errors import Problem
from engine.definitions.forms import FormField
from engine.definitions.xml_input import parse_xml

PUBLIC_FIELDS = "publicFields"
_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}
_PROPERTY = "bpmn:extensionElements/camunda:properties/camunda:property[@name='publicFields']"


def declared_public_fields(properties: Mapping[str, Any] | None) -> list[str]:
    """The field ids listed in a process's ``publicFields`` property, in their order, without repeats."""
    raw = str((properties or {}).get(PUBLIC_FIELDS) or "")
    return list(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))


def public_field_problems(tree: etree._ElementTree, file_name: str) -> Iterator[Problem]:
    """A problem for each listed field that no form (start event or task) of the process declares."""
    for process in tree.iterfind("bpmn:process", _NS):
        for prop in process.iterfind(_PROPERTY, _NS):
            names = declared_public_fields({PUBLIC_FIELDS: prop.get("value")})
            known = {f.get("id") for f in process.iterfind(".//camunda:formData/camunda:formField", _NS)}
            if not names:
                yield Problem(file_name, prop.sourceline, process.get("id"),
                              "publicFields lists no field; name the form fields the complainant may see, "
                              "separated by commas, or remove the property")
            for name in names:
                if name not in known:
                    yield Problem(file_name, prop.sourceline, process.get("id"),
                                  f"publicFields names '{name}', but no form of this process has a field "
                                  "with that id")


_FIELDS: dict[tuple[str, str], list[FormField]] = {}  # per immutable definition version


def public_fields(definition: Any) -> list[FormField]:
    """The public fields of a definition version with their labels and choices, in the declared order.

    ``definition`` is a ``models.Definition`` (or anything with its ``process_key``, ``content_hash``,
    ``properties`` and ``bpmn_xml``). A field on several forms takes its first form's label.
    """
    key = (definition.process_key, definition.content_hash)
    if key not in _FIELDS:
        names = declared_public_fields(definition.properties)
        found: dict[str, FormField] = {}
        if names:
            tree, _ = parse_xml(definition.bpmn_xml.encode("utf-8"), definition.process_key)
            found = _form_fields(tree, definition.process_key) if tree is not None else {}
        _FIELDS[key] = [found.get(n) or FormField(n, n, "string") for n in names]
    return _FIELDS[key]


def _form_fields(tree: etree._ElementTree, process_key: str) -> dict[str, FormField]:
    out: dict[str, FormField] = {}
    for process in tree.iterfind("bpmn:process", _NS):
        if process.get("id") != process_key:
            continue
        for f in process.iterfind(".//camunda:formData/camunda:formField", _NS):
            fid = f.get("id") or ""
            if fid and fid not in out:
                values = [(v.get("id") or "", v.get("name") or v.get("id") or "")
                          for v in f.iterfind("camunda:value", _NS)]
                out[fid] = FormField(fid, f.get("label") or fid, f.get("type") or "string", values=values)
    return out
