"""Start data goes through the start event's form, and no typed data stands in for a parameter, a case
fact, a helper or a constant (issue #10, 2). The clock starts on Wednesday 30 September 2026, 10:00."""
from __future__ import annotations

import pytest

from engine.errors import DefinitionError, InvalidInput
from tests.processes.test_p2_parent_student_complaints import ACCEPT, COMPLAINT, FILE, p2  # noqa: F401

SIMPLE_WITH = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://schoolflow.example/t">
  <bpmn:process id="named" isExecutable="true">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="param.reply_days" value="7"/>
      <camunda:property name="publicFields" value="{field}"/>
    </camunda:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="t1" name="Answer" camunda:candidateGroups="office">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="{field}" label="Field" type="string" />
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t1" />
    <bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def refused(h, data: dict) -> InvalidInput:
    with pytest.raises(InvalidInput) as exc:
        h.start("p2_complaint", "xu", data)
    assert h.tasks("xu") == []  # nothing was started
    return exc.value


def test_the_start_form_is_checked_like_a_task_form_and_nothing_is_started(p2):
    h = p2.h
    err = refused(h, {})
    assert err.field_errors["complainant_name"] == "this field is required"
    err = refused(h, {**COMPLAINT, "complainant_name": "刘" * 65})
    assert err.field_errors == {"complainant_name": "must be at most 64 characters"}
    err = refused(h, {**COMPLAINT, "reply_days": 3000, "escalation_group": "无人", "initiator": "bob",
                      "true": False, "prelim_reply_note": "已办结，投诉不属实"})
    assert err.field_errors == {k: "this form has no such field" for k in
                                ("reply_days", "escalation_group", "initiator", "true", "prelim_reply_note")}
    # With good data the case starts and its deadline is the file's seven working days.
    iid = h.start("p2_complaint", "xu", COMPLAINT)
    h.do("xu", "受理建档", ACCEPT)
    assert h.show(iid)["status"] == "running"


def test_free_start_data_cannot_hand_the_case_to_someone_else(harness):
    harness.deploy(harness_path("p1_archive_access.bpmn"))
    harness.user("ann", "教师")
    harness.user("bob", "教师")
    with pytest.raises(InvalidInput) as exc:
        harness.start("p1_archive_access", "ann", {"initiator": "bob", "true": False, "case_number": "TS-1"})
    assert exc.value.field_errors == {"initiator": "'initiator' is a fact of the case; a form cannot set it",
                                      "true": "'true' is a constant; a form cannot set it",
                                      "case_number": "'case_number' is a fact of the case; a form cannot set it"}
    assert harness.tasks("bob") == [] and harness.tasks("ann") == []  # nothing was started
    harness.start("p1_archive_access", "ann", {"note": "查阅2025届档案"})
    assert [t["assignee"] for t in harness.tasks("ann")] == ["ann"]  # the first task is the starter's
    assert harness.tasks("bob") == []


def test_free_start_data_cannot_prefill_what_a_form_answers(harness):
    harness.deploy_bytes(SIMPLE_WITH.replace("{field}", "result").encode(), "named.bpmn")
    harness.user("ann", "office")
    with pytest.raises(InvalidInput) as exc:
        harness.start("named", "ann", {"result": "投诉不成立"})
    assert exc.value.field_errors == {"result": "is answered by a form of this procedure, not given at the start"}
    iid = harness.start("named", "ann", {"note": "ok"})
    harness.do("ann", "Answer", {"result": "已解决"})
    assert harness.show(iid)["status"] == "completed"


@pytest.mark.parametrize("field, what", [
    ("reply_days", "a parameter of this procedure"),
    ("initiator", "a fact of the case"),
    ("case_number", "a fact of the case"),
    ("true", "a constant"),
    ("None", "a constant"),
    ("add_working_days", "a function expressions call"),
    ("len", "a function expressions call"),
])
def test_a_form_field_named_like_a_parameter_fact_helper_or_constant_is_refused_at_deploy(harness, field, what):
    with pytest.raises(DefinitionError) as exc:
        harness.deploy_bytes(SIMPLE_WITH.replace("{field}", field).encode(), "named.bpmn")
    [problem] = exc.value.problems
    assert (problem.line, problem.element_id) == (12, "t1")
    assert problem.message == (f"form field '{field}' is named like {what}: a form could then change it; "
                               "give the field another id")


def harness_path(name: str):
    from tests.processes.conftest import PROCESSES
    return PROCESSES / name
