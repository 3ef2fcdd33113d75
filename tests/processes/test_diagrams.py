"""Every shipped file: complete BPMNDI, no overlapping shapes, a form on every user task, Chinese names,
one lane per role, deployable, and the generated files up to date with their descriptions."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "processes").rglob("*.bpmn"))
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI", "dc": "http://www.omg.org/spec/DD/20100524/DC",
      "camunda": "http://camunda.org/schema/1.0/bpmn"}
FLOW_NODES = ("startEvent", "endEvent", "userTask", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
              "intermediateCatchEvent", "boundaryEvent", "subProcess", "manualTask")


def _bounds(shape):
    b = shape.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def test_the_procedures_are_all_there():
    names = {f.relative_to(ROOT / "processes").as_posix() for f in FILES}
    assert {"p1_visitor_reception.bpmn", "p1_archive_access.bpmn", "p2_parent_student_complaints.bpmn",
            "p3_institution_parent_complaints.bpmn", "p4_trainee_complaints.bpmn",
            "p5_communication_groups.bpmn", "examples/hospital_complaints.bpmn",
            "examples/customer_service_complaints.bpmn"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_element_has_a_diagram_and_no_shapes_overlap(path: Path):
    tree = etree.parse(str(path))
    shapes = {s.get("bpmnElement"): s for s in tree.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement") for e in tree.iterfind(".//bpmndi:BPMNEdge", NS)}
    nodes = [el for tag in FLOW_NODES for el in tree.iterfind(f".//bpmn:{tag}", NS)]
    for el in [*nodes, *tree.iterfind(".//bpmn:lane", NS), *tree.iterfind(".//bpmn:participant", NS)]:
        assert el.get("id") in shapes, f"{el.get('id')} has no BPMNShape"
    for flow in tree.iterfind(".//bpmn:sequenceFlow", NS):
        assert flow.get("id") in edges, f"{flow.get('id')} has no BPMNEdge"
    boxes = {el.get("id"): _bounds(shapes[el.get("id")]) for el in nodes}
    attached = {el.get("id"): el.get("attachedToRef") for el in tree.iterfind(".//bpmn:boundaryEvent", NS)}
    ids = sorted(boxes)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if attached.get(a) == b or attached.get(b) == a:
                continue
            (ax, ay, aw, ah), (bx, by, bw, bh) = boxes[a], boxes[b]
            assert not (ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah), f"{a} overlaps {b}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_names_forms_and_lanes(path: Path):
    tree = etree.parse(str(path))
    for task in tree.iterfind(".//bpmn:userTask", NS):
        assert _has_chinese(task.get("name", "")), task.get("id")
        fields = task.findall(".//camunda:formData/camunda:formField", NS)
        assert fields, f"user task {task.get('id')} has no form"
        assert all(_has_chinese(f.get("label", "")) for f in fields)
    for lane in tree.iterfind(".//bpmn:lane", NS):
        assert _has_chinese(lane.get("name", ""))
    for process in tree.iterfind(".//bpmn:process", NS):
        in_lanes = {r.text for r in process.iterfind(".//bpmn:flowNodeRef", NS)}
        for tag in FLOW_NODES:
            for el in process.iterfind(f"bpmn:{tag}", NS):
                assert el.get("id") in in_lanes, f"{el.get('id')} is in no lane"
        lane_names = [lane.get("name") for lane in process.iterfind(".//bpmn:lane", NS)]
        assert len(lane_names) == len(set(lane_names)), "one lane per role"
    for gw in tree.iterfind(".//bpmn:exclusiveGateway", NS):
        outgoing = gw.findall("bpmn:outgoing", NS)
        if len(outgoing) > 1:
            assert gw.get("default"), f"decision {gw.get('id')} has no default flow"


def test_every_file_deploys(harness):
    results = harness.deploy(ROOT / "processes")
    assert {r.process_key for r in results} >= {
        "p1_visit", "p1_summary", "p1_archive_access", "p2_complaint", "p2_weekly_stats",
        "p3_parent_complaint", "p4_trainee_complaint", "p5_group_request", "ex_hospital_complaint",
        "ex_service_complaint"}


def test_generated_files_are_up_to_date():
    done = subprocess.run([sys.executable, "-m", "tools.build_processes", "--check"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
