"""Task-level ``excludeUsers``, and the case facts ``received_at`` and ``done_by`` that no form can set."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from engine.errors import InvalidInput, NotAllowed

SH = ZoneInfo("Asia/Shanghai")
FILE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://example.org/facts">
  <bpmn:process id="facts" name="Facts" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="write"/>
    <bpmn:userTask id="write" name="Write" camunda:candidateGroups="office"
        camunda:dueDate="${add_working_days_from(received_at, 2)}">
      <bpmn:extensionElements>
        <camunda:properties><camunda:property name="excludeUsers" value="${initiator}"/></camunda:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="write" targetRef="approve"/>
    <bpmn:userTask id="approve" name="Approve" camunda:candidateGroups="office">
      <bpmn:extensionElements>
        <camunda:properties><camunda:property name="excludeUsers" value="${done_by['write']}"/></camunda:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def facts(harness):
    harness.deploy_bytes(FILE, "facts.bpmn")
    for name in ("ann", "bob", "cat"):
        harness.user(name, "office")
    return harness


def test_a_task_excludes_the_initiator_and_an_approval_the_author(facts):
    h = facts
    h.start("facts", "ann", {})
    assert h.task_names("ann") == [] and h.task_names("bob") == ["Write"]
    with pytest.raises(NotAllowed):
        h.complete(h.task("bob", "Write")["id"], "ann", {})
    h.do("bob", "Write", {})
    assert h.task_names("bob") == [] and h.task_names("cat") == ["Approve"]
    with pytest.raises(NotAllowed):
        h.complete(h.task("cat", "Approve")["id"], "bob", {})
    h.do("cat", "Approve", {})


def test_the_deadline_counts_from_receipt_and_no_data_can_set_the_facts(facts):
    h = facts
    h.start("facts", "ann", {})  # Wed 2026-09-30 10:00; 1-7 October are holidays
    assert h.task("bob", "Write")["due_at"] == "2026-10-09T17:30:00+08:00"
    h.clock.set(datetime(2026, 10, 20, 9, 0, tzinfo=SH))
    for key in ("received_at", "done_by"):
        with pytest.raises(InvalidInput, match=key):
            h.start("facts", "ann", {key: "2026-10-19T00:00:00+08:00"})
