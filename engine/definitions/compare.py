"""What changed between two versions of a procedure, as an administrator reviews it before activating.

Computed on the server from the two files' XML (parsed with entities and network off): steps added,
removed and renamed, who a step goes to, its due date, its form fields, and timers. Elements are matched
by id, as Camunda Modeler keeps ids when a diagram is edited; each change names the element so that a
page can mark it on the diagram.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.definitions.xml_input import parse_xml
from engine.errors import DefinitionError, Problem

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
_STEPS = (
    "userTask",
    "manualTask",
    "task",
    "scriptTask",
    "serviceTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "subProcess",
    "callActivity",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
)
_ASSIGNMENT = ("candidateGroups", "candidateUsers", "assignee", "dueDate", "priority")
_TIMER_PARTS = ("timeDuration", "timeDate", "timeCycle")


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is added, removed, renamed or changed; ``what`` says it in a sentence."""

    kind: str
    element_id: str
    what: str


@dataclass
class Comparison:
    steps: list[Change] = field(default_factory=list)
    assignments: list[Change] = field(default_factory=list)
    forms: list[Change] = field(default_factory=list)
    timers: list[Change] = field(default_factory=list)

    @property
    def all(self) -> list[Change]:
        return [*self.steps, *self.assignments, *self.forms, *self.timers]

    def marks(self) -> dict[str, str]:
        """Element id → the strongest change on it (added, removed, changed), for drawing on a diagram."""
        rank = {"removed": 3, "added": 2, "renamed": 1, "changed": 1}
        out: dict[str, str] = {}
        for c in self.all:
            kind = "changed" if c.kind == "renamed" else c.kind
            if rank[kind] > rank.get(out.get(c.element_id, ""), 0):
                out[c.element_id] = kind
        return out


def compare(old_xml: bytes | str, new_xml: bytes | str, process_key: str) -> Comparison:
    """The changes from ``old_xml`` to ``new_xml`` in process ``process_key``.

    :raises DefinitionError: a file is not well-formed or has no such process.
    """
    old, new = (
        _process(old_xml, process_key, "the active version"),
        _process(new_xml, process_key, "the new file"),
    )
    out = Comparison()
    old_steps, new_steps = _steps(old), _steps(new)
    for sid, el in new_steps.items():
        if sid not in old_steps:
            out.steps.append(Change("added", sid, f"step {_label(el)} is new"))
    for sid, el in old_steps.items():
        other = new_steps.get(sid)
        if other is None:
            out.steps.append(Change("removed", sid, f"step {_label(el)} is removed"))
            continue
        if (el.get("name") or "") != (other.get("name") or ""):
            out.steps.append(
                Change(
                    "renamed",
                    sid,
                    f"step '{el.get('name') or sid}' is now called '{other.get('name') or sid}'",
                )
            )
        for attr in _ASSIGNMENT:
            a, b = el.get(f"{{{CAMUNDA}}}{attr}"), other.get(f"{{{CAMUNDA}}}{attr}")
            if a != b:
                out.assignments.append(
                    Change("changed", sid, f"{_label(other)}: {attr} '{a or '-'}' → '{b or '-'}'")
                )
        out.forms.extend(_form_changes(sid, el, other))
        out.timers.extend(_timer_changes(sid, el, other))
    for sid, el in new_steps.items():
        if sid not in old_steps and _timer(el) is not None:
            out.timers.append(Change("added", sid, f"timer {_label(el)} is new: {_timer(el)}"))
    return out


def _process(xml: bytes | str, key: str, which: str) -> etree._Element:
    data = xml.encode() if isinstance(xml, str) else xml
    tree, problems = parse_xml(data, which)
    if tree is None:
        raise DefinitionError(problems)
    found = next((p for p in tree.getroot().iterfind(f"{{{BPMN}}}process") if p.get("id") == key), None)
    if found is None:
        raise DefinitionError([Problem(which, None, None, f"there is no process '{key}' in it")])
    return found


def _steps(process: etree._Element) -> dict[str, etree._Element]:
    wanted = {f"{{{BPMN}}}{t}" for t in _STEPS}
    return {el.get("id"): el for el in process.iter() if el.tag in wanted and el.get("id")}


def _label(el: etree._Element) -> str:
    name = el.get("name")
    return f"'{name}' ({el.get('id')})" if name else f"'{el.get('id')}'"


def _fields(el: etree._Element) -> dict[str, dict[str, str]]:
    out = {}
    for f in el.iterfind(f"{{{BPMN}}}extensionElements/{{{CAMUNDA}}}formData/{{{CAMUNDA}}}formField"):
        desc = {
            "label": f.get("label") or "",
            "type": f.get("type") or "",
            "default": f.get("defaultValue") or "",
        }
        for c in f.iterfind(f"{{{CAMUNDA}}}validation/{{{CAMUNDA}}}constraint"):
            desc[f"constraint {c.get('name')}"] = c.get("config") or "true"
        desc["values"] = ",".join(v.get("id") or "" for v in f.iterfind(f"{{{CAMUNDA}}}value"))
        out[f.get("id") or ""] = desc
    return out


def _form_changes(sid: str, old: etree._Element, new: etree._Element) -> list[Change]:
    a, b = _fields(old), _fields(new)
    out = []
    for fid in b.keys() - a.keys():
        out.append(
            Change("changed", sid, f"{_label(new)}: form field '{b[fid]['label'] or fid}' ({fid}) is new")
        )
    for fid in a.keys() - b.keys():
        out.append(
            Change("changed", sid, f"{_label(new)}: form field '{a[fid]['label'] or fid}' ({fid}) is removed")
        )
    for fid in sorted(a.keys() & b.keys()):
        diffs = [
            f"{k} '{a[fid].get(k, '') or '-'}' → '{b[fid].get(k, '') or '-'}'"
            for k in sorted(a[fid].keys() | b[fid].keys())
            if a[fid].get(k, "") != b[fid].get(k, "")
        ]
        if diffs:
            out.append(Change("changed", sid, f"{_label(new)}: form field {fid}: {', '.join(diffs)}"))
    return sorted(out, key=lambda c: c.what)


def _timer(el: etree._Element) -> str | None:
    definition = el.find(f"{{{BPMN}}}timerEventDefinition")
    if definition is None:
        return None
    for part in _TIMER_PARTS:
        node = definition.find(f"{{{BPMN}}}{part}")
        if node is not None:
            return f"{part} {(node.text or '').strip()}"
    return "no time given"


def _timer_changes(sid: str, old: etree._Element, new: etree._Element) -> list[Change]:
    a, b = _timer(old), _timer(new)
    if a == b:
        return []
    if a is None:
        return [Change("added", sid, f"{_label(new)} now waits on a timer: {b}")]
    if b is None:
        return [Change("removed", sid, f"{_label(new)} no longer has its timer ({a})")]
    return [Change("changed", sid, f"timer {_label(new)}: {a} → {b}")]
