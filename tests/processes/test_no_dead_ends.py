"""No shipped procedure can leave a case stuck or contradict itself (issue 12, escalation paths): an
escalation never ends the work it chases, every decision has a way on whatever was answered, and every
step can still reach an end."""
from __future__ import annotations

import pytest
from lxml import etree

from tests.processes.conftest import PROCESSES

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
FILES = sorted(p.relative_to(PROCESSES) for p in PROCESSES.rglob("*.bpmn"))


def _processes(file):
    tree = etree.parse(str(PROCESSES / file))
    for proc in tree.iterfind("bpmn:process", NS):
        flows = [(f.get("id"), f.get("sourceRef"), f.get("targetRef")) for f in proc.iterfind("bpmn:sequenceFlow", NS)]
        yield proc, flows


def _reachable(start: str, flows) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        for _, s, t in flows:
            if s == node and t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


@pytest.mark.parametrize("file", FILES, ids=str)
def test_an_escalation_never_ends_the_work_it_chases(file):
    """A timer that escalates an overdue task either leaves the task open (non-interrupting: the work goes
    on to its answer and the escalation's end event closes only the chasing), or, interrupting it, leads
    back into the procedure's main path -- never to an end that would drop the case's work."""
    for proc, flows in _processes(file):
        for b in proc.iterfind("bpmn:boundaryEvent", NS):
            if b.get("cancelActivity") == "false":
                continue
            path = _reachable(b.get("id"), flows)
            rejoins = any(t in path and s not in path and s != b.get("id") for _, s, t in flows)
            assert rejoins, f"{file}: interrupting {b.get('id')} ends the case without returning to its work"


@pytest.mark.parametrize("file", FILES, ids=str)
def test_every_decision_has_a_way_on_and_every_step_reaches_an_end(file):
    for proc, flows in _processes(file):
        for gw in proc.iterfind("bpmn:exclusiveGateway", NS):
            outgoing = [f for f in flows if f[1] == gw.get("id")]
            if len(outgoing) > 1:
                assert gw.get("default"), f"{file}: {gw.get('id')} has no default flow: an unforeseen answer stops the case"
        ends = {e.get("id") for e in proc.iterfind("bpmn:endEvent", NS)}
        nodes = {s for _, s, _ in flows} | {t for _, _, t in flows}
        for node in nodes - ends:
            assert _reachable(node, flows) & ends, f"{file}: from {node} no end can be reached"
