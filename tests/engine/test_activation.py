"""A staged version becomes active only when every lane and group it uses has people (issue #13, 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import definitions
from engine.definitions import activation
from engine.errors import InvalidInput, NotAllowed
from engine.people.assignment import set_lane_group
from tests.engine.test_migration import V1, V2

HOSPITAL = Path(__file__).resolve().parents[2] / "processes" / "examples" / "hospital_complaints.bpmn"


@pytest.fixture(autouse=True)
def root(harness) -> None:
    """The administrator who stages and activates versions (only administrators may)."""
    harness.user("root", admin=True)


def stage(h, data: bytes, name: str = "upload.bpmn") -> int:
    with h.Session.begin() as s:
        [result] = definitions.deploy_file(s, data, name, clock=h.clock, actor="root", stage=True)
    return result.version


def check(h, key: str, version: int) -> activation.ActivationCheck:
    with h.Session() as s:
        return activation.check_activation(s, activation.staged_version(s, key, version))


def activate(h, key: str, version: int) -> None:
    with h.Session.begin() as s:
        activation.activate(s, key, version, clock=h.clock, actor="root")


def test_a_staged_version_waits_while_new_cases_start_on_the_active_one(harness):
    h = harness
    h.user("ann", "office")
    h.user("hal", "heads")
    h.deploy_bytes(V1, "fix.bpmn")
    assert stage(h, V2) == 2
    first = h.start("fix", "ann")
    assert h.show(first)["version"] == 1  # the staged version is not used yet
    assert check(h, "fix", 2).ready
    activate(h, "fix", 2)
    second = h.start("fix", "ann")
    assert (h.show(first)["version"], h.show(second)["version"]) == (1, 2)  # open cases keep theirs
    with pytest.raises(InvalidInput, match="already active"):
        activate(h, "fix", 2)


def test_a_group_nobody_is_in_blocks_activation_until_there_is_someone(harness):
    h = harness
    h.user("ann", "office")
    h.deploy_bytes(V1, "fix.bpmn")
    stage(h, V2)
    c = check(h, "fix", 2)
    assert c.blockers == [
        "tasks Review name group 'heads', which has no members: add people to it or change the file"
    ]
    with pytest.raises(InvalidInput, match="group 'heads', which has no members"):
        activate(h, "fix", 2)
    assert h.show(h.start("fix", "ann"))["version"] == 1  # nothing changed
    h.user("hal", "heads")
    activate(h, "fix", 2)


def test_the_hospital_example_is_swapped_in_with_its_lanes_mapped(harness):
    """The worked example of the docs: another institution's file, its lanes mapped to the school's groups."""
    h = harness
    for name, group in [("lin", "信息督察室"), ("dai", "调查部门"), ("wu", "主管领导"), ("li", "校委会")]:
        h.user(name, group)
    version = stage(h, HOSPITAL.read_bytes(), HOSPITAL.name)
    c = check(h, "ex_hospital_complaint", version)
    assert {u.lane for u in c.lanes} == {"医疗纠纷处理办公室", "科室负责人", "医务科", "院领导"}
    assert all(not u.mapped and u.members == 0 for u in c.lanes) and len(c.blockers) == 4
    mapping = {
        "医疗纠纷处理办公室": "信息督察室",
        "科室负责人": "调查部门",
        "医务科": "主管领导",
        "院领导": "校委会",
    }
    with h.Session.begin() as s:
        for lane, group in mapping.items():
            set_lane_group(s, "ex_hospital_complaint", lane, group)
    c = check(h, "ex_hospital_complaint", version)
    assert c.ready and {(u.lane, u.group, u.mapped, u.members) for u in c.lanes} == {
        (lane, group, True, 1) for lane, group in mapping.items()
    }
    activate(h, "ex_hospital_complaint", version)
    h.start("ex_hospital_complaint", "lin", {"complainant_name": "赵先生", "complainant_phone": "13900000000",
                                             "channel": "phone", "title": "挂号排队过久"})
    assert h.tasks("lin")  # the office's first task reached the school's group


def test_a_lane_is_mapped_only_to_an_existing_group_by_an_administrator(harness):
    h = harness
    h.user("lin", "信息督察室")
    h.user("ann")
    version = stage(h, HOSPITAL.read_bytes(), HOSPITAL.name)
    with h.Session() as s:
        definition = activation.staged_version(s, "ex_hospital_complaint", version)
        with pytest.raises(InvalidInput, match="no lane 'nowhere'"):
            activation.map_lane(s, definition, "nowhere", "信息督察室", clock=h.clock, actor="root")
        with pytest.raises(InvalidInput, match="no group 'typo'"):
            activation.map_lane(s, definition, "医疗纠纷处理办公室", "typo", clock=h.clock, actor="root")
        with pytest.raises(NotAllowed):
            activation.map_lane(s, definition, "医疗纠纷处理办公室", "信息督察室", clock=h.clock, actor="ann")
    with h.Session.begin() as s:
        definition = activation.staged_version(s, "ex_hospital_complaint", version)
        activation.map_lane(s, definition, "医疗纠纷处理办公室", "信息督察室", clock=h.clock, actor="root")
    office = next(u for u in check(h, "ex_hospital_complaint", version).lanes if u.lane == "医疗纠纷处理办公室")
    assert (office.group, office.mapped, office.members) == ("信息督察室", True, 1)
    with h.Session() as s:
        assert ("信息督察室", 1) in activation.group_choices(s)
